#!/bin/sh
# Restart (or upgrade) feedsvc without refusing a connection: the running
# server's successor takes over its listening socket.
#
#     deploy/handover.sh PIDFILE [SECONDS]
#
# PIDFILE is the server's pid file (`feedsvc serve --pid PIDFILE`, or
# `gunicorn -c deploy/gunicorn.conf.py --pid PIDFILE`). The server is sent
# SIGUSR2: it starts its successor (the same command, by module: through a
# `current` symbolic link to the virtualenv, the new version), which builds
# while the old server serves and writes PIDFILE.2 once its first build is
# done. Then the old server is sent SIGTERM: it stops accepting, finishes the
# requests in flight, and exits; the successor serves on the same socket and
# renames PIDFILE.2 to PIDFILE. Connections made meanwhile wait in the
# socket's queue, never refused.
#
# Waits at most SECONDS (default 600: a cold start of a large site) for the
# successor. If it does not come (its first build failed: see the server's
# log), the old server is left serving, and this exits with status 1.
# docs/deployment.md ("Restart without refusing a connection") says more.
set -eu

pidfile=${1:?usage: deploy/handover.sh PIDFILE [SECONDS]}
seconds=${2:-600}
say() { printf 'handover: %s\n' "$*" >&2; }

old=$(cat "$pidfile") || { say "cannot read $pidfile: is the server running with --pid $pidfile?"; exit 1; }
kill -0 "$old" 2>/dev/null || { say "no process $old (from $pidfile): nothing to hand over"; exit 1; }
if [ -e "$pidfile.2" ]; then
    say "$pidfile.2 exists: a handover is under way (or a successor was left running); see the log"
    exit 1
fi
kill -USR2 "$old"
say "sent SIGUSR2 to $old; waiting up to $seconds s for its successor's first build"
waited=0
while [ ! -s "$pidfile.2" ]; do
    if [ "$waited" -ge $((seconds * 10)) ]; then
        say "no successor after $seconds s: $old serves on; see the server's log for why"
        exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
done
new=$(cat "$pidfile.2")
say "successor $new is serving; sending SIGTERM to $old (it finishes the requests in flight)"
kill -TERM "$old"
# gone, or a zombie its parent has yet to collect; gunicorn gives requests in flight 20 s (graceful_timeout)
waited=0
while kill -0 "$old" 2>/dev/null && [ "$(ps -o stat= -p "$old" 2>/dev/null | cut -c1)" != Z ]; do
    if [ "$waited" -ge 600 ]; then
        say "$old has not exited 60 s after SIGTERM; $new serves beside it"
        exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
done
say "done: $new serves"
