"""The catalog: prepared articles -> published articles -> one immutable snapshot.

Pure: prepared articles, the revisions ledger and "now" in, :class:`~feedsvc.model.Catalog`
out. Each source is cleaned once into a :class:`~feedsvc.model.Prepared`
(:func:`~feedsvc.catalog.prepare.prepare_source`, which the build pipeline runs in
parallel and caches); :func:`assemble_catalog` then dates, orders and indexes them,
cheaply enough to run on every content change, and brings the last catalog up to
date by what changed when it is given one. Requests only read the finished catalog.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from feedsvc.catalog.prepare import Cleaner, article_digest, entry_id, prepare_source
from feedsvc.catalog.revisions import first_seen, revise, withdraw
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
    "UNDATED_NOTE",
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
]

log = logging.getLogger(__name__)

# How the warning about an article dated by the ledger starts (``feedsvc build`` prints these).
UNDATED_NOTE = "no publication date"
# Changed articles up to which (or an eighth of the site) a catalog is brought up to date from the last one.
INCREMENTAL_FROM = 64


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


def make_withdrawal(
    source: ArticleSource, site: Site, when: datetime, now: datetime, first_seen: datetime | None = None
) -> Withdrawal:
    """Describe a withdrawn source for its 410 page and its tombstone (no cleaning needed).

    ``first_seen``: the ledger's date of an article that had none of its own (its id came from it).
    """
    meta = source.metadata
    published = meta.published or (first_seen.astimezone(site.timezone) if first_seen else None)
    ident = source.pinned_id or (entry_id(site, source.slug, published) if published else None)
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
        for name in article.tags if kind == "tags" else article.authors:
            key = facet_key(name)
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
    articles: tuple[Article, ...], gone: list[Article], added: tuple[Article, ...] | list[Article]
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
        members = [a for a in (facet.articles if facet else ()) if a.slug not in touched]
        for article in added:
            if any(key_of(name) == key for name in _names(kind, article)):
                members.insert(place(members, newest_first(article)), article)
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


def _version(
    site: Site,
    articles: Iterable[Article],
    digests: Mapping[str, str],
    withdrawn: Iterable[Withdrawal],
    lines: Mapping[str, bytes] | None = None,
) -> str:
    """Hash everything a response can depend on, so equal content gives equal versions.

    ``lines``: each article's line of the hash (:func:`_version_line`) where already made.
    """
    digest = hashlib.sha256()
    site_fields = {k: str(v) for k, v in asdict(site).items()}
    digest.update(json.dumps(site_fields, sort_keys=True).encode())
    made = lines or {}
    digest.update(b"".join(made.get(a.slug) or _version_line(digests[a.slug], a) for a in articles))
    for withdrawal in withdrawn:
        digest.update(json.dumps({k: str(v) for k, v in asdict(withdrawal).items()}, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _version_line(digest: str, article: Article) -> bytes:
    return f"{digest} {article.updated.isoformat()}\n".encode()


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


def assemble_catalog(
    prepared: Iterable[Prepared],
    site: Site,
    problems: Iterable[Problem] = (),
    *,
    now: datetime,
    ledger: Mapping[str, Revision] | None = None,
    dated: MutableMapping[str, Dated] | None = None,
    last: Catalog | None = None,
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
    """
    reported = list(problems)
    revisions = dict(ledger or {})
    articles: list[Article] = []
    withdrawn: list[Withdrawal] = []
    digests: dict[str, str] = {}
    lines: dict[str, bytes] = {}  # slug -> its line of the version hash, where already made
    claimed: dict[str, Path] = {}
    scheduled: dict[str, datetime] = {}
    for item in prepared:
        source = item.source
        if source is None:
            reported.extend(item.problems)
            continue
        if item.slug in claimed:
            reason = f"slug '{item.slug}' is already used by {claimed[item.slug].name}; rename or remove one"
            reported.append(Problem(item.path, reason))
            continue
        claimed[item.slug] = item.path
        reported.extend(item.problems)
        if source.status == "withdrawn":
            revisions[source.slug] = withdraw(revisions.get(source.slug), now)
            when = revisions[source.slug].withdrawn or now
            withdrawn.append(make_withdrawal(source, site, when, now, revisions[source.slug].first_seen))
            continue
        if item.article is None:
            continue  # a draft, or not publishable (its problems say why)
        previous = revisions.get(item.slug)
        done = dated.get(item.slug) if dated is not None else None
        if (
            done is not None
            and done.prepared is item
            and done.revision is previous
            and done.site is site
            and done.article.published <= now
        ):
            if done.note is not None:
                reported.append(done.note)
            digests[item.slug] = done.digest
            lines[item.slug] = done.line
            articles.append(done.article)
            continue
        article, known, digest = item.article, item.fingerprint or None, item.digest
        note = None
        if item.undated:
            article, note = date_undated(article, source, site, previous, now)
            reported.append(note)
            known, digest = None, article_digest(article)  # the prepared ones hashed the UNDATED placeholder
        if article.published > now:
            # Embargoed: held back (no feed entry, no page) until its date; Catalog.next_release says when.
            scheduled[item.slug] = article.published
            reported.append(
                Problem(
                    item.path,
                    f"dated {article.published.isoformat()}, in the future: held back until then; "
                    "if that date is a mistake, correct `published`",
                    "warning",
                )
            )
            continue
        article, revision = revise(article, source.metadata.updated, previous, now, known)
        if item.undated and revision.first_seen is None:
            revision = replace(revision, first_seen=article.published)
        revisions[item.slug] = revision
        digests[item.slug] = digest = digest or article_digest(article)
        articles.append(article)
        if dated is not None:
            # Dated and revised against the entry it leaves in the ledger, the same article gives the same
            # result whatever "now" is (that entry's fingerprint, since and first_seen are its own): a fixed point.
            lines[item.slug] = _version_line(digest, article)
            dated[item.slug] = Dated(item, revision, site, article, digest, note, lines[item.slug])
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
    for article in articles:
        other = owners.get(article.entry_id)
        if other is not None:
            reported.append(
                Problem(
                    article.source_path,
                    f"entry id {article.entry_id!r} is already used by {other.source_path}; "
                    "give one of them its own `id` in its sidecar",
                )
            )
            continue
        owners[article.entry_id] = article
        published.append(article)
    reported.extend(unknown_sources(published, site))
    reported.sort(key=lambda p: (str(p.path), p.severity, p.message))
    by_slug = {a.slug: a for a in published}
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
    return Catalog(
        site=site,
        articles=tuple(published),
        problems=tuple(reported),
        by_slug=by_slug,
        version=_version(site, published, digests, withdrawn, lines),
        withdrawn=tuple(withdrawn),
        tags=tags,
        authors=authors,
        sources=sources,
        revisions=revisions,
        gone={w.slug: w for w in withdrawn},
        digests={a.slug: digests[a.slug] for a in published},
        scheduled=scheduled,
    )
