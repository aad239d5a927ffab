"""What a page's visible markup says about it, element by element: the "markup" source.

The headline (marked with ``itemprop``, an ``<h1>``, the ``<title>``) with its words spaced as the
page shows them, the headlines' lines and the site's logo, the dates ``<time>`` and microdata mark
(not those of another article's teaser), the byline elements (not a reader's comment's nor the
aside's) and the tag links, the post's author a WordPress data layer names. Where each is looked
for is :mod:`feedsvc.metadata.xpaths`; the page's text read as lines (date lines, "By …" lines) is
:mod:`feedsvc.metadata.visible`. Pure; weighing against the other sources is
:mod:`feedsvc.metadata.decide`'s job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from feedsvc.metadata.bylines import byline_names, credits_someone_else
from feedsvc.metadata.dates import day_first, find_text_date, parse_date
from feedsvc.metadata.titles import site_key
from feedsvc.metadata.visible import BLOCK_TAGS, INVISIBLE_TAGS, look_like_names
from feedsvc.metadata.xpaths import (
    AUTHOR_PAGE_LINKS,
    BYLINE_XPATHS,
    HEADLINE_XPATHS,
    PUBLISHED_XPATHS,
    TAG_XPATH,
    TAXONOMY_LINK,
    UPDATED_XPATHS,
    VISIBLE_HEADLINE_XPATHS,
)
from feedsvc.model import PageMetadata
from feedsvc.text import dedupe, language_tag, one_line, plain

__all__ = [
    "DISABLED",
    "RULES",
    "data_layer_author",
    "headline_parts",
    "logo_names",
    "markup_date",
    "markup_metadata",
    "texts",
    "without_taxonomy_names",
]

# The rules that keep the page's other words out of its byline, each with its own switch.
RULES: dict[str, str] = {
    "taxonomy_links": "a name read from the page that is the text of a link to a category's or a tag's page "
    "('Nonessential Thoughts, Technology' beside the date, 'Wellness & Prevention' in the byline element) is no author",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

# How many elements of each headline XPath are split into their lines.
_HEADLINES_SPLIT = 2
# A heading linking elsewhere, as a teaser of another article has.
_TEASER_HEADING = ".//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]//a[@href]"
# Another article's teaser card is short (a heading, a date, a line of text): longer, it is the page's article.
_TEASER_CHARS = 2000
# Inline elements a page's CSS shows as blocks, which break a headline's line as a <div> would: an
# inline style, or the display classes of the common CSS frameworks (Tailwind's "block", "flex",
# "grid"; Bootstrap's "d-block", "d-flex", "d-grid"). The stylesheets themselves are not read.
_DISPLAY_BLOCK_STYLE = re.compile(r"(?:^|;)\s*display\s*:\s*(?:block|flex|grid|table|list-item)\s*(?:;|$|!)", re.I)
_DISPLAY_BLOCK_CLASSES = frozenset("block flex grid d-block d-flex d-grid".split())
# Where an inline element begins or ends in a headline's text, while it is being put together.
_EDGE = "\x00"
_EDGES = re.compile(f"{_EDGE}+")
# A link's label that asks the reader to do something ("Learn More", "View Profile", "Read more").
_CALLS_TO_ACTION = frozenset("learn read view see visit more follow contact subscribe download share".split())
# A reader's comment or a list of them ("comment-author", "comments", "commentlist"), a widget of the
# latest ones ("widget_recent_comments", "recentcomments", "jcomments-latest"); not a page's state
# ("comments-open").
_COMMENT = re.compile(
    r"\s(?:comment|comment-(?:list|body|content|author|meta)|commentlist"
    r"|(?![\w-]*comments-(?:open|closed)\s)[\w-]*comments[\w-]*)\s",
    re.IGNORECASE,
)
# A JSON string after the data layer's author key: "pagePostAuthor":"Krystyna"
_DATA_LAYER_AUTHOR = re.compile(r'"pagePostAuthor"\s*:\s*("(?:[^"\\]|\\.){1,200}")')


def data_layer_author(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Return the post's author a WordPress page gives its tag manager's data layer (``"pagePostAuthor":"…"``).

    The data layer of the widely used "GTM4WP" plugin names the post's author by its display name
    on pages that show no byline; a login name ("admin") is no name (:func:`byline_names`).
    """
    for script in root.iter("script"):
        found = _DATA_LAYER_AUTHOR.search(script.text or "")
        if found:
            try:
                value = json.loads(found[1])
            except ValueError:
                return ()
            return dedupe(byline_names(plain(value))) if isinstance(value, str) else ()
    return ()


def logo_names(root: lxml.html.HtmlElement) -> list[str]:
    """Return what an ``<h1>`` that is a link to a site's front page says: the site's name, as a logo gives it.

    Many themes put the site's name in an ``<h1>`` linking home (``<h1><a href="/">Blog name</a></h1>``);
    its text and its pictures' alt texts name the site, not the article.
    """
    names: list[str] = []
    for heading in root.iter("h1"):
        links = [*heading.iterancestors("a"), *heading.iter("a")]
        if len(links) != 1 or one_line(links[0].text_content()) != one_line(heading.text_content()):
            continue
        address = urlsplit((links[0].get("href") or "").strip())
        if address.path.strip("/") or address.query or address.fragment or not (address.path or address.netloc):
            continue
        names.append(one_line(heading.text_content()))
        names.extend(one_line(alt) for alt in heading.xpath(".//img/@alt"))
    return [name for name in names if name]


def markup_metadata(root: lxml.html.HtmlElement, timezone: ZoneInfo) -> PageMetadata:
    """Return what the visible markup says of the page: headline, marked dates, byline elements, tag links."""
    title = next(iter(texts(root, HEADLINE_XPATHS)), None)
    tags = root.xpath(TAG_XPATH)
    return PageMetadata(
        title=title,
        published=markup_date(root, PUBLISHED_XPATHS, timezone),
        updated=markup_date(root, UPDATED_XPATHS, timezone),
        authors=_byline(root),
        tags=dedupe(one_line(tag.text_content()) for tag in tags),
    )


def without_taxonomy_names(root: lxml.html.HtmlElement, authors: tuple[str, ...]) -> tuple[str, ...]:
    """Return ``authors`` without the names that are a category's or a tag's link text, or a part of one.

    A byline element or the line beside the date often holds the post's categories ("Wellness & Prevention"
    after the date, in the byline's <section>): written with capitals, they read as names.
    """
    if "taxonomy_links" in DISABLED:
        return authors
    return tuple(author for author in authors if not _names_a_taxonomy(root, author))


def _names_a_taxonomy(root: lxml.html.HtmlElement, author: str) -> bool:
    """Whether a link to a category's or a tag's page says ``author`` ("Wellness" of "Wellness & Prevention")."""
    key = site_key(author)
    # only the links holding the name are tested: the test of a link's ancestors is costly, the links many
    for link in root.xpath(f"//a[contains(., $name)][{TAXONOMY_LINK}]", name=author):
        text = one_line(link.text_content())
        if key in {site_key(name) for name in (text, *byline_names(text))}:
            return True
    return False


def texts(root: lxml.html.HtmlElement, xpaths: Iterable[str]) -> Iterable[str]:
    """Yield the non-empty plain text of each element the ``xpaths`` match, in their order."""
    for xpath in xpaths:
        for element in root.xpath(xpath):
            content = element.get("content")
            text = plain(content) if content else one_line(_spaced_text(element))
            if text:
                yield text


def headline_parts(root: lxml.html.HtmlElement) -> list[str]:
    """Return the lines of the page's first headlines that break into several ("Get that tech stack" / "Klatch Coffee").

    A kicker over the title, or the title over a dek, inside one <h1>: each line may be the title a meta value names.
    """
    parts: list[str] = []
    for xpath in VISIBLE_HEADLINE_XPATHS:
        for element in root.xpath(xpath)[:_HEADLINES_SPLIT]:
            if element.get("content") is None:
                lines = [line for line in map(one_line, _spaced_text(element, "\n").split("\n")) if line]
                if len(lines) > 1:
                    parts.extend(lines)
    return parts


def _spaced_text(element: lxml.html.HtmlElement, space: str = " ") -> str:
    """Return an element's text with ``space`` where a <br> or a block inside it breaks the line.

    An inline element the page shows as a block (:func:`_shown_as_block`) breaks it too; so does the
    edge of any inline element where a word in lower case meets a capitalised one (:func:`_unglued`):
    "The Best Notion Alternatives" and "Top Note-taking Tools", which a stylesheet puts on two lines,
    are not "AlternativesTop".
    """
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        inner = node is not element
        block = inner and isinstance(node.tag, str) and (node.tag.lower() in BLOCK_TAGS or _shown_as_block(node))
        if event in ("comment", "pi"):
            parts.append(node.tail or "")  # a comment's text is not the page's; what follows it is
        elif event == "start":
            parts.append(space if block else _EDGE)
            parts.append((node.text or "") if isinstance(node.tag, str) else "")
        else:
            parts.append(space if block else _EDGE)
            parts.append((node.tail or "") if inner else "")
    return _unglued("".join(parts), space)


def _shown_as_block(element: lxml.html.HtmlElement) -> bool:
    """Whether an inline element is shown as a block by its inline style or a CSS framework's display class."""
    style = element.get("style")
    if style and _DISPLAY_BLOCK_STYLE.search(style):
        return True
    return not _DISPLAY_BLOCK_CLASSES.isdisjoint((element.get("class") or "").split())


def _unglued(text: str, space: str) -> str:
    """Return ``text`` without its inline elements' edges; ``space`` at one where a lower-case word meets a capital.

    Three lower-case letters before the edge, a capital and a lower-case letter after it: a short
    part ("Mc<b>D</b>onald") or a brand written in two colours ("You<span>Tube</span>") stays joined.
    """

    def edge(match: re.Match[str]) -> str:
        before, after = text[max(match.start() - 3, 0) : match.start()], text[match.end() : match.end() + 2]
        glued = (
            len(before) == 3
            and len(after) == 2
            and before.isalpha()
            and before.islower()
            and after[0].isupper()
            and after[1].islower()
        )
        return space if glued else ""

    return _EDGES.sub(edge, text) if _EDGE in text else text


def markup_date(root: lxml.html.HtmlElement, xpaths: Iterable[str], timezone: ZoneInfo) -> datetime | None:
    """Return the first date an element the ``xpaths`` match marks (``datetime``, ``content`` or its text), or None.

    An element in another article's teaser (:func:`_in_teaser`) dates nothing of this page.
    """
    numeric_day_first = day_first(language_tag(root.get("lang") or "") or "")
    for xpath in xpaths:
        for element in root.xpath(xpath):
            if _in_teaser(element):
                continue
            for value in (element.get("datetime"), element.get("content"), element.text_content()):
                parsed = parse_date(value, timezone) if value else None
                if parsed is None and value and (element.tag == "time" or element.get("itemprop")):
                    parsed = find_text_date(value, timezone, numeric_day_first=numeric_day_first)
                if parsed is not None:
                    return parsed
    return None


def _in_teaser(element: lxml.html.HtmlElement) -> bool:
    """Whether an element is in another article's teaser: a short <article> with a linked heading and no <h1>.

    "More useful information" cards under the article are <article>s each dated; the page's own
    article holds its headline, or is long (its <h1> over it, its "related" headings linked).
    """
    article = next(element.iterancestors("article"), None)
    return (
        article is not None
        and bool(article.xpath(_TEASER_HEADING))
        and not article.xpath(".//h1")
        and len(article.text_content()) < _TEASER_CHARS
    )


def _byline(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Return the names in the first byline found, with its siblings ("<a>A</a> and <a>B</a>")."""
    for xpath in BYLINE_XPATHS:
        matches = root.xpath(xpath)
        # a link's words are a name only if written as one ("several hundred commits" links to contributors)
        names_in = partial(_names_in, shown=xpath == AUTHOR_PAGE_LINKS)
        matches = [match for match in matches if not _elsewhere(match)]
        for element in matches:
            if names_in(element):
                # only the first byline's siblings (in the same block, through inline elements: "<strong><a>A</a>
                # </strong>, <strong><a>B</a></strong>"): later matches are often comment authors; a name after
                # "Reviewed by" is not an author's
                block = _block_parent(element)
                siblings = [
                    m for m in matches if _block_parent(m) is block and not credits_someone_else(_text_before(m))
                ]
                return dedupe(name for match in siblings or [element] for name in names_in(match))
    return ()


def _elsewhere(element: lxml.html.HtmlElement) -> bool:
    """Whether a byline element is a reader's or another page's: in a comment, or in the page's aside or navigation."""
    # lxml.html gives str tags; the types allow bytes and QName too
    ancestors = [a for a in element.iterancestors() if isinstance(a.tag, str) and a.tag.lower() not in ("body", "html")]
    tags = [str(ancestor.tag).lower() for ancestor in ancestors]
    # the page's aside, not one in the article ("<article><aside>By …</aside>")
    aside = next((index for index, tag in enumerate(tags) if tag in ("aside", "nav")), None)
    if aside is not None and not any(tag in ("article", "main") for tag in tags[aside + 1 :]):
        return True
    return any(_COMMENT.search(f" {a.get('class') or ''} {a.get('id') or ''} ") for a in ancestors)


def _block_parent(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """Return the nearest ancestor of ``element`` that is a block (past inline ones: <strong>, <span>)."""
    parent = element.getparent()
    while parent is not None and isinstance(parent.tag, str) and parent.tag.lower() not in BLOCK_TAGS:
        parent = parent.getparent()
    return parent


def _text_before(element: lxml.html.HtmlElement) -> str:
    """Return the text just before ``element`` in its parent: the previous sibling's tail, else the parent's text."""
    previous = element.getprevious()
    parent = element.getparent()
    return (previous.tail if previous is not None else parent.text if parent is not None else None) or ""


def _names_in(element: lxml.html.HtmlElement, *, shown: bool = False) -> list[str]:
    """Return the names in a byline element; ``shown``: only those written as names (:func:`_shown_as_name`)."""
    # microdata: only the author item's own name, not one of an item nested in it (its employer, its brand)
    named = [item for item in element.xpath(".//*[@itemprop='name']") if _own_property(item, element)] or [element]
    names: list[str] = []
    for item in named:
        text = item.get("content") or _block_lines(item)
        found = byline_names(text)
        # a block of several lines is read line by line where a line is written as a person's name
        # ("Written by Meghan Neville" / "Content Marketing Coordinator"), else as one line ("By" / "jdoe")
        if "\n" in text and not look_like_names(found):
            found = byline_names(one_line(text))
        names.extend(name for name in found if not shown or _shown_as_name(name))
    return names


def _own_property(item: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    """Whether a microdata property inside ``scope`` belongs to it: no item (``itemscope``) stands between them."""
    parent = item.getparent()
    while parent is not None and parent is not scope:
        if parent.get("itemscope") is not None:
            return False
        parent = parent.getparent()
    return True


def _shown_as_name(name: str) -> bool:
    """Whether a name read from the page's text is written as one: a word, or words with a capital ("a mystery man").

    A link's call to action ("Learn More", "View Profile") is no name.
    """
    if name.split()[0].casefold() in _CALLS_TO_ACTION:
        return False
    return " " not in name or any(ch.isupper() for ch in name)


def _block_lines(element: lxml.html.HtmlElement) -> str:
    """Return an element's visible text, one line per block inside it.

    A byline's blocks are its parts: "Written by <span>Meghan Neville</span>" over a block
    "Content Marketing Coordinator" is a name and then a job, not one name.
    """
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event in ("comment", "pi"):
            parts.append(node.tail or "")
        elif event == "start":
            parts.append(("\n" if tag in BLOCK_TAGS else "") + ("" if tag in INVISIBLE_TAGS else node.text or ""))
        elif node is not element:
            parts.append(("\n" if tag in BLOCK_TAGS else "") + (node.tail or ""))
    lines = (one_line(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
