"""The hot path: answer GET and HEAD of a precomputed feed document in WSGI, before Flask does anything.

Feeds are most of the traffic and each is bytes and header fields made
once per snapshot, so building a Flask request context, dispatching the
URL and filling a Response object for them is all overhead. :class:`FastPath`
wraps ``app.wsgi_app``: a GET or HEAD whose path is exactly a document of
the current snapshot's ``feeds`` gets the same status, header fields and
body the Flask view (``web.feed``) would send, picked as its ``_send``
picks them; every other request goes to Flask unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from feedsvc.build.representation import Resource, not_modified
from feedsvc.serve.state import REQUEST_SNAPSHOT, SiteState
from feedsvc.web.metrics import Metrics

__all__ = ["EXTENSION", "FEED_ENDPOINT", "NOT_MODIFIED", "OK", "FastPath", "WSGIApp", "init_fast_path"]

log = logging.getLogger(__name__)

FEED_ENDPOINT = "feedsvc.feed"  # the view whose answers the fast path gives
EXTENSION = "feedsvc.web.fastpath"  # where create_app keeps the installed FastPath, in app.extensions
# Werkzeug's status lines, so that a response is the same whichever path sent it.
OK = "200 OK"
NOT_MODIFIED = "304 NOT MODIFIED"

_UNROUTED: Any = object()  # what the route cache gives for a path not looked up yet

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FastPath:
    """WSGI middleware sending the current snapshot's feed documents; Flask (``inner``) answers the rest."""

    def __init__(
        self,
        inner: WSGIApp,
        state: SiteState,
        app: Flask,
        metrics: Metrics | None = None,
        endpoint: str = FEED_ENDPOINT,
    ) -> None:
        self.inner = inner
        self.state = state
        self.metrics = metrics
        self._url_map = app.url_map
        self._endpoint = endpoint
        # path -> the URL rule Flask routes it by, or None: not the feed view's (Flask answers).
        # Only paths of feeds get in; stale ones go when it outgrows the snapshot (see _route).
        self._routes: dict[str, str | None] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.state.catch_up()  # a worker takes in the publishes since its last request, between requests
        snapshot = environ[REQUEST_SNAPSHOT] = self.state.snapshot  # read once: the whole request answers from it
        method = environ.get("REQUEST_METHOD")
        if method == "GET" or method == "HEAD":
            path = environ.get("PATH_INFO", "")
            feeds = snapshot.feeds
            resource = feeds.get(path)
            if resource is not None:
                route = self._routes.get(path, _UNROUTED)
                if route is _UNROUTED:
                    route = self._route(path, len(feeds))
                if route is not None:
                    answer = self._answer(environ, resource, method == "HEAD", route)
                    if answer is not None:
                        status, headers, body = answer
                        start_response(status, headers)
                        return body
        return self.inner(environ, start_response)

    def _answer(
        self, environ: dict[str, Any], resource: Resource, head: bool, route: str
    ) -> tuple[str, list[tuple[str, str]], list[bytes]] | None:
        """Return what ``web._send`` would send (status line, header fields, body), or None for Flask to answer."""
        try:
            variant = resource.pick(environ.get("HTTP_ACCEPT_ENCODING"))
            ok, not_modified_fields = resource.fields(variant.coding)
            if not_modified(
                environ.get("HTTP_IF_NONE_MATCH"),
                environ.get("HTTP_IF_MODIFIED_SINCE"),
                variant.etag,
                resource.last_modified,
            ):
                code, status, headers, body = 304, NOT_MODIFIED, list(not_modified_fields), b""
            else:
                body = variant.body  # once: it may come from disk; its length is the one sent
                # Werkzeug appends Content-Length to a bytes response's fields: so do we, last
                code, status, headers = 200, OK, [*ok, ("Content-Length", str(len(body)))]
        except Exception:  # e.g. a body that cannot be read: Flask answers (its error page), both log it
            log.exception("the fast path failed on %s; Flask answers", environ.get("PATH_INFO"))
            return None
        if self.metrics is not None:
            self.metrics.count_request(environ, route, code, 0 if head else len(body))
        return status, headers, [] if head or not body else [body]

    def _route(self, path: str, held: int) -> str | None:
        """Find the URL rule Flask routes ``path`` by; None unless it is the feed view's. Cached."""
        route: str | None = None
        # Werkzeug decodes a non-ASCII PATH_INFO before routing it, so such a path
        # may not be the key it equals here: Flask answers those.
        if path.isascii():
            try:
                rule, _ = self._url_map.bind("").match(path, method="GET", return_rule=True)
            except (HTTPException, RoutingException):  # not found, a redirect: not ours
                pass
            else:
                if rule.endpoint == self._endpoint:
                    route = rule.rule
        if len(self._routes) > 2 * held + 64:  # paths of old snapshots (renamed tags, say): forget them all
            self._routes.clear()
        self._routes[path] = route
        return route


def init_fast_path(app: Flask, metrics: Metrics | None = None) -> FastPath | None:
    """Put a :class:`FastPath` around ``app.wsgi_app``, counting into ``metrics``; return it.

    Call it after :func:`feedsvc.web.views.register_routes` and before
    :func:`feedsvc.web.metrics.init_metrics`, whose clock then wraps it. Returns
    None, leaving every request to Flask, where Flask's routing looks at the
    Host header (``TRUSTED_HOSTS``, host or subdomain matching): the fast
    path never does.
    """
    if app.config.get("TRUSTED_HOSTS") or app.url_map.host_matching or app.subdomain_matching:
        return None
    fast = FastPath(app.wsgi_app, app.extensions["feedsvc"], app, metrics)
    app.wsgi_app = fast  # type: ignore[method-assign]
    app.extensions[EXTENSION] = fast
    return fast
