"""Check the cleaner's hard rules (issue #11, "done when") on every page of annotated page sets.

Usage::

    python bench/clean_checks.py DATASET [DATASET ...] [--limit N] [--show N]

Each page is cleaned once (``feedsvc.clean.clean_html`` with the page's URL,
as ``bench/extraction.py`` does) and three things are checked on the output:

appeal
    No donation or membership appeal. An appeal asks the reader for money,
    a gift, a donation, a membership or a subscription to keep the
    publisher or its cause going ("support this webcam by making a gift
    to …", "donate today to help us …", "become a member", "your
    subscription supports my writing", "my Patreon", and the same asks in
    German, French, Spanish, Portuguese, Italian and Czech): ``ASK`` holds
    these phrasings, and any of them in the output fails, whether or not
    the annotated truth keeps it (an annotator keeping an appeal does not
    make it the article; the mission strips them). An article *about*
    donations tells of them in the third person ("the fund donated",
    "donations rose", "streamers accept tips via Ko-fi") and holds no ask.
    Besides, the output fails when it holds one of the page's truth
    ``without`` snippets that reads as an appeal, or a looser appeal word
    (``APPEAL``: "donate", "support us", ...) that the truth does not hold.
markup
    No literal markup text: no tag (``<img height="1" ...>``, ``</div>``)
    and no escaped entity (``&lt;div``, ``&amp;nbsp;``) in the output's text,
    unless the source page shows the same string as text (a tutorial that
    prints HTML in a code block), as libxml2 reads it with scripts off: the
    tags inside a ``<noscript>`` are tags there, not text. The page is read
    as UTF-8, whatever its head says (``extraction.page_tree``). And no
    template placeholder (``PLACEHOLDER``: ``{{ name }}``, ``{% if … %}``,
    ``<%= … %>``, ``${name}``, a WordPress shortcode such as
    ``[caption …]``, a plugin's shortcode ``[convertkit form=…]`` or
    ``[rt_reading_time]``, a module token ``[CTA_MODULE]``, ``%%title%%``,
    ``*|FNAME|*``, a script's ``$undefined`` or ``[object Object]``) unless the source shows it inside code (``<pre>``,
    ``<code>``, ...): outside code a placeholder is what a template or a
    script was to fill, and the reader of the page never sees it, while a
    tutorial shows its templates in code blocks.
lazy
    Lazy images resolved: no ``<img>`` in the output whose src is a
    placeholder the source page put beside the real image (an ``<img>`` of
    the source with that src also held ``data-src``, ``data-original``,
    ``data-lazy-src`` or ``data-srcset`` naming another image, or a
    ``srcset`` beside a placeholder-looking src),
    none whose file name looks like a placeholder (``PLACEHOLDER_SRC``), and
    none without a src.

Exit status 1 when any page fails any check; every failure is listed with
the page and the offending text (the first ``--show`` per check). Newsletter
and subscription prompts are counted beside, as information: the issue's
hard rule is about donation and membership appeals.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import APPEAL_PAGES, Page, html_to_text, load, page_tree

from feedsvc.clean import clean_html
from feedsvc.clean.policy import LAZY_SRCSET_ATTRS, PLACEHOLDER_SRC

# A donation or membership appeal, as readers see it.
APPEAL = re.compile(
    r"\bsupport (?:us|our (?:work|journalism|mission|reporting|newsroom)|independent (?:journalism|media|news))\b"
    r"|\bdonat(?:e|es|ing|ion|ions)\b|\bbecom(?:e|ing) a (?:member|patron|supporter|donor|friend of)\b"
    r"|\bfunded by (?:readers|our readers|people like you|you)\b|\breaders like you\b|\bpatreon\b"
    r"|\bbuy (?:me|us) a coffee\b|\bmake a gift\b|\bchip in\b|\bcontribut(?:e|ion) (?:today|now)\b"
    r"|\bmembers? (?:get|receive|enjoy)\b|\bjoin (?:us|now|today) as a member\b",
    re.IGNORECASE,
)
# An appeal's ask: the reader is asked to give money, a gift, a membership or a subscription to keep the
# publisher or its cause going. Each phrasing asks (imperative, "you can … to help us", "your gift helps"): a news
# story telling of donations ("donated", "donations rose", "a Ko-fi link") holds none. Read against the annotated
# truths of all 839 dev pages, it finds only appeals (0042, 0136, 0341, 0460: kept by their annotators).
ASK = re.compile(
    r"\bsupport (?:us|our (?:work|journalism|mission|reporting|newsroom|coverage|site|podcast|newsletter)"
    r"|independent (?:journalism|media|news|reporting)"
    r"|this (?:webcam|site|blog|podcast|newsletter|channel|show|work|journalism|reporting))\b"
    r"|\b(?:make|making|give|giving) (?:us )?(?:a |your )?(?:tax[- ]deductible |one[- ]time |one-off |monthly "
    r"|recurring |special |small |year-end )?(?:gift|donation|contribution)s? (?:to|today|now|of|online|at)\b"
    r"|\b(?:give|donate|contribute|chip in|pitch in) (?:now|today|here|online)\b"
    r"|\b(?:please|you can|click (?:here )?to|help us by|consider) (?:donat(?:e|ing)|giv(?:e|ing)|contribut(?:e|ing)"
    r"|pitch(?:ing)? in|chip(?:ping)? in) (?:now|today|generously|what you can|to (?:us|our|support|help|keep))\b"
    r"|\bdonate to (?:us|our|this|keep|support|help (?:us|keep))\b"
    r"|\byour (?:gift|donation|contribution|support|membership|subscription)s? (?:today |now )?(?:helps?|will|makes?"
    r"|keeps?|allows?|enables?|supports?|ensures?|goes|funds?|matters|means)\b"
    r"|\bbecom(?:e|ing) an? (?:paying |paid |sustaining |monthly )?(?:member|patron|supporter|subscriber|donor"
    r"|sustainer|friend of)\b"
    r"|\bjoin (?:us )?(?:now |today )?as an? (?:member|supporter|donor|patron)\b"
    r"|\b(?:reader|member|listener|viewer)s?[- ](?:funded|supported|powered)\b"
    r"|\bfunded by (?:readers|our readers|listeners|our members|people like you|you)\b"
    r"|\b(?:readers|listeners|viewers|supporters|members) like you\b"
    r"|\b(?:my|our) (?:patreon|ko-fi)\b|\b(?:support|join) (?:me|us) on (?:patreon|ko-fi)\b|\bbuy (?:me|us) a coffee\b"
    r"|\bhelp (?:us )?(?:keep|continue|sustain|fund) (?:us|this|our|the (?:site|blog|webcam|podcast|newsletter)"
    r"|bringing you|publishing|going|reporting)\b"
    r"|\bwe (?:rely|depend) on (?:readers|our readers|your support|donations|you|members)\b"
    r"|\bsmall favou?r to ask\b"
    r"|\bsubscrib(?:e|ing) (?:to|and|helps?|supports?) (?:support|help|keep) (?:us|our|independent)\b"
    # German, French, Spanish, Portuguese, Italian, Czech
    r"|\bjetzt (?:spenden|unterstützen)\b|\bunterstütz(?:en sie|e) uns\b|\b(?:werden sie|werde) (?:mitglied|unterstützer)\b"
    r"|\bfai(?:tes|re|s) un don\b|\bsoutenez[- ]nous\b|\bnous soutenir\b|\bdevenez (?:membre|donateur|adhérent)\b"
    r"|\bha(?:z|ga) una donación\b|\bdona (?:ahora|hoy)\b|\bapóya(?:nos|me)\b|\bhazte (?:socio|miembro|mecenas)\b"
    r"|\bfaça uma doação\b|\bdoe agora\b|\bapoie (?:o nosso|nosso) (?:jornalismo|trabalho)\b"
    r"|\bfai una donazione\b|\bsostienici\b|\bpodpořte nás\b|\bstaňte se (?:členem|dárcem)\b",
    re.IGNORECASE,
)
# A newsletter or subscription prompt (counted, not a failure).
PROMPT = re.compile(
    r"\bsign (?:up|me up) (?:for|to)\b[^.]{0,40}\bnewsletter|\bsubscribe (?:to|for|now|today)\b", re.IGNORECASE
)
# A tag with attributes, a bare start or end tag, or an escaped entity, as text.
MARKUP = re.compile(
    r"</?[a-zA-Z][\w-]*(?:\s+[\w:-]+\s*=\s*[\"'\w]|\s*/?>)|&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,6}|#x[\da-fA-F]{1,5});"
)
# A template placeholder shown as text: Mustache/Handlebars/Jinja/Liquid output and tags, ERB/EJS/ASP, a
# JavaScript template literal's ${name}, a WordPress shortcode, a plugin's or a module's token, a script's value.
PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]{1,120}\}\}|\{%[^{}\n]{1,120}%\}|<%[=#-]?[^%\n]{1,120}%>|\$\{[A-Za-z_][\w.]{0,60}\}"
    r"|\[/?(?:caption|embed|gallery|video|audio|playlist|vc_\w+|et_pb_\w+)(?:\s[^\]\n]{0,200})?\]"
    # what a plugin or a CMS module left unfilled: a shortcode with attributes ("[convertkit form=1630175]",
    # quotes typographic after a smart-quotes filter), a bare one named with "_" ("[rt_reading_time]", not
    # Rust's "#[no_mangle]"), an UPPER_SNAKE module token ("[CTA_MODULE]"; "[HTTP]" is a reference), Yoast's
    # "%%title%%", Mailchimp's "*|FNAME|*", and what a script printed for a value it lacked
    r"|\[/?[a-z][\w-]{1,40}(?:\s+[\w-]{1,30}=(?:\"[^\"\n]{0,100}\"|'[^'\n]{0,100}'|[^\s\]]{1,100}))+\s*/?\]"
    r"|(?<![#\w])\[[a-z][a-z0-9]*(?:_[a-z0-9]+)+\]|\[[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\]"
    r"|%%[a-z_]{2,40}%%|\*\|[A-Z_]{2,40}\|\*|\$undefined\b|\[object Object\]"
)
# Where a page shows code as text: a placeholder there is the tutorial's own.
_CODE_TAGS = ("pre", "code", "xmp", "kbd", "samp", "tt", "listing", "plaintext")
# Attributes only a lazy loader sets (WordPress's data-orig-file and the like sit on loaded images too).
_LAZY_ONLY = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-srcset", "data-lazy-srcset")


@dataclass
class Failure:
    """One page failing one check, with what failed."""

    check: str
    key: str
    detail: str


def _flat(text: str) -> str:
    return " ".join(text.split())


def appeal_failures(key: str, text: str, truth: dict) -> list[Failure]:
    """Return the appeal left in ``text``: an ask, a looser appeal phrase its truth does not hold, or an appeal snippet the truth drops.

    A ``without`` snippet counts when it reads as an appeal itself, or on the
    pages the data README lists as carrying one (``APPEAL_PAGES``): the other
    snippets are other boilerplate, measured by the metric.
    """
    flat, truth_flat = _flat(text), _flat(truth.get("articleBody") or "")
    found = [
        Failure("appeal", key, f"without-snippet {snippet!r}")
        for snippet in truth.get("without") or []
        if _flat(snippet) and _flat(snippet) in flat and (key in APPEAL_PAGES or APPEAL.search(snippet))
    ]
    in_truth = {m.group(0).lower() for m in APPEAL.finditer(truth_flat)}
    loose = (m for m in APPEAL.finditer(flat) if m.group(0).lower() not in in_truth)
    for match in itertools.chain(ASK.finditer(flat), loose):
        start = max(0, match.start() - 60)
        found.append(Failure("appeal", key, f"{flat[start : match.end() + 60]!r}"))
        break
    return found


def markup_failures(key: str, text: str, page: Page) -> list[Failure]:
    """Return the markup shown as text in ``text`` that the source page does not show as text (a placeholder: in code)."""
    found = _first_unshown(MARKUP, text, lambda: source_text(page.html), "")
    if found is None:
        found = _first_unshown(PLACEHOLDER, text, lambda: source_code_text(page.html), "placeholder ")
    return [] if found is None else [Failure("markup", key, found)]


def _first_unshown(pattern: re.Pattern[str], text: str, shown: Callable[[], str], label: str) -> str | None:
    """Return the first match of ``pattern`` in ``text`` that ``shown()`` (read once, when needed) lacks, in context."""
    where: str | None = None
    for match in pattern.finditer(text):
        if where is None:
            where = _flat(shown())
        if _flat(match.group(0)) not in where:
            start = max(0, match.start() - 40)
            return f"{label}{text[start : match.end() + 60]!r}"
    return None


def source_text(html: str) -> str:
    """Return the text a browser without scripts shows of a page (libxml2's tree: a <noscript>'s tags stay tags)."""
    try:
        root = page_tree(html)  # as UTF-8: read as Latin-1, markup a page shows with an accent was not found
    except (lxml.etree.ParserError, ValueError):
        return ""
    for el in list(root.iter("script", "style", "noscript", "template", "head")):
        if el.getparent() is not None:
            el.drop_tree()
    return str(root.text_content())


def source_code_text(html: str) -> str:
    """Return the text the page shows inside code elements (``<pre>``, ``<code>``, ...), one block a line."""
    try:
        root = page_tree(html)
    except (lxml.etree.ParserError, ValueError):
        return ""
    return "\n".join(str(el.text_content()) for el in root.iter(*_CODE_TAGS))


def _source_placeholders(page: Page) -> set[str]:
    """Return the src values (made absolute) of source images that also name their real image elsewhere."""
    try:
        root = page_tree(page.html)  # as UTF-8: read as Latin-1, a placeholder named with an accent was missed
    except (lxml.etree.ParserError, ValueError):
        return set()
    found = set()
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src:
            continue
        # A lazy loader's own attribute naming another image makes src its placeholder; a
        # srcset beside an ordinary src is a responsive image (other sizes of the same one).
        lazy = {(img.get(a) or "").strip() for a in _LAZY_ONLY} - {"", src}
        if not lazy and (src.startswith("data:") or PLACEHOLDER_SRC.search(src)):
            lazy = {(img.get(a) or "").strip() for a in LAZY_SRCSET_ATTRS} - {""}
        if any(not u.startswith("data:") for u in lazy):
            found.add(urljoin(page.url, src) if page.url else src)
    return found


def lazy_failures(key: str, html: str, page: Page) -> list[Failure]:
    """Return the output images published as a placeholder, or without a src."""
    if "<img" not in html:
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    placeholders: set[str] | None = None
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src:
            return [Failure("lazy", key, f"<img> without src: {lxml.html.tostring(img, encoding='unicode')[:120]}")]
        if src.startswith("data:") or PLACEHOLDER_SRC.search(src.rsplit("/", 1)[-1]):
            return [Failure("lazy", key, f"placeholder-looking src {src[:120]!r}")]
        if placeholders is None:
            placeholders = _source_placeholders(page)
        if src in placeholders:
            return [Failure("lazy", key, f"src {src[:120]!r} is a placeholder: the source names the real image")]
    return []


def check(pages: list[Page]) -> tuple[list[Failure], int]:
    """Clean every page and return every failure, and the number of pages left holding a newsletter prompt."""
    failures: list[Failure] = []
    prompts = 0
    for page in pages:
        html = clean_html(page.html, base_url=page.url or None)
        text = html_to_text(html)
        failures += appeal_failures(page.key, text, page.truth)
        failures += markup_failures(page.key, text, page)
        failures += lazy_failures(page.key, html, page)
        truth_prompts = {m.group(0).lower() for m in PROMPT.finditer(_flat(page.truth.get("articleBody") or ""))}
        prompts += any(m.group(0).lower() not in truth_prompts for m in PROMPT.finditer(_flat(text)))
    return failures, prompts


def main(argv: list[str] | None = None) -> int:
    """Run the checks and print the failures; exit 1 if any."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id) of each dataset")
    parser.add_argument("--pages", default=None, help="only these pages (dataset/id, comma-separated)")
    parser.add_argument("--show", type=int, default=20, help="failures listed per check (default 20)")
    args = parser.parse_args(argv)
    pages = load(args.datasets, args.limit)
    if args.pages:
        wanted = set(args.pages.split(","))
        pages = [page for page in pages if page.key in wanted]
    failures, prompts = check(pages)
    print(f"{len(pages)} pages from {', '.join(str(d) for d in args.datasets)}")
    for name in ("appeal", "markup", "lazy"):
        mine = [f for f in failures if f.check == name]
        print(f"{name}: {len({f.key for f in mine})} pages fail")
        for f in mine[: args.show]:
            print(f"  {f.key}: {f.detail}")
    print(f"(information) pages left with a newsletter/subscribe prompt their truth lacks: {prompts}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
