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


def test_archives_span_from_the_oldest_article_to_the_current_month() -> None:
    articles = [article("c", 2024, 3), article("b", 2024, 1, 20), article("a", 2024, 1, 5)]
    index = index_archives(articles, LONDON, "2024-05")
    grouped = {m: [a.slug for a in items] for m, items in index.by_month.items()}
    assert grouped == {"2024-03": ["c"], "2024-01": ["b", "a"]}
    assert (index.first, index.last, index.newest) == ("2024-01", "2024-05", "2024-03")
    assert [index.exists(m) for m in ("2023-12", "2024-01", "2024-02", "2024-05", "2024-06")] == [
        False, True, True, True, False,
    ]  # fmt: skip
    assert not index.exists("2024-1") and not index.exists("../x")


def test_a_future_article_extends_the_span() -> None:
    index = index_archives([article("future", 2025, 2)], LONDON, "2024-05")
    assert (index.first, index.last) == ("2025-02", "2025-02")


def test_no_articles_no_archives() -> None:
    index = index_archives([], LONDON, "2024-05")
    assert index.newest is None and not index.exists("2024-05")


def test_prev_skips_empty_months_and_next_is_the_following_calendar_month(site: Site) -> None:
    index = index_archives([article("c", 2024, 3), article("a", 2024, 1)], LONDON, "2024-04")
    links = {m: dict(archive_spec(index, m, site).links) for m in ("2024-01", "2024-02", "2024-03", "2024-04")}
    assert links["2024-01"] == {"current": "/feed.atom", "next-archive": "/archive/2024-02.atom"}
    assert links["2024-02"] == {
        "current": "/feed.atom", "prev-archive": "/archive/2024-01.atom", "next-archive": "/archive/2024-03.atom",
    }  # fmt: skip
    assert links["2024-03"]["prev-archive"] == "/archive/2024-01.atom"
    assert "next-archive" not in links["2024-04"]  # the current month is the newest document


def test_archive_spec_marks_the_document_and_dates_an_empty_month(site: Site) -> None:
    index = index_archives([article("a", 2024, 1)], LONDON, "2024-03")
    spec = archive_spec(index, "2024-02", site)
    assert spec.archive and spec.path == "/archive/2024-02.atom"
    assert spec.title == "Gazette: archive of February 2024"
    assert spec.updated == datetime(2024, 2, 1, tzinfo=LONDON)
    assert archive_spec(index, "2024-01", site).updated is None  # dated by its entries


def test_a_complete_month_links_do_not_depend_on_later_content(site: Site) -> None:
    before = index_archives([article("a", 2024, 1)], LONDON, "2024-02")
    after = index_archives([article("b", 2024, 6), article("a", 2024, 1)], LONDON, "2024-06")
    assert archive_spec(before, "2024-01", site) == archive_spec(after, "2024-01", site)
