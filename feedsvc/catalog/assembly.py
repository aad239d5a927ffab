"""The catalog: prepared articles -> published articles -> one immutable snapshot.

Pure: prepared articles, the revisions ledger and "now" in, :class:`~feedsvc.model.Catalog`
out. Each source is cleaned once into a :class:`~feedsvc.model.Prepared`
(:func:`~feedsvc.catalog.prepare.prepare_source`, which the build pipeline runs in
parallel and caches); :func:`assemble_catalog` then dates, orders and indexes them,
cheaply enough to run on every content change, and brings the last catalog up to
date by what changed when it is given one. Requests only read the finished catalog.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from feedsvc.catalog.prepare import Cleaner, article_digest, entry_id, entry_id_on, prepare_source
from feedsvc.catalog.revisions import first_seen, revise, shares_text, title_key, withdraw
from feedsvc.catalog.sitenames import Retitle, TitleIndex
from feedsvc.clean import SiteRules, clean_html
from feedsvc.feeds.archive import newest_first, place
from feedsvc.model import (
    Article,
    ArticleSource,
    Catalog,
    Facet,
    Prepared,
    Problem,
    Revision,
    Site,
    Source,
    Withdrawal,
)
from feedsvc.text import one_line

__all__ = [
    "NEW_ID_NOTE",
    "UNDATED_NOTE",
    "Assembled",
    "Dated",
    "assemble_catalog",
    "build_catalog",
    "date_undated",
    "facet_key",
    "index_facets",
    "index_sources",
    "make_withdrawal",
    "metadata_place",
    "reindex_facets",
    "reorder_articles",
    "unknown_sources",
    "update_catalog",
]

log = logging.getLogger(__name__)

# How the warning about an article dated by the ledger starts (``feedsvc build`` prints these).
UNDATED_NOTE = "no publication date"
# How the warning about an article readers have under another id starts (an id pinned on it, its file renamed):
# ``feedsvc build`` prints it.
NEW_ID_NOTE = "new entry id"
# Changed articles up to which (or an eighth of the site) a catalog is brought up to date from the last one.
INCREMENTAL_FROM = 64
# The entries of the articles a name had before that its ledger entry keeps (``Revision.earlier``), newest. Only one
# of their ids' days can be given again, so a name reused every day (a daily page saved over one file) would carry a
# year of entries in every write of it for nothing; with 32, an id is given twice only to a 35th article of one name and day.
EARLIER_KEPT = 32


def metadata_place(path: Path) -> str:
    """Say where an article's metadata is set: its sidecar, or a Markdown file's front matter."""
    if path.suffix.lower() == ".md":
        return f"the front matter of {path.name}"
    return path.with_suffix(".toml").name


def date_undated(
    article: Article, source: ArticleSource, site: Site, previous: Revision | None, now: datetime
) -> tuple[Article, Problem]:
    """Date an article that has no date of its own: when the ledger first saw it (now, the first time).

    Pinned in the ledger (``Revision.first_seen``), so its date and id do not move on the
    next run; the warning gives the sidecar line that pins them for good.
    """
    first = first_seen(previous, now).astimezone(site.timezone)
    updated = max(source.metadata.updated or first, first)
    ident = source.pinned_id or entry_id(site, source.slug, first)
    where = metadata_place(source.path)
    note = Problem(
        source.path,
        f"{UNDATED_NOTE} in the page (JSON-LD datePublished, article:published_time, <time datetime>, "
        "a visible date near the headline) or its sidecar; published as of "
        f"{first.isoformat()}, when feedsvc first saw it (remembered in .feedsvc/revisions.json); "
        f"add `published = {first.isoformat()}` to {where} to keep that date for good",
        "warning",
    )
    return replace(article, published=first, updated=updated, entry_id=ident), note


@functools.lru_cache(maxsize=65536)  # a site has few distinct tags and authors, each seen on many articles
def facet_key(name: str) -> str:
    """Return the URL segment of a tag or author name: 'South Caucasus' -> 'south-caucasus'."""
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", name).casefold()).strip("-")


def make_withdrawal(source: ArticleSource, site: Site, revision: Revision, now: datetime) -> Withdrawal:
    """Describe a withdrawn source for its 410 page and its tombstone (no cleaning needed).

    ``revision``: its ledger entry, withdrawn (``withdraw``): when it went, the first-seen date of an article
    that had none of its own (its id came from it), and the id readers got (``Revision.id_day``,
    ``Revision.pinned_id``): the tombstone names that id, whatever the sidecar pins now, as the one readers
    can drop.
    """
    meta = source.metadata
    when = revision.withdrawn or now
    first_seen = revision.first_seen
    published = meta.published or (first_seen.astimezone(site.timezone) if first_seen else None)
    ident = (
        _readers_id(site, source.slug, revision)
        or source.pinned_id
        or (entry_id(site, source.slug, published) if published else None)
    )
    return Withdrawal(
        slug=source.slug,
        entry_id=ident,
        title=one_line(meta.title) if meta.title else source.slug,
        when=when.astimezone(site.timezone),
        tags=tuple(dict.fromkeys(one_line(tag) for tag in meta.tags if one_line(tag))),
        authors=meta.authors or (site.default_author,),
        tombstone=now - when < timedelta(days=site.tombstone_days),
        source=source.source,
    )


def index_facets(kind: str, articles: Iterable[Article], withdrawn: Iterable[Withdrawal]) -> dict[str, Facet]:
    """Group articles (newest first) and withdrawals by tag or by author; names differing only in case share one."""
    names: dict[str, str] = {}
    members: dict[str, list[Article]] = {}
    gone: dict[str, list[Withdrawal]] = {}
    for article in articles:
        keys: dict[str, str] = {}  # one membership a key, however many of its names share it ("Tag", "tag")
        for name in article.tags if kind == "tags" else article.authors:
            keys.setdefault(facet_key(name), name)
        for key, name in keys.items():
            if key:  # a name of punctuation alone has no URL
                names.setdefault(key, name)
                members.setdefault(key, []).append(article)
    for withdrawal in withdrawn:
        if not (withdrawal.tombstone and withdrawal.entry_id):
            continue  # only tombstones still shown keep a narrower feed alive
        for name in withdrawal.tags if kind == "tags" else withdrawal.authors:
            key = facet_key(name)
            if key:
                names.setdefault(key, name)
                gone.setdefault(key, []).append(withdrawal)
    return {
        key: Facet(kind, key, names[key], tuple(members.get(key, ())), tuple(gone.get(key, ())))
        for key in sorted(names)
    }


def reorder_articles(
    articles: Sequence[Article], gone: list[Article], added: tuple[Article, ...] | list[Article]
) -> tuple[Article, ...]:
    """Return ``articles`` without the ``gone`` ones and with the ``added`` ones, in order: log n per article."""
    items = list(articles)
    for article in gone:
        at = place(items, newest_first(article))
        if at >= len(items) or items[at] is not article:  # not where the order says: never expected, yet safe
            items = [a for a in items if a is not article]
        else:
            del items[at]
    for article in added:
        items.insert(place(items, newest_first(article)), article)
    return tuple(items)


def _names(kind: str, item: Article | Withdrawal) -> tuple[str, ...]:
    """The names ``item`` is indexed under in facets of ``kind``."""
    if kind == "sources":
        return (item.source,) if item.source is not None else ()
    return item.tags if kind == "tags" else item.authors


def reindex_facets(
    kind: str, facets: Mapping[str, Facet], gone: list[Article], added: tuple[Article, ...], touched: set[str]
) -> dict[str, Facet]:
    """Return ``facets`` with those the ``gone`` and ``added`` articles are in indexed again, as the whole index
    would be (:func:`index_facets`, :func:`index_sources`).

    Tags and authors are keyed by :func:`facet_key` and named as their newest article (else withdrawal)
    writes them; followed sources are keyed by name, and only those site.toml has have a facet.
    ``gone`` must hold every article of ``facets`` whose slug is ``touched`` (those of ``gone`` and
    ``added``): they are taken out by binary search, not by a walk over each facet.
    """
    named = kind != "sources"

    def key_of(name: str) -> str:
        return facet_key(name) if named else name

    keys = {key_of(name) for article in (*gone, *added) for name in _names(kind, article)}
    found = dict(facets)
    for key in keys:
        facet = facets.get(key)
        if not key or (not named and facet is None):
            continue  # a name of punctuation alone has no URL; a source missing from site.toml has no facet
        # the members it had of ``gone`` out and those of ``added`` in, by binary search (an author's facet
        # may hold most of the site); a member whose slug is touched is one of ``gone``, in its old form
        out = [a for a in gone if any(key_of(name) == key for name in _names(kind, a))]
        into = [a for a in added if any(key_of(name) == key for name in _names(kind, a))]
        members = list(reorder_articles(facet.articles if facet else (), out, into))
        withdrawn = facet.withdrawn if facet else ()
        if named and not members and not withdrawn:
            found.pop(key, None)
            continue
        if facet is not None and not named:
            found[key] = replace(facet, articles=tuple(members))
            continue
        first = members[0] if members else withdrawn[0]
        name = next(name for name in _names(kind, first) if facet_key(name) == key)
        found[key] = Facet(kind, key, name, tuple(members), withdrawn)
    if named and found.keys() != facets.keys():
        return {key: found[key] for key in sorted(found)}
    return found


def unknown_sources(articles: Iterable[Article], site: Site) -> list[Problem]:
    """Warn of each article whose sidecar names a source site.toml does not have (it is published all the same).

    Sources come and go: an article a removed source brought stays, in the site's feeds only.
    """
    known = {source.name for source in site.sources}
    listed = ", ".join(f"'{name}'" for name in sorted(known)) or "none"
    return [
        Problem(
            article.source_path,
            f"source = '{article.source}' in {metadata_place(article.source_path)} names no [[source]] of site.toml "
            f"(it has {listed}); the article is published, but only in the site's own feeds; add a [[source]] "
            f"with name = '{article.source}' to site.toml, or remove the line from {metadata_place(article.source_path)}",
            "warning",
        )
        for article in articles
        if article.source is not None and article.source not in known
    ]


def index_sources(
    sources: Iterable[Source], articles: Iterable[Article], withdrawn: Iterable[Withdrawal]
) -> dict[str, Facet]:
    """Group articles (newest first) and withdrawals by the followed source that brought them.

    Every source of site.toml has its facet, even before its first article (readers subscribe
    before the first poll); an article of a source site.toml does not have is in none
    (:func:`unknown_sources` warns of it).
    """
    facets: dict[str, tuple[Source, list[Article], list[Withdrawal]]] = {s.name: (s, [], []) for s in sources}
    for article in articles:
        if article.source in facets:
            facets[article.source][1].append(article)
    for withdrawal in withdrawn:
        if withdrawal.tombstone and withdrawal.entry_id and withdrawal.source in facets:
            facets[withdrawal.source][2].append(withdrawal)
    return {
        name: Facet("sources", name, source.display_title, tuple(members), tuple(gone), source.home)
        for name, (source, members, gone) in facets.items()
    }


def _version(site: Site, lines: int, withdrawn: Iterable[Withdrawal]) -> str:
    """Hash everything a response can depend on, so equal content gives equal versions.

    ``lines``: the sum of the published articles' line hashes (:func:`_line_hash`). A sum,
    not a hash of the lines in order: the order is the articles' own (:func:`newest_first`),
    so the sum says as much, and a publish brings it up to date by the articles it changed.
    """
    digest = hashlib.sha256()
    site_fields = {k: str(v) for k, v in asdict(site).items()}
    digest.update(json.dumps(site_fields, sort_keys=True).encode())
    digest.update(lines.to_bytes(_LINE_BYTES, "big"))
    for withdrawal in withdrawn:
        digest.update(json.dumps({k: str(v) for k, v in asdict(withdrawal).items()}, sort_keys=True).encode())
    return digest.hexdigest()[:16]


_LINE_BYTES = 32
_LINES_MODULUS = 1 << (8 * _LINE_BYTES)


def _version_line(digest: str, article: Article) -> bytes:
    return f"{digest} {article.updated.isoformat()}\n".encode()


def _line_hash(line: bytes) -> int:
    """An article's part of the version: the hash of its line (its digest and its ``updated``), as a number."""
    return int.from_bytes(hashlib.sha256(line).digest(), "big")


def build_catalog(
    sources: Iterable[ArticleSource],
    site: Site,
    problems: Iterable[Problem] = (),
    rules: Mapping[str, SiteRules] | None = None,
    clean: Cleaner = clean_html,
    *,
    now: datetime,
    ledger: Mapping[str, Revision] | None = None,
) -> Catalog:
    """Clean and publish every source that can be published; report the rest (see :func:`assemble_catalog`)."""
    prepared = (prepare_source(source, site, rules, clean) for source in sources)
    return assemble_catalog(prepared, site, problems, now=now, ledger=ledger)


@dataclass(frozen=True, slots=True)
class Dated:
    """One article as :func:`assemble_catalog` dated and revised it, and the inputs it did so from."""

    prepared: Prepared
    revision: Revision  # the ledger entry it left
    site: Site
    article: Article
    digest: str
    note: Problem | None  # the warning of an article dated by the ledger
    line: bytes  # its line of the catalog's version hash
    retitle: Retitle | None = None  # the title learned from its host's other titles, if it was given one


def _problem_key(problem: Problem) -> tuple[str, str, str]:
    """The order of a catalog's problems: by file, severity, message."""
    return (str(problem.path), problem.severity, problem.message)


@dataclass
class Assembled:
    """What the last :func:`assemble_catalog` or :func:`update_catalog` left, for :func:`update_catalog`.

    Kept by the caller (the builder) from one build to the next, with the ``dated`` mapping.
    Every field describes :attr:`catalog`; :func:`update_catalog` replaces them together or not at all.
    """

    catalog: Catalog | None = None
    site: Site | None = None
    ledger: Mapping[str, Revision] | None = None  # the very ledger mapping the last call read
    items: dict[Path, Prepared] = field(default_factory=dict)  # every prepared file, by path
    claims: dict[str, int] = field(default_factory=dict)  # slug -> files that claim it (loaded ones)
    problems: dict[Path, tuple[Problem, ...]] = field(default_factory=dict)  # of each file (dating, ids too)
    ordered: list[Problem] = field(default_factory=list)  # all of those, in the catalog's order
    owners: dict[str, Article] = field(default_factory=dict)  # entry id -> the published article that has it
    clashes: set[str] = field(default_factory=set)  # entry ids more than one article has
    withdrawn: dict[Path, Prepared] = field(default_factory=dict)  # files of withdrawn articles
    scheduled: dict[Path, Prepared] = field(default_factory=dict)  # files held back until their date
    # files whose problems were found against a ledger entry the last call changed (a new id's warning): looked
    # at again by the next update, as the whole assembly would, against the entry that call left
    recheck: dict[Path, Prepared] = field(default_factory=dict)
    revised: dict[str, Revision] = field(default_factory=dict)  # slug -> the entry the last call revised it to
    lines: int = 0  # the sum of the published articles' line hashes (:func:`_version`)
    # what update_catalog changed of the catalog before: its articles taken out (gone or replaced) and those put
    # in (new or replaced), in the catalog's order (None: made by the whole assembly)
    changes: tuple[tuple[Article, ...], tuple[Article, ...]] | None = None
    # the slugs whose ledger entry update_catalog set (the others are the ledger's own; None: made whole)
    entries: set[str] | None = None
    titles: TitleIndex = field(default_factory=TitleIndex)  # every eligible title by host (site names learned)


@dataclass
class _Outcome:
    """What one prepared file gives the catalog (the body of :func:`assemble_catalog`'s loop)."""

    problems: list[Problem]
    article: Article | None = None  # published
    digest: str = ""
    line: bytes = b""
    revision: Revision | None = None  # a new ledger entry (None: the ledger's stays)
    withdrawal: Withdrawal | None = None
    scheduled: datetime | None = None  # held back until then
    recheck: bool = False  # its problems hold one found against the ledger entry it changes (look again)


def _assemble_one(
    item: Prepared,
    site: Site,
    revisions: Mapping[str, Revision],
    now: datetime,
    dated: MutableMapping[str, Dated] | None,
    retitle: Retitle | None = None,
    renames: _Renames | None = None,
) -> _Outcome:
    """Date, revise or withdraw one prepared file whose slug is its own (see :func:`assemble_catalog`).

    ``retitle``: its title without the site name its host's other titles show
    (:mod:`feedsvc.catalog.sitenames`); the ledger's fingerprint stays the page's own
    title's, so a name learned or unlearned is no edit (``updated`` does not move).
    ``renames``: the ledger's slugs by fingerprint, to tell a renamed file from a new article.
    """
    source = item.source
    assert source is not None  # the callers pass only loaded files
    done_problems = list(item.problems)
    if source.status == "withdrawn":
        revision = withdraw(revisions.get(source.slug), now)
        withdrawal = make_withdrawal(source, site, revision, now)
        return _Outcome(done_problems, revision=revision, withdrawal=withdrawal)
    if item.article is None:
        return _Outcome(done_problems)  # a draft, or not publishable (its problems say why)
    previous = revisions.get(item.slug)
    done = dated.get(item.slug) if dated is not None else None
    if (
        done is not None
        and done.prepared is item
        and done.revision is previous
        and done.site is site
        and done.article.published <= now
        and done.retitle == retitle
    ):
        if done.note is not None:
            done_problems.append(done.note)
        return _Outcome(done_problems, done.article, done.digest, done.line)
    article, known, digest = item.article, item.fingerprint or None, item.digest
    note = None
    # another article saved under the name of one readers have (deleted, or replaced whole) is a new article: the
    # ledger's record of the old one (its id's day, its first-seen date) is not its own (:func:`_another`). Unless it
    # is one readers had under the name before that one: that one's record is its own again
    another = previous is not None and _another(previous, item)
    back = _restored(previous, item) if another and previous is not None else None
    own = back if another else previous
    if item.undated:
        article, note = date_undated(article, source, site, own, now)
        done_problems.append(note)
        known, digest = None, article_digest(article)  # the prepared ones hashed the UNDATED placeholder
    if article.published > now:
        # Embargoed: held back (no feed entry, no page) until its date; Catalog.next_release says when.
        done_problems.append(
            Problem(
                item.path,
                f"dated {article.published.isoformat()}, in the future: held back until then; "
                "if that date is a mistake, correct `published`",
                "warning",
            )
        )
        return _Outcome(done_problems, scheduled=article.published)
    number = own.id_number if own is not None else 0
    if source.pinned_id is None and own is not None and own.id_day:
        kept = _derived_id(site, item.slug, own.id_day, own.id_number)
        if kept != article.entry_id:
            # `published` corrected since readers got the id: the id stays theirs (an edit never changes it)
            article, digest = replace(article, entry_id=kept), ""
    elif source.pinned_id is None and another and previous is not None:
        # the id is the day and the name: on the day of an id readers were given under the name, a number after it
        day = article.published.date().isoformat()
        number = _free_number(site, item.slug, day, previous)
        if number:
            article, digest = replace(article, entry_id=_derived_id(site, item.slug, day, number)), ""
    moved_from = _moved_from(item, previous, renames)
    renewed = _new_id(item, article, site, previous, another, back) or _renamed(
        item, article, site, moved_from, renames
    )
    if renewed is not None:
        done_problems.append(renewed)
    article, revision = revise(
        article, source.metadata.updated, own, now, known, item.text_key or None, item.sketch or None,
        item.file_digest,
    )  # fmt: skip
    if item.undated and revision.first_seen is None:
        revision = replace(revision, first_seen=article.published)
    # the id published from now on, as the ledger keeps it: the day of a derived one (kept once readers have it),
    # or the pinned one. A warning of _new_id, found against the entry that named another, goes with this build.
    if source.pinned_id is None:
        id_day, pinned_id = revision.id_day or article.published.date().isoformat(), ""  # the day entry_id used
    else:
        id_day, pinned_id, number = "", source.pinned_id, 0
    if (id_day, pinned_id, number) != (revision.id_day, revision.pinned_id, revision.id_number):
        revision = replace(revision, id_day=id_day, pinned_id=pinned_id, id_number=number)
    if another and previous is not None:
        # the article readers had under the name is kept, with those before it (the one back taken out)
        earlier = (*(old for old in previous.earlier if old is not back), replace(previous, earlier=()))
        revision = replace(revision, earlier=earlier[-EARLIER_KEPT:])
    if moved_from and revision.renamed_from != moved_from:
        revision = replace(revision, renamed_from=moved_from)  # the rename's first build: later ones keep it
    if revision == previous:
        revision = previous  # the same object: what a ledger keeps unchanged is told apart by identity
    digest = digest or article_digest(article)
    if retitle is not None:
        article = replace(article, title=retitle.title)
        digest = hashlib.sha256(f"{digest}\0{retitle.title}".encode()).hexdigest()[:32]
    line = _version_line(digest, article)
    if dated is not None:
        # Dated and revised against the entry it leaves in the ledger, the same article gives the same
        # result whatever "now" is (that entry's fingerprint, since and first_seen are its own): a fixed point.
        dated[item.slug] = Dated(item, revision, site, article, digest, note, line, retitle)
    return _Outcome(done_problems, article, digest, line, revision, recheck=renewed is not None)


def _readers_id(site: Site, slug: str, entry: Revision | None) -> str | None:
    """The id readers were given for ``slug`` as the ledger's ``entry`` names it (None: it names none)."""
    if entry is None:
        return None
    if entry.pinned_id:
        return entry.pinned_id
    return _derived_id(site, slug, entry.id_day, entry.id_number) if entry.id_day else None


def _derived_id(site: Site, slug: str, day: str, number: int) -> str:
    """The entry id of ``slug`` first published on ``day``, with ``number`` after the slug unless it is 0.

    A slug has no "/", so ``articles/<slug>/<n>`` is no other slug's id, and it stays a tag URI (RFC 4151 allows
    "/" in its specific part).
    """
    derived = entry_id_on(site, slug, day)
    return f"{derived}/{number}" if number else derived


def _free_number(site: Site, slug: str, day: str, entry: Revision) -> int:
    """The number that gives another article under ``slug``, first published on ``day``, an id readers were never
    given under it (0: its plain id is free): the ledger's ``entry`` and its ``earlier`` ones name every one given."""
    given = {_readers_id(site, slug, old) for old in (entry, *entry.earlier)}
    number = 0
    while _derived_id(site, slug, day, number) in given:
        number = number + 1 if number else 2
    return number


def _another(entry: Revision, item: Prepared) -> bool:
    """Whether ``item``, saved under the slug of the ledger's ``entry``, is another article than the one readers got
    under it (deleted, or replaced whole).

    Its title and its words differ, and so does its day. On the same day (the id is the day and the name), or with no
    day of its own (undated), the day cannot tell, and one ordinary edit changes a headline and some words but keeps
    most of the text: it is another only if it shares next to none of it (taken for another, an edited article would
    go to readers as a new entry). An entry written before titles and words, or sketches, were kept cannot tell.
    """
    if not (entry.id_day or entry.pinned_id) or item.article is None:
        return False  # readers were given no id under the name
    if not entry.title and not entry.text_key:
        return False
    day = "" if item.undated else item.article.published.date().isoformat()
    same_day = bool(day) and entry.id_day == day
    if _likeness(entry, item, True) > 1 + same_day:
        return False  # its title or its words are that article's (or all it shows readers)
    if day and not same_day:
        return True
    return shares_text(entry.sketch, item.sketch) is False


def _restored(entry: Revision, item: Prepared) -> Revision | None:
    """The ledger's record of an article readers had under the slug before the one of ``entry`` took it, if ``item``
    is that article back (its file restored), else None; of several, the latest.

    Known by more than the name it shares with all of them: two of its title, words and day, or its text.
    """
    for old in reversed(entry.earlier):
        known = _same_article(old, item, False) or shares_text(old.sketch, item.sketch) is True
        if known and not _another(old, item):
            return old
    return None


def _likeness(entry: Revision, item: Prepared, same_slug: bool) -> int:
    """How many of the name, the title, the words and the day of ``item`` are those of the ledger's ``entry``
    (4: the whole fingerprint is). The day is that of its id; an article the ledger dates has none of its own."""
    if item.fingerprint and entry.fingerprint == item.fingerprint:
        return 4
    article = item.article
    if article is None:
        return int(same_slug)
    title = title_key(article.title)
    day = "" if item.undated else article.published.date().isoformat()
    return (
        same_slug
        + bool(title and entry.title and title_key(entry.title) == title)
        + bool(item.text_key and entry.text_key == item.text_key)
        + bool(day and entry.id_day == day)
    )


def _same_article(entry: Revision | None, item: Prepared, same_slug: bool) -> bool:
    """Whether ``item`` is, to a reader, the article of the ledger's ``entry``: two of its name, title, words and
    id day are that article's (an edit changes one or two of them, a rename the name, another article all).

    An entry written before titles and words were kept tells only by the name, else by the whole fingerprint.
    """
    if entry is None:
        return False
    if not entry.title and not entry.text_key:
        return same_slug or bool(item.fingerprint and entry.fingerprint == item.fingerprint)
    return _likeness(entry, item, same_slug) >= 2


def _new_id(
    item: Prepared, article: Article, site: Site, previous: Revision | None, another: bool, back: Revision | None
) -> Problem | None:
    """Warn of an article published under another id than the one readers have under its slug, else None.

    An ``id`` pinned on it, or changed, or taken off; or another article saved under its name (``another``), or one
    readers had under it before that one (``back``, its ledger entry).
    The ledger says which id readers were given; the build that publishes the new one records it, so the
    warning stands as long as the ledger says readers have only the old id (``feedsvc check`` before a build,
    and that build), whole or incremental alike.
    """
    had = _readers_id(site, item.slug, previous)
    if had is None or had == article.entry_id:
        return None
    if another:
        pin = f'pin id = "{had}" in {metadata_place(item.path)} to keep theirs'
        if back is not None:
            return Problem(
                item.path,
                f"{NEW_ID_NOTE}: this is not the article readers have under this name ({had!r}) but one published "
                f"under it before, and has the id readers got for it again ({article.entry_id!r}); if it is the "
                f"article of {had!r} rewritten, {pin}",
                "warning",
            )
        differ = "title and words differ and it shares next to none of that article's text"  # undated: no day
        if not item.undated and previous is not None and previous.id_day == article.published.date().isoformat():
            differ = f"date is that article's day, but its {differ}"  # the id is the day and the name: numbered
        elif not item.undated:
            differ = "title, words and date all differ"
        return Problem(
            item.path,
            f"{NEW_ID_NOTE}: this is not the article readers have under this name ({had!r}): its {differ}, so it is "
            f"published as a new entry, with an id of its own ({article.entry_id!r}); if it is that article "
            f"rewritten, {pin}",
            "warning",
        )
    if item.source is not None and item.source.pinned_id is not None:
        return Problem(
            item.path,
            f"{NEW_ID_NOTE}: the `id` pinned in its sidecar is not the one readers have ({had!r}), and they will "
            f'see this article as a new entry; pin id = "{had}" to keep theirs, or keep the new one on purpose',
            "warning",
        )
    return Problem(
        item.path,
        f"{NEW_ID_NOTE}: readers have the `id` that was pinned in its sidecar ({had!r}), and without it they will "
        f'see this article as a new entry; pin id = "{had}" again to keep theirs, or keep the new one on purpose',
        "warning",
    )


class _Renames:
    """The ledger's slugs by fingerprint, title and words (indexed when first asked), to tell a renamed file from a
    new article.

    ``ledger``: the one the call was given (not the entries it sets as it goes: whole and incremental
    assemblies then agree); ``loaded``: whether a file loaded this time claims a slug.
    """

    def __init__(self, ledger: Mapping[str, Revision], loaded: Callable[[str], bool]) -> None:
        self.ledger, self.loaded = ledger, loaded
        self._index: dict[str, list[str]] | None = None

    def old_slug(self, item: Prepared) -> str | None:
        """Return the slug, other than ``item``'s and claimed by no file now, whose article readers have and
        ``item`` is (:func:`_same_article`); of several, the last renamed (none of the others was renamed from it),
        then the likest, then the first by name."""
        if self._index is None:
            self._index = {}
            for name, entry in self.ledger.items():
                if entry.fingerprint and (entry.id_day or entry.pinned_id) and entry.withdrawn is None:
                    for key in (f"f{entry.fingerprint}", f"t{title_key(entry.title)}", f"w{entry.text_key}"):
                        if len(key) > 1:  # an entry written before titles and words were kept has neither
                            self._index.setdefault(key, []).append(name)
        title = title_key(item.article.title) if item.article is not None else ""
        keys = (f"f{item.fingerprint}", f"t{title}", f"w{item.text_key}")
        names = {name for key in keys if len(key) > 1 for name in self._index.get(key, ())}
        found = [
            (-_likeness(self.ledger[name], item, False), name)
            for name in names
            if name != item.slug and not self.loaded(name) and _same_article(self.ledger[name], item, False)
        ]
        # a file renamed twice (a, then b, then c): readers got a's id, then b's, and the feed carries b's; the
        # ledger has both, alike, and b's entry says it was renamed from a. The last name of the chain is the one
        earlier = {self.ledger[name].renamed_from for _, name in found}
        found = [one for one in found if one[1] not in earlier] or found
        return min(found)[1] if found else None


def _moved_from(item: Prepared, previous: Revision | None, renames: _Renames | None) -> str:
    """Return the slug, claimed by no file now, that ``item``'s article was published under before its file was
    renamed (:meth:`_Renames.old_slug`), or "" (a slug the ledger has published: not a rename).

    A slug new to the ledger whose article is, as readers see it, the article of a slug no file claims
    any more: the same fingerprint, or two of its title, words and id day (:func:`_same_article`), so a
    file renamed and edited at once, or without its sidecar, is known too.
    """
    if renames is None or (previous is not None and previous.fingerprint):
        return ""
    return renames.old_slug(item) or ""


def _renamed(item: Prepared, article: Article, site: Site, old: str, renames: _Renames | None) -> Problem | None:
    """Warn of a file renamed from the published slug ``old`` (:func:`_moved_from`), else None: the slug is the
    file name, and its id is made of it. It goes as the pinned id's warning does: the build that publishes it
    records the slug (and, in its entry, ``old``: :meth:`_Renames.old_slug` then names the last of a chain).
    """
    if not old or renames is None:
        return None
    had = _readers_id(site, old, renames.ledger[old])
    if had is None or had == article.entry_id:
        return None  # the sidecar pins the id readers have
    return Problem(
        item.path,
        f"{NEW_ID_NOTE}: this article was published as '{old}' (the file name is the slug, and its id is made of "
        f'it); readers have {had!r}, and will see it as a new entry; pin id = "{had}" in its sidecar to keep '
        "theirs, or keep the new name on purpose",
        "warning",
    )


def _clash(article: Article, other: Article) -> Problem:
    return Problem(
        article.source_path,
        f"entry id {article.entry_id!r} is already used by {other.source_path}; "
        "give one of them its own `id` in its sidecar",
    )


def assemble_catalog(
    prepared: Iterable[Prepared],
    site: Site,
    problems: Iterable[Problem] = (),
    *,
    now: datetime,
    ledger: Mapping[str, Revision] | None = None,
    dated: MutableMapping[str, Dated] | None = None,
    last: Catalog | None = None,
    state: Assembled | None = None,
) -> Catalog:
    """Publish every prepared file that can be published; report the rest. One bad file costs only itself.

    ``prepared`` comes in path order: of two files with one slug the first
    that loaded wins. ``ledger`` is what the revisions ledger remembered (see
    :mod:`feedsvc.catalog.revisions`); the catalog's ``revisions`` is the ledger to keep.
    Slugs not seen this time keep their entries, so a file that is broken for a
    while does not lose its history.

    ``dated``, kept by the caller from one call to the next, remembers each
    article as dated and revised: an article whose prepared file and site
    are the very objects of the last call, and whose ledger entry is the very
    one that call left, is taken from it as it was (revised against its own
    entry, an article is dated the same whatever "now" is), so a build after
    one edit dates and revises that one article, not every one.

    ``last``: the catalog of the last call (on the same ``dated``). When
    only a few of its articles are not the very objects this call publishes,
    they are taken out of and put into its order by binary search, and only
    the tags, authors and sources they are in are indexed again, as the
    whole index would be.

    ``state``: filled with what :func:`update_catalog` needs to bring this catalog
    up to date by the files that change, without looking at the others.

    Titles lose the site name their host's other titles show (:mod:`feedsvc.catalog.sitenames`):
    learned from every prepared file before any is published.
    """
    given = list(problems)
    prepared = list(prepared)
    # the titles by host: the last call's index brought up to date (a title seen before is not split again)
    titles = state.titles if state is not None else TitleIndex()
    paths = {item.path for item in prepared}
    for path in [path for path in titles.files if path not in paths]:
        titles.drop(path)
    for item in prepared:
        titles.put(item.path, item)
    titles.relearn()
    titles.settled = True
    retitled: dict[str, str] = {}
    revisions = dict(ledger or {})
    articles: list[Article] = []
    withdrawn: list[Withdrawal] = []
    digests: dict[str, str] = {}
    lines = 0
    claimed: dict[str, Path] = {}
    claims: dict[str, int] = {}
    keepers = _slug_keepers(prepared, revisions, last)
    scheduled: dict[str, datetime] = {}
    per_file: dict[Path, list[Problem]] = {}
    items: dict[Path, Prepared] = {}
    kept_withdrawn: dict[Path, Prepared] = {}
    kept_scheduled: dict[Path, Prepared] = {}
    recheck: dict[Path, Prepared] = {}
    revised: dict[str, Revision] = {}
    loaded = {item.slug for item in prepared if item.source is not None}
    renames = _Renames(ledger or {}, loaded.__contains__)
    for item in prepared:
        items[item.path] = item
        source = item.source
        mine = per_file.setdefault(item.path, [])
        if source is None:
            mine.extend(item.problems)
            continue
        claims[item.slug] = claims.get(item.slug, 0) + 1
        keeper = keepers.get(item.slug)
        if item.slug in claimed or (keeper is not None and keeper != item.path):
            # one message whoever keeps it: an unchanged file's problem is carried from build to build
            holder = keeper if keeper is not None else claimed[item.slug]
            reason = f"slug '{item.slug}' is already used by {holder.name}; rename or remove one"
            mine.append(Problem(item.path, reason))
            continue
        claimed[item.slug] = item.path
        retitle = titles.retitle(item.path)
        outcome = _assemble_one(item, site, revisions, now, dated, retitle, renames)
        mine.extend(outcome.problems)
        if outcome.recheck:
            recheck[item.path] = item
        if outcome.revision is not None:
            revisions[item.slug] = revised[item.slug] = outcome.revision
        if outcome.withdrawal is not None:
            withdrawn.append(outcome.withdrawal)
            kept_withdrawn[item.path] = item
        elif outcome.scheduled is not None:
            scheduled[item.slug] = outcome.scheduled
            kept_scheduled[item.path] = item
        elif outcome.article is not None:
            digests[item.slug] = outcome.digest
            articles.append(outcome.article)
            lines += _line_hash(outcome.line)
            if retitle is not None:
                retitled[item.slug] = retitle.note
    withdrawn.sort(key=lambda w: (w.when, w.slug), reverse=True)
    # from the last catalog when only a few articles differ from its own (the very objects otherwise):
    # taken out of and put into its order, and only the facets they are in indexed again
    since = last if last is not None and last.site is site and last.withdrawn == tuple(withdrawn) else None
    if since is not None:
        old = since.by_slug
        present = {article.slug: article for article in articles}
        gone = [article for slug, article in old.items() if present.get(slug) is not article]
        added = [article for article in articles if old.get(article.slug) is not article]
        if len(gone) + len(added) > max(INCREMENTAL_FROM, len(articles) // 8):
            since = None
        else:
            articles = list(reorder_articles(since.articles, gone, added))
    if since is None:
        articles.sort(key=newest_first, reverse=True)

    published: list[Article] = []
    owners: dict[str, Article] = {}
    clashes: set[str] = set()
    for article in articles:
        other = owners.get(article.entry_id)
        if other is not None:
            per_file.setdefault(article.source_path, []).append(_clash(article, other))
            clashes.add(article.entry_id)
            lines -= _line_hash(_version_line(digests.pop(article.slug), article))
            continue
        owners[article.entry_id] = article
        published.append(article)
    for problem in unknown_sources(published, site):
        per_file.setdefault(problem.path, []).append(problem)
    ordered = sorted((p for found in per_file.values() for p in found), key=_problem_key)
    by_slug = {a.slug: a for a in published}
    retitled = {slug: note for slug, note in retitled.items() if slug in by_slug}  # not an id's loser
    if since is not None:
        old = since.by_slug
        gone = [article for slug, article in old.items() if by_slug.get(slug) is not article]
        added = [article for article in published if old.get(article.slug) is not article]
        touched = {article.slug for article in gone} | {article.slug for article in added}
        tags = reindex_facets("tags", since.tags, gone, tuple(added), touched)
        authors = reindex_facets("authors", since.authors, gone, tuple(added), touched)
        sources = reindex_facets("sources", since.sources, gone, tuple(added), touched)
    else:
        tags = index_facets("tags", published, withdrawn)
        authors = index_facets("authors", published, withdrawn)
        sources = index_sources(site.sources, published, withdrawn)
    catalog = Catalog(
        site=site,
        articles=tuple(published),
        problems=tuple(_merged(ordered, given)),
        by_slug=by_slug,
        version=_version(site, lines % _LINES_MODULUS, withdrawn),
        withdrawn=tuple(withdrawn),
        tags=tags,
        authors=authors,
        sources=sources,
        revisions=revisions,
        gone={w.slug: w for w in withdrawn},
        digests=digests,
        scheduled=scheduled,
        retitled=retitled,
    )
    if state is not None:
        state.catalog, state.site, state.ledger = catalog, site, ledger
        state.items, state.claims = items, claims
        state.problems = {path: tuple(found) for path, found in per_file.items() if found}
        state.ordered, state.owners, state.clashes = ordered, owners, clashes
        state.withdrawn, state.scheduled, state.revised = kept_withdrawn, kept_scheduled, revised
        state.recheck = recheck
        state.lines = lines % _LINES_MODULUS
        state.changes = state.entries = None
    return catalog


def _merged(ordered: list[Problem], given: list[Problem]) -> list[Problem]:
    """The problems of the files (in order) with those given (the listing's, the rules', the ledger's) put in,
    as one stable sort of the given ones followed by the files' would order them."""
    if not given:
        return ordered
    merged = list(ordered)
    for count, problem in enumerate(sorted(given, key=_problem_key)):
        merged.insert(bisect.bisect_left(ordered, _problem_key(problem), key=_problem_key) + count, problem)
    return merged


def _slug_keepers(
    prepared: Sequence[Prepared], ledger: Mapping[str, Revision], last: Catalog | None
) -> dict[str, Path]:
    """Return, for each slug two or more loaded files claim, the file that keeps it.

    The file the last catalog published under the slug keeps it, else the one whose article is
    the one readers have (its fingerprint is the ledger's), else the first in path order: a file
    saved beside a published article under the same name (``x.html`` beside ``x.md``) must not
    take over its page and its feed entry because its name sorts first.
    """
    claiming: dict[str, list[Prepared]] = {}
    for item in prepared:
        if item.source is not None:
            claiming.setdefault(item.slug, []).append(item)
    keepers: dict[str, Path] = {}
    for slug, items in claiming.items():
        if len(items) < 2:
            continue
        shown = last.by_slug.get(slug) if last is not None else None
        entry = ledger.get(slug)

        def rank(item: Prepared, shown: Article | None = shown, entry: Revision | None = entry) -> int:
            if shown is not None and shown.source_path == item.path:
                return 0
            if entry is not None and entry.fingerprint and item.fingerprint == entry.fingerprint:
                return 1
            return 2

        keepers[slug] = min(items, key=rank).path  # the first in path order of those ranked alike
    return keepers


def update_catalog(
    state: Assembled,
    changed: Mapping[Path, Prepared | None],
    site: Site,
    problems: Iterable[Problem] = (),
    *,
    now: datetime,
    ledger: Mapping[str, Revision],
    dated: MutableMapping[str, Dated],
) -> Catalog | None:
    """Return the catalog :func:`assemble_catalog` would make of the files of ``state`` with ``changed`` applied,
    looking only at those (None: it cannot; assemble the whole).

    ``changed``: the files added, changed (their new prepared form) and removed (None) since
    the last call; ``dated`` and ``ledger`` as that call had them (the ledger updated with
    the revisions it kept, and nothing else). It cannot when the site, the ledger (another
    process wrote it), a withdrawal, a slug two files claim or an entry id two articles
    have is involved, or when many files changed: each is rare, and the whole assembly
    then says what happens. On success ``state`` describes the new catalog.
    """
    last = state.catalog
    if last is None or site is not state.site or ledger is not state.ledger or not state.titles.settled:
        return None
    changed = {path: item for path, item in changed.items() if state.items.get(path) is not item}
    if len(changed) > max(INCREMENTAL_FROM, len(last.articles) // 8):
        return None
    # the titles by host: a file that changes may teach its host another site name, or unteach one, and so
    # retitle the host's other files (only those whose first or last segment is the name). Unsettled until
    # this update succeeds: a failed one leaves the whole assembly to bring the index up to date.
    titles = state.titles
    titles.settled = False
    for path, item in changed.items():
        titles.put(path, item)
    moved = titles.relearn() - changed.keys()
    if len(changed) + len(moved) > max(INCREMENTAL_FROM, len(last.articles) // 8):
        return None
    for slug, revision in state.revised.items():
        entry = ledger.get(slug)
        if entry is not revision and entry != revision:
            return None  # the ledger does not hold what the last call left: date anew
    # the files to look at: those changed, those retitled, those held back until their date (it may have come),
    # and those whose warnings were found against a ledger entry the last call changed
    paths = {*changed, *moved, *state.scheduled, *state.recheck}
    before = {path: state.items.get(path) for path in paths}
    after = {path: changed[path] if path in changed else state.items.get(path) for path in paths}
    claims = dict.fromkeys({i.slug for i in (*before.values(), *after.values()) if i is not None}, 0)
    for slug in claims:
        claims[slug] = state.claims.get(slug, 0)
    for path in paths:
        old, new = before[path], after[path]
        if old is not None and old.source is not None:
            claims[old.slug] -= 1
        if new is not None and new.source is not None:
            claims[new.slug] += 1
    if any(count > 1 or state.claims.get(slug, 0) > 1 for slug, count in claims.items()):
        return None  # which file wins a slug depends on the others' order: look at every one
    for item in (*before.values(), *after.values()):
        if item is not None and item.source is not None and item.source.status == "withdrawn":
            return None
    revisions = dict(ledger)
    withdrawn = [_withdrawal(item, site, revisions, now) for item in state.withdrawn.values()]
    withdrawn.sort(key=lambda w: (w.when, w.slug), reverse=True)
    if tuple(withdrawn) != last.withdrawn:
        return None  # a tombstone expired: the facets it kept alive are indexed again whole
    gone: list[Article] = []
    added: list[Article] = []
    file_problems: dict[Path, list[Problem]] = {}
    scheduled = dict(last.scheduled)
    kept_scheduled = dict(state.scheduled)
    recheck: dict[Path, Prepared] = {}
    revised: dict[str, Revision] = {}
    renames = _Renames(ledger, lambda slug: (claims[slug] if slug in claims else state.claims.get(slug, 0)) > 0)
    digests = dict(last.digests)
    lines = state.lines
    new_dated: dict[str, Dated] = {}
    retitled = dict(last.retitled)
    order = sorted(paths)
    for path in order:  # what the files were, out first (a file renamed may keep its slug)
        old = before[path]
        if old is None:
            continue
        article = last.by_slug.get(old.slug)
        if article is not None and article.source_path == path:
            done = dated.get(old.slug)
            if done is None or done.article is not article:
                return None  # never expected: the dated articles are the published ones
            gone.append(article)
            digests.pop(old.slug, None)
            lines -= _line_hash(done.line)
        if old.source is not None and kept_scheduled.pop(path, None) is not None:
            scheduled.pop(old.slug, None)
        retitled.pop(old.slug, None)
    for path in order:  # then what they are
        new = after[path]
        mine = file_problems[path] = []
        if new is None:
            continue
        if new.source is None:
            mine.extend(new.problems)
            continue
        # dated into a scratch mapping: state and ``dated`` change only once the update is sure to succeed
        scratch = _Scratch(dated, new_dated)
        retitle = titles.retitle(path)
        outcome = _assemble_one(new, site, revisions, now, scratch, retitle, renames)
        mine.extend(outcome.problems)
        if outcome.recheck:
            recheck[path] = new
        if outcome.revision is not None:
            revisions[new.slug] = revised[new.slug] = outcome.revision
        if outcome.scheduled is not None:
            scheduled[new.slug] = outcome.scheduled
            kept_scheduled[path] = new
        elif outcome.article is not None:
            added.append(outcome.article)
            digests[new.slug] = outcome.digest
            lines += _line_hash(outcome.line)
            if retitle is not None:
                retitled[new.slug] = retitle.note
    # entry ids: an article that takes one another has, or gives one up that others wanted, changes who wins
    owners = dict(state.owners)
    for article in gone:
        if article.entry_id in state.clashes:
            return None
        if owners.get(article.entry_id) is article:
            del owners[article.entry_id]
    for article in added:
        if article.entry_id in owners or article.entry_id in state.clashes:
            return None
        owners[article.entry_id] = article
    for problem in unknown_sources(added, site):
        if problem.path not in file_problems:
            return None  # never expected: an article's source path is its file's
        file_problems[problem.path].append(problem)
    # an article looked at again and taken as it was (a file rechecked for its warnings) is no change of the catalog
    same = {id(article) for article in gone} & {id(article) for article in added}
    if same:
        gone = [article for article in gone if id(article) not in same]
        added = [article for article in added if id(article) not in same]
    ordered = list(state.ordered)
    for path in file_problems:
        for problem in state.problems.get(path, ()):
            at = bisect.bisect_left(ordered, _problem_key(problem), key=_problem_key)
            while ordered[at] is not problem:
                at += 1
            del ordered[at]
    for found in file_problems.values():
        for problem in found:
            ordered.insert(bisect.bisect_right(ordered, _problem_key(problem), key=_problem_key), problem)
    by_slug = dict(last.by_slug)
    for article in gone:
        del by_slug[article.slug]
    for article in added:
        by_slug[article.slug] = article
    touched = {article.slug for article in (*gone, *added)}
    catalog = Catalog(
        site=site,
        articles=reorder_articles(last.articles, gone, added),
        problems=tuple(_merged(ordered, list(problems))),
        by_slug=by_slug,
        version=_version(site, lines % _LINES_MODULUS, withdrawn),
        withdrawn=tuple(withdrawn),
        tags=reindex_facets("tags", last.tags, gone, tuple(added), touched),
        authors=reindex_facets("authors", last.authors, gone, tuple(added), touched),
        sources=reindex_facets("sources", last.sources, gone, tuple(added), touched),
        revisions=revisions,
        gone={w.slug: w for w in withdrawn},
        digests=digests,
        scheduled=scheduled,
        retitled=retitled,
    )
    dated.update(new_dated)
    titles.settled = True
    for path in paths:
        item = after[path]
        if item is None:
            state.items.pop(path, None)
        else:
            state.items[path] = item
        if file_problems.get(path):
            state.problems[path] = tuple(file_problems[path])
        else:
            state.problems.pop(path, None)
    for slug, count in claims.items():
        if count:
            state.claims[slug] = count
        else:
            state.claims.pop(slug, None)
    state.catalog, state.ordered, state.owners = catalog, ordered, owners
    state.scheduled, state.revised, state.lines = kept_scheduled, revised, lines % _LINES_MODULUS
    state.recheck = recheck
    state.entries = {*revised, *(item.slug for item in state.withdrawn.values() if item.source is not None)}
    state.changes = (
        tuple(sorted(gone, key=newest_first, reverse=True)),
        tuple(sorted(added, key=newest_first, reverse=True)),
    )
    return catalog


class _Scratch(MutableMapping[str, Dated]):
    """``dated`` as read, with what is written kept apart (``fresh``) until the update is sure to succeed."""

    def __init__(self, base: Mapping[str, Dated], fresh: dict[str, Dated]) -> None:
        self.base, self.fresh = base, fresh

    def __getitem__(self, slug: str) -> Dated:
        return self.fresh[slug] if slug in self.fresh else self.base[slug]

    def __setitem__(self, slug: str, done: Dated) -> None:
        self.fresh[slug] = done

    def __delitem__(self, slug: str) -> None:
        raise TypeError("the dated articles are only added to")

    def __iter__(self) -> Iterator[str]:
        return iter({**self.base, **self.fresh})

    def __len__(self) -> int:
        return len(self.base.keys() | self.fresh.keys())


def _withdrawal(item: Prepared, site: Site, revisions: dict[str, Revision], now: datetime) -> Withdrawal:
    """The withdrawal of a withdrawn file, its ledger entry updated in ``revisions`` (as :func:`_assemble_one`)."""
    source = item.source
    assert source is not None  # only loaded files are withdrawn
    revision = revisions[source.slug] = withdraw(revisions.get(source.slug), now)
    return make_withdrawal(source, site, revision, now)
