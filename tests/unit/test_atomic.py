"""atomic.py: content, mode, durability (the file and its folder fsynced) and no leftovers on failure."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc import atomic
from feedsvc.atomic import write_atomic
from feedsvc.build.state import REVISIONS_FILE, state_path, write_ledger, write_state
from feedsvc.importer.store import store_article
from feedsvc.model import Revision
from support.ledger_format import news_ledger


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under each of a few umasks (the process's, restored after)."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_writes_the_bytes_and_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.json"
    write_atomic(target, b"first")
    write_atomic(target, "second, ça va\n".encode())
    assert target.read_bytes() == "second, ça va\n".encode()
    assert os.listdir(target.parent) == ["file.json"]


def test_a_new_file_has_the_mode_of_any_new_file(tmp_path: Path, umask: int) -> None:
    write_atomic(tmp_path / "new", b"x")
    (tmp_path / "ordinary").write_bytes(b"x")
    assert mode(tmp_path / "new") == 0o666 & ~umask == mode(tmp_path / "ordinary")


def test_a_replaced_file_gets_the_ordinary_mode_unless_asked_to_keep_its_own(tmp_path: Path, umask: int) -> None:
    ledger, article = tmp_path / "revisions.json", tmp_path / "story.html"
    for path in (ledger, article):
        path.write_bytes(b"old")
        path.chmod(0o600)  # the ledger's mode when mkstemp wrote it
    write_atomic(ledger, b"new")
    write_atomic(article, b"new", keep_mode=True)
    assert mode(ledger) == 0o666 & ~umask
    assert mode(article) == 0o600
    write_atomic(tmp_path / "fresh.html", b"new", keep_mode=True)  # nothing to keep: the ordinary mode
    assert mode(tmp_path / "fresh.html") == 0o666 & ~umask


def test_the_revisions_ledger_is_readable_like_any_file_of_the_content_folder(tmp_path: Path, umask: int) -> None:
    assert write_ledger(tmp_path, news_ledger(3)) is None
    assert mode(state_path(tmp_path, REVISIONS_FILE)) == 0o666 & ~umask


def test_an_imported_article_keeps_the_mode_a_person_gave_it(tmp_path: Path) -> None:
    sidecar = {"title": "A story", "source_url": "https://example.org/a"}
    assert store_article(tmp_path, "story", b"<p>One.</p>", sidecar, {})
    (tmp_path / "story.html").chmod(0o640)
    assert store_article(tmp_path, "story", b"<p>Two.</p>", sidecar, sidecar)
    assert mode(tmp_path / "story.html") == 0o640
    assert (tmp_path / "story.html").read_bytes() == b"<p>Two.</p>"


def test_the_file_is_fsynced_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state" / "announced.json"
    write_state(target, "old\n")
    real_fsync = os.fsync
    synced: list[tuple[str, bytes | None]] = []  # (what was fsynced, the target's bytes at that moment)

    def recording_fsync(fd: int) -> None:
        is_folder = stat.S_ISDIR(os.fstat(fd).st_mode)
        if is_folder:
            assert os.path.samestat(os.fstat(fd), os.stat(target.parent))
        synced.append(("folder" if is_folder else "file", target.read_bytes()))
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", recording_fsync)
    write_state(target, "new\n")
    assert synced == [("file", b"old\n"), ("folder", b"new\n")]


def test_the_temporary_file_is_hidden_and_named_for_the_loader_to_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []
    real_replace = os.replace

    def recording_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        seen.append(Path(source))
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", recording_replace)
    write_atomic(tmp_path / "story.html", b"x")
    (temporary,) = seen
    assert temporary.name.startswith(".story.html.") and temporary.name.endswith(".tmp")
    assert temporary.parent == tmp_path  # the target's own folder: the rename cannot cross file systems


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "revisions.json"
    target.write_text("old", encoding="utf-8")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "story.html", b"x")
    assert os.listdir(tmp_path) == []


def test_a_ledger_that_cannot_be_written_is_a_problem_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", fail)
    problem = write_ledger(tmp_path, {"a": Revision("f1", datetime(2024, 1, 2, tzinfo=UTC))})
    assert problem is not None and problem.path == state_path(tmp_path, REVISIONS_FILE)
    assert "No space left on device" in problem.message
    assert leftovers(tmp_path / ".feedsvc") == []


def test_a_taken_temporary_name_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = iter(["aaaaaaaaaaaa", "aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(atomic.secrets, "token_hex", lambda size: next(names))
    (tmp_path / ".story.html.aaaaaaaaaaaa.tmp").write_bytes(b"another writer's")
    write_atomic(tmp_path / "story.html", b"mine")
    assert next(names, "all used") == "all used"  # the taken name was tried twice, then the free one
    assert (tmp_path / "story.html").read_bytes() == b"mine"
    assert (tmp_path / ".story.html.aaaaaaaaaaaa.tmp").read_bytes() == b"another writer's"
