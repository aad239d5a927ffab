"""feedsvc: publish clean news articles as Atom, RSS and JSON feeds and as clean pages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"

log = logging.getLogger(__name__)

# Settings of the running service (not of the site: those live in site.toml).
DEFAULTS: dict[str, Any] = {
    "CONTENT_DIR": "content",  # the content folder: site.toml, articles/, rules/
    "BASE_URL": None,  # overrides site.toml's base_url, e.g. behind a proxy
    "FEED_MAX_AGE": 300,  # Cache-Control max-age of feeds, seconds
    "PAGE_MAX_AGE": 300,  # Cache-Control max-age of pages, seconds
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, then the content snapshot, then the routes.

    Settings come from DEFAULTS, then ``FEEDSVC_*`` environment variables
    (``FEEDSVC_CONTENT_DIR``, ``FEEDSVC_BASE_URL``, …), then ``test_config``.
    """
    from . import web

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FEEDSVC")
    if test_config is not None:
        app.config.update(test_config)
    web.init_app(app, Path(app.config["CONTENT_DIR"]))
    return app
