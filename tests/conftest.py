"""Shared fixtures: a content folder (a copy of the fixture site, or a blank site), the app on it, its
client, and a local HTTP server to import from.

Helpers used by several test modules live in tests/support/, fixtures used by
several here (the browser: tests/integration/conftest.py); a fixture a single
module needs stays in that module. No test module imports a fixture.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from feedsvc.app import create_app
from feedsvc.content.loader import load_site
from feedsvc.model import Site
from support.http_fixture import FixtureServer
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
def app(content_dir: Path) -> Flask:
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()
