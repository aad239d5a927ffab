"""Check that bench/metadata.py measures what a build publishes: the authors of the JSON Feed.

Usage::

    python bench/metadata_feed.py DATASET [DATASET ...] [--pages 150] [--folds 0,1,2] [--work DIR]
                                  [--only SET/ID,...]

An edge (it writes a site under ``--work``, a temporary folder by default). A sample of the
annotated pages of the given folds (by domain, as in bench/metadata.py; a fixed seed) is
copied as ``articles/<slug>.html`` into a content folder whose ``site.toml`` is the bench's
site; ``feedsvc build`` publishes it; each page's authors in ``feed.json`` (or, for a page
whose date puts it only in the monthly archives, in its Atom archive) are compared with what
``run_feedsvc`` of bench/metadata.py says for the same page. The site's placeholder default
author counts as no author on both sides. ``--only wcxb-dev/0097,…`` checks the pages a change
touched instead of a sample. Exit status 1 if any page differs or is missing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metadata import PLACEHOLDER_AUTHOR, fold_of, load_pages, norm_authors, run_feedsvc

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_TOML = f"""title = "Bench"
base_url = "https://bench.example"
id_authority = "bench.example,2026"
default_author = "{PLACEHOLDER_AUTHOR}"
entries_per_feed = 1000
"""


def published_authors(out: Path) -> dict[str, tuple[str, ...]]:
    """Return each entry's authors by article slug: feed.json first, then the Atom archives."""
    found: dict[str, tuple[str, ...]] = {}
    for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]:
        slug = item["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        found[slug] = tuple(author["name"] for author in item.get("authors", []))
    for path in sorted((out / "archive").glob("*.atom")):
        for entry in ET.parse(path).getroot().iter(f"{ATOM}entry"):
            links = [
                link.get("href") or ""
                for link in entry.iter(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            if links:
                slug = links[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
                names = (author.findtext(f"{ATOM}name") or "" for author in entry.findall(f"{ATOM}author"))
                found.setdefault(slug, tuple(names))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--folds", default="0,1,2", help="folds (of 5, by domain) to sample pages from")
    parser.add_argument("--work", type=Path, help="folder for the site and its build (default: a temporary one)")
    parser.add_argument("--only", metavar="SET/ID,...", help="these pages (a change's), not a sample; folds ignored")
    args = parser.parse_args(argv)
    folds = {int(part) for part in args.folds.split(",") if part.strip()}
    pages = [page for dataset in args.datasets for page in load_pages(dataset)]
    if args.only:
        wanted = {part.strip() for part in args.only.split(",") if part.strip()}
        pages = [page for page in pages if f"{page.dataset}/{page.ident}" in wanted]
        unknown = wanted - {f"{page.dataset}/{page.ident}" for page in pages}
        if unknown:
            print(f"--only: no annotated page {', '.join(sorted(unknown))} in {', '.join(map(str, args.datasets))}")
            return 1
        folds = {fold_of(page.domain, 5) for page in pages}
    else:
        pages = [page for page in pages if fold_of(page.domain, 5) in folds and norm_authors(page.authors)]
        random.Random(12).shuffle(pages)
        pages = pages[: args.pages]
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        content, out = work / "content", work / "out"
        (content / "articles").mkdir(parents=True, exist_ok=True)
        (content / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        expected = {}
        for page in pages:
            data = gzip.decompress(page.path.read_bytes())
            slug = f"{page.dataset}-{page.ident}".lower().replace("_", "-")
            (content / "articles" / f"{slug}.html").write_bytes(data)
            expected[slug] = (page, run_feedsvc(page, data).authors)
        build = [sys.executable, "-m", "feedsvc.cli.main", "build", str(out), "--content", str(content)]
        done = subprocess.run(build, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"feedsvc build failed ({done.returncode}):\n{done.stderr[-2000:]}")
            return 1
        published = published_authors(out)
    differ = missing = 0
    for slug, (page, authors) in expected.items():
        if slug not in published:
            missing += 1
            print(f"missing from the feeds: {page.dataset}/{page.ident}")
            continue
        feed = tuple(name for name in published[slug] if name != PLACEHOLDER_AUTHOR)
        if feed != authors:
            differ += 1
            print(f"{page.dataset}/{page.ident}: bench {authors!r}, feed {feed!r}")
    print(f"{len(expected)} pages of folds {sorted(folds)}: {len(expected) - differ - missing} the same, "
          f"{differ} differ, {missing} missing")  # fmt: skip
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
