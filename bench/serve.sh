#!/usr/bin/env bash
# Serving benchmark: feedsvc against its framework floor and against nginx,
# as ratios measured in one invocation (the machine is shared and noisy).
#
#     bash bench/serve.sh                     # both sites, 3 rounds (~9 min)
#     DURATION=3 ROUNDS=1 SITES=sample bash bench/serve.sh    # a quick look (~1 min)
#
# For each site (SITES: "sample", the repository's content/, a 1-entry feed;
# "corpus", bench/make_corpus.py CORPUS_SIZE articles, a 50-entry feed), it
# starts, all on free 127.0.0.1 ports:
#   feedsvc   gunicorn -c deploy/gunicorn.conf.py (the process model of `feedsvc serve`)
#   flask     bench/bare_flask.py on the same gunicorn settings, sending the same
#             bytes and headers with nothing else (the framework floor)
#   static    nginx with deploy/nginx/feedsvc-static.conf serving those bytes as
#             feed.atom(.gz) (the machine's limit)
#   proxy     nginx with deploy/nginx/feedsvc-proxy.conf in front of feedsvc
# and measures GET /feed.atom with `Accept-Encoding: gzip` (what readers send;
# every server sends the same gzip bytes), as a 200 and as a conditional GET
# answered 304 (If-None-Match with the server's ETag), with wrk (Debian's):
# THREADS threads, CONNECTIONS connections, DURATION seconds per slice,
# after a WARMUP-second run against each server that is not counted.
# Each round measures each pair compared (feedsvc/flask, proxy/static; 200
# and 304) in four slices, A B B A (B A A B in even rounds), so that drifts
# of the machine's other load weigh on both sides alike; a ratio is taken
# per round (mean rate of A's two slices over B's) and the median over
# ROUNDS reported.
#
# Method on a 2-core machine: wrk runs on the same cores as the servers
# (PIN=0, the default), so every server gets what wrk leaves, the same for
# both sides of a ratio. PIN=1 pins the servers to CPU 1 and wrk to CPU 0
# (needs 2+ cores). Workers: WORKERS (default: the number of cores) for
# both gunicorns; nginx: worker_processes auto. Logs as in production
# (LOGS=on: gunicorn's JSON access log and nginx's access log, to files);
# LOGS=off turns both off.
#
# Prints requests/s and p99 latency (median of the rounds, with min-max) and
# the ratios; writes the same to bench/results/serve-<time>.txt (ignored by
# git). Stops every server it starts, whatever happens.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
install_cleanup_trap
need_python

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SITES=${SITES:-sample corpus}
CORPUS_SIZE=${CORPUS_SIZE:-1000}
PIN=${PIN:-0}
LOGS=${LOGS:-on}
WORKERS=${WORKERS:-$(nproc)}
# Each ratio: A:B.
PAIRS=(feedsvc-200:flask-200 feedsvc-304:flask-304 proxy-200:static-200 proxy-304:static-304)

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 120 ]] || die "DURATION must be 1-120 seconds"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 && $ROUNDS -le 9 ]] || die "ROUNDS must be 1-9"
need_nginx
need_brotli_static
command -v wrk >/dev/null 2>&1 || apt_install wrk

SERVER_CPU=() WRK_CPU=()
if [ "$PIN" = 1 ]; then
    [ "$(nproc)" -ge 2 ] || die "PIN=1 needs 2 cores"
    SERVER_CPU=(taskset -c 1) WRK_CPU=(taskset -c 0)
fi
export FEEDSVC_WORKERS=$WORKERS
[ "$LOGS" = on ] || export FEEDSVC_ACCESS_LOG=off

new_temp_dir bench-serve
WORK=$NEW_DIR
RESULTS=$WORK/results
mkdir -p "$RESULTS"

GUNICORN_PLAIN=("${GUNICORN[@]}")
if [ ${#SERVER_CPU[@]} -gt 0 ]; then
    # lib.sh runs "${GUNICORN[@]}": make it a pinned one (the workers inherit the master's CPU set).
    printf '#!/bin/sh\nexec %s %s "$@"\n' "${SERVER_CPU[*]}" "$(printf '%q ' "${GUNICORN_PLAIN[@]}")" >"$WORK/gunicorn-pinned"
    chmod +x "$WORK/gunicorn-pinned"
    GUNICORN=("$WORK/gunicorn-pinned")
fi

# run_nginx NAME CONF_SOURCE [sed expressions]: a private nginx for one deploy/ file; sets NGINX_PORT.
run_nginx() {
    local name=$1 source=$2
    shift 2
    local prefix=$SITE_WORK/$name access=off
    [ "$LOGS" = on ] && access=$prefix/logs/access.log
    if [ ${#SERVER_CPU[@]} -gt 0 ]; then
        NGINX_WORKERS=1 NGINX_AFFINITY=10 serve_nginx "$prefix" "$source" "$access" "$@"
    else
        serve_nginx "$prefix" "$source" "$access" "$@"
    fi
}

# cpu_ticks PID: CPU time (user + system, in clock ticks) used so far by a
# server's master and its workers: divided by the requests served, it says
# what a request costs whatever else the machine is running.
cpu_ticks() {
    local total=0 pid stat
    for pid in "$1" $(pgrep -P "$1"); do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }  # the fields after the command name
        set -- $stat
        total=$((total + ${12} + ${13}))  # utime and stime: fields 14 and 15 of the line
    done
    echo "$total"
}

# expect_status URL STATUS [curl args]: the answer wrk will get, checked once before measuring.
expect_status() {
    local url=$1 want=$2
    shift 2
    local got
    got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Accept-Encoding: gzip' "$@" "$url")
    [ "$got" = "$want" ] || die "$url answered $got, not $want"
}

measure_site() {
    local site=$1
    SITE_WORK=$WORK/$site
    mkdir -p "$SITE_WORK" "$RESULTS/$site"
    case $site in
    sample) cp -r "$REPO/content" "$SITE_WORK/content" ;;
    corpus)
        say "[$site] generating $CORPUS_SIZE articles (bench/make_corpus.py)"
        "$PY" "$REPO/bench/make_corpus.py" "$CORPUS_SIZE" "$SITE_WORK/content" >/dev/null
        ;;
    *) die "unknown site $site (sample or corpus)" ;;
    esac

    say "[$site] starting feedsvc (loads and cleans every article first)"
    FEEDSVC_CONTENT_DIR=$SITE_WORK/content START_TIMEOUT=600 start_gunicorn "$SITE_WORK/feedsvc"
    local app_pid=$LAST_PID app_port=$STARTED_PORT
    local app=http://127.0.0.1:$app_port/feed.atom

    # The bytes every server sends: feedsvc's gzip variant of /feed.atom, with its headers.
    curl -s --max-time 10 -H 'Accept-Encoding: gzip' -D "$SITE_WORK/headers.txt" -o "$SITE_WORK/feed.atom.gz" "$app"
    curl -s --max-time 10 -o "$SITE_WORK/feed.atom" "$app"
    grep -qi '^content-encoding: gzip' "$SITE_WORK/headers.txt" || die "feedsvc did not send gzip"
    local etag last_modified
    etag=$(awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }' "$SITE_WORK/headers.txt")
    last_modified=$(awk 'tolower($1) == "last-modified:" { sub(/\r$/, ""); $1 = ""; sub(/^ /, ""); print }' "$SITE_WORK/headers.txt")

    say "[$site] starting the bare Flask app, nginx static and the nginx caching proxy"
    BARE_BODY=$SITE_WORK/feed.atom.gz BARE_HEADERS=$SITE_WORK/headers.txt BARE_PATH=/feed.atom \
        start_gunicorn "$SITE_WORK/flask" --pythonpath "$REPO/bench" bare_flask:app
    local flask_pid=$LAST_PID flask_port=$STARTED_PORT
    local flask=http://127.0.0.1:$flask_port/feed.atom

    mkdir -p "$SITE_WORK/root"
    cp "$SITE_WORK/feed.atom" "$SITE_WORK/feed.atom.gz" "$SITE_WORK/root/"
    touch -d "$last_modified" "$SITE_WORK/root/feed.atom" "$SITE_WORK/root/feed.atom.gz"
    chmod -R a+rX "$SITE_WORK/root"
    run_nginx static "$REPO/deploy/nginx/feedsvc-static.conf" "s|root /srv/feedsvc/site;|root $SITE_WORK/root;|"
    local static=http://127.0.0.1:$NGINX_PORT/feed.atom static_pid=$LAST_PID
    run_nginx proxy "$REPO/deploy/nginx/feedsvc-proxy.conf" \
        "s|server 127.0.0.1:8000;|server 127.0.0.1:$app_port;|" "s|/var/cache/nginx/feedsvc|$SITE_WORK/proxy/cache|"
    local proxy=http://127.0.0.1:$NGINX_PORT/feed.atom proxy_pid=$LAST_PID

    local static_etag
    static_etag=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$static" | awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }')
    for url in "$flask" "$static" "$proxy"; do
        curl -s --max-time 10 -H 'Accept-Encoding: gzip' -o "$SITE_WORK/check.gz" "$url"
        cmp -s "$SITE_WORK/check.gz" "$SITE_WORK/feed.atom.gz" || die "$url does not send feedsvc's bytes"
    done
    curl -s -o /dev/null -D "$SITE_WORK/proxy-hit.txt" -H 'Accept-Encoding: gzip' "$proxy"
    grep -qi '^x-cache-status: hit' "$SITE_WORK/proxy-hit.txt" || die "the proxy does not answer from its cache"

    printf '%s\n' "site=$site" "feed_bytes=$(wc -c <"$SITE_WORK/feed.atom")" \
        "gzip_bytes=$(wc -c <"$SITE_WORK/feed.atom.gz")" >"$RESULTS/$site/info"
    say "[$site] /feed.atom: $(wc -c <"$SITE_WORK/feed.atom") bytes, $(wc -c <"$SITE_WORK/feed.atom.gz") gzipped"

    # Warm-up, not counted: every worker has served and filled its caches.
    for url in "$app" "$flask" "$static" "$proxy"; do
        "${WRK_CPU[@]}" timeout 30 wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H 'Accept-Encoding: gzip' "$url" \
            >/dev/null 2>&1 || die "wrk failed against $url"
    done

    # Each pair compared runs A B B A (B A A B in even rounds): slow drifts
    # of the machine's other load then weigh on both sides alike.
    local round pair first second case url inm pid before slice=0
    for round in $(seq "$ROUNDS"); do
        for pair in "${PAIRS[@]}"; do
            first=${pair%:*} second=${pair#*:}
            [ $((round % 2)) -eq 0 ] && first=${pair#*:} second=${pair%:*}
            for case in "$first" "$second" "$second" "$first"; do
                case $case in
                feedsvc-*) url=$app inm=$etag pid=$app_pid ;;
                flask-*) url=$flask inm=$etag pid=$flask_pid ;;
                static-*) url=$static inm=$static_etag pid=$static_pid ;;
                proxy-*) url=$proxy inm=$etag pid=$proxy_pid ;;
                esac
                local args=(-H 'Accept-Encoding: gzip')
                [ "${case##*-}" = 304 ] && args+=(-H "If-None-Match: $inm")
                expect_status "$url" "${case##*-}" "${args[@]:2}"
                slice=$((slice + 1))
                say "[$site] round $round/$ROUNDS: $case (${DURATION}s)"
                local out=$RESULTS/$site/$round-$case-$slice.txt
                before=$(cpu_ticks "$pid")
                "${WRK_CPU[@]}" timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
                    --timeout 5s --latency "${args[@]}" "$url" >"$out" 2>&1 || die "wrk failed for $case: $(cat "$out")"
                echo "Server CPU ticks: $(($(cpu_ticks "$pid") - before)) at $(getconf CLK_TCK)/s" >>"$out"
            done
        done
    done
    stop_all
}

say "serving benchmark: sites [$SITES], $ROUNDS round(s) x ${#PAIRS[@]} pairs x 4 slices x ${DURATION}s," \
    "wrk -t$THREADS -c$CONNECTIONS, $WORKERS gunicorn workers, PIN=$PIN, LOGS=$LOGS"
for site in $SITES; do measure_site "$site"; done

mkdir -p "$REPO/bench/results"
OUT=$REPO/bench/results/serve-$(date -u +%Y%m%dT%H%M%SZ).txt
{
    printf 'bench/serve.sh on %s: %s cores (%s), %s\n' "$(hostname)" "$(nproc)" \
        "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" "$(date -u +%Y-%m-%dT%H:%MZ)"
    printf 'wrk -t%s -c%s, slices of %ss (A B B A), %s round(s), %s gunicorn workers (sync), PIN=%s, LOGS=%s; %s; %s\n' \
        "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WORKERS" "$PIN" "$LOGS" \
        "$(nginx -v 2>&1 | sed 's/.*: //')" "$("${GUNICORN_PLAIN[@]}" --version 2>&1 | head -n 1)"
    "$PY" "$REPO/bench/serve_report.py" "$RESULTS"
} | tee "$OUT"
say "written to ${OUT#"$REPO"/}"
