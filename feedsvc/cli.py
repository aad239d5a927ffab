"""The ``feedsvc`` command: serve, check and clean from the shell."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__

CONTENT_OPTION = click.option(
    "--content",
    "content_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("content"),
    show_default=True,
    help="The content folder: site.toml and articles/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedsvc")
def main() -> None:
    """Publish clean news articles as Atom and RSS feeds and clean pages."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@CONTENT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--base-url", default=None, help="Override site.toml's base_url (the URL readers reach the site at).")
def serve(content_dir: Path, host: str, port: int, workers: int, base_url: str | None) -> None:
    """Serve the site with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from . import create_app
    from .config import SiteConfigError

    config: dict[str, Any] = {"CONTENT_DIR": str(content_dir)}
    if base_url:
        config["BASE_URL"] = base_url
    try:
        # Built once in the master and shared by the forked workers.
        app = create_app(config)
    except (SiteConfigError, OSError) as error:
        raise click.ClickException(str(error)) from None

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("preload_app", True)
            self.cfg.set("accesslog", "-")
            self.cfg.set("errorlog", "-")

        def load(self) -> Any:
            return app

    click.echo(f"feedsvc {__version__}: serving {content_dir} at http://{host}:{port}/", err=True)
    Server().run()


@main.command()
@CONTENT_OPTION
def check(content_dir: Path) -> None:
    """Load and clean every article; report each one and each problem.

    Exits with status 1 when any article could not be published.
    """
    from .config import SiteConfigError
    from .snapshot import load_catalog

    logging.getLogger("feedsvc").setLevel(logging.CRITICAL)  # the report below says it all once
    try:
        catalog = load_catalog(content_dir)
    except (SiteConfigError, OSError) as error:
        raise click.ClickException(str(error)) from None
    for article in catalog.articles:
        click.echo(f"ok       {article.slug}")
        click.echo(f"         title:     {article.title}")
        click.echo(f"         published: {article.published.isoformat()}  updated: {article.updated.isoformat()}")
        click.echo(f"         authors:   {', '.join(article.authors)}")
        click.echo(f"         tags:      {', '.join(article.tags) or '-'}")
        click.echo(f"         id:        {article.entry_id}")
    for problem in catalog.problems:
        click.echo(f"{problem.severity:<8} {problem.path}: {problem.message}")
    errors = sum(1 for p in catalog.problems if p.severity == "error")
    warnings = len(catalog.problems) - errors
    click.echo(f"{len(catalog.articles)} published, {errors} not published, {warnings} warnings")
    if errors:
        sys.exit(1)


@main.command()
@click.argument("source", type=click.File("rb"))
@click.option("--url", default=None, help="The page's URL, to make its links and images absolute.")
def clean(source: Any, url: str | None) -> None:
    """Print the cleaned article HTML of SOURCE (a file, or - for standard input)."""
    from .clean import clean_html
    from .content import decode_html

    click.echo(clean_html(decode_html(source.read()), base_url=url))


if __name__ == "__main__":
    main()
