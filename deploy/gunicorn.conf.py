"""gunicorn settings for feedsvc in production.

    FEEDSVC_CONTENT_DIR=/srv/feedsvc/content FEEDSVC_BASE_URL=https://news.example.org \
        gunicorn -c deploy/gunicorn.conf.py

The same process model as ``feedsvc serve``, from the same code
(feedsvc/serve/gunicorn.py): the app, named below (``wsgi_app``), is
preloaded in the master, its content snapshot built by a publisher process
the master forks first and shared by forked sync workers, one per core,
behind a buffering proxy (deploy/nginx/). Once the server listens, the
hooks tell the WebSub hub what changed and publish content changes by
reloading the workers. Logs are the same JSON lines: requests on standard
output, everything else on standard error.

gunicorn's settings below come from these FEEDSVC_* variables (all
optional; feedsvc.settings.DEPLOY_SETTINGS declares them, with their
defaults and help): BIND, WORKERS, WORKER_CLASS, THREADS, TIMEOUT,
ACCESS_LOG, WATCH, CONTROL_SOCKET. The app reads its own
(FEEDSVC_CONTENT_DIR, FEEDSVC_BASE_URL, …: feedsvc.settings.SERVICE_SETTINGS).
PROMETHEUS_MULTIPROC_DIR names a folder for /metrics to add up every worker;
it is emptied at each start.
"""

from __future__ import annotations

import os
import sys

from feedsvc.serve.gunicorn import Hooks, JsonLogger, empty_multiprocess_dir, log_json_lines, usable_cores
from feedsvc.settings import deploy_settings

_env = deploy_settings()  # FEEDSVC_BIND, FEEDSVC_WORKERS, …, validated

# --- the app --------------------------------------------------------------------
# Built for these hooks (in a publisher process; the hub told once listening). A module
# named on the command line (gunicorn -c deploy/gunicorn.conf.py wsgi:app) wins over it.
wsgi_app = "feedsvc.app:create_gunicorn_app()"
# Load the app and its content snapshot once, in the master: workers share it
# copy-on-write and start instantly.
preload_app = True
# On SIGUSR2 the master starts its successor (docs/deployment.md, "Restart without refusing a
# connection") as `python -m gunicorn` with these arguments: gunicorn's own re-execution runs the
# file sys.argv[0] names, which for `python -m gunicorn` is gunicorn/__main__.py, whose folder
# then shadows the standard library (gunicorn/http/ for http): the successor could not start.
_hooks = Hooks(watch=_env["WATCH"], command=[sys.executable, "-m", "gunicorn", *sys.argv[1:]])
when_ready = _hooks.when_ready
on_reload = _hooks.on_reload
pre_exec = _hooks.pre_exec
post_fork = _hooks.post_fork  # with post_worker_init: a stop signalled while a worker boots is not lost
post_worker_init = _hooks.post_worker_init
child_exit = _hooks.child_exit

# --- where and how many -------------------------------------------------------
bind = _env["BIND"]  # loopback unless told: never all interfaces by default
# Requests are answered from memory (a dict lookup and a few headers), so a
# process per core keeps every core busy; more only adds context switches.
workers = _env["WORKERS"] or usable_cores()
# Sync workers: each request is CPU work of well under a millisecond, and
# nginx in front buffers slow clients, so threads or an event loop would
# only add overhead. Without a buffering proxy in front, use "gthread" so
# that slow readers cannot hold every worker.
worker_class = _env["WORKER_CLASS"]
threads = _env["THREADS"]  # per worker, gthread only
backlog = 2048

# gunicorn 25.1+ opens a control socket for `gunicornc`, by default at one
# path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), which every
# other gunicorn of that user would take over: off unless
# FEEDSVC_CONTROL_SOCKET names a path for this instance. (Older gunicorns
# ignore both settings.)
control_socket_disable = _env["CONTROL_SOCKET"] is None
if _env["CONTROL_SOCKET"] is not None:
    control_socket = _env["CONTROL_SOCKET"]

# --- timeouts -----------------------------------------------------------------
timeout = _env["TIMEOUT"]
graceful_timeout = 20  # in-flight requests get this long to finish on SIGTERM/SIGHUP
keepalive = 5  # seconds an idle keep-alive connection is kept (gthread and async workers)

# --- what a request may look like ---------------------------------------------
# feedsvc serves GET and HEAD of short paths; nothing legitimate comes near these.
limit_request_line = 2048  # method + URL + version, bytes (gunicorn's default: 4094)
limit_request_fields = 50  # header fields (default 100)
limit_request_field_size = 8190  # bytes per header field, as nginx's large_client_header_buffers

# --- logs: one JSON object per line, as `feedsvc serve` writes them -------------
accesslog = None if _env["ACCESS_LOG"] == "off" else _env["ACCESS_LOG"]
errorlog = "-"
loglevel = "info"
proc_name = "feedsvc"
logger_class = JsonLogger
# The heartbeat file each worker touches: in memory, so a slow disk never
# looks like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# feedsvc's own messages (a file it cannot publish, a snapshot built, ...) as JSON
# lines on standard error, from the very start: the app is made right after this file is read.
log_json_lines()
# prometheus_client's multiprocess mode: a fresh folder at each start (not at each
# reload, which reads this file again while workers write there).
empty_multiprocess_dir()
