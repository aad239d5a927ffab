"""serve/watcher.py with its thread running: requests made while builds publish never see half a snapshot.

Integration, not unit: it polls a live app while the watcher thread builds three
versions, for as long as the builds take.
"""

from __future__ import annotations

import time
from pathlib import Path

from support.factories import live_app, publish_atomically
from support.servers import SOON_SECONDS


def test_every_request_sees_one_whole_snapshot(content_dir: Path) -> None:
    with live_app(content_dir) as app:
        state = app.extensions["feedsvc"]
        client = app.test_client()
        for day in range(1, 4):
            publish_atomically(content_dir, f"story-{day}", f"2024-05-0{day}T10:00:00")
            deadline = time.monotonic() + SOON_SECONDS  # a bound on a hang, not a speed: the build takes what it takes
            while True:  # at least one request per publish, however soon its build ends
                feed = client.get("/feed.json").get_json()
                # a feed and the article list of one response come from the same snapshot
                assert len(feed["items"]) == 2
                if state.watcher.builds >= day or time.monotonic() > deadline:
                    break
        assert state.watcher.builds == 3
