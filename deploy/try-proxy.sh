#!/usr/bin/env bash
# Exercise deploy/nginx/feedsvc-proxy.conf on loopback against a real feedsvc.
#
#     bash deploy/try-proxy.sh [CONTENT_DIR]        (default: the sample site, content/)
#
# Installs nginx if it is missing (apt, as root), starts gunicorn with
# deploy/gunicorn.conf.py on a free 127.0.0.1 port (on a copy of the content
# folder, so its .feedsvc/ ledger is written there) and a private nginx with
# the proxy configuration on another, then checks over HTTP what the
# configuration promises. Exits 1 if any check fails; stops both servers
# and removes its temporary folder in every case (KEEP_TEMP=1 keeps it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$REPO/deploy/checks.sh"
install_cleanup_trap
need_python

CONTENT=${1:-$REPO/content}
[ -f "$CONTENT/site.toml" ] || die "$CONTENT/site.toml not found"
need_nginx
new_temp_dir proxy
WORK=$NEW_DIR
CHECK_DIR=$WORK/checks
mkdir -p "$CHECK_DIR" "$WORK/prefix"
cp -r "$CONTENT" "$WORK/content"
# A long article whose page is one TCP segment (64 KB on loopback) and a
# part: the size at which a cached body stalled on a delayed ACK when nginx
# corked it (tcp_nopush with sendfile).
"$PY" - "$WORK/content/articles/a-long-read-for-the-check.html" <<'EOF'
import random, sys
rng = random.Random(5)
words = "river bridge council budget harbour railway museum winter vote market mayor village".split()
paragraphs = "".join(
    "<p>" + " ".join(rng.choice(words) for _ in range(120)).capitalize() + ".</p>\n" for _ in range(90)
)
open(sys.argv[1], "w", encoding="utf-8").write(
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>A long read</title></head><body>"
    "<article><h1>A long read</h1><p class='byline'>By Nino Beridze</p>"
    "<time datetime='2021-11-20T10:00:00+04:00'>20 November 2021</time>\n" + paragraphs + "</article></body></html>"
)
EOF

export FEEDSVC_CONTENT_DIR=$WORK/content FEEDSVC_WATCH=off
# Pages expire after 2 s here, so that revalidation can be watched at the end.
export FEEDSVC_PAGE_MAX_AGE=2
start_gunicorn "$WORK/gunicorn"  # the app: deploy/gunicorn.conf.py names it
APP_PORT=$STARTED_PORT
APP=http://127.0.0.1:$APP_PORT

serve_nginx "$WORK/prefix" "$REPO/deploy/nginx/feedsvc-proxy.conf" "$WORK/prefix/access.log" \
    "s|server 127.0.0.1:8000;|server 127.0.0.1:$APP_PORT;|" \
    "s|/var/cache/nginx/feedsvc|$WORK/prefix/cache|"
PROXY_PORT=$NGINX_PORT
PROXY=http://127.0.0.1:$PROXY_PORT
say "feedsvc at $APP, nginx caching proxy at $PROXY"

FEED=/feed.atom
# What the app itself sends, for comparison.
fetch app "$APP$FEED"
fetch app-gzip "$APP$FEED" -H 'Accept-Encoding: gzip'
fetch app-br "$APP$FEED" -H 'Accept-Encoding: br'
fetch app-page "$APP/"

echo "-- 200, media type, body"
fetch first "$PROXY$FEED"
expect "GET $FEED: 200" "$(status first)" 200
expect "GET $FEED: first request is a cache MISS" "$(header first X-Cache-Status)" MISS
expect "GET $FEED: Content-Type" "$(header first Content-Type)" "application/atom+xml; charset=utf-8"
same_file "GET $FEED: body identical to the app's" "$(body first)" "$(body app)"
expect "GET $FEED: ETag is the app's" "$(header first ETag)" "$(header app ETag)"
expect "GET $FEED: Last-Modified is the app's" "$(header first Last-Modified)" "$(header app Last-Modified)"
expect "GET $FEED: Cache-Control is the app's" "$(header first Cache-Control)" "$(header app Cache-Control)"
expect "GET $FEED: Vary passed through" "$(header first Vary)" "Accept-Encoding"
expect "GET $FEED: X-Content-Type-Options passed through" "$(header first X-Content-Type-Options)" nosniff
expect "GET $FEED: no Content-Encoding without Accept-Encoding" "$(header first Content-Encoding)" ""
fetch second "$PROXY$FEED"
expect "GET $FEED again: cache HIT" "$(header second X-Cache-Status)" HIT
same_file "GET $FEED again: same body" "$(body second)" "$(body app)"
fetch head "$PROXY$FEED" --head
expect "HEAD $FEED: 200" "$(status head)" 200
expect "HEAD $FEED: Content-Length of the body" "$(header head Content-Length)" "$(wc -c <"$(body app)" | tr -d ' ')"
expect "HEAD $FEED: no body" "$(size head)" 0

# 20 requests on one connection (curl reuses it): a delayed-ACK stall per
# response (at least 40 ms on Linux) would add 0.8 s or more. Timed against
# the same 20 requests for a small cached page in the same run, so that a busy
# machine (CI shares its cores) slows both alike: the long page may take at
# most 0.4 s more (half the smallest stall), whatever the machine's speed.
LONG=/articles/a-long-read-for-the-check
fetch long "$PROXY$LONG"
fetch small "$PROXY/robots.txt"
twenty() {
    local urls=() _
    for _ in $(seq 20); do urls+=(-o /dev/null "$1"); done
    curl -s -w '%{time_total}\n' "${urls[@]}" 2>/dev/null | awk '{ total += $1 } END { printf "%.3f", total }'
}
small_elapsed=$(twenty "$PROXY/robots.txt")
elapsed=$(twenty "$PROXY$LONG")
if [ "$(size long)" -gt 65536 ] && [ "$(size long)" -lt 98304 ] && [ "$(size small)" -lt 4096 ] &&
    awk -v t="$elapsed" -v s="$small_elapsed" 'BEGIN { exit !(t - s < 0.4) }'; then
    pass "20 cached $(size long)-byte pages on one connection: ${elapsed}s (20 small ones: ${small_elapsed}s)"
else
    fail "20 cached pages of 64-96 KB on one connection, at most 0.4 s more than 20 small ones" \
        "$(size long) bytes, ${elapsed}s; $(size small) bytes, ${small_elapsed}s"
fi

echo "-- content codings"
fetch br "$PROXY$FEED" -H 'Accept-Encoding: br'
expect "Accept-Encoding br: Content-Encoding br" "$(header br Content-Encoding)" br
same_file "Accept-Encoding br: bytes are the app's br bytes" "$(body br)" "$(body app-br)"
same_file "Accept-Encoding br: decodes to the body" "$(decoded br)" "$(body app)"
expect "Accept-Encoding br: ETag of the br variant" "$(header br ETag)" "$(header app-br ETag)"
# br is now cached: a gzip-only client must still get gzip (the key holds the coding).
fetch gzip "$PROXY$FEED" -H 'Accept-Encoding: gzip'
expect "Accept-Encoding gzip after a br client: Content-Encoding gzip" "$(header gzip Content-Encoding)" gzip
same_file "Accept-Encoding gzip: bytes are the app's gzip bytes" "$(body gzip)" "$(body app-gzip)"
same_file "Accept-Encoding gzip: decodes to the body" "$(decoded gzip)" "$(body app)"
expect "Accept-Encoding gzip: ETag of the gzip variant" "$(header gzip ETag)" "$(header app-gzip ETag)"
fetch gzip2 "$PROXY$FEED" -H 'Accept-Encoding: gzip, deflate'
expect "Accept-Encoding 'gzip, deflate': the cached gzip entry (HIT)" \
    "$(header gzip2 Content-Encoding) $(header gzip2 X-Cache-Status)" "gzip HIT"
fetch nobr "$PROXY$FEED" -H 'Accept-Encoding: br;q=0, gzip'
expect "Accept-Encoding 'br;q=0, gzip': gzip" "$(header nobr Content-Encoding)" gzip
fetch browser "$PROXY$FEED" -H 'Accept-Encoding: gzip, deflate, br, zstd'
expect "Accept-Encoding of a browser: br (HIT)" "$(header browser Content-Encoding) $(header browser X-Cache-Status)" "br HIT"
fetch unknown "$PROXY$FEED" -H 'Accept-Encoding: deflate, zstd'
expect "Accept-Encoding with no coding the app has: identity" "$(header unknown Content-Encoding)" ""
same_file "Accept-Encoding with no coding the app has: the body" "$(body unknown)" "$(body app)"

echo "-- conditional requests answered from the cache"
fetch inm "$PROXY$FEED" -H "If-None-Match: $(header app ETag)"
expect "If-None-Match (identity ETag): 304" "$(status inm)" 304
expect "If-None-Match: answered by nginx from the cache" "$(header inm X-Cache-Status)" HIT
expect "If-None-Match: 304 carries the ETag" "$(header inm ETag)" "$(header app ETag)"
expect "If-None-Match: 304 carries Cache-Control" "$(header inm Cache-Control)" "$(header app Cache-Control)"
expect "If-None-Match: 304 carries Vary" "$(header inm Vary)" "Accept-Encoding"
expect "If-None-Match: 304 has no body" "$(size inm)" 0
fetch inm-gzip "$PROXY$FEED" -H 'Accept-Encoding: gzip' -H "If-None-Match: $(header app-gzip ETag)"
expect "If-None-Match (gzip ETag) with gzip: 304" "$(status inm-gzip)" 304
fetch inm-weak "$PROXY$FEED" -H 'Accept-Encoding: gzip' -H "If-None-Match: \"nope\", W/$(header app-gzip ETag)"
expect "If-None-Match list with a weak match: 304" "$(status inm-weak)" 304
fetch inm-other "$PROXY$FEED" -H 'Accept-Encoding: gzip' -H "If-None-Match: $(header app ETag)"
expect "If-None-Match of another coding's ETag: 200" "$(status inm-other)" 200
fetch ims "$PROXY$FEED" -H "If-Modified-Since: $(header app Last-Modified)"
expect "If-Modified-Since = Last-Modified: 304" "$(status ims)" 304
fetch ims-later "$PROXY$FEED" -H "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"
expect "If-Modified-Since later than Last-Modified: 304" "$(status ims-later)" 304
fetch ims-earlier "$PROXY$FEED" -H "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT"
expect "If-Modified-Since earlier: 200" "$(status ims-earlier)" 200

echo "-- forged Host and forwarding headers"
fetch forged "$PROXY$FEED" -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example' \
    -H 'X-Forwarded-Proto: gopher' -H 'Forwarded: host=evil.example;proto=gopher'
expect "forged Host: served from the same cache entry" "$(header forged X-Cache-Status)" HIT
same_file "forged Host: body unchanged" "$(body forged)" "$(body app)"
fetch page "$PROXY/"
fetch page-forged "$PROXY/" -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example'
same_file "forged Host on /: page unchanged" "$(body page-forged)" "$(body app-page)"
if grep -q 'evil\.example' "$(body page-forged)"; then
    fail "forged Host on /: no trace of the forged name"
else
    pass "forged Host on /: no trace of the forged name"
fi
# Bypass the cache's key (a new query string) so the app itself answers the forged request.
fetch forged-miss "$PROXY/?forged" -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example'
same_file "forged Host, uncached: the app's page unchanged" "$(body forged-miss)" "$(body app-page)"

echo "-- pages, security headers, what is not cached"
expect "GET /: Content-Type" "$(header page Content-Type)" "text/html; charset=utf-8"
expect "GET /: Content-Security-Policy passed through" "$(header page Content-Security-Policy)" \
    "$(header app-page Content-Security-Policy)"
expect "GET /: Referrer-Policy passed through" "$(header page Referrer-Policy)" "$(header app-page Referrer-Policy)"
expect "GET /: X-Content-Type-Options passed through" "$(header page X-Content-Type-Options)" nosniff
expect "GET /: Cache-Control is the app's" "$(header page Cache-Control)" "$(header app-page Cache-Control)"
expect "responses name no server version" "$(header page Server)" nginx
fetch health1 "$PROXY/healthz"
fetch health2 "$PROXY/healthz"
expect "/healthz (no-store): never a cache HIT" "$(status health2) $(header health2 X-Cache-Status)" "200 MISS"
fetch missing1 "$PROXY/articles/no-such-article"
fetch missing2 "$PROXY/articles/no-such-article"
expect "404: not cached" "$(status missing2) $(header missing2 X-Cache-Status)" "404 MISS"
fetch metrics "$PROXY/metrics"
expect "/metrics from loopback: 200, not cached" "$(status metrics) $(header metrics X-Cache-Status)" "200 "
fetch post "$PROXY$FEED" -X POST -d x=1
expect "POST $FEED: refused by the app (405), not cached" "$(status post)" 405
fetch longline "$PROXY/$(head -c 9000 /dev/zero | tr '\0' a)"
expect "request line over 8 KB: refused by nginx (414)" "$(status longline)" 414

echo "-- expiry: revalidated with the app's validators"
fetch page-fresh "$PROXY/"
sleep 3  # past max-age=2
fetch page-expired "$PROXY/"
case "$(header page-expired X-Cache-Status)" in
STALE | UPDATING | REVALIDATED) pass "expired page: served at once ($(header page-expired X-Cache-Status)) while revalidating" ;;
*) fail "expired page: served at once while revalidating" "X-Cache-Status $(header page-expired X-Cache-Status)" ;;
esac
same_file "expired page: same body" "$(body page-expired)" "$(body app-page)"
sleep 0.5
fetch page-after "$PROXY/"
expect "after revalidation: a HIT again" "$(header page-after X-Cache-Status)" HIT
if grep '"path":"/"' "$WORK/gunicorn.out" | grep -q '"status":304'; then
    pass "the app answered nginx's revalidation with a 304"
else
    fail "the app answered nginx's revalidation with a 304" "no 304 for / in the app's access log"
fi

summary
