"""Stage 5 of cleaning: sanitise by allowlist, tidy, make XML-safe.

nh3 (ammonia) is the safety guarantee: whatever earlier stages missed,
only ALLOWED_TAGS with ALLOWED_ATTRIBUTES and http(s)/mailto URLs come out.
The tidy pass after it removes elements left empty and links left without
a target, so no empty or wrapper-only markup reaches a feed; each of its
rules that a reader would notice has its name in ``RULES`` (switched off
through ``DISABLED``, as the other stages' rules).

Pure; a stage of ``feedsvc.clean`` (the last): it imports only the
``policy`` below it, never another stage.
"""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html
import nh3
from lxml.html import HtmlElement

from feedsvc.clean.dom import plain_html_parser, text_content
from feedsvc.clean.policy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ICON_GLYPHS,
    INLINE_TAGS,
    INVISIBLE_CHARS,
    UNSHOWN_TAGS,
    URL_SCHEMES,
    VOID_KEEP,
)
from feedsvc.text import xml_safe

__all__ = ["DISABLED", "RULES", "sanitise", "sanitise_with_text", "serialise_children", "tidy", "visible"]

RULES: dict[str, str] = {
    "invisible_text": "an element whose only text is invisible characters (zero-width joiners, spaces, marks) is empty",
    "inline_breaks": "a <br> ending an inline element (<strong>Title<br></strong>Text) breaks the block's line: it stays, after it",
    "inline_spaces": "an inline element that holds only white space (<strong>Brand</strong><strong> </strong>that) leaves a space between the words it separated",
    "icon_glyphs": "characters of the private-use areas (an icon font's pictures, boxes without the site's font) go, and an element that held nothing else with them",
}

# Rules switched off; only the benchmark's ablation sets this.
DISABLED: frozenset[str] = frozenset()

# The first character a reader sees: a search stops at it, most often the text's first.
_SHOWN = re.compile(f"[^\\s{INVISIBLE_CHARS}]")

# dom's parser: huge_tree, so nh3 keeps nested quotes and lists as deep as the (depth-limited) article has
# them, and plain elements, since tidy reads every element
_PARSER = plain_html_parser()


# The allowlist, built once: nh3.clean builds it at every call, 20-35 us (a tenth of its time on an article of the
# smallest pages, 12 kB of markup).
_SANITISER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    clean_content_tags=set(UNSHOWN_TAGS),
    strip_comments=True,
    link_rel=None,
)

# The wrappers whose inside is cut from their whole serialisation when they have no attributes:
# each is written as its plain start and end tag.
_BARE_WRAPPERS = frozenset({"body", "div"})


def serialise_children(article: HtmlElement) -> str:
    """Return the HTML of what is inside ``article`` (its own tag left out).

    A bare ``<body>`` or ``<div>`` (tidy's body, most articles) is serialised
    whole, in one call, and its tags cut off: the same markup as its children
    serialised one by one (a call each, and an article has hundreds).
    """
    lead = article.text
    if article.tag in _BARE_WRAPPERS and not article.attrib:
        article.text = None  # written by html.escape below, as for the children one by one
        try:
            whole = lxml.html.tostring(article, encoding="unicode", with_tail=False)
        finally:
            article.text = lead
        start, end = f"<{article.tag}>", f"</{article.tag}>"
        if whole.startswith(start) and whole.endswith(end):
            return html.escape(lead or "", quote=False) + whole[len(start) : len(whole) - len(end)]
    parts = [html.escape(lead or "", quote=False)]
    for child in article:
        parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def sanitise(markup: str) -> str:
    """Return ``markup`` reduced to the allowlist, tidied and XML-safe."""
    body = _sanitised(markup)
    return "" if body is None else _serialised(body)


def sanitise_with_text(markup: str) -> tuple[str, str]:
    """Return ``sanitise(markup)`` and the text of the result, for judging it.

    The text is read from the tree tidy serialises, not from a parse of
    the serialisation (a parse of the whole article more, a third of them a
    page): the same words in the same order as that parse reads
    (``feedsvc.clean._text_of``), the white space between them not always
    the same (tidy's line breaks between blocks, the fragment's ends).
    """
    body = _sanitised(markup)
    if body is None:
        return "", ""
    # What xml_safe removes from the markup goes from its text too (some of it is white space to split()).
    return _serialised(body), xml_safe(text_content(body))


def _sanitised(markup: str) -> HtmlElement | None:
    return _tidied(_SANITISER.clean(xml_safe(markup)))


def _serialised(body: HtmlElement) -> str:
    return xml_safe(serialise_children(body)).strip()


def tidy(markup: str) -> str:
    """Return ``markup`` without empty elements or target-less links."""
    body = _tidied(markup)
    return "" if body is None else serialise_children(body)


def _tidied(markup: str) -> HtmlElement | None:
    """Return the body of ``markup`` parsed, without empty elements or target-less links (None: nothing)."""
    if not markup.strip():
        return None
    try:
        body = lxml.html.document_fromstring(("<body>" + markup + "</body>").encode("utf-8"), parser=_PARSER).body
    except (lxml.etree.ParserError, ValueError):
        return None
    if body is None:
        return None
    for a in [a for a in body.iter("a") if not a.get("href")]:
        a.drop_tag()
    # One search of the markup (most have none); nh3 writes characters, a reference only comes through tidy().
    if "icon_glyphs" not in DISABLED and (ICON_GLYPHS.search(markup) or "&#" in markup):
        _drop_icon_glyphs(body)
    if "inline_breaks" not in DISABLED:
        for br in reversed(list(body.iter("br"))):  # last first: a run of them keeps its order
            _hoist_break(br)
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
    return body


_KEEPS_BLOCK = frozenset({"img", "td", "th"})


def _drop_icon_glyphs(body: HtmlElement) -> None:
    """Take the private-use characters out of every text of ``body``; an element left empty goes with the others."""
    for el in body.iter():
        if el.text and ICON_GLYPHS.search(el.text):
            el.text = ICON_GLYPHS.sub("", el.text)
        if el.tail and ICON_GLYPHS.search(el.tail):
            el.tail = ICON_GLYPHS.sub("", el.tail)


def _hoist_break(br: HtmlElement) -> None:
    """Move a <br> that ends an inline element out after it, up to the block it breaks.

    ``<strong>Product feed<br></strong>Adding ratings`` shows "Adding" on the
    next line; the break sits at the end of the ``<strong>``, not of the
    block, so the edge rule below must not take it, nor the empty-element
    rule take ``<strong><br></strong>`` between two lines with its break:
    either glued the two lines into one word ("feedAdding"). A break with
    nothing shown before it in its block stays where it is: it would only
    open the block with a blank line.
    """
    parent = br.getparent()
    if parent is None or parent.tag not in INLINE_TAGS or br is not parent[-1] or visible(br.tail):
        return
    block = parent
    above = block.getparent()
    while above is not None and block.tag in INLINE_TAGS:
        block, above = above, above.getparent()
    if not _shows_before(br, block):
        return
    while parent is not None and parent.tag in INLINE_TAGS and br is parent[-1] and not visible(br.tail):
        if br.tail:  # white space or invisible characters after the break: they stay in the element
            prev = br.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + br.tail
            else:
                parent.text = (parent.text or "") + br.tail
        br.tail, parent.tail = parent.tail, None
        parent.addnext(br)
        parent = br.getparent()


def _shows_before(br: HtmlElement, block: HtmlElement) -> bool:
    """Return True if text or a picture comes before ``br`` inside ``block``."""
    if visible(block.text):
        return True
    ancestors = set(br.iterancestors())
    for node in block.iterdescendants():
        if node is br:
            return False
        if not isinstance(node.tag, str):
            continue
        if node.tag == "img" or visible(node.text):
            return True
        # An ancestor's tail comes after the break; any other element's, before it.
        if node not in ancestors and visible(node.tail):
            return True
    return False


def visible(text: str | None) -> bool:
    """True if ``text`` shows anything to a reader: more than white space (and invisible characters)."""
    return _stripped(text) if "invisible_text" in DISABLED else _shown(text)


def _shown(text: str | None) -> bool:
    return text is not None and _SHOWN.search(text) is not None


def _stripped(text: str | None) -> bool:
    return bool(text and text.strip())


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
    shown = _stripped if "invisible_text" in DISABLED else _shown  # chosen once: one regex search a text
    for el in reversed(nodes):  # every element after all of its descendants
        text = shown(el.text)
        keeper = False
        for child in el:
            if isinstance(child.tag, str):
                text = text or has_text[child]
                keeper = keeper or has_keeper[child] or child.tag in _KEEPS_BLOCK
            if not text and shown(child.tail):
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
        if el.tag in INLINE_TAGS and "inline_spaces" not in DISABLED:
            _keep_space(el)
        el.drop_tree()


def _keep_space(el: HtmlElement) -> None:
    """Leave a space in the tail of an empty inline ``el`` when it held the only white space between two words.

    An editor's ``<strong> </strong>`` between a link and the next word is the
    only space there; dropping it with its white space ran the words together
    ("Amazon Polly Brandthat", wcxb-dev/0315).
    """
    if not any(c.isspace() for c in el.text_content()):
        return
    before, after = _char_before(el), _char_after(el)
    if before and after and not before.isspace() and not after.isspace() and after not in _CLOSING:
        el.tail = " " + (el.tail or "")


# Characters that close what comes before them: a space pushed before one would only look like a typo ("cheapest ,").
_CLOSING = frozenset(",.;:!?)]}»”’%")


def _char_before(el: HtmlElement) -> str:
    """Return the character a reader sees just before ``el`` in its block ("" at the block's start)."""
    node = el
    while True:
        prev = node.getprevious()
        if prev is not None:
            if prev.tail:
                return prev.tail[-1]
            text = text_content(prev)
            if text or prev.tag in VOID_KEEP:
                return text[-1] if text else " "  # an image or a break: nothing to glue to
            node = prev
            continue
        parent = node.getparent()
        if parent is None:
            return ""
        if parent.text:
            return parent.text[-1]
        if parent.tag not in INLINE_TAGS:
            return ""
        node = parent


def _char_after(el: HtmlElement) -> str:
    """Return the character a reader sees just after ``el`` in its block ("" at the block's end)."""
    node = el
    while True:
        if node.tail:
            return node.tail[0]
        following = node.getnext()
        if following is not None:
            text = text_content(following)
            return text[0] if text else " "  # an image, a break or an element dropped too: nothing to glue to
        parent = node.getparent()
        if parent is None or parent.tag not in INLINE_TAGS:
            return ""
        node = parent
