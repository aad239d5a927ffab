"""html_depth: a page is scanned once however many stages bound it before parsing."""

from __future__ import annotations

import pytest

from feedsvc import html_depth
from feedsvc.html_depth import limit_depth


def test_a_page_bounded_by_each_stage_is_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[int] = []
    scan = html_depth._scan

    def counted(html: str, max_depth: int | None) -> tuple[int, str]:
        scans.append(len(html))
        return scan(html, max_depth)

    monkeypatch.setattr(html_depth, "_scan", counted)
    page = "<article><p>" + "One paragraph of a page scanned once. " * 40 + "</p></article>"
    answers = {limit_depth(page) for _ in range(3)}  # loading, metadata, cleaning
    assert answers == {(page, 1)}  # <p> closes implicitly: it does not count
    assert scans == [len(page)]


def test_a_page_deeper_than_the_limit_is_flattened_the_same_from_memory() -> None:
    deep = "<div>" * 40 + "text" + "</div>" * 40
    first = limit_depth(deep, 10)
    again = limit_depth(deep, 10)
    assert first == again == ("<div>" * 10 + "text" + "</div>" * 10, 40)
