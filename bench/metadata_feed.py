"""Check that bench/metadata.py measures what a build publishes: the title, authors and date of the JSON Feed.

Usage::

    python bench/metadata_feed.py DATASET [DATASET ...] [--pages 150] [--folds 0,1,2] [--work DIR]
                                  [--only wcxb-dev/0255,wcxb-dev/0343]

An edge (it writes a site under ``--work``, a temporary folder by default). A sample of the
annotated pages of the given folds (by domain, as in bench/metadata.py; a fixed seed), or the
pages ``--only`` names, is copied as ``articles/<slug>.html`` into a content folder whose
``site.toml`` is the bench's site; ``feedsvc build`` publishes it; each page's title, authors
and ``date_published`` day in ``feed.json`` (or, for a page whose date puts it only in the
monthly archives, in its Atom archive) are compared with what ``run_feedsvc`` of
bench/metadata.py says for the same page. The site's placeholder default author counts as no
author on both sides; a page the bench finds undated is dated by the build (first seen), so
only its title and authors are compared. An ``--only`` page the data sets do not hold is an
error. Exit status 1 if any page differs or is missing.
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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metadata import PLACEHOLDER_AUTHOR, Output, fold_of, load_pages, norm_authors, run_feedsvc

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_TOML = f"""title = "Bench"
base_url = "https://bench.example"
id_authority = "bench.example,2026"
default_author = "{PLACEHOLDER_AUTHOR}"
entries_per_feed = 1000
"""


@dataclass(frozen=True)
class Entry:
    """What a feed entry shows of an article: its title, authors and publication day (in its own offset)."""

    title: str
    authors: tuple[str, ...]
    published: date | None


def published_entries(out: Path) -> dict[str, Entry]:
    """Return each entry by article slug: feed.json first, then the Atom archives."""
    found: dict[str, Entry] = {}
    for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]:
        slug = item["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        authors = tuple(author["name"] for author in item.get("authors", []))
        found[slug] = Entry(item.get("title", ""), authors, _day(item.get("date_published")))
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
                title = entry.findtext(f"{ATOM}title") or ""
                found.setdefault(slug, Entry(title, tuple(names), _day(entry.findtext(f"{ATOM}published"))))
    return found


def _day(value: str | None) -> date | None:
    """Return the day of an RFC 3339 timestamp in its own offset, as the bench reads the article's date."""
    return datetime.fromisoformat(value).date() if value else None


def differences(bench: Output, feed: Entry) -> list[str]:
    """Return what the feed shows differently from the bench: title, authors, publication day."""
    found = []
    if feed.title != (bench.title or ""):
        found.append(f"title: bench {bench.title!r}, feed {feed.title!r}")
    authors = tuple(name for name in feed.authors if name != PLACEHOLDER_AUTHOR)
    if authors != bench.authors:
        found.append(f"authors: bench {bench.authors!r}, feed {authors!r}")
    if bench.published is not None and feed.published != bench.published:
        found.append(f"date_published: bench {bench.published}, feed {feed.published}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--folds", default="0,1,2", help="folds (of 5, by domain) to sample pages from")
    parser.add_argument("--work", type=Path, help="folder for the site and its build (default: a temporary one)")
    parser.add_argument("--only", default="", help="these pages (DATASET/ID, comma-separated) instead of a sample")
    args = parser.parse_args(argv)
    folds = {int(part) for part in args.folds.split(",") if part.strip()}
    pages = [page for dataset in args.datasets for page in load_pages(dataset)]
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if only:
        pages = [page for page in pages if f"{page.dataset}/{page.ident}" in only]
        unknown = only - {f"{page.dataset}/{page.ident}" for page in pages}
        if unknown:
            print(f"--only: no annotated page {', '.join(sorted(unknown))} in {', '.join(map(str, args.datasets))}")
            return 1
    else:
        annotated = [page for page in pages if norm_authors(page.authors) or page.title or page.published]
        pages = [page for page in annotated if fold_of(page.domain, 5) in folds]
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
            expected[slug] = (page, run_feedsvc(page, data))
        build = [sys.executable, "-m", "feedsvc.cli.main", "build", str(out), "--content", str(content)]
        done = subprocess.run(build, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"feedsvc build failed ({done.returncode}):\n{done.stderr[-2000:]}")
            return 1
        published = published_entries(out)
    differ = missing = undated = 0
    for slug, (page, bench) in expected.items():
        if slug not in published:
            missing += 1
            print(f"missing from the feeds: {page.dataset}/{page.ident}")
            continue
        undated += bench.published is None
        found = differences(bench, published[slug])
        differ += bool(found)
        for difference in found:
            print(f"{page.dataset}/{page.ident}: {difference}")
    where = f"of folds {sorted(folds)}" if not only else "named"
    print(f"{len(expected)} pages {where}: {len(expected) - differ - missing} the same (title, authors, day; "
          f"{undated} undated by the bench, their day not compared), {differ} differ, {missing} missing")  # fmt: skip
    return 1 if differ or missing else 0


if __name__ == "__main__":
    sys.exit(main())
