"""Bound how many elements a page may have before anything reads it: the element budget.

Pure. The cleaner's time follows the number of elements of a page, not its
bytes: 2 MB of inline script is cheap, 5 MB of empty ``<p>`` costs seconds
per megabyte. Each reader of a whole page (the cleaner, the metadata) counts
the elements of the tree it has just parsed, which costs nothing, and refuses
a page over the caller's limit before any of its stages runs; the publisher
then holds that one article out, with this error, and publishes the rest.
A count, unlike a time limit, gives the same answer on every machine and
under any load. Session 43's numbers are in docs/notebook/cleaner.md.
"""

from __future__ import annotations

__all__ = ["MAX_ARTICLE_ELEMENTS", "MAX_ARTICLE_ELEMENTS_RANGE", "SETTING", "TooManyElements", "check_elements"]

# The default of site.toml's max_article_elements: three times the largest of the 839 dev pages (9,886
# elements, a Wikipedia article; 3,740 at the 99th percentile). A page of 30,000 elements of the costliest
# hostile shape measured cleans in about 7 s, of the others in under 4 s (a 5 MiB page: up to 30 s).
MAX_ARTICLE_ELEMENTS = 30_000
# Bounds a site may set: below, long ordinary articles (3,700 elements at the 99th percentile) are
# refused; above, one article costs the cleaner minutes.
MAX_ARTICLE_ELEMENTS_RANGE = (1_000, 1_000_000)
SETTING = "max_article_elements"


class TooManyElements(ValueError):
    """A page with more elements than its reader's budget; the message says the count, the limit and the setting."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"has {count:,} elements, over the {limit:,}-element limit for an article ({SETTING} in site.toml); "
            f"save only the article, or raise {SETTING} if the page is meant to be that long"
        )
        self.count = count
        self.limit = limit


def check_elements(count: int, limit: int | None) -> None:
    """Raise :class:`TooManyElements` if ``count`` elements are over ``limit`` (None: no limit)."""
    if limit is not None and count > limit:
        raise TooManyElements(count, limit)
