"""Choose an article's title among what its page offers, without the site's name around it.

Pure. A page names its article several times: the visible headline (an
``<h1>``, or the element marked ``itemprop="headline"``), JSON-LD's
``headline``, ``og:title``/``twitter:title`` and ``<title>``. The meta
values are written for search engines and share buttons and often carry the
site's name (" - IGN", "The Hill | …") or a rewrite for search; the visible
headline is what a reader of the page saw. So a headline that one of the
meta values agrees with wins; a lone headline wins over meta values unless
it is too short to be a title (a section name such as "Menu"); with no
usable headline, the first meta value, stripped of the site's name, does.
A headline that is a meta value behind a label or a date ("Blog: …",
"Dec 18 2025 …"), or that has lost characters the meta value has ("Beginner?
Guide" for "Beginner's Guide"), yields to that meta value; a paragraph marked
as the headline (more words than a title has) is no headline. A headline that
holds a meta value and more lines (a byline or date line inside the ``<h1>``)
gives its line equal to the meta value; with no headline, a lower heading equal
to a meta value's first segment names the article ("… - download the report").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from feedsvc.metadata.dates import find_text_date, strip_text_dates

__all__ = ["choose_title", "site_key", "strip_site_name"]

# What sites put between a title and their name: " | ", " - ", " – ", " — ", " • ", " · ", " :: ", " » ", " _ ".
# Unspaced, only "|", "•", "·" and "_": an unspaced "»" closes a quotation ("«Vape Wave», «6 Days»").
_SEPARATOR = re.compile(r"\s+(?:[|\-–—•·»_/]|::)\s+|\s*[|•·]\s*|\s*_(?=\S)")
# Separators that rarely occur inside a headline, so a short segment after them is taken for a site
# name even when it matches none the page declares; " - " and ":" are common inside headlines.
_STRONG_SEPARATOR = re.compile(r"^\s*(?:[|•·»]|::)\s*$")
_SHORT_SEGMENT_WORDS = 4
# After a spaced dash, a capitalised tail of one or two words behind four words or more is a site's
# or a section's name too ("Lorem ipsum dolor sit amet – My website"); a subtitle is longer, a
# "Chapter 1 - The Beginning" is no longer than its tail, and "… - Part 2" has a number.
_DASH = re.compile(r"^\s+[-–—]\s+$")
_DASH_TAIL_WORDS, _DASH_HEAD_WORDS = 2, 4
# A headline shorter than this many words loses to meta values that disagree with it ("Lorem",
# "Sample menus"): one or two words are a section or widget name more often than a title.
_MIN_LONE_HEADLINE_WORDS = 3
_MAX_TITLE_CHARS = 400
# More words than a headline has (the longest annotated title of the dev pages has 24): a summary
# paragraph marked as the headline.
_MAX_HEADLINE_WORDS = 30
# What a headline may put before the title: a label ending in a colon or a separator ("Blog:",
# "Review |"), at most this many words, or a date ("Dec 18 2025").
_LABEL = re.compile(r"^\W*(?:\w[\w'’&.-]*\s+){0,2}\w[\w'’&.-]*\s*(?::|\s[|\-–—•·»/])$")
# Characters a page lost on its way (encoded as "?" or U+FFFD): "Beginner? Guide" for "Beginner's Guide".
_LOST = "?\ufffd"
# Only whether a prefix is a date matters, not when in which zone.
_ANY_ZONE = ZoneInfo("UTC")
_KEY = re.compile(r"[\W_]+")


def site_key(name: str) -> str:
    """Return the comparison key of a site name: letters and digits only, case-folded ("Move.org" -> "moveorg")."""
    return _KEY.sub("", unicodedata.normalize("NFKC", name).casefold())


def _is_site(segment: str, site_keys: frozenset[str]) -> bool:
    """Say whether a title segment names the site: equal to, or containing or contained in, a known name."""
    key = site_key(segment)
    if not key:
        return True  # a segment of punctuation only
    for site in site_keys:
        if key == site or (len(site) >= 4 and (site in key or key in site) and len(key) <= 3 * len(site)):
            return True
    return False


def strip_site_name(title: str, site_names: Iterable[str]) -> str:
    """Return ``title`` without leading or trailing segments that name the site.

    "Black Friday deals - Help Net Security" -> "Black Friday deals" when the site is known
    as "Help Net Security" (``og:site_name``, the publisher, the host name). A short last
    segment after "|", "•" or "·" goes even when unknown: those separate a site name; so does
    a capitalised word or two after a spaced dash ("… sit amet – My website").
    """
    keys = frozenset(key for key in map(site_key, site_names) if key)
    parts = _SEPARATOR.split(title)
    seps = _SEPARATOR.findall(title)
    if len(parts) < 2:
        return title
    segments = [part.strip() for part in parts]
    # drop named segments from the end, then from the start, keeping at least one
    while len(segments) > 1 and (
        _is_site(segments[-1], keys) or _weak_tail(segments, seps) or _dash_tail(segments, seps)
    ):
        segments.pop()
        seps.pop()
    while len(segments) > 1 and _is_site(segments[0], keys):
        segments.pop(0)
        seps.pop(0)
    rebuilt = segments[0]
    for sep, segment in zip(seps, segments[1:], strict=True):
        rebuilt += sep + segment
    return rebuilt.strip()


def _weak_tail(segments: Sequence[str], seps: Sequence[str]) -> bool:
    """Say whether the last segment is a short suffix after a strong separator, shorter than what precedes."""
    tail, head = segments[-1], " ".join(segments[:-1])
    return (
        bool(_STRONG_SEPARATOR.match(seps[-1]))
        and len(tail.split()) <= _SHORT_SEGMENT_WORDS
        and len(head.split()) > len(tail.split())
    )


def _dash_tail(segments: Sequence[str], seps: Sequence[str]) -> bool:
    """Say whether the last segment, after a spaced dash, is a site's or a section's name by its shape."""
    tail, head = segments[-1], " ".join(segments[:-1])
    return (
        bool(_DASH.match(seps[-1]))
        and len(tail.split()) <= _DASH_TAIL_WORDS
        and len(head.split()) >= _DASH_HEAD_WORDS
        and tail[:1].isupper()
        and not any(char.isdigit() for char in tail)  # "… - Part 2" is the title's own
    )


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("’", "'").split())


def _agrees(headline: str, other: str) -> bool:
    """Say whether a meta value names the same title as a headline (equal, or one extends the other)."""
    a, b = _norm(headline), _norm(other)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) < len(b) else (b, a)
    # a truncated og:title ("… (Including") or a title with the site's name after the headline
    return len(short) >= 12 and long.startswith(short)


def choose_title(
    headlines: Sequence[str],
    metas: Sequence[str],
    site_names: Iterable[str],
    trusted: Sequence[str] | None = None,
    subheads: Sequence[str] = (),
) -> str | None:
    """Return the article's title from visible ``headlines`` (best first) and ``metas`` (JSON-LD, og, <title>).

    A headline that a meta value agrees with wins, then a lower heading (``subheads``: <h2>,
    <h3>) equal to one, then a lone plausible headline (one of ``trusted``, when
    given: those the page marks as the article's), then the first meta value without the
    site's name; None when the page offers none. A headline that is only the site's name
    (a blog's name in its <h1>) is not a title.
    """
    names = tuple(site_names)
    keys = frozenset(key for key in map(site_key, names) if key)
    heads = [
        h
        for h in headlines
        if h and len(h) <= _MAX_TITLE_CHARS and len(h.split()) <= _MAX_HEADLINE_WORDS and site_key(h) not in keys
    ]
    stripped = [strip_site_name(m, names) for m in metas if m]
    for head in heads:
        clean = strip_site_name(head, names) if _SEPARATOR.search(head) else head
        agreeing = [meta for meta in (*stripped, *metas) if _agrees(clean, meta) or _agrees(head, meta)]
        if agreeing:
            # a headline holding a meta value and more (a byline or a date line inside the <h1>): its own
            # line equal to the meta value is the title
            named = {_norm(meta) for meta in agreeing}
            if _norm(clean) not in named:
                return next((line for line in heads if _norm(line) in named), clean)
            return clean
        better = next((meta for meta in stripped if _behind_label(clean, meta) or _lost_characters(clean, meta)), None)
        if better is not None:
            return better
    # a lower heading must be the meta value itself: a section's heading often begins like the title
    equal = {_norm(meta) for meta in (*stripped, *metas)}
    if not heads:
        # with no headline, a heading equal to a meta value's first segment names the article, and what
        # the meta value adds after a separator is a label ("… - Infographic")
        equal |= {_norm(_SEPARATOR.split(meta, maxsplit=1)[0]) for meta in stripped if _SEPARATOR.search(meta)}
    for head in subheads:
        if head and len(head) <= _MAX_TITLE_CHARS and _norm(head) in equal:
            return head
    if heads and not stripped:
        return heads[0]
    lone = heads and len(heads[0].split()) >= _MIN_LONE_HEADLINE_WORDS and (trusted is None or heads[0] in trusted)
    # a headline in capitals only is styled as a label more often than it is the title
    if lone and not heads[0].isupper():
        return heads[0]
    return stripped[0] if stripped else None


def _behind_label(headline: str, meta: str) -> bool:
    """Say whether a headline is ``meta`` behind a label or a date ("Blog: Best agencies", "Dec 18 2025 Preparing …")."""
    a, b = _norm(headline), _norm(meta)
    if len(b) < 12 or a == b or not a.endswith(b):
        return False
    prefix = a[: len(a) - len(b)].strip()
    if _LABEL.match(prefix):
        return True
    return find_text_date(prefix, _ANY_ZONE) is not None and not strip_text_dates(prefix).strip(" ,.:|·•–—-")


def _lost_characters(headline: str, meta: str) -> bool:
    """Say whether a headline is ``meta`` with characters lost ("?" or U+FFFD for one or two of the meta's)."""
    a, b = _norm(headline), _norm(meta)
    if not any(char in a for char in _LOST) or len(b) < 12:
        return False
    # each lost character stood for one or two (":" or "'s"), never for a space
    pattern = "".join(r"\S{1,2}" if char in _LOST else re.escape(char) for char in a)
    return re.fullmatch(pattern, b) is not None and not any(char in b for char in _LOST)
