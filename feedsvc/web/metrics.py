"""``/metrics`` in the Prometheus text format: requests, bytes, snapshot builds, articles, followed sources.

``init_metrics(app, metrics)`` counts every request of a Flask app by
route (the URL rule, never the raw path, so the number of series stays
bounded), method and status, with the bytes sent and the time taken, and
serves ``/metrics``. Requests answered before Flask
(:mod:`feedsvc.web.fastpath`) are counted by :meth:`Metrics.count_request`
too, the one place that counts. :class:`Metrics` is also the builder's
:class:`~feedsvc.build.builder.BuildReport`: ``create_app`` passes the
app's own to the builder or the publisher, which record each build with
:meth:`Metrics.snapshot_built` or :meth:`Metrics.snapshot_failed`.

There is no process-wide set: each app has its own (``create_app`` makes
it, or takes the ``METRICS`` setting). Under gunicorn with several workers
each worker counts its own requests; set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty folder before starting and ``/metrics`` adds up all of them
(prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask import Flask, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from feedsvc.version import __version__

__all__ = ["EXTENSION", "METHODS", "METRICS_PATH", "STARTED", "UNMATCHED", "Metrics", "init_metrics"]

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"  # the route label of requests no URL rule matched (404s)
METRICS_PATH = "/metrics"
STARTED = "feedsvc.web.metrics.started"  # a request's start time (time.perf_counter()), in its WSGI environ
EXTENSION = "feedsvc.web.metrics"  # where init_metrics keeps an app's Metrics, in app.extensions


class Metrics:
    """One set of metrics on its own registry: one per app (``create_app`` makes it; tests pass their own)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry = registry or CollectorRegistry()
        self.requests = Counter(
            "feedsvc_http_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.response_bytes = Counter(
            "feedsvc_http_response_bytes", "Response body bytes sent, by route.", ["route"], registry=registry
        )
        self.request_seconds = Histogram(
            "feedsvc_http_request_duration_seconds",
            "Time to answer a request, by route.",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )
        self.snapshot_builds = Counter(
            "feedsvc_snapshot_builds",
            "Content snapshots built, by outcome (ok, failed).",
            ["outcome"],
            registry=registry,
        )
        self.snapshot_seconds = Histogram(
            "feedsvc_snapshot_build_duration_seconds",
            "Time to load, clean and render the content folder.",
            buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
            registry=registry,
        )

        def snapshot_gauge(name: str, documentation: str) -> Gauge:
            # a figure of the current snapshot: every worker holds the same one, the newest counts
            return Gauge(name, documentation, multiprocess_mode="mostrecent", registry=registry)

        self.articles_published = snapshot_gauge(
            "feedsvc_articles_published", "Articles published by the current snapshot."
        )
        self.articles_rejected = snapshot_gauge(
            "feedsvc_articles_rejected", "Article files of the content folder the current snapshot could not publish."
        )
        self.articles_held = snapshot_gauge(
            "feedsvc_articles_held",
            "Article files that do not load as they are, whose last good version the current snapshot serves.",
        )
        self.other_problems = snapshot_gauge(
            "feedsvc_other_problems",
            "Files that are no article (the revisions ledger, a rules file, the icon or logo) with a problem, "
            "in the current snapshot (/healthz other_problems).",
        )
        self.snapshot_time = snapshot_gauge(
            "feedsvc_snapshot_last_success_timestamp_seconds", "When the current snapshot was built (Unix time)."
        )
        self.build_info = Gauge(
            "feedsvc_build_info",
            "Always 1; the version label says which feedsvc runs.",
            ["version"],
            multiprocess_mode="mostrecent",
            registry=registry,
        )
        self.build_info.labels(version=__version__).set(1)

        def source_gauge(name: str, documentation: str) -> Gauge:
            return Gauge(name, documentation, ["source"], multiprocess_mode="mostrecent", registry=registry)

        # The followed sources (site.toml [[source]]), as their state files say at each scrape.
        self.source_last_success = source_gauge(
            "feedsvc_source_last_success_timestamp_seconds", "When the source was last read (Unix time; 0: never)."
        )
        self.source_last_error = source_gauge(
            "feedsvc_source_last_error_timestamp_seconds",
            "When the source's last poll failed, or one of its items did (Unix time; 0: its last poll had no failure).",
        )
        self.source_items = source_gauge("feedsvc_source_items_seen", "Items of the source feedsvc has seen.")
        self.source_next_poll = source_gauge(
            "feedsvc_source_next_poll_timestamp_seconds", "When the source is next due (Unix time)."
        )
        self.source_failures = source_gauge(
            "feedsvc_source_failures", "Polls in a row that could not read the source (0: the last one could)."
        )
        # Set by create_app: returns each source's status (feedsvc.follow.running.source_status), read at each scrape.
        self.source_status: Callable[[], list[dict[str, Any]]] | None = None
        # The labelled series of each (route, method, status), looked up once.
        self._series: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def count_request(self, environ: Mapping[str, Any], route: str, status: int, sent: int) -> None:
        """Count one answered request: its route (a URL rule or UNMATCHED), method, status and body bytes.

        The time taken runs from the start :func:`init_metrics`' WSGI wrapper
        wrote in ``environ``; a request it did not see is counted untimed.
        """
        method = environ.get("REQUEST_METHOD", "GET").upper()  # as Werkzeug's request.method
        if method not in METHODS:
            method = "OTHER"
        found = self._series.get((route, method, status))
        if found is None:
            found = self._series.setdefault(
                (route, method, status),
                (
                    self.requests.labels(route=route, method=method, status=str(status)),
                    self.response_bytes.labels(route=route),
                    self.request_seconds.labels(route=route),
                ),
            )
        requests, response_bytes, seconds = found
        requests.inc()
        if sent:  # 304s and HEADs send none: no lock taken for them
            response_bytes.inc(sent)
        started = environ.get(STARTED)
        if started is not None:
            seconds.observe(time.perf_counter() - started)

    def snapshot_built(self, seconds: float, published: int, rejected: int, held: int = 0, others: int = 0) -> None:
        """Record a snapshot build that succeeded: its duration, the articles it published, rejected and held, and
        the other files with a problem."""
        self.snapshot_builds.labels(outcome="ok").inc()
        self.snapshot_seconds.observe(seconds)
        self.articles_published.set(published)
        self.articles_rejected.set(rejected)
        self.articles_held.set(held)
        self.other_problems.set(others)
        self.snapshot_time.set(time.time())

    def record_sources(self) -> None:
        """Set the per-source gauges from :attr:`source_status` (nothing when no source is followed)."""
        if self.source_status is None:
            return
        for status in self.source_status():
            name = status["name"]
            self.source_last_success.labels(source=name).set(_timestamp(status.get("last_success")))
            error_at = status.get("last_error_at") if status.get("last_error") else None
            self.source_last_error.labels(source=name).set(_timestamp(error_at))
            self.source_items.labels(source=name).set(status.get("items_seen", 0))
            self.source_next_poll.labels(source=name).set(_timestamp(status.get("next_poll")))
            self.source_failures.labels(source=name).set(status.get("failures", 0))

    def snapshot_failed(self, seconds: float) -> None:
        """Record a snapshot build that failed (the previous snapshot, if any, stays in service)."""
        self.snapshot_builds.labels(outcome="failed").inc()
        self.snapshot_seconds.observe(seconds)


def init_metrics(app: Flask, metrics: Metrics) -> None:
    """Count every request of ``app`` into ``metrics`` and serve ``/metrics`` on it; keep it in ``app.extensions``."""

    def count(response: Response) -> Response:
        current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup, not several
        rule = current.url_rule
        # Werkzeug drops a HEAD body after this hook: nothing is sent
        sent = 0 if current.method == "HEAD" else response.calculate_content_length() or 0
        metrics.count_request(current.environ, rule.rule if rule is not None else UNMATCHED, response.status_code, sent)
        return response

    def expose() -> Response:
        metrics.record_sources()
        response = Response(generate_latest(_registry(metrics)), content_type=CONTENT_TYPE_LATEST)
        response.cache_control.no_store = True
        return response

    # The clock starts before Flask (or a WSGI wrapper installed earlier, such as
    # feedsvc.web.fastpath) does anything: a WSGI wrapper, cheaper than a before_request hook.
    inner = app.wsgi_app

    def timed(environ: dict[str, Any], start_response: Any) -> Any:
        environ[STARTED] = time.perf_counter()
        return inner(environ, start_response)

    app.wsgi_app = timed  # type: ignore[method-assign]
    app.extensions[EXTENSION] = metrics
    app.after_request(count)
    app.add_url_rule(METRICS_PATH, "metrics", expose, methods=["GET"])


def _timestamp(iso: object) -> float:
    return datetime.fromisoformat(iso).timestamp() if isinstance(iso, str) and iso else 0.0


def _registry(metrics: Metrics) -> Any:
    """Return what to expose: this process's registry, or all workers' under multiprocess mode."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return metrics.registry
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
