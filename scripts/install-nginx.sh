#!/usr/bin/env bash
# Install nginx and its brotli-static module from Debian's packages, for the
# deploy/ checks the test suite runs (tests/integration/test_deploy.py). Idempotent; no
# system nginx service is started. Needs root.
set -euo pipefail
source "$(dirname "$0")/../deploy/lib.sh"
need_nginx
need_brotli_static
nginx -v
