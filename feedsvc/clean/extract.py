"""Stage 2 of cleaning: find the article body in a whole saved page.

``prune`` removes what is never article text (scripts, navigation, hidden
and furniture-classed elements); the pipeline also runs it at the start of
stage 3 on fragments and rule bodies, which were never pruned as a page.
``find_article`` scores the text blocks that remain and returns the element
(plus related siblings) that holds the article. Both work in place on an
``lxml.html`` tree and never raise on odd markup.

Pure; a stage of ``feedsvc.clean``: it imports only the leaves below it
(``dom``, ``policy``, the ``explain`` recorder), never another stage.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from feedsvc.clean.dom import (
    HEADING_TAGS,
    ancestor_counts,
    block_holders,
    class_signal,
    class_words,
    furniture_word,
    hidden_by_style,
    holders_of,
    in_code,
    is_hidden,
    is_within,
    paragraph_chars,
    remove,
    shown_on_click,
    text_chars,
    text_content,
    text_of,
)
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    BLOCK_TAGS,
    BOILERPLATE_PAIRS,
    BOILERPLATE_WORDS,
    COMMENT_CONTROL,
    COMMENT_DATE,
    COMMENT_HEADING,
    COMMENT_HREF,
    DROP_IF_THIN_TAGS,
    DROP_TAGS,
    DROP_UNLESS_PROSE_TAGS,
    SENTENCE_TAGS,
    SENTENCE_WORDS_AFTER,
    SENTENCE_WORDS_BEFORE,
    UNSEEN_CLASS_WORDS,
)

__all__ = [
    "DISABLED",
    "RULES",
    "aside_in_text",
    "best_by_value",
    "find_article",
    "opens_in_lightbox",
    "prune",
    "remove_comment_shapes",
    "remove_page_behind_dialog",
    "remove_sibling_copies",
    "section_header",
    "subtree_values",
    "title_section",
    "words_in_sentence",
]

_COMMAS = re.compile(r"[,，、]")

# Blocks whose text counts towards their ancestors' scores.
_SCORED_MIN_CHARS = 25
# How much of a block's score its parent, grandparent, ... receive.
_ANCESTOR_DIVIDERS = (1.0, 2.0, 6.0, 12.0)
# Climbing to a parent needs the text it adds to be this much prose and at
# most this much link text.
_CLIMB_PROSE_SHARE = 0.6
_CLIMB_LINK_SHARE = 0.3
# A sibling of the pick with its tag and class is a section of the article
# when it scores at least this share of the pick's score.
_SECTION_SHARE = 0.5
# Tags that can be chosen as the article container, with a starting bias.
_CANDIDATE_BIAS = {
    "article": 10.0,
    "main": 5.0,
    "section": 3.0,
    "div": 5.0,
    "td": 3.0,
    "pre": 3.0,
    "blockquote": 3.0,
    "body": 0.0,
    "form": -3.0,
    "ol": -3.0,
    "ul": -3.0,
    "dl": -3.0,
    "li": -3.0,
    "dd": -3.0,
    "table": -1.0,
}


# --- pruning -------------------------------------------------------------


def _elements(root: HtmlElement, tags: frozenset[str]) -> list[HtmlElement]:
    """The elements of ``root`` (itself included) whose tag is one of ``tags``, in page order.

    lxml filters the tags in C: a Python test per element costs more than the rest of pruning.
    """
    return list(root.iter(*tags))


# Generic rules of this stage that bench/extraction.py --ablate can switch off one at a
# time (through DISABLED, a module global the benchmark alone sets), as those of chrome.
RULES: dict[str, str] = {
    "reveal_on_click": "a hidden panel that a control of the page names (accordion answer, tab) is article text",
    "same_class_sections": "siblings of the pick with its tag and class (numbers aside), scoring half its score, are the article",
    "accordion_titles": "a <button> that opens a panel of text (an FAQ question, a section title) is kept as a heading",
    "headings_climb": "the pick climbs to a parent that adds only a heading before it (a section's title, no links)",
    "styled_hidden": "an element its inline style hides (display:none, visibility:hidden) goes whatever text it holds",
    "sibling_copies": "a sibling subtree with the same long text as one before it (a layout for another screen) goes",
    "behind_dialog": "a page saved with a dialog open that shows an article: the aria-hidden page behind it goes",
    "aside_in_text": "an <aside> of prose set among the article's paragraphs (a side note, a callout box) is article text",
    "section_header": "a <header> holding only a section's heading, over the section's prose, is article text",
    "section_prose": "a section's <header> is weighed against all of the section after it, not only its first block",
    "title_section": "the block just above the pick holding the page's <h1> and a lead paragraph (the article's header) joins it",
    "comment_shapes": "a run of 3+ dated items with reply/report controls or self-links (a comment thread) goes",
    "words_in_sentence": "a link or text-level element inside a sentence is not furniture for its class or id",
    "lightbox_pictures": "a <figure> or link holding a picture, classed for the lightbox it opens on a click, is the article's picture",
    "quote_attribution": 'a <footer> inside a <blockquote> ("— Name, <cite>Work</cite>") is the quote\'s attribution: a paragraph of the quote',
}
DISABLED: frozenset[str] = frozenset()


# An element without a hidden, aria-hidden, style, class or id attribute is neither
# hidden nor classed as furniture (``is_hidden``, ``class_signal``): only the others are
# tested, and ``is_hidden`` only of those with one of the first three.
def _hinted(root: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """The elements of ``root`` (itself included) with a hint attribute, and those of them that may be hidden, in page order.

    One walk reading each element's attribute names: a third of the time of
    the two XPath searches ``descendant-or-self::*[@hidden or @aria-hidden or
    @style or @class or @id]`` and ``...[@hidden or @aria-hidden or @style]``
    that it answers (libxml2 evaluates a predicate per element in its
    interpreter).
    """
    hinted: list[HtmlElement] = []
    may_hide: list[HtmlElement] = []
    for el in root.iter():
        names = el.keys()  # [] for comments and processing instructions
        if not names:
            continue
        if "style" in names or "hidden" in names or "aria-hidden" in names:
            hinted.append(el)
            may_hide.append(el)
        elif "class" in names or "id" in names:
            hinted.append(el)
    return hinted, may_hide


def _doomed(el: HtmlElement, hidden: set[HtmlElement]) -> bool:
    """Return True if the hinted ``el`` is hidden (in ``hidden``) or its class/id marks furniture: pruning may remove it."""
    # In code, a class names a highlighter's token: "hljs-comment" is a line of the listing, not a comment section.
    return el.tag not in ("html", "body") and (el in hidden or (class_signal(el) < 0 and not in_code(el)))


def _hint_group(el: HtmlElement, hidden: set[HtmlElement]) -> tuple[object, str]:
    """The group a doomed element's paragraph text counts in: hidden siblings together, furniture by its class and id."""
    return (el.getparent(), "") if el in hidden else (None, el.get("class", "") + "#" + el.get("id", "-"))


# An element its style hides that holds this share of the page's prose is all the page says: kept.
_STYLED_ALL_PROSE = 0.9


def _remove_hinted(
    root: HtmlElement,
    total: int,
    shown: frozenset[str],
    rec: Recorder | None = None,
    hints: tuple[list[HtmlElement], list[HtmlElement]] | None = None,
) -> None:
    """Remove the hidden and furniture-classed elements of ``root`` that do not hold the article (``prune``'s hint rule).

    ``total`` is the paragraph text of ``root`` (at least 1); ``shown``, what controls of the page show on a click;
    ``hints``, ``_hinted(root)`` when the caller has it for the tree as it is now.
    """
    hinted, may_hide = hints if hints is not None else _hinted(root)
    hidden = {el for el in may_hide if is_hidden(el, shown)}
    # Only an element holding a <p> has paragraph text to count for its group (below), so the others'
    # class signals are read in the removal loop, and not at all once an ancestor has gone: on the dev
    # pages a third of the hinted elements are such, and reading an element's class and id is most of
    # the cost of the hint (lxml makes a new string per attribute read).
    with_prose = holders_of(root, "p")
    with_prose.update(root.iter("p"))
    doomed = [el for el in hinted if el in with_prose and _doomed(el, hidden)]
    # Elements that share the hint count together: an article split into
    # several blocks of one class ("content-nav-section"), or streamed into
    # hidden sibling blocks that a script reveals, is still the article.
    # Not one its own inline style hides: pages stream with the hidden
    # attribute, and a styled-away block is text the page does not show
    # (on the dev pages, none of them article text), however long. Unless
    # it holds nearly all of the page's prose: then it is what a script
    # shows, and removing it would publish an empty article.
    prose = _paragraph_chars_of(doomed)
    styled = (
        {el for el in hidden if hidden_by_style(el) and prose.get(el, 0) < _STYLED_ALL_PROSE * total}
        if "styled_hidden" not in DISABLED
        else set()
    )
    groups: dict[tuple[object, str], int] = {}
    for el in doomed:
        if el in styled:
            continue
        key = _hint_group(el, hidden)
        groups[key] = groups.get(key, 0) + prose[el]
    # In page order: the doomed elements with prose (the keys of ``prose``) and those without,
    # asked only here, interleave. An element is no longer within ``root`` exactly when an
    # ancestor went earlier in this loop: ``gone`` answers that without a climb to the root.
    gone: set[HtmlElement] = set()
    sentences = "words_in_sentence" not in DISABLED
    pictures = "lightbox_pictures" not in DISABLED
    for el in hinted:
        if el in gone or (el not in prose if el in with_prose else not _doomed(el, hidden)):
            continue
        if sentences and el.tag in SENTENCE_TAGS and el not in hidden and words_in_sentence(el):
            continue
        if pictures and el.tag in _PICTURE_BOXES and el not in hidden and opens_in_lightbox(el):
            continue
        key = _hint_group(el, hidden)
        if el in styled or (prose.get(el, 0) < 0.4 * total and groups.get(key, 0) < 0.4 * total):
            if el is not root:  # (what is under the root stays within it, removed from its parent or not)
                gone.update(el.iterdescendants())
            if rec is not None:
                why = "hidden from readers" if el in hidden else f"class/id word {furniture_word(el)!r} marks furniture"
                remove(el, rec, "prune", why)
            else:
                remove(el)


# What shows a picture in the text: a <figure>, or a link around the picture that opens it enlarged.
_PICTURE_BOXES = frozenset({"figure", "a"})
# The furniture words of a lightbox: the overlay that shows a picture enlarged, and the picture that opens it.
_LIGHTBOX_WORDS = frozenset({"lightbox"})
_FURNITURE_MARKS = BOILERPLATE_WORDS | BOILERPLATE_PAIRS


def opens_in_lightbox(el: HtmlElement) -> bool:
    """Return True if the <figure> or link ``el`` is a picture of the text that a click shows enlarged.

    WordPress classes each image block whose "enlarge on click" is set
    ``wp-lightbox-container``, and gallery scripts class the link around a
    picture ``lightbox``: the word names the overlay the picture opens in,
    which is furniture (a <div> at the page's end, its <img> without a
    source until a click), while the <figure> or link is the article's
    picture and its caption. So such an element is no furniture when
    'lightbox' is the only furniture word of its class and id and it holds
    a picture with a source; a link holds nothing else (no words of a
    menu or a teaser).
    """
    words = {word for grams in class_words(el) for word in grams & _FURNITURE_MARKS}
    if not words or not words <= _LIGHTBOX_WORDS:
        return False
    if not any((img.get("src") or "").strip() for img in el.iter("img")):
        return False
    return el.tag == "figure" or not text_of(el)


_WORDS = re.compile(r"\w+")


def words_in_sentence(el: HtmlElement) -> bool:
    """Return True if the phrasing element ``el`` is words of a sentence: its class or id is then no furniture mark.

    Its line (the text of its block between the nearest blocks and ``<br>``s)
    holds SENTENCE_WORDS_BEFORE words before it and SENTENCE_WORDS_AFTER after
    it that are not link text: "The nature of my <a class="popup">avocations</a>
    for the last thirty years" reads broken without it, while a row of links
    (a menu, a share bar) has no words of its own. An element holding a block
    is no words of a line, and a class that hides its words from sight
    (``sr-only``, a screen reader's label) still marks them.
    """
    if any(grams & UNSEEN_CLASS_WORDS for grams in class_words(el)):
        return False
    if next(el.iterdescendants(*BLOCK_TAGS), None) is not None:
        return False
    before, after = _line_words(el, SENTENCE_WORDS_BEFORE, SENTENCE_WORDS_AFTER)
    return before >= SENTENCE_WORDS_BEFORE and after >= SENTENCE_WORDS_AFTER


def _line_words(el: HtmlElement, enough_before: int, enough_after: int) -> tuple[int, int]:
    """Return the words of ``el``'s line before and after it that are not link text, counted up to the enough ones."""
    # The inline ancestors up to the block: the text of a level inside a link is link text.
    chain = [el]
    while (parent := chain[-1].getparent()) is not None and parent.tag in _INLINE_LEVELS:
        chain.append(parent)
    links = [i for i, node in enumerate(chain) if i and node.tag == "a"]
    linked_up_to = links[-1] if links else 0
    before = after = 0
    open_before = open_after = True
    for level, node in enumerate(chain):
        parent = node.getparent()
        if parent is None:
            break
        free = level + 1 > linked_up_to
        if open_before and before < enough_before:
            for sib in node.itersiblings(preceding=True):
                if free:
                    before += len(_WORDS.findall(sib.tail or ""))
                if sib.tag in _LINE_ENDS:
                    open_before = False
                    break
                if free:
                    before += _free_words(sib)
            else:
                if free:
                    before += len(_WORDS.findall(parent.text or ""))
        if open_after and after < enough_after:
            if free:
                after += len(_WORDS.findall(node.tail or ""))
            for sib in node.itersiblings():
                if sib.tag in _LINE_ENDS:
                    open_after = False
                    break
                if free:
                    after += _free_words(sib) + len(_WORDS.findall(sib.tail or ""))
    return before, after


# What ends a line of text, and the inline elements a line runs through (up to its block).
_LINE_ENDS = (*BLOCK_TAGS, "br")
_INLINE_LEVELS = SENTENCE_TAGS | {"span", "font", "label", "ins", "del"}


def _free_words(node: HtmlElement) -> int:
    """Return the words of ``node``'s text that are not link text (0 for a link, a script, a comment)."""
    if not isinstance(node.tag, str) or node.tag not in _INLINE_LEVELS or node.tag == "a":
        return 0
    words = len(_WORDS.findall(node.text or ""))
    for child in node:
        words += _free_words(child) + len(_WORDS.findall(child.tail or ""))
    return words


def prune(root: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove from ``root`` what is never article text.

    Drops DROP_TAGS, hidden elements, thin forms and headers, and elements
    whose class/id marks furniture, unless they hold a large share of the
    page's paragraph text (a mislabelled wrapper).
    """
    # What a control of the page shows on a click (accordion answers, tabs) is not hidden from
    # readers; the controls (buttons) go with the first removals, so their targets are read first.
    shown = shown_on_click(root) if "reveal_on_click" not in DISABLED else frozenset()
    # Before the controls and the <footer>s go: a comment's date and reply link are how its shape is told.
    if "comment_shapes" not in DISABLED:
        remove_comment_shapes(root, rec)
    if "accordion_titles" not in DISABLED:
        _keep_accordion_titles(root, shown)
    if "quote_attribution" not in DISABLED:
        _keep_quote_attributions(root)
    total = max(paragraph_chars(root), 1)
    for el in _elements(root, DROP_TAGS):
        if not is_within(el, root):
            continue
        if el.tag in DROP_UNLESS_PROSE_TAGS and _swallowed_article(el, total):
            continue
        if el.tag == "aside" and "aside_in_text" not in DISABLED and aside_in_text(el):
            continue
        remove(el, rec, "prune", f"<{el.tag!s}> is never article text")
    # One walk finds the hinted elements for both rules below: the dialog rule's aria-hidden ones are among
    # them, and only its removals (rare) change what the hint rule must read again.
    hints = _hinted(root)
    if "behind_dialog" not in DISABLED and remove_page_behind_dialog(root, shown, rec, hints[1]):
        hints = _hinted(root)

    # Hidden and furniture-classed elements are only hints: an element
    # that holds much of the page's prose is the article, mislabelled or
    # hidden until a script shows it.
    total = max(paragraph_chars(root), 1)
    _remove_hinted(root, total, shown, rec, hints)

    for el in _elements(root, DROP_IF_THIN_TAGS):
        if not is_within(el, root):
            continue
        if paragraph_chars(el) < max(200, 0.2 * total):
            if el.tag == "header" and "section_header" not in DISABLED and section_header(el):
                continue
            remove(el, rec, "prune", f"<{el.tag!s}> with little paragraph text")

    if "sibling_copies" not in DISABLED:
        remove_sibling_copies(root, rec)


def _keep_quote_attributions(root: HtmlElement) -> None:
    """Make each <footer> inside a <blockquote> a plain paragraph of the quote, so neither prune rule takes it.

    The HTML standard's own example credits a quote in a <footer> inside it (Bootstrap writes
    ``<footer class="blockquote-footer">``): it says who said the quote, and the footer tag and
    the footer-like class would otherwise drop it as page furniture.
    """
    for footer in list(root.iter("footer")):
        if next(footer.iterancestors("blockquote"), None) is None:
            continue
        footer.tag = "p"
        for name in ("class", "id"):
            footer.attrib.pop(name, None)


# A comment thread by its shape: at least this many sibling subtrees of one tag, each dated,
# at most this much text per date, and this share of them with a comment's cue; what stays
# of the page's paragraph text after it goes is at least this much.
_THREAD_MIN_ITEMS = 3
_THREAD_ITEM_CHARS = 3000
_THREAD_CUE_SHARE = 0.67
_THREAD_LEFT_MIN = 500
_DATE_LINE_MAX = 80
_CONTROL_MAX = 40


def remove_comment_shapes(root: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove reader comment threads told by their shape, whatever their class and id say.

    A comment is dated (a ``<time>``, a ``datetime`` attribute, or a short
    line that is a date or a relative time, ``COMMENT_DATE``), and a thread
    is a box whose children include three or more such dated subtrees of one
    tag, two thirds of them with a comment's cue: a reply or report control
    (``COMMENT_CONTROL``), a link to the comment itself (``COMMENT_HREF``)
    or one marked as a reader's (``rel="ugc"``); a relative time alone is
    none, since a live blog's entries say "5 min ago". Replies nest inside their comment,
    so the outermost box is the thread. A subtree holding the page's
    ``<h1>`` is never a comment, and a thread goes only when the page keeps
    500 characters of paragraphs without it (a page of comments alone is
    left to the other stages). Its heading ("109 Comments"), just before
    it, goes with it.
    """
    dates = _date_anchors(root)
    if len(dates) < _THREAD_MIN_ITEMS:
        return
    holds = ancestor_counts(dates)
    total: int | None = None  # read once a box's items make a thread: most pages with three dates have none
    for box in _boxes(root, holds):
        if not is_within(box, root):
            continue
        items = _thread_items(box, dates, holds)
        if not items:
            continue
        if total is None:
            total = paragraph_chars(root)
        gone = sum(paragraph_chars(item) for item in items)
        if total - gone < _THREAD_LEFT_MIN:
            continue
        heading = _thread_heading(box, items[0])
        for item in items:
            remove(
                item,
                rec,
                "prune",
                "a dated item with a reply control or a self-link, in a run of them (reader comments)",
            )
        if heading is not None:
            remove(heading, rec, "prune", "heading of a comment thread")
        total -= gone


def _boxes(root: HtmlElement, holds: dict[HtmlElement, int]) -> list[HtmlElement]:
    """Return the elements of ``root`` (itself included) holding three dated items or more, in page order.

    The parent of such a box holds its items too, so a walk down from ``root``
    that enters only boxes finds them all: a few elements, not the page's thousands.
    """
    if holds.get(root, 0) < _THREAD_MIN_ITEMS:
        return []
    found: list[HtmlElement] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed([child for child in node if holds.get(child, 0) >= _THREAD_MIN_ITEMS]))
    return found


# What a text that may date something holds: a digit, or a relative time without one ("a day ago").
# COMMENT_DATE is tried only on those (a search of it on every text costs a fifth of a clean), and of
# those only on the ones holding what every match of it holds (_DATE_GATE, tested against it): one of
# its relative words or 年, a numeric date's digits around two separators, or a year after a space
# (a month's date ends "March 6, 2024"). A search at a quarter of its cost, which passes one text in
# four of those (a bare year, a phone number, a price do not pass).
# (The digit by a one-class pattern, the relative times by substring tests: on the small dev pages
# _date_anchors takes a sixth less time than with one pattern of them all, searched on every short text.)
_A_DIGIT = re.compile("[0-9]")
_RELATIVE_WORDS = (" ago", "vor ein", "il y a un", "hace un", "há um")
# Both searched behind a lookahead of the characters any of their matches starts with (the same flags, so the same
# case variants): most places in a text fail it at once, where every alternative of the pattern was tried in turn.
# The same matches; COMMENT_DATE's search at about two thirds of its cost on the texts the gate passes.
_DATE_GATE = re.compile(
    r"(?=[\d\s年avih前н])(?:\d[/.-]\d\d?[/.-]\d|\s\d{4}|年|ago|vor|il y a|hace|há|前|назад)", re.IGNORECASE
)
_COMMENT_DATE_AT = re.compile(rf"(?=[\dadfhijmnosv])(?:{COMMENT_DATE.pattern})", COMMENT_DATE.flags)


# The elements with a ``datetime`` attribute, found by libxml2 (the cleaner's parser keeps no comment or processing instruction).
_WITH_DATETIME = etree.XPath("descendant-or-self::*[@datetime]")


def _date_anchors(root: HtmlElement) -> set[HtmlElement]:
    """Return the outermost elements of ``root`` that date something: <time>, ``datetime``, a short date line."""
    # <time> and datetime found in C, the walk below reading only texts: a tag and an attribute read
    # per element in Python cost more than lxml's tag filter and one XPath (a tenth of this function).
    found: set[HtmlElement] = set(root.iter("time"))
    found.update(_WITH_DATETIME(root))
    for el in root.iter():
        # The date is the element's own text or the tail of a child (an icon, the name's link).
        # Most texts are white space: that is tested inline (a call per text costs).
        text, tail = el.text, el.tail
        if text and not text.isspace() and _date_line(text) and _line_owner(el):
            found.add(el)
        if tail and not tail.isspace() and _date_line(tail):
            owner = el.getparent()
            if owner is not None and _line_owner(owner):
                found.add(owner)
    return {el for el in found if not any(a in found for a in el.iterancestors())}


def _date_line(text: str) -> bool:
    """Return True if ``text`` (not white space alone) is short enough for a date line and holds a date or relative time."""
    if len(text) > 2 * _DATE_LINE_MAX:
        return False
    if _A_DIGIT.search(text) is None:
        for word in _RELATIVE_WORDS:  # a loop, not any() over a generator: asked of every short text
            if word in text:
                break
        else:
            return False
    return _DATE_GATE.search(text) is not None and _COMMENT_DATE_AT.search(text) is not None


def _line_owner(el: HtmlElement) -> bool:
    """Return True if ``el`` is an element (not a script or style) whose whole text is a line of 80 characters or less."""
    return isinstance(el.tag, str) and el.tag not in ("script", "style") and len(text_of(el)) <= _DATE_LINE_MAX


def _thread_items(box: HtmlElement, dates: set[HtmlElement], holds: dict[HtmlElement, int]) -> list[HtmlElement]:
    """Return the children of ``box`` that are reader comments, when they make a thread ([] otherwise)."""
    dated = [child for child in box if isinstance(child.tag, str) and (holds.get(child, 0) or child in dates)]
    if len(dated) < _THREAD_MIN_ITEMS:
        return []
    tag, count = Counter(str(child.tag) for child in dated).most_common(1)[0]
    if count < _THREAD_MIN_ITEMS:
        return []
    items = [child for child in dated if child.tag == tag and child not in dates]
    cued = 0
    for item in items:
        if item.find(".//h1") is not None or len(text_of(item)) > _THREAD_ITEM_CHARS * holds[item]:
            return []
        if _comment_cue(item):
            cued += 1
    if len(items) < _THREAD_MIN_ITEMS or cued < _THREAD_CUE_SHARE * len(items):
        return []
    return items


def _comment_cue(item: HtmlElement) -> bool:
    """Return True if ``item`` carries a comment's control, a link to itself or a reader's link."""
    for el in item.iter():
        if not isinstance(el.tag, str):
            continue
        # rel="ugc" is how a page marks a link a reader wrote ("user-generated content").
        if el.tag == "a" and (COMMENT_HREF.search(el.get("href") or "") or "ugc" in (el.get("rel") or "").split()):
            return True
        if el.tag in ("a", "button", "span", "div", "li") and el.text and len(el.text) <= _CONTROL_MAX:
            text = text_of(el)
            if len(text) <= _CONTROL_MAX and COMMENT_CONTROL.fullmatch(text):
                return True
    return False


def _thread_heading(box: HtmlElement, first: HtmlElement) -> HtmlElement | None:
    """Return the short line just before a thread's first comment that heads it ("109 Comments"), if any."""
    node: HtmlElement | None = first
    for _ in range(3):  # the comment's previous sibling, or the box's, or the box's parent's
        prev = node.getprevious() if node is not None else None
        while prev is not None and (not isinstance(prev.tag, str) or not text_of(prev)):
            prev = prev.getprevious()
        if prev is not None:
            text = text_of(prev)
            return prev if len(text) <= 200 and COMMENT_HEADING.fullmatch(text) else None
        node = node.getparent() if node is not None else None
    return None


# An <aside> among the article's paragraphs is a side note when it holds this much paragraph
# text, this little of it in links, and its parent holds this much in paragraphs of its own.
_NOTE_MIN_CHARS = 150
_NOTE_LINK_SHARE = 0.2
_NOTE_BESIDE_CHARS = 500


def aside_in_text(el: HtmlElement) -> bool:
    """Return True if the <aside> ``el`` is a note of the article: prose set among the article's own paragraphs.

    Long-form articles set a digression ("A note on other devices"), a
    callout box ("Not all vegetarians are the same") or a diagram's
    explanation in an <aside> between two paragraphs of the text: a reader
    reads it with the article. Page sidebars are <aside> too, but they sit
    beside the article's container, not among its paragraphs, and hold
    links, widgets and teasers; an aside of related links or a newsletter
    box within the text holds links or little paragraph text, or is
    classed as furniture (then pruning's class rule takes it).
    """
    parent = el.getparent()
    if parent is None or class_signal(el) < 0:
        return False
    chars = paragraph_chars(el)
    if chars < _NOTE_MIN_CHARS:
        return False
    text = len(text_content(el))
    links = sum(len(text_content(a)) for a in el.iter("a"))
    if links > _NOTE_LINK_SHARE * max(text, 1):
        return False
    beside = sum(len(text_content(sib)) for sib in parent if sib is not el and sib.tag == "p")
    return beside >= _NOTE_BESIDE_CHARS


# A section's <header>: its heading, and at most this much text beside it (a label, "Step 1").
_HEADER_EXTRA_CHARS = 30
# What follows it (its next siblings, or its parent's when it is the last child) holds this much paragraph text.
_SECTION_PROSE_MIN = 200
_SECTION_LEVELS = 2


def _one_heading(el: HtmlElement) -> bool:
    """Return True if ``el`` holds exactly one heading (not the page's <h1>) and at most a label beside it."""
    headings = [h for h in el.iter(*HEADING_TAGS) if h is not el]
    if len(headings) != 1 or headings[0].tag == "h1":
        return False
    return len(text_content(el).strip()) - len(text_content(headings[0]).strip()) <= _HEADER_EXTRA_CHARS


def section_header(el: HtmlElement) -> bool:
    """Return True if the thin <header> ``el`` is a section's title over the section's prose.

    Page builders wrap each section title in a <header> (``<section><header>
    <h2>How we test</h2></header><div><p>…</p></div></section>``): the
    heading is the article's. A page's or a card's header differs: it holds
    the page title (<h1>), links (a logo, a menu, a linked card title) or
    several lines, and what follows a card's title is a line of teaser
    text, not a section's paragraphs. The section's prose is all that
    follows the header at its level (``section_prose``): a section often
    opens with one short line before its table or list ("Take a look at
    our top picks side by side:"), and a card's title has only a teaser
    line after it however it is counted.
    """
    if class_signal(el) < 0 or el.find(".//a") is not None or el.find(".//h1") is not None or not _one_heading(el):
        return False
    if any(up.tag == "a" for up in el.iterancestors()):
        return False  # a linked card's title
    node: HtmlElement | None = el
    for _ in range(_SECTION_LEVELS):
        if node is None:
            return False
        after = (sib for sib in node.itersiblings() if isinstance(sib.tag, str))
        if (first := next(after, None)) is not None:
            section = [first] if "section_prose" in DISABLED else itertools.chain((first,), after)
            # read on only until enough: a section can run to the end of the article
            return any(chars >= _SECTION_PROSE_MIN for chars in itertools.accumulate(map(paragraph_chars, section)))
        node = node.getparent()
    return False


# A dialog shows an article when it holds this many characters of paragraphs.
_DIALOG_PROSE_MIN = 1000
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
_DIALOG_WORDS = frozenset({"modal", "dialog", "lightbox"})


def _aria_hidden(root: HtmlElement, may_hide: list[HtmlElement] | None = None) -> list[HtmlElement]:
    """The elements of ``root`` (itself included) marked ``aria-hidden="true"``, in page order.

    ``may_hide`` is ``_hinted(root)[1]`` when the caller has it (every element with an
    ``aria-hidden`` attribute is among them, in page order): only those are read then.
    A walk in Python: faster than libxml2's XPath ``descendant-or-self::*[@aria-hidden = 'true']``.
    """
    return [el for el in (root.iter() if may_hide is None else may_hide) if el.get("aria-hidden") == "true"]


def _is_dialog(el: HtmlElement) -> bool:
    """Return True if ``el`` is marked up as a dialog: <dialog>, its role, aria-modal, or a class/id word."""
    return (
        el.tag == "dialog"
        or el.get("role") in _DIALOG_ROLES
        or el.get("aria-modal") == "true"
        or any(words & _DIALOG_WORDS for words in class_words(el))
    )


def remove_page_behind_dialog(
    root: HtmlElement,
    shown: frozenset[str] = frozenset(),
    rec: Recorder | None = None,
    may_hide: list[HtmlElement] | None = None,
) -> bool:
    """Remove the page behind an open dialog when the dialog shows an article; return True if it did.

    A page saved with a dialog open marks everything behind the dialog
    ``aria-hidden``, article and all: the hidden-element exception keeps
    such a page for its prose (the reader closes a newsletter or consent
    dialog and reads on). When the dialog itself shows an article (1000
    characters of paragraphs, outside the hidden part, not hidden itself:
    a story opened over the front page), that is what the reader sees, and
    the hidden page behind it goes (readability-pages/yahoo-2 published the
    front page behind the story). ``may_hide`` is ``_hinted(root)[1]`` when the caller has it.
    """
    behind = [
        el
        for el in _aria_hidden(root, may_hide)
        if el.tag not in ("html", "body") and paragraph_chars(el) >= _DIALOG_PROSE_MIN
    ]
    if not behind:
        return False
    dialogs = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and _is_dialog(el)
        and not any(is_within(el, b) or is_within(b, el) for b in behind)
        and not any(is_hidden(node, shown) for node in (el, *el.iterancestors()))
        and paragraph_chars(el) >= _DIALOG_PROSE_MIN
    ]
    if not dialogs:
        return False
    removed = False
    for el in behind:
        if is_within(el, root):
            remove(el, rec, "prune", "the page behind an open dialog that shows the article (aria-hidden)")
            removed = True
    return removed


# A sibling subtree is a copy when its text, this long at least, equals an earlier sibling's.
_COPY_MIN_CHARS = 200


def remove_sibling_copies(root: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove each subtree of blocks whose text equals that of an earlier sibling of its tag (at least 200 characters).

    Responsive page builders publish one section once per screen size,
    side by side, and a style sheet shows one: the article, or a call to
    action, comes out twice. Only whole subtrees that hold blocks are
    compared: an article may repeat a paragraph, a list item or a quote on
    purpose (102 dev pages' truths keep such repeats), never a whole section.
    The first copy stays. Copies are laid out alike, so only siblings whose
    children have the same tags have their texts compared (texts cost the most).
    """
    holders = block_holders(root)
    # Outer copies first (page order): a copy inside a copy must not make the outer two differ.
    for parent in [el for el in root.iter("body", *BLOCK_TAGS) if el in holders and len(el) > 1]:
        if not is_within(parent, root):
            continue
        alike: dict[tuple[object, ...], list[HtmlElement]] = {}
        for child in parent:
            if child in holders and child.tag in BLOCK_TAGS:
                alike.setdefault((child.tag, *(c.tag for c in child)), []).append(child)
        for group in alike.values():
            if len(group) < 2:
                continue
            # Equal texts have as many characters: a child whose count no sibling of its group shares
            # is not read (counting is cheaper). A removal here changes no sibling's text.
            chars = [text_chars(child) for child in group]
            shared = {n for n, times in Counter(chars).items() if times > 1}
            seen: set[str] = set()
            for child, n in zip(group, chars, strict=True):
                if n not in shared:
                    continue
                text = text_of(child)
                if len(text) < _COPY_MIN_CHARS:
                    continue
                if text in seen:
                    remove(
                        child,
                        rec,
                        "prune",
                        "the same text as a sibling before it (a copy of the layout for another screen)",
                    )
                else:
                    seen.add(text)


# An accordion's title button: a few words (not a control label) over a panel of text.
_TITLE_CHARS = (8, 200)
_PANEL_MIN_CHARS = 80
_NOT_SHOWN = frozenset({"svg", "script", "style", "template"})
_TEXT_NODES = etree.XPath("descendant-or-self::text()")
_BY_ID = etree.XPath("//*[@id=$id]")
_PANEL_LEVELS = 3


def _keep_accordion_titles(root: HtmlElement, shown: frozenset[str]) -> None:
    """Turn each accordion title <button> into a heading (or, inside one, plain text) before buttons are dropped.

    FAQ questions and collapsible section titles are buttons that show
    the panel after them (or the one their ``aria-controls`` names); the
    panel is article text (``reveal_on_click``), so its title is too. A
    button is a title when its text is a question (a control's label never
    is one) and its panel, shown to readers or on a click (``shown``),
    holds text that is not mostly links.
    """
    for button in _elements(root, frozenset({"button"})):
        text = _title_text(button)
        if not _TITLE_CHARS[0] <= len(text) <= _TITLE_CHARS[1] or not text.endswith("?"):
            continue
        panel = _panel_of(root, button)
        if panel is None or any(is_hidden(el, shown) for el in [panel, *panel.iterancestors()]):
            continue  # a panel that pruning removes takes its title's reason with it
        panel_text = " ".join(panel.text_content().split())
        links = sum(len(a.text_content()) for a in panel.iter("a"))
        if len(panel_text) < _PANEL_MIN_CHARS or links > 0.5 * len(panel_text):
            continue
        inside_heading = any(a.tag in HEADING_TAGS for a in button.iterancestors())
        # Its words only: a heading holds no blocks (some buttons wrap a <div><p>).
        tail = button.tail
        button.clear()
        button.text, button.tail = text, tail
        button.tag = "span" if inside_heading else "h3"


def _title_text(button: HtmlElement) -> str:
    """The words a reader sees on a button: not an icon's <title>, a script, or hidden screen-reader text."""
    parts = []
    for piece in _TEXT_NODES(button):
        holder = piece.getparent()
        if piece.is_tail:
            holder = holder.getparent()
        if all(
            _shown(node) for node in [holder, *holder.iterancestors()] if node is not button and is_within(node, button)
        ):
            parts.append(str(piece))
    return " ".join(" ".join(parts).split())


def _shown(el: HtmlElement) -> bool:
    return el.tag not in _NOT_SHOWN and not is_hidden(el) and class_signal(el) >= 0


def _panel_of(root: HtmlElement, button: HtmlElement) -> HtmlElement | None:
    """Return the panel a title button opens: the element its ``aria-controls`` names, else the element after it.

    A button wrapped in a heading or a title box is followed by the panel
    at that level (two levels up at most), while the wrapper holds only the
    button's words.
    """
    controls = (button.get("aria-controls") or "").split()
    if controls:
        found = _BY_ID(root, id=controls[0])
        return found[0] if found else None
    node = button
    for _ in range(_PANEL_LEVELS):
        nxt = node.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is not None:
            return nxt
        parent = node.getparent()
        if parent is None or parent is root or len(text_of(parent)) > len(text_of(button)) + 40:
            return None  # the button sits with other text: not a title over a panel
        node = parent
    return None


def _paragraph_chars_of(elements: list[HtmlElement]) -> dict[HtmlElement, int]:
    """Return ``dom.paragraph_chars`` of each element, reading each <p>'s text once (hinted elements nest)."""
    lengths: dict[HtmlElement, int] = {}
    found: dict[HtmlElement, int] = {}
    for el in elements:
        total = 0
        for p in el.iter("p"):  # el itself included, as paragraph_chars counts it
            n = lengths.get(p)
            if n is None:
                n = lengths[p] = len(text_content(p))
            total += n
        found[el] = total
    return found


def _swallowed_article(el: HtmlElement, total: int) -> bool:
    """Return True if ``el`` (an <aside>, <nav>, ...) holds what must be the article itself."""
    chars = paragraph_chars(el)
    if chars < 0.4 * total:
        return False
    return (
        chars >= 2000
        or el.find(".//article") is not None
        or el.find(".//main") is not None
        or el.find(".//h1") is not None
    )


# --- scoring -------------------------------------------------------------


class _SubtreeText:
    """Text counts and score of one element's subtree, gathered in one walk."""

    __slots__ = ("chars", "link_chars", "prose", "score")

    def __init__(self) -> None:
        self.chars = 0
        self.link_chars = 0
        self.prose = 0  # characters in blocks that read as prose
        self.score = 0.0


def _block_text_counts(root: HtmlElement) -> dict[HtmlElement, list[int]]:
    """Return, for each block element, [chars, link chars, commas] of its own inline text."""
    counts: dict[HtmlElement, list[int]] = {}
    _count_texts(root, root, False, counts)
    return counts


# Module functions, not closures: a closure that calls itself is a reference cycle, which
# kept the counts (and through their elements the whole page's tree) alive until the
# garbage collector's next full pass, and made each of its passes longer.
def _count_texts(el: HtmlElement, block: HtmlElement, in_link: bool, counts: dict[HtmlElement, list[int]]) -> None:
    tag = el.tag
    if tag in BLOCK_TAGS or tag == "body":
        block = el
    if tag == "a":
        in_link = True
    if el.text:  # (tested here: most elements have no text or tail, and a call costs more)
        _count_text(block, el.text, in_link, counts)
    for child in el:
        if isinstance(child.tag, str):
            _count_texts(child, block, in_link, counts)
        if child.tail:  # the tail belongs to the enclosing block, outside the child
            _count_text(block, child.tail, in_link, counts)


def _count_text(block: HtmlElement, text: str, in_link: bool, counts: dict[HtmlElement, list[int]]) -> None:
    n = len(text.strip())
    if not n:
        return
    row = counts.setdefault(block, [0, 0, 0])
    row[0] += n
    if in_link:
        row[1] += n
    row[2] += text.count(",") + text.count("，") + text.count("、")  # what _COMMAS finds, without a list


def _subtree_texts(
    counts: dict[HtmlElement, list[int]], order: tuple[list[HtmlElement], list[HtmlElement]] | None = None
) -> dict[HtmlElement, _SubtreeText]:
    """Return, for each block of ``counts`` and each ancestor, the text counts of the blocks inside it (score 0).

    Summed once per element, children before parents, rather than added up
    every ancestor of every block; the elements are in the order that
    per-block climb first reaches them (``find_article`` breaks ties by it).
    ``order`` is ``_tree_order(counts)`` when the caller has it already.
    """
    elements, below_first = order or _tree_order(counts)
    stats = {el: _SubtreeText() for el in elements}
    for block, (chars, link_chars, _) in counts.items():
        text_chars = chars - link_chars
        s = stats[block]
        s.chars, s.link_chars = chars, link_chars
        s.prose = text_chars if text_chars >= _SCORED_MIN_CHARS and link_chars <= 0.5 * chars else 0
    for el in below_first:
        parent = el.getparent()
        if parent is not None:
            s, up = stats[el], stats[parent]
            up.chars += s.chars
            up.link_chars += s.link_chars
            up.prose += s.prose
    return stats


def find_article(root: HtmlElement, rec: Recorder | None = None) -> HtmlElement:
    """Return the element of ``root`` that holds the article.

    Scores each text block by length and commas, credits its ancestors
    (parent fully, grandparent half, great-grandparent a sixth), weighs
    each candidate by its tag, class signal and link density, and takes
    the best one with the siblings that score close to it. That pick is
    checked against the subtree of highest additive value
    (``subtree_values``), which wins when the pick is only a fragment.
    """
    counts = _block_text_counts(root)
    order = _tree_order(counts)  # one climb and one walk, for the stats and the values alike
    stats = _subtree_texts(counts, order)
    for block, (chars, link_chars, commas) in counts.items():
        text_chars = chars - link_chars
        if text_chars < _SCORED_MIN_CHARS:
            continue
        score = 1.0 + commas + min(text_chars / 100.0, 3.0)
        node: HtmlElement | None = (
            block if block.tag not in ("p", "pre", "li", "td", "h2", "h3", "h4", "blockquote") else block.getparent()
        )
        for divider in _ANCESTOR_DIVIDERS:
            if node is None or node.tag == "html":
                break
            stats[node].score += score / divider
            node = node.getparent()

    best: HtmlElement | None = None
    best_score = 0.0
    final: dict[HtmlElement, float] = {}
    for el, s in stats.items():
        if s.score <= 0 or el.tag not in _CANDIDATE_BIAS:
            continue
        bias = _CANDIDATE_BIAS[el.tag] + 25.0 * class_signal(el)
        density = s.link_chars / s.chars if s.chars else 1.0
        weighted = (s.score + bias) * (1.0 - density)
        final[el] = weighted
        if weighted > best_score:
            best, best_score = el, weighted
    if best is None:
        body = root.find(".//body")
        return body if body is not None else root

    best = _climb(best, stats)
    keep = _sibling_keep(best, final, stats)
    # Second opinion: if the pick holds only a fragment of the best subtree's
    # value (an article split into sections or cards, a page whose class
    # names mislead the scorer), take that subtree instead.
    value = subtree_values(counts, order)
    whole = best_by_value(value)
    if whole is not None and sum(value.get(k, 0.0) for k in keep) * _SECOND_OPINION < value[whole]:
        keep = [whole]
    if "title_section" not in DISABLED:
        header = title_section(keep[0], stats)
        if header is not None:
            keep = [header, *keep]
    return _wrap(keep, rec)


def _climb(best: HtmlElement, stats: dict[HtmlElement, _SubtreeText]) -> HtmlElement:
    """Return the outermost ancestor of ``best`` whose extra text is still prose.

    Articles split into sections (or CMS blocks) score highest in one
    section; its ancestors hold the others. Climbing stops at the first
    ancestor that adds mostly link text or short lines (menus, cards).
    """
    current = best
    headed = "headings_climb" not in DISABLED
    while True:
        parent = current.getparent()
        if parent is None or parent.tag == "html":
            return current
        here, there = stats[current], stats.get(parent)
        if there is None:
            return current
        extra_chars = there.chars - here.chars
        extra_prose = there.prose - here.prose
        extra_links = there.link_chars - here.link_chars
        if (
            extra_chars > 0
            and (extra_prose < _CLIMB_PROSE_SHARE * extra_chars or extra_links > _CLIMB_LINK_SHARE * extra_chars)
            and not (headed and _only_its_heading(current, parent))
        ):
            return current
        current = parent


# The article's header above the pick: found within this many levels up, the text blocks of at most
# this many characters passed over on the way (a date, "Share"), holding the <h1> and at least this much
# prose besides it, at most this share of it links, and smaller than the pick by this factor.
_HEADER_LEVELS = 4
_HEADER_SKIP_CHARS = 40
_HEADER_LEAD_CHARS = 40
_HEADER_LINK_SHARE = 0.3
_HEADER_SIZE_SHARE = 0.5


def title_section(pick: HtmlElement, stats: dict[HtmlElement, _SubtreeText]) -> HtmlElement | None:
    """Return the article's header just above ``pick``, to join the container, or None.

    Templates often print the headline with its standfirst ("Your step-by-step
    guide to ...", a TL;DR, a lead paragraph) in a title section of their
    own, a sibling of the body's container or of one of its ancestors; the
    container holds only the body, and the lead is lost. The nearest element
    with text before the pick (passing over empty ones and short lines such
    as a date) is that header when it holds the page's <h1>, prose beside
    the headline, few links and less text than the body. The headline goes
    later as the line the template prints; the scorer judges the rest
    (dates, bylines) as it does inside any container.
    """
    node: HtmlElement | None = pick
    for _ in range(_HEADER_LEVELS):
        if node is None or node.tag in ("body", "html"):
            return None
        for sib in node.itersiblings(preceding=True):
            s = stats.get(sib)
            if not isinstance(sib.tag, str) or s is None or s.chars <= _HEADER_SKIP_CHARS:
                continue
            return sib if _is_title_section(sib, s, pick, stats.get(pick)) else None
        node = node.getparent()
    return None


def _is_title_section(el: HtmlElement, s: _SubtreeText, pick: HtmlElement, body: _SubtreeText | None) -> bool:
    """Return True if ``el`` (with text counts ``s``) is a headline with its lead, above ``pick`` (counts ``body``)."""
    if body is None or s.chars > _HEADER_SIZE_SHARE * body.chars or s.link_chars > _HEADER_LINK_SHARE * s.chars:
        return False
    h1 = el if el.tag == "h1" else el.find(".//h1")
    if h1 is None or s.prose - len(text_content(h1).strip()) < _HEADER_LEAD_CHARS:
        return False
    return not _repeats_the_body(el, h1, pick)


# An excerpt is the body's opening again: the header's longest line starts with this many of the body's words.
_EXCERPT_WORDS = 8


def _repeats_the_body(header: HtmlElement, h1: HtmlElement, pick: HtmlElement) -> bool:
    """Return True if the header's lead is an excerpt of the body (a blog's teaser "… we group items […]")."""
    lines = [
        text_content(b)
        for b in header.iter(*BLOCK_TAGS)
        if not is_within(h1, b) and not is_within(b, h1) and next(b.iterdescendants(*BLOCK_TAGS), None) is None
    ]
    longest = max(lines, key=len, default="")
    words = _WORDS.findall(longest)[:_EXCERPT_WORDS]
    if len(words) < _EXCERPT_WORDS:
        return False
    return " ".join(words) in " ".join(_WORDS.findall(text_content(pick)))


def _only_its_heading(current: HtmlElement, parent: HtmlElement) -> bool:
    """Return True if all ``parent`` adds to ``current`` is a heading before it, without links: a section's title."""
    if (parent.text or "").strip():
        return False
    heading = after = False
    for sib in parent:
        if sib is current:
            after = True
        elif isinstance(sib.tag, str):
            if not after and sib.tag in HEADING_TAGS and sib.find(".//a") is None:
                heading = True
            elif text_content(sib).strip():
                return False
        if (sib.tail or "").strip():
            return False
    return heading


def _sibling_keep(
    best: HtmlElement, final: dict[HtmlElement, float], stats: dict[HtmlElement, _SubtreeText]
) -> list[HtmlElement]:
    """Return ``best`` and its article-like siblings, in page order."""
    parent = best.getparent()
    if parent is None or best.tag in ("body", "html"):
        return [best]
    threshold = max(10.0, 0.2 * final.get(best, 0.0))
    # An article a page builder splits into blocks of one kind (Squarespace's
    # "sqs-block html-block", one per section) scores low block by block:
    # its sections are the siblings of the pick with the same tag and class.
    # Numbers in a class are the block's place ("et_pb_row_2"), not its kind.
    shape = (best.tag, _kind(best)) if "same_class_sections" not in DISABLED and best.get("class") else None
    section_min = _SECTION_SHARE * final.get(best, 0.0)
    keep: list[HtmlElement] = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is best:
            keep.append(sib)
            continue
        s = stats.get(sib)
        if s is None or not s.chars:
            continue
        density = s.link_chars / s.chars
        if (
            final.get(sib, 0.0) >= threshold
            or (shape == (sib.tag, _kind(sib)) and final.get(sib, 0.0) >= section_min and density < 0.25)
            or (
                sib.tag == "p"
                and density < 0.25
                and (
                    s.chars >= 80
                    or (
                        s.chars > 0 and density == 0 and sib.text_content().rstrip().endswith((".", "!", "?", "”", '"'))
                    )
                )
            )
        ):
            keep.append(sib)
    return keep


_DIGITS = re.compile(r"\d+")


def _kind(el: HtmlElement) -> str:
    """Return an element's class without the numbers that only say its place ("et_pb_row_2" -> "et_pb_row_")."""
    return _DIGITS.sub("", el.get("class") or "")


def _wrap(keep: list[HtmlElement], rec: Recorder | None = None) -> HtmlElement:
    """Return the one element of ``keep``, or a new <div> holding them all (moved out of the page)."""
    if rec is not None and keep[0].tag not in ("body", "html"):
        rec.outside(keep, "extract", "outside the main content")
    if len(keep) == 1:
        return keep[0]
    wrapper = lxml.html.Element("div")
    for sib in keep:
        sib.tail = None
        wrapper.append(sib)  # moves it: the tree is ours to rearrange
    return wrapper


# --- the second opinion: additive subtree value ----------------------------

# Blocks that are neither prose nor links (headings, captions) count zero.
_NEUTRAL_TAGS = frozenset("h1 h2 h3 h4 h5 h6 figcaption caption th dt".split())
# Tags that are never the article container on their own.
_NOT_CANDIDATES = frozenset("p li h1 h2 h3 h4 h5 h6 a span html tr tbody thead".split())
# What a block of each kind is worth per character.
_LINK_VALUE = -1.0
_SHORT_VALUE = -0.25
_COMMA_VALUE = 10.0
# The scorer's pick stands unless the best subtree is worth this many
# times more (the pick then holds only a fragment of the article).
_SECOND_OPINION = 2.5


def subtree_values(
    counts: dict[HtmlElement, list[int]], order: tuple[list[HtmlElement], list[HtmlElement]] | None = None
) -> dict[HtmlElement, float]:
    """Return each element's value: the sum over the text blocks inside it.

    Prose (40+ characters, at most 40% links) is worth its length plus a
    bonus per comma; link-heavy blocks cost their length; other short
    lines cost a quarter of theirs. The element worth most holds the
    article, whatever its layout: sections, cards or a flat run of
    paragraphs, as long as what joins them is not mostly links.
    ``order`` is ``_tree_order(counts)`` when the caller has it already.
    """
    elements, below_first = order or _tree_order(counts)
    value = dict.fromkeys(elements, 0.0)
    for block, (chars, links, commas) in counts.items():
        text = chars - links
        if text >= 40 and links <= 0.4 * chars:
            v = text + _COMMA_VALUE * commas
        elif links > 0.5 * chars:
            v = _LINK_VALUE * chars
        elif block.tag in _NEUTRAL_TAGS:
            v = 0.0
        else:
            v = _SHORT_VALUE * chars
        value[block] = v
    # Summed children first, once per element. Every value is a whole number of quarters,
    # so the sums are exact in any order: the same as adding each block up its ancestors.
    for el in below_first:
        parent = el.getparent()
        if parent is not None:
            value[parent] += value[el]
    return value


def _tree_order(counts: dict[HtmlElement, list[int]]) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """The blocks of ``counts`` with their ancestors (``_with_ancestors``), and the same each after its descendants."""
    elements = _with_ancestors(counts)
    return elements, list(_children_first(elements))


def _with_ancestors(blocks: Iterable[HtmlElement]) -> list[HtmlElement]:
    """Return ``blocks`` and all their ancestors, each once, in the order climbing from each block in turn first reaches them."""
    found: dict[HtmlElement, None] = {}
    for block in blocks:
        node: HtmlElement | None = block
        while node is not None and node not in found:
            found[node] = None
            node = node.getparent()
    return list(found)


def _children_first(elements: list[HtmlElement]) -> Iterator[HtmlElement]:
    """Yield ``elements`` (every parent of one among them) with each after all of its descendants among them.

    Reverse page order of their trees (read in C): a descendant comes after its ancestor in page order.
    """
    members = set(elements)
    for top in [el for el in elements if el.getparent() is None]:
        for el in reversed(list(top.iter())):
            if el in members:
                yield el


def best_by_value(value: dict[HtmlElement, float]) -> HtmlElement | None:
    """Return the element of highest value (content class/id +10%; the innermost on a tie), or None."""
    best, best_v = None, 0.0
    for el, v in value.items():
        if not isinstance(el.tag, str) or el.tag in _NOT_CANDIDATES:
            continue
        adj = v * (1.1 if class_signal(el) > 0 else 1.0)
        if adj > best_v or (adj == best_v and best is not None and best in el.iterancestors()):
            best, best_v = el, adj
    return best
