#!/usr/bin/env bash
# Exercise deploy/nginx/feedsvc-static.conf on loopback: nginx serving a
# static export must send what the app sends.
#
#     bash deploy/try-static.sh [CONTENT_DIR]       (default: the sample site, content/)
#
# Installs nginx and its brotli static module if missing (apt, as root),
# exports the site with `feedsvc build` into a temporary folder, serves it
# with a private nginx on a free 127.0.0.1 port, starts the app itself
# (gunicorn, deploy/gunicorn.conf.py) on another for comparison, and checks
# every feed, archive document and page: the same bytes in each coding,
# media types, Last-Modified, Cache-Control, Vary and security headers, and
# 304s, and a withdrawn article's 410 (one is added to the copy of the
# content folder for it), and two followed sources' pages and feeds (added
# to its site.toml). Exits 1 if any check fails; stops both servers and removes its
# temporary folder in every case (KEEP_TEMP=1 keeps it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$REPO/deploy/checks.sh"
install_cleanup_trap
need_python

CONTENT=${1:-$REPO/content}
[ -f "$CONTENT/site.toml" ] || die "$CONTENT/site.toml not found"
need_nginx
need_brotli_static
new_temp_dir static
WORK=$NEW_DIR
CHECK_DIR=$WORK/checks
mkdir -p "$CHECK_DIR" "$WORK/prefix"
cp -r "$CONTENT" "$WORK/content"

# A withdrawn article too, so that its 410 is checked.
WITHDRAWN=withdrawn-for-the-check
articles=("$WORK/content/articles/"*.html)  # a glob, not `ls | head`: no SIGPIPE under pipefail
first=${articles[0]}
cp "$first" "$WORK/content/articles/$WITHDRAWN.html"
printf 'status = "withdrawn"\nid = "urn:uuid:5f0c3d4e-2f55-4d4e-9c55-0d2b6a1f7a10"\n' \
    >"$WORK/content/articles/$WITHDRAWN.toml"
# Two followed sources too, one that brought the first article and one not polled yet,
# so that a source's page and feeds (empty ones included) are checked.
FOLLOWED=followed-for-the-check
printf '\n[[source]]\nname = "%s"\nfeed = "https://source.example/feed.xml"\n' "$FOLLOWED" >>"$WORK/content/site.toml"
printf '\n[[source]]\nname = "empty-for-the-check"\nsitemap = "https://empty.example/sitemap.xml"\n' \
    >>"$WORK/content/site.toml"
printf '\nsource = "%s"\n' "$FOLLOWED" >>"${first%.html}.toml"

export FEEDSVC_CONTENT_DIR=$WORK/content FEEDSVC_WATCH=off
start_gunicorn "$WORK/gunicorn"  # the app: deploy/gunicorn.conf.py names it
APP_PORT=$STARTED_PORT
APP=http://127.0.0.1:$APP_PORT

EXPORT=$WORK/site
"${FEEDSVC[@]}" build --help >/dev/null 2>&1 || die "this feedsvc has no 'build' command"
"${FEEDSVC[@]}" build --content "$WORK/content" "$EXPORT" >"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log" >&2; die "feedsvc build failed"; }
chmod -R a+rX "$EXPORT"

serve_nginx "$WORK/prefix" "$REPO/deploy/nginx/feedsvc-static.conf" "$WORK/prefix/access.log" \
    "s|root /srv/feedsvc/site;|root $EXPORT;|"
STATIC_PORT=$NGINX_PORT
STATIC=http://127.0.0.1:$STATIC_PORT
say "feedsvc at $APP, nginx static at $STATIC, export in $EXPORT"

# compare_url PATH: nginx's answer for PATH against the app's, in each coding.
compare_url() {
    local path=$1 coding
    for coding in "" gzip br; do
        local tag=${coding:-identity} args=()
        [ -n "$coding" ] && args=(-H "Accept-Encoding: $coding")
        fetch app "$APP$path" "${args[@]}"
        fetch static "$STATIC$path" "${args[@]}"
        if [ "$(status static)" != 200 ]; then
            fail "$path ($tag): 200" "got $(status static)"
            continue
        fi
        same_file "$path ($tag): the app's bytes" "$(body static)" "$(body app)"
        expect "$path ($tag): Content-Encoding" "$(header static Content-Encoding)" "$(header app Content-Encoding)"
        local field
        for field in Content-Type Last-Modified Cache-Control Vary X-Content-Type-Options \
            Content-Security-Policy Referrer-Policy; do
            expect "$path ($tag): $field" "$(header static "$field")" "$(header app "$field")"
        done
        [ -n "$(header static ETag)" ] && pass "$path ($tag): has an ETag" || fail "$path ($tag): has an ETag"
        # Conditional requests with nginx's own validators.
        fetch inm "$STATIC$path" "${args[@]}" -H "If-None-Match: $(header static ETag)"
        expect "$path ($tag): If-None-Match -> 304" "$(status inm) $(size inm)" "304 0"
        fetch ims "$STATIC$path" "${args[@]}" -H "If-Modified-Since: $(header app Last-Modified)"
        expect "$path ($tag): If-Modified-Since = Last-Modified -> 304" "$(status ims)" 304
        cp "$CHECK_DIR/static.h" "$CHECK_DIR/static-$tag.h"
    done
    if [ "$(header static-gzip Content-Encoding)" = gzip ] &&
        [ "$(header static-gzip ETag)" = "$(header static-identity ETag)" ]; then
        fail "$path: gzip and identity have different ETags"
    fi
}

echo "-- every feed, archive document and page, in each coding, against the app"
mapfile -t URLS < <(cd "$EXPORT" && find . -type f ! -name '*.gz' ! -name '*.br' ! -name '.*' ! -path './_feedsvc/*' |
    sed 's|^\.||; s|\.html$||; s|^/index$|/|' | sort)
[ ${#URLS[@]} -gt 0 ] || die "the export is empty"
for path in "${URLS[@]}"; do compare_url "$path"; done

echo "-- /favicon.ico: the icon, as the app sends it (404 from both when site.toml names none)"
fetch app-favicon "$APP/favicon.ico"
if [ "$(status app-favicon)" = 200 ]; then
    compare_url /favicon.ico
else
    fetch favicon "$STATIC/favicon.ico"
    expect "/favicon.ico: 404 as the app" "$(status favicon)" "$(status app-favicon)"
fi

echo "-- a withdrawn article"
fetch app-gone "$APP/articles/$WITHDRAWN"
fetch gone "$STATIC/articles/$WITHDRAWN"
expect "withdrawn article: the app says 410" "$(status app-gone)" 410
expect "withdrawn article: 410" "$(status gone)" 410
same_file "withdrawn article: the app's 410 page" "$(body gone)" "$(body app-gone)"
for field in Content-Type Content-Security-Policy X-Content-Type-Options Referrer-Policy; do
    expect "withdrawn article: $field" "$(header gone "$field")" "$(header app-gone "$field")"
done

echo "-- a list's page 1 is the list itself"
fetch app-page1 "$APP/page/1"
fetch page1 "$STATIC/page/1" -H 'Host: evil.example'
expect "/page/1: the app redirects" "$(status app-page1)" 301
expect "/page/1: 301" "$(status page1)" 301
expect "/page/1: to the home page" "$(header page1 Location)" "/"

echo "-- friendly URLs: 301 to the one URL, as the app"
pages=("$EXPORT/articles/"*.html)
first_article=${pages[0]#"$EXPORT"}
first_article=${first_article%.html}
for pair in /feed:/feed.atom /feed/:/feed.atom /atom.xml:/feed.atom /index.xml:/feed.atom /rss.xml:/feed.rss \
    /tags/:/tags /authors/:/authors "$first_article/:$first_article" "/sources/$FOLLOWED/:/sources/$FOLLOWED"; do
    from=${pair%%:*} to=${pair#*:}
    fetch app-moved "$APP$from"
    fetch moved "$STATIC$from" -H 'Host: evil.example'
    app_to=$(header app-moved Location | sed -E 's|^https?://[^/]+||')  # absolute, from base_url
    expect "$from: the app redirects" "$(status app-moved) $app_to" "301 $to"
    expect "$from: 301 to $to" "$(status moved) $(header moved Location)" "301 $to"
done

echo "-- what is not part of the site"
fetch internal "$STATIC/_feedsvc/gone.txt"
expect "the export's own files: 404" "$(status internal)" 404
fetch internal-410 "$STATIC/_feedsvc/410/articles/$WITHDRAWN.html"
expect "a 410 page asked for by name: 404" "$(status internal-410)" 404
fetch marker "$STATIC/.feedsvc-export"
expect "the export's marker: 404" "$(status marker)" 404
fetch gz-by-name "$STATIC/feed.atom.gz"
expect "a .gz file asked for by name: 404" "$(status gz-by-name)" 404
fetch missing "$STATIC/articles/no-such-article"
expect "a missing page: 404" "$(status missing)" 404
mkdir -p "$EXPORT/.feedsvc" && echo '{}' >"$EXPORT/.feedsvc/secret.json" && chmod -R a+rX "$EXPORT/.feedsvc"
fetch hidden "$STATIC/.feedsvc/secret.json"
expect "a hidden file: 404" "$(status hidden)" 404

echo "-- forged Host"
fetch plain "$STATIC/" -H 'Accept-Encoding: gzip'
fetch forged "$STATIC/" -H 'Accept-Encoding: gzip' -H 'Host: evil.example' -H 'X-Forwarded-Host: evil.example'
same_file "forged Host on /: same bytes" "$(body forged)" "$(body plain)"

summary
