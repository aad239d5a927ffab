"""The catalog as the gunicorn master and its workers hold it: articles as records on disk, indexes as flat arrays.

An edge (a file) around pure index arithmetic. The publisher keeps its
articles as objects; what it sends the master is :func:`pack_catalog` of
its catalog: every article written once into a record, in an unlinked file
of its own passed to the master with the blob files (its fields
marshalled, or pickled where marshal has no form for one; its texts on
disk stay where they are, as (file, offset, length)), the order and each tag's,
author's and source's list as three flat arrays (where each record is, its
publication time, its update time), and the slugs as a sorted array of
64-bit hashes. :func:`unpack_catalog` reads the records in that file
(:class:`Records`), which the workers forked later read with ``pread``
(the kernel's page cache, shared by every process), and gives a
:class:`~feedsvc.model.Catalog` whose ``articles``, ``by_slug`` and facets
are read-only views (:class:`ArticleList`, :class:`SlugIndex`) that make an
:class:`~feedsvc.model.Article` when one is asked for. So the master's heap
holds about 135 bytes an article instead of 1.3 KB (docs/notebook/scale.md), and a worker that
applies a delta copies a few arrays instead of taking a reference to (and
so copying the memory page of) every article object.

A record never changes: a changed article gets a new one (a delta's are
kept in the memory of the process that applied it), so a snapshot stays
immutable per version and a request answering from the previous version
reads the previous records. :meth:`ArticleList.changed` and
:meth:`SlugIndex.changed` return new arrays, the old ones untouched.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import marshal
import os
import pickle
import struct
import tempfile
import threading
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, cast, overload
from zoneinfo import ZoneInfo

from feedsvc.build.blobstore import BlobStore, Span, StoredValue
from feedsvc.catalog.assembly import facet_key
from feedsvc.feeds.archive import ArchiveIndex, month_of
from feedsvc.model import FACET_KINDS, Article, Catalog, Facet, Image, Source, StoredText, Withdrawal

__all__ = [
    "MAX_RECORD_BYTES",
    "WRITE_BYTES",
    "ArticleList",
    "PackedCatalog",
    "Records",
    "SlugIndex",
    "compact_views",
    "is_compact",
    "month_index",
    "pack_catalog",
    "reindex_compact_facets",
    "slug_hash",
    "unpack_catalog",
]

_LENGTH_BITS = 24
MAX_RECORD_BYTES = (1 << _LENGTH_BITS) - 1  # 16 MB: an article's metadata, its texts being on disk
WRITE_BYTES = 1 << 20  # records written to a file by pack_catalog a write at a time
_IN_MEMORY = 1 << 63  # a record this process added (a delta's), kept in its memory, not in the shared file
_SLUG = struct.Struct("<H")  # a record starts with its slug, so an index confirms a slug without unpickling


def slug_hash(slug: str) -> int:
    """Return the 64-bit hash a :class:`SlugIndex` sorts by (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(slug.encode("utf-8"), digest_size=8).digest(), "little")


class _Pickler(pickle.Pickler):
    """Pickles an article with its texts on disk as (store number, offset, length): the fallback encoding."""

    def __init__(self, file: io.BytesIO, position: Callable[[BlobStore], int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._position = position

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, StoredValue):
            store, offset, length = obj.where()
            return (self._position(store), offset, length)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, stores: list[BlobStore]) -> None:
        super().__init__(file)
        self._stores = stores

    def persistent_load(self, pid: Any) -> Any:
        position, offset, length = pid
        return Span(self._stores[position], offset, length)


# A record's body: MARSHALLED, the article's fields as marshal's plain values (a tenth of unpickling's cost:
# no class looked up, no reduction called), or PICKLED when one of its values is not of the kinds below.
_MARSHALLED, _PICKLED = b"m", b"p"


class _Unmarshallable(ValueError):
    """A value the marshal encoding has no form for (a time zone of another kind): the article is pickled."""


def _time_zone(tz: tzinfo | None) -> object:
    if tz is None:
        return None
    if isinstance(tz, ZoneInfo) and tz.key and ZoneInfo(tz.key) is tz:
        return tz.key
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        if tz.tzname(None) == timezone(offset).tzname(None):  # no name of its own: made again from the offset
            return int(offset.total_seconds() * 1_000_000)
    raise _Unmarshallable(repr(tz))


def _from_time_zone(tz: object) -> tzinfo | None:
    if tz is None:
        return None
    if isinstance(tz, str):
        return ZoneInfo(tz)  # zoneinfo's cache: the very object the article had
    return timezone(timedelta(microseconds=cast(int, tz)))


def _moment(moment: datetime) -> tuple[object, ...]:
    return (*moment.timetuple()[:6], moment.microsecond, moment.fold, _time_zone(moment.tzinfo))


def _from_moment(value: tuple[Any, ...]) -> datetime:
    year, month, day, hour, minute, second, microsecond, fold, tz = value
    return datetime(year, month, day, hour, minute, second, microsecond, _from_time_zone(tz), fold=fold)


def _marshalled(article: Article, position: Callable[[BlobStore], int]) -> bytes:
    def text(value: str | StoredText) -> object:
        if isinstance(value, str):
            return value
        if isinstance(value, StoredValue):
            store, offset, length = value.where()
            return (position(store), offset, length)
        raise _Unmarshallable(type(value).__name__)

    image = article.image
    published, updated = _moment(article.published), _moment(article.updated)
    values: Any = (  # marshal's own kinds only (its stubs cannot say so of a tuple of them)
        article.entry_id,
        article.title,
        published,
        None if updated == published else updated,
        article.authors,
        text(article.summary),
        article.tags,
        text(article.content),
        article.language,
        str(article.source_path),
        article.source_url,
        None if image is None else tuple(getattr(image, f.name) for f in fields(Image)),
        article.warnings,
        article.source,
    )
    return marshal.dumps(values)


def _unmarshalled(slug: str, data: bytes, stores: list[BlobStore]) -> Article:
    def text(value: Any) -> str | StoredText:
        return value if isinstance(value, str) else Span(stores[value[0]], value[1], value[2])

    (entry_id, title, published, updated, authors, summary, tags, content, language, path, url, image, warnings,
     source) = marshal.loads(data)  # fmt: skip
    moment = _from_moment(published)
    return Article(
        slug,
        entry_id,
        title,
        moment,
        moment if updated is None else _from_moment(updated),
        authors,
        text(summary),
        tags,
        text(content),
        language,
        Path(path),
        url,
        None if image is None else Image(*image),
        warnings,
        source,
    )


def _encoded(articles: Iterable[Article], position: Callable[[BlobStore], int]) -> Iterator[bytes]:
    """Yield each article's record: its slug (length-prefixed UTF-8), then the article marshalled (or pickled)."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, position)
    for article in articles:
        try:
            body = _MARSHALLED + _marshalled(article, position)
        except ValueError:  # _Unmarshallable, or marshal's own refusal
            buffer.seek(0)
            buffer.truncate()
            pickler.clear_memo()  # each record stands alone
            pickler.dump(article)
            body = _PICKLED + buffer.getvalue()
        slug = article.slug.encode("utf-8")
        record = _SLUG.pack(len(slug)) + slug + body
        if len(record) > MAX_RECORD_BYTES:
            raise ValueError(
                f"article {article.slug}: {len(record)} bytes of metadata, more than {MAX_RECORD_BYTES}; "
                "shorten its summary or warnings"
            )
        yield record


class Records:
    """Article records of one whole snapshot (an unlinked file) and of the deltas this process applied (memory).

    The file is written once, before the workers fork (they inherit its
    descriptor); a delta's records are appended to this process's memory,
    so a worker never writes what another process reads.
    """

    def __init__(self, fd: int, stores: list[BlobStore]) -> None:
        self._fd = fd
        weakref.finalize(self, os.close, fd)
        self._memory = bytearray()
        self._lock = threading.Lock()  # appends only (a master's delta thread, a worker's catch-up)
        self._pid = os.getpid()  # a worker forked while the master's thread held the lock makes its own
        self.stores = stores  # the blob files the records' texts are in, by number (appended to, never reordered)

    @classmethod
    def written(
        cls, data: bytes | bytearray | memoryview, stores: list[BlobStore], folder: Path | None = None
    ) -> Records:
        """Return the records of ``data`` (what :func:`pack_catalog` made), written to a new unlinked file."""
        fd, name = tempfile.mkstemp(prefix="feedsvc-records-", dir=folder)
        os.unlink(name)  # a crash leaves nothing behind
        view = memoryview(data)
        at = 0
        while at < len(view):
            at += os.pwrite(fd, view[at:], at)
        return cls(fd, stores)

    @property
    def memory_bytes(self) -> int:
        """Bytes of the records this process added (a delta's): what its heap holds of records."""
        return len(self._memory)

    def _position(self, store: BlobStore) -> int:
        for number, known in enumerate(self.stores):
            if known is store:
                return number
        self.stores.append(store)
        return len(self.stores) - 1

    def add(self, articles: Iterable[Article]) -> list[int]:
        """Record ``articles`` in this process's memory; return their references."""
        refs = []
        if self._pid != os.getpid():
            self._lock, self._pid = threading.Lock(), os.getpid()
        with self._lock:
            for record in _encoded(articles, self._position):
                refs.append(_IN_MEMORY | len(self._memory) << _LENGTH_BITS | len(record))
                self._memory += record
        return refs

    def read(self, ref: int) -> bytes:
        """Return the bytes of record ``ref``."""
        length = ref & MAX_RECORD_BYTES
        offset = (ref & ~_IN_MEMORY) >> _LENGTH_BITS
        if ref & _IN_MEMORY:
            return bytes(self._memory[offset : offset + length])
        data = os.pread(self._fd, length, offset)
        while len(data) < length:  # pread may return less than asked
            more = os.pread(self._fd, length - len(data), offset + len(data))
            if not more:
                raise OSError(f"article record truncated: {length} bytes wanted at {offset}, {len(data)} read")
            data += more
        return data

    def slug(self, ref: int) -> str:
        """Return the slug of record ``ref`` (without making the article)."""
        data = self.read(ref)
        (size,) = _SLUG.unpack_from(data)
        return data[_SLUG.size : _SLUG.size + size].decode("utf-8")

    def slug_and_updated(self, ref: int) -> tuple[str, datetime]:
        """Return the slug and ``updated`` of record ``ref`` (what a sitemap lists), making no article."""
        data = self.read(ref)
        (size,) = _SLUG.unpack_from(data)
        body = _SLUG.size + size
        if data[body : body + 1] != _MARSHALLED:
            article = self.article(ref)
            return article.slug, article.updated
        values = marshal.loads(data[body + 1 :])
        return data[_SLUG.size : body].decode("utf-8"), _from_moment(values[3] or values[2])

    def article(self, ref: int) -> Article:
        """Return the article of record ``ref``: made now, its texts still on disk."""
        data = self.read(ref)
        (size,) = _SLUG.unpack_from(data)
        body = _SLUG.size + size
        if data[body : body + 1] == _MARSHALLED:
            return _unmarshalled(data[_SLUG.size : body].decode("utf-8"), data[body + 1 :], self.stores)
        found = _Unpickler(io.BytesIO(data[body + 1 :]), self.stores).load()
        if not isinstance(found, Article):
            raise pickle.UnpicklingError(f"record {ref:#x} holds a {type(found).__name__}, not an article")
        return found


# One list's arrays: where each record is, minus its publication time (ascending: newest first), its update time
Arrays = tuple["array[int]", "array[float]", "array[float]"]


class ArticleList(Sequence[Article]):
    """Articles newest first (publication time, then slug, descending), as :func:`~feedsvc.feeds.archive.newest_first`
    orders them; each made from its record when asked for."""

    __slots__ = ("_latest", "ages", "records", "refs", "updated")

    def __init__(self, records: Records, refs: array[int], ages: array[float], updated: array[float]) -> None:
        self.records = records
        self.refs = refs  # the record of each
        self.ages = ages  # minus each publication time (seconds): ascending, so bisect finds a place
        self.updated = updated  # each update time (seconds): the newest change without making an article
        self._latest: tuple[datetime | None] | None = None

    def __len__(self) -> int:
        return len(self.refs)

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Article, ...]: ...

    def __getitem__(self, index: int | slice) -> Article | tuple[Article, ...]:
        if isinstance(index, slice):  # a page of a list: 25 articles made
            return tuple(self.records.article(self.refs[i]) for i in range(len(self.refs))[index])
        return self.records.article(self.refs[index])

    def __iter__(self) -> Iterator[Article]:
        article = self.records.article
        for ref in self.refs:
            yield article(ref)

    def __repr__(self) -> str:
        return f"<ArticleList of {len(self)}>"

    def slugs_and_updates(self) -> Iterator[tuple[str, datetime]]:
        """Yield each article's slug and ``updated``, in order, making no article (a sitemap's walk)."""
        read = self.records.slug_and_updated
        for ref in self.refs:
            yield read(ref)

    def latest_update(self) -> datetime | None:
        """Return the newest ``updated`` of these articles (None: there are none), making one article."""
        if self._latest is None:
            updated = self.updated
            newest = max(updated) if updated else None
            self._latest = (None if newest is None else self[updated.index(newest)].updated,)
        return self._latest[0]

    def span(self, start: int, stop: int) -> ArticleList:
        """Return positions ``start`` to ``stop`` as a list of their own."""
        return ArticleList(self.records, self.refs[start:stop], self.ages[start:stop], self.updated[start:stop])

    def _place(self, age: float, slug: str) -> int:
        """Return where an article of publication time ``-age`` and ``slug`` goes (or is): log n."""
        low, high = bisect.bisect_left(self.ages, age), bisect.bisect_right(self.ages, age)
        while low < high:  # the same time: by slug, descending (records read: log of the ties)
            middle = (low + high) // 2
            if self.records.slug(self.refs[middle]) > slug:
                low = middle + 1
            else:
                high = middle
        return low

    def changed(self, gone: Iterable[tuple[int, Article]], added: Iterable[tuple[int, Article]]) -> ArticleList:
        """Return this list without the records ``gone`` (those it holds) and with ``added``, in order.

        Each is (record, article). This list is left as it is: the arrays are
        copied (at C speed), then each article taken out and put in by binary search.
        """
        result = ArticleList(self.records, self.refs[:], self.ages[:], self.updated[:])
        refs, ages, updated = result.refs, result.ages, result.updated
        for ref, article in gone:
            age = -article.published.timestamp()
            low, high = bisect.bisect_left(ages, age), bisect.bisect_right(ages, age)
            try:
                at = refs.index(ref, low, high)
            except ValueError:
                continue  # not in this list
            del refs[at], ages[at], updated[at]
        for ref, article in added:
            age = -article.published.timestamp()
            at = result._place(age, article.slug)
            refs.insert(at, ref)
            ages.insert(at, age)
            updated.insert(at, article.updated.timestamp())
        return result

    def taken(self, positions: Iterable[int]) -> ArticleList:
        """Return the articles at ``positions`` (ascending) as a list of their own."""
        at = list(positions)
        return ArticleList(
            self.records,
            array("Q", [self.refs[i] for i in at]),
            array("d", [self.ages[i] for i in at]),
            array("d", [self.updated[i] for i in at]),
        )


class SlugIndex(Mapping[str, Article]):
    """Slug -> article over a sorted array of slug hashes and their records; a match is confirmed by the record."""

    __slots__ = ("hashes", "records", "refs")

    def __init__(self, records: Records, hashes: array[int], refs: array[int]) -> None:
        self.records = records
        self.hashes = hashes  # slug_hash of each slug, ascending
        self.refs = refs  # the record of each

    def ref(self, slug: str) -> int | None:
        """Return the record of ``slug``, or None."""
        wanted = slug_hash(slug)
        hashes = self.hashes
        at = bisect.bisect_left(hashes, wanted)
        while at < len(hashes) and hashes[at] == wanted:
            if self.records.slug(self.refs[at]) == slug:
                return int(self.refs[at])
            at += 1
        return None

    def __getitem__(self, slug: str) -> Article:
        ref = self.ref(slug)
        if ref is None:
            raise KeyError(slug)
        return self.records.article(ref)

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and self.ref(slug) is not None

    def __iter__(self) -> Iterator[str]:
        slug = self.records.slug
        for ref in self.refs:
            yield slug(ref)

    def __len__(self) -> int:
        return len(self.refs)

    def __repr__(self) -> str:
        return f"<SlugIndex of {len(self)}>"

    def changed(self, gone: Iterable[str], added: Iterable[tuple[int, str]]) -> SlugIndex:
        """Return this index without the slugs ``gone`` and with ``added`` (record, slug); this one unchanged."""
        result = SlugIndex(self.records, self.hashes[:], self.refs[:])
        for slug in gone:
            ref = self.ref(slug)
            if ref is None:
                continue
            wanted = slug_hash(slug)
            at = result.refs.index(ref, bisect.bisect_left(result.hashes, wanted))
            del result.hashes[at], result.refs[at]
        for ref, slug in added:
            wanted = slug_hash(slug)
            at = bisect.bisect_right(result.hashes, wanted)
            result.hashes.insert(at, wanted)
            result.refs.insert(at, ref)
        return result


def is_compact(catalog: Catalog) -> bool:
    """Say whether ``catalog`` is held as records and arrays (the master's, a worker's) rather than objects."""
    return isinstance(catalog.articles, ArticleList)


def compact_views(catalog: Catalog) -> tuple[ArticleList, SlugIndex]:
    """Return the order and the slug index of a compact catalog (:func:`unpack_catalog`'s).

    :raise TypeError: ``catalog`` holds objects (the publisher's): :func:`pack_catalog` it and unpack it first.
    """
    order, slugs = catalog.articles, catalog.by_slug
    if not isinstance(order, ArticleList) or not isinstance(slugs, SlugIndex):
        raise TypeError(
            f"catalog {catalog.version} holds article objects, not records: unpack_catalog(pack_catalog(it))"
        )
    return order, slugs


def _article_list(articles: Sequence[Article]) -> ArticleList:
    """A compact catalog's list (a facet's), as the arrays it is; TypeError for a tuple of objects."""
    if not isinstance(articles, ArticleList):
        raise TypeError(f"expected a compact catalog's ArticleList, got {type(articles).__name__}")
    return articles


@dataclass(frozen=True, slots=True)
class PackedCatalog:
    """A catalog as the publisher sends it to the master: the small parts whole, the articles as records."""

    catalog: Catalog  # with no articles, an empty slug index and facets without articles
    # every article's record, one after the other (refs are offsets in it); or the number of the blob file
    # (as ``position`` numbered it) they were written to (refs are offsets in that file)
    records: bytes | int
    order: Arrays  # the catalog's order
    slugs: tuple[array[int], array[int]]  # slug hashes ascending, and their records
    facets: Mapping[str, Mapping[str, Arrays]]  # kind -> key -> the facet's order


def pack_catalog(
    catalog: Catalog, position: Callable[[BlobStore], int], into: BlobStore | None = None
) -> PackedCatalog:
    """Return ``catalog`` packed for the master; ``position`` numbers the blob files its texts are in.

    ``into``: a new blob file the records are written to as they are made (:data:`WRITE_BYTES` at a
    time), named in the packed catalog by its number, instead of held in it: the publisher never holds
    every record at once (nor twice, joined, then pickled), and the master reads them where they are.
    """
    chunks: list[bytes] = []
    pending = 0
    refs: array[int] = array("Q")
    at = into.size if into is not None else 0
    for record in _encoded(catalog.articles, position):
        refs.append(at << _LENGTH_BITS | len(record))
        chunks.append(record)
        at += len(record)
        pending += len(record)
        if into is not None and pending >= WRITE_BYTES:
            into.write(b"".join(chunks))
            chunks, pending = [], 0
    if into is not None:
        into.write(b"".join(chunks))
        chunks = []
    ages = array("d", [-a.published.timestamp() for a in catalog.articles])
    updated = array("d", [a.updated.timestamp() for a in catalog.articles])
    where = {a.slug: i for i, a in enumerate(catalog.articles)}
    by_hash = sorted((slug_hash(a.slug), i) for i, a in enumerate(catalog.articles))
    slugs = (array("Q", [h for h, _ in by_hash]), array("Q", [refs[i] for _, i in by_hash]))

    def arrays(articles: Iterable[Article]) -> Arrays:
        at = [where[a.slug] for a in articles]
        return (
            array("Q", [refs[i] for i in at]),
            array("d", [ages[i] for i in at]),
            array("d", [updated[i] for i in at]),
        )

    facets = {kind: {key: arrays(f.articles) for key, f in catalog.facets(kind).items()} for kind in FACET_KINDS}
    bare_facets = {
        kind: {key: replace(f, articles=()) for key, f in catalog.facets(kind).items()} for kind in FACET_KINDS
    }
    bare = replace(
        catalog,
        articles=(),
        by_slug={},
        tags=bare_facets["tags"],
        authors=bare_facets["authors"],
        sources=bare_facets["sources"],
    )
    records = position(into) if into is not None else b"".join(chunks)
    return PackedCatalog(bare, records, (refs, ages, updated), slugs, facets)


def unpack_catalog(packed: PackedCatalog, stores: list[BlobStore], folder: Path | None = None) -> Catalog:
    """Return the catalog of ``packed``, its records written to a new file (or read in the one of ``stores``
    it names), its texts in ``stores``."""
    if isinstance(packed.records, int):
        records = Records(os.dup(stores[packed.records].fileno()), list(stores))
    else:
        records = Records.written(packed.records, list(stores), folder)
    order = ArticleList(records, *packed.order)
    slugs = SlugIndex(records, *packed.slugs)
    bare = packed.catalog
    facets = {
        kind: {
            key: replace(f, articles=ArticleList(records, *packed.facets[kind][key]))
            for key, f in bare.facets(kind).items()
        }
        for kind in FACET_KINDS
    }
    return _compact(bare, order, slugs, facets)


def _compact(bare: Catalog, order: ArticleList, slugs: SlugIndex, facets: Mapping[str, Mapping[str, Facet]]) -> Catalog:
    # the read-only Sequence and Mapping Catalog declares: everything a server asks of them (index, slice, len,
    # iterate, get, in), where the publisher's catalog has a tuple and a dict of objects
    return replace(
        bare,
        articles=order,
        by_slug=slugs,
        tags=facets["tags"],
        authors=facets["authors"],
        sources=facets["sources"],
    )


def _names(kind: str, item: Article | Withdrawal) -> tuple[str, ...]:
    if kind == "sources":
        return (item.source,) if item.source is not None else ()
    return item.tags if kind == "tags" else item.authors


def reindex_compact_facets(
    previous: Catalog,
    bare: Catalog,
    order: ArticleList,
    slugs: SlugIndex,
    gone: list[tuple[int, Article]],
    added: list[tuple[int, Article]],
) -> Catalog:
    """Return ``bare`` (the next catalog's small parts) with ``order`` and ``slugs``, its facets those of
    ``order`` as :func:`~feedsvc.catalog.assembly.index_facets` and
    :func:`~feedsvc.catalog.assembly.index_sources` would make them, from ``previous`` (the compact catalog
    ``order`` was changed from).

    Only the facets ``gone`` and ``added`` (record, article) were or are in
    get new arrays. When the withdrawals changed, every facet is given its
    tombstones again (no record read but the first of a facet whose first
    article changed); when the site's ``[[source]]`` list changed, the
    sources' facets are made again from every article's record (rare: a
    site.toml edit).
    """
    sources, withdrawn = bare.site.sources, bare.withdrawn
    facets = {}
    for kind in FACET_KINDS:
        old = previous.facets(kind)
        if kind == "sources" and sources != previous.site.sources:
            facets[kind] = _indexed(kind, order, withdrawn, sources)
            continue
        named = kind != "sources"
        key_of = facet_key if named else str
        touched = {key_of(name) for _, article in (*gone, *added) for name in _names(kind, article)}
        keys = set(touched)
        tombstones: dict[str, list[Withdrawal]] | None = None
        if withdrawn != previous.withdrawn:
            tombstones = _tombstones(kind, withdrawn, sources)
            keys |= old.keys() | tombstones.keys()
        found = dict(old)
        for key in keys:
            facet = old.get(key)
            if not key or (not named and facet is None):
                continue  # a name of punctuation alone has no URL; a source missing from site.toml has no facet
            before = _article_list(facet.articles) if facet is not None else ArticleList(order.records, *_empty())
            members = before
            if key in touched:
                mine = [(ref, a) for ref, a in added if any(key_of(name) == key for name in _names(kind, a))]
                members = before.changed(gone, mine)
            withdrawals = (facet.withdrawn if facet else ()) if tombstones is None else tuple(tombstones.get(key, ()))
            if named and not members and not withdrawals:
                found.pop(key, None)
                continue
            if facet is not None and not named:
                found[key] = replace(facet, articles=members, withdrawn=withdrawals)
                continue
            if facet is not None and members and before and members.refs[0] == before.refs[0]:
                name = facet.name  # named by the same first article
            else:
                first: Article | Withdrawal = members[0] if members else withdrawals[0]
                name = next(name for name in _names(kind, first) if facet_key(name) == key)
            found[key] = Facet(kind, key, name, members, withdrawals)
        if named and found.keys() != old.keys():
            found = {key: found[key] for key in sorted(found)}
        facets[kind] = found
    return _compact(bare, order, slugs, facets)


def _tombstones(kind: str, withdrawn: Iterable[Withdrawal], sources: tuple[Source, ...]) -> dict[str, list[Withdrawal]]:
    """The withdrawals still shown as tombstones, by the key of each facet of ``kind`` they are in."""
    known = {source.name for source in sources}
    found: dict[str, list[Withdrawal]] = {}
    for withdrawal in withdrawn:
        if not (withdrawal.tombstone and withdrawal.entry_id):
            continue  # only tombstones still shown keep a narrower feed alive
        for name in _names(kind, withdrawal):
            key = name if kind == "sources" else facet_key(name)
            if key and (kind != "sources" or key in known):
                found.setdefault(key, []).append(withdrawal)
    return found


def _empty() -> Arrays:
    return array("Q"), array("d"), array("d")


def _indexed(
    kind: str, order: ArticleList, withdrawn: tuple[Withdrawal, ...], sources: tuple[Source, ...]
) -> dict[str, Facet]:
    """Every facet of ``kind`` over ``order``, each record read once (as index_facets and index_sources group)."""
    names: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    known = {source.name for source in sources}
    for position, article in enumerate(order):
        for name in _names(kind, article):
            key = name if kind == "sources" else facet_key(name)
            if key and (kind != "sources" or key in known):
                names.setdefault(key, name)
                members.setdefault(key, []).append(position)
    gone = _tombstones(kind, withdrawn, sources)
    for key, withdrawals in gone.items():
        names.setdefault(
            key, next(n for n in _names(kind, withdrawals[0]) if (n if kind == "sources" else facet_key(n)) == key)
        )

    def listed(key: str) -> ArticleList:
        return order.taken(members.get(key, ()))

    if kind == "sources":
        return {
            s.name: Facet("sources", s.name, s.display_title, listed(s.name), tuple(gone.get(s.name, ())), s.home)
            for s in sources
        }
    return {key: Facet(kind, key, names[key], listed(key), tuple(gone.get(key, ()))) for key in sorted(names)}


class _Months(Mapping[str, Sequence[Article]]):
    """An archive index's months over a catalog's order: each month a range of it (found by bisection)."""

    def __init__(self, order: ArticleList, tz: ZoneInfo) -> None:
        self._order = order
        self._tz = tz
        self._ranges: dict[str, tuple[int, int]] | None = None
        self._lock = threading.Lock()

    def ranges(self) -> dict[str, tuple[int, int]]:
        with self._lock:
            if self._ranges is None:
                found: dict[str, tuple[int, int]] = {}
                ages, start = self._order.ages, 0
                while start < len(ages):
                    month = month_of(datetime.fromtimestamp(-ages[start], UTC), self._tz)
                    first = datetime(int(month[:4]), int(month[5:]), 1, tzinfo=self._tz).timestamp()
                    stop = bisect.bisect_right(ages, -first, start)
                    found[month] = (start, stop)
                    start = stop
                self._ranges = found
            return self._ranges

    def __getitem__(self, month: str) -> Sequence[Article]:
        start, stop = self.ranges()[month]
        return self._order.span(start, stop)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ranges())

    def __len__(self) -> int:
        return len(self.ranges())


def month_index(order: ArticleList, tz: ZoneInfo) -> ArchiveIndex:
    """Return the archive months of a compact catalog's order, found when first asked (no server renders them)."""
    if not order:
        return ArchiveIndex({}, None, None)
    newest = month_of(datetime.fromtimestamp(-order.ages[0], UTC), tz)
    oldest = month_of(datetime.fromtimestamp(-order.ages[-1], UTC), tz)
    return ArchiveIndex(_Months(order, tz), oldest, newest)
