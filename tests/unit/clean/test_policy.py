"""feedsvc.clean.policy: every text a gated pattern matches holds one of its keys, so the gate never skips a match."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.clean.dom import may_match
from feedsvc.clean.policy import (
    COOKIE_CUE,
    COOKIE_CUE_KEYS,
    DISCLAIMER,
    DISCLAIMER_KEYS,
    DISCLOSURE,
    DISCLOSURE_KEYS,
    PREV_NEXT,
    PREV_NEXT_KEYS,
    PROMPT_CUE,
    PROMPT_CUE_KEYS,
)

GATED = [
    pytest.param(PROMPT_CUE, PROMPT_CUE_KEYS, id="PROMPT_CUE"),
    pytest.param(DISCLOSURE, DISCLOSURE_KEYS, id="DISCLOSURE"),
    pytest.param(DISCLAIMER, DISCLAIMER_KEYS, id="DISCLAIMER"),
    pytest.param(PREV_NEXT, PREV_NEXT_KEYS, id="PREV_NEXT"),
    pytest.param(COOKIE_CUE, COOKIE_CUE_KEYS, id="COOKIE_CUE"),
]


@pytest.mark.parametrize(("pattern", "keys"), GATED)
def test_every_text_the_pattern_matches_passes_its_gate(pattern: re.Pattern[str], keys: tuple[str, ...]) -> None:
    @settings(max_examples=400, deadline=None)
    @given(st.from_regex(pattern))
    def check(text: str) -> None:
        assert pattern.search(text)
        assert may_match(text, keys), text

    check()


@pytest.mark.parametrize(("pattern", "keys"), GATED)
def test_keys_are_case_folded_literals(pattern: re.Pattern[str], keys: tuple[str, ...]) -> None:
    assert pattern.flags & re.IGNORECASE
    assert all(key == key.casefold() and key for key in keys)


@pytest.mark.parametrize(
    ("pattern", "keys", "text"),
    [
        (PROMPT_CUE, PROMPT_CUE_KEYS, "Pin it for later!"),
        (PROMPT_CUE, PROMPT_CUE_KEYS, "The post Harbour wall extended appeared first on Coast News."),
        (DISCLOSURE, DISCLOSURE_KEYS, "We may earn a small commission."),
        (DISCLOSURE, DISCLOSURE_KEYS, "(By using the affiliate links in this post you support the blog.)"),
        (DISCLAIMER, DISCLAIMER_KEYS, "This is for informational purposes only."),
        (PREV_NEXT, PREV_NEXT_KEYS, "Précédent : la digue"),
    ],
)
def test_known_matches_pass_the_gate(pattern: re.Pattern[str], keys: tuple[str, ...], text: str) -> None:
    assert pattern.search(text)
    assert may_match(text, keys)
