"""titles.py: the title among headline and meta values, without the site's name."""

from __future__ import annotations

import pytest

from feedsvc.metadata.titles import choose_title, strip_site_name


@pytest.mark.parametrize(
    "title, sites, expected",
    [
        ("Black Friday deals - Help Net Security", ["Help Net Security"], "Black Friday deals"),
        ("Trailer breakdown - IGN", ["IGN"], "Trailer breakdown"),
        ("Senate passes the bill | TheHill", ["The Hill"], "Senate passes the bill"),
        (
            "Five poses for tight hips – Brett Larkin Yoga",
            ["brettlarkin.com", "brettlarkin"],
            "Five poses for tight hips",
        ),
        ("Best Movers 2026 | Move.org", ["move.org", "move"], "Best Movers 2026"),
        ("Machine learning, explained | MIT Sloan", [], "Machine learning, explained"),  # short tail after "|"
        ("The Hill | Senate passes the bill", ["The Hill"], "Senate passes the bill"),
        ("Chapter 1 - The Beginning", [], "Chapter 1 - The Beginning"),  # " - " alone is not a site separator
        ("Star Wars: Andor", ["Lucasfilm"], "Star Wars: Andor"),
    ],
)
def test_strip_site_name(title: str, sites: list[str], expected: str) -> None:
    assert strip_site_name(title, sites) == expected


def test_the_headline_an_meta_value_agrees_with_wins() -> None:
    assert choose_title(["Help Net Security", "Black Friday deals"], ["Black Friday deals - HNS"], ["HNS"]) == (
        "Black Friday deals"
    )


def test_a_truncated_meta_value_agrees_with_the_full_headline() -> None:
    head = "Fix It Friday: Struggling With How To Arrange Your Living Room? We Help 4 Readers"
    assert choose_title([head], ["Fix It Friday: Struggling With How To Arrange"], []) == head


def test_a_lone_headline_beats_a_different_seo_title_but_not_when_it_is_a_word_or_two() -> None:
    assert choose_title(["Top 10 language apps, tested"], ["Best Apps to Learn a Language"], []) == (
        "Top 10 language apps, tested"
    )
    assert choose_title(["Sample menus"], ["7 days of healthy meals on a budget"], []) == (
        "7 days of healthy meals on a budget"
    )


def test_no_headline_takes_the_first_meta_value_without_the_site_name() -> None:
    assert choose_title([], ["Ferry resumes | Port News", "Other"], ["Port News"]) == "Ferry resumes"
    assert choose_title([], [], []) is None


def test_a_lower_heading_equal_to_a_meta_value_beats_a_section_headline() -> None:
    title = choose_title(
        ["But what they love is the view"], ["Why ferries? | Port Blog"], ["Port Blog"], None, ["Why ferries?"]
    )
    assert title == "Why ferries?"


def test_a_lower_heading_that_only_begins_like_the_meta_value_is_a_section() -> None:
    head = "Top 5 blockchain trends to watch in 2026-2030"
    subheads = ["5 best blockchain trends for 2026"]
    assert choose_title([head], ["5 Best Blockchain Trends for 2026-2030"], [], None, subheads) == head


def test_a_headline_that_is_the_site_name_is_not_the_title() -> None:
    assert (
        choose_title(["Silicon Notes"], ["Open flow for logic parts"], ["Silicon Notes"]) == "Open flow for logic parts"
    )
