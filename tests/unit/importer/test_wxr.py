"""importer/wxr.py and WordPress imports: posts, their metadata, what is skipped, paragraphs."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from feedsvc.build.builder import load_snapshot
from feedsvc.content.loader import load_site
from feedsvc.importer.importing import Importer
from feedsvc.importer.wxr import WxrError, autop, expand_shortcodes, parse_wxr
from feedsvc.model import Image
from support.paths import FIXTURES as FIXTURES_DIR

EXPORT = (FIXTURES_DIR / "import" / "wordpress_export.xml").read_bytes()
TBILISI = ZoneInfo("Asia/Tbilisi")
NOW = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
SITE_TOML = """\
title = "Caucasus Notes"
base_url = "https://news.example.org"
id_authority = "news.example.org,2024"
default_author = "Caucasus Notes"
timezone = "Asia/Tbilisi"
"""


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return SITE_TOML


def import_export(content_dir: Path, data: bytes = EXPORT) -> list[tuple[str, str | None]]:
    run = Importer(content_dir, load_site(content_dir), clock=lambda: NOW)
    return [(outcome.status, outcome.slug) for outcome in map(run.import_post, parse_wxr(data, TBILISI).posts)]


def test_only_published_public_posts_are_kept_and_the_rest_counted() -> None:
    export = parse_wxr(EXPORT, TBILISI)
    assert export.title == "Caucasus Notes"
    assert [post.title for post in export.posts] == [
        "Wine harvest starts early in Kakheti",
        "New bridge links two villages in Svaneti",
        "თბილისის მეტრო ახალ სადგურს ხსნის",
    ]
    assert dict(export.skipped) == {"draft": 1, "page": 1, "attachment": 1, "private": 1, "password-protected": 1}


def test_a_post_carries_dates_with_the_blogs_offset_authors_categories_tags_and_excerpt() -> None:
    post = parse_wxr(EXPORT, TBILISI).posts[0]
    assert post.published.isoformat() == "2023-09-04T09:30:00+04:00"  # type: ignore[union-attr]
    assert post.updated.isoformat() == "2023-09-05T11:00:00+04:00"  # type: ignore[union-attr]
    assert post.authors == ("Mariam Gelashvili",)
    assert post.tags == ("Agriculture", "Kakheti", "Wine")  # categories first; "Uncategorized" never
    assert post.summary == "Picking began ten days early after a hot August."
    assert (post.guid, post.link) == (
        "https://notes.example/?p=101",
        "https://notes.example/2023/09/04/wine-harvest-starts-early/",
    )
    assert parse_wxr(EXPORT, TBILISI).posts[1].tags == ("Svaneti",)
    assert parse_wxr(EXPORT, TBILISI).posts[2].slug_hint == "მეტრო"


def test_without_a_gmt_date_the_local_date_is_taken_in_the_site_time_zone() -> None:
    data = EXPORT.replace(b"<wp:post_date_gmt><![CDATA[2023-09-04 05:30:00]]></wp:post_date_gmt>", b"")
    assert parse_wxr(data, TBILISI).posts[0].published == datetime(2023, 9, 4, 9, 30, tzinfo=TBILISI)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<rss><channel><item>", "is not well-formed XML"),
        (b'<rss version="2.0"><channel><title>A feed</title></channel></rss>', "is not a WordPress export"),
        (b"<html><body>hi</body></html>", "is not a WordPress export"),
    ],
)
def test_what_is_not_an_export_is_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(WxrError, match=message):
        parse_wxr(data, TBILISI)


def test_entities_are_never_expanded() -> None:
    data = EXPORT.replace(
        b'<?xml version="1.0" encoding="UTF-8" ?>',
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    ).replace(b"<![CDATA[Wine harvest starts early in Kakheti]]>", b"&x;")
    assert "file" not in parse_wxr(data, TBILISI).posts[0].title


@pytest.mark.parametrize(
    "text, html",
    [
        ("One.\n\nTwo,\nstill two.", "<p>One.</p>\n<p>Two,<br>\nstill two.</p>"),
        ("<p>Already</p>\n\n<p>done</p>", "<p>Already</p>\n<p>done</p>"),
        ("Intro\n<h2>Head</h2>\nAfter", "<p>Intro</p>\n<h2>Head</h2>\n<p>After</p>"),
        ("<ul>\n<li>a</li>\n</ul>", "<ul>\n<li>a</li>\n</ul>"),
        ("<pre>a\n\nb</pre>", "<pre>a\n\nb</pre>"),
        (
            "<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->",
            "<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->",
        ),
        ("", ""),
    ],
)
def test_autop_makes_paragraphs_as_wordpress_renders_them(text: str, html: str) -> None:
    assert autop(text) == html


def test_core_shortcodes_become_html() -> None:
    caption = '[caption id="a" width="1"]<img src="https://x.example/a.jpg" alt="A"> A caption[/caption]'
    assert (
        expand_shortcodes(caption)
        == '<figure><img src="https://x.example/a.jpg" alt="A"><figcaption>A caption</figcaption></figure>'
    )
    assert expand_shortcodes("[embed]https://video.example/v/1[/embed]") == (
        '<p><a href="https://video.example/v/1">https://video.example/v/1</a></p>'
    )
    assert (
        expand_shortcodes('Before [gallery ids="1,2"] after [Read more: a promo]')
        == "Before  after [Read more: a promo]"
    )


def test_importing_an_export_writes_each_post_with_a_sidecar_and_publishes_it(content_dir: Path) -> None:
    assert import_export(content_dir) == [
        ("imported", "wine-harvest-starts-early"),
        ("imported", "new-bridge-svaneti"),
        ("imported", "მეტრო"),
    ]
    with (content_dir / "articles" / "wine-harvest-starts-early.toml").open("rb") as file:
        sidecar = tomllib.load(file)
    assert sidecar["id"] == "https://notes.example/?p=101"
    assert sidecar["canonical_url"] == "https://notes.example/2023/09/04/wine-harvest-starts-early/"
    assert sidecar["imported"] == NOW
    snapshot = load_snapshot(content_dir)
    assert [p for p in snapshot.catalog.problems if p.severity == "error"] == []
    wine = snapshot.catalog.by_slug["wine-harvest-starts-early"]
    assert (wine.title, wine.authors, wine.tags) == (
        "Wine harvest starts early in Kakheti",
        ("Mariam Gelashvili",),
        ("Agriculture", "Kakheti", "Wine"),
    )
    assert (wine.published.isoformat(), wine.updated.isoformat()) == (
        "2023-09-04T09:30:00+04:00",
        "2023-09-05T11:00:00+04:00",
    )
    assert wine.summary_text == "Picking began ten days early after a hot August."
    assert "<figcaption>Saperavi grapes near Telavi</figcaption>" in wine.content_html
    assert "<p>Buyers are offering" in wine.content_html
    bridge = snapshot.catalog.by_slug["new-bridge-svaneti"]
    assert bridge.summary_text.startswith("A footbridge over the Enguri")  # no excerpt: made from the text
    feed = feedparser.parse(snapshot.feeds["/feed.atom"].body)
    assert [entry.id for entry in feed.entries] == [
        "https://notes.example/?p=103",
        "https://notes.example/?p=102",
        "https://notes.example/?p=101",
    ]


def test_importing_the_same_export_again_adds_nothing_and_an_edited_post_is_updated(content_dir: Path) -> None:
    import_export(content_dir)
    assert import_export(content_dir) == [
        ("unchanged", "wine-harvest-starts-early"),
        ("unchanged", "new-bridge-svaneti"),
        ("unchanged", "მეტრო"),
    ]
    edited = EXPORT.replace(b"Villagers built most of it", b"Villagers built nearly all of it")
    assert import_export(content_dir, edited)[1] == ("updated", "new-bridge-svaneti")
    assert len(list((content_dir / "articles").iterdir())) == 6


# --- featured images -----------------------------------------------------------

FEATURED = (FIXTURES_DIR / "import" / "wordpress_export_with_featured_images.xml").read_bytes()
GRAPES = Image(
    "https://notes.example/wp-content/uploads/2023/09/grapes.jpg",
    width=1600,  # the original's, not its thumbnail's
    height=1067,
    type="image/jpeg",
    alt="Bunches of dark grapes on the vine",
    caption="Saperavi grapes near Telavi",
    length=245113,
    credit="Nino Kalandia ©",
    origin="sidecar",
)


def test_a_post_s_featured_image_is_its_thumbnail_attachment_with_what_wordpress_records() -> None:
    posts = parse_wxr(FEATURED, TBILISI).posts
    assert [post.image for post in posts] == [
        GRAPES,  # the attachment stands after the post
        Image("https://notes.example/wp-content/uploads/2023/10/bridge.jpg", type="image/jpeg", origin="sidecar"),
        None,  # _thumbnail_id names an attachment that is not in the export
        None,  # a PDF is no picture
    ]


def test_the_import_keeps_the_featured_image_in_the_sidecar_and_the_feeds_carry_it(content_dir: Path) -> None:
    import_export(content_dir, FEATURED)
    articles = content_dir / "articles"
    sidecar = tomllib.loads((articles / "wine-harvest-starts-early.toml").read_text(encoding="utf-8"))
    assert sidecar["image"] == {
        "url": GRAPES.url, "alt": GRAPES.alt, "caption": GRAPES.caption, "credit": GRAPES.credit,
        "width": 1600, "height": 1067, "type": "image/jpeg", "length": 245113,
    }  # fmt: skip
    bridge = tomllib.loads((articles / "new-bridge.toml").read_text(encoding="utf-8"))
    assert bridge["image"] == {"url": "https://notes.example/wp-content/uploads/2023/10/bridge.jpg",
                               "type": "image/jpeg"}  # fmt: skip
    assert "image" not in tomllib.loads((articles / "metro-station.toml").read_text(encoding="utf-8"))
    snapshot = load_snapshot(content_dir)
    assert snapshot.catalog.by_slug["wine-harvest-starts-early"].image == GRAPES
    rss = feedparser.parse(snapshot.feeds["/feed.rss"].body)
    wine = next(entry for entry in rss.entries if entry.title == "Wine harvest starts early in Kakheti")
    assert wine.enclosures == [{"href": GRAPES.url, "length": "245113", "type": "image/jpeg"}]
    assert wine.media_content[0]["url"] == GRAPES.url


def test_a_featured_image_removed_in_wordpress_leaves_the_sidecar_on_the_next_import(content_dir: Path) -> None:
    import_export(content_dir, FEATURED)
    without = FEATURED.replace(b"<wp:meta_value><![CDATA[7]]></wp:meta_value>", b"<wp:meta_value></wp:meta_value>")
    assert ("updated", "wine-harvest-starts-early") in import_export(content_dir, without)
    sidecar = tomllib.loads((content_dir / "articles" / "wine-harvest-starts-early.toml").read_text(encoding="utf-8"))
    assert "image" not in sidecar
