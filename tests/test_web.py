"""web.py: routes, media types, validators, autodiscovery, errors, security headers."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from factories import write_article
from feedsvc import create_app
from feedsvc.snapshot import load_snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
JSONLD_SLUG = "article-with-jsonld-tags-and-author"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def autodiscovery(page: BeautifulSoup) -> dict[str, str]:
    return {link["type"]: link["href"] for link in page.find_all("link", rel="alternate")}


def test_index_lists_published_articles_newest_first(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = soup(response)
    titles = [a.get_text() for a in page.select(".article-list h2 a")]
    assert titles == [
        "Harbour bridge reopens after repairs",
        "Library extends its opening hours",
        "Market hall gets a new roof",
    ]
    assert page.select_one(".article-list h2 a")["href"] == f"/articles/{JSONLD_SLUG}"


@pytest.mark.parametrize("path", ["/", f"/articles/{JSONLD_SLUG}"])
def test_every_page_links_every_feed_for_autodiscovery(client: FlaskClient, path: str) -> None:
    links = autodiscovery(soup(client.get(path)))
    assert links == {
        "application/atom+xml": "https://news.example.org/feed.atom",
        "application/rss+xml": "https://news.example.org/feed.rss",
        "application/feed+json": "https://news.example.org/feed.json",
    }


def test_article_page_shows_the_clean_article_with_its_metadata(client: FlaskClient) -> None:
    response = client.get(f"/articles/{JSONLD_SLUG}")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == "en"
    assert page.find("h1").get_text() == "Harbour bridge reopens after repairs"
    assert page.find("link", rel="canonical")["href"] == f"https://news.example.org/articles/{JSONLD_SLUG}"
    time = page.select_one(".article .meta time")
    assert (time["datetime"], time.get_text()) == ("2024-03-05T09:30:00+00:00", "5 March 2024")
    assert "Ada Lovelace" in page.select_one(".byline").get_text()
    tags = page.select(".tags a")
    assert [(a.get_text(), a["href"]) for a in tags] == [("Transport", "/tags/transport"), ("City", "/tags/city")]
    assert page.select_one(".byline a")["href"] == "/authors/ada-lovelace"
    body = page.select_one(".article-body")
    paragraphs = [p.get_text() for p in body.find_all("p")]
    assert paragraphs[0].startswith("The harbour bridge carries traffic again")
    assert body.find("img")["src"] == "https://news.example.org/images/bridge.jpg"
    # the source page's navigation and footer are not part of the article
    assert "© Example Gazette" not in body.get_text()
    assert not body.find("nav")


def test_unknown_article_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/articles/no-such-story")
    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"
    page = soup(response)
    assert page.find("h1").get_text() == "404 Not Found"
    assert "There is no article at /articles/no-such-story." in page.get_text()


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/feed.atom", "application/atom+xml; charset=utf-8"), ("/feed.rss", "application/rss+xml; charset=utf-8")],
)
def test_feeds_have_their_media_type_and_validators(client: FlaskClient, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content_type == media_type
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith('W/')
    assert response.headers["Last-Modified"] == "Wed, 06 Mar 2024 10:00:00 GMT"
    assert response.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=3600"
    assert response.headers["Vary"] == "Accept-Encoding"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    # entries_per_feed = 2 in the fixture site
    assert [e.title for e in parsed.entries] == [
        "Harbour bridge reopens after repairs",
        "Library extends its opening hours",
    ]


def test_atom_entry_ids_come_from_the_authority_or_the_sidecar(client: FlaskClient) -> None:
    root = etree.fromstring(client.get("/feed.atom").data)
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == [
        f"tag:news.example.org,2020:2024-03-05:articles/{JSONLD_SLUG}",
        "urn:uuid:6f1c2a7e-2f5b-4c39-9a55-0c7d1f6a8b11",
    ]


@pytest.mark.parametrize("path", ["/feed.atom", "/feed.rss", "/", f"/articles/{JSONLD_SLUG}"])
def test_conditional_get_answers_304(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    by_etag = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag.data == b""
    assert by_etag.headers["ETag"] == first.headers["ETag"]
    by_date = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304
    stale = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_head_sends_headers_without_a_body(client: FlaskClient) -> None:
    get = client.get("/feed.atom")
    head = client.head("/feed.atom")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.post("/feed.atom")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_forged_host_headers_change_nothing(client: FlaskClient) -> None:
    honest = client.get("/feed.atom").data
    forged = client.get("/feed.atom", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}).data
    assert forged == honest
    page = client.get(f"/articles/{JSONLD_SLUG}", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page


def test_pages_send_security_headers_and_no_script(client: FlaskClient) -> None:
    response = client.get(f"/articles/{JSONLD_SLUG}")
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert not soup(response).find("script")


def test_stylesheet_is_served(client: FlaskClient) -> None:
    with client.get("/static/style.css") as response:  # a file response: close it
        assert response.status_code == 200
        assert response.content_type.startswith("text/css")
        assert b".article-body" in response.data


def test_healthz_reports_version_and_rejected_files(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["status"] == "ok"
    assert report["articles"] == 3
    assert len(report["version"]) == 16
    (rejected,) = report["rejected"]
    assert rejected["path"].endswith("articles/article-that-is-empty.html")
    assert rejected["reason"]


def test_base_url_setting_moves_links_but_not_ids(content_dir: Path) -> None:
    moved = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "BASE_URL": "https://mirror.example.net"})
    root = etree.fromstring(moved.test_client().get("/feed.atom").data)
    links = [link.get("href") for link in root.findall(f"{ATOM}link")]
    assert "https://mirror.example.net/feed.atom" in links
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids[0] == f"tag:news.example.org,2020:2024-03-05:articles/{JSONLD_SLUG}"


def test_broken_site_toml_stops_start_up_with_the_file_named(content_dir: Path) -> None:
    (content_dir / "site.toml").write_text('title = "x"\nbase_url = 42\n', encoding="utf-8")
    with pytest.raises(Exception) as caught:
        create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})
    assert "site.toml" in str(caught.value)


def test_tag_page_lists_its_articles_and_links_its_feeds_first(client: FlaskClient) -> None:
    response = client.get("/tags/transport")
    assert response.status_code == 200
    page = soup(response)
    assert page.find("h1").get_text() == "Transport"
    assert [a.get_text() for a in page.select(".article-list h2 a")] == ["Harbour bridge reopens after repairs"]
    alternates = [(link["type"], link["href"]) for link in page.find_all("link", rel="alternate")]
    assert alternates[:3] == [
        ("application/atom+xml", "https://news.example.org/tags/transport/feed.atom"),
        ("application/rss+xml", "https://news.example.org/tags/transport/feed.rss"),
        ("application/feed+json", "https://news.example.org/tags/transport/feed.json"),
    ]
    assert ("application/atom+xml", "https://news.example.org/feed.atom") in alternates
    assert page.find("link", rel="canonical")["href"] == "https://news.example.org/tags/transport"


def test_author_page_lists_their_articles_and_links_their_feeds(client: FlaskClient) -> None:
    page = soup(client.get("/authors/grace-hopper"))
    assert page.find("h1").get_text() == "Articles by Grace Hopper"
    assert [a.get_text() for a in page.select(".article-list h2 a")] == ["Library extends its opening hours"]
    first_atom = page.find("link", rel="alternate", type="application/atom+xml")
    assert first_atom["href"] == "https://news.example.org/authors/grace-hopper/feed.atom"


def test_tag_feed_holds_only_that_tags_articles(client: FlaskClient) -> None:
    parsed = feedparser.parse(client.get("/tags/culture/feed.atom").data)
    assert not parsed.bozo
    assert parsed.feed.title == "Example Gazette: Culture"
    assert [e.id for e in parsed.entries] == ["urn:uuid:6f1c2a7e-2f5b-4c39-9a55-0c7d1f6a8b11"]
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == "https://news.example.org/tags/culture/feed.atom"
    assert links["alternate"] == "https://news.example.org/tags/culture"


def test_unknown_tag_page_is_404(client: FlaskClient) -> None:
    assert client.get("/tags/no-such-tag").status_code == 404


def test_replacing_the_snapshot_serves_the_new_pages_and_feeds(app: Flask, content_dir: Path) -> None:
    client = app.test_client()
    old_index = client.get("/")
    write_article(content_dir, "late-news", "2024-03-10T08:00:00", title="Late news arrives")
    changed = app.extensions["feedsvc"].replace(load_snapshot(content_dir, now=datetime.now(timezone.utc)))
    assert "https://news.example.org/feed.atom" in changed
    fresh = client.get("/", headers={"If-None-Match": old_index.headers["ETag"]})
    assert fresh.status_code == 200
    assert "Late news arrives" in fresh.get_data(as_text=True)
    assert b"late-news" in client.get("/feed.atom").data
