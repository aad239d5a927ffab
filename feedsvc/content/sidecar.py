"""The sidecar ``<slug>.toml``: the declared table of its keys and their validation.

Pure: takes the parsed TOML mapping, returns a :class:`Sidecar` or raises
:class:`~feedsvc.model.ContentError` naming the key, the value and what is
allowed. Reading the file is the content loader's job.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedsvc.content.slug import is_slug
from feedsvc.content.toml_text import joined
from feedsvc.metadata.dates import parse_date
from feedsvc.metadata.images import image_type
from feedsvc.model import ContentError, Image, PageMetadata, Site
from feedsvc.text import absolute_url, has_userinfo, language_tag, one_line, userinfo_refusal

__all__ = ["IMAGE_KEYS", "SIDECAR_KEYS", "STATUSES", "Sidecar", "SidecarKey", "parse_sidecar", "sidecar_problems"]

STATUSES = ("published", "draft", "withdrawn")


@dataclass(frozen=True)
class SidecarKey:
    name: str
    type: str  # as the reference shows it
    help: str


# docs/reference/settings.md is generated from this table (scripts/docs_reference.py).
SIDECAR_KEYS: tuple[SidecarKey, ...] = (
    SidecarKey("title", "string", "Headline; overrides the page's own."),
    SidecarKey(
        "published",
        "date-time, date or ISO 8601 string",
        "First publication; without an offset it is taken in the site's timezone, a bare date is midnight there.",
    ),
    SidecarKey("updated", "date-time, date or ISO 8601 string", "Last real change; left out, it equals 'published'."),
    SidecarKey("author", "string or list of strings", "Author name(s); overrides the page's byline."),
    SidecarKey("tags", "list of strings", "Tags; overrides the page's keywords and sections."),
    SidecarKey("summary", "string", "Plain-text summary; overrides the page's description."),
    SidecarKey(
        "id",
        "string (absolute URI)",
        "Pinned entry id, e.g. 'tag:example.org,2012:slug' or 'urn:uuid:…'; "
        "use it to keep an id when the slug or date changes.",
    ),
    SidecarKey(
        "status",
        "'published', 'draft' or 'withdrawn'",
        "A draft is loaded and checked but not published; a withdrawn article leaves the feeds, "
        "its page answers 410 Gone and its feeds carry a deletion tombstone.",
    ),
    SidecarKey("canonical_url", "string (http(s) URL)", "Where the article first appeared, if elsewhere."),
    SidecarKey(
        "image",
        "string (http(s) URL or /path) or table",
        "Lead image; a /path is taken under the site's base_url. As a table: url (required), alt, caption, "
        "credit, width, height (pixels), type (MIME, e.g. 'image/jpeg'), length (bytes; with type, it gives RSS "
        "an <enclosure>).",
    ),
    SidecarKey("language", "string (BCP 47 tag)", "Language of this article, when not the site's."),
    SidecarKey(
        "source_url",
        "string (http(s) URL)",
        "Written by `feedsvc import`: the URL the page was imported from, as given.",
    ),
    SidecarKey(
        "redirects",
        "list of strings (http(s) URLs)",
        "Written by `feedsvc import`: the redirects followed from `source_url`, in order; "
        "the last is where the page was read.",
    ),
    SidecarKey(
        "imported",
        "date-time",
        "Written by `feedsvc import`: when it last wrote this article; not shown to readers.",
    ),
    SidecarKey(
        "source",
        "string (a source name)",
        "Written by `feedsvc follow`: the name of the `[[source]]` of site.toml that brought the article; "
        "it is then also in that source's feeds, /sources/<name>/feed.atom.",
    ),
)

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


@dataclass(frozen=True)
class Sidecar:
    """What a sidecar says: metadata overrides, a pinned id and the status."""

    metadata: PageMetadata
    pinned_id: str | None = None
    status: str = "published"
    # Provenance written by `feedsvc import`; no reader sees it.
    source_url: str | None = None
    redirects: tuple[str, ...] = ()
    imported: datetime | None = None
    source: str | None = None  # the followed source that brought it (site.toml [[source]] name)


class _Invalid(ValueError):
    """A sidecar value that is not allowed; the message says what is."""


def _checked(data: Mapping[str, Any], site: Site) -> tuple[dict[str, Any], list[str]]:
    """Return the valid values of ``data`` and what is wrong with each of the others."""
    allowed = [key.name for key in SIDECAR_KEYS]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in data.items():
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(f"unknown key '{name}'; {hint}allowed keys: {', '.join(allowed)}")
            continue
        try:
            values[name] = _CHECKS[name](name, value, site)
        except _Invalid as error:
            problems.append(str(error))
    return values, problems


def sidecar_problems(data: Mapping[str, Any], site: Site) -> list[str]:
    """Return what is wrong with each key of sidecar data, all at once ([] if nothing)."""
    return _checked(data, site)[1]


def parse_sidecar(data: Mapping[str, Any], path: Path, site: Site) -> Sidecar:
    """Validate sidecar data read from ``path``; raise ContentError naming every bad key and its fix."""
    values, problems = _checked(data, site)
    if problems:
        raise ContentError(path, joined(problems))
    return Sidecar(
        metadata=PageMetadata(
            title=values.get("title"),
            published=values.get("published"),
            updated=values.get("updated"),
            authors=values.get("author", ()),
            summary=values.get("summary"),
            tags=values.get("tags", ()),
            canonical_url=values.get("canonical_url"),
            language=values.get("language"),
            image=values.get("image"),
        ),
        pinned_id=values.get("id"),
        status=values.get("status", "published"),
        source_url=values.get("source_url"),
        redirects=values.get("redirects", ()),
        imported=values.get("imported"),
        source=values.get("source"),
    )


def _text(name: str, value: Any, site: Site) -> str:
    text = one_line(value) if isinstance(value, str) else ""
    if not text:
        raise _Invalid(f"'{name}' must be a non-empty string, got {value!r}")
    return text


def _date(name: str, value: Any, site: Site) -> datetime:
    parsed = parse_date(value, site.timezone) if isinstance(value, (str, date)) else None
    if parsed is None:
        raise _Invalid(
            f"'{name}' must be a date such as 2021-11-23 or a date-time such as "
            f"2021-11-23T09:30:00+04:00 (without an offset it is taken in {site.timezone.key}), got {value!r}"
        )
    return parsed


def _strings(name: str, value: Any, example: str) -> tuple[str, ...]:
    # an empty list is allowed and says nothing, like a missing key
    items = value if isinstance(value, list) else [None]
    texts = [one_line(item) if isinstance(item, str) else "" for item in items]
    if not all(texts):
        raise _Invalid(f"'{name}' must be a list of non-empty strings such as {example}, got {value!r}")
    return tuple(texts)


def _authors(name: str, value: Any, site: Site) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_text(name, value, site),)
    try:
        return _strings(name, value, "['Jane Doe', 'John Roe']")
    except _Invalid:
        raise _Invalid(
            f"'{name}' must be a name or a list of names such as ['Jane Doe', 'John Roe'], got {value!r}"
        ) from None


def _tags(name: str, value: Any, site: Site) -> tuple[str, ...]:
    try:
        return _strings(name, value, "['politics', 'Armenia']")
    except _Invalid as error:
        if isinstance(value, str) and value.strip():
            # author = "…" takes one name: the same line for tags is the likeliest mistake; say the line to write
            one = one_line(value).replace("\\", "\\\\").replace('"', '\\"')
            raise _Invalid(f'{error}; one tag is a list too: {name} = ["{one}"]') from None
        raise


def _entry_id(name: str, value: Any, site: Site) -> str:
    text = value.strip() if isinstance(value, str) else ""
    scheme = text.split(":", 1)[0].lower()
    if not _URI.match(text) or (scheme in ("http", "https") and not urlsplit(text).netloc):
        raise _Invalid(
            f"'{name}' must be an absolute URI such as '{site.tag_uri('2021-11-23:my-article')}' "
            f"or 'urn:uuid:…', got {value!r}"
        )
    return text


def _urls(name: str, value: Any, site: Site) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [None]
    urls = tuple(absolute_url(item) if isinstance(item, str) else None for item in items)
    if not all(urls):
        raise _Invalid(
            f"'{name}' must be a list of absolute http(s) URLs such as ['https://example.org/a'], got {value!r}"
        )
    return urls  # type: ignore[return-value]


def _moment(name: str, value: Any, site: Site) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise _Invalid(f"'{name}' must be a date-time with an offset such as 2024-03-05T09:30:00Z, got {value!r}")
    return value


def _status(name: str, value: Any, site: Site) -> str:
    if value not in STATUSES:
        raise _Invalid(f"'{name}' must be one of {', '.join(map(repr, STATUSES))}, got {value!r}")
    return str(value)


def _url(name: str, value: Any, site: Site) -> str:
    url = absolute_url(value) if isinstance(value, str) else None
    if url is None:
        raise _Invalid(f"'{name}' must be an absolute http(s) URL such as 'https://example.org/a', got {value!r}")
    if has_userinfo(url):  # canonical_url is the article's link in the feeds and on its page
        raise _Invalid(userinfo_refusal(f"'{name}'", url, "would be published with the article"))
    return url


# The keys of an ``[image]`` table, and what each must be.
IMAGE_KEYS = ("url", "alt", "caption", "credit", "width", "height", "type", "length")


def _image(name: str, value: Any, site: Site) -> Image:
    if isinstance(value, dict):
        return _image_table(name, value, site)
    return Image(_image_url(name, value, site), origin="sidecar")


def _image_url(name: str, value: Any, site: Site) -> str:
    if isinstance(value, str) and value.strip().startswith("/") and not value.strip().startswith("//"):
        value = site.url(value.strip())
    try:
        return _url(name, value, site)
    except _Invalid:
        raise _Invalid(
            f"'{name}' must be an http(s) URL or a path such as '/images/a.jpg', or a table with such a url, "
            f"got {value!r}"
        ) from None


def _image_table(name: str, table: dict[str, Any], site: Site) -> Image:
    unknown = [key for key in table if key not in IMAGE_KEYS]
    if unknown:
        raise _Invalid(f"'{name}' has unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(IMAGE_KEYS)}")
    if "url" not in table:
        raise _Invalid(f'\'{name}\' needs a url, e.g. {name} = {{ url = "/images/a.jpg", alt = "…" }}')

    def text(key: str) -> str | None:
        return _text(f"{name}.{key}", table[key], site) if key in table else None

    def number(key: str) -> int | None:
        value = table.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
            raise _Invalid(f"'{name}.{key}' must be a whole number above 0, got {value!r}")
        return value

    kind = None
    if "type" in table:
        kind = image_type(table["type"])
        if kind is None:
            raise _Invalid(f"'{name}.type' must be an image MIME type such as 'image/jpeg', got {table['type']!r}")
    return Image(
        url=_image_url(f"{name}.url", table["url"], site),
        width=number("width"),
        height=number("height"),
        type=kind,
        alt=text("alt"),
        caption=text("caption"),
        length=number("length"),
        credit=text("credit"),
        origin="sidecar",
    )


def _source(name: str, value: Any, site: Site) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not is_slug(text):
        raise _Invalid(
            f"'{name}' must be the name of a [[source]] of site.toml, such as 'oc-media' (lower-case letters "
            f"and digits in hyphen-separated words), got {value!r}"
        )
    return text


def _language(name: str, value: Any, site: Site) -> str:
    tag = language_tag(value) if isinstance(value, str) else None
    if tag is None:
        raise _Invalid(f"'{name}' must be a BCP 47 language tag such as 'en' or 'ka', got {value!r}")
    return tag


_CHECKS: dict[str, Callable[[str, Any, Site], Any]] = {
    "title": _text,
    "published": _date,
    "updated": _date,
    "author": _authors,
    "tags": _tags,
    "summary": _text,
    "id": _entry_id,
    "status": _status,
    "canonical_url": _url,
    "image": _image,
    "language": _language,
    "source_url": _url,
    "redirects": _urls,
    "imported": _moment,
    "source": _source,
}
