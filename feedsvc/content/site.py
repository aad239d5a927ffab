"""Site settings: the declared table of ``site.toml`` keys and their validation.

Pure: takes the parsed TOML mapping, returns a :class:`~feedsvc.model.Site`
or raises :class:`SiteConfigError` naming the key and what is allowed.
Reading the file is the content loader's job.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedsvc.content.pictures import PICTURE_TYPES
from feedsvc.content.toml_text import joined
from feedsvc.model import Site, SiteImage

__all__ = [
    "ARTICLES_PER_PAGE",
    "ARTICLES_PER_PAGE_RANGE",
    "MAX_ARTICLE_BYTES_RANGE",
    "PICTURE_MAX_BYTES",
    "SETTINGS",
    "Setting",
    "SiteConfigError",
    "follows_listen_port",
    "parse_site",
    "served_base_url",
    "site_problems",
]


class SiteConfigError(ValueError):
    """``site.toml`` is missing a key or has a value that is not allowed."""


@dataclass(frozen=True)
class Setting:
    """One ``site.toml`` key: its name, its default as written in ``site.toml`` (None: required), its help."""

    name: str
    default: Any  # None: required
    help: str


def _default(name: str) -> Any:
    """Return the default of ``name`` as site.toml writes it, from :class:`~feedsvc.model.Site`, the one table.

    None for a required key; "no value" (None) is written "" and a time zone by its name.
    """
    (field,) = (f for f in fields(Site) if f.name == name)
    if field.default is MISSING:
        return None
    if field.default is None:
        return ""
    if isinstance(field.default, ZoneInfo):
        return field.default.key
    return field.default


def _declared(name: str, help: str) -> Setting:
    return Setting(name, _default(name), help)


# Articles on each page of the home page and of every tag and author page. 25: a few
# more than the site's feed carries (entries_per_feed, 20), so page 1 shows all a
# subscriber sees; about 20 KB of HTML a page (5 KB gzipped: one round trip),
# rendered and compressed in ~10 ms. WordPress and Hugo show 10 by default, which
# makes a news site of 10,000 articles 1,000 pages deep; 25 keeps it at 400. 50 would
# double every page for readers who mostly read the first screen.
ARTICLES_PER_PAGE: int = _default("articles_per_page")
ARTICLES_PER_PAGE_RANGE = (1, 1000)

# Bounds of max_article_bytes: below, no real article fits; above, one file costs the
# cleaner seconds and hundreds of megabytes.
MAX_ARTICLE_BYTES_RANGE = (1024, 64 * 1024 * 1024)

# Largest icon or logo file: a favicon is a few kilobytes, a logo tens; megabytes are a photo by mistake,
# which every feed reader would fetch for every subscriber.
PICTURE_MAX_BYTES = 1024 * 1024
_PICTURE_SUFFIXES = ", ".join(sorted(PICTURE_TYPES))

# Every site.toml key, with its default from Site (the one table of them) and its help; the
# docs' table of settings is checked against this one by the tests.
SETTINGS: tuple[Setting, ...] = (
    _declared("title", "Site name; the feed title and the page header."),
    _declared("subtitle", "One line under the title; the feed subtitle."),
    _declared(
        "base_url",
        "Absolute http(s) URL the site is reached at; every link in feeds and pages starts here.",
    ),
    _declared(
        "id_authority",
        "RFC 4151 tagging entity 'domain-or-email,YYYY[-MM[-DD]]' you controlled on that date; "
        "entry ids are tag URIs under it, so they survive moves to a new base_url.",
    ),
    _declared("language", "BCP 47 language tag of the site's articles (xml:lang, <html lang>)."),
    _declared(
        "timezone",
        "IANA time zone name; dates written without an offset are taken in it.",
    ),
    _declared("default_author", "Author named on an article that names none."),
    _declared(
        "entries_per_feed",
        "How many of the newest articles each subscription feed carries (1-1000); older ones are in the archives.",
    ),
    _declared(
        "summary_words",
        "Length, in words, of a summary made from the first paragraph when the page has none.",
    ),
    _declared(
        "feed_max_bytes",
        "Byte budget of each subscription feed (1000-100000000): the oldest entries are left to the "
        "archives until the document fits, but a feed always keeps its newest entry.",
    ),
    _declared("feed_max_age", "Cache-Control max-age of feeds, in seconds (0-86400)."),
    _declared(
        "feed_stale_while_revalidate",
        "Cache-Control stale-while-revalidate of feeds, in seconds (0-604800; 0 leaves it out).",
    ),
    _declared(
        "tombstone_days",
        "Days a withdrawn article stays in the Atom feeds as an RFC 6721 tombstone (0-3650).",
    ),
    _declared(
        "websub_hub",
        "WebSub hub URL; when set, every feed names it (rel=hub) and the hub is told when a feed changes.",
    ),
    _declared(
        "articles_per_page",
        f"Articles on each page of the home page and of every tag and author page "
        f"({ARTICLES_PER_PAGE_RANGE[0]}-{ARTICLES_PER_PAGE_RANGE[1]}); older ones are on /page/2, /page/3, ….",
    ),
    _declared(
        "canonical",
        "Where the <link rel=\"canonical\"> of an imported article points: 'source', the page it was imported "
        "from (search engines then count the original, not a duplicate), or 'self', its page on this site.",
    ),
    _declared(
        "crawlers",
        "What /robots.txt tells search engines and other crawlers: 'allow' (every page, and where the sitemap is) "
        "or 'deny' (nothing: for a staging copy or a site not meant to be found).",
    ),
    _declared(
        "icon",
        "The site's icon: a small square picture (at least 32x32; 512x512 serves every use), as a path in the "
        f"content folder ({_PICTURE_SUFFIXES}), served at /icon.<suffix> and /favicon.ico, or an absolute "
        "http(s) URL. Browsers' tabs, Atom <icon>, JSON Feed icon and favicon. Empty: none (and /favicon.ico "
        "answers 404).",
    ),
    _declared(
        "logo",
        "The site's logo: a path in the content folder (as icon), served at /logo.<suffix>, or an absolute "
        "http(s) URL. The page header, Atom <logo>, RSS <image> (PNG, JPEG or GIF), the publisher of the "
        "articles' JSON-LD. Empty: none (feeds then use the icon where they can).",
    ),
    _declared(
        "max_article_bytes",
        f"Largest article file read, in bytes ({MAX_ARTICLE_BYTES_RANGE[0]}-{MAX_ARTICLE_BYTES_RANGE[1]}); "
        "a larger one is not published and is reported with its size.",
    ),
)

_TAGGING_ENTITY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|[^@\s,:]+@[A-Za-z0-9.-]+)"
    r",\d{4}(?:-\d{2}(?:-\d{2})?)?$"
)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SiteConfigError(f"'{name}' must be a non-empty string, got {value!r}")
    return value.strip()


def _base_url(name: str, value: Any) -> str:
    url = _text(name, value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteConfigError(f"'{name}' must be an absolute http(s) URL such as 'https://example.org', got {url!r}")
    if parts.query or parts.fragment:
        raise SiteConfigError(f"'{name}' must not carry a query or fragment, got {url!r}")
    return url.rstrip("/")


def _id_authority(name: str, value: Any) -> str:
    text = _text(name, value)
    if not _TAGGING_ENTITY.match(text):
        raise SiteConfigError(
            f"'{name}' must be a domain or email, a comma and a date you controlled it "
            f"(RFC 4151), such as 'example.org,2012', got {text!r}"
        )
    year, month, day = [*text.rsplit(",", 1)[1].split("-"), "1", "1"][:3]
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        raise SiteConfigError(
            f"'{name}' names a date that does not exist ({text.rsplit(',', 1)[1]}): "
            f"write a real year, month and day, such as 'example.org,2012-03-01'"
        ) from None
    return text


def _language(name: str, value: Any) -> str:
    text = _text(name, value)
    if not _LANGUAGE.match(text):
        raise SiteConfigError(f"'{name}' must be a BCP 47 language tag such as 'en' or 'en-GB', got {text!r}")
    return text


def _timezone(name: str, value: Any) -> ZoneInfo:
    text = _text(name, value)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteConfigError(
            f"'{name}' must be an IANA time zone name such as 'Europe/London' or 'UTC', got {text!r}"
        ) from None


def _optional_url(name: str, value: Any) -> str | None:
    if isinstance(value, str) and not value.strip():
        return None  # "" says "no hub"
    url = _text(name, value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise SiteConfigError(
            f"'{name}' must be empty or an absolute http(s) URL such as 'https://hub.example.org/', got {url!r}"
        )
    return url


def _picture(name: str, value: Any) -> SiteImage | None:
    """A path in the content folder or an absolute URL; the loader reads the file (:func:`SiteImage` fields)."""
    if isinstance(value, str) and not value.strip():
        return None  # "": no picture
    text = _text(name, value)
    parts = urlsplit(text)
    suffix = "." + parts.path.rsplit(".", 1)[-1].lower() if "." in parts.path.rsplit("/", 1)[-1] else ""
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SiteConfigError(
                f"'{name}' must be a path in the content folder such as '{name}.png' or an absolute http(s) URL, "
                f"got {text!r}"
            )
        return SiteImage(text, media_type=PICTURE_TYPES.get(suffix, ""))
    segments = text.replace("\\", "/").split("/")
    if text.startswith(("/", "~")) or ".." in segments or any(s.startswith(".") for s in segments if s):
        raise SiteConfigError(
            f"'{name}' must be a path inside the content folder, relative to it and not hidden, such as "
            f"'{name}.png' (or an absolute http(s) URL), got {text!r}"
        )
    if suffix not in PICTURE_TYPES:
        raise SiteConfigError(
            f"'{name}' must name a picture ending in one of {_PICTURE_SUFFIXES}, got {text!r}; "
            f"save the {name} in one of those formats"
        )
    return SiteImage(text, path=f"/{name}{suffix}", media_type=PICTURE_TYPES[suffix])


def _bounded_int(low: int, high: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            raise SiteConfigError(
                f"'{name}' must be a whole number from {low} to {high}, got the text {value!r}; "
                f"drop the quotes: {name} = {value.strip()}"
            )
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SiteConfigError(f"'{name}' must be a whole number from {low} to {high}, got {value!r}")
        return value

    return check


def _choice(*allowed: str) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        if value not in allowed:
            options = " or ".join(repr(option) for option in allowed)
            raise SiteConfigError(f"'{name}' must be {options}, got {value!r}")
        return str(value)

    return check


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "title": _text,
    "subtitle": lambda name, value: value.strip() if isinstance(value, str) else _text(name, value),
    "base_url": _base_url,
    "id_authority": _id_authority,
    "language": _language,
    "timezone": _timezone,
    "default_author": _text,
    "entries_per_feed": _bounded_int(1, 1000),
    "summary_words": _bounded_int(5, 500),
    "feed_max_bytes": _bounded_int(1000, 100_000_000),
    "feed_max_age": _bounded_int(0, 86400),
    "feed_stale_while_revalidate": _bounded_int(0, 604800),
    "tombstone_days": _bounded_int(0, 3650),
    "websub_hub": _optional_url,
    "articles_per_page": _bounded_int(*ARTICLES_PER_PAGE_RANGE),
    "max_article_bytes": _bounded_int(*MAX_ARTICLE_BYTES_RANGE),
    "canonical": _choice("source", "self"),
    "crawlers": _choice("allow", "deny"),
    "icon": _picture,
    "logo": _picture,
}


def _checked(data: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Return the valid settings of ``data`` (plus overrides) and what is wrong with each of the others."""
    merged = {**data, **(overrides or {})}
    known = {setting.name for setting in SETTINGS}
    unknown = sorted(set(merged) - known)
    problems = []
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(known))}")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in merged:
            try:
                values[setting.name] = _CHECKS[setting.name](setting.name, merged[setting.name])
            except SiteConfigError as error:
                problems.append(str(error))
        elif setting.default is None:
            problems.append(f"missing required key '{setting.name}': {setting.help}")
    return values, problems


def site_problems(data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> list[str]:
    """Return what is wrong with each setting of ``site.toml`` data, all at once ([] if nothing)."""
    return _checked(data, overrides)[1]


def parse_site(data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Site:
    """Validate ``site.toml`` data (plus overrides, e.g. ``base_url`` from the environment); every bad key at once."""
    values, problems = _checked(data, overrides)
    if problems:
        raise SiteConfigError(joined(problems))
    return Site(**values)  # a key left out takes Site's default


# --- the base URL a local server links to -----------------------------------------


def follows_listen_port(base_url: str) -> bool:
    """Whether a ``site.toml`` base_url names this machine (localhost, 127.0.0.0/8, ::1): a local
    address, written for trying the site out, which then follows the port the server listens on.

    Any other host is the address readers reach the site at, through whatever proxy: it is kept as written.
    """
    host = (urlsplit(base_url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def served_base_url(base_url: str, port: int | None) -> str:
    """Return the base URL links are made with: ``base_url``, its port replaced by ``port`` if it
    :func:`follows_listen_port` (the default port of its scheme left out); as it is otherwise or with no port."""
    if port is None or not follows_listen_port(base_url):
        return base_url
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    userinfo = parts.netloc.rpartition("@")[0]
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = f"{userinfo + '@' if userinfo else ''}{host}{'' if port == default else f':{port}'}"
    return parts._replace(netloc=netloc).geturl()
