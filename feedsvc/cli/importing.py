"""The body of ``feedsvc import``: sources to tasks, a progress bar, the summary.

Kept out of ``cli.py`` so that the command table stays short; tqdm lives
here and nowhere else.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import click
from tqdm import tqdm

from feedsvc.content.loader import MAX_ARTICLE_BYTES, load_site
from feedsvc.content.site import SiteConfigError
from feedsvc.importer.http import Fetcher, FetchSettings
from feedsvc.importer.importing import Importer, Outcome, Report, run
from feedsvc.importer.wxr import WxrError, WxrExport, parse_wxr
from feedsvc.text import without_userinfo

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "run_import"]

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


def run_import(
    content_dir: Path,
    urls: Sequence[str],
    sitemaps: Sequence[str],
    wordpress: Path | None,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int | None,
) -> int:
    """Import everything asked for, print the summary and return the exit status."""
    logging.getLogger("feedsvc").setLevel(logging.ERROR)  # the summary reports every problem
    try:
        site = load_site(content_dir)
    except (SiteConfigError, OSError) as error:
        raise click.ClickException(str(error)) from None
    export = None
    if wordpress is not None:
        try:
            export = parse_wxr(wordpress.read_bytes(), site.timezone)
        except (WxrError, OSError) as error:
            raise click.ClickException(f"{wordpress}: {error}") from None
    settings = FetchSettings(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        total_timeout=max(60.0, 4 * read_timeout),
        max_bytes=max_bytes or MAX_ARTICLE_BYTES,
        contact_url=site.base_url,
    )
    report = Report()
    try:
        with Fetcher(settings) as fetcher:
            _import(Importer(content_dir, site, fetcher), urls, sitemaps, export, report)
    except KeyboardInterrupt:  # Ctrl-C: what is written is whole, the summary says what is done
        report.interrupted = True
    for line in report.lines():
        click.echo(line)
    if report.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if report.count("failed") else 0


def _import(
    importer: Importer, urls: Sequence[str], sitemaps: Sequence[str], export: WxrExport | None, report: Report
) -> None:
    # partial, not a lambda in the loop: each task keeps its own source
    tasks: list[tuple[str, Callable[[], Outcome]]] = [(url, partial(importer.import_url, url)) for url in urls]
    if export is not None:
        report.skipped.update(export.skipped)
        tasks += [(post.link or post.title, partial(importer.import_post, post)) for post in export.posts]
    for sitemap in sitemaps:
        click.echo(f"reading sitemap {without_userinfo(sitemap)}", err=True)
        pages, failures = importer.sitemap_pages(sitemap)
        report.outcomes.extend(failures)
        tasks += [(page.loc, partial(importer.import_url, page.loc, page)) for page in pages]
    # disable=None: a bar on a terminal, nothing in a pipe or a log; no monitor thread (a thread of its own
    # left running after the command: what cli.build.progress_bar also turns off)
    tqdm.monitor_interval = 0
    with tqdm(total=len(tasks), desc="importing", unit="article", file=sys.stderr, disable=None) as bar:
        run(tasks, report, bar)
