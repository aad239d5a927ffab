"""JSON-LD (feedsvc/metadata/jsonld.py): what a page's schema.org Article says, read through the page's sources.

Each test reads a page through ``extract_metadata``'s ``json-ld`` source, as a build does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from feedsvc.model import Image, PageMetadata
from support.page_sources import TBILISI, fixture, plus, sources


def jsonld(document: object) -> PageMetadata:
    """Return what a page holding one JSON-LD block says through JSON-LD."""
    html = f'<html><head><script type="application/ld+json">{json.dumps(document)}</script></head></html>'
    return sources(html)["json-ld"]


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
