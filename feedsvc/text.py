"""Small pure helpers for text that ends up in XML or HTML, and the normalisers of metadata values.

Pure; the normalisers (plain text, URLs, language tags, keywords) return an
empty value rather than raising on odd input.
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from collections.abc import Iterable, Set
from urllib.parse import urlsplit

__all__ = [
    "XML_UNSAFE",
    "absolute_url",
    "collapsed_length",
    "dedupe",
    "has_userinfo",
    "language_tag",
    "markup_tokens",
    "one_line",
    "plain",
    "shorten",
    "site_host",
    "split_keywords",
    "strip_markup",
    "unspaced_chars",
    "userinfo_refusal",
    "without_userinfo",
    "xml_safe",
    "xml_safe_utf8",
]

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF); lxml raises ValueError on them, so a feed built from text
# that still holds one fails as a whole.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# C1 controls and other code points XML 1.0 discourages (the noncharacters,
# U+FDD0-U+FDEF and the last two of every plane): kept out of published
# text, since readers show them as boxes.
_NONCHARACTERS = "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17))
# A class listing the 32 astral noncharacters makes every character of a page cost a long test
# (50 ms on a 200 kB page); one range finds the rare candidates and a lookbehind confirms them.
_ASTRAL_NONCHARACTER = f"[\U0001fffe-\U0010ffff](?<=[{_NONCHARACTERS}])"
_DISCOURAGED = re.compile(f"[\x7f-\x84\x86-\x9f\ufdd0-\ufdef]|{_ASTRAL_NONCHARACTER}")
# Both at once, for a quick "is there anything to remove?" test on long text.
XML_UNSAFE = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]|{_ASTRAL_NONCHARACTER}"
)
# Explicit bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI
# FSI PDI). In a line of metadata (a title, a tag, a name) one left open
# reorders whatever a reader's list shows after it, the "Trojan Source"
# trick; the marks (LRM, RLM, ALM) that right-to-left text needs are kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


# The same test on the page's UTF-8 bytes, five times faster on long pages than any
# character class (Python's regex engine tests a class byte by byte; a literal first byte
# is found by a fast scan): a lone surrogate cannot be encoded; one bytes.translate
# keeps the C0 controls, DEL, the lead bytes of astral characters and the two lead bytes
# the patterns below start with; the C1
# controls (U+0080-U+0084, U+0086-U+009F: C2 80-84, C2 86-9F) and the BMP
# noncharacters (U+FDD0-U+FDEF: EF B7 90-AF; U+FFFE/U+FFFF: EF BF BE/BF) start with
# a literal byte, and each pattern is searched only on a page that holds its first byte (the kept
# bytes say so: nine pages in ten hold no EF, one in five no C2; each search is a pass over the page);
# an astral noncharacter (U+nFFFE/U+nFFFF: F0-F4, then 8F/9F/AF/BF,
# BF, BE/BF) is confirmed around each BF BE/BF, only on pages that hold astral characters.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_ASTRAL_LEADS = bytes(range(0xF0, 0xF5))
_PATTERN_LEADS = b"\xc2\xef"
_UNSUSPECT_BYTES = bytes(
    i for i in range(256) if i not in _CONTROL_BYTES and i not in _ASTRAL_LEADS and i not in _PATTERN_LEADS
)
_LEAD_BYTES = _ASTRAL_LEADS + _PATTERN_LEADS
_C1 = re.compile(rb"\xc2[\x80-\x84\x86-\x9f]")  # two patterns: each starts with a literal byte
_BMP_NONCHARACTER = re.compile(rb"\xef(?:\xb7[\x90-\xaf]|\xbf[\xbe\xbf])")
_NONCHARACTER_END = re.compile(rb"\xbf(?=[\xbe\xbf])")
# Below this length the one regex is quicker than encoding.
_SHORT = 256


# White space as str.split() reads it (what feedsvc.clean.dom.collapsed takes out), in UTF-8: ten ASCII bytes, and
# U+0085 and U+00A0 (C2 85, C2 A0), U+2000-U+200A, U+2028, U+2029, U+202F (E2 80 80-8A, A8, A9, AF),
# U+205F (E2 81 9F), U+1680 (E1 9A 80) and U+3000 (E3 80 80). Each pattern starts with a literal
# byte, which the regex engine finds by a fast scan (one class of four lead bytes is tested byte by
# byte, and a bytes.count of a three-byte sequence is slow in CJK text, where E3 and 80 abound).
_ASCII_SPACES = bytes([*range(0x09, 0x0E), *range(0x1C, 0x21)])
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))
# Deleted to count: the ASCII white space, and continuation bytes (a character counts by its first byte).
_NOT_COUNTED = _ASCII_SPACES + _CONTINUATION_BYTES
_WIDE_SPACES = (
    re.compile(rb"\xc2[\x85\xa0]"),
    re.compile(rb"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)"),
    re.compile(rb"\xe1\x9a\x80"),
    re.compile(rb"\xe3\x80\x80"),
)


def unspaced_chars(data: bytes) -> int:
    """Return how many characters of the UTF-8 ``data`` are not white space: ``sum(map(len, data.decode().split()))``."""
    if data.isascii():
        return len(data.translate(None, _ASCII_SPACES))
    count = len(data.translate(None, _NOT_COUNTED))
    for wide in _WIDE_SPACES:
        count -= len(wide.findall(data))
    return count


# A mark per byte of UTF-8: ASCII white space " ", any other byte "x" (continuation bytes are deleted with
# the table: a character is marked once, by its first byte). A word starts at each " x" and at a first "x".
_SPACE_MARKS = bytes.maketrans(bytes(range(256)), bytes(0x20 if i in _ASCII_SPACES else 0x78 for i in range(256)))


def collapsed_length(text: str) -> int:
    """Return ``len(" ".join(text.split()))``: the characters of ``text``'s words and one space between each two.

    Counted in C from its UTF-8 (a translation to one mark a character and
    three counts of the marks), without a ``str`` per word: ``split`` makes
    one for each of an article's thousand words, at twice the cost. The
    wide spaces (U+00A0...) are made ASCII spaces first, when there are any.
    """
    data = text.encode("utf-8", "surrogatepass")
    if not data.isascii():
        for wide in _WIDE_SPACES:
            if wide.search(data) is not None:
                data = wide.sub(b" ", data)
    marks = data.translate(_SPACE_MARKS, _CONTINUATION_BYTES)
    words = marks.count(b" x") + marks.startswith(b"x")
    return len(marks) - marks.count(b" ") + words - 1 if words else 0


def has_xml_unsafe(text: str) -> bool:
    """Return True if ``text`` holds a character that ``XML_UNSAFE`` matches (what ``xml_safe`` removes)."""
    if len(text) < _SHORT:
        return XML_UNSAFE.search(text) is not None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return _utf8_unsafe(data)


def xml_safe_utf8(text: str) -> bytes | None:
    """Return ``text`` as UTF-8 if it holds nothing ``xml_safe`` removes (``not has_xml_unsafe(text)``), else None.

    ``has_xml_unsafe`` encodes a long text to test it: a caller that needs the
    bytes too (the cleaner's HTML5 parser reads UTF-8) gets them from that one encoding.
    """
    if len(text) < _SHORT:
        return None if XML_UNSAFE.search(text) is not None else text.encode("utf-8")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return None if _utf8_unsafe(data) else data


def _utf8_unsafe(data: bytes) -> bool:
    """``has_xml_unsafe`` of the text whose UTF-8 is ``data``."""
    suspects = data.translate(None, _UNSUSPECT_BYTES)
    if not suspects:
        return False
    if suspects.translate(None, _LEAD_BYTES):  # a C0 control or DEL
        return True
    if suspects.translate(None, _PATTERN_LEADS):  # an astral character's lead byte
        for match in _NONCHARACTER_END.finditer(data):
            i = match.start()
            if i >= 2 and data[i - 2] in _ASTRAL_LEADS and data[i - 1] in b"\x8f\x9f\xaf\xbf":
                return True
    return (b"\xc2" in suspects and _C1.search(data) is not None) or (
        b"\xef" in suspects and _BMP_NONCHARACTER.search(data) is not None
    )


def xml_safe(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 forbids or discourages."""
    return _DISCOURAGED.sub("", _XML_ILLEGAL.sub("", text)) if has_xml_unsafe(text) else text


def one_line(text: str) -> str:
    """Return ``text`` XML-safe, NFC-normalised, without bidi controls, with runs of white space as one space.

    White space includes line and paragraph separators (U+2028, U+2029).
    """
    return _SPACE.sub(" ", _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", xml_safe(text)))).strip()


_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_KEYWORD_SEPARATOR = re.compile(r"[,;]")
# A character reference ending a text, its ";" to come: "&amp", "&#8217", "&#x2019".
_REFERENCE_END = re.compile(r"&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*)$")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|li|h[1-6]|blockquote)|br)\b[^<>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Markup that is never text: tags, comments, doctypes and processing instructions.
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?(?:-->|$)|<[!?/][^<>]*>", re.DOTALL)
# Passes of tag removal ("<<b>script>" needs two); each pass is linear, so hostile
# nesting stays cheap, and whatever still looks like a tag's start loses its "<".
_MARKUP_PASSES = 4
_ANGLE_BEFORE_LETTER = re.compile(r"<(?=[A-Za-z/!?])")


def plain(value: str, shown: Set[str] = frozenset()) -> str:
    """Return a meta or JSON-LD value as one line of XML-safe plain text: tags stripped, entities decoded.

    Markup that only shows up once entities are decoded ("&lt;script&gt;") is
    stripped too: a title must be text wherever it lands, RSS readers that
    read titles as HTML included. ``shown``: the markup-looking texts the page
    shows as text (``<br>`` of a heading that writes ``&lt;br&gt;``), kept as
    :func:`strip_markup` keeps them.
    """
    # Values are short and already out of the document tree, so a tag pattern is
    # enough; parsing them as HTML would swallow text after a stray <title> or <textarea>.
    # a block tag leaves a space, an inline one nothing; one the page shows as text stays as written
    text = _BLOCK_TAG.sub(lambda tag: tag[0] if one_line(tag[0]) in shown else " ", xml_safe(value))
    text = _INLINE_TAG.sub(lambda tag: tag[0] if one_line(tag[0]) in shown else "", text)
    return strip_markup(one_line(html.unescape(text)), shown)


def markup_tokens(text: str) -> list[str]:
    """Return what in ``text`` a browser would read as a tag or comment, each on one line ("<br>", "</b>")."""
    return [one_line(token) for token in _MARKUP.findall(text)] if "<" in text else []


def strip_markup(text: str, shown: Set[str] = frozenset()) -> str:
    """Return ``text`` without anything a browser would read as a tag or comment; other "<" and "&" stay.

    For values that are plain text by definition (a sidecar title, a tag):
    "Why 2 < 3" and "AT&T" are kept, "<script>…</script>" loses its tags.
    ``shown``: markup-looking texts (:func:`markup_tokens`) the source page shows as
    text, which stay: an essay titled "30 Years of <br> Tags" keeps its ``<br>``,
    published as text (escaped wherever the title lands), never as a tag.
    """
    if "<" not in text:
        return text
    kept = sorted((token for token in shown if token in text), key=len, reverse=True) if shown else []
    if not kept:
        return one_line(_without_markup(text))
    # the kept texts split the value; each piece between them is stripped alone, so a kept "<br>"
    # neither loses its "<" nor completes a tag with what surrounds it
    pieces = re.split(f"({'|'.join(map(re.escape, kept))})", text)
    return one_line("".join(piece if index % 2 else _without_markup(piece) for index, piece in enumerate(pieces)))


def _without_markup(text: str) -> str:
    """:func:`strip_markup` of ``text`` with its white space as it was."""
    for _ in range(_MARKUP_PASSES):
        stripped = _MARKUP.sub("", text)
        if stripped == text:
            break
        text = stripped
    # What is left that a parser could still take for the start of a tag ("<script" with no ">"
    # yet, "<?"): its "<" goes; "a < b" and "<3" stay.
    return _ANGLE_BEFORE_LETTER.sub("", text)


def absolute_url(value: str) -> str | None:
    """Return ``value`` if it is an absolute http(s) URL ("//host/x" taken as https), else None."""
    url = value.strip()
    if url.startswith("//"):
        url = "https:" + url
    if _SPACE_OR_CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def site_host(url: str | None) -> str:
    """Return the host that names the site of ``url``: "" for none, or for text that is not a URL.

    Lower case, without user, port or the root's trailing dot, and without a
    leading ``www.``: ``https://user@WWW.Example.org.:8443/a`` and
    ``//example.org/b`` are one site's. Only ``www.`` goes: ``www2.`` or
    ``news.`` often name another server, with other pages and other rules.
    A Unicode host stays Unicode, as a page's title would write it.
    """
    if not url:
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # "http://[::1": a bracket left open
        return ""
    return host.rstrip(".").removeprefix("www.")


# The "user:password@" after a URL's "scheme://" (or a leading "//"): what a message must not repeat. It
# ends at the last "@" before the path, as URL parsers read it, so an "@" inside the password goes too;
# anchored at the start, so an "@" further on (a path's "//a@b") stays.
_USERINFO = re.compile(r"^(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#\\]*@")


def without_userinfo(url: str) -> str:
    """Return ``url`` without its user and password: what a message, a log line or a page may show of it.

    ``https://editor:s3cret@example.org/feed`` is shown as ``https://example.org/feed``.
    Pure text work, so it never raises: text that is not a URL (a bracket left
    open) loses whatever looks like userinfo all the same.
    """
    return _USERINFO.sub(r"\1", url, count=1) if "@" in url else url


def has_userinfo(url: str) -> bool:
    """Return True if ``url`` carries a user or password (``https://user:pass@host/``)."""
    return without_userinfo(url) != url


def userinfo_refusal(subject: str, url: str, harm: str) -> str:
    """Return the one wording of "this URL carries a user and password": what, why it is refused, and the fix.

    ``subject`` names what carries it (a key, a URL as shown), ``harm`` says what the secret would do
    ("would be published with the article"). The fix shows ``url`` without its user and password, so
    the message itself never repeats the secret.
    """
    return (
        f"{subject} carries a user name or password, which {harm}: "
        f"remove the 'user:password@' part, giving {without_userinfo(url)!r}"
    )


def shorten(text: str, max_chars: int) -> str:
    """Return ``text`` cut to at most ``max_chars`` characters at a word boundary, ending with "…" when cut."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    space = cut.rfind(" ")
    if space > max_chars * 0.6:  # a word boundary not too far back; else cut inside the word
        cut = cut[:space]
    return cut.rstrip(" ,;:—–-(") + "…"


def language_tag(value: str) -> str | None:
    """Return ``value`` as a BCP 47 tag ("en_GB" becomes "en-GB"), or None if it is not one."""
    tag = value.strip().replace("_", "-")
    return tag if _LANGUAGE.match(tag) else None


def split_keywords(value: str, shown: Set[str] = frozenset()) -> list[str]:
    """Return the tags in a comma- or semicolon-separated keywords string; ``shown`` as :func:`plain` takes it."""
    return [tag for tag in (plain(part, shown) for part in _keywords(value)) if tag]


def _keywords(value: str) -> list[str]:
    """Return the parts of a keywords string between its commas and semicolons.

    A semicolon that ends a character reference is the reference's ("Food &amp; Drink Trends", a JSON-LD
    ``articleSection`` a CMS escaped); one after a name HTML does not know separates ("AT&T; Verizon").
    """
    parts = []
    start = 0
    for separator in _KEYWORD_SEPARATOR.finditer(value):
        before = _REFERENCE_END.search(value, start, separator.start())
        if separator[0] == ";" and before is not None and _is_reference(before[1]):
            continue
        parts.append(value[start : separator.start()])
        start = separator.end()
    parts.append(value[start:])
    return parts


def _is_reference(name: str) -> bool:
    """Say whether ``name`` (between "&" and ";") is a character reference HTML decodes: "amp", "#8217", "#x2019"."""
    return name.startswith("#") or f"{name};" in html.entities.html5


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Return the non-empty ``values`` once each, ignoring case, first spelling kept."""
    seen: set[str] = set()
    kept = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)
