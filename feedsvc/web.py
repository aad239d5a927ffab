"""HTTP: a Flask blueprint that serves the current snapshot.

Views only pick what the snapshot already holds; feeds are precomputed
bytes, pages are rendered once per snapshot and kept. Every absolute URL
comes from the site's configured base URL, never from the request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from .feed import ATOM_TYPE, RSS_TYPE, feed_updated
from .model import Article, Catalog, article_path
from .snapshot import Resource, Snapshot, load_snapshot, make_resource

log = logging.getLogger(__name__)

bp = Blueprint("feedsvc", __name__)

HTML_TYPE = "text/html; charset=utf-8"
# Pages carry no script at all; images may come from the articles' own hosts.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src http: https: data:; style-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class SiteState:
    """The app's one piece of state: the current snapshot and its rendered pages."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._pages: dict[str, Resource] = {}
        self._lock = threading.Lock()

    def page(self, key: str, render: Callable[[], Resource]) -> Resource:
        """Return the page ``key`` of this snapshot, rendering it on first use."""
        cached = self._pages.get(key)
        if cached is None:
            cached = render()
            with self._lock:
                self._pages[key] = cached
        return cached


def init_app(app: Flask, content_dir: Path) -> None:
    """Load ``content_dir`` into a snapshot and register the routes on ``app``."""
    overrides = {"base_url": app.config["BASE_URL"]} if app.config.get("BASE_URL") else None
    snapshot = load_snapshot(content_dir, overrides)
    for problem in snapshot.catalog.problems:
        log.log(logging.ERROR if problem.severity == "error" else logging.WARNING, "%s", problem)
    app.extensions["feedsvc"] = SiteState(snapshot)
    app.jinja_env.globals.update(feed_links=FEED_LINKS, article_path=article_path)
    app.jinja_env.filters["human_date"] = human_date
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _error_page)


# Autodiscovery: every page links every subscription feed.
FEED_LINKS = (("/feed.atom", ATOM_TYPE, "Atom"), ("/feed.rss", RSS_TYPE, "RSS"))


def human_date(moment: datetime) -> str:
    """Format a date for readers: '23 November 2021'."""
    return f"{moment.day} {moment:%B %Y}"


def _state() -> SiteState:
    return current_app.extensions["feedsvc"]


def _catalog() -> Catalog:
    return _state().snapshot.catalog


def _send(resource: Resource, max_age: int, extra_headers: dict[str, str] | None = None) -> Response:
    """Send precomputed bytes with validators; answer 304 when the client is current."""
    response = Response(resource.body, content_type=resource.media_type)
    response.set_etag(resource.etag)
    response.last_modified = resource.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.headers.update(extra_headers or {})
    return response.make_conditional(request)


def _render_page(template: str, last_modified: datetime, **context: object) -> Resource:
    catalog = _catalog()
    body = render_template(template, site=catalog.site, **context).encode("utf-8")
    return make_resource(body, HTML_TYPE, last_modified)


@bp.get("/")
def index() -> Response:
    """List the articles, newest first."""
    catalog = _catalog()
    resource = _state().page(
        "/",
        lambda: _render_page("index.html", feed_updated(catalog.articles), articles=catalog.articles),
    )
    return _send(resource, current_app.config["PAGE_MAX_AGE"], SECURITY_HEADERS)


@bp.get("/articles/<slug>")
def article(slug: str) -> Response:
    """Show one clean article. :raise 404: no article has this slug."""
    found: Article | None = _catalog().by_slug.get(slug)
    if found is None:
        abort(404, f"There is no article at /articles/{slug}.")
    resource = _state().page(
        article_path(slug),
        lambda: _render_page(
            "article.html",
            found.updated,
            article=found,
            content=Markup(found.content_html),  # cleaned and sanitised by clean.py
        ),
    )
    return _send(resource, current_app.config["PAGE_MAX_AGE"], SECURITY_HEADERS)


@bp.get("/feed.atom")
@bp.get("/feed.rss")
def feed() -> Response:
    """Send a subscription feed."""
    resource = _state().snapshot.feeds[request.path]
    return _send(resource, current_app.config["FEED_MAX_AGE"], {"X-Content-Type-Options": "nosniff"})


@bp.get("/healthz")
def healthz() -> Response:
    """Report liveness, the snapshot version and what could not be published."""
    catalog = _catalog()
    errors = [p for p in catalog.problems if p.severity == "error"]
    response = current_app.json.response(
        {
            "status": "ok",
            "version": catalog.version,
            "articles": len(catalog.articles),
            "rejected": [{"path": str(p.path), "reason": p.message} for p in errors],
        }
    )
    response.cache_control.no_store = True
    return response


def _error_page(error: HTTPException) -> Response:
    """Render every HTTP error as a small page in the site's style."""
    body = render_template("error.html", site=_catalog().site, error=error)
    response = Response(body, status=error.code or 500, content_type=HTML_TYPE)
    response.headers.update(SECURITY_HEADERS)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response
