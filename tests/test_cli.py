"""cli.py: the feedsvc command: check, clean, serve and their help."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsvc.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGE = """<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>A headline</h1>
<p>First paragraph of the story, long enough to be a paragraph of an article.</p>
<p>A second paragraph with <a href="/more">a relative link</a>.</p></article>
<script>track()</script></body></html>"""


@pytest.mark.parametrize("command", [[], ["serve"], ["check"], ["clean"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main" in result.output or "Usage:" in result.output


def test_check_reports_each_article_and_each_problem_and_fails_on_errors(content_dir: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1
    assert "ok       article-with-jsonld-tags-and-author" in result.output
    assert "title:     Harbour bridge reopens after repairs" in result.output
    assert "error    " in result.output and "article-that-is-empty.html" in result.output
    assert "3 published, 1 not published" in result.output


def test_check_passes_when_everything_publishes(content_dir: Path) -> None:
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "3 published, 0 not published" in result.output


def test_check_names_a_broken_site_toml(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text("title = \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert "site.toml" in result.output


def test_clean_prints_the_article_with_absolute_links(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(page), "--url", "https://example.org/story"])
    assert result.exit_code == 0, result.output
    assert "First paragraph of the story" in result.output
    assert 'href="https://example.org/more"' in result.output
    assert "track()" not in result.output
    assert ">News<" not in result.output


def test_clean_reads_standard_input() -> None:
    result = CliRunner().invoke(main, ["clean", "-"], input=PAGE)
    assert result.exit_code == 0, result.output
    assert "A second paragraph" in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_runs_gunicorn_that_answers_on_loopback(content_dir: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "feedsvc.cli", "serve", "--content", str(content_dir),
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.atom", timeout=2) as response:
                    assert response.status == 200
                    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
                    assert b"Harbour bridge reopens after repairs" in response.read()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode(errors="replace")
    assert "gunicorn" in output.lower() or "Booting worker" in output
