"""Debian's Chromium for the browser tests, and the fixture that launches it.

Importing this module skips the importing test module when there is no
Chromium or no ``playwright`` package, except under CI (``$CI`` set), where
the browser is always installed and its absence is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """Skip the module, or fail it under CI, where the browser is always installed."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is an error: run scripts/install-browser.sh)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright.sync_api import Browser, sync_playwright
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, one per test module (import this fixture into the module)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
