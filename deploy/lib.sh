# Shared by deploy/try-proxy.sh, deploy/try-static.sh, bench/serve.sh and
# bench/faults.sh (sourced, not run): find the Python that runs feedsvc,
# install nginx/wrk, start gunicorn and a private nginx on free loopback
# ports, and stop whatever was started, whatever happens.
#
# Every server listens on 127.0.0.1 only. nginx runs in the foreground
# (daemon off) from a temporary prefix with its own nginx.conf that
# includes one of deploy/nginx/*.conf with ports and paths substituted;
# the system's nginx and its configuration are never touched.
#
# The scripts work from any folder, with or without make: the repository is
# found from this file's own location, and Python by need_python.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
STARTED_PIDS=()
TEMP_DIRS=()

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The probe of a Python able to run feedsvc: its app, gunicorn (start_gunicorn)
# and brotli (checks.sh's decoded).
FEEDSVC_PROBE='import feedsvc.app, gunicorn, brotli'

# need_python: set PY (the interpreter), GUNICORN and FEEDSVC (commands, as
# arrays) to run this checkout's feedsvc, or stop saying how to get one. Tried
# in order: $VENV/bin/python when VENV is set; the project's virtualenv
# ($REPO/.venv, what `make` creates); a python3 on PATH that can import
# feedsvc with $REPO first on PYTHONPATH (so it runs this checkout's code).
need_python() {
    local venv=${VENV:-$REPO/.venv}
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$FEEDSVC_PROBE" >/dev/null 2>&1; then
        PY=$venv/bin/python
    elif [ -n "${VENV:-}" ]; then
        die "VENV=$VENV has no Python that can run feedsvc ($VENV/bin/python -c '$FEEDSVC_PROBE' fails); unset VENV, or run 'make test' or 'make serve' in $REPO first (they make .venv and install feedsvc into it)"
    elif command -v python3 >/dev/null 2>&1 &&
        PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH} python3 -c "$FEEDSVC_PROBE" >/dev/null 2>&1; then
        PY=$(command -v python3)
        export PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH}
    else
        die "no Python that can run feedsvc: $venv/bin/python is missing (or cannot import it) and no python3 on PATH can; run 'make test' or 'make serve' in $REPO first (they make .venv and install feedsvc into it)"
    fi
    GUNICORN=("$PY" -m gunicorn)
    FEEDSVC=("$PY" -m feedsvc.cli)
}

# Install Debian packages (root only) without letting their scripts start a
# system service: a policy-rc.d that says no, for the length of the install.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "needs ${missing[*]} (apt-get install ${missing[*]}, as root)"
    say "installing ${missing[*]} (apt-get)"
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && own_policy=1
    fi
    local status=0
    { apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; }; } || status=$?
    [ $own_policy -eq 1 ] && rm -f $policy
    [ $status -eq 0 ] || die "apt-get install ${missing[*]} failed"
}

need_nginx() { command -v nginx >/dev/null 2>&1 || apt_install nginx; }

# deploy/nginx/feedsvc-static.conf serves precompressed .br files with this module.
BROTLI_STATIC_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
need_brotli_static() { [ -f "$BROTLI_STATIC_MODULE" ] || apt_install libnginx-mod-http-brotli-static; }

# A TCP port that was free on 127.0.0.1 a moment ago: only a candidate, for
# nginx, whose configuration must name its port. Another process may take it
# before nginx binds; start_nginx notices (nginx exits, or never writes its pid
# file) and serve_nginx tries another. Servers that can bind port 0 themselves
# (gunicorn, feedsvc serve) do so instead: see start_gunicorn.
candidate_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# new_temp_dir NAME: make a temporary folder, removed on exit; its path is in NEW_DIR.
new_temp_dir() {
    NEW_DIR=$(mktemp -d "${TMPDIR:-/tmp}/feedsvc-$1.XXXXXX") || die "mktemp failed"
    chmod 755 "$NEW_DIR"  # nginx's workers (nobody) read and write under it
    TEMP_DIRS+=("$NEW_DIR")
}

# Wait until URL answers (any HTTP status), at most SECONDS; fail if PID died.
wait_http() {
    local url=$1 seconds=$2 pid=${3:-}
    local deadline=$((SECONDS + seconds))
    while [ $SECONDS -lt $deadline ]; do
        curl -s -o /dev/null --max-time 2 "$url" && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.2
    done
    return 1
}

# start_gunicorn LOGPREFIX [gunicorn args...]: deploy/gunicorn.conf.py on a
# port of 127.0.0.1 that gunicorn picks itself (port 0: no other process can
# take it between a choice and the bind); the port is read back from
# gunicorn's own "Listening at" line and left in STARTED_PORT.
# Extra environment (FEEDSVC_CONTENT_DIR, ...) is the caller's.
start_gunicorn() {
    local log=$1
    shift
    FEEDSVC_BIND="127.0.0.1:0" "${GUNICORN[@]}" -c "$REPO/deploy/gunicorn.conf.py" --chdir "$REPO" "$@" \
        >"$log.out" 2>"$log.err" &
    local pid=$!
    STARTED_PIDS+=("$pid")
    local port="" deadline=$((SECONDS + ${START_TIMEOUT:-120}))
    while [ $SECONDS -lt $deadline ]; do
        port=$(listening_port "$log.err")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if [ -z "$port" ] || ! wait_http "http://127.0.0.1:$port/" 20 "$pid"; then
        tail -n 20 "$log.err" >&2
        die "gunicorn did not start (log: $log.err)"
    fi
    LAST_PID=$pid
    STARTED_PORT=$port
}

# listening_port LOG: the port of the first "Listening at: http://127.0.0.1:PORT" in a
# gunicorn or feedsvc serve log (plain or JSON lines), or nothing yet.
listening_port() {
    { grep -o 'Listening at: http://127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null || true; } | head -n 1 | sed 's/.*://'
}

# nginx_main PREFIX SITE_CONF [ACCESS_LOG]: write PREFIX/nginx.conf around one site file.
nginx_main() {
    local prefix=$1 site=$2 access=${3:-$1/access.log}
    mkdir -p "$prefix/tmp" "$prefix/logs" "$prefix/cache"
    local user_line=""
    if [ "$(id -u)" -eq 0 ]; then
        user_line="user nobody nogroup;"
        chown -R nobody:nogroup "$prefix/tmp" "$prefix/cache"
    fi
    local module_line=""
    if grep -q '^\s*brotli_static' "$site"; then
        module_line="load_module $BROTLI_STATIC_MODULE;"
    fi
    local access_line="access_log $access;"
    [ "$access" = off ] && access_line="access_log off;"
    cat >"$prefix/nginx.conf" <<EOF
# Written by deploy/lib.sh for a private, foreground nginx on loopback.
$user_line
$module_line
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-auto};
${NGINX_AFFINITY:+worker_cpu_affinity $NGINX_AFFINITY;}
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
    $access_line
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    default_type application/octet-stream;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $site;
}
EOF
}

# site_conf SOURCE TARGET NGINX_PORT [sed expressions...]: the deploy/ file
# with its listen line on 127.0.0.1:NGINX_PORT and the other substitutions;
# fails if any of them did not apply (the file changed under us).
site_conf() {
    local source=$1 target=$2 port=$3
    shift 3
    cp "$source" "$target"
    local expr
    for expr in "s|listen 80 default_server;|listen 127.0.0.1:$port default_server;|" "$@"; do
        local before
        before=$(cat "$target")
        sed -i "$expr" "$target"
        [ "$before" != "$(cat "$target")" ] || die "substitution '$expr' did not apply to $source"
    done
    ! grep -Eq '^\s*listen\s+[^1]' "$target" || die "$target would listen beyond loopback"
}

# start_nginx PREFIX PORT: nginx -t, then run it in the foreground (in the
# background of this shell). Returns 2 when the port was taken by another
# process (nginx could not bind it): the caller picks another port. The pid
# file is the sign that the port is ours: nginx writes it only after it has
# bound every listening socket, so an answer on PORT is never another server's.
start_nginx() {
    local prefix=$1 port=$2
    rm -f "$prefix/nginx.pid"
    nginx -t -q -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" ||
        { cat "$prefix/logs/error.log" >&2; die "nginx -t failed for $prefix/nginx.conf"; }
    nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" >"$prefix/logs/stdout" 2>&1 &
    local pid=$! deadline=$((SECONDS + 20))
    STARTED_PIDS+=("$pid")
    while [ "$(cat "$prefix/nginx.pid" 2>/dev/null)" != "$pid" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            grep -q 'Address already in use' "$prefix/logs/error.log" && return 2
            cat "$prefix/logs/error.log" >&2
            die "nginx did not start on 127.0.0.1:$port"
        fi
        [ $SECONDS -lt $deadline ] || { stop_pid "$pid"; die "nginx wrote no pid file in 20 s ($prefix)"; }
        sleep 0.1
    done
    wait_http "http://127.0.0.1:$port/" 20 "$pid" ||
        { cat "$prefix/logs/error.log" >&2; die "nginx did not answer on 127.0.0.1:$port"; }
    LAST_PID=$pid
}

# serve_nginx PREFIX SOURCE ACCESS_LOG [sed expressions...]: a private nginx for one
# deploy/ site file (site_conf with the expressions, nginx_main, start_nginx) on a
# free loopback port, left in NGINX_PORT; a port taken before nginx could bind it
# is replaced by another, at most five times.
serve_nginx() {
    local prefix=$1 source=$2 access=$3
    shift 3
    local attempt status
    mkdir -p "$prefix"
    for attempt in 1 2 3 4 5; do
        NGINX_PORT=$(candidate_port)
        site_conf "$source" "$prefix/site.conf" "$NGINX_PORT" "$@"
        nginx_main "$prefix" "$prefix/site.conf" "$access"
        status=0
        start_nginx "$prefix" "$NGINX_PORT" || status=$?
        [ $status -eq 0 ] && return 0
        say "port $NGINX_PORT was taken before nginx bound it; trying another (attempt $attempt of 5)"
    done
    die "nginx found no free port in five attempts ($prefix)"
}

# Stop one process we started, by its id: SIGTERM (gunicorn: graceful, at
# most graceful_timeout = 20 s; nginx: fast), then SIGKILL after 30 s.
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

stop_all() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
    STARTED_PIDS=()
}

cleanup() {
    stop_all
    if [ -z "${KEEP_TEMP:-}" ]; then
        local dir
        for dir in "${TEMP_DIRS[@]}"; do rm -rf "$dir"; done
    else
        say "kept: ${TEMP_DIRS[*]}"
    fi
}

# Run by each script right after sourcing: clean up on every way out.
install_cleanup_trap() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
