"""build/state.py: the revisions ledger as a whole file plus an append-only journal, safe against crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedsvc.build import state
from feedsvc.build.state import (
    JOURNAL_FILE,
    REVISIONS_FILE,
    Ledger,
    append_ledger,
    read_ledger,
    read_ledger_state,
    state_path,
    write_ledger,
)
from feedsvc.model import Revision

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def revision(number: int) -> Revision:
    return Revision(f"fp{number:04d}", T0 + timedelta(minutes=number))


def whole_ledger(count: int) -> dict[str, Revision]:
    return {f"story-{n:04d}": revision(n) for n in range(count)}


def test_a_publish_appends_only_what_changed_and_reads_back_whole(tmp_path: Path) -> None:
    ledger = Ledger()
    assert append_ledger(tmp_path, ledger, whole_ledger(200)) is None  # the first write is whole
    whole = state_path(tmp_path, REVISIONS_FILE).read_bytes()
    assert append_ledger(tmp_path, ledger, {"story-0007": revision(900)}) is None
    assert append_ledger(tmp_path, ledger, {"new-story": revision(901)}) is None
    assert state_path(tmp_path, REVISIONS_FILE).read_bytes() == whole  # not rewritten
    lines = state_path(tmp_path, JOURNAL_FILE).read_bytes().splitlines()
    assert len(lines) == 2 and [list(json.loads(line.split(b" ", 1)[1])["articles"]) for line in lines] == [
        ["story-0007"],
        ["new-story"],
    ]
    expected = {**whole_ledger(200), "story-0007": revision(900), "new-story": revision(901)}
    assert read_ledger(tmp_path) == (expected, None)


def test_a_torn_last_line_is_ignored_with_a_warning_and_the_next_write_is_whole(tmp_path: Path) -> None:
    ledger = Ledger()
    append_ledger(tmp_path, ledger, whole_ledger(50))
    append_ledger(tmp_path, ledger, {"story-0001": revision(500)})
    append_ledger(tmp_path, ledger, {"story-0002": revision(600)})
    journal = state_path(tmp_path, JOURNAL_FILE)
    journal.write_bytes(journal.read_bytes()[:-9])  # the last append cut short (kill -9 mid-write)
    read = read_ledger_state(tmp_path, set_aside=True)
    assert read.entries == {**whole_ledger(50), "story-0001": revision(500)}
    assert read.problem is not None and read.problem.severity == "warning" and read.problem.path == journal
    assert "cut short or damaged" in read.problem.message and read.compact
    assert append_ledger(tmp_path, read, {}) is None  # nothing changed, yet the torn line is folded away
    assert not journal.exists()
    assert read_ledger(tmp_path) == ({**whole_ledger(50), "story-0001": revision(500)}, None)


def test_every_cut_of_the_journal_reads_as_before_or_after_the_append(tmp_path: Path) -> None:
    ledger = Ledger()
    append_ledger(tmp_path, ledger, whole_ledger(5))
    append_ledger(tmp_path, ledger, {"story-0001": revision(100)})
    before = dict(ledger.entries)
    journal = state_path(tmp_path, JOURNAL_FILE)
    kept = journal.read_bytes()
    append_ledger(tmp_path, ledger, {"story-0003": revision(300), "added": revision(301)})
    after = dict(ledger.entries)
    full = journal.read_bytes()
    for cut in range(len(kept), len(full) + 1):
        journal.write_bytes(full[:cut])
        read = read_ledger_state(tmp_path)
        assert read.entries == (after if cut == len(full) else before), cut
        assert (read.problem is None) == (cut in (len(kept), len(full))), cut


def test_a_damaged_line_is_ignored_and_the_lines_after_it_still_count(tmp_path: Path) -> None:
    ledger = Ledger()
    append_ledger(tmp_path, ledger, whole_ledger(5))
    append_ledger(tmp_path, ledger, {"story-0001": revision(100)})
    append_ledger(tmp_path, ledger, {"story-0002": revision(200)})
    journal = state_path(tmp_path, JOURNAL_FILE)
    first, second = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(first.replace(b"fp0100", b"fp0666") + second)  # the CRC no longer matches
    read = read_ledger_state(tmp_path)
    assert read.entries == {**whole_ledger(5), "story-0002": revision(200)}
    assert read.problem is not None and "1 line(s)" in read.problem.message


def test_a_journal_left_by_a_crash_during_compaction_is_never_replayed(tmp_path: Path) -> None:
    ledger = Ledger()
    append_ledger(tmp_path, ledger, whole_ledger(5))
    append_ledger(tmp_path, ledger, {"story-0001": revision(100)})
    journal = state_path(tmp_path, JOURNAL_FILE)
    stale = journal.read_bytes()
    newer = {**ledger.entries, "story-0001": revision(200)}
    assert write_ledger(tmp_path, newer) is None  # whole, with a new token; then the crash "undoes" the unlink
    journal.write_bytes(stale)
    read = read_ledger_state(tmp_path, set_aside=True)
    assert read.entries == newer and read.problem is None and read.compact
    append_ledger(tmp_path, read, {})
    assert not journal.exists() and read_ledger(tmp_path) == (newer, None)


def test_a_ledger_without_a_token_is_written_whole_once_then_appended_to(tmp_path: Path) -> None:
    path = state_path(tmp_path, REVISIONS_FILE)
    path.parent.mkdir()
    from feedsvc.catalog.revisions import dump_ledger

    path.write_text(dump_ledger(whole_ledger(3)), encoding="utf-8")  # as feedsvc before the journal wrote it
    read = read_ledger_state(tmp_path, set_aside=True)
    assert read.token is None
    append_ledger(tmp_path, read, {"story-0000": revision(50)})
    assert not state_path(tmp_path, JOURNAL_FILE).exists() and read.token is not None
    append_ledger(tmp_path, read, {"story-0001": revision(51)})
    assert state_path(tmp_path, JOURNAL_FILE).exists()
    assert read_ledger(tmp_path)[0] == {**whole_ledger(3), "story-0000": revision(50), "story-0001": revision(51)}


def test_the_journal_is_folded_in_once_it_outgrows_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "COMPACT_FROM", 0)
    ledger = Ledger()
    append_ledger(tmp_path, ledger, whole_ledger(20))
    tokens = []
    for number in range(60):
        append_ledger(tmp_path, ledger, {f"story-{number % 20:04d}": revision(1000 + number)})
        journal = state_path(tmp_path, JOURNAL_FILE)
        whole = state_path(tmp_path, REVISIONS_FILE).stat().st_size
        tokens.append(ledger.token)
        assert (journal.stat().st_size if journal.exists() else 0) <= whole
    assert len(set(tokens)) > 1  # compacted along the way (each whole write has a token of its own)
    assert read_ledger(tmp_path) == (ledger.entries, None)


changes = st.lists(
    st.dictionaries(st.sampled_from([f"s{n}" for n in range(12)]), st.integers(0, 5000), min_size=0, max_size=4),
    max_size=25,
)


@given(changes, st.sampled_from([0, 200, 1 << 20]))
def test_any_sequence_of_appends_reads_back_as_the_ledger_kept_in_memory(
    tmp_path_factory: pytest.TempPathFactory, steps: list[dict[str, int]], compact_from: int
) -> None:
    folder = tmp_path_factory.mktemp("ledger")
    original = state.COMPACT_FROM
    state.COMPACT_FROM = compact_from
    try:
        ledger, expected = Ledger(), {}
        for step in steps:
            change = {slug: revision(number) for slug, number in step.items()}
            expected.update(change)
            assert append_ledger(folder, ledger, change) is None
            assert read_ledger(folder) == (expected, None)
    finally:
        state.COMPACT_FROM = original


APPENDER = """
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from feedsvc.build.state import append_ledger, read_ledger_state
from feedsvc.model import Revision
folder = Path(sys.argv[1])
ledger = read_ledger_state(folder)
big = "x" * 20000  # long lines: a kill lands mid-write often
for number in range(100000):
    append_ledger(folder, ledger, {f"s{number % 50}-{big}": Revision(f"fp{number}", datetime(2024, 1, 1, tzinfo=UTC))})
    print(number, flush=True)
"""


def test_a_writer_killed_mid_append_leaves_a_ledger_that_reads(tmp_path: Path) -> None:
    for round_ in range(3):
        command = [sys.executable, "-c", APPENDER, str(tmp_path)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as writer:
            assert writer.stdout is not None
            done = [int(writer.stdout.readline()) for _ in range(5)]  # a few appends done, then killed mid-way
            time.sleep(0.01 * round_)
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=30)
        read = read_ledger_state(tmp_path, set_aside=True)
        assert read.problem is None or read.problem.severity == "warning", read.problem
        newest = {slug.split("-")[0]: int(r.fingerprint[2:]) for slug, r in read.entries.items()}
        assert all(newest[f"s{number % 50}"] >= number for number in done)  # every append it finished is there
        assert append_ledger(tmp_path, read, {}) is None  # and the next writer starts from a clean ledger
        assert read_ledger(tmp_path) == (read.entries, None)
