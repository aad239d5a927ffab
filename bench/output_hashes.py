"""Hash the cleaner's output on every page of annotated page sets, to prove a change leaves it alone.

Usage::

    python bench/output_hashes.py DATASET [DATASET ...] --save hashes.json
    python bench/output_hashes.py DATASET [DATASET ...] --compare hashes.json

For each page (read as ``bench/extraction.py`` reads it) this records the
SHA-256 of ``clean_html``'s output and of ``clean_explained``'s HTML,
removals and confidence reasons. ``--compare`` prints the pages whose
hashes differ from a saved file and exits 1 when any does, saying of each
whether its HTML differs or only what ``clean_explained`` adds (removals,
confidence): a change to the doubts alone leaves every page's HTML the same.
Pure speed work must compare equal on every page.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import load

from feedsvc.clean import clean_explained, clean_html


def page_hashes(html: str, url: str) -> dict[str, str]:
    """Return the hashes of what the cleaner makes of one page."""
    plain = clean_html(html, base_url=url or None)
    explained = clean_explained(html, base_url=url or None)
    removals = "\n".join(repr(r) for r in explained.removals)
    return {
        "clean_html": hashlib.sha256(plain.encode()).hexdigest(),
        "explained": hashlib.sha256(
            "\x00".join([explained.html, removals, repr(explained.confidence)]).encode()
        ).hexdigest(),
    }


def main(argv: list[str] | None = None) -> int:
    """Save or compare the hashes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args(argv)
    hashes = {page.key: page_hashes(page.html, page.url) for page in load(args.datasets, None)}
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=1, sort_keys=True), encoding="utf-8")
        print(f"{len(hashes)} pages hashed to {args.save}")
        return 0
    saved = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = sorted(k for k in hashes.keys() | saved.keys() if hashes.get(k) != saved.get(k))
    html_differ = 0
    for key in differ:
        html = (hashes.get(key) or {}).get("clean_html") != (saved.get(key) or {}).get("clean_html")
        html_differ += html
        print(f"  differs: {key}" + ("" if html else " (removals or confidence only; the HTML is the same)"))
    print(f"{len(hashes)} pages, {len(differ)} differ from {args.compare} ({html_differ} in their HTML)")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
