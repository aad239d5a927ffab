"""tags.py: the tags a reader can follow."""

from __future__ import annotations

import pytest

from feedsvc.metadata import tags
from feedsvc.metadata.tags import MAX_TAGS, reader_tags, twin_key


@pytest.mark.parametrize(
    "tag",
    ["channel_other", "type_news", "_no-apple-news", "source:tagname:ferries", "topic: Politics & Policy",
     "PROFESSIONAL_ATHLETE SPORTS_FIGURE PERSON", "desk@port.example.org", '"', "#", "displayType: listicle",
     "hasProduct: true", "fbf84de3-ee2a-4f33-a049-4385ffa82eb5", "https://port.example.org/tags/x/"],
)  # fmt: skip
def test_cms_tokens_contacts_and_punctuation_are_not_tags(tag: str) -> None:
    assert reader_tags([tag, "Ferries"]) == ("Ferries",)


def test_subjects_with_colons_case_repeats_the_title_and_the_cap() -> None:
    assert reader_tags(["Star Wars: Andor", "ferries", "Ferries", "The Title"], title="the title") == (
        "Star Wars: Andor",
        "ferries",
    )
    assert len(reader_tags([f"Player {chr(65 + n)}" for n in range(50)], most=MAX_TAGS)) == MAX_TAGS


@pytest.mark.parametrize("label", ["Blog", "News", "Uncategorized", "Featured", "Blog Posts", "articles", "General"])
def test_a_site_section_or_default_category_is_no_tag(label: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # a subject holding such a word stays: "Tech News", "Blog Design"
    assert reader_tags([label, "Tech News", "Blog Design"]) == ("Tech News", "Blog Design")
    monkeypatch.setattr(tags, "DISABLED", frozenset({"section_labels"}))
    assert reader_tags([label, "Tech News", "Blog Design"]) == (label, "Tech News", "Blog Design")


def test_every_tag_rule_is_described() -> None:
    assert set(tags.RULES) == {"section_labels", "twins"}
    assert all(isinstance(why, str) and why for why in tags.RULES.values())


@pytest.mark.parametrize(
    "one, other",
    [("Smart Contracts", "smart-contract"), ("Stories", "story"), ("Boxes", "box"), ("taxes", "Tax"), ("ties", "Tie"),
     ("Watches", "watch"), ("glasses", "Glass"), ("businesses", "Business"), ("COVID-19", "Covid 19")],
)  # fmt: skip
def test_twins_share_a_key(one: str, other: str) -> None:
    assert twin_key(one) == twin_key(other)


@pytest.mark.parametrize(
    "one, other",
    [("Bus", "Bu"), ("Gas", "ga"), ("Business", "Busines"), ("Glass", "Glas"), ("日本", "日本s"), ("Art", "Arte")],
)  # fmt: skip
def test_words_that_are_no_plural_keep_their_key(one: str, other: str) -> None:
    # "-ss" is no plural, a singular of under three letters is none, and only ASCII words are read as English
    assert twin_key(one) != twin_key(other)
