"""The content folder's own state files, under ``content/.feedsvc/``.

An edge: JSON read leniently (a missing file is an empty state; a broken
one is reported, never silently replaced) and written atomically
(:mod:`feedsvc.atomic`), so a crash or a concurrent reader never sees half
a file. Backups of the content folder carry this state too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def read_ledger(content_dir: Path) -> tuple[dict[str, Revision], Problem | None]:
    """Return the revisions ledger of ``content_dir`` ({} on a fresh checkout), or {} and what is wrong with it."""
    path = state_path(content_dir, REVISIONS_FILE)
    text, problem = read_text(path)
    if text is None and problem is None:
        return {}, None  # a fresh checkout: every article is seen for the first time
    try:
        if problem:
            raise ValueError(problem)
        return parse_ledger(text or ""), None
    except ValueError as error:
        reason = f"{error}; it is left as it is (and not updated) until you fix or delete it"
        return {}, Problem(path, reason)


def write_ledger(content_dir: Path, ledger: Mapping[str, Revision]) -> Problem | None:
    """Write the revisions ledger atomically; return the problem if it cannot be written."""
    path = state_path(content_dir, REVISIONS_FILE)
    try:
        write_state(path, dump_ledger(ledger))
    except OSError as error:
        return Problem(path, f"cannot be written ({error.strerror}); edits will be dated again next time")
    return None
