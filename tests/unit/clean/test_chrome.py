"""Page chrome inside the article container (feedsvc.clean.chrome), and lazy images, on the fixture pages."""

from __future__ import annotations

import lxml.html
import pytest

from feedsvc.clean import clean_html
from feedsvc.clean.chrome import RULES, remove_chrome
from feedsvc.clean.policy import (
    CHROME_LINE,
    CTA_LINE,
    MARKUP_TEXT,
    PREV_NEXT,
    TEMPLATE_PLACEHOLDER_TEXT,
    TEMPLATE_TOKEN_TEXT,
    UPDATED_LINE,
)
from support.paths import FIXTURES as FIXTURES_DIR

FIXTURES = FIXTURES_DIR / "clean"
URL = "https://news.example.org/2024/03/harbour/"
BODY = [
    "The council voted on Tuesday to extend the harbour wall",
    "Engineers told the meeting that the existing wall",
    "Fishing crews, who lost three boats",
    "Work is expected to begin in the spring",
]


def cleaned(name: str) -> tuple[str, str]:
    """Return the clean HTML of a fixture page and its text, white space collapsed."""
    html = clean_html((FIXTURES / name).read_text(encoding="utf-8"), URL)
    text = " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())
    return html, text


def fragment_text(fragment: str) -> str:
    """Return the text of a fragment's clean HTML, white space collapsed."""
    return " ".join(
        lxml.html.fragment_fromstring(clean_html(fragment, URL), create_parent="div").text_content().split()
    )


def assert_body_kept(text: str) -> None:
    for start in BODY:
        assert start in text


def test_an_escaped_noscript_pixel_never_becomes_text_but_code_showing_markup_stays() -> None:
    html, text = cleaned("drops_escaped_noscript_pixel_and_keeps_markup_shown_as_code.html")
    assert_body_kept(text)
    assert "tracker.example" not in html
    assert "display:none" not in text
    assert '<iframe src="https://maps.example/harbour">' in text  # the article shows it as code


def test_a_cookie_consent_dialog_goes_with_its_labels() -> None:
    _, text = cleaned("drops_cookie_consent_dialog_inside_article.html")
    assert_body_kept(text)
    for junk in ("Privacy Overview", "Always Enabled", "Necessary cookies", "uses cookies"):
        assert junk not in text


def test_teaser_cards_and_previous_next_links_go() -> None:
    _, text = cleaned("drops_teaser_run_and_previous_next_links.html")
    assert_body_kept(text)
    for junk in ("Story number", "A short first sentence", "Next Auto News", "Previous Auto News", "More from"):
        assert junk not in text


def test_a_gallery_caption_is_kept_once_and_its_control_labels_go() -> None:
    html, text = cleaned("drops_repeated_gallery_captions_and_control_labels.html")
    assert_body_kept(text)
    assert text.count("The old harbour wall at high tide") == 1
    assert "<figcaption>The old harbour wall at high tide" in html  # the figure keeps its caption
    for junk in ("Caption", "Close", "1 of 3"):
        assert junk not in text


def test_promos_prompts_and_the_updated_line_go_in_several_languages() -> None:
    _, text = cleaned("drops_promos_prompts_and_updated_line_in_several_languages.html")
    assert_body_kept(text)
    for junk in (
        "Updated 5:27 am",
        "Advert",
        "DON'T MISS",
        "Você pode gostar",
        "letterbox",
        "Tell us what YOU think",
        "WhatsApp",
        "Explore further",
        "usuários on-line",
    ):
        assert junk not in text


def test_lazy_images_publish_their_real_source_never_the_placeholder() -> None:
    html, _ = cleaned("resolves_lazy_image_over_placeholder_src.html")
    assert 'src="https://news.example.org/img/wall-lazy.jpg"' in html
    assert 'src="https://news.example.org/img/basin-960.jpg"' in html
    for placeholder in ("spinner.gif", "white.jpg", "loading.gif"):
        assert placeholder not in html


@pytest.mark.parametrize(
    "line",
    ["Previously, the council had refused.", "Next, engineers will survey the seabed.", "Close to the harbour"],
)
def test_sentences_that_start_like_chrome_are_kept(line: str) -> None:
    assert not CHROME_LINE.fullmatch(line)
    assert not PREV_NEXT.search(line)
    assert not UPDATED_LINE.match(line)


def test_template_placeholders_shown_as_text_go_but_templates_shown_as_code_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feedsvc.clean import chrome

    name = "drops_template_placeholders_shown_as_text.html"
    _, text = cleaned(name)
    # A line that is only a placeholder is what a template or a script was to fill: no reader of the page sees it.
    for placeholder in (
        '{{hire-banner="/banners/hire-harbour-developers"}}',
        '[caption id="attachment_812"',
        "{% include",
    ):
        assert placeholder not in text
    # The guide shows its own template in a code block, and its prose stays.
    assert "{{ page.title }}" in text and "{% if page.author %}" in text
    assert "most generators print nothing" in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"template_placeholders"}))
    _, without = cleaned(name)
    assert '{{hire-banner="/banners/hire-harbour-developers"}}' in without and "{% include" in without


def test_unfilled_plugin_tokens_go_but_bracketed_prose_and_tokens_shown_as_code_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feedsvc.clean import chrome

    name = "drops_unfilled_plugin_tokens_keeps_bracketed_prose.html"
    html, text = cleaned(name)
    tokens = ("[CTA_MODULE]", "[convertkit form=1630175]", "$undefined", "%%sitename%%", "[rt_reading_time]")
    # A block that is only a plugin's, a module's or a script's unfilled token: the reader of the page never sees it.
    for token in tokens:
        assert f"<p>{token}</p>" not in html
    # Brackets of prose stay: a footnote mark, an editor's "[she]" and "[sic]", a photo note.
    for kept in ("each time [1].", '"[she] had never sold', "classes [sic] paid", "[Photo: a full class in January]"):
        assert kept in text
    # The guide shows the shortcode in a code block: it stays there.
    assert "<pre><code>[convertkit form=1630175]\n[CTA_MODULE]</code></pre>" in html
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"template_tokens"}))
    without, _ = cleaned(name)
    for token in tokens:
        assert f"<p>{token}</p>" in without


@pytest.mark.parametrize(
    "line",
    [
        "[CTA_MODULE]",
        "[convertkit form=1630175]",
        '[forminator_form id="2543"]',
        "[shareaholic app=\u201dshare_buttons\u201d id=\u201d20872686\u2033]",
        "[post_views]",
        "[/accordion]",
        "%%title%% %%sep%%",
        "*|FNAME|*",
        "$undefined",
        "[object Object]",
    ],
)
def test_template_token_lines(line: str) -> None:
    assert TEMPLATE_TOKEN_TEXT.fullmatch(line)


@pytest.mark.parametrize(
    "line",
    [
        "[1]",
        "[a]",
        "[sic]",
        "[HTTP]",
        "[\u2026]",
        "[tur-ji-ver-seyt]",
        "[0, 1]",
        "undefined",
        "NaN",
        "{first_name}",
        "[Read more: Pricing]",
    ],
)
def test_bracketed_prose_is_no_template_token(line: str) -> None:
    assert not TEMPLATE_TOKEN_TEXT.fullmatch(line)


@pytest.mark.parametrize(
    "line",
    [
        '{{hire-ai-eng="/case-banners/hire-ai-eng"}}',
        "{% include 'box.html' %}",
        "<%= @post.title %>",
        "${userName}",
        '[caption id="attachment_1" width="640"]',
        "[/caption]",
        "{{ a }} {{ b }}",
    ],
)
def test_template_placeholder_lines(line: str) -> None:
    assert TEMPLATE_PLACEHOLDER_TEXT.fullmatch(line)


@pytest.mark.parametrize(
    "line",
    ["Write {{ name }} where the name goes.", "{} and {{}} are empty", "[1] See the note.", "The price is ${5}."],
)
def test_a_line_that_holds_more_than_placeholders_is_no_placeholder_line(line: str) -> None:
    assert not TEMPLATE_PLACEHOLDER_TEXT.fullmatch(line)


def test_markup_text_means_whole_tags_with_attributes_not_a_mention() -> None:
    assert MARKUP_TEXT.fullmatch('<img height="1" width="1" src="https://b.example/p?x">')
    assert MARKUP_TEXT.fullmatch("</div></span>")
    assert not MARKUP_TEXT.fullmatch("Use the <p> element for paragraphs.")
    assert not MARKUP_TEXT.fullmatch("<p>")


def test_each_rule_can_be_switched_off_for_the_ablation(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    page = "<div><p>Advert</p><p>" + BODY[0] + " and more words of the story here.</p></div>"
    root = lxml.html.fragment_fromstring(page)
    monkeypatch.setattr(chrome, "DISABLED", frozenset(RULES))
    remove_chrome(root)
    assert "Advert" in root.text_content()
    monkeypatch.setattr(chrome, "DISABLED", frozenset())
    remove_chrome(root)
    assert "Advert" not in root.text_content()


def test_video_player_labels_and_slide_counters_go_but_prose_about_the_video_stays() -> None:
    _, text = cleaned("drops_video_player_labels_and_slide_counters.html")
    assert_body_kept(text)
    for junk in ("Current Time", "Duration 2:41", "Loaded:", "Stream Type", "Remaining Time", "Playback Rate"):
        assert junk not in text
    for junk in ("captions settings", "modal window", "46/50", "1/12", "Play "):
        assert junk not in text
    assert "whose current time stamp of 2:41 the harbour master read out" in text
    assert "The old harbour wall at high tide." in text
    assert "5/5" in text  # a rating outside any gallery is not a slide counter


def test_call_to_action_links_go_but_links_and_words_in_sentences_stay() -> None:
    _, text = cleaned("drops_call_to_action_links_but_keeps_links_in_sentences.html")
    assert_body_kept(text)
    for junk in ("Check price here", "Get started", "Back to the top"):
        assert junk not in text
    assert "Learn more about the plans in the council's report." in text  # a link inside a sentence
    assert "Learn more at the drop-in sessions" in text  # not a link: a sentence
    assert "she would sign up for the council's consultation" in text
    assert "houses behind it. Engineers told" in text  # the "Learn more" and price links between them went


@pytest.mark.parametrize(
    "line", ["Learn more", "Check price here", "Shop Svala.", "Get started", "Back to the top", "View this figure"]
)
def test_call_to_action_lines(line: str) -> None:
    assert CTA_LINE.fullmatch(line)


@pytest.mark.parametrize(
    "line", ["Shopping for a boat is hard", "Learn from the storm of 1953", "Get out of the water"]
)
def test_lines_that_start_like_a_call_to_action_are_not_one(line: str) -> None:
    assert not CTA_LINE.fullmatch(line)


@pytest.mark.parametrize(
    "line", ["Check their rates and availability", "See more reviews", "See all products", "Check current price"]
)
def test_more_call_to_action_lines(line: str) -> None:
    assert CTA_LINE.fullmatch(line)


def test_an_arrow_before_a_call_to_action_link_does_not_make_it_text() -> None:
    article = lxml.html.fromstring(
        "<div><p>The kettle boils a litre in under three minutes, and the lid stays cool to the touch.</p>"
        '<p>➡️ <a href="https://shop.example/kettle">Check price here</a></p>'
        '<p>➡️ See <a href="https://shop.example/kettle">the maker\'s page</a> for the colours.</p></div>'
    )
    remove_chrome(article)
    texts = [" ".join(p.text_content().split()) for p in article]
    assert texts == [
        "The kettle boils a litre in under three minutes, and the lid stays cool to the touch.",
        "➡️ See the maker's page for the colours.",
    ]


def test_links_styled_as_buttons_go_but_a_plain_link_line_and_links_in_sentences_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feedsvc.clean import chrome

    name = "drops_links_styled_as_buttons_but_keeps_plain_link_lines.html"
    html, text = cleaned(name)
    assert_body_kept(text)
    # class btn, wp-block-button, role=button
    for junk in ("Get the harbour guide", "View the plans", "Harbour alerts"):
        assert junk not in text
    assert "The council's report on the wall" in text  # a link alone on its line, not styled as a button
    assert '<a href="https://news.example.org/statement">the council said</a> in a statement' in html
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"button_link"}))
    _, without = cleaned(name)
    assert "Get the harbour guide" in without and "Harbour alerts" in without


def test_italic_contributor_lines_at_the_end_go_but_the_same_line_mid_article_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feedsvc.clean import chrome

    name = "drops_italic_contributor_lines_at_the_end.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    assert "professor of coastal engineering" not in text
    assert "Sam Lee is a reporter" not in text
    assert "Tom Reid is a retired harbour master" in text  # followed by more of the story
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"closing_bio"}))
    _, without = cleaned(name)
    assert "professor of coastal engineering" in without


def test_an_italic_last_line_that_is_not_about_a_writer_stays() -> None:
    article = lxml.html.fromstring(
        "<div><p>The council voted to extend the harbour wall by two hundred metres after the storms.</p>"
        "<p><em>She is now recovering at home with her family.</em></p>"
        "<p><em>Jane Doe was at the meeting and is a fisherman's daughter.</em></p></div>"
    )
    remove_chrome(article)
    assert len(article) == 3  # no trade named: a sentence of the story set in italics


@pytest.mark.parametrize(
    "line",
    [
        "This slideshow requires JavaScript.",
        "AdChoices",
        "Add as a preferred source on Google",
        "Is this email not displaying correctly?View it in your browser.",
        "View this email in your browser",
        # the label a news page leaves where an image or a player did not load
        "Photo",
        "Video",
        "Credit",
    ],
)
def test_furniture_lines_of_scripts_ads_and_newsletters(line: str) -> None:
    assert CHROME_LINE.fullmatch(line)


@pytest.mark.parametrize("line", ["Photo by Jane Doe", "Video shows the wall breaking", "Image rights: the council"])
def test_a_media_label_with_more_words_is_no_label(line: str) -> None:
    assert not CHROME_LINE.fullmatch(line)


def test_template_placeholders_go_with_their_box_beside_the_articles_prose(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_template_placeholders_beside_the_article.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    for junk in ("Lorem", "Head Line 1", "Head Line 2", "Learn More"):
        assert junk not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"placeholder"}))
    assert "Lorem ipsum 1" in cleaned(name)[1]


def test_lorem_ipsum_that_is_the_whole_article_stays() -> None:
    _, text = cleaned("keeps_lorem_ipsum_when_it_is_the_articles_text.html")
    assert text.count("Lorem ipsum dolor sit amet") == 2
    assert "Duis aute irure" in text and "Quae veniam" in text


def test_a_placeholder_box_never_takes_the_articles_prose_with_it() -> None:
    # The section is mostly placeholder, but it also holds a paragraph of the story: only the placeholder goes.
    html = (
        "<html><body><article><p>"
        + "The council voted on Tuesday to extend the harbour wall after the storms of the winter. " * 4
        + "</p><div><p>"
        + "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 6
        + "</p><p>"
        + "Engineers told the meeting that the existing wall no longer protects the inner basin. " * 3
        + "</p></div></article></body></html>"
    )
    root = lxml.html.document_fromstring(html)
    article = root.find(".//article")
    remove_chrome(article)
    text = article.text_content()
    assert "Lorem" not in text
    assert "The council voted" in text and "Engineers told" in text


def test_a_box_the_article_already_showed_goes_but_a_repeated_list_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_a_box_the_article_already_showed.html"
    _, text = cleaned(name)
    assert text.count("Guided boat trips around the bay") == 1
    assert text.count("The wall of 1962 is cracked in three places") == 2  # a list the article repeats on purpose
    assert "Work is expected to begin" in text and "Fishing crews" in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"box_copies"}))
    assert cleaned(name)[1].count("Guided boat trips around the bay") == 2


def test_a_wrapper_is_no_copy_of_the_box_it_wraps() -> None:
    # div > main > div: one text three times, one box; a page wrapped so once lost its whole article.
    paragraphs = "".join(f"<p>{start} of the story, with enough words to be a paragraph.</p>" for start in BODY)
    article = lxml.html.fragment_fromstring(
        f'<article><div class="canvas"><main><div class="content">{paragraphs}</div></main></div></article>'
    )
    remove_chrome(article)
    assert_body_kept(" ".join(article.text_content().split()))


def test_a_teaser_grid_after_the_article_goes_with_its_heading(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_a_teaser_grid_after_the_article.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    for junk in ("Latest insights", "Ferry timetable changes", "Six volunteers received medals", "Market hall"):
        assert junk not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"teaser_grid"}))
    kept = cleaned(name)[1]
    assert "Ferry timetable changes" in kept and "Latest insights" in kept


def test_a_listicle_whose_items_link_their_titles_is_no_teaser_grid() -> None:
    # Four short items, each under a linked heading: the cards are the article, not something after it.
    _, text = cleaned("keeps_a_listicle_whose_items_link_their_titles.html")
    for item in ("The north pier and the lighthouse", "seals rest on the rocks", "Along the harbour wall at dusk"):
        assert item in text


def test_a_grid_of_cards_needs_three_linked_titles() -> None:
    # Two teaser cards after an article are left to the other rules.
    paragraphs = "".join(f"<p>{start} of the story, with words enough to be a paragraph of it.</p>" for start in BODY)
    cards = "".join(
        f'<div class="card"><h3><a href="/{n}/">Another story of the harbour, number {n}</a></h3><p>Its first line.</p></div>'
        for n in (1, 2)
    )
    article = lxml.html.fragment_fromstring(
        f'<article>{paragraphs * 3}<h4>Latest insights</h4><div class="grid">{cards}</div></article>'
    )
    remove_chrome(article)
    assert "Another story of the harbour, number 2" in article.text_content()
    assert "Latest insights" in article.text_content()


def test_a_box_the_template_classes_as_the_authors_goes_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_an_author_box_classed_by_the_template.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    for junk in ("Mara Quayle", "Harbour Correspondent", "knows every skipper"):
        assert junk not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"author_class_box"}))
    assert "knows every skipper" in cleaned(name)[1]


def test_a_box_classed_as_the_authors_in_the_middle_of_the_article_stays() -> None:
    # The writer's aside between the story's paragraphs is the article, whatever its class.
    paragraphs = [f"<p>{start} of the story, with words enough to be a paragraph of it.</p>" for start in BODY]
    aside = (
        '<div class="author-note"><p>I grew up on this quay, and my father fished from it for forty years.</p></div>'
    )
    article = lxml.html.fragment_fromstring(
        "<article>" + "".join(paragraphs[:2] * 2) + aside + "".join(paragraphs[2:] * 2) + "</article>"
    )
    remove_chrome(article)
    assert "my father fished from it" in article.text_content()


def test_the_writers_bio_goes_with_the_labels_and_names_over_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_the_writers_bio_under_its_label.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    assert "The harbour master said" in text
    for junk in ("Article written by", "Jane Morrow", "Article reviewed by", "coastal engineer", "leaking boat"):
        assert junk not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"bio_section"}))
    assert "Tom Ellery is a coastal engineer" in cleaned(name)[1]


@pytest.mark.parametrize(
    "after",
    [
        "<p>The wall was written by hand into the town's charter in 1962, the clerk said.</p>",  # no bio under it
        "<h3>The vote</h3><p>Tom Ellery is a coastal engineer with twenty years of experience.</p>",  # a heading ends it
    ],
)
def test_a_bio_label_over_anything_but_a_bio_stays(after: str) -> None:
    paragraphs = "".join(f"<p>{start} of the story, with enough words to be a paragraph of it.</p>" for start in BODY)
    article = lxml.html.fragment_fromstring(f"<article>{paragraphs}<h2>Written by</h2>{after}</article>")
    remove_chrome(article)
    text = article.text_content()
    assert "Written by" in text
    assert_body_kept(text)


def test_a_greeting_bio_goes_at_the_end_but_a_greeting_that_opens_the_story_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feedsvc.clean import chrome

    name = "drops_a_greeting_bio_at_the_end.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    assert "Hi, I’m Jessica" not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"greeting_bio"}))
    assert "Hi, I’m Jessica" in cleaned(name)[1]
    opening = "<p>Hi, I'm Tom, and I have fished from this harbour for thirty years; this is the story of its wall.</p>"
    paragraphs = "".join(f"<p>{start} of the story, with enough words to be a paragraph of it.</p>" for start in BODY)
    article = lxml.html.fragment_fromstring(f"<article>{opening}{paragraphs}</article>")
    remove_chrome(article)
    assert "Hi, I'm Tom" in article.text_content()


def test_tag_and_copyright_lines_go(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_tag_and_copyright_lines.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    assert "Tags:" not in text and "All rights reserved" not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"tag_line"}))
    assert "Tags: Harbour, Council" in cleaned(name)[1]
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"copyright_line"}))
    assert "All rights reserved" in cleaned(name)[1]


@pytest.mark.parametrize(
    "line",
    [
        "Topics: the council discussed three. The wall was the first of them.",
        "Categories: a word the clerk used for the boats: fishing, ferry, pleasure.",
        "The photographs are copyright © 2024 the council, and all rights reserved by it, the clerk said at length.",
    ],
)
def test_sentences_that_start_like_a_tag_or_copyright_line_stay(line: str) -> None:
    paragraphs = "".join(f"<p>{start} of the story, with enough words to be a paragraph of it.</p>" for start in BODY)
    article = lxml.html.fragment_fromstring(f"<article>{paragraphs}<p>{line}</p></article>")
    remove_chrome(article)
    assert line in " ".join(article.text_content().split())


def test_a_contributor_line_in_parentheses_at_the_end_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_a_contributor_line_in_parentheses_at_the_end.html"
    _, text = cleaned(name)
    assert_body_kept(text)
    assert "Jane Morrow is a correspondent" not in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"closing_bio_parens"}))
    assert "Jane Morrow is a correspondent" in cleaned(name)[1]


def test_a_heading_the_next_line_repeats_goes_and_the_line_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    name = "drops_a_heading_the_next_line_repeats.html"
    html, text = cleaned(name)
    caption = "In this photo taken on Monday, waves break over the harbour wall"
    assert text.count(caption) == 1
    assert f"<h2>{caption}" not in html
    assert "<h2>Engineers told the meeting that the wall is failing</h2>" in html  # a heading the line only starts like
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"heading_copy"}))
    assert cleaned(name)[1].count(caption) == 2


def test_a_heading_over_an_empty_form_goes_but_one_over_a_table_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    # As a fragment: the learned scorer (whole pages only) would judge the lone heading itself.
    page = (FIXTURES / "drops_a_heading_over_an_empty_form.html").read_text(encoding="utf-8")
    fragment = page[page.index("<article>") : page.index("</article>") + len("</article>")]
    text = " ".join(
        lxml.html.fragment_fromstring(clean_html(fragment, URL), create_parent="div").text_content().split()
    )
    assert "Register" not in text
    assert "The vote" in text and "Against" in text
    assert_body_kept(text)
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"form_heading"}))
    assert "Register" in clean_html(fragment, URL)


def test_photo_credit_lines_stay_with_their_pictures() -> None:
    # A picture's credit is the attribution its licence asks for, so the cleaner keeps it. A rule
    # dropping credit lines was measured in session 24 and left out: held-out pages 2 up, 3 down
    # (Readability's expected output keeps "AFP/Getty Images" lines), tuning 2 up, 5 down.
    # As a fragment: the learned scorer (whole pages only) judges short lines too.
    page = (FIXTURES / "keeps_photo_credit_lines.html").read_text(encoding="utf-8")
    fragment = page[page.index("<article>") : page.index("</article>") + len("</article>")]
    kept = " ".join(
        lxml.html.fragment_fromstring(clean_html(fragment, URL), create_parent="div").text_content().split()
    )
    assert_body_kept(kept)
    for line in (
        "Photo: Shutterstock",
        "Source: Harbour Board",
        "Getty Images",
        "The wall at low tide, seen from the north quay.",
        "Source: the minutes of the council meeting",
    ):
        assert line in kept


def test_a_heading_left_with_nothing_under_it_at_the_end_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedsvc.clean import chrome

    # As a fragment: the learned scorer (whole pages only) would judge the lone lines itself.
    page = (FIXTURES / "drops_a_heading_left_with_nothing_under_it_at_the_end.html").read_text(encoding="utf-8")
    fragment = page[page.index("<article>") : page.index("</article>") + len("</article>")]

    def text_of(html: str) -> str:
        return " ".join(
            lxml.html.fragment_fromstring(clean_html(html, URL), create_parent="div").text_content().split()
        )

    text = text_of(fragment)
    assert_body_kept(text)
    assert "Other Posts You May Enjoy" not in text
    assert "Guides for visitors to the harbour:" not in text
    # A heading or an introducing line with the article after it stays.
    assert "What happens next" in text
    assert "The council's papers list what the extension needs: a survey of the seabed" in text
    # Over a picture (content without text of its own), the heading is the picture's title.
    with_picture = fragment.replace('<div class="related-widget"', '<img src="/map.png" alt=""><div class="x"')
    assert "Other Posts You May Enjoy" in text_of(with_picture)
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"dangling_tail"}))
    assert "Other Posts You May Enjoy" in text_of(fragment)
    assert "Guides for visitors to the harbour:" in text_of(fragment)


def test_a_contents_title_whose_table_is_gone_goes_but_one_over_its_entries_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from feedsvc.clean import chrome

    fragment = (FIXTURES / "drops_a_contents_title_whose_table_is_gone.html").read_text(encoding="utf-8")
    text = fragment_text(fragment)
    assert_body_kept(text)
    # The table a script fills is gone: its title stood over the first section.
    assert "Table of Contents" not in text
    assert "Why the wall fails" in text
    # A title over its entries stays: links to the guide's other parts, a list.
    assert "In this guide Part 2 - The works, week by week" in text
    assert "Contents the seabed survey" in text
    monkeypatch.setattr(chrome, "DISABLED", frozenset({"contents_title"}))
    assert "Table of Contents Why the wall fails" in fragment_text(fragment)
