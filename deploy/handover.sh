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
# successor. A successor that exits before it serves (its first build failed:
# a broken release, a bad site.toml) is reported as soon as it is gone, with
# where its error is (the server's log: the file the old server's standard
# error goes to), and so is one that never starts (no process the server
# executed within 10 s: it ignored SIGUSR2, as gunicorn does while a handover
# is under way). Either way the old server is left serving, and this exits
# with status 1. A server that SIGUSR2 ends (not a feedsvc or gunicorn master)
# is said to have exited.
# docs/deployment.md ("Restart without refusing a connection") says more.
set -eu

pidfile=${1:?usage: deploy/handover.sh PIDFILE [SECONDS]}
seconds=${2:-600}
say() { printf 'handover: %s\n' "$*" >&2; }

# Seconds for the server to execute its successor after SIGUSR2 (it does so at once, unless it ignores the signal).
started=10
[ "$started" -le "$seconds" ] || started=$seconds

# alive PID: the process runs (not gone, nor a zombie its parent has yet to collect).
alive() {
    kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}

# successor_of PID: the child PID executed on SIGUSR2 (gunicorn names it GUNICORN_PID in the successor's
# environment; its workers and publisher, forked and not executed, have PID's own environment), or nothing.
successor_of() {
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        if tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null | grep -qx "GUNICORN_PID=$1"; then
            echo "$child"
            return
        fi
    done
}

# log_of PID: where PID's standard error goes, which its successor inherits: its error is there.
log_of() {
    where=$(readlink "/proc/$1/fd/2" 2>/dev/null) || where=
    case $where in
        /dev/null) echo "nowhere: the server's standard error is /dev/null; start it with its output in a log" ;;
        /*) echo "$where" ;;
        *) echo "the server's standard error (${where:-unknown}; under systemd: journalctl -u the service)" ;;
    esac
}

old=$(cat "$pidfile") || { say "cannot read $pidfile: is the server running with --pid $pidfile?"; exit 1; }
kill -0 "$old" 2>/dev/null || { say "no process $old (from $pidfile): nothing to hand over"; exit 1; }
if [ -e "$pidfile.2" ]; then
    say "$pidfile.2 exists: a handover is under way (or a successor was left running); see the log"
    exit 1
fi
log=$(log_of "$old")
kill -USR2 "$old"
say "sent SIGUSR2 to $old; waiting up to $seconds s for its successor's first build"
waited=0
successor=
while [ ! -s "$pidfile.2" ]; do
    if ! alive "$old"; then
        say "$old exited after SIGUSR2 (is it feedsvc serve or gunicorn?): nothing may be serving; see the log: $log"
        exit 1
    fi
    if [ -z "$successor" ]; then
        successor=$(successor_of "$old")
        if [ -z "$successor" ] && [ "$waited" -ge $((started * 10)) ]; then
            say "$old started no successor within $started s (a handover under way? it ignores SIGUSR2 then," \
                "or the successor exited at once): $old serves on; see the log: $log"
            exit 1
        fi
        [ -z "$successor" ] || say "successor $successor started; its log: $log"
    elif ! alive "$successor" && [ ! -s "$pidfile.2" ]; then
        say "successor $successor exited before serving (its first build failed?): $old serves on;" \
            "its error is in the log: $log"
        exit 1
    fi
    if [ "$waited" -ge $((seconds * 10)) ]; then
        say "no successor serving after $seconds s: $old serves on; see the log for why: $log"
        exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
done
new=$(cat "$pidfile.2")
say "successor $new is serving; sending SIGTERM to $old (it finishes the requests in flight)"
kill -TERM "$old"
# gunicorn gives requests in flight 20 s (graceful_timeout)
waited=0
while alive "$old"; do
    if [ "$waited" -ge 600 ]; then
        say "$old has not exited 60 s after SIGTERM; $new serves beside it"
        exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
done
say "done: $new serves"
