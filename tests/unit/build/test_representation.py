"""build/representation.py: encodings computed once, Accept-Encoding negotiation, conditional requests."""

from __future__ import annotations

import gzip
import threading
from datetime import UTC, datetime

import brotli
import pytest

from feedsvc.build import representation
from feedsvc.build.representation import (
    body_etag,
    choose_coding,
    make_parted_resource,
    make_resource,
    not_modified,
    reheaded,
)

MODIFIED = datetime(2024, 3, 6, 10, 0, 0, tzinfo=UTC)
BODY = b"<feed>" + b"<entry>the same words again and again</entry>" * 200 + b"</feed>"
ALL = {"identity": 1, "gzip": 1, "br": 1}


def test_each_coding_is_computed_once_with_its_own_etag() -> None:
    resource = make_resource(BODY, "application/atom+xml", MODIFIED, "public, max-age=300")
    assert set(resource.variants) == {"identity", "gzip", "br"}
    assert gzip.decompress(resource.variants["gzip"].body) == BODY
    assert brotli.decompress(resource.variants["br"].body) == BODY
    etags = {v.etag for v in resource.variants.values()}
    assert len(etags) == 3
    assert all(v.etag == body_etag(v.body) for v in resource.variants.values())
    assert resource.body == BODY and resource.etag == body_etag(BODY)


def test_encodings_are_deterministic_across_runs() -> None:
    first = make_resource(BODY, "x", MODIFIED, "")
    second = make_resource(bytes(BODY), "x", MODIFIED, "")
    assert {c: v.etag for c, v in first.variants.items()} == {c: v.etag for c, v in second.variants.items()}


def test_codings_that_do_not_shrink_the_body_are_not_kept() -> None:
    resource = make_resource(b"{}", "application/json", MODIFIED, "")
    assert set(resource.variants) == {"identity"}
    assert resource.pick("gzip, br").coding == "identity"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "identity"),
        ("", "identity"),
        ("gzip", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),  # equal q: the smaller coding
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0, br;q=0", "identity"),
        ("*", "br"),
        ("*;q=0.5, gzip", "gzip"),
        ("deflate", "identity"),  # not offered
        ("identity;q=0, gzip;q=0.1", "gzip"),
        ("identity;q=0", "identity"),  # nothing acceptable: identity anyway
        ("gzip;q=nonsense, br", "br"),
        ("zstd, gzip;q=0.9", "gzip"),
    ],
)
def test_accept_encoding_is_negotiated_by_q_values(header: str | None, expected: str) -> None:
    assert choose_coding(header, ALL) == expected


ETAG = "abc123"


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        ('"abc123"', None, True),
        ('W/"abc123"', None, True),  # weak comparison (RFC 9110 §13.1.2)
        ('"other", "abc123"', None, True),
        ('"other",W/"abc123"', None, True),
        ("*", None, True),
        ('"other"', None, False),
        ('"abc"', None, False),
        # If-None-Match wins over If-Modified-Since, both ways
        ('"other"', "Wed, 06 Mar 2024 10:00:00 GMT", False),
        ('"abc123"', "Mon, 01 Jan 2001 00:00:00 GMT", True),
        (None, "Wed, 06 Mar 2024 10:00:00 GMT", True),
        (None, "Thu, 07 Mar 2024 00:00:00 GMT", True),
        (None, "Wed, 06 Mar 2024 09:59:59 GMT", False),
        (None, "not a date", False),
        (None, None, False),
    ],
)
def test_conditional_requests_follow_rfc_9110(
    if_none_match: str | None, if_modified_since: str | None, expected: bool
) -> None:
    assert not_modified(if_none_match, if_modified_since, ETAG, MODIFIED) is expected


def test_if_modified_since_compares_whole_seconds() -> None:
    precise = MODIFIED.replace(microsecond=500_000)
    assert not_modified(None, "Wed, 06 Mar 2024 10:00:00 GMT", ETAG, precise)


def test_a_large_body_is_gzipped_on_another_thread_while_brotli_runs_into_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = b"".join(
        b"<entry><title>Story %d</title><p>Text of story %d.</p></entry>\n" % (n, n * 7) for n in range(4000)
    )
    assert len(body) >= representation.THREAD_FROM
    threads: list[int] = []
    compress = gzip.compress

    def recorded(data: bytes, compresslevel: int = 9, *, mtime: float | None = None) -> bytes:
        threads.append(threading.get_ident())
        return compress(data, compresslevel=compresslevel, mtime=mtime)

    monkeypatch.setattr(representation.gzip, "compress", recorded)
    before = set(threading.enumerate())  # other tests of this process may have left daemon threads running
    encoded = representation.encode(body)
    assert threads and threading.get_ident() not in threads
    # the gzip thread is gone before encode returns: a process pool may fork after it
    assert all(thread.ident not in threads for thread in threading.enumerate())
    assert set(threading.enumerate()) <= before
    assert gzip.decompress(encoded["gzip"]) == brotli.decompress(encoded["br"]) == body
    assert encoded["gzip"] == compress(body, compresslevel=9, mtime=0)


HEAD = b'<feed><link rel="prev-archive" href="/archive/2024-01.atom"/>'
REST = BODY[len(b"<feed>") :]


def test_a_parted_resource_is_one_gzip_member_of_its_head_and_rest() -> None:
    resource = make_parted_resource(HEAD, REST, "application/atom+xml", MODIFIED, "public")
    assert set(resource.variants) == {"identity", "gzip"}  # no brotli: it cannot be compressed in parts
    assert resource.body == HEAD + REST
    assert gzip.decompress(resource.variants["gzip"].body) == HEAD + REST
    assert resource.variants["gzip"].etag == body_etag(resource.variants["gzip"].body)


def test_a_new_head_keeps_the_compressed_rest_and_gives_the_bytes_a_whole_encoding_gives() -> None:
    old = make_parted_resource(HEAD, REST, "application/atom+xml", MODIFIED, "public", (("X", "y"),))
    head = HEAD + b'<link rel="next-archive" href="/archive/2024-03.atom"/>'
    new = reheaded(old, len(HEAD), head)
    assert new is not None
    whole = make_parted_resource(head, REST, "application/atom+xml", MODIFIED, "public", (("X", "y"),))
    assert new == whole  # bodies, ETags, headers
    assert gzip.decompress(new.variants["gzip"].body) == head + REST


def test_a_resource_not_made_in_parts_is_not_reheaded() -> None:
    assert reheaded(make_resource(HEAD + REST, "x", MODIFIED, ""), len(HEAD), HEAD + b"<x/>") is None
    tiny = make_parted_resource(b"<a>", b"</a>", "x", MODIFIED, "")
    assert set(tiny.variants) == {"identity"}
    assert reheaded(tiny, 3, b"<b>") is None  # no gzip to keep the rest of: encoded whole instead
