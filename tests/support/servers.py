"""Real servers for tests: a free loopback port, and ``feedsvc serve`` for the length of a with-block.

Every server listens on 127.0.0.1 only, waits a bounded time to start and
is always stopped (its whole process group) when the block ends.
"""

from __future__ import annotations

import os
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


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    """Run ``python -m feedsvc.cli serve`` on a loopback port (a free one unless given); yield it once it answers."""
    port = port or free_port()
    command = [sys.executable, "-m", "feedsvc.cli.main", "serve", "--content", str(content_dir),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), *args]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", port, log_path, process.pid)
    try:
        wait_until_answering(f"{served.url}/healthz", process, log_path, START_SECONDS)
        yield served
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``seconds`` have passed (its last answer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
