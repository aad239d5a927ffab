"""content/slug.py: readable, Unicode-aware, unique slugs, and which names are slugs."""

from __future__ import annotations

import pytest

from feedsvc.content.slug import MAX_SLUG_CHARS, is_slug, slug_from_url, slugify, unique_slug


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Pashinyan, Aliyev, and Putin to hold summit in Sochi", "pashinyan-aliyev-and-putin-to-hold-summit-in-sochi"),
        ("Putin’s summit: what’s next?", "putins-summit-whats-next"),
        ("  --Ça va? Très bien!--  ", "ça-va-très-bien"),
        ("თბილისის მეტრო ახალ სადგურს ხსნის", "თბილისის-მეტრო-ახალ-სადგურს-ხსნის"),
        ("हिन्दी समाचार", "हिन्दी-समाचार"),  # vowel signs and viramas stay with their letters
        ("İstanbul’da seçim", "istanbulda-seçim"),
        ("Ｆｕｌｌ ｗｉｄｔｈ ﬁle", "full-width-file"),
        ("東京 2024", "東京-2024"),
        ("snake_case and dots.here", "snake-case-and-dots-here"),
        ("!!! ???", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
    assert slug == "" or is_slug(slug)


def test_slugify_cuts_long_titles_at_a_word() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= MAX_SLUG_CHARS and slug.endswith("word") and is_slug(slug)
    assert len(slugify("a" * 200)) == MAX_SLUG_CHARS


@pytest.mark.parametrize(
    "url, slug",
    [
        ("https://oc-media.org/pashinyan-aliyev-summit/", "pashinyan-aliyev-summit"),
        ("https://x.example/news/2021/11/story.html?utm_source=a", "story"),
        ("https://x.example/%E1%83%9B%E1%83%94%E1%83%A2%E1%83%A0%E1%83%9D/amp/", "მეტრო"),
        ("https://x.example/article/12345", "article"),
        ("https://x.example/", ""),
    ],
)
def test_slug_from_url_takes_the_last_meaningful_segment(url: str, slug: str) -> None:
    assert slug_from_url(url) == slug


def test_unique_slug_numbers_only_when_taken() -> None:
    assert unique_slug("sochi", set()) == "sochi"
    assert unique_slug("sochi", {"sochi", "sochi-2"}) == "sochi-3"
    assert unique_slug("", {"article"}) == "article-2"
    long = "a" * MAX_SLUG_CHARS
    assert len(unique_slug(long, {long})) == MAX_SLUG_CHARS


@pytest.mark.parametrize("name", ["Sochi", "sochi--summit", "-sochi", "sochi_summit", "sochi.summit", "", "e\u0301"])
def test_is_slug_refuses(name: str) -> None:
    assert not is_slug(name)
