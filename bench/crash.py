#!/usr/bin/env python3
"""Crash safety, measured: kill -9 every process of `feedsvc serve` at random moments, restart, check.

    python bench/crash.py [--kills 60] [--seed 1] [--time-cap 900] [--articles 30] [--keep]

(bench/crash.sh runs it with the project's virtualenv.) All on 127.0.0.1,
every loop bounded in count and time. In a temporary content folder
(bench/make_corpus.py ARTICLES articles), ``feedsvc serve --port 0
--workers 2`` runs in a session of its own; each round picks one moment,
at random (``--seed``), among:

- ``build``: some articles edited while the server is down, then the server
  started and killed during its first build (a random delay up to the last
  start's length);
- ``publish``: a new article renamed into place, the server killed while
  its publisher builds and swaps (a random delay up to 3 s);
- ``ledger``: an article's text edited (a new revision: the build writes the
  revisions ledger), killed likewise;
- ``import``: ``feedsvc import --sitemap`` of a local page server's 8 pages
  (4 new, 4 already imported: updated in place) started, and the import and
  the server killed at a random moment of it.

Every process of the session (master, workers, publisher; and the import)
gets SIGKILL. Then, before restarting: every state file must be readable
(.feedsvc/revisions.json parses as a ledger, the build cache passes SQLite's
``integrity_check``, websub.json parses if present); then the server is
started again and, once /healthz answers, must publish every article file
of the folder (the published ones before the kill, and those saved since),
each under one entry id, the same id as before the kill. Prints one line:

    kills=N lost=N duplicated=N unreadable=N ids_changed=N not_ok=N corrupt_detected=N stray_temp_files=N
    articles=N seconds=S seed=S

(per phase on standard error) and exits 1 if lost, duplicated, unreadable or
ids_changed is non-zero. ``corrupt_detected``: a start that found a damaged
state file, set it aside and rebuilt it (the server's log says so);
``stray_temp_files``: hidden temporary files left by writes cut short (the
loader skips them; they are not articles), counted at the end.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.server
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_page, write_corpus

from feedsvc.catalog.revisions import parse_ledger

REPO = Path(__file__).resolve().parent.parent
START_SECONDS = 90.0  # a start (first build included) that takes longer is a failure
SETTLE_SECONDS = 30.0  # after a start, how long every file may take to be published
PHASES = ("build", "publish", "ledger", "import")
SERVING = re.compile(r"serving .* at http://127\.0\.0\.1:(\d+)/")
CORRUPT_WORDS = ("corrupt", "set aside")


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class PageServer:
    """A local site to import from: /sitemap-<round>.xml lists 8 pages, /p/<n> serves page n."""

    def __init__(self, seed: int) -> None:
        seed_text = str(seed)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                if self.path.startswith("/sitemap-"):
                    first = int(self.path.removeprefix("/sitemap-").removesuffix(".xml")) * 4
                    urls = "".join(f"<url><loc>{base}/p/{n}</loc></url>" for n in range(first - 4, first + 4) if n >= 0)
                    body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
                    self._answer(body.encode(), "application/xml")
                elif self.path.startswith("/p/"):
                    number = int(self.path.removeprefix("/p/"))
                    _slug, page, _sidecar = make_page(number % 3, random.Random(f"{seed_text}:import:{number}"), base)
                    page = page.replace("<title>", f"<title>Imported {number}: ", 1)
                    self._answer(page.encode(), "text/html; charset=utf-8")
                else:
                    self.send_error(404)

            def _answer(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


class Server:
    """`feedsvc serve` in a session of its own, its output appended to one log."""

    def __init__(self, content: Path, log: Path) -> None:
        self.content, self.log = content, log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.started = 0.0

    def start(self) -> None:
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "feedsvc.cli.main", "serve", "--content", str(self.content),
                 "--host", "127.0.0.1", "--port", "0", "--workers", "2"],
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "FEEDSVC_SETTLE_SECONDS": "0.1"},
            )  # fmt: skip
        self.started = time.monotonic()
        self.url = ""

    def output(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self.offset)
            return log.read().decode("utf-8", "replace")

    def wait_answering(self) -> float:
        """Wait until /healthz answers; return how long the start took. :raise RuntimeError: it did not."""
        assert self.process is not None
        deadline = self.started + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            if not self.url and (found := SERVING.search(self.output())):
                self.url = f"http://127.0.0.1:{found.group(1)}"
            if self.url:
                try:
                    get_json(f"{self.url}/healthz")
                    return time.monotonic() - self.started
                except (OSError, ValueError):
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer within {START_SECONDS:g} s:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL every process of the server's session; wait for the master."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        # its children (workers, publisher) are in its group: wait until none is left
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            time.sleep(0.02)
        self.process = None


def _group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def state_problems(content: Path) -> list[str]:
    """Return what is unreadable among the state files of ``content`` ([] if all are readable)."""
    problems = []
    state = content / ".feedsvc"
    ledger = state / "revisions.json"
    if ledger.exists():
        try:
            parse_ledger(ledger.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"{ledger}: {error}")
    websub = state / "websub.json"
    if websub.exists():
        try:
            json.loads(websub.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"{websub}: {error}")
    cache = state / "cache" / "build.sqlite3"
    if cache.exists():
        try:
            with sqlite3.connect(cache, timeout=10) as db:
                verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append(f"{cache}: {verdict}")
        except sqlite3.DatabaseError as error:
            problems.append(f"{cache}: {error}")
    return problems


def published(url: str) -> dict[str, list[str]]:
    """Return slug -> the entry ids /feed.json carries for it (one, if nothing is duplicated)."""
    feed = get_json(f"{url}/feed.json")
    found: dict[str, list[str]] = collections.defaultdict(list)
    for item in feed["items"]:
        found[item["url"].rstrip("/").rsplit("/", 1)[1]].append(item["id"])
    return found


def article_slugs(content: Path) -> set[str]:
    return {
        p.stem for p in (content / "articles").iterdir() if p.suffix in (".html", ".md") and not p.name.startswith(".")
    }


def write_renamed(path: Path, text: str) -> None:
    """Save as an editor that writes a temporary file and renames it would (never a half file)."""
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    temporary.rename(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-cap", type=float, default=900.0, help="stop starting rounds after this many seconds")
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="feedsvc-crash-"))
    content = work / "content"
    write_corpus(args.articles, content, args.seed, "http://127.0.0.1:8000")
    with (content / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write("feed_max_bytes = 100000000\n")
    (content / "site.toml").write_text(
        (content / "site.toml").read_text(encoding="utf-8").replace("entries_per_feed = 50", "entries_per_feed = 1000"),
        encoding="utf-8",
    )
    pages = PageServer(args.seed)
    server = Server(content, work / "serve.log")
    figures = collections.Counter()
    per_phase: dict[str, collections.Counter] = {phase: collections.Counter() for phase in PHASES}
    known: dict[str, str] = {}  # slug -> entry id, as published before
    begun = time.monotonic()
    code = 1
    try:
        server.start()
        last_start = server.wait_answering()
        for slug, ids in published(server.url).items():
            known[slug] = ids[0]
        new_article = 10_000
        import_round = 1
        while figures["kills"] < args.kills and time.monotonic() - begun < args.time_cap:
            phase = rng.choice(PHASES)
            importer = None
            if phase == "build":
                server.kill()
                for path in rng.sample(sorted((content / "articles").glob("*.html")), 3):
                    text = path.read_text(encoding="utf-8")
                    write_renamed(path, text.replace("</p>", f" Edited before a start {rng.random():.6f}.</p>", 1))
                server.start()
                time.sleep(rng.uniform(0.0, last_start))
            elif phase == "publish":
                _slug, page, sidecar = make_page(
                    new_article, random.Random(f"{args.seed}:{new_article}"), "https://daily.example.org"
                )
                name = f"crash-new-{new_article}"
                if sidecar:
                    write_renamed(content / "articles" / f"{name}.toml", sidecar)
                write_renamed(content / "articles" / f"{name}.html", page)
                new_article += 1
                time.sleep(rng.uniform(0.0, 3.0))
            elif phase == "ledger":
                path = rng.choice(sorted((content / "articles").glob("*.html")))
                text = path.read_text(encoding="utf-8")
                write_renamed(path, text.replace("</p>", f" A correction {rng.random():.6f}.</p>", 1))
                time.sleep(rng.uniform(0.0, 3.0))
            else:
                with (work / "import.log").open("ab") as out:
                    importer = subprocess.Popen(
                        [sys.executable, "-m", "feedsvc.cli.main", "import", "--content", str(content),
                         "--sitemap", f"{pages.url}/sitemap-{import_round}.xml"],
                        cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )  # fmt: skip
                import_round += 1
                time.sleep(rng.uniform(0.0, 4.0))  # its start takes ~1 s, its 8 pages ~2 s more
            # the kill: every process of the server (and the import)
            if importer is not None:
                if importer.poll() is None:
                    os.killpg(importer.pid, signal.SIGKILL)
                importer.wait(timeout=30)
            server.kill()
            figures["kills"] += 1
            per_phase[phase]["kills"] += 1
            broken = state_problems(content)
            if broken:
                print(f"round {figures['kills']} ({phase}): unreadable state: {broken}", file=sys.stderr)
            figures["unreadable"] += len(broken)
            per_phase[phase]["unreadable"] += len(broken)
            # start again: every article file published, under one id, the same id as before
            server.start()
            last_start = server.wait_answering()
            deadline = time.monotonic() + SETTLE_SECONDS
            while True:
                health = get_json(f"{server.url}/healthz")
                now = published(server.url)
                missing = article_slugs(content) - set(now)
                if (not missing and health["status"] == "ok") or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            if health["status"] != "ok":
                figures["not_ok"] += 1
                print(f"round {figures['kills']} ({phase}): /healthz {health['status']}: "
                      f"{json.dumps(health.get('rejected'))[:500]}", file=sys.stderr)  # fmt: skip
            lost = (missing | set(known)) - set(now)
            duplicated = [slug for slug, ids in now.items() if len(ids) > 1]
            changed = [slug for slug, ids in now.items() if slug in known and known[slug] != ids[0]]
            for name, found in (("lost", lost), ("duplicated", duplicated), ("ids_changed", changed)):
                figures[name] += len(found)
                per_phase[phase][name] += len(found)
                if found:
                    print(f"round {figures['kills']} ({phase}): {name}: {sorted(found)[:10]}", file=sys.stderr)
            output = server.output().lower()
            if any(word in output for word in CORRUPT_WORDS):
                figures["corrupt_detected"] += 1
                per_phase[phase]["corrupt_detected"] += 1
            for slug, ids in now.items():
                known.setdefault(slug, ids[0])
        code = (
            0
            if not (figures["lost"] or figures["duplicated"] or figures["unreadable"] or figures["ids_changed"])
            else 1
        )
        # what killed atomic writes leave: hidden temporary files, which the loader skips (not articles)
        strays = [p for p in content.rglob(".*") if p.is_file() and p.name != ".gitignore"]
        figures["stray_temp_files"] = len(strays)
    finally:
        server.kill()
        pages.httpd.shutdown()
        if args.keep:
            print(f"kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    for phase, counts in per_phase.items():
        print(f"  {phase:8} " + " ".join(f"{k}={v}" for k, v in sorted(counts.items())), file=sys.stderr)
    print(
        f"kills={figures['kills']} lost={figures['lost']} duplicated={figures['duplicated']} "
        f"unreadable={figures['unreadable']} ids_changed={figures['ids_changed']} not_ok={figures['not_ok']} "
        f"corrupt_detected={figures['corrupt_detected']} stray_temp_files={figures['stray_temp_files']} "
        f"articles={len(known)} "
        f"seconds={time.monotonic() - begun:.0f} seed={args.seed}"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
