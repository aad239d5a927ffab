"""feedsvc/same_picture.py: one picture under the many URLs sites serve it by, and never two pictures taken for one.

The one answer the cleaner (a later copy goes), the metadata (a declared lead takes the body's caption) and the
article page (the lead is not shown twice) give; the cases the cleaner's own key knew are here too.
"""

from __future__ import annotations

import pytest

from feedsvc import same_picture as same_picture_module
from feedsvc.same_picture import PictureSet, forget_places, same_picture

ORIGINAL = "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg"


@pytest.mark.parametrize(
    "copy",
    [
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes-1024x683.jpg",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes-scaled.jpg",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes@2x.jpg",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes@1.5x.jpg",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes_300x200.jpg",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes_large.jpg",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg?w=800&ssl=1",
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg.webp",
        "http://www.news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg",
        "https://cdn.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg",
    ],
)
def test_a_size_variant_of_the_same_upload_is_the_same_picture(copy: str) -> None:
    assert same_picture(ORIGINAL, copy) and same_picture(copy, ORIGINAL)


@pytest.mark.parametrize(
    "copy",
    [
        "https://i0.wp.com/news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg?resize=800%2C533",
        "https://storage.googleapis.com/news-media-library/2024/09/harbour-cranes.png",
        "https://news.example.com/_next/image?url=%2Fwp-content%2Fuploads%2F2024%2F09%2Fharbour-cranes.jpg&w=1080",
        "https://res.cloudinary.com/demo/image/fetch/w_800/https://news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg",
        "https://resizer.example.net/resize?width=600&url=https%3A%2F%2Fnews.example.com%2Fwp-content%2Fuploads%2F2024%2F09%2Fharbour-cranes.jpg",
    ],
)
def test_a_cdn_copy_or_a_resizer_carrying_the_original_is_the_same_picture(copy: str) -> None:
    assert same_picture(ORIGINAL, copy) and same_picture(copy, ORIGINAL)


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("https://learn.example.edu/sites/default/files/2025-01/scans.jpg",
         "https://learn.example.edu/sites/default/files/styles/927x524/public/2025-01/scans.jpg?itok=x"),
        ("https://img.example.com/cdn/city/images/ricemill.jpg",
         "https://img.example.com/cdn/city/images/tr:w-1800/ricemill.jpg"),
        ("https://www.example.dev/static/5ab50b5f/the-wolf.jpg", "https://www.example.dev/static/5ab50b5f/a2510/the-wolf.jpg"),
        ("https://1.bp.example.com/-YIP/AAAA/w1200-h630-p-k-nu/block-diagram.png",
         "https://1.bp.example.com/-YIP/AAAA/s640/block-diagram.png"),
        ("https://res.example.com/acme/image/upload/c_limit,q_80,w_1200/pizza_g6ydvg.jpg",
         "https://res.example.com/acme/image/upload/c_limit,q_80,w_1080/pizza_g6ydvg.jpg"),
    ],
)  # fmt: skip
def test_a_resizer_s_folder_or_another_size_s_on_the_same_site_is_the_same_picture(short: str, long: str) -> None:
    assert same_picture(short, long) and same_picture(long, short)


@pytest.mark.parametrize(
    "other",
    [
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes-11.jpg",  # photo-1 / photo-11
        "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes-at-night.jpg",
        "https://news.example.com/wp-content/uploads/2023/02/harbour-cranes.jpg",  # another month's upload
        "https://news.example.com/wp-content/uploads/2024-09/harbour-cranes.jpg",  # not a size: another folder
        "https://photos.unrelated.org/gallery/harbour-cranes.jpg",  # the same name on an unrelated host
        "https://photos.unrelated.org/2023/09/harbour-cranes.jpg",  # one shared folder is not enough
        "https://i0.wp.com/other.example.org/wp-content/uploads/2020/01/harbour-cranes.jpg",
        'https://www.example.com/{"default":{"src":"//news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg"}}',
        "not a url",
        "",
    ],
)
def test_a_near_miss_is_another_picture(other: str) -> None:
    assert not same_picture(ORIGINAL, other) and not same_picture(other, ORIGINAL)


def test_a_country_code_suffix_is_not_taken_for_a_site() -> None:
    # "co.uk" is not one site: two papers under it are two hosts
    assert not same_picture("https://a.co.uk/news/pic.jpg", "https://b.co.uk/pictures/pic.jpg")
    assert same_picture("https://www.paper.co.uk/news/pic.jpg", "https://images.paper.co.uk/news/pic-800x600.jpg")


def test_two_pictures_through_one_resizer_are_two_pictures() -> None:
    # the resizer's own path ("/images/dims") names the service: the pictures are the ones it carries
    dims = "https://o.example.com/images/dims?quality=85&amp;image_uri=https%3A%2F%2Fo.example.com%2Fstore%2F{}.jpg"
    assert not same_picture(dims.format("gallery-1"), dims.format("gallery-7"))
    assert same_picture(dims.format("gallery-1"), "https://o.example.com/store/gallery-1.jpg")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://cdn.example/images/1061/750/422/image.jpg", "https://cdn.example/images/1061/750/562/image.jpg"),
        ("https://cdn.example/images/1061/750/422/image.jpg", "https://cdn.example/images/1061/image.jpg"),
        ("https://a.example/wall.jpg?w=800&h=600", "https://a.example/wall.webp?width=400"),
        ("https://a.example/_next/image?url=https%3A%2F%2Fb.example%2Fx%2Fy%2Fz.png&w=640", "https://b.example/x/y/z.png"),
        ("https://res.example/image/upload/c_fill,w_50,h_50/v1/a.jpg", "https://res.example/image/upload/v1/a.jpg"),
        ("https://a.example/s/styles/927x524/public/a.jpg?itok=Xy1", "https://a.example/s/styles/400x300/public/a.jpg?itok=Zq9"),
        ("https://i.example/a/hero.fill.size_1200x675.v17.jpg", "https://i.example/a/hero.fill.size_1248x702.v17.jpg"),
        ("https://i.example/n/4316d6df/h_16213329_16x9.jpg?w=1200", "https://i.example/n/4316d6df/h_16213329.jpg"),
        ("/uploads/relative.png", "/uploads/relative.png"),  # a saved page's src, unresolved: the same text
    ],
)  # fmt: skip
def test_a_size_in_the_path_or_the_query_is_the_same_picture(one: str, other: str) -> None:
    assert same_picture(one, other) and same_picture(other, one)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://a.example/up/2023/11/photo.jpg", "https://a.example/up/2024/11/photo.jpg"),
        ("https://a.example/photo.jpg?id=1", "https://a.example/photo.jpg?id=2"),
        ("https://a.example/image.php?id=1&w=300", "https://a.example/image.php?id=2&w=300"),
        ("https://cdn.example/images/1061/image.jpg", "https://cdn.example/images/1062/image.jpg"),
        ("https://cdn.example/images/1061/10/20/image.jpg", "https://cdn.example/images/1061/30/40/image.jpg"),
        ("foo/bar.png", "/foo/bar.png"),  # relative: two spellings may name two files
        ("https://bench.example/articles/foo/bar/baz.png", "https://bench.example/foo/bar/baz.png"),
        ("https://news.example.com/images/logo.png", "https://news.example.com/images/partners/logo.png"),
        ("https://bench.example/foo/bar/baz.png", "http://test/foo/bar/baz.png"),  # no date or id shared
    ],
)  # fmt: skip
def test_a_parameter_or_a_folder_that_names_the_picture_keeps_two_pictures_apart(one: str, other: str) -> None:
    assert not same_picture(one, other) and not same_picture(other, one)


def test_a_picture_set_holds_every_copy_of_what_it_was_given_and_nothing_else() -> None:
    shown = PictureSet([ORIGINAL])
    assert "https://i0.wp.com/news.example.com/wp-content/uploads/2024/09/harbour-cranes.jpg?w=600" in shown
    assert "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes-11.jpg" not in shown
    shown.add("/a/relative.png")
    assert "/a/relative.png" in shown and "a/relative.png" not in shown
    assert None not in shown


def test_places_forgotten_answer_the_same_from_an_empty_cache() -> None:
    copy = "https://news.example.com/wp-content/uploads/2024/09/harbour-cranes-1024x683.jpg"
    other = "https://news.example.com/wp-content/uploads/2024/09/harbour-gulls.jpg"
    before = (same_picture(ORIGINAL, copy), same_picture(ORIGINAL, other))
    forget_places()
    assert same_picture_module._places.cache_info().currsize == 0
    assert (same_picture(ORIGINAL, copy), same_picture(ORIGINAL, other)) == before == (True, False)
