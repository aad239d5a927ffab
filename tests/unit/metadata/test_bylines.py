"""bylines.py: names out of bylines and author values, as news pages write them."""

from __future__ import annotations

import pytest

from feedsvc.metadata import bylines
from feedsvc.metadata.bylines import (
    byline_names,
    credits_someone_else,
    is_job_line,
    names_an_institution,
    names_an_organisation,
    organisation_name,
)


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
        # "and" inside a job after a comma joins two fields of the job, not two people
        ("Brett Cruz, Privacy and Digital Security Expert", ["Brett Cruz"]),
        ("Nino Beridze, Health and Science Reporter, and Gia Kvaratskhelia", ["Nino Beridze"]),
        ("Nino Beridze, Ana Kapanadze and Gia Kvaratskhelia", ["Nino Beridze", "Ana Kapanadze", "Gia Kvaratskhelia"]),
        ("Mac & i", ["Mac", "i"]),  # a short lower-case name after "&" is still a name
    ],
)
def test_sentence_bylines_and_affiliations_after_credentials(byline: str, names: list[str]) -> None:
    assert byline_names(byline) == names


@pytest.mark.parametrize(
    "byline, names",
    [
        ("By Shelby Loos, DVM. Reviewed by Molly Price, DVM", ["Shelby Loos"]),
        ("Written by Rob Ewaschuk Edited by Betsy Beyer", ["Rob Ewaschuk"]),
        ("Jane Doe | Fact-checked by John Roe", ["Jane Doe"]),
        ("View all posts by Craig Randall", ["Craig Randall"]),
        ("Mrs. Jane Doe", ["Mrs. Jane Doe"]),  # a title's dot ends no sentence
    ],
)
def test_only_the_writers_of_a_byline(byline: str, names: list[str]) -> None:
    assert byline_names(byline) == names


@pytest.mark.parametrize(
    "value",
    [
        "Reviewed by Justin Meserole",  # a reviewer is no author
        "Articles by Juliette",  # a link's label, not a name
        "by Lydia Marie Child. See",  # a sentence running on past the name
    ],
)
def test_credits_and_sentences_that_name_no_author(value: str) -> None:
    assert byline_names(value) == []


@pytest.mark.parametrize(
    "before, other",
    [("Reviewed by ", True), (". Medically reviewed by", True), ("Photos by: ", True), ("By ", False), ("", False)],
)
def test_text_before_a_name_that_credits_another_job(before: str, other: bool) -> None:
    assert credits_someone_else(before) is other


@pytest.mark.parametrize(
    "line, job",
    [
        ("Tech Writer", True),
        ("Staff Software Engineer, MongoDB", True),
        ("Content Marketing Coordinator", True),
        ("Juliette Carreiro", False),
        ("DevOps & Cloud", False),
        ("A very long line that mentions an editor somewhere in the middle of a whole sentence", False),
    ],
)
def test_job_lines_of_author_cards(line: str, job: bool) -> None:
    assert is_job_line(line) is job


@pytest.mark.parametrize(
    "text, name",
    [
        ("Morgan & Morgan", "Morgan & Morgan"),
        ("Contributors to Wikimedia projects", "Contributors to Wikimedia projects"),
        ("Reuters", None),  # a wire is no author
        ("press@example.org", None),
        ("", None),
    ],
)
def test_an_organisation_is_one_author(text: str, name: str | None) -> None:
    assert organisation_name(text) == name


@pytest.mark.parametrize(
    "name, organisation",
    [("Clemson News", True), ("World Future Awards", True), ("Heart Trust", True), ("Polly Barks", False)],
)
def test_names_with_an_organisations_word(name: str, organisation: bool) -> None:
    assert names_an_organisation(name) is organisation


@pytest.mark.parametrize(
    "name, institution",
    [("College of Social Sciences", True), ("Tbilisi State University", True), ("DianaHR Team", False),
     ("News Desk", False), ("Lela Abashidze", False)],
)  # fmt: skip
def test_institutions_are_no_desks(name: str, institution: bool) -> None:
    assert names_an_institution(name) is institution


@pytest.mark.parametrize(
    "text, names",
    [
        # a lead-in opening a clause of running text: nothing after it is a name, capitalised or not
        ("By the way, a starter that smells of nail polish is only hungry.", []),
        ("By following the tips below and remaining vigilant, you protect yourself", []),
        ("By clicking “Subscribe”, you agree to the Privacy Policy and Terms of Use.", []),
        ("By continuing to use this website you consent to our Privacy Policy and Terms of Use.", []),
        # an article before a capitalised name, a particle, a lone handle: bylines
        ("By the Associated Press", ["the Associated Press"]),
        ("By van der Berg", ["van der Berg"]),
        ("By jdoe", ["jdoe"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ],
)
def test_a_by_opening_running_text_names_nobody(text: str, names: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert byline_names(text) == names
    if not names:
        monkeypatch.setattr(bylines, "DISABLED", frozenset({"running_text"}))
        assert byline_names(text) != []


@pytest.mark.parametrize("text", ["NOC Admin", "By Site Administrator", "Webmaster", "admin"])
def test_a_cms_account_is_no_name(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert byline_names(text) == []
    if text != "admin":  # the word alone was refused before the rule: no byline's name
        monkeypatch.setattr(bylines, "DISABLED", frozenset({"account_names"}))
        assert byline_names(text) != []


@pytest.mark.parametrize(
    "text",
    ["Posted by Andrew Hayden, Software Engineer on App Delivery", "Tracy Parker, Registered Dietitian"],
)
def test_a_job_outside_the_newsroom_after_a_comma_is_a_role(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(byline_names(text)) == 1
    monkeypatch.setattr(bylines, "DISABLED", frozenset({"jobs_after_a_comma"}))
    assert len(byline_names(text)) == 2


def test_every_byline_rule_is_described() -> None:
    assert set(bylines.RULES) == {"running_text", "account_names", "jobs_after_a_comma"}
    assert all(isinstance(why, str) and why for why in bylines.RULES.values())
