"""Real servers for tests: ``feedsvc serve`` for the length of a with-block, on the port it picked.

Every server listens on 127.0.0.1 only, on port 0 unless told (it binds a
free port itself and prints it: no other process can take the port between
a probe and the bind), waits a bounded time to start and is always stopped
(its whole process group) when the block ends.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.paths import REPO

START_SECONDS = 30


# What `feedsvc serve` prints once it holds its port: "feedsvc X: serving DIR at http://HOST:PORT/ (links: …)".
_SERVING = re.compile(r"serving .* at http://127\.0\.0\.1:(\d+)/")


def bound_socket() -> socket.socket:
    """Return a TCP socket bound to a free port of 127.0.0.1 and listening: for a server that takes a socket,
    or for a test that needs a port nothing answers on (close it to refuse connections, keep it to hold the port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def wait_for_port(process: subprocess.Popen[bytes], log_path: Path, seconds: float) -> int:
    """Return the port a starting ``feedsvc serve`` says it listens on; fail with its output if it exits first."""
    deadline = time.monotonic() + seconds
    while True:
        output = log_path.read_text(encoding="utf-8", errors="replace")
        found = _SERVING.search(output)
        if found:
            return int(found.group(1))
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the server did not say which port it listens on within {seconds:g} s:\n{output}")
        time.sleep(0.05)


@dataclass(frozen=True)
class Served:
    """A running ``feedsvc serve``: where it answers and where its output goes."""

    url: str  # http://127.0.0.1:<port>, no trailing slash
    port: int
    log_path: Path
    pid: int = 0  # the gunicorn master's

    def output(self) -> str:
        """Return everything the server has written so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path, seconds: float) -> None:
    """Poll ``url`` until it answers; fail with the server's output if it exits or the time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            output = log_path.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"the server did not answer {url} within {seconds:g} s:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, if not with 200
        except OSError:
            time.sleep(0.2)


@contextmanager
def feedsvc_serve(
    content_dir: Path,
    log_path: Path,
    *args: str,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
) -> Iterator[Served]:
    """Run ``python -m feedsvc.cli serve`` on a loopback port (one it picks unless given); yield it once it answers."""
    command = [sys.executable, "-m", "feedsvc.cli.main", "serve", "--content", str(content_dir),
               "--host", "127.0.0.1", "--port", str(port or 0), "--workers", str(workers), *args]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        port = wait_for_port(process, log_path, START_SECONDS)
        served = Served(f"http://127.0.0.1:{port}", port, log_path, process.pid)
        wait_until_answering(f"{served.url}/healthz", process, log_path, START_SECONDS)
        yield served
    finally:
        stop_session(process)


def stop_session(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in a session of its own: its whole process group (workers, a successor), SIGTERM
    first, then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
            break
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue


# How long a test waits for something that should happen soon. Generous on purpose: a condition
# that holds ends the wait at once, and a machine busy with other work may take several times
# longer than an idle one (builds, reloads and deliveries run on its cores too).
SOON_SECONDS = 30.0


def wait_until(condition: Callable[[], bool], seconds: float = SOON_SECONDS) -> bool:
    """Poll ``condition`` until it holds (True) or ``seconds`` have passed (its last answer).

    For what must happen; never for what must not (a timeout proves nothing there: wait for a
    positive sign of progress, such as a counter of scans, then assert the absence).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
