"""An article readers already have under another id: `feedsvc check` warns before it is published, the build that
publishes it says so once, and after that nothing is left to warn of (finding F6 of session 35): an id pinned,
taken off, a file renamed (edited or not), another article saved under a deleted one's name (session 36; undated,
session 38)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from feedsvc.build.state import JOURNAL_FILE, REVISIONS_FILE, read_ledger, state_path
from feedsvc.catalog.revisions import dump_ledger
from feedsvc.cli.main import main
from support.catalog_sources import FERRY, HARBOUR, HARBOUR_EDITED
from support.factories import write_article
from support.sites import blank_site

OLD_ID = "tag:news.example.org,2024:2024-03-01:articles/poti-crane"
TBILISI = ZoneInfo("Asia/Tbilisi")  # the news site's time zone (support.sites)
NEW_ID = "urn:uuid:0e3c2b44-9f56-4c1c-a3c8-1a2b3c4d5e6f"
WARNING = (
    f"new entry id: the `id` pinned in its sidecar is not the one readers have ({OLD_ID!r}), and they will see "
    f'this article as a new entry; pin id = "{OLD_ID}" to keep theirs, or keep the new one on purpose'
)


def run(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout, result.stderr


def warned_until_published(content: Path, out: Path, warning: str) -> None:
    """`feedsvc check` says ``warning``, so does the build that publishes the new id, and the next build does not."""
    assert warning in run("check", "--content", str(content))[0]
    assert warning in run("build", str(out / "publishing"), "--content", str(content))[1]
    assert warning not in run("build", str(out / "after"), "--content", str(content))[1]


def test_pinning_an_id_on_a_published_article_is_warned_of_by_check_and_by_the_build_that_publishes_it(
    tmp_path: Path,
) -> None:
    content = blank_site(tmp_path / "content")
    write_article(content, "poti-crane", "2024-03-01T09:00:00+04:00")
    run("build", str(tmp_path / "first"), "--content", str(content))
    assert OLD_ID in (tmp_path / "first" / "feed.atom").read_text(encoding="utf-8")
    sidecar = content / "articles" / "poti-crane.toml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + f'id = "{NEW_ID}"\n', encoding="utf-8")
    for _ in range(2):  # check writes no id to the ledger: it says so every time, before anything is published
        said, _ = run("check", "--content", str(content))
        assert WARNING in said
    _, said = run("build", str(tmp_path / "second"), "--content", str(content))
    assert WARNING in said  # the build that gives readers the new id says what they will see
    assert NEW_ID in (tmp_path / "second" / "feed.atom").read_text(encoding="utf-8")
    # published with the new id on purpose: the ledger records it, and nothing is left to warn of
    _, said = run("build", str(tmp_path / "third"), "--content", str(content))
    assert WARNING not in said
    assert WARNING not in run("check", "--content", str(content))[0]


def test_renaming_a_published_article_is_warned_of_with_the_old_name(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content")
    write_article(content, "poti-crane", "2024-03-01T09:00:00+04:00")
    run("build", str(tmp_path / "first"), "--content", str(content))
    for suffix in (".html", ".toml"):
        (content / "articles" / f"poti-crane{suffix}").rename(content / "articles" / f"poti-port-crane{suffix}")
    said, _ = run("check", "--content", str(content))
    assert f'readers have {OLD_ID!r}, and will see it as a new entry; pin id = "{OLD_ID}" in its sidecar' in said
    warned_until_published(
        content, tmp_path, "poti-port-crane.html: new entry id: this article was published as 'poti-crane'"
    )
    # renamed again: readers got the second name's id last (the feed carries it), and the warning names that one
    for suffix in (".html", ".toml"):
        (content / "articles" / f"poti-port-crane{suffix}").rename(content / "articles" / f"crane{suffix}")
    said, _ = run("check", "--content", str(content))
    second = OLD_ID.replace("articles/poti-crane", "articles/poti-port-crane")
    assert "crane.html: new entry id: this article was published as 'poti-port-crane'" in said
    assert f'readers have {second!r}, and will see it as a new entry; pin id = "{second}"' in said


def test_a_rename_with_an_edit_or_without_its_sidecar_is_warned_of_with_the_old_name(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content")
    write_article(content, "poti-crane", "2024-03-01T09:00:00+04:00", title="Poti gets a crane")
    run("build", str(tmp_path / "first"), "--content", str(content))
    articles = content / "articles"
    # renamed and its words edited at once: its title and day tell
    page = (articles / "poti-crane.html").read_text(encoding="utf-8")
    (articles / "poti-port-crane.html").write_text(page.replace("</p>", " Corrected.</p>"), encoding="utf-8")
    (articles / "poti-crane.html").unlink()
    (articles / "poti-crane.toml").rename(articles / "poti-port-crane.toml")
    warned_until_published(
        content, tmp_path, "poti-port-crane.html: new entry id: this article was published as 'poti-crane'"
    )
    # renamed again, its sidecar (and so its date) left behind: its title and words tell
    (articles / "poti-port-crane.html").rename(articles / "crane.html")
    said = run("build", str(tmp_path / "fourth"), "--content", str(content))[1]
    assert "crane.html: new entry id: this article was published as 'poti-port-crane'" in said


def test_taking_a_pinned_id_off_is_warned_of_with_the_id_readers_have(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content")
    write_article(content, "poti-crane", "2024-03-01T09:00:00+04:00")
    sidecar = content / "articles" / "poti-crane.toml"
    unpinned = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(unpinned + f'id = "{NEW_ID}"\n', encoding="utf-8")
    run("build", str(tmp_path / "first"), "--content", str(content))
    assert NEW_ID in (tmp_path / "first" / "feed.atom").read_text(encoding="utf-8")
    sidecar.write_text(unpinned, encoding="utf-8")
    warning = f"readers have the `id` that was pinned in its sidecar ({NEW_ID!r}), and without it they will see"
    for _ in range(2):
        assert warning in run("check", "--content", str(content))[0]
    _, said = run("build", str(tmp_path / "second"), "--content", str(content))
    assert warning in said and f'pin id = "{NEW_ID}" again to keep theirs' in said
    assert OLD_ID in (tmp_path / "second" / "feed.atom").read_text(encoding="utf-8")
    assert warning not in run("build", str(tmp_path / "third"), "--content", str(content))[1]


def test_another_article_saved_under_a_deleted_ones_name_gets_an_id_of_its_own(tmp_path: Path) -> None:
    content = blank_site(tmp_path / "content")
    write_article(content, "poti-crane", "2024-03-01T09:00:00+04:00", title="Poti gets a crane")
    run("build", str(tmp_path / "first"), "--content", str(content))
    for suffix in (".html", ".toml"):
        (content / "articles" / f"poti-crane{suffix}").unlink()
    run("build", str(tmp_path / "second"), "--content", str(content))
    write_article(
        content, "poti-crane", "2024-05-20T09:00:00+04:00", title="A second crane for Poti",
        text="The port ordered another crane, bigger than the first, to arrive next spring.",
    )  # fmt: skip
    said, _ = run("check", "--content", str(content))
    assert f"new entry id: this is not the article readers have under this name ({OLD_ID!r})" in said
    _, said = run("build", str(tmp_path / "third"), "--content", str(content))
    assert "this is not the article readers have" in said
    feed = (tmp_path / "third" / "feed.atom").read_text(encoding="utf-8")
    assert "tag:news.example.org,2024:2024-05-20:articles/poti-crane" in feed and OLD_ID not in feed
    assert "this is not the article" not in run("build", str(tmp_path / "fourth"), "--content", str(content))[1]


def _first_seen_days_ago(content: Path, slug: str, days: int) -> str:
    """Move the ledger's record of ``slug`` (undated: first seen, and its id made, that day) ``days`` back, as if
    the build that first saw it ran then; return its id day. The ledger is written whole, without a journal."""
    ledger, problem = read_ledger(content)
    assert problem is None
    entry = ledger[slug]
    assert entry.first_seen is not None
    first = entry.first_seen - timedelta(days=days)
    ledger[slug] = replace(entry, since=first, first_seen=first, id_day=first.astimezone(TBILISI).date().isoformat())
    state_path(content, JOURNAL_FILE).unlink(missing_ok=True)
    state_path(content, REVISIONS_FILE).write_text(dump_ledger(ledger), encoding="utf-8")
    return ledger[slug].id_day


def test_an_undated_article_edited_keeps_its_id_and_another_under_its_name_gets_its_own(tmp_path: Path) -> None:
    # no date in the page and no sidecar: its id is made of the day feedsvc first saw it, kept in the ledger
    content = blank_site(tmp_path / "content")
    page = content / "articles" / "pier.html"
    page.write_text(
        f"<html><body><article><h1>North pier closed</h1><p>{HARBOUR}</p></article></body></html>", encoding="utf-8"
    )
    run("build", str(tmp_path / "first"), "--content", str(content))
    day = _first_seen_days_ago(content, "pier", 9)
    old_id = f"tag:news.example.org,2024:{day}:articles/pier"
    # its headline and some words edited in one save: the same article, its id and date as readers have them
    page.write_text(
        f"<html><body><article><h1>Pier to stay shut</h1><p>{HARBOUR_EDITED}</p></article></body></html>",
        encoding="utf-8",
    )
    said, _ = run("check", "--content", str(content))
    assert "new entry id" not in said
    run("build", str(tmp_path / "edited"), "--content", str(content))
    assert old_id in (tmp_path / "edited" / "feed.atom").read_text(encoding="utf-8")
    # deleted, and another undated article saved under its name: an id of its own, warned of with the old one
    page.unlink()
    run("build", str(tmp_path / "deleted"), "--content", str(content))
    page.write_text(
        f"<html><body><article><h1>Island ferry cancelled</h1><p>{FERRY}</p></article></body></html>", encoding="utf-8"
    )
    said, _ = run("check", "--content", str(content))
    assert f"new entry id: this is not the article readers have under this name ({old_id!r})" in said
    assert "its title and words differ and it shares next to none of that article's text" in said
    _, said = run("build", str(tmp_path / "third"), "--content", str(content))
    assert "this is not the article readers have" in said
    feed = (tmp_path / "third" / "feed.atom").read_text(encoding="utf-8")
    assert ":articles/pier" in feed and old_id not in feed
    assert "this is not the article" not in run("build", str(tmp_path / "fourth"), "--content", str(content))[1]


def test_another_article_saved_under_a_deleted_ones_name_on_its_day_gets_a_numbered_id(tmp_path: Path) -> None:
    # the id is the day and the name: the same day, the deleted article's id would make it that entry's update in
    # every reader (session 39). Its own id, in every feed, warned of; the page under the name is the new article
    content = blank_site(tmp_path / "content")
    write_article(content, "poti-crane", "2024-03-01T09:00:00+04:00", title="Poti gets a crane", text=HARBOUR)
    run("build", str(tmp_path / "first"), "--content", str(content))
    for suffix in (".html", ".toml"):
        (content / "articles" / f"poti-crane{suffix}").unlink()
    run("build", str(tmp_path / "second"), "--content", str(content))
    write_article(content, "poti-crane", "2024-03-01T17:00:00+04:00", title="Island ferry cancelled", text=FERRY)
    new_id = f"{OLD_ID}/2"
    said, _ = run("check", "--content", str(content))
    assert f"new entry id: this is not the article readers have under this name ({OLD_ID!r})" in said
    assert f"with an id of its own ({new_id!r}" in said and f"id:        {new_id}" in said
    assert "its date is that article's day, but its title and words differ and it shares next to none" in said
    _, said = run("build", str(tmp_path / "third"), "--content", str(content))
    assert f"with an id of its own ({new_id!r}" in said
    out = tmp_path / "third"
    assert f"<id>{new_id}</id>" in (out / "feed.atom").read_text(encoding="utf-8")
    assert f'<guid isPermaLink="false">{new_id}</guid>' in (out / "feed.rss").read_text(encoding="utf-8")
    assert [item["id"] for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]] == [new_id]
    assert "Island ferry cancelled" in (out / "articles" / "poti-crane.html").read_text(encoding="utf-8")
    # published: the ledger keeps the number, and the next build has the same id and nothing to warn of
    _, said = run("build", str(tmp_path / "fourth"), "--content", str(content))
    assert "this is not the article" not in said
    assert f"<id>{new_id}</id>" in (tmp_path / "fourth" / "feed.atom").read_text(encoding="utf-8")
