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

Foreign content (inside ``<svg>`` or ``<math>``) is read by other rules,
and the reading models what could make a parser nest deeper than it says,
from the HTML standard's "in foreign content" rules: raw text there is
markup (``<svg><style><div>``), a void or implied-end element nests
(``<svg><td>``), and a "breakout" tag (``<div>``, ``<b>``, ``<br>``, ``<font>``…)
ends the SVG, so ``</svg>`` no longer closes the HTML element it opened;
``</svg>`` closes its ``<svg>`` however many SVG elements are open in it.
Where the reading cannot tell foreign content from HTML (an ``<svg>`` it
keeps open that a parser closed, an integration point such as
``foreignObject``) it takes the deeper reading; raw text holding a "<"
there is read pessimistically to the end of the page (nothing closes).
A self-closing tag (``<path d="…"/>``, the tokenizer's "/>", not the "/"
ending an unquoted value) opens nothing where the reading is sure the
parser is in foreign content: its element's parents are all SVG or
MathML elements from an ``<svg>`` or ``<math>`` up, none an integration
point, and since that ``<svg>`` no breakout tag and no end tag but the
innermost element's has been met (wcxb 0390's chart of 261 paths reads
12 levels, as lexbor and libxml2 build it). Where the reading is not
sure, the element is read as open and as closed by nothing but its own
end tag on top. ``<svg/>`` and ``<math/>`` open nothing anywhere. A CDATA
section inside foreign content is text up to "]]>" to lexbor, and a bogus
comment up to the first ">" to libxml2 (which knows no foreign content)
as to both in HTML: a "<" between the two ends makes the rest of the page
read pessimistically. Every other "<!" or "<?", and "</" not followed by
a letter or ">", is a bogus comment up to the first ">".
The one-call reading (:func:`_depth`) hands a page to the tag-by-tag walk
only at the first such tag inside an open ``<svg>`` or ``<math>``: inline
icons (a ``<title>``, a ``<style>`` of CSS or CDATA, ``<path/>``) stay on
the fast path.

Tags, names and comments are read as the HTML5 tokenizer (lexbor's and
libxml2's since 2.14) reads them: a quoted attribute value holds "<" and
">" (``<span title='<'>`` is a <span>, ``<b title='></b>'>`` a <b>), a name
runs to an HTML space, "/" or ">" (``<span<x>`` and ``<span\x0b>`` are
elements that ``</span>`` does not close; ``</script\x0b>`` ends no
script), and a comment ends at "-->", at "--!>", or at once as ``<!-->``
or ``<!--->``; a tag or quote the page ends in takes the rest of it.

A formatting element (``<b>``, ``<a>``, ``<font>``…) that the end tag of
another element closes is read as opened again at once on top of what
that end tag left open: parsers keep it on their list of active
formatting elements and reopen it at the next text, a line break
included, so ``<span><b></span>x`` repeated nests one ``<b>`` deeper each
time (lexbor: 402 levels for 400 copies, read 2 before). The reading is
the deeper one: it reopens them where the parser reopens them at most, and
leaves out the list's limit of three alike elements (``<div><b>x</div>``
repeated without a line break reads 400, lexbor builds 6). Only the end
tag of a marker (``<object>``, ``<template>``…), which clears the list back
to itself, and ``</svg>`` reopen nothing.

Not modelled, and read less deep than libxml2 builds it: libxml2's own
end-tag rule (an end tag does not close a ``div``, table parts or ``body``
open inside its element: ``<section><div></section>`` repeated nests
without bound there, as lexbor does not), ``<noscript>``, raw text to
the reading and to lexbor with scripting on, markup to libxml2
(``<noscript><div></noscript>`` nests in libxml2 by the same rule), and
``<style/>``, which libxml2 closes and lexbor reads as raw text. Only the
metadata's trees (libxml2 on the page itself) meet them, and libxml2 stops
nesting at 2,048 levels with ``huge_tree`` in linear time. What lexbor
builds deeper than the reading said (a shape not modelled here) meets
:func:`bound_tree` when a walk of the tree recurses past Python's limit:
``feedsvc.clean`` then cleans the page again from trees cut to
:data:`TREE_DEPTH` levels.
"""

from __future__ import annotations

import re

import lxml.etree

__all__ = ["MAX_DEPTH", "TREE_DEPTH", "DepthLimited", "bound_tree", "is_depth_limited", "limit_depth", "nesting_depth"]

MAX_DEPTH = 256
# The backstop's bound on a built tree, in elements of any kind (see bound_tree): past what a bounded reading
# lets through (its implied elements, <tr> and <td> in nested tables, are not counted), and Blink's own limit.
TREE_DEPTH = 2 * MAX_DEPTH

# A tag's attributes as the HTML5 tokenizer reads them, up to the ">" that ends the tag: a quoted value
# ("…" or '…', after "=") holds any "<" or ">", an unquoted value or an attribute name holds any "<" and quote,
# and "=" first in a name is part of it. Parsers build what follows "<span title='<'>" as they build what
# follows "<span>": read as text, a page repeating it nests without bound under a reading of 0. Every run
# is possessive and every alternative ends at ">" or at the end of the page (an unclosed quote or tag
# takes the rest of it, as the tokenizer drops a tag the page ends in): each "<" is tried once, so the
# scan stays linear on any input.
_HTML_SPACE = "\t\n\f\r "
_ATTRIBUTES = (
    rf"""(?:[{_HTML_SPACE}/]++|[^{_HTML_SPACE}/>][^{_HTML_SPACE}/>=]*+(?:[{_HTML_SPACE}]*+=[{_HTML_SPACE}]*+"""
    rf"""(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^{_HTML_SPACE}>"'][^{_HTML_SPACE}>]*+)?)?)*+"""
)
# A tag's name runs to a space, "/" or ">": "<span<div>" is one element, named "span<div".
_NAME = rf"[A-Za-z][^{_HTML_SPACE}/>]*+"
# What ends a name: "<script\x0b>" opens no raw text ("\x0b" is no HTML space), and "</ſcript>" ends none.
_NAME_END = rf"[{_HTML_SPACE}/>]"
# A comment ends at "-->", at "--!>", or at once as "<!-->" and "<!--->" (the HTML5 tokenizer's abrupt and
# incorrect closings, which lexbor and libxml2 follow): read on to the next "-->", what lies between is
# read as text that parsers build as tags.
_COMMENT_REST = r"!--(?:-?>|(?:[^-]++|-(?!-!?>))*+(?:--!?>|\Z))"
_COMMENT = "<" + _COMMENT_REST
# A start or end tag, a comment, a doctype or processing instruction.
# Anything else after "<!" or "<?" (a doctype, "<![CDATA[" outside SVG and MathML), or
# after "</" but a letter or ">", is a bogus comment that ends at the first ">", "<" or
# not, as parsers end it ("</<script>" starts no raw text).
_TOKEN = re.compile(
    rf"{_COMMENT}|<(/?)({_NAME})({_ATTRIBUTES})(?:>|\Z)|<(?:[!?]|/(?![A-Za-z>]))[^>]*(?:>|\Z)", re.DOTALL
)
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
# End tag implied by a sibling or the parent's end: they never nest inside themselves.
_IMPLIED_END = frozenset(
    "p li dt dd option optgroup tr td th tbody thead tfoot colgroup caption rb rt rp rtc html head body".split()
)
# Elements whose content is text up to their own end tag, not markup.
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript".split())
_RAW_END = {name: re.compile(rf"</{name}{_NAME_END}", re.IGNORECASE | re.ASCII) for name in _RAW_TEXT}
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
# HTML5's formatting elements. Parsers keep a list of the open ones: one that an end tag of another element
# closes ("</span>" in "<span><b>", "</a>" in "<a><b>", "</div>" in "<div><b>") stays on that list and is opened
# again, where the parser is, at the next text (a space or a line break too) or inline tag. So "<span><b></span>x"
# repeated nests one <b> deeper each time in lexbor, and parses in time that grows with the square of the page.
# The reading reopens them at once, on top of what the end tag left open (the deeper reading: the parser
# reopens them at most there, and the list's limit of three alike elements is left out).
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
# Elements whose end tag clears that list back to where they opened: what they held is not opened again.
_MARKERS = frozenset("applet marquee object template".split())


# Foreign content: inside <svg> or <math>, parsers read tags by other rules, and the reading
# models them only where that can make a parser nest deeper than the HTML reading says.
_FOREIGN_ROOTS = frozenset(("svg", "math"))
_FOREIGN_START = re.compile(r"<(?ai:svg|math)[\s/>]")
# Start tags that end foreign content (HTML's "breakout" list; <font> counts, with or without attributes):
# the parser pops the SVG elements and opens an HTML element, which an end tag like "</svg>" no longer closes.
_BREAKOUT = frozenset(
    """b big blockquote body br center code dd div dl dt em embed font h1 h2 h3 h4 h5 h6 head hr i img li listing
    menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var""".split()
)
# Void elements that break out too: never open, in HTML or foreign content.
_NEVER_OPEN = _VOID & _BREAKOUT
# Integration points: the start tags they hold are read as HTML. SVG's foreignObject, desc and title and MathML's
# mi, mo, mn, ms, mtext and annotation-xml are; the reading counts the names in either namespace (the deeper
# reading: "<path/>" in them stays open, and "<mglyph/>" in an mi, which MathML closes).
_INTEGRATION = frozenset("foreignobject desc title annotation-xml mi mo mn ms mtext".split())
# A start tag's attributes (what follows its name up to ">") that end in the self-closing "/" as the
# tokenizer reads them: not the last character of an unquoted value ("<path d=x/>" is an open path) nor
# inside a quote (a tag the page ends in, its quote unclosed, is never read as closed). After "="
# a value must follow, so an unclosed quote cannot be read as attribute names.
_SELF_CLOSED = re.compile(
    rf"""(?:[{_HTML_SPACE}]|/(?!\Z)|[^{_HTML_SPACE}/][^{_HTML_SPACE}/=]*+"""
    rf"""(?:[{_HTML_SPACE}]*+=[{_HTML_SPACE}]*+(?:"[^"]*+"|'[^']*+'|[^{_HTML_SPACE}"'][^{_HTML_SPACE}]*+)"""
    rf"""|(?![{_HTML_SPACE}]*+=)))*+/"""
)


def _closes_itself(attributes: str) -> bool:
    """Whether a start tag whose attributes (the text after its name) are ``attributes`` ends in "/>"."""
    return attributes[-1:] == "/" and _SELF_CLOSED.fullmatch(attributes) is not None


def _ends_name(attributes: str) -> bool:
    """Whether the scan's name of a tag is the parser's: "<svg\x0b>" is not an <svg> (HTML spaces are fewer)."""
    return not attributes or attributes[0] in _HTML_SPACE or attributes[0] == "/"


# How an element came on the stack in _scan: read as HTML reads it, or only because foreign content may be open.
_PLAIN, _BARRIER, _PHANTOM = 0, 1, 2
_NONE_OPEN = 1 << 62


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


# The elements TREE_DEPTH levels below a tree's root that hold an element: one path, read by libxml2 in C,
# level by level (on a page nesting 30 levels the steps past the 30th read nothing).
_TOO_DEEP = lxml.etree.XPath("*/" * (TREE_DEPTH - 1) + "*[*]")


def bound_tree(root: lxml.etree._Element) -> int:
    """Leave out the tags more than :data:`TREE_DEPTH` levels below ``root``, their text kept; return at how many elements.

    The backstop after a parse, for what the reading before it misses: a
    shape whose end tags a parser reads otherwise (libxml2 keeps a ``<div>``
    open past ``</section>``, lexbor reopens formatting elements) can build a
    tree deeper than the reading said, and Python's walks of a tree recurse.
    Below that level the tags go and their text stays (``strip_tags``, in C),
    as :func:`limit_depth` leaves them out. Cheap when nothing is that deep.
    """
    cut = 0
    for element in _TOO_DEEP(root):
        cut += 1
        lxml.etree.strip_tags(element, "*")
    return cut


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
# findall makes one string per tag, no tuple, on a page without SVG or MathML;
# on one with them a second group holds a tag's attributes (to see "/>"), and
# the first holds "![CDATA[" for a CDATA section (a bogus comment in HTML). The raw-text names are tried only after a
# tag whose first letter one of them has (a lookahead: most tags are tried against none).
# A tag's attributes are read as _ATTRIBUTES reads them, quoted values and all (a ">" or "<" in a
# quote does not end the tag); on a page with SVG or MathML the name stops at a "<" so that the
# raw-text lookbehinds below see only a name the tag begins with, and a name holding one goes to _scan.
# Raw text whose "<"s all open CDATA sections closed before its end tag: text in HTML and in SVG alike.
_CDATA = r"<!\[CDATA\[(?:[^\]<]++|\](?!\]>)|<(?!(?ai:/{name}[\t\n\f\r />])))*+\]\]>[^<]*+"
_RAW_ELEMENT = "|".join(
    rf"(?ai:{name})(?={_NAME_END}){_ATTRIBUTES}(?:>|\Z)[^<]*+(?:{_CDATA.format(name=name)})*+(?=(?ai:</{name}{_NAME_END})|\Z)"
    for name in sorted(_RAW_TEXT)
)
# Raw text that holds a "<" (and <plaintext> followed by one) is markup inside SVG or MathML: its name
# is the token, after the generic tag's name, picked by a lookbehind (after a name whose last two letters could end one of
# theirs: most tags, "a" and "p" among them, try none), so that _depth can tell it from a comment.
_RAW_MARKUP = "|".join(
    rf"(?<=<(?ai:{name}))(?={_NAME_END}){_ATTRIBUTES}(?:>|\Z)[^<]*+(?:<(?!(?ai:/{name}{_NAME_END}))[^<]*+)*+"
    for name in sorted(_RAW_TEXT)
)
_RAW_LAST2 = "".join(sorted({name[-2] for name in _RAW_TEXT | {"plaintext"}}))
_RAW_LAST = "".join(sorted({name[-1] for name in _RAW_TEXT | {"plaintext"}}))
_RAW_FIRSTS = "".join(sorted({name[0] for name in _RAW_TEXT | {"plaintext"}}))
_PAGE_TOKEN = re.compile(
    f"<(?:{_COMMENT_REST}"
    f"|(?=[{_RAW_FIRSTS}{_RAW_FIRSTS.upper()}])(?:{_RAW_ELEMENT}"
    rf"|(?ai:plaintext)(?={_NAME_END}){_ATTRIBUTES}(?:>|\Z)[^<]*+\Z)|(/?[A-Za-z][^{_HTML_SPACE}/<>]*+|!\[CDATA\[)"
    rf"(?:(?<=[{_RAW_LAST2}{_RAW_LAST2.upper()}][{_RAW_LAST}{_RAW_LAST.upper()}])(?:{_RAW_MARKUP}|(?<=<(?ai:plaintext))(?={_NAME_END}){_ATTRIBUTES}(?:>|\Z).*+)"
    rf"|(?<=<!\[CDATA\[)[^>]*+(?:>|\Z)|({_ATTRIBUTES})(?:>|\Z))|(?:[!?]|/(?![A-Za-z>]))[^>]*+(?:>|\Z))",
    re.DOTALL,
)
# A page without an <svg> or <math> tag is read by the simpler tokens alone (raw text is text there):
# the lookbehinds and CDATA runs above cost a third more time per tag.
_HTML_RAW_ELEMENT = "|".join(
    rf"(?ai:{name})(?={_NAME_END}){_ATTRIBUTES}(?:>|\Z)[^<]*+(?:<(?!(?ai:/{name}{_NAME_END}))[^<]*+)*+"
    for name in sorted(_RAW_TEXT)
)
_HTML_PAGE_TOKEN = re.compile(
    f"<(?:{_COMMENT_REST}"
    f"|(?=[{_RAW_FIRSTS}{_RAW_FIRSTS.upper()}])(?:{_HTML_RAW_ELEMENT}"
    rf"|(?ai:plaintext)(?={_NAME_END}){_ATTRIBUTES}(?:>|\Z).*+)|(/?{_NAME}){_ATTRIBUTES}(?:>|\Z)|(?:[!?]|/(?![A-Za-z>]))[^>]*+(?:>|\Z))",
    re.DOTALL,
)
# What the one-call reading never puts on the stack: raw text (its name is a token only when it holds a "<").
_NOT_OPENED = _VOID | _IMPLIED_END | _RAW_TEXT | {"plaintext"}


def _depth(html: str) -> int:
    """Return what ``_scan(html, None)[0]`` returns, from the page's tags read in one regex call.

    Every page goes through this before any parser, so it is the fast path:
    only a page that nests too deep is scanned again to be flattened. A page
    with an ``<svg>`` or ``<math>`` tag is read by :func:`_foreign_depth`.
    """
    if _FOREIGN_START.search(html):
        return _foreign_depth(html)
    stack: list[str] = []
    deepest = 0
    skip = _NOT_OPENED
    for tag in _HTML_PAGE_TOKEN.findall(html):
        if not tag:  # comment, doctype, processing instruction, raw text
            continue
        if tag[0] == "/":
            name = tag[1:].lower()
            if stack and stack[-1] == name:  # the usual case: it closes the innermost element
                stack.pop()
            elif name not in skip:  # what is never on the stack ("</p>", "</li>") has nothing to look for
                _close(stack, name)
        elif (name := tag.lower()) not in skip:
            stack.append(name)
            if len(stack) > deepest:
                deepest = len(stack)
    return deepest


def _closed_from(stack: list[str], name: str) -> int:
    """The stack index an end tag for ``name`` closes from (past the end if it closes nothing), as _scan reads it."""
    if name == "form":  # lexbor leaves open what a form holds and the form with it: read the same
        return len(stack)
    stop = _SCOPE_EDGES if name in _SPECIAL else _SPECIAL
    top = len(stack) - 1
    for index in range(top, max(top - _END_SEARCH, -1), -1):
        if stack[index] == name:
            return index
        if stack[index] in stop:
            break  # ignored, as parsers ignore it
    return len(stack)


def _close(stack: list[str], name: str) -> None:
    """Close what an end tag for ``name`` closes (see _closed_from), and reopen the formatting elements above it."""
    index = _closed_from(stack, name)
    if index < len(stack):
        stack[index:] = (
            () if stack[index] in _MARKERS else [above for above in stack[index + 1 :] if above in _FORMATTING]
        )


def _plain_above(stack: list[str], root: int) -> bool:
    """Whether nothing above the <svg> or <math> at ``root`` stops its end tag (a special element, another root)."""
    return not any(name in _SPECIAL or name in _FOREIGN_ROOTS for name in stack[root + 1 :])


def _foreign_depth(html: str) -> int:
    """:func:`_depth` of a page with an ``<svg>`` or ``<math>`` tag.

    Inside an open ``<svg>`` or ``<math>`` the fast path reads plain nesting
    and self-closing tags ("<path/>" opens nothing there) only, and an end
    tag of the lowest ``<svg>`` or ``<math>`` that closes plain elements: at
    the first tag there that foreign content reads otherwise (raw text
    holding a "<", a CDATA section, a void or implied-end element, a breakout
    tag, a tag in an integration point, another end tag that does not close
    the innermost element) it hands the page to :func:`_scan`, which models
    them.
    """
    stack: list[str] = []
    deepest = 0
    skip = _NOT_OPENED
    # The stack index of the lowest open <svg> or <math>; past the end while none is.
    foreign = _NONE_OPEN
    for tag, attributes in _PAGE_TOKEN.findall(html):
        if not tag:  # comment, doctype, processing instruction, raw text without "<": the same in SVG
            continue
        if attributes[:1] == "<":  # a name holding "<" ("<span<div>"): the raw-text lookbehinds cannot see it
            return _scan(html, None)[0]
        if tag[0] == "/":
            name = tag[1:].lower()
            if stack and stack[-1] == name:  # the usual case: it closes the innermost element
                stack.pop()
                if len(stack) <= foreign:
                    foreign = _NONE_OPEN
            elif len(stack) > foreign:
                if name in _FOREIGN_ROOTS and stack[foreign] == name and _plain_above(stack, foreign):
                    del stack[foreign:]  # "</svg>" past an unclosed "<use>": as _scan closes it, no root left open
                    foreign = _NONE_OPEN
                elif name not in _RAW_TEXT:  # the end of raw text read as text, never open: it closes nothing
                    return _scan(html, None)[0]  # what else it closes, and what parsers may close, is _scan's
            elif name not in skip:
                _close(stack, name)
        elif tag[0] == "!":  # "<![CDATA[": text in foreign content, a bogus comment in HTML
            if len(stack) > foreign:
                return _scan(html, None)[0]
        elif len(stack) > foreign:
            name = tag.lower()
            # An integration point's text (<desc>, <mi>) reads the same; a tag in it is read as HTML reads it.
            if name in skip or name in _BREAKOUT or stack[-1] in _INTEGRATION:
                return _scan(html, None)[0]
            if name in _FOREIGN_ROOTS and not _ends_name(attributes):
                return _scan(html, None)[0]
            if _closes_itself(attributes):  # "<path/>", "<g/>": closed in foreign content
                continue
            stack.append(name)
            if len(stack) > deepest:
                deepest = len(stack)
        elif (name := tag.lower()) not in skip:
            if name in _FOREIGN_ROOTS:
                if not _ends_name(attributes):
                    return _scan(html, None)[0]
                if _closes_itself(attributes):  # "<svg/>" closes itself in HTML too
                    continue
                foreign = len(stack)
            stack.append(name)
            if len(stack) > deepest:
                deepest = len(stack)
    return deepest


# Pessimistic reading (see _scan): tags only, a comment's "<!--" read as nothing.
_TAG = re.compile(rf"<(/?)({_NAME})({_ATTRIBUTES})(?:>|\Z)")


# Raw text as _RAW_ELEMENT takes it without a token: text and closed CDATA sections only.
_TEXT_ONLY = re.compile(r"[^<]*+(?:<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+\]\]>[^<]*+)*+")


def _foreign_kind(html: str, name: str, position: int) -> int | None:
    """How a start tag met while an ``<svg>`` or ``<math>`` is on the stack is read, or None for pessimism.

    The stack over-reads what is open (an end tag is ignored where a parser
    may close, never the reverse), so the parser may be in foreign content
    or back in HTML: each answer holds whichever it is. A breakout tag opens
    an HTML element that end tags must not close through (the parser has
    popped the SVG below it). A void or implied-end element nests in foreign
    content and not in HTML: it is opened, to be closed only by its own end
    tag on top of the stack. Raw text of text and closed CDATA sections is
    text either way (_PLAIN: read as HTML reads it). Raw text holding any
    other "<" is markup to one reading and text (with its own comments) to
    the other: no single reading bounds both, so the rest of the page is
    read pessimistically (None).
    """
    if name in _BREAKOUT:  # a void one ("<br>") too: it stays on the stack, a mark where foreign content ended
        return _BARRIER
    if name in _RAW_TEXT or name == "plaintext":  # text up to its end tag (<plaintext>: to the end), or markup
        raw_end = _RAW_END[name].search(html, position) if name in _RAW_TEXT else None
        text = _TEXT_ONLY.fullmatch(html, position, raw_end.start() if raw_end else len(html))
        return _PLAIN if text else None
    return _PHANTOM if name in _VOID or name in _IMPLIED_END else _PLAIN


def _on_sure(stack: list[tuple[str, bool, int, bool]], trusted_from: int) -> bool:
    """Whether the innermost element read is one parsers hold open as foreign content (see _scan)."""
    return len(stack) > trusted_from and stack[-1][3]


def _scan(html: str, max_depth: int | None) -> tuple[int, str]:
    """Walk the tags of ``html``; return the deepest nesting and, given ``max_depth``, the flattened text."""
    # (tag name, kept, kind: _PLAIN, _BARRIER or _PHANTOM, sure: a foreign element outside integration points)
    stack: list[tuple[str, bool, int, bool]] = []
    kept_depth = 0
    deepest = 0
    pieces: list[str] = []
    copied = 0  # html[:copied] is in pieces (less the tags left out)
    position = 0
    length = len(html)
    roots: list[int] = []  # the stack indices of the open <svg> and <math> elements
    stops: list[int] = []  # the stack indices of the elements an ordinary end tag stops at
    # The elements below this stack index may be closed in the parsers (an end tag, a breakout tag met in
    # foreign content): not "sure", though they say so. A self-closing tag on a sure element closes itself.
    trusted_from = 0
    token = _TOKEN
    pessimistic = False
    while position < length:
        match = token.search(html, position)
        if match is None:
            break
        position = match.end()
        name = (match.group(2) or "").lower()
        if not name:  # comment, doctype, processing instruction
            if roots and html.startswith("<![CDATA[", match.start()):
                # Text up to "]]>" to lexbor in foreign content; to libxml2 (which knows no foreign content) a
                # bogus comment up to the first ">" (this token), then markup. Without a "<" between the two
                # ends both read no tag in it; with one, no single reading bounds both (see _foreign_kind).
                end = html.find("]]>", match.start())
                end = length if end < 0 else end + 3
                if html.find("<", position, end) < 0:
                    position = end
                else:
                    pessimistic, token = True, _TAG
            continue
        keep = True
        kind = _PLAIN
        if pessimistic:
            # Past raw text that is markup or text, nothing closes and every start tag but a void breakout
            # opens: more than either reading opens, so the bound holds whichever the parser took.
            if match.group(1) or name in _NEVER_OPEN:
                continue
        elif match.group(1):  # an end tag: close up to its element, if it is near the top and nothing stops it
            closed_top = False
            stop = _SCOPE_EDGES if name in _SPECIAL else _SPECIAL
            top = len(stack) - 1
            # "</svg>" closes the innermost <svg> however deep (parsers close it through any SVG element)
            # unless something stops it: a chart of 300 "<path/>", read as open, does not leave it open.
            if roots and stack[roots[-1]][0] == name and (not stops or stops[-1] < roots[-1]):
                bottom = roots[-1] - 1
            else:
                bottom = max(top - _END_SEARCH, -1)
            for index in range(top, bottom, -1):
                entry, kept, entry_kind, _ = stack[index]
                if entry == name and (entry_kind != _PHANTOM or index == top):
                    keep = kept
                    closed_top = index == top
                    kept_depth -= sum(1 for _, kept, _, _ in stack[index:] if kept)
                    # Formatting elements it closes above its own are reopened (see _FORMATTING): as HTML, past
                    # its end tag, and as left out as they were (a <b> left out is on no parser's list). Not
                    # past "</svg>": what it closes is SVG ("<svg><a>" is SVG's <a>) or a breakout tag's barrier.
                    reopened = (
                        []
                        if entry in _MARKERS or entry in _FOREIGN_ROOTS
                        else [above for above in stack[index + 1 :] if above[0] in _FORMATTING]
                    )
                    del stack[index:]
                    while roots and roots[-1] >= index:
                        roots.pop()
                    while stops and stops[-1] >= index:
                        stops.pop()
                    for above, kept, above_kind, _ in reopened:
                        if above_kind:
                            stops.append(len(stack))
                        stack.append((above, kept, above_kind, False))
                        kept_depth += kept
                    break
                if entry_kind or entry in stop or name == "form":
                    break
            # In foreign content parsers close by other rules ("</p>" ends it, "</g>" passes an SVG <mi>):
            # past an end tag that did not close the innermost element, none open is sure. The end of raw
            # text (read as text, never open) closes nothing in the parsers either.
            if closed_top or not roots or name in _RAW_TEXT:
                trusted_from = min(trusted_from, len(stack))
            else:
                trusted_from = len(stack)
            name = ""
        elif name in _FOREIGN_ROOTS and _ends_name(match.group(3)) and _closes_itself(match.group(3)):
            name = ""  # "<svg/>" and "<math/>" close themselves, in HTML and in foreign content
        elif (
            roots
            and name not in _BREAKOUT
            and name not in _RAW_TEXT
            and name != "plaintext"
            and _closes_itself(match.group(3))
        ):
            # A self-closing tag closes itself in foreign content and opens an element in HTML (or in an
            # integration point): where the reading is not sure which, the element is read as open and as
            # closed by nothing but its own end tag ("<svg><path/><g></path>" leaves the <g> open).
            if _on_sure(stack, trusted_from):
                # Left out with the element it is in: past a left-out <svg> it would open an HTML element.
                name, keep = "", stack[-1][1]
            else:
                kind = _PHANTOM
        elif roots and (found := _foreign_kind(html, name, position)) != _PLAIN:
            if found is None:
                pessimistic, token = True, _TAG
            else:
                kind = found
        elif name == "plaintext":
            break
        elif name in _RAW_TEXT:
            raw_end = _RAW_END[name].search(html, position)
            position = raw_end.start() if raw_end else length
            name = ""
        elif name in _VOID or name in _IMPLIED_END:
            name = ""
        if name:  # a start tag that opens an element
            if name in _FOREIGN_ROOTS:
                roots.append(len(stack))
                sure = _ends_name(match.group(3))
            else:
                sure = kind == _PLAIN and name not in _INTEGRATION and _on_sure(stack, trusted_from)
            if kind == _BARRIER:  # parsers closed the foreign elements below it
                trusted_from = len(stack)
            if kind or name in _SPECIAL:
                stops.append(len(stack))
            keep = max_depth is None or kept_depth < max_depth
            stack.append((name, keep, kind, sure))
            kept_depth += keep
            deepest = max(deepest, len(stack))
        if not keep:
            pieces.append(html[copied : match.start()])
            copied = match.end()
    if not pieces:
        return deepest, html
    pieces.append(html[copied:])
    return deepest, "".join(pieces)
