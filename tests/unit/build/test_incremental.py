"""The publish path costs what changed: one long-lived builder, fed the watcher's refreshed listings, gives
exactly what a fresh builder of the same folder gives, and dates, revises and records only what changed."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.build import builder as builder_module
from feedsvc.build import snapshot as snapshot_module
from feedsvc.build.builder import Builder
from feedsvc.build.delta import delta
from feedsvc.build.snapshot import Snapshot
from feedsvc.build.state import JOURNAL_FILE, read_ledger, state_path
from feedsvc.catalog import assembly
from feedsvc.content.listing import ARTICLES_FOLDER, refreshed, scan
from support.factories import write_article

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SITE = """title = "Incremental"
base_url = "https://news.example.org"
id_authority = "news.example.org,2020"
timezone = "Europe/London"
default_author = "Staff"
entries_per_feed = 3
"""

# one edit of the folder: (kind, article number, variant)
edits = st.tuples(
    st.sampled_from(
        [
            "add",
            "add-undated",
            "text",
            "tags",
            "date",
            "remove",
            "withdraw",
            "break",
            "orphan",
            "pin",
            "move",
            "unpin",
            "move-edit",
            "reuse",
        ]
    ),
    st.integers(0, 5),
    st.integers(0, 3),
)


def as_is(html: str, base_url: str | None = None, rules: object = None) -> str:
    """A stand-in cleaner that keeps the page as it is: cleaning is not what these tests are about."""
    return str(html)  # a plain str (the loader's is a marked one), as the real cleaner returns


def _site(folder: Path) -> Path:
    (folder / ARTICLES_FOLDER).mkdir(parents=True)
    (folder / "site.toml").write_text(SITE, encoding="utf-8")
    return folder


def _apply(folder: Path, kind: str, number: int, variant: int) -> set[Path]:
    """Make one edit in ``folder``; return the paths it touched (what the system would report)."""
    slug = f"story-{number}"
    page, sidecar = folder / ARTICLES_FOLDER / f"{slug}.html", folder / ARTICLES_FOLDER / f"{slug}.toml"
    month = f"2024-0{1 + number % 5}-1{variant}T08:00:00+00:00"
    text = f"Story {number} says thing {variant}, in a paragraph long enough to be kept by the cleaner."
    if kind == "add":
        write_article(folder, slug, month, text=text, tags=(f"tag-{variant % 2}",), authors=("Ana",))
    elif kind == "add-undated":
        page.write_text(f"<article><h1>Undated {number}</h1><p>{text}</p></article>", encoding="utf-8")
        sidecar.unlink(missing_ok=True)
    elif kind == "text" and page.exists():
        page.write_text(f"<article><h1>Story {number}</h1><p>{text} Edited.</p></article>", encoding="utf-8")
    elif kind in ("tags", "date") and page.exists():
        # "Tag-1" and "tag-1" are one tag, named as its newest article writes it
        tags = ((f"Tag-{variant % 2}",) if variant > 1 else (f"tag-{variant}",)) if kind == "tags" else ()
        write_article(folder, slug, month, text=text, tags=tags)
    elif kind == "remove":
        page.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
    elif kind == "pin" and page.exists():  # an id pinned on a published article: warned of until published
        sidecar.write_text(f'published = {month}\nid = "urn:example:{number}-{variant % 2}"\n', encoding="utf-8")
    elif kind == "move" and page.exists():  # renamed: a new slug, so a new entry id (warned of until published)
        page.rename(page.with_name(f"moved-{number}.html"))
        if sidecar.exists():
            sidecar.rename(sidecar.with_name(f"moved-{number}.toml"))
        moved = {page.with_name(f"moved-{number}.html"), sidecar.with_name(f"moved-{number}.toml")}
        return {page, sidecar, *moved}
    elif kind == "unpin" and sidecar.exists():  # the pin taken off: the id readers have is the pinned one
        sidecar.write_text(f"published = {month}\n", encoding="utf-8")
    elif kind == "move-edit" and page.exists():  # renamed and its words edited: known by its title and day
        page.rename(page.with_name(f"moved-{number}.html"))
        page.with_name(f"moved-{number}.html").write_text(
            f"<article><h1>{slug}</h1><p>{text} Moved.</p></article>", encoding="utf-8"
        )
        if sidecar.exists():
            sidecar.rename(sidecar.with_name(f"moved-{number}.toml"))
        moved = {page.with_name(f"moved-{number}.html"), sidecar.with_name(f"moved-{number}.toml")}
        return {page, sidecar, *moved}
    elif kind == "reuse":  # another article saved under the name: an id of its own, not the one readers have
        other = f"2024-0{1 + (number + 2) % 5}-2{variant}T08:00:00+00:00"
        write_article(folder, slug, other, text=f"Another story {variant}, long enough to be kept.", title="Other")
    elif kind == "withdraw" and page.exists():
        sidecar.write_text(f'published = {month}\nstatus = "withdrawn"\n', encoding="utf-8")
    elif kind == "break" and page.exists():
        page.write_bytes(b"\x00\x01 not a page \xff" * variant)
    elif kind == "orphan":
        (folder / ARTICLES_FOLDER / f"lonely-{variant}.toml").write_text("tags = ['x']\n", encoding="utf-8")
    lonely = {folder / ARTICLES_FOLDER / f"lonely-{variant}.toml"} if kind == "orphan" else set()
    return {page, sidecar, *lonely}


def _view(snapshot: Snapshot, folder: Path) -> dict[str, object]:
    """What readers and the ledger get of a snapshot, with the folder's own paths taken out."""
    catalog = snapshot.catalog

    def local(text: str) -> str:
        return text.replace(str(folder), "<content>")

    return {
        "version": catalog.version,
        "articles": [
            (a.slug, a.updated, a.published, a.entry_id, a.title, a.tags, a.content_html) for a in catalog.articles
        ],
        "problems": sorted((local(str(p.path)), p.severity, local(p.message)) for p in catalog.problems),
        "withdrawn": catalog.withdrawn,
        "scheduled": catalog.scheduled,
        "revisions": catalog.revisions,
        "feeds": {path: resource.body for path, resource in snapshot.feeds.items()},
        "facets": [
            [(f.key, f.name, [a.slug for a in f.articles], [w.slug for w in f.withdrawn]) for f in facets.values()]
            for facets in (catalog.tags, catalog.authors, catalog.sources)
        ],
        "archives": {month: [a.slug for a in items] for month, items in snapshot.archives.by_month.items()},
    }


@settings(max_examples=12)
@given(st.lists(st.tuples(edits, st.integers(1, 90_000)), min_size=1, max_size=7))
def test_a_long_lived_builder_gives_what_a_fresh_build_gives_after_any_edits(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[tuple[str, int, int], int]]
) -> None:
    root = tmp_path_factory.mktemp("incremental")
    live, fresh = _site(root / "live"), _site(root / "fresh")
    for number in range(3):
        for folder in (live, fresh):
            _apply(folder, "add", number, 0)
    now = T0
    builder = Builder(live, cache_dir=live / ".feedsvc" / "cache", clean=as_is)
    builder.build(now)
    listing = scan(live)
    # a new builder per build, on the build cache (where a held article's last good version is kept after
    # a restart): every article dated, revised and indexed, the ledger read whole, every feed rendered
    cache = fresh / ".feedsvc" / "cache"
    Builder(fresh, cache_dir=cache, clean=as_is).build(now)
    for (kind, number, variant), seconds in steps:
        now += timedelta(seconds=seconds)
        touched = _apply(live, kind, number, variant)
        _apply(fresh, kind, number, variant)
        refreshed_listing = refreshed(listing, live, [str(path) for path in touched])
        assert refreshed_listing is not None
        listing = refreshed_listing
        assert listing.units == scan(live).units  # brought up to date, not made anew
        # what changed since the last build, found from the names statted again, is what comparing every input finds
        built = builder._built
        every = {name: listing.inputs.get(name) for name, _ in listing.inputs.items() ^ built.items()}
        assert builder.changes(listing) == every
        incremental = builder.build(now, listing)
        whole = Builder(fresh, cache_dir=cache, clean=as_is).build(now)
        assert _view(incremental, live) == _view(whole, fresh)
        assert read_ledger(live) == read_ledger(fresh)  # journal and whole file read back as the whole one


def test_a_publish_dates_revises_and_records_only_the_article_that_changed(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(content_dir / ARTICLES_FOLDER)
    (content_dir / ARTICLES_FOLDER).mkdir()
    for number in range(60):
        write_article(content_dir, f"story-{number:02d}", f"2024-0{1 + number % 5}-10T08:00:00+00:00")
    builder = Builder(content_dir, clean=as_is)
    builder.build(T0)
    before = builder.build(T0)  # the second build: the ledger's entries are the ones it keeps
    revised: list[str] = []
    real_revise = assembly.revise

    def counting(article: object, *args: object, **kwargs: object) -> object:
        revised.append(article.slug)  # type: ignore[attr-defined]
        return real_revise(article, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(assembly, "revise", counting)
    listing = scan(content_dir)
    write_article(content_dir, "story-new", "2024-06-01T08:00:00+00:00", text="A new story, long enough to keep.")
    listing = refreshed(
        listing, content_dir, [str(content_dir / ARTICLES_FOLDER / f"story-new.{s}") for s in ("html", "toml")]
    )
    assert listing is not None
    after = builder.build(T0 + timedelta(hours=1), listing)
    assert revised == ["story-new"]  # not the 60 others
    assert builder.stats.cleaned == 1
    journal = state_path(content_dir, JOURNAL_FILE).read_text(encoding="utf-8").splitlines()
    assert len(journal) == 1 and '"story-new"' in journal[0] and '"story-00"' not in journal[0]
    change = delta(before, after)
    assert [a.slug for a in change.articles] == ["story-new"] and not change.removed
    revised.clear()
    page = content_dir / ARTICLES_FOLDER / "story-07.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</p>", " An edit.</p>", 1), encoding="utf-8")
    listing = refreshed(listing, content_dir, [str(page)])
    assert listing is not None
    edited = builder.build(T0 + timedelta(hours=2), listing)
    assert revised == ["story-07"]
    assert [a.slug for a in delta(after, edited).articles] == ["story-07"]
    assert len(state_path(content_dir, JOURNAL_FILE).read_text(encoding="utf-8").splitlines()) == 2


def test_a_ledger_written_by_another_process_is_read_again_and_kept(content_dir: Path) -> None:
    from feedsvc.build.state import write_ledger
    from feedsvc.model import Revision

    builder = Builder(content_dir, clean=as_is)
    builder.build(T0)
    ledger, _ = read_ledger(content_dir)
    pinned = Revision("", T0, first_seen=T0)  # what `feedsvc import` pins for an undated article it stored
    assert write_ledger(content_dir, {**ledger, "imported-elsewhere": pinned}) is None
    write_article(content_dir, "story-new", "2024-06-01T08:00:00+00:00", text="A new story, long enough to keep.")
    builder.build(T0 + timedelta(hours=1))
    after, problem = read_ledger(content_dir)
    assert problem is None and after["imported-elsewhere"] == pinned and "story-new" in after


def test_a_publish_looks_at_the_files_that_changed_not_at_every_file(content_dir: Path) -> None:
    shutil.rmtree(content_dir / ARTICLES_FOLDER)
    (content_dir / ARTICLES_FOLDER).mkdir()
    for number in range(60):
        write_article(content_dir, f"story-{number:02d}", f"2024-0{1 + number % 5}-10T08:00:00+00:00")
    builder = Builder(content_dir, clean=as_is)
    builder.build(T0)
    assert builder.stats.examined == 60  # the first build looks at every file
    listing = scan(content_dir)
    assert builder.changes(listing) == {} and not builder.outdated(listing)
    write_article(content_dir, "story-new", "2024-06-01T08:00:00+00:00", text="A new story, long enough to keep.")
    page = content_dir / ARTICLES_FOLDER / "story-07.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</p>", " An edit.</p>", 1), encoding="utf-8")
    (content_dir / ARTICLES_FOLDER / "story-09.html").unlink()
    changed = [str(content_dir / ARTICLES_FOLDER / name) for name in ("story-new.html", "story-new.toml")]
    listing = refreshed(
        listing, content_dir, [*changed, str(page), str(content_dir / ARTICLES_FOLDER / "story-09.html")]
    )
    assert listing is not None
    assert builder.changes(listing) == {
        "story-new.html": listing.units["story-new.html"],
        "story-07.html": listing.units["story-07.html"],
        "story-09.html": None,  # gone
    }
    built = builder.build(T0 + timedelta(hours=1), listing)
    assert builder.stats.examined == 2 and builder.stats.cleaned == 2  # not the 57 others (the gone one: dropped)
    assert "story-09" not in built.catalog.by_slug and "An edit." in built.catalog.by_slug["story-07"].content_html
    assert builder.changes(listing) == {}
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    listing = refreshed(listing, content_dir, [str(site_toml)])
    assert listing is not None
    builder.build(T0 + timedelta(hours=2), listing)
    assert builder.stats.examined == 60  # the settings changed: every file may be prepared differently


def test_a_publish_brings_the_last_catalog_up_to_date_without_assembling_every_article(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(content_dir / ARTICLES_FOLDER)
    (content_dir / ARTICLES_FOLDER).mkdir()
    for number in range(60):
        write_article(content_dir, f"story-{number:02d}", f"2024-0{1 + number % 5}-10T08:00:00+00:00")
    builder = Builder(content_dir, clean=as_is)
    first = builder.build(T0)
    assembled: list[int] = []
    real_assemble = builder_module.assemble_catalog

    def counting(prepared: list[object], *args: object, **kwargs: object) -> object:
        assembled.append(len(prepared))
        return real_assemble(prepared, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builder_module, "assemble_catalog", counting)
    walks: list[str] = []  # build_snapshot's own look for what changed, among every article
    real_changed = snapshot_module._changed
    monkeypatch.setattr(snapshot_module, "_changed", lambda *args: walks.append("walk") or real_changed(*args))
    listing = scan(content_dir)
    write_article(content_dir, "story-new", "2024-06-01T08:00:00+00:00", text="A new story, long enough to keep.")
    page = content_dir / ARTICLES_FOLDER / "story-07.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</p>", " An edit.</p>", 1), encoding="utf-8")
    (content_dir / ARTICLES_FOLDER / "story-09.html").unlink()
    changed = [str(content_dir / ARTICLES_FOLDER / name) for name in ("story-new.html", "story-new.toml")]
    listing = refreshed(
        listing, content_dir, [*changed, str(page), str(content_dir / ARTICLES_FOLDER / "story-09.html")]
    )
    assert listing is not None
    built = builder.build(T0 + timedelta(hours=1), listing)
    assert assembled == [] and walks == []  # no pass over the 60 articles
    assert built.catalog.articles[0].slug == "story-new" and "story-09" not in built.catalog.by_slug
    assert built.catalog.by_slug["story-00"] is first.catalog.by_slug["story-00"]
    assert "An edit." in built.catalog.by_slug["story-07"].content_html
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    listing = refreshed(listing, content_dir, [str(site_toml)])
    assert listing is not None
    builder.build(T0 + timedelta(hours=2), listing)
    assert assembled == [60]  # the settings changed: the whole catalog is assembled again
