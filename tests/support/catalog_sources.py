"""A small site and loaded sources for the catalog's tests (tests/unit/catalog)."""

from __future__ import annotations

from dataclasses import replace
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


# Two articles of a hundred words or so, and the first one edited as a copy editor would: its headline (the tests
# give it) and a few words. What an article shares with another is told by its pairs of words, so a test of it
# needs texts long enough to have some (the one-line bodies above share their second paragraph).
HARBOUR = (
    "The harbour board met on Tuesday evening to decide the future of the old north pier, which has been closed to "
    "the public since the storms of last winter. Engineers told the board that repairs would cost about four "
    "million pounds and take two summers. Several fishermen asked for a temporary landing stage so that the smaller "
    "boats can unload their catch without sailing round to the southern quay. The chair promised a decision before "
    "the end of the month, after a public meeting in the town hall. Residents along the seafront said they would "
    "welcome the work but worried about lorries on the narrow coast road during the busy season."
)
HARBOUR_EDITED = (
    HARBOUR.replace("Tuesday", "Wednesday")
    .replace("four million", "four and a half million")
    .replace("two summers", "three summers")
    .replace("end of the month", "end of June")
    .replace("narrow", "winding")
)
FERRY = (
    "Passengers waiting for the morning ferry to the islands were told on Friday that the crossing had been "
    "cancelled because of a fault in the steering gear. The operator arranged coaches to the mainland port further "
    "along the coast, where a smaller boat made two extra sailings in the afternoon. Some travellers missed "
    "connections for hospital appointments and family visits. A spokesperson apologised and said the repair would "
    "be finished over the weekend, with the normal timetable running again from Monday. The island council has "
    "asked for a second ship to be kept in reserve so that a single breakdown no longer leaves the islands cut off."
)


def story(slug: str, text: str, title: str, day: int | None = None) -> ArticleSource:
    """A loaded article whose body is ``text`` alone (a paragraph), titled ``title``; ``day`` as in :func:`source`."""
    loaded = source(slug, day)
    return replace(loaded, html=f"<article><p>{text}</p></article>", metadata=replace(loaded.metadata, title=title))
