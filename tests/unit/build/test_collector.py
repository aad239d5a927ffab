"""build/collector.py: the cycle collector off while a start builds, on while it cleans, and as it was after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedsvc.build import builder as pipeline_builder
from feedsvc.build.builder import Builder
from feedsvc.build.collector import paused, running
from feedsvc.clean import clean_html
from support.factories import write_article

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_paused_turns_the_collector_off_in_the_block_and_on_after() -> None:
    with paused():
        assert not gc.isenabled()
        with running():
            assert gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_freezes_what_the_block_made_so_no_later_collection_walks_it() -> None:
    class Node:
        pass

    gc.unfreeze()
    with paused():
        made = [Node() for _ in range(1000)]  # the start's long-lived state
    try:
        assert gc.isenabled() and gc.get_freeze_count() >= len(made)
        assert not any(isinstance(found, Node) for found in gc.get_objects())  # outside every generation
    finally:
        gc.unfreeze()
    assert sum(isinstance(found, Node) for found in gc.get_objects()) == len(made)


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    with paused(), running():
        assert not gc.isenabled()  # running() turns on only what paused() turned off
    assert not gc.isenabled()


def test_running_outside_paused_changes_nothing() -> None:
    with running():
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_generator_closed_after_the_paused_block_leaves_the_collector_on() -> None:
    def cleaning() -> Iterator[int]:
        with running():
            yield 1
            yield 2

    with paused():
        outcomes = cleaning()
        next(outcomes)  # suspended inside running(): the build failed before reading the rest
    outcomes.close()  # closed late (a traceback held it)
    assert gc.isenabled()


def test_a_start_builds_with_the_collector_off_but_while_cleaning_and_a_publish_leaves_it_on(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    while_cleaning: list[bool] = []
    while_assembling: list[bool] = []

    def clean(html: str, base_url: str | None = None, rules: object = None) -> str:
        while_cleaning.append(gc.isenabled())
        return clean_html(html, base_url=base_url, rules=rules)  # type: ignore[arg-type]

    real = pipeline_builder.assemble_catalog

    def assemble(*args: object, **kwargs: object) -> object:
        while_assembling.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline_builder, "assemble_catalog", assemble)
    write_article(content_dir, "first", "2024-05-01T09:00:00")
    builder = Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache", clean=clean)
    builder.build(T1)
    assert while_cleaning and all(while_cleaning)  # every page cleaned with the collector on
    assert while_assembling == [False]
    assert gc.isenabled()
    write_article(content_dir, "second", "2024-05-02T09:00:00")
    (content_dir / "site.toml").write_text((content_dir / "site.toml").read_text() + "\n", encoding="utf-8")
    builder.build(T1)  # every article looked at again (the settings changed), but not a start
    assert while_assembling[1:] == [True]
    assert gc.isenabled()
