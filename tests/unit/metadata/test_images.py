"""metadata/images.py: which picture leads an article, and what is said of it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from feedsvc.metadata.images import (
    MIN_SIDE,
    TEXT_MAX_CHARS,
    choose_lead_image,
    first_body_image,
    first_real,
    image_number,
    image_type,
    junk_reason,
)
from feedsvc.metadata.page import extract_metadata
from feedsvc.model import Image, PageMetadata
from support.paths import FIXTURES

PAGES = FIXTURES / "metadata"
UTC = ZoneInfo("UTC")


def decided(name: str) -> dict[str, PageMetadata]:
    """What each source of a fixture page says once the sources are weighed (what the loader merges)."""
    return dict(extract_metadata((PAGES / name).read_text(encoding="utf-8"), UTC))


# --- what is not a picture ---------------------------------------------------


@pytest.mark.parametrize(
    "url, width, height, alt, reason",
    [
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", None, None, None, "a data: URI"),
        ("/uploads/a.jpg", None, None, None, "not an absolute http(s) URL"),
        ("https://news.example.org/stats/pixel.gif", None, None, None, "named 'pixel.gif', a spacer"),
        ("https://news.example.org/img/blank.png", None, None, None, "named 'blank.png', a spacer"),
        ("https://news.example.org/t.gif?id=5", None, None, None, "named 't.gif', a spacer"),
        ("https://news.example.org/img/tracking-pixel.png", None, None, None, "its URL says 'tracking'"),
        ("https://news.example.org/assets/site-logo.png", None, None, None, "its URL says 'logo'"),
        ("https://news.example.org/assets/siteLogo@2x.png", None, None, None, "its URL says 'logo'"),
        ("https://news.example.org/logos/brand.jpg", None, None, None, "its URL says 'logos'"),
        ("https://news.example.org/avatars/ana.jpg", None, None, None, "its URL says 'avatars'"),
        ("https://news.example.org/icons/share.png", None, None, None, "its URL says 'icons'"),
        ("https://s.w.org/images/core/emoji/14.0.0/72x72/1f600.png", None, None, None, "its URL says 'emoji'"),
        ("https://secure.gravatar.com/avatar/ab12?s=96", None, None, None, "served by gravatar.com"),
        ("https://www.facebook.com/tr?id=1&ev=PageView", None, None, None, "served by facebook.com"),
        ("https://news.example.org/img/brand.svg", None, None, None, "a SVG file"),
        ("https://news.example.org/uploads/a.jpg", 1, 1, None, "declared 1 pixels on a side"),
        ("https://news.example.org/uploads/a.jpg", 1200, MIN_SIDE - 1, None, f"declared {MIN_SIDE - 1} pixels"),
        ("https://news.example.org/uploads/a.jpg", 728, 90, None, "declared 90 pixels"),
        ("https://news.example.org/uploads/a.jpg", 970, 180, None, "declared 970x180, a strip"),
        ("https://news.example.org/uploads/a.jpg", None, None, "OC Media logo", "its alt text is 'OC Media logo'"),
    ],
)
def test_what_is_not_a_picture_says_why(url: str, width: int, height: int, alt: str, reason: str) -> None:
    found = junk_reason(url, width, height, alt)
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "url, width, height, alt",
    [
        ("https://news.example.org/uploads/2024/05/poti-port.jpg", 1600, 900, "Cranes over the port of Poti"),
        ("https://news.example.org/uploads/2024/05/pixel-8-review.jpg", None, None, None),  # the phone
        ("https://news.example.org/uploads/a.jpg", MIN_SIDE, MIN_SIDE, None),
        ("https://news.example.org/uploads/panorama.jpg", 3000, 1000, None),
        # a long alt text that mentions a logo describes a news photo
        ("https://news.example.org/uploads/x.jpg", None, None, "The new logo of the airline painted on a plane"),
    ],
)
def test_a_real_picture_passes(url: str, width: int | None, height: int | None, alt: str | None) -> None:
    assert junk_reason(url, width, height, alt) is None


def test_a_class_that_names_a_logo_or_the_author_rules_a_picture_out() -> None:
    url = "https://news.example.org/uploads/a.jpg"
    assert junk_reason(url, classes="custom-logo wp-image-5") == "its class says 'logo'"
    assert junk_reason(url, classes="author-photo") == "its class says 'author'"
    assert junk_reason(url, classes="wp-post-image size-full") is None


# --- sizes, types, same picture ----------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(1200, 1200), ("1200", 1200), (" 630px ", 630), (1200.0, 1200), ({"@type": "QuantitativeValue", "value": 800}, 800),
     ("100%", None), ("auto", None), (0, None), (-5, None), (True, None), (10**9, None), (None, None)],
)  # fmt: skip
def test_image_number_reads_the_ways_pages_write_a_size(value: object, expected: int | None) -> None:
    assert image_number(value) == expected


def test_image_type_takes_only_an_image_mime_type() -> None:
    assert image_type(" Image/JPEG ") == "image/jpeg"
    assert image_type("image/svg+xml") == "image/svg+xml"
    assert [image_type(v) for v in ("jpeg", "text/html", "", None, 5)] == [None] * 5


def test_first_real_skips_junk_and_takes_details_from_other_descriptions_of_the_same_file() -> None:
    logo = Image("https://news.example.org/logo.png", origin="json-ld")
    bare = Image("https://news.example.org/uploads/a.jpg", origin="json-ld")
    sized = Image("https://news.example.org/uploads/a.jpg", 1200, 630, "image/jpeg", "Vines", origin="opengraph")
    resized = Image("https://news.example.org/uploads/a-300x200.jpg", 300, 200, caption="In Kakheti")
    assert first_real([logo, bare, sized]) == Image(
        "https://news.example.org/uploads/a.jpg", 1200, 630, "image/jpeg", "Vines", origin="json-ld"
    )
    # a resized copy gives its caption, never its size
    assert first_real([bare, resized]) == Image(
        "https://news.example.org/uploads/a.jpg", caption="In Kakheti", origin="json-ld"
    )
    assert first_real([logo]) is None


# --- pages -----------------------------------------------------------------


def test_an_og_image_that_is_a_tracking_pixel_is_not_the_page_s_picture() -> None:
    assert all(found.image is None for found in decided("page_whose_og_image_is_a_tracking_pixel.html").values())


def test_a_logo_in_og_image_gives_way_to_the_twitter_card_picture_with_its_alt_text() -> None:
    assert decided("page_whose_og_image_is_the_site_logo.html")["opengraph"].image == Image(
        "https://news.example.org/uploads/2024/06/night-bus.jpg",
        alt="A night bus at Freedom Square",
        origin="opengraph",
    )


def test_open_graph_structured_properties_describe_the_og_image_before_them() -> None:
    assert decided("page_with_open_graph_image_details.html")["opengraph"].image == Image(
        "https://news.example.org/uploads/vineyard.jpg",  # og:image:secure_url over og:image
        width=1200,
        height=630,
        type="image/jpeg",
        alt="Rows of vines in Kakheti",
        origin="opengraph",
    )


def test_a_jsonld_image_reference_is_followed_past_the_logo_and_completed_by_open_graph() -> None:
    assert decided("page_whose_jsonld_image_is_a_graph_reference.html")["json-ld"].image == Image(
        "https://news.example.org/uploads/2024/01/kazbegi-road.jpg",
        width=1800,
        height=1013,
        type="image/jpeg",  # og:image:type of the same file
        alt="Snowploughs near Stepantsminda",  # og:image:alt
        caption="The road near Stepantsminda on Monday.",
        credit="Levan Gelashvili",
        origin="json-ld",
    )


def test_a_relative_og_image_resolves_against_the_canonical_url() -> None:
    found = decided("page_with_a_relative_og_image.html")["opengraph"].image
    assert found == Image("https://news.example.org/uploads/garden.jpg", origin="opengraph")


# --- the cleaned body --------------------------------------------------------

BODY = (
    '<p><img src="https://news.example.org/spacer.gif" alt=""></p>'
    '<p>Good news <img src="https://s.w.org/images/core/emoji/14.0.0/72x72/1f600.png" alt="😀"> today.</p>'
    '<p><img src="https://secure.gravatar.com/avatar/ab12?s=96" width="96" height="96" alt="Ana"></p>'
    '<figure><img src="https://news.example.org/uploads/poti.jpg" width="1600" height="900" alt="Cranes">'
    "<figcaption>The port of Poti in May.</figcaption></figure>"
    '<p><img src="https://news.example.org/uploads/burgas.jpg" alt="Burgas"></p>'
)


def test_the_body_s_first_real_picture_comes_with_its_size_alt_and_caption() -> None:
    assert first_body_image(BODY) == Image(
        "https://news.example.org/uploads/poti.jpg", 1600, 900, alt="Cranes", caption="The port of Poti in May.",
        origin="body",
    )  # fmt: skip


def test_a_body_without_a_real_picture_has_none() -> None:
    assert first_body_image("<p>Text only.</p>") is None
    assert first_body_image('<p><img src="https://news.example.org/icons/x.png" alt=""></p>') is None
    assert first_body_image("") is None


def test_the_declared_picture_leads_and_takes_the_caption_the_body_gives_it() -> None:
    declared = Image("https://news.example.org/uploads/poti.jpg", 1200, 675, origin="opengraph")
    assert choose_lead_image(declared, BODY) == Image(
        "https://news.example.org/uploads/poti.jpg", 1200, 675, alt="Cranes", caption="The port of Poti in May.",
        origin="opengraph",
    )  # fmt: skip
    elsewhere = Image("https://cdn.example.net/lead.jpg", origin="sidecar")
    assert choose_lead_image(elsewhere, BODY) == elsewhere
    assert choose_lead_image(None, BODY) == first_body_image(BODY)
    assert choose_lead_image(None, "<p>Text only.</p>") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/uploads/poti-1024x576.jpg?ver=2",  # a resized copy
        "https://i0.wp.com/news.example.org/uploads/poti.jpg?resize=1200%2C675",  # through a resizer
        "https://news.example.org/uploads/poti_1200x675.jpg",  # the underscore size the cleaner knew
    ],
)
def test_a_declared_copy_of_the_body_s_picture_takes_its_caption(url: str) -> None:
    # the one answer to "is this the same picture" (feedsvc/same_picture.py), not a stricter one of its own
    chosen = choose_lead_image(Image(url, origin="opengraph"), BODY)
    assert chosen is not None and chosen.caption == "The port of Poti in May." and chosen.alt == "Cranes"
    assert chosen.width is None  # a copy has its own size


def test_another_picture_of_the_same_name_takes_no_caption() -> None:
    for url in ("https://news.example.org/uploads/poti-2.jpg", "https://cdn.example.net/uploads/poti.jpg"):
        chosen = choose_lead_image(Image(url, origin="opengraph"), BODY)
        assert chosen is not None and chosen.caption is None


def test_a_caption_is_cut_to_a_caption_s_length() -> None:
    long = Image("https://news.example.org/a.jpg", caption="word " * TEXT_MAX_CHARS, origin="sidecar")
    chosen = choose_lead_image(long, "")
    assert chosen is not None and chosen.caption is not None and len(chosen.caption) <= TEXT_MAX_CHARS


def test_image_texts_are_plain_text_like_titles() -> None:
    marked = Image(
        "https://news.example.org/a.jpg", alt="<b>Vines</b>", caption="Rows <i>of</i> vines & a < b", credit="<br>",
        origin="sidecar",
    )  # fmt: skip
    assert choose_lead_image(marked, "") == Image(
        "https://news.example.org/a.jpg", alt="Vines", caption="Rows of vines & a < b", origin="sidecar"
    )


def test_a_body_picture_the_page_marks_as_a_logo_or_an_avatar_by_class_is_not_the_lead() -> None:
    page = (
        '<html><body><article><p><img class="custom-logo" src="/uploads/acme.png" width="300" height="300"></p>'
        '<div class="author-box"><img src="/uploads/ana.jpg" width="200" height="200"></div>'
        '<figure><img class="wp-post-image" src="/uploads/harbour.jpg"></figure></article></body></html>'
    )
    body = (
        '<p><img src="https://news.example.org/uploads/acme.png" width="300" height="300"></p>'
        '<p><img src="https://news.example.org/uploads/ana.jpg" width="200" height="200"></p>'
        '<figure><img src="https://news.example.org/uploads/harbour.jpg"></figure>'
    )
    assert first_body_image(body) == Image("https://news.example.org/uploads/acme.png", 300, 300, origin="body")
    chosen = first_body_image(body, page, "https://news.example.org/2024/harbour/")
    assert chosen == Image("https://news.example.org/uploads/harbour.jpg", origin="body")
    assert choose_lead_image(None, body, page, "https://news.example.org/2024/harbour/") == chosen
