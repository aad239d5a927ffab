"""The decisions across the sources (feedsvc/metadata/decide.py), through ``extract_metadata``."""

from __future__ import annotations

from datetime import UTC, datetime

from feedsvc.metadata.page import extract_metadata
from support.page_sources import decided


def test_an_imported_page_without_a_canonical_url_is_dated_by_its_source_url() -> None:
    html = "<html><head><title>Ferry resumes</title></head><body><h1>Ferry resumes</h1><p>It sails.</p></body></html>"
    found = dict(extract_metadata(html, UTC, url="https://port.example.org/news/2021/11/23/ferry-resumes"))
    assert [metadata.published for metadata in found.values() if metadata.published] == [
        datetime(2021, 11, 23, tzinfo=UTC)
    ]
    # the same page fetched from nowhere known is undated
    assert all(metadata.published is None for metadata in decided(html, UTC).values())
