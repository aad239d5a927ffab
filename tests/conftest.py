"""Shared fixtures: a content folder (a copy of the fixture site, or a blank site), the app on it, its
client, and a local HTTP server to import from.

Helpers used by several test modules live in tests/support/, fixtures used by
several here (the browser: tests/integration/conftest.py); a fixture a single
module needs stays in that module. No test module imports a fixture.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from feedsvc.app import create_app
from feedsvc.content.loader import load_site
from feedsvc.model import Site
from support.factories import stopped_at_the_end
from support.http_fixture import FixtureServer
from support.leftovers import Census
from support.sites import blank_site, copy_site

# Property tests assert behaviour, never time: hypothesis's default 200 ms deadline per example
# fails them on a busy machine (CI shares its cores). Derandomized and without an example
# database, every run tries the same examples, so a failure is reproducible.
settings.register_profile(
    "feedsvc", deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("feedsvc")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the files in tests/golden/ from the current code (review the diff)",
    )


@pytest.fixture(autouse=True, scope="session")
def no_feedsvc_environment() -> Iterator[None]:
    """Run every test without the FEEDSVC_* variables of the shell that started pytest.

    create_app reads them (and refuses one it does not know): a developer's FEEDSVC_CONTENT_DIR
    or CI's FEEDSVC_WORKERS would change what the tests see. A test that wants one sets it
    (monkeypatch.setenv); subprocesses started by tests inherit the cleaned environment.
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("FEEDSVC_")]:
            patch.delenv(name)
        yield


# An event loop's executor threads (the module's browser: playwright) belong to the loop, not to the test
# that first used them; the module's check sees them if the loop is never closed.
LOOP_THREADS = ("asyncio_",)


@pytest.fixture(autouse=True, scope="module")
def nothing_left_running_by_the_module(request: pytest.FixtureRequest) -> Iterator[Census]:
    """Fail the module whose fixtures leave a thread or child process running (see the fixture below)."""
    census = Census.take()
    yield census
    found = census.leftovers()
    assert not found, f"{request.node.nodeid} (its fixtures) left running:\n  " + "\n  ".join(found)


@pytest.fixture(autouse=True)
def nothing_left_running(nothing_left_running_by_the_module: Census) -> Iterator[None]:
    """Fail the test that leaves a thread or child process running, naming it and what stops it.

    A thread left running calls feedsvc during the tests after it: one that patches a module-level
    function (os.scandir) is then called from two threads and fails once in a while, far from the
    cause. Threads told to stop get a bounded join first (tests/support/leftovers.py).
    """
    census = Census.take()
    yield
    found = census.leftovers(exempt=LOOP_THREADS)
    nothing_left_running_by_the_module.know(census)  # reported here: not again for the module
    assert not found, "the test left running:\n  " + "\n  ".join(found)


@pytest.fixture(autouse=True)
def unfrozen_heap() -> Iterator[None]:
    """Give back to the cycle collector what a test's first build froze (feedsvc.build.collector).

    A publisher freezes its heap once, after its start; a test process builds thousands of sites,
    and each test's garbage frozen by the next build would stay until the process ends.
    """
    yield
    gc.unfreeze()


@pytest.fixture
def site_toml() -> str | None:
    """The site.toml of ``content_dir``; None: ``content_dir`` is a copy of tests/fixtures/site.

    A module that needs a blank site of its own overrides this fixture to
    return that site's TOML (support.sites.NEWS_SITE_TOML is a ready one).
    """
    return None


@pytest.fixture
def content_dir(tmp_path: Path, site_toml: str | None) -> Path:
    """A writable content folder at ``tmp_path/content``.

    By default a copy of tests/fixtures/site (three good articles and one
    empty file, no state); with ``site_toml`` overridden, a blank site: that
    site.toml and an empty articles/ folder.
    """
    target = tmp_path / "content"
    return copy_site(target) if site_toml is None else blank_site(target, site_toml)


@pytest.fixture
def site(content_dir: Path) -> Site:
    """The settings of ``content_dir``, as the loader reads them."""
    return load_site(content_dir)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A local HTTP server on a free loopback port; a test sets what it answers (``server.routes``)."""
    with FixtureServer() as running:
        yield running


@pytest.fixture
def app(content_dir: Path) -> Iterator[Flask]:
    """The app on ``content_dir``; what it runs (a WebSub thread, if site.toml names a hub) is stopped after."""
    with stopped_at_the_end(create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()
