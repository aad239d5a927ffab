"""A content folder that cannot be read keeps the last good snapshot serving, and /healthz says so."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.factories import live_app, publish_atomically
from support.servers import SOON_SECONDS, wait_until
from support.stats import stat_denied


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


BROKEN = "article-with-jsonld-tags-and-author"  # the fixture's page made unreadable (a published article)
EDITED = "article-oldest-with-time-element"  # another article, edited meanwhile


def _a_page_stat_denied(content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """A stand-in (the live server's threads cannot run in a child forked as another user): the watcher's
    poll, a restart, ``check`` and ``/healthz`` meet a real EACCES in tests/unit/build/test_permissions_as_user.py."""
    return stat_denied(monkeypatch, f"{BROKEN}.html")


def _a_page_made_a_symlink_loop(content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Put a symlink to itself in place of a published page (ELOOP: it stops root too); return what undoes it.

    The page is never missing on the way, as in an editor's save by rename. Moved away first (as this did), it
    was deleted until the loop came: a look of the watcher in between (a loaded machine) rightly published it
    removed, and the loop was then a new file that cannot be read, rejected, not held (seen once, loaded).
    """
    page = content_dir / "articles" / f"{BROKEN}.html"
    away = page.with_name(".away")
    shutil.copyfile(page, away)  # its bytes kept for the undo; the page untouched and in place
    loop = page.with_name(".loop")
    loop.symlink_to(page.name)  # the page itself while named .loop; a loop once named as the page
    loop.rename(page)  # in place at once, as an editor's save: the loop is named as the page
    return lambda: away.rename(page)


@pytest.mark.parametrize(
    ("break_it", "reason"),
    [(_a_page_stat_denied, "Permission denied"), (_a_page_made_a_symlink_loop, "Too many levels of symbolic links")],
    ids=["page-stat-denied", "page-made-a-symlink-loop"],
)
def test_a_page_whose_stat_fails_is_held_naming_it_while_the_rest_publishes(
    content_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    break_it: Callable[[Path, pytest.MonkeyPatch], Callable[[], None]],
    reason: str,
) -> None:
    # a stat that fails for a reason but "it is gone" (EACCES, EIO, ELOOP, …) dropped the page: published as
    # deleted (main). Then a fault of the whole folder: nothing more published, every other article's edit
    # waited. Now the page is held at its last version, saying which file and why, and the rest publishes
    edited = content_dir / "articles" / f"{EDITED}.html"
    caplog.set_level(logging.INFO, logger="feedsvc.serve.watcher")  # whatever a CLI test left feedsvc's level at
    with live_app(content_dir) as app:
        client = app.test_client()
        report = client.get("/healthz").get_json()
        article = client.get(f"/articles/{BROKEN}")
        assert article.status_code == 200 and not report["held"]
        undo = break_it(content_dir, monkeypatch)
        edited.write_text(edited.read_text(encoding="utf-8").replace("until spring.", "until May."), encoding="utf-8")
        assert wait_until(lambda: b"until May." in client.get(f"/articles/{EDITED}").data)
        assert wait_until(lambda: client.get("/healthz").get_json()["held"])
        health = client.get("/healthz").get_json()
        assert health["status"] == "degraded" and health["content"] == {"status": "ok"}
        assert health["articles"] == report["articles"] and health["version"] != report["version"]
        [held] = health["held"]
        assert held["path"] == f"articles/{BROKEN}.html" and held["reason"].startswith(f"cannot be read ({reason})")
        assert held["serving"].startswith("the last good version") and str(content_dir) not in json.dumps(health)
        response = client.get(f"/articles/{BROKEN}")
        assert response.status_code == 200 and response.data == article.data
        logged = [r.getMessage() for r in caplog.records if r.name == "feedsvc.serve.watcher"]
        assert any(f"held {content_dir}/articles/{BROKEN}.html: cannot be read ({reason})" in m for m in logged)
        undo()
        assert wait_until(lambda: not client.get("/healthz").get_json()["held"])
        assert client.get(f"/articles/{BROKEN}").status_code == 200
        assert client.get("/healthz").get_json()["articles"] == report["articles"]


def _moved(break_it: Callable[[Path], None]) -> Callable[[Path, pytest.MonkeyPatch], Callable[[], None]]:
    def broken(content_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
        site_toml = (content_dir / "site.toml").read_text(encoding="utf-8")
        break_it(content_dir)
        return lambda: _restore(content_dir, site_toml)

    return broken


@pytest.mark.parametrize(
    ("break_it", "path"),
    [(_moved(_articles_moved_away), "articles"), (_moved(_articles_made_a_file), "articles")],
    ids=["moved-away", "made-a-file"],
)  # fmt: skip
def test_a_site_with_no_articles_reports_an_unreadable_folder_too(
    content_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    break_it: Callable[[Path, pytest.MonkeyPatch], Callable[[], None]],
    path: str,
) -> None:
    # the fault was reported only when the snapshot serving had articles: with none, "ok, 0 articles" was said
    # of a folder that could not be read (nothing to keep, but not the truth)
    for page in (content_dir / "articles").iterdir():
        page.unlink()
    caplog.set_level(logging.INFO, logger="feedsvc.serve.watcher")  # whatever a CLI test left feedsvc's level at
    with live_app(content_dir) as app:
        client = app.test_client()
        report = client.get("/healthz").get_json()
        assert report["articles"] == 0 and report["content"] == {"status": "ok"}
        undo = break_it(content_dir, monkeypatch)
        assert wait_until(lambda: client.get("/healthz").get_json()["content"]["status"] == "unreadable")
        broken = client.get("/healthz").get_json()
        assert broken["status"] == "stale" and broken["content"]["path"] == path
        assert broken["articles"] == 0 and broken["version"] == report["version"]
        logged = [r.getMessage() for r in caplog.records if r.name == "feedsvc.serve.watcher"]
        assert any(m.startswith("content not published: ") and "/articles" in m for m in logged), logged
        undo()
        assert wait_until(lambda: client.get("/healthz").get_json()["content"] == {"status": "ok"})
        assert client.get("/healthz").get_json()["version"] == report["version"]


def test_a_site_without_an_articles_folder_yet_is_not_unreadable(content_dir: Path) -> None:
    # articles/ missing is a fault once the site was built from it (moved away: above); a site started without
    # one has no articles yet, and the build's warning says to create the folder: no fault, no "stale"
    shutil.rmtree(content_dir / "articles")
    with live_app(content_dir) as app:
        client = app.test_client()
        report = client.get("/healthz").get_json()
        assert report["content"] == {"status": "ok"} and report["articles"] == 0
        assert any("folder not found" in warning["reason"] for warning in report["warnings"])
        watcher = app.extensions["feedsvc"].watcher
        scans = watcher.scans
        assert wait_until(lambda: watcher.scans >= scans + 2)
        assert client.get("/healthz").get_json()["content"] == {"status": "ok"}
        (content_dir / "articles").mkdir()
        publish_atomically(content_dir, "first-story", "2024-05-01T09:00:00")
        assert wait_until(lambda: client.get("/healthz").get_json()["articles"] == 1)
        assert client.get("/healthz").get_json()["content"] == {"status": "ok"}
