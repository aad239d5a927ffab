"""Issue 14's scenario with ``feedsvc serve``: three bad saves cost readers nothing, and health says so."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from support.factories import write_article
from support.servers import feedsvc_serve, wait_until
from support.sites import blank_site

SLUGS = ("harbour", "bridge", "ferry", "market", "museum", "station")
BROKEN = {"harbour": "articles/harbour.toml", "bridge": "articles/bridge.html", "ferry": "articles/ferry.html"}


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _health(url: str) -> dict[str, Any]:
    status, body = _get(f"{url}/healthz")
    assert status == 200, body
    return json.loads(body)


def _story(slug: str, edition: str) -> str:
    return f"The {edition} story of the {slug}, in a paragraph long enough to open an article."


def test_three_bad_saves_keep_their_articles_published_until_each_is_fixed(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content")
    for day, slug in enumerate(SLUGS, start=1):
        write_article(content, slug, f"2024-05-0{day}T10:00:00+04:00", text=_story(slug, "first"), tags=("A",))
    with feedsvc_serve(content, tmp_path / "serve.log", env={"FEEDSVC_SETTLE_SECONDS": "0.1"}) as served:
        assert wait_until(lambda: _health(served.url)["articles"] == 6, 20.0), served.output()
        assert _health(served.url)["status"] == "ok"
        _, before = _get(f"{served.url}/feed.atom")

        # a sidecar saved with a typo, a page overwritten with binary junk, a page saved empty (a truncated write)
        (content / "articles" / "harbour.toml").write_text(
            'published = 2024-05-01T10:00:00+04:00\ntags = ["A"\n', encoding="utf-8"
        )
        (content / "articles" / "bridge.html").write_bytes(bytes(range(256)) * 16)
        (content / "articles" / "ferry.html").write_bytes(b"")
        assert wait_until(lambda: len(_health(served.url)["held"]) == 3, 20.0), served.output()

        report = _health(served.url)
        assert report["status"] == "degraded" and report["rejected"] == [] and report["articles"] == 6
        assert {held["path"] for held in report["held"]} == set(BROKEN.values())
        for held in report["held"]:
            assert held["reason"] and held["fix"] and held["since"]
            assert held["serving"].startswith("the last good version (")
        status, feed = _get(f"{served.url}/feed.atom")
        assert status == 200 and feed == before  # the same bytes: readers lose nothing
        for slug in SLUGS:
            status, page = _get(f"{served.url}/articles/{slug}")
            assert status == 200 and _story(slug, "first").encode() in page

        # fixing each republishes it, with its new content
        for slug in BROKEN:
            published = f"2024-05-0{SLUGS.index(slug) + 1}T10:00:00+04:00"
            write_article(content, slug, published, text=_story(slug, "second"), tags=("A",))
            expected = _story(slug, "second").encode()
            assert wait_until(lambda e=expected: e in _get(f"{served.url}/feed.atom")[1], 20.0)  # type: ignore[misc]
            assert BROKEN[slug] not in {held["path"] for held in _health(served.url)["held"]}
        assert wait_until(lambda: _health(served.url)["status"] == "ok", 20.0), served.output()
        assert _health(served.url)["held"] == []
