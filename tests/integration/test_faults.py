"""A content folder that cannot be read keeps the last good snapshot serving, and /healthz says so."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.factories import live_app
from support.servers import SOON_SECONDS, wait_until


def _garbage_site_toml(content_dir: Path) -> None:
    (content_dir / "site.toml").write_text("this is = = not toml [", encoding="utf-8")


def _articles_moved_away(content_dir: Path) -> None:
    (content_dir / "articles").rename(content_dir / "articles-away")


def _articles_made_a_file(content_dir: Path) -> None:
    _articles_moved_away(content_dir)
    (content_dir / "articles").write_text("not a folder", encoding="utf-8")


def _restore(content_dir: Path, site_toml: str) -> None:
    (content_dir / "site.toml").write_text(site_toml, encoding="utf-8")
    if (content_dir / "articles-away").exists():
        if (content_dir / "articles").is_file():
            (content_dir / "articles").unlink()
        (content_dir / "articles-away").rename(content_dir / "articles")


@pytest.mark.parametrize("edited", [True, False], ids=["fixed-with-an-edit", "put-back-as-it-was"])
@pytest.mark.parametrize("break_it", [_garbage_site_toml, _articles_moved_away, _articles_made_a_file])
def test_an_unreadable_folder_keeps_the_last_good_snapshot_until_fixed(
    content_dir: Path, break_it, edited: bool
) -> None:  # type: ignore[no-untyped-def]
    with live_app(content_dir) as app:
        client = app.test_client()
        before = {url: client.get(url).data for url in ("/feed.atom", "/feed.json", "/")}
        report = client.get("/healthz").get_json()
        assert report["status"] == "degraded" and report["content"] == {"status": "ok"}  # the empty fixture file
        good = (content_dir / "site.toml").read_text(encoding="utf-8")
        break_it(content_dir)
        assert wait_until(lambda: client.get("/healthz").get_json()["content"]["status"] == "unreadable")
        broken = client.get("/healthz").get_json()
        assert broken["status"] == "stale" and broken["articles"] == report["articles"]
        assert broken["content"]["reason"] and str(content_dir) not in json.dumps(broken)  # paths from the folder
        assert broken["content"]["path"] in (".", "articles", "site.toml")
        assert "last good snapshot" in broken["content"]["serving"] and broken["version"] == report["version"]
        for url, body in before.items():
            response = client.get(url)
            assert response.status_code == 200 and response.data == body
        _restore(content_dir, good.replace("entries_per_feed = 2", "entries_per_feed = 1") if edited else good)
        assert wait_until(lambda: client.get("/healthz").get_json()["content"] == {"status": "ok"})
        if edited:
            # the fault clears once the folder reads again; the edit is published by the build that
            # follows, like any edit (a moment later on a busy machine): wait for it, do not assume it
            assert wait_until(lambda: client.get("/healthz").get_json()["version"] != report["version"])
        healed = client.get("/healthz").get_json()
        assert healed["status"] == "degraded"
        # an edit is published as a new version; the folder put back unchanged serves the same one
        assert (healed["version"] != report["version"]) == edited


@pytest.mark.parametrize("break_it", [_articles_moved_away, _articles_made_a_file])
def test_an_articles_folder_swapped_while_the_watcher_lists_it_is_unreadable_not_emptied(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch, break_it: Callable[[Path], None]
) -> None:
    # the test above, its swap made between the watcher's reading a name of articles/ and its stat: seen
    # once at load 12, it published an empty site (every page "removed while we looked") and so no fault
    real = os.scandir
    swapped = threading.Event()

    @contextlib.contextmanager
    def swapping(folder: int) -> Iterator[Iterator[os.DirEntry[str]]]:
        with real(folder) as entries:
            if threading.current_thread().name != "feedsvc-watch" or swapped.is_set():
                yield entries
                return

            def listed() -> Iterator[os.DirEntry[str]]:
                for entry in entries:
                    if not swapped.is_set() and entry.name.endswith(".html"):  # articles/, as the watcher lists it
                        break_it(content_dir)
                        swapped.set()
                    yield entry

            yield listed()

    with live_app(content_dir) as app:
        client = app.test_client()
        report = client.get("/healthz").get_json()
        watcher = app.extensions["feedsvc"].watcher
        monkeypatch.setattr(os, "scandir", swapping)
        assert swapped.wait(SOON_SECONDS)
        scans = watcher.scans
        assert wait_until(lambda: watcher.scans >= scans + 2)  # a look at all of the folder since, and done
        broken = client.get("/healthz").get_json()
        assert broken["content"]["status"] == "unreadable" and broken["content"]["path"] == "articles"
        assert broken["articles"] == report["articles"] and broken["version"] == report["version"]
        assert watcher.builds == 0  # nothing published from the folder half listed
