"""What a reader saw wrong in cleaned pages (session 27): each rule on its fixture page, and the page without it."""

from __future__ import annotations

from types import ModuleType

import lxml.html
import pytest

from feedsvc.clean import clean_html, dom, edges
from feedsvc.clean.summary import summarize
from support.paths import FIXTURES

URL = "https://news.example.org/2026/02/story/"


def cleaned(page: str, monkeypatch: pytest.MonkeyPatch, off: tuple[ModuleType, str] | None = None) -> str:
    """Return the clean HTML of the fixture ``page``, with the rule ``off`` (its module and name) switched off."""
    if off is not None:
        module, rule = off
        assert rule in module.RULES
        monkeypatch.setattr(module, "DISABLED", frozenset({rule}))
    return clean_html((FIXTURES / "clean" / page).read_text(encoding="utf-8"), URL)


def lines(html: str) -> list[str]:
    """Return the text of each top-level block of a clean fragment."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [" ".join(el.text_content().split()) for el in root]


def test_the_text_either_side_of_a_line_break_reads_as_two_words(monkeypatch: pytest.MonkeyPatch) -> None:
    page = "reads_the_words_either_side_of_a_line_break_apart.html"
    html = cleaned(page, monkeypatch)
    assert "Harbour Office<br>12 Quay Street" in html  # the break is published as it was, no space added
    assert summarize(html, 12).startswith("The council met at the Harbour Office 12 Quay Street on")
    root = dom.parse("<p>2026<br>Location</p>")
    assert root is not None and dom.text_of(root.find(".//p")) == "2026 Location"
    monkeypatch.setattr(dom, "DISABLED", frozenset({"break_spaces"}))
    assert summarize(html, 12).startswith("The council met at the Harbour Office12 Quay Street on")


def test_bare_counter_numbers_at_the_edges_go_and_numbers_in_the_article_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    page = "drops_bare_counter_numbers_at_the_articles_edges.html"
    html = cleaned(page, monkeypatch)
    assert lines(html)[0].startswith("Coding assistants that run in a terminal")
    assert "3078" not in html and "210,412" not in html and "1.2k" not in html
    assert "<h2>2</h2>" in html  # a numbered heading is a step
    assert "<td>12</td>" in html and "<li>48</li>" in html  # a table's values, a list's items
    off = cleaned(page, monkeypatch, (edges, "counter_lines"))
    assert lines(off)[:2] == ["3078", "210,412"]
    assert "1.2k" in off
