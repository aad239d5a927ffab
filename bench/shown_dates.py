"""Check the update a page shows by its title against its machine-readable update and the annotation.

Usage::

    python bench/shown_dates.py DATASET [DATASET ...] [--folds 5] [--held-out 0,1,2]

An edge that writes nothing. For each annotated page (the layouts bench/metadata.py reads), the
update the page shows by its title (:func:`feedsvc.metadata.shown_dates.shown_update`, on the
lines the metadata reader walks) is compared with

- the updates its sources give (JSON-LD ``dateModified``, ``article:modified_time``, markup):
  where both exist, is it the same day (one day either side)? feedsvc publishes the shown
  update only where no source gives one, so this says how far it can be trusted there;
- the annotated publication day, on pages that show an update and no publication near the
  title while a source gives an earlier publication: did the annotators take the update or
  the publication? (Why feedsvc never publishes such an update as the publication.)

Counts only, per group (tuning and held-out folds, by domain as in bench/metadata.py).
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metadata import day_matches, fold_of, load_pages  # the bench's own pages and folds

from feedsvc.metadata.page import _parse, extract_metadata
from feedsvc.metadata.shown_dates import shown_update
from feedsvc.metadata.visible import lines_to_title, shown_date

ZONE = ZoneInfo("UTC")
KINDS = (
    "pages showing an update by the title",
    "  with a source's update too: the same day",
    "  with a source's update too: another day",
    "  no publication shown, an earlier one given; annotated: the update",
    "    the publication",
    "    another day",
)


def same_day(first: datetime, second: datetime) -> bool:
    return abs((first.date() - second.date()).days) <= 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--held-out", default="0,1,2")
    args = parser.parse_args(argv)
    held_out = {int(part) for part in args.held_out.split(",") if part.strip()}
    counts: Counter[tuple[str, str]] = Counter()
    for dataset in args.datasets:
        for page in load_pages(dataset):
            group = "held-out" if fold_of(page.domain, args.folds) in held_out else "tuning"
            html = gzip.decompress(page.path.read_bytes()).decode("utf-8", "replace")
            root = _parse(html)
            if root is None:
                continue
            raw = dict(extract_metadata(html, ZONE, raw=True))
            decided = dict(extract_metadata(html, ZONE))
            title = next((found.title for found in decided.values() if found.title), None)
            lines, at = lines_to_title(root, title, 5)
            shown = shown_update(lines, at, ZONE)
            if shown is None:
                continue
            counts[(group, KINDS[0])] += 1
            machine = [found.updated for found in raw.values() if found.updated is not None]
            if machine:
                agree = any(same_day(shown, moment) for moment in machine)
                counts[(group, KINDS[1] if agree else KINDS[2])] += 1
            publications = [found.published for found in raw.values() if found.published is not None]
            earlier = [
                moment for moment in publications if moment.date() < shown.date() and not same_day(moment, shown)
            ]
            if page.published is None or not earlier or shown_date(lines, at, ZONE, None) is not None:
                continue
            # the page shows its update and no publication near the title; a source gives an earlier publication
            if day_matches(page.published, shown.date()):
                counts[(group, KINDS[3])] += 1
            elif any(day_matches(page.published, moment.date()) for moment in earlier):
                counts[(group, KINDS[4])] += 1
            else:
                counts[(group, KINDS[5])] += 1
    print(f"held-out folds: {sorted(held_out)} of {args.folds} (grouped by domain)")
    print(f"{'':70} {'tuning':>8} {'held-out':>9}")
    for kind in KINDS:
        print(f"{kind:70} {counts[('tuning', kind)]:8} {counts[('held-out', kind)]:9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
