"""gunicorn's side of feedsvc: the server hooks and the JSON logger, one copy for every way feedsvc runs in gunicorn.

An edge, imported only where gunicorn runs feedsvc: ``feedsvc serve``
(:class:`EmbeddedServer`) and ``deploy/gunicorn.conf.py`` (which names
:class:`Hooks`' methods as its hooks). Both preload the app in the
master with :data:`APP_DEFAULTS` (``feedsvc.app.create_gunicorn_app``),
then, once the server listens, :meth:`Hooks.when_ready` freezes the
master's heap, tells the WebSub hub what changed and starts publishing
content changes by reloading the workers.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import logging
import os
import queue
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from feedsvc.logs import JsonFormatter, access_fields
from feedsvc.serve.state import publish_changes_by_reload, site_state

__all__ = [
    "APP_DEFAULTS",
    "STOP_SIGNALS",
    "EmbeddedServer",
    "Hooks",
    "JsonLogger",
    "bind_listener",
    "empty_multiprocess_dir",
    "freeze_heap",
    "inherited_listener",
    "log_json_lines",
    "place_for_systemd_successor",
    "usable_cores",
]

# What the hooks expect of the app a gunicorn master preloads (service settings, under
# any FEEDSVC_* of the environment): built by a publisher process of its own, so that the
# workers forked from the master inherit only what they serve; and the WebSub hub told only
# once the server listens (Hooks.when_ready), so that a start that fails to bind announces nothing.
APP_DEFAULTS: Mapping[str, object] = MappingProxyType({"BUILD_MODE": "process", "WEBSUB_ANNOUNCE_AT_START": False})


class JsonLogger(Logger):
    """gunicorn's logger, writing one JSON object per request and per message."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            fields = access_fields(self.atoms(resp, req, environ, request_time))
            self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.exception("could not write the access log line")


def freeze_heap() -> None:
    """Move what the master holds out of the garbage collector's sight before workers fork.

    Everything the master holds when it forks (the app, the snapshot and its
    precomputed bytes) is then never walked by the workers' full
    collections, nor written to (and so copied out of the memory the workers
    share). Unfrozen first: a replaced snapshot's cyclic garbage is still collected.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


# What a service stop or Ctrl-C sends every process (gunicorn: SIGTERM graceful, SIGINT/SIGQUIT quick).
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGQUIT})


class Hooks:
    """gunicorn's server hooks for a preloaded feedsvc app; ``watch``: publish content changes without a restart."""

    def __init__(self, watch: bool = True, command: Sequence[str] | None = None) -> None:
        self.watch = watch
        self.command = tuple(command) if command else None  # what a SIGUSR2 re-executes (None: gunicorn's argv)

    def when_ready(self, server: Any) -> None:
        """Once listening, before the first fork: freeze the heap, tell the WebSub hub, watch the content.

        Watching, the master takes in each new snapshot and replaces the
        workers gracefully (SIGHUP) with ones forked from it; not watching,
        the publisher process is let go (it would hold a build's memory for nothing).
        """
        freeze_heap()
        state = site_state(server.app.wsgi())
        if state is None:  # not feedsvc: bench/bare_flask.py runs with deploy/gunicorn.conf.py too
            return
        state.announce_startup()
        if self.watch:
            publish_changes_by_reload(state)
        else:
            state.stop_publishing()

    def on_reload(self, server: Any) -> None:
        """On SIGHUP, before new workers are forked (with the new snapshot): freeze the heap again."""
        freeze_heap()

    def pre_exec(self, server: Any) -> None:
        """In the process SIGUSR2 forks, before it executes the successor: run ``command`` if given.

        gunicorn runs ``sys.executable`` with ``sys.argv`` again: after ``python -m X`` that is
        the file X/__main__.py run as a script, its folder first on the module path (gunicorn's
        own shadows the standard library's ``http``: the successor fails to start), and it is a
        file of the old installation. ``feedsvc serve`` and deploy/gunicorn.conf.py name the
        command by module instead (``python -m feedsvc.cli serve …``, ``python -m gunicorn …``),
        run by the interpreter at the path it was started as: through a symbolic link that now
        leads to a new virtual environment, the successor is the new version.

        A server started by systemd's socket activation tells its successor what systemd told
        it (``LISTEN_FDS``: the sockets from descriptor 3 on), but gunicorn moved them off
        descriptor 3 when it started: they are put back there first (:func:`place_for_systemd_successor`).
        """
        if getattr(server, "systemd", False):  # the sockets came by socket activation: so they go on
            place_for_systemd_successor(server.LISTENERS)
        if self.command:
            server.START_CTX[0] = self.command[0]
            server.START_CTX["args"] = list(self.command)

    def post_fork(self, server: Any, worker: Any) -> None:
        """In a new worker, before gunicorn installs its signal handlers: hold stop signals until it has.

        A service stop (or Ctrl-C) signals every process at once; a worker forked a moment
        before would otherwise take its stop signal with the master's handlers and lose it,
        then serve on while the master waits ``graceful_timeout`` for it to exit. One that came
        between the fork and this hook already went to the master's handler, which queued it in
        this process's copy of the master's queue, read by nobody: it is raised again, held too.
        """
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        for number in _drain(getattr(server, "SIG_QUEUE", None)):
            if number in STOP_SIGNALS:
                os.kill(os.getpid(), number)  # pending until post_worker_init

    def post_worker_init(self, worker: Any) -> None:
        """Once the worker's own handlers are in place: take any stop signal held since the fork."""
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def child_exit(self, server: Any, worker: Any) -> None:
        """Forget a dead worker's live gauges in prometheus_client's multiprocess mode."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(worker.pid)

    def settings(self) -> dict[str, Callable[..., None]]:
        """Return the hooks by gunicorn setting name."""
        return {
            "when_ready": self.when_ready,
            "on_reload": self.on_reload,
            "pre_exec": self.pre_exec,
            "post_fork": self.post_fork,
            "post_worker_init": self.post_worker_init,
            "child_exit": self.child_exit,
        }


def _drain(queued: Any) -> list[int]:
    """Empty gunicorn's queue of signals for its master loop (a SimpleQueue since 24, a list before)."""
    if queued is None:
        return []
    if isinstance(queued, list):
        taken = list(queued)
        queued.clear()
        return taken
    taken = []
    with contextlib.suppress(queue.Empty):
        while True:
            taken.append(queued.get_nowait())
    return taken


class EmbeddedServer(BaseApplication):
    """gunicorn serving an app made in this process (``feedsvc serve``), with ``settings`` and ``hooks``."""

    def __init__(self, app: Any, settings: Mapping[str, Any], hooks: Hooks) -> None:
        self._app = app
        self._settings = {**settings, **hooks.settings()}
        super().__init__()  # reads the configuration: load_config below

    def load_config(self) -> None:
        for name, value in self._settings.items():
            if name in self.cfg.settings:  # control_socket_disable: gunicorn 25.1+ only
                self.cfg.set(name, value)

    def load(self) -> Any:
        return self._app


def bind_listener(host: str, port: int) -> socket.socket:
    """Return a TCP socket bound to ``host``:``port`` (0: a free port the system picks), not yet listening.

    Bound before the app is built, so the port is known (a base_url naming this
    machine follows it) and taken (a port in use fails at once, not after a
    build); gunicorn makes it listen once the app is ready (``bind = "fd://N"``),
    so that no connection waits on a server still building. SO_REUSEADDR, as
    gunicorn's own: a restart binds at once where the last run left connections
    closing. :raise OSError: the address is in use, or not this machine's.
    """
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError:
        listener.close()
        raise
    return listener


# systemd passes the sockets of socket activation from descriptor 3 on (sd_listen_fds(3)).
_SYSTEMD_FIRST_FD = 3


def inherited_listener() -> tuple[socket.socket, str] | None:
    """Return the listening socket this process inherited and who handed it over, or None if it inherited none.

    Two hand a socket over: systemd's socket activation (``LISTEN_PID`` naming
    this process, ``LISTEN_FDS``: the sockets from descriptor 3), and a gunicorn
    master re-executing itself on SIGUSR2 (``GUNICORN_PID`` and ``GUNICORN_FD``,
    the descriptors of its listeners). gunicorn takes these listeners itself once
    it starts (and clears the variables); ``feedsvc serve`` must neither bind
    the port again (the old server holds it: the bind would fail) nor hand
    gunicorn the descriptor a second time. The socket returned is a duplicate,
    for the caller to read its address from and close. The first listener is
    the one returned: ``feedsvc serve`` listens on one address.

    :raise OSError: the variables name a descriptor that is not a listening socket.
    """
    if os.environ.get("LISTEN_PID") == str(os.getpid()) and int(os.environ.get("LISTEN_FDS") or 0) > 0:
        fd, by = _SYSTEMD_FIRST_FD, "systemd socket activation (LISTEN_FDS)"
    elif os.environ.get("GUNICORN_PID") and os.environ.get("GUNICORN_FD"):
        fd, by = int(os.environ["GUNICORN_FD"].split(",")[0]), "the gunicorn master that re-executed (GUNICORN_FD)"
    else:
        return None
    try:
        listener = socket.socket(fileno=os.dup(fd))  # family and type read from the descriptor
    except OSError as error:
        raise OSError(f"descriptor {fd}, passed by {by}: {error.strerror or error}") from None
    if listener.type != socket.SOCK_STREAM or not listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
        listener.close()
        raise OSError(f"descriptor {fd}, passed by {by}, is not a listening stream socket")
    return listener, by


def place_for_systemd_successor(listeners: Sequence[Any]) -> None:
    """Put ``listeners`` at descriptors 3, 4, … (inheritable), where a successor told ``LISTEN_FDS`` looks for them.

    In the process a SIGUSR2 forks, before it executes the successor. A gunicorn master
    started by socket activation takes the sockets systemd passed at descriptor 3 on
    (``sock.create_sockets``: a duplicate, the descriptor closed), and on SIGUSR2 tells its
    successor ``LISTEN_FDS`` = their number: without this, the successor found descriptor 3
    closed (or another file there) and could not start (gunicorn 27.0.1). The descriptors
    are first moved above the range, so that none is overwritten before it is placed;
    whatever this process held at 3, … is not needed (it executes the successor next).
    """
    above = _SYSTEMD_FIRST_FD + len(listeners)
    moved = [fcntl.fcntl(listener.fileno(), fcntl.F_DUPFD, above) for listener in listeners]
    for number, fd in enumerate(moved, start=_SYSTEMD_FIRST_FD):
        os.dup2(fd, number)  # inheritable, as the successor needs it
        os.close(fd)


def usable_cores() -> int:
    """Return the cores this process may run on (honours taskset and cgroup cpusets)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def log_json_lines() -> None:
    """Write feedsvc's own messages (a file it cannot publish, a snapshot built, …) as JSON lines on standard error.

    Idempotent: deploy/gunicorn.conf.py is read again at each reload.
    """
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
    root.setLevel(logging.INFO)


@functools.cache  # once per master: a reload reads the gunicorn settings again while workers write there
def empty_multiprocess_dir() -> None:
    """Start prometheus_client's multiprocess folder (``PROMETHEUS_MULTIPROC_DIR``) empty, if one is set.

    Before the app is made: /metrics then adds up the workers there are, not
    those of an earlier run. A dead worker's live gauges go in :meth:`Hooks.child_exit`.
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()
