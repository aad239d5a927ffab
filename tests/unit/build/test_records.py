"""build/records.py: a catalog as records and arrays answers as its objects do, and a change never alters a version."""

from __future__ import annotations

import gc
import os
import pickle
import signal
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import FunctionType, ModuleType
from zoneinfo import ZoneInfo

import pytest

from feedsvc.build import records as records_module
from feedsvc.build.blobstore import BlobStore
from feedsvc.build.records import (
    ArticleList,
    Records,
    SlugIndex,
    compact_views,
    month_index,
    pack_catalog,
    unpack_catalog,
)
from feedsvc.catalog.assembly import index_facets, index_sources
from feedsvc.feeds.archive import index_archives, newest_first
from feedsvc.feeds.atom_rss import feed_updated
from feedsvc.model import FACET_KINDS, Article, Catalog, Image, Source
from support.factories import TBILISI, make_article, make_site

SOURCES = (Source(name="wire", feed="https://wire.example/feed"),)


def catalog_of(articles: Iterable[Article]) -> Catalog:
    """A catalog of ``articles`` indexed as assemble_catalog indexes them."""
    site = make_site(sources=SOURCES)
    ordered = tuple(sorted(articles, key=newest_first, reverse=True))
    return Catalog(
        site=site,
        articles=ordered,
        by_slug={a.slug: a for a in ordered},
        version="v1",
        tags=index_facets("tags", ordered, ()),
        authors=index_facets("authors", ordered, ()),
        sources=index_sources(site.sources, ordered, ()),
    )


def compact(catalog: Catalog, stores: list[BlobStore], folder: Path) -> Catalog:
    """``catalog`` as the master holds it: packed by the publisher, unpacked over a record file."""
    return unpack_catalog(pack_catalog(catalog, stores.index), stores, folder)


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path)


@pytest.fixture
def articles(store: BlobStore) -> list[Article]:
    """Articles with bodies on disk, two published at the same second, one with an image, one from a source."""
    same = datetime(2021, 11, 5, 9, 30, tzinfo=TBILISI)
    return [
        make_article("alpha", 3, content=store.put(b"<p>Alpha on disk</p>")),
        make_article("beta", 5, published=same, updated=same, tags=("Culture",)),
        make_article("gamma", 5, published=same, updated=same, authors=("Ana B",)),
        make_article("delta", 20, month=10, image=Image("https://img.example/d.jpg", width=640, alt="A bridge")),
        make_article("epsilon", 1, month=12, source="wire", summary=store.put(b"A summary long enough for the disk")),
    ]


def test_a_compact_catalog_answers_as_its_objects_do(articles: list[Article], store: BlobStore, tmp_path: Path) -> None:
    objects = catalog_of(articles)
    held = compact(objects, [store], tmp_path)
    assert isinstance(held.articles, ArticleList) and isinstance(held.by_slug, SlugIndex)
    assert list(held.articles) == list(objects.articles)  # the order, every field, the texts read from disk
    assert [a.content_html for a in held.articles] == [a.content_html for a in objects.articles]
    assert held.articles[1:3] == objects.articles[1:3] and held.articles[-1] == objects.articles[-1]
    assert [a.slug for a in held.articles[:3]] == ["epsilon", "gamma", "beta"]  # same second: slug descending
    assert len(held.by_slug) == 5 and sorted(held.by_slug) == sorted(objects.by_slug)
    assert all(held.by_slug[slug] == article for slug, article in objects.by_slug.items())
    assert "zeta" not in held.by_slug and held.by_slug.get("zeta") is None
    for kind in FACET_KINDS:
        facets, ours = objects.facets(kind), held.facets(kind)
        assert list(ours) == list(facets)
        assert all((f.name, list(f.articles)) == (facets[k].name, list(facets[k].articles)) for k, f in ours.items())
    order = held.articles
    assert isinstance(order, ArticleList)
    assert order.latest_update() == feed_updated(objects.articles)
    assert list(order.slugs_and_updates()) == [(a.slug, a.updated) for a in objects.articles]  # a sitemap's walk
    months = month_index(order, TBILISI)
    expected = index_archives(objects.articles, TBILISI)
    assert (months.first, months.last) == (expected.first, expected.last)
    assert {m: list(a) for m, a in months.by_month.items()} == {m: list(a) for m, a in expected.by_month.items()}


def test_records_written_to_a_file_of_their_own_are_read_there_and_not_carried_in_the_packed_catalog(
    articles: list[Article], store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_module, "WRITE_BYTES", 200)  # a write every record or two, not all at the end
    writes: list[int] = []
    real = BlobStore.write
    monkeypatch.setattr(BlobStore, "write", lambda self, data: writes.append(len(data)) or real(self, data))
    objects = catalog_of(articles)
    file = BlobStore(tmp_path)
    stores = [store, file]
    packed = pack_catalog(objects, stores.index, into=file)
    assert packed.records == 1  # the file's number, as position numbered it
    assert len(writes) >= 3 and sum(writes) == file.size  # written as they were made
    assert b"Title of alpha" not in pickle.dumps(packed) and b"Title of alpha" in file.read(0, file.size)
    held = unpack_catalog(packed, stores, tmp_path)
    assert list(held.articles) == list(objects.articles)
    assert [a.content_html for a in held.articles] == [a.content_html for a in objects.articles]
    assert all(held.by_slug[slug] == article for slug, article in objects.by_slug.items())
    for kind in FACET_KINDS:
        assert {k: list(f.articles) for k, f in held.facets(kind).items()} == {
            k: list(f.articles) for k, f in objects.facets(kind).items()
        }
    del file, stores, packed
    gc.collect()
    assert held.articles[0] == objects.articles[0]  # the records stay readable: the catalog has the file open


def test_the_views_of_a_compact_catalog_are_its_arrays_and_a_catalog_of_objects_is_refused_by_name(
    articles: list[Article], store: BlobStore, tmp_path: Path
) -> None:
    objects = catalog_of(articles)
    held = compact(objects, [store], tmp_path)
    order, slugs = compact_views(held)
    assert order is held.articles and slugs is held.by_slug
    with pytest.raises(TypeError, match=r"catalog v1 holds article objects.*unpack_catalog\(pack_catalog"):
        compact_views(objects)


def test_the_heap_holds_no_article_but_those_asked_for(
    articles: list[Article], store: BlobStore, tmp_path: Path
) -> None:
    held = compact(catalog_of(articles), [store], tmp_path)
    reached, stack, seen = [], [held], set()
    while stack:  # everything the catalog reaches
        item = stack.pop()
        if id(item) in seen or isinstance(item, type | ModuleType | FunctionType | BlobStore):  # shared, not its own
            continue
        seen.add(id(item))
        reached.append(item)
        stack.extend(gc.get_referents(item))
    assert not [item for item in reached if isinstance(item, Article)]
    assert held.by_slug["alpha"] is not held.by_slug["alpha"]  # made when asked for, then let go


def test_a_change_makes_new_arrays_and_leaves_the_previous_version_as_it_was(
    articles: list[Article], store: BlobStore, tmp_path: Path
) -> None:
    held = compact(catalog_of(articles), [store], tmp_path)
    order, slugs = held.articles, held.by_slug
    assert isinstance(order, ArticleList) and isinstance(slugs, SlugIndex)
    records = order.records
    on_disk = os.fstat(records._fd).st_size
    moved = datetime(2021, 12, 24, tzinfo=UTC)
    edited = replace(articles[2], title="Gamma, corrected", published=moved, updated=moved)
    tied = make_article("charlie", 5, published=articles[1].published, updated=articles[1].published)
    gone = [(slugs.ref(slug), slugs[slug]) for slug in ("gamma", "alpha")]
    added = list(zip(records.add([edited, tied]), [edited, tied], strict=True))
    new_order = order.changed(gone, added)  # type: ignore[arg-type]
    new_slugs = slugs.changed(["gamma", "alpha"], [(ref, a.slug) for ref, a in added])
    expected = sorted([edited, tied, *articles[1:2], *articles[3:]], key=newest_first, reverse=True)
    assert list(new_order) == expected
    assert [a.slug for a in new_order] == ["gamma", "epsilon", "charlie", "beta", "delta"]  # charlie among the tie
    assert new_slugs["gamma"].title == "Gamma, corrected" and "alpha" not in new_slugs and "charlie" in new_slugs
    # the previous version answers as before: its arrays and its records untouched
    assert list(order) == sorted(articles, key=newest_first, reverse=True)
    assert slugs["gamma"].title == "Title of gamma" and "alpha" in slugs and "charlie" not in slugs
    # a delta's records stay in the memory of the process that applied it; the shared file is never written again
    assert all(ref >> 63 for ref, _ in added) and records.memory_bytes > 0
    assert os.fstat(records._fd).st_size == on_disk
    assert new_order.latest_update() == edited.updated == feed_updated(expected)


def test_an_article_whose_record_is_too_large_is_refused_by_name(tmp_path: Path) -> None:
    huge = make_article("verbose", 1, warnings=("x" * (1 << 24),))
    with pytest.raises(ValueError, match=r"article verbose: .* shorten its summary or warnings"):
        Records.written(b"", [], tmp_path).add([huge])


def test_every_kind_of_date_and_zone_comes_back_as_it_was(store: BlobStore, tmp_path: Path) -> None:
    """Dates are marshalled by their fields and zone; a zone marshal has no form for pickles the article instead."""
    kinds = [
        make_article("zoned", 2, updated=datetime(2021, 11, 2, 1, 0, 0, 5, tzinfo=UTC)),  # updated in another zone
        make_article("fixed", 3, published=datetime(2021, 11, 3, 8, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))),
        make_article("named", 4, published=datetime(2021, 11, 4, 8, tzinfo=timezone(timedelta(hours=4), "GET"))),
        make_article("folded", 7, published=datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))),
        make_article("naive-image", 8, image=Image("https://img.example/n.png", 10, 20, "image/png", "alt", "cap", 99)),
    ]
    held = compact(catalog_of(kinds), [store], tmp_path)
    for article in kinds:
        back = held.by_slug[article.slug]
        assert back == article
        for moment, original in ((back.published, article.published), (back.updated, article.updated)):
            assert (moment.tzinfo, moment.fold, moment.utcoffset()) == (
                original.tzinfo,
                original.fold,
                original.utcoffset(),
            )
    order = held.articles
    assert isinstance(order, ArticleList)
    listed = dict(order.slugs_and_updates())
    assert {slug: (m, m.tzinfo) for slug, m in listed.items()} == {a.slug: (a.updated, a.updated.tzinfo) for a in kinds}
    kinds_of_record = {a.slug: order.records.read(held.by_slug.ref(a.slug))[2 + len(a.slug)] for a in kinds}  # type: ignore[attr-defined]
    assert kinds_of_record == {
        "zoned": ord("m"),
        "fixed": ord("m"),
        "named": ord("p"),
        "folded": ord("m"),
        "naive-image": ord("m"),
    }


def test_a_worker_forked_while_the_master_appends_records_its_own_deltas(tmp_path: Path) -> None:
    """gunicorn may fork a worker while the master's delta thread holds the records' lock: the worker's copy
    of that lock would stay held, so the worker takes a lock of its own."""
    records = Records.written(b"", [], tmp_path)
    records._lock.acquire()  # as the master's thread holds it at the fork
    child = os.fork()
    if child == 0:  # the worker
        signal.alarm(10)  # a worker stuck on the master's lock dies here instead of hanging the test
        try:
            ref = records.add([make_article("late", 9)])[0]
            os._exit(0 if records.article(ref).slug == "late" else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    records._lock.release()
    assert os.waitstatus_to_exitcode(status) == 0
