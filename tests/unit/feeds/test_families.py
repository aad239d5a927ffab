"""feeds/families.py: which feed documents exist, what each holds, the byte budget."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
from lxml import etree

from feedsvc.catalog.assembly import index_facets, index_sources
from feedsvc.feeds.families import fit_budget, render_all
from feedsvc.model import Article, Catalog, Site, Source, Withdrawal
from support.factories import TBILISI, make_article, make_site, make_withdrawal

ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"


def catalog_of(articles: list[Article], site: Site | None = None, withdrawn: tuple[Withdrawal, ...] = ()) -> Catalog:
    """A catalog as build_catalog makes it, from ready articles (newest first)."""
    site = site or make_site()
    return Catalog(
        site=site,
        articles=tuple(articles),
        by_slug={a.slug: a for a in articles},
        withdrawn=withdrawn,
        tags=index_facets("tags", articles, withdrawn),
        authors=index_facets("authors", articles, withdrawn),
        sources=index_sources(site.sources, articles, withdrawn),
        gone={w.slug: w for w in withdrawn},
    )


def ids_in(body: bytes) -> list[str]:
    return [entry.id for entry in feedparser.parse(body).entries]


def test_every_family_in_every_format() -> None:
    documents, _ = render_all(catalog_of([make_article("a", 2, tags=("Politics",), authors=("Ada Lovelace",))]))
    paths = {d.path for d in documents}
    for prefix in ("/feed", "/tags/politics/feed", "/authors/ada-lovelace/feed"):
        assert {f"{prefix}.atom", f"{prefix}.rss", f"{prefix}.json"} <= paths
    assert "/archive/2021-11.atom" in paths
    assert all(d.subscription for d in documents if not d.path.startswith("/archive/"))


def test_entries_per_feed_keeps_the_newest_in_every_format() -> None:
    articles = [make_article(f"a{day}", day) for day in range(9, 0, -1)]
    documents, _ = render_all(catalog_of(articles, make_site(entries_per_feed=3)))
    by_path = {d.path: d.body for d in documents}
    newest = [a.entry_id for a in articles[:3]]
    assert ids_in(by_path["/feed.atom"]) == newest
    assert ids_in(by_path["/feed.rss"]) == newest
    assert [item["id"] for item in json.loads(by_path["/feed.json"])["items"]] == newest


def test_byte_budget_drops_the_oldest_entries_and_never_the_last_one() -> None:
    big = "<p>" + "word " * 2000 + "</p>"  # about 10 kB per entry
    articles = [make_article(f"a{day}", day, content=big) for day in range(9, 0, -1)]
    site = make_site(feed_max_bytes=35_000)
    documents, _ = render_all(catalog_of(articles, site))
    main = [d for d in documents if d.path.startswith("/feed.")]
    assert all(len(d.body) <= 35_000 for d in main)
    counts = {d.path: len(ids_in(d.body)) if not d.path.endswith(".json") else len(json.loads(d.body)["items"])
              for d in main}  # fmt: skip
    assert len(set(counts.values())) == 1 and 1 < counts["/feed.atom"] < 9  # same entries in every format
    tiny = render_all(catalog_of(articles, make_site(feed_max_bytes=1000)))[0]
    assert ids_in(next(d.body for d in tiny if d.path == "/feed.atom")) == [articles[0].entry_id]


def test_fit_budget_finds_the_largest_count_that_fits() -> None:
    calls: list[int] = []

    def render(count: int) -> list[bytes]:
        calls.append(count)
        return [b"x" * (100 * count)]

    bodies, count = fit_budget(render, 1000, 31_050)
    assert count == 310 and len(bodies[0]) == 31_000
    assert len(calls) <= 12  # a binary search, not a scan


def test_the_site_atom_feed_links_the_newest_archive_and_last_modified_follows_it() -> None:
    articles = [make_article("dec", 3, month=12), make_article("nov", 20)]
    documents, archives = render_all(catalog_of(articles))
    atom = next(d for d in documents if d.path == "/feed.atom")
    root = etree.fromstring(atom.body)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["prev-archive"] == "https://news.example.org/archive/2021-12.atom"
    assert atom.last_modified == articles[0].updated
    assert archives.newest == "2021-12"


def test_tombstones_go_to_the_atom_feeds_that_held_the_article() -> None:
    when = datetime(2021, 11, 30, tzinfo=TBILISI)
    gone = make_withdrawal("gone", when, tags=("Politics",), authors=("Ada Lovelace",))
    catalog = catalog_of([make_article("a", 2, tags=("Culture",), authors=("Grace Hopper",))], withdrawn=(gone,))
    by_path = {d.path: d for d in render_all(catalog)[0]}
    for path in ("/feed.atom", "/tags/politics/feed.atom", "/authors/ada-lovelace/feed.atom"):
        tombstones = etree.fromstring(by_path[path].body).findall(TOMBSTONE)
        assert [t.get("ref") for t in tombstones] == [gone.entry_id], path
        assert by_path[path].last_modified == gone.when
    assert not etree.fromstring(by_path["/tags/culture/feed.atom"].body).findall(TOMBSTONE)
    assert b"gone" not in by_path["/feed.json"].body and b"gone" not in by_path["/feed.rss"].body


def test_an_expired_tombstone_is_not_published() -> None:
    gone = make_withdrawal("gone", datetime(2021, 11, 30, tzinfo=TBILISI), tombstone=False)
    by_path = {d.path: d for d in render_all(catalog_of([make_article("a", 2)], withdrawn=(gone,)))[0]}
    assert not etree.fromstring(by_path["/feed.atom"].body).findall(TOMBSTONE)
    assert "/tags/politics/feed.atom" in by_path  # the live article keeps its tag feed


def test_archive_walk_collects_every_article_exactly_once() -> None:
    # 40 articles over four months; the subscription feed holds 5 of them
    articles = sorted(
        (make_article(f"m{month}d{day}", day, month=month) for month in (8, 9, 11, 12) for day in range(1, 11)),
        key=lambda a: a.published,
        reverse=True,
    )
    catalog = catalog_of(articles, make_site(entries_per_feed=5))
    documents, _ = render_all(catalog)
    by_path = {d.path: d.body for d in documents}

    def document(url: str) -> bytes:
        path = url.removeprefix("https://news.example.org")
        return by_path[path]

    seen: dict[str, str] = {}  # entry id -> the document it was first found in (newest wins, RFC 5005 §4.2)
    url: str | None = "https://news.example.org/feed.atom"
    visited = 0
    archived: list[str] = []
    while url and visited < 100:
        root = etree.fromstring(document(url))
        ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
        assert len(ids) == len(set(ids)), f"{url} repeats an entry"
        if visited:
            archived.extend(ids)
        for ident in ids:
            seen.setdefault(ident, url)
        prev = root.find(f"{ATOM}link[@rel='prev-archive']")
        url = prev.get("href") if prev is not None else None
        visited += 1
    assert set(seen) == {a.entry_id for a in articles}
    assert sorted(archived) == sorted(a.entry_id for a in articles)  # each in exactly one archive
    assert visited == 5  # the feed, then 12, 11, 9, 8: empty October is skipped
    forward: list[str] = []
    url = "https://news.example.org/archive/2021-08.atom"
    while url and len(forward) < 10:
        forward.append(url.rsplit("/", 1)[1])
        link = etree.fromstring(document(url)).find(f"{ATOM}link[@rel='next-archive']")
        url = link.get("href") if link is not None else None
    assert forward == ["2021-08.atom", "2021-09.atom", "2021-11.atom", "2021-12.atom"]  # and back by next-archive


def test_only_months_with_articles_have_a_document() -> None:
    catalog = catalog_of([make_article("a", 2)])
    documents, archives = render_all(catalog)
    assert [d.path for d in documents if d.path.startswith("/archive/")] == ["/archive/2021-11.atom"]
    assert not archives.exists("2022-01") and not archives.exists("2022-02")  # quiet months: no document


def test_an_older_month_stays_byte_identical_when_newer_articles_arrive() -> None:
    old = [make_article("nov", 20), make_article("oct", 5, month=10)]
    before = {d.path: d.body for d in render_all(catalog_of(old))[0]}
    later = [make_article("feb", 2, month=12), *old]
    after = {d.path: d.body for d in render_all(catalog_of(later))[0]}
    assert after["/archive/2021-10.atom"] == before["/archive/2021-10.atom"]
    assert after["/feed.atom"] != before["/feed.atom"]
    # the month that was newest only gains its next-archive link
    link = etree.fromstring(after["/archive/2021-11.atom"]).find(f"{ATOM}link[@rel='next-archive']")
    assert link is not None and link.get("href") == "https://news.example.org/archive/2021-12.atom"
    assert etree.fromstring(before["/archive/2021-11.atom"]).find(f"{ATOM}link[@rel='next-archive']") is None


def test_an_edit_changes_only_the_documents_that_hold_the_article() -> None:
    articles = [make_article("dec", 3, month=12), make_article("nov", 20)]
    before = {d.path: d.body for d in render_all(catalog_of(articles))[0]}
    edited = [articles[0], replace(articles[1], title="Corrected", updated=datetime(2022, 1, 2, tzinfo=TBILISI))]
    after = {d.path: d.body for d in render_all(catalog_of(edited))[0]}
    assert after["/archive/2021-12.atom"] == before["/archive/2021-12.atom"]
    assert after["/archive/2021-11.atom"] != before["/archive/2021-11.atom"]


def test_an_empty_site_feed_is_dated_by_its_id_authority_not_1970_nor_the_clock() -> None:
    site = make_site(id_authority="news.example.org,2020-03")
    first = {d.path: d for d in render_all(catalog_of([], site))[0]}
    later = {d.path: d for d in render_all(catalog_of([], site))[0]}
    assert set(first) == {"/feed.atom", "/feed.rss", "/feed.json"}  # no archives without articles
    declared = datetime(2020, 3, 1, tzinfo=UTC)
    assert first["/feed.atom"].last_modified == declared
    assert etree.fromstring(first["/feed.atom"].body).findtext(f"{ATOM}updated") == "2020-03-01T00:00:00+00:00"
    assert b"<lastBuildDate>Sun, 01 Mar 2020 00:00:00 +0000</lastBuildDate>" in first["/feed.rss"].body
    assert {path: d.body for path, d in first.items()} == {path: d.body for path, d in later.items()}


# --- followed sources ----------------------------------------------------------------

CIVIL = Source(name="civil-ge", feed="https://civil.ge/feed", title="Civil Georgia", link="https://civil.ge/en/")
QUIET = Source(name="quiet-news", sitemap="https://www.quiet.example/sitemap.xml")


def test_each_source_has_its_feeds_with_its_own_articles_title_and_link() -> None:
    site = make_site(sources=(CIVIL, QUIET))
    articles = [make_article("b", 3, source="civil-ge"), make_article("a", 2), make_article("c", 1, source="civil-ge")]
    by_path = {d.path: d for d in render_all(catalog_of(articles, site))[0]}
    atom = feedparser.parse(by_path["/sources/civil-ge/feed.atom"].body)
    assert [e.id for e in atom.entries] == [articles[0].entry_id, articles[2].entry_id]
    assert (atom.feed.title, atom.feed.link, atom.feed.id) == (
        "Civil Georgia", "https://civil.ge/en/", "tag:news.example.org,2020:feed/sources/civil-ge",
    )  # fmt: skip
    assert atom.feed.subtitle == "The articles of Civil Georgia, cleaned and in full, from Test Site"
    self_link = [link.href for link in atom.feed.links if link.rel == "self"]
    assert self_link == ["https://news.example.org/sources/civil-ge/feed.atom"]
    rss = feedparser.parse(by_path["/sources/civil-ge/feed.rss"].body)
    assert (rss.feed.title, rss.feed.link, [e.id for e in rss.entries]) == (
        "Civil Georgia", "https://civil.ge/en/", [articles[0].entry_id, articles[2].entry_id],
    )  # fmt: skip
    document = json.loads(by_path["/sources/civil-ge/feed.json"].body)
    assert (document["title"], document["home_page_url"], document["feed_url"]) == (
        "Civil Georgia", "https://civil.ge/en/", "https://news.example.org/sources/civil-ge/feed.json",
    )  # fmt: skip
    assert [item["id"] for item in document["items"]] == [articles[0].entry_id, articles[2].entry_id]
    assert by_path["/sources/civil-ge/feed.atom"].last_modified == articles[0].updated
    # the site's combined feed: every article, whatever its source
    assert ids_in(by_path["/feed.atom"].body) == [a.entry_id for a in articles]


def test_a_source_without_articles_has_valid_empty_feeds_titled_by_its_name() -> None:
    site = make_site(sources=(QUIET,))
    by_path = {d.path: d for d in render_all(catalog_of([make_article("a", 2)], site))[0]}
    atom = by_path["/sources/quiet-news/feed.atom"]
    parsed = feedparser.parse(atom.body)
    assert not parsed.bozo and parsed.entries == []
    assert (parsed.feed.title, parsed.feed.link) == ("quiet-news", "https://www.quiet.example/")
    root = etree.fromstring(atom.body)
    assert [child.tag.removeprefix(ATOM) for child in root if child.tag.removeprefix(ATOM) in ("id", "updated")] == [
        "id", "updated",
    ]  # fmt: skip
    assert atom.last_modified == datetime(2020, 1, 1, tzinfo=UTC)  # the site's id_authority date, not the clock
    rss = feedparser.parse(by_path["/sources/quiet-news/feed.rss"].body)
    assert not rss.bozo and rss.entries == []
    assert json.loads(by_path["/sources/quiet-news/feed.json"].body)["items"] == []


def test_a_withdrawn_article_of_a_source_is_a_tombstone_in_the_sources_atom_feed() -> None:
    site = make_site(sources=(CIVIL, QUIET))
    gone = make_withdrawal("old", datetime(2021, 11, 20, tzinfo=UTC), source="civil-ge")
    documents, _ = render_all(catalog_of([make_article("a", 2, source="civil-ge")], site, (gone,)))
    by_path = {d.path: d.body for d in documents}
    assert [t.get("ref") for t in etree.fromstring(by_path["/sources/civil-ge/feed.atom"]).iter(TOMBSTONE)] == [
        gone.entry_id
    ]
    assert list(etree.fromstring(by_path["/sources/quiet-news/feed.atom"]).iter(TOMBSTONE)) == []


def test_an_article_of_a_source_site_toml_does_not_have_is_in_no_source_feed() -> None:
    site = make_site(sources=(QUIET,))
    documents, _ = render_all(catalog_of([make_article("a", 2, source="gone-news")], site))
    paths = {d.path for d in documents}
    assert not any(path.startswith("/sources/gone-news") for path in paths)
    assert "/sources/quiet-news/feed.atom" in paths
