"""A feed reader's whole session against the service, restart after restart.

First GET, conditional GETs answered 304, an edit (200, new ETag, same id,
new ``updated``), a file re-saved unchanged (still 304), a withdrawal
(tombstone, 410), and an archive walk that collects every article exactly
once. Each step is a fresh app on the same content folder, as after a
deploy; the clock is fixed per step.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient
from lxml import etree

from feedsvc.app import create_app
from support.factories import write_article

ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
BASE = "https://news.example.org"
EDITED = "article-with-sidecar-overrides"
EDITED_ID = "urn:uuid:6f1c2a7e-2f5b-4c39-9a55-0c7d1f6a8b11"
T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


class Reader:
    """What a polite feed reader keeps between polls: the validators, and the entries it has seen."""

    def __init__(self) -> None:
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.entries: dict[str, feedparser.FeedParserDict] = {}

    def poll(self, client: FlaskClient, path: str = "/feed.atom") -> tuple[int, bytes]:
        headers = {"Accept-Encoding": "gzip, br;q=0.5"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        response = client.get(path, headers=headers)
        if response.status_code == 304:
            return 304, b""
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
        self.etag, self.last_modified = response.headers["ETag"], response.headers["Last-Modified"]
        body = gzip.decompress(response.data)
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)), "a duplicate entry in one document"
        self.entries.update((e.id, e) for e in parsed.entries)
        return 200, body


def start(content_dir: Path, now: datetime) -> FlaskClient:
    """A fresh app (a restart or a deploy) on ``content_dir`` with the clock at ``now``."""
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: now}).test_client()


def walk_archives(client: FlaskClient) -> tuple[dict[str, str], list[str]]:
    """Follow prev-archive from the subscription feed (RFC 5005 §4.2): id -> newest document, archived ids."""
    seen: dict[str, str] = {}
    archived: list[str] = []
    url: str | None = f"{BASE}/feed.atom"
    for _ in range(100):  # bounded: far more documents than the site has
        if url is None:
            break
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200, url
        root = etree.fromstring(response.data)
        ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
        if url != f"{BASE}/feed.atom":
            assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
            archived.extend(ids)
        for ident in ids:
            seen.setdefault(ident, url)
        prev = root.find(f"{ATOM}link[@rel='prev-archive']")
        url = prev.get("href") if prev is not None else None
    else:
        pytest.fail("the prev-archive chain does not end")
    return seen, archived


def test_a_readers_full_session(content_dir: Path) -> None:
    # more history than the subscription feed holds (entries_per_feed = 2 in the fixture site)
    for month in (9, 10, 11):
        write_article(content_dir, f"autumn-story-{month}", f"2023-{month:02d}-15T10:00:00", tags=("City",))
    reader = Reader()

    # 1. first GET, then conditional GETs cost a 304
    client = start(content_dir, T0)
    status, body = reader.poll(client)
    assert status == 200
    first_etag = reader.etag
    assert reader.poll(client) == (304, b"")
    by_date = client.get("/feed.atom", headers={"If-Modified-Since": reader.last_modified})
    assert by_date.status_code == 304

    # 2. a restart with nothing changed: same bytes, same ETag, still 304
    client = start(content_dir, T0 + timedelta(hours=6))
    assert reader.poll(client) == (304, b"")

    # 3. an edit: 200 with a new ETag, the same entry id, a new updated
    source = content_dir / "articles" / f"{EDITED}.html"
    source.write_text(source.read_text().replace("eight in the evening", "nine in the evening"), encoding="utf-8")
    t_edit = T0 + timedelta(days=1)
    client = start(content_dir, t_edit)
    before = reader.entries[EDITED_ID]
    status, body = reader.poll(client)
    assert status == 200 and reader.etag != first_etag
    after = reader.entries[EDITED_ID]
    assert after.published == before.published
    assert after.updated != before.updated
    assert datetime.fromisoformat(after.updated) == t_edit
    assert "nine in the evening" in after.content[0].value
    assert len(reader.entries) == 2  # updated in place: no duplicate

    # 4. the file re-saved unchanged, a day later: updated stays, so the ETag does
    source.write_bytes(source.read_bytes())
    client = start(content_dir, t_edit + timedelta(days=1))
    assert reader.poll(client) == (304, b"")

    # 5. a withdrawal: gone from the feeds, a tombstone in Atom, 410 for the page
    sidecar = source.with_suffix(".toml")
    sidecar.write_text(sidecar.read_text() + 'status = "withdrawn"\n', encoding="utf-8")
    t_withdrawn = t_edit + timedelta(days=2)
    client = start(content_dir, t_withdrawn)
    status, body = reader.poll(client)
    assert status == 200
    root = etree.fromstring(body)
    (tombstone,) = root.findall(TOMBSTONE)
    assert tombstone.get("ref") == EDITED_ID
    assert datetime.fromisoformat(tombstone.get("when")) == t_withdrawn
    assert EDITED_ID not in [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert EDITED_ID not in client.get("/feed.json").get_data(as_text=True)
    assert client.get(f"/articles/{EDITED}").status_code == 410
    assert reader.poll(client) == (304, b"")

    # 6. the archive walk gets every published article exactly once, and not the withdrawn one
    seen, archived = walk_archives(client)
    published = {
        "tag:news.example.org,2020:2024-03-05:articles/article-with-jsonld-tags-and-author",
        "tag:news.example.org,2020:2023-12-01:articles/article-oldest-with-time-element",
        *(f"tag:news.example.org,2020:2023-{m:02d}-15:articles/autumn-story-{m}" for m in (9, 10, 11)),
    }
    assert json.loads(client.get("/healthz").data)["articles"] == len(published)
    assert set(seen) == published
    assert sorted(archived) == sorted(published)  # each article in exactly one archive document

    # 7. after tombstone_days the tombstone is dropped; the page stays gone
    client = start(content_dir, t_withdrawn + timedelta(days=31))
    status, body = reader.poll(client)
    assert status == 200 and not etree.fromstring(body).findall(TOMBSTONE)
    assert client.get(f"/articles/{EDITED}").status_code == 410
