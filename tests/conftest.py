"""Shared fixtures: a copy of the fixture site, the app built on it, its client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from feedsvc.app import create_app
from support.paths import FIXTURES as FIXTURES_DIR
from support.paths import REPO

FIXTURES = FIXTURES_DIR
SAMPLE_CONTENT = REPO / "content"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the files in tests/golden/ from the current code (review the diff)",
    )


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/site: three good articles and one empty file."""
    target = tmp_path / "content"
    # without state a server run on the fixture itself may have left (ledger, build cache)
    shutil.copytree(FIXTURES / "site", target, ignore=shutil.ignore_patterns(".feedsvc"))
    return target


@pytest.fixture
def app(content_dir: Path) -> Flask:
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()
