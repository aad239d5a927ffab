"""Dates written in words or numbers (feedsvc/metadata/dates.py): languages, orders and URL paths."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.metadata.dates import (
    day_first,
    find_text_date,
    json_text_date,
    month_date,
    parse_date,
    strip_text_dates,
    url_date,
)

UTC_ZONE = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "text, order, day",
    [
        ("2/24/2026", None, datetime(2026, 2, 24, tzinfo=UTC)),  # no month 24: month first
        ("Updated: 31/10/2024", None, datetime(2024, 10, 31, tzinfo=UTC)),  # no month 31: day first
        ("24.02.2026", None, datetime(2026, 2, 24, tzinfo=UTC)),
        ("03.04.2026", False, datetime(2026, 4, 3, tzinfo=UTC)),  # dots are day first, whatever the language
        ("3/4/2026", True, datetime(2026, 4, 3, tzinfo=UTC)),
        ("3/4/2026", False, datetime(2026, 3, 4, tzinfo=UTC)),
        ("Published: 2025.12.17 |", None, datetime(2025, 12, 17, tzinfo=UTC)),
        ("2025/1/9", None, datetime(2025, 1, 9, tzinfo=UTC)),
    ],
)
def test_numeric_dates_in_the_order_the_numbers_or_the_language_give(
    text: str, order: bool | None, day: datetime
) -> None:
    assert find_text_date(text, UTC_ZONE, numeric_day_first=order) == day


@pytest.mark.parametrize("text", ["3/4/2026", "13.13.2024", "version 1.2.2024.5", "call 12/12/2024-5", "2/30/2026"])
def test_numeric_dates_ambiguous_impossible_or_inside_longer_numbers_are_refused(text: str) -> None:
    assert find_text_date(text, UTC_ZONE) is None


@pytest.mark.parametrize(
    "language, order", [("en-US", False), ("en_PH", False), ("de", True), ("en-GB", True), ("fr-FR", True)]
)
def test_the_language_says_which_comes_first(language: str, order: bool) -> None:
    assert day_first(language) is order


@pytest.mark.parametrize("language", ["", "en", "en-CA"])
def test_a_language_written_both_ways_settles_nothing(language: str) -> None:
    assert day_first(language) is None


def test_a_line_that_is_only_a_numeric_date_strips_to_its_words() -> None:
    assert strip_text_dates("Updated: 10/31/2024").strip() == "Updated:"


@pytest.mark.parametrize(
    "text, day",
    [
        ("Publié le 1er mars 2021 à 10h30", datetime(2021, 3, 1, 10, 30, tzinfo=UTC)),
        ("Aktualisiert: 23. März 2021, 14:05", datetime(2021, 3, 23, 14, 5, tzinfo=UTC)),
        ("23 de noviembre de 2021", datetime(2021, 11, 23, tzinfo=UTC)),
        ("12 maggio 2020", datetime(2020, 5, 12, tzinfo=UTC)),
        ("3 dez. 2019", datetime(2019, 12, 3, tzinfo=UTC)),
        ("1º de março de 2022", datetime(2022, 3, 1, tzinfo=UTC)),
        ("23 ноября 2021 г.", datetime(2021, 11, 23, tzinfo=UTC)),
        ("5 października 2020", datetime(2020, 10, 5, tzinfo=UTC)),
        ("2021年11月23日", datetime(2021, 11, 23, tzinfo=UTC)),
        ("2021년 11월 23일", datetime(2021, 11, 23, tzinfo=UTC)),
    ],
)
def test_datelines_with_month_names_in_other_languages(text: str, day: datetime) -> None:
    assert find_text_date(text, UTC_ZONE) == day


@pytest.mark.parametrize(
    "text, day",
    [
        # inline elements' texts meet without a space: a month's capital after a small letter starts a date
        ("Mental HealthDECEMBER 22, 2022Updated: JANUARY 02, 2026", datetime(2022, 12, 22, tzinfo=UTC)),
        ("PostedJan 5, 2024", datetime(2024, 1, 5, tzinfo=UTC)),
        # inside a word written in small letters a month's name is none
        ("Lemay 5, 2020", None),
        ("primarymay 5, 2020", None),
    ],
)
def test_a_month_name_glued_to_the_word_before_it(text: str, day: datetime | None) -> None:
    assert find_text_date(text, UTC_ZONE) == day


@pytest.mark.parametrize(
    "text, day",
    [
        ("on 04-ago-2021 5:11:10", datetime(2021, 8, 4, 5, 11, 10, tzinfo=UTC)),
        ("04-Aug-2021", datetime(2021, 8, 4, tzinfo=UTC)),
        ("4/Mar/2021", datetime(2021, 3, 4, tzinfo=UTC)),
        ("12-dic-2020", datetime(2020, 12, 12, tzinfo=UTC)),
        ("1-out-2022", datetime(2022, 10, 1, tzinfo=UTC)),
        ("7 set 2019", datetime(2019, 9, 7, tzinfo=UTC)),
        # inside a longer run of parts, or with mixed separators, it is no date
        ("x-04-Aug-2021", None),
        ("04-Aug/2021", None),
        ("04-Aug-20215", None),
    ],
)
def test_day_month_name_and_year_joined_by_dashes_or_slashes(text: str, day: datetime | None) -> None:
    assert find_text_date(text, UTC_ZONE) == day


@pytest.mark.parametrize(
    "url, day",
    [
        ("https://news.example/world/2017/feb/10/whales", datetime(2017, 2, 10, tzinfo=UTC)),
        ("https://news.example/2021/november/23/ferry", datetime(2021, 11, 23, tzinfo=UTC)),
        ("https://news.example/2021/foo/23/ferry", None),
    ],
)
def test_url_paths_with_a_month_name(url: str, day: datetime | None) -> None:
    assert url_date(url, UTC_ZONE) == day


@pytest.mark.parametrize(
    "text, moment",
    [
        ("2013-08-22 21:43:53 UTC", datetime(2013, 8, 22, 21, 43, 53, tzinfo=UTC)),
        ("2013-08-22T21:43:53 GMT", datetime(2013, 8, 22, 21, 43, 53, tzinfo=UTC)),
    ],
)
def test_an_iso_date_with_its_zone_named_after_a_space(text: str, moment: datetime) -> None:
    # Ruby's default (a Rails page's JSON-LD): a site in another zone must not shift it
    assert parse_date(text, ZoneInfo("America/New_York")) == moment


def test_a_publication_in_json_text_dates_only_where_every_one_names_the_same_day() -> None:
    page_data = '{"props":{"article":{"datePublished":"2025-11-17T09:00:00-05:00","title":"EV cars"}}}'
    assert json_text_date([page_data], UTC_ZONE) == datetime(2025, 11, 17, 14, tzinfo=UTC)
    assert json_text_date([page_data, page_data], UTC_ZONE) == datetime(2025, 11, 17, 14, tzinfo=UTC)
    related = '[{"datePublished":"2025-11-17"},{"datePublished":"2024-02-01"}]'
    assert json_text_date([related], UTC_ZONE) is None
    assert json_text_date(['{"datePublished":"soon"}'], UTC_ZONE) is None


@pytest.mark.parametrize(
    "text, day, rest",
    [
        ("Last Updated: June 2022", datetime(2022, 6, 1, tzinfo=UTC), "Last Updated: "),
        ("Publié en juin 2022", datetime(2022, 6, 1, tzinfo=UTC), "Publié en "),
        ("Mar. 2021", datetime(2021, 3, 1, tzinfo=UTC), ""),
    ],
)
def test_a_month_and_year_without_a_day_is_the_months_first_day(text: str, day: datetime, rest: str) -> None:
    assert month_date(text, UTC_ZONE) == (day, rest)


@pytest.mark.parametrize("text", ["May 3, 2022", "Jun 2022/05", "June 20225", "the 2022 season"])
def test_a_full_date_or_a_year_in_a_longer_number_is_no_month_date(text: str) -> None:
    assert month_date(text, UTC_ZONE) is None
