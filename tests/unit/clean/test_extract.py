"""Main-content extraction (feedsvc.clean.extract) on layouts that fool a single-container scorer."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import lxml.etree
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.clean import clean_html, clean_html_explained, dom, extract
from feedsvc.clean.dom import (
    ancestor_counts,
    block_holders,
    class_signal,
    furniture_word,
    hidden_by_style,
    in_code,
    is_hidden,
    is_within,
    paragraph_chars,
    parse,
    remove,
    shown_on_click,
    text_of,
)
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import BLOCK_TAGS, COMMENT_DATE, SENTENCE_TAGS
from support.paths import FIXTURES as FIXTURES_DIR
from support.strategies import BLOCK_TREES, HINTED_TREES

FIXTURES = FIXTURES_DIR / "clean"
BASE = "https://guides.example.org/guide/"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def texts(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [" ".join(p.text_content().split()) for p in root.iter("p")]


def test_keeps_every_section_of_an_article_split_into_blocks() -> None:
    out = clean_html(fixture("keeps_every_section_of_an_article_split_into_blocks.html"), BASE)
    numbers = [t.split()[1] for t in texts(out)]
    assert numbers == ["0"] + [f"{n}{k}" for n in range(1, 6) for k in (1, 2)]
    assert out.count("<h2>") == 5 and out.count("<ul>") == 5
    for gone in ("Another guide", "Copyright", "Reviews"):
        assert gone not in out


def test_keeps_an_article_streamed_into_hidden_blocks() -> None:
    out = clean_html(fixture("keeps_article_streamed_into_hidden_blocks.html"), BASE)
    assert len(texts(out)) == 8
    assert "Loading" not in out and "newsletter" not in out


def test_keeps_an_article_that_an_unclosed_aside_swallowed() -> None:
    out = clean_html(fixture("keeps_article_inside_an_unclosed_aside.html"), BASE)
    assert len(texts(out)) == 6


def test_a_footer_with_more_text_than_a_short_article_still_goes() -> None:
    article = "<p>The short article says what happened, where and when, in one paragraph of plain prose.</p>"
    footer = "".join(
        f"<p>Disclaimer {i}: this material is not advice, and the company accepts no liability for it.</p>"
        for i in range(4)
    )
    out = clean_html(
        f"<html><body><main><article>{article}</article></main><footer>{footer}</footer></body></html>", BASE
    )
    assert "Disclaimer" not in out and "short article" in out


def test_json_ld_article_body_trims_lines_it_leaves_out_at_the_edges() -> None:
    html = fixture("trims_edges_that_json_ld_article_body_leaves_out.html")
    out, removals = clean_html_explained(html, BASE)
    assert len(texts(out)) == 6 and "Harbour desk" not in out and "Filed from" not in out
    assert sum(1 for r in removals if "JSON-LD" in r.reason) == 2


def test_a_truncated_json_ld_article_body_trims_nothing() -> None:
    html = fixture("trims_edges_that_json_ld_article_body_leaves_out.html")
    start = html.index('"articleBody": "') + len('"articleBody": "')
    truncated = html[:start] + html[start:].replace("Paragraph 3 of", "Cut here. Paragraph 3 of", 1)
    head, tail = truncated.split("Cut here. ", 1)
    truncated = head + tail[tail.index('"}') :]
    out = clean_html(truncated, BASE)
    assert len(texts(out)) >= 6


def test_keeps_accordion_answers_and_tabs_that_the_page_shows_on_click() -> None:
    out = clean_html(fixture("keeps_accordion_answers_and_tabs_shown_on_click.html"), BASE)
    kept = " ".join(texts(out))
    for answer in (
        "bare-root plants",
        "three plants per metre",
        "Dig a trench",
        "Water the plants",
        "In spring",
        "In autumn",
    ):
        assert answer in kept
    # Hidden without a control naming it, or a menu in the page's header: still gone.
    assert "newsletter" not in out and "Sign in" not in out and "Copyright" not in out


def test_keeps_every_section_a_page_builder_numbers_as_sibling_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_sections_a_page_builder_numbers_as_sibling_blocks.html")
    sections = ("Tutoring is teaching one pupil", "Pupils who meet a tutor", "Schools that run tutoring well")

    def text_of(html: str) -> str:
        return lxml.html.fragment_fromstring(html, create_parent="div").text_content()

    text = text_of(clean_html(page, "https://success.example/tutoring/"))
    for start in sections:
        assert start in text
    assert "Further resources" not in text and "choosing a tutoring programme" not in text
    monkeypatch.setattr(extract, "DISABLED", frozenset({"same_class_sections"}))
    alone = text_of(clean_html(page, "https://success.example/tutoring/"))
    assert sum(start in alone for start in sections) == 1  # one block of the three, without the rule


def test_an_accordion_question_button_is_kept_as_a_heading_over_its_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_accordion_questions_with_their_answers.html")
    out = clean_html(page, BASE)
    assert "<h3>How long will the harbour stay open during the work?</h3>" in out  # aria-controls, icon title left out
    assert "<h3>Who pays for the extension?</h3>" in out  # a button inside a heading: the heading stays, plain
    assert out.index("Who pays for the extension?") < out.index("The council pays two thirds")
    assert "Expand all" not in out  # a control's label, not a question
    assert "Open accordion" not in out
    # A question whose answer is hidden with no control naming it goes with its answer.
    assert "old beach huts" not in out and "north beach" not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"accordion_titles"}))
    without = clean_html(page, BASE)
    assert "How long will the harbour stay open" not in without
    assert "The harbour stays open throughout" in without  # the answer was kept before this rule too


def test_a_picture_that_opens_in_a_lightbox_is_the_articles_picture(monkeypatch: pytest.MonkeyPatch) -> None:
    # WordPress classes an image block set to "enlarge on click" wp-lightbox-container, and gallery
    # scripts class the link around a picture "lightbox": the word names the overlay, not the picture.
    page = fixture("keeps_pictures_that_open_in_a_lightbox.html")
    out = clean_html(page, "https://chips.example/2024/accelerators/")
    assert "market-share-2024.png" in out and "Market share of data-centre accelerators, 2024" in out
    assert "flagship-board.jpg" in out  # a link around the picture, classed "lightbox"
    assert "Close" not in out and 'src=""' not in out  # the overlay that shows it enlarged still goes
    monkeypatch.setattr(extract, "DISABLED", frozenset({"lightbox_pictures"}))
    without = clean_html(page, "https://chips.example/2024/accelerators/")
    assert "market-share-2024.png" not in without and "flagship-board.jpg" not in without
    assert "Market share of data-centre accelerators, 2024" not in without


def test_a_code_listing_keeps_its_comments_whatever_the_highlighter_calls_them() -> None:
    # Highlighters class a code comment "hljs-comment" or "token comment": a word that marks a
    # comment section elsewhere on a page, but here a line of the code the article shows.
    page = FIXTURES_DIR / "clean" / "code_listing_keeps_comments_classed_by_its_highlighter.html"
    html = clean_html(page.read_text(encoding="utf-8"), "https://dev.example/posts/starting/")
    code = lxml.html.fragment_fromstring(html, create_parent="div").find(".//pre").text_content()
    assert "# initialise the repository" in code and "# stage every change" in code and "# commit what" in code
    assert "First! Great post." not in html  # the comment section outside the code still goes


def test_keeps_every_titled_section_of_a_chaptered_article(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each chapter is <section><h2>title</h2><div>paragraphs</div></section>: the pick is the longest
    # chapter's <div>, and its section adds only a short heading, which is no menu line.
    page = fixture("keeps_every_titled_section_of_a_chaptered_article.html")
    out = clean_html(page, BASE)
    headings = [" ".join(h.text_content().split()) for h in lxml.html.fragment_fromstring(out, "div").iter("h2")]
    assert headings == ["Forming a company", "Choosing a name", "Filing fees"]
    assert len(texts(out)) == 8
    for gone in ("Home", "Privacy"):
        assert gone not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"headings_climb"}))
    assert len(texts(clean_html(page, BASE))) == 4  # the first chapter's body alone


def test_a_section_published_twice_for_another_screen_comes_out_once() -> None:
    # Responsive builders print the whole article once per layout, side by side; CSS shows one.
    out = clean_html(fixture("drops_a_section_published_twice_for_another_screen.html"), BASE)
    assert out.count("A kitchen remodel in the valley costs") == 1
    assert out.count("Counters follow: quartz") == 1
    # A quote the article repeats on purpose is a repeated block, not a copied section: both stay.
    assert out.count("Measure twice, order once.") == 2


def test_sibling_copies_need_blocks_and_long_text() -> None:
    root = lxml.html.fromstring(
        "<html><body><div>"
        "<p>The same paragraph, said twice on purpose by its author, long enough to count as long text here: "
        "it runs on past two hundred characters so that only its kind, a paragraph, keeps it from going.</p>"
        "<p>The same paragraph, said twice on purpose by its author, long enough to count as long text here: "
        "it runs on past two hundred characters so that only its kind, a paragraph, keeps it from going.</p>"
        "<div><p>Short card.</p></div><div><p>Short card.</p></div>"
        "</div></body></html>"
    )
    extract.remove_sibling_copies(root)
    assert len(root.findall(".//p")) == 4


def _remove_sibling_copies_plainly(root: lxml.html.HtmlElement) -> None:
    # remove_sibling_copies as it was before it counted characters: every text of a group read.
    holders = block_holders(root)
    for parent in [el for el in root.iter("body", *BLOCK_TAGS) if el in holders and len(el) > 1]:
        if not is_within(parent, root):
            continue
        alike: dict[tuple[object, ...], list[lxml.html.HtmlElement]] = {}
        for child in parent:
            if child in holders and child.tag in BLOCK_TAGS:
                alike.setdefault((child.tag, *(c.tag for c in child)), []).append(child)
        for group in alike.values():
            seen: set[str] = set()
            for child in group if len(group) > 1 else []:
                text = text_of(child)
                if len(text) >= 200:
                    if text in seen:
                        remove(child)
                    else:
                        seen.add(text)


# Sections of one shape whose texts are copies (white space apart), differ in a letter (as many
# characters), differ in length, or are short; nested, so that copies sit inside copies.
_LONG = "A section of the article, long enough to be compared with its siblings, " * 3
_SECTION_TEXTS = st.sampled_from(
    [_LONG, _LONG.replace(" ", "  \n "), _LONG.replace("A section", "B section"), _LONG + "More.", "Short text."]
)
_SECTIONS = st.recursive(
    st.builds(lambda text: f"<p>{text}</p>", _SECTION_TEXTS),
    lambda inner: st.builds(
        lambda tag, children: f"<{tag}>{''.join(children)}</{tag}>",
        st.sampled_from(["div", "section"]),
        st.lists(inner, min_size=1, max_size=4),
    ),
    max_leaves=16,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(_SECTIONS, min_size=2, max_size=5))
def test_sibling_copies_are_those_every_text_read_finds(sections: list[str]) -> None:
    # Only a child whose character count a sibling of its group shares has its text read: the same
    # removals as reading every text, since equal texts have as many characters.
    page = f"<html><body><div>{''.join(sections)}</div></body></html>"
    root, plain = lxml.html.fromstring(page), lxml.html.fromstring(page)
    extract.remove_sibling_copies(root)
    _remove_sibling_copies_plainly(plain)
    assert lxml.html.tostring(root) == lxml.html.tostring(plain)


def test_text_its_inline_style_hides_goes_however_much_of_the_page_it_is() -> None:
    out = clean_html(fixture("drops_text_its_inline_style_hides_however_long.html"), BASE)
    assert "The river walk reopened on Saturday" in out and "lamps along the path" in out
    assert "Old draft kept in the template" not in out
    assert "An earlier version of this page" not in out


def test_the_only_prose_of_a_page_stays_though_its_style_hides_it() -> None:
    # A page whose whole text sits in a box its style hides shows it by script: published empty otherwise.
    out = clean_html(fixture("keeps_the_only_prose_of_a_page_its_style_hides.html"), BASE)
    assert "Guided walks leave from the gate lodge" in out
    assert "Tickets are sold at the gate" in out


def test_text_streamed_into_hidden_blocks_is_still_the_article() -> None:
    # The hidden attribute stays a hint only: streamed pages put the article there for a script to move.
    out = clean_html(fixture("keeps_article_streamed_into_hidden_blocks.html"), BASE)
    assert "Paragraph 14 about index funds" in out


def test_the_story_a_dialog_shows_wins_over_the_page_it_hides(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "keeps_the_story_a_dialog_shows_over_the_page_it_hides.html"
    out = clean_html(fixture(name), BASE)
    assert [t.split()[:2] for t in texts(out)] == [
        ["The", "council"],
        ["Engineers", "told"],
        ["Fishing", "crews,"],
        ["Work", "is"],
        ["The", "harbour"],
        ["A", "public"],
    ]
    for gone in ("Ferry timetable", "Library to open", "market square"):
        assert gone not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"behind_dialog"}))
    assert "Ferry timetable" in clean_html(fixture(name), BASE)


def test_an_article_behind_a_small_dialog_stays() -> None:
    # A newsletter dialog left open: the page behind it is aria-hidden, article and all, and still the article.
    out = clean_html(fixture("keeps_an_article_a_small_dialog_hides.html"), BASE)
    assert len(texts(out)) == 6
    assert "inbox" not in out and "newsletter" not in out


def test_a_dialog_that_is_itself_hidden_shows_nothing() -> None:
    page = lxml.html.document_fromstring(
        '<html><body><div aria-hidden="true">'
        + "<p>The council voted on Tuesday to extend the harbour wall after the winter storms.</p>" * 20
        + '</div><div role="dialog" hidden>'
        + "<p>A story the reader has not opened, kept in the page for a script to show later.</p>" * 20
        + "</div></body></html>"
    )
    extract.remove_page_behind_dialog(page)
    assert "The council voted" in page.text_content()


def test_the_hint_rule_reads_the_page_again_after_the_dialog_rule_removed_the_page_behind() -> None:
    # prune finds the hinted elements once for both rules; the dialog rule's removal must not leave the hint rule
    # the old list (the page behind is aria-hidden but named by a control, so shown: its sidebar would be removed
    # a second time, out of the page, and told).
    story = "<p>The council voted on Tuesday to extend the harbour wall after the winter storms.</p>" * 20
    page = parse(
        '<html><body><button aria-controls="front">Front page</button>'
        f'<div id="front" aria-hidden="true">{story}<div class="sidebar">Most read</div></div>'
        f'<div role="dialog">{story.replace("council", "mayor")}</div></body></html>'
    )
    assert page is not None
    rec = Recorder()
    extract.prune(page, rec)
    assert "The mayor voted" in page.text_content() and "The council voted" not in page.text_content()
    assert [r.reason for r in rec.removals if "sidebar" in r.reason] == []


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(BLOCK_TREES)
def test_subtree_sums_are_each_blocks_counts_added_up_its_ancestors_in_turn(markup: str) -> None:
    # The sums are made once per element, children first; the reference adds each block's own
    # figures to it and every ancestor, block after block. Same sums, same order of elements.
    root = parse(f"<html><body>{markup}</body></html>")
    assert root is not None
    counts = extract._block_text_counts(root)
    climbed_values: dict[object, float] = {}
    climbed_texts: dict[object, list[int]] = {}
    for block, row in counts.items():
        own_value = extract.subtree_values({block: row})[block]
        own = extract._subtree_texts({block: row})[block]
        node = block
        while node is not None:
            climbed_values[node] = climbed_values.get(node, 0.0) + own_value
            sums = climbed_texts.setdefault(node, [0, 0, 0])
            sums[0] += own.chars
            sums[1] += own.link_chars
            sums[2] += own.prose
            node = node.getparent()
    assert list(extract.subtree_values(counts).items()) == list(climbed_values.items())
    texts = [(el, [s.chars, s.link_chars, s.prose]) for el, s in extract._subtree_texts(counts).items()]
    assert texts == list(climbed_texts.items())


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(BLOCK_TREES)
def test_children_come_before_their_parents(markup: str) -> None:
    root = parse(f"<html><body>{markup}</body></html>")
    assert root is not None
    elements = extract._with_ancestors(extract._block_text_counts(root))
    order = list(extract._children_first(elements))
    assert sorted(map(id, order)) == sorted(map(id, elements))
    place = {el: i for i, el in enumerate(order)}
    assert all(place[el] < place[el.getparent()] for el in order if el.getparent() is not None)


def test_keeps_a_side_note_set_among_the_articles_paragraphs(monkeypatch: pytest.MonkeyPatch) -> None:
    # An <aside> between two paragraphs of the text is a digression the reader reads with the
    # article; the page's own sidebar, an <aside> beside the article, still goes.
    page = fixture("keeps_side_notes_set_among_the_articles_paragraphs.html")
    out = clean_html(page, BASE)
    assert "<h3>A note on paraffin heaters</h3>" in out
    assert out.index("dark barrels") < out.index("seedlings damp off") < out.index("Bubble wrap")
    assert "About this site" not in out and "Archive 2024" not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"aside_in_text"}))
    without = clean_html(page, BASE)
    assert "seedlings damp off" not in without and "Bubble wrap" in without


@pytest.mark.parametrize(
    ("aside", "kept"),
    [
        ("<aside><p>{prose}</p></aside>", True),
        ('<aside class="related-posts"><p>{prose}</p></aside>', False),  # classed as furniture
        ("<aside><p>Too short to be a note.</p></aside>", False),
        ('<aside><p><a href="/a">{prose}</a></p></aside>', False),  # a box of links
    ],
)
def test_an_aside_among_paragraphs_is_a_note_only_when_it_is_prose(aside: str, kept: bool) -> None:
    prose = "A digression of the writer's, two sentences long. It explains a point the text only touches on, at length."
    body = "<p>" + "A paragraph of the article itself, long enough to read as running prose. " * 4 + "</p>"
    root = parse(f"<html><body><div>{body}{aside.format(prose=prose * 2)}{body}</div></body></html>")
    assert root is not None
    assert extract.aside_in_text(next(root.iter("aside"))) is kept


def test_a_script_inside_an_asides_paragraph_does_not_make_it_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    # wcxb-dev/0174: a newsletter box among the paragraphs reached the note's 150 characters of paragraph
    # text only with the code of a script inside its form's <p>; a reader sees one short line.
    prose = "".join(
        f"<p>The council met on day {i} and voted to extend the harbour wall after a long debate.</p>" for i in range(4)
    )
    code = "window.dataLayer = window.dataLayer || []; dataLayer.push({'event': 'aside_seen', 'slot': 'harbour'});"
    aside = f"<aside><p>Harbour pictures from our readers are on the gallery page every week.</p><p><script>{code}</script></p></aside>"
    page = f"<html><head><title>Harbour wall</title></head><body><article>{prose}{aside}{prose}</article></body></html>"
    out = clean_html(page, BASE)
    assert "The council met on day 3" in out and "Harbour pictures" not in out
    monkeypatch.setattr(dom, "DISABLED", frozenset({"script_text"}))
    assert "Harbour pictures" in clean_html(page, BASE)


def test_keeps_section_headings_a_page_builder_wraps_in_a_header(monkeypatch: pytest.MonkeyPatch) -> None:
    # <section><header><h2>…</h2></header><div><p>…</p></div></section>: the header holds a section's
    # title, not the page's furniture. A teaser card's header (a line of text after it) still goes.
    page = fixture("keeps_section_headings_a_page_builder_wraps_in_a_header.html")
    out = clean_html(page, BASE)
    headings = [" ".join(h.text_content().split()) for h in lxml.html.fragment_fromstring(out, "div").iter("h2")]
    assert headings == ["How we tested the locks", "Pick the right weight"]
    assert len(texts(out)) >= 5 and "A lock does not stop" in out and "A folding lock" in out
    assert "Our favourite mudguards" not in out and "Winter tyres" not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"section_header"}))
    assert "How we tested the locks" not in clean_html(page, BASE)


def test_keeps_a_section_heading_over_a_short_lead_in_and_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    # wcxb-dev/4858's shape: a section opens with one short line, then a list, then its paragraphs: the
    # section's prose is all that follows its header, not the first block alone. A card's title still goes.
    page = fixture("keeps_a_section_heading_over_a_short_lead_in_and_a_list.html")
    out = clean_html(page, BASE)
    assert "Our picks side by side" in out and "Take a look at the three tents" in out and "The Ridge 2 was" in out
    assert "Sleeping bags for cold nights" not in out and "Camping stoves compared" not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"section_prose"}))
    out = clean_html(page, BASE)
    assert "Our picks side by side" not in out and "The Ridge 2 was" in out


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("<header><h2>How the survey was run</h2></header>", True),
        ("<header><span>Step 1</span><h3>Measure the room</h3></header>", True),
        ('<header><h2><a href="/guide">How the survey was run</a></h2></header>', False),  # a linked title
        ("<header><h1>The page's own title</h1></header>", False),
        ("<header><h2>One</h2><h2>Two</h2></header>", False),
        (
            "<header><h2>Site name</h2><p>A tagline about the site, long enough to be more than a label.</p></header>",
            False,
        ),
    ],
)
def test_a_header_is_a_section_title_only_over_the_sections_prose(header: str, kept: bool) -> None:
    prose = "<p>" + "The section's running text goes on for several sentences of plain prose. " * 4 + "</p>"
    root = parse(f"<html><body><section>{header}<div>{prose}</div></section></body></html>")
    assert root is not None
    assert extract.section_header(next(root.iter("header"))) is kept
    # The prose may come after a short lead-in line and a list (section_prose).
    lead = "<p>Side by side:</p><ul><li>One pick</li><li>Another pick</li></ul>"
    led = parse(f"<html><body><section>{header}{lead}<div>{prose}</div></section></body></html>")
    assert led is not None
    assert extract.section_header(next(led.iter("header"))) is kept
    card = parse(f"<html><body><div>{header}<p>A teaser line.</p><p>Read more.</p></div></body></html>")
    assert card is not None
    assert extract.section_header(next(card.iter("header"))) is False  # a card's title over a teaser line


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_the_hidden_elements_are_those_of_every_hinted_element(markup: str) -> None:
    # Pruning asks is_hidden only of elements with a hidden, aria-hidden or style attribute; the
    # reference asks it of every hinted element (class and id too), with and without shown panels.
    root = parse(f"<html><body><button aria-controls='panel-1'>Q?</button>{markup}</body></html>")
    assert root is not None
    hinted, may_hide = extract._hinted(root)
    for shown in (frozenset(), shown_on_click(root)):
        everyone = {el for el in hinted if is_hidden(el, shown)}
        assert {el for el in may_hide if is_hidden(el, shown)} == everyone


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_the_hinted_elements_are_those_xpath_finds_in_page_order(markup: str) -> None:
    # The walk answers the two XPath searches pruning made before, element for element.
    root = parse(f"<html><body hidden class='page'><button aria-controls='panel-1'>Q?</button>{markup}</body></html>")
    assert root is not None
    body = root.find("body")
    assert body is not None
    body.insert(0, lxml.etree.Comment(" a comment has no attributes "))
    hinted, may_hide = extract._hinted(root)
    assert hinted == root.xpath("descendant-or-self::*[@hidden or @aria-hidden or @style or @class or @id]")
    assert may_hide == root.xpath("descendant-or-self::*[@hidden or @aria-hidden or @style]")


def _remove_hinted_plainly(root: lxml.html.HtmlElement, total: int, shown: frozenset[str], rec: Recorder) -> None:
    # The hint rule as first written: every hinted element asked, each removal checked by a climb to the root.
    hinted, may_hide = extract._hinted(root)
    hidden = {el for el in may_hide if is_hidden(el, shown)}
    doomed = [
        el
        for el in hinted
        if el.tag not in ("html", "body") and (el in hidden or (class_signal(el) < 0 and not in_code(el)))
    ]
    prose = {el: paragraph_chars(el) for el in doomed}
    styled = {el for el in hidden if hidden_by_style(el) and prose.get(el, 0) < 0.9 * total}
    groups: dict[tuple[object, str], int] = {}
    for el in doomed:
        if el not in styled:
            key = (el.getparent(), "") if el in hidden else (None, el.get("class", "") + "#" + el.get("id", "-"))
            groups[key] = groups.get(key, 0) + prose[el]
    for el in doomed:
        if not is_within(el, root):
            continue
        if el.tag in SENTENCE_TAGS and el not in hidden and extract.words_in_sentence(el):
            continue  # words of a sentence (words_in_sentence)
        key = (el.getparent(), "") if el in hidden else (None, el.get("class", "") + "#" + el.get("id", "-"))
        if el in styled or (prose[el] < 0.4 * total and groups.get(key, 0) < 0.4 * total):
            reason = "hidden from readers" if el in hidden else f"class/id word {furniture_word(el)!r} marks furniture"
            remove(el, rec, "prune", reason)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES, st.sampled_from([1, 60, 400]), st.booleans())
def test_the_hint_rule_removes_what_asking_every_hinted_element_removes(
    markup: str, total: int, fragment: bool
) -> None:
    # Pruning reads the class of an element without paragraphs only when no ancestor went before it;
    # the plain formulation asks every hinted element. The same removals, in the same order, on whole
    # pages and on a fragment whose own root, with a parent, is classed as furniture.
    if fragment:
        top = lxml.html.fragment_fromstring(
            f"<div class='sidebar'><p>Some words.</p>{markup}</div>", create_parent="section"
        )
    else:
        found = parse(f"<html><body><button aria-controls='panel-1'>Q?</button>{markup}</body></html>")
        assert found is not None
        top = found
    plain_top = copy.deepcopy(top)
    root, plain = (top[0], plain_top[0]) if fragment else (top, plain_top)
    shown = shown_on_click(root)
    got, want = Recorder(), Recorder()
    extract._remove_hinted(root, total, shown, got)
    _remove_hinted_plainly(plain, total, shown, want)
    assert lxml.html.tostring(top) == lxml.html.tostring(plain_top)
    assert got.removals == want.removals


def test_a_page_whose_body_its_style_hides_is_cleaned() -> None:
    # Pages hide the body until a script has laid them out (body style="visibility: hidden"): pruning
    # looked up the paragraph text of the body among the elements it may remove, and failed.
    page = fixture("cleans_a_page_whose_body_its_style_hides.html")
    rec = Recorder()
    root = parse(page)
    assert root is not None
    extract.prune(root, rec)
    assert "Share this" not in lxml.html.tostring(root, encoding="unicode")
    out = clean_html(page, BASE)
    assert "The river rose" in out and "Share this" not in out and "Menu" not in out


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_the_aria_hidden_elements_are_found_in_page_order(markup: str) -> None:
    root = parse(f"<html><body aria-hidden='true'>{markup}</body></html>")
    assert root is not None
    assert extract._aria_hidden(root) == root.xpath("descendant-or-self::*[@aria-hidden = 'true']")


def test_keeps_the_lead_in_the_title_section_above_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    # The template prints the headline and its standfirst in a title section beside the body's
    # container, whose parent also holds a row of links: the climb stops below the header.
    page = fixture("keeps_the_lead_in_the_title_section_above_the_body.html")
    out = clean_html(page, BASE)
    assert "A step-by-step guide to draining" in out
    assert "How to winter-proof a rain barrel" not in out  # the headline the template prints goes
    assert "wildlife pond" not in out and "Contact" not in out
    assert len(texts(out)) == 6
    monkeypatch.setattr(extract, "DISABLED", frozenset({"title_section"}))
    without = clean_html(page, BASE)
    assert "A step-by-step guide to draining" not in without
    assert len(texts(without)) == 5  # the body alone


def test_a_title_section_whose_lead_repeats_the_body_is_an_excerpt() -> None:
    # A blog's title section with a teaser of the body ("... we group items […]") stays out.
    page = fixture("keeps_the_lead_in_the_title_section_above_the_body.html").replace(
        "A step-by-step guide to draining, storing and restarting a barrel so the first frost does not split it.",
        "A rain barrel left full through a hard frost will crack along its seams, and the spigot […]",
    )
    out = clean_html(page, BASE)
    assert out.count("A rain barrel left full through a hard frost") == 1
    assert len(texts(out)) == 5


def test_drops_a_comment_thread_its_classes_do_not_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Hashed classes name nothing: the thread is told by its shape (dated items with a
    # "Reply" control, a reply nested in its comment), and its "4 Comments" heading goes with it.
    page = fixture("drops_a_comment_thread_its_classes_do_not_name.html")
    out = clean_html(page, BASE)
    assert len(texts(out)) == 3
    assert "passenger counts each quarter" in out
    assert "Reply" not in out and "Morag" not in out and "4 Comments" not in out
    monkeypatch.setattr(extract, "DISABLED", frozenset({"comment_shapes"}))
    without = clean_html(page, BASE)
    assert "night shift at the hospital" in without and "4 Comments" in without


def test_a_live_blogs_entries_dated_minutes_ago_are_not_a_comment_thread() -> None:
    # Dated items with relative times and nothing a comment has (no reply control, no link to
    # itself, no reader's link): a live blog's entries, the article itself, kept whole.
    out = clean_html(fixture("keeps_a_live_blogs_entries_dated_minutes_ago.html"), BASE)
    for line in ("Harbour wall closed", "About 4,000 homes", "Both ferry operators", "raised its warning to red"):
        assert line in out


def _without_cues(page: str) -> str:
    return (
        page.replace("?replytocom=", "?c=")
        .replace(">Reply</a>", ">Permalink</a>")
        .replace("2 days ago", "March 6, 2024")
    )


def _two_comments(page: str) -> str:
    start = page.index('<li class="w2"><div class="w3"><img class="a7" src="/u/3.png"')
    return page[:start] + page[page.rindex("</ol>") :]


def _comments_alone(page: str) -> str:
    return re.sub(r'<p class="t0">.*?</p>', "", page)


@pytest.mark.parametrize(
    "change",
    [
        _without_cues,  # dated items without a reply control or self-link: a list (events, a timeline)
        _two_comments,  # two comments are not a thread
        _comments_alone,  # a page of comments alone keeps them (too little else would be left)
    ],
)
def test_dated_items_are_a_comment_thread_only_with_a_comments_cue(change: Callable[[str], str]) -> None:
    page = change(fixture("drops_a_comment_thread_its_classes_do_not_name.html"))
    assert "the only way home for anyone working a shift" in clean_html(page, BASE)


@settings(max_examples=400, deadline=None)
@given(st.from_regex(COMMENT_DATE))
def test_every_text_comment_date_matches_passes_the_date_gate(text: str) -> None:
    # The gate is searched first for speed; it must pass every date line the pattern finds.
    assert COMMENT_DATE.search(text)
    assert extract._DATE_GATE.search(text), text


_PLAIN_DATE_GATE = re.compile(r"\d[/.-]\d\d?[/.-]\d|\s\d{4}|年|ago|vor|il y a|hace|há|前|назад", re.IGNORECASE)


# A date line of each alternative of COMMENT_DATE, each month, and letters IGNORECASE reads as others (ſ, ı, İ).
_DATE_LINES = [
    *(f"{month} 5, 2024" for month in "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()),
    *(
        f"5th of {month}. 2024"
        for month in "JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST ſEPT OCT NOV DEC".split()
    ),
    "an hour ago",
    "A day ago",
    "One week ago",
    "3 mins ago",
    "vor 2 Tagen",
    "Vor einem Monat",
    "il y a 2 jours",
    "ıl y a une heure",
    "İl y a un an",
    "hace 3 días",
    "Hace una semana",
    "há 2 dias",
    "HÁ um mês",
    "3分钟前",
    "5 дней назад",
    "12/03/2024",
    "2024-03-12",
    "2024年3月6日",
    " 2024",
    "1.2.3",
]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.from_regex(COMMENT_DATE),
        st.from_regex(_PLAIN_DATE_GATE),
        st.text(alphabet="0123456789 /.-aAgGoOvVrRiIlLyYhHcCeEáÁıİjJfFmMsSnNdDſ年前назадНАЗАД", max_size=24),
        st.tuples(st.text(alphabet="ab -,", max_size=4), st.sampled_from(_DATE_LINES)).map("".join),
    )
)
def test_the_date_patterns_behind_their_lookaheads_match_as_the_plain_patterns(text: str) -> None:
    # The lookahead names every character a match starts with: left out, a date starting with it is missed.
    for fast, plain in ((extract._COMMENT_DATE_AT, COMMENT_DATE), (extract._DATE_GATE, _PLAIN_DATE_GATE)):
        found, want = fast.search(text), plain.search(text)
        assert (found and found.span()) == (want and want.span()), (plain.pattern, text)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=8),
            st.sampled_from(
                [
                    " ago",
                    " AGO",
                    "a day ago",
                    "An hour ago",
                    "vor einem Tag",
                    "il y a une heure",
                    "hace un día",
                    "há um dia",
                    "7",
                    "٣",
                    "3/4/2024",
                    " 2024",
                ]
            ),
        ),
        max_size=6,
    ).map("".join)
)
def test_the_date_line_gate_passes_a_digit_or_a_relative_time(text: str) -> None:
    # What one pattern of them all, searched first, passed: a text without it is no date line.
    gate = re.compile("[0-9]| ago|vor ein|il y a un|hace un|há um")
    if gate.search(text) is None:
        assert not extract._date_line(text)
    if len(text) <= 160:
        assert extract._date_line(text) == (
            gate.search(text) is not None
            and extract._DATE_GATE.search(text) is not None
            and COMMENT_DATE.search(text) is not None
        )


_DATED_TEXTS = st.sampled_from(
    [
        "",
        "\n  ",
        "March 6, 2024",
        "posted 2 days ago",
        "12/03/2024 · Reply",
        "vor einem Tag",
        "2024年3月6日",
        "Room 4.5",
        "A line of 2024 words, far too long for a date line whatever it holds, from March 6, 2024",
        "Morag",
    ]
)
_DATED_TAGS = st.sampled_from(["div", "li", "span", "time", "a", "script", "p", "ol"])


@st.composite
def _dated_markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = [draw(_DATED_TEXTS)]
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        tag = draw(_DATED_TAGS)
        attr = ' datetime="2024-03-06"' if draw(st.integers(0, 9)) == 0 else ""
        inner = draw(_dated_markup(depth + 1))
        comment = f"<!-- {draw(_DATED_TEXTS)} -->" if draw(st.integers(0, 9)) == 0 else ""
        parts.append(f"<{tag}{attr}>{inner}</{tag}>{comment}{draw(_DATED_TEXTS)}")
    return "".join(parts)


def _reference_date_anchors(root: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    # As the rule was first written: <time> and datetime by XPath, then every text and tail tried.
    found = set(root.xpath("descendant-or-self::time | descendant-or-self::*[@datetime]"))
    for el in root.iter():
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if (
                text
                and len(text) <= 160
                and not text.isspace()
                and (re.search("[0-9]", text) or any(w in text for w in (" ago", "vor ein", "il y a un")))
                and COMMENT_DATE.search(text)
                and owner is not None
                and isinstance(owner.tag, str)
                and owner.tag not in ("script", "style")
                and len(" ".join(owner.text_content().split())) <= 80
            ):
                found.add(owner)
    return {el for el in found if not any(a in found for a in el.iterancestors())}


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(_dated_markup())
def test_the_date_anchors_and_their_boxes_are_those_a_plain_search_finds(markup: str) -> None:
    # One walk reads <time>, datetime and the date lines; the boxes of three dated items are found
    # walking down through boxes alone: both as a search of every element finds them, in page order.
    root = parse(f"<html><body><div>{markup}</div></body></html>")
    assert root is not None
    dates = extract._date_anchors(root)
    assert dates == _reference_date_anchors(root)
    holds = ancestor_counts(dates)
    for top in (root, *root.iter("div", "li", "ol")):
        assert extract._boxes(top, holds) == [el for el in top.iter() if holds.get(el, 0) >= 3]


def test_keeps_a_classed_link_inside_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    # A link classed for what it opens (a.popup, a.popup-iframe) and a citation mark whose id holds "print"
    # are words of their sentence; a screen reader's label, a <span> box and a row of share links still go.
    page = fixture("keeps_a_classed_link_inside_a_sentence.html")
    out = clean_html(page, BASE)
    plain = " ".join(lxml.html.fragment_fromstring(out, create_parent="div").text_content().split())
    assert "The nature of my avocations for the last thirty years" in plain
    assert "contact us online to see its entry" in plain
    assert "the clockmaker owned.[4] The ledgers" in plain
    assert "Credit" not in plain and "hovers" not in plain and "Facebook" not in plain
    monkeypatch.setattr(extract, "DISABLED", frozenset({"words_in_sentence"}))
    without = " ".join(
        lxml.html.fragment_fromstring(clean_html(page, BASE), create_parent="div").text_content().split()
    )
    assert "The nature of my for the last" in without and "[4]" not in without


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('<p>The nature of my <a class="popup" href="/g">avocations</a> for the last thirty years.</p>', True),
        ('<p>Call the surgery or contact us <em class="modal">online</em> to book a visit.</p>', True),
        (
            '<p>The text of the <b><a class="popup" href="/g">first</a> ledger</b> is lost.</p>',
            True,
        ),  # through inline levels
        ('<p>Share this story: <a class="popup" href="/f">Facebook</a></p>', False),  # nothing after it
        ('<p>A short <a class="popup" href="/g">word</a></p>', False),
        (
            '<p><a href="/a">One</a> <a href="/b">Two</a> <a class="popup" href="/c">Three</a> <a href="/d">Four</a> x</p>',
            False,
        ),
        (
            '<p>Words before it here <a href="/x">in a link <i class="popup">word</i> more</a> and after it too.</p>',
            True,
        ),
        ('<p>A caption of the photo here. <small class="visually-hidden">Credit</small> Jane Doe/Agency</p>', False),
        ('<p>Line one of the address<br><a class="popup" href="/m">Map</a><br>Line three of it</p>', False),
        ('<p>A long enough line before <a class="popup" href="/x"><div>a box</div></a> and after it.</p>', False),
    ],
)
def test_a_classed_element_is_words_of_a_sentence_only_inside_running_text(line: str, kept: bool) -> None:
    root = parse(f"<html><body><div>{line}</div></body></html>")
    assert root is not None
    el = next(
        e for e in root.iter() if "popup" in (e.get("class") or "") or e.get("class") in ("modal", "visually-hidden")
    )
    assert extract.words_in_sentence(el) is kept


def test_a_quote_keeps_its_attribution_footer(monkeypatch: pytest.MonkeyPatch) -> None:
    # <blockquote><p>…</p><footer>— Name, <cite>Work</cite></footer></blockquote>: who said it is part of the quote.
    page = (FIXTURES / "keeps_the_attribution_of_a_quote.html").read_text(encoding="utf-8")
    url = "https://news.example.org/2024/05/reading/"
    html = clean_html(page, url)
    assert "the group will follow.</p><p>— Carla Mendes, <cite>The Shared Shelf</cite></p></blockquote>" in html
    # the other two ways of crediting a quote were kept before this rule, and still are
    assert "</blockquote><figcaption>— Tomas Reyes, librarian</figcaption></figure>" in html
    assert "<p><cite>Ana Lund</cite></p></blockquote>" in html
    assert "quote_attribution" in extract.RULES
    monkeypatch.setattr(extract, "DISABLED", frozenset({"quote_attribution"}))
    assert "Carla Mendes" not in clean_html(page, url)
