"""Who a published article says wrote it, from page shapes of real sites (tests/fixtures/metadata/).

Each fixture is named for the behaviour it pins; every page goes the way a build takes it
(``parse_article``: extraction, the decisions across sources, the merge), as in test_published.py.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.content.loader import ArticleFiles, parse_article
from feedsvc.metadata import bylines, markup, visible
from support.factories import make_site
from support.paths import FIXTURES

SITE = make_site(timezone=ZoneInfo("UTC"))


def authors(name: str) -> tuple[str, ...]:
    """Return the authors the loader gives the catalog for fixture ``name``."""
    data = (FIXTURES / "metadata" / name).read_bytes()
    slug = name.removesuffix(".html").replace("_", "-")
    return parse_article(Path(f"articles/{slug}.html"), ArticleFiles(data), SITE).metadata.authors


@pytest.mark.parametrize(
    "name, expected",
    [
        # the site or an organisation signs in JSON-LD or a meta tag; the page shows a person
        ("author_organisation_yields_to_the_name_under_the_title.html", ("Salome Jgerenaia",)),
        # the site's own "by" line is passed over for the writer's line with an affiliation under it
        ("republished_piece_signed_by_the_site_names_the_writer_and_affiliation.html", ("Lela Abashidze",)),
        # nobody else is shown: the organisation stays, its name whole
        ("organisation_author_with_an_ampersand_and_nobody_shown.html", ("Gvaramia & Gvaramia",)),
    ],
)
def test_a_person_shown_on_the_page_signs_before_an_organisation(name: str, expected: tuple[str, ...]) -> None:
    assert authors(name) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("byline_block_with_the_job_on_its_own_line.html", ("Nora Field",)),
        ("byline_with_a_reviewer_after_the_author.html", ("Tamar Gelashvili",)),
        ("byline_two_authors_each_in_bold_with_a_note.html", ("Ia Kipiani", "Rezo Tabidze")),
        ("author_cards_under_an_author_label_with_job_lines.html", ("Nino Phutkaradze", "Levan Kapanadze")),
        # handles written in lower case are names where the markup says each link is an author
        ("byline_list_of_lower_case_handles_in_author_links.html", ("quill", "mossbyte", "Tarn")),
        (
            "meta_author_is_the_first_of_the_citation_authors.html",
            ("Tinatin Kobakhidze", "Davit Gogua", "Keti Lomidze"),
        ),
    ],
)
def test_every_author_of_a_byline_and_nothing_else(name: str, expected: tuple[str, ...]) -> None:
    assert authors(name) == expected


def test_a_site_named_like_a_person_and_a_sentence_under_written_by_sign_nothing() -> None:
    # "Maka Dolidze" at makadolidze.example may be a person or a brand ("Menlo Coaching" at menlocoaching.com):
    # the site's default author signs; "I started with …" under "Written By" is the article's first sentence
    name = "site_named_like_a_person_over_a_written_by_label_and_a_sentence_signs_nothing.html"
    assert authors(name) == ()


def test_an_unsigned_wordpress_page_is_signed_by_the_post_author_its_data_layer_names() -> None:
    # GTM4WP's dataLayer: "pagePostAuthor" is the post author's display name, a JSON string (\u escapes)
    assert authors("unsigned_wordpress_page_names_its_author_in_the_data_layer.html") == ("Kryštyna Nowak",)
    # a login name there names nobody
    assert authors("wordpress_data_layer_login_name_is_no_author.html") == ()


def test_a_readers_comment_and_the_pages_sidebar_sign_nothing_the_articles_own_aside_does() -> None:
    assert authors("comment_author_under_an_unsigned_article_is_no_author.html") == ()
    assert authors("byline_in_the_articles_aside_signs_and_the_sidebars_does_not.html") == ("Nicolas Perriault",)


def test_a_site_named_like_a_person_yields_to_the_by_line_under_the_title() -> None:
    # "Green Valley Planters" may be a person's name as far as its words go; "by Mariam Chkheidze" is the byline
    assert authors("site_named_like_a_person_yields_to_the_by_line_under_the_title.html") == ("Mariam Chkheidze",)


def test_headings_starting_with_the_letters_by_are_no_bylines() -> None:
    # "Bytes, not characters", "Bypassing the decoder": "By" glued to a name needs the name's capital
    assert authors("lines_starting_with_by_letters_are_no_bylines.html") == ()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("byline_in_the_date_line_after_the_reading_time.html", ("Tamar Jorjadze",)),
        ("byline_after_the_date_on_one_line.html", ("Levan Gelashvili",)),
        # a line of names only, beside the date under the title (not the "Quick Insight" heading by the date)
        (
            "names_line_of_several_authors_beside_the_date.html",
            ("Naftali Tishby", "Fernando C. Pereira", "William Bialek"),
        ),
    ],
)
def test_the_byline_in_or_beside_the_date_line_under_the_title_signs(name: str, expected: tuple[str, ...]) -> None:
    assert authors(name) == expected


def test_jsonld_with_a_line_break_inside_a_string_is_read() -> None:
    # a template pastes a description with its line break into a JSON string: the block is read, not dropped
    assert authors("jsonld_with_a_line_break_inside_a_string.html") == ("Shota Rustaveli",)


def test_the_by_line_under_the_title_beats_the_cms_account_in_jsonld_and_meta() -> None:
    # JSON-LD and the meta tag agree (one CMS account, the person who posted it); the reader reads "By: …"
    name = "by_line_under_the_title_beats_the_cms_account_in_jsonld_and_meta.html"
    assert authors(name) == ("Salome Nadiradze",)
    # a by-line naming one of the sources' authors leaves them all
    name = "by_line_naming_the_first_of_the_meta_authors_leaves_them_all.html"
    assert authors(name) == ("Tengiz Lomidze", "Eka Mgaloblishvili")
    # "by …" just over the headline, against the author marked up in another article's card
    assert authors("by_line_over_the_title_beats_a_related_cards_author.html") == ("Nino Gogia",)
    # one source against the by-line: the by-line (JSON-LD's precedence stood here before session 23)
    assert authors("jsonld_person_against_a_different_by_line_under_the_title.html") == ("Nika Lomidze",)


def test_a_widget_of_the_latest_comments_signs_nothing() -> None:
    # "jcomments-latest", WordPress's "widget_recent_comments" / "recentcomments": readers, not the writer
    assert authors("recent_comments_widget_names_no_author.html") == ()


def test_a_microdata_author_is_named_by_its_own_name_not_a_nested_items() -> None:
    # the author item's brand (an item of its own inside it) has a name too: it is no author
    assert authors("author_item_with_a_nested_brand_names_only_the_person.html") == ("Nana Tsereteli",)


def test_a_microformats_author_and_the_address_of_the_articles_author_sign() -> None:
    # h-entry's p-author (an h-card: its text is the name), and HTML's <address> inside the <article>,
    # not the site's <address> in the page footer
    assert authors("microformats_author_at_the_end_of_the_entry.html") == ("Ana Kvirikashvili",)
    assert authors("address_of_the_articles_author.html") == ("Giorgi Abashidze",)


def test_prose_after_by_and_a_link_to_contributors_name_nobody() -> None:
    assert authors("prose_lines_starting_with_by_and_links_to_contributors_are_no_bylines.html") == ()
    # "It’s Blogvent, day 19, where I blog …" by the date: a contraction is no word of a name
    assert authors("sentence_opening_with_a_contraction_by_the_date_is_no_name.html") == ()
    # a link to the author's page that asks the reader to "Learn More"
    assert authors("author_page_link_labelled_learn_more_is_no_name.html") == ()


@pytest.mark.parametrize(
    "name, expected",
    [
        # the byline by the title, marked up as the author, against another person in JSON-LD
        ("byline_and_author_box_outvote_a_different_jsonld_person.html", ("Giorgi Abashidze",)),
        # a meta list of three against the one name the byline links (the headline is the line equal to the
        # title, not a menu item that is a part of it)
        ("meta_list_of_three_outvoted_by_the_one_name_of_the_byline.html", ("Tamuna Beridze",)),
    ],
)
def test_names_two_sources_agree_on_win_over_names_one_source_says(name: str, expected: tuple[str, ...]) -> None:
    assert authors(name) == expected


def test_a_name_shortened_to_an_initial_is_written_as_another_source_writes_it() -> None:
    assert authors("author_name_shortened_to_an_initial_is_written_in_full.html") == ("Levan Kapanadze",)


@pytest.mark.parametrize(
    "name, module, rule, without",
    [
        # "By the way, …" in running text under the title
        ("by_the_way_under_the_title_is_no_byline.html", bylines, "running_text", ("the way",)),
        # a form's consent line far from the title: its capitalised words are no names either
        (
            "by_clicking_you_agree_to_the_terms_is_no_byline.html",
            bylines,
            "running_text",
            ("you agree to the Privacy Policy", "Terms of Use"),
        ),
        # a menu of filters over the headline ("By Event Type", "By Industry"), not in a <nav>
        ("by_lines_of_a_menu_over_the_title_are_no_byline.html", visible, "far_byline_from_the_title", ("Event Type",)),
        # a heading two lines under the date: "of" is no word of a name
        (
            "heading_with_a_phrase_word_beside_the_date_is_no_name.html",
            visible,
            "name_particles_only",
            ("Advantages of Group Lessons",),
        ),
        # the post's categories beside the date, linked rel="tag": "Garden Notes, Technology" reads as a name
        # and its affiliation
        ("category_links_beside_the_date_are_no_byline.html", markup, "taxonomy_links", ("Garden Notes",)),
        # a category link inside the byline element, after the date
        ("category_in_the_byline_element_is_no_author.html", markup, "taxonomy_links", ("Wellness", "Prevention")),
        # the CMS account that posted the piece, the only author any source names
        ("cms_account_as_the_only_author_is_nobody.html", bylines, "account_names", ("Site Admin",)),
    ],
)
def test_words_that_are_no_name_sign_nothing(
    name: str, module: object, rule: str, without: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # an unsigned page stays unsigned (the site's default author signs it), rather than signed by a phrase
    assert authors(name) == ()
    monkeypatch.setattr(module, "DISABLED", frozenset({rule}))
    assert authors(name) == without


def test_a_cms_account_yields_to_the_author_the_markup_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # <meta name="author"> names the account that posted it ("NOC Admin"), microdata the writer
    assert authors("cms_account_yields_to_the_marked_up_author.html") == ("Dana Whitfield",)
    monkeypatch.setattr(bylines, "DISABLED", frozenset({"account_names"}))
    assert authors("cms_account_yields_to_the_marked_up_author.html") == ("NOC Admin",)


def test_a_name_with_a_lower_case_particle_beside_the_date_signs() -> None:
    assert authors("name_with_a_particle_beside_the_date.html") == ("Maarten van der Berg",)


@pytest.mark.parametrize(
    "name, module, rule, expected, without",
    [
        # "Posted by …, Software Engineer on …" under the title: the job is no second person, and the writer
        # outranks the blog's own name in its byline element
        (
            "posted_by_a_name_and_a_job_outside_the_newsroom.html",
            bylines,
            "jobs_after_a_comma",
            ("Andrew Hayden",),
            ("Builders Blog",),
        ),
        # "Posted on July 1, 2024 by Marta Quist": the name after the date on the line under the title
        ("posted_on_a_date_by_the_author_under_the_title.html", visible, "date_then_by", ("Marta Quist",), ()),
    ],
)
def test_a_byline_line_by_the_title_signs_in_its_other_forms(
    name: str,
    module: object,
    rule: str,
    expected: tuple[str, ...],
    without: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert authors(name) == expected
    monkeypatch.setattr(module, "DISABLED", frozenset({rule}))
    assert authors(name) == without
