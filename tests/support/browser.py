"""Debian's Chromium for the browser tests: whether it can run, and how it is launched.

Tests marked ``browser`` are skipped when there is no Chromium or no
``playwright`` package, except under CI (``$CI`` set), where the browser is
always installed and its absence is a failure. The ``browser`` fixture and the
hook that applies the marker live in tests/integration/conftest.py; nothing
here skips at import time, so importing this module is always safe.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "IN_CI", "chromium", "missing", "require_browser"]

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@cache
def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401 - only whether it imports
    except ImportError as exc:
        return f"the playwright package is not importable ({exc}); pip install -e '.[test]'"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}; run scripts/install-browser.sh or set $CHROMIUM"
    return None


def require_browser() -> None:
    """Skip the calling test when the browser cannot run, or fail it under CI, where it always can."""
    reason = missing()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is an error: run scripts/install-browser.sh)", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch headless Chromium for the length of a with-block; always close it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
