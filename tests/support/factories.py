"""Builders of model values for unit tests: a site and articles with every field set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask

from feedsvc.app import create_app
from feedsvc.model import Article, Site, Withdrawal
from feedsvc.serve.state import SiteState
from support.paths import FIXTURES

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
    source: str | None = None,
) -> Path:
    """Write ``articles/<slug>.html`` and a sidecar giving its date (and tags, authors, status, source)."""
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
    if source:
        lines.append(f'source = "{source}"')
    path.with_suffix(".toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


LIVE_CLOCK = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@contextmanager
def live_app(content_dir: Path, **config: object) -> Iterator[Flask]:
    """The app on ``content_dir``, publishing changes in place at test speed (clock fixed at LIVE_CLOCK).

    A with-block: its watcher, follower and WebSub threads are stopped when the block ends, however it
    ends (a thread left running calls feedsvc in the tests after this one; tests/support/leftovers.py).
    """
    settings = {"TESTING": True, "CONTENT_DIR": str(content_dir), "LIVE_RELOAD": True, "WATCH_INTERVAL": 0.02,
                "SETTLE_SECONDS": 0.05, "RESCAN_INTERVAL": 0.05, "SAFETY_RESCAN_INTERVAL": 0.05,
                "CLOCK": lambda: LIVE_CLOCK,
                "WEBSUB_FIRST_DELAY": 0.01}  # fmt: skip
    with stopped_at_the_end(create_app({**settings, **config})) as app:
        yield app


@contextmanager
def stopped_at_the_end(app: Flask) -> Iterator[Flask]:
    """Yield ``app``; stop what its state runs (watcher, follower, publisher, WebSub) when the block ends."""
    try:
        yield app
    finally:
        state = app.extensions["feedsvc"]
        assert isinstance(state, SiteState)
        state.close()


def publish_atomically(content_dir: Path, slug: str, published: str, **options: object) -> None:
    """Write an article elsewhere, then rename it into place (sidecar first), as importers do."""
    staging = content_dir.parent / "staging"
    (staging / "articles").mkdir(parents=True, exist_ok=True)
    page = write_article(staging, slug, published, **options)  # type: ignore[arg-type]
    for path in (page.with_suffix(".toml"), page):
        path.rename(content_dir / "articles" / path.name)


def with_icon(
    content_dir: Path, picture: str = "icon-128.png", name: str = "media/icon.png", named: bool = True
) -> Path:
    """Put the fixture ``picture`` at ``name`` in the content folder and (``named``) name it as the site's icon."""
    path = content_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((FIXTURES / "pictures" / picture).read_bytes())
    if named:
        site_toml = content_dir / "site.toml"
        site_toml.write_text(site_toml.read_text() + f'icon = "{name}"\n', encoding="utf-8")
    return path


def replace_picture(path: Path, picture: str) -> None:
    """Replace the file at ``path`` with the fixture ``picture`` as an editor's save does: a new file renamed over it."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_bytes((FIXTURES / "pictures" / picture).read_bytes())
    temporary.replace(path)
