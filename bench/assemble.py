#!/usr/bin/env python3
"""Time the catalog step of a publish: the whole assembly against bringing the last catalog up to date.

    .venv/bin/python bench/assemble.py [--sizes 1000 10000 100000] [--rounds 5]

For each size, a site of that many synthetic articles (prepared by
:func:`feedsvc.catalog.prepare.prepare_source` with a stand-in cleaner that
keeps the page: cleaning is not what is timed), spread over 40 tags, 12
authors and ten years, is assembled once (:func:`~feedsvc.catalog.assembly.assemble_catalog`,
as a cold or warm start does). Then, ``--rounds`` times each, one publish of
a new article, one edit (a new date and tags) and one removal is applied two
ways: the whole assembly as the builder made it before (every prepared file
passed again, the last catalog reused for its order and facets), and
:func:`~feedsvc.catalog.assembly.update_catalog` with the changed file alone.
The catalog both ways keep is compared at the end with a whole assembly of
the same files made afresh (they must be equal). Prints the median CPU seconds
of each (CPU time: the step runs in one thread, and the machine's other work
does not count in it) and their ratios within this one run: the machine's load shifts both
sides alike. The interesting figures are how each grows from the smallest
size to the largest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feedsvc.catalog.assembly import Assembled, Dated, assemble_catalog, update_catalog  # noqa: E402
from feedsvc.catalog.prepare import prepare_source  # noqa: E402
from feedsvc.model import ArticleSource, Catalog, PageMetadata, Prepared, Revision, Site  # noqa: E402

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SITE = Site(
    title="Bench",
    base_url="https://bench.example.org",
    id_authority="bench.example.org,2020",
    default_author="Staff",
)


def as_is(html: str, base_url: str | None = None, rules: object = None) -> str:
    return str(html)


def prepared(number: int, day: datetime | None = None, tag: int = 0) -> Prepared:
    """A small fragment article, dated and tagged by its number."""
    name = f"story-{number:06d}"
    published = day or NOW - timedelta(hours=1 + number * 7 % 87_000)
    metadata = PageMetadata(
        title=f"Story {number}",
        published=published,
        authors=(f"Writer {number % 12}",),
        tags=(f"topic-{(number + tag) % 40}", f"desk-{number % 7}"),
    )
    html = f"<article><h1>Story {number}</h1><p>What happened, number {number}, told in a paragraph.</p></article>"
    source = ArticleSource(slug=name, path=Path(f"articles/{name}.html"), html=html, metadata=metadata)
    return prepare_source(source, SITE, None, as_is)


class Bench:
    """One site: its files, its ledger, and the catalog as each way keeps it."""

    def __init__(self, size: int) -> None:
        self.files = {item.path: item for item in (prepared(n) for n in range(size))}
        self.ledger: dict[str, Revision] = {}
        self.dated: dict[str, Dated] = {}
        self.state = Assembled()
        self.catalog = self.whole(None)
        self.keep(self.catalog)

    def keep(self, catalog: Catalog) -> None:
        """Record what the catalog changed of the ledger, as the builder does."""
        ledger = self.ledger
        ledger.update({s: r for s, r in catalog.revisions.items() if ledger.get(s) is not r and ledger.get(s) != r})

    def whole(self, last: Catalog | None) -> Catalog:
        items = [self.files[path] for path in sorted(self.files)]
        return assemble_catalog(items, SITE, now=NOW, ledger=self.ledger, dated=self.dated, last=last, state=self.state)

    def publish(self, changed: dict[Path, Prepared | None], way: str) -> float:
        for path, item in changed.items():
            if item is None:
                del self.files[path]
            else:
                self.files[path] = item
        started = time.process_time()
        if way == "whole":
            catalog = self.whole(self.catalog)
        else:
            found = update_catalog(self.state, changed, SITE, now=NOW, ledger=self.ledger, dated=self.dated)
            assert found is not None, "update_catalog declined an ordinary publish"
            catalog = found
        seconds = time.process_time() - started
        self.catalog = catalog
        self.keep(catalog)
        return seconds


def run(size: int, rounds: int) -> dict[str, float]:
    site = Bench(size)
    times: dict[str, list[float]] = {}
    for round_ in range(rounds):
        for way in ("whole", "update"):
            number = size + 2 * round_ + (way == "update")
            new = prepared(number, day=NOW - timedelta(minutes=5))
            edited = prepared(round_ * 97 % size, day=NOW - timedelta(days=400 + round_), tag=3 + round_)
            gone = Path(f"articles/story-{(round_ * 97 + 13 + (way == 'update') * 31) % size:06d}.html")
            for kind, changed in (
                ("new", {new.path: new}),
                ("edit", {edited.path: edited}),
                ("remove", {gone: None}),
            ):
                if kind == "remove" and gone not in site.files:
                    continue
                times.setdefault(f"{kind} {way}", []).append(site.publish(changed, way))
    # the publishes gave the catalog a whole assembly of the same files gives
    check = assemble_catalog([site.files[p] for p in sorted(site.files)], SITE, now=NOW, ledger=site.ledger)
    assert site.catalog.articles == check.articles and site.catalog.version == check.version
    assert site.catalog.problems == check.problems and site.catalog.by_slug == check.by_slug
    return {key: statistics.median(values) for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        started = time.perf_counter()
        results[size] = run(size, args.rounds)
        print(f"{size} articles: {time.perf_counter() - started:.1f} s in all", flush=True)
    kinds = ("new", "edit", "remove")
    print(f"\nmedian CPU seconds of {args.rounds} publishes each (whole assembly | update_catalog | whole/update)")
    print(f"{'articles':>9} " + " ".join(f"{kind:>30}" for kind in kinds))
    for size, found in results.items():
        cells = []
        for kind in kinds:
            whole, update = found[f"{kind} whole"], found[f"{kind} update"]
            cells.append(f"{whole:9.4f} | {update:8.5f} | x{whole / update:6.0f}")
        print(f"{size:>9} " + " ".join(f"{cell:>30}" for cell in cells))
    small, large = min(results), max(results)
    if small != large:
        print(f"\ngrowth from {small} to {large} articles (the same way, slowest kind):")
        for way in ("whole", "update"):
            growth = max(results[large][f"{k} {way}"] for k in kinds) / max(results[small][f"{k} {way}"] for k in kinds)
            print(f"  {way}: x{growth:.1f}")


if __name__ == "__main__":
    main()
