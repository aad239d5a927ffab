"""web/fastpath.py: feeds answered before Flask, byte for byte as the Flask view answers them, and counted alike."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.http import http_date, parse_date
from werkzeug.test import EnvironBuilder, run_wsgi_app

from feedsvc import app as app_module
from feedsvc.app import create_app
from feedsvc.build.representation import make_resource
from feedsvc.build.snapshot import Snapshot
from feedsvc.web import fastpath
from feedsvc.web.fastpath import EXTENSION, FEED_ENDPOINT, FastPath
from feedsvc.web.metrics import Metrics

FEEDS = ["/feed.atom", "/feed.rss", "/feed.json", "/tags/transport/feed.atom", "/authors/ada-lovelace/feed.json",
         "/archive/2024-03.atom"]  # fmt: skip
EMPTY_MONTH = "/archive/2024-01.atom"  # no article, so no archive document: the view's 404
Answer = tuple[str, list[tuple[str, str]], bytes]


class Spy:
    """Stands in for the Flask feed view and counts its calls (the fast path answered if it stays at 0)."""

    def __init__(self, view: Callable[..., Any]) -> None:
        self.view, self.calls = view, 0

    def __call__(self, **kwargs: str) -> Any:
        self.calls += 1
        return self.view(**kwargs)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def app(content_dir: Path, metrics: Metrics) -> Flask:
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "METRICS": metrics})


@pytest.fixture
def view(app: Flask) -> Iterator[Spy]:
    spy = Spy(app.view_functions[FEED_ENDPOINT])
    app.view_functions[FEED_ENDPOINT] = spy
    yield spy


def fast(app: Flask) -> FastPath:
    found = app.extensions[EXTENSION]
    assert isinstance(found, FastPath)
    return found


def answer(wsgi: Callable[..., Any], path: str, method: str = "GET", **headers: str) -> Answer:
    """Run one request through a WSGI app; return its status line, header fields in order, and body."""
    query = path.partition("?")[2]
    environ = EnvironBuilder(
        path=path.partition("?")[0],
        query_string=query,
        method=method,
        headers={k.replace("_", "-"): v for k, v in headers.items()},
    ).get_environ()
    body, status, fields = run_wsgi_app(wsgi, environ, buffered=True)
    return status, list(fields), b"".join(body)


def both(app: Flask, view: Spy, path: str, method: str = "GET", **headers: str) -> tuple[Answer, Answer]:
    """Answer a request through the app (fast path first) and through Flask alone; check who answered."""
    before = view.calls
    through_app = answer(app, path, method, **headers)
    assert view.calls == before, f"the Flask view answered {method} {path}"
    flask_alone = answer(fast(app).inner, path, method, **headers)
    assert view.calls == before + 1
    return through_app, flask_alone


def etags(app: Flask, path: str) -> dict[str, str]:
    """The ETag of each coding of a feed, as Flask sends them."""
    found = {}
    for coding in ("gzip", "br", "identity"):
        _, fields, _ = answer(fast(app).inner, path, Accept_Encoding=coding)
        found[coding] = dict(fields)["ETag"]
    return found


@pytest.mark.parametrize("path", FEEDS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_fast_path_answers_as_the_flask_view_byte_for_byte(app: Flask, view: Spy, path: str, method: str) -> None:
    tags = etags(app, path)
    _, fields, _ = answer(fast(app).inner, path)
    last_modified = dict(fields)["Last-Modified"]
    earlier = http_date(parse_date(last_modified) - timedelta(days=1))
    cases: list[dict[str, str]] = [
        {},
        {"Accept_Encoding": "gzip"},
        {"Accept_Encoding": "br, gzip"},
        {"Accept_Encoding": "identity"},
        {"Accept_Encoding": "gzip;q=0, br;q=0"},
        {"Accept_Encoding": "gzip", "If_None_Match": tags["gzip"]},
        {"Accept_Encoding": "br", "If_None_Match": tags["gzip"]},  # another coding's tag: a 200
        {"If_None_Match": f'W/"nope", W/{tags["identity"]}'},  # weak comparison in a list
        {"Accept_Encoding": "br", "If_None_Match": "*"},
        {"Accept_Encoding": "gzip", "If_Modified_Since": last_modified},
        {"Accept_Encoding": "gzip", "If_Modified_Since": earlier},
        {"Accept_Encoding": "gzip", "If_Modified_Since": "not a date"},
        {"If_None_Match": '"other"', "If_Modified_Since": last_modified},  # If-None-Match wins: a 200
    ]
    statuses = set()
    for headers in cases:
        through_app, flask_alone = both(app, view, path, method, **headers)
        assert through_app == flask_alone, headers
        statuses.add(through_app[0])
        # and a query string changes nothing, as for Flask's routes
        assert both(app, view, path + "?utm_source=x&a=%2F", method, **headers)[0] == through_app
    assert statuses == {"200 OK", "304 NOT MODIFIED"}


def test_fast_answers_carry_nosniff_and_a_length_and_head_no_body(app: Flask, view: Spy) -> None:
    client = app.test_client()
    ok = client.get("/feed.atom", headers={"Accept-Encoding": "gzip"})
    head = client.head("/feed.atom", headers={"Accept-Encoding": "gzip"})
    current = client.get("/feed.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": ok.headers["ETag"]})
    assert view.calls == 0
    assert (ok.status_code, head.status_code, current.status_code) == (200, 200, 304)
    for response in (ok, head, current):
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert ok.headers["Content-Encoding"] == "gzip"
    assert int(ok.headers["Content-Length"]) == len(ok.data) > 0
    assert head.headers["Content-Length"] == ok.headers["Content-Length"] and head.data == b""
    assert "Content-Length" not in current.headers and "Content-Type" not in current.headers
    assert current.data == b""


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", EMPTY_MONTH, "404 NOT FOUND"),  # not in the snapshot's feeds
        ("HEAD", EMPTY_MONTH, "404 NOT FOUND"),
        ("GET", "/", "200 OK"),
        ("GET", "/archive/2031-01.atom", "404 NOT FOUND"),
        ("GET", "/feed.atom/", "404 NOT FOUND"),
        ("GET", "//feed.atom", "308 PERMANENT REDIRECT"),
        ("POST", "/feed.atom", "405 METHOD NOT ALLOWED"),
        ("OPTIONS", "/feed.atom", "200 OK"),
        ("get", "/feed.atom", "200 OK"),  # Werkzeug upper-cases it; the fast path leaves it alone
    ],
)
def test_everything_else_falls_through_to_flask(app: Flask, view: Spy, method: str, path: str, status: str) -> None:
    before = view.calls
    through_app = answer(app, path, method)
    flask_alone = answer(fast(app).inner, path, method)
    assert through_app == flask_alone
    assert through_app[0] == status
    if path == EMPTY_MONTH or method == "get":
        assert view.calls == before + 2  # the view answered both times: the fast path stepped aside


def test_each_request_sees_the_snapshot_swapped_in_before_it(app: Flask, view: Spy) -> None:
    state = app.extensions["feedsvc"]
    old: Snapshot = state.snapshot
    client = app.test_client()
    assert client.get("/tags/city/feed.atom").status_code == 200
    feed = old.feeds["/feed.atom"]
    replaced = make_resource(b"<feed>new</feed>", feed.media_type, feed.last_modified, feed.cache_control, feed.headers)
    feeds = {path: resource for path, resource in old.feeds.items() if path != "/tags/city/feed.atom"}
    state.replace(Snapshot(old.catalog, {**feeds, "/feed.atom": replaced}, old.archives))
    assert client.get("/feed.atom").data == b"<feed>new</feed>"
    assert view.calls == 0
    assert client.get("/tags/city/feed.atom").status_code == 404  # gone from the feeds: Flask's 404
    assert view.calls == 1
    state.replace(old)
    assert client.get("/feed.atom").data == feed.body


def test_non_ascii_paths_are_left_to_flask(app: Flask, view: Spy) -> None:
    state = app.extensions["feedsvc"]
    old: Snapshot = state.snapshot
    state.replace(Snapshot(old.catalog, {**old.feeds, "/tags/café/feed.atom": old.feeds["/feed.atom"]}, old.archives))
    client = app.test_client()
    assert client.get("/tags/café/feed.atom").data == old.feeds["/feed.atom"].body  # UTF-8 on the wire
    assert view.calls == 1
    # PATH_INFO is Latin-1: a lone byte E9 equals the key here, but Flask decodes it to U+FFFD (no such feed)
    environ = EnvironBuilder(path="/").get_environ()
    environ["PATH_INFO"] = "/tags/caf\xe9/feed.atom"
    _, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status == "404 NOT FOUND"


def test_a_path_flask_routes_to_another_view_is_left_to_it(app: Flask, view: Spy) -> None:
    state = app.extensions["feedsvc"]
    old: Snapshot = state.snapshot
    state.replace(Snapshot(old.catalog, {**old.feeds, "/healthz": old.feeds["/feed.atom"]}, old.archives))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json["status"] in ("ok", "degraded")
    assert response.json["version"] == old.catalog.version


def test_the_route_cache_stays_bounded_across_snapshots(app: Flask) -> None:
    state = app.extensions["feedsvc"]
    old: Snapshot = state.snapshot
    client = app.test_client()
    for number in range(300):  # a tag renamed 300 times, each a snapshot of its own
        path = f"/tags/t{number}/feed.atom"
        state.replace(Snapshot(old.catalog, {**old.feeds, path: old.feeds["/feed.atom"]}, old.archives))
        assert client.get(path).status_code == 200
    assert len(fast(app)._routes) <= 2 * (len(old.feeds) + 1) + 64 + 1


def samples(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def traffic(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Send a reader's feed requests; return the request metrics they left (but for times)."""
    client = app.test_client()
    etag = client.get("/feed.atom").headers["ETag"]
    client.get("/feed.atom", headers={"If-None-Match": etag})
    client.head("/feed.atom")
    client.get("/archive/2024-03.atom", headers={"Accept-Encoding": "gzip"})
    client.get("/tags/city/feed.rss?utm_source=x")
    names = {"feedsvc_http_requests_total", "feedsvc_http_response_bytes_total",
             "feedsvc_http_request_duration_seconds_count"}  # fmt: skip
    return {key: value for key, value in samples(app).items() if key[0] in names}


def test_fast_answers_are_counted_as_flask_counts_them(
    app: Flask, view: Spy, content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = traffic(app)
    assert view.calls == 0
    feed_rule = "/feed<any('.atom', '.rss', '.json'):ext>"

    def requests(route: str, status: str, method: str = "GET") -> float:
        return found[("feedsvc_http_requests_total", (("method", method), ("route", route), ("status", status)))]

    assert requests(feed_rule, "200") == 1
    assert requests(feed_rule, "304") == 1
    assert requests(feed_rule, "200", "HEAD") == 1
    assert requests("/archive/<month>.atom", "200") == 1
    assert requests("/tags/<key>/feed<any('.atom', '.rss', '.json'):ext>", "200") == 1
    body = app.extensions["feedsvc"].snapshot.feeds["/feed.atom"].body
    assert found[("feedsvc_http_response_bytes_total", (("route", feed_rule),))] == len(body)  # not the 304's/HEAD's
    # timed: metrics' clock wraps the fast path
    assert found[("feedsvc_http_request_duration_seconds_count", (("route", feed_rule),))] == 3
    # the same requests answered by Flask alone leave the same metrics
    monkeypatch.setattr(app_module, "init_fast_path", lambda *_: None)  # create_app's, the one wiring it
    flask_alone = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "METRICS": Metrics()})
    assert EXTENSION not in flask_alone.extensions
    assert traffic(flask_alone) == found


def test_without_metrics_nothing_is_counted(app: Flask, metrics: Metrics) -> None:
    fast(app).metrics = None
    app.test_client().get("/feed.atom")
    labels = {"route": "/feed<any('.atom', '.rss', '.json'):ext>", "method": "GET", "status": "200"}
    assert metrics.registry.get_sample_value("feedsvc_http_requests_total", labels) is None


def test_a_failing_fast_answer_falls_back_to_flask(
    app: Flask, view: Spy, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> bool:
        raise OSError("the body's file went away")

    monkeypatch.setattr(fastpath, "not_modified", broken)
    with caplog.at_level(logging.ERROR, logger="feedsvc.web.fastpath"):
        response = app.test_client().get("/feed.atom")
    assert response.status_code == 200 and view.calls == 1
    assert "the fast path failed on /feed.atom" in caplog.text


def test_with_trusted_hosts_flask_answers_every_request(content_dir: Path) -> None:
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "TRUSTED_HOSTS": ["news.example.org"]})
    assert EXTENSION not in app.extensions
    client = app.test_client()
    assert client.get("/feed.atom", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/feed.atom", headers={"Host": "news.example.org"}).status_code == 200
