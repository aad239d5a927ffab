#!/usr/bin/env python3
"""Time ``dump_ledger`` (``json.dumps`` with indent) against the hand-written serialiser it replaced.

    .venv/bin/python bench/ledger.py [--entries 10000] [--repeat 7]

The ledger is rewritten on every content change, so its serialisation is on
the publishing path. Both serialisers get the same realistic ledger (dated
slugs, a few non-ASCII ones, one in ten withdrawn, one in five with
``first_seen``); each is timed ``--repeat`` times and the best is printed,
beside whether the two texts are byte-identical.
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from feedsvc.catalog.revisions import dump_ledger  # noqa: E402
from support.ledger_format import hand_written_ledger, news_ledger  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ledger = news_ledger(args.entries)
    print(f"Python {platform.python_version()}, {args.entries} entries, best of {args.repeat}")
    same = dump_ledger(ledger) == hand_written_ledger(ledger)
    print(f"byte-identical: {same}; {len(dump_ledger(ledger).encode()):,} bytes")
    best = {}
    for name, serialise in (("json.dumps(indent=1)", dump_ledger), ("hand-written", hand_written_ledger)):
        best[name] = min(timeit.repeat(lambda s=serialise: s(ledger), number=1, repeat=args.repeat))
        print(f"{name:>22}: {best[name] * 1000:7.1f} ms")
    print(f"json.dumps / hand-written: {best['json.dumps(indent=1)'] / best['hand-written']:.2f}")


if __name__ == "__main__":
    main()
