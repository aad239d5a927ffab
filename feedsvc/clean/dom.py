"""The tree the cleaner works on, and the words every stage reads and cuts it with.

Pure; a leaf of ``feedsvc.clean``: it imports nothing from the package but
the policy (data), and every stage may import it. :func:`parse` makes the
tree (one ``lxml.html`` document, nested as a browser would nest it); the
rest reads it (:func:`text_of`, :func:`text_content`, :func:`text_chars`, :func:`paragraph_chars`, :func:`is_hidden`,
:func:`is_within`, :func:`is_leaf_block`, :func:`leaf_blocks`, the class/id signals) or cuts it
(:func:`remove`, which tells a :class:`RemovalRecorder` why).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean.policy import (
    BLOCK_TAGS,
    BOILERPLATE_PAIRS,
    BOILERPLATE_WORDS,
    CONTENT_WORDS,
    FILE_NAME_ALT,
    PLACEHOLDER_ALT,
)
from feedsvc.html_depth import bound_tree, is_depth_limited, limit_depth
from feedsvc.text import unspaced_chars, xml_safe, xml_safe_utf8

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode

try:  # selectolax is a declared dependency; without it, lxml parses alone.
    from selectolax.lexbor import LexborHTMLParser
except ImportError:  # pragma: no cover
    LexborHTMLParser = None  # type: ignore[assignment,misc]

__all__ = [
    "CODE_TAGS",
    "DISABLED",
    "HEADING_TAGS",
    "JSONLD_TYPE",
    "RULES",
    "RemovalRecorder",
    "alt_says_nothing",
    "ancestor_counts",
    "block_holders",
    "bounded_trees",
    "class_and_id",
    "class_signal",
    "class_words",
    "collapsed",
    "elements_within",
    "forget_class_words",
    "furniture_word",
    "has_block_child",
    "hidden_by_style",
    "holders_of",
    "in_code",
    "is_hidden",
    "is_leaf_block",
    "is_within",
    "leaf_blocks",
    "letters_and_digits",
    "may_match",
    "paragraph_chars",
    "parse",
    "plain_html_parser",
    "quote_of",
    "remove",
    "shared_texts",
    "shown_on_click",
    "space_line_breaks",
    "text_chars",
    "text_content",
    "text_of",
    "tree_of",
    "well_nested",
]

_LOGGER = logging.getLogger(__name__)

HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())

# The generic rule of the tree itself, switched off (as the stages' rules) through DISABLED,
# a module global that bench/extraction.py --ablate and the tests alone set.
RULES: dict[str, str] = {
    "break_spaces": "a <br> reads as a space: text on either side of a line break is two words, not one",
    "short_heading_slugs": "a heading of 1-3 words whose id is its slug names a section when a word of it is no class word",
    "anchor_in_heading": "an element inside a heading whose id is the heading's slug (a contents plugin's anchor) names it",
    "script_text": "a <script>'s code (JSON-LD aside) and a <style>'s rules are dropped as the page is parsed: no count reads them",
}
DISABLED: frozenset[str] = frozenset()

# --- making the tree -----------------------------------------------------


def plain_html_parser() -> lxml.html.HTMLParser:
    """Return a UTF-8 HTML parser that makes every element a plain ``HtmlElement`` (the cleaner's and sanitise's).

    huge_tree: libxml2 drops a whole document nested deeper than 256 levels without it (2048 with it);
    limit_depth keeps every page well under that. It never loads a DTD or expands an entity a page
    declares (tests/integration/test_hostile_content.py). Plain elements: lxml.html's default lookup calls
    Python for each element to pick form/input subclasses the cleaner never uses, a tenth of the cleaning time.
    No table of ids (collect_ids): nothing looks an element up by id through it (the XPath searches read the
    attribute), and building it is a twentieth of the parse.
    """
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True, collect_ids=False
    )
    parser.set_element_class_lookup(
        lxml.etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = plain_html_parser()
# Void elements libxml2 (which predates HTML5) does not know: it would nest what
# follows inside them, and an <embed> dropped later would take the article's
# next paragraphs with it. lexbor's serialisation gets an explicit end tag for
# each, where it is markup: not in a comment, nor in the raw text of an element
# both parsers read as text up to its end tag ("<xmp>Use <embed src=x> here</xmp>"
# shows those words; an end tag there would be shown too). lexbor writes
# markup names in lower case, escapes "<" and ">" in attribute values, ends
# a raw text at the first "</name>" and lets <plaintext> run to the end of
# the page, so each of these is one match. Most pages (four in five) have no
# such void tag at all, found by the cheaper _HTML5_VOID_TAG alone.
_HTML5_VOID_TAG = re.compile(r"<(embed|source|track|wbr|keygen)(?:\s[^<>]*)?>")
_HTML5_VOID = re.compile(
    rf"{_HTML5_VOID_TAG.pattern}|<!--.*?-->"
    r"|<(script|style|xmp|iframe|noembed|noframes)(?=[\s>])[^>]*+>[^<]*+(?:<(?!/\2>)[^<]*+)*+"
    r"|<plaintext(?=[\s>]).*+",
    re.DOTALL,
)


def _void_closed(match: re.Match[str]) -> str:
    """Return an ``_HTML5_VOID`` match with an end tag if it is a void element, as it is if it is text."""
    name = match.group(1)
    return f"{match.group()}</{name}>" if name else match.group()


def parse(html: str) -> HtmlElement | None:
    """Return the document tree of ``html`` (fragments get an html/body around them), or None.

    libxml2's HTML parser predates HTML5 and mis-nests real pages (an
    unclosed ``<button>`` can swallow the whole article), so the markup is
    first put through lexbor, an HTML5-conformant parser, and its
    well-nested serialisation is what lxml reads (:func:`well_nested`, then
    :func:`tree_of`: a caller that needs the page's tree twice keeps the
    first step's result). Together they still cost a fraction of a
    BeautifulSoup parse.
    """
    return tree_of(well_nested(html))


def well_nested(html: str) -> bytes:
    """Return ``html`` as the UTF-8 markup :func:`tree_of` reads: nested as a browser nests it, no deeper than a limit.

    Elements nested deeper than ``feedsvc.html_depth.MAX_DEPTH`` are first
    put beside each other, as browsers do, since both parsers slow down
    with the square of the depth. What ``feedsvc.text.xml_safe`` removes is
    removed first (a quick test first: most pages hold none). Markup that
    ``limit_depth`` already bounded (the loader's) is not scanned again.
    Then lexbor parses it as a browser that runs scripts does, every
    ``<script>`` but JSON-LD and every ``<style>`` loses its text
    (``script_text``), every ``<noscript>`` goes, and it serialises its tree
    (void elements libxml2 does not know get an end tag, a ``<plaintext>``
    is written as a ``<pre>``).
    """
    # The page's UTF-8, from the encoding that tests it (lexbor reads UTF-8: a str it would encode
    # again), while the text it encodes is the text lexbor is to read.
    data = xml_safe_utf8(html)
    text = html if data is not None else xml_safe(html)
    if not (text is html and is_depth_limited(html)):
        limited = limit_depth(text)[0]
        if limited != text:  # nested too deep: flattened
            data = None
        text = limited
    if LexborHTMLParser is not None:
        try:
            # Scripting on, as in the browser a reader uses: a <noscript> is raw text up to its end
            # tag (as feedsvc.html_depth reads it), never shown, and goes. Read as markup instead,
            # the text of one in <head> (an escaped tracking pixel) lands at the top of the body.
            parsed = LexborHTMLParser(text if data is None else data, scripting=True)
            templates = _template_contents(parsed) if _TEMPLATE_TAG.search(text) else []
            if "script_text" not in DISABLED:
                _drop_script_text(parsed, templates)
            if _NOSCRIPT_TAG.search(text):
                _drop_noscripts(parsed, templates)
            text = parsed.html or text
            if "<plaintext" in text:  # rare: written again
                _plaintext_as_pre(parsed)
                text = parsed.html or text
            if _HTML5_VOID_TAG.search(text):
                text = _HTML5_VOID.sub(_void_closed, text)
        except Exception:
            _LOGGER.debug("lexbor could not parse the page; using lxml alone", exc_info=True)
    return text.encode("utf-8", errors="replace")


# Whether a page may hold a <noscript> or a <template> start tag, in any case (as fast as two
# substring searches): most pages hold no template, and a third none of either.
_NOSCRIPT_TAG = re.compile("<noscript", re.IGNORECASE)
_TEMPLATE_TAG = re.compile("<template", re.IGNORECASE)


# A <script> whose type says JSON-LD: structured data the stages read (the articleBody of
# feedsvc.clean.jsonld), kept with its text; matched as that module always matched it.
JSONLD_TYPE = re.compile(r"ld\+json", re.IGNORECASE)


def _template_contents(parsed: LexborHTMLParser) -> list[LexborNode]:
    """Return the content of every ``<template>`` of ``parsed``, those inside another's content too.

    A template's content is a fragment of its own, out of reach of the
    page's ``css`` and ``tags``; lexbor still writes it inside the
    ``<template>``, and lxml reads it as the template's children. Pruning
    drops every template, but the counts before it (the page's paragraph
    text that the doubts weigh the article against) read what it holds.
    """
    contents: list[LexborNode] = []
    roots: list[LexborHTMLParser | LexborNode] = [parsed]
    while roots:
        found = roots.pop().template_fragments()
        contents.extend(found)
        roots.extend(found)
    return contents


def _drop_script_text(parsed: LexborHTMLParser, templates: Sequence[LexborNode]) -> None:
    """Empty every ``<script>`` of ``parsed`` but JSON-LD, and every ``<style>``: the elements stay, their text goes.

    A reader never sees a script's code or a style's rules, yet lxml's text
    of an element holds them: a <p> with an inline script was counted as
    that many characters of paragraph text by ``paragraph_chars`` (the
    page's text that the doubts weigh the article against), a container's
    length by ``text_chars``. They are also nearly half of a page's bytes:
    lexbor writes them, lxml parses them and the stages carry them until
    pruning drops them. The elements themselves stay, so pruning still
    says "<script> is never article text" and the report finds every
    element where the page had it. Those in the content of a ``<template>``
    (``templates``, from :func:`_template_contents`) are emptied as well.
    """
    nodes = itertools.chain(
        parsed.tags("script"), parsed.tags("style"), *(content.css("script, style") for content in templates)
    )
    for node in nodes:
        child = node.first_child
        # A script that loads its code from a URL (a third of them) holds none: its attributes are not read.
        if child is None or (node.tag == "script" and JSONLD_TYPE.search(node.attributes.get("type") or "")):
            continue
        while child is not None:
            following = child.next
            child.decompose()
            child = following


def _drop_noscripts(parsed: LexborHTMLParser, templates: Sequence[LexborNode]) -> None:
    """Remove every ``<noscript>`` of ``parsed`` and of the content of its ``<template>``s (``templates``).

    lexbor writes a noscript's text as it came; lxml, which knows no
    scripting, reads it as markup: one left in a template (whose content
    ``css`` does not reach) with "<style>" in its text took the rest of the
    page with it.
    """
    roots: list[LexborHTMLParser | LexborNode] = [parsed, *templates]
    for root in roots:
        for node in root.css("noscript"):
            node.decompose()


def _plaintext_as_pre(parsed: LexborHTMLParser) -> None:
    """Make each ``<plaintext>`` of ``parsed`` a ``<pre>`` holding what it holds.

    A browser shows everything after ``<plaintext>`` to the end of the page
    as typed, in a block drawn as a ``<pre>`` is. lexbor writes its text as
    it came and then its end tag and those of the elements around it, all of
    which lxml (reading a plaintext to the end of the document, as a browser
    does) takes as more text: readers saw "</plaintext></body></html>" after
    the article's last line, and text under a ``<b>`` the parser reopened
    inside it escaped twice. In a ``<pre>`` its text is written escaped, and
    lxml reads it back as the same text.
    """
    for node in parsed.css("plaintext"):
        pre = parsed.create_node("pre")
        for name, value in node.attributes.items():
            pre.attrs[name] = value or ""
        child = node.first_child
        while child is not None:
            pre.insert_child(child)  # a copy
            child = child.next
        node.replace_with(pre)


# Whether tree_of bounds the trees it builds (html_depth.bound_tree): only within bounded_trees().
_BOUNDED: ContextVar[bool] = ContextVar("feedsvc_clean_bounded", default=False)


@contextmanager
def bounded_trees() -> Iterator[None]:
    """Within the block, every tree :func:`tree_of` builds is cut to ``html_depth.TREE_DEPTH`` levels before it is read.

    The backstop for a page that lexbor nests deeper than the depth reading
    before it said (a shape the reading misses): the stages' walks recurse,
    and such a tree ends in a ``RecursionError``. Checking every tree costs
    about 0.2 ms (an XPath walk of its levels); a page cleaned again within
    this block after that error costs nothing on every other page.
    """
    token = _BOUNDED.set(True)
    try:
        yield
    finally:
        _BOUNDED.reset(token)


def tree_of(markup: bytes) -> HtmlElement | None:
    """Return the lxml tree of :func:`well_nested`'s ``markup``, or None: a new tree at each call."""
    try:
        root = lxml.html.document_fromstring(markup, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None
    if _BOUNDED.get():
        bound_tree(root)
    if "break_spaces" not in DISABLED:
        space_line_breaks(root)
    return root


def space_line_breaks(root: HtmlElement) -> None:
    """Give every ``<br>`` of ``root`` a space as its text, so that the text read from the tree has a space there.

    A tree's text (``text_content``, ``itertext``, what every stage, the
    scorer's features and the summary read) joins the text before and after a
    ``<br>`` with nothing between: "2026<br>Location" read "2026Location", one
    word, in lengths, word counts, patterns (a byline "By Jane Doe<br>Staff
    writer") and the scorer's features and labels. A browser shows a line
    break there, a reader two words. The HTML serialiser writes a ``<br>``
    without content, so the space is in what is read, never in what is
    published (an element libxml2's HTML tables declare empty).
    """
    for br in root.iter("br"):
        br.text = " "


# --- reading it ----------------------------------------------------------


# The texts text_of has read while shared_texts is on, by element (None: off). Stage 3's
# passes read the same leaf blocks' texts again and again (five or six times each) and
# change the tree only through remove(), which forgets the texts that a removal changes.
# A context variable, so each thread (the build cleans pages in parallel) has its own.
_TEXTS: ContextVar[dict[HtmlElement, str] | None] = ContextVar("feedsvc_clean_texts", default=None)
# The innermost blocks leaf_blocks has listed while shared_texts is on, by root (None: off). The
# same passes list the article's leaf blocks six times a page, three in five of them with nothing
# removed since the last listing; remove() forgets them all (a cut can make a block a leaf).
_LEAVES: ContextVar[dict[HtmlElement, list[HtmlElement]] | None] = ContextVar("feedsvc_clean_leaves", default=None)


@contextmanager
def shared_texts() -> Iterator[None]:
    """Within the block, :func:`text_of` reads each element's text once and keeps it, and :func:`leaf_blocks` each root's blocks.

    Only for passes that change the tree through :func:`remove` alone (it
    forgets the text of every ancestor of what it removes, and every list of
    leaf blocks) and rename elements only from one block tag to another: a
    text or a leaf changed any other way would be read stale.
    """
    token = _TEXTS.set({})
    leaves_token = _LEAVES.set({})
    try:
        yield
    finally:
        _LEAVES.reset(leaves_token)
        _TEXTS.reset(token)


def text_content(el: HtmlElement) -> str:
    """Return ``el.text_content()`` as a plain ``str``: the same text, at half the cost.

    lxml's method runs an XPath ``string()`` per call; serialising the text
    nodes is done in C without one, and stages read thousands of texts a page.
    An element without children (most paragraphs and links) holds only its
    own text, read without a serialisation (an entity node's ``text`` is its
    reference, not the character: serialised as before).
    """
    if not len(el) and not isinstance(el, lxml.etree._Entity):
        return el.text or ""
    return str(lxml.etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def text_of(el: HtmlElement) -> str:
    """Return the text of ``el`` with white space collapsed."""
    texts = _TEXTS.get()
    if texts is None:
        return collapsed(text_content(el))
    found = texts.get(el)
    if found is None:
        found = texts[el] = collapsed(text_content(el))
    return found


def text_chars(el: HtmlElement) -> int:
    """Return how many characters of ``el``'s text are not white space: ``len(text_of(el))`` less its spaces.

    What a pass asks of a container when it weighs its links or compares its
    length: counted from the UTF-8 text lxml serialises, without a ``str``
    of it, a split and a join. Collapsing a container's text (its runs of
    white space, word by word) costs three times the count; inside
    :func:`shared_texts` a text read already is counted, not read again.
    """
    texts = _TEXTS.get()
    if texts is not None:
        found = texts.get(el)
        if found is not None:
            return len(found) - found.count(" ")  # text_of's only spaces are those between words
    if not len(el) and not isinstance(el, lxml.etree._Entity):
        return unspaced_chars((el.text or "").encode("utf-8"))
    return unspaced_chars(lxml.etree.tostring(el, method="text", encoding="utf-8", with_tail=False))


def collapsed(text: str) -> str:
    """Return ``" ".join(text.split())``: ``text`` with its runs of white space one space, none at either end.

    Most texts of a page (three in four) are that already: a printable text
    holds no white space but ASCII spaces (``str.split`` splits on control
    and separator characters, which are not printable), so without two
    spaces in a row or one at either end it is returned as it is, unsplit.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def letters_and_digits(text: str) -> str:
    """Return ``text`` case-folded, with only its letters and digits: how titles and headings are compared."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def may_match(text: str, keys: tuple[str, ...]) -> bool:
    """Return False only when no case-insensitive policy pattern whose every match holds one of ``keys`` can match ``text``.

    ``keys`` are case-folded literals (``policy.PROMPT_CUE_KEYS``...): a
    substring test of the folded text is many times cheaper than the
    pattern's search, and most blocks hold none. IGNORECASE reads the dotless
    and the dotted capital I as "i", which ``casefold`` does not: a text
    holding either (or the dot ``casefold`` leaves) is always searched.
    """
    folded = text.casefold()
    for key in keys:  # a loop, not any() over a generator: asked of every block by several passes
        if key in folded:
            return True
    return "\u0131" in folded or "\u0307" in folded


def paragraph_chars(el: HtmlElement) -> int:
    """Return how many characters of text ``el`` holds in <p> elements."""
    total = len(text_content(el)) if el.tag == "p" else 0
    for p in el.iter("p"):
        if p is not el:
            total += len(text_content(p))
    return total


def has_block_child(el: HtmlElement) -> bool:
    """Return True if a child of ``el`` is a block element (``policy.BLOCK_TAGS``)."""
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el)


def is_leaf_block(el: HtmlElement) -> bool:
    """Return True for an innermost block: a block element with no block anywhere under it.

    Stages read an article as its leaf blocks in page order: one line of text each.
    A block under an inline wrapper (``<p><span><h3>``, as some page builders
    nest them) still makes the outer one a container, not a line.
    """
    return el.tag in BLOCK_TAGS and next(el.iterdescendants(*BLOCK_TAGS), None) is None


def leaf_blocks(root: HtmlElement) -> list[HtmlElement]:
    """Return the innermost blocks under ``root`` (``root`` left out), in page order: its :func:`is_leaf_block` elements.

    Stages read an article this way several times: lxml picks the block
    elements in C, and a block is not innermost exactly when it holds another
    (its nearest block ancestor is found by climbing, usually one step: a
    Python test of each element's descendants costs far more). Within
    :func:`shared_texts` a root's list is made once until the next :func:`remove`;
    each caller gets its own copy.
    """
    known = _LEAVES.get()
    if known is None:
        return _leaf_blocks(root)
    found = known.get(root)
    if found is None:
        found = known[root] = _leaf_blocks(root)
    return list(found)


def _leaf_blocks(root: HtmlElement) -> list[HtmlElement]:
    found = list(root.iter(*BLOCK_TAGS))
    # The list keeps each element's proxy alive, so an ancestor found here is the same object as in it.
    holders = set()
    # Each inline element climbed through, with the block (or root, or None) the climb from it ends at:
    # blocks under a run of inline wrappers share it. Without it a hostile page (a chain of 250 <b>s,
    # thousands of <div>s below it) climbed the whole chain from every block.
    above: dict[HtmlElement, HtmlElement | None] = {}
    for el in found:
        node = el.getparent()
        climbed = []
        while node is not None and node.tag not in BLOCK_TAGS and node is not root:
            if node in above:
                node = above[node]
                break
            climbed.append(node)
            node = node.getparent()
        for passed in climbed:
            above[passed] = node
        holders.add(node)
    return [el for el in found if el is not root and el not in holders]


def block_holders(root: HtmlElement) -> set[HtmlElement]:
    """Return the elements of ``root`` (itself included) with a block element anywhere under them."""
    return holders_of(root, *BLOCK_TAGS)


def holders_of(root: HtmlElement, *tags: str) -> set[HtmlElement]:
    """Return the elements of ``root`` (itself included) with an element of one of ``tags`` anywhere under them.

    One climb from each such element, stopping where an earlier climb passed: linear in the tree.
    The set keeps the elements' proxies alive, so membership tests by identity hold.
    """
    holders: set[HtmlElement] = set()
    for el in root.iter(*tags):
        node = el.getparent() if el is not root else None
        while node is not None and node not in holders:
            holders.add(node)
            if node is root:
                break
            node = node.getparent()
    return holders


# Elements whose text is code or typed input, shown as written: class names in them are a
# highlighter's tokens ("hljs-comment"), and markup in their text is the article's subject.
CODE_TAGS = frozenset("pre code kbd samp tt var textarea xmp".split())


def in_code(el: HtmlElement) -> bool:
    """Return True if ``el`` is a code element or inside one (:data:`CODE_TAGS`)."""
    # A climb by getparent: any() over iterancestors() costs two thirds more (a generator step per ancestor).
    node: HtmlElement | None = el
    while node is not None:
        if node.tag in CODE_TAGS:
            return True
        node = node.getparent()
    return False


def ancestor_counts(elements: Iterable[HtmlElement], top: HtmlElement | None = None) -> dict[HtmlElement, int]:
    """Return how many of ``elements`` each of their ancestors holds, up to ``top`` (counted too) or the root.

    What a rule about runs of like things asks first: the boxes holding three
    dated comments, or three linked card titles, are the candidates.
    """
    holds: dict[HtmlElement, int] = {}
    for el in elements:
        for node in el.iterancestors():
            holds[node] = holds.get(node, 0) + 1
            if node is top:
                break
    return holds


def elements_within(root: HtmlElement) -> set[HtmlElement]:
    """Return the elements under ``root`` now, ``root`` included: :func:`is_within` for many elements at once.

    One walk of the tree, not a climb per element: a climb is as long as the
    tree is deep (up to 256 levels on a hostile page, for each of its blocks).
    Ask it again after a removal. The set keeps the proxies alive, so tests by identity hold.
    """
    return set(root.iter())


def is_within(el: HtmlElement, root: HtmlElement) -> bool:
    """Return True if ``el`` is ``root`` or still under it (not removed with an ancestor earlier)."""
    node: HtmlElement | None = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def quote_of(el: HtmlElement) -> HtmlElement | None:
    """Return the quote ``el`` is a line of, or None.

    The ``<figure>`` around its ``<blockquote>`` (whose ``<figcaption>`` credits
    the quote), else the ``<blockquote>``; for a line outside any
    ``<blockquote>``, the ``<figure>`` around one (the caption).
    """
    quote = next(el.iterancestors("blockquote"), None)
    if quote is not None:
        around = quote.getparent()
        return around if around is not None and around.tag == "figure" else quote
    figure = el if el.tag == "figure" else next(el.iterancestors("figure"), None)
    return figure if figure is not None and next(figure.iter("blockquote"), None) is not None else None


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def is_hidden(el: HtmlElement, shown_on_click: frozenset[str] = frozenset()) -> bool:
    """Return True if ``el`` is marked as not shown to readers.

    A collapsed accordion answer or a tab that is not the first is hidden
    only until a reader clicks its heading: it is article text. Such panels
    are tab panels (``role="tabpanel"``) or elements whose id a control of
    the page names (``shown_on_click``, from :func:`shown_on_click`).
    """
    if el.get("role") == "tabpanel" or (shown_on_click and el.get("id") in shown_on_click):
        return False
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def hidden_by_style(el: HtmlElement) -> bool:
    """Return True if ``el``'s own inline style hides it (``display: none``, ``visibility: hidden``).

    A page's author wrote that style on the element, so the browser never
    shows it until a script changes it; unlike the ``hidden`` attribute
    (which pages streaming their HTML put on text a script moves into place),
    it is not how articles are delivered.
    """
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


_CONTROLS = lxml.etree.XPath("//@aria-controls | //@data-bs-target | //@data-target")


def shown_on_click(root: HtmlElement) -> frozenset[str]:
    """Return the ids of the elements that a control of the page shows or hides when clicked.

    An accordion heading or a tab names its panel in ``aria-controls`` (or
    Bootstrap's ``data-bs-target``/``data-target="#id"``).
    """
    ids: set[str] = set()
    for value in _CONTROLS(root):
        ids.update(name.removeprefix("#") for name in str(value).split())
    ids.discard("")
    return frozenset(ids)


# --- class/id signals ----------------------------------------------------
# Class names and ids are split into words (on anything that is not a letter
# or digit, and on camelCase) and 2-3 word runs, and matched against the
# policy's furniture and content words. Names recur across pages: cached.
# The caches of sets hold one page's names (forget_class_words empties them after each page):
# each entry is a list or frozenset that the cycle collector walks at every full collection,
# and nearly all of their hits are on names seen earlier on the same page (over the 839 dev
# pages, 101,824 of 106,004 hits of class_words). Kept full from page to page, their few
# thousand entries made each full collection about twice as long over the dev pages.

_FURNITURE = BOILERPLATE_WORDS | BOILERPLATE_PAIRS
# The words the furniture and content entries are made of: a name holding none of them
# matches no entry, whatever its runs (most names on a page: their runs are never built).
_SIGNAL_WORDS = frozenset(word for entry in _FURNITURE | CONTENT_WORDS for word in entry.split("-"))
_NAME_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def class_and_id(el: HtmlElement) -> str:
    """Return ``el``'s class and id as one string ("wp-caption-text main-photo"), for a test of the names they hold."""
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def class_words(el: HtmlElement) -> list[frozenset[str]]:
    """Return, per class name and id of ``el``, the set of its words and 2-3 word runs."""
    return _class_words(el.get("class") or "", el.get("id") or "")


@lru_cache(maxsize=2048)
def _class_words(cls: str, ident: str) -> list[frozenset[str]]:
    names = cls.split()
    if ident:
        names.append(ident)
    return [_name_grams(name) for name in names]


def _name_words(name: str) -> list[str]:
    # Most names on a page are seen once, so this runs for each: no camelCase split
    # for an all-lower-case name (nearly all).
    return _NAME_WORD.findall((name if name.islower() else _CAMEL.sub("-", name)).lower())


def _grams(words: list[str]) -> frozenset[str]:
    if len(words) < 2:
        return frozenset(words)
    pairs = [f"{a}-{b}" for a, b in itertools.pairwise(words)]
    triples = [f"{pair}-{c}" for pair, c in zip(pairs, words[2:], strict=False)]
    return frozenset((*words, *pairs, *triples))


@lru_cache(maxsize=4096)
def _name_grams(name: str) -> frozenset[str]:
    return _grams(_name_words(name))


def forget_class_words() -> None:
    """Empty the caches behind :func:`class_words`; ``feedsvc.clean`` does after each page.

    Pure caches: emptied, they answer the same, and a page's lookups hit the
    names it read before. What they held from earlier pages the collector
    walked at every full collection, for the few lookups of names that
    recur from page to page.
    """
    _class_words.cache_clear()
    _name_grams.cache_clear()


# The signals already read, by class name and by (class, id) key: plain dicts of strings to whole
# numbers, which the cycle collector never tracks. An lru_cache is one object it walks link by link
# at every full collection (a quarter of such a collection's time once the caches have filled);
# these are emptied when full instead, and the names of the next pages fill them again.
_NAME_SIGNALS: dict[str, int] = {}
_CLASS_SIGNALS: dict[str, int] = {}
_SIGNALS_MAX = 65536


def _name_signal(name: str) -> int:
    """Return -1 for a furniture class name, +1 for a content one, else 0."""
    found = _NAME_SIGNALS.get(name)
    if found is not None:
        return found
    words = _name_words(name)
    if _SIGNAL_WORDS.isdisjoint(words):
        found = 0
    else:
        grams = _grams(words)
        found = -1 if grams & _FURNITURE else 1 if grams & CONTENT_WORDS else 0
    if len(_NAME_SIGNALS) >= _SIGNALS_MAX:
        _NAME_SIGNALS.clear()
    _NAME_SIGNALS[name] = found
    return found


def class_signal(el: HtmlElement) -> int:
    """Return -1 if ``el``'s class/id marks furniture, +1 if it marks content, else 0.

    A class name is content when it holds a content word and no furniture
    word, so ``entry-content has-sidebar`` is content while
    ``related-content`` is furniture.
    """
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return 0
    signal = _class_signal(cls or "", ident or "")
    if signal < 0 and ident and _name_signal(ident) < 0 and _names_its_heading(el, ident):
        return _class_signal(cls or "", "")
    return signal


# An id made from a heading's words names that heading only when the heading is this long:
# "related-posts" over "Related posts" is a furniture box's label.
_SLUG_MIN_WORDS = 4
# A shorter heading's id names it when it is that heading's own slug and one of its words
# is no class/id signal word and no number: "Membership Discount" (h-membership-discount)
# is a section of the review; "Related content", "Recent comments", "24 comments" are not.
_NUMBER = re.compile(r"[0-9]+")


def _names_its_heading(el: HtmlElement, ident: str) -> bool:
    """Return True if ``ident`` is the slug of ``el``'s own heading (``el`` itself, its first child, or the heading it sits in).

    Documentation and blog tools give each section or heading an id made of
    its title's words: ``id="sharing-with-a-single-developer"`` over "Sharing
    with a single developer", ``id="h-4-select-times-for-social-media"``. Such
    an id says what the section is about, not that it is a share bar; the
    class still counts. Contents plugins put the anchor on an element inside
    the heading (``<h3><span id="A_Alignment_with_Customers_Menu_and_Pricing">``:
    ``anchor_in_heading``).
    """
    heading: HtmlElement | None = el if el.tag in HEADING_TAGS else None
    if heading is None:
        first = next((c for c in el if isinstance(c.tag, str)), None)
        heading = first if first is not None and first.tag in HEADING_TAGS else None
    if heading is None and "anchor_in_heading" not in DISABLED:
        heading = next((a for a in el.iterancestors() if a.tag in HEADING_TAGS), None)
    if heading is None:
        return False
    words = _NAME_WORD.findall(text_content(heading).lower())
    slug, named = "-".join(words), "-".join(_name_words(ident))
    if len(words) >= _SLUG_MIN_WORDS:
        return slug in named or (named.count("-") + 1 >= _SLUG_MIN_WORDS and named in slug)
    return (
        "short_heading_slugs" not in DISABLED
        and el is heading
        and bool(words)
        and named.endswith(slug)
        and any(word not in _SIGNAL_WORDS and not _NUMBER.fullmatch(word) for word in words)
    )


def _class_signal(cls: str, ident: str) -> int:
    # One string key, not a (class, id) tuple: a dict gains a tuple key tracked by the collector
    # and is tracked again itself. No attribute value holds a NUL (lxml's parser reads one as U+FFFD, its API refuses one).
    key = f"{cls}\x00{ident}"
    found = _CLASS_SIGNALS.get(key)
    if found is None:
        if len(_CLASS_SIGNALS) >= _SIGNALS_MAX:
            _CLASS_SIGNALS.clear()
        found = _CLASS_SIGNALS[key] = _class_signal_of(cls, ident)
    return found


def _class_signal_of(cls: str, ident: str) -> int:
    furniture = content = False
    for name in cls.split():
        signal = _name_signal(name)
        furniture = furniture or signal < 0
        content = content or signal > 0
    if ident:
        signal = _name_signal(ident)
        furniture = furniture or signal < 0
        content = content or signal > 0
    if content:
        return 1
    return -1 if furniture else 0


def furniture_word(el: HtmlElement) -> str:
    """Return the class/id word that marks ``el`` as furniture ("" if none): for explanations."""
    for grams in class_words(el):
        found = sorted(grams & _FURNITURE)
        if found:
            return max(found, key=len)
    return ""


# --- cutting it ----------------------------------------------------------


class RemovalRecorder(Protocol):
    """Whatever is told of each removal: :class:`feedsvc.clean.explain.Recorder` is one.

    A protocol, so this module and the recorder's stay independent leaves.
    """

    def removed(self, stage: str, el: HtmlElement, reason: str) -> None:
        """Note that ``stage`` is about to remove ``el`` for ``reason``."""


def remove(el: HtmlElement, rec: RemovalRecorder | None = None, stage: str = "", reason: str = "") -> None:
    """Remove ``el`` and everything in it, keeping the text that follows it; tell ``rec`` why.

    An element already out of the tree (its parent went earlier) is left alone and not told.
    """
    parent = el.getparent()
    if parent is not None:
        if rec is not None:
            rec.removed(stage, el, reason)
        texts = _TEXTS.get()
        if texts:  # the ancestors lose the removed text (its tail stays, in the parent)
            node: HtmlElement | None = parent
            while node is not None:
                texts.pop(node, None)
                node = node.getparent()
        leaves = _LEAVES.get()
        if leaves:  # a root holding el loses its blocks, and a block that held only el's becomes a leaf
            leaves.clear()
        el.drop_tree()


def alt_says_nothing(alt: str) -> bool:
    """True when an image's alt text only names a file or says a picture is there ("IMG_3886.jpg", "image", "null").

    Such an alt describes nothing: normalising empties it (``file_name_alt``, ``placeholder_alt``) and the
    scorer's caption rule reads its picture as one nothing describes.
    """
    alt = alt.strip()
    return bool(alt) and (FILE_NAME_ALT.fullmatch(alt) is not None or PLACEHOLDER_ALT.fullmatch(alt) is not None)
