"""catalog/revisions.py: fingerprints, dating edits, withdrawals, and the ledger file format."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedsvc.catalog.revisions import (
    dump_ledger,
    fingerprint,
    first_seen,
    parse_ledger,
    pin_first_seen,
    reader_keys,
    revise,
    shares_text,
    text_key,
    title_key,
    withdraw,
    word_sketch,
)
from feedsvc.model import Article, Image, Revision
from support.catalog_sources import FERRY, HARBOUR, HARBOUR_EDITED
from support.ledger_format import hand_written_ledger, news_ledger

TBILISI = ZoneInfo("Asia/Tbilisi")
PUBLISHED = datetime(2021, 11, 23, 9, 0, tzinfo=TBILISI)
NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def article(**changes: object) -> Article:
    base = Article(
        slug="story",
        entry_id="tag:example.org,2020:2021-11-23:articles/story",
        title="A story",
        published=PUBLISHED,
        updated=PUBLISHED,
        authors=("Ada Lovelace",),
        summary="What happened.",
        tags=("Politics",),
        content='<p>First <a href="https://example.org/a">link</a>.</p>\n<p>Second.</p>',
        language="en",
        source_path=Path("articles/story.html"),
    )
    return replace(base, **changes)


def test_fingerprint_ignores_markup_whitespace_and_updated() -> None:
    same = article(
        content='<div><p>First   <a class="x" href="https://example.org/a">link</a>.</p><p>Second.</p></div>',
        updated=PUBLISHED + timedelta(days=3),
        source_path=Path("elsewhere/story.html"),
    )
    assert fingerprint(same) == fingerprint(article())


@pytest.mark.parametrize(
    "change",
    [
        {"title": "A better headline"},
        {"summary": "What really happened."},
        {"tags": ("Politics", "Economy")},
        {"authors": ("Grace Hopper",)},
        {"content": '<p>First <a href="https://example.org/a">link</a>.</p><p>Second, corrected.</p>'},
        {"content": '<p>First <a href="https://example.org/b">link</a>.</p><p>Second.</p>'},
        {"image": Image("https://example.org/lead.jpg", origin="opengraph")},
    ],
)
def test_fingerprint_moves_with_what_readers_see(change: dict[str, object]) -> None:
    assert fingerprint(article(**change)) != fingerprint(article())


def test_fingerprint_keeps_a_declared_image_as_its_url_and_a_body_image_as_the_text_it_is_in() -> None:
    # a ledger written before pictures had details holds the URL alone: the same article must match it
    declared = article(image=Image("https://example.org/lead.jpg", origin="opengraph"))
    sized = article(image=Image("https://example.org/lead.jpg", 1200, 630, "image/jpeg", "Leaders", origin="json-ld"))
    assert fingerprint(sized) == fingerprint(declared)
    # a picture chosen from the body is already in its text: naming it is no edit
    assert fingerprint(article(image=Image("https://example.org/a", origin="body"))) == fingerprint(article())


def test_the_text_key_is_the_words_alone_the_same_after_a_rename_or_a_retitle() -> None:
    # what still tells an article apart once its file is renamed (a relative link then resolves elsewhere) and
    # its headline or dates edited: its words. An edit of the words is another key.
    moved = article(
        title="A better headline",
        published=PUBLISHED + timedelta(days=2),
        content='<p>First <a href="https://example.org/renamed/a">link</a>.</p>\n<p>Second.</p>',
    )
    assert text_key(moved) == text_key(article()) and fingerprint(moved) != fingerprint(article())
    assert text_key(article(content="<p>First link.</p><p>Second, corrected.</p>")) != text_key(article())
    assert title_key(" A  STORY ") == title_key("a story") and title_key("A story") != title_key("A history")


def test_first_sight_dates_the_article_by_its_own_date_not_the_clock() -> None:
    dated, entry = revise(article(), None, None, NOW)
    assert dated.updated == PUBLISHED
    sketch = reader_keys(article())[2]
    assert entry == Revision(
        fingerprint(article()), PUBLISHED, title="A story", text_key=text_key(article()), sketch=sketch
    )
    assert sketch == word_sketch("First link. Second.")  # its words alone, as the text key


def test_a_sketch_of_the_words_tells_an_article_edited_from_another_article() -> None:
    # an undated article has no day to tell by, and one ordinary edit changes its headline and its words (its text
    # key): what an edit keeps is most of its text, which another article does not share
    kept = word_sketch(HARBOUR)
    assert len(kept) == 32 and text_key(article(content=HARBOUR)) != text_key(article(content=HARBOUR_EDITED))
    assert shares_text(kept, word_sketch(HARBOUR_EDITED)) is True
    assert shares_text(kept, word_sketch(HARBOUR[: len(HARBOUR) // 2])) is True  # cut by half
    assert shares_text(kept, word_sketch(FERRY)) is False
    assert shares_text(word_sketch(""), word_sketch("")) is False  # no words: nothing shared
    # an entry written before sketches were kept (or a hand-edited one) says nothing either way
    assert shares_text("", kept) is None and shares_text(kept, "0123") is None


def test_unchanged_fingerprint_keeps_the_date_it_was_first_seen() -> None:
    seen = PUBLISHED + timedelta(days=10)
    dated, entry = revise(article(), None, Revision(fingerprint(article()), seen), NOW)
    assert dated.updated == seen.astimezone(TBILISI)
    assert dated.updated.tzinfo == TBILISI  # shown in the article's own offset
    assert entry.since == seen


def test_changed_fingerprint_is_dated_now() -> None:
    dated, entry = revise(article(title="Corrected"), None, Revision(fingerprint(article()), PUBLISHED), NOW)
    assert dated.updated == NOW
    assert entry.since == NOW


def test_the_page_own_modification_date_wins() -> None:
    page_date = PUBLISHED + timedelta(days=1)
    edited = article(title="Corrected", updated=page_date)
    dated, entry = revise(edited, page_date, Revision(fingerprint(article()), PUBLISHED), NOW)
    assert dated.updated == page_date
    assert entry.since == NOW  # still recorded, should the page drop its date later


def test_updated_never_precedes_published() -> None:
    early = Revision(fingerprint(article()), PUBLISHED - timedelta(days=400))
    assert revise(article(), None, early, NOW)[0].updated == PUBLISHED


def test_withdrawal_keeps_the_first_time_it_was_seen() -> None:
    first = withdraw(Revision("abc", PUBLISHED), NOW)
    assert first == Revision("abc", PUBLISHED, NOW)
    assert withdraw(first, NOW + timedelta(days=5)).withdrawn == NOW
    assert withdraw(None, NOW) == Revision("", NOW, NOW)


def test_republished_article_is_no_longer_withdrawn() -> None:
    previous = Revision(fingerprint(article()), PUBLISHED, NOW)
    _, entry = revise(article(), None, previous, NOW + timedelta(days=1))
    assert entry.withdrawn is None and entry.since == PUBLISHED


def test_ledger_round_trips_and_is_stable_text() -> None:
    ledger = {"b": Revision("f2", NOW, NOW), "a": Revision("f1", PUBLISHED)}
    text = dump_ledger(ledger)
    assert text == dump_ledger(dict(reversed(list(ledger.items()))))
    assert text.index('"a"') < text.index('"b"')
    assert '"since": "2021-11-23T05:00:00+00:00"' in text  # stored in UTC
    assert parse_ledger(text) == ledger


def test_first_seen_round_trips_and_is_kept_by_later_revisions() -> None:
    ledger = {"undated": Revision("f1", NOW, first_seen=NOW)}
    text = dump_ledger(ledger)
    assert f'"first_seen": "{NOW.isoformat()}"' in text  # stored in UTC
    assert parse_ledger(text) == ledger
    _, entry = revise(article(), None, ledger["undated"], NOW + timedelta(days=1))
    assert entry.first_seen == NOW


def test_the_id_readers_have_and_what_tells_the_article_apart_round_trip() -> None:
    ledger = {
        "pinned": Revision("f1", PUBLISHED, pinned_id="urn:uuid:1", title="Poti's crane", text_key="0123abcd"),
        "derived": Revision("f2", PUBLISHED, id_day="2021-11-23", title="Port", text_key="4567ef01", sketch="ab" * 16),
        "moved": Revision("f3", PUBLISHED, id_day="2021-11-23", renamed_from="derived"),
    }
    text = dump_ledger(ledger)
    assert '"pinned_id": "urn:uuid:1",\n   "title": "Poti\'s crane",\n   "text_key": "0123abcd"' in text
    assert f'"text_key": "4567ef01",\n   "sketch": "{"ab" * 16}"' in text
    assert '"renamed_from": "derived"' in text
    assert parse_ledger(text) == ledger
    # an older feedsvc reads the keys it knows and leaves the others: the ledger stays at version 1
    assert '"version": 1' in text
    broken = '{"version": 1, "articles": {"a": {"fingerprint": "x", "since": "2024-01-01T00:00:00+00:00", "title": 3}}}'
    with pytest.raises(ValueError, match="unreadable entry for 'a'"):
        parse_ledger(broken)


def test_an_ids_number_and_the_articles_readers_had_under_the_name_before_round_trip_and_are_kept() -> None:
    # another article saved under a name on the day of its id gets a number after the name (session 39); the ledger
    # keeps it, and the entries of the articles before it, so no id is given twice and a restored one has its own
    before = Revision("f1", PUBLISHED, id_day="2021-11-23", title="Port", text_key="4567ef01", sketch="ab" * 16)
    ledger = {"port": Revision("f2", NOW, id_day="2021-11-23", title="Ferry", id_number=2, earlier=(before,))}
    text = dump_ledger(ledger)
    assert '"id_number": 2,\n   "earlier": [\n    {\n     "fingerprint": "f1"' in text
    assert parse_ledger(text) == ledger
    _, entry = revise(article(), None, ledger["port"], NOW + timedelta(days=1))
    assert entry.id_number == 2 and entry.earlier == (before,)
    for bad in ('"id_number": 1', '"id_number": "2"', '"id_number": -2', '"earlier": {}', '"earlier": [{}]'):
        broken = f'{{"version": 1, "articles": {{"a": {{"fingerprint": "x", "since": "{NOW.isoformat()}", {bad}}}}}}}'
        with pytest.raises(ValueError, match="unreadable entry for 'a'"):
            parse_ledger(broken)


def test_a_ledger_written_before_first_seen_existed_still_loads() -> None:
    old = (
        '{\n "version": 1,\n "articles": {\n  "a": {\n   "fingerprint": "f1",\n'
        '   "since": "2024-01-01T00:00:00+00:00"\n  }\n }\n}\n'
    )
    (entry,) = parse_ledger(old).values()
    assert entry.first_seen is None and entry.fingerprint == "f1"
    assert dump_ledger(parse_ledger(old)) == old  # and an entry without it is written as before


# Text JSON escapes, or might: quotes, backslashes, every C0 control, DEL, the line separators
# JSON allows raw, a bidi override, combining marks, non-Latin scripts, an astral character.
AWKWARD = ['quo"te', "back\\slash", "".join(map(chr, range(32))), "del\x7f", "\u2028\u2029", "\u202erl", "ça-va",
           "e\u0301", "नमस्ते", "下雨", "😀", "", " "]  # fmt: skip
OFFSETS = [UTC, TBILISI, ZoneInfo("America/St_Johns"), timezone(timedelta(hours=-9, minutes=-30))]


def awkward_ledger() -> dict[str, Revision]:
    ledger = {}
    for number, text in enumerate(AWKWARD):
        moment = datetime(2021, 3, 28, 1, 59, 59, number * 1000, tzinfo=OFFSETS[number % len(OFFSETS)])
        ledger[text] = Revision(
            fingerprint=text,
            since=moment,
            withdrawn=NOW if number % 2 else None,
            first_seen=moment if number % 3 == 0 else None,
        )
    return ledger


@pytest.mark.parametrize(
    "ledger",
    [{}, {"a": Revision("f1", PUBLISHED)}, {"a": Revision("", NOW, NOW, NOW)}, news_ledger(2000), awkward_ledger()],
    ids=["empty", "one", "withdrawn-and-undated", "news-2000", "awkward-text"],
)
def test_the_ledger_text_is_byte_identical_to_the_hand_written_format(ledger: dict[str, Revision]) -> None:
    text = dump_ledger(ledger)
    assert text.encode("utf-8") == hand_written_ledger(ledger).encode("utf-8")
    assert parse_ledger(text) == ledger


MOMENTS = st.datetimes(timezones=st.sampled_from(OFFSETS))  # st.timezones() costs seconds to load


@given(
    st.dictionaries(
        st.text(),
        st.builds(
            Revision,
            fingerprint=st.text(),
            since=MOMENTS,
            withdrawn=st.none() | MOMENTS,
            first_seen=st.none() | MOMENTS,
        ),
        max_size=5,
    )
)
def test_any_ledger_text_is_byte_identical_to_the_hand_written_format(ledger: dict[str, Revision]) -> None:
    assert dump_ledger(ledger) == hand_written_ledger(ledger)


def test_the_ledger_text_is_pinned() -> None:
    ledger = {
        "ça-va": Revision('q"\\\x00\t\x1f\x7f\u2028', datetime(2021, 11, 23, 9, 0, 0, 5, tzinfo=TBILISI), NOW, NOW),
        "a": Revision("f1", PUBLISHED),
    }
    assert dump_ledger(ledger) == (
        "{\n"
        ' "version": 1,\n'
        ' "articles": {\n'
        '  "a": {\n'
        '   "fingerprint": "f1",\n'
        '   "since": "2021-11-23T05:00:00+00:00"\n'
        "  },\n"
        '  "ça-va": {\n'
        '   "fingerprint": "q\\"\\\\\\u0000\\t\\u001f\x7f\u2028",\n'
        '   "since": "2021-11-23T05:00:00.000005+00:00",\n'
        '   "withdrawn": "2024-01-02T03:04:05+00:00",\n'
        '   "first_seen": "2024-01-02T03:04:05+00:00"\n'
        "  }\n"
        " }\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"version": 2, "articles": {}}', "version 1 ledger"),
        ('{"version": 1, "articles": {"a": {"since": "2024-01-01T00:00:00+00:00"}}}', "unreadable entry for 'a'"),
        ('{"version": 1, "articles": {"a": {"fingerprint": "x", "since": "2024-01-01"}}}', "unreadable entry"),
    ],
)
def test_a_broken_ledger_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ledger(text)


def test_first_seen_is_the_ledgers_date_else_now_and_pinning_keeps_an_earlier_one() -> None:
    earlier, now = datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    assert first_seen(None, now) == now
    assert first_seen(Revision("abc", earlier), now) == now  # a dated article's entry has none
    assert first_seen(Revision("abc", earlier, first_seen=earlier), now) == earlier
    ledger = {"dated": Revision("abc", earlier), "kept": Revision("", earlier, first_seen=earlier)}
    pinned = pin_first_seen(ledger, {"dated": now, "kept": now, "new": now})
    assert pinned == {
        "dated": Revision("abc", earlier, first_seen=now),
        "kept": Revision("", earlier, first_seen=earlier),  # never moved once pinned
        "new": Revision("", now, first_seen=now),  # no fingerprint: the next build's first sight
    }
    assert ledger["dated"].first_seen is None  # the ledger given is left as it was
