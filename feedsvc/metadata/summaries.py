"""Whether a page's description is a summary: what a feed reader shows under the headline.

Pure. A page's meta/Open Graph/JSON-LD description is the summary when it says what the
article is about; some pages fill it with the headline again ("23 New Businesses Now Open in
Downtown Phoenix | Downtown Phoenix", the page's ``<title>`` copied). Such a description is
dropped, so the next source's, else the article's opening paragraph, is the summary;
:func:`feedsvc.metadata.decide.decide_summary` applies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["DISABLED", "RULES", "summary_of"]

# The rules that keep what is no summary out of the feed's summary, each with its own switch.
RULES: dict[str, str] = {
    "title_repeat": "a description that holds only the words of the page's title and the site's name ('23 New "
    "Businesses Now Open in Downtown Phoenix | Downtown Phoenix') tells a reader nothing the headline above it does not",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

_WORD = re.compile(r"\w+")


def summary_of(description: str | None, title: str | None, site_names: Iterable[str] = ()) -> str | None:
    """Return ``description`` when it is a summary of the page titled ``title``, else None.

    ``site_names``: what the site is called; a description of nothing but the title's and the
    site's words (in any order, any case, any punctuation) repeats the title.
    """
    if not description or "title_repeat" in DISABLED or not title:
        return description
    words = _words(description)
    known = set(_words(title)).union(*(_words(name) for name in site_names))
    return None if words and set(words) <= known else description


def _words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]
