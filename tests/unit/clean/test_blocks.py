"""The article's innermost blocks as numbers (feedsvc.clean.blocks): what the learned block scorer reads."""

from __future__ import annotations

import math
import re

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement

from feedsvc.clean import blocks
from feedsvc.clean.blocks import (
    _NOT_CAPITAL,
    _NOT_DIGIT,
    _NOT_PUNCT,
    FEATURES,
    Block,
    _measures,
    _measures_by_pattern,
    article_blocks,
    class_tokens,
    split_mixed_blocks,
    text_tokens,
)
from feedsvc.clean.dom import leaf_blocks, parse, text_of
from support.strategies import BLOCK_TREES, HINTED_TREES

ARTICLE = """
<div class="entry-content">
  <h2>Harbour wall to be extended</h2>
  <p>The council voted on Tuesday to extend the harbour wall, after a winter of storms.</p>
  <figure class="wp-caption"><img src="wall.jpg"><figcaption>The old wall at high tide</figcaption></figure>
  <p>Engineers told the meeting that the wall, built in 1890, would not survive another winter.</p>
  <div class="related-links"><ul><li><a href="/a">Read: Storm closes harbour road</a></li></ul></div>
  <table><tr><td>Cost: 4 million</td></tr></table>
  <p>Share this</p>
  <p>Share this</p>
</div>
"""


def blocks_of(html: str, title: str | None = None) -> list[Block]:
    return article_blocks(lxml.html.fragment_fromstring(html), title)


def feature(block: Block, name: str) -> float:
    return block.features[FEATURES.index(name)]


def by_text(blocks: list[Block], start: str) -> Block:
    return next(b for b in blocks if b.text.startswith(start))


def test_every_block_has_one_value_per_feature_name_in_page_order() -> None:
    blocks = blocks_of(ARTICLE)
    assert [b.text[:12] for b in blocks] == [
        "Harbour wall",
        "The council ",
        "The old wall",
        "Engineers to",
        "Read: Storm ",
        "Cost: 4 mill",
        "Share this",
        "Share this",
    ]
    assert len(set(FEATURES)) == len(FEATURES)
    assert all(len(b.features) == len(FEATURES) for b in blocks)
    assert all(math.isfinite(v) for b in blocks for v in b.features)


def test_text_and_link_measures() -> None:
    blocks = blocks_of(ARTICLE)
    prose, link = by_text(blocks, "The council"), by_text(blocks, "Read: Storm")
    assert feature(prose, "link_share") == 0.0
    assert feature(link, "link_share") == 1.0
    assert feature(prose, "log_chars") == pytest.approx(math.log1p(len(prose.text)))
    assert feature(prose, "comma_count") == 1.0
    assert feature(prose, "sentence_end") == 1.0
    assert feature(link, "sentence_end") == 0.0
    assert feature(prose, "stopword_share") > 0.3 > feature(link, "stopword_share")
    assert feature(by_text(blocks, "Cost"), "digit_share") == pytest.approx(1 / len("Cost: 4 million"))
    assert feature(by_text(blocks, "Harbour"), "upper_share") == pytest.approx(1 / len("Harbourwalltobeextended"))


def test_what_a_block_sits_in_and_its_depth() -> None:
    blocks = blocks_of(ARTICLE)
    caption, link, cell = by_text(blocks, "The old wall"), by_text(blocks, "Read:"), by_text(blocks, "Cost")
    assert feature(caption, "in_figure") == 1.0 and feature(caption, "tag_figcaption") == 1.0
    assert feature(link, "in_list") == 1.0 and feature(link, "tag_li") == 1.0
    assert feature(cell, "in_table") == 1.0 and feature(cell, "tag_td") == 1.0
    assert feature(by_text(blocks, "Harbour"), "heading") == 1.0
    assert feature(by_text(blocks, "The council"), "depth") == 0.0  # a child of the container
    assert feature(link, "depth") == 2.0  # div > ul > li
    assert feature(link, "class_min") == -1.0  # "related-links" marks furniture


def test_position_repetition_and_neighbours() -> None:
    blocks = blocks_of(ARTICLE)
    first, last = blocks[0], blocks[-1]
    assert feature(first, "index_share") == 0.0 and feature(first, "chars_before_share") == 0.0
    assert feature(last, "chars_after_share") == 0.0
    assert feature(first, "prev_log_chars") == -1.0 and feature(last, "next_log_chars") == -1.0
    assert feature(blocks[1], "prev_log_chars") == feature(blocks[0], "log_chars")
    assert feature(last, "repeats") == 1.0 and feature(first, "repeats") == 0.0
    assert feature(blocks[1], "heading_before") == 1.0  # one block after the heading
    assert feature(first, "heading_before") == -1.0  # no heading before it
    assert all(feature(b, "log_blocks") == pytest.approx(math.log1p(8)) for b in blocks)


def test_title_overlap_is_the_share_of_the_blocks_words_in_the_page_title() -> None:
    blocks = blocks_of(ARTICLE, title="Harbour wall to be extended | Example News")
    assert feature(blocks[0], "title_overlap") == 1.0
    assert feature(by_text(blocks, "Cost"), "title_overlap") == 0.0
    assert feature(blocks_of(ARTICLE)[0], "title_overlap") == 0.0  # no title known


def test_same_tag_siblings_counts_the_other_children_of_its_parent_with_its_tag() -> None:
    # Counted once per parent (a dict, no Counter): every child counts, blocks or not, text or not.
    page = lxml.html.fragment_fromstring(
        "<div><div><h2>Plans</h2><p>One line of text.</p><p>Another line.</p><p></p><span>x</span>"
        "<p>A third line.</p></div><ul><li>Item one</li><li>Item two</li></ul></div>"
    )
    found = {b.text: feature(b, "same_tag_siblings") for b in article_blocks(page)}
    assert found == {
        "Plans": 0.0,
        "One line of text.": 3.0,
        "Another line.": 3.0,
        "A third line.": 3.0,
        "Item one": 1.0,
        "Item two": 1.0,
    }


def test_class_words_of_the_block_and_its_ancestors_up_to_the_container_only() -> None:
    page = lxml.html.fragment_fromstring(
        '<div class="page-wrap"><div class="entry-content" id="post-42">'
        '<div class="shareBar"><p class="x">Share on Facebook</p></div></div></div>'
    )
    container = page[0]
    words = class_tokens(page.find(".//p"), container)
    assert words == frozenset({"share", "bar", "entry", "content", "post"})  # camelCase split; no "page", "42", "x"
    assert blocks_of(lxml.html.tostring(container, encoding="unicode"))[0].words == words


def test_blocks_without_word_text_are_not_blocks() -> None:
    blocks = blocks_of("<div><p>—</p><p>   </p><p>Words here.</p><div><p>Inner</p></div></div>")
    assert [b.text for b in blocks] == ["Words here.", "Inner"]


def test_the_same_tree_gives_the_same_rows() -> None:
    assert [b.features for b in blocks_of(ARTICLE)] == [b.features for b in blocks_of(ARTICLE)]


def test_text_tokens_are_the_benchmarks_word_runs() -> None:
    assert text_tokens("Don't stop — 4.5 times!") == ["Don", "t", "stop", "4", "5", "times"]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith, 42, said: OK! Why? Yes_no ZZ Top",
        "plain words",
        "",
        "Crème brûlée, 3 €; ΑΒΓ and АБВ. 123 ٣",
        "。，、；：！？ 一二",
    ],
)
def test_the_ascii_shortcut_counts_what_the_expressions_count(text: str) -> None:
    # (tokens, word characters, punctuation, digits, letters, capitals): byte tables for ASCII text, the
    # expressions for the rest; letters are the word characters less digits and "_".
    for sample in (text, text + " é_²"):  # a letter, an underscore (a word character), a superscript digit (\w, not \d)
        tokens = text_tokens(sample)
        expected = (
            [t.casefold() for t in tokens],
            sum(map(len, tokens)),
            *(len(pattern.sub("", sample)) for pattern in (_NOT_PUNCT, _NOT_DIGIT, NOT_LETTER, _NOT_CAPITAL)),
        )
        assert _measures(sample) == expected
    assert _measures(text + " é_²")[4] == _measures(text)[4] + 2  # é and ² are letters here, as before


def test_the_ascii_tables_read_every_byte_as_the_expressions_do() -> None:
    every = "".join(map(chr, range(128)))
    assert _measures(every) == (
        [t.casefold() for t in text_tokens(every)],
        sum(map(len, text_tokens(every))),
        *(len(pattern.sub("", every)) for pattern in (_NOT_PUNCT, _NOT_DIGIT, NOT_LETTER, _NOT_CAPITAL)),
    )


def test_every_character_beyond_ascii_is_read_by_the_tables_as_by_the_expressions() -> None:
    # A character of no counted kind (a curly quote, a dash) takes the byte tables, any other the
    # expressions: each way the same numbers, for every character of the Basic Multilingual Plane.
    for code in range(0x80, 0x10000):
        sample = f"Ab1 x{chr(code)}y, Z."
        assert _measures(sample) == _measures_by_pattern(sample), hex(code)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.characters(exclude_categories=()), max_size=12),
            st.sampled_from(
                ["Don", "t", " ", "’", "“", "”", "—", "–", "…", "\u00a0", "3.5", "_", "é", "²", "İ", "ß", "。"]
            ),
        ),
        max_size=12,
    ).map("".join)
)
def test_the_byte_tables_measure_text_as_the_expressions_do(text: str) -> None:
    assert _measures(text) == _measures_by_pattern(text)


# A letter as the block features count one: a word character that is not a digit or "_".
NOT_LETTER = re.compile(r"[\W\d_]+")


def word_chars(text: str) -> int:
    return sum(map(len, text_tokens(text)))


TEASERS_AFTER_THE_BODY = """
<div class="post">
  <p>Before the body: 5 min read</p>
  <p>The council voted on Tuesday to extend the harbour wall, after a winter of storms that flooded the lower town twice and closed the road for weeks.</p>
  <p>Engineers told the meeting that the wall, built in 1890, would not survive another winter without new stone from the old quarry.</p>
  <div class="more">
    <div class="card"><h3><a href="/a">Storm closes harbour road</a></h3><p class="dek">Jan 3</p></div>
    <div class="card"><h3><a href="/b">Ferry timetable cut</a></h3><p class="dek">Jan 2</p></div>
    <div class="card"><h3><a href="/c">New lifeboat named</a></h3><p class="dek">Jan 1</p></div>
  </div>
</div>
"""


def test_blocks_after_the_last_prose_paragraph_have_no_prose_after_them() -> None:
    blocks = blocks_of(TEASERS_AFTER_THE_BODY)
    before, first, second, teaser = blocks[0], blocks[1], blocks[2], by_text(blocks, "Ferry")
    assert feature(before, "prose_before_share") == 0.0 and feature(before, "prose_after_share") == 1.0
    assert feature(first, "prose_after_share") == pytest.approx(len(second.text) / (len(first.text) + len(second.text)))
    assert feature(teaser, "prose_before_share") == 1.0 and feature(teaser, "prose_after_share") == 0.0
    assert feature(first, "log_blocks_to_prose") == 0.0  # a prose block itself
    assert feature(before, "log_blocks_to_prose") == pytest.approx(math.log1p(1))
    assert feature(blocks[-1], "log_blocks_to_prose") == pytest.approx(math.log1p(6))


def test_without_prose_the_prose_positions_say_unknown() -> None:
    blocks = blocks_of("<div><p>Menu</p><p>Home</p></div>")
    assert all(feature(b, "prose_before_share") == -1.0 == feature(b, "prose_after_share") for b in blocks)


def test_teaser_cards_repeat_their_shape_and_their_item() -> None:
    blocks = blocks_of(TEASERS_AFTER_THE_BODY)
    headline, dek, prose = by_text(blocks, "Ferry"), by_text(blocks, "Jan 2"), by_text(blocks, "The council")
    # three h3 > a in div.card, three p.dek in div.card: each shape seen twice more
    assert feature(headline, "shape_repeats") == pytest.approx(math.log1p(2))
    assert feature(dek, "shape_repeats") == pytest.approx(math.log1p(2))
    # each block's parent is a div.card with two siblings alike
    assert feature(dek, "item_repeats") == pytest.approx(math.log1p(2))
    assert feature(prose, "item_repeats") == 0.0  # a child of the container
    assert feature(by_text(blocks, "Engineers"), "shape_repeats") == pytest.approx(math.log1p(2))  # three p in div.post


def test_parent_link_share_is_the_link_text_share_of_the_blocks_parent() -> None:
    blocks = blocks_of(TEASERS_AFTER_THE_BODY)
    card_text = "".join("Ferry timetable cut".split()) + "Jan2"
    assert feature(by_text(blocks, "Jan 2"), "parent_link_share") == pytest.approx(
        len("Ferrytimetablecut") / len(card_text)
    )
    assert feature(by_text(blocks, "The council"), "parent_link_share") == 0.0  # its own, at the container


def test_description_overlap_is_the_share_of_the_blocks_words_in_the_page_description() -> None:
    page = lxml.html.fragment_fromstring(TEASERS_AFTER_THE_BODY)
    blocks = article_blocks(page, None, "The council will extend the harbour wall.")
    assert feature(by_text(blocks, "Before"), "description_overlap") == pytest.approx(1 / 6)  # "the" of six words
    assert feature(by_text(blocks, "Ferry"), "description_overlap") == 0.0
    assert feature(by_text(blocks_of(TEASERS_AFTER_THE_BODY), "The council"), "description_overlap") == 0.0


def _split(html: str) -> tuple[int, str, list[str]]:
    el = lxml.html.fragment_fromstring(html)
    made = split_mixed_blocks(el)
    return (
        made,
        lxml.html.tostring(el, encoding="unicode"),
        [" ".join(b.text_content().split()) for b in leaf_blocks(el)],
    )


def test_loose_text_beside_blocks_becomes_a_block_of_its_own() -> None:
    made, html, lines = _split("<div>By Jane Doe<p>Para one.</p>Loose <b>bold</b> text<p>Two.</p></div>")
    assert made == 2
    assert html == "<div><p>By Jane Doe</p><p>Para one.</p><p>Loose <b>bold</b> text</p><p>Two.</p></div>"
    assert lines == ["By Jane Doe", "Para one.", "Loose bold text", "Two."]


def test_paragraphs_apart_by_a_blank_line_become_blocks_and_a_single_break_stays() -> None:
    made, html, lines = _split("<div><p class='x'>First.<br><br>Second<br>line two<br> <br><br>Third.</p></div>")
    assert made == 3
    assert lines == ["First.", "Secondline two", "Third."]  # text_content reads no space for a <br>
    assert "<br><br>" not in html and "Second<br>line two" in html
    assert html.startswith('<div><div class="x"><p>')  # a paragraph cannot hold paragraphs


def test_text_under_an_inline_wrapper_of_blocks_is_split_and_the_paragraph_holding_them_is_a_div() -> None:
    root = lxml.html.fragment_fromstring("<div><p><span>Intro<h3>Head</h3><p>Body.</p></span></p></div>")
    # Built by hand: an HTML5 parser would close the outer <p>, but trees from other parsers hold such nests.
    assert split_mixed_blocks(root) == 1
    assert lxml.html.tostring(root, encoding="unicode") == (
        "<div><div><span><p>Intro</p><h3>Head</h3><p>Body.</p></span></div></div>"
    )


@pytest.mark.parametrize(
    "html",
    [
        "<div><p>One line.<br>Another line.</p></div>",  # a single break: one paragraph of lines
        "<div><pre>a = 1<br><br>b = 2</pre></div>",  # code is never touched
        "<div><ul><li>Title<br><br>more<ul><li>Item</li></ul></li></ul></div>",  # nor an item's title beside its list
        "<div><h3>Heading<br><br>line</h3></div>",  # nor headings
        "<table><tr><td>Cell</td><td><br></td></tr></table>",  # nor an empty cell
        "<div><p>Only a paragraph.</p></div>",
    ],
)
def test_blocks_that_mix_nothing_are_left_as_they_are(html: str) -> None:
    made, out, _ = _split(html)
    assert made == 0 and out == html


def test_a_blank_line_inside_inline_wrappers_parts_paragraphs_and_keeps_the_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pasted document: the breaks sit in <span>s, the next paragraph starts in a <strong>.
    html = "<div><p><span class='s'>Submit a price.<br><br></span><strong>Example:</strong> 15 USD</p></div>"
    made, out, lines = _split(html)
    assert made == 2 and lines == ["Submit a price.", "Example: 15 USD"]
    assert (
        out
        == '<div><div><p><span class="s">Submit a price.</span></p><p><strong>Example:</strong> 15 USD</p></div></div>'
    )
    made, out, lines = _split("<div><p><a href='x'>One<br></a><span><br>Two</span> three</p></div>")
    assert lines == ["One", "Two three"]  # a link cut in two links to the same place
    assert '<a href="x">One</a>' in out and "<span>Two</span> three" in out
    monkeypatch.setattr(blocks, "DISABLED", frozenset({"wrapped_blank_lines"}))
    made, out, _ = _split(html)
    assert made == 0 and out == html.replace("'s'", '"s"')


def test_a_list_item_written_as_paragraphs_becomes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    html = "<div><ul><li><b>Taste:</b> We brewed.<br><br>Five tasters.</li><li>One line</li></ul></div>"
    made, out, lines = _split(html)
    assert made == 2 and lines == ["Taste: We brewed.", "Five tasters.", "One line"]
    assert "<li><p><b>Taste:</b> We brewed.</p><p>Five tasters.</p></li><li>One line</li>" in out
    monkeypatch.setattr(blocks, "DISABLED", frozenset({"item_paragraphs"}))
    assert _split(html)[:2] == (0, html)


def test_blank_lines_at_the_edges_of_a_block_go(monkeypatch: pytest.MonkeyPatch) -> None:
    html = (
        "<div><p><br><br><i>Take the survey</i></p><p>Last.<br> <br></p><p><img src='a.jpg'><br><br>Caption</p></div>"
    )
    made, out, _ = _split(html)
    assert made == 0
    assert out == '<div><p><i>Take the survey</i></p><p>Last.</p><p><img src="a.jpg"><br><br>Caption</p></div>'
    monkeypatch.setattr(blocks, "DISABLED", frozenset({"edge_blank_lines"}))
    assert "<p><br><br><i>" in _split(html)[1]


def test_a_block_of_nothing_but_line_breaks_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    html = "<div><p>One.</p><div class='empty-line'><span><br></span></div><p><br></p><p>Two.</p></div>"
    assert _split(html)[1] == "<div><p>One.</p><p>Two.</p></div>"
    monkeypatch.setattr(blocks, "DISABLED", frozenset({"spacer_blocks"}))
    assert _split(html)[1] == html.replace("'empty-line'", '"empty-line"')


def test_a_loose_line_and_a_share_line_after_a_blank_line_are_judged_on_their_own() -> None:
    from feedsvc.clean import clean_html
    from support.paths import FIXTURES

    page = FIXTURES / "clean" / "splits_loose_lines_and_blank_line_paragraphs_into_blocks.html"
    out = clean_html(page.read_text(encoding="utf-8"), "https://rail.example/news/night-trains/")
    assert "Advertisement" not in out and "Share this on WhatsApp" not in out
    assert "<p>Passengers on the first run were mostly families and students.</p>" in out
    assert "<p>A compartment for four costs about the same" in out


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(BLOCK_TREES)
def test_link_text_of_each_element_is_what_a_search_for_links_under_it_finds(markup: str) -> None:
    # The link text under every element is summed in one pass over the links; the reference
    # searches under each element (a link itself counts its own text).
    root = parse(f"<body><div>{markup.replace('<a>', '<a href=x>')}</div></body>")
    assert root is not None
    container = root.body

    def squeezed(el: HtmlElement) -> int:
        return len(text_of(el).replace(" ", ""))

    inside = blocks._links_inside(container)
    for el in container.iter():
        if isinstance(el.tag, str):
            wanted = squeezed(el) if el.tag == "a" else sum(squeezed(a) for a in el.iter("a"))
            assert blocks._link_chars(el, inside) == wanted


BODY_BESIDE_TEASERS = """
<div class="page">
  <p class="kicker">Local news</p>
  <div class="body">
    <p>The council voted on Tuesday to extend the harbour wall, after a winter of storms that flooded the lower town twice and closed the road for weeks.</p>
    <p>Engineers told the meeting that the wall, built in 1890, would not survive another winter without new stone from the old quarry.</p>
  </div>
  <div class="more"><p><a href="/a">Storm closes harbour road</a></p><p><a href="/b">Ferry timetable cut</a></p></div>
</div>
"""


def test_text_mass_of_the_parents_is_their_share_of_the_containers_text() -> None:
    blocks = blocks_of(BODY_BESIDE_TEASERS)
    total = sum(len(b.text) for b in blocks)
    prose, teaser = by_text(blocks, "The council"), by_text(blocks, "Ferry")
    body_chars = len(prose.text) + len(by_text(blocks, "Engineers").text)
    assert feature(prose, "parent_mass") == pytest.approx(body_chars / total)
    assert feature(teaser, "parent_mass") == pytest.approx(
        (len("Storm closes harbour road") + len("Ferry timetable cut")) / total
    )
    # the grandparent is the container, which holds all the text; above it, the container's own share again
    assert feature(teaser, "grand_mass") == 1.0 == feature(teaser, "great_mass")
    assert feature(by_text(blocks, "Local news"), "parent_mass") == 1.0


def test_blocks_beside_the_body_that_holds_most_of_the_prose_are_not_in_it() -> None:
    blocks = blocks_of(BODY_BESIDE_TEASERS)
    for start in ("The council", "Engineers"):
        assert feature(by_text(blocks, start), "in_body") == 1.0
        assert feature(by_text(blocks, start), "levels_to_body") == 0.0  # its parent is the body
    for start in ("Local news", "Storm", "Ferry"):
        assert feature(by_text(blocks, start), "in_body") == 0.0
        assert feature(by_text(blocks, start), "levels_to_body") == -1.0


def test_without_prose_no_block_is_placed_against_a_body() -> None:
    blocks = blocks_of("<div><p>Menu</p><p>Home</p></div>")
    assert all(feature(b, "in_body") == -1.0 == feature(b, "levels_to_body") for b in blocks)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_the_elements_with_images_are_those_a_search_under_each_finds(markup: str) -> None:
    root = parse(f"<body><div>{markup}</div></body>")
    assert root is not None
    container = root.body
    found = blocks._with_images(container)
    for el in container.iter():
        if isinstance(el.tag, str) and el.tag != "img":
            assert (el in found) is (next(el.iter("img"), None) is not None)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_class_words_of_each_element_are_its_own_and_its_ancestors_up_to_the_container(markup: str) -> None:
    # The unions are made once per (own words, parent's words) and shared; the reference joins the
    # words of the element and of each ancestor in turn.
    root = parse(f"<body><div class='outer-box'>{markup}</div></body>")
    assert root is not None
    container = root.body[0]
    ancestry = blocks._Ancestry(container)
    for el in container.iter():
        if not isinstance(el.tag, str):
            continue
        wanted = set(blocks._own_words(el))
        for up in el.iterancestors():
            if el is container:
                break
            wanted |= blocks._own_words(up)
            if up is container:
                break
        assert ancestry.of(el)[1] == wanted


def _clean_fixture(name: str) -> str:
    from feedsvc.clean import clean_html
    from support.paths import FIXTURES

    return clean_html((FIXTURES / "clean" / f"{name}.html").read_text(encoding="utf-8"), "https://example.org/a/")


@pytest.mark.parametrize(
    ("rule", "fixture", "split", "unsplit"),
    [
        (
            "wrapped_blank_lines",
            "parts_paragraphs_at_blank_lines_inside_inline_wrappers",
            "<p><strong>Example:</strong> 152.99 USD</p>\n<p>Shopping engines",
            "<br><br><strong>Example:</strong> 152.99 USD<br><br>Shopping engines",
        ),
        (
            "item_paragraphs",
            "list_item_written_as_paragraphs",
            "every machine.</p><p>Most machines",
            "every machine.<br><br>Most machines",
        ),
        (
            "edge_blank_lines",
            "drops_blank_lines_at_the_edges_of_a_paragraph",
            "<p> The vendor",
            "<p><br><br> The vendor",
        ),
        (
            "spacer_blocks",
            "drops_empty_line_blocks_of_a_page_builder",
            "suggest.</p>\n<p>Full",
            "suggest.</p>\n<br>\n<br>",
        ),
    ],
)
def test_what_a_reader_sees_as_paragraphs_comes_out_as_paragraphs(
    monkeypatch: pytest.MonkeyPatch, rule: str, fixture: str, split: str, unsplit: str
) -> None:
    out = _clean_fixture(fixture)
    assert split in out and unsplit not in out
    monkeypatch.setattr(blocks, "DISABLED", frozenset({rule}))
    assert unsplit in _clean_fixture(fixture)
