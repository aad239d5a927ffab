"""importer/sitemap.py: parsing sitemaps and sitemap indexes, safely."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from feedsvc.importer.sitemap import Sitemap, SitemapEntry, SitemapError, parse_sitemap

UTC = ZoneInfo("UTC")
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def test_a_urlset_lists_its_pages_once_each_with_their_dates() -> None:
    data = f"""<?xml version="1.0"?>
    <urlset {NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc> https://a.example/one </loc><lastmod>2024-03-01</lastmod></url>
      <url><loc>https://a.example/two</loc>
        <news:news><news:publication_date>2024-03-02T10:00:00+04:00</news:publication_date>
        <news:title>Two &amp; more</news:title></news:news></url>
      <url><loc>https://a.example/one</loc></url>
      <url><loc>/relative</loc></url>
      <url><loc>javascript:alert(1)</loc></url>
      <!-- a comment --><url><loc>https://a.example/three</loc><lastmod>not a date</lastmod></url>
    </urlset>""".encode()
    sitemap = parse_sitemap(data, UTC)
    assert sitemap.kind == "urlset" and sitemap.ignored == 2
    one, two, three = sitemap.entries
    assert (one.loc, one.lastmod.isoformat()) == ("https://a.example/one", "2024-03-01T00:00:00+00:00")  # type: ignore[union-attr]
    assert (two.published.isoformat(), two.title) == ("2024-03-02T10:00:00+04:00", "Two & more")  # type: ignore[union-attr]
    assert three == SitemapEntry("https://a.example/three")


def test_a_sitemap_index_lists_sitemaps() -> None:
    data = f"<sitemapindex {NS}><sitemap><loc>https://a.example/s1.xml.gz</loc></sitemap></sitemapindex>".encode()
    assert parse_sitemap(data, UTC) == Sitemap("sitemapindex", (SitemapEntry("https://a.example/s1.xml.gz"),))


def test_a_sitemap_without_the_namespace_is_read_too() -> None:
    assert parse_sitemap(b"<urlset><url><loc>https://a.example/</loc></url></urlset>", UTC).entries[0].loc == (
        "https://a.example/"
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<urlset><url>", "is not well-formed XML"),
        (b"<html><body/></html>", "has root element <html>, not <urlset> or <sitemapindex>"),
        (b"", "is not well-formed XML"),
    ],
)
def test_what_is_not_a_sitemap_is_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(SitemapError, match=message):
        parse_sitemap(data, UTC)


def test_external_entities_are_not_resolved() -> None:
    data = b"""<?xml version="1.0"?>
    <!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>https://a.example/&secret;</loc></url></urlset>"""
    try:
        entries = parse_sitemap(data, UTC).entries
    except SitemapError:
        return  # refusing the document is just as safe
    assert all("root:" not in entry.loc for entry in entries)


def test_entity_expansion_bombs_are_not_expanded() -> None:
    lol = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 9))
    data = f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY l0 "lol">{lol}]><urlset><url><loc>https://a.example/&l8;</loc></url></urlset>'
    try:
        entries = parse_sitemap(data.encode(), UTC).entries
    except SitemapError:
        return
    assert all(len(entry.loc) < 1000 for entry in entries)
