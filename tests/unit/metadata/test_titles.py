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
        # an unspaced "»" closes a quotation
        ("Screenshot: «Vape Wave», «6 Days», «Alphonse»", [], "Screenshot: «Vape Wave», «6 Days», «Alphonse»"),
        ("Ferry timetable » Port News", ["Port News"], "Ferry timetable"),
        # a capitalised word or two after a spaced dash, behind four words or more, names a site or a section
        ("Lorem ipsum dolor sit amet – My website", [], "Lorem ipsum dolor sit amet"),
        ("Ferry timetables for the winter - Guides | Port News", ["Port News"], "Ferry timetables for the winter"),
        ("Ten ways to cook rice - Part 2", [], "Ten ways to cook rice - Part 2"),
        ("Ferry timetables for the winter - a guide", [], "Ferry timetables for the winter - a guide"),
        ("Ferry timetables - Winter Guide", [], "Ferry timetables - Winter Guide"),
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


def test_a_headline_that_is_the_meta_value_behind_a_label_or_a_date_yields_to_it() -> None:
    meta = ["Best ferry routes of 2025 (ranked) | Port Blog"]
    assert choose_title(["Blog: Best ferry routes of 2025 (ranked)"], meta, ["Port Blog"]) == (
        "Best ferry routes of 2025 (ranked)"
    )
    assert choose_title(["Dec 18 2025 Preparing the timetable"], ["Preparing the timetable"], []) == (
        "Preparing the timetable"
    )
    # words before the meta value that are neither a label nor a date keep the headline
    assert choose_title(["The complete guide to ferry routes"], ["Guide to ferry routes"], []) == (
        "The complete guide to ferry routes"
    )


def test_a_headline_that_lost_characters_yields_to_the_meta_value_that_has_them() -> None:
    head = "Basics Of Ferry Travel? Beginner? Guide"
    assert choose_title([head], ["Basics Of Ferry Travel: Beginner's Guide"], []) == (
        "Basics Of Ferry Travel: Beginner's Guide"
    )
    # a question mark where the meta value has more than a character or two, or a space, is the headline's own
    assert choose_title(["Ferry late? Yes, again"], ["Ferry late - Yes, again"], []) == "Ferry late? Yes, again"


def test_a_paragraph_marked_as_the_headline_is_no_headline() -> None:
    paragraph = " ".join(["word"] * 31)
    assert choose_title([paragraph], ["The 10 best ferry routes"], []) == "The 10 best ferry routes"
    assert choose_title([" ".join(["word"] * 30)], ["The 10 best ferry routes"], []) == " ".join(["word"] * 30)


def test_a_headline_holding_a_meta_value_and_more_lines_gives_its_line_equal_to_it() -> None:
    head = "Top strategies for ferry timetables Posted on July 1, 2024 by Nino"
    lines = ["Top strategies for ferry timetables", "Posted on July 1, 2024 by Nino"]
    assert choose_title([head, *lines], ["Top strategies for ferry timetables"], []) == lines[0]
    # a truncated meta value that no line equals keeps the whole headline
    assert choose_title([head, *lines], ["Top strategies for ferry"], []) == head


def test_without_a_headline_a_heading_equal_to_the_meta_values_first_segment_wins() -> None:
    subheads = ["Register", "2025 Ferry Operator Rankings"]
    meta = ["2025 Ferry Operator Rankings - download the full report"]
    assert choose_title([], meta, [], None, subheads) == "2025 Ferry Operator Rankings"
    # a page with a headline keeps to the headline and the meta values
    assert choose_title(["Ferry operators ranked"], meta, [], None, subheads) == "Ferry operators ranked"
