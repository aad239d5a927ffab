"""Reading a clean article: its summary line and, for a page without one, a title.

Pure. Beside the stages in ``feedsvc.clean`` (it imports only the leaves
``dom`` and ``policy``): it reads what the pipeline made, an HTML fragment
from ``clean_html``, for the catalog's summaries and fallback titles.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from feedsvc.clean.dom import HEADING_TAGS, is_leaf_block, parse
from feedsvc.clean.policy import PLAYER_LINK_LABELS
from feedsvc.text import one_line, strip_markup

__all__ = ["DISABLED", "RULES", "fallback_title", "summarize", "without_dateline"]

# What the summary leaves out of the article's opening lines, each rule with its own switch.
RULES: dict[str, str] = {
    "breadcrumb": "a paragraph that is a trail of links ('Home > Fables > The Dog and Its Reflection') says "
    "where the page sits, not what it says: the summary reads on after it",
    "dateline": "a news agency's dateline opening the first paragraph ('WASHINGTON (AP) —', 'RAJSHAHI, Dec 20, 2025 "
    "(BSS) -', a byline run into it: 'By Jane Doe LONDON —') says where the story was filed, not what it says: "
    "the summary starts at the sentence after it (the article keeps it)",
    "player_links": "a paragraph that is only the link the cleaner made of a player or an embedded post ('Listen "
    "to the audio', 'Watch on YouTube: …') holds none of the article's words: the summary and a fallback title "
    "read on after it",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

_ELLIPSIS = "…"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=\S)")
# The separators of a trail of links; "/" only with spaces round it, as in "Home / News".
_TRAIL_SEPARATOR = re.compile(r"\s*(?:[>›»→＞]|\s/\s)\s*")
# A trail's steps are short names of sections: longer, or ending a sentence, it is running text.
_STEP_WORDS = 8
_STEP_END = re.compile(r"[.!?。！？]$")
# An agency's dateline: the place in capitals ("WASHINGTON", "NEW YORK"; three letters at least: "AI - It …" is
# none), maybe a date or state after a comma and the agency in brackets, then a dash and the story's first sentence;
# a byline run into it ("By Jane Doe LONDON -") goes with it. Case matters: a capitalised sentence start
# ("Washington — the city") is no dateline.
_DATELINE = re.compile(
    r"^(?:(?i:by)\s+(?:[A-Z][\w.'’-]*\s+){1,5}?)?"
    r"[A-Z][A-Z.'’-]{2,}(?:\s+[A-Z][A-Z.'’-]+){0,3}"
    r"(?:,\s*[^()\n—–]{1,40}?)?"
    r"\s*(?:\([A-Za-z][\w .&/-]{0,24}\))?"
    r"\s*(?:—|–|--?)\s+(?=[\"“‘'(]?[A-Z0-9])"
)
# Fewer words after a dateline are not the story's first sentence: the paragraph is kept whole.
_MIN_WORDS_AFTER_DATELINE = 6


def summarize(article_html: str, words: int) -> str:
    """Return the opening paragraph(s) of a clean article as one line of plain text.

    Cut at a word boundary to at most ``words`` words, ending with "…" when
    cut; XML-safe, and without text that reads as a tag ("&lt;b&gt;" in the
    article), since RSS readers take summaries and titles for HTML.
    Returns ``""`` for an empty article or ``words < 1``.
    """
    if words < 1 or not article_html or not article_html.strip():
        return ""
    root = parse(article_html)
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    blocks = [strip_markup(one_line(p.text_content())) for p in body.iter("p") if not _is_player_link(p)]
    blocks = [b for b in blocks if b]
    if not blocks:  # no paragraphs: read the innermost blocks (list items, cells...)
        blocks = [
            one_line(el.text_content())
            for el in body.iter()
            if el is not body and isinstance(el.tag, str) and is_leaf_block(el)
        ]
        blocks = [strip_markup(b) for b in blocks if b] or [strip_markup(one_line(body.text_content()))]
    if "breadcrumb" not in DISABLED:
        blocks = [b for b in blocks if not _is_breadcrumb(b)]
    if blocks:
        blocks[0] = without_dateline(blocks[0])
    taken: list[str] = []
    for block in blocks:
        taken.extend(block.split())
        if len(taken) > words:
            break
    if len(taken) <= words:
        return " ".join(taken)
    cut = " ".join(taken[:words]).rstrip(",;:—–-(")
    return cut + _ELLIPSIS


def _is_player_link(el: HtmlElement) -> bool:
    """Whether ``el`` is a paragraph that is only a link the cleaner made of a player (``player_links``).

    Stage 4 turns a <video>, an <audio> and a known embed into a paragraph of one link labelled
    "Listen to the audio", "Watch on YouTube" or "Watch on YouTube: <the video's title>"
    (``policy.PLAYER_LINK_LABELS``). A narrated article opens with one ("Listen to the audio" before
    its first sentence), and a summary or title read from it would start with the cleaner's words.
    """
    if "player_links" in DISABLED or el.tag != "p":
        return False
    links = [child for child in el if isinstance(child.tag, str)]
    if len(links) != 1 or links[0].tag != "a" or (el.text or "").strip() or (links[0].tail or "").strip():
        return False
    return one_line(links[0].text_content()).split(": ", 1)[0] in PLAYER_LINK_LABELS


def _is_breadcrumb(line: str) -> bool:
    """Whether ``line`` is a trail of links: three or more short steps between ">", "›", "»", "→" or " / "."""
    steps = _TRAIL_SEPARATOR.split(line.strip())
    return len(steps) >= 3 and all(
        step and len(step.split()) <= _STEP_WORDS and not _STEP_END.search(step) for step in steps
    )


def without_dateline(paragraph: str) -> str:
    """Return ``paragraph`` from its first sentence on, after an agency's dateline (and a byline run into it).

    For the opening paragraph of a clean article and for a page's own description, which copies it as often.
    """
    found = _DATELINE.match(paragraph) if "dateline" not in DISABLED else None
    if not found:
        return paragraph
    rest = paragraph[found.end() :]
    return rest if len(rest.split()) >= _MIN_WORDS_AFTER_DATELINE else paragraph


def fallback_title(article_html: str, words: int = 12) -> str:
    """Return a title for a clean article whose page has none: its opening heading, else its first sentence.

    A heading counts only when it opens the article (nothing but other headings
    before it); a sentence longer than ``words`` words is cut at a word
    boundary with "…". Plain one-line text, as :func:`summarize` gives.
    """
    root = parse(article_html) if article_html and article_html.strip() else None
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    for el in body.iter():
        if not isinstance(el.tag, str) or el is body:
            continue
        text = strip_markup(one_line(el.text_content()))
        if not text:
            continue
        if el.tag in HEADING_TAGS:
            return _cut_words(text, words)
        if _is_player_link(el):
            continue
        if is_leaf_block(el):
            return _cut_words(_SENTENCE_END.split(text, maxsplit=1)[0], words)
    return summarize(article_html, words)


def _cut_words(text: str, words: int) -> str:
    taken = text.split()
    if len(taken) <= words:
        return text
    return " ".join(taken[:words]).rstrip(",;:—–-(") + _ELLIPSIS
