"""Whether a page's description is a summary: what a feed reader shows under the headline.

Pure. A page's meta/Open Graph/JSON-LD description is the summary when it says what the
article is about; some pages fill it with the headline again ("23 New Businesses Now Open in
Downtown Phoenix | Downtown Phoenix", the page's ``<title>`` copied). Such a description is
dropped, so the next source's, else the article's opening paragraph, is the summary;
:func:`feedsvc.metadata.decide.decide_summary` applies it. A description that opens with the
headline and a colon or dash ("How to Make Furniture: So you tried …"), or run into a capitalised
sentence without one (an excerpt of the heading and the text: "Forbidden Career Advice for Software
Developers The Stuff No One Tells You …"), or with the byline the page shows ("Posted by Andrew
Hayden, Software Engineer on Google Play Android users are …"), is read from the article's first
sentence after it (:func:`without_opening`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["DISABLED", "RULES", "summary_of", "without_opening"]

# The rules that keep what is no summary out of the feed's summary, each with its own switch.
RULES: dict[str, str] = {
    "title_repeat": "a description that holds only the words of the page's title and the site's name ('23 New "
    "Businesses Now Open in Downtown Phoenix | Downtown Phoenix') tells a reader nothing the headline above it does not",
    "title_lead_in": "a description that opens with the page's title and a colon or dash ('How to Make Furniture: So "
    "you tried …') repeats the headline the reader sees right above it: the summary starts after it",
    "title_run_in": "a description that opens with the page's title of three words or more run into a capitalised "
    "sentence with no separator ('Forbidden Career Advice for Software Developers The Stuff No One Tells You …', an "
    "excerpt of the heading and the text) shows the headline twice: the summary starts at that sentence",
    "byline_lead_in": "a description that opens with a byline the page shows ('Posted by Andrew Hayden, Software "
    "Engineer on Google Play') puts the writer where the reader looks for the story: the summary starts after it",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

_WORD = re.compile(r"\w+")
# What parts a headline from a sentence after it: "Title: So you …", "Title - The …", "Title | 12 …"; a small letter
# goes on the title's sentence ("Electrical safety: since 2015, 289 accidents …" is one sentence, kept whole).
_AFTER_TITLE = re.compile(r"^(?::\s+|\s+[-–—|]\s+)(?=[\"“‘'(]?[^\W_a-z])")
# A title run into the text: one space, then a letter (an opening quote allowed) that must be a capital; a small one
# goes on the title's sentence ("Real Estate Investing for Beginners is designed to …"), and a script without
# capitals is never cut.
_RUN_IN = re.compile(r"^ (?=[\"“‘'(]?([^\W\d_]))")
# A title of fewer words is as often the subject of a sentence that goes on with a name ("Apple Watch Series 9 …").
_MIN_RUN_IN_TITLE_WORDS = 3
# What may part an opening from the text after it: spaces, a colon, a dash, a pipe, a full stop.
_AFTER_OPENING = " :.|-–—"
# Fewer words after an opening are no summary of the story: the description was only the opening.
_MIN_WORDS_AFTER = 6


def summary_of(description: str | None, title: str | None, site_names: Iterable[str] = ()) -> str | None:
    """Return ``description`` when it is a summary of the page titled ``title``, else None.

    ``site_names``: what the site is called; a description of nothing but the title's and the
    site's words (in any order, any case, any punctuation) repeats the title. One that opens with the
    title and a colon or dash before a new sentence is returned from that sentence on.
    """
    if not description or not title:
        return description
    if "title_repeat" not in DISABLED:
        words = _words(description)
        known = set(_words(title)).union(*(_words(name) for name in site_names))
        if words and set(words) <= known:
            return None
    if "title_lead_in" not in DISABLED or "title_run_in" not in DISABLED:
        return _after_title(description, title)
    return description


def without_opening(description: str, openings: Iterable[str]) -> str:
    """Return ``description`` from after the longest of ``openings`` it starts with (case and spaces ignored).

    ``openings``: the byline lines the page shows. A description is kept whole when nothing of six words or
    more would follow the opening, or when the opening ends inside a word ("By Ann" does not open "By Anna …").
    """
    if "byline_lead_in" in DISABLED:
        return description
    text = " ".join(description.split())
    for opening in sorted({" ".join(line.split()) for line in openings}, key=len, reverse=True):
        rest = _rest_after(text, opening) if opening else None
        if rest is None or (rest[:1].isalnum() and opening[-1:].isalnum()):
            continue
        return _story_or(rest.lstrip(_AFTER_OPENING), description)
    return description


def _after_title(description: str, title: str) -> str:
    """Return ``description`` from after the title it opens with and a colon or dash, or a capital, when text follows.

    A title given twice ("Zero-Waste for Beginners Zero-Waste for Beginners Welcome …") is cut twice.
    """
    head = " ".join(title.split())
    rest = _rest_after(" ".join(description.split()), head)
    if rest is None:
        return description
    parted = _AFTER_TITLE.match(rest) if "title_lead_in" not in DISABLED else None
    if parted is None and "title_run_in" not in DISABLED and len(head.split()) >= _MIN_RUN_IN_TITLE_WORDS:
        run_in = _RUN_IN.match(rest)
        parted = run_in if run_in and run_in[1].isupper() else None
    if parted is None:
        return description
    story = rest[parted.end() :]
    return _story_or(_after_title(story, title), description)


def _rest_after(text: str, head: str) -> str | None:
    """Return ``text`` after ``head`` when it starts with it (case ignored), else None.

    Compared character by character: casefolding may change a length ("Straße" is "strasse"), so the rest is
    sliced where the folded opening ends in ``text``, not at ``len(head)``.
    """
    wanted, folded = head.casefold(), ""
    for end, char in enumerate(text):
        if folded == wanted:
            return text[end:]
        folded += char.casefold()
        if not wanted.startswith(folded):
            return None
    return "" if folded == wanted else None


def _story_or(rest: str, description: str) -> str:
    """Return ``rest`` when it is enough of a story to summarise it (six words or more), else ``description``."""
    return rest if len(rest.split()) >= _MIN_WORDS_AFTER else description


def _words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]
