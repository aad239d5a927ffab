"""Fixtures of the integration tests: a headless Chromium for the tests marked ``browser``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from support.browser import chromium, require_browser

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: a browser test without a browser starts no server only to be skipped.
    if item.get_closest_marker("browser") is not None:
        require_browser()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, one per test module (mark the module ``browser``)."""
    require_browser()
    with chromium() as launched:
        yield launched
