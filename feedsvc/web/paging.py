"""Pages of a list of articles: the home page's and each tag's and author's.

Pure. A list is split into pages of ``articles_per_page``, newest first;
page 1 lives at the list's own path (``/``, ``/tags/<key>``) and page N at
``<list>/page/N``. The web views and the static export share these paths.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from feedsvc.build.records import ArticleList
from feedsvc.feeds.atom_rss import feed_updated
from feedsvc.model import Article, Withdrawal

__all__ = ["Pager", "list_page_path", "list_page_paths", "list_updated", "page_count"]


def list_updated(articles: Sequence[Article], tombstones: Sequence[Withdrawal], empty: datetime) -> datetime:
    """Return the newest change of a list, as :func:`~feedsvc.feeds.atom_rss.feed_updated` does.

    A server's lists (:class:`~feedsvc.build.records.ArticleList`) know it
    without making an article of each: one is made, the newest.
    """
    if isinstance(articles, ArticleList):
        latest = articles.latest_update()
        return feed_updated((), tombstones, empty) if latest is None else max([latest, *(t.when for t in tombstones)])
    return feed_updated(articles, tombstones, empty)


def list_page_path(prefix: str, number: int) -> str:
    """Return the path of page ``number`` of a list: ``/``, ``/page/2``; ``/tags/<key>``, ``/tags/<key>/page/2``.

    ``prefix`` is ``""`` for the home page's list, a facet's path for its own.
    Page 1 has no number in its path: ``/page/1`` only redirects to it.
    """
    return (prefix or "/") if number == 1 else f"{prefix}/page/{number}"


def page_count(articles: int, per_page: int) -> int:
    """Return how many pages a list of ``articles`` fills; an empty list still has its page 1."""
    return max(1, -(-articles // per_page))


def list_page_paths(prefix: str, articles: int, per_page: int) -> Iterator[str]:
    """Yield the path of every page of a list of ``articles``, first page first."""
    for number in range(1, page_count(articles, per_page) + 1):
        yield list_page_path(prefix, number)


@dataclass(frozen=True)
class Pager:
    """Page ``number`` of ``count`` of a list of articles, newest first: what a list template shows."""

    prefix: str  # "" for the home page, the facet's path for a tag or author page
    number: int
    count: int
    articles: Sequence[Article]  # the articles of this page
    start: int  # position of its first article in the whole list, from 1 (<ol start>)

    @property
    def path(self) -> str:
        """This page's own (canonical) path."""
        return list_page_path(self.prefix, self.number)

    @property
    def newer(self) -> str | None:
        """The path of the page before this one (newer articles; rel=prev), if any."""
        return list_page_path(self.prefix, self.number - 1) if self.number > 1 else None

    @property
    def older(self) -> str | None:
        """The path of the page after this one (older articles; rel=next), if any."""
        return list_page_path(self.prefix, self.number + 1) if self.number < self.count else None
