"""The body of ``feedsvc follow``: poll the sources of site.toml, print what each one brought.

Kept out of ``main.py`` so that the command table stays short.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import click

from feedsvc.content.loader import load_site
from feedsvc.content.site import SiteConfigError
from feedsvc.follow.follower import SourceReport, summary_counts
from feedsvc.follow.running import Following, FollowOptions, follow_once, source_status

__all__ = ["EXIT_UNREADABLE", "report_lines", "run_follow", "status_lines"]

EXIT_UNREADABLE = 1  # a source could not be read at all


def run_follow(
    content_dir: Path, once: bool, force: bool, options: FollowOptions, shown: Callable[[str], str] = str
) -> int:
    """Poll the due sources (``once``), or keep following them until interrupted; return the exit status.

    ``shown`` makes a line safe to print (``feedsvc.cli.main.shown``: URLs and reasons come from other sites).
    """
    logging.getLogger("feedsvc").setLevel(logging.ERROR)  # the summary reports every problem
    try:
        site = load_site(content_dir)
    except (SiteConfigError, OSError) as error:
        raise click.ClickException(str(error)) from None
    if not site.sources:
        click.echo(f"{content_dir / 'site.toml'} has no [[source]] tables: nothing to follow (docs/following.md)")
        return 0
    if not once:
        return _follow_forever(content_dir, options)
    reports, _ = follow_once(content_dir, options, force=force, site=site)
    for line in report_lines(reports):
        click.echo(shown(line))
    for line in status_lines(content_dir, site):
        click.echo(shown(line))
    unreadable = [report for report in reports if report.unreadable]
    for report in unreadable:
        click.echo(shown(f"feedsvc follow: could not read source {report.name}: {report.error}"), err=True)
    return EXIT_UNREADABLE if unreadable else 0


def _follow_forever(content_dir: Path, options: FollowOptions) -> int:
    logging.getLogger("feedsvc").setLevel(logging.INFO)  # each round is logged as it ends
    following = Following(content_dir, options=options)
    click.echo(f"following the sources of {content_dir / 'site.toml'}; Ctrl-C stops", err=True)
    try:
        while True:
            options.sleep(max(1.0, following()))
    except KeyboardInterrupt:
        return 0
    finally:
        following.close()


def report_lines(reports: list[SourceReport]) -> list[str]:
    """Return the summary of one round: a line per source, each failure, then the totals."""
    lines: list[str] = []
    for report in reports:
        if report.status in ("paused", "not due"):
            lines.append(f"{report.name}: {report.status}")
            continue
        if report.status == "polled elsewhere":
            lines.append(f"{report.name}: polled by another process now (a server following this folder?); left to it")
            continue
        if report.error:
            lines.append(f"{report.name}: could not be read: {report.error}")
            continue
        note = " (feed not modified)" if report.status == "not modified" else ""
        deferred = f", {report.deferred} left for the next poll" if report.deferred else ""
        rechecked = f", {report.rechecked} page(s) revalidated" if report.rechecked else ""
        lines.append(
            f"{report.name}: {len(report.new)} new, {len(report.updated)} updated, {report.unchanged} unchanged, "
            f"{len(report.withdrawn)} withdrawn, {len(report.failed)} failed{deferred}{rechecked}{note}"
        )
        if report.warning:
            lines.append(f"  warning  {report.warning}")
        lines.extend(f"  failed   {url}: {reason}" for url, reason in report.failed)
    totals = summary_counts(reports)
    lines.extend(f"{key:<10} {totals[key]}" for key in ("new", "updated", "unchanged", "withdrawn", "failed"))
    lines.append(f"{'unreadable':<10} {totals['unreadable']} source(s)")
    return lines


def status_lines(content_dir: Path, site: object) -> list[str]:
    """Return one line per source: its state as the state files keep it (for ``follow`` and ``check``)."""
    lines = []
    for status in source_status(content_dir, site):  # type: ignore[arg-type]
        error = status["last_error"] or "-"
        lines.append(
            f"source   {status['name']} ({status['status']}, {status['url']}): last success "
            f"{status['last_success'] or 'never'}, {status['items_seen']} items seen, next poll "
            f"{status['next_poll']}{' (due)' if status['due'] and status['status'] == 'active' else ''}; "
            f"last error: {error}"
            + (f"; failing since {status['failing_since']}: {status['fix']}" if status["failing_since"] else "")
        )
    return lines
