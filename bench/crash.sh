#!/usr/bin/env bash
# Crash safety, measured: kill -9 every process of `feedsvc serve` at random
# moments of a build, a publish, an import and a ledger write, restart, check
# that nothing published is lost or duplicated and every state file reads.
#
#     bash bench/crash.sh                              # 60 kills, seed 1, at most 900 s
#     KILLS=50 SEED=7 TIME_CAP=300 bash bench/crash.sh
#
# bench/crash.py does the work (its docstring says what each round does and
# checks); one line of figures on standard output, details on standard error;
# exit 1 if anything was lost, duplicated or unreadable.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
exec "$PY" "$REPO/bench/crash.py" --kills "${KILLS:-60}" --seed "${SEED:-1}" --time-cap "${TIME_CAP:-900}" \
    --articles "${ARTICLES:-30}" "$@"
