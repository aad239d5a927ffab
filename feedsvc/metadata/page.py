"""What a page says about itself: JSON-LD, OpenGraph/meta tags and visible markup.

Pure: ``extract_metadata`` takes the decoded HTML and the site's time zone and
returns one :class:`~feedsvc.model.PageMetadata` per source, in precedence
order. It never raises on a string; a page it cannot read says nothing.
Merging the sources is the content loader's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from feedsvc.html_depth import limit_depth
from feedsvc.metadata.dates import find_text_date, parse_date
from feedsvc.metadata.jsonld import jsonld_metadata
from feedsvc.model import PageMetadata
from feedsvc.text import absolute_url, dedupe, language_tag, one_line, plain, split_keywords, xml_safe

__all__ = ["SOURCES", "extract_metadata", "parse_date"]

SOURCES = ("json-ld", "opengraph", "markup")
_T = TypeVar("_T")

# Meta names and properties per field, most specific first; the first that
# gives a usable value wins.
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title", "dcterms.title"),
    "published": ("article:published_time", "og:published_time", "dcterms.created", "dc.date", "date", "pubdate"),
    "updated": ("article:modified_time", "og:updated_time", "dcterms.modified"),
    "authors": ("article:author", "author", "dc.creator"),
    "summary": ("og:description", "description", "twitter:description", "dc.description"),
    "tags": ("article:tag", "keywords", "news_keywords"),
    "image": ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"),
    "canonical_url": ("og:url",),
    "language": ("og:locale",),
}


def _has(attribute: str, *tokens: str) -> str:
    """Return an XPath test: the space-separated ``attribute`` holds one of ``tokens``."""
    padded = f"concat(' ', normalize-space(@{attribute}), ' ')"
    return " or ".join(f"contains({padded}, ' {token} ')" for token in tokens)


# Where visible markup names the headline, the byline and the dates, best first.
HEADLINE_XPATHS = ("//*[@itemprop='headline']", "//article//h1", "//main//h1", "//h1", "//title")
BYLINE_XPATHS = (
    f"//a[{_has('rel', 'author')}]",
    "//*[@itemprop='author']",
    f"//*[{_has('class', 'author')}]",
    f"//*[{_has('class', 'author-name')}]",
    f"//*[{_has('class', 'byline')}]",
)
_UPDATED_CLASSES = _has("class", "updated", "modified", "date-modified")
PUBLISHED_XPATHS = (
    "//*[@itemprop='datePublished']",
    "//time[@pubdate]",
    f"//time[{_has('class', 'published', 'entry-date', 'date-published')}]",
    f"//article//time[@datetime][not({_UPDATED_CLASSES})]",
    f"//time[@datetime][not({_UPDATED_CLASSES})]",
)
UPDATED_XPATHS = ("//*[@itemprop='dateModified']", f"//time[{_UPDATED_CLASSES}]")
TAG_XPATH = f"//a[{_has('rel', 'tag')}]"
# How far from the headline a visible date may be, in lines of text.
_LINES_AFTER_HEADLINE, _LINES_BEFORE_HEADLINE, _DATELINE_CHARS = 15, 5, 100
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th title tr ul".split()
)
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_BYLINE_SEPARATORS = re.compile(r"\s*(?:\n|[|·•—–]|\s-\s)\s*")
_BY = re.compile(r"^(?:(?:written|words|story|text|reporting)\s+)?by[:\s]\s*", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"\s*(?:,|&|\band\b)\s*")


def extract_metadata(html: str, timezone: ZoneInfo) -> list[tuple[str, PageMetadata]]:
    """Return ``(source, metadata)`` for JSON-LD, OpenGraph/meta and visible markup, best first."""
    root = _parse(html)
    if root is None:
        return [(source, PageMetadata()) for source in SOURCES]
    blocks = [
        script.text or ""
        for script in root.iter("script")
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"
    ]
    return [
        ("json-ld", jsonld_metadata(blocks, timezone)),
        ("opengraph", _meta_metadata(root, timezone)),
        ("markup", _markup_metadata(root, timezone)),
    ]


def _parse(html: str) -> lxml.html.HtmlElement | None:
    # xml_safe first: lxml refuses strings holding NUL and other XML-illegal characters.
    text = xml_safe(html)
    if not text.strip():
        return None
    # libxml2 gives up on a whole page nested deeper than its limit: bound the depth first.
    text = limit_depth(text)[0]
    # A parser per call: lxml parser objects are not safe to share between threads. It never
    # loads a DTD nor expands an entity the page declares (tests/test_hostile_content.py).
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True)
    try:
        # Bytes with a fixed encoding, so a stale <meta charset> or XML declaration in
        # already-decoded text is ignored.
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None


def _meta_metadata(root: lxml.html.HtmlElement, timezone: ZoneInfo) -> PageMetadata:
    meta: dict[str, list[str]] = {}
    http_equiv: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if key and content:
            meta.setdefault(key, []).append(content)
        if content and element.get("http-equiv"):
            http_equiv.setdefault(element.get("http-equiv", "").strip().lower(), content)
    links = root.xpath(f"//link[{_has('rel', 'canonical')}]/@href")
    canonical = next(filter(None, map(absolute_url, links)), None)
    language = (
        language_tag(root.get("lang") or root.get("xml:lang") or "")
        or _first(meta, "language", language_tag)
        or language_tag(http_equiv.get("content-language", "").split(",")[0])
    )
    as_date = partial(parse_date, timezone=timezone)
    return PageMetadata(
        title=_first(meta, "title", plain),
        published=_first(meta, "published", as_date),
        updated=_first(meta, "updated", as_date),
        authors=_many(meta, "authors", _meta_names),
        summary=_first(meta, "summary", plain),
        tags=_many(meta, "tags", split_keywords),
        canonical_url=canonical or _first(meta, "canonical_url", absolute_url),
        language=language,
        image=_first(meta, "image", absolute_url),
    )


def _meta_names(value: str) -> list[str]:
    # article:author is often a profile URL, not a name
    return [] if absolute_url(value) else _split_names(plain(value))


def _first(meta: dict[str, list[str]], field: str, convert: Callable[[str], _T | None]) -> _T | None:
    """Return the first meta value for ``field`` that ``convert`` accepts."""
    for key in META_KEYS[field]:
        for value in meta.get(key, ()):
            converted = convert(value)
            if converted:
                return converted
    return None


def _many(meta: dict[str, list[str]], field: str, convert: Callable[[str], list[str]]) -> tuple[str, ...]:
    """Return every value of the first meta key for ``field`` that gives any."""
    for key in META_KEYS[field]:
        values = dedupe(item for value in meta.get(key, ()) for item in convert(value))
        if values:
            return values
    return ()


def _markup_metadata(root: lxml.html.HtmlElement, timezone: ZoneInfo) -> PageMetadata:
    title = next(iter(_texts(root, HEADLINE_XPATHS)), None)
    published = _markup_date(root, PUBLISHED_XPATHS, timezone) or _dateline(root, title, timezone)
    tags = root.xpath(TAG_XPATH)
    return PageMetadata(
        title=title,
        published=published,
        updated=_markup_date(root, UPDATED_XPATHS, timezone),
        authors=_byline(root),
        tags=dedupe(one_line(tag.text_content()) for tag in tags),
    )


def _texts(root: lxml.html.HtmlElement, xpaths: Iterable[str]) -> Iterable[str]:
    """Yield the non-empty plain text of each element the ``xpaths`` match, in their order."""
    for xpath in xpaths:
        for element in root.xpath(xpath):
            content = element.get("content")
            text = plain(content) if content else one_line(element.text_content())
            if text:
                yield text


def _markup_date(root: lxml.html.HtmlElement, xpaths: Iterable[str], timezone: ZoneInfo) -> datetime | None:
    for xpath in xpaths:
        for element in root.xpath(xpath):
            for value in (element.get("datetime"), element.get("content"), element.text_content()):
                parsed = parse_date(value, timezone) if value else None
                if parsed is None and value and element.tag == "time":
                    parsed = find_text_date(value, timezone)
                if parsed is not None:
                    return parsed
    return None


def _dateline(root: lxml.html.HtmlElement, title: str | None, timezone: ZoneInfo) -> datetime | None:
    """Return the first short line of visible text near the headline that is a date."""
    lines = [line for line in (one_line(raw) for raw in "".join(_visible_text(root)).split("\n")) if line]
    at = next((index for index, line in enumerate(lines) if line == title), -1)
    after = lines[at + 1 : at + 1 + _LINES_AFTER_HEADLINE]
    before = lines[max(at - _LINES_BEFORE_HEADLINE, 0) : max(at, 0)][::-1]
    for line in (*after, *before):
        if len(line) <= _DATELINE_CHARS:
            found = find_text_date(line, timezone)
            if found is not None:
                return found
    return None


def _visible_text(root: lxml.html.HtmlElement) -> Iterable[str]:
    """Yield the page's text in document order, with a newline around each block."""
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event in ("comment", "pi"):
            yield element.tail or ""
            continue
        # lxml.html gives str tags; the types allow bytes and QName too
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        block = "\n" if tag in _BLOCK_TAGS else ""
        if event == "end":
            yield block + (element.tail or "")
        elif tag in _INVISIBLE_TAGS:
            walker.skip_subtree()
        else:
            yield block + (element.text or "")


def _byline(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Return the names in the first byline found, with its siblings ("<a>A</a> and <a>B</a>")."""
    for xpath in BYLINE_XPATHS:
        matches = root.xpath(xpath)
        for element in matches:
            if _names_in(element):
                # only the first byline's siblings: later matches are often comment authors
                siblings = [match for match in matches if match.getparent() is element.getparent()]
                return dedupe(name for match in siblings for name in _names_in(match))
    return ()


def _names_in(element: lxml.html.HtmlElement) -> list[str]:
    named = element.xpath(".//*[@itemprop='name']") or [element]
    texts = [item.get("content") or item.text_content() for item in named]
    return [name for text in texts for name in _split_names(text)]


def _split_names(text: str) -> list[str]:
    """Return the names in a byline such as "By Jane Doe and John Roe | 23 November 2021"."""
    names: list[str] = []
    for piece in _BYLINE_SEPARATORS.split(text.strip()):
        piece = _BY.sub("", one_line(piece))
        if not piece or len(piece) > 80 or any(ch.isdigit() for ch in piece):
            continue
        names.extend(name for name in (one_line(part) for part in _NAME_SEPARATORS.split(piece)) if name)
    return names
