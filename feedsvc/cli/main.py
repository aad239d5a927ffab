"""The ``feedsvc`` command: serve, check, clean, import and follow from the shell."""

from __future__ import annotations

import logging
import os
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feedsvc.version import __version__

if TYPE_CHECKING:  # the commands import what they need when run: `feedsvc --help` stays quick
    from feedsvc.model import Image

__all__ = ["CACHE_OPTION", "CONTENT_OPTION", "NO_CACHE_OPTION", "image_line", "main", "shown"]

CONTENT_OPTION = click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("content"),
    show_default=True,
    help="The content folder: site.toml and articles/.",
)
CACHE_OPTION = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The build cache folder  [default: CONTENT/.feedsvc/cache].",
)
NO_CACHE_OPTION = click.option("--no-cache", is_flag=True, help="Build without the cache (neither read nor written).")
# the fetching commands (import, follow) share these
CONNECT_TIMEOUT_OPTION = click.option(
    "--connect-timeout",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.001),
    help="Seconds to wait for a connection.",
)
READ_TIMEOUT_OPTION = click.option(
    "--read-timeout",
    default=15.0,
    show_default=True,
    type=click.FloatRange(min=0.001),
    help="Seconds to wait for the server between reads.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedsvc")
def main() -> None:
    """Publish clean news articles as Atom, RSS and JSON feeds and as clean pages."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@CONTENT_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0: a free one, printed at start. A site.toml base_url naming this machine "
    "(localhost, 127.0.0.1, ::1) follows it.",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option(
    "--base-url",
    default=None,
    help="Override site.toml's base_url (the URL readers reach the site at); links start there whatever the port.",
)
@click.option(
    "--check-config",
    is_flag=True,
    help="Validate site.toml and load the content exactly as serving would, report, and exit "
    "(status 1 if the service could not start); serves nothing.",
)
@click.option(
    "--watch/--no-watch",
    default=True,
    show_default=True,
    help="Publish changes to the content folder within seconds, without a restart.",
)
@click.option(
    "--pid",
    "pid_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the server's process id to this file. On SIGUSR2 the server starts its successor "
    "(this command again, on the socket it listens on), which writes FILE.2 once its first build is done; "
    "docs/deployment.md has the restart that refuses no connection.",
)
def serve(
    content_dir: Path,
    cache_dir: Path | None,
    no_cache: bool,
    host: str,
    port: int,
    workers: int,
    base_url: str | None,
    check_config: bool,
    watch: bool,
    pid_file: Path | None,
) -> None:
    """Serve the site with gunicorn; logs are JSON lines on standard error and output.

    The site is built by a publisher process the master forks first (the
    workers then hold only what they serve). With --watch, it rebuilds the
    site when the content folder changes (re-cleaning only changed
    articles), and the master replaces the workers gracefully with ones
    holding the new version. With --no-watch the server serves the first
    build until it is restarted, and the publisher process exits once that
    build is done.

    A socket handed over by systemd's socket activation or by the server
    this one succeeds (SIGUSR2) is listened on instead of --host and --port
    (--port, if given, must be its port).
    """
    from feedsvc.app import create_gunicorn_app
    from feedsvc.cli.build import cache_setting, hush_logs
    from feedsvc.content.site import SiteConfigError
    from feedsvc.serve.gunicorn import (
        EmbeddedServer,
        Hooks,
        JsonLogger,
        bind_listener,
        empty_multiprocess_dir,
        inherited_listener,
        log_json_lines,
    )
    from feedsvc.serve.publisher import PublisherError
    from feedsvc.settings import ServiceConfigError

    if check_config:
        hush_logs()  # the report says it all once
    else:
        log_json_lines()
        empty_multiprocess_dir()  # before the app counts anything there
    config: dict[str, Any] = {"CONTENT_DIR": str(content_dir)}
    if base_url:
        config["BASE_URL"] = base_url
    if cache_setting(cache_dir, no_cache) is not None:
        config["CACHE_DIR"] = cache_setting(cache_dir, no_cache)
    listener = None
    inherited = None  # who handed the socket over, when this server did not bind it
    if not check_config:
        try:
            handed = inherited_listener()
        except OSError as error:
            raise click.ClickException(f"cannot listen on the inherited socket: {error}") from None
        if handed is not None:
            listener, inherited = handed
            host, port = _inherited_address(listener, port, click.get_current_context())
        else:
            try:
                listener = bind_listener(host, port)
            except OSError as error:
                raise click.ClickException(
                    f"cannot listen on {host}:{port}: {error.strerror or error}; "
                    "pick another --port (0: any free one) or stop what holds it"
                ) from None
            port = listener.getsockname()[1]
    if port:
        config["LISTEN_PORT"] = port  # a loopback base_url of site.toml follows it
    try:
        # Built once, by a publisher process the master forks, and shared by the forked workers;
        # the hub hears of changes once the server listens (Hooks.when_ready), not on a config check.
        app = create_gunicorn_app(config)
    except (ServiceConfigError, SiteConfigError, PublisherError, OSError) as error:
        if listener is not None:
            listener.close()
        raise click.ClickException(str(error)) from None
    if check_config:
        _report_config(app, content_dir)
        app.extensions["feedsvc"].close()  # the publisher exits with it
        return
    assert listener is not None  # bound above unless only checking
    shown_host = f"[{host}]" if ":" in host else host
    links = app.extensions["feedsvc"].snapshot.catalog.site.base_url
    click.echo(
        f"feedsvc {__version__}: serving {content_dir} at http://{shown_host}:{port}/ (links: {links}/)"
        + (f", on the socket handed over by {inherited}" if inherited else ""),
        err=True,
    )
    mismatch = _port_mismatch(links, port)
    if mismatch:
        click.echo(f"warning: {mismatch}", err=True)
    active = [s.name for s in app.extensions["feedsvc"].snapshot.catalog.site.sources if s.status == "active"]
    if active and not watch and app.config["FOLLOW"]:
        click.echo(
            f"warning: --no-watch: the sources of site.toml ({', '.join(active)}) are not followed, since nothing "
            "would publish what they bring until a restart; serve without --no-watch to follow them, or run "
            "`feedsvc follow --once` from cron and restart to publish",
            err=True,
        )
    if inherited:
        # gunicorn takes the inherited descriptors itself (from the environment): named again, it would
        # take one twice; the address, as it reads, is what a configuration reload compares
        listener.close()
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    else:
        bind = f"fd://{listener.detach()}"  # gunicorn listens on it (and closes this descriptor)
    settings = {
        "bind": bind,
        "pidfile": str(pid_file) if pid_file else None,
        "workers": workers,
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
        "logger_class": JsonLogger,
        "control_socket_disable": True,  # gunicorn 25.1+: one default path per user, which instances would share
    }
    # a SIGUSR2 runs this command again by module, with the interpreter at the path it was started as
    successor = [sys.executable, "-m", "feedsvc.cli", *sys.argv[1:]]
    EmbeddedServer(app, settings, Hooks(watch=watch, command=successor)).run()


def _inherited_address(listener: Any, port: int, context: click.Context) -> tuple[str, int]:
    """Return the host and port an inherited socket listens on; --port, if given, must be that port."""
    host, bound = listener.getsockname()[:2]
    given = context.get_parameter_source("port") is not click.core.ParameterSource.DEFAULT
    if given and port not in (0, bound):
        listener.close()
        raise click.ClickException(
            f"the inherited socket listens on port {bound}, not --port {port}: drop --port or make them the same"
        )
    return host, bound


def _port_mismatch(base_url: str, port: int) -> str | None:
    """Say why links made with ``base_url`` miss a server listening on ``port`` of this machine (None: they don't)."""
    from urllib.parse import urlsplit

    from feedsvc.content.site import follows_listen_port

    parts = urlsplit(base_url)
    if not follows_listen_port(base_url) or (parts.port or {"https": 443}.get(parts.scheme, 80)) == port:
        return None
    return (
        f"links start at {base_url}, set by --base-url or FEEDSVC_BASE_URL, but this server listens on "
        f"port {port}: they lead to another server; drop the override or pass --port {parts.port or 80}"
    )


def _report_config(app: Any, content_dir: Path) -> None:
    """Print what the service would serve, as its own /healthz reports it (and counts it: ``check``'s way)."""
    from feedsvc.cli.build import Tally

    health = app.test_client().get("/healthz").get_json()
    others = health["other_problems"]  # files that are no article (/healthz names them from the content folder)
    counts = Tally(len(health["rejected"]), len(health["held"]), tuple(sorted(p["path"] for p in others)))
    click.echo(f"config ok: {content_dir / 'site.toml'}")
    click.echo(
        f"articles:  {health['articles']} published, {counts.not_published} rejected, "
        f"{counts.held} held at their last good version"
    )
    line = counts.others_line()
    if line:
        click.echo(shown(f"others:    {line}"))
    for rejected in health["rejected"]:
        click.echo(shown(f"rejected  {rejected['path']}: {rejected['reason']}"))
    for held in health["held"]:
        click.echo(shown(f"held      {held['path']}: {held['reason']}"))
        click.echo(shown(f"          serving:   {held['serving']}, until this file loads"))
    for other in others:
        click.echo(shown(f"{'held' if other.get('serving') else 'error':<8}  {other['path']}: {other['reason']}"))
        if other.get("serving"):
            click.echo(shown(f"          serving:   {other['serving']}, until this file loads"))
    if health["rejected"] or health["held"] or others:
        click.echo(
            "(the service starts without the rejected files and serves the held ones as last published; "
            "`feedsvc check` says more)"
        )


@main.command()
@CONTENT_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
def check(content_dir: Path, cache_dir: Path | None, no_cache: bool) -> None:
    """Load and clean every article; report each one and each problem.

    Cleans in parallel, one process per CPU, and keeps what it cleaned in
    the build cache, so a following `serve` or `build` cleans nothing if it
    links from site.toml's base_url as written (not one set by --base-url or
    FEEDSVC_BASE_URL, nor one naming this machine served on another port:
    `serve --check-config` with the server's own options warms those).
    Exits with status 1 when any article could not be published or is held
    at its last good version, or another file has a problem (the revisions
    ledger, a rules file, the icon or logo): the summary counts articles,
    and the other problems on a line of their own.
    """
    from feedsvc.build.builder import Builder
    from feedsvc.catalog.assembly import metadata_place
    from feedsvc.cli.build import cache_setting, hush_logs, progress_bar, tally
    from feedsvc.content.rule_cases import rule_case_problems
    from feedsvc.content.site import SiteConfigError

    hush_logs()  # the report below says it all once
    setting = cache_setting(cache_dir, no_cache)
    cache = content_dir / ".feedsvc" / "cache" if setting is None else (Path(setting) if setting else None)
    builder = Builder(content_dir, cache_dir=cache, workers=os.cpu_count() or 1, ledger="read", progress=progress_bar)
    try:
        catalog = builder.build_catalog()
    except (SiteConfigError, OSError) as error:
        raise click.ClickException(str(error)) from None
    for article in catalog.articles:
        click.echo(shown(f"ok       {article.slug}"))
        click.echo(shown(f"         title:     {article.title}"))
        if article.slug in catalog.retitled:
            click.echo(shown(f"         (title:    {catalog.retitled[article.slug]})"))
        click.echo(f"         published: {article.published.isoformat()}  updated: {article.updated.isoformat()}")
        click.echo(shown(f"         authors:   {', '.join(article.authors)}"))
        click.echo(shown(f"         tags:      {', '.join(article.tags) or '-'}"))
        click.echo(shown(f"         image:     {image_line(article.image)}"))
        click.echo(shown(f"         id:        {article.entry_id}"))
    drafts = builder.drafts
    for draft in drafts:  # loaded and not published: said, so a draft is not taken for a file feedsvc missed
        click.echo(shown(f"draft    {draft.slug}"))
        click.echo(shown(f"         title:     {draft.metadata.title or '-'}"))
        click.echo(
            shown(f'         not published: status = "draft" in {metadata_place(draft.path)}; remove it to publish')
        )
    for gone in catalog.withdrawn:
        click.echo(shown(f"withdrawn {gone.slug}"))
        click.echo(shown(f"         title:     {gone.title}"))
        tombstone = "a tombstone in the Atom feeds" if gone.tombstone and gone.entry_id else "no tombstone (any more)"
        click.echo(f"         410 Gone since {gone.when.isoformat()}; {tombstone}")
    # the rules files' own regression cases: a publisher's folder has no test suite to run them
    cases = rule_case_problems(content_dir)
    for problem in (*catalog.problems, *cases):
        click.echo(shown(f"{problem.severity:<8} {problem.path}: {problem.message}"))
        if problem.served:
            click.echo(shown(f"         serving:   {problem.served}, until this file loads"))
    from feedsvc.cli.follow import status_lines

    for line in status_lines(content_dir, catalog.site):
        click.echo(shown(line))
    counts = tally(catalog.problems, content_dir)
    warnings = sum(1 for p in catalog.problems if p.severity == "warning") + len(cases)
    click.echo(
        f"{len(catalog.articles)} published, {counts.not_published} not published, {counts.held} held at their "
        f"last good version, {warnings} warnings"
        + (f", {len(drafts)} draft{'s' if len(drafts) > 1 else ''}" if drafts else "")
        + (f", {len(catalog.withdrawn)} withdrawn" if catalog.withdrawn else "")
    )
    others = counts.others_line()
    if others:
        click.echo(shown(others))
    if counts.not_published or counts.held or counts.others:
        sys.exit(1)


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# Where a lead image was found, as `feedsvc check` says it.
_IMAGE_ORIGINS = {"sidecar": "the sidecar", "json-ld": "JSON-LD", "opengraph": "og:image",
                  "body": "the article's first picture"}  # fmt: skip


def image_line(image: Image | None) -> str:
    """Return how ``feedsvc check`` shows a lead image: its URL, size and type when known, and where it was found."""
    if image is None:
        return "-"
    details = [f"{image.width}x{image.height}" if image.width and image.height else "", image.type or ""]
    details.append(f"from {_IMAGE_ORIGINS.get(image.origin, image.origin or 'the metadata')}")
    return f"{image.url}  ({', '.join(filter(None, details))})"


def shown(line: str) -> str:
    """Return ``line`` with control characters escaped: a file name must neither drive the terminal
    (escape sequences) nor reorder what it shows (bidirectional overrides)."""
    return "".join(
        f"\\u{ord(c):04x}" if c in _BIDI_CONTROLS else f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c
        for c in line
    )


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=Path("content"))
def init(folder: Path) -> None:
    """Start a content folder FOLDER (default: content): a commented site.toml and an example article.

    Asks nothing: the required settings get placeholders that serve at once
    on this machine, each commented with what to put there. Never
    overwrites: if site.toml or the example article exists, writes nothing
    and exits with status 1.
    """
    from datetime import date

    from feedsvc.cli.init import InitError, init_folder

    try:
        written = init_folder(folder, date.today())
    except InitError as error:
        click.echo(f"feedsvc init: {error}", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Next: edit {folder / 'site.toml'}, then `feedsvc serve --content {folder}`.")


@main.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@CONTENT_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
@click.option("--base-url", default=None, help="Override site.toml's base_url (where the files will be served).")
def build(target: Path, content_dir: Path, cache_dir: Path | None, no_cache: bool, base_url: str | None) -> None:
    """Export the whole site as files into TARGET, for a static host or a CDN.

    Every page, feed and archive, byte for byte as `serve` sends it, with
    precompressed .gz and .br files beside; docs/publishing.md ("Static
    export") has the layout and an nginx configuration. TARGET is replaced
    (it must be new, empty, or an earlier export). Exits with status 1 if
    any article could not be published or is held (the rest is exported),
    or another file has a problem (a rules file; the icon or logo, written
    as last read, or left out), counted on a line of its own.
    """
    from feedsvc.cli.build import run_build

    sys.exit(run_build(target, content_dir, cache_dir, no_cache, base_url))


@main.command()
@click.argument("source", type=click.File("rb"))
@click.option(
    "--url",
    default=None,
    help="The page's URL: links and images resolve against it and it picks the site rules. "
    "Default: the page's canonical URL (without either, relative links stay relative).",
)
@click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("content"),
    show_default=True,
    help="The content folder whose rules/<host>.toml apply to the page's host.",
)
@click.option("--no-rules", is_flag=True, help="Clean with the generic stages only, ignoring site rules.")
@click.option("--explain", is_flag=True, help="Instead of the HTML, list what each stage removed and why.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    metavar="OUT.html",
    help="Also write an HTML report: the page with every removed block marked by stage and reason.",
)
def clean(source: Any, url: str | None, content_dir: Path, no_rules: bool, explain: bool, report: Path | None) -> None:
    """Print the cleaned article HTML of SOURCE (a file, or - for standard input).

    With --explain, print what was removed instead: one line per removed
    block, grouped by stage (site rules, pruning, extraction, boilerplate,
    normalisation), then counts. A page with more elements than the content
    folder's max_article_elements (site.toml; the default without one) is
    refused, as a build would refuse it, with status 1.
    """
    from feedsvc.catalog.prepare import rules_host
    from feedsvc.clean import TooManyElements, clean_explained, clean_html, declared_url
    from feedsvc.clean.explain import format_removals
    from feedsvc.content.loader import html_text
    from feedsvc.content.rules import load_site_rules
    from feedsvc.model import ContentError

    name = str(getattr(source, "name", "-"))  # standard input has none under some runners
    try:  # the checks of `feedsvc check`: a PNG or an empty file is an error, not mojibake or silence
        html, notes = html_text(Path(name), source.read())
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    for note in notes:
        click.echo(f"warning: {name}: {note}", err=True)
    page_url = url or declared_url(html)
    rules = None
    rules_note = ""
    if page_url and not no_rules:
        all_rules, problems = load_site_rules(content_dir)
        for problem in problems:
            click.echo(f"{problem.severity}: {problem.path}: {problem.message}", err=True)
        host = rules_host(page_url)
        rules = all_rules.get(host)
        if rules is not None:
            rules_note = f"site rules: {content_dir / 'rules' / (host + '.toml')} (version {rules.version})"
    budget = _element_budget(content_dir)
    try:
        if not explain and report is None:
            click.echo(clean_html(html, base_url=page_url, rules=rules, max_elements=budget))
            return
        found = clean_explained(html, page_url, rules, max_elements=budget)
    except TooManyElements as error:
        raise click.ClickException(f"{name}: {error}") from None
    cleaned, removals = found.html, list(found.removals)
    if explain:
        click.echo(f"page: {source.name}")
        click.echo(
            f"url: {page_url or 'none (relative links stay relative)'}{'' if url or not page_url else ' (from the page)'}"
        )
        click.echo(rules_note or "site rules: none")
        click.echo(format_removals(removals, cleaned))
        click.echo(f"confidence: {'DOUBTFUL: ' if found.confidence.doubtful else ''}{found.confidence}")
    else:
        click.echo(cleaned)
    if report is not None:
        from feedsvc.clean.report import render_report

        report.write_text(
            render_report(html, removals, cleaned, source=source.name, url=page_url, rules_note=rules_note),
            encoding="utf-8",
        )
        click.echo(f"report: {report}", err=True)


def _element_budget(content_dir: Path) -> int:
    """Return the element budget of ``content_dir``'s site.toml: the default without one (a page cleaned alone)."""
    from feedsvc.content.loader import load_site
    from feedsvc.content.site import SiteConfigError
    from feedsvc.element_budget import MAX_ARTICLE_ELEMENTS, SETTING

    if not (content_dir / "site.toml").is_file():
        return MAX_ARTICLE_ELEMENTS
    try:
        return load_site(content_dir).max_article_elements
    except SiteConfigError as error:
        click.echo(f"warning: {error}; the default {SETTING} ({MAX_ARTICLE_ELEMENTS:,}) applies", err=True)
        return MAX_ARTICLE_ELEMENTS


@main.command("import")
@CONTENT_OPTION
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option(
    "--sitemap",
    "sitemaps",
    multiple=True,
    metavar="URL",
    help="Import every page a sitemap (or sitemap index, gzip or not) lists. Repeatable.",
)
@click.option(
    "--wordpress",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="EXPORT.xml",
    help="Import the published posts of a WordPress export (WXR); drafts, pages and the like are counted, "
    "not imported.",
)
@CONNECT_TIMEOUT_OPTION
@READ_TIMEOUT_OPTION
@click.option(
    "--max-bytes",
    default=None,
    type=click.IntRange(min=1),
    help="Largest page body accepted, in bytes  [default: the loader's limit, 5 MiB].",
)
def import_(
    content_dir: Path,
    urls: tuple[str, ...],
    sitemaps: tuple[str, ...],
    wordpress: Path | None,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int | None,
) -> None:
    """Import pages (URLs), sitemaps or a WordPress export into the content folder.

    Each article is stored as articles/<slug>.html with a sidecar recording
    its source and canonical URL, the time of import and its entry id
    (pinned from then on). Importing a canonical URL again updates that
    article in place. Prints a summary; exits with status 1 if anything
    failed. An interrupted run, run again, finishes the rest.
    """
    from feedsvc.cli.importing import run_import

    if not (urls or sitemaps or wordpress):
        raise click.UsageError("give at least one URL, --sitemap URL or --wordpress EXPORT.xml")
    sys.exit(run_import(content_dir, urls, sitemaps, wordpress, connect_timeout, read_timeout, max_bytes))


@main.command()
@CONTENT_OPTION
@click.option(
    "--once",
    is_flag=True,
    help="Poll every due source once, print what each brought and exit (for cron and systemd timers); "
    "without it, keep following them on their schedules until interrupted.",
)
@click.option("--force", is_flag=True, help="With --once: poll every active source now, due or not.")
@click.option(
    "--min-delay",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds between two requests to one host (a robots.txt Crawl-delay may ask for more).",
)
@CONNECT_TIMEOUT_OPTION
@READ_TIMEOUT_OPTION
def follow(
    content_dir: Path, once: bool, force: bool, min_delay: float, connect_timeout: float, read_timeout: float
) -> None:
    """Follow the [[source]]s of site.toml: import what their feeds or sitemaps list that is new or changed.

    Each new or changed item's page is fetched (politely: robots.txt, one
    request at a time per host, conditional requests) and imported as an
    article whose sidecar names its source; `feedsvc serve` publishes it. The
    state of each source is kept in CONTENT/.feedsvc/sources/. Prints, per
    source, what was new, updated, unchanged, withdrawn or failed, and why;
    exits with status 1 when a source could not be read at all.
    """
    from feedsvc.cli.follow import run_follow
    from feedsvc.follow.running import FollowOptions

    options = FollowOptions(
        min_delay=min_delay,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        total_timeout=max(60.0, 4 * read_timeout),
    )
    sys.exit(run_follow(content_dir, once, force, options, shown))


if __name__ == "__main__":
    main()
