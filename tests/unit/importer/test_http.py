"""importer/http.py: fetching over real HTTP from a local server: redirects, timeouts, caps, encodings."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest

from feedsvc.importer.http import Fetcher, FetchError, FetchSettings, gunzip, is_html, parse_content_type
from feedsvc.version import __version__
from support.http_fixture import MAX_DELAY, SECRET, FixtureServer, Reply, page, redirect

HTML = "<!DOCTYPE html><html><body><p>Hello</p></body></html>"
FAST = FetchSettings(
    connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, max_bytes=10_000, contact_url="https://news.example.org"
)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as client:
        yield client


def test_fetch_returns_body_type_and_charset_and_says_who_it_is(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/a"] = page(HTML, content_type="text/html; charset=ISO-8859-1")
    fetched = fetcher.fetch(server.url("/a"))
    assert (fetched.body, fetched.content_type, fetched.charset) == (HTML.encode(), "text/html", "ISO-8859-1")
    assert (fetched.final_url, fetched.redirects) == (server.url("/a"), ())
    headers = server.requests[-1]
    assert headers["User-Agent"] == f"feedsvc/{__version__} (article importer; +https://news.example.org)"
    assert "gzip" in headers["Accept-Encoding"]
    assert headers["Accept"].startswith("text/html")


def test_redirects_are_followed_and_recorded_in_order(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes.update(
        {
            "/old": redirect("/older", 301),
            "/older": redirect(server.url("/final?x=1"), 302),
            "/final?x=1": page(HTML),
        }
    )
    fetched = fetcher.fetch(server.url("/old"))
    assert fetched.url == server.url("/old")
    assert fetched.redirects == (server.url("/older"), server.url("/final?x=1"))
    assert fetched.final_url == server.url("/final?x=1")


@pytest.mark.parametrize(
    "routes, message",
    [
        ({"/a": redirect("/b"), "/b": redirect("/a")}, "redirect loop at"),
        ({f"/r{n}": redirect(f"/r{n + 1}") for n in range(12)}, "more than 10 redirects"),
        ({"/r0": redirect("ftp://files.example/x")}, r"'ftp://files.example/x' is not an absolute http\(s\) URL"),
        ({"/r0": Reply(b"", 302, None)}, "redirect without a Location header"),
    ],
)
def test_bad_redirects_fail_with_the_reason(
    server: FixtureServer, fetcher: Fetcher, routes: dict, message: str
) -> None:
    server.routes.update(routes)
    start = "/a" if "/a" in routes else "/r0"
    with pytest.raises(FetchError, match=message):
        fetcher.fetch(server.url(start))


def test_a_slow_server_times_out_quickly(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/slow"] = page(HTML, delay=MAX_DELAY)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out waiting for .*/slow after 0.5 s"):
        fetcher.fetch(server.url("/slow"))
    # gave up before the server answered (not after a fixed time, which a busy machine stretches)
    assert time.monotonic() - started < MAX_DELAY


def test_a_server_that_drips_bytes_stops_at_the_total_time_limit(server: FixtureServer) -> None:
    server.routes["/drip"] = page("x" * 9000, chunk_delay=0.3)
    with (
        Fetcher(FetchSettings(read_timeout=1.0, total_timeout=0.5, max_bytes=10_000)) as fetcher,
        pytest.raises(FetchError, match=r"gave up reading after 0\.5 s"),
    ):
        fetcher.fetch(server.url("/drip"))


@pytest.mark.parametrize(
    "reply",
    [
        page("x" * 20_000),  # Content-Length says so up front
        page("x" * 20_000, length=False),  # only counting tells
        page("x" * 200_000, gzip=True),  # small on the wire, big once decompressed
    ],
    ids=["declared", "undeclared", "gzip-bomb"],
)
def test_oversized_bodies_are_refused(server: FixtureServer, fetcher: Fetcher, reply: Reply) -> None:
    server.routes["/big"] = reply
    with pytest.raises(FetchError, match="over the 10,000-byte limit"):
        fetcher.fetch(server.url("/big"))


def test_gzip_encoded_responses_are_decoded(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/gz"] = page(HTML, gzip=True)
    assert fetcher.fetch(server.url("/gz")).body == HTML.encode()


@pytest.mark.parametrize("status, message", [(404, "HTTP 404 Not Found from"), (503, "HTTP 503")])
def test_error_statuses_fail_with_the_status(
    server: FixtureServer, fetcher: Fetcher, status: int, message: str
) -> None:
    server.routes["/x"] = Reply(b"no", status, "text/plain")
    with pytest.raises(FetchError, match=message):
        fetcher.fetch(server.url("/x"))


def test_an_unreachable_host_fails_with_the_host(fetcher: Fetcher) -> None:
    with FixtureServer() as gone:
        url = gone.url("/a")
    with pytest.raises(FetchError, match=r"could not reach 127\.0\.0\.1:\d+"):
        fetcher.fetch(url)


def test_only_http_urls_are_fetched(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="is not an absolute http"):
        fetcher.fetch("file:///etc/passwd")


def test_a_url_with_a_user_and_password_is_refused_unsent_and_the_message_leaves_them_out(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/a"] = page(HTML)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url_with_password("/a"))
    message = str(caught.value)
    assert f"URL '{server.url('/a')}' carries a user name or password" in message
    assert f"remove the 'user:password@' part, giving '{server.url('/a')}'" in message
    assert SECRET not in message and "editor" not in message
    assert not server.hits  # nothing was asked: the secret never went over the wire either


def test_a_redirect_to_a_url_with_a_password_is_refused_and_not_shown(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes.update({"/a": redirect(server.url_with_password("/b")), "/b": page(HTML)})
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/a"))
    message = str(caught.value)
    assert f"redirect from {server.url('/a')} to '{server.url('/b')}' carries a user name or password" in message
    assert SECRET not in message and "/b" not in server.hits


def test_is_html_trusts_the_content_type_else_sniffs() -> None:
    from feedsvc.importer.http import Fetched

    def fetched(content_type: str, body: bytes = b"<html></html>") -> Fetched:
        return Fetched("u", "u", (), content_type, None, body)

    assert is_html(fetched("text/html")) and is_html(fetched("application/xhtml+xml"))
    assert not is_html(fetched("application/pdf")) and not is_html(fetched("application/json"))
    assert is_html(fetched("", b"  <!DOCTYPE html><p>")) and not is_html(fetched("", b"%PDF-1.4"))


def test_parse_content_type() -> None:
    assert parse_content_type('Text/HTML; Charset="utf-8"') == ("text/html", "utf-8")
    assert parse_content_type("") == ("", None)


def test_gunzip_is_capped() -> None:
    assert gunzip(gzip.compress(b"abc"), 10) == b"abc"
    with pytest.raises(FetchError, match="uncompresses to over the 10-byte limit"):
        gunzip(gzip.compress(b"a" * 100), 10)
    with pytest.raises(FetchError, match="is not valid gzip"):
        gunzip(b"\x1f\x8bnot really", 10)
