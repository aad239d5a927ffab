"""What the content folder holds, by file name and stat alone: the cheap question asked every tick.

An edge that only stats: no file is opened here. A :class:`Listing` names
every input of a build (``site.toml`` and the icon and logo files it names,
``rules/*.toml``, the article files and their sidecars) with a stat
signature, so two listings tell which articles changed without reading
anything. :class:`Settling` decides when a
changed file may be read: when it has not changed for ``settle`` seconds,
so a file still being written is never published torn. :func:`refreshed`
brings a listing up to date from the paths the operating system reported
changed, statting only those; :func:`watched_folders` names the folders whose
own entries those paths are in.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import sys
import time
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath
from stat import S_ISDIR, S_ISREG

from feedsvc.content.loader import ARTICLE_SUFFIXES, MARKDOWN_SUFFIX, SIDECAR_SUFFIX, is_listed
from feedsvc.content.rules import RULES_FOLDER
from feedsvc.model import Problem

__all__ = [
    "ARTICLES_FOLDER",
    "SITE_FILE",
    "Listing",
    "Settling",
    "folder_stamp",
    "last_change",
    "lost",
    "of_articles",
    "problem_files",
    "refreshed",
    "relevant",
    "scan",
    "signature",
    "sorted_problems",
    "unpublishable",
    "unstatted",
    "watched_folders",
]

SITE_FILE = "site.toml"
ARTICLES_FOLDER = "articles"
_BY_DESCRIPTOR = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")  # not on Windows: listed by path there


_UNSTATTED = "!"  # begins the signature of a file whose stat failed; a stat's begins with a digit


def signature(stat: os.stat_result) -> str:
    """Return a file's stat signature: size, mtime, inode and ctime (ctime can't be set back by tools)."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}:{stat.st_ctime_ns}"


def _unstatted_signature(error: OSError) -> str:
    """Return the signature of a file there whose stat failed with ``error`` (not "gone"): never equal to a
    stat's, and another one for another reason, so the file is read again once it is fixed or fails otherwise."""
    return sys.intern(_UNSTATTED + _reason(error))


def unstatted(sig: str) -> str | None:
    """Return why the file of ``sig`` (one file's, not a unit's) could not be statted, or None if it was."""
    return sig[1:] if sig.startswith(_UNSTATTED) else None


def last_change(sig: str) -> float:
    """Return when a file with this signature last changed (the later of mtime and ctime), Unix time.

    0 for a file that could not be statted: no time is known (it is taken at once, as a removal is).
    """
    parts = sig.split("|")
    return max(
        (max(int(p.split(":")[1]), int(p.split(":")[3])) / 1e9 for p in parts if p and p[0] != _UNSTATTED),
        default=0.0,
    )


@dataclass(frozen=True)
class Listing:
    """Every input of a build by name, each with its stat signature."""

    site: str  # signature of site.toml ("" when missing)
    rules: Mapping[str, str]  # rules/<host>.toml name -> signature
    # articles/<name> -> signature, pages and sidecars alike (of one whose stat failed: see unstatted())
    files: Mapping[str, str]
    # the folders' own mtimes and inodes when scanned (folder_stamp): which folders the listing is of
    stamp: tuple[int, ...] = field(default=(), compare=False)
    others: frozenset[str] = frozenset()  # names in articles/ that are not regular files (folders, pipes, …)
    # (path, reason): folders that could not be listed, site.toml if it could not be statted (not gone); a file
    # of articles/ or rules/ that could not be statted is listed, with a signature saying why (see unstatted())
    faults: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # the icon's and logo's files site.toml named when last read (content-relative) -> signature ("" when
    # missing; of one whose stat failed otherwise: see unstatted())
    pictures: Mapping[str, str] = field(default_factory=dict)
    # made by refreshed(): the listing it was made from (weakly) and the only inputs (by name) whose
    # signature may differ from that one's (None: any may; a scan, or a change of site.toml, rules or pictures)
    since: tuple[weakref.ref[Listing], frozenset[str]] | None = field(default=None, compare=False)
    # with ``since``: the names in articles/ statted again since that listing (added, changed or gone)
    touched: frozenset[str] | None = field(default=None, compare=False)

    @cached_property
    def units(self) -> dict[str, str]:
        """Every article page by name, with its sidecar's signature folded into its own."""
        found = {}
        for name in self.files:
            unit = _unit(self.files, name)
            if unit is not None:
                found[name] = unit
        return found

    @cached_property
    def inputs(self) -> dict[str, str]:
        """Every unit of a build by name: site.toml (with its pictures), each rules file, each article."""
        # the pictures are read with site.toml (their digest is the site's): one unit, as a sidecar with its page
        found = {SITE_FILE: self.site + "".join(f"|{self.pictures[n]}" for n in sorted(self.pictures))}
        found.update((f"{RULES_FOLDER}/{name}", sig) for name, sig in self.rules.items())
        found.update(self.units)
        return found

    def with_pictures(self, content_dir: Path, names: Iterable[str]) -> Listing:
        """Return this listing statting the pictures at ``names`` instead, if other (the files site.toml names:
        :attr:`~feedsvc.content.loader.SiteFiles.named`)."""
        names = tuple(names)
        if set(names) == set(self.pictures):
            return self
        new = dataclasses.replace(self, pictures=_pictures(content_dir, names), since=None, touched=None)  # moved
        if "units" in self.__dict__:  # the articles are the same: not made again (200,000 files at 100,000 articles)
            new.__dict__["units"] = self.units
        return new


def of_articles(path: PurePath, content_dir: PurePath) -> bool:
    """Say whether ``path`` (of a problem) is a file of ``content_dir``'s ``articles/``: an article's, not the
    revisions ledger, a rules file or the site's icon. Only such a file is a rejected or held article."""
    return path.parent == content_dir / ARTICLES_FOLDER


def sorted_problems(
    problems: Iterable[Problem], content_dir: PurePath
) -> tuple[list[Problem], list[Problem], list[Problem]]:
    """Return ``problems`` as ``/healthz`` lists them: those of article files rejected, those of article files
    held, and those of other files with an error or held (the revisions ledger, a rules file, the icon or logo).
    Warnings are none of them."""
    rejected: list[Problem] = []
    held: list[Problem] = []
    others: list[Problem] = []
    for problem in problems:
        if problem.severity not in ("error", "held"):
            continue
        if not of_articles(problem.path, content_dir):
            others.append(problem)
        elif problem.severity == "error":
            rejected.append(problem)
        else:
            held.append(problem)
    return rejected, held, others


def problem_files(
    problems: Iterable[Problem], content_dir: PurePath
) -> tuple[set[PurePath], set[PurePath], set[PurePath]]:
    """Return the files of :func:`sorted_problems`' three lists (a file with two problems counted once)."""
    rejected, held, others = sorted_problems(problems, content_dir)
    return {p.path for p in rejected}, {p.path for p in held}, {p.path for p in others}


def folder_stamp(content_dir: Path) -> tuple[int, ...]:
    """Return the mtimes of the content folder, ``articles/`` and ``rules/``: they move when a file is added,
    removed or renamed (not when one is rewritten in place)."""
    stamp: list[int] = []
    for folder in (content_dir, content_dir / ARTICLES_FOLDER, content_dir / RULES_FOLDER):
        try:
            stat = os.stat(folder)
            stamp += [stat.st_mtime_ns, stat.st_ino]
        except OSError:
            stamp += [0, 0]
    return tuple(stamp)


def scan(content_dir: Path, pictures: Iterable[str] = ()) -> Listing:
    """Stat every input of a build (one ``os.scandir`` per folder), and the icon and logo at ``pictures``."""
    stamp = folder_stamp(content_dir)
    others: set[str] = set()
    faults: list[tuple[str, str]] = []
    if not os.path.isdir(content_dir):
        faults.append((str(content_dir), "the content folder is missing or not a folder"))
    try:
        site = signature(os.stat(content_dir / SITE_FILE))
    except FileNotFoundError:
        site = ""  # reading site.toml says it is missing
    except OSError as error:
        site = ""
        if not faults:  # (the content folder not a folder: said above)
            faults.append((str(content_dir / SITE_FILE), _reason(error)))
    keep_rules = lambda name: name.endswith(".toml") and not name.startswith(".")  # noqa: E731
    rules = dict(_files(content_dir / RULES_FOLDER, keep_rules, None, faults, missing_ok=True))
    files = dict(_files(content_dir / ARTICLES_FOLDER, is_listed, others, faults))
    return Listing(site, rules, files, stamp, frozenset(others), tuple(faults), _pictures(content_dir, pictures))


def unpublishable(listing: Listing, content_dir: Path) -> tuple[str, str] | None:
    """Return the first fault of ``listing`` (path, reason) that keeps it from being built, or None.

    Every fault but ``articles/`` missing: a site without articles yet, built with a warning to create
    the folder (a server that published articles from it keeps them instead: see the watcher).
    """
    missing = (str(content_dir / ARTICLES_FOLDER), os.strerror(errno.ENOENT))
    return next((fault for fault in listing.faults if fault != missing), None)


def relevant(content_dir: Path, path: str, pictures: Iterable[str] = ()) -> bool:
    """Say whether a change at ``path`` can change a :class:`Listing` of ``content_dir`` (see :func:`refreshed`).

    The content folder, ``site.toml``, ``articles/`` and ``rules/`` and the
    files in them, the icon and logo at ``pictures`` and the folders they are
    in; not ``.feedsvc/`` (the build's own state and cache), other hidden
    names, or anything deeper.
    """
    parts = _parts(content_dir, path)
    if parts and any(_holds(parts, name) for name in pictures):
        return True
    if parts is None or any(part.startswith(".") for part in parts):
        return False
    if len(parts) <= 1:
        return parts in ((), (SITE_FILE,), (ARTICLES_FOLDER,), (RULES_FOLDER,))
    return len(parts) == 2 and parts[0] in (ARTICLES_FOLDER, RULES_FOLDER)


def watched_folders(content_dir: Path, pictures: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """Return the folders whose own entries are every path :func:`relevant` keeps, each that exists, by path.

    The content folder, ``articles/``, ``rules/`` and each folder on the way
    to a picture at ``pictures``, each with its device and inode (a folder
    replaced under its name is another one). Watched each without the
    folders in it, they report every change a listing can see, and nothing
    of ``.feedsvc/`` or anything deeper: watching them costs a few calls
    whatever the folder holds. One that does not exist yet is reported
    created by the folder it appears in.
    """
    wanted = [content_dir, content_dir / ARTICLES_FOLDER, content_dir / RULES_FOLDER]
    for name in pictures:
        parts = Path(name).parts[:-1]
        if ".." not in parts and not Path(name).is_absolute():  # site.toml keeps them in the content folder
            wanted += [content_dir.joinpath(*parts[:depth]) for depth in range(1, len(parts) + 1)]
    found: dict[str, tuple[int, int]] = {}
    for folder in wanted:
        try:
            stat = os.stat(folder)
        except OSError:
            continue
        if S_ISDIR(stat.st_mode):
            found[str(folder)] = (stat.st_dev, stat.st_ino)
    return found


def refreshed(
    listing: Listing, content_dir: Path, paths: Iterable[str], pictures: Iterable[str] | None = None
) -> Listing | None:
    """Return ``listing`` with the files at ``paths`` statted again (added, changed or gone).

    ``pictures``: the icon and logo files site.toml names now, if not the listing's.

    Costs what changed, not what the folder holds. Returns None when a
    full :func:`scan` is needed instead: a folder itself changed (created,
    removed, renamed, made unreadable), or the listing had faults, or the
    content folder, ``articles/`` or ``rules/`` is no longer the folder the
    listing was made of (replaced under its name, whether reported yet or not),
    or the stat of site.toml failed for a reason but "it is gone" (the scan
    names it). A file of ``articles/`` or ``rules/`` whose stat so fails is
    listed as one that cannot be read (see :func:`unstatted`), never removed.
    """
    if listing.faults:
        return None
    if pictures is not None:
        listing = listing.with_pictures(content_dir, pictures)
    site, rules, files, others = listing.site, dict(listing.rules), dict(listing.files), set(listing.others)
    images = dict(listing.pictures)
    touched: set[str] = set()  # names in articles/ statted again
    for path in paths:
        parts = _parts(content_dir, path)
        if parts:
            images.update(_pictures(content_dir, [n for n in images if _holds(parts, n)]))
        if parts is None or len(parts) > 2 or any(part.startswith(".") for part in parts):
            continue  # not an input (relevant() keeps these out already)
        if len(parts) == 1 and parts[0] == SITE_FILE:
            try:
                stat = _stat_unless_gone(content_dir / SITE_FILE)
            except OSError:
                # its stat failed for a reason but "it is gone" (no permission, a symlink loop, an I/O error):
                # not missing; a full scan reports it as a fault, naming it and why
                return None
            site = signature(stat) if stat is not None else ""
            continue
        if parts in ((), (ARTICLES_FOLDER,), (RULES_FOLDER,)):
            return None  # the content folder, articles/ or rules/ itself: look at everything
        if len(parts) < 2:
            continue  # another file beside site.toml: not an input
        folder, name = parts
        if folder == ARTICLES_FOLDER and is_listed(name):
            touched.add(name)
            files.pop(name, None)
            others.discard(name)
            sig = _listed_signature(content_dir / folder / name)
            if sig:
                files[name] = sig
            elif sig is not None:
                others.add(name)
        elif folder == RULES_FOLDER and name.endswith(".toml") and not name.startswith("."):
            rules.pop(name, None)
            sig = _listed_signature(content_dir / folder / name)
            if sig:
                rules[name] = sig
    stamp = folder_stamp(content_dir)
    if listing.stamp and _folders_of(stamp) != _folders_of(listing.stamp):
        # the content folder, articles/ or rules/ is another folder than the one listed (swapped, moved away,
        # made a file): the paths just statted were in it, the rest of the listing is of the old one
        return None
    units = _units_after(listing.units, files, touched) if "units" in listing.__dict__ else None
    same_settings = site == listing.site and rules == listing.rules and images == listing.pictures
    # which inputs may differ from the listing's (a sidecar's page found among its usual spellings, as units were)
    since = (weakref.ref(listing), frozenset(_pages_of(touched))) if same_settings and units is not None else None
    names = frozenset(touched) if since is not None else None
    new = Listing(site, rules, files, stamp, frozenset(others), (), images, since, names)
    if units is not None:  # brought up to date for the names that changed, not made again
        new.__dict__["units"] = units
    return new


def _folders_of(stamp: tuple[int, ...]) -> tuple[int, ...]:
    """Return which folders a :func:`folder_stamp` is of (their inodes, 0 for one missing), without their mtimes."""
    return stamp[1::2]


def _pages_of(names: Iterable[str]) -> Iterator[str]:
    """The article pages whose unit a change of the files ``names`` may change: a page itself, a sidecar's pages."""
    for name in names:
        stem, suffix = os.path.splitext(name)
        if suffix == SIDECAR_SUFFIX:
            yield from (stem + s for s in ARTICLE_SUFFIXES + tuple(s.upper() for s in ARTICLE_SUFFIXES))
        else:
            yield name


def _unit(files: Mapping[str, str], name: str) -> str | None:
    """Return the unit signature of the article page ``name`` (its sidecar's folded in), or None if not a page."""
    stem, suffix = os.path.splitext(name)
    if suffix.lower() not in ARTICLE_SUFFIXES:
        return None
    sidecar = "" if suffix.lower() == MARKDOWN_SUFFIX else files.get(stem + SIDECAR_SUFFIX, "")
    return sys.intern(f"{files[name]}|{sidecar}")  # (shared as _files' names and signatures are)


def _units_after(units: Mapping[str, str], files: Mapping[str, str], touched: Iterable[str]) -> dict[str, str] | None:
    """Return ``units`` updated for the file names ``touched`` (added, changed or gone), or None to make them anew.

    A sidecar's page is found among its stem's usual spellings; one not found (an orphan, or
    a page suffix in mixed case) makes them anew: rare, and always right.
    """
    updated = dict(units)
    for name in touched:
        stem, suffix = os.path.splitext(name)
        if suffix == SIDECAR_SUFFIX:
            pages = [stem + s for s in ARTICLE_SUFFIXES + tuple(s.upper() for s in ARTICLE_SUFFIXES)]
            pages = [page for page in pages if page in files or page in units]
            if not pages:
                return None
        else:
            pages = [name]
        for page in pages:
            unit = _unit(files, page) if page in files else None
            if unit is None:
                updated.pop(page, None)
            else:
                updated[page] = unit
    return updated


def _holds(parts: tuple[str, ...], name: str) -> bool:
    """Say whether the path at ``parts`` is the file ``name`` (content-relative) or a folder it is in."""
    return Path(name).parts[: len(parts)] == parts


def _pictures(content_dir: Path, names: Iterable[str]) -> dict[str, str]:
    """Stat the pictures at ``names``: "" for a missing one, the signature saying why of one whose stat failed
    for a reason but "it is gone" (reading site.toml then says why).

    Not "" for both: a picture put back where the service cannot stat it (its folder not searchable) after
    it was missing listed as the same input, was never read again, and the publisher was still told that it
    does not exist, not that it cannot be read.
    """
    found = {}
    for name in names:
        try:
            stat = _stat_unless_gone(content_dir / name)
        except OSError as error:
            found[name] = _unstatted_signature(error)
            continue
        found[name] = signature(stat) if stat is not None else ""
    return found


def _parts(content_dir: Path, path: str) -> tuple[str, ...] | None:
    """Return ``path``'s parts below ``content_dir`` (() for the folder itself), or None if it is not in it."""
    try:
        return Path(path).relative_to(content_dir).parts
    except ValueError:
        return None


def _listed_signature(path: Path) -> str | None:
    """Return what a listing holds for the file at ``path``: its signature, or None if it is gone.

    "" for something there that is not a regular file (a folder, a pipe); the
    signature saying why of one whose stat failed for a reason but "it is
    gone" (see :func:`unstatted`): there, and cannot be read, the build says why.
    """
    try:
        stat = _stat_unless_gone(path)
    except OSError as error:
        return _unstatted_signature(error)
    if stat is None:
        return None
    return signature(stat) if S_ISREG(stat.st_mode) else ""


def _stat_unless_gone(path: Path) -> os.stat_result | None:
    """Return the stat of ``path`` (symlinks followed), or None if it is gone (or a symlink to nothing).

    :raise OSError: the stat failed for another reason (no permission, a symlink loop, an I/O error): the
        file may well be there, and is never taken for removed.
    """
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _reason(error: OSError) -> str:
    """Say why a folder or file could not be statted or listed, as the operating system says it."""
    return error.strerror or type(error).__name__


def _files(
    folder: Path,
    keep: Callable[[str], bool],
    others: set[str] | None = None,
    faults: list[tuple[str, str]] | None = None,
    missing_ok: bool = False,
) -> Iterator[tuple[str, str]]:
    try:
        # the folder opened once, and its entries named and statted through that one handle: a listing is of
        # one folder. Statted by path, a folder moved away (or swapped for a file) while it was listed had
        # every entry after the swap look removed, and read as a folder emptied, with no fault: published,
        # that is every article withdrawn from the site, and the folder's fault never reported
        handle = _opened(folder)
        try:
            # one entry at a time, not a list of them all: each holds its path and its stat, and a list of every
            # entry of a large folder was most of what a full scan added to the publisher's memory
            with os.scandir(handle) as entries:
                for entry in entries:
                    yield from _file(entry, keep, others)
        finally:
            if isinstance(handle, int):
                os.close(handle)
    except OSError as error:
        if faults is not None and not (missing_ok and isinstance(error, FileNotFoundError)):
            faults.append((str(folder), _reason(error)))


def _opened(folder: Path) -> int | Path:
    """Return a descriptor of ``folder`` to list it by, or the path itself where a folder cannot be listed by one."""
    if not _BY_DESCRIPTOR:
        return folder
    # O_DIRECTORY: a file in the folder's place fails here, as scandir() on its path does ("Not a directory")
    return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))


def _file(entry: os.DirEntry[str], keep: Callable[[str], bool], others: set[str] | None) -> Iterator[tuple[str, str]]:
    """The name and signature of ``entry`` if it is a regular file ``keep`` keeps; ``others`` gets other kinds."""
    if keep(entry.name):
        try:
            if entry.is_file():
                # interned: a listing made again (the watcher's scans) shares its names and signatures with the
                # last one and with what the builder keeps of them (each article's entry), instead of copies
                yield sys.intern(entry.name), sys.intern(signature(entry.stat()))
            elif others is not None:
                others.add(entry.name)
        except FileNotFoundError:
            return  # removed while we looked (or a symlink to nothing): the next scan says so
        except OSError as error:
            # there, and its stat failed (a folder readable but not searchable fails so for every entry; a symlink
            # loop, an I/O error). Dropped, it read as removed (every article, for the folder): listed instead as
            # a file that cannot be read, which the build holds at its last published version, saying why
            yield sys.intern(entry.name), _unstatted_signature(error)


def _wall() -> float:
    return time.time()  # looked up at each call: a test that stops this module's clocks stops these too


def _monotonic() -> float:
    return time.monotonic()


class Settling:
    """Decide when a changed file is done being written, and when a file gone has stayed gone.

    A file is settled when its last change is ``settle`` seconds old, or when
    the same signature was already seen by a scan at least ``settle`` seconds
    earlier (for files with a clock skew or times preserved by the copy).

    A change that takes a file away (an article's page or its sidecar, a rules
    file, ``site.toml`` or a picture) has no time of its own: the removal is
    settled once the input has been seen so for ``settle`` seconds. An editor
    that saves by renaming the file to a backup and then writing the new one
    leaves it gone for a moment; a file back within that time is a change of
    what was there, never a removal and then a new file.
    """

    def __init__(
        self,
        settle: float,
        wall: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.settle = settle
        # the clocks it reads, and the watcher with it: a test sets its own to decide by hand what has settled
        self.wall = wall or _wall
        self.monotonic = monotonic or _monotonic
        self._seen: dict[str, tuple[str, float]] = {}  # name -> (signature, when first seen, monotonic)

    def settled(self, name: str, sig: str | None, before: str | None = None) -> bool:
        """Say whether unit ``name``, as ``sig`` (None or "": gone), may be read now.

        ``before``: its signature as last built, if it was; a file of it gone since is settled only
        once seen gone for ``settle`` seconds (see :func:`lost`).
        """
        if self.settle <= 0:
            return True
        gone = lost(before, sig)
        if not sig and not gone:
            return True
        monotonic = self.monotonic()
        seen = self._first_seen(name, sig or "", monotonic)
        if gone:
            return monotonic - seen >= self.settle
        return self.wall() - last_change(sig or "") >= self.settle or monotonic - seen >= self.settle

    def due(self, name: str, sig: str | None, before: str | None = None) -> float:
        """Return when (Unix time, on :attr:`wall`) unit ``name`` as ``sig`` will have settled (see :meth:`settled`)."""
        monotonic = self.monotonic()
        by_sight = self.wall() + self._first_seen(name, sig or "", monotonic) + self.settle - monotonic
        return by_sight if lost(before, sig) else min(last_change(sig or "") + self.settle, by_sight)

    def _first_seen(self, name: str, sig: str, monotonic: float) -> float:
        seen = self._seen.get(name)
        if seen is None or seen[0] != sig:
            self._seen[name] = seen = (sig, monotonic)
        return seen[1]

    def forget(self, names: Collection[str], pending: Collection[str] = ()) -> None:
        """Drop what was seen of names no longer in the folder (``names``: those in it, a mapping's keys will do),
        but those of ``pending`` (built, and gone since: when each was first seen gone is kept)."""
        for name in [n for n in self._seen if n not in names and n not in pending]:
            del self._seen[name]


def lost(before: str | None, sig: str | None) -> bool:
    """Say whether a file of the unit signed ``before`` is gone from it as signed ``sig`` (None or "": all of it).

    A unit's signature is its files' joined by ``|`` (an article's page and sidecar; ``site.toml`` and its
    pictures), "" for a file missing: a part there before and empty now is a file gone.
    """
    if not before:
        return False
    if not sig:
        return True
    now = sig.split("|")
    return any(part and (i >= len(now) or not now[i]) for i, part in enumerate(before.split("|")))
