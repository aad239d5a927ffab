"""serve/publisher.py (forks publisher processes, so integration): building in a process of its own and handing each snapshot to the master."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc.build.builder import Builder
from feedsvc.build.delta import Delta, DeltaMismatch
from feedsvc.build.snapshot import Snapshot
from feedsvc.content.site import SiteConfigError
from feedsvc.serve.publisher import Publisher
from feedsvc.serve.wire import adopt_store, load_delta
from feedsvc.web.metrics import Metrics
from support.factories import publish_atomically, write_article

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def bodies(snapshot: Snapshot) -> dict[str, bytes]:
    return {path: resource.body for path, resource in snapshot.feeds.items()}


def running(pid: int) -> bool:
    """Say whether a child process is still running (without reaping it)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


@pytest.fixture
def started(content_dir: Path, tmp_path: Path) -> Iterator[tuple[Publisher, Snapshot]]:
    publisher, snapshot = Publisher.start(lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock)
    yield publisher, snapshot
    publisher.close()


def watching(publisher: Publisher) -> tuple[queue.Queue[Snapshot], queue.Queue[object]]:
    """Have ``publisher`` watch the folder at test speed; return the queues of what the master is told:
    each snapshot, and the fault it reports each time it is told of one (None once cleared)."""
    snapshots: queue.Queue[Snapshot] = queue.Queue()
    faults: queue.Queue[object] = queue.Queue()
    publisher.watch(snapshots.put, lambda: faults.put(publisher.fault), interval=0.05, rescan=0.1)
    return snapshots, faults


def test_the_first_snapshot_is_built_in_another_process(
    started: tuple[Publisher, Snapshot], content_dir: Path, tmp_path: Path
) -> None:
    publisher, snapshot = started
    assert publisher.pid != os.getpid() and running(publisher.pid)  # built there, and still there
    here = Builder(content_dir, cache_dir=tmp_path / "other-cache").build(NOW)
    assert bodies(snapshot) == bodies(here)
    assert (content_dir / ".feedsvc" / "revisions.json").exists()  # the publisher keeps the ledger


def test_the_publisher_exits_when_the_master_closes_its_end(content_dir: Path, tmp_path: Path) -> None:
    publisher, _ = Publisher.start(lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock)
    assert running(publisher.pid)
    assert publisher.close() == 0


def sockets_of(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` holds (its descriptors, as /proc shows them)."""
    folder = Path(f"/proc/{pid}/fd")
    held = set()
    for descriptor in folder.iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            if os.readlink(descriptor).startswith("socket:"):
                held.add(descriptor.stat().st_ino)
    return held


@pytest.mark.parametrize("listening", [False, True], ids=["bound, as serve forks it", "listening, as gunicorn's"])
def test_the_publisher_holds_none_of_the_servers_listening_sockets(
    content_dir: Path, tmp_path: Path, listening: bool
) -> None:
    """A listener held by the publisher too outlives the server by the moment the publisher takes to exit:
    connections queued there then are reset (a plain restart of `feedsvc serve` reset 2 of 158 failed requests)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))  # `feedsvc serve` binds before the publisher is forked, listens after
        if listening:
            listener.listen()  # a publisher started again is forked from the gunicorn master, which listens
        publisher, _ = Publisher.start(lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock)
        try:
            held = sockets_of(publisher.pid)
            assert held, "the publisher holds its link to the master: the check sees sockets"
            assert os.fstat(listener.fileno()).st_ino not in held
        finally:
            publisher.close()


def test_a_broken_site_toml_fails_the_first_build_naming_the_file(content_dir: Path, tmp_path: Path) -> None:
    (content_dir / "site.toml").write_text("title = [unclosed\n", encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"site\.toml"):
        Publisher.start(lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock)


def test_build_figures_reach_the_masters_metrics(content_dir: Path, tmp_path: Path) -> None:
    metrics = Metrics()
    publisher, snapshot = Publisher.start(
        lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock, report=metrics
    )
    try:
        assert metrics.registry.get_sample_value("feedsvc_snapshot_builds_total", {"outcome": "ok"}) == 1
        published = metrics.registry.get_sample_value("feedsvc_articles_published", {})
        assert published == len(snapshot.catalog.articles)
    finally:
        publisher.close()


def test_watching_sends_each_change_and_each_fault(started: tuple[Publisher, Snapshot], content_dir: Path) -> None:
    publisher, _ = started
    # what the master is told, in order: ("snapshot", snapshot) or ("fault", the fault it then reports)
    told: queue.Queue[tuple[str, object]] = queue.Queue()
    publisher.watch(
        lambda snapshot: told.put(("snapshot", snapshot)),
        lambda: told.put(("fault", publisher.fault)),
        interval=0.05,
        rescan=0.1,
    )

    write_article(content_dir, "fresh-news", "2024-05-30T09:00:00Z")
    kind, new = told.get(timeout=15)
    assert kind == "snapshot" and isinstance(new, Snapshot)
    assert "fresh-news" in new.catalog.by_slug
    assert b"fresh-news" in new.feeds["/feed.atom"].body

    articles = content_dir / "articles"
    shutil.move(articles, content_dir / "elsewhere")
    kind, fault = told.get(timeout=15)
    assert kind == "fault" and isinstance(fault, dict) and "articles" in fault["path"]
    assert publisher.fault == fault  # what /healthz reports
    shutil.move(content_dir / "elsewhere", articles)
    # Put back as published, nothing is built and the fault is cleared by a message of its own; with a change
    # still due when the folder went away (the machine slow to settle the new article), by the snapshot built
    # from it: either way the master is told, and reports no fault
    kind, cleared = told.get(timeout=15)
    assert (kind, cleared) == ("fault", None) or kind == "snapshot", (kind, cleared)
    assert publisher.fault is None


def test_an_article_added_while_the_folder_was_away_is_published_when_it_comes_back(
    started: tuple[Publisher, Snapshot], content_dir: Path
) -> None:
    # the fault then clears by the snapshot built from the folder, not by a message of its own: the master
    # reports no fault once it has it (the watching test above took only the message for the clearing, and
    # failed once in a loaded full run, when a change was still to build as the folder came back)
    publisher, _ = started
    snapshots, faults = watching(publisher)
    articles, away = content_dir / "articles", content_dir / "away"
    away.mkdir()
    shutil.move(articles, away / "articles")
    fault = faults.get(timeout=15)
    assert isinstance(fault, dict) and "articles" in fault["path"]
    write_article(away, "later-news", "2024-05-31T09:00:00Z")  # written into the folder while it is away
    shutil.move(away / "articles", articles)
    new = snapshots.get(timeout=15)
    assert "later-news" in new.catalog.by_slug
    assert publisher.fault is None


def test_a_fault_ended_by_a_delta_is_said_to_the_workers(
    started: tuple[Publisher, Snapshot], content_dir: Path
) -> None:
    # gunicorn's workers are forked with the fault (on_fault reloads them); a fix published as a delta cleared it
    # in the master alone, and every worker's /healthz said "stale" until some later reload
    publisher, _ = started
    faults: queue.Queue[object] = queue.Queue()
    deltas: queue.Queue[int] = queue.Queue()
    publisher.watch(
        lambda snapshot: None,
        lambda: faults.put(publisher.fault),
        on_delta=lambda payload, fds: deltas.put(len(payload)),
        interval=0.05,
        rescan=0.1,
    )
    good = (content_dir / "site.toml").read_text(encoding="utf-8")
    (content_dir / "site.toml").write_text("title = [unclosed\n", encoding="utf-8")
    assert isinstance(faults.get(timeout=15), dict)
    (content_dir / "site.toml").write_text(
        good.replace("entries_per_feed = 2", "entries_per_feed = 1"), encoding="utf-8"
    )
    deltas.get(timeout=15)  # the fix, published as a delta
    assert faults.get(timeout=15) is None and publisher.fault is None


def test_a_publisher_that_dies_is_started_again_and_publishes_on(
    started: tuple[Publisher, Snapshot], content_dir: Path
) -> None:
    publisher, _ = started
    snapshots, _ = watching(publisher)
    first = publisher.pid
    os.kill(first, signal.SIGKILL)
    snapshots.get(timeout=15)  # the new publisher's first build
    assert publisher.pid != first and running(publisher.pid)
    assert publisher.fault is None
    write_article(content_dir, "after-the-restart", "2024-05-30T09:00:00Z")
    assert "after-the-restart" in snapshots.get(timeout=15).catalog.by_slug


def test_a_restarted_publisher_that_cannot_build_reports_it_and_builds_once_fixed(
    started: tuple[Publisher, Snapshot], content_dir: Path
) -> None:
    publisher, _ = started
    snapshots, faults = watching(publisher)
    good = (content_dir / "site.toml").read_text(encoding="utf-8")
    (content_dir / "site.toml").write_text("title = [unclosed\n", encoding="utf-8")
    assert isinstance(faults.get(timeout=15), dict)  # the running publisher's own report
    os.kill(publisher.pid, signal.SIGKILL)
    fault = faults.get(timeout=15)  # the new one cannot build either: it says so and stays
    assert isinstance(fault, dict) and "site.toml" in fault["reason"] + fault["path"]
    assert running(publisher.pid)
    (content_dir / "site.toml").write_text(good, encoding="utf-8")
    snapshots.get(timeout=15)
    assert publisher.fault is None


def test_a_publisher_that_keeps_dying_is_reported_as_a_fault(
    started: tuple[Publisher, Snapshot], monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher, _ = started
    monkeypatch.setattr(Publisher, "RESTARTS", 1)
    faults: queue.Queue[object] = queue.Queue()
    snapshots: queue.Queue[Snapshot] = queue.Queue()
    publisher.watch(snapshots.put, lambda: faults.put(publisher.fault), interval=0.05, rescan=0.1)
    os.kill(publisher.pid, signal.SIGKILL)
    snapshots.get(timeout=15)  # started again once
    os.kill(publisher.pid, signal.SIGKILL)
    fault = faults.get(timeout=15)
    assert (
        isinstance(fault, dict) and "restarted too often" in fault["reason"] and "restart the server" in fault["reason"]
    )


def test_a_publisher_that_stops_with_the_server_is_not_started_again(started: tuple[Publisher, Snapshot]) -> None:
    publisher, _ = started
    snapshots, faults = watching(publisher)
    first = publisher.pid
    publisher.stopping = True  # what a stop signal to the master says (SiteState.note_stop_signals)
    os.kill(first, signal.SIGTERM)
    with pytest.raises(queue.Empty):
        snapshots.get(timeout=2)  # no new publisher, no new build
    assert publisher.pid == first and faults.empty() and publisher.fault is None


def test_stop_signals_reach_the_publisher_and_the_handler_before(content_dir: Path, tmp_path: Path) -> None:
    from feedsvc.serve.state import SiteState

    publisher, snapshot = Publisher.start(lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock)
    seen: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda number, _frame: seen.append(number))
    try:
        SiteState(snapshot, publisher=publisher).note_stop_signals()
        os.kill(os.getpid(), signal.SIGTERM)
        assert publisher.stopping and seen == [signal.SIGTERM]  # noted, then gunicorn's (here: ours) ran
    finally:
        signal.signal(signal.SIGTERM, before)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
        publisher.close()


def test_with_deltas_taken_a_publish_comes_as_a_delta_and_one_not_applied_brings_the_whole_snapshot(
    started: tuple[Publisher, Snapshot], content_dir: Path
) -> None:
    publisher, first = started
    snapshots: queue.Queue[Snapshot] = queue.Queue()
    deltas: queue.Queue[Delta] = queue.Queue()

    def refuse(payload: bytearray, fds: list[int]) -> None:
        deltas.put(load_delta(payload, [adopt_store(fd) for fd in fds]))
        raise DeltaMismatch("as a master that missed one would")

    publisher.watch(snapshots.put, lambda: None, on_delta=refuse, interval=0.05, rescan=0.1)
    # sidecar first, then the page renamed into place: one change, not a page seen before its sidecar
    publish_atomically(content_dir, "by-delta", "2024-05-30T09:00:00Z")
    change = deltas.get(timeout=15)
    assert [a.slug for a in change.articles] == ["by-delta"] and change.base == first.catalog.version
    whole = snapshots.get(timeout=15)  # asked for again, whole
    assert whole.catalog.version == change.version and "by-delta" in whole.catalog.by_slug


def test_a_publisher_watching_from_its_start_publishes_a_change_made_before_it_is_told_to_watch(
    content_dir: Path, tmp_path: Path
) -> None:
    timing = {"interval": 0.05, "rescan": 0.1, "safety_rescan": 3600.0, "polling": False}  # no safety scan soon
    publisher, first = Publisher.start(lambda: Builder(content_dir, cache_dir=tmp_path / "cache"), clock, timing=timing)
    try:
        # the first snapshot is here, the master not yet listening: a change now is in the watch's report
        write_article(content_dir, "during-the-start", "2024-05-30T09:00:00Z")
        snapshots: queue.Queue[Snapshot] = queue.Queue()
        publisher.watch(snapshots.put, lambda: None, **timing)
        assert "during-the-start" in snapshots.get(timeout=15).catalog.by_slug
        first_pid = publisher.pid
        os.kill(first_pid, signal.SIGKILL)  # started again with the same timing: watching from its start too
        snapshots.get(timeout=15)
        write_article(content_dir, "after-the-restart", "2024-05-30T10:00:00Z")
        assert "after-the-restart" in snapshots.get(timeout=15).catalog.by_slug
        assert publisher.pid != first_pid and "during-the-start" not in first.catalog.by_slug
    finally:
        publisher.close()
