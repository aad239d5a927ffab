#!/usr/bin/env bash
# Faults under load: does `feedsvc serve` stay whole while its content moves
# and a worker dies?
#
#     bash bench/faults.sh                      # ~50 s
#     DURATION=10 CORPUS_SIZE=50 bash bench/faults.sh   # a quick look
#     CORPUS_SIZE=1000 FRAGMENTS=1 bash bench/faults.sh  # small fragment articles (make_corpus.py --fragments)
#     CORPUS_SIZE=10000 FRAGMENTS=1 DURATION=60 bash bench/faults.sh  # a 10,000-article site (#16)
#     CORPUS=/work/bench-data/fragments-10000 CORPUS_SIZE=10000 FRAGMENTS=1 bash bench/faults.sh
#         # a copy of a corpus make_corpus.py made with that size and kind, with its build cache if it
#         # has one (.feedsvc/): the server starts warm instead of cleaning every article first
#     (START_TIMEOUT: seconds the first, cold build may take, 120 + CORPUS_SIZE / 10 by default;
#      SETTLE_TIMEOUT: seconds to wait after the load for every change to be served, 60 + CORPUS_SIZE / 200;
#      KEEP_LOGS=FILE: keep the server's log)
#
# All on 127.0.0.1, every loop bounded:
#   - copies a corpus (bench/make_corpus.py CORPUS_SIZE) to a temporary
#     content folder and starts `feedsvc serve --workers 2` on a free port
#     (--port 0: it binds a free port itself and prints it; live publishing
#     on: the publisher builds, the master swaps, SIGHUPs);
#   - wrk -t2 -c64 for DURATION s over /feed.atom, /feed.json, / and one
#     article page, with a Lua response() hook that counts status classes and
#     checks every 200 has a Content-Type and a whole body of its kind;
#   - a Python checker (bench/faults_check.py watch) that fetches and parses
#     /feed.atom (lxml) and /feed.json (json) every 0.5 s;
#   - meanwhile, once a second for DURATION iterations: one new article
#     renamed into place (sidecar first, from a temporary name), one edited
#     (rewritten elsewhere, renamed over), one deleted, and every third
#     second a published article saved broken in place (empty, binary junk,
#     or a sidecar with an unclosed array: it must stay served, held at its
#     last good version); at KILL_AT s one
#     gunicorn worker gets SIGKILL, at KILL_PUBLISHER_AT s the publisher
#     process (the master starts a new one, which publishes on);
#   - the checker also reads /healthz each round and notes each snapshot
#     version the first time it is seen: the publishes that came under load;
#   - after the load, a bounded wait (SETTLE_TIMEOUT) until every change is
#     served, saying how long it took, or what it still waited for when it
#     gave up: /healthz must count every article file (files - rejected),
#     each added and each broken article answer 200 (a broken one missing
#     counts in articles_missing), each deleted one 404/410.
# Prints one line:
#   requests=N errors_5xx=N non_2xx_3xx=N malformed=N articles_missing=N worker_killed=yes publisher_killed=yes
#   publishes_seen=N last_publish_s=S settled_after_load_s=S
# (details on standard error) and exits 1 if errors_5xx, malformed or
# articles_missing is non-zero, a deleted article is still served, the
# changes were not all served within SETTLE_TIMEOUT after the load, or no
# publish was seen under load after the publisher was killed (publishes
# stopped coming); each failure is named on standard error.
# Connections reset by the killed worker are counted (socket_errors, on
# standard error) but are not responses. Stops everything it starts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib.sh"
install_cleanup_trap
need_python

DURATION=${DURATION:-30}
CORPUS_SIZE=${CORPUS_SIZE:-200}
FRAGMENTS=${FRAGMENTS:-}
KIND=()
[[ -n $FRAGMENTS ]] && KIND=(--fragments)
[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 5 && $DURATION -le 120 ]] || die "DURATION must be 5-120 seconds"
KILL_AT=${KILL_AT:-$((DURATION / 3))}
KILL_PUBLISHER_AT=${KILL_PUBLISHER_AT:-$((DURATION / 2))}
[[ $KILL_AT =~ ^[0-9]+$ && $KILL_AT -lt $DURATION && $KILL_PUBLISHER_AT =~ ^[0-9]+$ && $KILL_PUBLISHER_AT -lt $DURATION ]] ||
    die "KILL_AT and KILL_PUBLISHER_AT must be seconds within DURATION"
[[ $CORPUS_SIZE =~ ^[0-9]+$ && $CORPUS_SIZE -ge $((2 * DURATION + 10)) && $CORPUS_SIZE -le 100000 ]] ||
    die "CORPUS_SIZE must be 2*DURATION+10 to 100000"
START_TIMEOUT=${START_TIMEOUT:-$((120 + CORPUS_SIZE / 10))}  # the first, cold build comes before serving
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-$((60 + CORPUS_SIZE / 200))}  # after the load: every change served by then
[[ $SETTLE_TIMEOUT =~ ^[0-9]+$ && $SETTLE_TIMEOUT -ge 1 && $SETTLE_TIMEOUT -le 900 ]] || die "SETTLE_TIMEOUT must be 1-900 seconds"
command -v wrk >/dev/null 2>&1 || apt_install wrk

BASE_URL=()
new_temp_dir bench-faults
WORK=$NEW_DIR
CONTENT=$WORK/content
STAGING=$WORK/staging
if [[ -n ${CORPUS:-} ]]; then
    [ -f "$CORPUS/site.toml" ] && [ "$(find "$CORPUS/articles" -maxdepth 1 -name '*.html' | wc -l)" -eq "$CORPUS_SIZE" ] ||
        die "CORPUS=$CORPUS is not a make_corpus.py folder of CORPUS_SIZE=$CORPUS_SIZE articles"
    cp -a "$CORPUS" "$CONTENT"  # with its build cache and ledger: a warm start
    # its own base_url, named: a loopback one would follow the port, and a site that moved is cleaned again
    BASE_URL=(--base-url "$(sed -n 's/^base_url = "\(.*\)"$/\1/p' "$CONTENT/site.toml")")
else
    "$PY" "$REPO/bench/make_corpus.py" "$CORPUS_SIZE" "$CONTENT" "${KIND[@]}" >/dev/null
fi
# The articles to add: the same generator's next DURATION articles (article i is the same at any N).
"$PY" "$REPO/bench/make_corpus.py" $((CORPUS_SIZE + DURATION)) "$STAGING" "${KIND[@]}" >/dev/null
mapfile -t ORIGINAL < <(cd "$CONTENT/articles" && ls -- *.html | sed 's/\.html$//' | sort)
mapfile -t NEW < <(cd "$STAGING/articles" && ls -- *.html | sed 's/\.html$//' | sort | tail -n "$DURATION")
STABLE=${ORIGINAL[0]}  # never touched: the article page wrk asks for

# --port 0: the server binds a free port itself and prints it (no other process can take it first).
"${FEEDSVC[@]}" serve --content "$CONTENT" --host 127.0.0.1 --port 0 --workers 2 "${BASE_URL[@]}" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
MASTER=$!
STARTED_PIDS+=("$MASTER")
PORT=""
deadline=$((SECONDS + START_TIMEOUT))  # the first build of the corpus comes before the line
while [ $SECONDS -lt $deadline ]; do
    PORT=$({ grep -o 'serving .* at http://127\.0\.0\.1:[0-9]*/' "$WORK/serve.err" || true; } | head -n 1 | sed 's|.*:\([0-9]*\)/$|\1|')
    [ -n "$PORT" ] || ! kill -0 "$MASTER" 2>/dev/null && break
    sleep 0.1
done
[ -n "$PORT" ] || { tail -n 20 "$WORK/serve.err" >&2; die "feedsvc serve printed no port"; }
BASE=http://127.0.0.1:$PORT
wait_http "$BASE/healthz" "$START_TIMEOUT" "$MASTER" || { tail -n 20 "$WORK/serve.err" >&2; die "feedsvc serve did not start"; }
say "feedsvc serve (master $MASTER) on $BASE with $CORPUS_SIZE articles; load for ${DURATION}s"

cat >"$WORK/faults.lua" <<EOF
-- Counts per thread (each has its own Lua state), summed in done().
local paths = {"/feed.atom", "/feed.json", "/", "/articles/$STABLE"}
local n = 0
counts = {ok = 0, c3xx = 0, c4xx = 0, c5xx = 0, malformed = 0}
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function request()
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
end

local function header(headers, name)
    for key, value in pairs(headers) do
        if string.lower(key) == name then return value end
    end
    return nil
end

local function whole(headers, body)
    local kind = header(headers, "content-type")
    if kind == nil or body == nil or #body == 0 then return false end
    if string.find(kind, "atom", 1, true) then
        return string.find(body, "</feed>", 1, true) ~= nil
    elseif string.find(kind, "json", 1, true) then
        return string.match(body, "^%s*{") ~= nil and string.match(body, "}%s*$") ~= nil
    elseif string.find(kind, "html", 1, true) then
        return string.find(body, "</html>", 1, true) ~= nil
    end
    return true
end

function response(status, headers, body)
    if status >= 500 then counts.c5xx = counts.c5xx + 1
    elseif status >= 400 then counts.c4xx = counts.c4xx + 1
    elseif status >= 300 then counts.c3xx = counts.c3xx + 1
    elseif status == 200 and not whole(headers, body) then counts.malformed = counts.malformed + 1
    else counts.ok = counts.ok + 1 end
end

function done(summary, latency, requests)
    local total = {ok = 0, c3xx = 0, c4xx = 0, c5xx = 0, malformed = 0}
    for _, thread in ipairs(threads) do
        local c = thread:get("counts")
        for key, _ in pairs(total) do total[key] = total[key] + c[key] end
    end
    local e = summary.errors
    io.write(string.format("FAULTS requests=%d ok=%d c3xx=%d c4xx=%d c5xx=%d malformed=%d socket_errors=%d\n",
        summary.requests, total.ok, total.c3xx, total.c4xx, total.c5xx, total.malformed,
        e.connect + e.read + e.write + e.timeout))
end
EOF

wrk -t2 -c64 -d"${DURATION}s" --timeout 5s -s "$WORK/faults.lua" "$BASE" \
    >"$WORK/wrk.out" 2>&1 &
WRK=$!
STARTED_PIDS+=("$WRK")
"$PY" "$REPO/bench/faults_check.py" watch "$BASE" "$DURATION" "$WORK/check.json" \
    2>"$WORK/check.err" &
CHECK=$!
STARTED_PIDS+=("$CHECK")

# The master's children running its own command line (not a build's forkserver
# or resource tracker): gunicorn's workers, which hold their heartbeat file
# (wgunicorn-*) open, and the publisher, which does not.
children() {
    local child
    for child in $(pgrep -P "$MASTER" || true); do
        cmp -s "/proc/$child/cmdline" "/proc/$MASTER/cmdline" 2>/dev/null && echo "$child"
    done
    return 0
}
is_worker() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q wgunicorn; }
workers() {
    local child
    for child in $(children); do is_worker "$child" && echo "$child"; done
    return 0
}
publisher() {
    local child
    for child in $(children); do is_worker "$child" || echo "$child"; done
    return 0
}

publish() {  # publish FILE: copy under a hidden temporary name in articles/, then rename into place
    local file=$1 name
    name=$(basename "$file")
    cp "$file" "$CONTENT/articles/.tmp-$name"
    mv "$CONTENT/articles/.tmp-$name" "$CONTENT/articles/$name"
}

mkdir -p "$WORK/edits" && : >"$WORK/added" && : >"$WORK/deleted" && : >"$WORK/broken"
KILLED=no
PUBLISHER_KILLED=no
for i in $(seq 0 $((DURATION - 1))); do
    tick=$(date +%s.%N)
    new=${NEW[$i]}
    [ -f "$STAGING/articles/$new.toml" ] && publish "$STAGING/articles/$new.toml"  # sidecar first
    publish "$STAGING/articles/$new.html"
    echo "$new" >>"$WORK/added"
    edited=${ORIGINAL[$((1 + i % 10))]}  # ten articles edited three times each
    sed "s/ council / county /; s/<\/p>/ (edit $i)<\/p>/" "$CONTENT/articles/$edited.html" >"$WORK/edits/$edited.html"
    publish "$WORK/edits/$edited.html"
    gone=${ORIGINAL[$((11 + i))]}
    rm -f "$CONTENT/articles/$gone.html" "$CONTENT/articles/$gone.toml"
    echo "$gone" >>"$WORK/deleted"
    if [ $((i % 3)) -eq 2 ]; then  # a broken save of a published article, in place, as an editor would
        broken=${ORIGINAL[$((11 + DURATION + i / 3))]}
        case $(((i / 3) % 3)) in
            0) : >"$CONTENT/articles/$broken.html" ;;                            # saved empty (cut short)
            1) head -c 4096 /dev/urandom >"$CONTENT/articles/$broken.html" ;;    # binary junk
            2) printf 'tags = ["A"\n' >"$CONTENT/articles/$broken.toml" ;;      # a sidecar with a typo
        esac
        echo "$broken" >>"$WORK/broken"
    fi
    if [ "$i" -eq "$KILL_AT" ]; then
        mapfile -t found < <(workers)
        victim=${found[0]:-}
        if [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null; then
            KILLED=yes
            say "killed gunicorn worker $victim (SIGKILL) at ${i}s"
        fi
    fi
    if [ "$i" -eq "$KILL_PUBLISHER_AT" ]; then
        mapfile -t found < <(publisher)
        victim=${found[0]:-}
        if [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null; then
            PUBLISHER_KILLED=yes
            say "killed the publisher $victim (SIGKILL) at ${i}s"
        fi
    fi
    sleep "$("$PY" -c "import time; print(max(0.0, 1.0 - (time.time() - $tick)))")"
done

wait "$WRK" || die "wrk failed: $(cat "$WORK/wrk.out")"
wait "$CHECK" || die "the feed checker failed: $(cat "$WORK/check.err")"
kill -0 "$MASTER" 2>/dev/null || die "feedsvc serve died: $(tail -n 20 "$WORK/serve.err")"
say "load over; waiting (at most ${SETTLE_TIMEOUT}s) until every change is served: the added, deleted and broken articles"
VERIFY=$("$PY" "$REPO/bench/faults_check.py" verify "$BASE" "$CONTENT" "$WORK/added" "$WORK/deleted" "$WORK/broken" \
    "$SETTLE_TIMEOUT")

LINE=$(grep '^FAULTS ' "$WORK/wrk.out") || die "wrk printed no counts: $(cat "$WORK/wrk.out")"
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$LINE"; }
jfield() { "$PY" -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$2" "$1"; }
REQUESTS=$(field requests)
C5XX=$(field c5xx)
NON=$(($(field c4xx) + C5XX))
MALFORMED=$(($(field malformed) + $(jfield malformed "$(cat "$WORK/check.json")")))
MISSING=$(jfield articles_missing "$VERIFY")
DELETED_SERVED=$(jfield deleted_served "$VERIFY")
[[ -n ${KEEP_LOGS:-} ]] && cp "$WORK/serve.err" "$KEEP_LOGS"  # the server's log, to read after a failure
REBUILDS=$(grep -c '"event": *"snapshot"' "$WORK/serve.err" "$WORK/serve.out" | awk -F: '{s += $2} END {print s + 0}')
say "wrk: $LINE"
say "feed checker: $(cat "$WORK/check.json")"
say "verify: $VERIFY"
say "snapshots published while under load: $REBUILDS"
SETTLED=$(jfield settled "$VERIFY")
WAITED=$(jfield waited_s "$VERIFY")
if [ "$SETTLED" = True ]; then
    say "after the load, every change was served within ${WAITED}s (first publish after the load: $(jfield first_publish_after_load_s "$VERIFY")s)"
else
    say "FAILED: after ${WAITED}s (SETTLE_TIMEOUT) still waiting for: $(jfield waiting_for "$VERIFY")"
fi
PUBLISHES=$(jfield publishes_seen "$(cat "$WORK/check.json")")
LAST_PUBLISH=$(jfield last_publish_s "$(cat "$WORK/check.json")")
# publishes keep coming: one was seen after the publisher was killed (and its successor started)
KEPT_COMING=$("$PY" -c "import sys; print(int(sys.argv[1] != 'None' and float(sys.argv[1]) > float(sys.argv[2])))" \
    "$LAST_PUBLISH" "$KILL_PUBLISHER_AT")
[ "$KEPT_COMING" -eq 1 ] ||
    say "FAILED: no publish seen under load after the publisher was killed at ${KILL_PUBLISHER_AT}s (the last at ${LAST_PUBLISH}s of ${DURATION}s)"
SETTLE_FIELD=$WAITED
[ "$SETTLED" = True ] || SETTLE_FIELD="none(>${SETTLE_TIMEOUT})"
echo "requests=$REQUESTS errors_5xx=$C5XX non_2xx_3xx=$NON malformed=$MALFORMED articles_missing=$MISSING worker_killed=$KILLED publisher_killed=$PUBLISHER_KILLED publishes_seen=$PUBLISHES last_publish_s=$LAST_PUBLISH settled_after_load_s=$SETTLE_FIELD"
[ "$C5XX" -eq 0 ] && [ "$MALFORMED" -eq 0 ] && [ "$MISSING" -eq 0 ] && [ "$DELETED_SERVED" -eq 0 ] &&
    [ "$KILLED" = yes ] && [ "$PUBLISHER_KILLED" = yes ] && [ "$KEPT_COMING" -eq 1 ] && [ "$SETTLED" = True ]
