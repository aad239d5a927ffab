"""content/decode.py: the one codec policy: labels browsers refuse are refused everywhere (loader and importer)."""

from __future__ import annotations

import pytest

from feedsvc.content.decode import codec_for_label, is_refused


@pytest.mark.parametrize("label", ["hz-gb-2312", "HZ-GB-2312", "hz", "iso-2022-kr", "csiso2022kr", "replacement"])
def test_codec_for_label_refuses_what_browsers_refuse(label: str) -> None:
    assert codec_for_label(label) is None and is_refused(label)


@pytest.mark.parametrize("label", ["utf-8", "windows-1251", "iso-2022-jp", "gbk"])
def test_codec_for_label_keeps_what_browsers_decode(label: str) -> None:
    assert codec_for_label(label) is not None and not is_refused(label)
