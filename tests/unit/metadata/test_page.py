"""Metadata extraction: the sources in precedence order, robustness, the site's name, and date parsing.

What JSON-LD, the meta tags, the visible markup and the page's lines say, and the decisions across the
sources, have their own test modules (test_jsonld.py, test_meta_tags.py, test_markup.py, test_visible.py,
test_decide.py).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.metadata.page import _host_names, extract_metadata, parse_date
from feedsvc.model import PageMetadata
from feedsvc.text import site_host
from support.page_sources import TBILISI, plus, sources

UTC = UTC


def test_sources_come_in_precedence_order() -> None:
    names = [name for name, _ in extract_metadata("<h1>Title</h1>", TBILISI)]
    assert names == ["json-ld", "opengraph", "markup"]


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
    "url, names",
    [
        ("https://www.ign.com/a", ["ign.com", "ign"]),
        ("https://blog.rust-lang.org/a", ["blog.rust-lang.org", "rust-lang"]),
        ("https://news.bbc.co.uk/a", ["news.bbc.co.uk", "bbc"]),
        ("https://siliconnotes.blogspot.com/a", ["siliconnotes.blogspot.com", "blogspot", "siliconnotes"]),
        ("http://localhost:8000/a", []),
    ],
)
def test_host_names_are_the_host_and_its_registered_name(url: str, names: list[str]) -> None:
    assert _host_names(site_host(url)) == names
