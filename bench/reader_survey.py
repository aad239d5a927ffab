"""Count what a reader sees wrong in the cleaner's output HTML, per kind, on annotated page sets.

Usage::

    python bench/reader_survey.py DATASET [DATASET ...] [--folds 3,4 | --tuning 3,4] [--show N] [--kinds a,b]

The text metric (``bench/extraction.py``) reads the output as text; this
reads it as markup, the way a feed reader shows it. Each page is cleaned
once (``feedsvc.clean.clean_html`` with the page's URL, as the benches do)
and the pages whose output shows each kind are counted:

img-junk
    an image that is not the article's: a logo, icon, avatar, badge, spacer,
    tracking pixel or social button (by its file name or alt), or one
    declared 32 pixels or less on a side;
img-square
    a square image declared 25 to 120 pixels on a side outside a table (an
    author's headshot, an avatar or a logo beside a byline or bio);
img-ad
    an advertisement's image (an ads folder, or a standard ad size such as
    728x90 in its URL);
img-placeholder
    an image whose src is a placeholder (``PLACEHOLDER_SRC``) or a data: URL;
img-zero-size
    an image declared 0 pixels wide or high (a browser shows nothing);
img-dup
    the same picture twice (the same URL, or the same file name once a
    size suffix such as ``-300x200`` or a query is taken off);
empty
    a figure, caption, link, list item or heading with no text and no image;
title-heading
    a heading before any paragraph that repeats the page's title;
ui-text
    a block whose whole text is a control label or page furniture word
    ("Advertisement", "Skip", "Loading...", "Image", "Close", "Share" ...);
self-link
    a link to the page itself (a ``#`` or ``javascript:`` link in the
    source, made absolute) or a relative URL, or a javascript: one;
relative-url
    an href or src that is not absolute (a feed reader cannot follow it);
embed
    an iframe, embed, object, video or audio element;
layout-table
    a table holding another table, headings or long paragraphs, or a
    table of one cell;
br-run
    two or more ``<br>`` in a row;
long-token
    a run of 80 or more characters without a space in the text;
orphan-li
    a list item with no list around it (a reader draws it as it likes);
invisible
    a block whose only text is invisible characters (zero-width joiners or
    spaces, byte order marks): a blank gap in the article;
numbered-dots
    a list whose items read only 1, 2, ... n (a star rating or carousel
    dots that CSS drew);
img-self-link
    an image that links to its own file;
lone-mark
    a block whose whole text is one separator or punctuation mark ("•",
    "|", ".": what is left between byline or share parts that went);
counter
    a line that is only a slide counter ("3/12", "3 of 12", or "of 12" after
    a line "3");
figure-empty
    a figure with no picture, player, link, table or code in it (its
    caption without what it captions);
empty-section
    a heading with nothing under it before the next heading of its rank or
    higher, mid-article (a widget's title whose widget went);
nested-quote
    a quotation inside a quotation of the same text;
ragged-table
    a table whose rows hold different numbers of cells (colspans counted).

Pages are put in folds as ``bench/extraction.py`` puts them (by domain);
``--folds`` keeps only those folds; ``--tuning`` counts all pages and, in
brackets, those of its folds (and shows only those). Prints the count of
pages per kind, and with ``--show N`` the first N pages of each kind with
what was found.
Reading only: nothing is written.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
from lxml.html import HtmlElement

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import fold_of, load

from feedsvc.clean import clean_html, parse
from feedsvc.clean.boilerplate import page_title
from feedsvc.clean.policy import INVISIBLE_CHARS, PLACEHOLDER_SRC

KINDS = (
    "img-junk",
    "img-placeholder",
    "img-ad",
    "img-square",
    "img-dup",
    "img-zero-size",
    "empty",
    "title-heading",
    "ui-text",
    "self-link",
    "relative-url",
    "embed",
    "layout-table",
    "br-run",
    "long-token",
    "orphan-li",
    "invisible",
    "numbered-dots",
    "img-self-link",
    "lone-mark",
    "counter",
    "figure-empty",
    "empty-section",
    "nested-quote",
    "ragged-table",
)

_JUNK_NAME = re.compile(
    r"(?:^|[/_.-])(?:logo|logos|icon|icons|favicon|avatar|avatars|gravatar|badge|spacer|pixel|tracking|tracker"
    r"|sprite|emoji|smilies|share|social|facebook|twitter|pinterest|linkedin|whatsapp|instagram|button)(?:$|[/_.\d-])",
    re.I,
)
_JUNK_ALT = re.compile(r"^(?:logo|icon|avatar|share|tweet|pin it|facebook|twitter|email|print)\b", re.I)
_UI_TEXT = re.compile(
    r"(?:advertisement|advert|ad|ads|sponsored|skip(?: to (?:main )?content| ad)?|loading\.*|image|photo|close|open"
    r"|share|tweet|pin(?: it)?|email|print|menu|search|expand|collapse|play|pause|next|previous|prev|back to top"
    r"|show more|read more|see more|load more|click to enlarge|enlarge(?: this image)?|toggle caption|caption"
    r"|hide caption|view (?:gallery|image|slideshow)|subscribe|sign in|log ?in|continue reading|comments?)\W*",
    re.I,
)
_AD_IMAGE = re.compile(
    r"/(?:banner[-_]?ads?|ads?|adverts?|advertising|advertisements?|sponsors?)/"
    r"|(?:^|[^\d])(?:728x90|160x600|468x60|970x90|970x250|320x50|300x600)(?:[^\d]|$)",
    re.I,
)
_SIZE_SUFFIX = re.compile(
    r"(?:[-_]\d{2,4}x\d{2,4}|[-_@]\d(?:\.\d)?x|[-_](?:scaled|thumb|small|medium|large))(?=\.\w+$)"
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Drawn as nothing, kept by str.strip() (policy.INVISIBLE_CHARS).
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_CHARS))
_COUNTER = re.compile(r"\d{1,3}\s*(?:/|of)\s*\d{1,3}|of \d{1,3}", re.I)
_FIGURE_CONTENT = (
    "img",
    "picture",
    "svg",
    "video",
    "audio",
    "iframe",
    "a",
    "table",
    "pre",
    "code",
    "blockquote",
    "math",
)
_SECTION_BLOCKS = ("p", "ul", "ol", "dl", "table", "figure", "blockquote", "pre", "img", *_HEADINGS)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


_SIZE_SEGMENT = re.compile(r"^(?:\d{2,4}|\d{2,4}x\d{2,4}|[a-z]{1,2}_\d{2,4}(?:,.*)?)$")


def _picture_key(src: str) -> str:
    """Return what names one picture whatever size of it a URL asks for."""
    parts = urlsplit(src)
    inner = parse_qs(parts.query).get("url")
    if inner:  # an image proxy (Next.js's /_next/image?url=...&w=...)
        return _picture_key(inner[0])
    segments = [s for s in parts.path.split("/") if s and not _SIZE_SEGMENT.match(s)]
    if segments:
        segments[-1] = _SIZE_SUFFIX.sub("", segments[-1])
    return parts.netloc + "/" + "/".join(segments)


def _tiny(img: HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 32:
            return True
    return False


def survey(html: str, title: str | None, url: str) -> dict[str, list[str]]:
    """Return, per kind, what the clean fragment ``html`` shows of it (kinds not found are left out)."""
    found: dict[str, list[str]] = {}
    if not html.strip():
        return found
    root = lxml.html.fragment_fromstring(html, create_parent="div")

    def add(kind: str, what: str) -> None:
        found.setdefault(kind, []).append(what[:120])

    seen: dict[str, str] = {}
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if _AD_IMAGE.search(urlsplit(src).path):
            add("img-ad", src)
        if PLACEHOLDER_SRC.search(src):
            add("img-placeholder", src)
        if _JUNK_NAME.search(urlsplit(src).path) or _JUNK_ALT.match(img.get("alt") or "") or _tiny(img):
            add("img-junk", f"{src} alt={img.get('alt')!r} {img.get('width')}x{img.get('height')}")
        width, height = ((img.get(a) or "").strip().removesuffix("px") for a in ("width", "height"))
        in_cell = any(a.tag in ("td", "th") for a in img.iterancestors())
        if width == height and width.isdigit() and 24 < int(width) <= 120 and not in_cell:
            add("img-square", f"{src} alt={img.get('alt')!r} {width}x{height}")
        if any((img.get(a) or "").strip() in ("0", "0px") for a in ("width", "height")):
            add("img-zero-size", src)
        key = _picture_key(src)
        if key in seen:
            add("img-dup", f"{seen[key]} / {src}")
        seen[key] = src
    for el in root.iter("figure", "figcaption", "a", "li", *_HEADINGS):
        if not el.text_content().strip() and next(el.iter("img"), None) is None:
            add("empty", lxml.html.tostring(el, encoding="unicode", with_tail=False))
    if title:
        want = _words(title)
        for el in root.iter("p", *_HEADINGS):
            if el.tag == "p" and el.text_content().strip():
                break
            if el.tag in _HEADINGS and want and _words(el.text_content()) == want:
                add("title-heading", el.text_content().strip())
                break
    for el in root.iter("p", "li", "figcaption", "dt", "dd", *_HEADINGS):
        text = " ".join(el.text_content().split())
        if text and _UI_TEXT.fullmatch(text):
            add("ui-text", f"<{el.tag}>{text}")
    page = url.split("#", 1)[0]
    for el in root.iter("a", "img"):
        ref = (el.get("href") if el.tag == "a" else el.get("src")) or ""
        if not ref:
            continue
        label = el.text_content().strip()
        if ref.lower().startswith("javascript:") or (
            el.tag == "a" and (label in ("#", "¶", "§", "🔗") or (page and ref == page))
        ):
            add("self-link", f"{ref} {el.text_content().strip()[:40]!r}")
        if not ref.lower().startswith(("http://", "https://", "mailto:")):
            add("relative-url", ref)
    for el in root.iter("iframe", "embed", "object", "video", "audio"):
        add("embed", lxml.html.tostring(el, encoding="unicode", with_tail=False))
    for table in root.iter("table"):
        cells = list(table.iter("td", "th"))
        inner = next(table.iterdescendants("table"), None) is not None
        blocks = next(table.iterdescendants(*_HEADINGS), None) is not None
        long_p = any(len(p.text_content()) > 300 for p in table.iter("p"))
        if inner or blocks or long_p or len(cells) <= 1:
            add("layout-table", " ".join(table.text_content().split())[:80])
    for br in root.iter("br"):
        nxt = br.getnext()
        if nxt is not None and nxt.tag == "br" and not (br.tail or "").strip():
            add("br-run", " ".join((br.getparent().text_content() if br.getparent() is not None else "").split())[:80])
            break
    for token in " ".join(root.itertext()).split():
        if len(token) >= 80:
            add("long-token", token)
    _survey_structure(root, add)
    return found


def _cells(row: HtmlElement) -> int:
    spans = [(c.get("colspan") or "1").strip() for c in row if c.tag in ("td", "th")]
    return sum(int(s) if s.isdigit() else 1 for s in spans)


def _survey_structure(root: HtmlElement, add: Callable[[str, str], None]) -> None:
    """Add the kinds read from the output's structure: lists, blocks, figures, sections, quotes, tables."""
    for li in root.iter("li"):
        parent = li.getparent()
        if parent is None or parent.tag not in ("ul", "ol", "menu"):
            add("orphan-li", " ".join(li.text_content().split())[:60])
    for el in root.iter("p", "li", "figcaption", "dt", "dd", "blockquote", *_HEADINGS):
        text = el.text_content()
        if text.strip() and not text.translate(_INVISIBLE).strip() and next(el.iter("img"), None) is None:
            add("invisible", f"<{el.tag}>{text.strip()!r}")
    for box in root.iter("ul", "ol"):
        items = [" ".join(li.text_content().split()) for li in box if li.tag == "li"]
        if len(items) >= 3 and items == [str(n) for n in range(1, len(items) + 1)]:
            add("numbered-dots", " ".join(items))
    for a in root.iter("a"):
        images = list(a.iter("img"))
        if len(images) == 1 and not a.text_content().strip() and a.get("href") == images[0].get("src"):
            add("img-self-link", a.get("href") or "")
    for el in root.iter("p", "li", "figcaption", "dt", "dd", *_HEADINGS):
        text = el.text_content().strip()
        if len(text) == 1 and text in "•·|.,;:" and next(el.iter("img"), None) is None:
            add("lone-mark", f"<{el.tag}>{text}")
    previous = ""
    for el in root.iter("p", "li", "figcaption", "dt", "dd", "span", *_HEADINGS):
        text = " ".join(el.text_content().split())
        if _COUNTER.fullmatch(text) and (not text.lower().startswith("of") or previous.isdigit()):
            add("counter", f"<{el.tag}>{text}")
        previous = text
    for figure in root.iter("figure"):
        if next(figure.iterdescendants(*_FIGURE_CONTENT), None) is None:
            add("figure-empty", " ".join(figure.text_content().split())[:80])
    blocks = list(root.iter(*_SECTION_BLOCKS))
    for here, after in itertools.pairwise(blocks):
        if here.tag in _HEADINGS and after.tag in _HEADINGS and after.tag <= here.tag:
            add("empty-section", " ".join(here.text_content().split())[:60])
    for quote in root.iter("blockquote", "q"):
        inner = next(quote.iterdescendants("blockquote", "q"), None)
        if inner is not None and " ".join(inner.text_content().split()) == " ".join(quote.text_content().split()):
            add("nested-quote", " ".join(quote.text_content().split())[:60])
    for table in root.iter("table"):
        widths = {_cells(row) for row in table.iter("tr")}
        if len(widths) > 1:
            add("ragged-table", f"{sorted(widths)} " + " ".join(table.text_content().split())[:60])


def main(argv: list[str] | None = None) -> int:
    """Run the survey and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--folds", default="", help="only pages of these folds (of 5, by domain), e.g. 3,4")
    parser.add_argument(
        "--tuning",
        default="",
        help="also count the pages of these folds apart, in brackets (e.g. 3,4): one run for both",
    )
    parser.add_argument(
        "--show", type=int, default=0, help="print the first N pages of each kind (tuning ones with --tuning)"
    )
    parser.add_argument("--kinds", default="", help="only these kinds (comma-separated)")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    folds = {int(f) for f in args.folds.split(",") if f.strip()}
    tuning = {int(f) for f in args.tuning.split(",") if f.strip()}
    kinds = [k for k in args.kinds.split(",") if k] or list(KINDS)
    pages = [p for p in load(args.datasets, args.limit) if not folds or fold_of(p.domain, 5) in folds]
    counts: Counter[str] = Counter()
    tuned: Counter[str] = Counter()
    shown: dict[str, list[str]] = {}
    for page in pages:
        out = clean_html(page.html, base_url=page.url or None)
        root = parse(page.html)
        title = page_title(root) if root is not None else None
        in_tuning = fold_of(page.domain, 5) in tuning
        for kind, items in survey(out, title, page.url).items():
            if kind not in kinds:
                continue
            counts[kind] += 1
            tuned[kind] += in_tuning
            if len(shown.setdefault(kind, [])) < args.show and (in_tuning or not tuning):
                shown[kind].append(f"  {page.key}: {items[:3]}")
    print(
        f"pages: {len(pages)}"
        + (f" (folds {sorted(folds)})" if folds else "")
        + (f"; in brackets, those of folds {sorted(tuning)}" if tuning else "")
    )
    for kind in kinds:
        print(f"{kind:16} {counts[kind]:4}" + (f" ({tuned[kind]:3})" if tuning else "") + " pages")
        for line in shown.get(kind, []):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
