"""Walks over a wide or deep tree in one pass: each gives what the climb per element it replaced gave.

A hostile page (thousands of blocks under a chain of hundreds of inline
wrappers) made a climb from every block cost the tree's depth each; the
walks below answer the same in one pass. Each is checked here against the
per-element climb, written out as a slow reference, on generated trees.
"""

from __future__ import annotations

import random

import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean.chrome import _blocks_held, remove_box_copies
from feedsvc.clean.dom import BLOCK_TAGS, elements_within, is_within, leaf_blocks
from feedsvc.clean.explain import Recorder

_TAGS = ("div", "p", "section", "li", "ul", "b", "span", "a", "em", "aside", "h2", "td")


def _random_tree(rng: random.Random, size: int) -> HtmlElement:
    """A tree of ``size`` elements, block and inline mixed, some runs of inline wrappers many levels deep."""
    root = lxml.html.fragment_fromstring("<div></div>")
    nodes = [root]
    for _ in range(size):
        # Mostly under a recent element: chains and wide runs both occur.
        parent = nodes[-1 - min(int(rng.expovariate(0.3)), len(nodes) - 1)]
        el = lxml.html.Element(rng.choice(_TAGS))
        el.text = rng.choice(["", "a few words", "x"])
        parent.append(el)
        nodes.append(el)
    return root


def _slow_leaf_blocks(root: HtmlElement) -> list[HtmlElement]:
    """The innermost blocks of ``root``: each block's nearest block ancestor found by a climb of its own."""
    found = list(root.iter(*BLOCK_TAGS))
    holders = set()
    for el in found:
        node = el.getparent()
        while node is not None and node.tag not in BLOCK_TAGS and node is not root:
            node = node.getparent()
        holders.add(node)
    return [el for el in found if el is not root and el not in holders]


def _slow_blocks_held(article: HtmlElement, leaves: list[tuple[HtmlElement, str]]) -> dict[HtmlElement, int]:
    """How many leaves each ancestor holds, by a climb from every leaf to the article."""
    counts: dict[HtmlElement, int] = {}
    for el, _ in leaves:
        for node in el.iterancestors():
            if node is article:
                break
            counts[node] = counts.get(node, 0) + 1
    return counts


def test_leaf_blocks_of_generated_trees_are_those_a_climb_from_each_block_finds() -> None:
    rng = random.Random(42)
    for size in (1, 5, 40, 300, 1500):
        for _ in range(8):
            root = _random_tree(rng, size)
            for top in (root, *rng.sample(list(root.iter()), min(3, size))):
                assert leaf_blocks(top) == _slow_leaf_blocks(top)


def test_leaf_blocks_under_a_long_chain_of_inline_wrappers() -> None:
    # The hostile shape: every block under the same 300 <b>s, and blocks between them.
    html = "<div>" + "<b>" * 150 + "<p>mid</p>" + "<b>" * 150 + "<div>x</div>" * 50 + "</div>"
    root = lxml.html.fragment_fromstring(html)
    found = leaf_blocks(root)
    assert found == _slow_leaf_blocks(root)
    assert len(found) == 51


def test_blocks_held_counts_and_orders_the_ancestors_as_a_climb_from_each_leaf_does() -> None:
    rng = random.Random(7)
    for size in (3, 30, 400, 1500):
        for _ in range(8):
            root = _random_tree(rng, size)
            article = rng.choice([root, *root.iter("div")])
            leaves = [(el, "t") for el in leaf_blocks(article)]
            # Some leaves out of the article already (a box rule before took them), or the article's own.
            below = [e for e in article.iter() if e is not article]
            for el in rng.sample(below, min(2, len(below))):
                if el.getparent() is not None and is_within(el, article):
                    el.drop_tree()
            got = _blocks_held(article, leaves)
            want = _slow_blocks_held(article, leaves)
            assert list(got.items()) == list(want.items())


def test_a_box_shown_twice_under_a_long_chain_is_removed_once() -> None:
    box = '<div class="promo"><p>Try the app for thirty days</p><p>Free trial, no card needed</p></div>'
    html = "<div><p>" + "story words " * 20 + "</p>" + "<b>" * 200 + box + "<p>more</p>" + box + "</div>"
    article = lxml.html.fragment_fromstring(html)
    rec = Recorder()
    remove_box_copies(article, rec)
    assert [r.reason for r in rec.removals] == ["a box the article already showed (a promo, price or author box again)"]
    assert article.text_content().count("Try the app") == 1


def test_elements_within_are_those_is_within_finds() -> None:
    rng = random.Random(3)
    root = _random_tree(rng, 600)
    everything = list(root.iter())
    for el in rng.sample(everything[1:], 40):
        if el.getparent() is not None:
            el.drop_tree()
    for top in (root, *rng.sample(everything, 20)):
        inside = elements_within(top)
        assert {el for el in everything if is_within(el, top)} == inside


def test_a_line_that_went_with_its_box_is_not_judged_again() -> None:
    # remove_chrome reads what is still in the article once, after the box rules: a control label
    # inside the second copy of a box went with the box and is not removed (or told) a second time.
    from feedsvc.clean.chrome import remove_chrome

    box = '<div class="promo"><p>Try the app for thirty days</p><p>Advertisement</p><p>Free trial, no card</p></div>'
    article = lxml.html.fragment_fromstring(
        "<div><p>" + "story words " * 20 + "</p>" + box + "<p>more</p>" + box + "</div>"
    )
    rec = Recorder()
    remove_chrome(article, rec)
    assert [r.reason for r in rec.removals] == [
        "a box the article already showed (a promo, price or author box again)",
        "control label or promo line",  # the first copy's label, once
    ]
    assert article.text_content().count("Try the app") == 1
