"""Stage 3, second pass: furniture at the edges of the article.

What the main-content stage brings along with the article sits at its two
ends: bylines, datelines, reading times and tables of contents before the
first paragraph; author bio boxes, "Recent posts" sections, disclosures,
disclaimers and sign-offs after the last. Each detector here looks at a block's position
in the article (how much of the article's text comes before it) as well as
its text, so that the same words in the middle of the story stay.

All functions work in place on the article element and report removals to
an optional recorder (stage "boilerplate"). Pure; a stage of
``feedsvc.clean``, run after ``feedsvc.clean.boilerplate``: it imports only
the leaves below it (``dom``, ``policy``, the ``explain`` recorder), never
another stage.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from feedsvc.clean.dom import HEADING_TAGS, is_within, leaf_blocks, letters_and_digits, may_match, remove, text_of
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    AUTHOR_HREF,
    BIO_START,
    BLOCK_TAGS,
    CONTENTS_LABEL,
    DISCLAIMER,
    DISCLAIMER_KEYS,
    DISCLOSURE,
    DISCLOSURE_KEYS,
    META_LINE,
    RELATED_HEADING,
)

__all__ = [
    "DISABLED",
    "RULES",
    "is_prose",
    "remove_author_boxes",
    "remove_contents",
    "remove_disclosures",
    "remove_meta_lines",
    "remove_related_tail",
    "trim_edges",
]

# Generic rules of this stage that bench/extraction.py --ablate can switch off one at a
# time (through DISABLED, a module global the benchmark and the tests alone set).
# The older edge rules are the steps of trim_edges, each switched as a whole by its caller.
RULES: dict[str, str] = {
    "counter_lines": "a line that is a bare number ('3078', '210,412', '1.2k') before the first or after the last paragraph",
}
DISABLED: frozenset[str] = frozenset()

_STAGE = "boilerplate"
# A "Recent posts" heading opens the tail only when at least this share of
# the article's text comes before it, and at most this share after it.
_TAIL_START = 0.5
_TAIL_MAX = 0.5
# Bylines and bio boxes are small: at most this many characters, and at
# most this share of the article.
_BOX_MAX_CHARS = 1000
_BOX_MAX_SHARE = 0.3
_BIO_MAX_CHARS = 900
_META_MAX_CHARS = 120
# A bare number as a line of its own: a clap, view or share counter whose label is an icon.
_COUNTER_LINE = re.compile(r"\d[\d.,\u00a0\u202f ]{0,11}[kKmM]?")
# Cells and list items hold numbers on purpose (a table's values, a numbered list's markers).
_COUNTER_NOT_IN = frozenset({"td", "th", "li", "dd", "dt"})
_NAME = re.compile(r"[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|de|van|von|der|da|di|la|le|bin|al)){1,3}")
_LABEL = re.compile(
    r"(?:by|written by|posted by|author|authors|published|updated|last updated|posted|reviewed by|edited by)\W*", re.I
)
_PROSE_END = (".", "!", "?", "”", '"', "’", ":")
# What urlsplit takes out of a URL wherever it stands (urllib.parse's _UNSAFE_URL_BYTES_TO_REMOVE).
_URL_DROPS = str.maketrans("", "", "\t\r\n")
# A bio speaks of a person: a pronoun or a trade.
_PERSON = re.compile(
    r"\b(?:writer|editor|author|journalist|reporter|founder|co-founder|ceo|cto|vp|chief|head of|veteran|"
    r"expert|consultant|analyst|specialist|contributor|blogger|designer|engineer|developer|marketer|photographer|"
    r"researcher|professor|director|manager|owner|coach|strategist|freelance|degree|graduated|experience)\b",
    re.IGNORECASE,
)


class _LeafBlocks:
    """The article's innermost text blocks in page order, with where each starts in its text."""

    def __init__(self, article: HtmlElement) -> None:
        self.changed = False
        self.blocks: list[HtmlElement] = []
        self.texts: list[str] = []
        self.starts: list[int] = []
        total = 0
        for el in leaf_blocks(article):
            text = text_of(el)
            if not text:
                continue
            self.blocks.append(el)
            self.texts.append(text)
            self.starts.append(total)
            total += len(text)
        self.total = max(total, 1)

    def drop(self, el: HtmlElement, rec: Recorder | None, reason: str) -> None:
        """Remove ``el`` (positions are then stale until the leaves are counted again)."""
        if el.getparent() is not None:
            self.changed = True
            remove(el, rec, _STAGE, reason)

    def share_before(self, index: int) -> float:
        return self.starts[index] / self.total

    def share_from(self, index: int) -> float:
        return 1.0 - self.share_before(index)

    def index_of(self, el: HtmlElement) -> int | None:
        """Return the index of the first leaf inside (or equal to) ``el``, or None."""
        for i, block in enumerate(self.blocks):
            if block is el or any(a is el for a in block.iterancestors()):
                return i
        return None


def is_prose(text: str, el: HtmlElement) -> bool:
    """Return True for a paragraph of running text (not a label, date or link line)."""
    if len(text) < 100 or el.tag in HEADING_TAGS:
        return False
    links = sum(len(text_of(a)) for a in el.iter("a"))
    return links < 0.3 * len(text) and (". " in text or text.endswith(_PROSE_END))


def trim_edges(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove furniture at the edges of ``article`` (see the module docstring)."""
    leaves = _LeafBlocks(article)
    for step in (remove_disclosures, remove_related_tail, remove_author_boxes, remove_contents, remove_meta_lines):
        step(article, rec, leaves)
        if leaves.changed:
            leaves = _LeafBlocks(article)  # positions moved: count again


# Every disclosure or disclaimer holds one of these, case-folded.
_NOTICE_KEYS = DISCLOSURE_KEYS + DISCLAIMER_KEYS


def remove_disclosures(article: HtmlElement, rec: Recorder | None = None, leaves: _LeafBlocks | None = None) -> None:
    """Remove short blocks that disclose affiliate income or sponsorship, or disclaim liability."""
    leaves = leaves or _LeafBlocks(article)
    for el, text in zip(leaves.blocks, leaves.texts, strict=True):
        if len(text) > 600 or not may_match(text, _NOTICE_KEYS):  # most blocks: no regex at all
            continue
        if DISCLOSURE.search(text):
            leaves.drop(el, rec, "affiliate or sponsorship disclosure")
        elif DISCLAIMER.search(text):
            leaves.drop(el, rec, "legal or editorial disclaimer")


def remove_related_tail(article: HtmlElement, rec: Recorder | None = None, leaves: _LeafBlocks | None = None) -> None:
    """Remove a "Recent posts"-style heading in the article's tail and everything after it."""
    leaves = leaves or _LeafBlocks(article)
    for i, (el, text) in enumerate(zip(leaves.blocks, leaves.texts, strict=True)):
        if len(text) > 70 or not RELATED_HEADING.fullmatch(text):
            continue
        if leaves.share_before(i) < _TAIL_START or leaves.share_from(i) > _TAIL_MAX:
            continue
        node = el
        while True:
            parent = node.getparent()
            if parent is None or parent is article:
                break
            first = next((c for c in parent if isinstance(c.tag, str) and text_of(c)), None)
            if first is not node:
                break
            node = parent
        chain = [node, *[a for a in node.iterancestors() if _below(a, article)]]
        doomed = [node] + [s for anchor in chain for s in anchor.itersiblings() if isinstance(s.tag, str)]
        # What follows must read as a list of stories, not as more of the article.
        prose = sum(
            len(t)
            for b, t in zip(leaves.blocks[i:], leaves.texts[i:], strict=True)
            if is_prose(t, b) and _inside_any(b, doomed)
        )
        if prose > 0.4 * (leaves.total - leaves.starts[i]):
            continue
        reason = f"stories listed after {text!r} at the end"
        for el in doomed:
            leaves.drop(el, rec, reason)
        return


def _inside_any(el: HtmlElement, boxes: list[HtmlElement]) -> bool:
    return any(el is b for b in boxes) or any(a is b for a in el.iterancestors() for b in boxes)


def _below(el: HtmlElement, article: HtmlElement) -> bool:
    """Return True if ``el`` is strictly inside ``article``."""
    return el is not article and is_within(el, article)


def remove_author_boxes(article: HtmlElement, rec: Recorder | None = None, leaves: _LeafBlocks | None = None) -> None:
    """Remove byline boxes and author bios: around links to author pages, or a name line and its bio."""
    leaves = leaves or _LeafBlocks(article)
    limit = min(_BOX_MAX_CHARS, _BOX_MAX_SHARE * leaves.total)
    for a in list(article.iter("a")):
        if not is_within(a, article):
            continue
        href = a.get("href") or ""
        # The path is a piece of the href (once the tabs and line breaks urlsplit drops are gone):
        # an href without an author page's path anywhere (most links) is not split.
        if not AUTHOR_HREF.search(href.translate(_URL_DROPS)):
            continue
        try:
            path = urlsplit(href).path
        except ValueError:
            continue
        name = text_of(a)
        if not AUTHOR_HREF.search(path) or not name or len(name) > 60 or len(name.split()) > 6:
            continue
        line = next((x for x in a.iterancestors() if x.tag in BLOCK_TAGS), None)
        if line is None or line is article or len(text_of(line)) > 200:
            continue  # a link inside running text
        box = line
        while True:
            parent = box.getparent()
            if parent is None or parent is article or len(text_of(parent)) > limit:
                break
            box = parent
        index = leaves.index_of(box)
        if index is None:
            continue
        lead = index <= 3 or leaves.share_before(index) < 0.15
        if not lead and leaves.share_before(index) < 0.5:
            continue
        doomed = [box]
        if box is line:  # a flat page: the bio paragraphs follow the name line
            first = name.split()[0]
            for sib in box.itersiblings():
                if not isinstance(sib.tag, str):
                    continue
                sib_text = text_of(sib)
                if not sib_text:
                    continue
                if len(sib_text) <= _BIO_MAX_CHARS and (
                    sib_text.startswith((first, "She ", "He ", "They ")) or BIO_START.match(sib_text)
                ):
                    doomed.append(sib)
                    continue
                if len(sib_text) <= 60 and not sib_text.endswith(_PROSE_END) and len(doomed) == 1:
                    doomed.append(sib)  # a role line between the name and the bio
                    continue
                break
            prev = box.getprevious()
            if (
                prev is not None
                and isinstance(prev.tag, str)
                and not text_of(prev)
                and (prev.tag == "img" or prev.find(".//img") is not None)
            ):
                doomed.append(prev)
        for el in doomed:
            leaves.drop(el, rec, "byline" if lead else "author bio")
    if leaves.changed:
        return  # the name-and-bio pass runs on the next count
    _remove_name_and_bio(article, rec, leaves)


def _remove_name_and_bio(article: HtmlElement, rec: Recorder | None, leaves: _LeafBlocks) -> None:
    """Remove a name line followed by a bio that starts with that name, in the article's tail."""
    for i, (el, text) in enumerate(zip(leaves.blocks, leaves.texts, strict=True)):
        if leaves.share_before(i) < 0.5 or len(text) > 50 or el.tag in ("h1", "h2", "h3") or not _NAME.fullmatch(text):
            continue
        first = text.split()[0]
        for j in range(i + 1, min(i + 4, len(leaves.blocks))):
            bio = leaves.texts[j]
            about = " ".join(leaves.texts[i : j + 1])
            if len(bio) <= _BIO_MAX_CHARS and bio.startswith(first + " ") and _PERSON.search(about):
                doomed = leaves.blocks[i : j + 1]
                for k in range(j + 1, len(leaves.blocks)):
                    more = leaves.texts[k]
                    if len(more) <= _BIO_MAX_CHARS and more.startswith((first + " ", "She ", "He ", "They ")):
                        doomed.append(leaves.blocks[k])
                    else:
                        break
                for d in doomed:
                    leaves.drop(d, rec, f"author bio of {text}")
                return
            if len(bio) > 60:
                break


def remove_contents(article: HtmlElement, rec: Recorder | None = None, leaves: _LeafBlocks | None = None) -> None:
    """Remove tables of contents: lists whose items repeat the article's headings, or link to its anchors."""
    leaves = leaves or _LeafBlocks(article)
    # The headings as the pass starts; folded only when a list asks (a labelled one, not of anchors: few).
    heading_texts = [text_of(h) for h in article.iter(*HEADING_TAGS)]
    headings: set[str] | None = None
    for lst in [el for el in article.iter("ul", "ol") if is_within(el, article)]:
        if not is_within(lst, article):
            continue
        items = [li for li in lst if isinstance(li.tag, str) and li.tag == "li"]
        if len(items) < 3:
            continue
        raw = [text_of(li) for li in items]
        if sum(len(t) for t in raw) > 80 * len(items):
            continue  # items with descriptions: a summary, not a table of contents
        hrefs = [a.get("href") or "" for a in lst.iter("a")]
        anchors = bool(hrefs) and all(h.startswith("#") for h in hrefs) and len(hrefs) >= len(items) * 0.8
        # A list that only repeats the headings is a summary some articles
        # open with; it is a table of contents when it links to them or is
        # labelled as one.
        if not anchors:
            if _label_before(lst) is None:
                continue
            if headings is None:
                headings = {letters_and_digits(t) for t in heading_texts} - {""}
            repeats = sum(1 for t in raw if (folded := letters_and_digits(t)) and folded in headings)
            if repeats < 0.6 * len(items):
                continue
        target = lst
        parent = lst.getparent()
        # A contents box: the list with its label, and nothing else.
        if parent is not None and parent is not article:
            others = [c for c in parent if c is not lst and isinstance(c.tag, str) and text_of(c)]
            if all(len(text_of(c)) <= 40 for c in others) and len(others) <= 2:
                target = parent
        prev = target.getprevious()
        if prev is not None and isinstance(prev.tag, str) and CONTENTS_LABEL.fullmatch(text_of(prev)):
            leaves.drop(prev, rec, "table of contents")
        leaves.drop(target, rec, "table of contents")


def _label_before(el: HtmlElement) -> HtmlElement | None:
    """Return the "Table of contents"-style label just before ``el`` (or before its box), or None."""
    node = el
    for _ in range(3):
        prev = node.getprevious()
        while prev is not None and (not isinstance(prev.tag, str) or not text_of(prev)):
            prev = prev.getprevious()
        if prev is not None:
            return prev if CONTENTS_LABEL.fullmatch(text_of(prev)) else None
        parent = node.getparent()
        if parent is None:
            return None
        node = parent
    return None


def remove_meta_lines(article: HtmlElement, rec: Recorder | None = None, leaves: _LeafBlocks | None = None) -> None:
    """Remove bylines, datelines, reading times and empty labels before the first and after the last paragraph."""
    leaves = leaves or _LeafBlocks(article)
    prose = [i for i, (el, t) in enumerate(zip(leaves.blocks, leaves.texts, strict=True)) if is_prose(t, el)]
    if not prose:
        return
    first, last = prose[0], prose[-1]
    edge = list(range(min(first, 12))) + list(range(last + 1, len(leaves.blocks)))
    skip_next = False
    for i in edge:
        el, text = leaves.blocks[i], leaves.texts[i]
        if skip_next:
            skip_next = False
            if len(text) <= 40 and not text.endswith(_PROSE_END):
                leaves.drop(el, rec, "byline or dateline")
                continue
        if len(text) > _META_MAX_CHARS:
            continue
        if _LABEL.fullmatch(text):
            leaves.drop(el, rec, "byline or dateline label")
            skip_next = True
        elif META_LINE.fullmatch(text) or not re.search(r"\w", text):
            leaves.drop(el, rec, "byline, dateline or reading time")
        elif i < first and CONTENTS_LABEL.fullmatch(text):
            leaves.drop(el, rec, "table of contents label")
        elif "counter_lines" not in DISABLED and _is_counter_line(el, text):
            leaves.drop(el, rec, "a bare number at the article's edge (a clap, view or share counter)")


def _is_counter_line(el: HtmlElement, text: str) -> bool:
    """Return True for a line that is only a number, outside tables and lists: a counter whose label is an icon.

    Blogs print their claps, views and shares above or below the article as
    bare numbers ("3078", "210412"): a reader sees a number that means
    nothing. A heading of a number is a step or a list marker, and a cell or
    a list item holds a value: both stay.
    """
    if el.tag in HEADING_TAGS or el.tag in _COUNTER_NOT_IN or not _COUNTER_LINE.fullmatch(text):
        return False
    return not any(a.tag in _COUNTER_NOT_IN for a in el.iterancestors())
