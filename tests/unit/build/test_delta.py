"""build/delta.py: the previous snapshot and the delta give the very snapshot a full build gives, and only what changed travels."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.build.blobstore import Span
from feedsvc.build.builder import Builder
from feedsvc.build.delta import Delta, DeltaMismatch, apply_delta, delta
from feedsvc.build.snapshot import Snapshot
from feedsvc.serve.wire import adopt_store, dump_delta, dump_snapshot, load_delta, load_snapshot
from support.factories import replace_picture, with_icon, write_article
from support.sites import copy_site

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def served(snapshot: Snapshot) -> dict[str, object]:
    """Everything a worker answers from: articles in order, indexes, feeds with their ETags and headers, version."""
    catalog = snapshot.catalog
    return {
        "version": catalog.version,
        "articles": [(a.slug, a.updated, a.content_html, a.tags, a.authors) for a in catalog.articles],
        "by_slug": sorted(catalog.by_slug),
        "tags": {k: (f.name, [a.slug for a in f.articles], len(f.withdrawn)) for k, f in catalog.tags.items()},
        "authors": {k: (f.name, [a.slug for a in f.articles]) for k, f in catalog.authors.items()},
        "sources": {
            k: (f.name, f.link, [a.slug for a in f.articles], len(f.withdrawn)) for k, f in catalog.sources.items()
        },
        "facet_order": (list(catalog.tags), list(catalog.authors), list(catalog.sources)),
        "problems": catalog.problems,
        "withdrawn": catalog.withdrawn,
        "gone": sorted(catalog.gone),
        "next_release": catalog.next_release,
        "feeds": {path: (r.etag, r.headers, r.cache_control, r.body) for path, r in snapshot.feeds.items()},
        "subscriptions": sorted(snapshot.subscriptions),
        "archives": {month: [a.slug for a in items] for month, items in snapshot.archives.by_month.items()},
        "topics": snapshot.topics(),
        "pictures": {digest: file.body for digest, file in snapshot.pictures.items()},
    }


def in_the_master(snapshot: Snapshot) -> Snapshot:
    """The snapshot as the master holds it: sent over the wire (no ledger, no digests, blobs re-adopted)."""
    payload, fds = dump_snapshot(snapshot)
    return load_snapshot(payload, [os.dup(fd) for fd in fds])  # passed over: the receiver's own descriptors


def test_a_delta_applied_gives_what_the_full_build_gives(content_dir: Path) -> None:
    builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache")
    old = builder.build(T1)
    master = in_the_master(old)
    digests = dict(old.catalog.digests)
    write_article(content_dir, "new-story", "2024-05-30T10:00:00", tags=("Transport", "Culture"), authors=("Ana B",))
    write_article(content_dir, "embargoed", "2024-07-01T10:00:00")  # held back: in scheduled, not published
    (content_dir / "articles" / "article-oldest-with-time-element.html").unlink()
    sidecar = content_dir / "articles" / "article-with-sidecar-overrides.toml"
    sidecar.write_text(sidecar.read_text().replace("opening hours", "opening times"), encoding="utf-8")
    new = builder.build(T1)
    change = delta(old, new, digests)
    payload, fds = dump_delta(change)
    wired = load_delta(payload, [adopt_store(os.dup(fd)) for fd in fds])
    applied = apply_delta(master, wired)
    assert served(applied) == served(new)
    assert {a.slug for a in change.articles} == {"new-story", "article-with-sidecar-overrides"}
    assert change.removed == ("article-oldest-with-time-element",)
    assert master.catalog.version == old.catalog.version  # the previous snapshot is left as it was


def test_only_what_changed_travels(content_dir: Path) -> None:
    builder = Builder(content_dir)
    old = builder.build(T1)
    write_article(content_dir, "new-story", "2024-05-30T10:00:00")
    new = builder.build(T1)
    change = delta(old, new)
    assert [a.slug for a in change.articles] == ["new-story"]
    unchanged = [path for path in new.feeds if new.feeds[path] is old.feeds.get(path)]
    assert unchanged and not set(unchanged) & set(change.feeds)  # an archive month it is not in is not sent
    assert set(change.feeds) == {p for p in new.feeds if new.feeds[p].etag != getattr(old.feeds.get(p), "etag", None)}
    assert delta(new, builder.build(T1)).size == 0  # nothing changed: nothing to send


def pictures(snapshot: Snapshot) -> dict[str, tuple[bytes, float]]:
    return {digest: (file.body, file.modified) for digest, file in snapshot.pictures.items()}


def test_the_icons_bytes_go_to_the_master_as_a_handle_and_again_only_when_it_changed(content_dir: Path) -> None:
    icon = with_icon(content_dir)
    builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache")
    old = builder.build(T1)
    master = in_the_master(old)
    assert pictures(master) == pictures(old) and list(pictures(old)) == [old.catalog.site.icon.digest]
    assert pictures(old)[old.catalog.site.icon.digest][0] == icon.read_bytes()
    # in the publisher's file of article bodies: the master and its workers read it there, none holds a copy
    assert all(isinstance(file.data, Span) for file in master.pictures.values())

    def applied(base: Snapshot, change: Delta) -> Snapshot:
        payload, fds = dump_delta(change)
        return apply_delta(base, load_delta(payload, [adopt_store(os.dup(fd)) for fd in fds]))

    write_article(content_dir, "new-story", "2024-05-30T10:00:00")
    new = builder.build(T1)
    change = delta(old, new)
    assert change.pictures is None  # the same pictures: nothing of them sent
    master = applied(master, change)
    assert pictures(master) == pictures(new) == pictures(old)
    replace_picture(icon, "wide-300x100.png")
    newer = builder.build(T1)
    change = delta(new, newer)
    assert change.pictures is not None and list(change.pictures) == [newer.catalog.site.icon.digest]
    master = applied(master, change)
    assert pictures(master) == pictures(newer) and pictures(master)[newer.catalog.site.icon.digest][0] == (
        icon.read_bytes()
    )
    assert served(master) == served(newer)


def test_a_delta_refuses_a_snapshot_it_was_not_made_from(content_dir: Path) -> None:
    builder = Builder(content_dir)
    old = builder.build(T1)
    write_article(content_dir, "new-story", "2024-05-30T10:00:00")
    new = builder.build(T1)
    write_article(content_dir, "another-story", "2024-05-31T10:00:00")
    newer = builder.build(T1)
    with pytest.raises(DeltaMismatch, match="load the whole snapshot"):
        apply_delta(old, delta(new, newer))


def test_a_page_seen_before_it_is_written_sends_its_problem_then_the_article_in_the_next_delta(
    content_dir: Path,
) -> None:
    """Traced from a delta that carried no article: the page was seen empty (mid-write, with no settle time);
    that delta carries only the new problem, the same version, and the article comes with the next one."""
    builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache")
    old = builder.build(T1)
    master = in_the_master(old)
    page = content_dir / "articles" / "late-story.html"
    page.write_text("", encoding="utf-8")  # opened and truncated, not written yet
    empty = builder.build(T1)
    first = delta(old, empty)
    assert first.articles == () and first.version == old.catalog.version and not first.feeds
    assert "late-story.html" in [p.path.name for p in first.problems if "is empty" in p.message]
    write_article(content_dir, "late-story", "2024-05-30T10:00:00")  # the page, then its sidecar
    whole = builder.build(T1)
    second = delta(empty, whole)
    assert [a.slug for a in second.articles] == ["late-story"]
    applied = apply_delta(apply_delta(master, first), second)
    assert served(applied) == served(whole)


edits = st.tuples(
    st.sampled_from(["add", "retag", "redate", "remove", "withdraw", "source"]),
    st.integers(0, 7),
    st.integers(0, 3),
)


@settings(max_examples=15)
@given(st.lists(edits, min_size=1, max_size=6))
def test_deltas_applied_one_after_another_answer_as_the_whole_snapshots_do(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    """The indexes a delta updates in place (order, tags, authors, sources, archive months) against whole builds."""
    content_dir = copy_site(tmp_path_factory.mktemp("deltas") / "content")
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('[[source]]\nname = "wire"\nfeed = "https://wire.example/feed"\n')
    builder = Builder(content_dir)
    old = builder.build(T1)
    master = in_the_master(old)
    for kind, number, variant in steps:
        slug = f"story-{number}"
        date = f"2024-0{1 + (number + variant) % 5}-1{variant}T10:00:00"
        tags = (("Transport", "culture")[variant % 2], f"Tag {number % 3}")
        if kind == "add":
            write_article(content_dir, slug, date, tags=tags, authors=(f"Ana {variant}",))
        elif kind == "retag":
            write_article(content_dir, slug, date, tags=tags[1:], authors=("Ana B",))
        elif kind == "redate":
            write_article(content_dir, slug, f"2023-1{variant % 3}-01T10:00:00", tags=tags)
        elif kind == "remove":
            for suffix in (".html", ".toml"):
                (content_dir / "articles" / f"{slug}{suffix}").unlink(missing_ok=True)
        elif kind == "withdraw":
            write_article(content_dir, slug, date, tags=tags, status="withdrawn")
        else:
            write_article(content_dir, slug, date, tags=tags, source="wire" if variant % 2 else "elsewhere")
        new = builder.build(T1)
        master = apply_delta(master, delta(old, new))
        assert served(master) == served(new)
        old = new


def test_a_delta_takes_the_change_its_snapshot_was_built_with_and_finds_the_same(content_dir: Path) -> None:
    builder = Builder(content_dir)
    before = builder.build(T1)
    write_article(content_dir, "added-story", "2024-05-20T09:00:00", text="A story added since, long enough.")
    page = content_dir / "articles" / "article-oldest-with-time-element.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</p>", " Edited.</p>", 1), encoding="utf-8")
    after = builder.build(T1)
    assert after.changed is not None and after.changed[:2] == (id(before), before.catalog.version)
    gone, added = after.changed[2:]
    assert sorted(a.slug for a in added) == ["added-story", "article-oldest-with-time-element"]
    assert [a.slug for a in gone] == ["article-oldest-with-time-element"]
    assert all(before.catalog.by_slug[a.slug] is a for a in gone)
    taken = delta(before, after)
    after.changed = None  # as for a snapshot built from another: every article looked at
    looked = delta(before, after)
    assert [a.slug for a in taken.articles] == [a.slug for a in looked.articles]
    assert taken.removed == looked.removed and taken.feeds.keys() == looked.feeds.keys()
