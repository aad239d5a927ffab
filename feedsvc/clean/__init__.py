"""Clean article HTML: raw page or fragment in, safe article body out.

The public entry points are ``clean_html``, ``clean_article`` (the same
HTML with the cleaner's doubts about it, ``feedsvc.clean.confidence``),
``clean_html_explained`` and ``clean_explained``, ``summarize``,
``SiteRules``, ``parse_rules`` and ``CLEANER_VERSION``. All are pure: no
file, network or clock access.

``clean_html`` runs small stages over one ``lxml.html`` tree (the page is
first put through lexbor, an HTML5 parser, so the tree is nested as a
browser would nest it):

1. site rules (``feedsvc.clean.rules``): strip selectors, class/id
   fragments and text patterns, and the body selector when one is given;
2. main-content extraction (``feedsvc.clean.extract``) for whole pages
   without a body rule: pruning (scripts, navigation, hidden and
   furniture-classed elements), then a block scorer checked against the
   subtree of highest additive text value;
3. boilerplate blocks inside the article (``feedsvc.clean.boiler``):
   appeals, promos, link lists, furniture lines, the headline; then its
   edges (``feedsvc.clean.edges``): bylines, datelines, tables of
   contents, disclosures, author bios, "Recent posts"; and, where the page
   has a JSON-LD ``articleBody`` that agrees with the article, the lines at
   either end that it leaves out (``feedsvc.clean.jsonld``); page chrome
   that came along (``feedsvc.clean.chrome``): literal markup text,
   cookie dialogs, teaser runs, previous/next links, repeated captions,
   control labels, promos, "Updated <time>" lines;
4. normalisation (``feedsvc.clean.normalise``): absolute URLs, lazy images,
   embeds to links, tracking parameters;
5. sanitising by allowlist with nh3, tidying, XML-safe text
   (``feedsvc.clean.sanitise``).

The policy each stage applies is data in ``feedsvc.clean.policy``. Each
stage can report what it removes to a ``feedsvc.clean.explain.Recorder``;
``clean_html_explained`` passes one, ``clean_html`` does not.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean.boiler import remove_boilerplate, remove_headline
from feedsvc.clean.chrome import remove_chrome, remove_comment_threads
from feedsvc.clean.confidence import Confidence, Probe, assess, comment_like, description_of
from feedsvc.clean.explain import Recorder, Removal, number_elements
from feedsvc.clean.extract import find_article, paragraph_chars, prune
from feedsvc.clean.jsonld import article_body, trim_by_article_body
from feedsvc.clean.normalise import effective_base, normalise
from feedsvc.clean.policy import BLOCK_TAGS
from feedsvc.clean.rules import SiteRules, apply_strip_rules, parse_rules, rule_body
from feedsvc.clean.sanitise import sanitise, serialise_children
from feedsvc.html_depth import limit_depth
from feedsvc.text import has_xml_unsafe, one_line, strip_markup, xml_safe

try:  # selectolax is a declared dependency; without it, lxml parses alone.
    from selectolax.lexbor import LexborHTMLParser as _html5_reserialise
except ImportError:  # pragma: no cover
    _html5_reserialise = None

__all__ = [
    "CLEANER_VERSION", "Cleaned", "Confidence", "Removal", "SiteRules", "clean_article", "clean_explained",
    "clean_html", "clean_html_explained", "fallback_title", "parse_rules", "summarize",
]  # fmt: skip

# Bump whenever the same input gives different output (any stage, policy or
# library change that shows in clean_html's result): a cache of cleaned
# articles is keyed by this and the site rules' version
# (``SiteRules.version``). tests/test_clean_version.py fails until it is.
CLEANER_VERSION = "4"

LOGGER = logging.getLogger(__name__)

# huge_tree: libxml2 drops a whole document nested deeper than 256 levels without it
# (2048 with it); limit_depth keeps every page well under that. The HTML parser
# never loads a DTD or expands an entity it declares (tests/test_hostile_content.py).
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)
# Every element is a plain HtmlElement: lxml.html's default lookup calls
# Python for each element to pick form/input subclasses the cleaner never
# uses, which costs a tenth of the cleaning time.
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
_WHOLE_PAGE = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)
# Void elements libxml2 (which predates HTML5) does not know: it would nest what
# follows inside them, and an <embed> dropped later would take the article's
# next paragraphs with it. lexbor's serialisation gets an explicit end tag for each.
_HTML5_VOID = re.compile(r"<(embed|source|track|wbr|keygen)(?:\s[^<>]*)?>", re.IGNORECASE)
_ELLIPSIS = "…"
# A second extraction without the comment threads must find at least this
# much paragraph text to replace a first pick that was a comment.
_RETRY_MIN_CHARS = 200
# A <noscript> and what it holds, as a browser that runs scripts reads it: raw
# text up to its end tag, never shown. Parsed as markup instead, the text of
# one in <head> (an escaped tracking pixel) lands at the top of the body.
# Bounded, so a stray "<noscript>" in a comment cannot take the article with it.
_NOSCRIPT = re.compile(r"<noscript\b[^>]*>(?:(?!</?noscript\b)[\s\S]){0,8000}</noscript\s*>", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=\S)")


def clean_html(html: str, base_url: str | None = None, rules: SiteRules | None = None) -> str:
    """Return the clean, sanitised article body of ``html`` as an HTML fragment.

    :param html: a whole saved page or a body fragment.
    :param base_url: the page's URL; relative links and images resolve
        against it (or against an http(s) ``<base href>`` in the page).
        Without either, relative URLs are kept as they are: a feed needs
        absolute URLs, so callers that publish pass the page's URL.
    :param rules: the site's cleaning rules, if it has any.
    :returns: the article's paragraphs, headings, lists, quotes, tables and
        figures, with http(s) URLs (absolute when a base is known) stripped
        of tracking parameters, no scripts, styles, embeds or event
        handlers, and no XML-illegal characters; ``""`` when nothing is
        left. Never raises on a ``str``.
    """
    try:
        return _clean(html, base_url, rules, None)
    except Exception:
        LOGGER.warning("cleaning failed; falling back to sanitising the whole input", exc_info=True)
        try:
            return sanitise(limit_depth(html)[0] if isinstance(html, str) else "")
        except Exception:  # noqa: BLE001
            return ""


@dataclass(frozen=True)
class Cleaned:
    """A clean article and how sure the cleaner is of it."""

    html: str
    confidence: Confidence
    removals: tuple[Removal, ...] = ()


def clean_article(html: str, base_url: str | None = None, rules: SiteRules | None = None) -> Cleaned:
    """Return ``clean_html``'s result with the cleaner's doubts about it (see ``feedsvc.clean.confidence``).

    The HTML is identical to ``clean_html(html, base_url, rules)``; judging
    the result costs a pass over the page's paragraphs.
    """
    return _clean_probed(html, base_url, rules, None)


def clean_html_explained(
    html: str, base_url: str | None = None, rules: SiteRules | None = None
) -> tuple[str, list[Removal]]:
    """Return what ``clean_html`` returns, and every block the stages removed, in order.

    The HTML is identical to ``clean_html(html, base_url, rules)``. Each
    :class:`~feedsvc.clean.explain.Removal` names the stage, the rule or
    reason, where the block was and the start of its text. (``clean_explained``
    gives the same with the cleaner's doubts.)
    """
    found = clean_explained(html, base_url, rules)
    return found.html, list(found.removals)


def clean_explained(html: str, base_url: str | None = None, rules: SiteRules | None = None) -> Cleaned:
    """Return ``clean_article``'s result with every block the stages removed, in order."""
    return _clean_probed(html, base_url, rules, Recorder())


def _clean_probed(html: str, base_url: str | None, rules: SiteRules | None, rec: Recorder | None) -> Cleaned:
    probe = Probe()
    try:
        cleaned = _clean(html, base_url, rules, rec, probe)
    except Exception:  # noqa: BLE001 - same fallback as clean_html
        cleaned, probe = clean_html(html, base_url, rules), Probe()
    removals = tuple(rec.removals) if rec is not None else ()
    return Cleaned(cleaned, assess(probe, _text_of(cleaned)), removals)


def _text_of(fragment: str) -> str:
    if not fragment.strip():
        return ""
    try:
        return str(lxml.html.fragment_fromstring(fragment, create_parent="div").text_content())
    except (lxml.etree.ParserError, ValueError):
        return strip_markup(fragment)


def _clean(
    html: str, base_url: str | None, rules: SiteRules | None, rec: Recorder | None, probe: Probe | None = None
) -> str:
    if not isinstance(html, str) or not html.strip():
        return ""
    root = parse(html)
    if root is None or root.find("body") is None:
        return ""
    if rec is not None:
        rec.ids = number_elements(root)
    whole_page = _WHOLE_PAGE.search(html) is not None
    title = page_title(root) if whole_page else None
    base = effective_base(root, base_url)
    ld_body = article_body(root) if whole_page and "articleBody" in html else None
    if probe is not None:
        probe.page_chars = paragraph_chars(root)
        probe.description = description_of(root) if whole_page else ""

    if rules is not None:
        apply_strip_rules(root, rules, rec)
    bodies = rule_body(root, rules, rec) if rules is not None else []
    if bodies:
        article = lxml.html.Element("div")
        for el in bodies:
            el.tail = None
            article.append(el)
    elif whole_page:
        prune(root, rec=rec)
        article = find_article(root, rec)
        if comment_like(article):
            # A reader comment won: extract again from a fresh tree without
            # the page's comment threads (rare, so the second parse is cheap overall).
            retry = _without_comments(html, rules, rec)
            if retry is not None:
                root, article = retry
        if probe is not None:
            probe.pruned_chars = paragraph_chars(root)
            probe.extracted = True
            probe.container_chars = paragraph_chars(article)
            probe.comment_like = comment_like(article)
    else:
        article = root.find("body")
    if article is None:
        return ""

    if not bodies or rules is None or rules.prune:
        remove_boilerplate(article, pruned=whole_page and not bodies, rec=rec)
        remove_chrome(article, rec)
    remove_headline(article, title, rec)
    trim_by_article_body(article, ld_body, rec)
    normalise(article, base, rec)
    return sanitise(
        serialise_children(article)
        if article.tag != "p"
        else lxml.html.tostring(article, encoding="unicode", with_tail=False)
    )


def _without_comments(
    html: str, rules: SiteRules | None, rec: Recorder | None
) -> tuple[HtmlElement, HtmlElement] | None:
    """Return (page, article) extracted with the page's comment threads removed, or None if that finds no article."""
    root = parse(html)
    if root is None or root.find("body") is None:
        return None
    saved = (list(rec.removals), rec.ids) if rec is not None else None
    if rec is not None:
        rec.removals.clear()
        rec.ids = number_elements(root)
    if rules is not None:
        apply_strip_rules(root, rules, rec)
    if remove_comment_threads(root, rec):
        prune(root, rec=rec)
        article = find_article(root, rec)
        if paragraph_chars(article) >= _RETRY_MIN_CHARS:
            return root, article
    if rec is not None and saved is not None:
        rec.removals[:], rec.ids = saved
    return None


def parse(html: str) -> HtmlElement | None:
    """Return the document tree of ``html`` (fragments get an html/body around them), or None.

    libxml2's HTML parser predates HTML5 and mis-nests real pages (an
    unclosed ``<button>`` can swallow the whole article), so the markup is
    first put through lexbor, an HTML5-conformant parser, and its
    well-nested serialisation is what lxml reads. Together they still cost
    a fraction of a BeautifulSoup parse. Elements nested deeper than
    ``clean_depth.MAX_DEPTH`` are first put beside each other, as browsers
    do, since both parsers slow down with the square of the depth.
    """
    text = xml_safe(html) if has_xml_unsafe(html) else html
    if "<noscript" in text or "<NOSCRIPT" in text:
        text = _NOSCRIPT.sub("", text)
    text = limit_depth(text)[0]
    if _html5_reserialise is not None:
        try:
            text = _html5_reserialise(text).html or text
            text = _HTML5_VOID.sub(r"\g<0></\1>", text)
        except Exception:
            LOGGER.debug("lexbor could not parse the page; using lxml alone", exc_info=True)
    data = text.encode("utf-8", errors="replace")
    try:
        return lxml.html.document_fromstring(data, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def declared_url(html: str) -> str | None:
    """Return the http(s) URL a saved page says it came from (canonical link, else og:url), or None.

    For tools that are handed a file without its URL (``feedsvc clean``);
    ``clean_html`` itself never guesses a base.
    """
    root = parse(html) if isinstance(html, str) and html.strip() else None
    if root is None:
        return None
    candidates = [
        link.get("href") for link in root.iter("link") if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [m.get("content") for m in root.iter("meta") if (m.get("property") or "").lower() == "og:url"]
    for url in candidates:
        url = (url or "").strip()
        if url.lower().startswith(("http://", "https://")):
            return url
    return None


def page_title(root: HtmlElement) -> str | None:
    """Return the page's own title (og:title, else <title>), or None."""
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            content = " ".join((meta.get("content") or "").split())
            if content:
                return content
    title = root.find(".//title")
    if title is not None:
        text = " ".join(title.text_content().split())
        if text:
            return text
    return None


def fallback_title(clean_html: str, words: int = 12) -> str:
    """Return a title for a clean article whose page has none: its opening heading, else its first sentence.

    A heading counts only when it opens the article (nothing but other headings
    before it); a sentence longer than ``words`` words is cut at a word
    boundary with "…". Plain one-line text, as :func:`summarize` gives.
    """
    root = parse(clean_html) if clean_html and clean_html.strip() else None
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    for el in body.iter():
        if not isinstance(el.tag, str) or el is body:
            continue
        text = strip_markup(one_line(el.text_content()))
        if not text:
            continue
        if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return _cut_words(text, words)
        if el.tag in BLOCK_TAGS and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
            return _cut_words(_SENTENCE_END.split(text, maxsplit=1)[0], words)
    return summarize(clean_html, words)


def _cut_words(text: str, words: int) -> str:
    taken = text.split()
    if len(taken) <= words:
        return text
    return " ".join(taken[:words]).rstrip(",;:—–-(") + _ELLIPSIS


def summarize(clean_html: str, words: int) -> str:
    """Return the opening paragraph(s) of a clean article as one line of plain text.

    Cut at a word boundary to at most ``words`` words, ending with "…" when
    cut; XML-safe, and without text that reads as a tag ("&lt;b&gt;" in the
    article), since RSS readers take summaries and titles for HTML.
    Returns ``""`` for an empty article or ``words < 1``.
    """
    if words < 1 or not clean_html or not clean_html.strip():
        return ""
    root = parse(clean_html)
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    blocks = [strip_markup(one_line(p.text_content())) for p in body.iter("p")]
    blocks = [b for b in blocks if b]
    if not blocks:  # no paragraphs: read the innermost blocks (list items, cells...)
        blocks = [
            one_line(el.text_content())
            for el in body.iter()
            if el is not body
            and isinstance(el.tag, str)
            and el.tag in BLOCK_TAGS
            and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el)
        ]
        blocks = [strip_markup(b) for b in blocks if b] or [strip_markup(one_line(body.text_content()))]
    taken: list[str] = []
    for block in blocks:
        taken.extend(block.split())
        if len(taken) > words:
            break
    if len(taken) <= words:
        return " ".join(taken)
    cut = " ".join(taken[:words]).rstrip(",;:—–-(")
    return cut + _ELLIPSIS
