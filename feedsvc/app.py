"""The Flask application: service settings, then the content snapshot, then the routes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

# Settings of the running service (not of the site: those live in site.toml).
DEFAULTS: dict[str, Any] = {
    "CONTENT_DIR": "content",  # the content folder: site.toml, articles/, rules/
    "BASE_URL": None,  # overrides site.toml's base_url, e.g. behind a proxy
    "PAGE_MAX_AGE": 300,  # Cache-Control max-age of pages, seconds (feeds: site.toml's feed_max_age)
    "METRICS": None,  # a feedsvc.web.metrics.Metrics to count into; None: the process-wide one
    "CLOCK": None,  # a callable returning an aware "now", read once per snapshot; None: the system clock
    "WEBSUB_ANNOUNCE_AT_START": True,  # False: the caller calls SiteState.announce_startup() once serving
    "WEBSUB_ATTEMPTS": 6,  # tries per hub notification before giving up (until the feed's next change)
    "WEBSUB_FIRST_DELAY": 2.0,  # seconds before the first retry; doubled after each failure
    "WEBSUB_TIMEOUT": 10.0,  # seconds to wait for the hub on each try
    "CACHE_DIR": None,  # the build cache folder; None: <content>/.feedsvc/cache; "": no cache
    "BUILD_WORKERS": 0,  # processes that clean articles when many need it; 0: one per CPU
    "PAGE_CACHE_BYTES": 16 * 1024 * 1024,  # rendered pages each process keeps (least recently used go)
    "LIVE_RELOAD": False,  # watch the content folder and swap in new snapshots in this process
    # build in a publisher process of its own (gunicorn: the workers then inherit only what they serve)
    "BUILD_PROCESS": False,
    "SETTLE_SECONDS": 0.3,  # a changed file is published once unchanged this long (never half-written)
    "WATCH_INTERVAL": 0.1,  # seconds between checks for added, removed or renamed files
    "RESCAN_INTERVAL": 1.0,  # seconds between full scans, for files rewritten in place
    "PROGRESS": None,  # a callable (total, what) -> advance(n) shown while building (the CLI's bar)
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, then the content snapshot, then the routes.

    Settings come from DEFAULTS, then ``FEEDSVC_*`` environment variables
    (``FEEDSVC_CONTENT_DIR``, ``FEEDSVC_BASE_URL``, …), then ``test_config``.
    """
    from feedsvc.web import views as web
    from feedsvc.web.fastpath import init_fast_path
    from feedsvc.web.metrics import METRICS, init_metrics

    app = Flask("feedsvc")
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FEEDSVC")
    if test_config is not None:
        app.config.update(test_config)
    web.init_app(app, Path(app.config["CONTENT_DIR"]))
    metrics = app.config["METRICS"] or METRICS
    # Feeds are answered in WSGI, before Flask's dispatch; metrics' clock wraps it, so it times them too.
    init_fast_path(app, metrics)
    init_metrics(app, metrics)
    return app
