"""importer/importing.py: pages and sitemaps from a local server into a content folder, then into the feed."""

from __future__ import annotations

import gzip
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from feedsvc.build.builder import load_snapshot
from feedsvc.catalog.prepare import entry_id
from feedsvc.content.loader import load_site
from feedsvc.importer import store as importer_store
from feedsvc.importer.http import Fetcher, FetchSettings
from feedsvc.importer.importing import Importer, Outcome
from support.http_fixture import FixtureServer, Reply, page, redirect
from support.paths import FIXTURES as FIXTURES_DIR
from support.sites import NEWS_SITE_TOML

FIXTURES = FIXTURES_DIR / "import"
FERRY = (FIXTURES / "article_with_jsonld_and_relative_canonical.html").read_text(encoding="utf-8")
FERRY_AMP = (FIXTURES / "article_amp_copy_with_same_canonical.html").read_text(encoding="utf-8")
NIGHT_BUS = (FIXTURES / "article_with_visible_markup_only.html").read_text(encoding="utf-8")
UNDATED = (FIXTURES / "article_without_a_date.html").read_text(encoding="utf-8")
FERRY_SLUG = "ferry-service-to-batumi-resumes-after-storm"
NOW = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
FAST = FetchSettings(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, max_bytes=100_000)


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return NEWS_SITE_TOML


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as client:
        yield client


def importer(content_dir: Path, fetcher: Fetcher, now: datetime = NOW) -> Importer:
    """A fresh importer, as each `feedsvc import` run makes one."""
    return Importer(content_dir, load_site(content_dir), fetcher, clock=lambda: now)


def sidecar(content_dir: Path, slug: str) -> dict:
    with (content_dir / "articles" / f"{slug}.toml").open("rb") as file:
        return tomllib.load(file)


def files(content_dir: Path) -> list[str]:
    return sorted(path.name for path in (content_dir / "articles").iterdir())


def test_a_page_is_stored_raw_with_a_sidecar_recording_its_sources_and_pinning_an_id(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes.update(
        {"/f": redirect("/news/ferry-service-to-batumi-resumes"), "/news/ferry-service-to-batumi-resumes": page(FERRY)}
    )
    outcome = importer(content_dir, fetcher).import_url(server.url("/f"))
    assert outcome == Outcome(server.url("/f"), "imported", FERRY_SLUG)
    assert files(content_dir) == [f"{FERRY_SLUG}.html", f"{FERRY_SLUG}.toml"]
    assert (content_dir / "articles" / f"{FERRY_SLUG}.html").read_bytes() == FERRY.encode("utf-8")
    data = sidecar(content_dir, FERRY_SLUG)
    assert data.pop("id").startswith("urn:uuid:")
    assert data == {
        "canonical_url": server.url("/news/ferry-service-to-batumi-resumes"),
        "source_url": server.url("/f"),
        "redirects": [server.url("/news/ferry-service-to-batumi-resumes")],
        "imported": NOW,
    }
    assert not list((content_dir / "articles").glob(".*")), "no temporary files are left behind"


def test_a_site_without_an_articles_folder_gets_one_on_the_first_import(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    (content_dir / "articles").rmdir()  # a new site: only its site.toml
    server.routes["/news/ferry"] = page(FERRY)
    assert importer(content_dir, fetcher).import_url(server.url("/news/ferry")).status == "imported"
    assert files(content_dir) == [f"{FERRY_SLUG}.html", f"{FERRY_SLUG}.toml"]


def test_an_imported_page_is_in_the_feed_with_full_metadata(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/news/ferry"] = page(FERRY)
    server.routes["/night-bus"] = page(NIGHT_BUS)
    run = importer(content_dir, fetcher)
    assert [run.import_url(server.url(path)).status for path in ("/news/ferry", "/night-bus")] == ["imported"] * 2
    snapshot = load_snapshot(content_dir)
    assert [problem for problem in snapshot.catalog.problems if problem.severity == "error"] == []
    ferry = snapshot.catalog.by_slug[FERRY_SLUG]
    assert ferry.title == "Ferry service to Batumi resumes after storm"
    assert ferry.published.isoformat() == "2024-03-04T08:15:00+04:00"
    assert ferry.updated.isoformat() == "2024-03-04T10:00:00+04:00"
    assert (ferry.authors, ferry.tags) == (("Nino Beridze",), ("Transport", "Batumi"))
    assert ferry.summary_text == "Daily crossings restart on Monday after a week of storm damage repairs."
    assert ferry.entry_id == sidecar(content_dir, FERRY_SLUG)["id"]
    assert ferry.source_url == server.url("/news/ferry-service-to-batumi-resumes")
    assert "trackPageview" not in ferry.content_html and "newsletter" not in ferry.content_html
    bus = snapshot.catalog.by_slug["tbilisi-opens-its-first-night-bus-line"]
    assert (bus.authors, bus.tags, bus.published.isoformat()) == (
        ("Levan Kapanadze",),
        ("Transport", "Tbilisi"),
        "2024-02-20T23:30:00+04:00",
    )
    feed = feedparser.parse(snapshot.feeds["/feed.atom"].body)
    assert not feed.bozo
    assert {entry.id for entry in feed.entries} == {ferry.entry_id, bus.entry_id}


def test_importing_again_changes_nothing_when_the_page_is_the_same(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/news/ferry"] = page(FERRY)
    importer(content_dir, fetcher).import_url(server.url("/news/ferry"))
    before = {name: (content_dir / "articles" / name).read_bytes() for name in files(content_dir)}
    later = NOW + timedelta(days=1)
    outcome = importer(content_dir, fetcher, later).import_url(server.url("/news/ferry"))
    assert (outcome.status, outcome.slug) == ("unchanged", FERRY_SLUG)
    assert {name: (content_dir / "articles" / name).read_bytes() for name in files(content_dir)} == before


def test_a_second_url_with_the_same_canonical_url_updates_the_article_in_place(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/news/ferry-service-to-batumi-resumes"] = page(FERRY)
    server.routes["/amp/ferry"] = page(FERRY_AMP)
    importer(content_dir, fetcher).import_url(server.url("/news/ferry-service-to-batumi-resumes"))
    first_id = sidecar(content_dir, FERRY_SLUG)["id"]
    later = NOW + timedelta(hours=3)
    outcome = importer(content_dir, fetcher, later).import_url(server.url("/amp/ferry"))
    assert (outcome.status, outcome.slug) == ("updated", FERRY_SLUG)
    assert files(content_dir) == [f"{FERRY_SLUG}.html", f"{FERRY_SLUG}.toml"]
    data = sidecar(content_dir, FERRY_SLUG)
    assert (data["id"], data["source_url"], data["imported"]) == (first_id, server.url("/amp/ferry"), later)
    (article,) = load_snapshot(content_dir).catalog.articles
    assert (article.entry_id, article.updated.isoformat()) == (first_id, "2024-03-04T12:30:00+04:00")
    assert "half past seven" in article.content_html


def test_different_articles_with_the_same_title_get_their_own_slugs(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    other = FERRY.replace('href="/news/ferry-service-to-batumi-resumes"', 'href="/2023/ferry"').replace(
        "2024-03-04T", "2023-01-10T"
    )
    server.routes.update({"/news/ferry": page(FERRY), "/2023/ferry": page(other)})
    run = importer(content_dir, fetcher)
    slugs = [run.import_url(server.url(path)).slug for path in ("/news/ferry", "/2023/ferry")]
    assert slugs == [FERRY_SLUG, f"{FERRY_SLUG}-2"]
    assert len(load_snapshot(content_dir).catalog.articles) == 2


@pytest.mark.parametrize(
    "reply, reason",
    [
        (Reply(b"%PDF-1.7 ...", content_type="application/pdf"), "not an HTML page (Content-Type: application/pdf)"),
        (Reply(b'{"a": 1}', content_type="application/json"), "not an HTML page (Content-Type: application/json)"),
        (Reply(b"\x1f\x8b\x08\x00rest", content_type=None), "not an HTML page"),
        (Reply(b"  \n ", content_type="text/html"), "the page is empty"),
        (Reply(b"gone", 410, "text/plain"), "HTTP 410 Gone from"),
        (page(FERRY, delay=1.5), "timed out waiting for"),
        (page("x" * 200_000), "over the 100,000-byte limit"),
    ],
    ids=["pdf", "json", "gzip-file", "empty", "gone", "slow", "oversized"],
)
def test_what_cannot_be_imported_fails_with_the_reason_and_writes_nothing(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher, reply: Reply, reason: str
) -> None:
    server.routes["/x"] = reply
    outcome = importer(content_dir, fetcher).import_url(server.url("/x"))
    assert outcome.status == "failed" and reason in outcome.reason
    assert not (content_dir / "articles").exists() or files(content_dir) == []


def test_a_charset_given_only_in_the_header_is_kept_by_storing_utf8_with_a_bom(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    html = NIGHT_BUS.replace('<meta charset="utf-8">', "").replace("Tbilisi opens", "Тбилиси opens")
    server.routes["/bus"] = Reply(html.encode("windows-1251"), content_type="text/html; charset=windows-1251")
    outcome = importer(content_dir, fetcher).import_url(server.url("/bus"))
    stored = (content_dir / "articles" / f"{outcome.slug}.html").read_bytes()
    assert outcome.slug == "тбилиси-opens-its-first-night-bus-line"
    assert stored.startswith(b"\xef\xbb\xbf") and "Тбилиси opens".encode() in stored
    assert load_snapshot(content_dir).catalog.by_slug[outcome.slug].title.startswith("Тбилиси opens")


@pytest.mark.parametrize("label", ["hz-gb-2312", "HZ", "iso-2022-kr", "csISO2022KR"])
def test_a_charset_browsers_refuse_in_the_header_is_refused_not_decoded(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher, label: str
) -> None:
    html = NIGHT_BUS.replace('<meta charset="utf-8">', "")
    server.routes["/hz"] = Reply(html.encode("ascii", errors="replace"), content_type=f"text/html; charset={label}")
    outcome = importer(content_dir, fetcher).import_url(server.url("/hz"))
    assert outcome.status == "failed" and "browsers refuse to decode" in outcome.reason and label in outcome.reason
    assert not (content_dir / "articles").exists() or files(content_dir) == []


def test_a_page_known_without_a_sidecar_is_updated_in_place_and_keeps_its_id(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    articles = content_dir / "articles"
    canonical = server.url("/news/ferry-service-to-batumi-resumes")
    (articles / "ferry.html").write_text(FERRY.replace('href="/news/', f'href="{server.base}/news/'), encoding="utf-8")
    site = load_site(content_dir)
    published = load_snapshot(content_dir).catalog.by_slug["ferry"].published
    server.routes["/news/ferry-service-to-batumi-resumes"] = page(FERRY_AMP)
    outcome = importer(content_dir, fetcher).import_url(canonical)
    assert (outcome.status, outcome.slug) == ("updated", "ferry")
    assert sidecar(content_dir, "ferry")["id"] == entry_id(site, "ferry", published)
    assert load_snapshot(content_dir).catalog.by_slug["ferry"].entry_id == entry_id(site, "ferry", published)


# --- sitemaps ----------------------------------------------------------------


def urlset(*urls: str, extra: str = "") -> bytes:
    entries = "".join(f"<url><loc>{url}</loc>{extra}</url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + entries + "</urlset>"
    ).encode()


def sitemap_index(*urls: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in urls)
    return ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + entries + "</sitemapindex>").encode()


def test_a_sitemap_index_leads_through_gzip_and_plain_sitemaps_to_every_page(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes.update(
        {
            "/sitemap.xml": Reply(
                sitemap_index(server.url("/news.xml.gz"), server.url("/more.xml"), server.url("/broken.xml")),
                content_type="application/xml",
            ),
            "/news.xml.gz": Reply(
                gzip.compress(urlset(server.url("/news/ferry"), server.url("/night-bus"))),
                content_type="application/x-gzip",
            ),
            "/more.xml": Reply(
                urlset(server.url("/night-bus"), server.url("/undated")), content_type="text/xml", gzip=True
            ),
            "/broken.xml": Reply(b"<urlset><url><loc>", content_type="application/xml"),
        }
    )
    pages, failures = importer(content_dir, fetcher).sitemap_pages(server.url("/sitemap.xml"))
    assert [entry.loc for entry in pages] == [server.url(p) for p in ("/news/ferry", "/night-bus", "/undated")]
    assert [(f.source, f.status) for f in failures] == [(server.url("/broken.xml"), "failed")]
    assert "sitemap is not well-formed XML" in failures[0].reason


def test_a_news_sitemap_date_stands_in_for_a_page_without_one(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    news = (
        "<news:news><news:publication><news:name>Harbour Times</news:name><news:language>en</news:language>"
        "</news:publication><news:publication_date>2024-03-01T18:00:00+04:00</news:publication_date>"
        "<news:title>Harvest festival draws record crowds</news:title></news:news>"
    )
    server.routes["/sitemap.xml"] = Reply(urlset(server.url("/undated"), extra=news), content_type="application/xml")
    server.routes["/undated"] = page(UNDATED)
    run = importer(content_dir, fetcher)
    (entry,), _ = run.sitemap_pages(server.url("/sitemap.xml"))
    outcome = run.import_url(entry.loc, entry)
    assert outcome.warnings == ()
    assert sidecar(content_dir, outcome.slug)["published"].isoformat() == "2024-03-01T18:00:00+04:00"
    assert load_snapshot(content_dir).catalog.by_slug[outcome.slug].published.isoformat() == "2024-03-01T18:00:00+04:00"


def test_a_page_without_a_date_is_imported_with_a_warning_that_says_the_fix(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/undated"] = page(UNDATED)
    outcome = importer(content_dir, fetcher).import_url(server.url("/undated"))
    assert outcome.status == "imported"
    assert any("no publication date" in warning and "published = " in warning for warning in outcome.warnings)


def test_an_interrupted_sitemap_import_finishes_on_the_next_run_without_duplicates(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    down = {"now": True}
    server.routes.update(
        {
            "/sitemap.xml": Reply(
                urlset(*(server.url(p) for p in ("/news/ferry", "/night-bus", "/undated"))),
                content_type="application/xml",
            ),
            "/news/ferry": page(FERRY),
            "/night-bus": lambda: Reply(b"down", 503, "text/plain") if down["now"] else page(NIGHT_BUS),
            "/undated": page(UNDATED),
        }
    )

    def run_once(now: datetime) -> list[str]:
        run = importer(content_dir, fetcher, now)
        pages, _ = run.sitemap_pages(server.url("/sitemap.xml"))
        return [run.import_url(entry.loc, entry).status for entry in pages]

    assert run_once(NOW) == ["imported", "failed", "imported"]
    down["now"] = False
    assert run_once(NOW + timedelta(minutes=5)) == ["unchanged", "imported", "unchanged"]
    assert len(files(content_dir)) == 6
    assert len({sidecar(content_dir, Path(name).stem)["id"] for name in files(content_dir)}) == 3


def test_a_run_stopped_between_the_sidecar_and_the_page_is_completed_under_the_same_slug_and_id(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/news/ferry"] = page(FERRY)
    real_write = importer_store.write_atomic

    def crash_on_html(path: Path, data: bytes, *, keep_mode: bool = False) -> None:
        if path.suffix == ".html":
            raise KeyboardInterrupt  # the operator pressed Ctrl-C between the two writes
        real_write(path, data, keep_mode=keep_mode)

    monkeypatch.setattr(importer_store, "write_atomic", crash_on_html)
    with pytest.raises(KeyboardInterrupt):
        importer(content_dir, fetcher).import_url(server.url("/news/ferry"))
    assert files(content_dir) == [f"{FERRY_SLUG}.toml"]
    pinned = sidecar(content_dir, FERRY_SLUG)["id"]
    monkeypatch.setattr(importer_store, "write_atomic", real_write)
    outcome = importer(content_dir, fetcher).import_url(server.url("/news/ferry"))
    assert (outcome.status, outcome.slug) == ("updated", FERRY_SLUG)
    assert files(content_dir) == [f"{FERRY_SLUG}.html", f"{FERRY_SLUG}.toml"]
    assert load_snapshot(content_dir).catalog.by_slug[FERRY_SLUG].entry_id == pinned


def test_a_sitemap_lastmod_older_than_the_import_skips_the_fetch(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    lastmod = "<lastmod>2024-03-04T10:00:00+04:00</lastmod>"
    server.routes["/sitemap.xml"] = Reply(urlset(server.url("/news/ferry"), extra=lastmod), content_type="text/xml")
    server.routes["/news/ferry"] = page(FERRY)
    for _ in range(2):
        run = importer(content_dir, fetcher)
        (entry,), _ = run.sitemap_pages(server.url("/sitemap.xml"))
        run.import_url(entry.loc, entry)
    assert server.hits["/news/ferry"] == 1


EMPTY_OF_ARTICLE = (
    "<!doctype html><html><head><title>Ferry</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
)


def test_a_reimported_page_that_cannot_be_published_says_its_last_good_version_stays_served(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/news/ferry"] = page(FERRY)
    first = importer(content_dir, fetcher).import_url(server.url("/news/ferry"))
    assert first.status == "imported" and first.warnings == ()
    load_snapshot(content_dir)  # served once: the ledger records what readers saw

    server.routes["/news/ferry"] = page(EMPTY_OF_ARTICLE)
    again = importer(content_dir, fetcher, NOW + timedelta(days=1)).import_url(server.url("/news/ferry"))
    assert again.status == "updated"
    (warning,) = again.warnings
    assert warning.startswith("held at its last good version: this version cannot be published (")
    assert "feedsvc check" in warning


def test_a_new_page_that_cannot_be_published_is_reported_as_not_publishable(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    server.routes["/empty"] = page(EMPTY_OF_ARTICLE)
    outcome = importer(content_dir, fetcher).import_url(server.url("/empty"))
    assert outcome.status == "imported"
    (warning,) = outcome.warnings
    assert warning.startswith("not publishable: ")


def test_a_page_declaring_its_address_with_a_password_is_stored_with_the_address_without_it(
    content_dir: Path, server: FixtureServer, fetcher: Fetcher
) -> None:
    # The sidecar's canonical_url is the article's published link (and one with a password is an error of the
    # article): the page's own address is written without the user and password it declares, with a warning.
    declared = FERRY.replace(
        'href="/news/ferry-service-to-batumi-resumes"', 'href="https://editor:s3cret@ferry.example/news/ferry"'
    )
    assert declared != FERRY
    server.routes["/news/ferry"] = page(declared)
    outcome = importer(content_dir, fetcher).import_url(server.url("/news/ferry"))
    assert outcome.status == "imported"
    assert sidecar(content_dir, FERRY_SLUG)["canonical_url"] == "https://ferry.example/news/ferry"
    assert any("declares its address with a user name or password" in warning for warning in outcome.warnings)
    assert not any("s3cret" in warning for warning in outcome.warnings)
    ferry = load_snapshot(content_dir).catalog.by_slug[FERRY_SLUG]  # published: the sidecar is no error
    assert ferry.source_url == "https://ferry.example/news/ferry"
