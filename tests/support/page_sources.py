"""What each source of a page says, through ``extract_metadata``: the helpers of the metadata tests."""

from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from feedsvc.metadata.page import extract_metadata
from feedsvc.model import PageMetadata
from support.paths import FIXTURES

METADATA_FIXTURES = FIXTURES / "metadata"
TBILISI = ZoneInfo("Asia/Tbilisi")


def plus(hours: int) -> timezone:
    """Return the fixed offset of ``hours`` from UTC."""
    return timezone(timedelta(hours=hours))


def sources(html: str, tz: ZoneInfo = TBILISI) -> dict[str, PageMetadata]:
    """Return what each source says, keyed by source name (before the decisions across sources)."""
    return dict(extract_metadata(html, tz, raw=True))


def fixture(name: str) -> dict[str, PageMetadata]:
    """Return what each source of fixture ``name`` (tests/fixtures/metadata/) says, before the decisions."""
    return sources((METADATA_FIXTURES / name).read_text(encoding="utf-8"))


def decided(html: str, tz: ZoneInfo = TBILISI) -> dict[str, PageMetadata]:
    """Return the sources after the decisions across them (what the loader merges)."""
    return dict(extract_metadata(html, tz))
