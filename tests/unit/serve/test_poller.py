"""serve/poller.py: a job called from a thread at once, then after the seconds it returns, until closed."""

from __future__ import annotations

import logging
import threading

from feedsvc.serve.poller import Poller
from support.servers import wait_until


def test_the_job_is_called_at_once_and_again_after_the_wait_it_returns() -> None:
    calls: list[int] = []
    poller = Poller(lambda: calls.append(1) or 0.01).start()
    try:
        assert wait_until(lambda: poller.calls >= 3)
    finally:
        poller.close()
    done = poller.calls
    assert len(calls) == done  # closed: no call after close() returned
    assert wait_until(lambda: True) and len(calls) == done


def test_a_job_that_raises_is_logged_and_called_again_later(caplog) -> None:  # type: ignore[no-untyped-def]
    def broken() -> float:
        raise RuntimeError("bug")

    caplog.set_level(logging.ERROR, logger="feedsvc.serve.poller")  # whatever an earlier test set on "feedsvc"
    poller = Poller(broken).start()
    try:
        assert wait_until(lambda: poller.calls >= 1)
    finally:
        poller.close()
    assert "the scheduled job failed; trying again in 60 s" in caplog.text


def test_close_waits_for_the_call_under_way_and_closes_the_job() -> None:
    release = threading.Event()
    closed: list[bool] = []

    class Job:
        def __call__(self) -> float:
            release.wait(5)
            return 100.0

        def close(self) -> None:
            closed.append(True)

    poller = Poller(Job()).start()
    release.set()
    assert wait_until(lambda: poller.calls == 1)
    poller.close()
    assert closed == [True]
