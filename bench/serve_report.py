#!/usr/bin/env python3
"""Summarise the wrk outputs of bench/serve.sh: requests/s, p99 and the ratios.

    python bench/serve_report.py RESULTS_DIR

RESULTS_DIR holds one folder per site with ``info`` and
``<round>-<server>-<status>-<slice>.txt`` (wrk --latency output). A round's
rate of a measurement is the mean of its slices. For each measurement: the
median rate of the rounds (min-max) and the median p99 latency of its
slices; for each ratio, the ratio in each round (both sides measured A B B A)
and their median. Standard library only.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

CASES = ("feedsvc-200", "flask-200", "feedsvc-304", "flask-304", "static-200", "proxy-200", "static-304", "proxy-304")
RATIOS = (
    ("feedsvc / bare Flask, 200", "feedsvc-200", "flask-200", 0.9),
    ("feedsvc / bare Flask, 304", "feedsvc-304", "flask-304", 0.9),
    ("nginx proxy / nginx static, 200", "proxy-200", "static-200", 0.8),
    ("nginx proxy / nginx static, 304", "proxy-304", "static-304", 0.8),
)
LABELS = {
    "feedsvc": "feedsvc (gunicorn)",
    "flask": "bare Flask (gunicorn)",
    "static": "nginx static",
    "proxy": "nginx caching proxy",
}
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(text: str) -> dict[str, float]:
    """Return requests/s, p99 (ms), requests, and error counts from wrk --latency output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    total = re.search(r"(\d+) requests in", text)
    if not (rps and p99 and total):
        raise ValueError(f"not wrk --latency output:\n{text}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    cpu = re.search(r"Server CPU ticks: (-?\d+) at (\d+)/s", text)
    return {
        "cpu_seconds": int(cpu.group(1)) / int(cpu.group(2)) if cpu else float("nan"),
        "rps": float(rps.group(1)),
        "p99_ms": float(p99.group(1)) * _UNITS[p99.group(2)],
        "requests": float(total.group(1)),
        "connect_errors": float(errors.group(1)) if errors else 0.0,
        "timeouts": float(errors.group(4)) if errors else 0.0,
        "bad_status": float(bad.group(1)) if bad else 0.0,
    }


def report_site(folder: Path) -> tuple[list[str], bool]:
    """Return the report lines of one site and whether every target was met."""
    info = dict(line.split("=", 1) for line in (folder / "info").read_text().split())
    slices: dict[str, dict[str, list[dict[str, float]]]] = {case: {} for case in CASES}  # case -> round -> slices
    for path in sorted(folder.glob("*-*-*.txt")):
        round_, server, status, _slice = path.stem.split("-")
        slices[f"{server}-{status}"].setdefault(round_, []).append(parse_wrk(path.read_text()))
    # a round's rate of a case: the mean of its slices; its CPU cost: server CPU time over requests served
    rates = {
        case: {r: statistics.mean(s["rps"] for s in runs) for r, runs in by_round.items()}
        for case, by_round in slices.items()
    }
    cpu_us = {
        case: {
            r: 1e6 * sum(s["cpu_seconds"] for s in runs) / sum(s["requests"] for s in runs)
            for r, runs in by_round.items()
        }
        for case, by_round in slices.items()
    }
    lines = [
        (
            f"site {info['site']}: /feed.atom {int(info['feed_bytes']):,} bytes, "
            f"sent gzipped: {int(info['gzip_bytes']):,} bytes"
        ),
        f"  {'measurement':<34} {'requests/s (rounds min-max)':>30} {'p99 ms':>8} {'server CPU us/request':>22}",
    ]
    for case in CASES:
        if not rates[case]:
            continue
        per_round = list(rates[case].values())
        runs = [run for by_round in slices[case].values() for run in by_round]
        server, status = case.split("-")
        label = f"{LABELS[server]}, {status}"
        problems = ""
        errors = sum(r["timeouts"] + r["bad_status"] + r["connect_errors"] for r in runs)
        if errors:
            problems = f"  ({int(errors)} timeouts/errors/bad statuses)"
        lines.append(
            f"  {label:<34} {statistics.median(per_round):>12,.0f} ({min(per_round):,.0f}-{max(per_round):,.0f})"
            f" {statistics.median(r['p99_ms'] for r in runs):>8.1f}"
            f" {statistics.median(cpu_us[case].values()):>22.0f}{problems}"
        )
    all_met = True
    lines.append(f"  {'ratio (median of the rounds)':<36} {'':>6}  {'each round':<24} target")
    for name, top, bottom, target in RATIOS:
        per_round = [rates[top][r] / rates[bottom][r] for r in sorted(rates[top]) if r in rates[bottom]]
        if not per_round:
            continue
        median = statistics.median(per_round)
        met = median >= target
        all_met &= met
        rounds_text = " ".join(f"{ratio:.2f}" for ratio in per_round)
        lines.append(f"  {name:<36} {median:>6.2f}  {rounds_text:<24} >= {target}  {'met' if met else 'NOT MET'}")
    # The same comparison by CPU cost (B's CPU per request over A's): what the
    # throughput ratio would be if the servers had the cores to themselves.
    lines.append(f"  {'by server CPU per request (B/A)':<36} {'':>6}  {'each round':<24}")
    for name, top, bottom, _target in RATIOS:
        per_round = [cpu_us[bottom][r] / cpu_us[top][r] for r in sorted(cpu_us[top]) if r in cpu_us[bottom]]
        if per_round and all(ratio == ratio for ratio in per_round):  # no NaN: CPU was recorded
            rounds_text = " ".join(f"{ratio:.2f}" for ratio in per_round)
            lines.append(f"  {name:<36} {statistics.median(per_round):>6.2f}  {rounds_text:<24}")
    return lines, all_met


def main() -> int:
    results = Path(sys.argv[1])
    all_met = True
    for folder in sorted(p for p in results.iterdir() if (p / "info").exists()):
        lines, met = report_site(folder)
        all_met &= met
        print("\n".join(lines))
    print("all targets met" if all_met else "some targets NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
