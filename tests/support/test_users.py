"""The helper that runs a function as another user: what it gives back, what it refuses, when it gives up."""

from __future__ import annotations

import os
import threading
import time

import pytest

from support.users import NOBODY, ChildFailed, as_user, folder_for


def test_the_function_runs_as_the_other_user_and_its_result_comes_back() -> None:
    assert as_user(lambda: (os.getuid(), os.geteuid(), os.getgid(), os.getgroups())) == (NOBODY, NOBODY, NOBODY, [])


def test_what_root_may_do_is_refused_there() -> None:
    with folder_for() as home:
        secret = home / "secret"
        secret.write_text("root's", encoding="utf-8")
        os.chmod(secret, 0o600)

        def read() -> str:
            return secret.read_text(encoding="utf-8")

        with pytest.raises(PermissionError) as raised:
            as_user(read)
        assert raised.value.errno == 13 and "raised as uid 65534" in raised.value.__notes__[0]


def test_the_folder_is_the_other_users_and_reachable_by_it() -> None:
    with folder_for() as home:
        made = as_user(lambda: (home / "made").write_text("mine", encoding="utf-8"))
        assert made == 4 and (home / "made").stat().st_uid == NOBODY
    assert not home.exists()


def test_a_thread_is_not_started_in_the_child() -> None:
    with pytest.raises(RuntimeError, match="started in a forked child"):
        as_user(lambda: threading.Thread(target=print, name="late").start())


def test_what_does_not_pickle_fails_the_test_with_the_childs_words() -> None:
    with pytest.raises(ChildFailed, match="returned what does not pickle"):
        as_user(lambda: threading.Lock())


def test_a_child_running_over_its_time_is_killed_and_fails_the_test() -> None:
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="ran over 1 s: killed"):
        as_user(lambda: time.sleep(30), timeout=1.0)
    assert time.monotonic() - started < 20


def test_a_process_that_is_not_root_skips_saying_why() -> None:
    def skipped() -> str:  # as uid 65534, the helper cannot become another user
        try:
            as_user(os.getuid)
        except pytest.skip.Exception as skip:
            return str(skip.msg)
        return "not skipped"

    assert as_user(skipped) == "running as another user needs root; the tests run as uid 65534"
