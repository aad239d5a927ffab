"""Bound how deep a page nests its elements, before any HTML parser sees it.

Pure. HTML5 tree builders check the stack of open elements on almost every
tag, so their time grows with the square of the nesting depth: a 5 MB page
of nothing but ``<div>`` takes lexbor and nh3 minutes, and libxml2 drops a
whole document that nests deeper than its limit. No real page nests more
than a few dozen levels; browsers themselves stop nesting at 512 (Blink) and
put deeper elements beside each other instead.

:func:`limit_depth` does the same in one linear scan of the markup: start
and end tags that would nest deeper than ``max_depth`` are left out, their
text is kept. Elements whose end tag is implied (``p``, ``li``, ``td``…) and
void elements (``br``, ``img``…) do not count, so sloppy but ordinary pages
are never touched, and the scan only rewrites a page that needs it. An end
tag closes what parsers close: the end tag of an ordinary element (``span``,
``a``, ``svg``, a custom element) stops at a "special" one (``div``,
``section``…) open inside it, and is ignored as parsers ignore it; a
special element's stops only at the edge of its scope (``table``,
``template``…). Read more loosely, a page repeating ``<span><div></span>``
nests ever deeper in the parsers while the scan reads two levels.

Not modelled, and read deeper than parsers build it (so flattened sooner,
never later): an SVG or MathML element closed by ``/>`` (``<path … />``),
which the scan reads as open (wcxb 0390's 261 chart paths read 280 levels,
where lexbor builds 13). Read shallower than parsers build it: a raw-text
element directly inside SVG or MathML (``<svg><style>``), whose content the
scan skips as text and lexbor reads as markup (docs/security.md).
"""

from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "DepthLimited", "is_depth_limited", "limit_depth", "nesting_depth"]

MAX_DEPTH = 256

# A start or end tag, a comment, a doctype or processing instruction. "[^<>]*"
# keeps every attempt from running past the next "<": the scan stays linear
# on any input (an attribute holding "<" merely makes that tag read as text).
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/<>]*)([^<>]*)>|<[!?][^<>]*>", re.DOTALL)
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
# End tag implied by a sibling or the parent's end: they never nest inside themselves.
_IMPLIED_END = frozenset(
    "p li dt dd option optgroup tr td th tbody thead tfoot colgroup caption rb rt rp rtc html head body".split()
)
# Elements whose content is text up to their own end tag, not markup.
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript".split())
_RAW_END = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in _RAW_TEXT}
# How far down the stack an end tag looks for its element; unmatched end tags are ignored by parsers.
_END_SEARCH = 64
# HTML5's "special" elements. An end tag for any other element closes it only if no special element is open
# inside it: parsers ignore "</span>" inside "<span><div>", so "<span><div></span>" repeated nests ever deeper.
_SPECIAL = frozenset(
    """address applet area article aside base basefont bgsound blockquote body br button caption center col
    colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5
    h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed
    noframes noscript object ol p param plaintext pre script search section select source style summary table
    tbody td template textarea tfoot th thead title tr track ul wbr xmp mi mo mn ms mtext annotation-xml
    foreignobject desc""".split()
)
# The end tag of a special element closes it through any element but these (the edges of its scope: a
# "</div>" inside a table, or inside SVG's foreignObject, does not close the div around them).
_SCOPE_EDGES = frozenset(
    "applet caption html table td th marquee object template mi mo mn ms mtext annotation-xml foreignobject desc".split()
)


class DepthLimited(str):
    """Markup that :func:`limit_depth` has already bounded, and the depth it had before.

    A ``str`` in every other way. Whoever reads it next (the loader bounds a
    page, then its metadata and the cleaner parse it) need not scan it
    again: ``limit_depth`` returns it as it is. Any change to the text (a
    slice, a replacement) gives a plain ``str``, which is scanned again.
    """

    depth: int
    max_depth: int


def is_depth_limited(html: str, max_depth: int = MAX_DEPTH) -> bool:
    """Return True if ``html`` is :func:`limit_depth`'s result for ``max_depth`` (or a deeper limit)."""
    return isinstance(html, DepthLimited) and html.max_depth <= max_depth


def _marked(html: str, depth: int, max_depth: int) -> DepthLimited:
    marked = DepthLimited(html)
    marked.depth, marked.max_depth = depth, max_depth
    return marked


def nesting_depth(html: str) -> int:
    """Return how deep ``html`` nests elements that count (an upper bound of what a parser builds)."""
    return _depth(html)


def limit_depth(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, int]:
    """Return ``html`` with tags nested deeper than ``max_depth`` left out, and the depth it had.

    The text is returned as a :class:`DepthLimited`, equal to ``html`` when
    it nests no deeper than that; one already limited (to ``max_depth`` or
    less) is returned as it is, with the depth it had, without a scan.
    """
    if isinstance(html, DepthLimited) and html.max_depth <= max_depth:
        return html, html.depth
    depth = _depth(html)
    flat = html if depth <= max_depth else _scan(html, max_depth)[1]
    return _marked(flat, depth, max_depth), depth


# The same tokens as _TOKEN, for reading a whole page in one call: a raw-text
# element's start tag takes its text with it, up to its own end tag (which
# stays a token, as _scan leaves it), and <plaintext> takes the rest of the
# page. Names are matched as _scan compares them (lowercased ASCII names; the
# end tag as _RAW_END finds it), never by a shared backreference. Possessive
# runs ("*+") match what _TOKEN's runs match without trying every shorter
# run when a tag does not close (half the time on real pages); raw text is
# skipped from "<" to "<". One group holds an end tag's "/" and the name, so
# findall makes one string per tag, no tuple. The raw-text names are tried only after a
# tag whose first letter one of them has (a lookahead: most tags are tried against none).
# A tag's attributes are read as _NOT_ANGLE, not "[^<>]": the same characters, as ranges, which
# the regex engine tests with one table lookup instead of a negated list (twice as fast on the
# long attributes of real pages: half the time of the whole reading).
_NOT_ANGLE = r"[\x00-;=?-\U0010ffff]"
_RAW_ELEMENT = "|".join(
    rf"(?ai:{name})(?=[\s/>]){_NOT_ANGLE}*+>[^<]*+(?:<(?!(?i:/{name}[\s/>]))[^<]*+)*+" for name in sorted(_RAW_TEXT)
)
_RAW_FIRSTS = "".join(sorted({name[0] for name in _RAW_TEXT | {"plaintext"}}))
_PAGE_TOKEN = re.compile(
    r"<(?:!--(?:[^-]++|-(?!->))*+(?:-->|\Z)"
    f"|(?=[{_RAW_FIRSTS}{_RAW_FIRSTS.upper()}])(?:{_RAW_ELEMENT}"
    rf"|(?ai:plaintext)(?=[\s/>]){_NOT_ANGLE}*+>.*+)|(/?[A-Za-z][^\s/<>]*+){_NOT_ANGLE}*+>|[!?]{_NOT_ANGLE}*+>)",
    re.DOTALL,
)


def _depth(html: str) -> int:
    """Return what ``_scan(html, None)[0]`` returns, from the page's tags read in one regex call.

    Every page goes through this before any parser, so it is the fast path:
    only a page that nests too deep is scanned again to be flattened.
    """
    stack: list[str] = []
    deepest = 0
    skip = _VOID | _IMPLIED_END
    for tag in _PAGE_TOKEN.findall(html):
        if not tag:  # comment, doctype, processing instruction, raw text
            continue
        if tag[0] == "/":
            name = tag[1:].lower()
            if stack and stack[-1] == name:  # the usual case: it closes the innermost element
                stack.pop()
                continue
            if name in skip:  # never on the stack ("</p>", "</li>"): nothing to look for
                continue
            if name == "form":  # lexbor leaves open what a form holds and the form with it: read the same
                continue
            stop = _SCOPE_EDGES if name in _SPECIAL else _SPECIAL
            top = len(stack) - 1
            for index in range(top, max(top - _END_SEARCH, -1), -1):
                if stack[index] == name:
                    del stack[index:]
                    break
                if stack[index] in stop:
                    break  # ignored, as parsers ignore it
        elif (name := tag.lower()) not in skip:
            stack.append(name)
            if len(stack) > deepest:
                deepest = len(stack)
    return deepest


def _scan(html: str, max_depth: int | None) -> tuple[int, str]:
    """Walk the tags of ``html``; return the deepest nesting and, given ``max_depth``, the flattened text."""
    stack: list[tuple[str, bool]] = []  # (tag name, kept)
    kept_depth = 0
    deepest = 0
    pieces: list[str] = []
    copied = 0  # html[:copied] is in pieces (less the tags left out)
    position = 0
    length = len(html)
    while position < length:
        match = _TOKEN.search(html, position)
        if match is None:
            break
        position = match.end()
        name = (match.group(2) or "").lower()
        if not name:  # comment, doctype, processing instruction
            continue
        keep = True
        if match.group(1):  # an end tag: close up to its element, if it is near the top and nothing stops it
            stop = _SCOPE_EDGES if name in _SPECIAL else _SPECIAL
            for index in range(len(stack) - 1, max(len(stack) - 1 - _END_SEARCH, -1), -1):
                if stack[index][0] == name:
                    keep = stack[index][1]
                    kept_depth -= sum(1 for _, kept in stack[index:] if kept)
                    del stack[index:]
                    break
                if stack[index][0] in stop or name == "form":
                    break
        elif name == "plaintext":
            break
        elif name in _RAW_TEXT:
            raw_end = _RAW_END[name].search(html, position)
            position = raw_end.start() if raw_end else length
        elif name not in _VOID and name not in _IMPLIED_END:
            keep = max_depth is None or kept_depth < max_depth
            stack.append((name, keep))
            kept_depth += keep
            deepest = max(deepest, len(stack))
        if not keep:
            pieces.append(html[copied : match.start()])
            copied = match.end()
    if not pieces:
        return deepest, html
    pieces.append(html[copied:])
    return deepest, "".join(pieces)
