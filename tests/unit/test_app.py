"""app.py and the package's API: create_app wires the service in one place; web only registers routes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

import feedsvc
from feedsvc.app import create_app, create_gunicorn_app
from feedsvc.build.builder import load_snapshot
from feedsvc.serve.state import EXTENSION, SiteState
from feedsvc.settings import ServiceConfigError
from feedsvc.web.metrics import Metrics
from feedsvc.web.views import register_routes
from support.leftovers import Census

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

# Every module of the wiring and serving layers: each has a true __all__.
OWN_MODULES = [
    "feedsvc", "feedsvc.app", "feedsvc.settings", "feedsvc.model", "feedsvc.content.site",
    "feedsvc.build.builder", "feedsvc.build.snapshot", "feedsvc.cli.main",
    "feedsvc.serve", "feedsvc.serve.gunicorn", "feedsvc.serve.publisher", "feedsvc.serve.state",
    "feedsvc.serve.watcher", "feedsvc.serve.websub", "feedsvc.serve.wire",
    "feedsvc.web", "feedsvc.web.export", "feedsvc.web.fastpath", "feedsvc.web.metrics", "feedsvc.web.paging",
    "feedsvc.web.views",
]  # fmt: skip


def settings(content_dir: Path, **more: object) -> dict[str, object]:
    return {"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: NOW, "CACHE_DIR": "", **more}


# --- settings ----------------------------------------------------------------------


def test_an_unknown_feedsvc_variable_stops_the_app_naming_it(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEEDSVC_PAGE_MAXAGE", "60")
    with pytest.raises(
        ServiceConfigError, match=r"unknown setting FEEDSVC_PAGE_MAXAGE: did you mean FEEDSVC_PAGE_MAX_AGE\?"
    ):
        create_app(settings(content_dir))
    assert not (content_dir / ".feedsvc").exists()  # checked before anything is built


def test_a_wrong_value_stops_the_app_naming_the_key(content_dir: Path) -> None:
    with pytest.raises(ServiceConfigError, match="setting WEBSUB_ATTEMPTS must be a whole number from 1 to 100"):
        create_app(settings(content_dir, WEBSUB_ATTEMPTS=0))


def test_the_environment_sets_the_app_and_the_callers_config_wins(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEEDSVC_PAGE_MAX_AGE", "7")
    assert create_app(settings(content_dir)).test_client().get("/").headers["Cache-Control"] == "public, max-age=7"
    app = create_app(settings(content_dir, PAGE_MAX_AGE=9))
    assert app.test_client().get("/").headers["Cache-Control"] == "public, max-age=9"


def test_flasks_own_settings_pass_through(content_dir: Path) -> None:
    app = create_app(settings(content_dir, TRUSTED_HOSTS=["news.example.org"]))
    assert app.config["TESTING"] is True and app.config["TRUSTED_HOSTS"] == ["news.example.org"]


# --- wiring: the snapshot, the publisher, the metrics ---------------------------------------


def test_inline_builds_in_this_process_and_records_the_build(content_dir: Path) -> None:
    metrics = Metrics()
    app = create_app(settings(content_dir, METRICS=metrics))
    state = app.extensions[EXTENSION]
    assert isinstance(state, SiteState)
    assert state.builder is not None and state.publisher is None
    assert metrics.registry.get_sample_value("feedsvc_snapshot_builds_total", {"outcome": "ok"}) == 1
    assert state.timing == {
        "interval": 0.1,
        "rescan": 1.0,
        "safety_rescan": 60.0,
        "polling": False,
    }  # from the settings


def test_process_builds_in_a_publisher_and_its_figures_reach_the_apps_metrics(content_dir: Path) -> None:
    metrics = Metrics()
    app = create_app(settings(content_dir, BUILD_MODE="process", METRICS=metrics))
    state = app.extensions[EXTENSION]
    try:
        assert state.builder is None and state.publisher is not None
        assert state.publisher.pid != os.getpid()
        assert metrics.registry.get_sample_value("feedsvc_snapshot_builds_total", {"outcome": "ok"}) == 1
        inline = create_app(settings(content_dir)).test_client().get("/feed.atom").data
        assert app.test_client().get("/feed.atom").data == inline
    finally:
        state.close()


def test_the_gunicorn_app_builds_in_a_publisher_and_leaves_the_hub_to_the_hooks(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_gunicorn_app(settings(content_dir))
    try:
        assert app.config["BUILD_MODE"] == "process" and app.config["WEBSUB_ANNOUNCE_AT_START"] is False
        assert app.extensions[EXTENSION].publisher is not None
    finally:
        app.extensions[EXTENSION].close()
    monkeypatch.setenv("FEEDSVC_BUILD_MODE", "inline")  # the environment still decides
    assert create_gunicorn_app(settings(content_dir)).extensions[EXTENSION].publisher is None


def test_an_app_that_fails_to_start_leaves_no_publisher_process_running(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the routes could not be registered")

    monkeypatch.setattr("feedsvc.app.register_routes", broken)
    before = Census.take()
    with pytest.raises(RuntimeError, match="could not be registered"):
        create_app(settings(content_dir, BUILD_MODE="process"))
    # nobody holds the app to close it: the publisher process stopped (and was reaped) with the error
    assert before.leftovers(grace=0.0) == []


def test_web_only_registers_routes_serving_the_state_it_is_given(content_dir: Path) -> None:
    app = Flask("feedsvc")
    app.config["PAGE_MAX_AGE"] = 60
    app.config["CONTENT_DIR"] = str(content_dir)
    app.extensions[EXTENSION] = SiteState(load_snapshot(content_dir, now=NOW, ledger="ignore"))
    register_routes(app)
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/feed.atom").status_code == 200
    assert client.get("/healthz").get_json()["articles"] == 3
    assert not (content_dir / ".feedsvc" / "cache").exists()  # registering built nothing


# --- the public API and __all__ ------------------------------------------------------


def test_the_package_lists_its_api_and_each_name_imports() -> None:
    assert {"__version__", "create_app", "clean_html"} <= set(feedsvc.__all__)
    namespace: dict[str, object] = {}
    exec("from feedsvc import *", namespace)
    assert set(feedsvc.__all__) <= namespace.keys()
    assert namespace["create_app"] is create_app
    assert set(feedsvc.__all__) <= set(dir(feedsvc))
    with pytest.raises(AttributeError, match="no attribute 'create_ap'"):
        feedsvc.create_ap  # noqa: B018


def test_importing_the_package_loads_neither_flask_nor_the_cleaner() -> None:
    code = "import sys, feedsvc; print(sorted(m for m in ('flask', 'lxml', 'feedsvc.clean') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", OWN_MODULES)
def test_every_module_has_a_true_all(name: str) -> None:
    module = importlib.import_module(name)
    assert isinstance(module.__all__, list | tuple)
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(module.__all__) <= namespace.keys()
