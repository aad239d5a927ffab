"""bench/output_hashes.py: pages whose hashes differ, told apart by whether their HTML differs."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from output_hashes import main


def test_a_page_whose_html_is_the_same_is_told_apart_from_one_whose_html_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "set"
    (data / "html").mkdir(parents=True)
    truth = {}
    for page_id in ("a", "b"):
        html = f"<html><body><article><p>{'Words of page ' + page_id + '. ' * 30}</p></article></body></html>"
        (data / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[page_id] = {"articleBody": "", "url": f"https://example.org/{page_id}"}
    (data / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    saved = tmp_path / "hashes.json"
    assert main([str(data), "--save", str(saved)]) == 0
    hashes = json.loads(saved.read_text(encoding="utf-8"))
    hashes["set/a"]["explained"] = "0" * 64  # as if only the doubts had changed
    hashes["set/b"]["clean_html"] = "0" * 64
    saved.write_text(json.dumps(hashes), encoding="utf-8")
    capsys.readouterr()
    assert main([str(data), "--compare", str(saved)]) == 1
    out = capsys.readouterr().out
    assert "differs: set/a (removals or confidence only; the HTML is the same)" in out
    assert "differs: set/b\n" in out
    assert "2 differ from" in out and "(1 in their HTML)" in out
