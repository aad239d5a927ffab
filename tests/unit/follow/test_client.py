"""follow/client.py: robots.txt, one request at a time per host with a delay, conditional requests, refused targets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedsvc.follow.client import PoliteClient, Refused, check_target, same_site
from feedsvc.importer.http import Fetcher, FetchError, FetchSettings, retry_after_seconds
from support.http_fixture import FixtureServer, Reply, page, redirect

FAST = FetchSettings(
    connect_timeout=1.0,
    read_timeout=0.5,
    total_timeout=2.0,
    contact_url="https://news.example.org",
    role="feed follower",
)


class FakeTime:
    """A clock that moves only when slept on: the delays are recorded, never waited."""

    def __init__(self) -> None:
        self.t = 1_000_000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.t += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake_time: FakeTime, tmp_path: Path) -> Iterator[PoliteClient]:
    with Fetcher(FAST) as fetcher:
        yield PoliteClient(fetcher, 5.0, now=fake_time.now, sleep=fake_time.sleep, robots_file=tmp_path / "robots.json")


def own(server: FixtureServer) -> str:
    return "127.0.0.1"


def test_requests_to_one_host_are_spaced_by_the_minimum_delay(
    server: FixtureServer, client: PoliteClient, fake_time: FakeTime
) -> None:
    server.routes.update({"/a": page("a"), "/b": page("b")})
    for path in ("/a", "/b", "/a"):
        client.get(server.url(path), own(server), accept="text/html")
    # robots.txt first (404: all allowed), then the three pages, each 5 s after the last
    assert fake_time.slept == [5.0, 5.0, 5.0]
    assert client.requests[server.base] == 4
    assert server.hits["/robots.txt"] == 1


def test_the_user_agent_names_the_site_and_says_what_it_does(server: FixtureServer, client: PoliteClient) -> None:
    server.routes["/a"] = page("a")
    client.get(server.url("/a"), own(server), accept="text/html")
    assert server.requests[-1]["User-Agent"].endswith("(feed follower; +https://news.example.org)")


def test_robots_disallow_is_obeyed_with_allow_inside_disallow_and_wildcards(
    server: FixtureServer, client: PoliteClient
) -> None:
    server.routes["/robots.txt"] = Reply(
        b"User-agent: *\nDisallow: /private/\nAllow: /private/open\nDisallow: /*.pdf$\n", content_type="text/plain"
    )
    server.routes.update({"/private/open": page("ok"), "/public": page("ok")})
    assert client.get(server.url("/private/open"), own(server), accept="text/html").body == b"ok"
    assert client.get(server.url("/public"), own(server), accept="text/html").body == b"ok"
    for path in ("/private/secret", "/files/report.pdf"):
        with pytest.raises(Refused, match=r"robots.txt disallows .* for feedsvc; not fetched"):
            client.get(server.url(path), own(server), accept="text/html")
    assert server.hits["/private/secret"] == 0
    assert server.hits["/robots.txt"] == 1  # cached per host


def test_robots_is_kept_between_runs_in_its_file(server: FixtureServer, fake_time: FakeTime, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = Reply(b"User-agent: feedsvc\nDisallow: /no\n", content_type="text/plain")
    server.routes["/yes"] = page("ok")
    for _ in range(2):
        with Fetcher(FAST) as fetcher:
            polite = PoliteClient(
                fetcher, 0.0, now=fake_time.now, sleep=fake_time.sleep, robots_file=tmp_path / "r.json"
            )
            polite.get(server.url("/yes"), own(server), accept="text/html")
            with pytest.raises(Refused):
                polite.get(server.url("/no"), own(server), accept="text/html")
    assert server.hits["/robots.txt"] == 1
    assert server.base in json.loads((tmp_path / "r.json").read_text())


def test_a_robots_txt_that_fails_with_a_server_error_stops_the_host_for_now(
    server: FixtureServer, client: PoliteClient
) -> None:
    server.routes["/robots.txt"] = Reply(b"down", 503, "text/plain")
    server.routes["/a"] = page("a")
    with pytest.raises(Refused, match=r"robots.txt could not be read \(HTTP 503"):
        client.get(server.url("/a"), own(server), accept="text/html")
    assert server.hits["/a"] == 0
    server.routes["/robots.txt"] = Reply(b"", 404, "text/plain")
    assert client.get(server.url("/a"), own(server), accept="text/html").body == b"a"  # asked again


def test_crawl_delay_lengthens_the_delay(server: FixtureServer, client: PoliteClient, fake_time: FakeTime) -> None:
    server.routes["/robots.txt"] = Reply(b"User-agent: *\nCrawl-delay: 12\n", content_type="text/plain")
    server.routes["/a"] = page("a")
    client.get(server.url("/a"), own(server), accept="text/html")
    client.get(server.url("/a"), own(server), accept="text/html")
    assert fake_time.slept[-1] == 12.0


def test_conditional_requests_send_the_validators_and_a_304_comes_back_empty(
    server: FixtureServer, client: PoliteClient
) -> None:
    server.routes["/a"] = Reply(b"body", headers={"ETag": '"v1"', "Last-Modified": "Tue, 10 Jun 2025 04:00:00 GMT"})
    first = client.get(server.url("/a"), own(server), accept="text/html")
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Tue, 10 Jun 2025 04:00:00 GMT")
    again = client.get(
        server.url("/a"), own(server), accept="text/html", etag='"v1"', last_modified=first.last_modified
    )
    assert (again.status, again.body) == (304, b"")
    assert server.requests[-1]["If-None-Match"] == '"v1"'
    assert server.answers[-1] == ("/a", 304)


def test_a_429_carries_its_retry_after(server: FixtureServer, client: PoliteClient) -> None:
    server.routes["/a"] = Reply(b"slow down", 429, "text/plain", {"Retry-After": "120"})
    with pytest.raises(FetchError, match="HTTP 429") as caught:
        client.get(server.url("/a"), own(server), accept="text/html")
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)


def test_retry_after_as_seconds_or_http_date() -> None:
    now = 1_750_000_000.0  # 2025-06-15T15:06:40Z
    assert retry_after_seconds("30", now) == 30.0
    assert retry_after_seconds("Sun, 15 Jun 2025 15:07:40 GMT", now) == 60.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def resolver(addresses: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return lambda host: addresses.get(host, ["93.184.215.14"])


@pytest.mark.parametrize(
    "url, message",
    [
        ("file:///etc/passwd", "is not an http\\(s\\) URL"),
        ("ftp://news.example.org/x", "is not an http\\(s\\) URL"),
        ("https://elsewhere.example.com/x", "off the source's site \\(news.example.org\\)"),
        ("http://intranet.example.org/x", "resolves to the non-public address 10.0.0.5"),
        ("http://metadata.example.org/x", "resolves to the non-public address 169.254.169.254"),
    ],
)
def test_item_links_off_site_or_to_private_addresses_are_refused(url: str, message: str) -> None:
    addresses = {"intranet.example.org": ["10.0.0.5"], "metadata.example.org": ["169.254.169.254"]}
    with pytest.raises(Refused, match=message):
        check_target(url, "news.example.org", resolver(addresses))


def test_the_sources_own_host_may_be_private_and_its_site_public() -> None:
    check_target("http://127.0.0.1:8080/a", "127.0.0.1", resolver({}))  # a person pointed feedsvc there
    check_target("https://www.example.org/a", "feeds.example.org", resolver({}))
    assert same_site("example.org", "feeds.example.org") and not same_site("example.com", "feeds.example.org")
    assert same_site("www.bbc.co.uk", "feeds.bbc.co.uk") and not same_site("evil.co.uk", "bbc.co.uk")
    assert same_site("www.abc.net.au", "abc.net.au") and not same_site("other.net.au", "abc.net.au")
    assert not same_site("127.0.0.2", "127.0.0.1")


def test_a_redirect_into_a_private_address_is_refused_before_it_is_followed(
    server: FixtureServer, client: PoliteClient
) -> None:
    server.routes["/a"] = redirect(f"http://localhost:{server.base.rsplit(':', 1)[1]}/secret")
    server.routes["/secret"] = page("secret")
    with pytest.raises(Refused, match="off the source's site"):
        client.get(server.url("/a"), own(server), accept="text/html")
    assert server.hits["/secret"] == 0
