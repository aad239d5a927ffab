"""What the page's lines by the title say (date lines; the rules' switches), through ``extract_metadata``."""

from __future__ import annotations

from datetime import datetime

import pytest

from feedsvc.metadata import visible
from support.page_sources import METADATA_FIXTURES, TBILISI, decided


def test_date_only_visible_text_near_the_headline_is_midnight_in_the_site_zone() -> None:
    found = decided((METADATA_FIXTURES / "article_with_date_only_text.html").read_text(encoding="utf-8"))["markup"]
    assert found.published == datetime(2021, 11, 23, tzinfo=TBILISI)
    assert found.published.isoformat() == "2021-11-23T00:00:00+04:00"
    assert found.title == "Pashinyan, Aliyev, and Putin to hold summit in Sochi"


def test_date_line_in_plain_text_after_the_title() -> None:
    text = "Summit in Sochi\n\n23 November 2021\n\nThe Kremlin has announced a meeting on 26 November 2021."
    assert decided(f"<pre>{text}</pre>")["markup"].published == datetime(2021, 11, 23, tzinfo=TBILISI)


@pytest.mark.parametrize(
    "line",
    [
        "Von Berlin nach Hamburg in vier Stunden",  # a German heading: "nach", "in" are no words of a name
        "Par ailleurs, la ville a voté le budget",  # French prose
        "text: string;",  # code
        "Updated on July 1, 2024 by Dana Okafor",  # an update's "by" names an editor as often as the writer
    ],
)
def test_lines_that_only_look_led_in_are_no_byline(line: str) -> None:
    assert visible.byline_by_title(["Title", line, "The article's first paragraph."], 0) == ()


def test_every_visible_rule_is_described() -> None:
    assert set(visible.RULES) == {"name_particles_only", "far_byline_from_the_title", "date_then_by"}
    assert all(isinstance(why, str) and why for why in visible.RULES.values())
