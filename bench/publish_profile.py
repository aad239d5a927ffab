#!/usr/bin/env python3
"""Profile the publisher's build for one publish at a time, on a warm builder, as the server makes it.

    .venv/bin/python bench/publish_profile.py CONTENT_DIR [--new 3] [--edits 2] [--top 30]

The content folder is one of bench/make_corpus.py (or any site); its build
cache is used (and warmed first, which takes a cold build's time the first
time). Like the server's publisher, the builder is given the listing the
watcher keeps (:func:`feedsvc.content.listing.refreshed` with the paths
changed), not a full scan. Writes ``--new`` new articles (renamed into
place, sidecar first) and ``--edits`` edits in place of the last one, each
built and diffed against the last snapshot (:func:`feedsvc.build.delta.delta`),
printing the seconds of each; the last of each kind under cProfile (its
``--top`` functions by cumulative time). The articles it wrote are removed
at the end (and that built too). cProfile slows Python code several times:
compare its figures with each other, not with the seconds of unprofiled runs.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feedsvc.build.builder import Builder  # noqa: E402
from feedsvc.build.delta import delta  # noqa: E402
from feedsvc.build.snapshot import Snapshot  # noqa: E402
from feedsvc.content.listing import Listing, refreshed, scan  # noqa: E402


class Session:
    """A warm builder and the listing the watcher would keep."""

    def __init__(self, content: Path) -> None:
        self.content = content
        # the server's settings: base_url named (as bench/build.py serves it), one process pool per core
        base_url = tomllib.loads((content / "site.toml").read_text(encoding="utf-8"))["base_url"]
        cache = content / ".feedsvc" / "cache"
        self.builder = Builder(content, {"base_url": base_url}, cache_dir=cache, workers=os.cpu_count() or 1)
        started = time.perf_counter()
        self.snapshot: Snapshot = self.builder.build()
        print(f"warm build {time.perf_counter() - started:.2f} s: {self.builder.stats.summary()}", flush=True)
        self.listing: Listing = scan(content, self.builder.pictures)

    def publish(self, label: str, paths: list[Path], top: int) -> None:
        """Build with the listing refreshed for ``paths``; print its seconds (and its profile if ``top``)."""
        profile = cProfile.Profile() if top else None
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        changed = [str(path) for path in paths]
        self.listing = refreshed(self.listing, self.content, changed, self.builder.pictures) or scan(
            self.content, self.builder.pictures
        )
        new = self.builder.build(None, self.listing)
        change = delta(self.snapshot, new)
        if profile is not None:
            profile.disable()
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.3f} s; the delta carries {len(change.articles)} article(s), "
              f"{len(change.feeds)} feed document(s)", flush=True)  # fmt: skip
        self.snapshot = new
        if profile is not None:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--new", type=int, default=3, help="new articles to publish, one at a time")
    parser.add_argument("--edits", type=int, default=2, help="edits in place of the last new article")
    parser.add_argument("--top", type=int, default=30, help="functions shown of each profile")
    args = parser.parse_args()
    session = Session(args.content)
    folder = args.content / "articles"
    page = None
    for number in range(args.new):
        slug = f"profile-new-{os.getpid()}-{number}"
        published = datetime.now(UTC).replace(microsecond=0).isoformat()
        staging = args.content / ".feedsvc" / "bench"
        staging.mkdir(parents=True, exist_ok=True)
        (staging / f"{slug}.toml").write_text(f"published = {published}\n", encoding="utf-8")
        (staging / f"{slug}.html").write_text(
            f"<article><h1>Profiled story {number}</h1><p>A new article written by the profiler, number {number}, "
            "long enough to be a paragraph of an article.</p></article>",
            encoding="utf-8",
        )
        paths = [folder / f"{slug}.toml", folder / f"{slug}.html"]
        for path in paths:
            os.replace(staging / path.name, path)
        page = paths[1]
        session.publish(f"new {number + 1}", paths, args.top if number == args.new - 1 else 0)
    for number in range(args.edits if page is not None else 0):
        assert page is not None
        page.write_text(page.read_text(encoding="utf-8").replace("</p>", f" Edited, round {number}.</p>", 1))
        session.publish(f"edit {number + 1}", [page], args.top if number == args.edits - 1 else 0)
    written = sorted(folder.glob(f"profile-new-{os.getpid()}-*"))
    for path in written:
        path.unlink()
    session.publish("clean-up", written, 0)


if __name__ == "__main__":
    main()
