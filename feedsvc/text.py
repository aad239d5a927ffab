"""Small pure helpers for text that ends up in XML or HTML."""

from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF); lxml raises ValueError on them, so a feed built from text
# that still holds one fails as a whole.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# C1 controls and other code points XML 1.0 discourages (the noncharacters,
# U+FDD0-U+FDEF and the last two of every plane): kept out of published
# text, since readers show them as boxes.
_NONCHARACTERS = "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17))
_DISCOURAGED = re.compile(f"[\x7f-\x84\x86-\x9f\ufdd0-\ufdef{_NONCHARACTERS}]")
# Both at once, for a quick "is there anything to remove?" test on long text.
XML_UNSAFE = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{_NONCHARACTERS}]"
)
# Explicit bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI
# FSI PDI). In a line of metadata (a title, a tag, a name) one left open
# reorders whatever a reader's list shows after it, the "Trojan Source"
# trick; the marks (LRM, RLM, ALM) that right-to-left text needs are kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


def xml_safe(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 forbids or discourages."""
    return _DISCOURAGED.sub("", _XML_ILLEGAL.sub("", text)) if XML_UNSAFE.search(text) else text


def one_line(text: str) -> str:
    """Return ``text`` XML-safe, NFC-normalised, without bidi controls, with runs of white space as one space.

    White space includes line and paragraph separators (U+2028, U+2029).
    """
    return _SPACE.sub(" ", _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", xml_safe(text)))).strip()
