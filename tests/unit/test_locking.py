from __future__ import annotations

from pathlib import Path

import pytest

from feedsvc.locking import file_lock


def test_a_held_lock_is_refused_to_a_taker_that_does_not_wait_and_given_once_released(tmp_path: Path) -> None:
    path = tmp_path / "state" / "thing.lock"  # the folder is made too
    with file_lock(path) as first:
        assert first is True
        # flock is per open file: a second opening, even in this process, is another holder
        with file_lock(path, wait=False) as second:
            assert second is False
    with file_lock(path, wait=False) as again:
        assert again is True
    assert path.read_bytes() == b""


def test_a_folder_where_the_lock_cannot_be_made_runs_the_block_unlocked(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with file_lock(blocked / "thing.lock", wait=False) as held:
        assert held is True


@pytest.mark.parametrize("wait", [True, False])
def test_the_lock_is_let_go_when_the_block_raises(tmp_path: Path, wait: bool) -> None:
    path = tmp_path / "thing.lock"
    with pytest.raises(RuntimeError), file_lock(path, wait=wait):
        raise RuntimeError("the work failed")
    with file_lock(path, wait=False) as held:
        assert held is True
