"""Stage 3, third pass: page chrome that came along inside the article container.

Pure: works in place on the article element (no file, network or clock)
and reports removals to an optional recorder (stage "boilerplate"). What
it removes is what readers saw in clean output on pages nobody tuned the
cleaner to (issue #11): literal markup text, cookie-consent dialogs,
"More from <site>" teaser runs, previous/next links, gallery captions
repeated and gallery control labels, video player labels and slide
counters, promos and prompts in several
languages, "Updated <time>" lines, italic contributor lines at the
article's end, and (``remove_action_lines``, which the pipeline runs after
the learned scorer) links styled as buttons. Every rule is generic: it
reads a block's text, size, links and emphasis, and of markup only what
styles a link as a button, never a site's layout. The phrasings are data
in ``feedsvc.clean.policy`` (its "stage 3, chrome" section).

Each rule has a name in ``RULES``; ``bench/extraction.py --ablate`` turns
them off one at a time (through ``DISABLED``) to check, fold by held-out
fold, that each one earns its place.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from lxml.html import HtmlElement

from feedsvc.clean.confidence import thread_markup
from feedsvc.clean.dom import (
    HEADING_TAGS,
    ancestor_counts,
    class_and_id,
    class_words,
    elements_within,
    in_code,
    is_within,
    leaf_blocks,
    may_match,
    remove,
    text_of,
)
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    BIO_LABEL,
    BIO_START,
    BUTTON_WORDS,
    CHROME_LINE,
    CONTENTS_TITLE,
    CONTRIBUTOR_ROLE,
    COOKIE_CUE,
    COOKIE_CUE_KEYS,
    COPYRIGHT_LINE,
    CTA_LINE,
    GALLERY_NAME,
    GREETING_BIO,
    LATIN_WORDS,
    MARKUP_TEXT,
    PLACEHOLDER_START,
    PLAYER_LABEL,
    PREV_NEXT,
    PREV_NEXT_KEYS,
    PROMPT_CUE,
    PROMPT_CUE_KEYS,
    RELATED_HEADING,
    SLIDE_COUNTER,
    TAG_LINE,
    TEMPLATE_PLACEHOLDER_TEXT,
    TEMPLATE_TOKEN_TEXT,
    UPDATED_LINE,
)

__all__ = [
    "DISABLED",
    "RULES",
    "remove_action_lines",
    "remove_author_class_boxes",
    "remove_bio_sections",
    "remove_box_copies",
    "remove_chrome",
    "remove_closing_bios",
    "remove_comment_threads",
    "remove_contents_titles",
    "remove_cookie_consent",
    "remove_dangling_tail",
    "remove_form_headings",
    "remove_greeting_bios",
    "remove_heading_copies",
    "remove_placeholders",
    "remove_teaser_grids",
    "remove_teaser_runs",
]

RULES: dict[str, str] = {
    "markup_text": "a block whose whole text is HTML tags (an escaped <noscript> pixel), outside code",
    "template_placeholders": "a block whose whole text is template placeholders ('{{name=\"/banner\"}}', '{% if %}', '[caption]'), outside code",
    "template_tokens": "a block whose whole text is plugin, module or script tokens ('[convertkit form=1]', '[CTA_MODULE]', '%%title%%', '$undefined'), outside code",
    "cookie_consent": "cookie-consent dialog text and the box around it",
    "prev_next": "previous/next article links with their teaser",
    "repeated_lines": "a short block repeating a caption or credit earlier in the article (galleries)",
    "chrome_lines": "control labels and promo lines, in several languages",
    "player_labels": "a video player's control labels ('Current Time 0:00', 'Loaded: 0%', 'Stream Type LIVE')",
    "slide_counter": "a line that is only a slide counter ('46/50')",
    "prompts": "subscription and comment prompts",
    "updated_line": "an 'Updated <time>' line anywhere in the article",
    "teaser_run": "a 'More from'-style heading and the run of 3+ teaser cards after it (headline link first)",
    "comment_retry": "when the pick is reader comments, extract again without them",
    "call_to_action": "a short line that is all link or button and only calls to act ('Learn more', 'Check price')",
    "closing_bio": "the italic contributor lines an article ends with ('Jane Doe is a professor of law at ...')",
    "button_link": "a short line that is all one link styled as a button (class 'btn', 'button' or 'cta', role=button)",
    "placeholder": "template placeholder text ('Lorem ipsum …') and its box, beside prose that is not Latin",
    "box_copies": "a box of blocks (not a list, quote or table) the article already showed: promo, price widget, author box",
    "author_class_box": "a box classed as the author's ('post-author', 'the-author') at the article's start or end",
    "teaser_grid": "a grid of 3+ short cards each titled by a heading linked to another page, after the article, and its heading",
    "bio_section": "a label over the writer's bio ('About the author', 'Who curated this article?') and the bio under it",
    "greeting_bio": "a bio that greets the reader ('Hi, I'm Jessica! Welcome to ...') as the article's last line",
    "tag_line": "a line of tags or categories ('Tags: Employment, Health & Fitness')",
    "copyright_line": "a copyright notice ('Copyright © 2023 NPR. All rights reserved. ...')",
    "heading_copy": "a heading that repeats the block right after it word for word (a slideshow's caption as its headline)",
    "form_heading": "a heading over an empty form a script fills ('Register', 'Request a Demo')",
    "closing_bio_parens": "closing_bio also takes a contributor line set apart in parentheses, as italics set it apart",
    "dangling_tail": "headings and lines ending in ':' left as the article's last lines with nothing under them",
    "contents_title": "a 'Table of Contents' title whose table is gone (no list item right after it, no link in the next lines)",
}

# Rules switched off; only the benchmark's ablation sets this (a module
# global so the hot path pays one set lookup, and clean_html stays pure).
DISABLED: frozenset[str] = frozenset()

_STAGE = "boilerplate"
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Longest block each line rule looks at (characters of text).
_LINE_MAX = 120
_COOKIE_BLOCK_MAX = 800
_PROMPT_MAX = 300
_CTA_MAX = 60
_BUTTON_MAX = 60
# Contributor lines: at most this long, among the article's last this many lines.
_BIO_MAX = 400
_BIO_TAIL = 3
_ITALIC = ("em", "i")
_REPEAT_MIN, _REPEAT_MAX = 20, 300
_TEASER_MAX = 700
_TEASER_MIN_RUN = 3
_WORD_CHARS = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
# Placeholders go only beside this much other text, of which at most this share of words is Latin.
_PLACEHOLDER_PROSE_MIN = 300
_PLACEHOLDER_LATIN_MAX = 0.02
# A box copy: a box of at least 2 and at most this many blocks, its text this long.
_BOX_TAGS = frozenset({"div", "section", "aside", "article", "figure", "header", "footer", "details"})
_BOX_MAX_LEAVES = 40
_BOX_CHARS = (40, 1500)
# A placeholder's box (its template headline, a button) holds at most this much other text.
_PLACEHOLDER_BOX_OTHER = 100
_TAG_LINE_MAX = 200
_COPYRIGHT_MAX = 400
# A bio label and its bio: the label at most this long, at least this share of the
# article's text before it, then (beside labels and names) at most this many
# blocks of at most _BIO_BLOCK_MAX characters.
_BIO_LABEL_MAX = 60
_BIO_SECTION_START = 0.5
_BIO_SECTION_BLOCKS = 6
_BIO_BLOCK_MAX = 900
# A greeting bio: among the article's last this many lines, with this share of its text before it.
_GREETING_TAIL = 2
_GREETING_START = 0.7
# A heading repeated by the block after it: at least this long (a short one is a label).
_HEADING_COPY_MIN = 40
# A name over a bio: two to four capitalised words, then titles or degrees after commas.
_NAME_LINE = re.compile(r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]*){1,3}(?:,? [A-Z][\w.]*){0,4}")


def _iter_leaves(article: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """Yield the innermost blocks with text, in page order, with their text."""
    for el in leaf_blocks(article):
        text = text_of(el)
        if text:
            yield el, text


def _leaves(article: HtmlElement) -> list[tuple[HtmlElement, str]]:
    return list(_iter_leaves(article))


def _is_caption(el: HtmlElement, known: dict[HtmlElement, bool]) -> bool:
    """Return True if ``el`` is in a figure or caption, or a class/id of it or an ancestor names a caption or credit.

    Looked for up to the nearest article, main or body. ``known`` keeps the
    answer of every element walked (it is its nearest deciding ancestor's),
    so a gallery's lines walk their shared ancestors once.
    """
    walked = []
    node: HtmlElement | None = el
    found = False
    while node is not None:
        answer = known.get(node)
        if answer is not None:
            found = answer
            break
        walked.append(node)
        if node.tag in ("figure", "figcaption", "caption"):
            found = True
            break
        names = class_and_id(node).lower()
        if "caption" in names or "credit" in names:
            found = True
            break
        if node.tag in ("article", "main", "body"):
            break
        node = node.getparent()
    for node in walked:
        known[node] = found
    return found


def _is_slide_counter(el: HtmlElement, text: str) -> bool:
    """A line "n/total" (n at most total) in a gallery: a figure, or a block whose class/id names one."""
    counter = SLIDE_COUNTER.fullmatch(text)
    if counter is None or int(counter.group(1)) > int(counter.group(2)) or el.tag in ("td", "th"):
        return False
    for node in [el, *el.iterancestors()]:
        if node.tag == "figure" or GALLERY_NAME.search(class_and_id(node)):
            return True
        if node.tag in ("article", "main", "body"):
            return False
    return False


def _link_share(el: HtmlElement, text: str) -> float:
    """Return the share of the letters and digits of ``text`` that sit in links (an arrow or emoji before a link is not text)."""
    links = sum(len(_WORD_CHARS.findall(text_of(a))) for a in el.iter("a"))
    return links / max(len(_WORD_CHARS.findall(text)), 1)


def remove_chrome(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove the chrome this module knows (see the module docstring) from ``article``."""
    leaves = _leaves(article)  # one walk for every rule; a removed leaf is skipped after
    for rule, remove_boxes in _BOX_RULES:
        if rule not in DISABLED:
            remove_boxes(article, rec, leaves)
    seen: set[str] = set()
    captions: dict[HtmlElement, bool] = {}
    kept = []  # the leaves still in the article after the line rules (a leaf holds no other)
    # The leaves hold no block, so removing one takes no other with it: what is in the article after the
    # box rules is what the loop finds there, read in one walk rather than a climb per leaf.
    inside = elements_within(article)
    for el, text in leaves:
        if el not in inside:
            continue  # went with a box removed above
        why = _line_reason(el, text, seen, captions)
        if why:
            remove(el, rec, _STAGE, why)
        else:
            kept.append((el, text))
    if "closing_bio" not in DISABLED:
        remove_closing_bios(article, rec, kept)
    if "greeting_bio" not in DISABLED:
        inside = elements_within(article)
        remove_greeting_bios(article, rec, [(el, text) for el, text in kept if el in inside])


def remove_closing_bios(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove the contributor lines at the very end of the article: italic lines saying who the writer is.

    Op-eds and guest posts end with "Jane Doe is a professor of law at
    ..." set in italics. Only the last lines go, and only while each is
    such a line: the same sentence in the story (not italic, or followed by
    more of the story) stays.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    for el, text in reversed(leaves[-_BIO_TAIL:]):
        if not _is_contributor_line(el, text):
            break
        remove(el, rec, _STAGE, "contributor line at the end (who the writer is)")


def _is_contributor_line(el: HtmlElement, text: str) -> bool:
    if "closing_bio_parens" not in DISABLED and text.startswith("(") and text.endswith((")", ").")):
        # "(Jane Doe is an associate attorney at ...)": parentheses set it apart as italics do.
        inner = text[1:].rstrip(".")[:-1]
        return len(text) <= _BIO_MAX and bool(BIO_START.match(inner)) and bool(CONTRIBUTOR_ROLE.search(inner))
    if len(text) > _BIO_MAX or not BIO_START.match(text) or not CONTRIBUTOR_ROLE.search(text):
        return False
    italic = sum(len(_WORD_CHARS.findall(text_of(node))) for node in _outer_italics(el))
    return italic >= 0.8 * len(_WORD_CHARS.findall(text))


def _outer_italics(el: HtmlElement) -> Iterator[HtmlElement]:
    """Yield the <em>/<i> elements inside ``el`` that are not inside another one."""
    for node in el.iter(*_ITALIC):
        parent = node.getparent()
        while parent is not None and parent is not el and parent.tag not in _ITALIC:
            parent = parent.getparent()
        if parent is el:
            yield node


def _line_reason(el: HtmlElement, text: str, seen: set[str], captions: dict[HtmlElement, bool]) -> str:
    """Return why a leaf block goes ("" when it stays); ``seen`` collects earlier short texts, ``captions`` what ``_is_caption`` found."""
    short = len(text) <= _LINE_MAX
    if "markup_text" not in DISABLED and MARKUP_TEXT.fullmatch(text) and not in_code(el):
        return "literal markup text (an escaped tag, not article text)"
    if (
        "template_placeholders" not in DISABLED
        and ("{" in text or "%>" in text or "]" in text)  # most lines: no regex at all
        and TEMPLATE_PLACEHOLDER_TEXT.fullmatch(text)
        and not in_code(el)
    ):
        return "template placeholder text (what a template or script was to fill, not article text)"
    if (
        "template_tokens" not in DISABLED
        and ("]" in text or "%%" in text or "|*" in text or "$" in text)  # most lines: no regex at all
        and TEMPLATE_TOKEN_TEXT.fullmatch(text)
        and not in_code(el)
    ):
        return "an unfilled plugin, module or script token (what a plugin or script was to fill, not article text)"
    if el.tag not in _HEADINGS and "repeated_lines" not in DISABLED and _REPEAT_MIN <= len(text) <= _REPEAT_MAX:
        # Only captions and credits are remembered: other lines repeat in
        # articles on purpose (table rows, "Read our full review." under
        # each product), and the dev truths keep them.
        key = text.casefold()
        if key in seen:
            return "repeats a caption earlier in the article (a gallery caption or credit)"
        if _is_caption(el, captions):
            seen.add(key)
    if short and "chrome_lines" not in DISABLED and CHROME_LINE.fullmatch(text):
        return "control label or promo line"
    if short and "player_labels" not in DISABLED and PLAYER_LABEL.fullmatch(text):
        return "video player control label"
    if short and "slide_counter" not in DISABLED and _is_slide_counter(el, text):
        return "slide counter"
    if short and "updated_line" not in DISABLED and UPDATED_LINE.match(text):
        return "'Updated <time>' line"
    if len(text) <= _TAG_LINE_MAX and "tag_line" not in DISABLED and ":" in text and TAG_LINE.fullmatch(text):
        return "a line of tags or categories"
    if len(text) <= _COPYRIGHT_MAX and "copyright_line" not in DISABLED and COPYRIGHT_LINE.fullmatch(text):
        return "copyright notice (the site's, not the story's)"
    if (
        "prev_next" not in DISABLED
        and len(text) <= 200
        and may_match(text, PREV_NEXT_KEYS)  # most lines: no regex at all
        and PREV_NEXT.search(text)
        and (el.find(".//a") is not None or el.tag == "a" or short)
    ):
        return "previous/next article link"
    if (
        "prompts" not in DISABLED
        and len(text) <= _PROMPT_MAX
        and may_match(text, PROMPT_CUE_KEYS)
        and PROMPT_CUE.search(text)
    ):
        return "subscription or comment prompt"
    if (
        "call_to_action" not in DISABLED
        and len(text) <= _CTA_MAX
        and CTA_LINE.fullmatch(text)
        and (el.tag == "button" or _link_share(el, text) >= 0.9)
    ):
        return "call-to-action link or button"
    return ""


def remove_action_lines(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove the short lines that are all one link styled as a button ("Get the guide", "View plans").

    The pipeline runs this after the learned scorer, which reads a button
    in a box as a sign of a promo and drops the whole box: removed before,
    the button would leave the box's pitch looking like prose.
    """
    if "button_link" in DISABLED:
        return
    for el, text in _leaves(article):
        # Whether the line is still in the article is asked last: a climb to the article, for the few buttons.
        if len(text) <= _BUTTON_MAX and _is_link_line(el, text) and _is_styled_button(el) and is_within(el, article):
            remove(el, rec, _STAGE, "link styled as a button")


# A dangling tail: at most this many lines, each a heading or a line of at most this many characters ending in ':'.
_DANGLING_MAX_LINES = 3
_DANGLING_INTRO_MAX = 100
# What a heading can stand over without text: a picture, a player, a table, a list of links.
_DANGLING_CONTENT = ("img", "picture", "svg", "video", "audio", "iframe", "object", "embed", "table", "a")


def remove_dangling_tail(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove the headings and introducing lines left as the article's last lines with nothing under them.

    "Recommended Reading", "More Japan Travel Guides", "This might be
    interesting to you:" introduce a list of links or a widget that an
    earlier pass (or the learned scorer) removed, or that a script fills:
    at the end of the article they stand over nothing, and a reader sees a
    title with no section. The pipeline runs this last, after the scorer.
    Only lines after the article's last other text go, at most three; a
    heading over a picture, player, table or link (content without text of
    its own) stays, and so does an article that is nothing else.
    """
    if "dangling_tail" in DISABLED:
        return
    leaves = _leaves(article)  # read from the article as it is now: every one under it
    doomed: list[HtmlElement] = []
    for el, text in reversed(leaves[-_DANGLING_MAX_LINES:]):
        intro = len(text) <= _DANGLING_INTRO_MAX and text.endswith(":")
        if el.tag not in HEADING_TAGS and not intro:
            break
        doomed.append(el)
    if not doomed or len(doomed) == len(leaves) or _content_after(article, doomed[-1]):
        return
    for el in doomed:
        remove(el, rec, _STAGE, "a heading or introducing line with nothing under it at the article's end")


# A table of contents still under its title: one of the next this many lines holds a link.
_CONTENTS_LOOKAHEAD = 3


def remove_contents_titles(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove a "Table of Contents" title whose table is gone, wherever it stands in the article.

    The table itself goes earlier (a link list, a ``<nav>``, or never there: a
    script fills it), and ``feedsvc.clean.edges`` takes its title along only
    before the first paragraph or right before the list it removes; a table
    set after the article's introduction leaves its title over the first
    section, which a reader sees as a heading of nothing. The title stays
    while its table is there: a list item right after it, or a link among
    the next lines (a place on the page, or a guide's other pages: "In this
    guide" over "Step 1 - Backing up your data").
    The pipeline runs this after the learned scorer, which judges such a
    title itself (it drops some): the scorer's blocks stay as they were.
    """
    if "contents_title" in DISABLED:
        return
    leaves = _leaves(article)
    for i, (el, text) in enumerate(leaves):
        if len(text) > _CTA_MAX or not CONTENTS_TITLE.fullmatch(text):
            continue
        after = [nxt for nxt, _ in leaves[i + 1 : i + 1 + _CONTENTS_LOOKAHEAD]]
        if not after or after[0].tag == "li" or any(_holds_a_link(nxt) for nxt in after):
            continue
        remove(el, rec, _STAGE, "the title of a table of contents that is gone")


def _holds_a_link(el: HtmlElement) -> bool:
    """Return True if ``el`` holds a link with text (an entry of a table of contents)."""
    return any(a.get("href") and text_of(a) for a in el.iter("a"))


def _content_after(article: HtmlElement, el: HtmlElement) -> bool:
    """Return True if a picture, player, table or link sits in ``el`` or after it in ``article``'s page order."""
    if any(node.tag in _DANGLING_CONTENT for node in el.iter() if isinstance(node.tag, str)):
        return True
    node: HtmlElement | None = el
    while node is not None and node is not article:
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str) and any(
                isinstance(n.tag, str) and n.tag in _DANGLING_CONTENT for n in sibling.iter()
            ):
                return True
        node = node.getparent()
    return False


def _is_button(el: HtmlElement) -> bool:
    return el.get("role") == "button" or any(words & BUTTON_WORDS for words in class_words(el))


def _is_link_line(el: HtmlElement, text: str) -> bool:
    """Return True if ``text`` (the line of ``el``) is all one link."""
    links = [a for a in el.iter("a") if text_of(a)] if el.tag != "a" else [el]
    return len(links) == 1 and _link_share(el, text) >= 0.9


def _is_styled_button(el: HtmlElement) -> bool:
    """Return True if the line ``el`` or something in it is styled as a button."""
    return any(isinstance(node.tag, str) and _is_button(node) for node in el.iter())


def remove_box_copies(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove each box of blocks whose text the article already showed in an earlier box.

    A promo box ("Try X / pitch / 30 day free trial / button"), a price
    widget ("Best Prices Today: …") or the author's box is placed in the
    article more than once; a reader sees it again. The first copy stays
    (the truths keep a product's summary box once, where the page repeats
    it in a comparison). Only boxes (``div``, ``section``, ``aside``…) of
    two blocks or more are compared: an article repeats a list, a quote or
    a table row on purpose, and a line alone is ``repeated_lines``' matter.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    counts = _blocks_held(article, leaves)
    boxes = [box for box, n in counts.items() if box.tag in _BOX_TAGS and 2 <= n <= _BOX_MAX_LEAVES]
    if len(boxes) < 2:
        return
    first: dict[str, HtmlElement] = {}
    for box in boxes:
        text = text_of(box)
        if not _BOX_CHARS[0] <= len(text) <= _BOX_CHARS[1]:
            continue
        shown = first.setdefault(text, box)
        # A wrapper and what it wraps have one text: a copy is a box apart from the first.
        if shown is not box and not is_within(box, shown) and not is_within(shown, box) and is_within(box, article):
            remove(box, rec, _STAGE, "a box the article already showed (a promo, price or author box again)")


def _blocks_held(article: HtmlElement, leaves: list[tuple[HtmlElement, str]]) -> dict[HtmlElement, int]:
    """Return how many of ``leaves`` each of their ancestors below ``article`` holds, in the order a climb from each leaf meets them.

    The order: the leaves in page order, each one's ancestors from its parent up.
    One climb per leaf up to the first ancestor an earlier climb passed, then the
    counts added up from the deepest ancestors: a climb to ``article`` from every
    leaf cost the depth of the tree for each (256 levels over thousands of
    blocks, on a hostile page). A leaf out of the article counts in the
    ancestors it still has.
    """
    up: dict[HtmlElement, HtmlElement | None] = {}  # each ancestor met, with its parent (None above the top)
    depth: dict[HtmlElement, int] = {}
    counts: dict[HtmlElement, int] = {}
    for el, _ in leaves:
        node = el.getparent()
        if node is None or node is article:
            continue
        counts[node] = counts.get(node, 0) + 1  # the leaf itself; its ancestors get theirs below
        path = []
        while node is not None and node is not article and node not in up:
            parent = node.getparent()
            up[node] = parent
            path.append(node)
            counts.setdefault(node, 0)
            node = parent
        known = depth[node] if node is not None and node is not article else 0
        for passed in reversed(path):
            known += 1
            depth[passed] = known
    # Deepest first: each ancestor's count is final before it is added to its parent's.
    for node in sorted(up, key=depth.__getitem__, reverse=True):
        parent = up[node]
        if parent is not None and parent is not article:
            counts[parent] += counts[node]
    return counts


def remove_placeholders(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove template placeholder text ("Lorem ipsum …") and the box around it, beside real prose.

    A page template's sample section ("Head Line 1" over "Lorem ipsum 1,
    2, 3") is sometimes published with the article. Test pages use lorem
    ipsum as the article itself, so the placeholders go only when the rest
    of the article is prose of another language: at least 300 characters,
    hardly any of its words Latin (``LATIN_WORDS``). The box around a
    placeholder goes with it while most of the box's text is placeholder
    (its template headline and button).
    """
    leaves = leaves if leaves is not None else _leaves(article)
    hits = [(el, t) for el, t in leaves if PLACEHOLDER_START.match(t) and is_within(el, article)]
    if not hits:
        return
    rest = " ".join(t for el, t in leaves if not PLACEHOLDER_START.match(t) and is_within(el, article)).casefold()
    words = _WORDS.findall(rest)
    if len(rest) < _PLACEHOLDER_PROSE_MIN or sum(w in LATIN_WORDS for w in words) > _PLACEHOLDER_LATIN_MAX * len(words):
        return
    _remove_with_box(
        article, hits, rec, "template placeholder text (lorem ipsum beside the article's prose)", _PLACEHOLDER_BOX_OTHER
    )


def _remove_with_box(
    article: HtmlElement,
    hits: list[tuple[HtmlElement, str]],
    rec: Recorder | None,
    why: str,
    other_max: int | None = None,
) -> None:
    """Remove each hit with the largest box around it whose text is at least half hits' text.

    With ``other_max``, a box also holds at most that many characters of other text.
    """
    hit_chars: dict[HtmlElement, int] = {}
    for el, text in hits:
        for node in [el, *el.iterancestors()]:
            if node is article:
                break
            hit_chars[node] = hit_chars.get(node, 0) + len(text)
    # Every box is measured on the tree as it was: a removal would shrink its ancestors' text, not their count.
    targets = []
    for el, _ in hits:
        target = el
        for parent in el.iterancestors():
            if parent is article or parent.getparent() is None:
                break
            inside, whole = hit_chars.get(parent, 0), len(text_of(parent))
            if inside < 0.5 * whole or (other_max is not None and whole - inside > other_max):
                break
            target = parent
        targets.append(target)
    for target in targets:
        if is_within(target, article):
            remove(target, rec, _STAGE, why)


def remove_cookie_consent(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove cookie-consent text, and the box around it while the box is mostly that text."""
    hits = [
        (el, t)
        for el, t in (leaves if leaves is not None else _leaves(article))
        if len(t) <= _COOKIE_BLOCK_MAX
        and may_match(t, COOKIE_CUE_KEYS)  # most blocks: no regex at all
        and COOKIE_CUE.search(t)
        and is_within(el, article)
    ]
    if hits:
        # The dialog's labels ("Always Enabled", "Necessary") are short:
        # a box whose text is at least half consent text is the dialog.
        _remove_with_box(article, hits, rec, "cookie-consent dialog")


def _teaser_head(card: HtmlElement) -> bool:
    """Return True if the first line of ``card`` with text is a headline link (15+ characters, the whole line)."""
    el, text = next(_iter_leaves(card), (card, text_of(card)))
    link = el.find(".//a") if el.tag != "a" else el
    if link is None:
        return False
    return len(text_of(link)) >= 15 and len(text_of(link)) >= 0.8 * len(text)


def remove_teaser_runs(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove a "More from <site>"-style heading and the run of three or more teaser cards after it.

    Teaser lists (headline, byline, date, first sentence, five times) sit
    in the article container as sibling cards of one tag and class, each
    opening with a headline link. Without the heading, a run of such cards
    is as often a listicle's sections (the dev truths keep those), so the
    heading is required. The cards follow the heading, or are the children
    or grandchildren of what follows it.
    """
    for heading, text in leaves if leaves is not None else _leaves(article):
        if len(text) > 70 or not RELATED_HEADING.fullmatch(text) or not is_within(heading, article):
            continue
        nxt = heading.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):
            nxt = nxt.getnext()
        if nxt is None:
            continue
        candidates = [[nxt, *nxt.itersiblings()], list(nxt)]
        candidates += [list(child) for child in nxt if isinstance(child.tag, str)][:1]
        for cards in candidates:
            run = _teaser_run(cards)
            if run:
                remove(heading, rec, _STAGE, "heading of a teaser list")
                for card in run:
                    remove(card, rec, _STAGE, "teaser card of another story (a run of them)")
                break


def _teaser_run(elements: list[HtmlElement]) -> list[HtmlElement]:
    """Return the leading run of 3+ teaser cards of one tag and class in ``elements`` ([] if none)."""
    run: list[HtmlElement] = []
    shape: tuple[str, str] | None = None
    for child in elements:
        if not isinstance(child.tag, str):
            continue
        this = (child.tag, child.get("class") or "")
        if (
            child.tag not in ("div", "article", "section")
            or (shape is not None and this != shape)
            or len(text_of(child)) > _TEASER_MAX
            or not _teaser_head(child)
        ):
            break
        run.append(child)
        shape = this
    return run if len(run) >= _TEASER_MIN_RUN else []


# A teaser grid: at least this many cards, each at most this long, titled by a linked heading this long;
# the cards hold this share of the grid's text; the article shows this much text before it.
_GRID_MIN_CARDS = 3
_GRID_CARD_MAX = 600
_GRID_TITLE_MIN = 15
_GRID_CARD_SHARE = 0.8
_GRID_AFTER_MIN = 500
_GRID_HEADING_MAX = 80
_CARD_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def remove_teaser_grids(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove a grid of teaser cards for other pages that follows the article, and the heading just before it.

    A blog's "Latest insights" or "More you might like" block is a grid or
    carousel of cards, each a headline linked to another page with a date
    or a first sentence. A card is the largest box around one such linked
    heading that holds no other; a grid is the box of three or more cards,
    nearly all its text theirs. Unlike ``remove_teaser_runs`` no heading is
    needed, so what sits before the grid must be an article at least as
    long as the grid (a listing page, or a listicle whose items link their
    titles, is mostly its cards). A short heading without links just
    before the grid is its title ("Related posts") and goes with it.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    titles = [h for h in article.iter(*_CARD_HEADINGS) if is_within(h, article) and _linked_title(h)]
    if len(titles) < _GRID_MIN_CARDS:
        return
    holds = ancestor_counts(titles, article)
    grids: dict[HtmlElement, list[HtmlElement]] = {}
    for title in titles:
        card = title
        for parent in title.iterancestors():
            if parent is article or holds.get(parent, 0) > 1:
                grids.setdefault(parent, []).append(card)
                break
            card = parent
    for grid, cards in grids.items():
        if grid is article or len(cards) < _GRID_MIN_CARDS or not is_within(grid, article):
            continue
        card_chars = [len(text_of(card)) for card in cards]
        if max(card_chars) > _GRID_CARD_MAX or sum(card_chars) < _GRID_CARD_SHARE * len(text_of(grid)):
            continue
        before = _leaves_before(leaves, grid, article)
        if sum(len(t) for _, t in before) < max(_GRID_AFTER_MIN, len(text_of(grid))):
            continue
        remove(grid, rec, _STAGE, f"a grid of {len(cards)} teaser cards for other pages after the article")
        heading, text = before[-1]
        if heading.tag in _HEADINGS and len(text) <= _GRID_HEADING_MAX and heading.find(".//a") is None:
            remove(heading, rec, _STAGE, "heading of a teaser grid")


def _linked_title(heading: HtmlElement) -> bool:
    """Return True if ``heading``'s text is a title of 15+ characters, nearly all of it a link (or inside one)."""
    text = text_of(heading)
    if len(text) < _GRID_TITLE_MIN:
        return False
    if any(node.tag == "a" and node.get("href") for node in heading.iterancestors()):
        return True
    linked = sum(len(text_of(a)) for a in heading.iter("a") if a.get("href"))
    return linked >= 0.8 * len(text)


def _leaves_before(
    leaves: list[tuple[HtmlElement, str]], box: HtmlElement, article: HtmlElement
) -> list[tuple[HtmlElement, str]]:
    """Return the leaves still in ``article`` that come before ``box`` in page order."""
    before = []
    for el, text in leaves:
        if is_within(el, box):
            break
        if is_within(el, article):
            before.append((el, text))
    return before


# An author box: at most this long and this share of the article, before this share of it or after the rest.
_AUTHOR_BOX_MAX = 1200
_AUTHOR_BOX_SHARE = 0.25
_AUTHOR_LEAD_SHARE = 0.15
_AUTHOR_TAIL_SHARE = 0.5
_AUTHOR_WORDS = frozenset({"author", "authors"})


def remove_author_class_boxes(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove the boxes the page's markup names as the author's, at the article's start or end.

    A byline box or an author's bio (name, role, a paragraph about them, a
    photo) is classed "post-author", "the-author" or "blog-authors-section"
    by most templates, without a link to an author page
    (``feedsvc.clean.edges`` reads those). A box whose class or id has the
    word "author" goes when it is short (a bio, not a section) and sits
    before the first 15 % of the article's text or after its first half:
    the outermost such box, so a bio's name, role and paragraph go together.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    total = sum(len(t) for _, t in leaves)
    if not total:
        return
    limit = min(_AUTHOR_BOX_MAX, _AUTHOR_BOX_SHARE * total)
    boxes = [
        el
        for el in article.iter("div", "section", "aside", "footer", "header", "p", "span", "address")
        # A class word "author(s)" is spelled in the class or id, lower-cased: an element whose class
        # and id do not hold "author" (most, and all without either) is not split into words.
        if el is not article
        and "author" in class_and_id(el).lower()
        and any(words & _AUTHOR_WORDS for words in class_words(el))
    ]
    for box in boxes:
        if not is_within(box, article) or any(is_within(box, other) for other in boxes if other is not box):
            continue  # gone, or inside an author box of its own (the outer one decides)
        text = text_of(box)
        if not text or len(text) > limit or box.find(".//h1") is not None:
            continue
        before = sum(len(t) for _, t in _leaves_before(leaves, box, article))
        if before < _AUTHOR_LEAD_SHARE * total or before >= _AUTHOR_TAIL_SHARE * total:
            remove(box, rec, _STAGE, "a box classed as the author's (byline or bio) at the article's edge")


def remove_comment_threads(root: HtmlElement, rec: Recorder | None = None) -> bool:
    """Remove every element of ``root`` marked up as reader comments; return True if any went.

    For a second extraction when the first picked a comment: only what
    holds no headline and no <article> goes, since an opinion section's
    article can carry "comment" in its class.
    """
    if "comment_retry" in DISABLED:
        return False
    doomed = [
        el for el in root.iter() if isinstance(el.tag, str) and thread_markup(el) and el.find(".//article") is None
    ]
    removed = False
    for el in doomed:
        if is_within(el, root):
            remove(el, rec, "prune", "reader comments (the first pick was a comment)")
            removed = True
    return removed


def _shares_before(leaves: list[tuple[HtmlElement, str]]) -> list[float]:
    """Return, per leaf, the share of the leaves' text that comes before it."""
    total = sum(len(t) for _, t in leaves) or 1
    shares, before = [], 0
    for _, text in leaves:
        shares.append(before / total)
        before += len(text)
    return shares


def remove_bio_sections(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove a label over the writer's bio ("About the author", "Who curated this article?") with the bio under it.

    In the article's second half only; the bio is the lines after the label
    up to the next heading (at most six, each short), and at least one of
    them reads as one (a name or pronoun and what the person is: "Jane Doe
    is a ...", "Hi, I'm Jane"). A label followed by anything else (a heading,
    a long essay) stays, and the story's own words "written by" in a
    sentence are never a whole line.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    if not any(_is_bio_label(t) for _, t in leaves):
        return  # most articles: no label, no walk of the tree
    live = [(el, t) for el, t in leaves if is_within(el, article)]
    shares = _shares_before(live)
    i = 0
    while i < len(live):
        el, text = live[i]
        if shares[i] < _BIO_SECTION_START or not _is_bio_label(text):
            i += 1
            continue
        section = [el]
        bio = False
        paragraphs = 0
        j = i + 1
        while j < len(live):
            nxt, nxt_text = live[j]
            if _is_bio_label(nxt_text) or (_is_bio_label(live[j - 1][1]) and _is_name_line(nxt_text)):
                section.append(nxt)  # "Written by:" then "Reviewed by:"; a label, then the name under it
            elif nxt.tag in HEADING_TAGS or len(nxt_text) > _BIO_BLOCK_MAX or paragraphs == _BIO_SECTION_BLOCKS:
                break
            else:
                section.append(nxt)
                paragraphs += 1
                bio = bio or _reads_as_bio(nxt_text)
            j += 1
        if bio:
            for node in section:
                remove(node, rec, _STAGE, "the writer's bio and the label over it")
        i = j if bio else i + 1


def _is_bio_label(text: str) -> bool:
    return len(text) <= _BIO_LABEL_MAX and BIO_LABEL.fullmatch(text) is not None


def _is_name_line(text: str) -> bool:
    """A short line that names a person, with titles or degrees ("Raghuveer Vedala, MD, FAAFP"), not a sentence."""
    return len(text) <= _BIO_LABEL_MAX and not text.endswith((".", "!", "?", ":")) and bool(_NAME_LINE.fullmatch(text))


def _reads_as_bio(text: str) -> bool:
    """A line about a person: "Jane Doe, MD, is a board-certified ...", "Hi, I'm Jane", "She has covered ..."."""
    if GREETING_BIO.match(text):
        return True
    start = text.split(" is ", 1)[0] if " is " in text[:120] else ""
    named = bool(BIO_START.match(text)) or (bool(start) and start[:1].isupper() and len(start.split()) <= 12)
    return named and bool(CONTRIBUTOR_ROLE.search(text) or re.search(r"\b(?:experience|years)\b", text))


def remove_greeting_bios(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove a bio that greets the reader ("Hi, I'm Jessica! Welcome to ...") among the article's last lines.

    Bloggers sign off with a box that introduces them. Only at the very end
    (the last two lines, most of the article before them): the same
    greeting opening a post is the post.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    # The last lines still in the article are among the last few of ``leaves`` (closing_bio takes at most _BIO_TAIL).
    if not any(GREETING_BIO.match(t) for _, t in leaves[-(_GREETING_TAIL + _BIO_TAIL) :]):
        return
    live = [(el, t) for el, t in leaves if is_within(el, article)]
    shares = _shares_before(live)
    for i in range(max(len(live) - _GREETING_TAIL, 0), len(live)):
        el, text = live[i]
        if shares[i] >= _GREETING_START and len(text) <= _BIO_BLOCK_MAX and GREETING_BIO.match(text):
            remove(el, rec, _STAGE, "the writer's greeting bio at the end")


def remove_heading_copies(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove a heading whose text the next line repeats word for word.

    A slideshow prints each photo's caption as its headline and again as
    its description; the reader saw the caption twice, once in large type.
    The line stays, the heading goes. Short headings (a label under which
    the first line happens to repeat it) are left alone.
    """
    leaves = leaves if leaves is not None else _leaves(article)
    if not any(el.tag in HEADING_TAGS and len(t) >= _HEADING_COPY_MIN for el, t in leaves):
        return
    live = [(el, t) for el, t in leaves if is_within(el, article)]
    for (el, text), (_, nxt) in itertools.pairwise(live):
        if el.tag in HEADING_TAGS and len(text) >= _HEADING_COPY_MIN and text == nxt:
            remove(el, rec, _STAGE, "a heading the next line repeats (a caption printed as its headline)")


def remove_form_headings(
    article: HtmlElement, rec: Recorder | None = None, leaves: list[tuple[HtmlElement, str]] | None = None
) -> None:
    """Remove a heading over an empty form that a script fills ("Register", "Request a Demo").

    Marketing pages print a form's title and leave the form itself empty
    (``<div class="mktoForm">``) for a script; without the form the title
    is a heading over nothing. The heading goes when the box it alone fills
    (its ancestors with no other text) holds an element with no text whose
    class or id names a form.
    """
    for el, text in leaves if leaves is not None else _leaves(article):
        if el.tag not in HEADING_TAGS or len(text) > _CTA_MAX or not is_within(el, article):
            continue
        box = el
        parent = box.getparent()
        while parent is not None and parent is not article and text_of(parent) == text:
            box, parent = parent, parent.getparent()
        if any(_is_empty_form(node) for node in box.iter() if node is not el):
            remove(box, rec, _STAGE, "heading over an empty form (a script fills it)")


def _is_empty_form(node: HtmlElement) -> bool:
    if not isinstance(node.tag, str) or node.tag in HEADING_TAGS or text_of(node):
        return False
    return node.tag == "form" or any("form" in words for words in class_words(node))


# The box rules remove_chrome runs, in this order, before the line rules (each switched off by its RULES name).
_BOX_RULES: tuple[tuple[str, Callable[[HtmlElement, Recorder | None, list[tuple[HtmlElement, str]]], None]], ...] = (
    ("teaser_run", remove_teaser_runs),
    ("teaser_grid", remove_teaser_grids),
    ("author_class_box", remove_author_class_boxes),
    ("cookie_consent", remove_cookie_consent),
    ("placeholder", remove_placeholders),
    ("box_copies", remove_box_copies),
    ("form_heading", remove_form_headings),
    ("heading_copy", remove_heading_copies),
    ("bio_section", remove_bio_sections),
)
