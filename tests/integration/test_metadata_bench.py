"""bench/metadata.py: why a publication day or an author was missed, told from the page itself; how names are
compared; and bench/metadata_feed.py: the bench measures what a build publishes."""

from __future__ import annotations

import gzip
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from support.paths import FIXTURES, REPO

sys.path.insert(0, str(REPO / "bench"))

from metadata import (
    AUTHOR_MISS_KINDS,
    Output,
    Page,
    TitleClues,
    author_kind_table,
    author_miss_kind,
    compare_outputs,
    day_in_page,
    day_miss_kind,
    norm_authors,
    read_page,
    run_feedsvc,
    title_clues,
    title_hit_site_optional,
    title_miss_kind,
)
from metadata_feed import Entry, differences
from metadata_feed import main as feed_check

TRUTH = date(2021, 9, 8)


def page(published: date | None = TRUTH) -> Page:
    return Page("set", "1", Path("set/html/1.html.gz"), "news.example", "A title", None, published)


def test_a_day_written_in_a_common_form_or_a_day_off_is_in_the_page() -> None:
    assert day_in_page(TRUTH, "<p>Updated September 8, 2021</p>")
    assert day_in_page(TRUTH, '<time datetime="2021-09-09T01:00">')  # a day later in another zone
    assert day_in_page(TRUTH, "<span>08.09.2021</span>")
    assert not day_in_page(TRUTH, "<p>Updated September 18, 2021</p>")


def test_a_day_the_page_never_writes_is_annotated_from_elsewhere() -> None:
    kind = day_miss_kind(page(), Output(published=date(2025, 5, 27)), "<p>Updated on May 27, 2025</p>")
    assert kind == "annotated day not in the page"


def test_a_day_equal_to_the_pages_update_is_an_annotated_update() -> None:
    html = '<meta property="article:modified_time" content="2021-09-08T18:02:10+00:00">'
    output = Output(published=date(2012, 9, 12), updated=date(2021, 9, 8))
    assert day_miss_kind(page(), output, html) == "annotated with the update"


def test_a_day_in_the_page_left_unread_is_no_date_found_or_another_date() -> None:
    html = "<p>Published August 13, 2025</p>"
    truth = page(date(2025, 8, 13))
    assert day_miss_kind(truth, Output(), html) == "no date found"
    assert day_miss_kind(truth, Output(published=date(2025, 11, 29)), html) == "another date chosen"


@pytest.mark.parametrize(
    "truth, names",
    [
        # Readability's byline keeps the element's line breaks: the lead-in alone on its line is no name
        ("By\n\t\t\tScott Cunningham", {"scott cunningham"}),
        ("Par Sébastien Farcis", {"sébastien farcis"}),
        ("Written by Jane Doe and John Roe", {"jane doe", "john roe"}),
        ("Dr. Andrew Huberman", {"andrew huberman"}),
        # a name that starts like a lead-in or an honorific stays whole
        ("Byron Smith", {"byron smith"}),
        ("Drew Barry", {"drew barry"}),
    ],
)
def test_lead_ins_and_honorifics_are_no_part_of_the_names_compared(truth: str, names: set[str]) -> None:
    assert norm_authors(truth) == names


def signed(authors: str, domain: str = "news.example") -> Page:
    return Page("set", "1", Path("set/html/1.html.gz"), domain, "A title", authors, None)


BYLINE_PAGE = "<article><h1>A title</h1><p>By Jane Doe and John Roe, Daily Planet</p><p>Text.</p></article>"


@pytest.mark.parametrize(
    "truth",
    ["April 28, 2019 at 6:01 am Updated April 29, 2019", "q_admin", "srauturier", "Follow Author",
     "Paycom Blog Contributor", "jane@news.example"],
)  # fmt: skip
def test_a_date_a_handle_a_job_or_a_button_annotated_as_the_author_is_no_name(truth: str) -> None:
    assert author_miss_kind(signed(truth), Output(authors=("Jane Doe",)), BYLINE_PAGE) == "truth is not a name"


@pytest.mark.parametrize(
    "truth",
    ["Jane Doe, Senior Director of Operations", "By Jane Doe\n March 25, 2015", "Jane Doe | The Texas Newsroom",
     "By Jane Doe, MA\n WebMD Health News", "Jane Doe (http://jane.example/)"],
)  # fmt: skip
def test_the_right_name_under_a_role_affiliation_or_date_is_truth_holding_more_than_names(truth: str) -> None:
    assert author_miss_kind(signed(truth), Output(authors=("Jane Doe",)), BYLINE_PAGE) == "truth holds more than names"


@pytest.mark.parametrize(
    "truth, published",
    [("Jane Döe", "Jane Doe"), ("Doe, Jane", "Jane Doe"), ("J. Doe", "Jane Doe"), ("Jane (Mary) Doe", "Jane Doe")],
)
def test_the_same_person_written_otherwise_is_a_name_format_miss(truth: str, published: str) -> None:
    assert author_miss_kind(signed(truth), Output(authors=(published,)), BYLINE_PAGE) == "name format"


def test_more_or_fewer_names_than_annotated_are_extra_or_missing_names() -> None:
    both = Output(authors=("Jane Doe", "John Roe"))
    assert author_miss_kind(signed("Jane Doe"), both, BYLINE_PAGE) == "extra names"
    assert author_miss_kind(signed("Jane Doe and John Roe"), Output(authors=("Jane Doe",)), BYLINE_PAGE) == (
        "missing names"
    )


def test_a_name_the_page_never_writes_is_annotated_from_elsewhere_whatever_was_published() -> None:
    page = signed("Isabel Haas")
    assert author_miss_kind(page, Output(), BYLINE_PAGE) == "annotated name not in the page"
    assert author_miss_kind(page, Output(authors=("Jane Doe",)), BYLINE_PAGE) == "annotated name not in the page"


def test_a_name_written_in_the_page_and_not_published_is_no_author_found() -> None:
    assert author_miss_kind(signed("Jane Doe"), Output(), BYLINE_PAGE) == "no author found"


def test_the_site_or_an_organisation_published_for_a_person_is_told_from_another_person() -> None:
    page = signed("Jane Doe", domain="homeadvisor.com")
    for site in ("HomeAdvisor", "Morgan & Morgan", "Daily Planet News"):
        assert (
            author_miss_kind(page, Output(authors=(site,)), BYLINE_PAGE) == "site or organisation instead of a person"
        )
    teaser = Output(authors=("Richard Eskow",))
    assert author_miss_kind(page, teaser, BYLINE_PAGE) == "wrong person or not a name"


JSON_LD_AUTHOR = '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "Jane Doe"}}</script>'
SOURCED = """<html><head><title>Harbour wall to be extended</title>{head}</head><body><main>
<h1>Harbour wall to be extended</h1>{byline}<p>The council voted on Tuesday to extend the harbour wall.</p>
</main></body></html>"""


@pytest.mark.parametrize(
    "head, byline, source",
    [
        (JSON_LD_AUTHOR, "", "json-ld"),
        ('<meta name="author" content="Jane Doe">', "", "meta tags"),
        ("", '<p class="byline">By <span class="author">Jane Doe</span></p>', "byline elements"),
        ("", "<p>By Jane Doe</p>", "page lines"),
        ("", "", "none"),
    ],
)  # fmt: skip
def test_the_source_of_the_published_authors_is_told(head: str, byline: str, source: str) -> None:
    data = SOURCED.format(head=head, byline=byline).encode()
    output = run_feedsvc(page(), data)
    assert output.authors == (() if source == "none" else ("Jane Doe",))
    assert output.authors_from == source


def test_the_author_misses_are_counted_by_kind_and_fold_with_tuning_and_held_out_sums() -> None:
    counts = {(0, "no author found"): 2, (1, "no author found"): 1, (3, "no author found"): 4, (4, "name format"): 1}
    lines = author_kind_table(counts, 5, {3, 4})
    rows = {line[:42].strip(): line[42:].split() for line in lines[3:]}
    assert set(rows) == {*AUTHOR_MISS_KINDS, "all"}
    assert rows["no author found"] == ["2", "1", "0", "4", "0", "3", "4"]
    assert rows["name format"] == ["0", "0", "0", "0", "1", "0", "1"]
    assert rows["all"] == ["2", "1", "0", "4", "1", "3", "5"]


CLUES_PAGE = """<html><head><title>How to Build a Terrarium (with Pictures) | eHow</title>
<meta property="og:site_name" content="eHow"><meta property="og:title" content="How to Build a Terrarium | eHow">
</head><body><h1>How to Build a Terrarium</h1><h2>Things you need</h2></body></html>"""


def test_a_page_s_title_clues_are_its_headings_meta_titles_and_site_names() -> None:
    clues = title_clues(CLUES_PAGE, "ehow.com")
    assert clues.headings == ("How to Build a Terrarium", "Things you need")
    assert "How to Build a Terrarium | eHow" in clues.metas
    assert "ehow" in clues.site_keys


@pytest.mark.parametrize(
    "truth, ours, kind",
    [
        ("30 Years of <br> Tags", "30 Years of Tags", "entities, white space or punctuation"),
        (
            "Tutoring is not. - Defining a tutor",
            "Tutoring is not. Defining a tutor",
            "entities, white space or punctuation",
        ),
        ("How to Build a Terrarium and keep it alive", "How to Build a Terrarium…", "truncated"),
        ("How to build a terrarium", "HOW TO BUILD TERRARIUMS", "capitals only"),
        ("How to Build a Terrarium", "How to Build a Terrarium | eHow", "site name kept"),
        ("How to Build a Terrarium | eHow", "How to Build a Terrarium", "truth keeps the site name"),
        ("How to Build a Terrarium | Jane Roe", "How to Build a Terrarium", "segment dropped that names no site"),
        ("How to Build a Terrarium", "How to Build a Terrarium - Part 1", "subtitle or extra segment kept"),
        (
            "How to Build a Terrarium (with Pictures)",
            "How to Build a Terrarium: a guide",
            "another headline or meta title chosen",
        ),
        ("Things you need", "How to Build a Terrarium", "another headline or meta title chosen"),
        ("Terrariums for beginners", "How to Build a Terrarium", "title not offered by the page"),
    ],
)
def test_a_missed_title_is_given_the_kind_that_explains_it(truth: str, ours: str, kind: str) -> None:
    assert title_miss_kind(truth, ours, title_clues(CLUES_PAGE, "ehow.com")) == kind


def test_a_page_saved_double_encoded_is_read_mended_as_feedsvc_s_loader_reads_it() -> None:
    # wcxb-dev/4656: trafilatura's title kept "Investor\u00e2\u0080\u0099s", and the title clues missed the
    # headline feedsvc had read, so its miss was told as "title not offered by the page"
    data = (FIXTURES / "metadata" / "title_read_as_latin1_and_saved_again.html").read_bytes()
    text = read_page(data)
    assert "\u00e2" not in text
    clues = title_clues(text, "port.example")
    assert clues.headings == ("A guide to retirement calculators: what they\u2019re for",)
    truth = "A guide to retirement calculators: what they\u2019re for"
    assert title_miss_kind(truth, "Retirement calculators", clues) == "another headline or meta title chosen"
    # a page that says nothing twice is read as it is: "Ã¤" written about is no mojibake to mend
    plain = "<p>I saw \u00c3\u00a4 instead of \u00e4.</p>"
    assert read_page(plain.encode("utf-8")) == plain


def test_the_title_clues_are_read_as_utf8_whatever_the_page_s_head_says() -> None:
    # A page without a charset libxml2 finds was read as Latin-1: "Caf\u00c3\u00a9" was no clue to the title "Caf\u00e9"
    page = "<html><head><title>Le caf\u00e9 d\u2019en face</title></head><body><h1>Le caf\u00e9 d\u2019en face</h1>"
    clues = title_clues(page, "port.example")
    assert clues.headings == ("Le caf\u00e9 d\u2019en face",)
    assert clues.metas == ("Le caf\u00e9 d\u2019en face",)


def test_a_title_without_the_site_s_name_the_truth_keeps_matches_but_not_the_other_way() -> None:
    clues = title_clues(CLUES_PAGE, "ehow.com")
    assert title_hit_site_optional("How to Build a Terrarium | eHow", "How to Build a Terrarium", clues)
    assert not title_hit_site_optional("How to Build a Terrarium", "How to Build a Terrarium | eHow", clues)
    # a segment that names no site is part of the title
    assert not title_hit_site_optional("How to Build a Terrarium | Jane Roe", "How to Build a Terrarium", clues)
    assert not title_hit_site_optional("How to Build a Terrarium | eHow", None, TitleClues())


def test_compare_lists_tuning_pages_that_changed_and_only_counts_held_out_ones() -> None:
    def entry(fold: int, day: str, hit: bool) -> dict[str, object]:
        return {"fold": fold, "title": "T", "published": day, "updated": None, "hits": {"published": hit}}

    before = {"set/1": entry(0, "2021-01-01", False), "set/2": entry(3, "2021-01-01", True)}
    after = {"set/1": entry(0, "2021-08-04", True), "set/2": entry(3, "2022-01-01", False)}
    lines = compare_outputs(before, after, held_out={3, 4}, peek=False)
    assert "    set/1 (fold 0) published: '2021-01-01' -> '2021-08-04' [right]" in lines
    assert not any("set/2" in line for line in lines)
    assert "    fold 3: published changed on 1 page(s), now wrong" in lines


def test_compare_says_whether_a_page_lost_or_gained_its_authors() -> None:
    def entry(fold: int, authors: list[str], hit: bool | None) -> dict[str, object]:
        return {"fold": fold, "title": "T", "published": None, "updated": None, "authors": authors,
                "hits": {"authors": hit}}  # fmt: skip

    before = {
        "set/1": entry(0, ["the way"], None),  # no author annotated: a phrase signed it
        "set/2": entry(0, ["Event Type"], False),
        "set/3": entry(3, ["Jane Doe"], True),
        "set/4": {"fold": 0, "title": "T", "published": None, "updated": None, "hits": {}},  # saved before authors
    }
    after = {
        "set/1": entry(0, [], None),
        "set/2": entry(0, [], False),
        "set/3": entry(3, [], False),
        "set/4": entry(0, ["Jane Doe"], True),
    }
    lines = compare_outputs(before, after, held_out={3, 4}, peek=False)
    assert "    set/1 (fold 0) authors: ['the way'] -> [] [unscored, now unsigned]" in lines
    assert "    set/2 (fold 0) authors: ['Event Type'] -> [] [same, now unsigned]" in lines
    assert "    fold 3: authors changed on 1 page(s), now wrong, now unsigned" in lines
    assert not any("set/4" in line for line in lines)


PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<meta property="article:published_time" content="2025-0{month}-03T10:00:00Z">{meta}</head>
<body><main><h1>{title}</h1>{byline}<p>The council voted on Tuesday to extend the harbour wall after a long debate.</p>
<p>Work starts in the spring and should be done before the autumn storms, the mayor said.</p></main></body></html>"""


def test_the_feed_check_builds_the_pages_and_finds_the_bench_s_authors_in_the_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "set"
    (dataset / "html").mkdir(parents=True)
    pages = {
        # signed in a meta tag, and by a visible byline; one with no author (the site's default signs)
        "0001": ("Harbour wall to be extended", '<meta name="author" content="Nino Beridze">', "", 1),
        "0002": ("Night trains are back", "", "<p>By Levan Kapanadze and Ana Kvirikashvili</p>", 2),
        "0003": ("A quiet week in the port", "", "", 3),
    }
    truth = {}
    for ident, (title, meta, byline, month) in pages.items():
        html = PAGE.format(title=title, meta=meta, byline=byline, month=month)
        (dataset / "html" / f"{ident}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[ident] = {"title": title, "author": "Someone", "domain": f"site{ident}.example"}
    (dataset / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")

    status = feed_check([str(dataset), "--folds", "0,1,2,3,4", "--work", str(tmp_path / "work")])

    assert status == 0, capsys.readouterr().out
    assert (
        "3 pages of folds [0, 1, 2, 3, 4]: 3 the same (title, authors, day; 0 undated by the bench, their day not "
        "compared), 0 differ, 0 missing"
    ) in capsys.readouterr().out
    feed = json.loads((tmp_path / "work" / "out" / "feed.json").read_text(encoding="utf-8"))
    authors = {item["title"]: [author["name"] for author in item["authors"]] for item in feed["items"]}
    assert authors["Night trains are back"] == ["Levan Kapanadze", "Ana Kvirikashvili"]
    assert authors["Harbour wall to be extended"] == ["Nino Beridze"]
    days = {item["title"]: item["date_published"][:10] for item in feed["items"]}
    assert days == {"Harbour wall to be extended": "2025-01-03", "Night trains are back": "2025-02-03",
                    "A quiet week in the port": "2025-03-03"}  # fmt: skip


def test_the_feed_check_tells_a_title_or_day_the_feed_shows_differently() -> None:
    bench = Output(title="Night trains are back", authors=("Ana Kvirikashvili",), published=date(2025, 2, 3))
    same = Entry("Night trains are back", ("Ana Kvirikashvili",), date(2025, 2, 3))
    assert differences(bench, same) == []
    other = Entry("Night trains are back | Port News", ("Ana Kvirikashvili",), date(2025, 2, 4))
    assert differences(bench, other) == [
        "title: bench 'Night trains are back', feed 'Night trains are back | Port News'",
        "date_published: bench 2025-02-03, feed 2025-02-04",
    ]


def test_the_feed_check_takes_the_pages_a_change_touched_and_refuses_an_unknown_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "set"
    (dataset / "html").mkdir(parents=True)
    for ident, title in (("0001", "Harbour wall to be extended"), ("0002", "Night trains are back")):
        byline = "<p>By Levan Kapanadze</p>"
        html = PAGE.format(title=title, meta="", byline=byline, month=1)
        (dataset / "html" / f"{ident}.html.gz").write_bytes(gzip.compress(html.encode()))
    truth = {
        ident: {"title": "t", "author": "Levan Kapanadze", "domain": f"s{ident}.example"} for ident in ("0001", "0002")
    }
    (dataset / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")

    assert feed_check([str(dataset), "--only", "set/0002", "--work", str(tmp_path / "work")]) == 0
    said = capsys.readouterr().out
    assert "1 pages" in said and ": 1 the same (" in said and "0 differ, 0 missing" in said
    assert feed_check([str(dataset), "--only", "set/0009"]) == 1
    assert "--only: no annotated page set/0009" in capsys.readouterr().out
