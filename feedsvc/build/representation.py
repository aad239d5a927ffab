"""Response bodies computed once, in every content coding, with their validators.

Pure. A :class:`Resource` holds the identity bytes and, when they are
smaller, gzip and brotli encodings of them, each with its own strong ETag
(a hash of the bytes sent). A resource made in two parts
(:func:`make_parted_resource`: a head, then the rest) is offered as identity
and gzip, its gzip member compressed part by part, so :func:`reheaded` gives
it another head by compressing only that. Picking a variant for ``Accept-Encoding`` and
deciding on ``304 Not Modified`` are plain functions, so a request costs a
dict lookup and a few headers.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import threading
import zlib
from collections.abc import Container, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Protocol

import brotli
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag

from feedsvc.model import StoredBytes  # (defined with the model's other handles on bytes kept on disk)

__all__ = [
    "IDENTITY",
    "PREFERENCE",
    "THREAD_FROM",
    "BytesStore",
    "Fields",
    "Resource",
    "StoredBytes",
    "Variant",
    "body_etag",
    "choose_coding",
    "encode",
    "make_parted_resource",
    "make_resource",
    "not_modified",
    "reheaded",
    "stored",
]

IDENTITY = "identity"
THREAD_FROM = 64 * 1024  # body bytes from which gzip runs beside brotli (a thread costs ~0.1 ms; this, ~5 ms)
# The server's preference when a client likes several codings equally: smallest first.
PREFERENCE = ("br", "gzip", IDENTITY)
_ALIASES = {"x-gzip": "gzip"}
# What gzip.compress(compresslevel=9, mtime=0) writes first (RFC 1952): magic, deflate, no flags, no time,
# "maximum compression", OS unknown. A parted gzip member starts so too.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


class BytesStore(Protocol):
    """Where bodies go to live outside the heap (:class:`feedsvc.build.blobstore.BlobStore`)."""

    def put(self, data: bytes) -> StoredBytes: ...


@dataclass(frozen=True)
class Variant:
    """The bytes of one content coding and their strong ETag (unquoted)."""

    data: bytes | StoredBytes  # the body, or a handle on it kept on disk
    etag: str
    coding: str  # "identity", "gzip" or "br"

    @property
    def body(self) -> bytes:
        """The bytes to send."""
        data = self.data
        return data if isinstance(data, bytes) else data.read()

    @property
    def size(self) -> int:
        """The length of the body."""
        return len(self.data)

    @property
    def held(self) -> bool:
        """Whether the body is in this process's memory (else it is read from disk when sent)."""
        return isinstance(self.data, bytes)


Fields = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Resource:
    """A rendered response body in every worthwhile coding, with what goes in its headers."""

    media_type: str
    last_modified: datetime
    cache_control: str
    variants: Mapping[str, Variant]  # coding -> variant; always has "identity"
    headers: tuple[tuple[str, str], ...] = field(default=())  # e.g. Link, Content-Security-Policy

    @property
    def body(self) -> bytes:
        """The uncompressed body."""
        return self.variants[IDENTITY].body

    @property
    def etag(self) -> str:
        """The ETag of the uncompressed body."""
        return self.variants[IDENTITY].etag

    def pick(self, accept_encoding: str | None) -> Variant:
        """Return the variant to send for an ``Accept-Encoding`` header."""
        return self.variants[_choose_cached(accept_encoding, self._codings)]

    def fields(self, coding: str) -> tuple[Fields, Fields]:
        """Return the header fields of a ``200`` and of a ``304`` of one variant, built once per resource.

        A 304 carries the validators and caching fields of the 200 (RFC 9110
        §15.4.5), never a body's type or length.
        """
        return self._fields[coding]

    @cached_property
    def _codings(self) -> tuple[str, ...]:
        return tuple(self.variants)

    @cached_property
    def _fields(self) -> dict[str, tuple[Fields, Fields]]:
        last_modified = ("Last-Modified", http_date(self.last_modified))
        caching = (("Cache-Control", self.cache_control), ("Vary", "Accept-Encoding"))
        fields = {}
        for coding, variant in self.variants.items():
            etag = ("ETag", quote_etag(variant.etag))
            encoding = (("Content-Encoding", coding),) if coding != IDENTITY else ()
            ok = (*self.headers, etag, last_modified, *caching, *encoding, ("Content-Type", self.media_type))
            fields[coding] = (ok, (*self.headers, etag, *caching))
        return fields


def stored(resource: Resource, store: BytesStore) -> Resource:
    """Return ``resource`` with every body it holds in memory moved to ``store``."""
    if not any(variant.held for variant in resource.variants.values()):
        return resource
    variants = {
        coding: replace(variant, data=store.put(variant.data)) if isinstance(variant.data, bytes) else variant
        for coding, variant in resource.variants.items()
    }
    return replace(resource, variants=variants)


def body_etag(body: bytes) -> str:
    """Return the strong validator of a body: a hash of its bytes."""
    return hashlib.sha256(body).hexdigest()[:32]


def encode(body: bytes) -> dict[str, bytes]:
    """Return the body in every coding we offer; deterministic, so ETags match across instances.

    A large body is compressed in both codings at once, gzip on a short-lived thread: zlib and
    brotli let go of the GIL while they compress, so a cold build's feeds and archive months
    (the part of it that runs in one process) use a second core. The thread ends before this
    returns: a build's process pool is forked only while no other thread runs.
    """
    if len(body) < THREAD_FROM:
        return {IDENTITY: body, "gzip": _gzip(body), "br": _brotli(body)}
    done: dict[str, bytes] = {}
    other = threading.Thread(target=lambda: done.update(gzip=_gzip(body)), name="feedsvc-gzip")
    other.start()
    try:
        compressed = _brotli(body)
    finally:
        other.join()  # even when brotli raised: no thread of a build outlives it
    # the thread's error, if it had one, raised here
    return {IDENTITY: body, "gzip": done["gzip"] if "gzip" in done else _gzip(body), "br": compressed}


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)  # mtime=0: no timestamp in the bytes


def _brotli(body: bytes) -> bytes:
    # quality 9: ~25 times faster than 11 on a 1 MB feed for 9% more bytes, still 17% under gzip -9
    compressed: bytes = brotli.compress(body, mode=brotli.MODE_TEXT, quality=9, lgwin=_brotli_window(len(body)))
    return compressed


def _brotli_window(size: int) -> int:
    """The log2 of a brotli window just big enough for ``size`` bytes (16 to 24).

    brotli's default window is 4 MiB, set up on every call: for the small pages
    and feeds a site is mostly made of that costs ~4 ms a body, 15 times the
    compression itself; a window that fits the body gives the same bytes or fewer.
    """
    return max(16, min(24, size.bit_length() + 1))


def make_resource(
    body: bytes,
    media_type: str,
    last_modified: datetime,
    cache_control: str,
    headers: tuple[tuple[str, str], ...] = (),
) -> Resource:
    """Encode ``body`` once in each coding, keeping only those smaller than the original."""
    variants = {
        coding: Variant(data, body_etag(data), coding)
        for coding, data in encode(body).items()
        if coding == IDENTITY or len(data) < len(body)
    }
    return Resource(media_type, last_modified, cache_control, variants, headers)


def make_parted_resource(
    head: bytes,
    rest: bytes,
    media_type: str,
    last_modified: datetime,
    cache_control: str,
    headers: tuple[tuple[str, str], ...] = (),
) -> Resource:
    """Encode ``head + rest`` as identity and gzip (if smaller), the gzip member as two deflate runs.

    The head's run ends on a byte boundary (a sync flush) and the rest's run refers to nothing
    before it, so the member is one valid gzip stream whose rest's run :func:`reheaded` can keep.
    Large documents that change rarely and are read rarely (the archive months) are made so:
    brotli, which cannot be compressed in parts, is not offered for them.
    """
    body = head + rest
    variants = {IDENTITY: Variant(body, body_etag(body), IDENTITY)}
    compressed = _GZIP_HEADER + _deflate_run(head, final=False) + _deflate_run(rest, final=True) + _trailer(body)
    if len(compressed) < len(body):
        variants["gzip"] = Variant(compressed, body_etag(compressed), "gzip")
    return Resource(media_type, last_modified, cache_control, variants, headers)


def reheaded(resource: Resource, split: int, head: bytes) -> Resource | None:
    """Return ``resource`` (made by :func:`make_parted_resource` with a head of ``split`` bytes) with ``head``
    instead, compressing only the head; None if its gzip is not in those two parts (encode it whole then)."""
    body = resource.body
    rest = body[split:]
    variants = {IDENTITY: Variant(head + rest, body_etag(head + rest), IDENTITY)}
    gzip_variant = resource.variants.get("gzip")
    if gzip_variant is None or len(resource.variants) != 2:
        return None  # a body too small for gzip to pay, or another coding: encode it whole (it is small)
    old = gzip_variant.body
    start = _GZIP_HEADER + _deflate_run(body[:split], final=False)
    if not old.startswith(start) or old[-8:] != _trailer(body):
        return None
    compressed = _GZIP_HEADER + _deflate_run(head, final=False) + old[len(start) : -8] + _trailer(head + rest)
    variants["gzip"] = Variant(compressed, body_etag(compressed), "gzip")
    return replace(resource, variants=variants)


def _deflate_run(data: bytes, *, final: bool) -> bytes:
    """Raw deflate of ``data`` at level 9, ending the stream (``final``) or on a byte boundary after it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def _trailer(body: bytes) -> bytes:
    """A gzip member's end: the CRC-32 and length (modulo 2**32) of what it holds."""
    return struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)


def _weights(accept_encoding: str) -> dict[str, float]:
    """Parse ``Accept-Encoding`` into coding -> q (RFC 9110 §12.5.3); bad q-values count as 0."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        name = _ALIASES.get(name.strip().lower(), name.strip().lower())
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        weights[name] = quality
    return weights


@lru_cache(maxsize=1024)  # readers send a handful of distinct values; the bound caps what others send
def _choose_cached(accept_encoding: str | None, available: tuple[str, ...]) -> str:
    return choose_coding(accept_encoding, available)


def choose_coding(accept_encoding: str | None, available: Container[str]) -> str:
    """Pick the coding to send: the client's highest q among ``available``, smallest on a tie.

    No header means identity (RFC 9110 allows any, but old clients break on
    surprises). Identity is acceptable unless refused by ``identity;q=0`` or
    ``*;q=0``, after every coding the client names; if the client refuses
    everything we have, it still gets identity.
    """
    if not accept_encoding or not accept_encoding.strip():
        return IDENTITY
    weights = _weights(accept_encoding)
    star = weights.get("*")

    def quality(coding: str) -> float:
        if coding in weights:
            return weights[coding]
        if star is not None:
            return star
        # identity is acceptable unless refused, but any coding the client names comes first
        return 0.001 if coding == IDENTITY else 0.0

    ranked = [(quality(coding), -PREFERENCE.index(coding), coding) for coding in PREFERENCE if coding in available]
    best_quality, _, best = max(ranked)
    return best if best_quality > 0 else IDENTITY


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: datetime) -> bool:
    """Decide a conditional GET/HEAD as RFC 9110 §13.2.2 says.

    ``If-None-Match`` (a list, ``*``, weak or strong tags) is compared weakly
    against ``etag``; only when it is absent does ``If-Modified-Since`` count,
    and then only if it is a valid HTTP date.
    """
    if if_none_match is not None and if_none_match.strip():
        if if_none_match == f'"{etag}"':  # the common case: a reader echoing the ETag it was sent
            return True
        return parse_etags(if_none_match).contains_weak(etag)
    if if_modified_since:
        since = parse_date(if_modified_since)
        if since is not None:
            # HTTP dates have whole seconds: compare at that precision
            return last_modified.astimezone(UTC).replace(microsecond=0) <= since
    return False
