"""A worker forked before a publish (SiteState.catch_up over the master's journal) serves it after its next request."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from feedsvc.build.builder import Builder
from feedsvc.build.delta import delta
from feedsvc.serve.journal import Journal
from feedsvc.serve.state import SiteState
from feedsvc.serve.wire import dump_delta, dump_snapshot, load_snapshot
from support.factories import write_article

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_a_worker_forked_before_a_publish_serves_it_after_its_next_request(content_dir: Path) -> None:
    builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache")
    old = builder.build(T1)
    payload, fds = dump_snapshot(old)
    master = SiteState(load_snapshot(payload, [os.dup(fd) for fd in fds]))
    master.journal = Journal()
    ready_read, ready_write = os.pipe()
    answer_read, answer_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: forked with the old snapshot, before the publish
        try:
            os.read(ready_read, 1)  # the master has taken the publish in
            before = master.snapshot.catalog.version
            master.catch_up()  # what the start of its next request does
            snapshot = master.snapshot
            found = {
                "before": before,
                "version": snapshot.catalog.version,
                "feed": snapshot.feeds["/feed.atom"].etag,
                "body": "new-story" in snapshot.feeds["/feed.atom"].body.decode(),
            }
            os.write(answer_write, json.dumps(found).encode())
        finally:
            os._exit(0)
    write_article(content_dir, "new-story", "2024-05-31T10:00:00")
    new = builder.build(T1)
    payload, fds = dump_delta(delta(old, new))
    master.take_delta(payload, [os.dup(fd) for fd in fds])
    os.write(ready_write, b"x")
    found = json.loads(os.read(answer_read, 65536))
    os.waitpid(pid, 0)
    assert found["before"] == old.catalog.version  # the worker had the old one until its request
    assert found["version"] == new.catalog.version == master.snapshot.catalog.version
    assert found["feed"] == new.feeds["/feed.atom"].etag == master.snapshot.feeds["/feed.atom"].etag
    assert found["body"]
