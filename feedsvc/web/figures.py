"""Pictures on article pages: the lead figure, and images that load as the reader scrolls.

Pure, on the body's tree that :func:`feedsvc.web.body.page_body` parses once
for its pictures and its tables: the article's lead image in, the figure to
show above the body out, the body's ``<img>`` elements marked as they load.
Only pages take this: feeds carry the cleaned HTML as it is (a reader decides
how it loads images).

- Every ``<img>`` of the body keeps its ``alt``, ``width`` and ``height``
  (the sanitiser kept them) and gets ``loading="lazy"`` and
  ``decoding="async"``: a long article no longer fetches every picture
  before the reader sees the first paragraph.
- The lead image is shown at the top, as a figure with its caption, loaded
  at once (it is above the fold); unless the body itself shows that picture
  anywhere (the same file in any size, on a CDN host or through a resizer:
  :func:`~feedsvc.same_picture.same_picture`; or another crop of it with
  the same long alt text): then the page shows it once, where the article puts
  it, loaded at once if it comes before the first heading and the first few
  paragraphs. A lead the body shows far down is not put on top either: it
  illustrates that place (w-0898's lead is the photo of the third of 23 shops
  a list article presents), and shown at both places it is the same picture
  twice on one page; the feeds and the link card still carry it as the lead.
- A lead image that no metadata declared is the body's own first picture
  (``origin == "body"``): it is never shown above the body, which already
  shows it where the article puts it (a picture at the end of a Markdown
  article was shown twice, at the top and at the end).
"""

from __future__ import annotations

import lxml.etree
import lxml.html

from feedsvc.model import Image
from feedsvc.same_picture import same_picture
from feedsvc.text import absolute_url, one_line

__all__ = ["LAZY", "lead_to_show", "show_pictures"]

# Image.origin of a lead image found in the article body itself (metadata/images.py, first_body_image).
BODY_ORIGIN = "body"

# What a picture below the fold gets; the first picture of a page gets neither.
LAZY = (("loading", "lazy"), ("decoding", "async"))


def lead_to_show(lead: Image | None) -> Image | None:
    """Return ``lead`` if it may stand above the body: an absolute http(s) URL (the rule the cleaner
    holds body URLs to), declared (not taken from the body, which shows it already); else None."""
    if lead is not None and (absolute_url(lead.url) != lead.url or lead.origin == BODY_ORIGIN):
        return None
    return lead


def show_pictures(root: lxml.html.HtmlElement, lead: Image | None) -> Image | None:
    """Mark the ``<img>`` elements of the body ``root`` lazy or eager, and return the lead figure to put above it.

    ``lead`` is :func:`lead_to_show`'s; it is shown (returned) only if the body does not show the same picture.
    """
    images = list(root.iter("img"))
    shown_in_body = None if lead is None else next((img for img in images if _same_picture(img, lead)), None)
    if shown_in_body is not None:
        lead = None
    # Loaded at once: what the reader sees first, the body's opening picture when no lead figure
    # stands above it, and the lead where the body shows it near the top.
    eager = {_leading_image(root)} if lead is None else set()
    if shown_in_body is not None and _near_the_top(root, shown_in_body):
        eager.add(shown_in_body)
    for img in images:
        if img not in eager:
            for name, value in LAZY:
                img.set(name, value)
    return lead


# An alt text this long describes one picture: two files with it are crops of it (a site's
# desktop and mobile art), not two pictures; short ones ("Photo", "Logo") say nothing.
_DESCRIPTIVE_ALT = 40


def _same_picture(img: lxml.html.HtmlElement, lead: Image) -> bool:
    """True if ``img`` shows the lead picture: the same file (any size), or the same long alt text."""
    if same_picture(img.get("src") or "", lead.url):
        return True
    alt, lead_alt = one_line(img.get("alt") or ""), one_line(lead.alt or "")
    return len(alt) >= _DESCRIPTIVE_ALT and alt.casefold() == lead_alt.casefold()


def _leading_image(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """Return the body's first ``<img>`` if no text comes before it, else None."""
    if (root.text or "").strip():
        return None
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if element is not root and element.tag == "img":
                return element
            if element is not root and (element.text or "").strip():
                return None
        elif element is not root and (element.tail or "").strip():
            return None
    return None


# Blocks of text before a picture that still leave it on the first screen, if no heading comes first.
_NEAR_THE_TOP_BLOCKS = 3
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TEXT_BLOCKS = frozenset({"p", "li", "blockquote", "pre", "dd", "dt", "table"})


def _near_the_top(root: lxml.html.HtmlElement, img: lxml.html.HtmlElement) -> bool:
    """Whether ``img`` comes before the body's first heading and after at most a few blocks of text."""
    blocks = 0
    for element in root.iter():
        if element is img:
            return True
        if element.tag in _HEADINGS:
            return False
        if element.tag in _TEXT_BLOCKS and element.text_content().strip():
            blocks += 1
            if blocks > _NEAR_THE_TOP_BLOCKS:
                return False
    return False
