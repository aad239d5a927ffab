"""Stage 5 of cleaning (feedsvc.clean.sanitise): what the tidy pass counts as showing nothing."""

from __future__ import annotations

import html
import importlib

import lxml.html
import pytest
from hypothesis import given, settings

from feedsvc.clean import clean_html
from feedsvc.text import xml_safe
from support.paths import FIXTURES
from support.strategies import HTMLISH

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


def _children_one_by_one(article: lxml.html.HtmlElement) -> str:
    """What serialise_children wrote before a bare wrapper was serialised whole."""
    parts = [html.escape(article.text or "", quote=False)]
    parts += [lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in article]
    return "".join(parts)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HTMLISH)
def test_a_bare_wrapper_is_serialised_as_its_children_one_by_one(markup: str) -> None:
    # Every element of the tree, with its attributes and without: a bare body or div is cut from
    # its whole serialisation, the rest serialised child by child; the markup is the same, the
    # element's own text and tail are left as they were.
    root = lxml.html.document_fromstring(
        f"<html><body> a &amp; b <div class='x'>{xml_safe(markup)}</div>\n</body></html>"
    )
    for el in [*root.iter(), *root.iter()]:
        text, tail = el.text, el.tail
        assert sanitise.serialise_children(el) == _children_one_by_one(el)
        assert (el.text, el.tail) == (text, tail)
        el.attrib.clear()


def _cleaned(fixture: str) -> str:
    return clean_html((FIXTURES / "clean" / fixture).read_text(encoding="utf-8"), URL)


def test_a_line_break_ending_a_bold_title_stays_between_its_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    html = _cleaned("keeps_the_line_break_that_ends_a_bold_title.html")
    # The <br> ends the <strong>, not the block: the next words go on the next line, not glued on.
    assert "<strong>Local inventory feed</strong><br>This feed" in html
    assert "<strong>Product ratings feed</strong><br>Adding" in html
    assert "<strong>Outdated or inaccurate store reviews</strong><br>In many cases" in html
    assert "</a></strong><br>" in html
    # A break at a block's own end still goes, and one with nothing before it opens no blank line.
    assert "<br></li>" not in html and "<br></p>" not in html
    assert "<p>Start with the two feeds" in html
    assert "inline_breaks" in sanitise.RULES
    monkeypatch.setattr(sanitise, "DISABLED", frozenset({"inline_breaks"}))
    glued = _cleaned("keeps_the_line_break_that_ends_a_bold_title.html")
    assert "<strong>Product ratings feed</strong>Adding" in glued
    assert "reviews</strong>In many cases" in glued


def test_an_inline_element_of_white_space_leaves_its_space_between_words(monkeypatch: pytest.MonkeyPatch) -> None:
    html = _cleaned("keeps_the_space_an_empty_bold_held.html")
    # The editor's <strong> </strong> was the only space between the link and the next word.
    assert "<strong>Studio Brand Voice</strong></a> that can" in html
    assert "<em>developers</em> to add" in html
    # Where a space is already there, none is added (no punctuation pushed away, no double space).
    assert "the cheapest, and" in html
    assert "<b>slowest</b>  to render" in html  # the two spaces around the <i> as they were, none added
    assert "inline_spaces" in sanitise.RULES
    monkeypatch.setattr(sanitise, "DISABLED", frozenset({"inline_spaces"}))
    assert "</a>that can" in _cleaned("keeps_the_space_an_empty_bold_held.html")


def test_ordered_lists_keep_their_numbering() -> None:
    # start, reversed and value are the numbers a reader sees: a recipe's steps go on at 3 after a paragraph, a
    # countdown counts down; an advertisement's item removed from a list leaves one list, not two restarting at 1.
    page = (FIXTURES / "clean" / "keeps_the_numbering_of_ordered_lists.html").read_text(encoding="utf-8")
    root = lxml.html.fragment_fromstring(
        clean_html(page, "https://news.example.org/2026/07/loaf/"), create_parent="div"
    )
    lists = [(dict(ol.attrib), [dict(li.attrib) for li in ol.iter("li")]) for ol in root.iter("ol")]
    assert lists == [
        ({}, [{}, {}]),
        ({"start": "3"}, [{}, {}]),  # "Advertisement" gone from between the two steps
        ({}, [{"value": "10"}]),
        ({"reversed": ""}, [{}, {}, {}]),
    ]
    assert "Advertisement" not in root.text_content()


def test_icon_font_glyphs_go_with_the_elements_that_held_only_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # A private-use character draws only with the site's icon font, which a feed reader lacks: a box.
    html = _cleaned("drops_icon_font_glyphs.html")
    assert sanitise.ICON_GLYPHS.search(html) is None
    assert html.count("<p>") == 4  # the three paragraphs of glyphs only are gone, not the text after a glyph
    assert "A second person reads every answer" in html
    assert "missed → and what they got right 👍." in html  # arrows and emoji are no private-use characters
    assert "icon_glyphs" in sanitise.RULES
    monkeypatch.setattr(sanitise, "DISABLED", frozenset({"icon_glyphs"}))
    boxes = _cleaned("drops_icon_font_glyphs.html")
    assert "<p>\uf074</p>" in boxes and "<i>\uf14a</i>" in boxes and "\U000f0001 \U00100001" in boxes


def test_tidy_drops_icon_glyphs_written_as_character_references() -> None:
    assert sanitise.tidy("<p>&#xF074;</p><p>Text &#xe072;after</p>").strip() == "<p>Text after</p>"
