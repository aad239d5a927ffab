"""The build cache: cleaned articles and rendered feed documents, kept between runs.

An edge: one SQLite database (stdlib ``sqlite3``), by default
``content/.feedsvc/cache/build.sqlite3``. It is a cache, not state: deleting
it costs one cold build, never a wrong byte, with two exceptions: the last
published version of each article (table ``published``, the key of its row in
``articles``) is what a restart serves of an article whose file no longer loads
(see :mod:`feedsvc.build.articles`); without the cache such an article is
published again only once its file loads. And the bytes of the icon and logo
files last read (table ``pictures``) are what a start publishes at their paths
when their files cannot be read; without the cache the site goes without them
until they can. Every row is keyed by a hash of
all it was made from (see :mod:`feedsvc.build.builder`), carries a checksum of
its value, and is read back by an unpickler that builds only feedsvc's own
value types; a row that fails any check is a miss, dropped and rebuilt. A
database that SQLite reports corrupt, or that has another format, is
deleted and started afresh. A cache that cannot be opened or written makes
the build slower, never fail.
"""

from __future__ import annotations

import functools
import io
import logging
import pickle
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PosixPath
from typing import Any

from feedsvc.model import PictureFile

__all__ = ["FILE_NAME", "FORMAT", "RACY_SECONDS", "BuildCache", "checksum", "dumps", "loads", "mark_folder"]

log = logging.getLogger(__name__)

FORMAT = "feedsvc-build-cache 4"  # the table layout and the pickled types; another value: start afresh
FILE_NAME = "build.sqlite3"
# A file whose inode changed less than this long before it was read may change again
# within the same timestamp tick: its stat is not trusted on the next start ("racy" in git).
RACY_SECONDS = 1.0
# picture file name (content-relative) -> the bytes of its last version a build read, and that file's time: what a
# start publishes at the icon's or logo's path when the file site.toml names cannot be read (added to a cache of
# this format where missing: a table more, not another format, which would cost every site a cold build)
_PICTURES = (
    "CREATE TABLE IF NOT EXISTS pictures (name TEXT PRIMARY KEY, checksum BLOB NOT NULL, value BLOB NOT NULL,"
    " modified REAL NOT NULL)"
)
# the keys' contexts (the code and the settings that key a cleaned article: builder.Articles.context) and when rows
# of each were last used: a full build keeps the rows of the most recent other one for the files as they are, so
# the version an upgrade replaces (or a `feedsvc check` of the next one) finds its rows again (added where missing,
# as pictures is)
_CONTEXTS = "CREATE TABLE IF NOT EXISTS contexts (context TEXT PRIMARY KEY, used REAL NOT NULL)"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL)",
    (
        "CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, host TEXT NOT NULL, rules TEXT NOT NULL,"
        " checksum BLOB NOT NULL, value BLOB NOT NULL)"
    ),
    "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, checksum BLOB NOT NULL, value BLOB NOT NULL)",
    # file name -> the key of its last version that was published, and when that version was saved
    "CREATE TABLE IF NOT EXISTS published (name TEXT PRIMARY KEY, key TEXT NOT NULL, saved REAL NOT NULL)",
    _PICTURES,
    _CONTEXTS,
)
# The classes a cached value may hold; anything else in a row makes it a miss.
_ALLOWED = {
    ("datetime", "datetime"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("zoneinfo", "ZoneInfo"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
    ("feedsvc.model", "Article"),
    ("feedsvc.model", "ArticleSource"),
    ("feedsvc.model", "Image"),
    ("feedsvc.model", "PageMetadata"),
    ("feedsvc.model", "Prepared"),
    ("feedsvc.model", "Problem"),
    ("feedsvc.build.representation", "Resource"),
    ("feedsvc.build.representation", "Variant"),
}
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB: the file is not a usable database


class _Closed(Exception):
    """The cache is not open: reads miss and writes are skipped."""


class _Unpickler(pickle.Unpickler):
    """Build only the value types above: a crafted row can't name a function to call."""

    def find_class(self, module: str, name: str) -> Any:
        found = _RESOLVED.get((module, name))
        if found is None:
            if (module, name) == ("pathlib", "PosixPath"):
                found = _posix_path
            elif (module, name) == ("builtins", "getattr"):
                found = _zoneinfo_getattr  # how ZoneInfo pickles itself: getattr(ZoneInfo, "_unpickle")
            elif (module, name) in _ALLOWED:
                found = super().find_class(module, name)
            else:
                raise pickle.UnpicklingError(f"{module}.{name} is not a cached type")
            _RESOLVED[(module, name)] = found
        return found


_RESOLVED: dict[tuple[str, str], Any] = {}


def _posix_path(*parts: str) -> PosixPath:
    """A pickled path (it pickles as its parts): its folder's path, made once, joined with its name.

    Every cached article names its file, and pathlib parsing every part of each again was
    a tenth of a warm start; the articles of a site share one folder.
    """
    if len(parts) < 2:
        return PosixPath(*parts)
    return _folder(parts[:-1]) / parts[-1]


@functools.lru_cache(maxsize=64)
def _folder(parts: tuple[str, ...]) -> PosixPath:
    return PosixPath(*parts)


def _zoneinfo_getattr(owner: object, name: str) -> Any:
    from zoneinfo import ZoneInfo

    if owner is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not allowed in the cache")


def dumps(value: object) -> tuple[bytes, bytes]:
    """Return the stored bytes of a value and their checksum."""
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return blob, checksum(blob)


def loads(blob: bytes, stored: bytes) -> Any:
    """Return the value of a row; raise ValueError if its checksum or its contents are wrong."""
    if checksum(blob) != stored:
        raise ValueError("checksum mismatch")
    try:
        return _Unpickler(io.BytesIO(blob)).load()
    except Exception as error:  # noqa: BLE001 - any failure to decode is a bad row, nothing more
        raise ValueError(f"unreadable ({error!r})") from None


def checksum(blob: bytes) -> bytes:
    """Return the checksum kept beside each value (CRC-32 and length: it guards against damage, not forgery)."""
    return zlib.crc32(blob).to_bytes(4, "big") + len(blob).to_bytes(8, "big")


def mark_folder(folder: Path) -> None:
    """Tell git and backup tools to leave the cache folder out (it is rebuilt, never restored)."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# feedsvc's build cache: rebuilt when missing, never commit it\n*\n", encoding="utf-8")
    tag = folder / "CACHEDIR.TAG"
    if not tag.exists():  # https://bford.info/cachedir/
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# feedsvc's build cache (rebuilt when missing)\n",
            encoding="utf-8",
        )


class BuildCache:
    """One open build cache; every method degrades to a miss (or a no-op) on a database error.

    ``folder`` None is no cache at all: every read misses, every write is dropped.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.path = (folder or Path()) / FILE_NAME
        self.corrupt = 0  # rows that failed their checks and were removed (the build summary reports it)
        self._db: sqlite3.Connection | None = None

    def open(self) -> BuildCache:
        """Open (or create) the database; start afresh if it is corrupt or of another format."""
        if self.folder is None:
            return self
        try:
            mark_folder(self.folder)
            self._db = self._connect()
        except sqlite3.DatabaseError as error:
            if not self._is_corrupt(error):
                log.warning("build cache %s unavailable (%s); building without it", self.path, error)
                return self
            log.warning("build cache %s is corrupt (%s); starting it afresh", self.path, error)
            self._delete()
            try:
                self._db = self._connect()
            except sqlite3.DatabaseError as again:
                log.warning("build cache %s unavailable (%s); building without it", self.path, again)
        except OSError as error:
            log.warning("build cache %s unavailable (%s); building without it", self.path, error)
        return self

    def close(self) -> None:
        """Close the database (never keep it open across a fork)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> BuildCache:
        return self.open()

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def available(self) -> bool:
        """Say whether the database is open."""
        return self._db is not None

    def file_digests(self, names: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
        """Return file name -> (stat signature, content digest) as recorded by the last build.

        ``names``: only the rows of those files (a publish asks for the few it looks at; None: every row).
        """
        with self._guard("read file digests"):
            rows = self._named("SELECT name, stat, digest FROM files", names)
            return {name: (stat, digest) for name, stat, digest in rows}
        return {}

    def put_file_digests(self, rows: Mapping[str, tuple[str, str] | None]) -> None:
        """Record (or, for None, forget) the stat signature and digest of files."""
        with self._guard("record file digests"), self._transaction() as db:
            db.executemany("DELETE FROM files WHERE name = ?", [(n,) for n, row in rows.items() if row is None])
            db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                [(name, row[0], row[1]) for name, row in rows.items() if row is not None],
            )

    def published(self, names: Iterable[str] | None = None) -> dict[str, tuple[str, float]]:
        """Return file name -> (key of its last published version, when that version was saved).

        ``names``: only the rows of those files (None: every row).
        """
        with self._guard("read published versions"):
            return {
                name: (key, saved) for name, key, saved in self._named("SELECT name, key, saved FROM published", names)
            }
        return {}

    def put_published(self, rows: Mapping[str, tuple[str, float] | None]) -> None:
        """Record (or, for None, forget) the last published version of files."""
        with self._guard("record published versions"), self._transaction() as db:
            db.executemany("DELETE FROM published WHERE name = ?", [(n,) for n, row in rows.items() if row is None])
            db.executemany(
                "INSERT OR REPLACE INTO published VALUES (?, ?, ?)",
                [(name, row[0], row[1]) for name, row in rows.items() if row is not None],
            )

    def picture(self, name: str) -> PictureFile | None:
        """Return the bytes of the picture file ``name`` (content-relative) as a build last read it, or None."""
        with self._guard("read a picture"):
            rows = list(self._rows("SELECT checksum, value, modified FROM pictures WHERE name = ?", (name,)))
            for stored, value, modified in rows:
                data = bytes(value)
                if checksum(data) == stored:
                    return PictureFile(data, modified)
                log.warning("build cache: dropping the kept bytes of %s: checksum mismatch", name)
                self.corrupt += 1
                with self._transaction() as db:
                    db.execute("DELETE FROM pictures WHERE name = ?", (name,))
        return None

    def put_picture(self, name: str, file: PictureFile) -> None:
        """Keep the bytes of the picture file ``name`` (content-relative) a build read, for a start that cannot."""
        data = file.body
        with self._guard("keep a picture"), self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO pictures VALUES (?, ?, ?, ?)", (name, checksum(data), data, file.modified)
            )

    def articles(self, keys: Iterable[str], rules: Mapping[str, str]) -> dict[str, Any]:
        """Return the cached values of ``keys`` made with the current rules version of their host."""
        return dict(self.each_article(keys, rules))

    def each_article(self, keys: Iterable[str], rules: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
        """Yield (key, value) of the cached values of ``keys`` made with the current rules version of their
        host, one at a time as read: a caller that keeps only part of each (a warm start of a large site
        keeps article bodies on disk) never holds them all at once."""
        stale: list[str] = []
        for key, value, host, version in self._read("articles", "host, rules", keys, 500):
            if rules.get(host, "none") == version:
                yield key, value
            else:
                stale.append(key)  # cleaned with rules that have changed since
        self._drop("articles", stale)

    def put_articles(self, rows: Iterable[tuple[str, str, str, object]]) -> None:
        """Store (key, rules host, rules version, value) rows."""
        encoded = ((key, host, version, *dumps(value)) for key, host, version, value in rows)  # one at a time
        with self._guard("store articles"), self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO articles (key, host, rules, value, checksum) VALUES (?, ?, ?, ?, ?)",
                           encoded)  # fmt: skip

    def documents(self, keys: Iterable[str]) -> dict[str, Any]:
        """Return the cached rendered documents of ``keys``."""
        return dict(self.each_document(keys))

    def each_document(self, keys: Iterable[str]) -> Iterator[tuple[str, Any]]:
        """Yield (key, value) of the cached rendered documents of ``keys``, one family at a time as read."""
        # a few per query: a document family is up to several megabytes
        for key, value, *_ in self._read("documents", "", keys, 8):
            yield key, value

    def put_documents(self, rows: Mapping[str, object]) -> None:
        """Store rendered documents by key."""
        encoded = ((key, *dumps(value)) for key, value in rows.items())
        with self._guard("store documents"), self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO documents (key, value, checksum) VALUES (?, ?, ?)", encoded)

    def _read(self, table: str, columns: str, keys: Iterable[str], per_query: int) -> Iterator[tuple[Any, ...]]:
        """Yield (key, value, *columns) of the rows of ``keys`` that pass their checks; drop the others."""
        wanted = list(dict.fromkeys(keys))
        bad: list[str] = []
        extra = f", {columns}" if columns else ""
        with self._guard(f"read {table}"):
            for start in range(0, len(wanted), per_query):
                chunk = wanted[start : start + per_query]
                query = f"SELECT key, checksum, value{extra} FROM {table} WHERE key IN ({','.join('?' * len(chunk))})"
                for key, stored, blob, *rest in self._rows(query, chunk):  # row by row: one blob in memory at a time
                    try:
                        value = loads(blob, stored)
                    except ValueError as error:
                        log.warning("build cache: dropping %s row %s: %s", table, key, error)
                        self.corrupt += 1
                        bad.append(key)
                        continue
                    yield (key, value, *rest)
        self._drop(table, bad)

    def forget(self, articles: Iterable[str] = (), documents: Iterable[str] = ()) -> None:
        """Delete rows no build needs any more."""
        self._drop("articles", list(articles))
        self._drop("documents", list(documents))

    def keep_only(self, articles: Iterable[str], documents: Iterable[str], contexts: Iterable[str] = ()) -> None:
        """Delete every article and document row but those given (after a full build), and the record of every
        context but ``contexts``."""
        with self._guard("prune"), self._transaction() as db:
            for table, keys in (("articles", articles), ("documents", documents)):
                db.execute(f"CREATE TEMP TABLE IF NOT EXISTS keep_{table} (key TEXT PRIMARY KEY)")
                db.execute(f"DELETE FROM keep_{table}")
                db.executemany(f"INSERT OR IGNORE INTO keep_{table} VALUES (?)", [(k,) for k in keys])
                db.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM keep_{table})")
            kept = list(contexts)
            db.execute(f"DELETE FROM contexts WHERE context NOT IN ({','.join('?' * len(kept))})", kept)

    def used_context(self, context: str) -> None:
        """Record that the rows of ``context`` were used now (a build or a check made or read them)."""
        with self._guard("record the context"), self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO contexts VALUES (?, ?)", (context, time.time()))

    def other_context(self, context: str) -> str | None:
        """Return the context other than ``context`` whose rows were used last, or None."""
        with self._guard("read the contexts"):
            for (found,) in self._rows(
                "SELECT context FROM contexts WHERE context != ? ORDER BY used DESC LIMIT 1", (context,)
            ):
                return str(found)
        return None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last write on power loss is fine
            found = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
            version = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone() if found else None
            if version is None or version[0] != FORMAT:
                if found:
                    log.info("build cache %s has another format; starting it afresh", self.path)
                for table in ("meta", "files", "articles", "documents", "published", "pictures", "contexts"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            else:
                db.execute(_PICTURES)
                db.execute(_CONTEXTS)
        except BaseException:
            db.close()
            raise
        return db

    def _named(self, query: str, names: Iterable[str] | None) -> Iterator[tuple[Any, ...]]:
        """The rows of ``query`` (a table keyed by ``name``), only those of ``names`` unless None."""
        if names is None:
            yield from self._rows(query)
            return
        wanted = list(dict.fromkeys(names))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            yield from self._rows(f"{query} WHERE name IN ({','.join('?' * len(chunk))})", chunk)

    def _rows(self, query: str, parameters: Iterable[object] = ()) -> Iterator[tuple[Any, ...]]:
        if self._db is None:
            return iter(())
        return iter(self._db.execute(query, tuple(parameters)))

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._db is None:
            raise _Closed
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Turn a database error into a logged miss; start afresh when SQLite says the file is corrupt."""
        try:
            yield
        except _Closed:
            pass  # building without a cache: nothing to read or write
        except sqlite3.DatabaseError as error:
            if self._is_corrupt(error):
                log.warning("build cache %s is corrupt (%s); starting it afresh", self.path, error)
                self.close()
                self._delete()
                self.open()
            else:
                log.warning("build cache %s: could not %s (%s); continuing without", self.path, what, error)

    def _drop(self, table: str, keys: list[str]) -> None:
        if not keys:
            return
        with self._guard(f"drop {table} rows"), self._transaction() as db:
            db.executemany(f"DELETE FROM {table} WHERE key = ?", [(k,) for k in keys])

    @staticmethod
    def _is_corrupt(error: sqlite3.DatabaseError) -> bool:
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _CORRUPT
        return not isinstance(error, sqlite3.OperationalError)

    def _delete(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
