"""bylines.py: names out of bylines and author values, as news pages write them."""

from __future__ import annotations

import pytest

from feedsvc.metadata.bylines import byline_names


@pytest.mark.parametrize(
    "byline, names",
    [
        ("By ROBERT BURNS, AP National Security Writer", ["Robert Burns"]),
        ("Analysis by Chris Cillizza, CNN Editor-at-large", ["Chris Cillizza"]),
        ("Keith Barry, Senior Autos Reporter", ["Keith Barry"]),
        ("By DANICA KIRKA and JILL LAWLESS", ["Danica Kirka", "Jill Lawless"]),
        ("Words: Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
        (
            "Jennifer Huberty, Jeni Green, Christine Glissmann",
            ["Jennifer Huberty", "Jeni Green", "Christine Glissmann"],
        ),
        ("Manoj Jain and Jagpreet Chhatwal, The Commercial Appeal", ["Manoj Jain", "Jagpreet Chhatwal"]),
        ("Dylan Bailey, MS, RD, FAND", ["Dylan Bailey"]),
        ("Genevieve Carlton, Ph.D.", ["Genevieve Carlton"]),
        ("Rebecca Lake, CEPF®", ["Rebecca Lake"]),
        ("Benjamin Johnson, Sr. Director of Operations, Atlas Van Lines", ["Benjamin Johnson"]),
        ("Rachel MacDonald Writer", ["Rachel MacDonald"]),
        ("Sergio Martínez-Beltrán | The Texas Newsroom", ["Sergio Martínez-Beltrán"]),
        ("Bradley M. Kuhn (http://ebb.org/bkuhn/)", ["Bradley M. Kuhn"]),
        ("Par Sébastien Farcis", ["Sébastien Farcis"]),
        ("By Ana Tsurtsumia | 23 November 2021", ["Ana Tsurtsumia"]),
        ("Written by Rob Ewaschuk\nEdited by Betsy Beyer", ["Rob Ewaschuk"]),
        ("Ellen O'BRIEN", ["Ellen O'BRIEN"]),  # not all capitals: kept as written
        ("JOE HILDEBRAND", ["Joe Hildebrand"]),
        ("News Desk", ["News Desk"]),  # a desk signs; it is not a job title
        ("Podium Staff", ["Podium Staff"]),
        ("OC Media", ["OC Media"]),
        ("ByDaryl Austin", ["Daryl Austin"]),  # lead-in and name from elements without a space between
        ("Byron Smith", ["Byron Smith"]),  # a name that starts with "By" is no lead-in
    ],
)
def test_names_in_a_byline(byline: str, names: list[str]) -> None:
    assert byline_names(byline) == names


@pytest.mark.parametrize(
    "value",
    ["by", "By", "Written by", "beatriz.pinto@hommes.studio", "@handle", "Senior Autos Reporter", "AP", "Reuters",
     "Sat", "page.head.extra.author", ", USA TODAY", "5 min read", "https://example.org/authors/ana", ""],
)  # fmt: skip
def test_values_that_name_nobody(value: str) -> None:
    assert byline_names(value) == []


@pytest.mark.parametrize(
    "byline, names",
    [
        ("This post was written by Danielle Padula,", ["Danielle Padula"]),
        ("Posted by Colin Watson on 2025-12-18 in debusine. Tags: debusine, freexian", ["Colin Watson"]),
        ("By Jane Doe on March 3, 2024", ["Jane Doe"]),
        ("Vanessa Mendez, MD, gastroenterologist, Parkview Health", ["Vanessa Mendez"]),
        ("Mac & i", ["Mac", "i"]),  # a short lower-case name after "&" is still a name
    ],
)
def test_sentence_bylines_and_affiliations_after_credentials(byline: str, names: list[str]) -> None:
    assert byline_names(byline) == names
