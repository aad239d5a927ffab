"""catalog/prepare.py: one loaded source cleaned into what the catalog needs (ids, defaults, titles, images)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.catalog.prepare import entry_id, make_article, rules_host
from feedsvc.content.loader import load_article
from feedsvc.model import Image, Site
from support.catalog_sources import LONDON, gazette, source
from support.paths import FIXTURES


@pytest.fixture
def site() -> Site:
    return gazette()


def test_entry_id_is_a_tag_uri_from_authority_date_and_slug(site: Site) -> None:
    published = datetime(2021, 11, 23, tzinfo=ZoneInfo("Asia/Tbilisi"))
    assert entry_id(site, "sochi-summit", published) == "tag:news.example.org,2020:2021-11-23:articles/sochi-summit"


def test_entry_id_survives_title_edits_and_a_new_base_url(site: Site) -> None:
    original = make_article(source("story"), site)
    retitled = make_article(replace(source("story"), metadata=replace(source("story").metadata, title="New")), site)
    moved = make_article(source("story"), replace(site, base_url="https://mirror.example.net"))
    assert original.entry_id == retitled.entry_id == moved.entry_id


def test_pinned_id_wins(site: Site) -> None:
    pinned = replace(source("story"), pinned_id="urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    assert make_article(pinned, site).entry_id == "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def test_defaults_fill_author_summary_updated_and_language(site: Site) -> None:
    article = make_article(source("story"), site)
    assert article.authors == ("Gazette Staff",)
    assert article.updated == article.published
    assert article.language == "en"
    # summary_words=5: the opening paragraph, cut at a word boundary
    assert article.summary.startswith("First paragraph of the story")
    assert len(article.summary.rstrip("…").split()) <= 5


def test_updated_never_precedes_published(site: Site) -> None:
    early = datetime(2020, 1, 1, tzinfo=LONDON)
    article = make_article(source("story", updated=early), site)
    assert article.updated == article.published


def test_missing_title_falls_back_to_the_opening_words_with_a_warning(site: Site) -> None:
    untitled = replace(source("story"), metadata=replace(source("story").metadata, title=None))
    article = make_article(untitled, site)
    assert article.title.startswith("First paragraph of the story")
    assert any("no title found" in warning for warning in article.warnings)


def test_a_page_without_a_title_is_warned_about_once(site: Site, tmp_path: Path) -> None:
    # the loader warns (naming the sidecar); making the article must not say it a second time
    page = tmp_path / "articles" / "untitled.html"
    page.parent.mkdir()
    page.write_text("<p>The crane arrived by sea on Wednesday and lifts its first containers in May.</p>")
    article = make_article(load_article(page, site), site)
    (warning,) = [w for w in article.warnings if "no title found" in w]
    assert 'add title = "…" to untitled.toml' in warning


def test_canonical_url_elsewhere_becomes_the_source_url(site: Site) -> None:
    article = make_article(source("story", canonical_url="https://origin.example.com/story/"), site)
    assert article.source_url == "https://origin.example.com/story/"
    own = make_article(source("story", canonical_url="https://news.example.org/articles/story"), site)
    assert own.source_url is None


def test_lead_image_past_a_tracking_pixel_is_the_body_s_first_figure(site: Site, tmp_path: Path) -> None:
    page = FIXTURES / "metadata" / "page_whose_og_image_is_a_tracking_pixel.html"
    (tmp_path / "ferry.html").write_bytes(page.read_bytes())
    article = make_article(load_article(tmp_path / "ferry.html", site), site)
    assert article.image == Image(
        "https://news.example.org/uploads/2024/05/poti-port.jpg",  # resolved against the page's canonical URL
        width=1600,
        height=900,
        alt="Cranes over the port of Poti",
        caption="The port of Poti in May. Photo: Nino Kalandia",
        origin="body",
    )


def test_a_declared_lead_image_is_kept_as_declared(site: Site) -> None:
    declared = Image("https://cdn.example.net/lead.jpg", 1200, 630, origin="sidecar")
    assert make_article(source("story", image=declared), site).image == declared
    assert make_article(source("story"), site).image is None  # no picture anywhere


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://www.example.org/a", "example.org"),
        ("https://www.example.org./a", "example.org"),  # rules/example.org.toml, not "example.org."
        ("https://www.bücher.de/a", "xn--bcher-kva.de"),  # rules files are named in ASCII
        ("https://xn--bcher-kva.de/a", "xn--bcher-kva.de"),
        ("https://" + "a" * 64 + ".example/a", "a" * 64 + ".example"),  # IDNA refuses the label: kept as it is
        (None, ""),
    ],
)
def test_rules_host_is_the_name_of_the_rules_file_for_the_page(url: str | None, host: str) -> None:
    assert rules_host(url) == host


def test_a_saved_copy_is_judged_by_the_site_its_sidecar_says_it_was_read_from(site: Site, tmp_path: Path) -> None:
    # A page saved from coast.example.com with no canonical link or og:url, its sidecar naming only its source_url:
    # its teasers link to coast.example.com, another page of the site it came from, not of this one. Until session
    # 40 the build passed this site's URL for the article, and the teaser doubt missed them.
    teasers = FIXTURES / "clean" / "doubts" / "teasers_of_other_stories_kept_under_the_article.html"
    html = teasers.read_text(encoding="utf-8").replace('href="/', 'href="https://coast.example.com/')
    html = html.replace("https://news.example.org/", "https://coast.example.com/")
    assert "canonical" not in html and "og:url" not in html
    (tmp_path / "library.html").write_text(html, encoding="utf-8")
    (tmp_path / "library.toml").write_text(
        'source_url = "https://coast.example.com/2024/03/library-sundays/"\n', encoding="utf-8"
    )
    article = make_article(load_article(tmp_path / "library.html", site), site)
    assert any("headings are each a link to another page of the site" in w for w in article.warnings)
    assert article.source_url is None  # the sidecar's source_url is provenance: no reader sees it
    (tmp_path / "library.toml").unlink()  # nothing says where it came from: judged as before
    unknown = make_article(load_article(tmp_path / "library.html", site), site)
    assert not any("headings are each a link" in w for w in unknown.warnings)
