"""serve/watcher.py with its thread running: requests made while builds publish never see half a snapshot.

Integration, not unit: it polls a live app while the watcher thread builds three
versions, for as long as the builds take.
"""

from __future__ import annotations

import time
from pathlib import Path

from support.factories import live_app, publish_atomically


def test_every_request_sees_one_whole_snapshot(content_dir: Path) -> None:
    app = live_app(content_dir)
    state = app.extensions["feedsvc"]
    client = app.test_client()
    try:
        versions = set()
        for day in range(1, 4):
            publish_atomically(content_dir, f"story-{day}", f"2024-05-0{day}T10:00:00")
            deadline = time.monotonic() + 5.0
            while state.watcher.builds < day and time.monotonic() < deadline:
                health = client.get("/healthz").get_json()
                feed = client.get("/feed.json").get_json()
                versions.add(health["version"])
                # a feed and the article list of one response come from the same snapshot
                assert len(feed["items"]) == 2
        assert state.watcher.builds == 3 and len(versions) >= 2
    finally:
        state.close()
