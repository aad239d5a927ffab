"""Lead images: which picture stands for an article, and what is said of it.

Pure. The sources, best first (docs/content.md says the same to users):

1. the sidecar's ``image``, taken as the publisher wrote it;
2. the page's JSON-LD ``image`` of the article node, then its ``og:image``
   (and ``twitter:image``), read by :mod:`feedsvc.metadata.page`, the first
   that is a real picture (:func:`junk_reason`);
3. the first real picture of the cleaned article body
   (:func:`first_body_image`).

A picture is not real when it is a tracking pixel or a spacer (a ``data:``
URI, a declared side under :data:`MIN_SIDE` pixels, a known spacer or
tracker name or host), a strip (an ad banner), a logo, an avatar, an icon or
an emoji, by its URL, its declared size, its class or its alt text.
Width, height, type, alt text, caption and credit are kept only as the
page, the sidecar or the body's own ``<img>``/``<figcaption>`` say them;
nothing is guessed, so a feed writes an attribute only when it is known.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from feedsvc.html_depth import limit_depth
from feedsvc.metadata.shown_text import shown_markup
from feedsvc.model import Image
from feedsvc.same_picture import PictureSet, same_picture
from feedsvc.text import absolute_url, one_line, shorten, strip_markup, xml_safe

__all__ = [
    "MIN_SIDE",
    "TEXT_MAX_CHARS",
    "choose_lead_image",
    "first_body_image",
    "first_real",
    "image_number",
    "image_type",
    "is_real",
    "junk_reason",
]

# A picture declared smaller than this on either side is an icon, a button or a pixel (Open Graph
# asks for 200 pixels and more; Twitter's smallest card 144): not what a reader's thumbnail shows.
MIN_SIDE = 100
# Wider than tall by more than this (or the reverse): an ad banner or a divider, not a picture.
MAX_ASPECT = 4.0
# The largest side any real picture declares; a bigger number is a mistake, not a size.
_MAX_SIDE = 100_000
# Words that say what an image is when they stand in its path, class or id.
_JUNK_WORDS = frozenset(
    """
    logo logos logotype avatar avatars gravatar favicon icon icons emoji emojis smiley smilies sprite sprites
    spacer placeholder 1x1 tracking tracker beacon
    """.split()
)
# A class or id saying whose picture it is: the author's, not the story's.
_PERSON_WORDS = frozenset({"author", "byline", "profile", "headshot", "mugshot"})
# Spacer and pixel files named for what they are: the whole name is one of these words.
_SPACER_NAMES = frozenset({"blank", "clear", "transparent", "trans", "dot", "px", "t", "p", "b", "spacer", "pixel"})
# Hosts that serve counting pixels or avatars, never a story's picture (a host or any of its subdomains).
_TRACKER_HOSTS = (
    "gravatar.com",
    "google-analytics.com",
    "doubleclick.net",
    "scorecardresearch.com",
    "quantserve.com",
    "pixel.wp.com",
    "stats.wp.com",
    "facebook.com",
    "bat.bing.com",
    "analytics.twitter.com",
)
# File types that are logos and icons in practice; link cards and readers' thumbnails refuse them.
_NOT_PHOTO_SUFFIXES = (".svg", ".svgz", ".ico")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"^\s*(\d{1,6})(?:\.0+)?\s*(?:px)?\s*$", re.IGNORECASE)
_MIME = re.compile(r"^image/[a-z0-9][a-z0-9.+-]*$")
# The longest alt text, caption or credit kept (a page's whole story in a caption is a mistake).
TEXT_MAX_CHARS = 500
# An alt text this short that names a logo or an icon is the image's description, not a story's.
_SHORT_ALT_WORDS = 4


def _words(text: str) -> set[str]:
    """Return the lower-case words of a path, class or alt text ("siteLogo-2x.png" -> site, logo, 2x, png)."""
    return set(_NOT_WORD.split(_CAMEL.sub(r"\1 \2", text).lower())) - {""}


def image_number(value: Any) -> int | None:
    """Return a pixel size written as 1200, "1200", "1200px" or {"value": 1200}, or None."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and (match := _NUMBER.match(value)):
        number = int(match.group(1))
    else:
        return None
    return number if 0 < number <= _MAX_SIDE else None


def image_type(value: Any) -> str | None:
    """Return an image MIME type such as "image/jpeg" (lower-cased), or None if ``value`` is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if _MIME.match(text) else None


def junk_reason(
    url: str, width: int | None = None, height: int | None = None, alt: str | None = None, classes: str = ""
) -> str | None:
    """Say why ``url`` is not a story's picture (a pixel, a spacer, a logo, …), or None if it may be one.

    ``width``/``height``: the sizes declared for it; ``alt``: its alt text; ``classes``: its class and id.
    """
    if url.strip().lower().startswith("data:"):
        return "a data: URI (a spacer or a placeholder)"
    absolute = absolute_url(url)
    if absolute is None:
        return "not an absolute http(s) URL"
    parts = urlsplit(absolute)
    host = (parts.hostname or "").lower()
    tracker = next((h for h in _TRACKER_HOSTS if host == h or host.endswith("." + h)), None)
    if tracker:
        return f"served by {tracker}, which serves counters and avatars"
    path = unquote(parts.path)
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem_words = _words(stem)
    if stem_words and stem_words <= _SPACER_NAMES:
        return f"named {name!r}, a spacer or a tracking pixel"
    said = _JUNK_WORDS & _words(path)
    if said:
        return f"its URL says {sorted(said)[0]!r}"
    if name.lower().endswith(_NOT_PHOTO_SUFFIXES):
        return f"a {name.rsplit('.', 1)[-1].upper()} file (logos and icons; thumbnails want a photo)"
    small = [side for side in (width, height) if side is not None and side < MIN_SIDE]
    if small:
        return f"declared {min(small)} pixels on a side (under {MIN_SIDE}: an icon, a button or a pixel)"
    if width and height and max(width / height, height / width) > MAX_ASPECT:
        return f"declared {width}x{height}, a strip (an ad banner or a divider)"
    said_by_class = _class_says(classes)
    if said_by_class:
        return f"its class says {said_by_class!r}"
    if alt and len(alt.split()) <= _SHORT_ALT_WORDS and _JUNK_WORDS & _words(alt):
        return f"its alt text is {alt.strip()!r}"
    return None


def _class_says(classes: str) -> str | None:
    """Return the word of a class or id that names a logo, an avatar, an icon or the author's picture, or None."""
    said = (_JUNK_WORDS | _PERSON_WORDS) & _words(classes)
    return sorted(said)[0] if said else None


def is_real(image: Image) -> bool:
    """Whether ``image`` may stand for a story (:func:`junk_reason` finds nothing against it)."""
    return junk_reason(image.url, image.width, image.height, image.alt) is None


def _fill(image: Image, other: Image) -> Image:
    """Return ``image`` with what it leaves unsaid taken from ``other``, another description of the same picture.

    Sizes and length only when both name the very same file (a resized copy has its own).
    """
    exact = image.url == other.url
    missing: dict[str, Any] = {}
    for field in ("alt", "caption", "credit") + (("width", "height", "type", "length") if exact else ()):
        if getattr(image, field) is None and getattr(other, field) is not None:
            missing[field] = getattr(other, field)
    if not exact and image.width is None and image.height is None and other.type and not image.type:
        missing["type"] = other.type  # a resized copy keeps its format
    return dataclasses.replace(image, **missing) if missing else image


def first_real(candidates: Iterable[Image]) -> Image | None:
    """Return the first real picture among ``candidates``, completed by the others that describe it."""
    found = list(candidates)
    chosen = next((image for image in found if is_real(image)), None)
    if chosen is None:
        return None
    for other in found:
        if other is not chosen and same_picture(other.url, chosen.url):
            chosen = _fill(chosen, other)
    return chosen


def _parse_fragment(html: str) -> lxml.html.HtmlElement | None:
    text = xml_safe(html)
    if "<img" not in text.lower():
        return None  # most articles: no picture to look for, no parse
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True)
    try:
        return lxml.html.fragment_fromstring(text.encode("utf-8"), create_parent="div", parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def _body_image(img: lxml.html.HtmlElement) -> Image | None:
    """Return what the body says of one ``<img>``: its source, size, alt text and its figure's caption."""
    url = absolute_url(img.get("src") or "")
    if url is None:
        return None
    figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
    caption = figure.find(".//figcaption") if figure is not None else None
    return Image(
        url=url,
        width=image_number(img.get("width")),
        height=image_number(img.get("height")),
        alt=one_line(img.get("alt") or "") or None,
        caption=one_line(caption.text_content()) or None if caption is not None else None,
        origin="body",
    )


def _body_images(html: str) -> list[Image]:
    root = _parse_fragment(html)
    if root is None:
        return []
    return [image for img in root.iter("img") if (image := _body_image(img)) is not None]


def first_body_image(html: str, page_html: str = "", page_url: str | None = None) -> Image | None:
    """Return the first real picture of a cleaned article body (an HTML fragment), or None.

    ``page_html``: the page the body was cleaned from, whose markup still has the classes the
    cleaner removes: a picture the page marks as a logo, an avatar or an icon (by its own class
    or id, or its parent's) is not taken; ``page_url`` resolves its relative URLs.
    """
    shown = [image for image in _body_images(html) if is_real(image)]
    if not shown or not page_html:
        return next(iter(shown), None)
    marked = _marked_by_class(page_html, page_url)
    return next((image for image in shown if image.url not in marked), None)


def _marked_by_class(page_html: str, page_url: str | None) -> PictureSet:
    """Return the page's pictures whose class or id, or their parent's, says junk."""
    marked = PictureSet()
    root = _parse_page(page_html)
    if root is None:
        return marked
    for img in root.iter("img"):
        parent = img.getparent()
        names = " ".join(
            element.get(attribute) or ""
            for element in (img, parent)
            if element is not None
            for attribute in ("class", "id")
        )
        if _class_says(names) is None:
            continue
        for attribute in ("src", "data-src", "data-lazy-src"):
            value = (img.get(attribute) or "").strip()
            url = absolute_url(urljoin(page_url, value) if page_url else value) if value else None
            if url:
                marked.add(url)
    return marked


def _parse_page(html: str, pictures: bool = True) -> lxml.html.HtmlElement | None:
    """Return the page ``html`` parsed; ``pictures``: None for a page with no ``<img>`` (nothing to look for)."""
    text = xml_safe(html)
    if pictures and "<img" not in text.lower():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True)
    try:
        # libxml2 gives up on a page nested deeper than its limit: bound the depth first
        return lxml.html.document_fromstring(limit_depth(text)[0].encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def choose_lead_image(
    declared: Image | None, content_html: str, page_html: str = "", page_url: str | None = None
) -> Image | None:
    """Return an article's lead image: the one its metadata declares, else the body's first real picture.

    A declared picture that the body also shows takes the alt text and caption the body gives it
    (and its size, when the body shows the very same file). ``page_html`` and ``page_url``: the
    page the body was cleaned from (see :func:`first_body_image`).
    """
    if declared is None:
        return _bounded(first_body_image(content_html, page_html, page_url), page_html)
    for shown in _body_images(content_html):
        if same_picture(shown.url, declared.url):
            return _bounded(_fill(declared, shown), page_html)
    return _bounded(declared, page_html)


def _bounded(image: Image | None, page_html: str) -> Image | None:
    """Return ``image`` with its texts as plain text (markup removed, as from titles) of a caption's length.

    Markup-looking text that the page ``page_html`` shows as text stays, as in titles
    (:func:`~feedsvc.metadata.shown_text.shown_markup`): it is looked for only when a text holds a "<".
    """
    if image is None:
        return None
    angles = any("<" in text for text in (image.alt, image.caption, image.credit) if text)
    root = _parse_page(page_html, pictures=False) if angles else None
    shown = shown_markup(root) if root is not None else frozenset()

    def cut(text: str | None) -> str | None:
        if text is None:
            return None
        plain = strip_markup(text, shown)
        return (shorten(plain, TEXT_MAX_CHARS) if len(plain) > TEXT_MAX_CHARS else plain) or None

    return dataclasses.replace(image, alt=cut(image.alt), caption=cut(image.caption), credit=cut(image.credit))
