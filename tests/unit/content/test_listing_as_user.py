"""The listing of a folder whose permissions refuse the service, seen as another user (uid 65534) than root.

The stand-in tests of test_listing.py make a stat fail by a patched ``scandir``
(they run where these skip); these have the kernel refuse it: the content
folder is uid 65534's, one folder or file in it root's with the mode of the
fault, and a forked child as uid 65534 lists it (tests/support/users.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedsvc.content.listing import Listing, refreshed, scan, unstatted
from support.sites import copy_site
from support.users import as_user, folder_for, give, restrict

DENIED = os.strerror(13)  # "Permission denied"


@pytest.fixture
def content() -> Iterator[Path]:
    """The fixture site, uid 65534's, with a rules file and an icon in media/."""
    with folder_for() as home:
        folder = copy_site(home / "content")
        (folder / "rules").mkdir()
        (folder / "rules" / "news.example.org.toml").write_text('strip = [".promo"]\n', encoding="utf-8")
        (folder / "media").mkdir()
        (folder / "media" / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        give(folder)
        yield folder


def _why(listing: Listing) -> dict[str, str | None]:
    """Why each file of ``listing`` (articles/, rules/, the pictures) could not be statted (None: it was)."""
    files = {f"articles/{n}": s for n, s in listing.files.items()} | {f"rules/{n}": s for n, s in listing.rules.items()}
    return {name: unstatted(sig) for name, sig in (files | dict(listing.pictures)).items()}


@pytest.mark.parametrize("folder", ["articles", "rules"])
def test_a_folder_readable_but_not_searchable_lists_each_file_unreadable_not_removed(
    content: Path, folder: str
) -> None:
    before = scan(content)
    restrict(content / folder, 0o744)  # r-- for uid 65534: names, and no stat
    listing = as_user(lambda: scan(content))
    # each file there, none statted: none dropped (read as removed: every article withdrawn), no fault
    assert not listing.faults and listing.files.keys() == before.files.keys()
    assert listing.rules.keys() == before.rules.keys() and listing.units.keys() == before.units.keys()
    why = _why(listing)
    assert {n: r for n, r in why.items() if n.startswith(folder)} == {n: DENIED for n in why if n.startswith(folder)}
    assert not any(r for n, r in why.items() if not n.startswith(folder))
    assert listing.inputs.keys() == before.inputs.keys() and listing.inputs != before.inputs  # read again


@pytest.mark.parametrize("folder", ["articles", "rules"])
def test_a_folder_that_cannot_be_listed_is_a_fault_naming_it(content: Path, folder: str) -> None:
    restrict(content / folder, 0o700)  # --- for uid 65534
    listing = as_user(lambda: scan(content))
    assert listing.faults == ((str(content / folder), DENIED),)


def test_a_page_only_root_can_read_is_listed_as_any_file(content: Path) -> None:
    # its stat is allowed (the folder is searchable): the listing has it; reading it says why (the build's tests)
    page = sorted((content / "articles").glob("*.html"))[0]
    restrict(page, 0o600)
    listing = as_user(lambda: scan(content))
    assert not listing.faults and unstatted(listing.files[page.name]) is None


def test_a_reported_page_in_a_folder_not_searchable_is_listed_unreadable(content: Path) -> None:
    root = content.resolve()
    listing = scan(root)
    page = sorted((root / "articles").glob("*.html"))[0]
    restrict(root / "articles", 0o744)
    new = as_user(lambda: refreshed(listing, root, [str(page)]))
    assert new is not None and not new.faults and unstatted(new.files[page.name]) == DENIED


def test_a_picture_that_cannot_be_statted_is_no_missing_picture(content: Path) -> None:
    pictures = ["media/icon.png"]
    (content / "media" / "icon.png").rename(content / "media" / "away.png")
    missing = as_user(lambda: scan(content, pictures))
    (content / "media" / "away.png").rename(content / "media" / "icon.png")
    restrict(content / "media", 0o744)
    unreadable = as_user(lambda: scan(content, pictures))
    # listed as the same input as a missing picture, it was not read again after "does not exist" was said
    assert missing.pictures == {"media/icon.png": ""} and _why(unreadable)["media/icon.png"] == DENIED
    assert unreadable.inputs["site.toml"] != missing.inputs["site.toml"] and not unreadable.faults
