"""content/decode.py: the one codec policy (labels browsers refuse are refused everywhere), and UTF-8 read as Latin-1 mended."""

from __future__ import annotations

import re

import pytest

from feedsvc.content.decode import UTF8_DESPITE_LABEL, codec_for_label, decode_article, is_refused, mend_double_utf8
from support.paths import FIXTURES


@pytest.mark.parametrize("label", ["hz-gb-2312", "HZ-GB-2312", "hz", "iso-2022-kr", "csiso2022kr", "replacement"])
def test_codec_for_label_refuses_what_browsers_refuse(label: str) -> None:
    assert codec_for_label(label) is None and is_refused(label)


@pytest.mark.parametrize("label", ["utf-8", "windows-1251", "iso-2022-jp", "gbk"])
def test_codec_for_label_keeps_what_browsers_decode(label: str) -> None:
    assert codec_for_label(label) is not None and not is_refused(label)


# --- UTF-8 that was read as Latin-1 and saved again (wcxb-dev/4912: "youâre") ---

MOJIBAKE_PAGE = FIXTURES / "content" / "utf8-page-read-as-latin1-and-saved-again.html"


def test_utf8_read_as_latin1_and_saved_again_is_mended_and_counted() -> None:
    decoded = decode_article(MOJIBAKE_PAGE.read_bytes())
    assert decoded.encoding == "utf-8"
    assert "you\u2019re looking" in decoded.text
    assert "a dog \u2014 less" in decoded.text
    assert "Premiums\u00a0rise" in decoded.text and "20\u00a0% more \U0001f436" in decoded.text
    assert "caf\u00e9 owner in Z\u00fcrich" in decoded.text
    assert not re.search("[\x80-\x9f]|\u00c2|\u00e2", decoded.text)
    assert decoded.repaired == 7  # ’ — nbsp é ü nbsp 🐶


def test_latin1_letters_beside_symbols_in_real_utf8_text_stay() -> None:
    # "Ã©" and "Â»" read as valid UTF-8 pairs, but without a C1 control nothing says the page was misread.
    text = "<p>\u00c3\u00a9tude \u00c2\u00bb caf\u00e9 \u2019</p>"
    decoded = decode_article(text.encode("utf-8"))
    assert decoded.text == text and decoded.repaired == 0
    assert mend_double_utf8(text) == (text, 0)


def test_only_sequences_that_read_as_utf8_are_mended() -> None:
    # \u00e2 followed by one C1 control is no UTF-8 sequence: it stays, the rest is mended.
    text = "you\u00e2\u0080\u0099re \u00e2\u0080 na\u00efve"
    assert mend_double_utf8(text) == ("you\u2019re \u00e2\u0080 na\u00efve", 1)


def test_a_page_decoded_as_windows_1252_is_not_mended() -> None:
    data = b'<meta charset="windows-1252"><p>caf\xc3\xa2\xc2\x80\xc2\x99</p>'
    decoded = decode_article(data)
    assert decoded.encoding == "cp1252" and decoded.repaired == 0


# --- UTF-8 saved under an old legacy <meta charset> (readability-pages/qq: gb2312 declared) ---


@pytest.mark.parametrize("label", ["gb2312", "shift_jis", "windows-1251", "iso-8859-1"])
def test_utf8_bytes_under_a_legacy_label_are_read_as_utf8(label: str) -> None:
    html = f'<meta charset="{label}"><p>\u4e2d\u6587\u65b0\u95fb \u2014 \u00e9t\u00e9 \u2019 \u041f\u0440\u0438\u0432\u0435\u0442</p>'
    decoded = decode_article(html.encode("utf-8"))
    assert decoded.text == html
    assert decoded.encoding == "utf-8" and decoded.how == UTF8_DESPITE_LABEL and decoded.label == label


def test_legacy_bytes_that_are_not_utf8_follow_their_label() -> None:
    html = '<meta charset="gb2312"><p>\u4e2d\u6587\u65b0\u95fb</p>'
    decoded = decode_article(html.encode("gb2312"))
    assert decoded.text == html and decoded.how == "<meta charset>"


def test_ascii_under_a_legacy_label_keeps_the_label() -> None:
    decoded = decode_article(b'<meta charset="windows-1251"><p>plain</p>')
    assert decoded.encoding == "cp1251" and decoded.how == "<meta charset>"
