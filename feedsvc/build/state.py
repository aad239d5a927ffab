"""The content folder's own state files, under ``content/.feedsvc/``.

An edge: JSON read leniently (a missing file is an empty state; a broken
one is reported, never silently replaced: a damaged ledger is set aside
beside it, with a warning, and started afresh) and written atomically
(:mod:`feedsvc.atomic`), so a crash or a concurrent reader never sees half
a file. Backups of the content folder carry this state too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedsvc.atomic import write_atomic
from feedsvc.catalog.revisions import dump_ledger, parse_ledger
from feedsvc.model import Problem, Revision

__all__ = [
    "REVISIONS_FILE",
    "STATE_DIR",
    "read_ledger",
    "read_state",
    "read_text",
    "state_path",
    "write_ledger",
    "write_state",
]

STATE_DIR = ".feedsvc"
REVISIONS_FILE = "revisions.json"


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


def read_ledger(content_dir: Path, *, set_aside: bool = False) -> tuple[dict[str, Revision], Problem | None]:
    """Return the revisions ledger of ``content_dir`` ({} on a fresh checkout), or {} and what is wrong with it.

    A ledger that cannot be read (an OS error) is left as it is and not
    updated. One that is read but is not a ledger (damaged: not UTF-8, not
    JSON, not its form) is, with ``set_aside`` (a build that will write the
    ledger), renamed beside it (``revisions.json.corrupt-<UTC time>``,
    nothing lost) and started afresh, with a warning saying where it went;
    without ``set_aside`` (``feedsvc check``) it is only reported.
    """
    path = state_path(content_dir, REVISIONS_FILE)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None  # a fresh checkout: every article is seen for the first time
    except OSError as error:
        reason = f"cannot be read ({error}); it is left as it is (and not updated) until you fix or delete it"
        return {}, Problem(path, reason)
    try:
        return parse_ledger(raw.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError) as error:
        damage = str(error)
    if not set_aside:
        reason = f"{damage}; it is left as it is (and not updated) until you fix or delete it"
        return {}, Problem(path, reason)
    aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}")
    try:
        path.rename(aside)
    except OSError as error:
        reason = f"{damage}; could not be set aside ({error.strerror}): fix or delete it"
        return {}, Problem(path, reason)
    reason = (
        f"{damage}; set aside as {aside.name} and started afresh: articles are dated as first seen now "
        "(restore their dates from the copy, or delete it)"
    )
    return {}, Problem(path, reason, severity="warning")


def write_ledger(content_dir: Path, ledger: Mapping[str, Revision]) -> Problem | None:
    """Write the revisions ledger atomically; return the problem if it cannot be written."""
    path = state_path(content_dir, REVISIONS_FILE)
    try:
        write_state(path, dump_ledger(ledger))
    except OSError as error:
        return Problem(path, f"cannot be written ({error.strerror}); edits will be dated again next time")
    return None
