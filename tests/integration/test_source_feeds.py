"""Followed sources as the service serves them: /sources/<name>, its feeds, and the static export.

A content folder with three [[source]] tables (one that brought articles,
one paused with a withdrawn article, one not polled yet), served by the app
and exported with `feedsvc build DIR`.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree, html

from feedsvc.app import create_app
from feedsvc.cli.main import main
from support.factories import live_app, write_article
from support.servers import wait_until
from support.sites import copy_site

BASE = "https://news.example.org"
SOURCES = """
[[source]]
name = "civil-ge"
feed = "https://civil.ge/feed"
title = "Civil Georgia"
link = "https://civil.ge/en/"

[[source]]
name = "paused-news"
feed = "https://paused.example/rss"
status = "paused"

[[source]]
name = "quiet-news"
sitemap = "https://www.quiet.example/sitemap.xml"
"""
FORMATS = {".atom": "application/atom+xml; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8",
           ".json": "application/feed+json"}  # fmt: skip
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"


def followed_site(content_dir: Path) -> Path:
    """The fixture site with the three sources; civil-ge brought three articles, paused-news one, since withdrawn."""
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write("articles_per_page = 2\n" + SOURCES)
    for slug, day in (("tbilisi-protest", "2024-03-03"), ("batumi-port", "2024-03-02"), ("kutaisi-vote", "2024-03-01")):
        write_article(content_dir, slug, f"{day}T10:00:00", tags=("Georgia",), source="civil-ge")
    write_article(content_dir, "paused-story", "2024-02-01T10:00:00", status="withdrawn", source="paused-news")
    write_article(content_dir, "from-a-removed-source", "2024-02-02T10:00:00", source="gone-news")
    return content_dir


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return followed_site(copy_site(tmp_path_factory.mktemp("followed") / "content"))


@pytest.fixture(scope="module")
def app(followed: Path) -> Flask:
    # the real clock, as `feedsvc build` has: a tombstone is shown by both or by neither
    return create_app({"TESTING": True, "CONTENT_DIR": str(followed), "CACHE_DIR": ""})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_a_sources_page_lists_its_articles_with_its_title_link_and_feeds(client: FlaskClient) -> None:
    response = client.get("/sources/civil-ge")
    assert response.status_code == 200 and response.content_type == "text/html; charset=utf-8"
    page = html.fromstring(response.data)
    assert page.findtext(".//h1") == "Civil Georgia"
    assert [a.get("href") for a in page.cssselect(".facet-source a")] == ["https://civil.ge/en/"]
    listed = [a.get("href") for a in page.cssselect("main ol a, main ul a") if "/articles/" in (a.get("href") or "")]
    assert listed == ["/articles/tbilisi-protest", "/articles/batumi-port"]  # two a page, newest first
    alternates = [(link.get("href"), link.get("type")) for link in page.cssselect("link[rel=alternate]")]
    assert alternates[:3] == [  # its own feeds first: what a reader offers to subscribe to
        (f"{BASE}/sources/civil-ge/feed.atom", "application/atom+xml"),
        (f"{BASE}/sources/civil-ge/feed.rss", "application/rss+xml"),
        (f"{BASE}/sources/civil-ge/feed.json", "application/feed+json"),
    ]
    second = html.fromstring(client.get("/sources/civil-ge/page/2").data)
    assert [a.get("href") for a in second.cssselect("main a") if "/articles/" in (a.get("href") or "")][:1] == [
        "/articles/kutaisi-vote"
    ]
    assert client.get("/sources/civil-ge/page/3").status_code == 404


@pytest.mark.parametrize("extension", list(FORMATS))
def test_a_sources_feeds_answer_with_validators_and_304(client: FlaskClient, extension: str) -> None:
    path = f"/sources/civil-ge/feed{extension}"
    response = client.get(path)
    assert response.status_code == 200 and response.content_type == FORMATS[extension]
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert modified == "Sun, 03 Mar 2024 10:00:00 GMT"  # the newest article of the source, not of the site
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzipped.headers["ETag"] != etag


def test_a_sources_feed_carries_its_own_articles_title_and_home_page(client: FlaskClient) -> None:
    atom = feedparser.parse(client.get("/sources/civil-ge/feed.atom").data)
    assert not atom.bozo
    assert (atom.feed.title, atom.feed.link) == ("Civil Georgia", "https://civil.ge/en/")
    # its two newest (the fixture site's entries_per_feed), whatever other articles are newer
    assert [e.link for e in atom.entries] == [f"{BASE}/articles/tbilisi-protest", f"{BASE}/articles/batumi-port"]
    document = json.loads(client.get("/sources/civil-ge/feed.json").data)
    assert (document["title"], document["home_page_url"]) == ("Civil Georgia", "https://civil.ge/en/")
    site = feedparser.parse(client.get("/feed.atom").data)  # the combined feed holds the sources' articles too
    assert f"{BASE}/articles/tbilisi-protest" in {e.link for e in site.entries}
    archive = feedparser.parse(client.get("/archive/2024-02.atom").data)  # and those of a source it no longer has
    assert f"{BASE}/articles/from-a-removed-source" in {e.link for e in archive.entries}


def test_a_source_not_polled_yet_has_an_empty_page_and_valid_empty_feeds(client: FlaskClient) -> None:
    page = html.fromstring(client.get("/sources/quiet-news").data)
    assert "Nothing from this source is published yet" in page.text_content()
    for extension, media_type in FORMATS.items():
        response = client.get(f"/sources/quiet-news/feed{extension}")
        assert response.status_code == 200 and response.content_type == media_type
    atom = feedparser.parse(client.get("/sources/quiet-news/feed.atom").data)
    assert not atom.bozo and atom.entries == []
    assert (atom.feed.title, atom.feed.link) == ("quiet-news", "https://www.quiet.example/")


def test_a_paused_sources_withdrawn_article_is_a_tombstone_in_its_feed(client: FlaskClient) -> None:
    body = client.get("/sources/paused-news/feed.atom").data
    (tombstone,) = etree.fromstring(body).iter(TOMBSTONE)
    assert tombstone.get("ref") == "tag:news.example.org,2020:2024-02-01:articles/paused-story"
    assert client.get("/sources/paused-news").status_code == 200


def test_an_article_names_the_source_that_brought_it(client: FlaskClient) -> None:
    page = html.fromstring(client.get("/articles/batumi-port").data)
    (followed,) = page.cssselect("p.followed a")
    assert (followed.get("href"), followed.text) == ("/sources/civil-ge", "Civil Georgia")
    assert not html.fromstring(client.get("/articles/from-a-removed-source").data).cssselect("p.followed")


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/sources/civil-ge/", 301, f"{BASE}/sources/civil-ge"),
        ("/sources/Civil-GE", 301, f"{BASE}/sources/civil-ge"),
        ("/sources/Civil-GE/feed.rss", 301, f"{BASE}/sources/civil-ge/feed.rss"),
        ("/sources/gone-news", 404, None),
        ("/sources/gone-news/feed.atom", 404, None),
        ("/sources/gone-news/", 404, None),
    ],
)
def test_source_urls_written_another_way_redirect_and_unknown_ones_are_404(
    client: FlaskClient, path: str, status: int, location: str | None
) -> None:
    response = client.get(path)
    assert (response.status_code, response.headers.get("Location")) == (status, location)


def test_healthz_warns_of_an_article_from_a_source_site_toml_does_not_have(client: FlaskClient) -> None:
    warnings = client.get("/healthz").get_json()["warnings"]
    assert {
        "path": "articles/from-a-removed-source.html",
        "reason": "source = 'gone-news' in from-a-removed-source.toml names no [[source]] of site.toml (it has "
        "'civil-ge', 'paused-news', 'quiet-news'); the article is published, but only in the site's own feeds; add "
        "a [[source]] with name = 'gone-news' to site.toml, or remove the line from from-a-removed-source.toml",
    } in warnings


def test_the_export_holds_every_sources_page_and_feeds_as_the_service_sends_them(
    app: Flask, client: FlaskClient, followed: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path / "public"), "--content", str(followed)])
    assert "3 not published" not in result.output and (tmp_path / "public" / "index.html").is_file(), result.output
    public = tmp_path / "public"
    files = {
        "/sources/civil-ge": "sources/civil-ge.html",
        "/sources/civil-ge/page/2": "sources/civil-ge/page/2.html",
        "/sources/quiet-news": "sources/quiet-news.html",
        "/sources/paused-news": "sources/paused-news.html",
    }
    for name in ("civil-ge", "quiet-news", "paused-news"):
        for extension in FORMATS:
            files[f"/sources/{name}/feed{extension}"] = f"sources/{name}/feed{extension}"
    for path, file in files.items():
        with client.get(path) as response:
            assert (public / file).read_bytes() == response.get_data(), path
    assert (public / "sources" / "civil-ge" / "feed.atom.gz").is_file()
    assert b"/sources/quiet-news/feed.atom" in (public / "feeds.opml").read_bytes()
    assert not (public / "sources" / "gone-news.html").exists()


def test_a_source_added_to_site_toml_while_serving_gets_its_feeds(tmp_path: Path) -> None:
    content_dir = copy_site(tmp_path / "content")
    write_article(content_dir, "first-item", "2024-03-03T10:00:00", source="civil-ge")
    # FOLLOW off: the source named below is published, never fetched (a test makes no request off this machine)
    with live_app(content_dir, FOLLOW=False) as app:
        client = app.test_client()
        assert client.get("/sources/civil-ge/feed.atom").status_code == 404
        with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
            toml.write('\n[[source]]\nname = "civil-ge"\nfeed = "https://civil.ge/feed"\n')
        assert wait_until(lambda: client.get("/sources/civil-ge/feed.atom").status_code == 200)
        atom = feedparser.parse(client.get("/sources/civil-ge/feed.atom").data)
        assert [e.link for e in atom.entries] == [f"{BASE}/articles/first-item"]
