"""`feedsvc serve` with two gunicorn workers publishes a content change in both, and tells the hub once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from feedsvc.build.builder import load_snapshot
from feedsvc.build.representation import body_etag
from support.factories import publish_atomically, replace_picture, with_icon
from support.hub import Hub, with_hub
from support.servers import feedsvc_serve, wait_for_port, wait_until


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.read()


def test_a_new_article_reaches_every_worker_and_the_hub_once(content_dir: Path, tmp_path: Path) -> None:
    with Hub() as hub:
        with_hub(content_dir, hub.url)
        topics = load_snapshot(content_dir, ledger="ignore").topics()
        with feedsvc_serve(content_dir, tmp_path / "serve.log", workers=2) as served:
            base = served.url
            assert wait_until(lambda: sorted(hub.urls()) == sorted(topics))  # the start-up announcements
            hub.received.clear()

            publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
            # Every worker serves it: 40 requests in a row, whichever worker answers each. (Right after
            # the reload, an old worker may still answer a request it had accepted before it was told
            # to stop; how soon all of this happens is bench/build.py's to measure, not a test's.)
            assert wait_until(lambda: all(b"new-story" in fetch(f"{base}/feed.atom") for _ in range(40)))
            versions = {json.loads(fetch(f"{base}/healthz"))["version"] for _ in range(20)}
            assert len(versions) == 1

            site_feed = "https://news.example.org/feed.atom"
            assert wait_until(lambda: site_feed in hub.urls())
            first_round = hub.urls()
            transport = [url for url in first_round if "/tags/transport/" in url]
            assert transport  # the new story's tag feed changed too
            # The sign that the first publish's announcements are all in: a second publish's
            # (the master announces in order, from one queue). A worker announcing as well
            # would have sent the first round again by then.
            publish_atomically(content_dir, "second-story", "2024-05-03T10:00:00", tags=("Weather",))
            assert wait_until(lambda: hub.urls().count(site_feed) >= 2)
            urls = hub.urls()
            assert urls.count(site_feed) == 2  # once per publish: the master alone announces
            for url in transport:
                assert urls.count(url) == 1  # not touched by the second publish, announced once
            assert len(first_round) == len(set(first_round))


def _answers(url: str) -> bool:
    try:
        fetch(url)
        return True
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """The child processes of ``pid``, oldest first."""
    found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return sorted(found, key=lambda child: int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[19]))


def test_a_publisher_process_builds_and_gunicorn_reports_its_faults(content_dir: Path, tmp_path: Path) -> None:
    with feedsvc_serve(content_dir, tmp_path / "serve.log", workers=2) as served:
        assert wait_until(lambda: len(_children(served.pid)) == 3)  # the publisher and two workers
        publisher = _children(served.pid)[0]  # forked before gunicorn starts any worker: the oldest
        assert Path(f"/proc/{publisher}/status").read_text().count("PPid:\t" + str(served.pid)) == 1
        before = json.loads(fetch(f"{served.url}/healthz"))
        assert before["status"] == "degraded"  # the fixture site holds an empty file: rejected

        articles = content_dir / "articles"
        articles.rename(content_dir / "moved-away")
        reports: list[dict] = []  # each from one response: right after a reload an old worker may answer the next
        assert wait_until(lambda: reports.append(json.loads(fetch(f"{served.url}/healthz"))) or
                          reports[-1]["status"] == "stale")  # fmt: skip
        report = reports[-1]
        assert report["content"]["path"].endswith("articles") and report["articles"] == before["articles"]
        assert b"<entry>" in fetch(f"{served.url}/feed.atom")  # the last good snapshot serves
        (content_dir / "moved-away").rename(articles)
        assert wait_until(lambda: json.loads(fetch(f"{served.url}/healthz"))["content"] == {"status": "ok"})

        publish_atomically(content_dir, "after-the-fault", "2024-05-02T10:00:00")
        assert wait_until(lambda: b"after-the-fault" in fetch(f"{served.url}/feed.atom"))
        assert _children(served.pid)[0] == publisher  # the same publisher throughout: it keeps its build state


def test_an_icon_replaced_under_its_name_is_served_with_a_new_etag(content_dir: Path, tmp_path: Path) -> None:
    icon = with_icon(content_dir)

    def favicon() -> tuple[bytes, str]:
        with urllib.request.urlopen(f"{served.url}/favicon.ico", timeout=2) as response:
            return response.read(), response.headers["ETag"]

    with feedsvc_serve(content_dir, tmp_path / "serve.log", workers=1) as served:
        before = favicon()
        assert before[0] == icon.read_bytes()
        page = fetch(f"{served.url}/")
        replace_picture(icon, "wide-300x100.png")
        answers: list[tuple[bytes, str]] = []
        assert wait_until(lambda: answers.append(favicon()) or answers[-1][0] == icon.read_bytes())
        assert answers[-1][1] != before[1]
        # the pages' preview card gives the picture's size (Atom names only its URL: the same bytes, the same ETag)
        assert b'content="300"' in fetch(f"{served.url}/") and b'content="300"' not in page
        assert json.loads(fetch(f"{served.url}/healthz"))["content"] == {"status": "ok"}


def _favicon(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(f"{url}/favicon.ico", timeout=2) as response:
            return response.status, response.read(), response.headers["ETag"]
    except urllib.error.HTTPError as error:
        return error.code, b"", ""


def test_every_worker_serves_the_icon_the_build_read_whatever_becomes_of_its_file(
    content_dir: Path, tmp_path: Path
) -> None:
    # the workers, forked after the build, read the file when first asked for (08e2518): a picture saved anew
    # since was sent under the version built with the old one, and one deleted since answered 404, while the
    # site served its last good snapshot and every page still linked it
    icon = with_icon(content_dir)
    built = (200, icon.read_bytes(), f'"{body_etag(icon.read_bytes())}"')
    with feedsvc_serve(content_dir, tmp_path / "serve.log", "--no-watch", workers=2) as served:
        replace_picture(icon, "wide-300x100.png")  # after the build, before anyone asked for it
        assert {_favicon(served.url) for _ in range(20)} == {built}
    icon.write_bytes(built[1])
    with feedsvc_serve(content_dir, tmp_path / "watched.log", workers=2) as served:
        publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00")  # a publish that leaves the icon as it is
        assert wait_until(lambda: all(b"new-story" in fetch(f"{served.url}/feed.atom") for _ in range(20)))
        icon.unlink()
        assert wait_until(lambda: _icon_problem(served.url) is not None)
        assert {_favicon(served.url) for _ in range(20)} == {built}  # held at the bytes the build read
        publish_atomically(content_dir, "while-it-is-gone", "2024-05-03T10:00:00")  # edits publish meanwhile
        assert wait_until(lambda: all(b"while-it-is-gone" in fetch(f"{served.url}/feed.atom") for _ in range(20)))
        # its publisher killed: the one started again cannot read the icon either, and publishes it from the
        # build cache's copy of the bytes last read
        publisher = _children(served.pid)[0]
        os.kill(publisher, signal.SIGKILL)
        assert wait_until(lambda: _children(served.pid) and _children(served.pid)[0] != publisher)
        assert wait_until(lambda: _icon_problem(served.url) is not None)
        assert {_favicon(served.url) for _ in range(20)} == {built}


def _icon_problem(url: str, name: str = "media/icon.png") -> dict | None:
    """The entry of ``/healthz``'s other problems for the picture file ``name``, if there is one."""
    report = json.loads(fetch(f"{url}/healthz"))
    return next((p for p in report["other_problems"] if p["path"] == name), None)


def test_a_restart_with_the_icon_gone_starts_and_serves_it_from_the_build_cache_or_without_it(
    content_dir: Path, tmp_path: Path
) -> None:
    # a whole-service restart with the icon unreadable refused to start ("'icon' names …, which does not exist"),
    # as a broken site.toml does: no feed, no article served for want of a picture
    icon = with_icon(content_dir)
    built = (200, icon.read_bytes(), f'"{body_etag(icon.read_bytes())}"')
    with feedsvc_serve(content_dir, tmp_path / "first.log", workers=2) as served:
        feed = urllib.request.urlopen(f"{served.url}/feed.atom", timeout=2)
        etag, body = feed.headers["ETag"], feed.read()
        assert b"<icon>" in body and _favicon(served.url) == built
    icon.unlink()
    with feedsvc_serve(content_dir, tmp_path / "again.log", workers=2) as served:
        problem = _icon_problem(served.url)
        assert problem is not None and problem["reason"].endswith(
            "which does not exist; put the picture there or correct the path")  # fmt: skip
        assert problem["serving"].startswith("the last good version (sha256 ")
        report = json.loads(fetch(f"{served.url}/healthz"))
        assert report["status"] == "degraded" and report["articles"] == 3
        again = urllib.request.urlopen(f"{served.url}/feed.atom", timeout=2)
        assert again.headers["ETag"] == etag and again.read() == body  # the very feed, with its icon
        assert {_favicon(served.url) for _ in range(10)} == {built}
    assert "media/icon.png" in (tmp_path / "again.log").read_text()  # the log names the file too
    # no build cache to keep the bytes: the site is served without its icon, and says so
    with feedsvc_serve(content_dir, tmp_path / "bare.log", "--no-cache", workers=1) as served:
        problem = _icon_problem(served.url)
        assert problem is not None and problem["reason"].endswith("until then the site has no icon")
        assert "serving" not in problem
        feed_body = fetch(f"{served.url}/feed.atom")
        assert b"<entry>" in feed_body and b"<icon>" not in feed_body and b"<logo>" not in feed_body
        assert b'<link rel="icon" href="data:,">' in fetch(f"{served.url}/")  # (the browser asks for none)
        assert _favicon(served.url)[0] == 404
    icon.write_bytes(built[1])


def test_without_watching_the_publisher_exits_after_the_first_build(content_dir: Path, tmp_path: Path) -> None:
    with feedsvc_serve(content_dir, tmp_path / "serve.log", "--no-watch", workers=1) as served:
        assert wait_until(lambda: len(_children(served.pid)) == 1)  # the worker alone
        assert b"<entry>" in fetch(f"{served.url}/feed.atom")
        assert json.loads(fetch(f"{served.url}/healthz"))["status"] == "degraded"  # the empty fixture file


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["service-stop", "ctrl-c"])
def test_a_stop_signalled_to_every_process_stops_all_without_a_new_publisher(
    content_dir: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    # systemd's stop (and a terminal's Ctrl-C) signals every process of the service at once
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "feedsvc.cli.main", "serve", "--content", str(content_dir), "--host", "127.0.0.1",
             "--port", "0", "--workers", "2"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        port = wait_for_port(server, log_path, 30.0)
        assert wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz") or server.poll() is not None, 30.0)
        assert wait_until(lambda: len(_children(server.pid)) == 3)
        family = [server.pid, *_children(server.pid)]
        os.killpg(server.pid, stop)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the server did not stop within 30 s:\n{log_path.read_text(errors='replace')}"
            ) from None
        assert wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in family))
        output = log_path.read_text(errors="replace")
        assert "starting a new one" not in output and "publisher process failed" not in output, output
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_publishes_after_the_first_reach_the_workers_as_deltas_without_forking_them(
    content_dir: Path, tmp_path: Path
) -> None:
    with feedsvc_serve(content_dir, tmp_path / "serve.log", workers=2) as served:
        base = served.url
        assert wait_until(lambda: len(_children(served.pid)) == 3)
        family = _children(served.pid)  # the publisher, then the two workers
        etag = {json.loads(fetch(f"{base}/healthz"))["version"] for _ in range(10)}
        assert len(etag) == 1

        publish_atomically(content_dir, "new-story", "2024-05-02T10:00:00", tags=("Transport",))
        assert wait_until(lambda: all(b"new-story" in fetch(f"{base}/feed.atom") for _ in range(40)))
        page = content_dir / "articles" / "article-oldest-with-time-element.html"
        page.write_text(page.read_text(encoding="utf-8").replace("until spring.", "until May."), encoding="utf-8")
        article = f"{base}/articles/article-oldest-with-time-element"
        assert wait_until(lambda: all(b"until May." in fetch(article) for _ in range(40)))
        (content_dir / "articles" / "new-story.html").unlink()
        assert wait_until(lambda: all(b"new-story" not in fetch(f"{base}/feed.atom") for _ in range(40)))

        assert _children(served.pid) == family  # the same workers throughout: nothing was forked
        answers = [fetch(f"{base}/healthz") for _ in range(20)]  # one version everywhere, the same feed bytes
        assert len({json.loads(answer)["version"] for answer in answers}) == 1
        request = urllib.request.Request(f"{base}/tags/transport/feed.atom")
        tags = set()
        for _ in range(20):
            with urllib.request.urlopen(request, timeout=2) as response:
                tags.add((response.headers["ETag"], response.read()))
        assert len(tags) == 1 and b"new-story" not in next(iter(tags))[1]
        assert "deltas" not in (tmp_path / "serve.log").read_text(encoding="utf-8")  # no worker failed to apply one
