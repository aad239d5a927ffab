"""The content folder's own state files, under ``content/.feedsvc/``.

An edge: JSON read leniently (a missing file is an empty state; a broken
one is reported, never silently replaced: a damaged ledger is set aside
beside it, with a warning, and started afresh) and written atomically
(:mod:`feedsvc.atomic`), so a crash or a concurrent reader never sees half
a file. Backups of the content folder carry this state too.

The revisions ledger is ``revisions.json`` (whole, written atomically) and
``revisions.journal`` beside it: a publish appends one line with only the
entries it changed (:func:`append_ledger`), so it costs what changed, not
the size of the site. Each line carries a CRC and the token of the whole
file it extends; a line cut short by a crash (the tail) or one that does
not check out is ignored with a warning, and the next write folds the
journal into a whole file again (compaction, also once the journal
outgrows :data:`COMPACT_FROM` or the whole file). A whole file written
gets a new token, so a journal left behind by a crash between the two
steps of a compaction is stale and ignored, never replayed over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedsvc.atomic import write_atomic
from feedsvc.catalog.revisions import dump_entries, dump_ledger, ledger_entries, parse_ledger_with_journal
from feedsvc.locking import file_lock
from feedsvc.model import Problem, Revision

__all__ = [
    "COMPACT_FROM",
    "JOURNAL_FILE",
    "LOCK_FILE",
    "REVISIONS_FILE",
    "STATE_DIR",
    "Ledger",
    "append_ledger",
    "ledger_lock",
    "ledger_stamp",
    "read_ledger",
    "read_ledger_state",
    "read_state",
    "read_text",
    "state_path",
    "write_ledger",
    "write_state",
]

STATE_DIR = ".feedsvc"
REVISIONS_FILE = "revisions.json"
JOURNAL_FILE = "revisions.journal"
LOCK_FILE = "revisions.lock"  # empty: held (flock) by the process dating articles (ledger_lock)
# Journal bytes past which the next write folds it into a whole ledger (also once it outgrows the whole
# file): a journal never costs more to read than the ledger, and a write is O(change) amortised.
COMPACT_FROM = 256 * 1024


def state_path(content_dir: Path, name: str) -> Path:
    """Return the path of one state file of ``content_dir``."""
    return content_dir / STATE_DIR / name


def read_text(path: Path) -> tuple[str | None, str | None]:
    """Return (text, None), (None, None) when the file does not exist, or (None, problem)."""
    try:
        return path.read_text(encoding="utf-8"), None
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as error:
        return None, f"cannot be read ({error})"


def read_state(path: Path) -> tuple[Any, str | None]:
    """Return (data, None), (None, None) when missing, or (None, problem) when unreadable."""
    text, problem = read_text(path)
    if text is None:
        return None, problem
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"is not valid JSON ({error})"


def write_state(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`feedsvc.atomic.write_atomic`)."""
    write_atomic(path, text.encode("utf-8"))


@dataclass
class Ledger:
    """The revisions ledger as read (whole file and journal), and what writing it next needs."""

    entries: dict[str, Revision] = field(default_factory=dict)
    token: str | None = None  # the whole file's journal token (None: none yet, the next write is whole)
    journal_bytes: int = 0  # bytes of journal lines that extend the whole file
    whole_bytes: int = 0
    compact: bool = False  # the journal has lines to drop (cut short, damaged, stale): write whole next
    problem: Problem | None = None


def read_ledger(content_dir: Path, *, set_aside: bool = False) -> tuple[dict[str, Revision], Problem | None]:
    """Return the revisions ledger of ``content_dir`` ({} on a fresh checkout), or {} and what is wrong with it.

    See :func:`read_ledger_state`.
    """
    ledger = read_ledger_state(content_dir, set_aside=set_aside)
    return ledger.entries, ledger.problem


def read_ledger_state(content_dir: Path, *, set_aside: bool = False) -> Ledger:
    """Read the revisions ledger of ``content_dir``: the whole file, then its journal's lines in order.

    A ledger that cannot be read (an OS error) is left as it is and not
    updated. One that is read but is not a ledger (damaged: not UTF-8, not
    JSON, not its form) is, with ``set_aside`` (a build that will write the
    ledger), renamed beside it (``revisions.json.corrupt-<UTC time>``, its
    journal too, nothing lost) and started afresh, with a warning saying
    where it went; without ``set_aside`` (``feedsvc check``) it is only
    reported. A journal line cut short or damaged is ignored with a warning
    (the entries of the lines before it are kept).
    """
    path = state_path(content_dir, REVISIONS_FILE)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        # a fresh checkout: every article is seen for the first time (a journal without its file is stale)
        return Ledger(compact=state_path(content_dir, JOURNAL_FILE).exists())
    except OSError as error:
        reason = f"cannot be read ({error}); it is left as it is (and not updated) until you fix or delete it"
        return Ledger(problem=Problem(path, reason))
    try:
        entries, token = parse_ledger_with_journal(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        damage = str(error)
    else:
        return _with_journal(content_dir, Ledger(entries, token, whole_bytes=len(raw)))
    if not set_aside:
        reason = f"{damage}; it is left as it is (and not updated) until you fix or delete it"
        return Ledger(problem=Problem(path, reason))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        path.rename(aside)
    except OSError as error:
        reason = f"{damage}; could not be set aside ({error.strerror}): fix or delete it"
        return Ledger(problem=Problem(path, reason))
    journal = state_path(content_dir, JOURNAL_FILE)
    with contextlib.suppress(FileNotFoundError):
        journal.rename(journal.with_name(f"{journal.name}.corrupt-{stamp}"))
    reason = (
        f"{damage}; set aside as {aside.name} and started afresh: articles are dated as first seen now "
        "(restore their dates from the copy, or delete it)"
    )
    return Ledger(problem=Problem(path, reason, severity="warning"))


def _with_journal(content_dir: Path, ledger: Ledger) -> Ledger:
    """Apply the journal's lines that extend the whole file just read (their token is its token)."""
    path = state_path(content_dir, JOURNAL_FILE)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ledger
    except OSError as error:
        reason = f"cannot be read ({error.strerror}); it is left as it is (and not updated) until you fix or delete it"
        return Ledger(problem=Problem(path, reason))
    lines = raw.split(b"\n")
    tail = lines.pop()  # what follows the last newline: b"" unless the last line was cut short
    ignored = 1 if tail else 0
    stale = 0
    for line in lines:
        found = _journal_line(line)
        if found is None:
            ignored += 1
            continue
        token, entries = found
        if ledger.token is None or token != ledger.token:
            stale += 1  # written before the whole file was: what it says is in the file already
            continue
        ledger.entries.update(entries)
        ledger.journal_bytes += len(line) + 1
    ledger.compact = bool(ignored or stale)
    if ignored:
        reason = (
            f"{ignored} line(s) cut short or damaged (a crash while it was written?) were ignored; the entries "
            "before them are kept, and the next publish writes the ledger whole"
        )
        ledger.problem = Problem(path, reason, severity="warning")
    return ledger


def _journal_line(line: bytes) -> tuple[str, dict[str, Revision]] | None:
    """Return (token, entries) of one journal line, or None if it does not check out."""
    crc, _, text = line.partition(b" ")
    try:
        if int(crc, 16) != zlib.crc32(text):
            return None
        data = json.loads(text.decode("utf-8"))
        return str(data["journal"]), ledger_entries(data["articles"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@contextlib.contextmanager
def ledger_lock(content_dir: Path, *, exclusive: bool = True) -> Iterator[None]:
    """Hold the content folder's ledger lock (``exclusive``; False: take none) while the ledger is read, used to
    date articles and written.

    Two processes date the same folder at once while a server hands over to its
    successor (the old one publishing an edit, the new one's first build): one
    that read the ledger before the other wrote it would give an edit both saw a
    second ``updated``. Held in turn, the second reads what the first wrote and
    keeps its dates. :func:`feedsvc.locking.file_lock` on :data:`LOCK_FILE`,
    waited for; a read-only folder is dated without one.
    """
    if not exclusive:
        yield
        return
    with file_lock(state_path(content_dir, LOCK_FILE)):
        yield


def ledger_stamp(content_dir: Path) -> tuple[str, str]:
    """Return the stat signatures of the ledger's two files: a reader keeping it in memory sees another writer."""
    found = []
    for name in (REVISIONS_FILE, JOURNAL_FILE):
        try:
            stat = os.stat(state_path(content_dir, name))
            found.append(f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}")
        except OSError:
            found.append("")
    return found[0], found[1]


def write_ledger(content_dir: Path, ledger: Mapping[str, Revision]) -> Problem | None:
    """Write the revisions ledger whole and atomically, dropping its journal; return the problem if it cannot."""
    return _write_whole(content_dir, ledger)[0]


def _write_whole(content_dir: Path, ledger: Mapping[str, Revision]) -> tuple[Problem | None, str, int]:
    path = state_path(content_dir, REVISIONS_FILE)
    token = secrets.token_hex(8)
    text = dump_ledger(ledger, journal=token)
    try:
        write_state(path, text)
    except OSError as error:
        return Problem(path, f"cannot be written ({error.strerror}); edits will be dated again next time"), "", 0
    # a crash before this leaves a journal whose lines carry the old token: ignored, never replayed
    with contextlib.suppress(FileNotFoundError):
        state_path(content_dir, JOURNAL_FILE).unlink()
    return None, token, len(text.encode("utf-8"))


def append_ledger(content_dir: Path, ledger: Ledger, changes: Mapping[str, Revision]) -> Problem | None:
    """Record ``changes`` (the entries a build changed) in ``ledger`` and on disk; return the problem if any.

    One line appended to the journal and synced; the whole file instead when
    there is none with a token yet, when the journal has lines to drop, or when
    it has outgrown the whole file (and :data:`COMPACT_FROM`). ``ledger`` is
    updated in place (its entries include ``changes`` either way).
    """
    ledger.entries.update(changes)
    if not changes and not ledger.compact:
        return None
    line = b""
    if ledger.token is not None and not ledger.compact:
        text = dump_entries(changes, ledger.token).encode("utf-8")
        line = b"%08x %s\n" % (zlib.crc32(text), text)
    grown = ledger.journal_bytes + len(line)
    if not line or grown > max(COMPACT_FROM, ledger.whole_bytes):
        problem, token, size = _write_whole(content_dir, ledger.entries)
        if problem is None:
            ledger.token, ledger.journal_bytes, ledger.whole_bytes, ledger.compact = token, 0, size, False
        else:
            ledger.compact = True  # what this write had is on disk nowhere: the next one is whole
        return problem
    path = state_path(content_dir, JOURNAL_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            written = 0
            while written < len(line):
                written += os.write(fd, line[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        ledger.compact = True  # a partial line may be there: the next write is whole
        return Problem(path, f"cannot be written ({error.strerror}); edits will be dated again next time")
    ledger.journal_bytes = grown
    return None
