"""Site settings: the declared table of ``site.toml`` keys and their validation.

Pure: takes the parsed TOML mapping, returns a :class:`~feedsvc.model.Site`
or raises :class:`SiteConfigError` naming the key and what is allowed.
Reading the file is the content loader's job.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedsvc import element_budget
from feedsvc.content.pictures import PICTURE_TYPES
from feedsvc.content.slug import is_slug, slugify
from feedsvc.content.toml_text import joined
from feedsvc.metadata.dates import parse_date
from feedsvc.model import Site, SiteImage, Source
from feedsvc.text import has_userinfo, site_host, userinfo_refusal

__all__ = [
    "ARTICLES_PER_PAGE",
    "ARTICLES_PER_PAGE_RANGE",
    "EVERY_RANGE",
    "MAX_ARTICLE_BYTES_RANGE",
    "MAX_NEW_RANGE",
    "PICTURE_MAX_BYTES",
    "RECHECK_RANGE",
    "SETTINGS",
    "SOURCE_KEYS",
    "Setting",
    "SiteConfigError",
    "SourceKey",
    "follows_listen_port",
    "parse_duration",
    "parse_site",
    "served_base_url",
    "site_problems",
    "source_lines",
    "source_rules",
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

# Bounds of max_article_elements: feedsvc.element_budget says why.
MAX_ARTICLE_ELEMENTS_RANGE = element_budget.MAX_ARTICLE_ELEMENTS_RANGE

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
    _declared(
        "max_article_elements",
        f"Most elements an article page may have once parsed ({MAX_ARTICLE_ELEMENTS_RANGE[0]}-"
        f"{MAX_ARTICLE_ELEMENTS_RANGE[1]}); a page with more is not cleaned nor published, and is reported with "
        "its count. The cleaner's time follows the elements, not the bytes: the default holds three times the "
        "longest ordinary page and bounds the slowest page to seconds.",
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


def _no_userinfo(name: str, url: str) -> None:
    """Refuse a URL that carries a user or password; the message shows it without them.

    Every URL of site.toml ends up where people see it (the base URL and the
    hub in every feed, a source's URL in ``/healthz`` and the logs), and
    feedsvc sends no credentials: a secret in one would only be published.
    """
    if has_userinfo(url):
        raise SiteConfigError(
            userinfo_refusal(f"'{name}'", url, "feedsvc does not send and would show wherever the URL shows")
        )


def _base_url(name: str, value: Any) -> str:
    url = _text(name, value)
    _no_userinfo(name, url)
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
    _no_userinfo(name, url)
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
    "max_article_elements": _bounded_int(*MAX_ARTICLE_ELEMENTS_RANGE),
    "canonical": _choice("source", "self"),
    "crawlers": _choice("allow", "deny"),
    "icon": _picture,
    "logo": _picture,
}


def _checked(
    data: Mapping[str, Any],
    overrides: Mapping[str, Any] | None,
    lines: Sequence[Mapping[str, int]] = (),
    written: Collection[str] = (),
) -> tuple[dict[str, Any], list[str]]:
    """Return the valid settings of ``data`` (plus overrides) and what is wrong with each of the others.

    ``written``: keys on lines that are not valid TOML (reported as such): not missing as well.
    """
    merged = {**data, **(overrides or {})}
    known = {setting.name for setting in SETTINGS}
    unknown = sorted(set(merged) - known - {SOURCE_TABLE})
    problems = []
    if unknown:
        allowed = sorted({*known, SOURCE_TABLE})
        hints = [
            f"'{name}' -> '{close[0]}'" for name in unknown if (close := difflib.get_close_matches(name, allowed, 1))
        ]
        meant = f"; did you mean {', '.join(hints)}?" if hints else ""
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}{meant}")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in merged:
            try:
                values[setting.name] = _CHECKS[setting.name](setting.name, merged[setting.name])
            except SiteConfigError as error:
                problems.append(str(error))
        elif setting.default is None and setting.name not in written:
            problems.append(f"missing required key '{setting.name}': {setting.help}")
    if SOURCE_TABLE in merged:
        values["sources"] = _sources(merged[SOURCE_TABLE], values.get("timezone", _UTC), lines, problems)
    return values, problems


def site_problems(
    data: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    lines: Sequence[Mapping[str, int]] = (),
    written: Collection[str] = (),
) -> list[str]:
    """Return what is wrong with each setting of ``site.toml`` data, all at once ([] if nothing).

    ``lines``: where each ``[[source]]`` table and its keys are in the file (:func:`source_lines`),
    so a mistake in one is named by its line. ``written``: keys whose lines are not valid TOML
    (:func:`~feedsvc.content.toml_text.parse_toml_keys`), which are not missing as well.
    """
    return _checked(data, overrides, lines, written)[1]


def parse_site(
    data: Mapping[str, Any], overrides: Mapping[str, Any] | None = None, lines: Sequence[Mapping[str, int]] = ()
) -> Site:
    """Validate ``site.toml`` data (plus overrides, e.g. ``base_url`` from the environment); every bad key at once.

    ``lines``: as for :func:`site_problems`.
    """
    values, problems = _checked(data, overrides, lines)
    if problems:
        raise SiteConfigError(joined(problems))
    return Site(**values)  # a key left out takes Site's default


# --- [[source]]: the sites this one follows -----------------------------------------

SOURCE_TABLE = "source"  # [[source]] in site.toml: an array of tables, one per followed site
_UTC = ZoneInfo("UTC")
# Bounds of every: a poll a minute is already more than any news site publishes, and
# more often would be unkind to it; a source polled less than monthly is not followed.
EVERY_RANGE = (60, 30 * 86400)
MAX_NEW_RANGE = (1, 1000)
# Bounds of recheck: an edit found within the hour is soon enough for a page its feed says nothing of.
RECHECK_RANGE = (3600, 30 * 86400)
_DURATION_PART = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class SourceKey:
    """One key of a ``[[source]]`` table: its name, what it takes, its default as written, its help."""

    name: str
    type: str
    default: Any  # as site.toml writes it; None: required; "": leaving it out means "none"
    help: str


def _source_default(name: str) -> Any:
    """Return the default of a Source field as site.toml writes it (from the dataclass: one table)."""
    (field,) = (f for f in fields(Source) if f.name == name)
    if field.default is MISSING:
        return None
    return "" if field.default is None else field.default


def _source_key(name: str, type: str, help: str) -> SourceKey:
    return SourceKey(name, type, _source_default(name), help)


# docs/reference/settings.md lists these (scripts/docs_reference.py); the order is the one to write them in.
SOURCE_KEYS: tuple[SourceKey, ...] = (
    _source_key(
        "name",
        "string (a slug)",
        "The source's name: lower-case letters and digits in hyphen-separated words, unique among the sources. "
        'Its feeds are /sources/<name>/feed.atom, .rss and .json; its articles\' sidecars say source = "<name>". '
        "Keep it: renaming a source moves its feeds.",
    ),
    _source_key(
        "feed",
        "string (http(s) URL)",
        "The source's own feed (RSS, Atom or JSON Feed), partial or full; give feed or sitemap, not both.",
    ),
    _source_key(
        "sitemap",
        "string (http(s) URL)",
        "The source's sitemap or sitemap index (news sitemaps too), for a site without a feed; "
        "give feed or sitemap, not both.",
    ),
    _source_key(
        "every",
        'seconds, or text such as "15m", "2h", "1d"',
        f"How often the source is polled ({EVERY_RANGE[0]} seconds to {EVERY_RANGE[1] // 86400} days).",
    ),
    _source_key(
        "max_new",
        "whole number",
        f"At most this many new items are imported per poll ({MAX_NEW_RANGE[0]}-{MAX_NEW_RANGE[1]}); "
        "the rest wait for the next poll.",
    ),
    _source_key(
        "since",
        "date or date-time",
        "Entries published before this are ignored (without an offset it is taken in the site's timezone); "
        "left out, every entry the source lists is imported.",
    ),
    _source_key(
        "rules",
        "string (a path)",
        "A site rules file applied to this source's pages, relative to the content folder, "
        'such as "rules/example.org.toml"; it must exist and be valid.',
    ),
    _source_key(
        "status",
        "'active' or 'paused'",
        "A paused source is not polled; the articles it brought stay published, in its feeds too.",
    ),
    _source_key("title", "string", "The title of the source's feeds and page; left out, its name."),
    _source_key(
        "link",
        "string (http(s) URL)",
        "The source site's home page, linked from its feeds and page; left out, the scheme and host "
        "of its feed or sitemap URL (https://example.org/).",
    ),
    _source_key(
        "removed",
        "'keep' or 'withdraw'",
        "What becomes of an article whose item the source no longer lists: 'keep' it published, or 'withdraw' it "
        "(its page then answers 410 Gone).",
    ),
    _source_key(
        "recheck",
        'seconds, or text such as "12h", "1d"; 0: never',
        "How often the page of a recent item (under 30 days old) is asked again, conditionally, to catch "
        "an edit its feed entry does not show; a few pages a poll "
        f"({RECHECK_RANGE[0] // 3600} hour to {RECHECK_RANGE[1] // 86400} days, or 0 to turn it off).",
    ),
)
_SOURCE_KEY_NAMES = tuple(key.name for key in SOURCE_KEYS)


def parse_duration(value: Any) -> int | None:
    """Return the seconds of ``every``: a whole number of seconds, or text such as '90s', '15m', '1h30m', '1d'.

    None: neither (a bool, a float, text that is no duration).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        return None
    return sum(int(number) * _UNITS[unit] for number, unit in parts)


def source_lines(text: str) -> tuple[dict[str, int], ...]:
    """Return, for each ``[[source]]`` table of a site.toml's text in order, the line of its header ("") and keys.

    Only to name lines in messages: a line this simple scan misreads costs a line number, never a value.
    """
    header = re.compile(rf"^\s*\[\[\s*{SOURCE_TABLE}\s*\]\]\s*(?:#.*)?$")
    other = re.compile(r"^\s*\[")
    key = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")
    tables: list[dict[str, int]] = []
    current: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            current = {"": number}
            tables.append(current)
        elif other.match(line):
            current = None
        elif current is not None and (found := key.match(line)):
            current.setdefault(found.group(1).strip('"'), number)
    return tuple(tables)


def _where(index: int, table: Mapping[str, Any], lines: Sequence[Mapping[str, int]], key: str = "") -> str:
    """Name a [[source]] table (and the line of ``key`` in it, else of the table) for a message."""
    name = table.get("name")
    label = f"'{name}'" if isinstance(name, str) and is_slug(name) else f"#{index + 1}"
    found = lines[index] if index < len(lines) else {}
    number = found.get(key) or found.get("")
    return f"{'line ' + str(number) + ': ' if number else ''}[[source]] {label}: "


def _source_url(name: str, value: Any) -> str:
    url = value.strip() if isinstance(value, str) else ""
    _no_userinfo(name, url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise SiteConfigError(
            f"'{name}' must be an absolute http(s) URL such as 'https://example.org/{name}.xml', got {value!r}"
        )
    return url


def _source_name(name: str, value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not is_slug(text):
        suggestion = slugify(text) if isinstance(value, str) else ""
        example = f'name = "{suggestion}"' if suggestion else 'name = "example-news"'
        raise SiteConfigError(
            f"'{name}' must be lower-case letters and digits in hyphen-separated words (it is a URL segment), "
            f"such as {example}, got {value!r}"
        )
    return text


def _every(name: str, value: Any) -> int:
    low, high = EVERY_RANGE
    if isinstance(value, str) and value.strip().isdigit():
        raise SiteConfigError(
            f"'{name}' must be seconds or a duration with its unit, got the text {value!r}; drop the quotes "
            f'({name} = {value.strip()}) or give a unit ({name} = "{value.strip()}s")'
        )
    seconds = parse_duration(value)
    if seconds is None:
        raise SiteConfigError(
            f'\'{name}\' must be whole seconds (such as 900) or a duration such as "90s", "15m", "2h", '
            f'"1d" or "1h30m", got {value!r}'
        )
    if seconds < low:
        raise SiteConfigError(
            f"'{name}' is {seconds} seconds; a source is polled at most once a minute (polling more often is "
            f'unkind to the site and finds nothing more): give {low} or more, such as {name} = "15m"'
        )
    if seconds > high:
        raise SiteConfigError(f"'{name}' is {seconds} seconds; give at most {high} (\"30d\")")
    return seconds


def _recheck(name: str, value: Any) -> int:
    low, high = RECHECK_RANGE
    seconds = parse_duration(value)
    if seconds is None or (isinstance(value, str) and value.strip().isdigit()):
        raise SiteConfigError(
            f"'{name}' must be whole seconds (such as 86400, or 0 to turn it off) or a duration such as \"12h\" "
            f'or "1d", got {value!r}'
        )
    if seconds != 0 and not low <= seconds <= high:
        raise SiteConfigError(
            f'\'{name}\' is {seconds} seconds; give {low} ("1h") to {high} ("30d"), or 0 to never revalidate item pages'
        )
    return seconds


def _since(name: str, value: Any, timezone: ZoneInfo) -> datetime:
    parsed = parse_date(value, timezone) if isinstance(value, (str, date)) else None
    if parsed is None:
        raise SiteConfigError(
            f"'{name}' must be a date such as 2024-01-31 or a date-time such as 2024-01-31T09:00:00Z "
            f"(without an offset it is taken in {timezone.key}), got {value!r}"
        )
    return parsed


def _rules_path(name: str, value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    path = PurePosixPath(text)
    if not text or path.is_absolute() or ".." in path.parts or "\\" in text or path.suffix != ".toml":
        raise SiteConfigError(
            f"'{name}' must be the path of a rules file inside the content folder, relative to it, "
            f'such as "rules/example.org.toml", got {value!r}'
        )
    return path.as_posix()


_SOURCE_CHECKS: dict[str, Callable[[str, Any, ZoneInfo], Any]] = {
    "name": lambda key, value, tz: _source_name(key, value),
    "feed": lambda key, value, tz: _source_url(key, value),
    "sitemap": lambda key, value, tz: _source_url(key, value),
    "every": lambda key, value, tz: _every(key, value),
    "max_new": lambda key, value, tz: _bounded_int(*MAX_NEW_RANGE)(key, value),
    "since": _since,
    "rules": lambda key, value, tz: _rules_path(key, value),
    "status": lambda key, value, tz: _choice("active", "paused")(key, value),
    "title": lambda key, value, tz: _text(key, value),
    "link": lambda key, value, tz: _source_url(key, value),
    "removed": lambda key, value, tz: _choice("keep", "withdraw")(key, value),
    "recheck": lambda key, value, tz: _recheck(key, value),
}


def _unknown_source_key(key: str) -> str:
    if key in {setting.name for setting in SETTINGS}:
        # TOML puts every key after a [[source]] header in that table
        return (
            f"'{key}' is a site setting, not a source's: every line after [[source]] belongs to that source; "
            f"move '{key} = …' above the first [[source]]"
        )
    close = difflib.get_close_matches(key, _SOURCE_KEY_NAMES, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{key}'; {hint}allowed keys: {', '.join(_SOURCE_KEY_NAMES)}"


def _tables(value: Any, problems: list[str]) -> list[Mapping[str, Any]]:
    """Return the [[source]] tables of ``value``, or [] with the problem (a [source] table, a plain value)."""
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    if isinstance(value, dict):
        problems.append(
            "[source] is one table; a source is a [[source]] table (two brackets), one per followed site: "
            "write [[source]]"
        )
    else:
        problems.append(
            f"'{SOURCE_TABLE}' must be [[source]] tables (two brackets), one per followed site, each with a "
            f"name and a feed or sitemap URL, got {value!r}"
        )
    return []


def _sources(
    value: Any, timezone: ZoneInfo, lines: Sequence[Mapping[str, int]], problems: list[str]
) -> tuple[Source, ...]:
    """Return the valid [[source]] tables as Sources; add what is wrong with the others to ``problems``."""
    sources: list[Source] = []
    names: dict[str, int] = {}
    urls: dict[str, str] = {}
    for index, table in enumerate(_tables(value, problems)):
        mistakes: list[str] = []
        values: dict[str, Any] = {}
        for key, given in table.items():
            where = _where(index, table, lines, key)
            if key not in _SOURCE_CHECKS:
                mistakes.append(f"{where}{_unknown_source_key(key)}")
                continue
            try:
                values[key] = _SOURCE_CHECKS[key](key, given, timezone)
            except SiteConfigError as error:
                mistakes.append(f"{where}{error}")
        where = _where(index, table, lines)
        if "name" not in table:
            url = values.get("feed") or values.get("sitemap") or ""
            suggestion = slugify(site_host(url)) or "example-news"
            mistakes.append(
                f"{where}missing 'name': each source has one (its feeds are /sources/<name>/feed.atom); "
                f'add name = "{suggestion}"'
            )
        if "feed" in table and "sitemap" in table:
            mistakes.append(
                f"{where}give 'feed' or 'sitemap', not both: a source reads one of them; "
                "keep the feed (it says when items change) or make a second [[source]] for the sitemap"
            )
        elif "feed" not in table and "sitemap" not in table:
            mistakes.append(
                f"{where}missing 'feed' or 'sitemap': add the URL of the site's feed "
                '(feed = "https://example.org/feed.xml") or of its sitemap (sitemap = "https://example.org/sitemap.xml")'
            )
        name, url = values.get("name"), values.get("feed") or values.get("sitemap")
        if name is not None and name in names:
            mistakes.append(
                f"{_where(index, table, lines, 'name')}the name '{name}' is already that of [[source]] "
                f"#{names[name] + 1}; give each source its own name"
            )
        if url is not None and url in urls:
            mistakes.append(
                f"{_where(index, table, lines, 'feed' if 'feed' in values else 'sitemap')}{url} is already read by "
                f"[[source]] '{urls[url]}'; remove one of the two (each item would be imported twice)"
            )
        if name is not None:
            names.setdefault(name, index)
            if url is not None:
                urls.setdefault(url, name)
        problems.extend(mistakes)
        if not mistakes:
            sources.append(Source(**values))
    return tuple(sources)


def source_rules(data: Mapping[str, Any], lines: Sequence[Mapping[str, int]] = ()) -> list[tuple[str, str]]:
    """Return (where, path) of each well-formed ``rules`` of a [[source]] table, for the loader to read.

    ``where`` names the table and line, as this module's messages do.
    """
    found: list[tuple[str, str]] = []
    value = data.get(SOURCE_TABLE)
    if not isinstance(value, list):
        return found
    for index, table in enumerate(value):
        if isinstance(table, dict) and "rules" in table:
            try:
                found.append((_where(index, table, lines, "rules"), _rules_path("rules", table["rules"])))
            except SiteConfigError:
                continue  # reported by site_problems
    return found


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
