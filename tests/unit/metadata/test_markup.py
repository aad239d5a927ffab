"""What the visible markup's elements say (the "markup" source), through ``extract_metadata``."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest

from feedsvc.metadata import markup
from support.page_sources import TBILISI, fixture, sources


def test_time_element_in_the_article_and_the_byline() -> None:
    found = fixture("article_with_time_element.html")["markup"]
    assert found.title == "Pashinyan, Aliyev, and Putin to hold summit in Sochi"  # not the logo's <h1>
    assert found.published == datetime(2021, 11, 23, 15, 30, tzinfo=TBILISI)  # not the <nav> clock
    assert found.authors == ("Ana Tsurtsumia", "Giorgi Lomsadze")  # not the commenter
    assert found.tags == ("Armenia", "Russia")


def test_time_marked_as_updated_is_the_update_not_the_publication() -> None:
    html = (
        '<article><h1>Sochi</h1><time class="updated" datetime="2021-11-24T10:00:00Z">24 Nov</time>'
        '<time datetime="2021-11-23T09:00:00Z">23 Nov</time></article>'
    )
    found = sources(html)["markup"]
    assert found.published == datetime(2021, 11, 23, 9, tzinfo=UTC)
    assert found.updated == datetime(2021, 11, 24, 10, tzinfo=UTC)


def test_microdata_dates() -> None:
    html = '<h1>Sochi</h1><meta itemprop="datePublished" content="2021-11-23"><span itemprop="dateModified">November 24, 2021</span>'
    found = sources(html)["markup"]
    assert (found.published, found.updated) == (
        datetime(2021, 11, 23, tzinfo=TBILISI),
        datetime(2021, 11, 24, tzinfo=TBILISI),
    )


def test_no_date_anywhere_and_dates_inside_paragraphs_are_not_taken() -> None:
    found = fixture("article_with_no_date.html")
    assert [metadata.published for metadata in found.values()] == [None, None, None]


@pytest.mark.parametrize(
    "byline, expected",
    [
        ('<p class="byline">By Ana Tsurtsumia | 23 November 2021</p>', ("Ana Tsurtsumia",)),
        (
            '<span class="author">Written by Ana Tsurtsumia and Giorgi Lomsadze</span>',
            ("Ana Tsurtsumia", "Giorgi Lomsadze"),
        ),
        ('<div itemprop="author"><span itemprop="name">Ana Tsurtsumia</span>, Tbilisi</div>', ("Ana Tsurtsumia",)),
        ('<p class="byline">5 min read</p>', ()),
    ],
)
def test_byline_names(byline: str, expected: tuple[str, ...]) -> None:
    assert sources(f"<h1>Title</h1>{byline}")["markup"].authors == expected


def test_titles_are_one_line_of_plain_xml_safe_text() -> None:
    html = "<title>x</title><h1>  Pashinyan &amp; <em>Aliyev</em>\n\t meet\x0b\u0085 </h1>"
    assert sources(html)["markup"].title == "Pashinyan & Aliyev meet"


@pytest.mark.parametrize(
    "headline, title",
    [
        ('Ferry news 2026<span style="display: block">Sailings resume</span>', "Ferry news 2026 Sailings resume"),
        ('Ferry news 2026<span class="d-block">Sailings resume</span>', "Ferry news 2026 Sailings resume"),
        ("Ferry news<span>Sailings resume</span>", "Ferry news Sailings resume"),
        # a short part, a brand written in two colours: one word, as the page shows it
        ("Mc<b>D</b>onald opens in Batumi", "McDonald opens in Batumi"),
        ("You<span>Tube</span> opens in Batumi", "YouTube opens in Batumi"),
        ("Ferry <em>news</em> today", "Ferry news today"),
    ],
)
def test_headline_words_meet_across_inline_elements_only_as_the_page_shows_them(headline: str, title: str) -> None:
    assert sources(f"<html><body><h1>{headline}</h1></body></html>")["markup"].title == title


def test_title_falls_back_to_the_title_element() -> None:
    assert sources("<title>Only &lt;title&gt;</title><p>x</p>")["markup"].title == "Only <title>"


def test_every_markup_rule_is_described() -> None:
    assert set(markup.RULES) == {"taxonomy_links"}
    assert all(isinstance(why, str) and why for why in markup.RULES.values())


@pytest.mark.parametrize(
    "html, kept",
    [
        # WordPress marks the whole post with its categories ("category-garden-notes"): its links are not theirs
        ('<article class="post category-garden-notes"><p>By <a href="/author/jane">Jane Doe</a></p></article>', True),
        ('<p class="entry-categories"><a href="/garden">Jane Doe</a></p>', False),
        ('<p>Filed under <a href="/topics/jane-doe/">Jane Doe</a></p>', False),
    ],
)
def test_only_category_and_tag_links_take_a_name_off(html: str, kept: bool) -> None:
    root = lxml.html.fromstring(f"<html><body>{html}</body></html>")
    assert markup.without_taxonomy_names(root, ("Jane Doe",)) == (("Jane Doe",) if kept else ())
