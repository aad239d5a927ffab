"""A small site and loaded sources for the catalog's tests (tests/unit/catalog)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from feedsvc.model import ArticleSource, PageMetadata, Site

LONDON = ZoneInfo("Europe/London")
BODY = "<article><h1>Headline</h1><p>{text}</p><p>Second paragraph of the story, with more words.</p></article>"


def gazette() -> Site:
    """The site: London time, summaries of five words."""
    return Site(
        title="Gazette",
        base_url="https://news.example.org",
        id_authority="news.example.org,2020",
        language="en",
        timezone=LONDON,
        default_author="Gazette Staff",
        summary_words=5,
    )


def source(
    slug: str, day: int | None = 1, text: str = "First paragraph of the story.", **meta: object
) -> ArticleSource:
    """A loaded article of March 2024 (``day``; None: undated), with ``meta`` in its metadata."""
    published = datetime(2024, 3, day, 9, 0, tzinfo=LONDON) if day else None
    metadata = PageMetadata(title=f"Title {slug}", published=published, **meta)  # type: ignore[arg-type]
    return ArticleSource(slug=slug, path=Path(f"articles/{slug}.html"), html=BODY.format(text=text), metadata=metadata)
