"""web/metrics.py: /metrics parses as Prometheus text and counts routes, statuses, 304s, bytes and builds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from feedsvc.app import create_app
from feedsvc.version import __version__
from feedsvc.web import metrics as metrics_module
from feedsvc.web.metrics import EXTENSION, Metrics, init_metrics

SLUG = "article-with-jsonld-tags-and-author"


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def metered(content_dir: Path, metrics: Metrics) -> FlaskClient:
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "METRICS": metrics})
    return app.test_client()


def rule(client: FlaskClient, path: str) -> str:
    """Return the URL rule the app routes ``path`` by (web.py's rules are not this test's business)."""
    matched, _ = client.application.url_map.bind("localhost").match(path, return_rule=True)
    return matched.rule


def samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Scrape /metrics and return every sample as {(name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests_total(found: dict, route: str, status: str, method: str = "GET") -> float:
    key = ("feedsvc_http_requests_total", (("method", method), ("route", route), ("status", status)))
    return found.get(key, 0.0)


def test_requests_are_counted_by_route_method_and_status(metered: FlaskClient) -> None:
    first = metered.get("/feed.atom")
    metered.get("/feed.atom", headers={"If-None-Match": first.headers["ETag"]})
    metered.get(f"/articles/{SLUG}")
    metered.get("/articles/no-such-article")
    metered.head("/feed.rss")
    metered.get("/no/such/route")
    metered.post("/feed.atom")
    found = samples(metered)
    atom, rss, article = rule(metered, "/feed.atom"), rule(metered, "/feed.rss"), rule(metered, f"/articles/{SLUG}")
    assert article == "/articles/<slug>"  # the rule, not the path
    assert requests_total(found, atom, "200") == 1
    assert requests_total(found, atom, "304") == 1
    assert requests_total(found, article, "200") == 1
    assert requests_total(found, article, "404") == 1
    assert requests_total(found, rss, "200", "HEAD") == 1
    assert requests_total(found, "(unmatched)", "404") == 1
    assert requests_total(found, "(unmatched)", "405", "POST") == 1  # a 405 matched no rule
    assert not any("no-such-article" in str(key) for key in found)


def test_bytes_sent_are_the_bodies_sent(metered: FlaskClient) -> None:
    body = metered.get("/feed.atom").get_data()
    etag = metered.get("/feed.atom").headers["ETag"]
    metered.get("/feed.atom", headers={"If-None-Match": etag})  # 304: no body
    metered.head("/feed.atom")  # HEAD: no body
    found = samples(metered)
    assert found[("feedsvc_http_response_bytes_total", (("route", rule(metered, "/feed.atom")),))] == 2 * len(body)


def test_request_durations_and_the_version_are_exposed(metered: FlaskClient) -> None:
    metered.get("/")
    found = samples(metered)
    assert found[("feedsvc_http_request_duration_seconds_count", (("route", "/"),))] == 1
    assert found[("feedsvc_build_info", (("version", __version__),))] == 1


def test_snapshot_builds_and_articles_are_exposed(metrics: Metrics) -> None:
    app = Flask("tiny")  # not create_app's: its own build would be counted too
    init_metrics(app, metrics)
    metrics.snapshot_built(0.42, published=3, rejected=1, held=2, others=1)
    metrics.snapshot_failed(0.1)
    found = samples(app.test_client())
    assert found[("feedsvc_snapshot_builds_total", (("outcome", "ok"),))] == 1
    assert found[("feedsvc_snapshot_builds_total", (("outcome", "failed"),))] == 1
    assert found[("feedsvc_snapshot_build_duration_seconds_count", ())] == 2
    assert found[("feedsvc_snapshot_build_duration_seconds_sum", ())] == pytest.approx(0.52)
    assert found[("feedsvc_articles_published", ())] == 3
    assert found[("feedsvc_articles_rejected", ())] == 1
    assert found[("feedsvc_articles_held", ())] == 2
    assert found[("feedsvc_other_problems", ())] == 1
    assert found[("feedsvc_snapshot_last_success_timestamp_seconds", ())] > 0


def test_a_broken_rules_file_is_counted_apart_from_the_rejected_articles(content_dir: Path, metrics: Metrics) -> None:
    # feedsvc_articles_rejected counted every file with an error: a rules file that does not parse read as one
    # more article left out, while /healthz lists it under other_problems
    broken = content_dir / "rules" / "news.example.org.toml"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("strip = [\n", encoding="utf-8")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "METRICS": metrics})
    found = samples(app.test_client())
    assert found[("feedsvc_articles_rejected", ())] == 1  # articles/article-that-is-empty.html alone
    assert found[("feedsvc_other_problems", ())] == 1
    report = app.test_client().get("/healthz").get_json()
    assert len(report["rejected"]) == 1 and len(report["other_problems"]) == 1


def test_metrics_work_on_any_flask_app(metrics: Metrics) -> None:
    app = Flask("tiny")
    app.add_url_rule("/hello/<name>", "hello", lambda name: f"hi {name}")
    init_metrics(app, metrics)
    client = app.test_client()
    client.get("/hello/ana")
    client.get("/hello/giorgi")
    assert requests_total(samples(client), "/hello/<name>", "200") == 2


def test_each_app_counts_into_metrics_of_its_own(content_dir: Path) -> None:
    """No process-wide set: an app made without METRICS has its own, which its build and requests reach."""
    assert not hasattr(metrics_module, "METRICS")
    first = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})
    second = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})
    mine, theirs = first.extensions[EXTENSION], second.extensions[EXTENSION]
    assert isinstance(mine, Metrics) and mine is not theirs
    # create_app's snapshot build is counted, and so is every request, each in its own app's metrics
    assert mine.registry.get_sample_value("feedsvc_snapshot_builds_total", {"outcome": "ok"}) == 1
    assert mine.registry.get_sample_value("feedsvc_articles_published", {}) == 3
    labels = {"route": "/", "method": "GET", "status": "200"}
    first.test_client().get("/")
    first.test_client().get("/")
    second.test_client().get("/")
    assert mine.registry.get_sample_value("feedsvc_http_requests_total", labels) == 2
    assert theirs.registry.get_sample_value("feedsvc_http_requests_total", labels) == 1


def test_the_metrics_setting_is_the_one_counted_into(metered: FlaskClient, metrics: Metrics) -> None:
    assert metered.application.extensions[EXTENSION] is metrics
    assert metrics.registry.get_sample_value("feedsvc_snapshot_builds_total", {"outcome": "ok"}) == 1


MULTIPROCESS_SCRIPT = """
import os, sys
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from feedsvc.web.metrics import Metrics, init_metrics
app = Flask("w")
app.add_url_rule("/", "home", lambda: "ok")
init_metrics(app, Metrics())
if sys.argv[1] == "serve":
    app.test_client().get("/")
else:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "feedsvc_http_requests_total" and s.labels["route"] == "/":
                print(int(s.value))
"""


def test_with_a_multiprocess_folder_metrics_add_up_every_worker(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two "workers", each a process of its own
        subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, "serve"], env=env, check=True, timeout=60)
    result = subprocess.run(
        [sys.executable, "-c", MULTIPROCESS_SCRIPT, "scrape"],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "2"


def test_count_request_counts_any_answer_by_route_method_and_status(metrics: Metrics) -> None:
    from feedsvc.web.metrics import STARTED

    metrics.count_request({"REQUEST_METHOD": "BREW"}, "/pot", 418, 12)  # untimed: no clock started it
    metrics.count_request({"REQUEST_METHOD": "get", STARTED: 0.0}, "/pot", 200, 5)
    value = metrics.registry.get_sample_value
    assert value("feedsvc_http_requests_total", {"route": "/pot", "method": "OTHER", "status": "418"}) == 1
    assert value("feedsvc_http_requests_total", {"route": "/pot", "method": "GET", "status": "200"}) == 1
    assert value("feedsvc_http_response_bytes_total", {"route": "/pot"}) == 17
    assert value("feedsvc_http_request_duration_seconds_count", {"route": "/pot"}) == 1
