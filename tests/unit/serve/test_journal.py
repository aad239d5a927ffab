"""serve/journal.py: entries read back whole, in order; a new generation starts empty."""

from __future__ import annotations

from feedsvc.serve.journal import Journal


def test_entries_read_back_whole_and_a_new_generation_starts_empty() -> None:
    journal = Journal()
    try:
        assert journal.head() == (0, 0)
        first = journal.append(b"first payload", [(1, 2, 3)])
        end = journal.append(bytearray(b"second"), [])
        assert journal.head() == (0, end) and first < end
        assert journal.read(0, end) == [(b"first payload", [(1, 2, 3)]), (b"second", [])]
        assert journal.read(first, end) == [(b"second", [])]
        assert journal.restart() == 1 and journal.head() == (1, 0)
    finally:
        journal.close()
