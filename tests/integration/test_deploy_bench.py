"""bench/serve.sh's helpers: the bare Flask floor and the report of wrk's outputs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from support.paths import REPO

BENCH = REPO / "bench"

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40001/feed.atom
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.01ms    3.10ms  48.20ms   80.00%
    Req/Sec     2.70k   210.00     3.10k    70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.00ms
     90%   15.00ms
     99%   {p99}
  {requests} requests in 10.00s, 1.10MB read
  Socket errors: connect 0, read 12, write 0, timeout {timeouts}
Requests/sec:   {rps}
Transfer/sec:    112.00KB
"""


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    (tmp_path / "body.gz").write_bytes(b"\x1f\x8bnot really gzip")
    (tmp_path / "headers.txt").write_bytes(
        b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: Fri, 27 Nov 2026 23:34:13 GMT\r\nConnection: close\r\n"
        b'X-Content-Type-Options: nosniff\r\nETag: "abc"\r\nCache-Control: public, max-age=300\r\n'
        b"Vary: Accept-Encoding\r\nContent-Encoding: gzip\r\n"
        b"Content-Type: application/atom+xml; charset=utf-8\r\nContent-Length: 17\r\n\r\n"
    )
    monkeypatch.setenv("BARE_BODY", str(tmp_path / "body.gz"))
    monkeypatch.setenv("BARE_HEADERS", str(tmp_path / "headers.txt"))
    monkeypatch.setenv("BARE_PATH", "/feed.atom")
    return load("bare_flask")


def test_bare_flask_sends_the_bytes_and_fields_it_was_given(bare: ModuleType) -> None:
    response = bare.app.test_client().get("/feed.atom")
    assert response.status_code == 200
    assert response.data == b"\x1f\x8bnot really gzip"
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["ETag"] == '"abc"'
    # the status line and the fields the server adds itself are not replayed
    assert "Server" not in response.headers and "Connection" not in response.headers


def test_bare_flask_answers_304_to_its_etag(bare: ModuleType) -> None:
    client = bare.app.test_client()
    response = client.get("/feed.atom", headers={"If-None-Match": '"abc"'})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == '"abc"' and response.headers["Vary"] == "Accept-Encoding"
    assert client.get("/feed.atom", headers={"If-None-Match": '"other"'}).status_code == 200


def test_wrk_output_is_parsed() -> None:
    report = load("serve_report")
    parsed = report.parse_wrk(WRK_OUTPUT.format(p99="1.20s", requests=27000, timeouts=3, rps="2700.50"))
    assert parsed["rps"] == 2700.5 and parsed["p99_ms"] == 1200.0
    assert parsed["requests"] == 27000 and parsed["timeouts"] == 3
    assert report.parse_wrk(WRK_OUTPUT.format(p99="850.00us", requests=1, timeouts=0, rps="1"))["p99_ms"] == 0.85
    with pytest.raises(ValueError):
        report.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_report_gives_per_round_ratios_and_their_median(tmp_path: Path) -> None:
    site = tmp_path / "sample"
    site.mkdir()
    (site / "info").write_text("site=sample\nfeed_bytes=3750\ngzip_bytes=1411\n")
    rates = {"feedsvc": 900, "flask": 1000, "static": 10000, "proxy": 9000}
    for round_, factor in (("1", 1.0), ("2", 0.5), ("3", 1.1)):
        for server, rate in rates.items():
            for status in ("200", "304"):
                for slice_, drift in (("1", 0.9), ("4", 1.1)):  # A B B A: the mean of two slices
                    (site / f"{round_}-{server}-{status}-{round_}{slice_}.txt").write_text(
                        WRK_OUTPUT.format(p99="20.00ms", requests=100, timeouts=0, rps=f"{rate * factor * drift:.2f}")
                    )
    result = subprocess.run(
        [sys.executable, str(BENCH / "serve_report.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    ratio_200 = next(line for line in lines if "feedsvc / bare Flask, 200" in line)
    assert "0.90  0.90 0.90 0.90" in ratio_200 and "met" in ratio_200
    assert any("nginx proxy / nginx static, 304" in line and "0.90" in line for line in lines)
    assert "1,000 (500-1,100)" in next(line for line in lines if "bare Flask (gunicorn), 200" in line)
