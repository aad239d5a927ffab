"""gunicorn settings for feedsvc in production.

    FEEDSVC_CONTENT_DIR=/srv/feedsvc/content FEEDSVC_BASE_URL=https://news.example.org \
        gunicorn -c deploy/gunicorn.conf.py wsgi:app

The same process model as ``feedsvc serve``: the content snapshot is built
by a publisher process the master forks first, loaded once in the master
and shared by forked sync workers, one per core, behind a buffering proxy
(deploy/nginx/). Logs are the same JSON lines: requests on standard output,
everything else on standard error.

Environment (all optional):

    FEEDSVC_BIND      address to listen on      127.0.0.1:8000 (never all interfaces by default)
    FEEDSVC_WORKERS   worker processes          the number of usable cores
    FEEDSVC_WORKER_CLASS  "sync", or "gthread" without a buffering proxy in front   sync
    FEEDSVC_THREADS   threads per gthread worker                4
    FEEDSVC_TIMEOUT   seconds a worker may stay silent before it is restarted   30
    FEEDSVC_ACCESS_LOG  "-" (standard output), a file, or "off"   -
    FEEDSVC_WATCH     "off": do not publish content changes without a restart   on
    FEEDSVC_CONTROL_SOCKET  a path for gunicorn's control socket (gunicornc)   none
    PROMETHEUS_MULTIPROC_DIR  a folder for /metrics to add up every worker;
                      emptied at each start (see the README's "Observe")

The app itself reads FEEDSVC_CONTENT_DIR, FEEDSVC_BASE_URL and the other
FEEDSVC_* settings of feedsvc/__init__.py.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

from feedsvc.logs import JsonFormatter
from feedsvc.serve.gunicorn import JsonLogger


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and cgroup cpusets
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# --- where and how many -------------------------------------------------------
bind = os.environ.get("FEEDSVC_BIND", "127.0.0.1:8000")
# Requests are answered from memory (a dict lookup and a few headers), so a
# process per core keeps every core busy; more only adds context switches.
workers = int(os.environ.get("FEEDSVC_WORKERS") or _usable_cores())
# Sync workers: each request is CPU work of well under a millisecond, and
# nginx in front buffers slow clients, so threads or an event loop would
# only add overhead. Without a buffering proxy in front, use "gthread" so
# that slow readers cannot hold every worker.
worker_class = os.environ.get("FEEDSVC_WORKER_CLASS", "sync")
threads = int(os.environ.get("FEEDSVC_THREADS", "4"))  # per worker, gthread only
# Load the app and its content snapshot once, in the master (a publisher process
# builds it): workers share it copy-on-write and start instantly.
preload_app = True
backlog = 2048

# gunicorn 25.1+ opens a control socket for `gunicornc`, by default at one
# path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), which every
# other gunicorn of that user would take over: off unless
# FEEDSVC_CONTROL_SOCKET names a path for this instance. (Older gunicorns
# ignore both settings.)
_control_socket = os.environ.get("FEEDSVC_CONTROL_SOCKET")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket

# --- timeouts -----------------------------------------------------------------
timeout = int(os.environ.get("FEEDSVC_TIMEOUT", "30"))
graceful_timeout = 20  # in-flight requests get this long to finish on SIGTERM/SIGHUP
keepalive = 5  # seconds an idle keep-alive connection is kept (gthread and async workers)

# --- what a request may look like ---------------------------------------------
# feedsvc serves GET and HEAD of short paths; nothing legitimate comes near these.
limit_request_line = 2048  # method + URL + version, bytes (gunicorn's default: 4094)
limit_request_fields = 50  # header fields (default 100)
limit_request_field_size = 8190  # bytes per header field, as nginx's large_client_header_buffers

# --- logs: one JSON object per line, as `feedsvc serve` writes them -------------
_access = os.environ.get("FEEDSVC_ACCESS_LOG", "-")
accesslog = None if _access == "off" else _access
errorlog = "-"
loglevel = "info"
proc_name = "feedsvc"
# The heartbeat file each worker touches: in memory, so a slow disk never
# looks like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


# One JSON object per request and per message, exactly as `feedsvc serve` writes them.
logger_class = JsonLogger

# feedsvc's own messages (a file it cannot publish, a snapshot built, ...)
# as JSON lines on standard error too, from the very start (the app is
# built right after this file is read). Once: a reload reads this file again.
_root = logging.getLogger()
if not any(getattr(handler, "feedsvc_json", False) for handler in _root.handlers):
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(JsonFormatter())
    _handler.feedsvc_json = True  # type: ignore[attr-defined]
    _root.addHandler(_handler)
    _root.setLevel(logging.INFO)

# --- the app's own settings -----------------------------------------------------
# Tell the WebSub hub about changed feeds only once the server really listens
# (when_ready below), as `feedsvc serve` does: a start that fails to bind
# announces nothing. An explicit FEEDSVC_WEBSUB_ANNOUNCE_AT_START wins.
os.environ.setdefault("FEEDSVC_WEBSUB_ANNOUNCE_AT_START", "false")
# Build in a publisher process of its own, as `feedsvc serve` does: the workers,
# forked from the master, then inherit only what they serve, not what building used.
os.environ.setdefault("FEEDSVC_BUILD_PROCESS", "true")

# prometheus_client's multiprocess mode: a fresh folder at each start (not
# at each reload, which reads this file again while workers write there),
# and a dead worker's live gauges removed, so /metrics adds up the workers
# there are.
_multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _multiproc and os.environ.get("_FEEDSVC_MULTIPROC_EMPTIED") != str(os.getpid()):
    Path(_multiproc).mkdir(parents=True, exist_ok=True)
    for _stale in Path(_multiproc).glob("*.db"):
        _stale.unlink()
    os.environ["_FEEDSVC_MULTIPROC_EMPTIED"] = str(os.getpid())


def _freeze_heap() -> None:
    """Keep what the master built out of the workers' garbage collections.

    Everything the master holds when it forks (the app, the snapshot and
    its precomputed bytes) is moved out of the collector's sight: the
    workers' full collections no longer walk it, nor write to its pages and
    so copy them out of the memory the workers share. Unfrozen first, so
    that cyclic garbage of a replaced snapshot is still collected.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def when_ready(server: Any) -> None:
    """Once listening, before the first fork: freeze the heap, tell the WebSub hub, watch the content.

    As `feedsvc serve --watch`: the master rebuilds when the content folder
    changes and replaces the workers gracefully (SIGHUP) with ones forked
    from the new snapshot; FEEDSVC_WATCH=off turns it off.
    """
    _freeze_heap()
    app = server.app.wsgi()
    state = getattr(app, "extensions", {}).get("feedsvc")
    if state is None:  # not feedsvc (bench/bare_flask.py runs with these settings too)
        return
    state.announce_startup()
    if os.environ.get("FEEDSVC_WATCH", "on") != "off":
        from feedsvc.web import views as web

        publish = getattr(web, "publish_changes_by_reload", None)
        if publish is not None:
            publish(app)
    elif hasattr(state, "stop_publishing"):
        state.stop_publishing()  # nothing to watch: the publisher process need not stay


def on_reload(server: Any) -> None:
    """On SIGHUP, before new workers are forked (with the new snapshot): freeze the heap again."""
    _freeze_heap()


def child_exit(server: Any, worker: Any) -> None:
    """Forget a dead worker's live gauges in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
