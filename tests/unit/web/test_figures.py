"""web/figures.py: the lead figure above an article page, and pictures that load as the reader scrolls."""

from __future__ import annotations

import lxml.html
import pytest

from feedsvc.model import Image
from feedsvc.web.body import page_body

LEAD = Image("https://news.example.org/uploads/poti.jpg", 1600, 900, alt="Cranes", caption="Poti.", origin="sidecar")
FIGURE = (
    '<figure><img src="https://news.example.org/uploads/poti-1024x576.jpg" alt="Cranes" width="1024" height="576">'
    "<figcaption>Poti.</figcaption></figure>"
)
LATER = '<p><img src="https://news.example.org/uploads/burgas.jpg" alt="Burgas" width="800" height="600"></p>'
TEXT = "<p>The ferry line resumes in June.</p>"


def images(html: str) -> list[dict[str, str]]:
    return [dict(img.attrib) for img in lxml.html.fragment_fromstring(html, create_parent="div").iter("img")]


def test_body_pictures_load_lazily_and_keep_alt_and_size() -> None:
    other_lead = Image("https://news.example.org/uploads/varna.jpg", origin="sidecar")
    shown = page_body(TEXT + FIGURE + LATER, other_lead)
    assert shown.lead == other_lead  # the body does not show it: shown above
    assert images(shown.html) == [
        {"src": "https://news.example.org/uploads/poti-1024x576.jpg", "alt": "Cranes", "width": "1024",
         "height": "576", "loading": "lazy", "decoding": "async"},
        {"src": "https://news.example.org/uploads/burgas.jpg", "alt": "Burgas", "width": "800", "height": "600",
         "loading": "lazy", "decoding": "async"},
    ]  # fmt: skip
    assert "<figcaption>Poti.</figcaption>" in shown.html and TEXT in shown.html


def test_a_body_that_starts_with_the_lead_picture_shows_it_once_loaded_at_once() -> None:
    shown = page_body(FIGURE + TEXT + LATER, LEAD)  # a resized copy of the same picture
    assert shown.lead is None
    first, later = images(shown.html)
    assert "loading" not in first and "decoding" not in first
    assert later["loading"] == "lazy"


ALT = "A German Shepherd dog sitting side by side with a tabby cat on a sofa"


def test_a_body_that_starts_with_another_crop_of_the_lead_picture_shows_it_once() -> None:
    # og:image is the desktop crop, the body opens with the mobile one: another file, the same long alt
    lead = Image("https://img.example.org/a1/Desktop_Cost.png?w=1200", alt=ALT, origin="og:image")
    body = f'<picture><img src="https://img.example.org/b2/Mobile_Cost.png" alt="{ALT}"></picture>' + TEXT
    shown = page_body(body, lead)
    assert shown.lead is None
    assert "loading" not in images(shown.html)[0]


def test_a_short_alt_text_alike_does_not_make_two_pictures_one() -> None:
    lead = Image("https://img.example.org/a1/harbour.jpg", alt="Photo", origin="og:image")
    shown = page_body('<img src="https://img.example.org/b2/crane.jpg" alt="Photo">' + TEXT, lead)
    assert shown.lead == lead


def test_a_body_that_starts_with_another_picture_still_gets_the_lead_figure() -> None:
    shown = page_body(LATER + TEXT, LEAD)
    assert shown.lead == LEAD
    assert images(shown.html)[0]["loading"] == "lazy"  # below the lead figure


def test_without_a_lead_image_the_body_s_opening_picture_loads_at_once() -> None:
    shown = page_body(LATER + TEXT + FIGURE, None)
    assert shown.lead is None
    assert ["loading" in attributes for attributes in images(shown.html)] == [False, True]
    # a picture after the first words is below them
    assert ["loading" in attributes for attributes in images(page_body(TEXT + LATER, None).html)] == [True]
    assert "loading" in images(page_body("Words first " + LATER, None).html)[0]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:image/png;base64,AAAA", "/relative.jpg", "https://a b/c.jpg"]
)
def test_a_lead_image_whose_url_is_not_plain_http_is_not_shown(url: str) -> None:
    assert page_body(TEXT, Image(url, origin="sidecar")).lead is None


def test_a_body_without_pictures_is_left_as_it_is() -> None:
    assert page_body(TEXT, LEAD).html == TEXT
    assert page_body("", None).html == ""


def test_a_lead_image_taken_from_the_body_is_not_shown_again_above_it() -> None:
    # no metadata declared a picture: the lead image is the body's first one, here after the text
    # (a Markdown article ending with a picture); the page showed it twice, at the top and at the end
    lead = Image("https://news.example.org/uploads/burgas.jpg", 800, 600, alt="Burgas", origin="body")
    shown = page_body(TEXT + LATER, lead)
    assert shown.lead is None
    assert [attributes["src"] for attributes in images(shown.html)] == [lead.url]
    # one that opens the body is still the picture loaded at once
    opening = page_body(LATER + TEXT, lead)
    assert opening.lead is None and "loading" not in images(opening.html)[0]


# The audit's four pages (docs/http.md, session 40): the lead shown again by the body, not at its very start.


def test_a_lead_the_body_shows_after_its_first_paragraph_is_shown_once_there_loaded_at_once() -> None:
    # w-4079: og:image is the upload, the body a Drupal style derivative of it after the first paragraph
    lead = Image("https://learn.example.edu/sites/default/files/2025-01/scans.jpg", origin="og:image")
    derivative = "https://learn.example.edu/sites/default/files/styles/927x524/public/2025-01/scans.jpg?itok=sn"
    shown = page_body(f'{TEXT}<figure><img src="{derivative}" alt="Scans"></figure><h2>Why</h2>{LATER}', lead)
    assert shown.lead is None
    assert ["loading" in attributes for attributes in images(shown.html)] == [False, True]


def test_a_lead_the_body_opens_with_from_a_cdn_copy_is_shown_once() -> None:
    # w-4111: og:image on the site, the body's copy offloaded to WP-Stateless (another host, the dated folders)
    lead = Image("https://eco.example.com/wp-content/uploads/2024/09/featured.png", origin="og:image")
    copy = "https://storage.googleapis.com/eco-media-library/2024/09/featured.png"
    shown = page_body(f'<img src="{copy}" alt="A woman in a patterned dress">{TEXT}', lead)
    assert shown.lead is None
    assert "loading" not in images(shown.html)[0]


def test_a_lead_the_body_shows_far_down_is_not_shown_on_top_and_loads_lazily() -> None:
    # w-0898: the lead is the photo of the third shop a list article presents, resized by ImageKit
    lead = Image("https://img.example.com/cdn/city/images/ricemill-1.jpg", origin="og:image")
    resized = "https://img.example.com/cdn/city/images/tr:w-1800/ricemill-1.jpg"
    body = "<h2>Flour</h2>" + TEXT * 5 + f'<h2>Ricemill</h2><p><img src="{resized}"></p>' + TEXT
    shown = page_body(body, lead)
    assert shown.lead is None
    assert images(shown.html)[0]["loading"] == "lazy"  # far below the first screen


@pytest.mark.parametrize(
    ("lead_url", "body_url"),
    [
        ("https://site.example/uploads/photo-1.jpg", "https://site.example/uploads/photo-11.jpg"),
        ("https://site.example/2024/01/image.jpg", "https://site.example/2024/05/image.jpg"),
        ("https://one.example/uploads/2024/image.jpg", "https://other.example/media/image.jpg"),
    ],
)
def test_a_near_miss_of_the_lead_in_the_body_leaves_the_lead_figure_shown(lead_url: str, body_url: str) -> None:
    lead = Image(lead_url, origin="og:image")
    shown = page_body(f'{TEXT}<img src="{body_url}" alt="">', lead)
    assert shown.lead == lead
