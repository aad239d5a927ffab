"""deploy/ check scripts outside make: which Python they run feedsvc with, or what they say when there is none.

deploy/lib.sh's need_python looks for the project's virtualenv beside the
scripts (``<repo>/.venv``), then for a ``python3`` on PATH that can import
feedsvc, and otherwise stops saying to run ``make test`` or ``make serve``
first. The scripts are run from another folder, and from a copy of deploy/
in a folder without a virtualenv, with PATH narrowed to fake interpreters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import REPO

DEPLOY = REPO / "deploy"
SCRIPTS = ("lib.sh", "checks.sh", "try-proxy.sh", "try-static.sh")
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
# Print what need_python chose, one value a line.
SHOW_PYTHON = 'source "$1"; need_python; printf "%s\\n" "$PY" "${GUNICORN[*]}" "${FEEDSVC[*]}" "${PYTHONPATH:-}"'


def environment(path: str, **extra: str) -> dict[str, str]:
    """The test's environment without any Python or feedsvc setting, PATH set to ``path``."""
    dropped = ("VENV", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "REPO")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("FEEDSVC_")}
    return {**env, "PATH": path, **extra}


def fake_python(folder: Path, script: str) -> Path:
    """Make ``folder/python3``, a shell script with ``script`` as its body; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    python = folder / "python3"
    python.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    python.chmod(0o755)
    return folder


def copy_of_deploy(tmp_path: Path) -> Path:
    """A checkout without a virtualenv: deploy/'s scripts copied into an empty folder; return that folder."""
    repo = tmp_path / "checkout"
    (repo / "deploy").mkdir(parents=True)
    for name in SCRIPTS:
        shutil.copy2(DEPLOY / name, repo / "deploy" / name)
    return repo


def show_python(lib: Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", SHOW_PYTHON, "show-python", str(lib)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "python").exists(), reason="no .venv in this checkout")
def test_the_project_virtualenv_is_found_from_the_scripts_own_folder(tmp_path: Path) -> None:
    # No python3 on PATH at all: only the virtualenv beside the scripts can be chosen.
    empty = fake_python(tmp_path / "bin", "exit 1")
    result = show_python(DEPLOY / "lib.sh", tmp_path, environment(f"{empty}:{SYSTEM_PATH}"))
    assert result.returncode == 0, result.stderr
    python, gunicorn, feedsvc, pythonpath = result.stdout.splitlines()
    assert python == str(REPO / ".venv" / "bin" / "python")
    assert (gunicorn, feedsvc) == (f"{python} -m gunicorn", f"{python} -m feedsvc.cli")
    assert pythonpath == ""  # the virtualenv has feedsvc installed: nothing to add


def test_without_a_virtualenv_a_python3_that_can_import_feedsvc_runs_this_checkout(tmp_path: Path) -> None:
    repo = copy_of_deploy(tmp_path)
    bin_dir = fake_python(tmp_path / "bin", f'exec "{sys.executable}" "$@"')  # this interpreter can import feedsvc
    result = show_python(repo / "deploy" / "lib.sh", tmp_path, environment(f"{bin_dir}:{SYSTEM_PATH}"))
    assert result.returncode == 0, result.stderr
    python, gunicorn, feedsvc, pythonpath = result.stdout.splitlines()
    assert python == str(bin_dir / "python3")
    assert (gunicorn, feedsvc) == (f"{python} -m gunicorn", f"{python} -m feedsvc.cli")
    assert pythonpath.split(":")[0] == str(repo)  # the checkout's own feedsvc comes first
    assert "feedsvc" in subprocess.run(
        [python, "-m", "feedsvc.cli", "--help"], env=environment(f"{bin_dir}:{SYSTEM_PATH}"), capture_output=True,
        text=True, timeout=60, check=True,
    ).stdout  # fmt: skip


@pytest.mark.parametrize("script", ["try-proxy.sh", "try-static.sh"])
def test_without_any_python_for_feedsvc_a_check_script_says_to_run_make_first(tmp_path: Path, script: str) -> None:
    repo = copy_of_deploy(tmp_path)
    bin_dir = fake_python(tmp_path / "bin", "exit 1")  # a python3 that cannot import feedsvc (nor anything)
    result = subprocess.run(
        ["bash", str(repo / "deploy" / script)],
        cwd=tmp_path,
        env=environment(f"{bin_dir}:{SYSTEM_PATH}"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, (result.returncode, result.stderr)  # not 127, "command not found"
    assert "error: no Python that can run feedsvc" in result.stderr
    assert "run 'make test' or 'make serve'" in result.stderr and str(repo) in result.stderr
    assert result.stdout == ""  # it stopped before starting or checking anything


def test_a_venv_named_in_the_environment_that_cannot_run_feedsvc_is_named_in_the_error(tmp_path: Path) -> None:
    result = show_python(DEPLOY / "lib.sh", tmp_path, environment(SYSTEM_PATH, VENV=str(tmp_path / "nowhere")))
    assert result.returncode == 1
    assert f"VENV={tmp_path / 'nowhere'} has no Python that can run feedsvc" in result.stderr
    assert "unset VENV, or run 'make test' or 'make serve'" in result.stderr
