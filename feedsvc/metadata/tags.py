"""Keep the tags a reader can use: no CMS tokens, e-mails, punctuation or the page's own title.

Pure. Pages put their CMS's internal values in ``keywords``, ``article:tag``
and JSON-LD ``keywords`` ("channel_other", "_no-apple-news",
"source:tagname:…", "topic: Politics & Policy", "PROFESSIONAL_ATHLETE
SPORTS_FIGURE PERSON"), and its sections and default categories ("Blog", "News",
"Uncategorized", "Featured"); each tag becomes a category in the feeds and a tag
page, so :func:`reader_tags` drops those, merges tags that differ only in
case, and folds twins that differ in plural or punctuation ("smart contracts" and "Smart Contract",
"Google Play" and "GooglePlay") into the first spelling; the content loader keeps at most
:data:`MAX_TAGS` of an article's tags.
Its rules have their switches in :data:`RULES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from feedsvc.text import one_line

__all__ = ["DISABLED", "MAX_TAGS", "RULES", "is_reader_tag", "reader_tags", "twin_key"]

# The rules that keep what is no subject out of the tags, each with its own switch.
RULES: dict[str, str] = {
    "section_labels": "a tag that is only a site's section, listing or default category ('Blog', 'News', "
    "'Articles', 'Featured', 'Uncategorized', 'General') names no subject: its tag page would list the whole site",
    "twins": "tags of one entry that differ only in a plural, spaces or punctuation ('smart contracts' and 'Smart "
    "Contract', 'Google Play' and 'GooglePlay', 'e-mail' and 'email') are one subject: a reader would see it twice "
    "and follow two tag pages of it; the first spelling is kept",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

# Enough for any article's real subjects; pages that list 50 box-score names are tagging for search.
MAX_TAGS = 12
_MAX_TAG_CHARS = 60
_MAX_TAG_WORDS = 6
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"^(?:https?:|www\.)|://", re.IGNORECASE)
# "channel_other", "_no-apple-news", "PROFESSIONAL_ATHLETE": an underscore is never in a reader's word.
_UNDERSCORE = re.compile(r"_")
# "source:tagname:x", "topic: Politics", "displayType: listicle", "hasProduct: true": a lower-case
# identifier before a colon is a field name, not a subject ("Star Wars: Andor" keeps its colon).
_FIELD_PREFIX = re.compile(r"^[a-z][A-Za-z0-9.-]*\s*[:=]")
# A site's sections, listings and CMS default categories, as whole tags (case ignored): "Blog" on every post
# of a blog, WordPress's "Uncategorized", a theme's "Featured". A subject with such a word ("Blog Design",
# "Tech News") stays.
_SECTION_LABELS = frozenset(
    """
    blog blogs news articles article posts post stories uncategorized uncategorised featured general all home
    homepage latest misc other updates
    """.split()
) | {"blog posts", "latest news", "top stories", "featured posts", "front page"}
# An identifier: a UUID, a hash, a long number.
_IDENTIFIER = re.compile(r"^[0-9a-f]{8}-[0-9a-f-]{20,}$|^[0-9a-f]{16,}$|^\d{5,}$", re.IGNORECASE)
# What a tag's twins share once spaces and punctuation are gone: "Google Play", "GooglePlay", "google-play".
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
# English plural endings, longest first, with what the singular ends in: "stories" -> "story", "boxes" -> "box";
# "-ss" is no plural ("business", "glass": kept as it is), and a singular under three letters is none ("bus").
_PLURALS = (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("sses", "ss"), ("ss", "ss"), ("s", ""))


def is_reader_tag(tag: str, title: str | None = None) -> bool:
    """Say whether ``tag`` names a subject a reader can follow (not a CMS token, contact, section or the title)."""
    if not re.search(r"\w", tag) or len(tag) > _MAX_TAG_CHARS or len(tag.split()) > _MAX_TAG_WORDS:
        return False
    if _EMAIL.search(tag) or _URL.search(tag) or _UNDERSCORE.search(tag):
        return False
    if _FIELD_PREFIX.match(tag) or _IDENTIFIER.match(tag):
        return False
    if "section_labels" not in DISABLED and tag.casefold() in _SECTION_LABELS:
        return False
    return not (title and tag.casefold() == title.casefold())


def reader_tags(tags: Iterable[str], title: str | None = None, most: int | None = None) -> tuple[str, ...]:
    """Return the reader tags among ``tags``, once each, at most ``most``.

    Tags differing only in case are one, and so are twins (:func:`twin_key`): the first spelling is kept (the
    sources' readers have merged case already, so how often the page gives each is not known here). The
    loader caps every article at :data:`MAX_TAGS` with a warning; extraction leaves that to it.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for raw in tags:
        tag = one_line(raw).strip(" \"'“”‘’#,;:.")
        key = twin_key(tag) if "twins" not in DISABLED else tag.casefold()
        if not tag or key in seen or not is_reader_tag(tag, title):
            continue
        seen.add(key)
        kept.append(tag)
        if len(kept) == most:
            break
    return tuple(kept)


def twin_key(tag: str) -> str:
    """Return what ``tag`` and its twins share: its letters and digits, case-folded, the last word's plural undone.

    "Smart Contracts", "smart-contract" and "SmartContract" give "smartcontract".
    """
    key = _NOT_LETTER_OR_DIGIT.sub("", tag.casefold())
    if not key.isalpha() or not key.isascii():  # an English plural only: "COVID-19", "日本" stay as they are
        return key or tag.casefold()
    for ending, singular in _PLURALS:
        # the singular three letters or more: "boxes" is "box" and "ties" "tie", but "bus" and "gas" are no plurals
        if key.endswith(ending) and len(key) - len(ending) + len(singular) >= 3:
            return key[: -len(ending)] + singular
    return key
