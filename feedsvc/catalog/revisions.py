"""The revisions ledger: when did an article last really change, and when was it withdrawn?

Pure: the ledger comes in as data with "now", the new ledger goes out. The
edge that loads content (:mod:`feedsvc.build.snapshot`) reads and writes it as
``content/.feedsvc/revisions.json``, so the content folder holds all state.

A page's own modification date is the truth. Without one, an article's
``updated`` is the time its fingerprint (what readers see of it) was first
seen: re-saving a file unchanged keeps it, a real edit moves it to "now".
On first sight (a fresh checkout, no ledger) ``updated`` is the article's
own date, never the clock, so a new checkout does not re-date everything.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

from feedsvc.model import Article, Revision

__all__ = [
    "LEDGER_VERSION",
    "dump_entries",
    "dump_ledger",
    "fingerprint",
    "ledger_entries",
    "parse_ledger",
    "parse_ledger_with_journal",
    "reader_keys",
    "revise",
    "shares_text",
    "text_key",
    "title_key",
    "withdraw",
    "word_sketch",
]

LEDGER_VERSION = 1


class _ReaderView(HTMLParser):
    """Collect the text and the link and image targets of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # the words alone, without link targets: a relative link resolves against the page's URL, which is made
        # of the slug, so a renamed file's targets change while its words do not
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")  # a tag boundary separates words, whether or not the source had a space
        self.words.append(" ")
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.parts.append(f" <{value}> ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")
        self.words.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.words.append(data)


def fingerprint(article: Article) -> str:
    """Hash what a reader sees of ``article``: text, link targets, metadata; not markup or ``updated``."""
    return reader_keys(article)[0]


def text_key(article: Article) -> str:
    """Hash the words of ``article`` alone (not its links, title or dates): the same after a rename or a retitle."""
    return reader_keys(article)[1]


def title_key(title: str) -> str:
    """Return ``title`` as it is compared with the ledger's: case, spacing and Unicode forms aside."""
    return _folded(title).casefold()


def _folded(text: str) -> str:
    # Whitespace and Unicode normalisation: a cleaner that re-indents is not an edit.
    return unicodedata.normalize("NFC", " ".join(text.split()))


def reader_keys(article: Article) -> tuple[str, str, str]:
    """Return :func:`fingerprint`, :func:`text_key` and the :func:`word_sketch` of ``article``, reading its HTML once."""
    view = _ReaderView()
    view.feed(article.content_html)
    view.close()
    text = _folded("".join(view.parts))
    plain = _folded("".join(view.words))
    words = hashlib.sha256(plain.encode()).hexdigest()[:16]
    seen = {
        "title": article.title,
        "summary": article.summary_text,
        "authors": list(article.authors),
        "tags": list(article.tags),
        "published": article.published.isoformat(),
        "language": article.language,
        "source_url": article.source_url,
        # The declared picture's URL, as before pictures had details: a body picture's URL is in the text
        # already, and an article that only now names one (or a size) was not edited.
        "image": article.image.url if article.image is not None and article.image.origin != "body" else None,
        "text": text,
    }
    seen_key = hashlib.sha256(json.dumps(seen, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    return seen_key, words, word_sketch(plain)


_WORD = re.compile(r"\w+")
_BINS = 16
_EMPTY = "--"  # a bin no pair of words fell in (a text of fewer than a few dozen words leaves some)
# Two sketches that agree in this many bins share text: one article, edited. On the dev pages' annotated texts
# (docs/content.md, session 38), an article with a fifth of its words replaced agrees with itself in two or more
# in 834 of 834, with three in ten replaced in 825; two other articles in 2.2 % of pairs (common pairs of words:
# "of the"). Low on purpose: an edit taken for another article is a second entry in every reader, another article
# taken for the edit gets the old id, as every undated article did before.
SHARED_BINS = 2


def word_sketch(text: str) -> str:
    """Return a 32-character sketch of the pairs of consecutive words of ``text``: what :func:`shares_text` compares.

    One-permutation min-hashing: each pair of words (case folded) is hashed once and falls in one of 16 bins by its
    hash; each bin keeps the low 8 bits of its smallest hash, as two hex digits. Two texts agree in a bin about as
    often as they share pairs of words (in proportion to all the pairs of both), plus 1 in 256 by chance.
    """
    words = _WORD.findall(text.casefold())
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)} or set(words)
    least: list[int | None] = [None] * _BINS
    for pair in pairs:
        value = int.from_bytes(hashlib.blake2b(pair.encode(), digest_size=8).digest(), "big")
        slot, rest = value % _BINS, value // _BINS
        kept = least[slot]
        if kept is None or rest < kept:
            least[slot] = rest
    return "".join(_EMPTY if v is None else f"{v & 0xFF:02x}" for v in least)


def shares_text(kept: str, other: str) -> bool | None:
    """Whether two :func:`word_sketch` sketches are of one text, edited (None: either is missing or not a sketch).

    An edit keeps most pairs of words, whatever else it changes (a headline, a date, some words); another article
    shares next to none.
    """
    if len(kept) != 2 * _BINS or len(other) != 2 * _BINS:
        return None  # a ledger entry written before sketches were kept, or a hand-edited one
    agree = sum(kept[i : i + 2] == other[i : i + 2] != _EMPTY for i in range(0, 2 * _BINS, 2))
    return agree >= SHARED_BINS


def revise(
    article: Article,
    page_updated: datetime | None,
    previous: Revision | None,
    now: datetime,
    current: str | None = None,
    words: str | None = None,
    sketch: str | None = None,
    source: str = "",
) -> tuple[Article, Revision]:
    """Date ``article``'s ``updated`` from the ledger; return it with the slug's new ledger entry.

    ``current``, ``words`` and ``sketch`` are :func:`reader_keys` of ``article`` when the caller already has them
    (the build cache keeps them). ``source``: a hash of the bytes of its file and sidecar (``Prepared.file_digest``;
    "" if unknown): what readers see changing while the ledger's hash of the bytes is this one is another version
    of feedsvc reading the same file (an upgrade's cleaner), not an edit, and keeps ``updated``. The entry keeps
    the id readers have (``id_day``, ``pinned_id``) as ``previous`` had it, and the articles readers had under its
    slug before (``earlier``): the caller says which id is published.
    """
    if not current or not words or not sketch:
        current, words, sketch = reader_keys(article)
    if previous is None or not previous.fingerprint:
        since = article.updated  # first sight: the content's own date, not the clock
    elif previous.fingerprint == current:
        since = previous.since
    elif source and previous.source == source:
        # the same bytes, read by other code (a new cleaner or loader): no publisher's edit, and readers that show
        # updated entries again would show every article an upgrade cleans differently. The new fingerprint is
        # kept, so an edit after it is told by what it changes.
        since = previous.since
    else:
        since = now  # an edit (and, when the file changed with an upgrade, the two together: it is an edit)
    revision = Revision(
        current,
        since,
        first_seen=previous.first_seen if previous is not None else None,
        id_day=previous.id_day if previous is not None else "",
        pinned_id=previous.pinned_id if previous is not None else "",
        title=article.title,
        text_key=words,
        sketch=sketch,
        renamed_from=previous.renamed_from if previous is not None else "",
        id_number=previous.id_number if previous is not None else 0,
        earlier=previous.earlier if previous is not None else (),
        source=source,
    )
    if revision == previous:
        revision = previous  # the same object: what a ledger keeps unchanged is told apart by identity
    if page_updated is not None:
        return article, revision  # the page says when it changed: that is the truth
    updated = max(since.astimezone(article.published.tzinfo), article.published)
    if updated == article.updated and updated.utcoffset() == article.updated.utcoffset():
        return article, revision  # the same object: unchanged articles are shared between snapshots
    return replace(article, updated=updated), revision


def first_seen(previous: Revision | None, now: datetime) -> datetime:
    """Return the date of an article with none of its own: when the ledger first saw it, else ``now``.

    The one rule for ``feedsvc check``, ``import``, ``build`` and ``serve``: each reads the
    ledger, and the first of them to see the article pins ``now`` there (:func:`pin_first_seen`),
    so all of them give the same date from then on.
    """
    return previous.first_seen if previous is not None and previous.first_seen else now


def pin_first_seen(ledger: Mapping[str, Revision], dates: Mapping[str, datetime]) -> dict[str, Revision]:
    """Return ``ledger`` with each slug of ``dates`` given that first-seen date, unless it has one already.

    Nothing else of an entry changes; a slug new to the ledger gets an entry with no fingerprint,
    which the next build takes for a first sight (:func:`revise`).
    """
    pinned = dict(ledger)
    for slug, when in dates.items():
        entry = pinned.get(slug)
        if entry is None:
            pinned[slug] = Revision("", when, first_seen=when)
        elif entry.first_seen is None:
            pinned[slug] = replace(entry, first_seen=when)
    return pinned


def withdraw(previous: Revision | None, now: datetime) -> Revision:
    """Return the ledger entry of a withdrawn slug: the first time it was seen withdrawn is kept."""
    if previous is None:
        return Revision("", now, now)
    return replace(previous, withdrawn=previous.withdrawn or now)


def dump_ledger(ledger: Mapping[str, Revision], journal: str | None = None) -> str:
    """Serialise a ledger as stable JSON (slugs sorted, one per block) for the content folder.

    ``journal``: the token the entries appended after it carry (:func:`dump_entries`); without it, the
    text is the ledger alone, as it always was.
    """
    articles = {slug: _entry(ledger[slug]) for slug in sorted(ledger)}
    data: dict[str, Any] = {"version": LEDGER_VERSION, "articles": articles}
    if journal is not None:
        data["journal"] = journal
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def dump_entries(changes: Mapping[str, Revision], journal: str) -> str:
    """Serialise the entries one build changed as one line (no newline) of the ledger's journal."""
    articles = {slug: _entry(changes[slug]) for slug in sorted(changes)}
    return json.dumps({"journal": journal, "articles": articles}, ensure_ascii=False, separators=(",", ":"))


# The entry's fields written as they are, and only when set (an older feedsvc wrote none of the later ones).
_WRITTEN_WHEN_SET = ("id_day", "pinned_id", "title", "text_key", "sketch", "renamed_from", "id_number", "source")


def _entry(revision: Revision) -> dict[str, Any]:
    # Keys in this order, not sorted: the file reads as it did when it was written by hand.
    entry: dict[str, Any] = {"fingerprint": revision.fingerprint, "since": _utc(revision.since)}
    if revision.withdrawn:
        entry["withdrawn"] = _utc(revision.withdrawn)
    if revision.first_seen:
        entry["first_seen"] = _utc(revision.first_seen)
    for key in _WRITTEN_WHEN_SET:
        value = getattr(revision, key)
        if value:
            entry[key] = value
    if revision.earlier:
        entry["earlier"] = [_entry(before) for before in revision.earlier]
    return entry


def parse_ledger(text: str) -> dict[str, Revision]:
    """Read a ledger written by :func:`dump_ledger`; raise ValueError saying what is wrong."""
    return parse_ledger_with_journal(text)[0]


def parse_ledger_with_journal(text: str) -> tuple[dict[str, Revision], str | None]:
    """Read a ledger written by :func:`dump_ledger`, with its journal token (None if it has none)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"is not valid JSON ({error})") from None
    valid = isinstance(data, dict) and data.get("version") == LEDGER_VERSION and isinstance(data.get("articles"), dict)
    if not valid:
        raise ValueError(f'is not a version {LEDGER_VERSION} ledger ({{"version": 1, "articles": {{…}}}})')
    journal = data.get("journal")
    return ledger_entries(data["articles"]), journal if isinstance(journal, str) else None


def ledger_entries(articles: Mapping[str, Any]) -> dict[str, Revision]:
    """Read the ``articles`` table of a ledger or of a line of its journal; raise ValueError naming a bad entry."""
    ledger: dict[str, Revision] = {}
    for slug, entry in articles.items():
        try:
            ledger[slug] = _revision(entry)
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ValueError(f"has an unreadable entry for {slug!r}: {entry!r}") from None
    return ledger


def _revision(entry: Any) -> Revision:
    """Read one entry of a ledger (raising AttributeError, KeyError, TypeError or ValueError if it is not one)."""
    withdrawn = entry.get("withdrawn")
    first_seen = entry.get("first_seen")  # absent from older ledgers and from dated articles
    earlier = entry.get("earlier", [])  # absent unless another article took the slug (session 39)
    if not isinstance(earlier, list):
        raise ValueError(earlier)
    return Revision(
        fingerprint=str(entry["fingerprint"]),
        since=_parse_utc(entry["since"]),
        withdrawn=_parse_utc(withdrawn) if withdrawn else None,
        first_seen=_parse_utc(first_seen) if first_seen else None,
        id_day=_day(entry.get("id_day", "")),  # absent from older ledgers and for pinned ids
        # absent from older ledgers (the first build after an upgrade writes them) and from unpinned ids
        pinned_id=_text(entry.get("pinned_id", "")),
        title=_text(entry.get("title", "")),
        text_key=_text(entry.get("text_key", "")),
        sketch=_text(entry.get("sketch", "")),  # absent from ledgers written before session 38
        renamed_from=_text(entry.get("renamed_from", "")),  # absent unless its file was renamed
        id_number=_number(entry.get("id_number", 0)),  # absent unless its id has a number (session 39)
        source=_text(entry.get("source", "")),  # absent from ledgers written before session 44
        # each as the ledger kept it when it was taken: without an ``earlier`` of its own
        earlier=tuple(replace(_revision(before), earlier=()) for before in earlier),
    )


def _day(value: object) -> str:
    """Return a ledger's ``id_day`` ("2024-03-01"), raising ValueError for anything else."""
    if not isinstance(value, str) or (value and date.fromisoformat(value).isoformat() != value):
        raise ValueError(value)
    return value


def _number(value: object) -> int:
    """Return a ledger's ``id_number`` (0, or 2 and up), raising ValueError for anything else."""
    if type(value) is not int or value < 0 or value == 1:
        raise ValueError(value)
    return value


def _text(value: object) -> str:
    """Return a ledger's text field, raising ValueError for anything but a string."""
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("date without an offset")
    return moment
