"""bench/lost_text.py: which annotated text the stages before the learned scorer remove, and which rule did."""

from __future__ import annotations

import sys

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from extraction import Page
from lost_text import group, lost_on, page_text

PROSE = [
    f"The council voted on Tuesday to extend the harbour wall, paragraph {i}, after a long debate in the town."
    for i in range(5)
]
LINKS = ["The harbour plan in full", "Minutes of the last meeting", "Map of the new wall"]


def page(truth: str) -> Page:
    body = "".join(f"<p>{p}</p>" for p in PROSE)
    links = "".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(LINKS))
    html = f"<html><head><title>Harbour</title></head><body><article>{body}<ul>{links}</ul></article></body></html>"
    return Page(
        key="set/1", html=html, truth={"articleBody": truth}, url="https://news.example/a/", domain="x", dataset="set"
    )


def test_a_lost_link_list_is_put_on_the_rule_that_removed_it() -> None:
    result = lost_on(page(" ".join(PROSE) + " " + " ".join(LINKS)))
    assert result.recall < 1.0
    top = result.losses[0]
    assert (top.stage, top.reason.split(" (")[0]) == ("boilerplate", "link list")
    # Shingles straddling the last paragraph and the list count for the list too, not as unrecorded.
    assert all(loss.reason != "unrecorded" for loss in result.losses)
    assert sum(loss.shingles for loss in result.losses) == result.truth - result.kept


def test_truth_text_the_page_never_shows_is_told_apart() -> None:
    result = lost_on(page(" ".join(PROSE) + " A sentence the annotators wrote that the page does not hold."))
    assert [loss.reason for loss in result.losses] == ["not in the page's text"]


def test_groups_sum_recall_points_and_count_decisive_pages() -> None:
    result = lost_on(page(" ".join(PROSE) + " " + " ".join(LINKS)))
    groups = group([result], lambda loss: loss.stage)
    assert set(groups) == {"boilerplate"}
    lost = 1 - result.recall
    assert abs(groups["boilerplate"].points - lost) < 1e-9
    # Without the list the page's candidate recall would be whole, so the rule alone keeps it from clean.
    assert groups["boilerplate"].decisive == ({"set/1"} if result.recall < 0.95 else set())


def test_the_pages_text_is_read_as_utf8_whatever_its_head_says() -> None:
    # A page without a charset libxml2 finds was read as Latin-1: its lost accented words looked
    # absent from the page ("not in the page's text") instead of unrecorded.
    html = "<html><head><title>Caf\u00e9</title></head><body><p>Le caf\u00e9 d\u2019en face ferme t\u00f4t.</p></body></html>"
    assert page_text(html) == "Le caf\u00e9 d\u2019en face ferme t\u00f4t."
