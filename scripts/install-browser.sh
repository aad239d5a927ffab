#!/bin/sh
# Install the headless browser the end-to-end tests drive (tests/integration/test_browser.py).
#
# Uses Debian's own chromium package (no Playwright-managed download), plus a
# font so pages render legible text. Idempotent: does nothing but print the
# version when /usr/bin/chromium is already there. Needs root (or sudo).
set -eu

CHROMIUM=/usr/bin/chromium
PACKAGES="chromium fonts-dejavu-core"

if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser: $CHROMIUM is missing and this needs root to apt-get install: $PACKAGES" >&2
        exit 1
    fi
    echo "install-browser: installing $PACKAGES with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086  # PACKAGES is a word list on purpose
    $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "install-browser: $CHROMIUM still missing after apt-get install" >&2
    exit 1
fi
"$CHROMIUM" --version
