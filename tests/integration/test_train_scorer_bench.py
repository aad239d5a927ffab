"""bench/train_scorer.py: the simulated page metric of kept blocks and the ceiling a block scorer can reach."""

from __future__ import annotations

import sys

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from train_scorer import PageBlocks, ceiling, label_blocks, simulate

PROSE = [
    f"The council voted on Tuesday to extend the harbour wall, paragraph {i}, after a long debate in the town."
    for i in range(3)
]
JUNK = "Sign up for our weekly newsletter and never miss a story again"


def page(texts: list[str], truth: list[str], key: str = "set/1") -> PageBlocks:
    pb = PageBlocks(key, "news.example", " ".join(truth), texts=texts)
    pb.labels, pb.weights = label_blocks(pb.truth, texts)
    return pb


def test_a_page_with_junk_kept_is_not_clean_and_the_perfect_scorer_makes_it_clean() -> None:
    pb = page([*PROSE, JUNK], PROSE)
    assert pb.labels == [1, 1, 1, 0]
    found = ceiling([pb])
    heuristics, perfect = found.values()
    assert heuristics.clean == 0.0 and heuristics.r == 1.0 and heuristics.p < 0.95
    assert perfect.clean == 1.0 and perfect.p == 1.0 and perfect.r == 1.0


def test_a_dropped_article_block_costs_recall_and_the_clean_page() -> None:
    pb = page(PROSE, PROSE)
    dropped = simulate([pb], [[True, True, False]])
    assert dropped.p == 1.0 and dropped.r < 0.95 and dropped.clean == 0.0
    assert simulate([pb], [[True, True, True]]).clean == 1.0


def test_the_clean_share_is_over_all_pages_and_an_empty_output_is_not_clean() -> None:
    good, bad = page(PROSE, PROSE, "set/1"), page([*PROSE, JUNK], PROSE, "set/2")
    assert simulate([good, bad], [[True] * 3, [True] * 4]).clean == 0.5
    nothing = simulate([good], [[False] * 3])
    assert nothing.clean == 0.0 and nothing.f1 == 0.0
