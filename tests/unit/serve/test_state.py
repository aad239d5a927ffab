"""serve/state.py: closing the state stops everything it runs, even when stopping one of them fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedsvc.build.builder import load_snapshot
from feedsvc.serve.state import SiteState


class Part:
    """A watcher, poller or notifier stand-in that records its close (and may fail it)."""

    def __init__(self, name: str, closed: list[str], fails: bool = False) -> None:
        self.name, self.closed, self.fails = name, closed, fails

    def close(self) -> None:
        self.closed.append(self.name)
        if self.fails:
            raise RuntimeError(f"{self.name} could not stop")


def test_close_stops_each_part_in_order_even_when_one_fails(content_dir: Path) -> None:
    closed: list[str] = []
    state = SiteState(load_snapshot(content_dir, ledger="ignore"), notifier=Part("notifier", closed))  # type: ignore[arg-type]
    state.poller = Part("poller", closed, fails=True)  # type: ignore[assignment]
    state.watcher = Part("watcher", closed)  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="poller could not stop"):
        state.close()
    # the follower first (it imports into the folder), then the watcher (it publishes to the hub), then the hub
    assert closed == ["poller", "watcher", "notifier"]
