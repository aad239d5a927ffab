"""feedsvc.clean.dom: shared texts read as a fresh read reads, innermost blocks, class/id words and signals."""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement

from feedsvc.clean import dom
from feedsvc.clean.dom import (
    class_signal,
    class_words,
    hidden_by_style,
    is_leaf_block,
    leaf_blocks,
    may_match,
    parse,
    plain_html_parser,
    remove,
    shared_texts,
    text_chars,
    text_content,
    text_of,
)
from support.strategies import ANY_TEXT, HINTED_TREES, HTMLISH

PAGE = """<html><body><article>
<div class="box"><p>First   paragraph with <a href="/a">a link</a> inside.</p>
<p>Second <span>one</span> <em>here</em>.</p></div>
<div class="promo"><p>Subscribe   now</p><p>Tail para.</p></div>
</article></body></html>"""


def _tree() -> HtmlElement:
    root = parse(PAGE)
    assert root is not None
    return root


def test_shared_texts_read_what_a_fresh_read_reads() -> None:
    root = _tree()
    with shared_texts():
        texts = [text_of(el) for el in root.iter()]
    assert texts == [" ".join(el.text_content().split()) for el in root.iter()]


def test_a_removal_changes_the_texts_of_the_ancestors_and_nothing_else() -> None:
    root = _tree()
    article = root.find(".//article")
    first, second = root.findall(".//p")[:2]
    span = root.find(".//span")
    with shared_texts():
        before = {el: text_of(el) for el in article.iter()}  # every text read (and kept) before the cut
        remove(span)
        after = {el: text_of(el) for el in article.iter()}
    fresh = {el: " ".join(el.text_content().split()) for el in article.iter()}
    assert after == fresh
    assert after[second] == "Second here." != before[second]
    assert after[article] != before[article]
    assert after[first] == before[first]


def test_outside_shared_texts_every_read_is_fresh() -> None:
    root = _tree()
    p = root.find(".//p")
    with shared_texts():
        assert text_of(p).startswith("First paragraph")
    p.find("a").drop_tree()  # a change that does not go through remove(): seen once the block is left
    assert text_of(p) == "First paragraph with inside."


def test_each_thread_has_its_own_texts() -> None:
    root = _tree()
    p = root.find(".//p")
    seen: list[str] = []
    with shared_texts():
        text_of(p)

        def other() -> None:
            p.find("a").drop_tree()  # this thread keeps no texts, so it reads the change
            seen.append(text_of(p))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=10)
    assert seen == ["First paragraph with inside."]


NESTED = """<html><body><article>
<div><p>One <b>bold</b></p><ul><li>Item <div>inner</div></li><li>Plain</li></ul></div>
<section><h2>Head</h2>tail text<figure><img src="x.jpg"><figcaption>Cap</figcaption></figure></section>
<div>Only text</div>
</article></body></html>"""


def test_leaf_blocks_are_the_innermost_blocks_in_page_order() -> None:
    root = parse(NESTED)
    assert root is not None
    article = root.find(".//article")
    assert article is not None
    found = leaf_blocks(article)
    assert [text_of(el) for el in found] == ["One bold", "inner", "Plain", "Head", "Cap", "Only text"]
    # The same elements, in the same order, as testing every element one by one.
    assert found == [el for el in article.iter() if el is not article and isinstance(el.tag, str) and is_leaf_block(el)]


def test_leaf_blocks_leave_out_the_root_even_when_it_is_a_leaf() -> None:
    root = parse("<div><p>Just <em>one</em> paragraph.</p></div>")
    assert root is not None
    p = root.find(".//p")
    assert p is not None
    assert leaf_blocks(p) == []
    assert leaf_blocks(root.find(".//div")) == [p]


def test_shared_leaf_blocks_after_a_removal_are_a_fresh_listing() -> None:
    # Within shared_texts a root's leaf blocks are listed once until the next remove(): a cut takes
    # blocks away and can make their container a leaf ("<li>Item <div>inner</div></li>" once the
    # <div> goes). A stale list would still hold the <div> and miss the <li>.
    root = parse(NESTED)
    assert root is not None
    article = root.find(".//article")
    assert article is not None
    item = root.find(".//li")
    with shared_texts():
        first = leaf_blocks(article)
        first.clear()  # each caller's own list: emptying it changes nothing kept
        assert leaf_blocks(article) == dom._leaf_blocks(article)
        remove(item.find("div"))
        after = leaf_blocks(article)
    assert after == dom._leaf_blocks(article)
    assert [text_of(el) for el in after] == ["One bold", "Item", "Plain", "Head", "Cap", "Only text"]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES, st.lists(st.integers(0, 10_000), max_size=4))
def test_shared_leaf_blocks_are_fresh_after_any_removals(markup: str, cuts: list[int]) -> None:
    root = parse(f"<html><body><article>{markup}</article></body></html>")
    assert root is not None
    article = root.find(".//article")
    assert article is not None
    with shared_texts():
        for cut in cuts:
            assert leaf_blocks(article) == dom._leaf_blocks(article)
            below = list(article.iterdescendants())
            if not below:
                break
            remove(below[cut % len(below)])
        assert leaf_blocks(article) == dom._leaf_blocks(article)


def test_class_words_are_each_names_words_and_runs_of_two_and_three() -> None:
    root = parse('<div class="postBody main__col-2 x" id="Top">text</div>')
    assert root is not None
    div = root.find(".//div")
    assert div is not None
    assert class_words(div) == [
        frozenset({"post", "body", "post-body"}),
        frozenset({"main", "col", "2", "main-col", "col-2", "main-col-2"}),
        frozenset({"x"}),
        frozenset({"top"}),
    ]


@pytest.mark.parametrize(
    ("names", "signal"),
    [
        ('class="entry-content has-sidebar"', 1),  # a content name, and no furniture in that name
        ('class="related-content"', -1),  # furniture in the name outweighs content
        ('class="sidebarWidget"', -1),  # camelCase words
        ('class="postBody"', 1),
        ('class="wp-block-group css-1x2y"', 0),  # no word of the policy
        ('id="about-the-author"', -1),  # a three-word run
        ("", 0),
    ],
)
def test_class_signal_reads_the_words_and_runs_of_class_names_and_id(names: str, signal: int) -> None:
    root = parse(f"<div {names}>text</div>")
    assert root is not None
    div = root.find(".//div")
    assert div is not None
    assert class_signal(div) == signal


def test_class_signals_are_remembered_where_the_cycle_collector_never_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    # The memos are plain dicts of strings to numbers: untracked, so no collection walks them as they grow.
    root = parse('<div class="related-content" id="box"><p class="entry-content x">text</p></div>')
    assert root is not None
    div, p = root.find(".//div"), root.find(".//p")
    assert div is not None and p is not None
    assert (class_signal(div), class_signal(p)) == (-1, 1)
    assert not gc.is_tracked(dom._NAME_SIGNALS)
    assert not gc.is_tracked(dom._CLASS_SIGNALS)
    # Full memos are emptied and filled again: the same signals.
    monkeypatch.setattr(dom, "_SIGNALS_MAX", 1)
    monkeypatch.setattr(dom, "_NAME_SIGNALS", {})
    monkeypatch.setattr(dom, "_CLASS_SIGNALS", {})
    for _ in range(3):
        assert (class_signal(div), class_signal(p)) == (-1, 1)
    assert len(dom._NAME_SIGNALS) == len(dom._CLASS_SIGNALS) == 1


def test_class_words_forgotten_answer_the_same_from_empty_caches() -> None:
    root = parse('<div class="postBody main__col-2" id="Top"><p class="postBody">text</p></div>')
    assert root is not None
    div, p = root.find(".//div"), root.find(".//p")
    assert div is not None and p is not None
    before = (class_words(div), class_words(p))
    dom.forget_class_words()
    assert dom._class_words.cache_info().currsize == dom._name_grams.cache_info().currsize == 0
    assert (class_words(div), class_words(p)) == before
    assert dom._name_grams.cache_info().hits >= 1  # the <p>'s "postBody" is the <div>'s, read once


def test_text_content_is_the_text_lxml_gives_without_the_tail() -> None:
    root = parse(NESTED + "<p>after <!-- a comment --> &amp; more</p>")
    assert root is not None
    for el in root.iter():
        assert text_content(el) == el.text_content()
    section = root.find(".//section")
    assert section is not None
    assert text_content(section) == "Headtail textCap"  # its own tail (a newline) left out


def test_may_match_is_false_only_for_a_text_holding_no_key_in_any_case() -> None:
    keys = ("click here to ", "follow ")
    assert may_match("Please CLICK HERE TO subscribe", keys)
    assert may_match("Follow us on Instagram", keys)
    assert may_match("Subſcribe today", ("subscribe ",))  # IGNORECASE reads ſ as s; casefold() too
    assert not may_match("The council voted on Tuesday.", keys)
    assert not may_match("", keys)


@pytest.mark.parametrize("text", ["Clıck here to subscribe", "CLİCK HERE TO SUBSCRIBE"])
def test_may_match_searches_a_text_whose_i_casefold_does_not_make_ascii(text: str) -> None:
    # IGNORECASE reads the dotless i and the dotted capital I as "i"; casefold() does not.
    pattern = re.compile(r"\bclick here to subscribe\b", re.IGNORECASE)
    assert pattern.search(text)
    assert may_match(text, ("click here to ",))


def test_a_block_under_an_inline_wrapper_makes_the_outer_block_a_container() -> None:
    # Page builders nest <div><span><h3>…</h3><p>…</p></span></div>: the outer <div> is no line of
    # text, and read as one it would hold the article twice over (its own text and its blocks').
    root = parse(
        "<html><body><div><div class='wrap'><span><h3>Set goals</h3><p>Save first.</p></span></div>"
        "<p>After.</p></div></body></html>"
    )
    assert root is not None
    found = leaf_blocks(root.find("body"))
    assert [el.text_content() for el in found] == ["Set goals", "Save first.", "After."]
    wrap = root.find(".//div[@class='wrap']")
    assert not is_leaf_block(wrap) and is_leaf_block(found[0])


@pytest.mark.parametrize(
    ("attrs", "styled"),
    [
        ('style="display: none"', True),
        ('style="color:red; VISIBILITY:hidden"', True),
        ("hidden", False),  # the hidden attribute is how streamed pages hold text a script moves in
        ('aria-hidden="true"', False),
        ('style="display:block"', False),
    ],
)
def test_hidden_by_style_reads_only_the_elements_own_inline_style(attrs: str, styled: bool) -> None:
    root = parse(f"<div><p {attrs}>Text.</p></div>")
    assert root is not None
    p = root.find(".//p")
    assert p is not None
    assert hidden_by_style(p) is styled


def _serialised_text(node: object) -> str:
    """What text_content read of every node before a childless one was read from its ``text``."""
    return str(lxml.etree.tostring(node, method="text", encoding="unicode", with_tail=False))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HTMLISH)
def test_the_text_of_any_node_is_its_serialised_text(markup: str) -> None:
    # Read from a parser that keeps comments and processing instructions, and with an entity
    # node added: a childless element is read from its text, everything else serialised.
    root = lxml.html.document_fromstring(f"<html><body>{markup}<!-- a note --></body></html>")
    root.body.append(lxml.etree.Entity("amp"))
    for node in root.iter():
        assert text_content(node) == _serialised_text(node)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_the_parser_without_an_id_table_builds_the_same_tree(markup: str) -> None:
    # plain_html_parser collects no ids (nothing looks an element up through the table); the tree
    # is the one the same parser with the table builds, ids and all.
    data = f"<html><body><p id='a'>x</p><p id='a'>{markup}</p></body></html>".encode()
    collecting = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    plain = lxml.html.document_fromstring(data, parser=plain_html_parser())
    assert lxml.html.tostring(plain) == lxml.html.tostring(lxml.html.document_fromstring(data, parser=collecting))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(ANY_TEXT | HTMLISH)
def test_collapsed_is_the_text_split_and_joined(text: str) -> None:
    # The fast path returns a text unsplit only when splitting and joining would give it back.
    assert dom.collapsed(text) == " ".join(text.split())


@pytest.mark.parametrize(
    "text", ["a b", " a", "a ", "a  b", "a\tb", "a\nb", "a\u00a0b", "a\u3000b", "a\u2028b", "a\x1cb", "a\x85b", ""]
)
def test_collapsed_splits_every_kind_of_white_space(text: str) -> None:
    assert dom.collapsed(text) == " ".join(text.split())


def _assert_counts_as_read(nodes: list[HtmlElement]) -> None:
    # The plain formulation: the collapsed text read, its spaces taken off.
    for node in nodes:
        text = text_of(node)
        assert text_chars(node) == len(text) - text.count(" ")


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HTMLISH | HINTED_TREES, st.booleans())
def test_text_chars_is_the_length_of_text_of_without_its_spaces(markup: str, shared: bool) -> None:
    # Comments, an entity node, childless elements and containers; inside shared_texts a text already
    # read is counted from it.
    root = lxml.html.document_fromstring(f"<html><body>{markup}<!-- a note --></body></html>")
    root.body.append(lxml.etree.Entity("amp"))
    with shared_texts() if shared else contextlib.nullcontext():
        _assert_counts_as_read(list(root.iter()))
        _assert_counts_as_read(list(root.iter()))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES, st.lists(st.integers(0, 10_000), max_size=4))
def test_text_chars_after_removals_counts_the_new_text(markup: str, cuts: list[int]) -> None:
    root = lxml.html.document_fromstring(f"<html><body><div>{markup}</div></body></html>")
    nodes = list(root.iter())
    with shared_texts():
        _assert_counts_as_read(nodes)
        for cut in cuts:
            remove(nodes[cut % len(nodes)])
            _assert_counts_as_read(nodes)


def test_no_white_space_but_the_ascii_space_is_printable() -> None:
    # What collapsed's fast path rests on: a printable text holds no white space but " ".
    assert [c for c in map(chr, range(0x110000)) if c.isspace() and c.isprintable()] == [" "]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(HINTED_TREES)
def test_the_tree_is_built_again_from_the_kept_markup(markup: str) -> None:
    # The pipeline keeps well_nested's markup to read a page again (without its comment threads):
    # each tree built from it is a new tree, the same as parse's.
    page = f"<html><body><div class='c'>{markup}</div><noscript><p>x</p></noscript></body></html>"
    kept = dom.well_nested(page)
    first, second, parsed = dom.tree_of(kept), dom.tree_of(kept), parse(page)
    assert first is not None and second is not None and parsed is not None
    assert first is not second
    assert lxml.html.tostring(first) == lxml.html.tostring(second) == lxml.html.tostring(parsed)


@pytest.mark.parametrize("script_text", [True, False])
def test_void_elements_libxml2_does_not_know_get_end_tags_in_markup_only(
    script_text: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # <embed>, <source>, <track>, <wbr>, <keygen>: an end tag where lexbor's serialisation has
    # markup, none in raw text (script, style, xmp, ...) or comments, whose text is read as typed
    # (a script's and a style's kept with the rule script_text off; a JSON-LD script's always).
    if not script_text:
        monkeypatch.setattr(dom, "DISABLED", frozenset({"script_text"}))
    markup = dom.well_nested(
        "<p>a<embed src=x>b</p><script>var s = '<embed>';</script><!-- <wbr> --><style>/* <source> */</style>"
        "<xmp><track src=t></xmp><iframe><keygen></iframe><p>c<SOURCE>d<wbr>e</p>"
        '<script type="application/ld+json">{"s": "<embed>"}</script>'
    ).decode()
    assert '<embed src="x"></embed>b' in markup and "<source></source>d<wbr></wbr>e" in markup
    assert "<!-- <wbr> -->" in markup and '{"s": "<embed>"}</script>' in markup
    assert "<xmp><track src=t></xmp>" in markup and "<iframe><keygen></iframe>" in markup
    kept = ("var s = '<embed>';" in markup, "/* <source> */" in markup)
    assert kept == ((False, False) if script_text else (True, True))


def test_scripts_and_styles_stay_without_their_text_and_json_ld_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # A reader never sees a script's code or a style's rules: no text the stages read or count holds them.
    ld = '{"@type": "NewsArticle", "articleBody": "Storms broke the harbour wall."}'
    page = (
        f'<html><head><script type="Application/LD+JSON">{ld}</script><style>p {{ color: red }}</style></head>'
        "<body><p>The wall <script>track('wall');</script><style>b { }</style>broke.</p></body></html>"
    )
    root = parse(page)
    assert root is not None
    assert [(el.tag, el.text) for el in root.iter("script", "style")] == [
        ("script", ld),
        ("style", None),
        ("script", None),
        ("style", None),
    ]
    p = root.find(".//p")
    assert dom.paragraph_chars(root) == len("The wall broke.") and text_chars(p) == len("Thewallbroke.")
    monkeypatch.setattr(dom, "DISABLED", frozenset({"script_text"}))
    root = parse(page)
    assert root is not None
    assert dom.paragraph_chars(root) == len("The wall track('wall');b { }broke.")


def test_scripts_and_styles_in_a_templates_content_lose_their_text_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # A template's content is a fragment the page's tags() never reach; lxml reads it as the template's
    # children, so a <p> holding a template counted its script as paragraph text until pruning dropped it.
    ld = '{"@type": "NewsArticle"}'
    page = (
        "<html><body><p>The wall <template><script>track('wall');</script><style>b { }</style>"
        "<template><script>nested();</script></template></template>broke.</p>"
        f'<div><template><script type="application/ld+json">{ld}</script></template></div></body></html>'
    )
    root = parse(page)
    assert root is not None
    assert [(el.tag, el.text) for el in root.iter("template", "script", "style")] == [
        ("template", None),
        ("script", None),
        ("style", None),
        ("template", None),
        ("script", None),
        ("template", None),
        ("script", ld),
    ]
    assert dom.paragraph_chars(root) == len("The wall broke.")
    monkeypatch.setattr(dom, "DISABLED", frozenset({"script_text"}))
    root = parse(page)
    assert root is not None
    assert dom.paragraph_chars(root) == len("The wall track('wall');b { }nested();broke.")


_CLEAN_FIXTURES = sorted((Path(__file__).parents[2] / "fixtures" / "clean").glob("*.html"))


@pytest.mark.parametrize(
    "page",
    [
        *(path.read_text(encoding="utf-8") for path in _CLEAN_FIXTURES),
        "<p>caf\u00e9 \u4e2d \U0001f600</p>" * 40,  # long, every UTF-8 length
        "<p>a\x01b \u00e9</p>" * 40,  # cleaned of a control first: lexbor reads the cleaned text
        "<p>a\ud800b</p>" * 40,  # a lone surrogate, which has no UTF-8
        "<div>" * 300 + "<p>deep \u00e9</p>",  # flattened first: lexbor reads the flat text
        "<p>short \u00e9</p>",
    ],
)
def test_lexbor_reads_the_pages_utf8_as_it_read_the_page_text(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # well_nested hands lexbor the UTF-8 that testing the page for unsafe characters made; without
    # those bytes (None) lexbor reads the text, as before: the markup is the same either way.
    made = dom.well_nested(page)
    monkeypatch.setattr(dom, "xml_safe_utf8", lambda text: None)
    assert made == dom.well_nested(page)
