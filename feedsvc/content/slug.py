"""Slugs: the file names of articles and the last segment of their URLs.

Pure. A slug is lower-case letters and digits of any script (with the
combining marks some scripts write words with) in hyphen-separated runs:
readable in a URL bar, safe as a file name, unable to climb out of
``/articles/``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from urllib.parse import unquote, urlsplit

__all__ = ["FALLBACK_SLUG", "MAX_SLUG_CHARS", "is_slug", "slug_from_url", "slugify", "unique_slug"]

MAX_SLUG_CHARS = 80
FALLBACK_SLUG = "article"
# Apostrophes join a word rather than split it: "Putin's" -> "putins", not "putin-s".
_APOSTROPHES = re.compile("['\u2019\u02bc\u2018`]")
# A path segment's file extension, as in "story.html" or "index.php".
_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$", re.IGNORECASE)


def _word_char(char: str, previous_is_word: bool) -> bool:
    category = unicodedata.category(char)
    # Marks (Devanagari vowel signs, viramas, …) belong to the letter before them.
    return category[0] in "LN" or (category[0] == "M" and previous_is_word)


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if _word_char(char, bool(current)):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def is_slug(text: str) -> bool:
    """Return True if ``text`` is a usable slug: composed, lower-case words joined by single hyphens."""
    if not text or text != unicodedata.normalize("NFC", text) or text != text.lower():
        return False
    return all(part and _words(part) == [part] for part in text.split("-"))


def slugify(text: str, max_chars: int = MAX_SLUG_CHARS) -> str:
    """Return a slug of ``text``: its words, lower-cased, joined by hyphens; "" if it has none."""
    # NFKC folds ligatures and full-width forms to plain letters; "İ" would lower to "i" + a dot mark.
    text = unicodedata.normalize("NFKC", text.replace("İ", "I"))
    words = _words(_APOSTROPHES.sub("", text).lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars:
            if not slug:  # one very long word: cut it, at a letter (not between letter and mark)
                cut = word[:max_chars]
                while cut and unicodedata.category(cut[-1])[0] == "M":
                    cut = cut[:-1]
                slug = cut
            break
        slug = candidate
    slug = unicodedata.normalize("NFC", slug)
    return slug if is_slug(slug) else ""


def slug_from_url(url: str) -> str:
    """Return a slug from the last meaningful path segment of ``url`` ("" if none)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    for segment in reversed([unquote(part) for part in path.split("/") if part]):
        slug = slugify(_EXTENSION.sub("", segment))
        if slug and slug not in ("index", "amp") and not slug.isdigit():
            return slug
    return ""


def unique_slug(base: str, taken: Container[str]) -> str:
    """Return ``base`` if it is free, else ``base-2``, ``base-3``, … (the first that is free)."""
    base = base or FALLBACK_SLUG
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = f"{base[: MAX_SLUG_CHARS - len(suffix)].rstrip('-')}{suffix}"
        if candidate not in taken:
            return candidate
        number += 1
