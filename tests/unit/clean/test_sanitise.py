"""Stage 5 of cleaning (feedsvc.clean.sanitise): what the tidy pass counts as showing nothing."""

from __future__ import annotations

import importlib

import pytest

from feedsvc.clean import clean_html
from support.paths import FIXTURES

sanitise = importlib.import_module("feedsvc.clean.sanitise")

URL = "https://news.example.org/2024/05/blocks/"
PAGE = FIXTURES / "clean" / "drops_paragraphs_of_invisible_characters.html"


def test_paragraphs_of_invisible_characters_go_and_an_emoji_sequence_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    html = clean_html(PAGE.read_text(encoding="utf-8"), URL)
    assert html.count("<p>") == 4
    assert "\u200d</p>" not in html
    assert "👨\u200d👩\u200d👧" in html
    assert "invisible_text" in sanitise.RULES
    monkeypatch.setattr(sanitise, "DISABLED", frozenset({"invisible_text"}))
    assert clean_html(PAGE.read_text(encoding="utf-8"), URL).count("<p>") == 6  # the first went as an empty edge


@pytest.mark.parametrize(
    ("text", "shown"),
    [("", False), (None, False), (" \n", False), ("\u200d", False), ("\xa0\u200b\ufeff", False), ("a", True)],
)
def test_visible_text_is_more_than_white_space_and_invisible_characters(text: str | None, shown: bool) -> None:
    assert sanitise.visible(text) is shown
