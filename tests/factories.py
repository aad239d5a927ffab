"""Builders of model values for unit tests: a site and articles with every field set."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from feedsvc.model import Article, Site, Withdrawal

TBILISI = ZoneInfo("Asia/Tbilisi")


def make_site(**changes: object) -> Site:
    """A site in Tbilisi time at https://news.example.org."""
    site = Site(
        title="Test Site",
        subtitle="News for tests",
        base_url="https://news.example.org",
        id_authority="news.example.org,2020",
        language="en",
        timezone=TBILISI,
        default_author="Staff",
    )
    return replace(site, **changes)


def make_article(slug: str, day: int, month: int = 11, **changes: object) -> Article:
    """An article published on ``day`` ``month`` 2021 in Tbilisi, updated five hours later."""
    published = datetime(2021, month, day, tzinfo=TBILISI)
    article = Article(
        slug=slug,
        entry_id=f"tag:news.example.org,2020:2021-{month:02d}-{day:02d}:articles/{slug}",
        title=f"Title of {slug}",
        published=published,
        updated=published + timedelta(hours=5),
        authors=("Ada Lovelace", "Grace Hopper"),
        summary=f"Summary of {slug}.",
        tags=("Politics", "South Caucasus"),
        content=f'<p>Body of {slug} with <a href="https://example.org/x">a link</a> &amp; more.</p>',
        language="en",
        source_path=Path(f"articles/{slug}.html"),
        source_url=f"https://origin.example.com/{slug}/",
    )
    return replace(article, **changes)


def make_withdrawal(slug: str, when: datetime, **changes: object) -> Withdrawal:
    """A withdrawal of ``slug`` seen at ``when``, still shown as a tombstone."""
    withdrawal = Withdrawal(
        slug=slug,
        entry_id=f"tag:news.example.org,2020:2021-11-01:articles/{slug}",
        title=f"Title of {slug}",
        when=when,
        tags=("Politics",),
        authors=("Ada Lovelace",),
    )
    return replace(withdrawal, **changes)


def write_article(
    content_dir: Path,
    slug: str,
    published: str,
    *,
    text: str | None = None,
    title: str | None = None,
    tags: tuple[str, ...] = (),
    authors: tuple[str, ...] = (),
    status: str | None = None,
) -> Path:
    """Write ``articles/<slug>.html`` and a sidecar giving its date (and tags, authors, status)."""
    body = text or f"The story of {slug}, told in a paragraph long enough to be an article's opening."
    html = f"<html><body><article><h1>{title or slug}</h1><p>{body}</p></article></body></html>"
    path = content_dir / "articles" / f"{slug}.html"
    path.write_text(html, encoding="utf-8")
    lines = [f"published = {published}"]
    if tags:
        lines.append("tags = [" + ", ".join(f'"{tag}"' for tag in tags) + "]")
    if authors:
        lines.append("author = [" + ", ".join(f'"{name}"' for name in authors) + "]")
    if status:
        lines.append(f'status = "{status}"')
    path.with_suffix(".toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
