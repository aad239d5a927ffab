"""Small pure helpers for text that ends up in XML or HTML."""

from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF); lxml raises ValueError on them, so a feed built from text
# that still holds one fails as a whole.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# C1 controls and other code points XML 1.0 discourages: kept out of
# published text, since readers show them as boxes.
_DISCOURAGED = re.compile("[\x7f-\x84\x86-\x9f\ufdd0-\ufdef]")
_SPACE = re.compile(r"\s+")


def xml_safe(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 forbids or discourages."""
    return _DISCOURAGED.sub("", _XML_ILLEGAL.sub("", text))


def one_line(text: str) -> str:
    """Return ``text`` XML-safe, NFC-normalised, with runs of white space as one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", xml_safe(text))).strip()
