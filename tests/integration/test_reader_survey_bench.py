"""bench/reader_survey.py: the kinds it reads from an output's structure."""

from __future__ import annotations

import sys

import pytest

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from reader_survey import KINDS, survey

URL = "https://news.example.org/2024/05/story/"


@pytest.mark.parametrize(
    ("kind", "shown", "fine"),
    [
        ("orphan-li", "<p>Tools:</p><li>One</li>", "<ul><li>One</li></ul>"),
        ("invisible", "<p>\u200d</p>", "<p>A family 👨\u200d👩\u200d👧</p>"),
        ("numbered-dots", "<ul><li>1</li><li>2</li><li>3</li></ul>", "<ol><li>1</li><li>2</li><li>4</li></ol>"),
        (
            "img-self-link",
            '<a href="https://a.example/p.jpg"><img src="https://a.example/p.jpg"></a>',
            '<img src="https://a.example/p.jpg">',
        ),
        ("lone-mark", "<p>•</p>", "<p>* * *</p>"),
        (
            "img-square",
            '<img src="https://a.example/jane.jpg" width="40" height="40">',
            '<img src="https://a.example/w.jpg" width="40" height="30">',
        ),
        ("counter", "<p>3</p><p>of 15</p>", "<p>Three of the 15 plants</p>"),
        (
            "figure-empty",
            "<figure><figcaption>A wall</figcaption></figure>",
            '<figure><img src="https://a.example/w.jpg"></figure>',
        ),
        ("empty-section", "<h2>More on this</h2><h2>Next</h2><p>Text.</p>", "<h2>One</h2><h3>Sub</h3><p>Text.</p>"),
        ("nested-quote", "<blockquote><blockquote>Said.</blockquote></blockquote>", "<blockquote>Said.</blockquote>"),
        (
            "ragged-table",
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
            '<table><tr><td colspan="2">a</td></tr><tr><td>b</td><td>c</td></tr></table>',
        ),
    ],
)
def test_each_structural_kind_is_found_and_its_near_miss_is_not(kind: str, shown: str, fine: str) -> None:
    assert kind in KINDS
    assert kind in survey(shown, None, URL)
    assert kind not in survey(fine, None, URL)
