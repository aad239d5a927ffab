"""bench/metadata.py: why a publication day was missed, told from the page itself."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from metadata import Output, Page, day_in_page, day_miss_kind

TRUTH = date(2021, 9, 8)


def page(published: date | None = TRUTH) -> Page:
    return Page("set", "1", Path("set/html/1.html.gz"), "news.example", "A title", None, published)


def test_a_day_written_in_a_common_form_or_a_day_off_is_in_the_page() -> None:
    assert day_in_page(TRUTH, "<p>Updated September 8, 2021</p>")
    assert day_in_page(TRUTH, '<time datetime="2021-09-09T01:00">')  # a day later in another zone
    assert day_in_page(TRUTH, "<span>08.09.2021</span>")
    assert not day_in_page(TRUTH, "<p>Updated September 18, 2021</p>")


def test_a_day_the_page_never_writes_is_annotated_from_elsewhere() -> None:
    kind = day_miss_kind(page(), Output(published=date(2025, 5, 27)), "<p>Updated on May 27, 2025</p>")
    assert kind == "annotated day not in the page"


def test_a_day_equal_to_the_pages_update_is_an_annotated_update() -> None:
    html = '<meta property="article:modified_time" content="2021-09-08T18:02:10+00:00">'
    output = Output(published=date(2012, 9, 12), updated=date(2021, 9, 8))
    assert day_miss_kind(page(), output, html) == "annotated with the update"


def test_a_day_in_the_page_left_unread_is_no_date_found_or_another_date() -> None:
    html = "<p>Published August 13, 2025</p>"
    truth = page(date(2025, 8, 13))
    assert day_miss_kind(truth, Output(), html) == "no date found"
    assert day_miss_kind(truth, Output(published=date(2025, 11, 29)), html) == "another date chosen"
