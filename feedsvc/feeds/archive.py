"""RFC 5005 archives: which monthly archive documents exist and how they link.

Pure. An article belongs to the month of its ``published`` date in the
site's timezone (``updated`` never moves it). There is an archive document
for every calendar month from the oldest article's month to the current one
(or the newest article's, if later):

- every article is in exactly one archive document, so a walk over the
  archives finds each article once, whatever the subscription feeds hold;
- ``next-archive`` is always the following calendar month and
  ``prev-archive`` the newest earlier month that has articles, so a
  complete month's document never changes unless one of its articles does
  (or an article is later back-dated into a month between two others);
- the current month's document grows until the month ends.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
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
    "next_month",
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

    by_month: Mapping[str, tuple[Article, ...]]  # only months that have articles, newest article first
    first: str | None  # the oldest month with articles; None: no archives at all
    last: str | None  # the newest document: the current month or a later article's month

    def exists(self, month: str) -> bool:
        """Say whether ``month`` has an archive document (possibly one with no entries)."""
        return bool(MONTH.match(month)) and self.first is not None and self.first <= month <= (self.last or "")

    def prev_of(self, month: str) -> str | None:
        """Return the newest month before ``month`` that has articles."""
        months = sorted(self.by_month)
        position = bisect.bisect_left(months, month)
        return months[position - 1] if position > 0 else None

    def next_of(self, month: str) -> str | None:
        """Return the following calendar month, if it has a document yet."""
        following = next_month(month)
        return following if self.last is not None and following <= self.last else None

    @property
    def newest(self) -> str | None:
        """The newest month that has articles: the subscription feed's ``prev-archive``."""
        return max(self.by_month, default=None)


def index_archives(articles: Iterable[Article], tz: ZoneInfo, current_month: str) -> ArchiveIndex:
    """Group ``articles`` (newest first) by month and fix the span of archive documents."""
    grouped: dict[str, list[Article]] = {}
    for article in articles:
        grouped.setdefault(month_of(article.published, tz), []).append(article)
    if not grouped:
        return ArchiveIndex({}, None, None)
    return ArchiveIndex(
        {month: tuple(items) for month, items in grouped.items()},
        min(grouped),
        max(max(grouped), current_month),
    )


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
    # An empty month's document is dated at the month's start: stable, unlike the clock.
    start = datetime(int(month[:4]), int(month[5:]), 1, tzinfo=site.timezone)
    return FeedSpec(
        path=archive_path(month),
        id_specific="feed",  # one logical feed: the subscription document and its archives
        title=month_title(site, month),
        links=tuple(links),
        archive=True,
        updated=None if month in index.by_month else start,
    )
