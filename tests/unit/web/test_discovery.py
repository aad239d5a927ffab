"""web/discovery.py and its routes: /sitemap.xml, /robots.txt, /feeds, /feeds.opml, and the friendly redirects."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree, html

from feedsvc.app import create_app
from feedsvc.content.loader import load_site
from feedsvc.content.site import SiteConfigError
from feedsvc.web.discovery import facet_index, feed_directory, sitemaps
from support.sites import blank_site

BASE = "https://news.example.org"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SLUG = "article-with-jsonld-tags-and-author"
# W3C Datetime (https://www.w3.org/TR/NOTE-datetime), complete date plus time: what sitemaps.org asks of lastmod
W3C_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def check_sitemap_rules(body: bytes, root_tag: str, max_urls: int = 50_000, max_bytes: int = 52_428_800) -> list[str]:
    """Check one sitemap file against the rules of sitemaps.org/protocol.html; return its <loc>s."""
    assert len(body) <= max_bytes
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    body.decode("utf-8")  # UTF-8 throughout
    root = etree.fromstring(body)
    assert root.tag == f"{SM}{root_tag}"
    child = "url" if root_tag == "urlset" else "sitemap"
    entries = list(root)
    assert 1 <= len(entries) <= max_urls and all(e.tag == f"{SM}{child}" for e in entries)
    locs = []
    for entry in entries:
        assert [c.tag for c in entry] == [f"{SM}loc", f"{SM}lastmod"]
        loc, lastmod = entry.findtext(f"{SM}loc") or "", entry.findtext(f"{SM}lastmod") or ""
        assert loc.startswith(BASE + "/") and len(loc) < 2048 and loc.isascii() and " " not in loc, loc
        assert W3C_DATETIME.match(lastmod), lastmod
        locs.append(loc)
    assert len(locs) == len(set(locs))
    return locs


def test_the_sitemap_names_every_page_with_its_updated_date(app: Flask, client: FlaskClient) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.content_type == "application/xml; charset=utf-8"
    assert response.headers["ETag"] and response.headers["Cache-Control"].startswith("public, max-age=")
    check_sitemap_rules(response.data, "urlset")
    root = etree.fromstring(response.data)
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root}
    catalog = app.extensions["feedsvc"].snapshot.catalog
    for article in catalog.articles:
        assert lastmod[f"{BASE}/articles/{article.slug}"] == article.updated.isoformat(timespec="seconds")
    for facet in (*catalog.tags.values(), *catalog.authors.values()):
        assert f"{BASE}{facet.path}" in lastmod
    assert lastmod[f"{BASE}/"] == max(a.updated for a in catalog.articles).isoformat(timespec="seconds")
    for url in lastmod:  # every URL it names is a page that answers
        assert client.get(urlsplit(url).path).status_code == 200, url
    assert client.get("/sitemap-1.xml").status_code == 404  # no index: no parts


def test_past_the_url_limit_the_sitemap_is_an_index_of_parts(content_dir: Path) -> None:
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "SITEMAP_MAX_URLS": 3}).test_client()
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    parts = check_sitemap_rules(index.data, "sitemapindex")
    assert parts == [f"{BASE}/sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    urls: list[str] = []
    for part in parts:
        response = client.get(urlsplit(part).path)
        assert response.status_code == 200 and response.content_type == "application/xml; charset=utf-8"
        urls += check_sitemap_rules(response.data, "urlset", max_urls=3)
    one = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client().get("/sitemap.xml")
    assert urls == check_sitemap_rules(one.data, "urlset")  # the same URLs, in the same order, split
    assert len(parts) == -(-len(urls) // 3)
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


def test_past_the_byte_limit_each_part_stays_under_it(app: Flask) -> None:
    catalog = app.extensions["feedsvc"].snapshot.catalog
    whole = sitemaps(catalog)["/sitemap.xml"]
    documents = sitemaps(catalog, max_bytes=400)
    assert len(documents) > 2
    urls: list[str] = []
    for path, body in documents.items():
        if path != "/sitemap.xml":
            urls += check_sitemap_rules(body, "urlset", max_bytes=400)
    assert urls == check_sitemap_rules(whole, "urlset")
    # the index's lastmod of a part is the newest of its URLs
    index = etree.fromstring(documents["/sitemap.xml"])
    for entry in index:
        part = etree.fromstring(documents[urlsplit(entry.findtext(f"{SM}loc") or "").path])
        assert entry.findtext(f"{SM}lastmod") == max(u.findtext(f"{SM}lastmod") or "" for u in part)


def test_robots_txt_names_the_sitemap(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.content_type == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_crawlers_deny_keeps_every_crawler_out(content_dir: Path) -> None:
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('crawlers = "deny"\n')
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    lines = [line for line in client.get("/robots.txt").get_data(as_text=True).splitlines() if line[:1] != "#"]
    assert lines == ["User-agent: *", "Disallow: /"]


def test_a_wrong_crawlers_value_is_refused_naming_the_choices(content_dir: Path) -> None:
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('crawlers = "maybe"\n')
    with pytest.raises(SiteConfigError, match=r"crawlers.*'allow' or 'deny'"):
        load_site(content_dir)


def every_feed_path(app: Flask) -> set[str]:
    snapshot = app.extensions["feedsvc"].snapshot
    return set(snapshot.subscriptions)


def test_the_feeds_page_lists_every_subscription_feed_with_its_url(app: Flask, client: FlaskClient) -> None:
    response = client.get("/feeds")
    assert response.status_code == 200 and response.content_type == "text/html; charset=utf-8"
    page = html.fromstring(response.data)
    shown = {a.text_content() for a in page.cssselect("a.feed-url")}
    assert shown == {BASE + path for path in every_feed_path(app)}  # the URL to copy, in full
    assert [h.text_content() for h in page.cssselect("h2")] == ["Site", "Tags", "Authors"]


def test_the_opml_lists_each_feed_once_and_every_one_answers(app: Flask, client: FlaskClient) -> None:
    response = client.get("/feeds.opml")
    assert response.status_code == 200 and response.content_type == "text/x-opml; charset=utf-8"
    root = etree.fromstring(response.data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Example Gazette: feeds"
    feeds = root.findall(".//outline[@xmlUrl]")
    for outline in feeds:  # OPML 2.0: a subscription has type="rss", text and xmlUrl
        assert outline.get("type") == "rss" and outline.get("text")
        assert client.get(urlsplit(outline.get("xmlUrl") or "").path).status_code == 200
        assert client.get(urlsplit(outline.get("htmlUrl") or "").path).status_code == 200
    atom = {path for path in every_feed_path(app) if path.endswith(".atom")}
    assert sorted(urlsplit(o.get("xmlUrl") or "").path for o in feeds) == sorted(atom)
    catalog = app.extensions["feedsvc"].snapshot.catalog
    assert [name for name, _ in feed_directory(catalog)] == ["Site", "Tags", "Authors"]
    assert [o.get("text") for o in root.findall("body/outline")] == ["Example Gazette", "Tags", "Authors"]


def test_followed_sources_are_listed_first_even_before_their_first_article(content_dir: Path) -> None:
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('[[source]]\nname = "zeta-news"\nfeed = "https://zeta.example/feed"\ntitle = "Zeta News"\n')
        toml.write('[[source]]\nname = "alpha"\nsitemap = "https://alpha.example/sitemap.xml"\n')
    (content_dir / "articles" / f"{SLUG}.toml").write_text('source = "zeta-news"\n', encoding="utf-8")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})
    client = app.test_client()
    catalog = app.extensions["feedsvc"].snapshot.catalog
    sections = dict(feed_directory(catalog))
    assert list(sections) == ["Site", "Sources", "Tags", "Authors"]
    assert [(g.title, g.page, g.feeds[0]) for g in sections["Sources"]] == [  # by title, as the other sections
        ("alpha", "/sources/alpha", ("/sources/alpha/feed.atom", "application/atom+xml", "alpha (Atom)")),
        (
            "Zeta News",
            "/sources/zeta-news",
            ("/sources/zeta-news/feed.atom", "application/atom+xml", "Zeta News (Atom)"),
        ),
    ]
    page = html.fromstring(client.get("/feeds").data)
    assert [h.text_content() for h in page.cssselect("h2")] == ["Site", "Sources", "Tags", "Authors"]
    assert {BASE + "/sources/alpha/feed.json", BASE + "/sources/zeta-news/feed.rss"} <= {
        a.text_content() for a in page.cssselect("a.feed-url")
    }
    root = etree.fromstring(client.get("/feeds.opml").data)
    (outline,) = [o for o in root.findall("body/outline") if o.get("text") == "Sources"]
    assert [(o.get("text"), o.get("xmlUrl"), o.get("htmlUrl")) for o in outline] == [
        ("alpha", f"{BASE}/sources/alpha/feed.atom", f"{BASE}/sources/alpha"),
        ("Zeta News", f"{BASE}/sources/zeta-news/feed.atom", f"{BASE}/sources/zeta-news"),
    ]
    locs = check_sitemap_rules(client.get("/sitemap.xml").data, "urlset")
    assert {f"{BASE}/sources/alpha", f"{BASE}/sources/zeta-news"} <= set(locs)


@pytest.mark.parametrize("path", ["/", f"/articles/{SLUG}", "/tags/transport", "/authors/ada-lovelace", "/feeds",
                                  "/articles/no-such-article"])  # fmt: skip
def test_every_page_links_the_feed_list_and_the_opml(client: FlaskClient, path: str) -> None:
    page = html.fromstring(client.get(path).data)
    hrefs = {a.get("href") for a in page.cssselect("footer a")}
    assert {"/feeds", "/feeds.opml", "/tags", "/authors"} <= hrefs


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/feed", "/feed.atom"),
        ("/feed/", "/feed.atom"),
        ("/atom.xml", "/feed.atom"),
        ("/index.xml", "/feed.atom"),
        ("/rss.xml", "/feed.rss"),
        (f"/articles/{SLUG}/", f"/articles/{SLUG}"),
        ("/tags/transport/", "/tags/transport"),
        ("/authors/ada-lovelace/", "/authors/ada-lovelace"),
        ("/tags/Transport", "/tags/transport"),
        ("/tags/TRANSPORT/", "/tags/transport"),
        ("/authors/Ada%20Lovelace", "/authors/ada-lovelace"),
        ("/tags/Transport/feed.json", "/tags/transport/feed.json"),
        ("/authors/Ada-Lovelace/feed.atom", "/authors/ada-lovelace/feed.atom"),
        ("/tags/", "/tags"),
        ("/authors/", "/authors"),
    ],
)
def test_friendly_urls_are_permanent_redirects_to_the_one_url(client: FlaskClient, path: str, location: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 301
    assert response.headers["Location"] == BASE + location
    assert client.get(location).status_code == 200


@pytest.mark.parametrize(
    "path", ["/articles/no-such-article/", "/tags/Nope", "/tags/nope/", "/authors/Nobody/feed.atom"]
)
def test_friendly_urls_of_nothing_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_tag_in_another_case_keeps_its_page_number(client: FlaskClient) -> None:
    response = client.get("/tags/Transport/page/2")
    assert response.status_code == 301 and response.headers["Location"] == f"{BASE}/tags/transport/page/2"
    # the canonical path of a page that does not exist is a 404, never a redirect to itself
    assert client.get("/tags/transport/page/2").status_code == 404


@pytest.mark.parametrize("kind", ["tags", "authors"])
def test_the_tag_and_author_lists_name_each_with_its_count_page_and_feed(
    app: Flask, client: FlaskClient, kind: str
) -> None:
    catalog = app.extensions["feedsvc"].snapshot.catalog
    facets = catalog.tags if kind == "tags" else catalog.authors
    response = client.get(f"/{kind}")
    assert response.status_code == 200 and response.content_type == "text/html; charset=utf-8"
    page = html.fromstring(response.data)
    assert page.find(".//link[@rel='canonical']").get("href") == f"{BASE}/{kind}"
    rows = page.cssselect(".facet-index li")
    names = [row.cssselect("a")[0].text_content() for row in rows]
    assert names == sorted(names, key=str.casefold) and len(rows) == len(facets)
    for row in rows:
        page_link, feed_link = row.cssselect("a")
        facet = facets[page_link.get("href").rsplit("/", 1)[1]]
        count = len(facet.articles)
        assert page_link.text_content() == facet.name
        assert row.cssselect(".count")[0].text_content() == f"{count} article{'' if count == 1 else 's'}"
        assert feed_link.get("href") == f"{facet.path}/feed.atom"
        assert client.get(feed_link.get("href")).status_code == 200
        assert client.get(page_link.get("href")).status_code == 200
    assert [e.count for e in facet_index(catalog, kind)] == [len(f.articles) for f in
                                                           sorted(facets.values(), key=lambda f: f.name.casefold())]  # fmt: skip


def test_the_feeds_page_links_the_tag_and_author_lists(client: FlaskClient) -> None:
    page = html.fromstring(client.get("/feeds").data)
    assert [a.get("href") for a in page.cssselect("h2 a")] == ["/tags", "/authors"]


def test_the_sitemap_names_the_tag_and_author_lists(client: FlaskClient) -> None:
    root = etree.fromstring(client.get("/sitemap.xml").data)
    locs = [u.findtext(f"{SM}loc") for u in root]
    assert f"{BASE}/tags" in locs and f"{BASE}/authors" in locs


def test_a_site_without_tags_says_so_on_its_tag_list(tmp_path: Path) -> None:
    content_dir = blank_site(tmp_path / "content")
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    page = html.fromstring(client.get("/tags").data)
    assert page.cssselect("main p")[0].text_content() == "No article has a tag yet."
    assert f"{BASE}/tags" not in client.get("/sitemap.xml").get_data(as_text=True)
