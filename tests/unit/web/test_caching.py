"""web/views.py, what readers and caches rely on: validators, codings, HEAD, 304, forged headers."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest
from flask.testing import FlaskClient

from feedsvc.app import create_app
from support.factories import write_article

SLUG = "article-with-jsonld-tags-and-author"
FEEDS = ["/feed.atom", "/feed.rss", "/feed.json", "/tags/transport/feed.atom", "/authors/ada-lovelace/feed.json",
         "/archive/2024-03.atom"]  # fmt: skip
PAGES = ["/", f"/articles/{SLUG}", "/tags/transport", "/authors/grace-hopper"]


@pytest.mark.parametrize("path", FEEDS + PAGES)
def test_every_feed_and_page_has_validators_vary_and_cache_control(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    if path in FEEDS:
        assert "stale-while-revalidate=3600" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", FEEDS + PAGES)
@pytest.mark.parametrize("coding", ["gzip", "br", "identity"])
def test_304_for_the_etag_of_each_coding(client: FlaskClient, path: str, coding: str) -> None:
    first = client.get(path, headers={"Accept-Encoding": coding})
    # archive months are offered in gzip, not brotli (compressed in parts: a new link recompresses only the head)
    sent = "identity" if coding == "br" and path.startswith("/archive/") else coding
    assert first.headers.get("Content-Encoding", "identity") == sent
    again = client.get(path, headers={"Accept-Encoding": coding, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert again.headers["Vary"] == "Accept-Encoding"
    assert "Content-Length" not in again.headers and "Content-Type" not in again.headers


def test_each_coding_has_its_own_etag_and_decodes_to_the_same_body(client: FlaskClient) -> None:
    plain = client.get("/feed.atom")
    zipped = client.get("/feed.atom", headers={"Accept-Encoding": "gzip"})
    brotlied = client.get("/feed.atom", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip" and brotlied.headers["Content-Encoding"] == "br"
    assert gzip.decompress(zipped.data) == plain.data == brotli.decompress(brotlied.data)
    assert len({plain.headers["ETag"], zipped.headers["ETag"], brotlied.headers["ETag"]}) == 3
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
    # an ETag of another coding is another representation: the full body again
    crossed = client.get("/feed.atom", headers={"If-None-Match": zipped.headers["ETag"]})
    assert crossed.status_code == 200 and crossed.data == plain.data


@pytest.mark.parametrize(
    "if_none_match",
    ['"nope", {etag}', "W/{etag}", "*", '"a", "b",{etag}'],
)
def test_if_none_match_lists_weak_tags_and_star(client: FlaskClient, if_none_match: str) -> None:
    etag = client.get("/feed.atom").headers["ETag"]
    response = client.get("/feed.atom", headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304


def test_if_modified_since_counts_only_without_if_none_match(client: FlaskClient) -> None:
    first = client.get("/feed.rss")
    modified = first.headers["Last-Modified"]
    assert client.get("/feed.rss", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/feed.rss", headers={"If-Modified-Since": earlier}).status_code == 200
    stale_tag = {"If-None-Match": '"stale"', "If-Modified-Since": modified}
    assert client.get("/feed.rss", headers=stale_tag).status_code == 200


@pytest.mark.parametrize("path", ["/feed.atom", "/feed.json", "/archive/2024-03.atom", "/"])
@pytest.mark.parametrize("coding", ["gzip", "identity"])
def test_head_has_the_same_headers_and_no_body(client: FlaskClient, path: str, coding: str) -> None:
    get = client.get(path, headers={"Accept-Encoding": coding})
    head = client.head(path, headers={"Accept-Encoding": coding})
    assert head.status_code == 200 and head.data == b""
    assert dict(head.headers) == dict(get.headers)
    conditional = client.head(path, headers={"Accept-Encoding": coding, "If-None-Match": get.headers["ETag"]})
    assert conditional.status_code == 304


def test_feed_media_types_and_nosniff(client: FlaskClient) -> None:
    assert client.get("/feed.json").content_type == "application/feed+json"
    assert client.get("/tags/transport/feed.rss").content_type == "application/rss+xml; charset=utf-8"
    assert client.get("/archive/2024-03.atom").content_type == "application/atom+xml; charset=utf-8"
    assert client.get("/feed.json").headers["X-Content-Type-Options"] == "nosniff"


def test_json_feed_has_the_same_entries_as_atom(client: FlaskClient) -> None:
    items = json.loads(client.get("/feed.json").data)["items"]
    assert [i["id"] for i in items] == [
        f"tag:news.example.org,2020:2024-03-05:articles/{SLUG}",
        "urn:uuid:6f1c2a7e-2f5b-4c39-9a55-0c7d1f6a8b11",
    ]


FORGED = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "gopher",
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Prefix": "/evil",
    "Forwarded": "host=evil.example;proto=http",
}


@pytest.mark.parametrize("path", FEEDS + PAGES + ["/articles/no-such-story", "/tags/nope", "/healthz"])
def test_forged_host_and_proxy_headers_change_nothing(client: FlaskClient, path: str) -> None:
    honest = client.get(path, headers={"Accept-Encoding": "gzip"})
    forged = client.get(path, headers={"Accept-Encoding": "gzip", **FORGED})
    assert forged.status_code == honest.status_code
    assert forged.data == honest.data
    assert forged.headers.get("ETag") == honest.headers.get("ETag")
    assert b"evil" not in forged.data and b"gopher" not in forged.data


def test_werkzeug_redirects_point_at_the_base_url_not_the_host(client: FlaskClient) -> None:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/", headers=FORGED).get_environ()
    environ["PATH_INFO"] = "//feed.atom"  # a doubled slash: Werkzeug answers with a redirect
    response = client.open(environ)
    assert response.status_code == 308
    assert response.headers["Location"].startswith("https://news.example.org/")


def test_withdrawn_article_page_is_410_gone(content_dir) -> None:
    write_article(content_dir, "retracted", "2024-03-01T09:00:00", title="A retracted story", status="withdrawn")
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    response = client.get("/articles/retracted")
    assert response.status_code == 410
    assert "A retracted story" in response.get_data(as_text=True)
    assert "withdrawn" in response.get_data(as_text=True)
    assert client.get("/articles/never-existed").status_code == 404


@pytest.mark.parametrize(
    "path", ["/archive/2024-13.atom", "/archive/2023-01.atom", "/archive/2030-01.atom", "/tags/nope/feed.atom",
             "/archive/2024-04.atom",  # the current month, without articles: no archive document
             "/feed.xml", "/authors/nobody/feed.json"],
)  # fmt: skip
def test_unknown_feeds_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404
