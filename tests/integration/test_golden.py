"""The sample site's feeds, byte for byte.

Refresh after an intended change with ``make golden`` (``pytest
tests/test_golden.py --update-golden``) and review the diff of tests/golden/.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedsvc.build.builder import load_snapshot
from support.paths import GOLDEN as GOLDEN_DIR
from support.paths import SAMPLE_CONTENT

GOLDEN = GOLDEN_DIR
# A fixed clock and no ledger: the files do not depend on when or where the tests run.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("feed_path", ["/feed.atom", "/feed.rss", "/feed.json", "/archive/2021-11.atom"])
def test_sample_site_feed_matches_golden_file(feed_path: str, request: pytest.FixtureRequest) -> None:
    body = load_snapshot(SAMPLE_CONTENT, now=NOW, ledger="ignore").feeds[feed_path].body
    golden = GOLDEN / feed_path.lstrip("/").replace("/", "-")
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(body)
    assert golden.exists(), f"{golden} is missing; create it with `make golden` and review it"
    assert body == golden.read_bytes(), f"{feed_path} differs from {golden}; if intended, run `make golden`"
