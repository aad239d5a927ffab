#!/usr/bin/env python3
"""Helpers of bench/faults.sh: a feed checker that runs alongside the load, and the final verification.

    python bench/faults_check.py watch URL SECONDS OUT.json
        GET URL/feed.atom and URL/feed.json every 0.5 s for SECONDS (at most
        240 rounds); parse each (lxml, json); and URL/healthz, noting each
        snapshot version the first time it is seen (seconds into the run):
        publishes that came under load. Write the counts to OUT.json.
    python bench/faults_check.py verify URL CONTENT_DIR ADDED DELETED [BROKEN [TIMEOUT]]
        ADDED, DELETED, BROKEN: files of slugs, one a line. Wait (at most
        TIMEOUT s, 60 by default) until /healthz counts every article page in
        CONTENT_DIR/articles, each added slug answers 200, each deleted one
        404 or 410 and each saved broken is held; print one JSON line of
        counts, with how long it waited (waited_s), whether all of that came
        (settled), what was still missing if not (waiting_for), and when the
        first publish after the load was seen (first_publish_after_load_s).

Loopback only: every URL is http://127.0.0.1:<port>.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
PAGE_SUFFIXES = (".html", ".htm", ".md")


def get(url: str) -> tuple[int, str, bytes]:
    """Return (status, content type, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def well_formed(path: str, status: int, kind: str, body: bytes) -> bool:
    """Say whether a feed response is whole: 200, its type, and a document that parses."""
    if status != 200:
        return False
    try:
        if path.endswith(".atom"):
            root = etree.fromstring(body)
            return "atom" in kind and root.tag == f"{ATOM}feed" and root.find(f"{ATOM}entry") is not None
        document = json.loads(body)
        return "json" in kind and isinstance(document.get("items"), list) and bool(document["items"])
    except (ValueError, etree.XMLSyntaxError):
        return False


def watch(base: str, seconds: float, out: Path) -> None:
    counts = {"checked": 0, "malformed": 0, "connection_errors": 0, "statuses": {}}
    versions: dict[str, float] = {}  # snapshot version -> seconds into the run it was first seen
    started = time.monotonic()
    deadline = started + seconds
    for _ in range(240):
        if time.monotonic() >= deadline:
            break
        try:
            versions.setdefault(health(base)["version"], round(time.monotonic() - started, 1))
        except (OSError, ValueError, KeyError):
            counts["connection_errors"] += 1
        for path in ("/feed.atom", "/feed.json"):
            try:
                status, kind, body = get(base + path)
            except OSError:
                counts["connection_errors"] += 1  # a reset from the killed worker: not a response
                continue
            counts["checked"] += 1
            counts["statuses"][str(status)] = counts["statuses"].get(str(status), 0) + 1
            if not well_formed(path, status, kind, body):
                counts["malformed"] += 1
                print(f"malformed {path}: {status} {kind} {body[:120]!r}", file=sys.stderr)
        time.sleep(0.5)
    seen = sorted(versions.values())
    counts["publishes_seen"] = max(0, len(seen) - 1)  # versions after the one serving when the load began
    counts["last_publish_s"] = seen[-1] if len(seen) > 1 else None
    counts["longest_gap_s"] = round(max((b - a for a, b in itertools.pairwise(seen)), default=0.0), 1)
    out.write_text(json.dumps(counts), encoding="utf-8")


def health(base: str) -> dict:
    return json.loads(get(base + "/healthz")[2])


def verify(
    base: str, content_dir: Path, added: list[str], deleted: list[str], broken: list[str], timeout: float = 60.0
) -> None:
    articles = content_dir / "articles"
    # Adds and deletes balance the count, so the count alone says nothing of whether the last
    # changes are published: wait (at most ``timeout`` seconds) until every one is, on a machine
    # however busy, and say how long that took and, if it did not happen, what was still missing.
    started = time.monotonic()
    deadline = started + timeout
    first_version = health(base)["version"]
    published_after: float | None = None  # seconds until the first publish after the load, if any came
    while True:
        files = sum(1 for p in articles.iterdir() if p.suffix.lower() in PAGE_SUFFIXES and not p.name.startswith("."))
        report = health(base)
        if published_after is None and report["version"] != first_version:
            published_after = round(time.monotonic() - started, 1)
        expected = files - len(report["rejected"])
        added_missing = [slug for slug in added if get(f"{base}/articles/{slug}")[0] != 200]
        deleted_served = [slug for slug in deleted if get(f"{base}/articles/{slug}")[0] not in (404, 410)]
        # saved broken: held at the last good version, still served
        broken_missing = [slug for slug in broken if get(f"{base}/articles/{slug}")[0] != 200]
        held = {Path(item["path"]).stem for item in report.get("held", [])}
        counted = report["articles"] + report["withdrawn"]
        waiting_for = [
            *([f"the article count: {counted} served of {expected}"] if counted != expected else []),
            *([f"{len(added_missing)} added articles to be served"] if added_missing else []),
            *([f"{len(deleted_served)} deleted articles to be gone"] if deleted_served else []),
            *([f"{len(set(broken) - held)} broken saves to be held"] if not held >= set(broken) else []),
        ]
        if not waiting_for or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    missing = abs(expected - counted)
    for slug in added_missing:
        print(f"added article not served: {slug}", file=sys.stderr)
    for slug in deleted_served:
        print(f"deleted article still served: {slug}", file=sys.stderr)
    for slug in broken_missing:
        print(f"article saved broken is no longer served: {slug}", file=sys.stderr)
    print(json.dumps({"files": files, "served": report["articles"], "withdrawn": report["withdrawn"],
                      "rejected": len(report["rejected"]), "held": len(held), "broken_saves": len(broken),
                      "broken_missing": len(broken_missing),
                      "articles_missing": missing + len(added_missing) + len(broken_missing),
                      "deleted_served": len(deleted_served), "content": report.get("content"),
                      "settled": not waiting_for, "waited_s": round(time.monotonic() - started, 1),
                      "timeout_s": timeout, "waiting_for": "; ".join(waiting_for),
                      "first_publish_after_load_s": published_after}))  # fmt: skip


def lines(path: str) -> list[str]:
    return [line for line in Path(path).read_text(encoding="utf-8").split() if line]


if __name__ == "__main__":
    command, base = sys.argv[1], sys.argv[2].rstrip("/")
    if not base.startswith("http://127.0.0.1:"):
        sys.exit("loopback URLs only")
    if command == "watch":
        watch(base, float(sys.argv[3]), Path(sys.argv[4]))
    elif command == "verify":
        verify(
            base,
            Path(sys.argv[3]),
            lines(sys.argv[4]),
            lines(sys.argv[5]),
            lines(sys.argv[6]) if len(sys.argv) > 6 else [],
            float(sys.argv[7]) if len(sys.argv) > 7 else 60.0,
        )
    else:
        sys.exit(__doc__)
