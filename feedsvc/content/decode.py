"""Bytes to text as a browser would, and telling HTML from files that are not.

Pure. Follows the WHATWG Encoding Standard where it matters for saved pages:
a BOM wins, then a ``<meta charset>`` in the first 1024 bytes (unless the
bytes are plainly UTF-8: a page converted with its old label kept), then UTF-8 if
the bytes are valid UTF-8 (or mostly: a page of UTF-8 text with a few broken
bytes is still UTF-8, as browsers' detectors find), else windows-1252. Bytes
the encoding cannot decode become U+FFFD, counted so the loader can say so.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass, replace

__all__ = [
    "BOMS",
    "REPLACEMENT_LABELS",
    "SIGNATURES",
    "UTF8_DESPITE_LABEL",
    "Decoded",
    "binary_reason",
    "codec_for_label",
    "decode_article",
    "decode_html",
    "is_refused",
    "looks_binary",
    "mend_double_utf8",
]

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
BOMS = _BOMS  # (byte order mark, codec), for callers that must tell whether one is there
_PRESCAN_BYTES = 1024
# Decoded.how for a page whose <meta charset> names a legacy encoding but whose bytes are UTF-8.
UTF8_DESPITE_LABEL = "UTF-8 despite its <meta charset>"
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
# Matches <meta charset=x> and <meta http-equiv=content-type content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9._:+-]+)", re.IGNORECASE)
# WHATWG labels whose meaning differs from Python's codec of the same name.
_WHATWG_LABELS = {
    **dict.fromkeys(
        "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
        "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252".split(),
        "cp1252",
    ),
    **dict.fromkeys("iso-8859-9 iso8859-9 iso_8859-9 latin5 l5 windows-1254".split(), "cp1254"),
    **dict.fromkeys("iso-8859-11 iso8859-11 tis-620 dos-874 windows-874".split(), "cp874"),
    **dict.fromkeys("gb2312 gbk x-gbk chinese csgb2312 gb_2312-80".split(), "gb18030"),
    **dict.fromkeys("euc-kr ks_c_5601-1987 korean windows-949 cseuckr".split(), "cp949"),
    **dict.fromkeys("shift_jis sjis ms_kanji windows-31j x-sjis csshiftjis".split(), "cp932"),
    "big5": "big5hkscs",
    # A <meta> readable as ASCII cannot be in UTF-16, so WHATWG reads such pages as UTF-8.
    **dict.fromkeys("utf-16 utf-16le utf-16be unicode ucs-2 unicodefffe".split(), "utf-8"),
}
# Python codecs that are not byte encodings of HTML text.
_NOT_HTML_CODECS = frozenset({"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode", "utf-7"})
_ASCII_PROBE = '<meta charset="x">'
# Python's codecs behind the WHATWG "replacement" labels below, reached by their other names ("hz", "csiso2022kr").
_REFUSED_CODECS = frozenset({"hz", "iso2022_kr"})
# Labels of the WHATWG "replacement" encoding: encodings browsers refuse to decode
# (their escape sequences have been used to smuggle markup past filters).
REPLACEMENT_LABELS = frozenset("csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement".split())
# windows-1252 as WHATWG defines it: the five bytes Python's cp1252 leaves
# undefined map to the C1 controls of the same value, so decoding never fails.
_CP1252_HIGH = {byte: bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xA0)}
# File signatures worth a precise message: (magic, what it is and the fix).
SIGNATURES = (
    (b"\x1f\x8b", "is gzip-compressed; decompress it (gunzip) and save the plain .html file"),
    (b"PK\x03\x04", "is a ZIP archive (or an .docx/.epub); unpack it and save the article as .html"),
    (b"%PDF-", "is a PDF, not HTML; export the article as HTML"),
    (b"BZh", "is bzip2-compressed; decompress it (bunzip2) and save the plain .html file"),
    (b"\xfd7zXZ\x00", "is xz-compressed; decompress it (unxz) and save the plain .html file"),
    (b"\x28\xb5\x2f\xfd", "is zstd-compressed; decompress it (unzstd) and save the plain .html file"),
    (b"\x89PNG", "is a PNG image, not HTML; put images next to the article, not in a .html file"),
    (b"\xff\xd8\xff", "is a JPEG image, not HTML; put images next to the article, not in a .html file"),
    (b"GIF8", "is a GIF image, not HTML; put images next to the article, not in a .html file"),
)
_SNIFF_BYTES = 8192
# Share of control characters above which decoded "text" is taken for binary.
_MAX_CONTROL_SHARE = 0.1
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# Share of NUL bytes in the first bytes above which a file is binary, not text with a stray NUL.
_MAX_NUL_SHARE = 0.01


@dataclass(frozen=True)
class Decoded:
    """A page's text and how it was decoded."""

    text: str
    encoding: str  # the Python codec used, or "replacement" (a label browsers refuse to decode)
    how: str  # "byte order mark", "<meta charset>", "UTF-8", UTF8_DESPITE_LABEL or "windows-1252": what chose it
    replaced: int = 0  # byte sequences the encoding could not decode, now U+FFFD
    label: str = ""  # the charset as the page declared it, if it did
    repaired: int = 0  # characters that were UTF-8 decoded as Latin-1 before the page was saved, now mended


_counter = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    _counter.replaced = getattr(_counter, "replaced", 0) + 1
    return "\ufffd", error.end  # type: ignore[attr-defined]


codecs.register_error("feedsvc.count-replace", _count_and_replace)


def _decode_counting(data: bytes, codec: str) -> tuple[str, int]:
    """Decode with U+FFFD for what cannot be decoded (as browsers do); return the text and how many."""
    _counter.replaced = 0
    text = data.decode(codec, errors="feedsvc.count-replace")
    return text, _counter.replaced


def decode_html(data: bytes) -> str:
    """Return ``data`` decoded as a browser would: BOM, <meta charset>, UTF-8, else windows-1252."""
    return decode_article(data).text


def decode_article(data: bytes) -> Decoded:
    """Decode ``data`` as :func:`decode_html` does; say which encoding and how many bytes were undecodable.

    UTF-8 text that was once decoded as Latin-1 and saved as UTF-8 again
    (U+00E2 U+0080 U+0099 for U+2019 in "you’re", U+00C2 U+00A0 for a no-break space; a
    saving tool's mistake, shown by browsers as "youâre") is mended: see :func:`mend_double_utf8`.
    """
    decoded = _decode_article(data)
    if decoded.encoding != "utf-8" or _C1_IN_UTF8.search(data) is None:
        return decoded
    text, repaired = mend_double_utf8(decoded.text)
    return replace(decoded, text=text, repaired=repaired) if repaired else decoded


# A C1 control (U+0080-U+009F) as UTF-8: no text holds one, but UTF-8 read as
# Latin-1 is full of them (the continuation bytes of "\u2019", "\u2014", …).
_C1_IN_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
# A UTF-8 sequence read as Latin-1: a lead byte and its continuation bytes, one character each.
_LATIN1_UTF8 = re.compile("[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_C1 = re.compile("[\x80-\x9f]")


def mend_double_utf8(text: str) -> tuple[str, int]:
    """Return ``text`` with UTF-8 that was read as Latin-1 mended, and how many characters were.

    Only when the text shows it beyond doubt: at least one such sequence
    holds a C1 control, a character no text holds (a page decoded as
    windows-1252 never has them). Then every sequence that reads as valid
    UTF-8 is mended (a no-break space, U+00C2 U+00A0, too); Latin-1 letters that
    do not form one stay as they are.
    """
    if not any(_C1.search(match.group()) for match in _LATIN1_UTF8.finditer(text)):
        return text, 0
    mended = 0

    def mend(match: re.Match[str]) -> str:
        nonlocal mended
        try:
            char = match.group().encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return match.group()
        mended += 1
        return char

    return _LATIN1_UTF8.sub(mend, text), mended


def _decode_article(data: bytes) -> Decoded:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, replaced = _decode_counting(data[len(bom) :], codec)
            return Decoded(text, codec, "byte order mark", replaced)
    label = _declared_label(data[:_PRESCAN_BYTES])
    if label and is_refused(label):
        return Decoded("\ufffd", "replacement", "<meta charset>", len(data), label)
    declared = codec_for_label(label) if label else None
    if declared is not None and declared != "utf-8" and _is_plain_utf8(data):
        # Saved or converted to UTF-8 with the old <meta> left in place: a browser would follow the
        # label and garble every non-ASCII letter. Legacy-encoded text with non-ASCII letters is
        # almost never also valid UTF-8, so the bytes are the better witness.
        return Decoded(data.decode("utf-8"), "utf-8", UTF8_DESPITE_LABEL, 0, label or "")
    if declared == "cp1252":
        return Decoded(_decode_cp1252(data), "cp1252", "<meta charset>", 0, label or "")
    if declared is not None:
        text, replaced = _decode_counting(data, declared)
        return Decoded(text, declared, "<meta charset>", replaced, label or "")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "UTF-8")
    except UnicodeDecodeError:
        pass
    text, replaced = _decode_counting(data, "utf-8")
    # Mostly UTF-8 with a few broken bytes (a bad paste, a truncated copy) stays UTF-8:
    # windows-1252 would garble every accented letter to fix a few characters.
    multibyte = sum(1 for char in text if char > "\x7f") - text.count("\ufffd")
    if multibyte >= replaced:
        return Decoded(text, "utf-8", "UTF-8", replaced)
    return Decoded(_decode_cp1252(data), "cp1252", "windows-1252")


def _is_plain_utf8(data: bytes) -> bool:
    """Return whether ``data`` is valid UTF-8 holding non-ASCII text and no C1 control.

    A C1 control (U+0080-U+009F) is never text: UTF-8 holding one is UTF-8 read as
    Latin-1 and saved again, which the declared label decodes better than UTF-8 does.
    """
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _C1_IN_UTF8.search(data) is None


def codec_for_label(label: str) -> str | None:
    """Return the Python codec for a WHATWG/IANA charset label, or None if it is unknown or refused.

    The one codec policy of feedsvc (the loader's ``<meta charset>``, the importer's Content-Type):
    labels browsers refuse to decode (:data:`REPLACEMENT_LABELS`, and Python's other names for
    those codecs) give None, as do codecs that are not ASCII-compatible.
    """
    label = label.strip().lower()
    if label in REPLACEMENT_LABELS:
        return None
    name = _WHATWG_LABELS.get(label)
    if name is None:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return None
        name = _WHATWG_LABELS.get(name, name)
    if name in _NOT_HTML_CODECS or name in _REFUSED_CODECS:
        return None
    try:
        # Only an ASCII-compatible encoding could have let us read the <meta> at all.
        if _ASCII_PROBE.encode(name) != _ASCII_PROBE.encode("ascii"):
            return None
    except (LookupError, UnicodeError):
        return None
    return name


def is_refused(label: str) -> bool:
    """Say whether ``label`` names an encoding browsers refuse to decode (read as U+FFFD alone)."""
    label = label.strip().lower()
    if label in REPLACEMENT_LABELS:
        return True
    try:
        return codecs.lookup(label).name in _REFUSED_CODECS
    except LookupError:
        return False


def binary_reason(data: bytes) -> str | None:
    """Return why ``data`` is not an HTML text file (and what to do), or None if it may be."""
    for magic, reason in SIGNATURES:
        if data.startswith(magic):
            return reason
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        even_nuls, odd_nuls = even.count(0) / max(len(even), 1), odd.count(0) / max(len(odd), 1)
        # UTF-16 text: NULs in one half (the high bytes of ASCII), hardly any in the other
        if max(even_nuls, odd_nuls) > 0.3 and min(even_nuls, odd_nuls) < 0.05:
            return "looks like UTF-16 without a byte order mark; save it as UTF-8"
        if head.count(0) > len(head) * _MAX_NUL_SHARE:
            return "contains NUL bytes, so it is a binary file, not HTML; replace it with the article's HTML"
    return None  # a stray NUL in a text file is dropped as browsers drop it


def looks_binary(text: str) -> bool:
    """Return True if decoded ``text`` is mostly control characters rather than text."""
    head = text[:_SNIFF_BYTES]
    return bool(head) and len(_CONTROL.findall(head)) > len(head) * _MAX_CONTROL_SHARE


def _declared_label(head: bytes) -> str | None:
    match = _META_CHARSET.search(_COMMENT.sub(b"", head))
    return match.group(1).decode("ascii") if match else None


def _decode_cp1252(data: bytes) -> str:
    return data.decode("latin-1").translate(_CP1252_HIGH)
