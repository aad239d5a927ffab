"""``feedsvc build`` (the static export) and what ``check``, ``build`` and ``serve`` share: cache options, progress."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["cache_setting", "hush_logs", "progress_bar", "run_build"]


def cache_setting(cache_dir: Path | None, no_cache: bool) -> str | None:
    """Return the CACHE_DIR setting for the cache options ("" is none, None the default)."""
    return "" if no_cache else (str(cache_dir) if cache_dir else None)


def hush_logs() -> None:
    """Quiet feedsvc's log while the running command lasts: its report says each thing once.

    The level is put back when the command's click context closes, so a
    program (or a test) that runs commands in its own process keeps its
    logging as it was: set for good, a log-capturing test run after
    ``check`` or ``build`` saw nothing of the service's warnings.
    """
    logger = logging.getLogger("feedsvc")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(lambda: logger.setLevel(level))


def progress_bar(total: int, what: str) -> Any:
    """Show a progress bar on standard error (when it is a terminal); return its advance function."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the cleaning pool then forks (fast) rather than spawns
    bar = tqdm(total=total, desc=what, unit="file" if what == "cleaning" else "doc", file=sys.stderr,
               disable=None, leave=False, mininterval=0.25, dynamic_ncols=True)  # fmt: skip

    def advance(count: int) -> None:
        bar.update(count)
        if bar.n >= total:
            bar.close()

    return advance


def run_build(target: Path, content_dir: Path, cache_dir: Path | None, no_cache: bool, base_url: str | None) -> int:
    """Export the site into ``target``; print a summary; return the exit status (1: an article left out)."""
    from feedsvc.app import create_app
    from feedsvc.catalog.assembly import UNDATED_NOTE
    from feedsvc.content.site import SiteConfigError
    from feedsvc.web.export import ExportError, check_target, export_site

    hush_logs()  # the summary below says it all once
    config: dict[str, Any] = {"CONTENT_DIR": str(content_dir), "WEBSUB_ANNOUNCE_AT_START": False,
                              "PROGRESS": progress_bar}  # fmt: skip
    if base_url:
        config["BASE_URL"] = base_url
    if cache_setting(cache_dir, no_cache) is not None:
        config["CACHE_DIR"] = cache_setting(cache_dir, no_cache)
    try:
        check_target(target, content_dir)
        app = create_app(config)
        written = export_site(app, target, content_dir, progress=lambda total: progress_bar(total, "writing"))
    except (SiteConfigError, OSError, ExportError) as error:
        raise click.ClickException(str(error)) from None
    catalog = app.extensions["feedsvc"].snapshot.catalog
    errors = [problem for problem in catalog.problems if problem.severity in ("error", "held")]
    # an undated article is published as of when feedsvc first saw it: say so, with the line that pins it
    undated = [problem for problem in catalog.problems if problem.message.startswith(UNDATED_NOTE)]
    for problem in (*errors, *undated):
        click.echo(f"{problem.severity:<8} {problem.path}: {problem.message}", err=True)
        if problem.served:
            click.echo(f"         serving: {problem.served}, until this file loads", err=True)
    held = sum(1 for problem in errors if problem.severity == "held")
    click.echo(
        f"{target}: {written} files; {len(catalog.articles)} articles, {len(errors) - held} not published, "
        f"{held} held at their last good version"
    )
    return 1 if errors else 0
