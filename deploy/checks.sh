# HTTP checks shared by deploy/try-proxy.sh and deploy/try-static.sh (sourced,
# after deploy/lib.sh and its need_python: decoded runs $PY).
# Each check prints "ok" or "FAIL" with what it saw; FAILURES counts them.

FAILURES=0
CHECKS=0

pass() { CHECKS=$((CHECKS + 1)); printf 'ok    %s\n' "$1"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); printf 'FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '      %s\n' "$2"; }

# expect NAME ACTUAL EXPECTED
expect() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# fetch NAME URL [curl args...]: response headers in $CHECK_DIR/NAME.h, body in
# $CHECK_DIR/NAME.b (empty when there was none), body size in $CHECK_DIR/NAME.n
fetch() {
    local name=$1 url=$2
    shift 2
    : >"$CHECK_DIR/$name.b"
    curl -s --max-time 10 -D "$CHECK_DIR/$name.h" -o "$CHECK_DIR/$name.b" -w '%{size_download}' "$@" "$url" \
        >"$CHECK_DIR/$name.n" || true
}

# size NAME: how many body bytes came with a fetched response
size() { cat "$CHECK_DIR/$1.n"; }

# status NAME: the status code of a fetched response
status() { head -n 1 "$CHECK_DIR/$1.h" | awk '{print $2}'; }

# header NAME FIELD: the value of a header field of a fetched response ("" if absent)
header() {
    awk -v field="$(printf '%s' "$2" | tr 'A-Z' 'a-z')" '
        { sub(/\r$/, "") }
        index($0, ":") { name = tolower(substr($0, 1, index($0, ":") - 1)); if (name == field) { value = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", value); print value; exit } }
    ' "$CHECK_DIR/$1.h"
}

# body NAME: path of a fetched body
body() { printf '%s\n' "$CHECK_DIR/$1.b"; }

# decoded NAME: the body of a fetched response, decoded by its Content-Encoding, written to NAME.d
decoded() {
    "$PY" - "$CHECK_DIR/$1.b" "$CHECK_DIR/$1.d" "$(header "$1" Content-Encoding)" <<'EOF'
import gzip, sys
import brotli
data = open(sys.argv[1], "rb").read()
coding = sys.argv[3]
data = {"gzip": gzip.decompress, "br": brotli.decompress, "": lambda d: d}[coding](data)
open(sys.argv[2], "wb").write(data)
EOF
    printf '%s\n' "$CHECK_DIR/$1.d"
}

# same_file NAME FILE1 FILE2
same_file() {
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(wc -c <"$2") bytes vs $(wc -c <"$3") bytes, differing"; fi
}

summary() {
    if [ "$FAILURES" -eq 0 ]; then
        say "all $CHECKS checks passed"
        return 0
    fi
    say "$FAILURES of $CHECKS checks FAILED"
    return 1
}
