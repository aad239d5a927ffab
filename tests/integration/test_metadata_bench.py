"""bench/metadata.py's name comparison, and bench/metadata_feed.py: the bench measures what a build publishes."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from metadata import norm_authors
from metadata_feed import main as feed_check


@pytest.mark.parametrize(
    "truth, names",
    [
        # Readability's byline keeps the element's line breaks: the lead-in alone on its line is no name
        ("By\n\t\t\tScott Cunningham", {"scott cunningham"}),
        ("Par Sébastien Farcis", {"sébastien farcis"}),
        ("Written by Jane Doe and John Roe", {"jane doe", "john roe"}),
        ("Dr. Andrew Huberman", {"andrew huberman"}),
        # a name that starts like a lead-in or an honorific stays whole
        ("Byron Smith", {"byron smith"}),
        ("Drew Barry", {"drew barry"}),
    ],
)
def test_lead_ins_and_honorifics_are_no_part_of_the_names_compared(truth: str, names: set[str]) -> None:
    assert norm_authors(truth) == names


PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<meta property="article:published_time" content="2025-0{month}-03T10:00:00Z">{meta}</head>
<body><main><h1>{title}</h1>{byline}<p>The council voted on Tuesday to extend the harbour wall after a long debate.</p>
<p>Work starts in the spring and should be done before the autumn storms, the mayor said.</p></main></body></html>"""


def test_the_feed_check_builds_the_pages_and_finds_the_bench_s_authors_in_the_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "set"
    (dataset / "html").mkdir(parents=True)
    pages = {
        # signed in a meta tag, and by a visible byline; one with no author (the site's default signs)
        "0001": ("Harbour wall to be extended", '<meta name="author" content="Nino Beridze">', "", 1),
        "0002": ("Night trains are back", "", "<p>By Levan Kapanadze and Ana Kvirikashvili</p>", 2),
        "0003": ("A quiet week in the port", "", "", 3),
    }
    truth = {}
    for ident, (title, meta, byline, month) in pages.items():
        html = PAGE.format(title=title, meta=meta, byline=byline, month=month)
        (dataset / "html" / f"{ident}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[ident] = {"title": title, "author": "Someone", "domain": f"site{ident}.example"}
    (dataset / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")

    status = feed_check([str(dataset), "--folds", "0,1,2,3,4", "--work", str(tmp_path / "work")])

    assert status == 0, capsys.readouterr().out
    assert "3 pages of folds [0, 1, 2, 3, 4]: 3 the same, 0 differ, 0 missing" in capsys.readouterr().out
    feed = json.loads((tmp_path / "work" / "out" / "feed.json").read_text(encoding="utf-8"))
    authors = {item["title"]: [author["name"] for author in item["authors"]] for item in feed["items"]}
    assert authors["Night trains are back"] == ["Levan Kapanadze", "Ana Kvirikashvili"]
    assert authors["Harbour wall to be extended"] == ["Nino Beridze"]
