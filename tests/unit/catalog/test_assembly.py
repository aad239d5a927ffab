"""catalog/assembly.py: from loaded sources to one snapshot; bad sources cost only themselves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.catalog import assembly
from feedsvc.catalog.assembly import Assembled, Dated, assemble_catalog, build_catalog, facet_key, update_catalog
from feedsvc.catalog.prepare import entry_id, prepare_source
from feedsvc.catalog.revisions import dump_ledger, parse_ledger
from feedsvc.model import (
    ArticleSource,
    Catalog,
    Facet,
    PageMetadata,
    Prepared,
    Problem,
    Revision,
    Site,
    Source,
)
from support.catalog_sources import BODY, FERRY, HARBOUR, HARBOUR_EDITED, LONDON, gazette, source, story

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
# a third article, sharing no text with HARBOUR or FERRY
RUNWAY = (
    "Work on the island airport runway begins next week and will close it to flights for three nights in a row. "
    "Contractors will resurface the western end, repaint the markings and replace the approach lights, which date "
    "from the nineteen eighties. Patients needing an air ambulance will be flown from a field near the school."
)


@pytest.fixture
def site() -> Site:
    return gazette()


def test_missing_date_is_when_the_ledger_first_saw_it_with_a_warning_that_says_the_fix(site: Site) -> None:
    first = build_catalog([source("undated", day=None)], site, now=NOW)
    (article,) = first.articles
    assert article.published == NOW and article.entry_id.endswith(":2024-06-01:articles/undated")
    (warning,) = [p for p in first.problems if p.path == Path("articles/undated.html")]
    assert warning.severity == "warning"
    assert "published = 2024-06-01T13:00:00+01:00" in warning.message and "undated.toml" in warning.message
    # pinned: a later run (a restart, a new checkout with .feedsvc/) keeps the date and the id
    later = build_catalog([source("undated", day=None)], site, now=NOW + timedelta(days=3), ledger=first.revisions)
    assert later.articles[0].published == NOW and later.articles[0].entry_id == article.entry_id
    assert parse_ledger(dump_ledger(first.revisions))["undated"].first_seen == NOW


def test_an_undated_article_withdrawn_later_keeps_its_id_for_the_tombstone(site: Site) -> None:
    first = build_catalog([source("undated", day=None)], site, now=NOW)
    gone = replace(source("undated", day=None), status="withdrawn")
    later = build_catalog([gone], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    assert later.gone["undated"].entry_id == first.articles[0].entry_id


def test_a_future_date_is_held_back_until_then(site: Site) -> None:
    future = source("embargoed", day=20)  # 20 March 2024
    before = build_catalog([future, source("now", 1)], site, now=datetime(2024, 3, 10, tzinfo=UTC))
    assert [a.slug for a in before.articles] == ["now"]
    assert "embargoed" not in before.by_slug
    assert before.scheduled == {"embargoed": future.metadata.published}
    assert before.next_release == future.metadata.published
    assert any(p.severity == "warning" and "in the future" in p.message for p in before.problems)
    after = build_catalog([future, source("now", 1)], site, now=datetime(2024, 3, 21, tzinfo=UTC))
    assert [a.slug for a in after.articles] == ["embargoed", "now"] and after.next_release is None


def test_catalog_orders_newest_first_and_indexes_by_slug(site: Site) -> None:
    catalog = build_catalog([source("old", 1), source("new", 20), source("mid", 10)], site, now=NOW)
    assert [a.slug for a in catalog.articles] == ["new", "mid", "old"]
    assert catalog.by_slug["mid"].title == "Title mid"


def test_a_broken_source_costs_only_itself(site: Site) -> None:
    def fragile_cleaner(html: str, base_url: str | None = None, rules: object = None) -> str:
        if "explode" in html:
            raise RuntimeError("cleaner bug")
        return "<p>ok</p>"

    sources = [source("good", 2), source("bad", 3, text="explode"), source("undated", None)]
    catalog = build_catalog(sources, site, clean=fragile_cleaner, now=NOW)
    assert [a.slug for a in catalog.articles] == ["undated", "good"]  # undated: dated when first seen (NOW)
    reasons = {str(p.path): p.message for p in catalog.problems}
    assert "internal error" in reasons["articles/bad.html"]
    assert "no publication date" in reasons["articles/undated.html"]


def test_page_with_no_article_text_is_reported(site: Site) -> None:
    empty = replace(source("story"), html="<nav><a href='/'>Home</a></nav><script>x()</script>")
    catalog = build_catalog([empty], site, now=NOW)
    assert catalog.articles == ()
    assert "no article text" in catalog.problems[0].message


def test_duplicate_pinned_ids_keep_one_and_name_both_files(site: Site) -> None:
    first = replace(source("first", 2), pinned_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    second = replace(source("second", 3), pinned_id="urn:uuid:00000000-0000-4000-8000-000000000001")
    catalog = build_catalog([first, second], site, now=NOW)
    assert [a.slug for a in catalog.articles] == ["second"]
    (problem,) = catalog.problems
    assert problem.path == Path("articles/first.html")
    assert "articles/second.html" in problem.message


def test_a_file_saved_beside_a_published_article_under_its_name_does_not_take_its_slug(site: Site) -> None:
    # metro.md is published; metro.html comes later and sorts first: the published article keeps its page
    published = _file(site, "metro.md", published=datetime(2024, 3, 1, tzinfo=UTC))
    first = assemble_catalog([published], site, now=NOW)
    newcomer = _file(site, "metro.html", title="Another page", published=datetime(2024, 3, 2, tzinfo=UTC))
    for last in (first, None):  # the running service's last catalog, or only the ledger (a restart, check)
        later = assemble_catalog([newcomer, published], site, now=NOW, ledger=first.revisions, last=last)
        assert [a.title for a in later.articles] == ["Title metro.md"]
        (problem,) = later.problems
        assert problem.path == Path("articles/metro.html")
        assert "slug 'metro' is already used by metro.md; rename or remove one" in problem.message
    # two new files: the first in path order, as before
    fresh = assemble_catalog([newcomer, published], site, now=NOW)
    assert [a.title for a in fresh.articles] == ["Another page"]


def test_correcting_the_publication_date_keeps_the_entry_id_readers_have(site: Site) -> None:
    # the id is tag:…:<first-publication day>:articles/<slug>; correcting `published` a day back made it a new
    # id, which every reader showed as a second article
    first = build_catalog([source("metro", day=2)], site, now=NOW)
    (article,) = first.articles
    assert article.entry_id.endswith(":2024-03-02:articles/metro")
    ledger = parse_ledger(dump_ledger(first.revisions))  # kept in revisions.json
    assert ledger["metro"].id_day == "2024-03-02"
    corrected = build_catalog([source("metro", day=1)], site, now=NOW + timedelta(days=1), ledger=ledger)
    (again,) = corrected.articles
    assert again.published.day == 1 and again.entry_id == article.entry_id
    gone = build_catalog(
        [replace(source("metro", day=1), status="withdrawn")], site, now=NOW + timedelta(days=2), ledger=ledger
    )
    assert gone.gone["metro"].entry_id == article.entry_id  # the tombstone names the id readers have
    # a pinned id is the sidecar's to keep: nothing recorded
    pinned = replace(source("pinned", day=2), pinned_id="urn:uuid:00000000-0000-4000-8000-000000000002")
    assert build_catalog([pinned], site, now=NOW).revisions["pinned"].id_day == ""


def test_pinning_an_id_on_a_published_article_warns_that_readers_will_see_a_new_entry(site: Site) -> None:
    # readers have the id derived from the slug; a pinned one is a second entry in every reader (F6). Warned of,
    # with the fix, as long as the ledger says readers have only the old id: a build that publishes the new one
    # records it, and the warning goes (whole or incremental alike)
    first = build_catalog([source("metro", day=2)], site, now=NOW)
    (article,) = first.articles
    had = article.entry_id
    pinned = replace(source("metro", day=2), pinned_id="urn:uuid:00000000-0000-4000-8000-000000000002")
    for _ in range(2):  # `feedsvc check`, which writes no ledger, says it every time
        checked = build_catalog([pinned], site, now=NOW + timedelta(days=1), ledger=first.revisions)
        (warning,) = checked.problems
        assert warning.severity == "warning" and warning.path == article.source_path
        assert warning.message.startswith("new entry id: the `id` pinned in its sidecar is not the one readers have")
        assert f"({had!r}), and they will see this article as a new entry" in warning.message
        assert f'pin id = "{had}" to keep theirs, or keep the new one on purpose' in warning.message
    assert checked.articles[0].entry_id == pinned.pinned_id  # published with the new id all the same
    assert checked.revisions["metro"].id_day == ""  # the ledger's entry no longer names a derived id
    later = build_catalog([pinned], site, now=NOW + timedelta(days=2), ledger=checked.revisions)
    assert later.problems == ()
    # the old id pinned: what readers have, nothing to say
    kept = build_catalog([replace(pinned, pinned_id=had)], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    assert kept.problems == () and kept.articles[0].entry_id == had
    # an incremental build says what a whole one says: the warning, then, from the ledger the build left, none
    ledger: dict[str, Revision] = {}
    dated: dict[str, Dated] = {}
    state = Assembled()
    metro = _file(site, "metro.html", published=datetime(2024, 3, 2, tzinfo=UTC))
    other = _file(site, "other.html", published=datetime(2024, 3, 3, tzinfo=UTC))
    _kept(ledger, assemble_catalog([metro, other], site, now=NOW, ledger=ledger, dated=dated, state=state))
    repinned = _file(site, "metro.html", published=datetime(2024, 3, 2, tzinfo=UTC), pinned_id="urn:example:metro")
    updated = update_catalog(state, {repinned.path: repinned}, site, now=NOW, ledger=ledger, dated=dated)
    assert updated is not None
    assert [p.path.name for p in updated.problems] == ["metro.html"]
    assert updated.problems == assemble_catalog([repinned, other], site, now=NOW, ledger=dict(ledger)).problems
    _kept(ledger, updated)
    edited = _file(site, "other.html", published=datetime(2024, 3, 3, tzinfo=UTC), title="Other, edited")
    again = update_catalog(state, {edited.path: edited}, site, now=NOW, ledger=ledger, dated=dated)
    assert again is not None and again.problems == ()
    assert state.changes is not None and [a.slug for a in state.changes[1]] == ["other"]  # metro: as it was
    assert assemble_catalog([repinned, edited], site, now=NOW, ledger=dict(ledger)).problems == ()


def test_renaming_a_published_article_warns_that_readers_will_see_a_new_entry(site: Site) -> None:
    # the slug is the file name and the id is made of it: poti-crane.html renamed poti-port-crane.html is a second
    # entry in every reader. Told from a new article by its fingerprint (what readers see of it, the slug aside)
    first = build_catalog([source("poti-crane", day=2)], site, now=NOW)
    had = first.articles[0].entry_id
    renamed = replace(source("poti-crane", day=2), slug="poti-port-crane", path=Path("articles/poti-port-crane.html"))
    later = build_catalog([renamed], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    (warning,) = later.problems
    assert warning.path == Path("articles/poti-port-crane.html") and warning.severity == "warning"
    assert "this article was published as 'poti-crane' (the file name is the slug" in warning.message
    assert f'readers have {had!r}, and will see it as a new entry; pin id = "{had}" in its sidecar' in warning.message
    # published under the new name: the ledger records it, and nothing is left to warn of
    assert build_catalog([renamed], site, now=NOW + timedelta(days=2), ledger=later.revisions).problems == ()
    # the old id pinned, the old file still there (a copy), or another article: nothing to say
    kept = replace(renamed, pinned_id=had)
    assert build_catalog([kept], site, now=NOW + timedelta(days=1), ledger=first.revisions).problems == ()
    copy = [source("poti-crane", day=2), renamed]
    assert build_catalog(copy, site, now=NOW + timedelta(days=1), ledger=first.revisions).problems == ()
    # another article: its own words (the same words on the same day under another title is the article retitled)
    another = source("other", day=2, text="A story of another port altogether.")
    other = build_catalog([another], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    assert other.problems == ()


def test_a_file_renamed_twice_is_warned_of_with_the_last_name_readers_got(site: Site) -> None:
    # a, then b, then c: readers got a's id, then b's, which the feed carries now. The ledger keeps both entries,
    # alike (the same article), and named a, the first by name; pinned on c, a's id would leave b's entry a duplicate
    def moved(slug: str) -> ArticleSource:
        return replace(source("poti-crane", day=2), slug=slug, path=Path(f"articles/{slug}.html"))

    first = build_catalog([source("poti-crane", day=2)], site, now=NOW)
    second = build_catalog([moved("poti-port-crane")], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    had = second.articles[0].entry_id  # published under the new name on purpose, as warned
    ledger = parse_ledger(dump_ledger(second.revisions))
    assert ledger["poti-port-crane"].renamed_from == "poti-crane"
    (warning,) = _warned(build_catalog([moved("crane")], site, now=NOW + timedelta(days=2), ledger=ledger))
    assert "this article was published as 'poti-port-crane' (the file name is the slug" in warning
    assert f'readers have {had!r}, and will see it as a new entry; pin id = "{had}"' in warning
    # b given a's id, as the first warning advised: c's warning names that id, the one readers have
    kept = replace(moved("poti-port-crane"), pinned_id=first.articles[0].entry_id)
    second = build_catalog([kept], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    (warning,) = _warned(build_catalog([moved("crane")], site, now=NOW + timedelta(days=2), ledger=second.revisions))
    assert "published as 'poti-port-crane'" in warning and f"readers have {first.articles[0].entry_id!r}" in warning


def _warned(catalog: Catalog) -> list[str]:
    """The new-id warnings of a catalog."""
    return [p.message for p in catalog.problems if p.message.startswith("new entry id")]


def _titled(loaded: ArticleSource, title: str) -> ArticleSource:
    return replace(loaded, metadata=replace(loaded.metadata, title=title))


def test_a_published_article_renamed_and_edited_is_still_known_by_two_of_its_title_words_and_day(site: Site) -> None:
    # an edit changes the fingerprint, so the rename was not recognised (session 35): a second entry in every reader.
    # What survives: the title, the words and the day of the id readers have, kept by the ledger; two of them
    first = build_catalog([source("poti-crane", day=2)], site, now=NOW)
    had = first.articles[0].entry_id
    ledger = parse_ledger(dump_ledger(first.revisions))  # as revisions.json keeps them
    later = NOW + timedelta(days=1)

    def renamed(**changes: object) -> ArticleSource:
        moved = replace(source("poti-crane", day=2), slug="poti-port-crane", path=Path("articles/poti-port-crane.html"))
        return replace(moved, **changes)

    edited = renamed(html=BODY.format(text="First paragraph of the story, corrected."))  # title and day
    retitled = _titled(renamed(), "Poti's new crane")  # words and day
    # the sidecar left behind, and with it the date: the page's own title and the words tell
    undated = renamed(metadata=PageMetadata(title="Title poti-crane"))
    for moved in (edited, retitled, undated):
        (warning,) = _warned(build_catalog([moved], site, now=later, ledger=ledger))
        assert "this article was published as 'poti-crane'" in warning
        assert f'pin id = "{had}" in its sidecar' in warning
    # published under the new name: the ledger records it, and nothing is left to warn of
    published = build_catalog([edited], site, now=later, ledger=ledger)
    assert _warned(build_catalog([edited], site, now=later, ledger=published.revisions)) == []
    # one of them alone is no evidence: a new article of the same day, or one with a headline used before
    newcomers = [
        source("ferry", day=2, text="The ferry to Batumi is late again."),
        _titled(source("poti-crane-2", day=9, text="Another crane, another year."), "Title poti-crane"),
    ]
    for newcomer in newcomers:
        assert _warned(build_catalog([newcomer], site, now=later, ledger=ledger)) == []
    # renamed with its headline and its words rewritten at once: another article to anyone (documented)
    rewritten = _titled(renamed(html=BODY.format(text="All new words.")), "A new headline")
    assert _warned(build_catalog([rewritten], site, now=later, ledger=ledger)) == []


def test_taking_a_pinned_id_off_a_published_article_warns_with_the_id_readers_have(site: Site) -> None:
    # the ledger kept no pinned id: the article went back to its derived id, a second entry in every reader, unsaid
    pin = "urn:uuid:00000000-0000-4000-8000-000000000002"
    pinned = replace(source("metro", day=2), pinned_id=pin)
    first = build_catalog([pinned], site, now=NOW)
    ledger = parse_ledger(dump_ledger(first.revisions))
    assert ledger["metro"].pinned_id == pin and ledger["metro"].id_day == ""
    unpinned = source("metro", day=2)
    for _ in range(2):  # `feedsvc check`, which writes no ledger, says it every time
        checked = build_catalog([unpinned], site, now=NOW + timedelta(days=1), ledger=ledger)
        (warning,) = _warned(checked)
        assert f"readers have the `id` that was pinned in its sidecar ({pin!r})" in warning
        assert f'pin id = "{pin}" again to keep theirs, or keep the new one on purpose' in warning
    (article,) = checked.articles
    assert article.entry_id.endswith(":2024-03-02:articles/metro")  # published with the derived id all the same
    assert checked.revisions["metro"].pinned_id == "" and checked.revisions["metro"].id_day == "2024-03-02"
    assert _warned(build_catalog([unpinned], site, now=NOW + timedelta(days=2), ledger=checked.revisions)) == []
    # another pin in its place: the one readers have is named
    repinned = replace(pinned, pinned_id="urn:example:metro")
    (warning,) = _warned(build_catalog([repinned], site, now=NOW + timedelta(days=1), ledger=ledger))
    assert f"is not the one readers have ({pin!r})" in warning
    # withdrawn as the pin comes off: the tombstone names the id readers can drop
    gone = replace(unpinned, status="withdrawn")
    assert build_catalog([gone], site, now=NOW + timedelta(days=1), ledger=ledger).gone["metro"].entry_id == pin


def test_another_article_saved_under_the_name_of_a_deleted_one_gets_an_id_of_its_own(site: Site) -> None:
    # the ledger's id day gave it the deleted article's id: readers took it for that entry updated (a tag URI names
    # one thing). Told apart as a rename is: its title, words and day all differ from the ledger's
    first = build_catalog([source("weather", day=2)], site, now=NOW)
    had = first.articles[0].entry_id
    ledger = parse_ledger(dump_ledger(first.revisions))
    newcomer = _titled(source("weather", day=20, text="Storms on the coast tonight."), "Storm warning")
    checked = build_catalog([newcomer], site, now=NOW, ledger=ledger)
    (article,) = checked.articles
    assert article.entry_id.endswith(":2024-03-20:articles/weather") and article.updated == article.published
    (warning,) = _warned(checked)
    assert f"this is not the article readers have under this name ({had!r})" in warning
    assert f'pin id = "{had}" in weather.toml to keep theirs' in warning
    assert checked.revisions["weather"].id_day == "2024-03-20"
    assert _warned(build_catalog([newcomer], site, now=NOW, ledger=checked.revisions)) == []
    # its date corrected with its title or its words as they were: the same article, the id readers have
    for corrected in (
        _titled(source("weather", day=20), "Weather, corrected"),
        source("weather", day=20, text="Storms."),
    ):
        kept = build_catalog([corrected], site, now=NOW, ledger=ledger)
        assert kept.articles[0].entry_id == had and _warned(kept) == []
    # a ledger written before titles and words were kept: the name alone tells, as before
    keyless = {"weather": replace(ledger["weather"], title="", text_key="")}
    assert build_catalog([newcomer], site, now=NOW, ledger=keyless).articles[0].entry_id == had


def test_an_undated_article_edited_keeps_its_id_and_another_saved_under_its_name_gets_its_own(site: Site) -> None:
    # undated, it has no day to tell by, and one ordinary edit changes its headline and its words (session 36 then
    # kept every undated article's id, so a new one under a deleted one's name went to readers as its update).
    # What tells them apart is how much of the text the ledger's article shares (revisions.word_sketch)
    old = build_catalog([story("pier", HARBOUR, "North pier closed")], site, now=NOW)
    had = old.articles[0].entry_id
    ledger = parse_ledger(dump_ledger(old.revisions))  # as revisions.json keeps it
    later = NOW + timedelta(days=9)
    edited = build_catalog([story("pier", HARBOUR_EDITED, "North pier to stay shut")], site, now=later, ledger=ledger)
    assert edited.articles[0].published == NOW and edited.articles[0].entry_id == had and _warned(edited) == []
    # another article: its own first-seen date and id, warned of with the old id in case it is a rewrite
    newcomer = story("pier", FERRY, "Island ferry cancelled")
    checked = build_catalog([newcomer], site, now=later, ledger=ledger)
    (article,) = checked.articles
    assert article.published == later and article.entry_id.endswith(":2024-06-10:articles/pier")
    (warning,) = _warned(checked)
    assert f"this is not the article readers have under this name ({had!r}): its title and words differ" in warning
    assert f'pin id = "{had}" in pier.toml to keep theirs' in warning
    again = build_catalog([newcomer], site, now=later + timedelta(days=1), ledger=checked.revisions)
    assert again.articles == checked.articles and _warned(again) == []  # published: the ledger has its own
    # saved under the name of a dated article, it is told apart the same way
    dated = build_catalog([story("pier", HARBOUR, "North pier closed", day=2)], site, now=NOW)
    (warning,) = _warned(build_catalog([newcomer], site, now=later, ledger=dated.revisions))
    assert "this is not the article readers have under this name" in warning
    # a ledger written before sketches were kept: an undated article is not told apart, as before
    sketchless = {"pier": replace(ledger["pier"], sketch="")}
    assert build_catalog([newcomer], site, now=later, ledger=sketchless).articles[0].entry_id == had


def test_another_article_saved_under_a_deleted_ones_name_on_its_day_gets_a_numbered_id_of_its_own(site: Site) -> None:
    # the id is the day and the name: another article dated the deleted one's day (or undated, first seen that day)
    # got that article's id, so every reader took it for an update of it, and nothing warned (session 39)
    first = build_catalog([story("pier", HARBOUR, "North pier closed", day=2)], site, now=NOW)
    had = first.articles[0].entry_id
    ledger = parse_ledger(dump_ledger(first.revisions))
    for newcomer, now in (
        (story("pier", FERRY, "Island ferry cancelled", day=2), NOW),
        (story("pier", FERRY, "Island ferry cancelled"), datetime(2024, 3, 2, 15, 0, tzinfo=UTC)),  # undated
    ):
        checked = build_catalog([newcomer], site, now=now, ledger=ledger)
        (article,) = checked.articles
        assert article.entry_id == f"{had}/2"
        (warning,) = _warned(checked)
        assert f"this is not the article readers have under this name ({had!r})" in warning
        assert f"with an id of its own ({had + '/2'!r}" in warning and f'pin id = "{had}" in pier.toml' in warning
        # the ledger records the number: the id stays across rebuilds and restarts, and the warning goes
        kept = parse_ledger(dump_ledger(checked.revisions))
        assert kept == checked.revisions and kept["pier"].id_number == 2
        again = build_catalog([newcomer], site, now=now + timedelta(days=30), ledger=kept)
        assert again.articles[0].entry_id == f"{had}/2" and _warned(again) == []
    # an edit of the day's article (its headline and some words) is still that article, with the id readers have
    edited = build_catalog(
        [story("pier", HARBOUR_EDITED, "North pier to stay shut", day=2)], site, now=NOW, ledger=ledger
    )
    assert edited.articles[0].entry_id == had and _warned(edited) == []
    # a third article under the name that day: an id none of the two before had; the warning names the last one's
    third = story("pier", RUNWAY, "Runway works at the island airport", day=2)
    later = build_catalog([third], site, now=NOW, ledger=kept)
    assert later.articles[0].entry_id == f"{had}/3"
    (warning,) = _warned(later)
    assert f"under this name ({had + '/2'!r})" in warning
    # the first one's entry without its sketch (a ledger written before sketches were kept) tells no more than its
    # name and its day, which the third article shares: not taken for it back
    sketchless = {"pier": replace(kept["pier"], earlier=tuple(replace(e, sketch="") for e in kept["pier"].earlier))}
    assert build_catalog([third], site, now=NOW, ledger=sketchless).articles[0].entry_id == f"{had}/3"
    # the first article back (its file restored): the id readers got for it, not a new one, said so
    back = build_catalog([story("pier", HARBOUR, "North pier closed", day=2)], site, now=NOW, ledger=later.revisions)
    assert back.articles[0].entry_id == had
    (warning,) = _warned(back)
    assert f"published under it before, and has the id readers got for it again ({had!r})" in warning
    assert [entry.id_number for entry in back.revisions["pier"].earlier] == [2, 3]
    restored = build_catalog([story("pier", HARBOUR, "North pier closed", day=2)], site, now=NOW, ledger=back.revisions)
    assert restored.articles[0].entry_id == had and _warned(restored) == []  # once published, nothing to say
    # withdrawn, its tombstone names its own id, not the first article's
    gone = replace(third, status="withdrawn")
    assert build_catalog([gone], site, now=NOW, ledger=later.revisions).gone["pier"].entry_id == f"{had}/3"


def test_an_article_replacing_a_withdrawn_one_on_its_day_is_no_resurrection_of_its_tombstone(site: Site) -> None:
    # readers dropped the withdrawn entry on its tombstone (at:deleted-entry ref = its id): the same id again would be
    # that entry back from the dead, or ignored by a reader that remembers the tombstone
    first = build_catalog([story("pier", HARBOUR, "North pier closed", day=2)], site, now=NOW)
    had = first.articles[0].entry_id
    withdrawn = replace(story("pier", HARBOUR, "North pier closed", day=2), status="withdrawn")
    gone = build_catalog([withdrawn], site, now=NOW + timedelta(hours=1), ledger=first.revisions)
    assert gone.gone["pier"].entry_id == had
    newcomer = story("pier", FERRY, "Island ferry cancelled", day=2)
    published = build_catalog([newcomer], site, now=NOW + timedelta(hours=2), ledger=gone.revisions)
    assert published.articles[0].entry_id == f"{had}/2" and published.by_slug["pier"].title == "Island ferry cancelled"


def test_a_name_reused_every_day_keeps_only_the_newest_articles_it_had_before(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a daily page saved over one file: each day's article is another (its day differs), and without a bound its
    # ledger entry would carry every earlier day's, written again with each build of it
    monkeypatch.setattr(assembly, "EARLIER_KEPT", 3)
    ledger: dict[str, Revision] = {}
    for day in range(1, 7):
        daily = _titled(source("daily", day=day, text=f"Tides and weather for day {day}."), f"Daily notes {day}")
        ledger = build_catalog([daily], site, now=NOW, ledger=ledger).revisions
    assert ledger["daily"].id_day == "2024-03-06"
    assert [entry.id_day for entry in ledger["daily"].earlier] == ["2024-03-03", "2024-03-04", "2024-03-05"]
    assert parse_ledger(dump_ledger(ledger)) == ledger


def test_the_first_build_after_an_upgrade_adds_titles_words_and_pinned_ids_and_nothing_else(site: Site) -> None:
    pin = "urn:example:pinned"
    sources = [source("derived", day=2), replace(source("pinned", day=3), pinned_id=pin)]
    first = build_catalog(sources, site, now=NOW)
    # revisions.json as an older feedsvc wrote it: no title, no words, no sketch, no pinned id
    old = {
        slug: replace(entry, title="", text_key="", sketch="", pinned_id="") for slug, entry in first.revisions.items()
    }
    upgraded = build_catalog(sources, site, now=NOW + timedelta(days=5), ledger=old)
    assert upgraded.articles == first.articles and _warned(upgraded) == []  # dates and ids as they were
    assert upgraded.revisions == first.revisions
    assert upgraded.revisions["pinned"].pinned_id == pin and upgraded.revisions["derived"].title == "Title derived"


def test_drafts_are_not_published(site: Site) -> None:
    catalog = build_catalog([replace(source("draft"), status="draft"), source("live")], site, now=NOW)
    assert [a.slug for a in catalog.articles] == ["live"]


def test_loader_problems_are_carried_into_the_snapshot(site: Site) -> None:
    loaded = Problem(Path("articles/empty.html"), "the file is empty")
    catalog = build_catalog([source("live")], site, problems=[loaded], now=NOW)
    assert loaded in catalog.problems


def test_version_is_stable_for_equal_content_and_moves_with_any_change(site: Site) -> None:
    one = build_catalog([source("a", 1), source("b", 2)], site, now=NOW)
    same = build_catalog([source("b", 2), source("a", 1)], site, now=NOW)
    edited = build_catalog([source("a", 1, text="An edited first paragraph."), source("b", 2)], site, now=NOW)
    renamed_site = build_catalog([source("a", 1), source("b", 2)], replace(site, title="Other"), now=NOW)
    assert one.version == same.version
    assert len({one.version, edited.version, renamed_site.version}) == 3


def test_withdrawn_article_leaves_the_feed_and_keeps_a_dated_tombstone(site: Site) -> None:
    gone = replace(source("gone", 2, tags=("Transport",)), status="withdrawn")
    catalog = build_catalog([gone, source("live", 3)], site, now=NOW)
    assert [a.slug for a in catalog.articles] == ["live"]
    (withdrawal,) = catalog.withdrawn
    assert catalog.gone["gone"] is withdrawal
    assert withdrawal.entry_id == entry_id(site, "gone", datetime(2024, 3, 2, 9, 0, tzinfo=LONDON))
    assert withdrawal.when == NOW and withdrawal.tombstone
    assert catalog.tombstones == (withdrawal,)
    # the ledger remembers when it was first seen withdrawn
    assert catalog.revisions["gone"].withdrawn == NOW
    later = build_catalog([gone, source("live", 3)], site, now=NOW + timedelta(days=3), ledger=catalog.revisions)
    assert later.withdrawn[0].when == NOW


def test_tombstones_expire_after_tombstone_days_but_the_page_stays_gone(site: Site) -> None:
    gone = replace(source("gone", 2), status="withdrawn")
    first = build_catalog([gone], site, now=NOW)
    expired = build_catalog([gone], site, now=NOW + timedelta(days=site.tombstone_days), ledger=first.revisions)
    assert expired.tombstones == ()
    assert "gone" in expired.gone


def test_withdrawn_article_without_a_date_is_gone_without_a_tombstone(site: Site) -> None:
    catalog = build_catalog([replace(source("undated", None), status="withdrawn")], site, now=NOW)
    assert catalog.gone["undated"].entry_id is None
    assert catalog.tombstones == ()


def test_tags_and_authors_are_indexed_by_url_key(site: Site) -> None:
    sources = [
        source("a", 1, tags=("South Caucasus", "Politics"), authors=("Ada Lovelace",)),
        source("b", 2, tags=("south caucasus",)),
        source("c", 3, tags=("!!!",)),
    ]
    catalog = build_catalog(sources, site, now=NOW)
    assert sorted(catalog.tags) == ["politics", "south-caucasus"]  # "!!!" has no URL segment
    facet = catalog.tags["south-caucasus"]
    assert facet.name == "south caucasus"  # as the newest article writes it
    assert [a.slug for a in facet.articles] == ["b", "a"]
    assert facet.path == "/tags/south-caucasus"
    assert sorted(catalog.authors) == ["ada-lovelace", "gazette-staff"]


def test_facet_key_keeps_letters_of_any_script() -> None:
    assert facet_key("South Caucasus") == "south-caucasus"
    assert facet_key("Sakartvelo_2024!") == "sakartvelo-2024"
    assert facet_key("პოლიტიკა") == "პოლიტიკა"
    assert facet_key("C++") == "c"


def test_unchanged_article_keeps_its_date_and_an_edit_is_dated_now(site: Site) -> None:
    first = build_catalog([source("story", 1)], site, now=NOW)
    assert first.articles[0].updated == first.articles[0].published  # first sight: its own date
    resaved = build_catalog([source("story", 1)], site, now=NOW + timedelta(days=1), ledger=first.revisions)
    assert resaved.articles[0].updated == first.articles[0].updated
    later = NOW + timedelta(days=2)
    edited = build_catalog(
        [source("story", 1, text="A corrected first paragraph.")], site, now=later, ledger=resaved.revisions
    )
    assert edited.articles[0].updated == later
    assert edited.articles[0].entry_id == first.articles[0].entry_id


def test_ledger_keeps_slugs_it_did_not_see_this_time(site: Site) -> None:
    first = build_catalog([source("a", 1), source("b", 2)], site, now=NOW)
    only_a = build_catalog([source("a", 1)], site, now=NOW, ledger=first.revisions)
    assert set(only_a.revisions) == {"a", "b"}


# --- followed sources ----------------------------------------------------------------


def test_an_article_knows_the_source_that_brought_it(site: Site) -> None:
    followed = replace(site, sources=(Source(name="civil-ge", feed="https://civil.ge/feed"),))
    catalog = build_catalog([replace(source("a"), source="civil-ge"), source("b")], followed, now=NOW)
    assert {a.slug: a.source for a in catalog.articles} == {"a": "civil-ge", "b": None}
    assert [p for p in catalog.problems if "source" in p.message] == []


def test_an_article_of_a_source_site_toml_does_not_have_is_published_with_a_warning(site: Site) -> None:
    followed = replace(site, sources=(Source(name="civil-ge", feed="https://civil.ge/feed"),))
    catalog = build_catalog([replace(source("a"), source="gone-news")], followed, now=NOW)
    assert [a.slug for a in catalog.articles] == ["a"]
    (problem,) = [p for p in catalog.problems if "source" in p.message]
    assert (problem.path, problem.severity) == (Path("articles/a.html"), "warning")
    assert problem.message == (
        "source = 'gone-news' in a.toml names no [[source]] of site.toml (it has 'civil-ge'); the article is "
        "published, but only in the site's own feeds; add a [[source]] with name = 'gone-news' to site.toml, "
        "or remove the line from a.toml"
    )


def test_a_change_of_source_changes_the_catalog_version(site: Site) -> None:
    followed = replace(site, sources=(Source(name="civil-ge", feed="https://civil.ge/feed"),))
    plain = build_catalog([source("a")], followed, now=NOW)
    brought = build_catalog([replace(source("a"), source="civil-ge")], followed, now=NOW)
    assert plain.version != brought.version


def test_every_source_of_site_toml_is_a_facet_even_before_its_first_article(site: Site) -> None:
    civil = Source(name="civil-ge", feed="https://civil.ge/feed", title="Civil Georgia")
    quiet = Source(name="quiet-news", sitemap="https://www.quiet.example/sitemap.xml", link="https://quiet.example/en/")
    followed = replace(site, sources=(civil, quiet))
    sources = [replace(source("a", 1), source="civil-ge"), replace(source("b", 2), source="civil-ge"), source("c", 3)]
    catalog = build_catalog([*sources, replace(source("d", 4), source="gone-news")], followed, now=NOW)
    assert list(catalog.sources) == ["civil-ge", "quiet-news"]  # site.toml's order; no facet for a source it lacks
    civil_facet, quiet_facet = catalog.sources["civil-ge"], catalog.sources["quiet-news"]
    assert (civil_facet.kind, civil_facet.key, civil_facet.name, civil_facet.link) == (
        "sources", "civil-ge", "Civil Georgia", "https://civil.ge/",
    )  # fmt: skip
    assert [a.slug for a in civil_facet.articles] == ["b", "a"]  # newest first
    assert civil_facet.path == "/sources/civil-ge" and catalog.facets("sources") is catalog.sources
    assert (quiet_facet.name, quiet_facet.link, quiet_facet.articles) == ("quiet-news", "https://quiet.example/en/", ())


def test_a_withdrawn_article_keeps_its_source_for_the_sources_tombstone(site: Site) -> None:
    followed = replace(site, sources=(Source(name="civil-ge", feed="https://civil.ge/feed"),))
    gone = replace(source("a"), source="civil-ge", status="withdrawn")
    catalog = build_catalog([gone, source("b")], followed, now=NOW)
    (withdrawal,) = catalog.withdrawn
    assert withdrawal.source == "civil-ge"
    assert catalog.sources["civil-ge"].withdrawn == (withdrawal,) and catalog.sources["civil-ge"].articles == ()


# --- update_catalog: the last catalog brought up to date by the files that changed ---------------------------

UPDATE_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

# one change of a site's files: (kind, file number, variant)
file_changes = st.tuples(
    st.sampled_from(
        ["add", "title", "date", "tags", "author", "remove", "rename", "undated", "future", "draft", "broken",
         "source", "same-slug", "same-id", "withdraw", "later", "suffixed", "suffixed", "own-suffixed", "plain-wire",
         "moved", "moved-edited", "reused", "reused-same-day"]
    ),
    st.integers(0, 7),
    st.integers(0, 3),
)  # fmt: skip


def as_is(html: str, base_url: str | None = None, rules: object = None) -> str:
    """A stand-in cleaner that keeps the page as it is: cleaning is not what these tests are about."""
    return str(html)


def _file(site: Site, name: str, slug: str | None = None, **meta: object) -> Prepared:
    """The prepared form of ``articles/<name>``: published on its date, tagged and written as ``meta`` says."""
    status = str(meta.pop("status", "published"))
    pinned = meta.pop("pinned_id", None)
    followed = meta.pop("source", None)
    text = str(meta.pop("text", f"The story of {name}, in words enough for a paragraph."))
    html = str(meta.pop("html", BODY.format(text=text)))
    origins = (("title", str(meta.pop("title_from"))),) if "title_from" in meta else ()
    path = Path(f"articles/{name}")
    metadata = PageMetadata(**{"title": f"Title {name}", **meta})  # type: ignore[arg-type]
    loaded = ArticleSource(
        slug=slug or Path(name).stem, path=path, html=html, metadata=metadata, pinned_id=pinned, status=status,
        source=followed, origins=origins,  # type: ignore[arg-type]
    )  # fmt: skip
    return prepare_source(loaded, site, None, as_is)


def _wire(site: Site, name: str, title: str, **meta: object) -> Prepared:
    """The prepared form of a page imported from wire.example.com titled ``title``."""
    return _file(site, name, title=title, canonical_url=f"https://wire.example.com/{name}", **meta)


def _change(
    site: Site, files: dict[Path, Prepared], kind: str, number: int, variant: int
) -> dict[Path, Prepared | None]:
    """Make one change of ``files``; return the files it changed (None: removed)."""
    name = f"story-{number}.html"
    path = Path(f"articles/{name}")
    day = datetime(2024, 1 + number % 5, 10 + variant, 8, 0, tzinfo=UTC)
    made: dict[Path, Prepared | None] = {}
    if kind == "add" or (kind in ("title", "date", "tags", "author") and path not in files):
        made[path] = _file(site, name, published=day, tags=(f"tag-{variant % 2}",))
    elif kind == "title":
        made[path] = _file(site, name, published=files[path].article.published if files[path].article else day,
                           title=f"Retitled {number} {variant}")  # fmt: skip
    elif kind == "date":
        made[path] = _file(site, name, published=day.replace(day=1 + variant), tags=(f"tag-{variant % 2}",))
    elif kind == "tags":
        # "Tag-1" and "tag-1" are one tag, named as its newest article writes it
        made[path] = _file(site, name, published=day, tags=(f"Tag-{variant % 2}", f"tag-{variant}"))
    elif kind == "author":
        made[path] = _file(site, name, published=day, authors=(f"Writer {variant}",))
    elif kind == "remove":
        made[path] = None
    elif kind == "rename" and path in files:  # the slug kept (a sidecar's `slug`, say): the same entry id
        made[path] = None
        renamed, item = Path(f"articles/renamed-{number}-{variant}.html"), files[path]
        # the article and the source say where they came from too, as the loader's would
        article = replace(item.article, source_path=renamed) if item.article is not None else None
        source = replace(item.source, path=renamed) if item.source is not None else None
        made[renamed] = replace(item, path=renamed, article=article, source=source)
    elif kind == "moved" and path in files and files[path].source is not None:  # a new slug: a new entry id
        source = files[path].source
        assert source is not None
        moved = Path(f"articles/moved-{number}.html")
        html = BODY.format(text=f"The story of {name}, in words enough for a paragraph.")
        made[path] = None
        made[moved] = prepare_source(replace(source, slug=moved.stem, path=moved, html=html), site, None, as_is)
    elif kind == "moved-edited" and path in files and files[path].source is not None:  # known by its words and day
        source = files[path].source
        assert source is not None
        moved = Path(f"articles/moved-{number}.html")
        made[path] = None
        article = files[path].article
        html = article.content_html if article is not None else BODY.format(text=f"The story of {name}.")
        metadata = replace(source.metadata, title=f"Moved {number} {variant}")
        edited = replace(source, slug=moved.stem, path=moved, html=html, metadata=metadata)
        made[moved] = prepare_source(edited, site, None, as_is)
    elif kind == "reused":  # another article under the name: its title, words and day its own
        made[path] = _file(
            site, name, published=day.replace(day=20 + variant), title=f"Other {variant}", text=f"Other {variant}."
        )
    elif kind == "reused-same-day":  # another article under the name, on the day of its id: a number after it
        article = files[path].article if path in files else None
        text = (FERRY, RUNWAY, HARBOUR)[variant % 3]  # the same variant again: that article back
        made[path] = _file(
            site, name, published=article.published if article is not None else day, title=f"Other {variant % 3}",
            html=f"<article><p>{text}</p></article>",
        )  # fmt: skip
    elif kind == "undated":
        made[path] = _file(site, name)
    elif kind == "future":  # held back until its date: a later "now" publishes it
        made[path] = _file(site, name, published=UPDATE_NOW + timedelta(hours=1 + variant))
    elif kind == "draft":
        made[path] = _file(site, name, published=day, status="draft")
    elif kind == "broken":
        made[path] = Prepared(f"story-{number}", path, None, problems=(Problem(path, "cannot be read"),))
    elif kind == "source":
        made[path] = _file(site, name, published=day, source=("wire" if variant % 2 else "unknown-wire"))
    elif kind == "same-slug":  # a second file of one slug: the first in path order wins
        made[Path(f"articles/story-{number}.md")] = _file(site, f"story-{number}.md", published=day)
    elif kind == "same-id":  # two articles of one entry id: the newest keeps it
        made[path] = _file(site, name, published=day, pinned_id=f"urn:example:{variant % 2}")
    elif kind == "withdraw":
        made[path] = _file(site, name, published=day, status="withdrawn")
    elif kind == "suffixed":  # most titles from one host end with its name: taken off all of them
        made[path] = _wire(site, name, f"Story {number} in {variant} parts | Wire Daily", published=day)
    elif kind == "own-suffixed":  # its author's title: never stripped, never counted
        made[path] = _wire(site, name, f"Story {number} by hand | Wire Daily", published=day, title_from="sidecar")
    elif kind == "plain-wire":  # one more title of the host without the name: it may be most no more
        made[path] = _wire(site, name, f"Plain story {number} {variant}", published=day)
    return made


def _catalog_view(catalog: Catalog) -> dict[str, object]:
    """All a catalog says, its facets as keys, names and members."""

    def facets(found: Mapping[str, Facet]) -> dict[str, object]:
        return {k: (f.name, tuple(a.slug for a in f.articles), f.withdrawn, f.link) for k, f in found.items()}

    return {
        "articles": catalog.articles,
        "problems": catalog.problems,
        "by_slug": catalog.by_slug,
        "version": catalog.version,
        "withdrawn": catalog.withdrawn,
        "tags": facets(catalog.tags),
        "authors": facets(catalog.authors),
        "sources": facets(catalog.sources),
        "revisions": dict(catalog.revisions),
        "gone": dict(catalog.gone),
        "digests": dict(catalog.digests),
        "scheduled": dict(catalog.scheduled),
        "retitled": dict(catalog.retitled),
    }


def _kept(ledger: dict[str, Revision], catalog: Catalog) -> None:
    """Record in ``ledger`` what the catalog changed of it, as the builder does (append_ledger)."""
    ledger.update({s: r for s, r in catalog.revisions.items() if ledger.get(s) is not r and ledger.get(s) != r})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(file_changes, min_size=1, max_size=3), min_size=1, max_size=8))
def test_a_catalog_brought_up_to_date_by_the_files_that_changed_is_the_catalog_of_all_of_them(
    publishes: list[list[tuple[str, int, int]]],
) -> None:
    site = Site(
        title="Gazette", base_url="https://news.example.org", id_authority="news.example.org,2020",
        timezone=LONDON, default_author="Staff", sources=(Source(name="wire", feed="https://wire.example.org/feed"),),
    )  # fmt: skip
    files = {
        Path(f"articles/story-{n}.html"): _file(site, f"story-{n}.html", published=datetime(2024, 2, 1 + n, tzinfo=UTC))
        for n in range(2, 4)
    }
    for n in range(2):  # two titles end with the wire's name: one more, and it is learned
        name = f"story-{n}.html"
        files[Path(f"articles/{name}")] = _wire(
            site, name, f"Wire story {n} | Wire Daily", published=datetime(2024, 2, 1 + n, tzinfo=UTC)
        )
    ledger: dict[str, Revision] = {}
    dated: dict[str, Dated] = {}
    state = Assembled()
    now = UPDATE_NOW
    catalog = assemble_catalog(
        [files[p] for p in sorted(files)], site, now=now, ledger=ledger, dated=dated, state=state
    )
    _kept(ledger, catalog)
    for publish in publishes:
        changed: dict[Path, Prepared | None] = {}
        for kind, number, variant in publish:
            if kind == "later":
                now += timedelta(hours=1 + variant)
                continue
            for path, item in _change(site, files, kind, number, variant).items():
                changed[path] = item
                if item is None:
                    files.pop(path, None)
                else:
                    files[path] = item
        whole = assemble_catalog([files[p] for p in sorted(files)], site, now=now, ledger=dict(ledger))
        updated = update_catalog(state, changed, site, now=now, ledger=ledger, dated=dated)
        if updated is None:  # a case it leaves to the whole assembly (a slug or id two files have, a withdrawal)
            updated = assemble_catalog(
                [files[p] for p in sorted(files)], site, now=now, ledger=ledger, dated=dated, state=state
            )
        assert _catalog_view(updated) == _catalog_view(whole)
        _kept(ledger, updated)


def test_an_edit_a_new_article_and_a_removal_are_applied_without_assembling_again(site: Site) -> None:
    files = {
        Path(f"articles/s{n}.html"): _file(
            site, f"s{n}.html", published=datetime(2024, 2, 1 + n, tzinfo=UTC), tags=("x",)
        )
        for n in range(5)
    }
    ledger: dict[str, Revision] = {}
    dated: dict[str, Dated] = {}
    state = Assembled()
    first = assemble_catalog([files[p] for p in sorted(files)], site, now=NOW, ledger=ledger, dated=dated, state=state)
    _kept(ledger, first)
    changed: dict[Path, Prepared | None] = {
        Path("articles/s1.html"): _file(site, "s1.html", published=datetime(2024, 5, 1, tzinfo=UTC), tags=("y",)),
        Path("articles/new.html"): _file(site, "new.html", published=datetime(2024, 1, 1, tzinfo=UTC), tags=("x",)),
        Path("articles/s3.html"): None,
    }
    updated = update_catalog(state, changed, site, now=NOW, ledger=ledger, dated=dated)
    assert updated is not None
    assert [a.slug for a in updated.articles] == ["s1", "s4", "s2", "s0", "new"]
    assert [a.slug for a in updated.tags["x"].articles] == ["s4", "s2", "s0", "new"]
    assert [a.slug for a in updated.tags["y"].articles] == ["s1"]
    assert updated.articles[1] is first.by_slug["s4"]  # the articles not changed are the very objects
    assert updated.version != first.version


def test_a_second_file_of_a_slug_is_left_to_the_whole_assembly(site: Site) -> None:
    files = {Path("articles/a.html"): _file(site, "a.html", published=datetime(2024, 2, 1, tzinfo=UTC))}
    ledger: dict[str, Revision] = {}
    dated: dict[str, Dated] = {}
    state = Assembled()
    first = assemble_catalog(list(files.values()), site, now=NOW, ledger=ledger, dated=dated, state=state)
    _kept(ledger, first)
    twin = {Path("articles/a.md"): _file(site, "a.md", published=datetime(2024, 3, 1, tzinfo=UTC))}
    assert update_catalog(state, twin, site, now=NOW, ledger=ledger, dated=dated) is None
    assert state.catalog is first  # untouched: the whole assembly follows


def test_a_third_title_with_the_tail_retitles_the_earlier_ones_and_a_removal_gives_it_back(site: Site) -> None:
    day = datetime(2024, 2, 1, tzinfo=UTC)
    files = {
        Path(f"articles/w{n}.html"): _wire(site, f"w{n}.html", f"Wire story number {n} | Wire Daily", published=day)
        for n in range(2)
    }
    ledger: dict[str, Revision] = {}
    dated: dict[str, Dated] = {}
    state = Assembled()
    first = assemble_catalog([files[p] for p in sorted(files)], site, now=NOW, ledger=ledger, dated=dated, state=state)
    _kept(ledger, first)
    assert first.by_slug["w0"].title == "Wire story number 0 | Wire Daily" and not first.retitled
    third = {Path("articles/w2.html"): _wire(site, "w2.html", "Wire story number 2 | Wire Daily", published=day)}
    later = NOW + timedelta(days=1)
    updated = update_catalog(state, third, site, now=later, ledger=ledger, dated=dated)
    assert updated is not None  # brought up to date, not assembled again
    assert [updated.by_slug[f"w{n}"].title for n in range(3)] == [f"Wire story number {n}" for n in range(3)]
    assert "'| Wire Daily' ends most titles from wire.example.com" in updated.retitled["w0"]
    for slug in ("w0", "w1"):  # a site name taken off is no edit: the id and the update stay
        assert updated.by_slug[slug].entry_id == first.by_slug[slug].entry_id
        assert updated.by_slug[slug].updated == first.by_slug[slug].updated
    assert updated.version != first.version
    _kept(ledger, updated)
    again = update_catalog(state, {Path("articles/w1.html"): None}, site, now=later, ledger=ledger, dated=dated)
    assert again is not None
    assert again.by_slug["w0"].title == "Wire story number 0 | Wire Daily" and not again.retitled
