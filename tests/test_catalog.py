"""catalog.py: from loaded sources to one snapshot; bad sources cost only themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.catalog import build_catalog, entry_id, make_article
from feedsvc.model import ArticleSource, ContentError, PageMetadata, Problem, Site

LONDON = ZoneInfo("Europe/London")
BODY = "<article><h1>Headline</h1><p>{text}</p><p>Second paragraph of the story, with more words.</p></article>"


@pytest.fixture
def site() -> Site:
    return Site(
        title="Gazette",
        base_url="https://news.example.org",
        id_authority="news.example.org,2020",
        language="en",
        timezone=LONDON,
        default_author="Gazette Staff",
        summary_words=5,
    )


def source(slug: str, day: int | None = 1, text: str = "First paragraph of the story.", **meta: object) -> ArticleSource:
    published = datetime(2024, 3, day, 9, 0, tzinfo=LONDON) if day else None
    metadata = PageMetadata(title=f"Title {slug}", published=published, **meta)
    return ArticleSource(slug=slug, path=Path(f"articles/{slug}.html"), html=BODY.format(text=text), metadata=metadata)


def test_entry_id_is_a_tag_uri_from_authority_date_and_slug(site: Site) -> None:
    published = datetime(2021, 11, 23, tzinfo=ZoneInfo("Asia/Tbilisi"))
    assert entry_id(site, "sochi-summit", published) == "tag:news.example.org,2020:2021-11-23:articles/sochi-summit"


def test_entry_id_survives_title_edits_and_a_new_base_url(site: Site) -> None:
    original = make_article(source("story"), site)
    retitled = make_article(replace(source("story"), metadata=replace(source("story").metadata, title="New")), site)
    moved = make_article(source("story"), replace(site, base_url="https://mirror.example.net"))
    assert original.entry_id == retitled.entry_id == moved.entry_id


def test_pinned_id_wins(site: Site) -> None:
    pinned = replace(source("story"), pinned_id="urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    assert make_article(pinned, site).entry_id == "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def test_defaults_fill_author_summary_updated_and_language(site: Site) -> None:
    article = make_article(source("story"), site)
    assert article.authors == ("Gazette Staff",)
    assert article.updated == article.published
    assert article.language == "en"
    # summary_words=5: the opening paragraph, cut at a word boundary
    assert article.summary.startswith("First paragraph of the story")
    assert len(article.summary.rstrip("…").split()) <= 5


def test_updated_never_precedes_published(site: Site) -> None:
    early = datetime(2020, 1, 1, tzinfo=LONDON)
    article = make_article(source("story", updated=early), site)
    assert article.updated == article.published


def test_missing_date_is_an_error_that_says_the_fix(site: Site) -> None:
    with pytest.raises(ContentError) as caught:
        make_article(source("undated", day=None), site)
    assert caught.value.path == Path("articles/undated.html")
    assert "published = " in caught.value.reason and "undated.toml" in caught.value.reason


def test_missing_title_falls_back_to_the_opening_words_with_a_warning(site: Site) -> None:
    untitled = replace(source("story"), metadata=replace(source("story").metadata, title=None))
    article = make_article(untitled, site)
    assert article.title.startswith("First paragraph of the story")
    assert any("no title found" in warning for warning in article.warnings)


def test_canonical_url_elsewhere_becomes_the_source_url(site: Site) -> None:
    article = make_article(source("story", canonical_url="https://origin.example.com/story/"), site)
    assert article.source_url == "https://origin.example.com/story/"
    own = make_article(source("story", canonical_url="https://news.example.org/articles/story"), site)
    assert own.source_url is None


def test_catalog_orders_newest_first_and_indexes_by_slug(site: Site) -> None:
    catalog = build_catalog([source("old", 1), source("new", 20), source("mid", 10)], site)
    assert [a.slug for a in catalog.articles] == ["new", "mid", "old"]
    assert catalog.by_slug["mid"].title == "Title mid"


def test_a_broken_source_costs_only_itself(site: Site) -> None:
    def fragile_cleaner(html: str, base_url: str | None = None, rules: object = None) -> str:
        if "explode" in html:
            raise RuntimeError("cleaner bug")
        return "<p>ok</p>"

    sources = [source("good", 2), source("bad", 3, text="explode"), source("undated", None)]
    catalog = build_catalog(sources, site, clean=fragile_cleaner)
    assert [a.slug for a in catalog.articles] == ["good"]
    reasons = {str(p.path): p.message for p in catalog.problems}
    assert "internal error" in reasons["articles/bad.html"]
    assert "no publication date" in reasons["articles/undated.html"]


def test_page_with_no_article_text_is_reported(site: Site) -> None:
    empty = replace(source("story"), html="<nav><a href='/'>Home</a></nav><script>x()</script>")
    catalog = build_catalog([empty], site)
    assert catalog.articles == ()
    assert "no article text" in catalog.problems[0].message


def test_duplicate_pinned_ids_keep_one_and_name_both_files(site: Site) -> None:
    first = replace(source("first", 2), pinned_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    second = replace(source("second", 3), pinned_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    catalog = build_catalog([first, second], site)
    assert [a.slug for a in catalog.articles] == ["second"]
    (problem,) = catalog.problems
    assert problem.path == Path("articles/first.html")
    assert "articles/second.html" in problem.message


def test_drafts_are_not_published(site: Site) -> None:
    catalog = build_catalog([replace(source("draft"), status="draft"), source("live")], site)
    assert [a.slug for a in catalog.articles] == ["live"]


def test_loader_problems_are_carried_into_the_snapshot(site: Site) -> None:
    loaded = Problem(Path("articles/empty.html"), "the file is empty")
    catalog = build_catalog([source("live")], site, problems=[loaded])
    assert loaded in catalog.problems


def test_version_is_stable_for_equal_content_and_moves_with_any_change(site: Site) -> None:
    one = build_catalog([source("a", 1), source("b", 2)], site)
    same = build_catalog([source("b", 2), source("a", 1)], site)
    edited = build_catalog([source("a", 1, text="An edited first paragraph."), source("b", 2)], site)
    renamed_site = build_catalog([source("a", 1), source("b", 2)], replace(site, title="Other"))
    assert one.version == same.version
    assert len({one.version, edited.version, renamed_site.version}) == 3
