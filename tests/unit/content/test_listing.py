"""content/listing.py: a listing kept current from the paths the system reports equals a full scan of the folder."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from feedsvc.content.listing import last_change, refreshed, relevant, scan, unstatted, watched_folders
from support.factories import replace_picture, with_icon, write_article
from support.stats import FailingEntry


def test_reported_paths_bring_a_listing_to_what_a_full_scan_sees(content_dir: Path) -> None:
    root = content_dir.resolve()
    before = scan(content_dir)
    articles = root / "articles"
    added = write_article(content_dir, "new-story", "2024-05-02T10:00:00")
    edited = sorted(p for p in articles.glob("*.html") if p != added)[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "<p>An added paragraph.</p>", encoding="utf-8")
    removed = sorted(p for p in articles.glob("*.html") if p not in (added, edited))[0]
    removed.unlink()
    (articles / "a-folder.html").mkdir()  # not a file: listed among the others, as scan() does
    (root / "site.toml").write_text((root / "site.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    paths = [added, added.with_suffix(".toml"), edited, removed, articles / "a-folder.html", root / "site.toml"]
    after = refreshed(before, root, [str(p) for p in paths])
    assert after is not None
    assert after == scan(content_dir)  # every signature, the site's, the others
    assert "new-story.html" in after.units and removed.name not in after.units
    assert after.units[edited.name] != before.units[edited.name]


def test_a_path_reported_but_unchanged_or_not_an_input_changes_nothing(content_dir: Path) -> None:
    root = content_dir.resolve()
    before = scan(content_dir)
    (root / "articles" / ".story.html.swp").write_text("editor state", encoding="utf-8")
    paths = [root / "articles" / ".story.html.swp", root / ".feedsvc" / "cache" / "x", root / "elsewhere.txt"]
    page = sorted((root / "articles").glob("*.html"))[0]
    assert refreshed(before, root, [*map(str, paths), str(page), "/not/in/the/folder"]) == before


def test_a_folder_itself_changing_asks_for_a_full_scan(content_dir: Path) -> None:
    root = content_dir.resolve()
    listing = scan(content_dir)
    for folder in (root, root / "articles", root / "rules"):
        assert refreshed(listing, root, [str(folder)]) is None
    broken = scan(root / "missing")  # a listing with faults is never patched: a folder was unreadable
    assert broken.faults and refreshed(broken, root / "missing", [str(root / "missing" / "site.toml")]) is None


def test_only_inputs_are_relevant_not_the_builds_own_files(tmp_path: Path) -> None:
    assert relevant(tmp_path, str(tmp_path / "site.toml"))
    assert relevant(tmp_path, str(tmp_path / "articles" / "story.html"))
    assert relevant(tmp_path, str(tmp_path / "rules" / "example.org.toml"))
    assert relevant(tmp_path, str(tmp_path / "articles"))
    assert not relevant(tmp_path, str(tmp_path / "notes.txt"))
    assert not relevant(tmp_path, str(tmp_path / ".feedsvc" / "cache" / "build.sqlite"))
    assert not relevant(tmp_path, str(tmp_path / "articles" / ".hidden" / "x.html"))
    assert not relevant(tmp_path, str(tmp_path / "articles" / "deeper" / "x.html"))
    assert not relevant(tmp_path, "/elsewhere/site.toml")


def test_the_icon_site_toml_names_is_an_input_of_the_site_wherever_it_is(content_dir: Path) -> None:
    root = content_dir.resolve()
    icon = with_icon(root)
    before = scan(root, ["media/icon.png"])
    assert before.pictures.keys() == {"media/icon.png"} and before.pictures["media/icon.png"]
    assert scan(root).inputs["site.toml"] != before.inputs["site.toml"]  # not named: not statted
    replace_picture(icon, "wide-300x100.png")  # the same name, a new picture
    after = refreshed(before, root, [str(icon)])
    assert after is not None and after == scan(root, ["media/icon.png"])
    assert after.inputs["site.toml"] != before.inputs["site.toml"]  # the site is read again
    assert after.inputs.keys() == before.inputs.keys()
    icon.unlink()
    gone = refreshed(after, root, [str(root / "media")])  # the folder it is in reported: the picture statted
    assert gone is not None and gone.pictures == {"media/icon.png": ""} and gone == scan(root, ["media/icon.png"])


def test_a_listing_takes_the_pictures_site_toml_names_now(content_dir: Path) -> None:
    root = content_dir.resolve()
    with_icon(root)
    logo = with_icon(root, "logo-144x48.png", "brand/logo.png", named=False)
    listing = scan(root, ["media/icon.png"])
    assert listing.with_pictures(root, ["media/icon.png"]) is listing  # the same names: nothing statted
    switched = refreshed(listing, root, [], ["brand/logo.png"])
    assert switched is not None and switched == scan(root, ["brand/logo.png"])
    replace_picture(logo, "wide-300x100.png")
    assert refreshed(switched, root, [str(logo)]) == scan(root, ["brand/logo.png"]) != switched


def test_a_picture_and_its_folders_are_relevant_only_while_site_toml_names_it(tmp_path: Path) -> None:
    named = ["media/brand/icon.png"]
    for path in ("media/brand/icon.png", "media/brand", "media"):
        assert relevant(tmp_path, str(tmp_path / path), named)
        assert not relevant(tmp_path, str(tmp_path / path))
    assert not relevant(tmp_path, str(tmp_path / "media" / "brand" / "other.png"), named)
    assert not relevant(tmp_path, str(tmp_path / "media" / "icon.png"), named)


def test_a_scan_made_again_shares_the_names_and_signatures_of_the_last_one(content_dir: Path) -> None:
    write_article(content_dir, "one", "2024-05-01T09:00:00")
    first, again = scan(content_dir), scan(content_dir)
    assert again == first
    # the very string objects, not equal copies: the watcher's scans and the builder's entries hold one of each
    assert all(next(n for n in again.files if n == name) is name for name in first.files)
    assert all(again.files[name] is sig for name, sig in first.files.items())
    assert all(again.units[name] is unit for name, unit in first.units.items()) and first.units


class _Tally:
    """How many directory entries of one ``scandir`` call are alive at once, and the most ever."""

    def __init__(self) -> None:
        self.alive = 0
        self.most = 0


class _Counted:
    """A directory entry that counts, in its call's tally, how many of its kind are alive at once."""

    def __init__(self, entry: os.DirEntry[str], tally: _Tally) -> None:
        self._entry = entry
        self._tally = tally
        self.name = entry.name
        tally.alive += 1
        tally.most = max(tally.most, tally.alive)

    def __del__(self) -> None:
        self._tally.alive -= 1

    def is_file(self) -> bool:
        return self._entry.is_file()

    def stat(self) -> os.stat_result:
        return self._entry.stat()


def test_a_scan_holds_one_directory_entry_at_a_time_not_the_whole_folder(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(1, 21):
        write_article(content_dir, f"story-{day}", f"2024-05-{day:02d}T09:00:00")
    real = os.scandir
    ours = threading.get_ident()
    tallies: list[_Tally] = []

    @contextlib.contextmanager
    def counted(folder: Path) -> Iterator[Iterator[os.DirEntry[str] | _Counted]]:
        with real(folder) as entries:
            if threading.get_ident() != ours:  # a publisher thread another test left running: not this scan's
                yield entries
                return
            tally = _Tally()
            tallies.append(tally)
            yield (_Counted(entry, tally) for entry in entries)

    monkeypatch.setattr(os, "scandir", counted)
    listing = scan(content_dir)
    assert len(listing.files) >= 40 and len(listing.units) >= 20  # every page and sidecar (and the fixture's)
    assert tallies and max(tally.most for tally in tallies) >= 1
    # each entry and at most the next, in every folder: never a list of them all
    assert max(tally.most for tally in tallies) <= 2, [tally.most for tally in tallies]


def test_the_folders_watched_are_those_whose_own_entries_a_listing_is_made_of(content_dir: Path) -> None:
    root = content_dir.resolve()
    (root / "media" / "brand").mkdir(parents=True)
    (root / "articles" / "deeper").mkdir()
    (root / ".feedsvc" / "cache").mkdir(parents=True)
    folders = watched_folders(root, ["media/brand/mark.png", "../outside/icon.png", "/etc/icon.png"])
    # no rules/ yet: the content folder reports it made; nothing deeper, nothing of the build's own state
    assert set(folders) == {str(root), str(root / "articles"), str(root / "media"), str(root / "media" / "brand")}
    # every path relevant() keeps is an entry of one of them
    for path in (root / "site.toml", root / "articles" / "x.html", root / "media" / "brand" / "mark.png"):
        assert relevant(root, str(path), ["media/brand/mark.png"]) and str(path.parent) in folders
    (root / "rules").mkdir()
    assert str(root / "rules") in watched_folders(root)


def test_a_folder_replaced_under_its_name_is_another_folder_to_watch(content_dir: Path) -> None:
    root = content_dir.resolve()
    before = watched_folders(root)
    (root / "articles").rename(root / "articles.old")
    (root / "articles").mkdir()
    after = watched_folders(root)
    assert set(after) == set(before) and after[str(root / "articles")] != before[str(root / "articles")]


def test_a_listing_with_other_pictures_keeps_its_articles_as_they_are(content_dir: Path) -> None:
    icon = with_icon(content_dir)
    root = content_dir.resolve()
    listing = scan(root)
    assert listing.units  # made once
    moved = listing.with_pictures(root, [str(icon.relative_to(root))])
    assert moved.units is listing.units and moved.pictures and moved == scan(root, moved.pictures)


def _made_a_file(articles: Path) -> None:
    articles.rename(articles.with_name("articles-away"))
    articles.write_text("not a folder", encoding="utf-8")


def _moved_away(articles: Path) -> None:
    articles.rename(articles.with_name("articles-away"))


def _replaced_by_an_empty_folder(articles: Path) -> None:
    articles.rename(articles.with_name("articles-away"))
    articles.mkdir()


SWAPS: list[Callable[[Path], None]] = [_made_a_file, _moved_away, _replaced_by_an_empty_folder]


@pytest.mark.parametrize("swap", SWAPS)
def test_a_folder_swapped_while_it_is_listed_is_never_read_as_emptied(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch, swap: Callable[[Path], None]
) -> None:
    before = scan(content_dir)
    real = os.scandir
    swapped: list[str] = []

    @contextlib.contextmanager
    def swapping(folder: int) -> Iterator[Iterator[os.DirEntry[str]]]:
        with real(folder) as entries:

            def listed() -> Iterator[os.DirEntry[str]]:
                for entry in entries:
                    if not swapped and entry.name.endswith(".html"):  # articles/, its first page named
                        swap(content_dir / "articles")
                        swapped.append(entry.name)
                    yield entry

            yield listed()

    monkeypatch.setattr(os, "scandir", swapping)
    listing = scan(content_dir)
    assert swapped  # between a name read and its stat
    # the folder as it was (its names and stats from the one folder), or a fault: never a folder emptied, which
    # the watcher published as every article withdrawn (and then no fault to report: the site was empty)
    assert listing.faults or listing.files == before.files, (listing.faults, sorted(listing.files))


@pytest.mark.parametrize("swap", SWAPS)
def test_reported_paths_in_a_folder_swapped_since_the_listing_ask_for_a_full_scan(
    content_dir: Path, swap: Callable[[Path], None]
) -> None:
    root = content_dir.resolve()
    listing = scan(root)
    page = sorted((root / "articles").glob("*.html"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "<p>Edited.</p>", encoding="utf-8")  # reported...
    swap(root / "articles")
    # ...and looked at before the swap's own report: statted by path, the page looked removed (the folder
    # a file, or gone), and the rest of the listing was of the folder no longer there
    assert refreshed(listing, root, [str(page)]) is None


def _stats_failing(monkeypatch: pytest.MonkeyPatch, error: OSError, folder_name: str = "articles") -> None:
    """Have the stat of every entry listed in ``folder_name`` fail with ``error`` (permissions do not stop root:
    the narrowest point of a folder readable but not searchable, whose entries' names read and stats fail)."""
    real = os.scandir
    ours = threading.get_ident()

    @contextlib.contextmanager
    def listing(folder: int) -> Iterator[Iterator[os.DirEntry[str] | FailingEntry]]:
        with real(folder) as entries:
            named = os.readlink(f"/proc/self/fd/{folder}") if isinstance(folder, int) else str(folder)
            if threading.get_ident() != ours or os.path.basename(named) != folder_name:
                yield entries
                return
            yield (FailingEntry(entry, error) for entry in entries)

    monkeypatch.setattr(os, "scandir", listing)


@pytest.mark.parametrize(
    "error",
    [PermissionError(13, os.strerror(13)), OSError(5, os.strerror(5))],
    ids=["folder-readable-not-searchable", "io-error"],
)
def test_an_entry_that_cannot_be_statted_is_listed_as_unreadable_not_removed(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    # (a stand-in; test_listing_as_user.py has a real folder not searchable refuse uid 65534 where it can run)
    if not os.path.exists("/proc/self/fd"):
        pytest.skip("names a descriptor's folder by /proc")
    before = scan(content_dir)
    _stats_failing(monkeypatch, error)
    listing = scan(content_dir)
    # dropped, every entry read as removed (the folder as emptied: every article withdrawn); a fault, the whole
    # site stopped publishing for it. Each is listed, with a signature saying why, and no fault: the build holds it
    assert not listing.faults and set(listing.files) == set(before.files) and set(listing.units) == set(before.units)
    assert {unstatted(sig) for sig in listing.files.values()} == {error.strerror}
    assert all(sig not in before.files.values() for sig in listing.files.values())
    assert all(last_change(unit) == 0 for unit in listing.units.values())  # no time known: taken at once


def test_an_entry_gone_between_its_name_and_its_stat_is_removed_not_a_fault(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not os.path.exists("/proc/self/fd"):
        pytest.skip("names a descriptor's folder by /proc")
    _stats_failing(monkeypatch, FileNotFoundError(2, os.strerror(2)))
    listing = scan(content_dir)
    assert not listing.faults and not listing.files  # each really went away: the next scan says so


def test_a_symlink_loop_in_place_of_a_page_is_listed_unreadable_and_site_toml_so_is_a_fault(
    content_dir: Path,
) -> None:
    # ELOOP stops root too: no stand-in needed
    page = sorted((content_dir / "articles").glob("*.html"))[0]
    good = scan(content_dir)
    text = page.read_text(encoding="utf-8")
    page.unlink()
    page.symlink_to(page.name)
    listing = scan(content_dir)
    # a page that cannot be statted is not a fault of the folder (the rest publishes) nor removed: listed so
    assert not listing.faults and unstatted(listing.files[page.name]) == os.strerror(errno.ELOOP)
    assert page.name not in listing.others and listing.units[page.name] != good.units[page.name]
    page.unlink()
    page.write_text(text, encoding="utf-8")
    assert unstatted(scan(content_dir).files[page.name]) is None  # fixed: a stat's signature, read again
    page.unlink()
    (content_dir / "site.toml").unlink()
    (content_dir / "site.toml").symlink_to("site.toml")
    assert scan(content_dir).faults == ((str(content_dir / "site.toml"), os.strerror(errno.ELOOP)),)


def test_a_symlink_to_nothing_is_not_a_page_and_not_a_fault(content_dir: Path) -> None:
    page = sorted((content_dir / "articles").glob("*.html"))[0]
    page.unlink()
    page.symlink_to("nowhere.html")
    listing = scan(content_dir)
    assert not listing.faults and page.name not in listing.files  # gone, as it was before


@pytest.mark.parametrize("name", ["articles/page.html", "articles/page.toml", "rules/example.org.toml"])
def test_a_reported_file_that_cannot_be_statted_is_listed_unreadable_not_removed(content_dir: Path, name: str) -> None:
    root = content_dir.resolve()
    (root / "rules").mkdir(exist_ok=True)
    (root / name).write_text("", encoding="utf-8")
    listing = scan(root)
    (root / name).unlink()
    (root / name).symlink_to((root / name).name)  # a loop: ELOOP
    # statted by path and dropped, it was published as removed; then a full scan, and a fault for the whole site
    new = refreshed(listing, root, [str(root / name)])
    assert new is not None and not new.faults and new == scan(root)
    folder, file = name.split("/")
    assert unstatted((new.files if folder == "articles" else new.rules)[file]) == os.strerror(errno.ELOOP)


def test_a_reported_site_toml_that_cannot_be_statted_asks_for_a_full_scan_which_names_it(content_dir: Path) -> None:
    root = content_dir.resolve()
    listing = scan(root)
    (root / "site.toml").unlink()
    (root / "site.toml").symlink_to("site.toml")  # a loop: ELOOP
    # the site's settings: a fault (the last good snapshot kept), not "missing" (a site of the defaults)
    assert refreshed(listing, root, [str(root / "site.toml")]) is None
    assert scan(root).faults == ((str(root / "site.toml"), os.strerror(errno.ELOOP)),)
