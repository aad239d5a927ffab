"""An article that was published and then fails to load keeps its last good version, until a deliberate act."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import feedsvc.build.builder as builder_module
from feedsvc.build.builder import Builder
from support.factories import with_icon, write_article
from support.sites import NEWS_SITE_TOML, blank_site
from support.stats import stat_denied

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SLUGS = ("alpha", "beta", "gamma")


def _site(tmp_path: Path) -> Path:
    content = blank_site(tmp_path / "content", NEWS_SITE_TOML + "max_article_bytes = 20000\n")
    for day, slug in enumerate(SLUGS, start=1):
        write_article(content, slug, f"2024-05-0{day}T10:00:00+04:00", tags=("Harbour",))
    return content


def _builder(content: Path) -> Builder:
    return Builder(content, cache_dir=content / ".feedsvc" / "cache")


def _unclosed_sidecar(page: Path) -> None:
    page.with_suffix(".toml").write_text('published = 2024-05-01T10:00:00+04:00\ntags = ["A"\n', encoding="utf-8")


def _binary_junk(page: Path) -> None:
    page.write_bytes(bytes(range(256)) * 8)


def _saved_empty(page: Path) -> None:
    page.write_bytes(b"")


def _over_the_size_cap(page: Path) -> None:
    page.write_text("<html><body><article><p>" + "words " * 5000 + "</p></article></body></html>", encoding="utf-8")


def _nothing_left_after_cleaning(page: Path) -> None:
    page.write_text("<html><body><script>var x = 1;</script></body></html>", encoding="utf-8")


BREAKAGES = [_unclosed_sidecar, _binary_junk, _saved_empty, _over_the_size_cap, _nothing_left_after_cleaning]


@pytest.mark.parametrize("break_it", BREAKAGES)
def test_a_published_article_that_stops_loading_keeps_its_last_good_version(
    tmp_path: Path, break_it: Callable[[Path], None]
) -> None:
    content = _site(tmp_path)
    builder = _builder(content)
    good = builder.build(NOW)
    page = content / "articles" / "beta.html"
    break_it(page)
    held = builder.build(NOW)
    assert [a.slug for a in held.catalog.articles] == [a.slug for a in good.catalog.articles]
    assert held.catalog.version == good.catalog.version  # every feed, page and ETag as it was
    assert held.catalog.by_slug["beta"].content_html == good.catalog.by_slug["beta"].content_html
    holds = [p for p in held.catalog.problems if p.severity == "held"]
    assert holds and {p.path.stem for p in holds} == {"beta"}
    assert all(p.since is not None and "last good version ('beta')" in p.served for p in holds)
    assert not [p for p in held.catalog.problems if p.severity == "error"]

    # after a restart (a new builder on the same build cache), as in `feedsvc build` and `check`
    restarted = _builder(content).build(NOW)
    assert restarted.catalog.version == good.catalog.version
    assert {p.path.stem for p in restarted.catalog.problems if p.severity == "held"} == {"beta"}

    # a version that loads is published at once
    write_article(content, "beta", "2024-05-02T10:00:00+04:00", text="The corrected story of beta, told again.")
    fixed = builder.build(NOW)
    assert "corrected story" in fixed.catalog.by_slug["beta"].content_html
    assert not [p for p in fixed.catalog.problems if p.severity in ("held", "error")]


def test_a_second_bad_save_still_serves_the_first_good_version(tmp_path: Path) -> None:
    content = _site(tmp_path)
    builder = _builder(content)
    good = builder.build(NOW)
    page = content / "articles" / "gamma.html"
    _saved_empty(page)
    builder.build(NOW)
    _binary_junk(page)
    again = builder.build(NOW)
    assert again.catalog.version == good.catalog.version
    assert [p.message[:17] for p in again.catalog.problems if p.severity == "held"] == ["is mostly control"]


@pytest.mark.parametrize("restart", [False, True], ids=["same-process", "after-a-restart"])
def test_only_deleting_or_withdrawing_removes_a_held_article(tmp_path: Path, restart: bool) -> None:
    content = _site(tmp_path)
    builder = _builder(content)
    builder.build(NOW)
    _saved_empty(content / "articles" / "alpha.html")
    _binary_junk(content / "articles" / "beta.html")
    builder.build(NOW)
    # withdrawn on purpose: gone (410), whatever its page holds
    write_article(content, "alpha", "2024-05-01T10:00:00+04:00", status="withdrawn")
    for name in ("beta.html", "beta.toml"):
        (content / "articles" / name).unlink()
    builder = _builder(content) if restart else builder
    after = builder.build(NOW)
    assert [a.slug for a in after.catalog.articles] == ["gamma"]
    assert "alpha" in after.catalog.gone
    assert not [p for p in after.catalog.problems if p.severity == "held"]
    # and a later broken file of the same name is not brought back from the cache
    (content / "articles" / "beta.html").write_bytes(b"")
    again = _builder(content).build(NOW)
    assert [a.slug for a in again.catalog.articles] == ["gamma"]
    assert [p.severity for p in again.catalog.problems if p.path.name == "beta.html"] == ["error"]


def test_a_file_never_published_is_rejected_not_held(tmp_path: Path) -> None:
    content = _site(tmp_path)
    builder = _builder(content)
    builder.build(NOW)
    (content / "articles" / "delta.html").write_bytes(b"")
    built = builder.build(NOW)
    problems = [p for p in built.catalog.problems if p.path.name == "delta.html"]
    assert [p.severity for p in problems] == ["error"] and problems[0].since is not None
    assert os.path.exists(content / "articles" / "delta.html")


def _page_stat_denied(page: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    # (a stand-in: the tests run as root. test_permissions_as_user.py has the kernel refuse uid 65534 for real)
    return stat_denied(monkeypatch, page.name)


def _a_symlink_loop(path: Path) -> Callable[[], None]:
    """Put a symlink to itself in place of ``path`` (ELOOP: it stops root too); return what takes it away."""
    path.unlink()
    path.symlink_to(path.name)
    return path.unlink


def _page_a_symlink_loop(page: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    return _a_symlink_loop(page)


def _sidecar_a_symlink_loop(page: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    return _a_symlink_loop(page.with_suffix(".toml"))


@pytest.mark.parametrize(
    ("break_it", "name", "reason"),
    [
        (_page_a_symlink_loop, "beta.html", "Too many levels of symbolic links"),
        (_sidecar_a_symlink_loop, "beta.toml", "Too many levels of symbolic links"),
        (_page_stat_denied, "beta.html", "Permission denied"),
    ],
    ids=["page-a-symlink-loop", "sidecar-a-symlink-loop", "page-stat-denied"],
)
def test_a_published_article_that_cannot_be_statted_is_held_and_the_rest_published(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    break_it: Callable[[Path, pytest.MonkeyPatch], Callable[[], None]],
    name: str,
    reason: str,
) -> None:
    content = _site(tmp_path)
    builder = _builder(content)
    good = builder.build(NOW)
    undo = break_it(content / "articles" / "beta.html", monkeypatch)
    write_article(content, "gamma", "2024-05-03T10:00:00+04:00", text="The story of gamma, with its update.")
    # listed without it, it was withdrawn as deleted (main); a fault of the whole folder, nothing was built and
    # gamma's edit waited with it. Held instead, saying which file and why; every other edit published
    for built in (builder.build(NOW), _builder(content).build(NOW)):  # and after a restart, from the cache's record
        assert [a.slug for a in built.catalog.articles] == [a.slug for a in good.catalog.articles]
        assert built.catalog.by_slug["beta"].content_html == good.catalog.by_slug["beta"].content_html
        assert "with its update" in built.catalog.by_slug["gamma"].content_html
        holds = [p for p in built.catalog.problems if p.severity == "held"]
        assert [(p.path, p.message) for p in holds] == [
            (content / "articles" / name, f"cannot be read ({reason}); check that it is a readable file")
        ]
        assert holds[0].since is not None and holds[0].since.year >= 2026 and "('beta')" in holds[0].served
    undo()
    write_article(content, "beta", "2024-05-02T10:00:00+04:00", text="The corrected story of beta, told again.")
    fixed = builder.build(NOW)
    assert "corrected story" in fixed.catalog.by_slug["beta"].content_html
    assert not [p for p in fixed.catalog.problems if p.severity in ("held", "error")]


def test_a_file_never_published_that_cannot_be_statted_is_rejected_naming_it(tmp_path: Path) -> None:
    content = _site(tmp_path)
    builder = _builder(content)
    builder.build(NOW)
    _a_symlink_loop(write_article(content, "delta", "2024-05-04T10:00:00+04:00"))
    built = builder.build(NOW)
    assert [a.slug for a in built.catalog.articles] == list(reversed(SLUGS))
    problems = [(p.severity, p.path.name, p.message) for p in built.catalog.problems if p.path.stem == "delta"]
    message = "cannot be read (Too many levels of symbolic links); check that it is a readable file"
    assert problems == [("error", "delta.html", message)]


def test_a_broken_icon_is_dated_by_when_it_was_saved_so_not_by_the_start_that_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = _site(tmp_path)
    icon = with_icon(content)
    _builder(content).build(NOW)
    icon.write_text("<html>", encoding="utf-8")  # saved broken now, found by a start much later
    stat = icon.stat()
    saved = datetime.fromtimestamp(max(stat.st_mtime, stat.st_ctime), UTC).replace(microsecond=0)

    class _Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:
            return datetime(2031, 1, 1, tzinfo=UTC)

    monkeypatch.setattr(builder_module, "datetime", _Later)
    (held,) = [p for p in _builder(content).build(NOW).catalog.problems if p.path == icon]
    assert held.severity == "held" and held.since == saved  # as an article's: its save, not 2031's start
    icon.unlink()  # a file gone has no save time: since the start that first found it gone
    (gone,) = [p for p in _builder(content).build(NOW).catalog.problems if p.path == icon]
    assert gone.since == datetime(2031, 1, 1, tzinfo=UTC)
