"""feeds/archive.py: archive months, their span and their RFC 5005 links."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.feeds.archive import archive_spec, index_archives, month_of, next_month
from feedsvc.model import Article, Site

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def site() -> Site:
    return Site(
        title="Gazette",
        base_url="https://news.example.org",
        id_authority="news.example.org,2020",
        language="en",
        timezone=LONDON,
        default_author="Staff",
    )


def article(slug: str, year: int, month: int, day: int = 1) -> Article:
    published = datetime(year, month, day, 12, tzinfo=LONDON)
    return Article(
        slug=slug,
        entry_id=f"tag:news.example.org,2020:{slug}",
        title=slug,
        published=published,
        updated=published,
        authors=("Staff",),
        summary="s",
        tags=(),
        content="<p>x</p>",
        language="en",
        source_path=Path(f"{slug}.html"),
    )


def test_month_is_taken_in_the_site_timezone() -> None:
    # 23:30 UTC on 31 March is already 1 April in Tbilisi
    moment = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    assert month_of(moment, ZoneInfo("Asia/Tbilisi")) == "2024-04"
    assert month_of(moment, ZoneInfo("UTC")) == "2024-03"


@pytest.mark.parametrize(
    ("month", "following"), [("2024-01", "2024-02"), ("2024-12", "2025-01"), ("0999-12", "1000-01")]
)
def test_next_month_rolls_over_the_year(month: str, following: str) -> None:
    assert next_month(month) == following


def test_archives_are_the_months_that_have_articles() -> None:
    articles = [article("c", 2024, 3), article("b", 2024, 1, 20), article("a", 2024, 1, 5)]
    index = index_archives(articles, LONDON)
    grouped = {m: [a.slug for a in items] for m, items in index.by_month.items()}
    assert grouped == {"2024-03": ["c"], "2024-01": ["b", "a"]}
    assert (index.first, index.last, index.newest, index.months) == (
        "2024-01",
        "2024-03",
        "2024-03",
        ("2024-01", "2024-03"),
    )
    assert [index.exists(m) for m in ("2023-12", "2024-01", "2024-02", "2024-03", "2024-05")] == [
        False, True, False, True, False,
    ]  # fmt: skip
    assert not index.exists("2024-1") and not index.exists("../x")


def test_no_articles_no_archives() -> None:
    index = index_archives([], LONDON)
    assert index.newest is None and index.months == () and not index.exists("2024-05")


def test_prev_and_next_skip_empty_months(site: Site) -> None:
    index = index_archives([article("d", 2025, 2), article("c", 2024, 3), article("a", 2022, 11)], LONDON)
    links = {m: dict(archive_spec(index, m, site).links) for m in index.months}
    assert links == {
        "2022-11": {"current": "/feed.atom", "next-archive": "/archive/2024-03.atom"},
        "2024-03": {
            "current": "/feed.atom", "prev-archive": "/archive/2022-11.atom", "next-archive": "/archive/2025-02.atom",
        },
        "2025-02": {"current": "/feed.atom", "prev-archive": "/archive/2024-03.atom"},
    }  # fmt: skip
    # a chain: walking back from the newest by prev-archive visits every month once, and forward too
    back, month = [], index.newest
    while month:
        back.append(month)
        month = index.prev_of(month)
    assert back == list(reversed(index.months))


def test_archive_spec_marks_the_document_and_dates_it_by_its_entries(site: Site) -> None:
    index = index_archives([article("a", 2024, 1)], LONDON)
    spec = archive_spec(index, "2024-01", site)
    assert spec.archive and spec.path == "/archive/2024-01.atom"
    assert spec.title == "Gazette: archive of January 2024"
    assert spec.updated is None


def test_earlier_months_prev_links_do_not_depend_on_later_content(site: Site) -> None:
    before = index_archives([article("b", 2024, 3), article("a", 2024, 1)], LONDON)
    after = index_archives([article("c", 2024, 6), article("b", 2024, 3), article("a", 2024, 1)], LONDON)
    assert archive_spec(before, "2024-01", site) == archive_spec(after, "2024-01", site)
    # the newest month gains a next-archive link, and nothing else
    old, new = dict(archive_spec(before, "2024-03", site).links), dict(archive_spec(after, "2024-03", site).links)
    assert new == {**old, "next-archive": "/archive/2024-06.atom"}
