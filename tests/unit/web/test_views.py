"""web/views.py: routes, media types, validators, autodiscovery, errors, security headers."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from feedsvc.app import create_app
from feedsvc.build.builder import load_snapshot
from feedsvc.build.records import ArticleList
from feedsvc.build.representation import body_etag
from feedsvc.build.snapshot import Snapshot
from feedsvc.serve.wire import dump_snapshot
from feedsvc.serve.wire import load_snapshot as load_snapshot_sent
from support.factories import replace_picture, write_article
from support.paths import FIXTURES

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
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
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
    # the one script element is JSON-LD: a data block, which no browser runs
    assert [script.get("type") for script in soup(response).find_all("script")] == ["application/ld+json"]


def test_stylesheet_is_served(client: FlaskClient) -> None:
    with client.get("/static/style.css") as response:  # a file response: close it
        assert response.status_code == 200
        assert response.content_type.startswith("text/css")
        assert b".article-body" in response.data


def test_healthz_reports_version_and_rejected_files(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["status"] == "degraded"  # a file of the folder is not published (200 all the same)
    assert report["articles"] == 3
    assert len(report["version"]) == 16
    (rejected,) = report["rejected"]
    assert rejected["path"] == "articles/article-that-is-empty.html"
    assert rejected["reason"].startswith("is empty") and rejected["fix"].startswith("put the article's HTML in it")
    assert datetime.fromisoformat(rejected["since"]).tzinfo is not None
    assert report["held"] == []


@pytest.mark.parametrize("break_it", ["rules", "ledger"])
def test_healthz_lists_a_problem_of_a_file_that_is_no_article_apart_from_the_rejected_articles(
    content_dir: Path, break_it: str
) -> None:
    # "rejected" are article files not published: a rules file or the revisions ledger there was read as one
    # more article left out, while every article was published
    if break_it == "rules":
        broken = content_dir / "rules" / "news.example.org.toml"
        broken.parent.mkdir(exist_ok=True)
        broken.write_text("strip = [\n", encoding="utf-8")
    else:
        broken = content_dir / ".feedsvc" / "revisions.json"
        broken.mkdir(parents=True)  # a folder in its place: neither read nor written
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    report = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client().get("/healthz").get_json()
    assert report["status"] == "degraded" and report["articles"] == 3
    assert report["rejected"] == [] and report["held"] == []
    (other,) = report["other_problems"]
    assert other["path"] == str(broken.relative_to(content_dir)) and other["reason"] and other["fix"]


def test_healthz_is_ok_only_when_every_file_is_published_as_it_is(client: FlaskClient, content_dir: Path) -> None:
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})
    report = app.test_client().get("/healthz").get_json()
    assert report["status"] == "ok" and report["rejected"] == [] and report["held"] == []
    assert report["other_problems"] == []


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
    changed = app.extensions["feedsvc"].replace(load_snapshot(content_dir, now=datetime.now(UTC)))
    assert "https://news.example.org/feed.atom" in changed
    fresh = client.get("/", headers={"If-None-Match": old_index.headers["ETag"]})
    assert fresh.status_code == 200
    assert "Late news arrives" in fresh.get_data(as_text=True)
    assert b"late-news" in client.get("/feed.atom").data


# ------------------------------------------------------------------ list pages

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BASE = "https://news.example.org"


def paged_content(tmp_path: Path, count: int, per_page: int = 2, base_url: str = BASE) -> Path:
    """A site of ``count`` articles, "Story 1" (1 March 2024) to "Story <count>", ``per_page`` a page.

    Every article has the tag Weather; the even ones Roads too; all are by Ada Lovelace.
    """
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "site.toml").write_text(
        f'title = "Paged Gazette"\nbase_url = "{base_url}"\nid_authority = "news.example.org,2020"\n'
        f'default_author = "Desk"\ntimezone = "UTC"\narticles_per_page = {per_page}\n',
        encoding="utf-8",
    )
    for n in range(1, count + 1):
        tags = ("Weather", "Roads") if n % 2 == 0 else ("Weather",)
        write_article(content, f"story-{n:02d}", f"2024-03-{n:02d}T09:00:00", title=f"Story {n}", tags=tags,
                      authors=("Ada Lovelace",))  # fmt: skip
    return content


def paged_app(content: Path) -> Flask:
    return create_app({"TESTING": True, "CONTENT_DIR": str(content), "CACHE_DIR": "", "CLOCK": lambda: T0})


def paged_client(tmp_path: Path, count: int, per_page: int = 2, base_url: str = BASE) -> FlaskClient:
    return paged_app(paged_content(tmp_path, count, per_page, base_url)).test_client()


def titles(response) -> list[str]:
    return [a.get_text() for a in soup(response).select(".article-list h2 a")]


def stories(*numbers: int) -> list[str]:
    return [f"Story {n}" for n in numbers]


def head_link(page: BeautifulSoup, rel: str) -> str | None:
    links = page.find_all("link", rel=rel)
    assert len(links) <= 1, f"more than one <link rel={rel}>"
    return links[0]["href"] if links else None


def nav_links(page: BeautifulSoup) -> dict[str, tuple[str, str]]:
    """rel -> (visible text, href) of the links of the page navigation at the bottom."""
    return {a["rel"][0]: (a.get_text(" ", strip=True), a["href"]) for a in page.select("nav.pagination a")}


def test_list_pages_hold_articles_per_page_newest_first_each_article_once(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 5, per_page=2)
    pages = [client.get(path) for path in ("/", "/page/2", "/page/3")]
    assert [response.status_code for response in pages] == [200, 200, 200]
    assert [titles(response) for response in pages] == [stories(5, 4), stories(3, 2), stories(1)]
    assert client.get("/page/4").status_code == 404
    # the list numbers on: the first article of page 2 is the third of the whole list
    assert soup(pages[1]).select_one("ol.article-list")["start"] == "3"
    assert not soup(pages[0]).select_one("ol.article-list").has_attr("start")


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_the_number_of_pages_is_the_articles_over_the_page_size_rounded_up(
    tmp_path: Path, count: int, pages: int
) -> None:
    client = paged_client(tmp_path, count, per_page=2)
    shown = titles(client.get("/"))
    for number in range(2, pages + 1):
        response = client.get(f"/page/{number}")
        assert response.status_code == 200, number
        shown += titles(response)
    assert shown == stories(*range(count, 0, -1))  # every article once, newest first
    assert client.get(f"/page/{pages + 1}").status_code == 404
    last = soup(client.get("/" if pages == 1 else f"/page/{pages}"))
    assert head_link(last, "next") is None and "next" not in nav_links(last)
    if pages == 1:  # exactly one page (N articles or fewer): no navigation at all
        assert last.select("nav.pagination") == [] and "Page 1 of 1" not in last.get_text()


def test_the_page_size_setting_counts(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 7, per_page=3)
    assert titles(client.get("/")) == stories(7, 6, 5)
    assert titles(client.get("/page/3")) == stories(1)
    assert client.get("/page/4").status_code == 404


def test_the_default_page_size_is_25(tmp_path: Path) -> None:
    content = paged_content(tmp_path, 26)
    toml = content / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("articles_per_page = 2\n", ""), encoding="utf-8")
    client = paged_app(content).test_client()
    assert titles(client.get("/")) == stories(*range(26, 1, -1))
    assert titles(client.get("/page/2")) == stories(1)


def test_each_page_links_its_neighbours_in_the_head_and_at_the_bottom(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 5, per_page=2)
    first, middle, last = (soup(client.get(path)) for path in ("/", "/page/2", "/page/3"))

    assert head_link(first, "canonical") == f"{BASE}/"
    assert head_link(first, "prev") is None
    assert head_link(first, "next") == f"{BASE}/page/2"
    assert nav_links(first) == {"next": ("Older articles →", "/page/2")}
    assert "Page 1 of 3" in first.select_one("nav.pagination").get_text()
    assert first.title.get_text() == "Paged Gazette"

    assert head_link(middle, "canonical") == f"{BASE}/page/2"
    assert head_link(middle, "prev") == f"{BASE}/"
    assert head_link(middle, "next") == f"{BASE}/page/3"
    assert nav_links(middle) == {"prev": ("← Newer articles", "/"), "next": ("Older articles →", "/page/3")}
    assert "Page 2 of 3" in middle.select_one("nav.pagination").get_text()
    assert middle.title.get_text() == "Page 2 · Paged Gazette"

    assert head_link(last, "canonical") == f"{BASE}/page/3"
    assert head_link(last, "prev") == f"{BASE}/page/2"
    assert head_link(last, "next") is None
    assert nav_links(last) == {"prev": ("← Newer articles", "/page/2")}
    assert "Page 3 of 3" in last.select_one("nav.pagination").get_text()
    assert last.title.get_text() == "Page 3 · Paged Gazette"
    # the navigation comes after the list
    assert last.select_one("main > :last-child").name == "nav"


@pytest.mark.parametrize(
    "path",
    ["/page/0", "/page/4", "/page/99999999999999999999", "/page/-1", "/page/two", "/page/02", "/page/2/",
     "/page/\u0662", "/page/", "/page", "/tags/weather/page/0", "/tags/weather/page/4", "/tags/roads/page/2",
     "/tags/nope/page/2", "/authors/ada-lovelace/page/4", "/authors/nobody/page/2"],
)  # fmt: skip
def test_pages_that_do_not_exist_are_404(tmp_path: Path, path: str) -> None:
    # 5 articles, 2 a page: the site, Weather and Ada Lovelace have 3 pages; Roads (stories 4 and 2) one
    response = paged_client(tmp_path, 5, per_page=2).get(path)
    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "location"),
    [("/page/1", f"{BASE}/"), ("/tags/weather/page/1", f"{BASE}/tags/weather"),
     ("/authors/ada-lovelace/page/1", f"{BASE}/authors/ada-lovelace")],
)  # fmt: skip
def test_page_1_redirects_permanently_to_the_lists_own_url(tmp_path: Path, path: str, location: str) -> None:
    client = paged_client(tmp_path, 5, per_page=2)
    response = client.get(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 301
    assert response.headers["Location"] == location
    assert b"evil.example" not in response.data


def test_redirects_and_links_of_list_pages_keep_the_base_urls_path(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 5, per_page=2, base_url="https://example.org/news")
    assert client.get("/page/1").headers["Location"] == "https://example.org/news/"
    assert client.get("/tags/weather/page/1").headers["Location"] == "https://example.org/news/tags/weather"
    page = soup(client.get("/page/2"))
    assert head_link(page, "canonical") == "https://example.org/news/page/2"
    assert head_link(page, "prev") == "https://example.org/news/"
    assert nav_links(page) == {"prev": ("← Newer articles", "/news/"), "next": ("Older articles →", "/news/page/3")}


def test_tag_and_author_pages_are_paginated_like_the_home_page(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 6, per_page=2)  # Roads: stories 6, 4, 2
    first, second = client.get("/tags/roads"), client.get("/tags/roads/page/2")
    assert (titles(first), titles(second)) == (stories(6, 4), stories(2))
    assert client.get("/tags/roads/page/3").status_code == 404
    page = soup(second)
    assert page.find("h1").get_text() == "Roads"
    assert page.title.get_text() == "Roads · Page 2 · Paged Gazette"
    assert head_link(page, "canonical") == f"{BASE}/tags/roads/page/2"
    assert head_link(page, "prev") == f"{BASE}/tags/roads"
    assert head_link(page, "next") is None
    assert nav_links(page) == {"prev": ("← Newer articles", "/tags/roads")}
    assert "Page 2 of 2" in page.select_one("nav.pagination").get_text()
    # its own feeds first, as on its first page
    first_atom = page.find("link", rel="alternate", type="application/atom+xml")
    assert first_atom["href"] == f"{BASE}/tags/roads/feed.atom"
    assert nav_links(soup(first)) == {"next": ("Older articles →", "/tags/roads/page/2")}

    by_ada = [titles(client.get(path)) for path in ("/authors/ada-lovelace", "/authors/ada-lovelace/page/2",
                                                     "/authors/ada-lovelace/page/3")]  # fmt: skip
    assert by_ada == [stories(6, 5), stories(4, 3), stories(2, 1)]
    assert soup(client.get("/authors/ada-lovelace/page/3")).title.get_text() == (
        "Articles by Ada Lovelace · Page 3 · Paged Gazette"
    )


def test_an_empty_site_still_has_its_first_page(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 0, per_page=2)
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    assert "Nothing has been published yet." in page.get_text()
    assert page.select("nav.pagination") == []
    assert head_link(page, "canonical") == f"{BASE}/"
    assert head_link(page, "next") is None and head_link(page, "prev") is None
    assert client.get("/page/2").status_code == 404
    assert client.get("/page/1").status_code == 301


def test_an_empty_site_pages_are_last_modified_at_the_site_date_not_1970(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 0, per_page=2)
    # paged_content's id_authority is news.example.org,2020: the date the site's ids are minted under
    assert client.get("/").headers["Last-Modified"] == "Wed, 01 Jan 2020 00:00:00 GMT"


def test_every_page_of_a_list_has_the_last_modified_of_the_whole_list(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 6, per_page=2)
    for path in ("/", "/page/2", "/page/3"):  # story 6, the newest, is only on page 1
        assert client.get(path).headers["Last-Modified"] == "Wed, 06 Mar 2024 09:00:00 GMT", path
    for path in ("/tags/roads", "/tags/roads/page/2"):  # stories 6, 4, 2
        assert client.get(path).headers["Last-Modified"] == "Wed, 06 Mar 2024 09:00:00 GMT", path
    for path in ("/tags/weather", "/tags/weather/page/2", "/tags/weather/page/3"):
        assert client.get(path).headers["Last-Modified"] == "Wed, 06 Mar 2024 09:00:00 GMT", path


def test_a_page_whose_articles_shift_is_modified_even_if_they_are_older(tmp_path: Path) -> None:
    content = paged_content(tmp_path, 5, per_page=2)
    app = paged_app(content)
    client = app.test_client()
    before = client.get("/page/2")  # stories 3 and 2
    assert titles(before) == stories(3, 2)
    # Story 5 withdrawn: page 2 now shows stories 2 and 1, both older than what it showed
    write_article(content, "story-05", "2024-03-05T09:00:00", title="Story 5", status="withdrawn")
    withdrawn_at = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    app.extensions["feedsvc"].replace(load_snapshot(content, now=withdrawn_at))
    after = client.get("/page/2", headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert titles(after) == stories(2, 1)
    assert after.headers["Last-Modified"] == "Sat, 01 Jun 2024 12:00:00 GMT"  # when it was withdrawn
    assert client.get("/page/3").status_code == 404  # four articles: two pages
    # a new article moves one from every page onto the next
    write_article(content, "story-20", "2024-06-02T09:00:00", title="Story 20")
    app.extensions["feedsvc"].replace(load_snapshot(content, now=datetime(2024, 6, 3, tzinfo=UTC)))
    latest = client.get("/page/2", headers={"If-Modified-Since": after.headers["Last-Modified"]})
    assert latest.status_code == 200 and titles(latest) == stories(3, 2)
    assert latest.headers["Last-Modified"] == "Sun, 02 Jun 2024 09:00:00 GMT"
    assert titles(client.get("/page/3")) == stories(1)


def test_list_pages_answer_304_to_their_validators(tmp_path: Path) -> None:
    client = paged_client(tmp_path, 5, per_page=2)
    first = client.get("/page/2")
    assert client.get("/page/2", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/page/2", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get("/page/3").headers["ETag"] != first.headers["ETag"]


def test_each_list_page_is_rendered_on_first_use_and_kept_by_its_path(tmp_path: Path) -> None:
    app = paged_app(paged_content(tmp_path, 5, per_page=2))
    client = app.test_client()
    snapshot = app.extensions["feedsvc"].snapshot

    def render_again():
        raise AssertionError("rendered again")

    with pytest.raises(AssertionError):
        snapshot.cached("/page/3", render_again)  # not rendered before anyone asks for it
    for path in ("/page/3", "/tags/weather/page/2"):
        body = client.get(path).data
        kept = snapshot.cached(path, render_again)
        assert kept.last_modified is not None
        assert client.get(path).data == body


@pytest.mark.parametrize("value", ["0", "1001", '"2"', "true", "2.5"])
def test_a_wrong_page_size_stops_start_up_naming_the_setting(tmp_path: Path, value: str) -> None:
    content = paged_content(tmp_path, 1)
    toml = content / "site.toml"
    toml.write_text(toml.read_text().replace("articles_per_page = 2", f"articles_per_page = {value}"))
    with pytest.raises(Exception) as caught:
        paged_app(content)
    assert "site.toml" in str(caught.value) and "'articles_per_page'" in str(caught.value)
    assert "from 1 to 1000" in str(caught.value)


def _with_pictures(content_dir: Path, icon: str, logo: str | None = None) -> FlaskClient:
    return _app_with_pictures(content_dir, icon, logo).test_client()


def _app_with_pictures(content_dir: Path, icon: str, logo: str | None = None) -> Flask:
    shutil.copy(FIXTURES / "pictures" / icon, content_dir / icon)
    lines = f'icon = "{icon}"\n'
    if logo:
        shutil.copy(FIXTURES / "pictures" / logo, content_dir / logo)
        lines += f'logo = "{logo}"\n'
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write(lines)
    # settled at once: a build the test asks for reads a picture just saved
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "SETTLE_SECONDS": 0})


@pytest.mark.parametrize(("icon", "media_type"), [("icon-128.png", "image/png"), ("icon-128.ico", "image/x-icon")])
def test_favicon_and_the_icon_are_the_icon_file_with_its_type(content_dir: Path, icon: str, media_type: str) -> None:
    client = _with_pictures(content_dir, icon)
    suffix = icon.rsplit(".", 1)[1]
    data = (FIXTURES / "pictures" / icon).read_bytes()
    for path in ("/favicon.ico", f"/icon.{suffix}"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200, path
        assert (response.content_type, response.data) == (media_type, data)
        assert "Content-Encoding" not in response.headers  # sent as it is
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert client.get("/icon.svg").status_code == 404  # only under its own suffix
    page = soup(client.get("/"))
    icon_link = page.find("link", rel="icon")
    assert (icon_link["href"], icon_link["type"]) == (f"https://news.example.org/icon.{suffix}", media_type)


def test_without_an_icon_favicon_is_404_and_pages_ask_for_none(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 404
    assert "site.toml" in response.get_data(as_text=True)
    assert client.get("/icon.png").status_code == 404 and client.get("/logo.png").status_code == 404
    assert soup(client.get("/")).find("link", rel="icon")["href"] == "data:,"  # no request for /favicon.ico


def test_the_logo_stands_for_the_title_in_the_page_header(content_dir: Path) -> None:
    client = _with_pictures(content_dir, "icon-128.png", "logo-144x48.png")
    response = client.get("/logo.png")
    assert (response.status_code, response.content_type) == (200, "image/png")
    header = soup(client.get("/")).select_one(".masthead .site-title")
    logo = header.find("img")
    assert (logo["src"], logo["alt"], logo["width"], logo["height"]) == (
        "https://news.example.org/logo.png", "Example Gazette", "144", "48")  # fmt: skip
    assert header.get_text(strip=True) == ""  # the logo's alt text is the title


@pytest.mark.parametrize("change", ["deleted", "edited"])
def test_the_icon_and_logo_are_the_bytes_the_build_read_whatever_becomes_of_their_files(
    content_dir: Path, change: str
) -> None:
    # the version served was built with the pictures' digests (its pages' sizes, its ETags): their files deleted
    # or saved anew before anyone asked for them were read when first asked for (118cc9d, 08e2518), a 404 or
    # bytes other than the version's
    app = _app_with_pictures(content_dir, "icon-128.png", "logo-144x48.png")
    icon, logo = ((FIXTURES / "pictures" / name).read_bytes() for name in ("icon-128.png", "logo-144x48.png"))
    for name in ("icon-128.png", "logo-144x48.png"):
        if change == "deleted":
            (content_dir / name).unlink()
        else:
            replace_picture(content_dir / name, "wide-300x100.png")
    client = app.test_client()
    for path, data in (("/favicon.ico", icon), ("/icon.png", icon), ("/logo.png", logo)):
        response = client.get(path)
        assert (response.status_code, response.data) == (200, data), path
        assert response.headers["ETag"] == f'"{body_etag(data)}"'


def test_an_icon_saved_anew_is_published_by_the_build_that_reads_it(content_dir: Path) -> None:
    app = _app_with_pictures(content_dir, "icon-128.png")
    state = app.extensions["feedsvc"]
    built = state.snapshot
    old = (FIXTURES / "pictures" / "icon-128.png").read_bytes()
    replace_picture(content_dir / "icon-128.png", "wide-300x100.png")
    client = app.test_client()
    before = client.get("/favicon.ico")
    assert before.data == old and before.headers["ETag"] == f'"{body_etag(old)}"'
    assert 'content="128"' in client.get("/").get_data(as_text=True)  # the pages give the size of what is served
    state.replace(state.builder.build(datetime(2024, 6, 1, tzinfo=UTC)))  # a build reads the file: published
    after = client.get("/favicon.ico")
    assert after.data == (content_dir / "icon-128.png").read_bytes() != old
    assert after.headers["ETag"] != before.headers["ETag"]
    assert list(built.pictures) == [built.catalog.site.icon.digest]  # by the digest its pages and ETags have
    assert built.pictures[built.catalog.site.icon.digest].body == old  # the version built before keeps its own


def test_a_version_made_without_reading_the_pictures_says_so_rather_than_read_them_now(content_dir: Path) -> None:
    app = _app_with_pictures(content_dir, "icon-128.png")
    state = app.extensions["feedsvc"]
    built = state.snapshot
    state.replace(Snapshot(built.catalog, built.feeds, built.archives))  # a catalog rendered alone: no pictures
    response = app.test_client().get("/favicon.ico")
    assert response.status_code == 404 and "not read by the build" in response.get_data(as_text=True)


def test_an_icon_elsewhere_is_linked_not_served(content_dir: Path) -> None:
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('icon = "https://cdn.example.org/brand/icon.svg"\n')
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    assert soup(client.get("/")).find("link", rel="icon")["href"] == "https://cdn.example.org/brand/icon.svg"
    assert client.get("/favicon.ico").status_code == 404 and client.get("/icon.svg").status_code == 404


def test_the_article_page_shows_its_lead_image_as_a_figure_with_caption_and_lazy_body_pictures(
    content_dir: Path,
) -> None:
    path = write_article(content_dir, "ferry", "2024-05-07", title="Ferry line resumes", text="The line resumes.")
    with path.with_suffix(".toml").open("a", encoding="utf-8") as sidecar:
        sidecar.write(
            '[image]\nurl = "/media/ferry.jpg"\nalt = "The \\"Poti\\" ferry & crew"\nwidth = 1600\nheight = 900\n'
            'caption = "Leaving Poti <img src=x onerror=alert(1)> <script>alert(2)</script>"\ncredit = "Nino Kalandia"\n'
        )
    body = path.read_text().replace(
        "<p>The line resumes.</p>",
        '<p>The line resumes.</p><p><img src="https://cdn.example.net/deck.jpg" alt="Deck"></p>',
    )
    path.write_text(body)
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    page = soup(client.get("/articles/ferry"))
    figure = page.select_one(".article .lead-image")
    lead = figure.find("img")
    assert (lead["src"], lead["alt"], lead["width"], lead["height"]) == (
        "https://news.example.org/media/ferry.jpg",
        'The "Poti" ferry & crew',  # text, escaped in the attribute
        "1600",
        "900",
    )
    assert "loading" not in lead.attrs and lead["fetchpriority"] == "high"  # above the fold
    # plain text, like a title: the markup is gone, and nothing of it runs
    assert figure.find("figcaption").get_text() == "Leaving Poti alert(2) Nino Kalandia"
    assert figure.find("figcaption").find("span", class_="credit").get_text() == "Nino Kalandia"
    # the one script element is the JSON-LD data block, which no browser runs
    assert [script.get("type") for script in page.find_all("script")] == ["application/ld+json"]
    assert len(figure.find_all("img")) == 1
    # the figure comes before the body, whose pictures load as the reader scrolls
    assert figure.find_next_sibling("div")["class"] == ["article-body"]
    deck = page.select_one(".article-body img")
    assert (deck["alt"], deck["loading"], deck["decoding"]) == ("Deck", "lazy", "async")


# ------------------------------------------------------------------ the snapshot as a worker holds it


def test_a_worker_s_snapshot_of_records_answers_every_page_byte_for_byte_as_the_objects_do(tmp_path: Path) -> None:
    """Sent over the wire, a catalog is records and arrays (build/records.py): pages, lists, feeds and the
    sitemap read from it are the bytes and headers the publisher's objects give."""
    content = paged_content(tmp_path, 7)
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "LIVE_RELOAD": False})
    state = app.extensions["feedsvc"]
    objects = state.snapshot
    catalog = objects.catalog
    paths = ["/", "/page/2", "/page/4", "/feed.atom", "/feeds", "/tags", "/authors", "/feeds.opml", "/sitemap.xml"]
    paths += [f"/articles/{a.slug}" for a in catalog.articles] + ["/articles/nothing-here"]
    paths += [facet.path for facet in (*catalog.tags.values(), *catalog.authors.values())] + ["/tags/roads/page/2"]

    def answers() -> dict[str, tuple[int, bytes, dict[str, str]]]:
        client = app.test_client()
        found = {}
        for path in paths:
            response = client.get(path)
            found[path] = (response.status_code, response.data, dict(response.headers))
        return found

    expected = answers()
    payload, fds = dump_snapshot(objects)
    state.snapshot = load_snapshot_sent(payload, [os.dup(fd) for fd in fds])
    assert isinstance(state.snapshot.catalog.articles, ArticleList)
    assert answers() == expected
    assert [expected[p][0] for p in ("/page/4", "/articles/nothing-here", "/tags/roads/page/2")] == [200, 404, 200]
