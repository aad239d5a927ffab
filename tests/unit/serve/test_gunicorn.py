"""serve/gunicorn.py: the hooks `feedsvc serve` and deploy/gunicorn.conf.py share, the server, the logging set-up."""

from __future__ import annotations

import gc
import json
import logging
import os
import queue
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask

from feedsvc.app import create_app
from feedsvc.serve.gunicorn import (
    APP_DEFAULTS,
    EmbeddedServer,
    Hooks,
    JsonLogger,
    empty_multiprocess_dir,
    freeze_heap,
    log_json_lines,
)
from feedsvc.serve.state import EXTENSION, SiteState

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class Recorder(SiteState):
    """A state that records what the hooks ask of it (and does none of it)."""

    def __init__(self) -> None:  # no snapshot needed: the hooks only call these
        self.calls: list[str] = []

    def announce_startup(self) -> list[str]:
        self.calls.append("announce")
        return []

    def stop_publishing(self) -> None:
        self.calls.append("stop publishing")


def server_of(app: object) -> Any:
    """What a hook is given: gunicorn's arbiter, whose ``app.wsgi()`` is the loaded app."""
    return SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # when_ready froze this test process's heap


def test_when_ready_without_watching_announces_and_lets_the_publisher_go() -> None:
    app = Flask("feedsvc")
    app.extensions[EXTENSION] = state = Recorder()
    Hooks(watch=False).when_ready(server_of(app))
    assert state.calls == ["announce", "stop publishing"]
    assert gc.get_freeze_count() > 0  # the master's heap is out of the collector's sight before the fork


def test_when_ready_watching_publishes_changes_by_reloading(content_dir: Path) -> None:
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: NOW})
    state = app.extensions[EXTENSION]
    try:
        Hooks(watch=True).when_ready(server_of(app))
        assert state.watcher is not None  # inline: the master's own thread watches the folder
    finally:
        state.close()


@pytest.mark.parametrize("app", [Flask("bare"), lambda environ, start_response: []], ids=["flask", "wsgi"])
def test_when_ready_leaves_any_other_app_alone(app: object) -> None:
    Hooks().when_ready(server_of(app))  # bench/bare_flask.py runs with the deploy settings too


def test_the_server_takes_the_settings_and_the_hooks() -> None:
    app = Flask("bare")
    hooks = Hooks(watch=False)
    server = EmbeddedServer(app, {"bind": "127.0.0.1:9999", "workers": 3, "logger_class": JsonLogger}, hooks)
    assert server.cfg.bind == ["127.0.0.1:9999"] and server.cfg.workers == 3
    assert server.cfg.logger_class is JsonLogger
    # gunicorn accepted each hook (it checks the number of arguments)
    assert server.cfg.when_ready == hooks.when_ready and server.cfg.child_exit == hooks.child_exit
    assert server.cfg.post_fork == hooks.post_fork and server.cfg.post_worker_init == hooks.post_worker_init
    assert server.load() is app


def signals_taken_in_a_forked_worker(boot: Callable[[list[int]], None]) -> list[int]:
    """Run ``boot`` in a child process, as gunicorn runs a new worker; return the signals its handlers took.

    ``boot`` installs the handlers, which append to the list it is given; the child exits 0 unless it failed.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the "worker"
        code = 1
        try:
            os.close(read)
            taken: list[int] = []
            boot(taken)
            os.write(write, bytes(taken))
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        taken_bytes = pipe.read()
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    return list(taken_bytes)


def test_a_stop_signalled_while_a_worker_boots_waits_for_the_worker_s_own_handler() -> None:
    # As gunicorn runs a new worker: post_fork, then (a stop arrives here, before the worker's
    # handlers exist), the worker installs its handlers, post_worker_init.
    def boot(taken: list[int]) -> None:
        signal.signal(signal.SIGINT, lambda *_: os._exit(3))  # the master's handler: must not see it
        hooks = Hooks()
        hooks.post_fork(None, None)
        os.kill(os.getpid(), signal.SIGINT)  # the stop, too early
        signal.signal(signal.SIGINT, lambda signum, _: taken.append(signum))  # gunicorn's init_signals
        hooks.post_worker_init(None)

    assert signals_taken_in_a_forked_worker(boot) == [signal.SIGINT]  # held, then delivered to its own handler


@pytest.mark.parametrize("kind", ["SimpleQueue", "list"])
def test_a_stop_that_reached_the_master_s_handler_in_a_new_worker_is_raised_again(kind: str) -> None:
    # Between the fork and post_fork, the worker still has the master's handler: it only queues.
    def boot(taken: list[int]) -> None:
        inherited: Any = queue.SimpleQueue() if kind == "SimpleQueue" else []
        put = inherited.put_nowait if kind == "SimpleQueue" else inherited.append
        put(signal.SIGTERM)  # what the master's handler did with the stop
        put(signal.SIGHUP)  # not a stop: left to the master it was meant for
        Hooks().post_fork(SimpleNamespace(SIG_QUEUE=inherited), None)
        signal.signal(signal.SIGTERM, lambda signum, _: taken.append(signum))  # gunicorn's init_signals
        signal.signal(signal.SIGHUP, lambda signum, _: taken.append(signum))
        Hooks().post_worker_init(None)

    assert signals_taken_in_a_forked_worker(boot) == [signal.SIGTERM]


def test_the_app_defaults_say_what_the_hooks_expect() -> None:
    assert dict(APP_DEFAULTS) == {"BUILD_MODE": "process", "WEBSUB_ANNOUNCE_AT_START": False}


def test_on_reload_freezes_the_heap_again() -> None:
    freeze_heap()
    Hooks().on_reload(server_of(None))
    assert gc.get_freeze_count() > 0


def test_feedsvcs_messages_become_json_lines_once(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers = []
    try:
        log_json_lines()
        log_json_lines()  # a reload reads the gunicorn settings again: still one handler
        assert len(root.handlers) == 1
        # a logger of its own: a CLI test may have quietened "feedsvc" (the CLI's reports do)
        logging.getLogger("test_gunicorn").info("built %s", "v1")
        line = json.loads(capsys.readouterr().err.strip())
        assert line["message"] == "built v1" and line["level"] == "info"
    finally:
        root.handlers, level = saved
        root.setLevel(level)


def test_the_multiprocess_folder_is_emptied_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"stale")
    (folder / "notes.txt").write_text("kept")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    empty_multiprocess_dir.cache_clear()
    try:
        empty_multiprocess_dir()
        assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
        (folder / "counter_456.db").write_bytes(b"a live worker's")
        empty_multiprocess_dir()  # a reload: the workers' files stay
        assert (folder / "counter_456.db").exists()
    finally:
        empty_multiprocess_dir.cache_clear()
