"""The Flask application, wired in one place: service settings, then the content snapshot, then the routes.

An edge. :func:`create_app` validates the service settings
(:mod:`feedsvc.settings`), builds the first snapshot (in this process, or
in a publisher process: ``BUILD_MODE``), makes the app's metrics, the
WebSub notifier, the follower of the site's sources (``FOLLOW``: a callable
the building process runs while it watches) and the
:class:`~feedsvc.serve.state.SiteState` holding them, and only then lets :mod:`feedsvc.web` register the routes, which
serve what the state holds. :func:`create_gunicorn_app` is the same app
for a gunicorn master running the hooks of :mod:`feedsvc.serve.gunicorn`.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from feedsvc.build.builder import Builder, BuildReport
from feedsvc.build.state import state_path
from feedsvc.follow.running import Following, FollowOptions, source_status
from feedsvc.logs import log_problem
from feedsvc.serve.publisher import Publisher
from feedsvc.serve.state import EXTENSION, SiteState, utc_now
from feedsvc.serve.websub import HubNotifier
from feedsvc.settings import resolve
from feedsvc.web.fastpath import init_fast_path
from feedsvc.web.metrics import Metrics, init_metrics
from feedsvc.web.views import register_routes

__all__ = ["create_app", "create_gunicorn_app"]

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None, *, defaults: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, then the content snapshot and what keeps it current, then the routes.

    Each setting of :data:`feedsvc.settings.SERVICE_SETTINGS` comes from its
    default, then ``defaults``, then the ``FEEDSVC_*`` environment variables
    (``FEEDSVC_CONTENT_DIR``, ``FEEDSVC_BASE_URL``, …), then ``config``
    (which may also hold Flask's own settings, such as ``TESTING``).

    :raise ServiceConfigError: an unknown setting, or a value it does not allow.
    :raise SiteConfigError: site.toml is missing or broken. :raise PublisherError: the publisher could not build.
    """
    settings = resolve(config, defaults=defaults, passthrough=Flask.default_config)
    app = Flask("feedsvc")
    app.config.update(settings)
    metrics = settings["METRICS"] or Metrics()
    app.extensions[EXTENSION] = state = _site_state(settings, metrics)
    try:
        register_routes(app)
        # Feeds are answered in WSGI, before Flask's dispatch; metrics' clock wraps it, so it times them too.
        init_fast_path(app, metrics)
        init_metrics(app, metrics)
        if settings["WEBSUB_ANNOUNCE_AT_START"]:
            # Only feeds changed since the hub last heard of them: not every feed on every boot.
            state.announce_startup()
        if settings["LIVE_RELOAD"]:
            state.watch()
    except BaseException:
        state.close()  # the publisher process and the threads started so far: nobody holds the app to stop them
        raise
    return app


def create_gunicorn_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app for a gunicorn master that preloads it and runs :class:`feedsvc.serve.gunicorn.Hooks`.

    :func:`create_app` with :data:`feedsvc.serve.gunicorn.APP_DEFAULTS` (built
    in a publisher process, the hub told once the server listens) under the
    environment and ``config``. ``deploy/gunicorn.conf.py`` names it
    (``wsgi_app``); ``feedsvc serve`` calls it.
    """
    from feedsvc.serve.gunicorn import APP_DEFAULTS  # imports gunicorn: only where it runs

    return create_app(config, defaults=APP_DEFAULTS)


def _site_state(settings: Mapping[str, Any], metrics: Metrics) -> SiteState:
    """Build the first snapshot as ``BUILD_MODE`` says; return the state serving it."""
    content_dir = Path(settings["CONTENT_DIR"])
    clock = settings["CLOCK"] or utc_now
    builder, publisher = None, None
    following = _following(settings, content_dir)
    timing: dict[str, float | bool] = {
        "interval": float(settings["WATCH_INTERVAL"]),
        "rescan": float(settings["RESCAN_INTERVAL"]),
        "safety_rescan": float(settings["SAFETY_RESCAN_INTERVAL"]),
        "polling": bool(settings["WATCH_POLLING"]),
    }
    if settings["BUILD_MODE"] == "process":
        # built in a process of its own, so the workers gunicorn forks inherit only what they serve; it
        # watches the folder before it lists it: the server listens once changes are watched
        publisher, snapshot = Publisher.start(
            lambda: _builder(settings, content_dir), clock, report=metrics, follow=following, timing=timing
        )
    else:
        builder = _builder(settings, content_dir, report=metrics)
        snapshot = builder.build(clock())
        log.info("built snapshot %s: %s", snapshot.catalog.version, builder.stats.summary())
    try:
        for problem in snapshot.catalog.problems:
            log_problem(log, problem)

        notifier = None
        hub = snapshot.catalog.site.websub_hub
        if hub:
            notifier = HubNotifier(
                hub,
                state_path(content_dir, "websub.json"),
                attempts=settings["WEBSUB_ATTEMPTS"],
                first_delay=float(settings["WEBSUB_FIRST_DELAY"]),
                timeout=float(settings["WEBSUB_TIMEOUT"]),
            )
        # the sources' status as their state files say it (written by whichever process follows)
        sources = functools.partial(source_status, content_dir)
        state = SiteState(snapshot, notifier, builder, clock, publisher, timing, following, sources)
        metrics.source_status = state.source_status
        return state
    except BaseException:
        if publisher is not None:
            publisher.close()  # its process would outlive an app that was never made
        raise


def _following(settings: Mapping[str, Any], content_dir: Path) -> Following | None:
    """Return the job that follows the site's sources (run beside the watcher), or None when FOLLOW is off.

    The follower is handed to serve as a callable: serve, a lower layer, does not import it.
    """
    if not settings["FOLLOW"]:
        return None
    overrides = {"base_url": settings["BASE_URL"]} if settings["BASE_URL"] else None
    options = FollowOptions(min_delay=float(settings["FOLLOW_HOST_DELAY"]))
    return Following(content_dir, overrides, options, float(settings["FOLLOW_CHECK_INTERVAL"]))


def _builder(settings: Mapping[str, Any], content_dir: Path, report: BuildReport | None = None) -> Builder:
    """Return the builder of ``content_dir`` the service settings describe, recording builds in ``report``."""
    overrides = {"base_url": settings["BASE_URL"]} if settings["BASE_URL"] else None
    cache = settings["CACHE_DIR"]
    cache_dir = content_dir / ".feedsvc" / "cache" if cache is None else (Path(cache) if cache else None)
    return Builder(
        content_dir,
        overrides,
        cache_dir=cache_dir,
        workers=settings["BUILD_WORKERS"] or os.cpu_count() or 1,
        settle=float(settings["SETTLE_SECONDS"]),
        page_budget=settings["PAGE_CACHE_BYTES"],
        progress=settings["PROGRESS"],
        report=report,
        listen_port=settings["LISTEN_PORT"],
    )
