"""bench/crash.py, in small: kill -9 every process of `feedsvc serve` a few times, restart, nothing lost."""

from __future__ import annotations

import re
import subprocess
import sys

from support.paths import REPO


def test_a_few_kills_lose_nothing_duplicate_nothing_and_leave_every_state_file_readable() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "crash.py"), "--kills", "4", "--seed", "3", "--articles", "6",
         "--time-cap", "240"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    figures = dict(re.findall(r"(\w+)=(\d+)", result.stdout.splitlines()[-1]))
    assert figures["kills"] == "4", result.stdout
    assert (figures["lost"], figures["duplicated"], figures["unreadable"], figures["ids_changed"]) == ("0",) * 4
    assert int(figures["articles"]) >= 6
