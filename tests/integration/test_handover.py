"""A restart or an upgrade that refuses no connection: the listening socket outlives the server that listens on it.

Real servers on 127.0.0.1, polled by a client making a new connection per
request (as a feed reader polls), bounded in requests and seconds, while:
``feedsvc serve`` and ``gunicorn -c deploy/gunicorn.conf.py`` hand over to
their successor on SIGUSR2 (it inherits the socket, builds while the old
one serves, then the old one stops gracefully), and a server restarted on a
socket held for it, as systemd's socket activation holds it (``LISTEN_FDS``).
Failures are counted, not timed. And the two publishers that run during a
handover date an edit both see once: one at a time (the ledger lock).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedsvc.build import builder as builder_module
from feedsvc.build.builder import Builder
from feedsvc.build.snapshot import Snapshot
from feedsvc.build.state import read_ledger
from feedsvc.content.loader import load_site
from feedsvc.importer import importing
from feedsvc.importer.importing import Importer
from support.factories import write_article
from support.paths import REPO
from support.servers import (
    START_SECONDS,
    bound_socket,
    stop_session,
    wait_for_port,
    wait_until,
    wait_until_answering,
)
from support.sites import blank_site

sys.path.insert(0, str(REPO / "bench"))
from restart_window import entries_of  # what the bench counts as a whole feed, so do the tests

MAX_REQUESTS = 3000  # per poller: each test's client loop is bounded in count...
MAX_SECONDS = 90.0  # ... and in time


def fetch(port: int, path: str) -> tuple[str, bytes]:
    """GET ``path`` on a new connection; return what happened ("ok", "refused", "reset", "http 503", …) and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=MAX_SECONDS)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        length = response.getheader("Content-Length")
    except ConnectionRefusedError:
        return "refused", b""
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return "reset", b""
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__, b""
    finally:
        connection.close()
    if response.status != 200:
        return f"http {response.status}", body
    if length is not None and int(length) != len(body):
        return "cut short", body
    return "ok", body


@dataclass
class Readers:
    """Feed readers polling /feed.atom and /healthz of one port until stopped (bounded in count and time)."""

    port: int
    expected: frozenset[tuple[str, str]] | None = None  # the feed's entries before the handover
    outcomes: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _poll(self, path: str) -> None:
        deadline = threading.Event()
        timer = threading.Timer(MAX_SECONDS, deadline.set)
        timer.start()
        try:
            for _ in range(MAX_REQUESTS):
                if self._stop.is_set() or deadline.is_set():
                    return
                outcome, body = fetch(self.port, path)
                if outcome == "ok" and path == "/feed.atom" and entries_of(body) != self.expected:
                    outcome = "another feed"  # not a whole feed, or entries gone, or an id or date moved
                self.outcomes[outcome] += 1
                self._stop.wait(0.02)
        finally:
            timer.cancel()

    def __enter__(self) -> Readers:
        outcome, body = fetch(self.port, "/feed.atom")
        assert outcome == "ok", outcome
        self.expected = entries_of(body)
        assert self.expected, "the site's feed has entries to watch"
        for path in ("/feed.atom", "/healthz"):
            thread = threading.Thread(target=self._poll, args=(path,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop polling; before the server stops, or a request would wait on a socket no server accepts on."""
        self._stop.set()
        for thread in self._threads:
            thread.join(MAX_SECONDS)

    def answered(self) -> int:
        return self.outcomes["ok"]

    def failures(self) -> dict[str, int]:
        return {outcome: n for outcome, n in self.outcomes.items() if outcome != "ok"}


@contextmanager
def server(command: list[str], log_path: Path, env: dict[str, str], pass_fds: tuple[int, ...] = ()) -> Iterator[int]:
    """Run ``command`` in a session of its own; yield its pid; stop the whole session (successors too) at the end."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, pass_fds=pass_fds,
        )  # fmt: skip
    try:
        yield process.pid
    finally:
        stop_session(process)


def gone(pid: int) -> Callable[[], bool]:
    """A condition: process ``pid`` has exited (reaped, or a zombie its parent has yet to reap)."""

    def check() -> bool:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
        except FileNotFoundError:
            return True

    return check


def hand_over(pid_file: Path, log_path: Path) -> int:
    """SIGUSR2 to the server of ``pid_file``; once its successor's first build is done, SIGTERM to it.

    Returns the successor's pid (deploy/handover.sh does the same from the shell).
    """
    old = int(pid_file.read_text())
    os.kill(old, signal.SIGUSR2)
    successor = Path(f"{pid_file}.2")
    assert wait_until(successor.exists, START_SECONDS), log_path.read_text(errors="replace")
    new = int(successor.read_text())
    os.kill(old, signal.SIGTERM)
    assert wait_until(gone(old), START_SECONDS), log_path.read_text(errors="replace")
    return new


def hand_over_by_script(pid_file: Path, log_path: Path, readers: Readers) -> int:
    """Run deploy/handover.sh on ``pid_file`` (the production recipe, as an operator or a unit's ExecReload runs
    it); once it is done, let ``readers`` be answered 20 more times. Returns the successor's pid."""
    handover = subprocess.run(
        ["sh", str(REPO / "deploy" / "handover.sh"), str(pid_file), str(int(START_SECONDS))],
        capture_output=True, text=True, timeout=3 * START_SECONDS,
    )  # fmt: skip
    assert handover.returncode == 0, handover.stderr + log_path.read_text(errors="replace")[-3000:]
    served_before = readers.answered()
    assert wait_until(lambda: readers.answered() >= served_before + 20), log_path.read_text()
    return int(handover.stderr.rsplit("done: ", 1)[1].split()[0])


# As systemd starts a socket-activated service: the socket at descriptor 3, LISTEN_FDS=1, LISTEN_PID its own pid.
_ACTIVATE = (
    "import os, sys; fd = int(sys.argv[1]); os.dup2(fd, 3); fd != 3 and os.close(fd); "
    "os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS='1'); os.execvp(sys.argv[2], sys.argv[2:])"
)


def socket_activated(fd: int, command: list[str]) -> list[str]:
    """``command`` started as systemd starts a socket-activated service, with the listening socket ``fd``."""
    return [sys.executable, "-c", _ACTIVATE, str(fd), *command]


def promoted(pid_file: Path, pid: int) -> bool:
    """Whether ``pid_file`` names ``pid``: a successor renames its FILE.2 once the old server is gone."""
    try:
        return int(pid_file.read_text()) == pid
    except (FileNotFoundError, ValueError):
        return False


def serve_command(content_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "feedsvc.cli", "serve", "--content", str(content_dir), "--host", "127.0.0.1",
            "--workers", "1", *args]  # fmt: skip


def test_serve_hands_over_on_sigusr2_refusing_no_connection(content_dir: Path, tmp_path: Path) -> None:
    log_path, pid_file = tmp_path / "serve.log", tmp_path / "feedsvc.pid"
    with server(serve_command(content_dir, "--port", "0", "--pid", str(pid_file)), log_path, dict(os.environ)):
        port = wait_for_port_of(log_path)
        wait_until(pid_file.exists, START_SECONDS)
        old = int(pid_file.read_text())
        with Readers(port) as readers:
            wait_until(lambda: readers.answered() >= 10)
            new = hand_over(pid_file, log_path)
            served_before = readers.answered()
            assert wait_until(lambda: readers.answered() >= served_before + 20), log_path.read_text()
        assert new != old and wait_until(lambda: promoted(pid_file, new))  # the successor serves, in the pid file
    assert readers.failures() == {}, log_path.read_text(errors="replace")[-3000:]
    assert "on the socket handed over by the gunicorn master that re-executed" in log_path.read_text()


def release(folder: Path, base_url: str | None = None) -> Path:
    """A virtualenv standing for one installed release of feedsvc: this checkout and its dependencies on its path
    (a .pth file), and, given ``base_url``, links starting there: what tells the release serving apart."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    dependencies = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site_packages,) = folder.glob("lib/python*/site-packages")
    lines = [str(REPO), str(dependencies)]
    if base_url:
        lines.append(f"import os; os.environ['FEEDSVC_BASE_URL'] = {base_url!r}")
    (site_packages / "feedsvc_release.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_an_upgrade_through_a_current_link_to_the_virtualenv_serves_the_new_release(
    content_dir: Path, tmp_path: Path
) -> None:
    """The documented upgrade: the service runs ``current/bin/python -m feedsvc.cli serve``; the link is moved to
    the new release's virtualenv, then the handover; the successor is the new release, refusing nothing."""
    old_release, new_release = release(tmp_path / "release-1"), release(tmp_path / "release-2", "http://new.example")
    current = tmp_path / "current"
    current.symlink_to(old_release)
    log_path, pid_file = tmp_path / "serve.log", tmp_path / "feedsvc.pid"
    command = [str(current / "bin" / "python"), *serve_command(content_dir, "--port", "0", "--pid", str(pid_file))[1:]]
    with server(command, log_path, dict(os.environ)):
        port = wait_for_port_of(log_path)
        with Readers(port) as readers:
            wait_until(lambda: readers.answered() >= 10)
            assert b"http://new.example/" not in fetch(port, "/feed.atom")[1]
            current.unlink()
            current.symlink_to(new_release)  # the upgrade: the new release installed beside, the link moved
            hand_over(pid_file, log_path)
            served_before = readers.answered()
            assert wait_until(lambda: readers.answered() >= served_before + 20), log_path.read_text()
            upgraded = fetch(port, "/feed.atom")[1]
    assert readers.failures() == {}, log_path.read_text(errors="replace")[-3000:]
    assert b"http://new.example/articles/" in upgraded  # the new release serves: its links


def test_gunicorn_conf_hands_over_on_sigusr2_refusing_no_connection(content_dir: Path, tmp_path: Path) -> None:
    log_path, pid_file = tmp_path / "gunicorn.log", tmp_path / "gunicorn.pid"
    with socket.socket() as probe:  # a free port for gunicorn's own bind (it prints no port of its choosing)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FEEDSVC_CONTENT_DIR": str(content_dir), "FEEDSVC_BIND": f"127.0.0.1:{port}",
           "FEEDSVC_WORKERS": "1"}  # fmt: skip
    # `python -m gunicorn`: the way that re-executed gunicorn's __main__.py as a script, which could not start
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(REPO / "deploy" / "gunicorn.conf.py"),
        "--pid",
        str(pid_file),
    ]
    with server(command, log_path, env) as pid:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", _Process(pid), log_path, START_SECONDS)
        with Readers(port) as readers:
            wait_until(lambda: readers.answered() >= 10)
            new = hand_over_by_script(pid_file, log_path, readers)
        assert new != pid and wait_until(lambda: promoted(pid_file, new))
    assert readers.failures() == {}, log_path.read_text(errors="replace")[-3000:]


def test_a_successor_that_cannot_start_leaves_the_old_server_serving(content_dir: Path, tmp_path: Path) -> None:
    """site.toml broken before the handover: the successor's first build fails and it exits; the old server
    serves on, refusing nothing, and deploy/handover.sh says so (status 1) as soon as the successor is gone,
    naming the log its error is in: not once its wait (600 s here, the default) is over."""
    log_path, pid_file = tmp_path / "serve.log", tmp_path / "feedsvc.pid"
    with server(serve_command(content_dir, "--port", "0", "--pid", str(pid_file)), log_path, dict(os.environ)):
        port = wait_for_port_of(log_path)
        old = int(pid_file.read_text())
        (content_dir / "site.toml").write_text("title = [unclosed\n", encoding="utf-8")
        with Readers(port) as readers:
            wait_until(lambda: readers.answered() >= 10)
            handover = subprocess.run(
                ["sh", str(REPO / "deploy" / "handover.sh"), str(pid_file)],
                capture_output=True, text=True, timeout=3 * START_SECONDS,  # far short of the script's 600 s
            )  # fmt: skip
            served_before = readers.answered()
            assert wait_until(lambda: readers.answered() >= served_before + 20), log_path.read_text()
        assert int(pid_file.read_text()) == old and not gone(old)()  # the old server serves on
    assert handover.returncode == 1 and f"{old} serves on" in handover.stderr, handover.stderr
    assert "exited before serving" in handover.stderr and f"the log: {log_path}" in handover.stderr, handover.stderr
    assert "site.toml" in log_path.read_text()  # the successor said why it could not start
    assert readers.failures() == {}, log_path.read_text(errors="replace")[-3000:]


_IGNORES_USR2 = (
    "import signal, sys, time; signal.signal(signal.SIGUSR2, signal.SIG_IGN); print(flush=True); time.sleep(60)"
)


@pytest.mark.parametrize("usr2", ["ignored", "fatal"])
def test_handover_sh_reports_a_server_that_starts_no_successor(tmp_path: Path, usr2: str) -> None:
    """SIGUSR2 ignored (gunicorn does, while a handover is under way): said after 10 s, not after the whole wait;
    a process SIGUSR2 ends (not a feedsvc or gunicorn master): said at once, not taken for one serving on."""
    pid_file = tmp_path / "server.pid"
    command = [sys.executable, "-c", _IGNORES_USR2] if usr2 == "ignored" else ["sleep", "60"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        try:
            if usr2 == "ignored":
                assert process.stdout is not None and process.stdout.readline()  # its handler is in place
            pid_file.write_text(f"{process.pid}\n")
            handover = subprocess.run(
                ["sh", str(REPO / "deploy" / "handover.sh"), str(pid_file)],  # the default wait: 600 s
                capture_output=True, text=True, timeout=3 * START_SECONDS,
            )  # fmt: skip
        finally:
            process.kill()
    assert handover.returncode == 1
    if usr2 == "ignored":
        assert f"{process.pid} started no successor within 10 s" in handover.stderr, handover.stderr
        assert f"{process.pid} serves on" in handover.stderr
    else:
        assert f"{process.pid} exited after SIGUSR2" in handover.stderr, handover.stderr


def test_a_restart_on_a_socket_held_for_the_server_refuses_no_connection(content_dir: Path, tmp_path: Path) -> None:
    """systemd's socket activation: the socket unit holds the socket; each server started gets it as descriptor 3."""
    log_path = tmp_path / "serve.log"
    held = bound_socket()  # bound and listening before any server runs, as a .socket unit does
    port = held.getsockname()[1]
    fd = held.fileno()
    command = socket_activated(fd, serve_command(content_dir))  # no --port: the socket's
    try:
        with server(command, log_path, dict(os.environ), pass_fds=(fd,)) as first:
            wait_until_answering(f"http://127.0.0.1:{port}/healthz", _Process(first), log_path, START_SECONDS)
            with Readers(port) as readers:
                wait_until(lambda: readers.answered() >= 10)
                os.kill(first, signal.SIGTERM)  # `systemctl restart` of the service: the socket unit stays
                assert wait_until(gone(first), START_SECONDS)
                served_before = readers.answered()
                with server(command, log_path, dict(os.environ), pass_fds=(fd,)):
                    assert wait_until(lambda: readers.answered() >= served_before + 20), log_path.read_text()
                    readers.stop()
    finally:
        held.close()
    assert readers.failures() == {}, log_path.read_text(errors="replace")[-3000:]
    assert "on the socket handed over by systemd socket activation" in log_path.read_text()


def test_a_socket_activated_server_hands_over_on_sigusr2_refusing_no_connection(
    content_dir: Path, tmp_path: Path
) -> None:
    """systemd's socket activation and the handover together: gunicorn tells its successor LISTEN_FDS (descriptor
    3), having moved the socket off 3 when it started; the successor found 3 closed and could not start."""
    log_path, pid_file = tmp_path / "serve.log", tmp_path / "feedsvc.pid"
    held = bound_socket()  # as a .socket unit holds it
    port, fd = held.getsockname()[1], held.fileno()
    command = socket_activated(fd, serve_command(content_dir, "--pid", str(pid_file)))
    try:
        with server(command, log_path, dict(os.environ), pass_fds=(fd,)) as first:
            wait_until_answering(f"http://127.0.0.1:{port}/healthz", _Process(first), log_path, START_SECONDS)
            with Readers(port) as readers:
                wait_until(lambda: readers.answered() >= 10)
                new = hand_over_by_script(pid_file, log_path, readers)
            assert new != first and wait_until(lambda: promoted(pid_file, new))
    finally:
        held.close()
    assert readers.failures() == {}, log_path.read_text(errors="replace")[-3000:]
    assert log_path.read_text().count("on the socket handed over by systemd socket activation") == 2


def test_serve_refuses_a_port_other_than_the_inherited_sockets(content_dir: Path, tmp_path: Path) -> None:
    held = bound_socket()
    fd, port = held.fileno(), held.getsockname()[1]
    command = socket_activated(fd, serve_command(content_dir, "--port", "1"))
    try:
        result = subprocess.run(command, cwd=REPO, pass_fds=(fd,), capture_output=True, text=True, timeout=60)
    finally:
        held.close()
    assert result.returncode == 1
    assert f"the inherited socket listens on port {port}, not --port 1" in result.stderr


class _Process:
    """What wait_until_answering asks of a process it did not start: whether it has exited."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        return 0 if gone(self.pid)() else None


def wait_for_port_of(log_path: Path) -> int:
    """The port a starting ``feedsvc serve`` says it listens on, once it answers there (it says so a moment before
    gunicorn listens)."""

    class _Running:
        def poll(self) -> None:
            return None

    port = wait_for_port(_Running(), log_path, START_SECONDS)  # type: ignore[arg-type]
    wait_until_answering(f"http://127.0.0.1:{port}/healthz", _Running(), log_path, START_SECONDS)  # type: ignore[arg-type]
    return port


# --- two publishers dating one edit --------------------------------------------------------------------------

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OLD_SERVER_NOW = T0 + timedelta(hours=2)  # the old server's publisher publishes the edit at this time...
NEW_SERVER_NOW = T0 + timedelta(hours=1)  # ... while the new server's first build, started earlier, dates it


def edited(tmp_path: Path) -> tuple[Path, Builder]:
    """A site one publisher built at T0, whose one article has been edited since (undated: the edit is dated when
    first seen); return the folder and that publisher."""
    content = blank_site(tmp_path / "content")
    write_article(content, "harbour", "2025-02-01T10:00:00+00:00", text="The harbour story, as first told here.")
    publisher = Builder(content, cache_dir=content / ".feedsvc" / "cache")
    publisher.build(T0)
    write_article(content, "harbour", "2025-02-01T10:00:00+00:00", text="The harbour story, told again with news.")
    return content, publisher


def interleaved(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, first: Callable[[], object], then: Callable[[], object]
) -> None:
    """Run ``first`` in a thread until it calls ``module.name`` and hold it there (with whatever it holds), run
    ``then`` meanwhile in another, let ``first`` go on; return once both are done."""
    inside, go, done = threading.Event(), threading.Event(), threading.Event()
    real = getattr(module, name)

    def paused(*args: object, **kwargs: object) -> object:
        if threading.current_thread().name == "first":
            inside.set()
            go.wait(MAX_SECONDS)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, paused)
    threads = [threading.Thread(target=first, name="first")]
    threads[0].start()
    assert inside.wait(MAX_SECONDS)
    threads.append(threading.Thread(target=lambda: (then(), done.set()), name="then"))
    threads[1].start()
    done.wait(2.0)  # done at once if nothing holds it back; either way, what both did must agree
    go.set()
    for thread in threads:
        thread.join(MAX_SECONDS)


def test_an_edit_seen_by_both_publishers_of_a_handover_is_dated_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new server's first build dates an edit (holding the ledger) while the old server publishes the same
    edit: the old one waits, reads the new one's date and keeps it, so both serve one ``updated``."""
    content, old_server = edited(tmp_path)
    new_server = Builder(content, cache_dir=content / ".feedsvc" / "cache")
    built: dict[str, Snapshot] = {}
    interleaved(
        monkeypatch, builder_module, "assemble_catalog",  # the new server has read the ledger and dates the edit
        first=lambda: built.setdefault("new", new_server.build(NEW_SERVER_NOW)),
        then=lambda: built.setdefault("old", old_server.build(OLD_SERVER_NOW)),
    )  # fmt: skip

    new_date = built["new"].catalog.by_slug["harbour"].updated
    assert new_date == NEW_SERVER_NOW  # an edit: dated when the build that saw it first began
    assert built["old"].catalog.by_slug["harbour"].updated == new_date
    ledger, _problem = read_ledger(content)
    assert ledger["harbour"].since == new_date


IMPORTED = T0 + timedelta(hours=3)


def test_a_date_an_import_pins_while_a_publisher_dates_an_edit_loses_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source followed during a handover: the import pins an undated article's date (the ledger read and
    written whole) while a publisher dates an edit (a line appended): the publisher waits its turn, and the
    ledger keeps both (the whole write used to drop the line, and the edit was dated again next time)."""
    content, publisher = edited(tmp_path)
    importer = Importer(content, load_site(content), check=False)
    built: list[Snapshot] = []
    interleaved(
        monkeypatch, importing, "write_ledger",  # the importer has read the ledger and writes it whole now
        first=lambda: importer._first_seen("notice", IMPORTED),
        then=lambda: built.append(publisher.build(OLD_SERVER_NOW)),
    )  # fmt: skip

    assert built[0].catalog.by_slug["harbour"].updated == OLD_SERVER_NOW
    ledger, _problem = read_ledger(content)
    assert ledger["harbour"].since == OLD_SERVER_NOW  # the publisher's date of the edit, on disk
    assert ledger["notice"].first_seen == IMPORTED  # and the import's
