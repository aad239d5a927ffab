"""`feedsvc serve` as a process: gunicorn answering on loopback, and its JSON log lines.

Moved from tests/unit/cli/: each test starts a real server, so they belong with
the other tests that start processes and stay out of `make test-fast`.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from support.servers import feedsvc_serve, wait_until


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
