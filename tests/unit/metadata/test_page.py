"""Metadata extraction: the sources in precedence order, JSON-LD, robustness, the site's name, and date parsing.

What the meta tags, the visible markup and the page's lines say, and the decisions across the
sources, have their own test modules (test_meta_tags.py, test_markup.py, test_visible.py, test_decide.py).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.metadata.page import _host_names, extract_metadata, parse_date
from feedsvc.model import Image, PageMetadata
from support.page_sources import TBILISI, fixture, plus, sources

UTC = UTC


def jsonld(document: object) -> PageMetadata:
    """Return what a page holding one JSON-LD block says through JSON-LD."""
    html = f'<html><head><script type="application/ld+json">{json.dumps(document)}</script></head></html>'
    return sources(html)["json-ld"]


def test_sources_come_in_precedence_order() -> None:
    names = [name for name, _ in extract_metadata("<h1>Title</h1>", TBILISI)]
    assert names == ["json-ld", "opengraph", "markup"]


# --- JSON-LD ---------------------------------------------------------------


def test_jsonld_article_gives_every_field_and_keeps_the_offset() -> None:
    found = fixture("article_with_jsonld_date.html")["json-ld"]
    assert found == PageMetadata(
        title="Pashinyan, Aliyev, and Putin to hold summit in Sochi",
        published=datetime(2021, 11, 23, 15, 30, tzinfo=plus(4)),
        updated=datetime(2021, 11, 24, 9, 0, tzinfo=plus(4)),
        authors=("Ana Tsurtsumia",),
        summary="The Kremlin has announced a tripartite meeting in Sochi & talks on trade.",
        tags=("Armenia", "Azerbaijan", "Russia", "Politics"),
        canonical_url="https://oc-media.org/pashinyan-aliyev-and-putin-to-hold-summit-in-sochi/",
        language="en-GB",
        image=Image("https://oc-media.org/images/sochi.jpg", width=1200, origin="json-ld"),
    )


def test_jsonld_graph_resolves_author_references_and_skips_the_webpage_node() -> None:
    found = fixture("article_with_jsonld_graph.html")["json-ld"]
    assert found.published == datetime(2021, 11, 23, 15, 30, tzinfo=UTC)
    assert found.authors == ("Ana Tsurtsumia", "Giorgi Lomsadze")
    assert found.tags == ("Armenia", "Azerbaijan", "Politics")
    assert found.canonical_url == "https://oc-media.org/sochi/"
    assert found.image == Image("https://oc-media.org/images/sochi-16x9.jpg", origin="json-ld")


def test_broken_jsonld_block_is_skipped_and_the_next_one_read() -> None:
    found = fixture("article_with_broken_jsonld.html")
    assert found["json-ld"].title == "Summit in Sochi"
    assert found["json-ld"].published == datetime(2021, 11, 23, tzinfo=TBILISI)
    assert found["opengraph"].title == "Summit in Sochi (OpenGraph)"


@pytest.mark.parametrize(
    "author, expected",
    [
        ("Ana Tsurtsumia", ("Ana Tsurtsumia",)),
        ({"@type": "Person", "name": "Ana Tsurtsumia"}, ("Ana Tsurtsumia",)),
        ({"@type": "Organization", "name": "OC Media"}, ("OC Media",)),
        ([{"@type": "Person", "name": "Ana"}, "Giorgi", {"name": ["Nino"]}], ("Ana", "Giorgi", "Nino")),
        ([{"@type": "Person", "name": "Ana"}, {"@type": "Person", "name": "ana"}], ("Ana",)),
        ({"@type": "Person", "url": "https://oc-media.org/ana"}, ()),
        ("https://oc-media.org/authors/ana", ()),
        (42, ()),
    ],
)
def test_jsonld_author_shapes(author: object, expected: tuple[str, ...]) -> None:
    assert jsonld({"@type": "NewsArticle", "author": author}).authors == expected


@pytest.mark.parametrize(
    "image",
    [
        "https://oc-media.org/a.jpg",
        ["https://oc-media.org/a.jpg", "https://oc-media.org/b.jpg"],
        {"@type": "ImageObject", "url": "https://oc-media.org/a.jpg"},
        {"@type": "ImageObject", "contentUrl": "https://oc-media.org/a.jpg"},
        [{"@type": "ImageObject", "url": "not a url"}, {"@type": "ImageObject", "url": "https://oc-media.org/a.jpg"}],
    ],
)
def test_jsonld_image_shapes(image: object) -> None:
    assert jsonld({"@type": "NewsArticle", "image": image}).image == Image(
        "https://oc-media.org/a.jpg", origin="json-ld"
    )


@pytest.mark.parametrize(
    "document",
    [
        {"@type": "NewsArticle", "headline": "Found"},
        {"@type": ["ReportageNewsArticle", "CreativeWork"], "headline": "Found"},
        {"@type": "schema:BlogPosting", "headline": "Found"},
        {"@type": "http://schema.org/Article", "headline": "Found"},
        [{"@type": "Organization", "name": "OC Media"}, {"@type": "NewsArticle", "headline": "Found"}],
        {"@type": "WebPage", "name": "Page", "mainEntity": {"@type": "NewsArticle", "headline": "Found"}},
        {"@type": "NewsArticle", "name": "Found"},
    ],
)
def test_jsonld_finds_the_article_node_wherever_it_is(document: object) -> None:
    assert jsonld(document).title == "Found"


def test_jsonld_without_an_article_says_nothing() -> None:
    assert jsonld({"@type": "Organization", "name": "OC Media", "url": "https://oc-media.org"}) == PageMetadata()


@pytest.mark.parametrize(
    "keywords, expected",
    [("Armenia, Russia", ("Armenia", "Russia")), (["Armenia", "Russia"], ("Armenia", "Russia")), (7, ())],
)
def test_jsonld_keywords_as_string_or_list(keywords: object, expected: tuple[str, ...]) -> None:
    assert jsonld({"@type": "NewsArticle", "keywords": keywords}).tags == expected


def test_jsonld_wrapped_in_cdata_is_read() -> None:
    html = (
        '<script type="application/ld+json">//<![CDATA[\n'
        '{"@type": "NewsArticle", "headline": "Wrapped"}\n//]]></script>'
    )
    assert sources(html)["json-ld"].title == "Wrapped"


# --- robustness ------------------------------------------------------------


def test_xml_declaration_with_an_encoding_in_decoded_text_is_read() -> None:
    html = '<?xml version="1.0" encoding="iso-8859-1"?><html xmlns="http://www.w3.org/1999/xhtml"><h1>Café</h1></html>'
    assert sources(html)["markup"].title == "Café"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\t",
        "hello.html",
        "https://oc-media.org/article",
        "<!-- only a comment -->",
        "\x00\x01\x02\ud800\ufffe",
        '<?xml version="1.0"?><rss><channel/></rss>',
        "<" * 1000,
        "<div>" * 5000,
        '<script type="application/ld+json">' + "[" * 100_000 + "</script>",
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": {"a": 1}, '
            '"author": {"@id": ["x"]}, "datePublished": 20211123, "image": {"url": 5}}</script>'
        ),
        '<meta property="article:published_time" content="yesterday"><time datetime="soon">later</time>',
    ],
)
def test_garbage_gives_empty_metadata_without_raising(garbage: str) -> None:
    assert [metadata for _, metadata in extract_metadata(garbage, TBILISI)] == [PageMetadata()] * 3


def test_random_markup_never_raises() -> None:
    tokens = ["<", ">", "</", "<h1>", "<time datetime='", "'>", "&amp;", "&#0;", "\x00", '"', "=", "23 November 2021",
              '<script type="application/ld+json">', "{", "}", "[", "]", '"@type":', '"NewsArticle"', "<meta ",
              "property='og:title' content='", "\ud83d", "é", " ", "\n", "<!--", "-->", "<![CDATA[", "<?xml "]  # fmt: skip
    rng = random.Random(20211123)
    for _ in range(300):
        html = "".join(rng.choice(tokens) for _ in range(rng.randrange(1, 60)))
        found = extract_metadata(html, TBILISI)
        assert len(found) == 3


# --- parse_date --------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2021-11-23T15:30:00+01:00", datetime(2021, 11, 23, 15, 30, tzinfo=plus(1))),
        ("2021-11-23T15:30:00Z", datetime(2021, 11, 23, 15, 30, tzinfo=UTC)),
        ("2021-11-23T15:30:00.123+0400", datetime(2021, 11, 23, 15, 30, 0, 123000, tzinfo=plus(4))),
        ("2021-11-23T15:30:00", datetime(2021, 11, 23, 15, 30, tzinfo=TBILISI)),
        ("2021-11-23 15:30", datetime(2021, 11, 23, 15, 30, tzinfo=TBILISI)),
        ("2021-11-23", datetime(2021, 11, 23, tzinfo=TBILISI)),
        ("Tue, 23 Nov 2021 15:30:00 +0000", datetime(2021, 11, 23, 15, 30, tzinfo=UTC)),
        ("Tue, 23 Nov 2021 15:30:00 GMT", datetime(2021, 11, 23, 15, 30, tzinfo=UTC)),
        ("Tue, 23 Nov 2021 15:30:00 -0000", datetime(2021, 11, 23, 15, 30, tzinfo=UTC)),
        ("23 November 2021", datetime(2021, 11, 23, tzinfo=TBILISI)),
        ("November 23, 2021", datetime(2021, 11, 23, tzinfo=TBILISI)),
        ("Nov. 23, 2021 3:04 pm", datetime(2021, 11, 23, 15, 4, tzinfo=TBILISI)),
        ("Tuesday, 23rd of November 2021 at 12:30 a.m.", datetime(2021, 11, 23, 0, 30, tzinfo=TBILISI)),
        ("23 Sept 2021 09:15 UTC", datetime(2021, 9, 23, 9, 15, tzinfo=UTC)),
        (date(2021, 11, 23), datetime(2021, 11, 23, tzinfo=TBILISI)),
        (datetime(2021, 11, 23, 15, 30), datetime(2021, 11, 23, 15, 30, tzinfo=TBILISI)),
        (datetime(2021, 11, 23, 15, 30, tzinfo=UTC), datetime(2021, 11, 23, 15, 30, tzinfo=UTC)),
    ],
)
def test_parse_date(value: str | date | datetime, expected: datetime) -> None:
    parsed = parse_date(value, TBILISI)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


def test_date_only_is_midnight_in_the_given_zone() -> None:
    assert parse_date("2021-11-23", TBILISI).isoformat() == "2021-11-23T00:00:00+04:00"  # type: ignore[union-attr]
    assert parse_date("2021-07-01", ZoneInfo("Europe/London")).isoformat() == "2021-07-01T00:00:00+01:00"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "2021-13-01", "2021-02-30", "31 February 2021", "Nov 23, 2021 13:04 pm", "0001-01-01", "2021",
     "23 November", "1637670600", "x" * 10_000],
)  # fmt: skip
def test_parse_date_rejects_what_is_not_a_full_date(value: str) -> None:
    assert parse_date(value, TBILISI) is None


# --- the site's name, from the page and the site's settings ------------------------------------


@pytest.mark.parametrize(
    "head, kwargs, title",
    [
        ('<meta name="apple-mobile-web-app-title" content="Port News">', {}, "Ferry resumes"),
        ("", {"site_names": ["Port News"]}, "Ferry resumes"),  # the site's title in site.toml
        ("", {"url": "https://www.portnews.example/2021/ferry"}, "Ferry resumes"),  # an imported page's source
        ('<link rel="canonical" href="https://blog.portnews.example/ferry">', {}, "Ferry resumes"),
        ("", {}, "Ferry resumes - PortNews"),  # nothing names the site: " - " is kept
    ],
)
def test_site_name_suffix_known_from_the_page_or_the_site(head: str, kwargs: dict[str, object], title: str) -> None:
    html = f"<html><head><title>Ferry resumes - PortNews</title>{head}</head><body><p>x</p></body></html>"
    found = dict(extract_metadata(html, TBILISI, **kwargs))  # type: ignore[arg-type]
    assert next(value.title for value in found.values() if value.title) == title


@pytest.mark.parametrize(
    "host, names",
    [
        ("www.ign.com", ["ign.com", "ign"]),
        ("blog.rust-lang.org", ["blog.rust-lang.org", "rust-lang"]),
        ("news.bbc.co.uk", ["news.bbc.co.uk", "bbc"]),
        ("siliconnotes.blogspot.com", ["siliconnotes.blogspot.com", "blogspot", "siliconnotes"]),
        ("localhost", []),
    ],
)
def test_host_names_are_the_host_and_its_registered_name(host: str, names: list[str]) -> None:
    assert _host_names(host) == names
