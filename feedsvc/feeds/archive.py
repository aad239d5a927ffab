"""RFC 5005 archives: which monthly archive documents exist and how they link.

Pure. An article belongs to the month of its ``published`` date in the
site's timezone (``updated`` never moves it). There is an archive document
for every month that has articles, and for no other month, so an export
grows with the articles, not with the years between them:

- every article is in exactly one archive document, so a walk over the
  archives finds each article once, whatever the subscription feeds hold;
- ``prev-archive`` is the newest earlier month with articles and
  ``next-archive`` the oldest later one: RFC 5005 §4 asks only that the
  documents chain, not that they be consecutive months;
- a walk goes back from the subscription feed by ``prev-archive``, and
  those links never change unless an article is back-dated into a month
  between two others; ``next-archive`` of the newest archive appears when
  a later month gets its first article (a link added, no entry changed);
- the newest month's document grows until the month ends.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from feedsvc.model import Article, FeedSpec, Site

__all__ = [
    "MONTH",
    "MONTH_NAMES",
    "SUBSCRIPTION_PATH",
    "ArchiveIndex",
    "archive_path",
    "archive_spec",
    "index_archives",
    "month_of",
    "month_title",
    "newest_first",
    "next_month",
    "place",
    "reindex_archives",
]

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
SUBSCRIPTION_PATH = "/feed.atom"  # RFC 5005 "current": the subscription document
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    """Return the archive month ``YYYY-MM`` of a moment, in the site's timezone."""
    return moment.astimezone(tz).strftime("%Y-%m")


def archive_path(month: str) -> str:
    """Return the site path of a month's archive document."""
    return f"/archive/{month}.atom"


def next_month(month: str) -> str:
    """Return the calendar month after ``month``."""
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


@dataclass(frozen=True)
class ArchiveIndex:
    """The archive months of one catalog: their articles and the span of documents."""

    by_month: Mapping[str, Sequence[Article]]  # only months that have articles, newest article first
    first: str | None  # the oldest month with articles; None: no archives at all
    last: str | None  # the newest month with articles

    @functools.cached_property
    def months(self) -> tuple[str, ...]:
        """Every month that has an archive document, oldest first."""
        return tuple(sorted(self.by_month))

    def exists(self, month: str) -> bool:
        """Say whether ``month`` has an archive document: whether it has articles."""
        return bool(MONTH.match(month)) and month in self.by_month

    def prev_of(self, month: str) -> str | None:
        """Return the newest month before ``month`` that has articles."""
        position = bisect.bisect_left(self.months, month)
        return self.months[position - 1] if position > 0 else None

    def next_of(self, month: str) -> str | None:
        """Return the oldest month after ``month`` that has articles."""
        position = bisect.bisect_right(self.months, month)
        return self.months[position] if position < len(self.months) else None

    @property
    def newest(self) -> str | None:
        """The newest month that has articles: the subscription feed's ``prev-archive``."""
        return max(self.by_month, default=None)


def index_archives(articles: Iterable[Article], tz: ZoneInfo) -> ArchiveIndex:
    """Group ``articles`` (newest first) by month: one archive document per month with articles."""
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        grouped.setdefault(month_of(article.published, tz), []).append(article)
    if not grouped:
        return ArchiveIndex({}, None, None)
    return ArchiveIndex(
        {month: tuple(items) for month, items in grouped.items()},
        min(grouped),
        max(grouped),
    )


def newest_first(article: Article) -> tuple[float, str]:
    """The order of a catalog's articles, newest first: this key, descending (the slug breaking ties)."""
    return (article.published.timestamp(), article.slug)


def place(items: list[Article], key: tuple[float, str]) -> int:
    """Return where an article of ``key`` is or goes in ``items`` (ordered by :func:`newest_first`): log n."""
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        if newest_first(items[middle]) > key:
            low = middle + 1
        else:
            high = middle
    return low


def reindex_archives(
    archives: ArchiveIndex, gone: Iterable[Article], added: Iterable[Article], tz: ZoneInfo
) -> ArchiveIndex:
    """Return ``archives`` with the ``gone`` articles out and the ``added`` ones in, as :func:`index_archives`
    of the whole would give: only the months they were or are in are indexed again (the others are the
    very tuples they were, which lets a build reuse what it made of them)."""
    gone, added = list(gone), list(added)
    touched = {article.slug for article in gone} | {article.slug for article in added}
    months = {month_of(article.published, tz) for article in (*gone, *added)}
    by_month = dict(archives.by_month)
    for month in months:
        members = [a for a in by_month.get(month, ()) if a.slug not in touched]
        for article in added:
            if month_of(article.published, tz) == month:
                members.insert(place(members, newest_first(article)), article)
        if members:
            by_month[month] = tuple(members)
        else:
            by_month.pop(month, None)
    if not by_month:
        return ArchiveIndex({}, None, None)
    return ArchiveIndex(by_month, min(by_month), max(by_month))


def month_title(site: Site, month: str) -> str:
    """Return an archive document's title, e.g. 'OC Media: archive of November 2021'."""
    return f"{site.title}: archive of {MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def archive_spec(index: ArchiveIndex, month: str, site: Site) -> FeedSpec:
    """Describe the archive document of ``month``: fh:archive, current, prev- and next-archive."""
    links = [("current", SUBSCRIPTION_PATH)]
    previous, following = index.prev_of(month), index.next_of(month)
    if previous:
        links.append(("prev-archive", archive_path(previous)))
    if following:
        links.append(("next-archive", archive_path(following)))
    return FeedSpec(
        path=archive_path(month),
        id_specific="feed",  # one logical feed: the subscription document and its archives
        title=month_title(site, month),
        links=tuple(links),
        archive=True,  # dated by its entries: every archive document has some
    )
