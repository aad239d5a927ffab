"""A saved page that declares its own address with "user:password@": published without the secret, with a warning.

The address a page gives itself (``<link rel="canonical">``, ``og:url``, JSON-LD ``url`` or
``mainEntityOfPage``, ``<base href>``) becomes the article's link in every feed (``rel="via"``,
``external_url``), its page ("Originally published at", ``<link rel="canonical">``, ``og:url``), and the
base its relative links and pictures resolve against. Each test exports the whole site (every URL as
files: pages, feeds, the sitemap) and reads every byte of it for the secret.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from feedsvc.app import create_app
from feedsvc.content.loader import load_articles, load_site
from feedsvc.web.export import export_site
from support.sites import blank_site, write_file

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SECRET = "s3cret"
WITH_SECRET = f"https://editor:{SECRET}@harbour.example.com/news/cranes-return"
ADDRESS = "https://harbour.example.com/news/cranes-return"

BODY = """
<article><h1>Harbour cranes return after the storm</h1>
<p>The three container cranes the storm tore from their rails in January were lifted back on Tuesday, the port
authority said, and the first ship was unloaded under them by the evening shift.</p>
<p>Repairs to the rails took eleven weeks; the <a href="schedule">revised schedule</a> ends with this week's
arrivals, and the authority put the damage, insured in full, at about four million euros.</p>
</article>"""

# Each way a page names its own address, with the secret in it.
DECLARATIONS = {
    "canonical link": f'<link rel="canonical" href="{WITH_SECRET}">',
    "og:url": f'<meta property="og:url" content="{WITH_SECRET}">',
    "json-ld url": f'<script type="application/ld+json">{{"@type": "NewsArticle", "url": "{WITH_SECRET}"}}</script>',
    "json-ld mainEntityOfPage": (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"mainEntityOfPage": {{"@type": "WebPage", "@id": "{WITH_SECRET}"}}}}</script>'
    ),
    "base href": '<base href="https://editor:s3cret@harbour.example.com/news/">',
}


def saved_page(declaration: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Harbour cranes return</title>{declaration}"
        '<meta property="og:image" content="pictures/cranes.jpg">'
        '<meta name="date" content="2024-05-20T09:00:00+04:00"></head>'
        f"<body>{BODY}</body></html>"
    )


def make_app(content_dir: Path) -> Flask:
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: T1, "CACHE_DIR": ""})


@pytest.fixture(params=sorted(DECLARATIONS))
def declared(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, Path]:
    """A site whose one article declares its address with a secret, and its export."""
    content_dir = blank_site(tmp_path / "content")
    write_file(content_dir, "cranes.html", saved_page(DECLARATIONS[request.param]))
    target = tmp_path / "public"
    export_site(make_app(content_dir), target, content_dir)
    return request.param, content_dir, target


def test_no_page_feed_or_sitemap_publishes_the_secret_a_page_declares_its_address_with(
    declared: tuple[str, Path, Path],
) -> None:
    _, content_dir, target = declared
    files = [path for path in target.rglob("*") if path.is_file() and path.suffix not in (".gz", ".br")]
    assert any(path.name == "cranes.html" for path in files)
    leaked = [path.relative_to(target) for path in files if SECRET.encode() in path.read_bytes()]
    assert leaked == []
    # nor the ledger and state the service keeps beside the articles
    kept = [path for path in (content_dir / ".feedsvc").rglob("*.json") if SECRET.encode() in path.read_bytes()]
    assert kept == []


def test_the_address_a_page_declares_is_published_without_its_user_and_password(
    declared: tuple[str, Path, Path],
) -> None:
    how, _, target = declared
    page = (target / "articles" / "cranes.html").read_text(encoding="utf-8")
    feed = json.loads((target / "feed.json").read_text(encoding="utf-8"))
    item = feed["items"][0]
    if how == "base href":  # not an address of the article: the base of its links and pictures
        assert "https://harbour.example.com/news/schedule" in item["content_html"]
        assert item.get("image") == "https://harbour.example.com/news/pictures/cranes.jpg"
        return
    assert item["external_url"] == ADDRESS
    assert f'href="{ADDRESS}"' in page
    assert "https://harbour.example.com/news/schedule" in item["content_html"]


@pytest.mark.parametrize("how", sorted(DECLARATIONS))
def test_check_warns_of_a_declared_address_with_a_password_naming_the_file_and_the_fix(
    tmp_path: Path, how: str
) -> None:
    content_dir = blank_site(tmp_path / "content")
    path = write_file(content_dir, "cranes.html", saved_page(DECLARATIONS[how]))
    _, problems = load_articles(content_dir, load_site(content_dir))
    [problem] = [p for p in problems if "user name or password" in p.message]
    assert problem.path == path and problem.severity == "warning"
    shown = "https://harbour.example.com/news/" if how == "base href" else ADDRESS
    assert "remove the 'user:password@' part" in problem.message and f"giving '{shown}' in the page" in problem.message
    assert how == "base href" or "or set canonical_url in cranes.toml" in problem.message
    assert SECRET not in problem.message and "editor" not in problem.message
