"""What permissions really refuse, seen by the service run as another user (uid 65534) than root.

The tests run as root, whom permissions never stop: each test here builds the
site as root (the last good version), gives the content folder to uid 65534
(a service user's content is its own), makes one file or folder root's with
the mode of the fault, and has a forked child as uid 65534 look through the
service's own entry points: the watcher's poll (which the server runs), a
builder started afresh on the same build cache (a restart), ``feedsvc check``,
``feedsvc build`` (the static export) and ``/healthz``. Nothing is stood in for: the stat, the
listing and the read fail as the kernel says. Skipped, saying why, where the
tests cannot become another user (tests/support/users.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from feedsvc.app import create_app
from feedsvc.build.builder import Builder, UnreadableContent
from feedsvc.build.representation import body_etag
from feedsvc.build.snapshot import Snapshot
from feedsvc.cli.main import main
from feedsvc.serve.watcher import Watcher
from support.factories import with_icon, write_article
from support.sites import NEWS_SITE_TOML, blank_site
from support.users import as_user, folder_for, give, restrict

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SLUGS = ("alpha", "beta", "gamma")
DENIED = "cannot be read (Permission denied); check that it is a readable file"


@dataclass
class Served:
    """A site as the server runs it: its watcher (polling, driven by the test) and what it published."""

    content: Path
    watcher: Watcher
    published: list[Snapshot]

    def poll(self) -> Snapshot:
        """Look at the folder as the server's watcher does; return the snapshot serving after it."""
        self.watcher.poll(force=True)
        return self.published[-1]


@pytest.fixture
def served() -> Iterator[Served]:
    """Three articles published by root; then the content folder (and its build cache) given to uid 65534."""
    with folder_for() as home:
        content = blank_site(home / "content", NEWS_SITE_TOML)
        for day, slug in enumerate(SLUGS, start=1):
            write_article(content, slug, f"2024-05-0{day}T10:00:00+04:00", tags=("Harbour",))
        builder = Builder(content, cache_dir=content / ".feedsvc" / "cache")
        published: list[Snapshot] = []
        site = Served(content, Watcher(builder, published.append, lambda: NOW, polling=True), published)
        assert [a.slug for a in site.poll().catalog.articles] == list(reversed(SLUGS))
        give(content)
        yield site


def _seen(snapshot: Snapshot) -> dict[str, Any]:
    """What a reader and a publisher see of ``snapshot``, as plain data (to come back from the child)."""
    catalog = snapshot.catalog
    return {
        "html": {a.slug: a.content_html for a in catalog.articles},  # (in the order published)
        "problems": sorted((p.severity, p.path.name, p.message) for p in catalog.problems),
    }


def _good(snapshot: Snapshot) -> dict[str, str]:
    return {a.slug: a.content_html for a in snapshot.catalog.articles}


def _restarted(content: Path) -> dict[str, Any]:
    """Build as a restarted server, ``feedsvc build`` or ``check`` do: a new builder on the same build cache."""
    return _seen(Builder(content, cache_dir=content / ".feedsvc" / "cache").build(NOW))


def _check(content: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    return result.exit_code, result.output


def _export(content: Path) -> tuple[int, str, list[str]]:
    """``feedsvc build`` of ``content`` into a new folder beside it: its status, its output, the pages written."""
    target = content.parent / "site"
    result = CliRunner().invoke(main, ["build", str(target), "--content", str(content)])
    pages = sorted(p.name for p in (target / "articles").glob("*.html")) if (target / "articles").is_dir() else []
    return result.exit_code, result.output, pages


def _healthz(content: Path) -> dict[str, Any]:
    """``/healthz`` of a server started on ``content`` (no watcher: a start is what is asked)."""
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "LIVE_RELOAD": False})
    try:
        report: dict[str, Any] = app.test_client().get("/healthz").get_json()
        return report
    finally:
        app.extensions["feedsvc"].close()


def test_an_articles_folder_readable_but_not_searchable_holds_every_article(served: Served) -> None:
    # r-- for others: its names list, no file in it can be statted or opened. Before session 29 every entry
    # was dropped (the site published as emptied: every article withdrawn), then the whole folder a fault
    content = served.content
    good = _good(served.published[-1])
    restrict(content / "articles", 0o744)

    def look() -> dict[str, Any]:
        return {
            "served": _seen(served.poll()),
            "restarted": _restarted(content),
            "check": _check(content),
            "healthz": _healthz(content),
            "export": _export(content),
            "fault": served.watcher.fault,
        }

    seen = as_user(look)
    held = [("held", f"{slug}.html", DENIED) for slug in sorted(SLUGS)]
    for snapshot in (seen["served"], seen["restarted"]):
        assert list(snapshot["html"].items()) == list(good.items())  # every article, as last published
        assert snapshot["problems"] == held
    assert seen["fault"] is None  # not the whole site: each article, named
    code, output = seen["check"]
    assert code == 1 and output.endswith(
        "3 published, 0 not published, 3 held at their last good version, 0 warnings\n"
    )
    assert f"held     {content}/articles/beta.html: {DENIED}\n" in output
    health = seen["healthz"]
    assert health["status"] == "degraded" and health["content"] == {"status": "ok"} and health["articles"] == 3
    assert [(h["path"], h["reason"]) for h in health["held"]] == [(f"articles/{s}.html", DENIED) for s in sorted(SLUGS)]
    assert all(h["serving"].startswith("the last good version") for h in health["held"])
    code, output, pages = seen["export"]
    assert code == 1 and pages == [f"{slug}.html" for slug in sorted(SLUGS)]
    assert output.endswith("3 articles, 0 not published, 3 held at their last good version\n")


@pytest.mark.parametrize("suffix", [".html", ".toml"], ids=["page", "sidecar"])
def test_a_page_or_sidecar_only_root_can_read_is_held_and_the_rest_published(served: Served, suffix: str) -> None:
    content = served.content
    good = _good(served.published[-1])
    write_article(content, "gamma", "2024-05-03T10:00:00+04:00", text="The story of gamma, with its update.")
    write_article(content, "delta", "2024-05-04T10:00:00+04:00")
    give(content / "articles")
    restrict(content / "articles" / f"beta{suffix}", 0o600)
    restrict(content / "articles" / f"delta{suffix}", 0o600)  # never published: not published, saying why

    def look() -> dict[str, Any]:
        return {"served": _seen(served.poll()), "restarted": _restarted(content), "check": _check(content),
                "fault": served.watcher.fault}  # fmt: skip

    seen = as_user(look)
    problems = [("error", f"delta{suffix}", DENIED), ("held", f"beta{suffix}", DENIED)]
    for snapshot in (seen["served"], seen["restarted"]):
        assert list(snapshot["html"]) == list(good) and snapshot["html"]["beta"] == good["beta"]
        assert "with its update" in snapshot["html"]["gamma"]
        assert snapshot["problems"] == problems
    assert seen["fault"] is None
    code, output = seen["check"]
    assert code == 1 and f"error    {content}/articles/delta{suffix}: {DENIED}\n" in output
    assert "3 published, 1 not published, 1 held at their last good version, 0 warnings\n" in output


@pytest.mark.parametrize("cached", [False, True], ids=["no-cache-yet", "root-built-the-cache"])
def test_a_reader_who_may_not_write_the_content_folder_checks_and_exports_it(cached: bool) -> None:
    # a publisher checking the folder the service owns, or a read-only mount: all of it readable, nothing
    # writable. The build cache's store of article bodies was made before anything was read: `check` ended
    # in a Python traceback (PermissionError), `build` wrote nothing ("[Errno 13] Permission denied: '…'")
    with folder_for() as home:
        content = blank_site(home / "content", NEWS_SITE_TOML)  # root's, 0o755 and 0o644: read, not written
        for day, slug in enumerate(SLUGS, start=1):
            write_article(content, slug, f"2024-05-0{day}T10:00:00+04:00")
        if cached:
            Builder(content, cache_dir=content / ".feedsvc" / "cache").build(NOW)

        def look() -> dict[str, Any]:
            result = CliRunner().invoke(main, ["check", "--content", str(content)])
            crashed = result.exception if not isinstance(result.exception, SystemExit) else None
            return {"check": (result.exit_code, result.output, repr(crashed)), "export": _export(content)}

        seen = as_user(look)
    code, output, crashed = seen["check"]
    assert (code, crashed) == (0, "None") and output.endswith("3 published, 0 not published, 0 held at their "
                                                              "last good version, 0 warnings\n")  # fmt: skip
    code, output, pages = seen["export"]
    assert pages == [f"{slug}.html" for slug in sorted(SLUGS)], output  # every page written
    unrecorded = f"error    {content}/.feedsvc/revisions.json: cannot be written (Permission denied)"
    # dates given for the first time (no ledger yet) cannot be recorded: said, and the export's exit 1
    assert (code, unrecorded in output) == ((0, False) if cached else (1, True)), output
    # every article written: counted as none not published (it said "1 not published"), the ledger on its own
    summary = "3 articles, 0 not published, 0 held at their last good version\n"
    other = "" if cached else f"1 other problem: {content}/.feedsvc/revisions.json\n"
    assert output.endswith(summary + other), output


RULES = 'strip = [".promo"]\n'


@pytest.mark.parametrize("fault", ["rules-folder-not-searchable", "rules-file-root-only"])
def test_rules_that_cannot_be_read_are_named_not_applied_and_the_articles_published(served: Served, fault: str) -> None:
    content = served.content
    good = _good(served.published[-1])
    rules = content / "rules"
    rules.mkdir()
    (rules / "news.example.org.toml").write_text(RULES, encoding="utf-8")
    give(rules)
    if fault == "rules-folder-not-searchable":
        restrict(rules, 0o744)
    else:
        restrict(rules / "news.example.org.toml", 0o600)

    def look() -> dict[str, Any]:
        return {"served": _seen(served.poll()), "restarted": _restarted(content), "fault": served.watcher.fault,
                "check": _check(content)}  # fmt: skip

    seen = as_user(look)
    message = "could not read the rules file (Permission denied); its rules are not applied"
    for snapshot in (seen["served"], seen["restarted"]):
        assert snapshot["html"] == good
        assert snapshot["problems"] == [("error", "news.example.org.toml", message)]
    assert seen["fault"] is None
    # every article published: none counted as not published (it said "1 not published"), the rules file apart
    code, output = seen["check"]
    summary = "3 published, 0 not published, 0 held at their last good version, 0 warnings\n"
    assert code == 1 and output.endswith(f"{summary}1 other problem: {rules / 'news.example.org.toml'}\n"), output


def test_an_articles_folder_that_cannot_be_listed_keeps_the_last_good_snapshot(served: Served) -> None:
    content = served.content
    restrict(content / "articles", 0o700)  # --- for others: not even its names

    def look() -> dict[str, Any]:
        served.watcher.poll(force=True)
        restart = None  # (built: 28c02da published the folder as emptied)
        try:
            _restarted(content)
        except UnreadableContent as error:
            restart = str(error)
        return {"published": len(served.published), "fault": served.watcher.fault, "restart": restart,
                "check": _check(content), "export": _export(content)}  # fmt: skip

    seen = as_user(look)
    # nothing published (28c02da: the folder published as emptied): the last good snapshot still serves,
    # and the fault names the folder and why
    assert seen["published"] == len(served.published)
    fault = seen["fault"]
    assert (fault["path"], fault["reason"]) == (f"{content}/articles", "cannot read the content: Permission denied")
    assert seen["restart"] == f"cannot read the content: {content}/articles: Permission denied"
    said = f"Error: cannot read the content: {content}/articles: Permission denied\n"
    assert seen["check"] == (1, said) and seen["export"] == (1, said, [])  # nothing written


def test_a_content_folder_readable_but_not_searchable_keeps_the_last_good_snapshot(served: Served) -> None:
    content = served.content
    restrict(content, 0o744)  # r-- for uid 65534: not even site.toml can be statted

    def look() -> dict[str, Any]:
        served.watcher.poll(force=True)
        return {"published": len(served.published), "fault": served.watcher.fault, "check": _check(content),
                "export": _export(content)}  # fmt: skip

    seen = as_user(look)
    assert seen["published"] == len(served.published)  # nothing published: the last good snapshot serves
    assert seen["fault"] is not None and seen["fault"]["reason"] == "cannot read the content: Permission denied"
    assert seen["fault"]["path"] == f"{content}/site.toml"
    # (118cc9d: check ended in a traceback, the build cache in the folder could not be made)
    said = f"Error: {content}/site.toml: cannot be read (Permission denied); check that it is a readable file\n"
    assert seen["check"] == (1, said) and seen["export"][:2] == (1, said)


def _picture_folder_not_searchable(picture: Path) -> Path:
    """Make the folder of ``picture`` r-- for uid 65534 (the file there, its stat refused); return what to give back."""
    restrict(picture.parent, 0o744)
    return picture.parent


def _picture_root_only(picture: Path) -> Path:
    """Make ``picture`` root's alone (statted, its read refused); return what to give back."""
    restrict(picture, 0o600)
    return picture


@pytest.mark.parametrize("key", ["icon", "logo"])
@pytest.mark.parametrize("break_it", [_picture_folder_not_searchable, _picture_root_only])
def test_an_icon_or_logo_that_cannot_be_read_is_said_so_not_missing(
    served: Served, key: str, break_it: Callable[[Path], Path]
) -> None:
    # a publisher told "does not exist" looks for a file that is there: "cannot be read (Permission denied)"
    # says what to fix. A picture whose folder could not be searched was listed as a missing one: once the
    # service had said "does not exist", the picture put back there unreadable was not read again, and the
    # publisher was still told it does not exist. And the site goes on: the picture's file is held at the bytes
    # last read, by the running server and by a restart (from the build cache), where a restart refused to start
    content = served.content
    picture = with_icon(content, name="media/site.png", named=False)
    site_toml = content / "site.toml"
    site_toml.write_text(site_toml.read_text(encoding="utf-8") + f'{key} = "media/site.png"\n', encoding="utf-8")
    image = getattr(served.poll().catalog.site, key)
    assert image is not None
    give(content)
    picture.unlink()
    gone = served.poll()  # (missing for root as for anyone)
    assert served.watcher.fault is None and getattr(gone.catalog.site, key) == image
    assert _picture_problem(gone, picture)[1].endswith(
        "which does not exist; put the picture there or correct the path"
    )
    with_icon(content, name="media/site.png", named=False)  # put back, but unreadable to the service
    broken = break_it(picture)
    said = f"site.toml's '{key}' names this file: {DENIED}"

    def unreadable() -> dict[str, Any]:
        running = served.poll()
        restarted = Builder(content, cache_dir=content / ".feedsvc" / "cache").build(NOW)
        return {
            "fault": served.watcher.fault,
            "running": (getattr(running.catalog.site, key), _picture_problem(running, picture)),
            "restarted": (getattr(restarted.catalog.site, key), _picture_problem(restarted, picture), _good(restarted)),
            "check": _check(content),
            "healthz": _healthz(content),
        }

    seen = as_user(unreadable)
    assert seen["fault"] is None
    assert seen["running"] == (image, ("held", said)) and seen["restarted"][:2] == (image, ("held", said))
    assert list(seen["restarted"][2]) == list(reversed(SLUGS))  # every article, as the running server has them
    code, output = seen["check"]
    assert code == 1 and f"held     {picture}: {said}\n" in output and "3 published, 0 not published, 0 held" in output
    assert output.endswith(f"1 other problem: {picture}\n"), output
    health = seen["healthz"]
    assert (health["status"], health["articles"], health["rejected"], health["held"]) == ("degraded", 3, [], [])
    (other,) = health["other_problems"]
    assert (other["path"], other["reason"], other["fix"]) == (
        "media/site.png",
        f"site.toml's '{key}' names this file: {DENIED}",
        "check that it is a readable file",
    )
    assert other["serving"].startswith(f"the last good version (sha256 {image.digest}), saved ")  # fmt: skip
    give(broken)  # fixed: uid 65534's again
    broken.chmod(0o755 if broken.is_dir() else 0o644)

    def fixed() -> tuple[dict[str, str] | None, str | None, Any]:
        snapshot = served.poll()
        image = getattr(snapshot.catalog.site, key)
        return served.watcher.fault, image.digest if image else None, _picture_problem(snapshot, picture)

    fault, digest, problem = as_user(fixed)
    assert fault is None and digest and problem is None


def _picture_problem(snapshot: Snapshot, picture: Path) -> tuple[str, str] | None:
    """The severity and message of ``snapshot``'s problem with the file ``picture``, if it has one."""
    found = [(p.severity, p.message) for p in snapshot.catalog.problems if p.path == picture]
    return found[0] if found else None


def _picture_deleted(picture: Path) -> Path:
    """Delete ``picture`` (as root: gone for anyone); return its folder."""
    picture.unlink()
    return picture.parent


@pytest.mark.parametrize("key", ["icon", "logo"])
@pytest.mark.parametrize("break_it", [_picture_root_only, _picture_folder_not_searchable, _picture_deleted])
def test_an_icon_or_logo_that_cannot_be_read_after_the_build_is_served_as_built(
    key: str, break_it: Callable[[Path], Path]
) -> None:
    # every page of the last good snapshot still links the picture: it answered 404 "cannot be read (Permission
    # denied)" (08e2518), read from the file when first asked for, while the site was reported stale
    with folder_for() as home:
        content = blank_site(home / "content", NEWS_SITE_TOML + f'{key} = "media/site.png"\n')
        picture = with_icon(content, name="media/site.png", named=False)
        write_article(content, "alpha", "2024-05-01T10:00:00+04:00")
        app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "LIVE_RELOAD": False, "SETTLE_SECONDS": 0,
                          "CLOCK": lambda: NOW})  # fmt: skip
        state = app.extensions["feedsvc"]
        watcher = Watcher(state.builder, state.replace, lambda: NOW, polling=True)
        built = picture.read_bytes()
        give(content)
        break_it(picture)
        paths = ("/favicon.ico", "/icon.png") if key == "icon" else ("/logo.png",)

        def answers(client: Any) -> dict[str, tuple[int, bytes, str | None]]:
            return {path: (r.status_code, r.data, r.headers.get("ETag")) for path in paths for r in [client.get(path)]}

        def look() -> dict[str, Any]:
            watcher.poll(force=True)
            seen = {"fault": watcher.fault, "answers": answers(app.test_client())}
            # and the whole service started again (on the same build cache), which refused to start
            again = create_app(
                {"TESTING": True, "CONTENT_DIR": str(content), "LIVE_RELOAD": False, "CLOCK": lambda: NOW}
            )
            try:
                client = again.test_client()
                health = client.get("/healthz").get_json()
                feed = client.get("/feed.atom")
                seen["restart"] = {"answers": answers(client), "others": health["other_problems"],
                                   "status": health["status"], "feed": (feed.status_code, feed.headers["ETag"])}  # fmt: skip
            finally:
                again.extensions["feedsvc"].close()
            return seen

        feed = app.test_client().get("/feed.atom").headers["ETag"]
        seen = as_user(look)
        app.extensions["feedsvc"].close()
    said = "which does not exist" if break_it is _picture_deleted else DENIED
    assert seen["fault"] is None  # the picture's file is held: the site goes on publishing
    restart = seen["restart"]
    (other,) = restart["others"]
    assert other["path"] == "media/site.png" and said in other["reason"] and other["serving"]
    assert restart["status"] == "degraded" and restart["feed"] == (200, feed)  # the same feed, with its icon
    for path in paths:
        assert seen["answers"][path] == (200, built, f'"{body_etag(built)}"'), path
        assert restart["answers"][path] == (200, built, f'"{body_etag(built)}"'), path
