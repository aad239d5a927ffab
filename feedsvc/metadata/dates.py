"""Dates as pages and sidecars write them: ISO 8601, RFC 2822, text in English and other languages, numbers and URL paths.

Pure. Every date returned is timezone-aware: a value without an offset is
taken in the site's time zone, a date without a time is midnight there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as fixed_offset
from email.utils import parsedate_to_datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

__all__ = ["day_first", "find_text_date", "json_text_date", "month_date", "parse_date", "strip_text_dates", "url_date"]

# Dates outside this range are placeholders ("0001-01-01") or typos, and
# years at the edges overflow when a feed converts them to UTC.
_MIN_YEAR, _MAX_YEAR = 1000, 9998

_MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_ENGLISH_MONTH_NAMES = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH = rf"(?P<month>{_ENGLISH_MONTH_NAMES})\.?"
_ENGLISH_MONTH = re.compile(_MONTH, re.IGNORECASE)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|º)?"  # "23rd", "1er" (French), "1º" (Portuguese)
_YEAR = r"(?P<year>\d{4})"
_CLOCK = (
    r"(?:,?\s*(?:at\s+|à\s+|um\s+|alle\s+|a\s+las\s+|às\s+|в\s+)?(?:"
    r"(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<ampm>[ap])\.?m\.?)?"
    r"|(?P<hour12>\d{1,2})\s*(?P<ampm12>[ap])\.?m\.?)"
    r"(?:\s*(?P<zone>utc|gmt|z|[+-]\d{2}:?\d{2}))?)?"
)
# Month names of other languages, as dates write them day first ("23 novembre 2021", "23. März 2021",
# "23 de noviembre de 2021", "23 ноября 2021", "04-ago-2021"): French, German, Spanish, Italian, Portuguese,
# Dutch, Scandinavian, Polish, Czech, Russian, Ukrainian and Turkish, full and in their usual abbreviations
# (Spanish "ene abr ago dic", Italian "gen mag giu lug set ott", Portuguese "fev out", Dutch "mrt").
_FOREIGN_MONTHS: dict[int, str] = {
    1: "janvier janv jänner januar januari enero ene gennaio gen janeiro stycznia ledna января январь січня ocak",
    2: "février févr fév fevrier februar februari febrero febbraio fevereiro fev lutego února февраля февраль лютого şubat",
    3: "mars märz mär maerz maart mrt marzo março marca března марта март березня mart",
    4: "avril avr abril abr aprile kwietnia dubna апреля апрель квітня nisan",
    5: "mai maj mei mayo maggio mag maio maja května мая май травня mayıs",
    6: "juin juni junio giugno giu junho czerwca června июня июнь червня haziran",
    7: "juillet juil juli julio luglio lug julho lipca července июля июль липня temmuz",
    8: "août aout augusti augustus agosto ago sierpnia srpna августа август серпня ağustos",
    9: "septembre septiembre setiembre settembre set setembro września září сентября сентябрь вересня eylül",
    10: "octobre oktober oktobre octubre ottobre ott outubro out października října октября октябрь жовтня ekim okt",
    11: "novembre noviembre novembro listopada listopadu ноября ноябрь листопада kasım",
    12: "décembre déc decembre dezember december diciembre dic dicembre dezembro grudnia prosince декабря декабрь грудня aralık dez",
}
_MONTH_NUMBERS = {name: number for number, names in _FOREIGN_MONTHS.items() for name in names.split()}
_FOREIGN_MONTH_NAMES = "|".join(sorted(map(re.escape, _MONTH_NUMBERS), key=len, reverse=True))
_FOREIGN_MONTH = rf"(?P<month>{_FOREIGN_MONTH_NAMES})\.?"
# Where a date written month first begins: at a word's start, or where a capital follows a small letter,
# as inline elements' texts meet without a space ("Mental HealthDECEMBER 22, 2022", "PostedJan 5, 2024").
_GLUED_START = r"(?:\b|(?-i:(?<=[a-z])(?=[A-Z])))"
# "23 November 2021", "Tuesday 23rd of Nov. 2021", "November 23, 2021", "Nov. 23, 2021 3:04 pm",
# "23. März 2021", "23 de noviembre de 2021", "2021年11月23日", "2021년 11월 23일"
_TEXT_DATES = (
    re.compile(rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}(?!\d){_CLOCK}", re.IGNORECASE),
    re.compile(rf"{_GLUED_START}{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}(?!\d){_CLOCK}", re.IGNORECASE),
    re.compile(
        rf"(?<!\w){_DAY}\.?\s+(?:de\s+)?{_FOREIGN_MONTH}(?!\w),?\s+(?:de\s+)?{_YEAR}(?!\d){_CLOCK}", re.IGNORECASE
    ),
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]"),
    # "04-Aug-2021", "04-ago-2021", "4/Mar/2021": day, month's name and year joined by dashes or slashes
    re.compile(
        rf"(?<![\w/-]){_DAY}(?P<sep>[-/])(?P<month>{_ENGLISH_MONTH_NAMES}|{_FOREIGN_MONTH_NAMES})\.?(?P=sep){_YEAR}(?![\d/-]){_CLOCK}",
        re.IGNORECASE,
    ),
)
# "2/24/2026", "24.02.2026", "2025.12.17": a date in numbers alone, not inside a longer run of them
# (a version "1.2.2024.5", a phone number). Year first, it is year-month-day everywhere.
_NUMERIC_DATE = re.compile(
    r"(?<![\d.,/-])(?:(?P<first>\d{1,2})(?P<sep>[./-])(?P<second>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d{2})"
    r"|(?P<ymd_year>(?:19|20)\d{2})(?P<ymd_sep>[./-])(?P<ymd_month>\d{1,2})(?P=ymd_sep)(?P<ymd_day>\d{1,2}))"
    r"(?![\d]|[./-]\d)"
)
# Languages that write a numeric date month first (en-US "2/24/2026"); plain "en", en-CA and an
# unknown language are left undecided, and a date they make ambiguous ("3/4/2026") is refused.
_MONTH_FIRST = frozenset({"en-us", "en-ph", "en-as", "en-gu", "en-pr", "en-um", "en-vi"})
_UNDECIDED = frozenset({"", "en", "en-ca", "und"})
_ISO_START = re.compile(r"^\d{4}-?\d{2}-?\d{2}|^\d{4}-W\d{2}")
_RFC2822 = re.compile(r"^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}", re.IGNORECASE)
_UNKNOWN_RFC2822_ZONE = re.compile(r"-0000\s*$")
_ZULU = re.compile(r"z$", re.IGNORECASE)
# "2013-08-22 21:43:53 UTC": an ISO date and time with the zone's name after a space (Ruby's default)
_NAMED_UTC = re.compile(r"\s+(?:utc|gmt)$", re.IGNORECASE)


def parse_date(value: str | date | datetime, timezone: ZoneInfo) -> datetime | None:
    """Return ``value`` as an aware datetime (naive values taken in ``timezone``), or None."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _parse_text(value.strip())
    else:
        return None
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone)


def day_first(language: str) -> bool | None:
    """Return whether a page in ``language`` ("en-US", "de", "fr_FR") writes a numeric date day first.

    None where the language does not settle it ("en" alone is written both ways).
    """
    key = language.strip().lower().replace("_", "-")
    if key in _UNDECIDED:
        return None
    return key not in _MONTH_FIRST


def find_text_date(text: str, timezone: ZoneInfo, *, numeric_day_first: bool | None = None) -> datetime | None:
    """Return the first text date found in ``text``, or None.

    English words ("23 November 2021", "Nov. 23, 2021") and numbers ("2025.12.17", "24.02.2026",
    "2/24/2026"). A dotted date is day first; a slashed or dashed one is read in the order
    ``numeric_day_first`` gives (the page's language, see ``day_first``), and where that is
    None only when the numbers leave one order ("2/24/2026": no month 24).
    """
    head = text[:2000]
    found: list[tuple[int, re.Match[str], bool]] = [
        (match.start(), match, False) for pattern in _TEXT_DATES for match in pattern.finditer(head)
    ]
    found += [(match.start(), match, True) for match in _NUMERIC_DATE.finditer(head)]
    for _, match, numeric in sorted(found, key=lambda item: item[0]):
        parsed = _from_numeric(match, numeric_day_first) if numeric else _from_match(match)
        if parsed is not None:
            return parse_date(parsed, timezone)
    return None


def _from_numeric(match: re.Match[str], numeric_day_first: bool | None) -> datetime | None:
    """Return the day a numeric-date match names (naive midnight), or None when its order is unknown."""
    parts = match.groupdict()
    if parts["ymd_year"]:
        year, month, day = int(parts["ymd_year"]), int(parts["ymd_month"]), int(parts["ymd_day"])
    else:
        year, first, second = int(parts["year"]), int(parts["first"]), int(parts["second"])
        if parts["sep"] == ".":
            order: bool | None = True  # "24.02.2026": day first wherever dots are written
        elif first > 12 >= second:
            order = True
        elif second > 12 >= first:
            order = False
        else:
            order = numeric_day_first
        if order is None:
            return None
        day, month = (first, second) if order else (second, first)
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def strip_text_dates(text: str) -> str:
    """Return ``text`` without the text dates in it ("Posted on April 13, 2023" -> "Posted on ", "Updated: 10/31/2024")."""
    for pattern in (*_TEXT_DATES, _NUMERIC_DATE):
        text = pattern.sub("", text)
    return text


def _parse_text(text: str) -> datetime | None:
    if not text or len(text) > 100:
        return None
    if _ISO_START.match(text):
        try:
            # fromisoformat in 3.11 does not take a lower-case "z"
            return datetime.fromisoformat(_ZULU.sub("+00:00", _NAMED_UTC.sub("+00:00", text)))
        except ValueError:
            return None
    if _RFC2822.match(text):
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if parsed.tzinfo is None and _UNKNOWN_RFC2822_ZONE.search(text):
            # RFC 5322 3.3: "-0000" is UTC, with the sender's local zone unknown
            return parsed.replace(tzinfo=UTC)
        return parsed
    for pattern in _TEXT_DATES:
        match = pattern.fullmatch(text)
        if match:
            return _from_match(match)
    return None


def _from_match(match: re.Match[str]) -> datetime | None:
    """Return the datetime a text-date match names, naive unless it gives a zone."""
    parts = match.groupdict()
    name = parts["month"].lower().rstrip(".")
    month = int(name) if name.isdigit() else _MONTH_NUMBERS.get(name) or _MONTHS[name[:3]]
    hour = int(parts.get("hour") or parts.get("hour12") or 0)
    minute = int(parts.get("minute") or 0)
    second = int(parts.get("second") or 0)
    ampm = (parts.get("ampm") or parts.get("ampm12") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    try:
        parsed = datetime(int(parts["year"]), month, int(parts["day"]), hour, minute, second)
    except ValueError:
        return None
    zone = (parts.get("zone") or "").lower()
    if zone in ("utc", "gmt", "z"):
        return parsed.replace(tzinfo=UTC)
    if zone:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):
            return None
        return parsed.replace(tzinfo=fixed_offset(sign * offset))
    return parsed


# A date in a URL's path: /2021/11/23/, /2021-11-23-, /20211123/, /2021/nov/23/ (month and day
# checked by datetime).
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?!\d)|/((?:19|20)\d{2})(\d{2})(\d{2})/"
    r"|/((?:19|20)\d{2})[/-]([a-z]{3,9})[/-](\d{1,2})(?!\d)",
    re.IGNORECASE,
)


def url_date(url: str, timezone: ZoneInfo) -> datetime | None:
    """Return the day a URL's path names ("/2021/11/23/slug"), midnight in ``timezone``, or None."""
    path = unquote(url).split("?", 1)[0].split("#", 1)[0]
    match = _URL_DATE.search(path)
    if match is None:
        return None
    groups = match.groups()
    if groups[6]:  # a month's name: "/2021/nov/23/", "/2021/november/23/"
        name = groups[7].lower()
        month = _MONTHS.get(name[:3]) if name[:3] in _MONTHS and _ENGLISH_MONTH.fullmatch(name) else None
        if month is None:
            return None
        year, day = int(groups[6]), int(groups[8])
    else:
        year, month, day = (int(part) for part in (groups[:3] if match[1] else groups[3:6]))
    try:
        return datetime(year, month, day, tzinfo=timezone)
    except ValueError:
        return None


# A publication date under its schema.org key in JSON text that is no JSON-LD block: a framework's page
# data, JSON-LD held in a <meta> attribute, a block the JSON parser refused.
_JSON_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"\\]{8,40})"')


def json_text_date(texts: Iterable[str], timezone: ZoneInfo) -> datetime | None:
    """Return the publication a ``"datePublished": "…"`` in ``texts`` gives, if they all give the same day.

    Several days are several articles' (a list of related ones): none of them is surely the page's.
    """
    found = [
        parsed for text in texts for value in _JSON_PUBLISHED.findall(text) if (parsed := parse_date(value, timezone))
    ]
    return found[0] if found and len({moment.date() for moment in found}) == 1 else None


# A month and its year, no day: "June 2022", "juin 2022", "Juni 2022".
_MONTH_YEAR = re.compile(
    rf"(?<!\w)(?P<month>{_ENGLISH_MONTH_NAMES}|{_FOREIGN_MONTH_NAMES})\.?,?\s+(?P<year>\d{{4}})(?![\d/.-])",
    re.IGNORECASE,
)


def month_date(text: str, timezone: ZoneInfo) -> tuple[datetime, str] | None:
    """Return the first day of the month a text names without a day ("Last Updated: June 2022"), and the text left.

    None where it names no month and year.
    """
    match = _MONTH_YEAR.search(text)
    if match is None:
        return None
    name = match["month"].lower()
    month = _MONTH_NUMBERS.get(name) or _MONTHS.get(name[:3])
    if month is None:
        return None
    moment = parse_date(datetime(int(match["year"]), month, 1), timezone)
    return (moment, text[: match.start()] + text[match.end() :]) if moment is not None else None
