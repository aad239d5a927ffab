"""build/files.py: the code a cleaned article is keyed by is the code that makes it, and no other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

import feedsvc
from feedsvc.build import files
from feedsvc.build.files import LOADER_CODE, code_files

PACKAGE = Path(feedsvc.__file__).parent


def imported_from(graph: grimp.ImportGraph, starts: list[str]) -> set[str]:
    """Every feedsvc module ``starts`` import, however indirectly; the cleaner's are its own (CLEANER_VERSION)."""
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(found for found in graph.find_modules_directly_imported_by(module) if found != "feedsvc")
    return seen


def source_of(module: str) -> Path:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_every_module_loading_and_preparing_import_is_in_the_cache_key() -> None:
    graph = grimp.build_graph("feedsvc")
    used = imported_from(graph, ["feedsvc.content.loader", "feedsvc.catalog.prepare"])
    keyed = set(code_files(LOADER_CODE))
    missing = sorted(m for m in used if not m.startswith("feedsvc.clean") and source_of(m) not in keyed)
    assert not missing, f"add these modules to LOADER_CODE in feedsvc/build/files.py: {missing}"


def test_assembling_the_catalog_and_listing_the_folder_are_not_in_the_cache_key() -> None:
    # changing them must not clean every article of a site again (56 minutes at 100,000 fragments)
    keyed = set(code_files(LOADER_CODE))
    assert PACKAGE / "catalog" / "assembly.py" not in keyed
    assert PACKAGE / "content" / "listing.py" not in keyed
    assert PACKAGE / "catalog" / "prepare.py" in keyed


@pytest.fixture
def fresh_code_versions() -> Iterator[None]:
    """``code_version`` computed again from the files as they read now, and again after the test."""
    files.code_version.cache_clear()
    yield
    files.code_version.cache_clear()


@pytest.mark.parametrize(
    ("source", "refreshes"),
    [
        # the doubts, their numbers, what they count (session 36's script text in a <p>), the probe's pipeline
        ("clean/confidence.py", True),
        ("clean/policy.py", True),
        ("clean/dom.py", True),
        ("clean/__init__.py", True),
        # a stage: what it changes shows in the HTML, and CLEANER_VERSION changes with that
        ("clean/chrome.py", False),
        ("clean/scorer.py", False),
    ],
)
def test_an_edit_of_the_code_that_makes_the_doubts_refreshes_the_cached_articles(
    source: str, refreshes: bool, monkeypatch: pytest.MonkeyPatch, fresh_code_versions: None
) -> None:
    # A doubt can change with no byte of HTML (test_version.py's fingerprint the same): the cached
    # articles must still be made again, or `feedsvc check` and /healthz keep a doubt the code dropped.
    before = files.loader_version()
    edited = PACKAGE / source
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: read_bytes(path) + (b"\n# edited" if path == edited else b""))
    files.code_version.cache_clear()
    assert (files.loader_version() != before) is refreshes


def test_the_summary_read_from_the_cleaned_article_is_in_the_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # clean/summary.py makes the prepared article's summary, not its HTML: CLEANER_VERSION does not follow it
    assert PACKAGE / "clean" / "summary.py" in code_files(files.SUMMARY_CODE)
    keyed = files.loader_version()
    monkeypatch.setattr(files, "SUMMARY_CODE", ())
    assert files.loader_version() != keyed
