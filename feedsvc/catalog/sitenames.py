"""Site names learned across a site's articles: the segment that ends (or begins) most titles from one host.

Pure. A page's own metadata strips the names it declares (:mod:`feedsvc.metadata.titles`);
what it does not declare, the titles of its site's other pages show: when most of
the titles of the pages from one host (their canonical or source URL's) end with
one segment after a strong separator ("… | TheHill", "… - IGN") in three titles at
least, that segment is the site's or the section's name, and it is taken off each
of them. Likewise a segment most of them begin with ("IGN: …").

Never from a title its author set (a sidecar's or front matter's ``title``), never
when the segment is the whole title, never leaving a title of one word. The
table depends only on the titles, not on their order, so every build of the same
content gives the same titles; :class:`TitleIndex` keeps it up to date by the
files that change, at the cost of the hosts they are from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from feedsvc.model import Prepared
from feedsvc.text import site_host

__all__ = ["MIN_TITLES", "Learned", "Retitle", "TitleIndex", "learn", "strip_learned", "title_ends"]

# Strong separators: between a title and a site's or section's name, rarely inside a headline.
_SEPARATOR = re.compile(r"\s+(?:[|\-–—•·»]|::)\s+|\s*[|•·]\s*|:\s+")
# The fewest titles a segment must end (or begin) before it is taken for the site's name.
MIN_TITLES = 3
# A segment longer than this is a headline's own words, however often it repeats.
_MAX_SEGMENT_WORDS = 8
# What a stripped title keeps at least.
_MIN_KEPT_WORDS = 2


def _key(segment: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", segment).casefold().split())


def title_ends(title: str) -> tuple[str | None, str | None]:
    """Return the comparison keys of a title's first and last segments (None, None: no strong separator)."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return None, None
    head, tail = parts[0].strip(), parts[-1].strip()
    short = len(head.split()) <= _MAX_SEGMENT_WORDS, len(tail.split()) <= _MAX_SEGMENT_WORDS
    return (_key(head) or None) if short[0] else None, (_key(tail) or None) if short[1] else None


@dataclass(frozen=True, slots=True)
class Learned:
    """The segments learned of one host: what most of its titles begin and end with, and in how many."""

    titles: int = 0  # the host's titles looked at
    head: str | None = None  # the key of the first segment most of them have
    heads: int = 0
    tail: str | None = None  # the key of the last segment most of them have
    tails: int = 0


def _majority(counts: Mapping[str, int], titles: int) -> tuple[str | None, int]:
    """The one key counted in at least MIN_TITLES and more than half of ``titles`` (there is at most one)."""
    for key, count in counts.items():
        if count >= MIN_TITLES and 2 * count > titles:
            return key, count
    return None, 0


def learn(ends: Iterable[tuple[str | None, str | None]]) -> Learned:
    """Learn one host's segments from the :func:`title_ends` of each of its titles (in any order)."""
    heads: dict[str, int] = {}
    tails: dict[str, int] = {}
    titles = 0
    for head, tail in ends:
        titles += 1
        if head is not None:
            heads[head] = heads.get(head, 0) + 1
        if tail is not None:
            tails[tail] = tails.get(tail, 0) + 1
    return Learned(titles, *_majority(heads, titles), *_majority(tails, titles))


@dataclass(frozen=True, slots=True)
class Retitle:
    """A title with a learned segment taken off, and why (what ``feedsvc check`` shows)."""

    title: str
    note: str


def strip_learned(title: str, learned: Learned, host: str) -> Retitle | None:
    """Take the learned segments off ``title`` (None: nothing to take, or too little would be left)."""
    if learned.head is None and learned.tail is None:
        return None
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return None  # the segment is the whole title
    seps = _SEPARATOR.findall(title)
    segments = [part.strip() for part in parts]
    notes: list[str] = []
    if learned.tail is not None and _key(segments[-1]) == learned.tail:
        notes.append(f"'{seps[-1].lstrip()}{segments[-1]}' ends")
        segments.pop()
        seps.pop()
    if learned.head is not None and len(segments) > 1 and _key(segments[0]) == learned.head:
        notes.append(f"'{segments[0]}{seps[0].rstrip()}' begins")
        segments.pop(0)
        seps.pop(0)
    if not notes:
        return None
    rebuilt = segments[0]
    for sep, segment in zip(seps, segments[1:], strict=True):
        rebuilt += sep + segment
    rebuilt = rebuilt.strip()
    if len(rebuilt.split()) < _MIN_KEPT_WORDS:
        return None
    # no counts: the note changes only when the title does, whatever other pages of the host come and go
    said = " and ".join(notes)
    return Retitle(rebuilt, f"{said} most titles from {host} ({MIN_TITLES} at least): the site's name, taken off")


def _eligible(item: Prepared) -> tuple[str, str] | None:
    """The host and the title of a published article whose title may lose a learned segment."""
    article, source = item.article, item.source
    if article is None or source is None or item.own_title:
        return None
    host = site_host(source.metadata.canonical_url)  # as readers write it: bücher.de, not its IDNA form
    return (host, article.title) if host else None


@dataclass
class _Host:
    """The titles of one host: their files, by first and last segment, and what was learned of them."""

    paths: set[Path] = field(default_factory=set)
    heads: dict[str, set[Path]] = field(default_factory=dict)
    tails: dict[str, set[Path]] = field(default_factory=dict)
    learned: Learned = Learned()
    grown: set[tuple[str, str]] = field(default_factory=set)  # ("head" or "tail", key) put since the last relearn

    def relearn(self) -> Learned:
        """What most titles begin and end with now: looking at every key only when there are fewer titles.

        A key no title was put under since keeps its count; it was not most of the titles before,
        so it is not now unless there are fewer titles. Otherwise only the keys put and the name
        learned before can be most (one publish costs its own keys, not the host's).
        """
        titles = len(self.paths)
        if titles < self.learned.titles:
            heads, tails = list(self.heads), list(self.tails)
        else:
            heads = [key for kind, key in self.grown if kind == "head"] + [self.learned.head or ""]
            tails = [key for kind, key in self.grown if kind == "tail"] + [self.learned.tail or ""]
        self.grown.clear()
        head = _majority({k: len(self.heads[k]) for k in heads if k in self.heads}, titles)
        tail = _majority({k: len(self.tails[k]) for k in tails if k in self.tails}, titles)
        return Learned(titles, *head, *tail)


@dataclass
class TitleIndex:
    """Every eligible title by host, and the segments learned of each, kept up to date file by file.

    :meth:`put` and :meth:`drop` change the files; :meth:`relearn` then says which files'
    titles may have changed. The same files give the same table whatever order they came in.
    """

    files: dict[Path, tuple[Prepared, str, str, str | None, str | None]] = field(default_factory=dict)
    hosts: dict[str, _Host] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)  # hosts whose files changed since the last relearn
    settled: bool = True  # False: changed by a catalog update that did not complete (the whole assembly mends it)

    def put(self, path: Path, item: Prepared | None) -> None:
        """Set the file at ``path`` to ``item`` (None: it is gone)."""
        known = self.files.get(path)
        if known is not None and known[0] is item:
            return
        self.drop(path)
        if item is None:
            return
        eligible = _eligible(item)
        if eligible is None:
            return
        host, title = eligible
        head, tail = title_ends(title)
        self.files[path] = (item, host, title, head, tail)
        entry = self.hosts.setdefault(host, _Host())
        entry.paths.add(path)
        if head is not None:
            entry.heads.setdefault(head, set()).add(path)
            entry.grown.add(("head", head))
        if tail is not None:
            entry.tails.setdefault(tail, set()).add(path)
            entry.grown.add(("tail", tail))
        self.dirty.add(host)

    def drop(self, path: Path) -> None:
        """Forget the file at ``path``."""
        known = self.files.pop(path, None)
        if known is None:
            return
        _, host, _, head, tail = known
        entry = self.hosts[host]
        entry.paths.discard(path)
        for key, by in ((head, entry.heads), (tail, entry.tails)):
            if key is not None:
                by[key].discard(path)
                if not by[key]:
                    del by[key]
        self.dirty.add(host)

    def relearn(self) -> set[Path]:
        """Learn the changed hosts again; return the files whose learned segments changed (their titles may)."""
        moved: set[Path] = set()
        for host in sorted(self.dirty):
            entry = self.hosts[host]
            before, after = entry.learned, entry.relearn()
            if not entry.paths:
                del self.hosts[host]
            else:
                entry.learned = after
            if (before.head, before.tail) == (after.head, after.tail):
                continue  # the counts alone moved: no title changes
            # the titles that begin or end with the name learned before or now (those of the files gone are gone)
            for head in (before.head, after.head):
                moved |= entry.heads.get(head, set()) if head is not None else set()
            for tail in (before.tail, after.tail):
                moved |= entry.tails.get(tail, set()) if tail is not None else set()
        self.dirty.clear()
        return moved

    def retitle(self, path: Path) -> Retitle | None:
        """The learned title of the file at ``path`` (None: its own stays)."""
        known = self.files.get(path)
        if known is None:
            return None
        _, host, title, _, _ = known
        return strip_learned(title, self.hosts[host].learned, host)
