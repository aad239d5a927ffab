"""feedsvc/content/pictures.py: a picture's media type and pixel size from its header."""

from __future__ import annotations

import pytest

from feedsvc.content.pictures import PICTURE_TYPES, picture_size, picture_type
from support.paths import FIXTURES

PICTURES = FIXTURES / "pictures"  # made by Chromium (PNG, JPEG, WebP) and by hand (GIF, ICO, SVG)


@pytest.mark.parametrize(
    ("name", "media_type", "size"),
    [
        ("wide-300x100.png", "image/png", (300, 100)),
        ("wide-300x100.jpg", "image/jpeg", (300, 100)),
        ("wide-300x100.webp", "image/webp", (300, 100)),
        ("dot-1x1.gif", "image/gif", (1, 1)),
        ("icon-128.ico", "image/x-icon", (128, 128)),
        ("icon-128.png", "image/png", (128, 128)),
        ("logo-144x48.png", "image/png", (144, 48)),
        ("mark.svg", "image/svg+xml", None),  # SVG has no pixel size
    ],
)
def test_type_and_size_come_from_the_file_header(name: str, media_type: str, size: tuple[int, int] | None) -> None:
    data = (PICTURES / name).read_bytes()
    assert picture_type(data) == media_type
    assert picture_size(data) == size
    assert PICTURE_TYPES["." + name.rsplit(".", 1)[1]] == media_type


@pytest.mark.parametrize(
    "data",
    [b"", b"<!doctype html><title>Not found</title>", b"\x89PNG", b"%PDF-1.7\n", b"\x00\x00\x01\x00\x00\x00"],
    ids=["empty", "an HTML error page", "PNG signature cut short", "PDF", "ICO with no image"],
)
def test_what_is_not_a_picture_has_no_type(data: bytes) -> None:
    assert picture_type(data) is None
    assert picture_size(data) is None


def test_a_header_cut_short_has_a_type_but_no_size() -> None:
    jpeg = (PICTURES / "wide-300x100.jpg").read_bytes()
    assert picture_type(jpeg[:40]) == "image/jpeg"
    assert picture_size(jpeg[:40]) is None  # the frame header comes after the cut
    png = (PICTURES / "wide-300x100.png").read_bytes()
    assert picture_size(png[:20]) is None
