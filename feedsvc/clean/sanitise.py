"""Stage 5 of cleaning: sanitise by allowlist, tidy, make XML-safe.

nh3 (ammonia) is the safety guarantee: whatever earlier stages missed,
only ALLOWED_TAGS with ALLOWED_ATTRIBUTES and http(s)/mailto URLs come out.
The tidy pass after it removes elements left empty and links left without
a target, so no empty or wrapper-only markup reaches a feed.

Pure; a stage of ``feedsvc.clean`` (the last): it imports only the
``policy`` below it, never another stage.
"""

from __future__ import annotations

import html

import lxml.etree
import lxml.html
import nh3
from lxml.html import HtmlElement

from feedsvc.clean.dom import plain_html_parser
from feedsvc.clean.policy import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, VOID_KEEP
from feedsvc.text import xml_safe

__all__ = ["sanitise", "serialise_children", "tidy"]

# dom's parser: huge_tree, so nh3 keeps nested quotes and lists as deep as the (depth-limited) article has
# them, and plain elements, since tidy reads every element
_PARSER = plain_html_parser()


def serialise_children(article: HtmlElement) -> str:
    """Return the HTML of what is inside ``article`` (its own tag left out)."""
    parts = [html.escape(article.text or "", quote=False)]
    for child in article:
        parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def sanitise(markup: str) -> str:
    """Return ``markup`` reduced to the allowlist, tidied and XML-safe."""
    cleaned = nh3.clean(
        xml_safe(markup),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        clean_content_tags={"script", "style"},
        strip_comments=True,
        link_rel=None,
    )
    return xml_safe(tidy(cleaned)).strip()


def tidy(markup: str) -> str:
    """Return ``markup`` without empty elements or target-less links."""
    if not markup.strip():
        return ""
    try:
        body = lxml.html.document_fromstring(("<body>" + markup + "</body>").encode("utf-8"), parser=_PARSER).body
    except (lxml.etree.ParserError, ValueError):
        return ""
    if body is None:
        return ""
    for a in [a for a in body.iter("a") if not a.get("href")]:
        a.drop_tag()
    _drop_empty(body)
    # <br> at the edges of a block only adds blank lines.
    for br in reversed(list(body.iter("br"))):  # last first, so a run of them at the end all go
        parent = br.getparent()
        if parent is not None and br is parent[-1] and not (br.tail or "").strip():
            br.drop_tree()
    # One top-level block per line: readable in feed source and diffs.
    for child in body:
        if not (child.tail or "").strip():
            child.tail = "\n"
    return serialise_children(body)


_KEEPS_BLOCK = frozenset({"img", "td", "th"})


def _drop_empty(body: HtmlElement) -> None:
    """Drop every element of ``body`` with no text and no image or table cell in it (``VOID_KEEP`` stay).

    Whether an element is empty is worked out for all of them in one walk
    from the leaves up, rather than reading each element's whole text.
    One pass is enough: dropping an empty element keeps its tail and
    takes no text or image away from any other element.
    """
    nodes = [el for el in body.iter() if isinstance(el.tag, str)]
    has_text: dict[HtmlElement, bool] = {}
    has_keeper: dict[HtmlElement, bool] = {}
    for el in reversed(nodes):  # every element after all of its descendants
        text = bool((el.text or "").strip())
        keeper = False
        for child in el:
            if isinstance(child.tag, str):
                text = text or has_text[child]
                keeper = keeper or has_keeper[child] or child.tag in _KEEPS_BLOCK
            if not text and (child.tail or "").strip():
                text = True
        has_text[el], has_keeper[el] = text, keeper
    dropped: set[HtmlElement] = set()
    for el in nodes:
        if el.getparent() in dropped:
            dropped.add(el)  # went with its parent
            continue
        if el is body or el.tag in VOID_KEEP or has_text[el] or has_keeper[el]:
            continue
        dropped.add(el)
        el.drop_tree()
