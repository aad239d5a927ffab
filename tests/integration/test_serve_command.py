"""`feedsvc serve` as a process: gunicorn answering on loopback, and its JSON log lines.

Moved from tests/unit/cli/: each test starts a real server, so they belong with
the other tests that start processes and stay out of `make test-fast`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.servers import bound_socket, feedsvc_serve, wait_until


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port some other program listens on for the length of the test."""
    with bound_socket() as sock:
        yield int(sock.getsockname()[1])


def test_serve_runs_gunicorn_that_answers_on_loopback(content_dir: Path, tmp_path: Path) -> None:
    with (
        feedsvc_serve(content_dir, tmp_path / "serve.log") as served,
        urllib.request.urlopen(f"{served.url}/feed.atom", timeout=5) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_serve_logs_one_json_line_per_request_and_per_rejected_file(content_dir: Path, tmp_path: Path) -> None:
    with feedsvc_serve(content_dir, tmp_path / "serve.log") as served:
        request = urllib.request.Request(
            f"{served.url}/feed.atom?x=1", headers={"User-Agent": 'quote " and \\ backslash'}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            size = len(response.read())
        # the access line is written after the response is sent
        wait_until(lambda: any(line.get("event") == "access" for line in json_lines(served.output())))
    lines = json_lines(served.output())
    access = [line for line in lines if line.get("event") == "access"]
    assert access and access[-1]["path"] == "/feed.atom" and access[-1]["query"] == "x=1"
    assert (access[-1]["status"], access[-1]["bytes"], access[-1]["method"]) == (200, size, "GET")
    assert access[-1]["user_agent"] == 'quote " and \\ backslash'
    rejected = [line for line in lines if line.get("event") == "rejected"]
    assert any(line["path"].endswith("article-that-is-empty.html") and line["reason"] for line in rejected)


def _feed(url: str) -> str:
    with urllib.request.urlopen(f"{url}/feed.atom", timeout=10) as response:
        return str(response.read().decode("utf-8"))


def _use_base_url(content_dir: Path, base_url: str) -> None:
    toml = (content_dir / "site.toml").read_text(encoding="utf-8")
    old = next(line for line in toml.splitlines() if line.startswith("base_url"))
    (content_dir / "site.toml").write_text(toml.replace(old, f'base_url = "{base_url}"'), encoding="utf-8")


def test_port_0_prints_the_port_and_a_loopback_base_url_follows_it(content_dir: Path, tmp_path: Path) -> None:
    # the sample site.toml's base_url: http://127.0.0.1:8000, as `make serve PORT=9000` finds it
    _use_base_url(content_dir, "http://127.0.0.1:8000")
    with feedsvc_serve(content_dir, tmp_path / "serve.log") as served:  # --port 0
        assert served.port != 0
        assert f"serving {content_dir} at {served.url}/ (links: {served.url}/)" in served.output()
        feed = _feed(served.url)
    assert f'href="{served.url}/feed.atom"' in feed and "127.0.0.1:8000" not in feed
    assert "warning" not in served.output()


def test_a_base_url_set_explicitly_is_kept_and_a_loopback_mismatch_is_a_warning(
    content_dir: Path, tmp_path: Path
) -> None:
    _use_base_url(content_dir, "http://127.0.0.1:8000")
    env = {"FEEDSVC_BASE_URL": "http://localhost:8000"}
    with feedsvc_serve(content_dir, tmp_path / "serve.log", env=env) as served:
        feed = _feed(served.url)
    assert 'href="http://localhost:8000/feed.atom"' in feed
    warning = "warning: links start at http://localhost:8000, set by --base-url or FEEDSVC_BASE_URL, but this server"
    assert f"{warning} listens on port {served.port}" in served.output()


def test_a_public_base_url_of_site_toml_is_kept_without_a_warning(content_dir: Path, tmp_path: Path) -> None:
    # tests/fixtures/site: base_url = "https://news.example.org", reached through a proxy: as written
    with feedsvc_serve(content_dir, tmp_path / "serve.log") as served:
        feed = _feed(served.url)
    assert 'href="https://news.example.org/feed.atom"' in feed
    assert "warning" not in served.output()


def test_a_port_in_use_fails_at_once_naming_it(content_dir: Path, held_port: int) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feedsvc.cli.main", "serve", "--content", str(content_dir), "--port", str(held_port)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{held_port}" in result.stderr and "--port" in result.stderr
