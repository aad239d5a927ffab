#!/usr/bin/env python3
"""What a feed reader sees while the server is restarted or handed over: refused, reset, failed or slow requests.

    .venv/bin/python bench/restart_window.py CONTENT --port 8851 --server serve|gunicorn \\
        --how restart|usr2|socket|socket-usr2 [--workers 1] [--max-requests 20000] [--max-seconds 300] [--json OUT]
        [--python OTHER/.venv/bin/python --repo OTHER]   # another checkout's code: main's, for "before"
        [--python CURRENT/bin/python --switch-link CURRENT=NEW_VENV]   # an upgrade through a `current` link

Starts the server on 127.0.0.1 (``feedsvc serve``, or ``gunicorn -c
deploy/gunicorn.conf.py``), waits until it answers, then polls each of
``--paths`` (default /feed.atom and /healthz) from a thread of its own, a
new connection per request as a feed reader makes, while it:

- ``restart``: sends the server SIGTERM, waits for it to exit and starts it again (a plain restart);
- ``usr2``: sends SIGUSR2, waits for the successor's pid file (``PID.2``, written once its first build
  is done), then sends the old server SIGTERM (deploy/handover.sh does the same);
- ``socket``: holds the listening socket itself, as systemd's socket activation does, and passes it to
  the server (``LISTEN_FDS``); the restart is a SIGTERM and a new server on the same socket;
- ``socket-usr2``: both: the socket passed as systemd does, then the handover as ``usr2`` (the successor is told
  ``LISTEN_FDS`` too).

Polling goes on for ``--settle`` seconds after the new server first answers,
bounded by ``--max-requests`` requests and ``--max-seconds`` in all. Reports
requests made, refused, reset, timed out, answered 5xx or otherwise, the
longest a successful request took, and whether every answer to an Atom feed
was complete (its Content-Length) and a well-formed feed with the very
entries (id and ``updated``) the server answered before. Exits 1 if any
request failed. The content folder is not changed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"


# Started as systemd starts a socket-activated service: the socket at descriptor 3, LISTEN_FDS=1, LISTEN_PID its pid.
_ACTIVATE = (
    "import os, sys; fd = int(sys.argv[1]); os.dup2(fd, 3); fd != 3 and os.close(fd); "
    "os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS='1'); os.execvp(sys.argv[2], sys.argv[2:])"
)


def entries_of(body: bytes) -> frozenset[tuple[str, str]] | None:
    """Return the (id, updated) of each entry of an Atom feed, or None if ``body`` is no well-formed Atom feed."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if root.tag != f"{ATOM}feed":
        return None
    return frozenset(
        (entry.findtext(f"{ATOM}id") or "", entry.findtext(f"{ATOM}updated") or "")
        for entry in root.iter(f"{ATOM}entry")
    )


class Poller:
    """Poll paths of one server in threads, a new connection per request, and count what happened."""

    def __init__(self, port: int, paths: list[str], timeout: float, max_requests: int, deadline: float) -> None:
        self.port, self.paths, self.timeout = port, paths, timeout
        self.max_requests, self.deadline = max_requests, deadline
        self.outcomes: Counter[str] = Counter()
        self.longest = 0.0  # seconds, of a successful request
        self.failures: list[tuple[float, str, str]] = []  # (monotonic time, path, outcome), the first 50
        self.first_failure: float | None = None
        self.last_failure: float | None = None
        self.expected: frozenset[tuple[str, str]] | None = None  # the feed's entries before
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def request(self, path: str) -> tuple[str, float, bytes]:
        """Make one request; return its outcome, its duration and its body."""
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            body = response.read()
            length = response.getheader("Content-Length")
            status = response.status
        except ConnectionRefusedError:
            return "refused", time.monotonic() - started, b""
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            return "reset", time.monotonic() - started, b""
        except TimeoutError:
            return "timeout", time.monotonic() - started, b""
        except (OSError, http.client.HTTPException) as error:
            return f"error {type(error).__name__}", time.monotonic() - started, b""
        finally:
            connection.close()
        took = time.monotonic() - started
        if status >= 500:
            return f"http {status}", took, body
        if status != 200:
            return f"http {status}", took, body
        if length is not None and int(length) != len(body):
            return "incomplete", took, body
        if path.endswith(".atom"):
            found = entries_of(body)
            if found is None:
                return "not a feed", took, body
            if self.expected is not None and found != self.expected:
                return "other entries", took, body
        return "ok", took, body

    def _loop(self, path: str) -> None:
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            with self._lock:
                if sum(self.outcomes.values()) >= self.max_requests:
                    return
            outcome, took, _body = self.request(path)
            now = time.monotonic()
            with self._lock:
                self.outcomes[outcome] += 1
                if outcome == "ok":
                    self.longest = max(self.longest, took)
                else:
                    self.first_failure = self.first_failure or now
                    self.last_failure = now
                    if len(self.failures) < 50:
                        self.failures.append((now, path, outcome))
            if outcome in ("refused", "reset"):
                time.sleep(0.05)  # as a client that retries at once: not a busy loop on a closed port
            else:
                time.sleep(0.01)

    def start(self) -> None:
        for path in self.paths:
            thread = threading.Thread(target=self._loop, args=(path,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)


class Server:
    """One way of running the server, started, restarted and stopped as ``how`` says."""

    def __init__(self, args: argparse.Namespace, log_path: Path) -> None:
        self.args = args
        self.log = open(log_path, "ab")  # noqa: SIM115 - open for the server's whole life
        self.pid_file = log_path.with_suffix(".pid")
        for stale in (self.pid_file, Path(f"{self.pid_file}.2")):
            stale.unlink(missing_ok=True)
        self.held: socket.socket | None = None
        # what systemd's .socket unit does: bind and listen, before any server runs
        if args.how in ("socket", "socket-usr2"):
            self.held = socket.create_server(("127.0.0.1", args.port), backlog=2048)
        self.process: subprocess.Popen[bytes] | None = None
        self.group: int | None = None  # the first server's process group: successors (usr2) are in it

    def command(self) -> tuple[list[str], dict[str, str]]:
        args, env = self.args, dict(os.environ)
        if args.server == "serve":
            command = [args.python, "-m", "feedsvc.cli", "serve", "--content", str(args.content),
                       "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers)]  # fmt: skip
            if args.how in ("usr2", "socket-usr2"):
                command += ["--pid", str(self.pid_file)]  # the option is new: "before" runs older code without it
        else:
            command = [args.python, "-m", "gunicorn", "-c", str(args.repo / "deploy" / "gunicorn.conf.py"),
                       "--pid", str(self.pid_file)]  # fmt: skip
            env.update(FEEDSVC_CONTENT_DIR=str(args.content), FEEDSVC_BIND=f"127.0.0.1:{args.port}",
                       FEEDSVC_WORKERS=str(args.workers))  # fmt: skip
        if self.held is not None:
            # systemd's own hand-over: the socket as descriptor 3, LISTEN_PID the server's pid (exec keeps it)
            command = [sys.executable, "-c", _ACTIVATE, str(self.held.fileno()), *command]
        return command, env

    def start(self) -> None:
        command, env = self.command()
        pass_fds = (self.held.fileno(),) if self.held is not None else ()
        self.process = subprocess.Popen(
            command, cwd=self.args.repo, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True, pass_fds=pass_fds,
        )  # fmt: skip
        self.group = self.group or self.process.pid

    def master(self) -> int:
        assert self.process is not None
        return self.process.pid

    def restart(self, deadline: float) -> str:
        """Restart as ``how`` says; return what was done, with its times."""
        started = time.monotonic()
        if self.args.switch_link:  # an upgrade: the link the server was started through leads to the new release
            link, target = self.args.switch_link.split("=", 1)
            staged = Path(f"{link}.new")
            staged.unlink(missing_ok=True)
            staged.symlink_to(target)
            staged.replace(link)
        if self.args.how in ("usr2", "socket-usr2"):
            old = int(self.pid_file.read_text())
            os.kill(old, signal.SIGUSR2)
            successor = Path(f"{self.pid_file}.2")
            while not successor.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            if not successor.exists():
                return "no successor pid file before the deadline"
            ready = time.monotonic() - started
            os.kill(old, signal.SIGTERM)
            if self.process is not None and old == self.process.pid:  # our child: reaped, not a zombie
                self.process.wait(max(1.0, deadline - time.monotonic()))
            else:
                _wait_gone(old, deadline)
            return f"SIGUSR2; successor ready after {ready:.1f} s; SIGTERM to the old one"
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(max(1.0, deadline - time.monotonic()))
        stopped = time.monotonic() - started
        self.start()
        return f"SIGTERM; stopped after {stopped:.1f} s; started again"

    def stop(self) -> None:
        for group in {self.group, self.process.pid if self.process else None} - {None}:
            assert group is not None
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(group, sig)
                except ProcessLookupError:
                    break
                time.sleep(3 if sig == signal.SIGTERM else 0)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        if self.held is not None:
            self.held.close()
        self.log.close()


def _wait_gone(pid: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _wait_answering(port: int, deadline: float) -> bool:
    probe = Poller(port, [], 5.0, 1, deadline)
    while time.monotonic() < deadline:
        if probe.request("/healthz")[0] == "ok":
            return True
        time.sleep(0.2)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--port", type=int, required=True, help="a free port of 127.0.0.1")
    parser.add_argument("--server", choices=("serve", "gunicorn"), default="serve")
    parser.add_argument("--how", choices=("restart", "usr2", "socket", "socket-usr2"), default="restart")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run the server with")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose feedsvc (and deploy/) runs")
    parser.add_argument(
        "--switch-link",
        metavar="LINK=TARGET",
        help="an upgrade: point the symbolic link LINK (through which --python runs) at TARGET before the restart",
    )
    parser.add_argument("--paths", default="/feed.atom,/healthz")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a request may take")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to poll once the new server answers")
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--log", type=Path, default=Path("restart_window.log"), help="the servers' output")
    parser.add_argument("--json", type=Path, default=None, help="write the report here too")
    args = parser.parse_args()
    args.content = args.content.resolve()
    deadline = time.monotonic() + args.max_seconds
    server = Server(args, args.log.resolve())
    report: dict[str, object] = {"server": args.server, "how": args.how, "workers": args.workers}
    try:
        server.start()
        if not _wait_answering(args.port, deadline):
            raise SystemExit(f"the server did not answer within {args.max_seconds:g} s; see {args.log}")
        poller = Poller(args.port, args.paths.split(","), args.timeout, args.max_requests, deadline)
        outcome, _took, body = poller.request("/feed.atom")
        poller.expected = entries_of(body) if outcome == "ok" else None
        report["entries"] = len(poller.expected or ())
        poller.start()
        time.sleep(1.0)
        began = time.monotonic()
        report["done"] = server.restart(deadline)
        answered = _wait_answering(args.port, deadline)
        report["restart_to_answer_s"] = round(time.monotonic() - began, 2)
        time.sleep(args.settle if answered else 0)
        poller.stop()
        report.update(
            requests=sum(poller.outcomes.values()),
            outcomes=dict(poller.outcomes),
            failed=sum(n for o, n in poller.outcomes.items() if o != "ok"),
            longest_ok_s=round(poller.longest, 2),
            failing_for_s=round(poller.last_failure - poller.first_failure, 2) if poller.first_failure else 0.0,
            first_failures=[(round(t - began, 2), p, o) for t, p, o in poller.failures[:5]],
        )
    finally:
        server.stop()
    text = json.dumps(report)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    sys.exit(1 if report.get("failed") else 0)


if __name__ == "__main__":
    main()
