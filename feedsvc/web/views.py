"""HTTP: a Flask blueprint that serves the current snapshot.

Views only pick what the snapshot already holds: feeds are precomputed and
encoded bytes, pages are rendered and encoded once per snapshot and kept.
A request costs a dict lookup, content-coding negotiation and a few
headers. Every absolute URL comes from the site's configured base URL;
nothing in a response depends on ``Host`` or ``X-Forwarded-*``.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, redirect, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse  # Werkzeug's redirects are this, not Flask's subclass

from feedsvc.build.representation import IDENTITY, Resource, Variant, body_etag, make_resource, not_modified
from feedsvc.build.snapshot import Snapshot
from feedsvc.catalog.assembly import facet_key
from feedsvc.content.listing import sorted_problems
from feedsvc.feeds.atom_rss import site_epoch
from feedsvc.feeds.families import facet_title
from feedsvc.model import Article, Catalog, Facet, Image, Problem, SiteImage, Withdrawal, article_path, facet_path
from feedsvc.serve.state import EXTENSION, REQUEST_SNAPSHOT, SiteState
from feedsvc.web.body import page_body
from feedsvc.web.cards import article_canonical, article_card, list_card
from feedsvc.web.discovery import (
    FACET_INDEX_PATHS,
    FEED_FORMATS,
    FEED_LIST_PATH,
    OPML_PATH,
    OPML_TYPE,
    ROBOTS_PATH,
    SITEMAP_PATH,
    SITEMAP_TYPE,
    facet_index,
    feed_directory,
    feed_links,
    opml,
    robots_txt,
    sitemaps,
)
from feedsvc.web.paging import Pager, list_page_path, list_updated, page_count

__all__ = [
    "FEED_ALIASES",
    "FEED_FORMATS",
    "HTML_TYPE",
    "SECURITY_HEADERS",
    "TEXT_TYPE",
    "bp",
    "facet_href",
    "feed_links",
    "human_date",
    "register_routes",
    "sitemap_documents",
]

bp = Blueprint("feedsvc", __name__)

HTML_TYPE = "text/html; charset=utf-8"
# Pages carry no script at all; images may come from the articles' own hosts.
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        (
            "default-src 'none'; img-src http: https: data:; style-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
TEXT_TYPE = "text/plain; charset=utf-8"
# Paths other sites' habits lead readers to (WordPress /feed, Hugo /index.xml, …): each a 301 to
# the site's own feed of that format, Atom when the path names none.
FEED_ALIASES = {
    "/feed": "/feed.atom",
    "/feed/": "/feed.atom",
    "/atom.xml": "/feed.atom",
    "/index.xml": "/feed.atom",
    "/rss.xml": "/feed.rss",
}


def register_routes(app: Flask) -> None:
    """Register the routes, the templates' helpers and the error pages on ``app``.

    Serving only: ``create_app`` has already put the app's
    :class:`~feedsvc.serve.state.SiteState` in ``app.extensions``.
    """
    app.jinja_env.globals.update(article_path=article_path, facet_href=facet_href, article_canonical=article_canonical)
    app.jinja_env.filters["human_date"] = human_date
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _error_page)
    app.after_request(_pin_location)


def facet_href(kind: str, name: str) -> str | None:
    """Return the site path of a tag's or author's page, or None if the name has no URL."""
    key = facet_key(name)
    return facet_path(kind, key) if key else None


def human_date(moment: datetime) -> str:
    """Format a date for readers: '23 November 2021'."""
    return f"{moment.day} {moment:%B %Y}"


def _state() -> SiteState:
    state: SiteState = current_app.extensions[EXTENSION]
    return state


def _snapshot() -> Snapshot:
    # the one the request started with (FastPath): a swap during a request is seen by the next one
    snapshot = request.environ.get(REQUEST_SNAPSHOT)
    return snapshot if isinstance(snapshot, Snapshot) else _state().snapshot


class _NotModified(Response):
    """A 304: no body, so no Content-Type or Content-Length (RFC 9110 §15.4.5)."""

    default_mimetype = None


def _send(resource: Resource) -> Response:
    """Send the variant the client accepts, with validators; 304 when the client's copy is current.

    The header fields of each variant are built once per resource (see
    :meth:`Resource.fields`); a request only picks them.
    """
    environ = request.environ
    variant = resource.pick(environ.get("HTTP_ACCEPT_ENCODING"))
    ok, not_modified_fields = resource.fields(variant.coding)
    if not_modified(
        environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE"), variant.etag, resource.last_modified
    ):
        return _NotModified(status=304, headers=not_modified_fields)
    return Response(variant.body, headers=ok)


def _page(
    snapshot: Snapshot,
    key: str,
    template: str,
    last_modified: datetime | Callable[[], datetime],
    **context: object,
) -> Response:
    """Send a page of ``snapshot``, rendering and encoding it on first use.

    The view passes the snapshot it read its data from, so a page is never
    cached in a newer snapshot than the one it shows. ``last_modified`` may
    be a function: it is then called only when the page is rendered.
    """
    return _made_page(snapshot, key, template, last_modified, lambda: context)


def _made_page(
    snapshot: Snapshot,
    key: str,
    template: str,
    last_modified: datetime | Callable[[], datetime],
    made: Callable[[], dict[str, object]],
) -> Response:
    """:func:`_page`, its template's context made by ``made`` only when the page is rendered."""

    def render() -> Resource:
        site = snapshot.catalog.site
        context = made()
        context.setdefault("feeds", feed_links("/feed", site.title))
        body = render_template(template, site=site, **context).encode("utf-8")
        cache_control = f"public, max-age={int(current_app.config['PAGE_MAX_AGE'])}"
        modified = last_modified() if callable(last_modified) else last_modified
        return make_resource(body, HTML_TYPE, modified, cache_control, SECURITY_HEADERS)

    return _send(snapshot.cached(key, render))


def _list_page(
    snapshot: Snapshot,
    prefix: str,
    articles: Sequence[Article],
    withdrawn: tuple[Withdrawal, ...],
    number: int | None,
    template: str,
    card_text: tuple[str, str],
    **context: object,
) -> BaseResponse:
    """Send page ``number`` of a list of articles (None: its first page, at the list's own path).

    ``card_text``: the title and description of the list in link previews.

    :raise 404: no such page (0, past the last, or a number not written plainly, such as ``02``).
    :return: a 301 to the list's own path for ``/page/1``.
    """
    site = snapshot.catalog.site
    per_page = site.articles_per_page
    count = page_count(len(articles), per_page)
    if number is not None:
        # int matches "02" and non-ASCII digits too: one URL per page, as in the export
        if request.path.rsplit("/", 1)[-1] != str(number) or not 1 <= number <= count:
            abort(404, f"There is nothing at {request.path}: this list has {count} page{'s' if count > 1 else ''}.")
        if number == 1:
            # absolute, from base_url (_pin_location keeps it there); 301: /page/1 will never be a page
            return redirect(site.url(list_page_path(prefix, 1)), 301)
    number = number or 1
    first = (number - 1) * per_page
    pager = Pager(prefix, number, count, articles[first : first + per_page], first + 1)
    title, description = card_text
    if number > 1:
        title = f"{title} · Page {number}"
    listed = [(a.title, article_path(a.slug)) for a in pager.articles]
    context["card"] = list_card(site, pager.path, title, description, listed, home=pager.path == "/")

    def last_modified() -> datetime:
        # The newest change of the whole list, not of this page's own articles: a newly
        # published article moves one article from every page onto the next, a withdrawal
        # moves one back, so a page's bytes change when its own articles' dates do not
        # (taking them alone, Last-Modified could even go back in time, and a client's
        # If-Modified-Since be answered 304 for a page that changed). Over the whole list
        # it moves whenever an article is published, edited or withdrawn; an edit moves it
        # on pages that did not change too, which costs one 200 where a 304 would do.
        return list_updated(articles, withdrawn, site_epoch(site))  # an empty list: the site's own date

    return _page(snapshot, pager.path, template, last_modified, pager=pager, **context)


@bp.get("/")
def index() -> BaseResponse:
    """List the newest articles: page 1 of the site's list."""
    return _index(None)


@bp.get("/page/<int:number>")
def index_page(number: int) -> BaseResponse:
    """List older articles, ``articles_per_page`` a page. :raise 404: no such page."""
    return _index(number)


def _index(number: int | None) -> BaseResponse:
    snapshot = _snapshot()
    catalog = snapshot.catalog
    site = catalog.site
    text = (site.title, site.subtitle or site.title)
    return _list_page(snapshot, "", catalog.articles, catalog.withdrawn, number, "index.html", card_text=text)


@bp.get("/articles/<slug>")
def article(slug: str) -> Response:
    """Show one clean article. :raise 404: no article has this slug. :raise 410: it was withdrawn."""
    snapshot = _snapshot()
    catalog = snapshot.catalog
    if slug not in catalog.by_slug:
        gone = catalog.gone.get(slug)
        if gone is not None:
            abort(410, f"“{gone.title}” was withdrawn by the publisher on {human_date(gone.when)}.")
        abort(404, f"There is no article at /articles/{slug}.")
    # made only to render the page: a server's catalog reads it from its record (build/records.py)
    found: Callable[[], Article] = functools.cache(lambda: catalog.by_slug[slug])

    def shown() -> dict[str, object]:
        article = found()
        return {
            "article": article,
            "body": functools.partial(_article_body, article),
            "source": catalog.sources.get(article.source) if article.source else None,
            "card": article_card(article, catalog.site),
        }

    return _made_page(snapshot, article_path(slug), "article.html", lambda: found().updated, shown)


def _article_body(article: Article) -> tuple[Markup, Image | None]:
    """Return the article's HTML as its page shows it and the lead figure above it (called when rendered)."""
    shown = page_body(article.content_html, article.image)
    # cleaned and sanitised by clean.py; only img attributes and the tables' scrolling regions added
    return Markup(shown.html), shown.lead


def _facet_page(kind: str, key: str, number: int | None = None) -> BaseResponse:
    snapshot = _snapshot()
    facet = snapshot.catalog.facets(kind).get(key)
    if facet is None:
        # /tags/Apple: the tag's URL written another way (case, spaces) is a 301 to its one URL
        moved = _to_facet(kind, key, "" if number is None else f"/page/{number}")
        if moved is not None:
            return moved
        abort(404, f"There is nothing at {facet_path(kind, key)}.")
    site = snapshot.catalog.site
    heading = f"Articles by {facet.name}" if kind == "authors" else facet.name
    return _list_page(
        snapshot,
        facet.path,
        facet.articles,
        facet.withdrawn,
        number,
        "facet.html",
        facet=facet,
        heading=heading,
        card_text=(heading, f"{heading} · {site.title}"),
        # this page's own feeds first: readers offer the first one by default
        feeds=feed_links(f"{facet.path}/feed", facet_title(facet, site)) + feed_links("/feed", site.title),
    )


@bp.get("/tags/<key>")
def tag(key: str) -> BaseResponse:
    """List the newest articles of one tag. :raise 404: no article has it."""
    return _facet_page("tags", key)


@bp.get("/tags/<key>/page/<int:number>")
def tag_page(key: str, number: int) -> BaseResponse:
    """List older articles of one tag. :raise 404: no article has it, or no such page."""
    return _facet_page("tags", key, number)


@bp.get("/authors/<key>")
def author(key: str) -> BaseResponse:
    """List the newest articles of one author. :raise 404: no article names them."""
    return _facet_page("authors", key)


@bp.get("/authors/<key>/page/<int:number>")
def author_page(key: str, number: int) -> BaseResponse:
    """List older articles of one author. :raise 404: no article names them, or no such page."""
    return _facet_page("authors", key, number)


@bp.get("/sources/<key>")
def source(key: str) -> BaseResponse:
    """List the newest articles a followed source brought. :raise 404: site.toml has no such source."""
    return _facet_page("sources", key)


@bp.get("/sources/<key>/page/<int:number>")
def source_page(key: str, number: int) -> BaseResponse:
    """List older articles of one followed source. :raise 404: no such source, or no such page."""
    return _facet_page("sources", key, number)


@bp.get("/feed<any('.atom', '.rss', '.json'):ext>")
@bp.get("/tags/<key>/feed<any('.atom', '.rss', '.json'):ext>")
@bp.get("/authors/<key>/feed<any('.atom', '.rss', '.json'):ext>")
@bp.get("/sources/<key>/feed<any('.atom', '.rss', '.json'):ext>")
@bp.get("/archive/<month>.atom")
def feed(key: str | None = None, ext: str = "", **_: str) -> BaseResponse:
    """Send a subscription feed or an archive document. :raise 404: there is none at this path."""
    resource = _snapshot().feed(request.path)
    if resource is None:
        moved = _to_facet(request.path.split("/")[1], key, f"/feed{ext}") if key is not None else None
        if moved is not None:
            return moved  # /tags/Apple/feed.atom
        abort(404, f"There is no feed at {request.path}.")
    return _send(resource)


@bp.get("/healthz")
def healthz() -> Response:
    """Report liveness, the snapshot version and what is not published as it is in the folder.

    ``status``: "ok" when every file is published as it is; "degraded" (still
    200: the worker serves) when an article file is rejected (``rejected``) or
    held at its last good version (``held``), another file has a problem
    (``other_problems``: the revisions ledger, a rules file, the icon or logo,
    held at its last good bytes when ``serving`` says so), or a followed source is failing (its last poll
    could not read it, or it asked us to wait: listed under
    ``failing_sources`` with the reason, the fix and since when); "stale"
    when the folder itself cannot be read.
    Paths are given from the content folder (``articles/x.html``): where the
    server keeps its files is none of a client's business. ``sources``: each
    followed source's last success, last error, items seen and next poll.
    """
    catalog: Catalog = _snapshot().catalog
    local = _from_content_folder(str(current_app.config["CONTENT_DIR"]))
    # a file that is no article (the revisions ledger, a rules file, the icon or logo): not an article rejected
    errors, held, others = sorted_problems(catalog.problems, Path(current_app.config["CONTENT_DIR"]))
    fault = _state().fault
    sources = _state().source_status()
    failing = [s for s in sources if s.get("failing_since")]
    content = {"status": "ok"} if fault is None else {
        "status": "unreadable", **{k: local(v) for k, v in fault.items()},
        "serving": f"the last good snapshot, version {catalog.version}"}  # fmt: skip

    def described(problem: Problem) -> dict[str, str | None]:
        reason = local(problem.message)
        fields = {"path": local(str(problem.path)), "reason": reason, "fix": reason.partition("; ")[2] or None,
                  "since": problem.since.isoformat() if problem.since else None}  # fmt: skip
        return {**fields, "serving": problem.served} if problem.served else fields

    response = jsonify(
        {
            "status": "stale" if fault is not None else "degraded" if errors or held or others or failing else "ok",
            "content": content,
            "version": catalog.version,
            "articles": len(catalog.articles),
            "withdrawn": len(catalog.withdrawn),
            "rejected": [described(p) for p in errors],
            "held": [described(p) for p in held],
            "other_problems": [described(p) for p in others],
            "warnings": [
                {"path": local(str(p.path)), "reason": local(p.message)}
                for p in catalog.problems
                if p.severity == "warning"
            ],
            "sources": sources,
            "failing_sources": [
                {
                    "source": s["name"],
                    "url": s["url"],
                    "reason": s["last_error"],
                    "fix": s["fix"],
                    "since": s["failing_since"],
                    "next_poll": s["next_poll"],
                }
                for s in failing
            ],
        }
    )
    response.cache_control.no_store = True
    return response


@functools.lru_cache(maxsize=8)  # once per folder, not a realpath() per probe of /healthz
def _from_content_folder(content_dir: str) -> Callable[[str], str]:
    """Return a function rewriting absolute paths under ``content_dir`` in a text as paths from it."""
    folder = Path(content_dir)
    prefixes = sorted({f"{folder.resolve()}{os.sep}", f"{folder.absolute()}{os.sep}"}, key=len, reverse=True)
    folders = {p.rstrip(os.sep) for p in prefixes}

    def local(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return "." if text in folders else text

    return local


def _pin_location(response: Response) -> Response:
    """Rebase an absolute Location on the site's base URL.

    Werkzeug's own redirects (``//feed.atom`` -> ``/feed.atom``, a missing
    trailing slash) build their URL from the request's Host header. Also
    marks every response ``nosniff`` (static files, /healthz and /metrics too).
    """
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not 300 <= response.status_code < 400:  # only redirects carry one (Werkzeug's among them)
        return response
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            site = _snapshot().catalog.site
            prefix = urlsplit(site.base_url).path.rstrip("/")
            path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix + "/") else parts.path
            response.headers["Location"] = site.url(path or "/") + (f"?{parts.query}" if parts.query else "")
            if not response.is_streamed:
                # Werkzeug's redirect page links the Host-derived URL too: link the rebased one
                target = escape(response.headers["Location"])
                response.set_data(
                    f'<!doctype html>\n<title>Redirecting</title>\n<p><a href="{target}">{target}</a></p>\n'
                )
    return response


def _error_page(error: HTTPException) -> Response:
    """Render every HTTP error as a small page in the site's style."""
    site = _snapshot().catalog.site
    body = render_template("error.html", site=site, error=error, feeds=feed_links("/feed", site.title))
    response = Response(body, status=error.code or 500, content_type=HTML_TYPE)
    response.headers.extend(SECURITY_HEADERS)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


# --- discovery: sitemap, robots.txt, the directory of feeds ----------------------------

_sitemaps: weakref.WeakKeyDictionary[Snapshot, dict[str, bytes]] = weakref.WeakKeyDictionary()
_sitemaps_lock = threading.Lock()


def sitemap_documents(snapshot: Snapshot, config: Mapping[str, object]) -> dict[str, bytes]:
    """Return the sitemap documents of ``snapshot`` (path -> body), made once per snapshot.

    ``config`` is the app's: ``SITEMAP_MAX_URLS`` and ``SITEMAP_MAX_BYTES`` bound each file.
    """
    with _sitemaps_lock:
        found = _sitemaps.get(snapshot)
    if found is None:
        max_urls, max_bytes = config.get("SITEMAP_MAX_URLS", 50_000), config.get("SITEMAP_MAX_BYTES", 52_428_800)
        found = sitemaps(snapshot.catalog, int(str(max_urls)), int(str(max_bytes)))
        with _sitemaps_lock:
            found = _sitemaps.setdefault(snapshot, found)
    return found


def _document(snapshot: Snapshot, key: str, body: Callable[[], bytes], media_type: str) -> Response:
    """Send a discovery document of ``snapshot``, dated by the newest change of the site's articles."""
    catalog = snapshot.catalog

    def render() -> Resource:
        modified = list_updated(catalog.articles, catalog.withdrawn, site_epoch(catalog.site))
        cache_control = f"public, max-age={int(current_app.config['PAGE_MAX_AGE'])}"
        return make_resource(body(), media_type, modified, cache_control, (("X-Content-Type-Options", "nosniff"),))

    return _send(snapshot.cached(key, render))


@bp.get("/sitemap.xml")
@bp.get("/sitemap-<int:number>.xml")
def sitemap(number: int | None = None) -> Response:
    """Send the sitemap, or the sitemap index and its parts. :raise 404: no such part."""
    snapshot = _snapshot()
    documents = sitemap_documents(snapshot, current_app.config)
    body = documents.get(request.path)
    if body is None:
        abort(404, f"There is no sitemap at {request.path}; the site's is {SITEMAP_PATH}.")
    return _document(snapshot, request.path, lambda: body, SITEMAP_TYPE)


@bp.get("/robots.txt")
def robots() -> Response:
    """Send robots.txt: crawlers welcome and the sitemap named, or (``crawlers = "deny"``) kept out."""
    snapshot = _snapshot()
    return _document(snapshot, ROBOTS_PATH, lambda: robots_txt(snapshot.catalog.site), TEXT_TYPE)


@bp.get("/feeds.opml")
def feeds_opml() -> Response:
    """Send the OPML 2.0 list of every feed: the site's, each tag's and each author's."""
    snapshot = _snapshot()
    return _document(snapshot, OPML_PATH, lambda: opml(snapshot.catalog), OPML_TYPE)


@bp.get("/feeds")
def feeds_page() -> Response:
    """List every feed of the site with the URL to paste into a reader."""
    snapshot = _snapshot()
    catalog = snapshot.catalog

    def last_modified() -> datetime:
        return list_updated(catalog.articles, catalog.withdrawn, site_epoch(catalog.site))

    sections = feed_directory(catalog)
    site = catalog.site
    listed = [(title, path) for _, groups in sections for group in groups for path, _, title in group.feeds]
    card = list_card(site, FEED_LIST_PATH, f"Feeds · {site.title}", f"Every feed of {site.title}", listed)
    return _page(snapshot, FEED_LIST_PATH, "feeds.html", last_modified, sections=sections, card=card)


@bp.get("/tags")
@bp.get("/authors")
def facet_index_page() -> Response:
    """List every tag or every author with their number of articles, their page and their feed."""
    snapshot = _snapshot()
    catalog = snapshot.catalog
    kind = request.path.lstrip("/")
    entries = facet_index(catalog, kind)
    heading = "Tags" if kind == "tags" else "Authors"
    site = catalog.site

    def last_modified() -> datetime:
        return list_updated(catalog.articles, catalog.withdrawn, site_epoch(site))

    card = list_card(
        site,
        request.path,
        f"{heading} · {site.title}",
        f"Every {'tag' if kind == 'tags' else 'author'} of {site.title}, with their articles and feeds",
        [(entry.name, entry.page) for entry in entries],
    )
    return _page(
        snapshot, request.path, "facets.html", last_modified, kind=kind, heading=heading, entries=entries, card=card
    )


# --- the site's icon and logo -----------------------------------------------------------


@bp.get("/favicon.ico")
@bp.get("/<any(icon, logo):name>.<any(png, jpg, jpeg, gif, webp, svg, ico):suffix>")
def picture(name: str = "icon", suffix: str = "") -> Response:
    """Send the icon or logo site.toml names, as the snapshot's build read its file; ``/favicon.ico`` is the icon.

    The bytes the snapshot was built with (its ``SiteImage.digest``), not the file as it is now: edited,
    deleted or made unreadable since, it is published by the next build that reads it, or never.

    :raise 404: site.toml names none (or an image elsewhere), or not with this suffix.
    """
    snapshot = _snapshot()
    site = snapshot.catalog.site
    image: SiteImage | None = site.icon if name == "icon" else site.logo
    if image is None or not image.path or (suffix and image.path != request.path):
        abort(404, f"This site has no {name} at {request.path}; site.toml's '{name}' names it.")
    file = snapshot.pictures.get(image.digest)
    if file is None:  # a snapshot made without reading the site's files (build_snapshot of a catalog alone)
        abort(404, f"The {name} file named in site.toml was not read by the build this version comes from.")

    def render() -> Resource:
        cache_control = f"public, max-age={int(current_app.config['PAGE_MAX_AGE'])}"
        moment = datetime.fromtimestamp(int(file.modified), UTC)
        # as it is, in no other coding: a PNG, JPEG, GIF or WebP is compressed already, and one coding
        # keeps the static export and nginx's answer simple (deploy/nginx/feedsvc-static.conf); its handle
        # on the bytes kept on disk, if that is what the build made, so no worker holds a copy of them
        variants = {IDENTITY: Variant(file.data, body_etag(file.body), IDENTITY)}
        return Resource(image.media_type, moment, cache_control, variants, (("X-Content-Type-Options", "nosniff"),))

    return _send(snapshot.cached(f"{request.path}#{image.digest}", render))


# --- friendly URLs: 301 to the one URL of each resource --------------------------------


@bp.get("/feed")
@bp.get("/feed/")
@bp.get("/atom.xml")
@bp.get("/rss.xml")
@bp.get("/index.xml")
def feed_alias() -> BaseResponse:
    """Redirect a feed path other software uses to the site's feed."""
    return redirect(_snapshot().catalog.site.url(FEED_ALIASES[request.path]), 301)


@bp.get("/articles/<slug>/")
def article_slash(slug: str) -> BaseResponse:
    """Redirect ``/articles/<slug>/`` to the article's one URL. :raise 404: no article had this slug."""
    catalog = _snapshot().catalog
    if slug not in catalog.by_slug and slug not in catalog.gone:
        abort(404, f"There is no article at /articles/{slug}.")
    return redirect(catalog.site.url(article_path(slug)), 301)


@bp.get("/tags/")
@bp.get("/authors/")
def facet_index_slash() -> BaseResponse:
    """Redirect ``/tags/`` and ``/authors/`` to the list of every tag or author."""
    return redirect(_snapshot().catalog.site.url(FACET_INDEX_PATHS[request.path.strip("/")]), 301)


@bp.get("/tags/<key>/")
@bp.get("/authors/<key>/")
@bp.get("/sources/<key>/")
def facet_slash(key: str) -> BaseResponse:
    """Redirect a tag's, author's or source's page asked with a trailing slash or another case. :raise 404: none."""
    kind = request.path.split("/")[1]
    return _to_facet(kind, key, "", slash=True) or abort(404, f"There is nothing at {request.path}.")


def _to_facet(kind: str, key: str, rest: str, *, slash: bool = False) -> BaseResponse | None:
    """Return a 301 to ``/<kind>/<its key><rest>`` if ``key`` names a tag or author another way, else None.

    ``slash``: the path asked had a trailing slash, so the facet's own key is another way too.
    """
    catalog = _snapshot().catalog
    facets: Mapping[str, Facet] = catalog.facets(kind)
    canonical = key if key in facets else facet_key(key)
    if canonical not in facets or (canonical == key and not slash):
        return None  # nothing by that name, or already its own URL: never a redirect to itself
    return redirect(catalog.site.url(facet_path(kind, canonical) + rest), 301)
