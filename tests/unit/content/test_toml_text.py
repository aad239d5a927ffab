"""Sidecars and site.toml: every mistake of a file in one message, each naming its key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedsvc.content.loader import load_article, load_site
from feedsvc.content.site import SiteConfigError
from feedsvc.content.toml_text import joined, parse_toml
from feedsvc.model import ContentError
from support.factories import make_site
from support.sites import NEWS_SITE_TOML, blank_site, write_file

PAGE = "<html><body><article><h1>Sochi</h1><p>A paragraph long enough to be an article.</p></article></body></html>"


def _sidecar_error(tmp_path: Path, sidecar: str) -> str:
    content = blank_site(tmp_path / "content")
    write_file(content, "sochi.toml", sidecar)
    with pytest.raises(ContentError) as caught:
        load_article(write_file(content, "sochi.html", PAGE), make_site())
    return caught.value.reason


def test_an_impossible_date_is_named_as_the_date_with_the_form_to_write(tmp_path: Path) -> None:
    reason = _sidecar_error(tmp_path, "published = 2024-13-45\n")
    assert "line 1: 'published' = 2024-13-45 is not a valid date" in reason
    assert "2024-05-01T09:30:00+04:00" in reason and "a month from 1 to 12" in reason


def test_every_syntax_mistake_and_every_bad_value_of_a_sidecar_at_once(tmp_path: Path) -> None:
    sidecar = 'title = Sochi summit\npublished = 2024-13-45\nstatus = "gone"\ntagz = ["a"]\ntags = ["A"\n'
    reason = _sidecar_error(tmp_path, sidecar)
    assert reason.startswith("5 problems: (1) ")
    assert "'title' (Sochi summit) is not valid" in reason and 'title = "Sochi summit"' in reason  # quote it
    assert "'published' = 2024-13-45 is not a valid date" in reason
    assert "the value of 'tags' ([\"A\") is never closed; end it with ]" in reason
    assert "'status' must be one of 'published', 'draft', 'withdrawn', got 'gone'" in reason
    assert "unknown key 'tagz'; did you mean 'tags'?" in reason


def test_two_bad_values_are_both_reported(tmp_path: Path) -> None:
    reason = _sidecar_error(tmp_path, 'status = "gone"\nlanguage = 42\n')
    assert reason.startswith("2 problems:") and "'status'" in reason and "'language'" in reason


def test_a_quoted_number_in_site_toml_says_to_drop_the_quotes_with_every_other_mistake(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content", NEWS_SITE_TOML + 'entries_per_feed = "20"\nsummary_words = 2\n')
    with pytest.raises(SiteConfigError) as caught:
        load_site(content)
    message = str(caught.value)
    assert "2 problems:" in message and "site.toml" in message
    assert "'entries_per_feed' must be a whole number from 1 to 1000, got the text '20'" in message
    assert "drop the quotes: entries_per_feed = 20" in message and "'summary_words'" in message


def test_a_site_toml_syntax_mistake_names_its_line_and_key(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content", NEWS_SITE_TOML + "feed_max_age = \n")
    with pytest.raises(SiteConfigError, match=r"line 6: 'feed_max_age' has no value"):
        load_site(content)


def test_an_unclosed_text_in_site_toml_is_one_problem_saying_to_close_it(tmp_path: Path) -> None:
    # the title's line is left out as a mistake: its key is not "missing" as well, and it is in quotes already
    toml = NEWS_SITE_TOML.replace('title = "Harbour Times"', 'title = "Harbour Times')
    with pytest.raises(SiteConfigError) as caught:
        load_site(blank_site(tmp_path / "content", toml))
    message = str(caught.value)
    assert "line 1: the text of 'title' (\"Harbour Times) is never closed; end it with \"" in message
    assert "problems" not in message and "missing required key" not in message
    # a text that is closed but followed by more is not called unclosed
    assert "never closed" not in parse_toml('title = "A" and more\n')[1][0]


def test_problems_joined_end_with_one_full_stop_each() -> None:
    assert joined(["a setting's help ends with a stop.", "another"]) == (
        "2 problems: (1) a setting's help ends with a stop. (2) another."
    )


def test_valid_toml_parses_as_tomllib_does() -> None:
    assert parse_toml('tags = ["a",\n  "b"]\n[x]\ny = 1\n') == ({"tags": ["a", "b"], "x": {"y": 1}}, [])
