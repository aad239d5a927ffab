"""``feedsvc build`` (the static export) and what ``check``, ``build`` and ``serve`` share: cache options, progress,
the counts of their summaries."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import click

from feedsvc.content.listing import problem_files
from feedsvc.model import Problem

__all__ = ["Tally", "cache_setting", "hush_logs", "progress_bar", "run_build", "tally"]


@dataclass(frozen=True)
class Tally:
    """What a summary counts: the article files not published and held, and the other files with an error."""

    not_published: int  # files of articles/ with an error: an article (or what stands in its place) left out
    held: int  # files of articles/ whose article's last good version is published instead
    others: tuple[str, ...]  # the other files with an error (the revisions ledger, a rules file), sorted

    def others_line(self) -> str | None:
        """Return the summary's line of the other problems ("1 other problem: <file>"), or None if there are none."""
        if not self.others:
            return None
        count = len(self.others)
        return f"{count} other problem{'' if count == 1 else 's'}: {', '.join(self.others)}"


def tally(problems: Iterable[Problem], content_dir: PurePath) -> Tally:
    """Count ``problems`` as the summaries of ``check`` and ``build`` name them (``/healthz`` lists them so).

    A file of ``content_dir``'s ``articles/`` with an error is an article not published; any other file with
    one, or held at its last good bytes (the revisions ledger that cannot be written, a rules file that cannot
    be read, an icon that cannot be read), is no article: counted as one ("1 not published") it was reported
    while every article was published.
    """
    rejected, held, others = problem_files(problems, content_dir)
    return Tally(len(rejected), len(held), tuple(sorted(str(path) for path in others)))


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
    """Export the site into ``target``; print a summary; return the exit status (1: an article left out or held,
    or another problem)."""
    from feedsvc.app import create_app
    from feedsvc.catalog.assembly import NEW_ID_NOTE, UNDATED_NOTE
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
    # an undated article is published as of when feedsvc first saw it: say so, with the line that pins it; and
    # an id pinned on an article readers have under another is a second entry in every reader: say so, this once
    notes = [problem for problem in catalog.problems if problem.message.startswith((UNDATED_NOTE, NEW_ID_NOTE))]
    for problem in (*errors, *notes):
        click.echo(f"{problem.severity:<8} {problem.path}: {problem.message}", err=True)
        if problem.served:
            click.echo(f"         serving: {problem.served}, until this file loads", err=True)
    counts = tally(errors, content_dir)
    click.echo(
        f"{target}: {written} files; {len(catalog.articles)} articles, {counts.not_published} not published, "
        f"{counts.held} held at their last good version"
    )
    others = counts.others_line()
    if others:
        click.echo(others)
    return 1 if errors else 0
