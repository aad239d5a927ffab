"""Debian's Chromium for the browser tests, and the feedsvc server they drive.

Importing this module skips the importing test module when there is no
Chromium or no ``playwright`` package, except under CI (``$CI`` set), where
the browser is always installed and its absence is a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """Skip the module, or fail it under CI, where the browser is always installed."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is an error: run scripts/install-browser.sh)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    import playwright.sync_api  # noqa: F401 - only whether it imports
except ImportError as exc:  # pragma: no cover - depends on the environment
    unavailable(f"the playwright package is not importable ({exc}); pip install -e '.[test]'")
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    unavailable(f"no Chromium at {CHROMIUM}; run scripts/install-browser.sh or set $CHROMIUM")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

STARTUP_SECONDS = 20


def wait_until_serving(proc: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    """Wait for ``base``/ to answer 200; fail with the server's output if it exits or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"feedsvc serve exited with {proc.returncode} before answering; output:\n"
                + log_path.read_text(errors="replace"),
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"HTTP {exc.code}"
        except (OSError, urllib.error.URLError) as exc:
            last_error = str(exc)
        time.sleep(0.2)
    pytest.fail(
        f"feedsvc serve did not answer {base}/ within {STARTUP_SECONDS}s ({last_error}); output:\n"
        + log_path.read_text(errors="replace"),
        pytrace=False,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group: TERM, then KILL after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
