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
are never touched, and the scan only rewrites a page that needs it.
"""

from __future__ import annotations

import functools
import re

__all__ = ["MAX_DEPTH", "limit_depth", "nesting_depth"]

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


def nesting_depth(html: str) -> int:
    """Return how deep ``html`` nests elements that count (an upper bound of what a parser builds)."""
    return _scan(html, None)[0]


@functools.lru_cache(maxsize=4)
def limit_depth(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, int]:
    """Return ``html`` with tags nested deeper than ``max_depth`` left out, and the depth it had.

    ``html`` itself (the same object) is returned when it nests no deeper than that. The last
    few answers are kept: loading, metadata and cleaning each bound the same page before they
    parse it, and a string keeps its hash, so the page is scanned once, not three times.
    """
    depth, flat = _scan(html, max_depth)
    return (html if depth <= max_depth else flat), depth


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
        if match.group(1):  # an end tag: close up to its element, if it is near the top
            for index in range(len(stack) - 1, max(len(stack) - 1 - _END_SEARCH, -1), -1):
                if stack[index][0] == name:
                    keep = stack[index][1]
                    kept_depth -= sum(1 for _, kept in stack[index:] if kept)
                    del stack[index:]
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
