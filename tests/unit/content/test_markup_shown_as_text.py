"""Markup-looking text a page shows as text stays text in its fields; markup left in a field goes, with a warning.

Issue #11: "Text that looks like markup never reaches the output unless the source article shows it as
text." An essay titled "30 Years of <br> Tags" writes ``&lt;br&gt;`` in its <h1>: the reader sees
"<br>", so the title, summary, tags and picture's alt text keep it, escaped once wherever they land
(HTML pages, Atom, RSS) and raw in JSON Feed's text fields; never a tag.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from feedsvc.app import create_app
from feedsvc.catalog.prepare import prepare_source
from feedsvc.content.loader import load_article
from feedsvc.metadata import shown_text
from feedsvc.model import ArticleSource, Site
from support.hostile_vectors import ATOM, dangers
from support.paths import FIXTURES

PAGES = FIXTURES / "metadata"
# the fixtures' names, their slugs with hyphens
ESCAPED_TAG = "title-written-with-an-escaped-tag"
SCRIPT_TAG = "title-showing-an-escaped-script-tag"
UNSHOWN_TAG = "meta-title-holding-a-tag-the-page-does-not-show"


def fixture_page(slug: str) -> Path:
    return PAGES / f"{slug.replace('-', '_')}.html"


SITE_TOML = (
    'title = "Essays"\nbase_url = "https://essays.example.org"\nid_authority = "essays.example.org,2024"\n'
    'default_author = "Desk"\n'
)


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return SITE_TOML


def loaded(content_dir: Path, site: Site, stem: str, sidecar: str = "") -> ArticleSource:
    """Load fixture page ``stem`` (and a sidecar holding ``sidecar``) from the site's articles folder."""
    path = content_dir / "articles" / f"{stem}.html"
    shutil.copy(fixture_page(stem), path)
    path.with_suffix(".toml").write_text("published = 2024-03-05T09:30:00Z\n" + sidecar, encoding="utf-8")
    return load_article(path, site)


def markup_warnings(source: ArticleSource) -> list[str]:
    return [warning for warning in source.warnings if "held markup" in warning]


def test_a_title_the_page_writes_with_an_escaped_tag_keeps_the_tag_as_text(content_dir: Path, site: Site) -> None:
    source = loaded(content_dir, site, ESCAPED_TAG)
    assert source.metadata.title == "30 Years of <br> Tags"
    assert source.metadata.summary == "How <table> layouts and <br> tags held the early web together"
    assert "<canvas>" in source.metadata.tags  # the page shows "<canvas>" in its text
    assert markup_warnings(source) == []
    article = prepare_source(source, site).article
    assert article is not None and article.image is not None
    assert article.image.alt == "30 Years of <br> Tags"


def test_with_the_rule_off_the_shown_tag_is_stripped_as_markup(
    content_dir: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shown_text, "DISABLED", frozenset({"shown_markup"}))
    source = loaded(content_dir, site, ESCAPED_TAG)
    assert source.metadata.title == "30 Years of Tags"
    assert markup_warnings(source)


def test_a_tag_in_a_meta_value_the_page_does_not_show_as_text_goes(content_dir: Path, site: Site) -> None:
    source = loaded(content_dir, site, UNSHOWN_TAG)
    assert source.metadata.title == "Harbour bridge to reopen in May"
    assert source.metadata.summary == "The council voted on Tuesday"


def test_markup_in_a_sidecar_title_goes_with_a_warning_unless_the_page_shows_it(content_dir: Path, site: Site) -> None:
    source = loaded(content_dir, site, ESCAPED_TAG, 'title = "An <em>emphatic</em> essay"\n')
    assert source.metadata.title == "An emphatic essay"
    (warning,) = markup_warnings(source)
    assert "the title held markup, which was removed" in warning and 'title = "…"' in warning
    # the sidecar may give the title as the page shows it
    source = loaded(content_dir, site, ESCAPED_TAG, 'title = "Thirty years of <br> tags"\n')
    assert source.metadata.title == "Thirty years of <br> tags"
    assert markup_warnings(source) == []


@pytest.fixture
def served(content_dir: Path) -> Iterator[object]:
    for stem in (ESCAPED_TAG, SCRIPT_TAG):
        shutil.copy(fixture_page(stem), content_dir / "articles" / f"{stem}.html")
        (content_dir / "articles" / f"{stem}.toml").write_text("published = 2024-03-05T09:30:00Z\n", encoding="utf-8")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "WEBSUB_ANNOUNCE_AT_START": False})
    yield app.test_client()


TITLES = {ESCAPED_TAG: "30 Years of <br> Tags", SCRIPT_TAG: "<script>alert(1)</script> in a headline"}
SUMMARIES = {
    ESCAPED_TAG: "How <table> layouts and <br> tags held the early web together",
    SCRIPT_TAG: "Why <script>alert(1)</script> must stay text",
}


@pytest.mark.parametrize("stem", [ESCAPED_TAG, SCRIPT_TAG])
def test_the_article_page_shows_the_title_as_text_and_runs_nothing(served, stem: str) -> None:
    page = served.get(f"/articles/{stem}").get_data(as_text=True)
    assert dangers(page, page=True) == []
    tree = LexborHTMLParser(page)
    assert tree.css_first("h1").text() == TITLES[stem]
    assert tree.css_first("title").text().startswith(TITLES[stem])
    assert tree.css_first("meta[name=description]").attributes["content"] == SUMMARIES[stem]


def test_the_feeds_carry_the_title_and_summary_as_text(served) -> None:
    atom = etree.fromstring(served.get("/feed.atom").get_data())
    assert len(list(atom.iter(f"{ATOM}entry"))) == len(TITLES)
    for entry in atom.iter(f"{ATOM}entry"):
        stem = entry.find(f"{ATOM}link").get("href").rsplit("/", 1)[1]
        title, summary = entry.find(f"{ATOM}title"), entry.find(f"{ATOM}summary")
        # type "text" (Atom's default): escaped once, read as characters, never as HTML
        assert (title.text, title.get("type", "text")) == (TITLES[stem], "text")
        assert (summary.text, summary.get("type")) == (SUMMARIES[stem], "text")
    rss = served.get("/feed.rss").get_data()
    for item in etree.fromstring(rss).iter("item"):
        stem = item.findtext("link").rsplit("/", 1)[1]
        assert item.findtext("title") == TITLES[stem]  # RSS titles are plain text (escaped once in the XML)
        # RSS's description is HTML to readers: the text is escaped as HTML too, and shows as typed
        assert LexborHTMLParser(f"<p>{item.findtext('description')}</p>").text() == SUMMARIES[stem]
    assert sorted(entry.title for entry in feedparser.parse(rss).entries) == sorted(TITLES.values())
    for item in json.loads(served.get("/feed.json").get_data())["items"]:
        stem = item["url"].rsplit("/", 1)[1]
        assert (item["title"], item["summary"]) == (TITLES[stem], SUMMARIES[stem])  # raw: JSON strings are text


def test_shown_markup_is_the_markup_looking_text_a_reader_sees_in_the_body() -> None:
    page = (
        "<html><head><title>&lt;title&gt; text</title><script>var a = '<b>';</script></head><body>"
        "<h1>30 Years of &lt;br&gt; Tags</h1><p>A <b>bold</b> word, <code>&lt;font color=&quot;red&quot;&gt;</code></p>"
        "<noscript>&lt;img src=pixel&gt;</noscript><template>&lt;i&gt;</template><style>p::before{content:'<u>'}</style>"
        "</body></html>"
    )
    # the <title> is raw text (a tag typed there shows as text too), so it proves nothing; a <b> used as
    # a tag, a script's, a style's, a template's and a <noscript>'s text are no text a reader sees
    assert shown_text.shown_markup(lxml.html.fromstring(page)) == {"<br>", '<font color="red">'}


def test_every_shown_text_rule_is_described() -> None:
    assert set(shown_text.RULES) == {"shown_markup"}
    assert all(isinstance(why, str) and why for why in shown_text.RULES.values())
