"""web/tables.py: a table wider than the article column scrolls sideways in a region, keeping its table role."""

from __future__ import annotations

import lxml.html
import pytest

from feedsvc.web.body import page_body
from feedsvc.web.tables import SCROLL_CLASS

ROWS = "<tr><th>Screen</th><th>UX draft</th></tr><tr><td>Load map</td><td>done</td></tr>"


def scrolling_tables(body_html: str) -> str:
    """The body as its page shows it, for a body without a lead image."""
    return page_body(body_html, None).html


def test_a_table_is_wrapped_in_a_named_focusable_scrolling_region_and_stays_a_table() -> None:
    html = scrolling_tables(f"<p>Status.</p><table><caption>GUI progress</caption>{ROWS}</table>after<p>End.</p>")
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    (region,) = root.findall("div")
    assert region.attrib == {"class": SCROLL_CLASS, "role": "region", "tabindex": "0", "aria-label": "GUI progress"}
    assert [child.tag for child in region] == ["table"]  # the table itself, not restyled into a block
    assert region.tail == "after" and root[-1].text == "End."  # the text after the table stays after it


def test_a_table_without_caption_is_a_region_named_table_and_a_nested_table_is_not_wrapped_again() -> None:
    html = scrolling_tables(f"<table><tr><td><table>{ROWS}</table></td></tr></table>")
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert [region.get("aria-label") for region in root.findall(".//div")] == ["Table"]


def test_a_body_without_tables_is_left_as_it_is() -> None:
    assert scrolling_tables("<p>No table here.</p>") == "<p>No table here.</p>"


def test_a_body_with_pictures_and_tables_is_parsed_once_for_both(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = []
    parse = lxml.html.fragment_fromstring

    def counted(*args: object, **kwargs: object) -> lxml.html.HtmlElement:
        parses.append(args)
        return parse(*args, **kwargs)

    monkeypatch.setattr(lxml.html, "fragment_fromstring", counted)
    body = f'<p>Words.</p><table>{ROWS}</table><p><img src="https://news.example.org/map.png" alt="Map"></p>'
    html = page_body(body, None).html
    assert len(parses) == 1
    monkeypatch.undo()
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert [region.get("class") for region in root.findall("div")] == [SCROLL_CLASS]
    (img,) = root.iter("img")
    assert img.get("loading") == "lazy"  # text comes before it: not the page's opening picture
