"""What the follower remembers of each source, in ``.feedsvc/sources/<name>.json``.

An edge (the files) around plain data. Per source: when it last succeeded
and last failed (and why), when it is next due, how many polls in a row
failed (the backoff) and since when, the validators of its feed or sitemap documents, and
every item seen: its identity (guid/id, else URL) -> page URL, the page's
ETag and Last-Modified, the entry's version, the article's slug, a hash
of the page bytes stored, when the page was last checked and the item's date. Each file is replaced atomically
(:mod:`feedsvc.atomic`); a damaged file is set aside and started afresh
(the content folder still holds every article, so nothing is imported twice).
A source is polled by one process at a time (:func:`polling`, a lock beside its state file).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedsvc.atomic import write_atomic
from feedsvc.locking import file_lock
from feedsvc.text import without_userinfo

__all__ = [
    "STATE_FOLDER",
    "ItemState",
    "SourceState",
    "item_key",
    "polling",
    "read_all_states",
    "read_state",
    "state_file",
    "write_state",
]

log = logging.getLogger(__name__)

STATE_FOLDER = Path(".feedsvc") / "sources"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class ItemState:
    """One item a source listed, and what became of it."""

    url: str  # the page the entry links to
    version: str = ""  # the entry's version when last fetched (Entry.version)
    slug: str | None = None  # the article it became
    final_url: str | None = None  # after redirects
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None  # sha256 of the page bytes stored
    withdrawn: bool = False  # the source dropped it and the source says `removed = "withdraw"`
    error: str | None = None  # why the last fetch or import failed
    attempts: int = 0  # failed attempts at this version (retried on later polls up to a limit)
    checked: str | None = None  # when its page was last fetched or revalidated (ISO 8601; None: never)
    published: str | None = None  # the entry's newest date, else when it was first seen (ISO 8601)


_DATES = ("last_poll", "last_success", "last_error_at", "next_poll", "failing_since")


def item_key(key_or_url: str) -> str:
    """Return an item's identity or URL as the state keeps it: without a user and password.

    A feed may link an item as ``https://user:pass@host/page`` (refused, never fetched); the state file
    remembers the refusal under the address alone, so the secret is not kept on disk, and the item is
    still found again at the next poll (the follower looks it up through this too).
    """
    return without_userinfo(key_or_url)


def _recorded(item: ItemState) -> ItemState:
    """``item`` with its URLs as the state keeps them (a file written before session 40 may hold secrets)."""
    url, final = item_key(item.url), item_key(item.final_url) if item.final_url else None
    return item if (url, final) == (item.url, item.final_url) else replace(item, url=url, final_url=final)


@dataclass
class SourceState:
    """Everything remembered of one source."""

    name: str
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None  # None when the last poll had no failure
    last_error_at: datetime | None = None
    next_poll: datetime | None = None  # None: due now
    failures: int = 0  # polls in a row that could not read the source
    failing_since: datetime | None = None  # the first poll of the failures in a row, or of a server's "wait"
    documents: dict[str, dict[str, str]] = field(default_factory=dict)  # feed/sitemap URL -> etag, last_modified
    items: dict[str, ItemState] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data["items"] = {item_key(k): asdict(_recorded(v)) for k, v in self.items.items()}
        for key in _DATES:
            value = getattr(self, key)
            data[key] = value.astimezone(UTC).isoformat() if value else None
        return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, name: str, text: str) -> SourceState:
        data: dict[str, Any] = json.loads(text)
        # A user and password an older file kept in an item's key or URL are dropped as it is read.
        items = {item_key(str(k)): _recorded(ItemState(**v)) for k, v in (data.get("items") or {}).items()}
        dates = {key: datetime.fromisoformat(data[key]) if data.get(key) else None for key in _DATES}
        return cls(
            name=name,
            last_error=data.get("last_error"),
            failures=int(data.get("failures") or 0),
            documents={str(k): dict(v) for k, v in (data.get("documents") or {}).items()},
            items=items,
            **dates,
        )


def state_file(content_dir: Path, name: str) -> Path:
    """Return where the state of source ``name`` is kept."""
    if not _NAME.match(name):
        raise ValueError(f"source name {name!r} cannot name a file; use letters, digits, '.', '_' and '-'")
    return content_dir / STATE_FOLDER / f"{name}.json"


def read_state(content_dir: Path, name: str) -> SourceState:
    """Return the state of source ``name`` (empty if none yet; a damaged file is set aside with a warning)."""
    path = state_file(content_dir, name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SourceState(name)
    try:
        return SourceState.from_json(name, text)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        log.warning("%s is damaged (%s); set aside as %s, starting afresh", path, error, aside.name)
        with contextlib.suppress(OSError):
            path.rename(aside)
        return SourceState(name)


def write_state(content_dir: Path, state: SourceState) -> None:
    """Replace the state file of ``state``'s source atomically. :raise OSError: it cannot be written."""
    write_atomic(state_file(content_dir, state.name), state.to_json().encode("utf-8"))


def read_all_states(content_dir: Path, names: list[str]) -> list[SourceState]:
    """Return the state of each source in ``names``, in that order."""
    return [read_state(content_dir, name) for name in names]


@contextlib.contextmanager
def polling(content_dir: Path, name: str) -> Iterator[bool]:
    """Hold source ``name``'s poll lock for the length of a poll; yield False (holding nothing) if another holds it.

    While a server hands over to its successor both follow the folder (and `feedsvc follow --once`
    from cron may run beside a server): two polls of one source at once fetched every new page
    twice and stored each article twice, each with an id of its own, the second overwriting the
    first (an entry published under one id came back under another). The one that finds the lock
    held leaves the source to the other. :func:`feedsvc.locking.file_lock` on ``<name>.lock`` beside
    the state file, not waited for; a read-only folder is polled without one.
    """
    with file_lock(state_file(content_dir, name).with_suffix(".lock"), wait=False) as held:
        yield held
