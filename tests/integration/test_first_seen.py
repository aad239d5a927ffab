"""One date for an undated page: `feedsvc check`, `import`, `build` and `serve` all give the one the ledger pins."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from feedsvc.app import create_app
from feedsvc.build.state import read_ledger
from feedsvc.cli.main import main
from feedsvc.content.loader import load_site
from feedsvc.importer.http import Fetcher, FetchSettings
from feedsvc.importer.importing import Importer
from support.http_fixture import FixtureServer, page
from support.paths import FIXTURES

UNDATED = (FIXTURES / "metadata" / "article_with_no_date.html").read_text(encoding="utf-8")
SITE_TOML = """\
title = "Harbour Times"
base_url = "https://news.example.org"
id_authority = "news.example.org,2024"
default_author = "Harbour Times"
timezone = "Asia/Tbilisi"
"""
TBILISI = ZoneInfo("Asia/Tbilisi")
IMPORTED = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "articles").mkdir(parents=True)
    (folder / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    return folder


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


def checked(content_dir: Path) -> datetime:
    """Return the publication date `feedsvc check` shows for the one article."""
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir), "--no-cache"])
    assert result.exit_code == 0, result.output
    match = re.search(r"published: (\S+)", result.output)
    assert match, result.output
    return datetime.fromisoformat(match[1])


def built(content_dir: Path, target: Path) -> tuple[datetime, str]:
    """Return the date the exported JSON Feed gives the article, and what `feedsvc build` said."""
    result = CliRunner().invoke(main, ["build", str(target), "--content", str(content_dir), "--no-cache"])
    assert result.exit_code == 0, result.output + result.stderr
    (item,) = json.loads((target / "feed.json").read_text(encoding="utf-8"))["items"]
    return datetime.fromisoformat(item["date_published"]), result.stderr


def served(content_dir: Path) -> datetime:
    """Return the date the served JSON Feed gives the article."""
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CACHE_DIR": ""})
    (item,) = app.test_client().get("/feed.json").get_json()["items"]
    return datetime.fromisoformat(item["date_published"])


def test_a_hand_written_undated_page_gets_one_date_from_check_build_and_serve(
    content_dir: Path, tmp_path: Path
) -> None:
    (content_dir / "articles" / "summit.html").write_text(UNDATED, encoding="utf-8")
    before = datetime.now(UTC).replace(microsecond=0)
    first = checked(content_dir)
    assert first >= before  # first seen now: by this check
    time.sleep(1.1)  # a later run would otherwise see the same second anyway
    assert checked(content_dir) == first  # check pinned it: no new date on every run
    ledger, problem = read_ledger(content_dir)
    assert problem is None and ledger["summit"].first_seen == first
    day, said = built(content_dir, tmp_path / "export")
    assert day == first
    assert f"published = {first.isoformat()}" in said  # build says how the date was chosen, and how to pin it
    assert served(content_dir) == first


def test_an_imported_undated_page_is_dated_when_it_was_imported_everywhere(
    content_dir: Path, tmp_path: Path, server: FixtureServer
) -> None:
    server.routes["/summit"] = page(UNDATED)
    settings = FetchSettings(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, max_bytes=100_000)
    with Fetcher(settings) as fetcher:
        importer = Importer(content_dir, load_site(content_dir), fetcher, clock=lambda: IMPORTED)
        outcome = importer.import_url(server.url("/summit"))
    when = IMPORTED.astimezone(TBILISI)
    assert any(f"published = {when.isoformat()}" in warning for warning in outcome.warnings), outcome.warnings
    assert checked(content_dir) == when
    assert built(content_dir, tmp_path / "export")[0] == when
    assert served(content_dir) == when
