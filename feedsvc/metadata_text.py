"""Normalisers shared by the metadata sources: plain text, URLs, language tags, tags.

Pure; each returns an empty value rather than raising on odd input.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from .text import one_line, xml_safe

_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_KEYWORD_SEPARATOR = re.compile(r"[,;]")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|li|h[1-6]|blockquote)|br)\b[^<>]*>", re.IGNORECASE)
_INLINE_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def plain(value: str) -> str:
    """Return a meta or JSON-LD value as one line of XML-safe plain text: tags stripped, entities decoded."""
    # Values are short and already out of the document tree, so a tag pattern is
    # enough; parsing them as HTML would swallow text after a stray <title> or <textarea>.
    text = _INLINE_TAG.sub("", _BLOCK_TAG.sub(" ", xml_safe(value)))
    return one_line(html.unescape(text))


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


def language_tag(value: str) -> str | None:
    """Return ``value`` as a BCP 47 tag ("en_GB" becomes "en-GB"), or None if it is not one."""
    tag = value.strip().replace("_", "-")
    return tag if _LANGUAGE.match(tag) else None


def split_keywords(value: str) -> list[str]:
    """Return the tags in a comma- or semicolon-separated keywords string."""
    return [tag for tag in (plain(part) for part in _KEYWORD_SEPARATOR.split(value)) if tag]


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
