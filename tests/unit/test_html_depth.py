"""limit_depth: the one-call depth reading agrees with the tag-by-tag walk, bounds what the parsers build, and bounded
markup is not scanned twice."""

from __future__ import annotations

import pickle

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc import html_depth
from feedsvc.clean import parse
from feedsvc.html_depth import DepthLimited, bound_tree, is_depth_limited, limit_depth, nesting_depth
from support.strategies import HTMLISH

# Pieces that move the reading: raw text (in any case, with a look-alike name,
# with a "<" in its start tag), comments, <plaintext>, implied and void
# elements, unmatched end tags, a Kelvin sign that lower() turns into "k",
# foreign content and what it reads otherwise.
PIECES = [
    "<div>", "</div>", "<p>", "</p>", "<li>", "<br>", "<img src=x>", "<span x='<'>", "<b>", "</b>", "<a>",
    "<script>", "</script>", "<SCRIPT a=1>", "</SCRIPT >", "<scripts>", "<ſcript>", "</ſcript>", "<style/>",
    "</style", "<textarea>", "</textarea\t", "<title>", "</TITLE>", "<xmp>", "</xmp/>", "<noscript>",
    "</noscript>", "<iframe src=x>", "</iframe>", "<plaintext>", "<PLAINTEXT a>", "<!--", "-->", "<!doctype html>",
    "<?x?>", "<linK>", "</linK>", "<K>", "</k>", "<DIV>", "</Div\n>", "<", ">", "</", "text", "\x0b", " ",
    "<span>", "</span>", "<form>", "</form>", "<table>", "</table>", "<svg>", "</svg>", "<section>", "</section>",
    "<MATH>", "</math>", "<g>", "</g>", "<path d=x/>", "<td>", "</td>", "<input>", "<font color=red>", "<![CDATA[",
    "]]>", "<foreignObject>", "</foreignObject>", "<style>.a{}</style>",
    # self-closing tags (closed in foreign content, open in HTML, open with "/" in an unquoted value) and CDATA
    "<path/>", "<g />", "<path d='x'/>", "<path d=x />", "<svg/>", "<math/>", "<svg\x0b>", "<td/>", "<b/>",
    "</path>", "<mi>", "</mi>", "<mglyph/>", "<desc>", "<annotation-xml>", "<![CDATA[<g>]]>", "<![CDATA[</g>",
    "<!x <div>", "</br>",
    # attributes and comments as the HTML5 tokenizer reads them
    "<x-a b=\"<svg>\">", "<i title='>'>", "<a x=\">", "<a =\">", "<g x=a\"b>", "<span<div>", "<span\x0b>",
    "</script\x0b>", "<!-->", "<!--->", "--!>", "<b c = '</b>'>",
    # formatting elements an end tag of another element closes (reopened), and the elements that clear them
    "<i>", "</i>", "</a>", "<font>", "<u id=1>", "</u>", "<object>", "</object>", "<template>", "</template>", "\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_depth_read_in_one_call_equals_the_tag_by_tag_walk(markup: str) -> None:
    assert nesting_depth(markup) == html_depth._scan(markup, None)[0]


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(HTMLISH)
def test_depth_of_generated_pages_equals_the_tag_by_tag_walk(markup: str) -> None:
    assert nesting_depth(markup) == html_depth._scan(markup, None)[0]


def test_raw_text_and_comments_do_not_nest() -> None:
    page = "<div><script>if (a<b) { x = '<div><div>' }</script><!-- <div><div> --><style>p{}</style></div>"
    assert nesting_depth(page) == 1
    assert nesting_depth("<div><SCRIPT>'<div>'</Script><div></div></div>") == 2
    assert nesting_depth("<div><plaintext><div><div><div>") == 1


def _tree_depth(markup: str) -> int:
    root = parse(markup)
    assert root is not None
    return max(sum(1 for _ in el.iterancestors()) for el in root.iter())


# Each repeated, the parsers (lexbor, then lxml) nest it deeper and deeper, though its end tag names an element
# that is open: "</span>" inside "<span><div>" is ignored (a div is a "special" element), "</svg>" after a
# <div> that ended the SVG too, and lexbor leaves what a form holds open at "</form>".
@pytest.mark.parametrize(
    "shape", ["<span><div></span>", "<svg><div></svg>", "<form><div></form>", "<x-card><section></x-card>"]
)
def test_end_tags_parsers_ignore_close_nothing_and_the_depth_stays_bounded(shape: str) -> None:
    page = "<html><body>" + f"{shape}text" * 400 + "</body></html>"
    assert nesting_depth(page) >= 400
    assert _tree_depth(limit_depth(page)[0]) <= html_depth.MAX_DEPTH + 2  # html, body


# Inside SVG or MathML the parsers read by other rules: raw text is markup ("<svg><style><div>"), a void or
# implied-end element nests ("<svg><td>"), and a breakout tag ends the SVG, so "</svg>" no longer closes the
# HTML element it opened ("<svg><g><b></svg>", "<font color>", "<br>" too). Each repeated nests without end.
@pytest.mark.parametrize(
    "shape",
    [
        "<svg><style><div>", "<math><style><div>", "<svg><script><div>", "<math><mi><svg><style><div>",
        "<svg><plaintext><div>", "<svg><td>", "<svg><g><b></svg>", "<svg><g><font color=red></svg>",
        "<svg><g><br><x-a></svg>",
    ],
)  # fmt: skip
def test_foreign_content_read_as_parsers_read_it_stays_bounded(shape: str) -> None:
    page = "<html><body>" + f"{shape}text" * 400 + "</body></html>"
    assert _tree_depth(limit_depth(page)[0]) <= html_depth.MAX_DEPTH + 2


def test_self_closing_tags_in_svg_and_mathml_open_nothing() -> None:
    # wcxb 0390's chart: hundreds of "<path/>" in one <svg>, which parsers close as they open them.
    chart = "<div><svg viewBox='0 0 9 9'>" + "<path d='M0 0h9'/>" * 300 + "<g />" * 100_000 + "</svg></div>"
    assert nesting_depth(chart) == 2
    assert nesting_depth("<math><mrow><mglyph/><malignmark />" * 100 + "</math>") == 200
    assert nesting_depth("<svg/>" * 300 + "<math />" * 300 + "<div>") == 1  # closed in HTML too
    assert nesting_depth("<svg><g><path d=x/>") == 3  # the "/" ends an unquoted value: an open path
    assert nesting_depth("<div/>" * 300) == 300  # in HTML "/>" opens a <div>


# Where the reading is not sure the parser is in foreign content, "/>" opens an element, closed only by its own end
# tag: in an integration point (foreignObject, desc, MathML's mi), past a breakout tag (<b>) or an end tag that
# may close SVG elements the reading keeps ("</p>", "</x-y>"); "</path>" closes no "<path/>". CDATA
# is text to lexbor in foreign content, a bogus comment up to ">" to libxml2 (and to lexbor in HTML): its "</g>"
# closes nothing, and its "<g>" after a ">" opens one. Each repeated nests without end in one of the parsers (and
# "<path/>" is left out with an <svg> left out by the bound: in HTML it would open a path, 400 deep).
@pytest.mark.parametrize(
    "shape",
    [
        "<svg><foreignObject><x-a/>", "<math><mi><x-a/>", "<svg><desc><x-a/>", "<svg><g><b></b><path/></g></svg>",
        "<svg><g></p><path/></g>", "<svg><path/><g></path>", "<svg><g></x-y><path/><g></path>",
        "<svg><g><![CDATA[</g>]]>", "<div><![CDATA[</div>]]>", "<svg><![CDATA[ a > <g> ]]>", "<svg><path/><div>",
    ],
)  # fmt: skip
def test_self_closing_tags_and_cdata_read_as_parsers_read_them_stay_bounded(shape: str) -> None:
    page = "<html><body>" + f"{shape}text" * 400 + "</body></html>"
    assert _tree_depth(limit_depth(page)[0]) <= html_depth.MAX_DEPTH + 2


# Attributes, names and comments as the HTML5 tokenizer reads them (lexbor and libxml2 alike): a quoted value holds
# "<" and ">", a name runs to an HTML space ("<span<x>" is one element, "span<x", and so is "<span\x0b>"; "</span>"
# closes neither), "</script\x0b>" ends no script, and a comment ends at "--!>" or at once as "<!-->" or "<!--->".
# Each repeated nests without end in the parsers while a reading of the tag as text, or of a comment on to the next
# "-->", reads almost nothing.
@pytest.mark.parametrize(
    "shape",
    [
        "<span x='<'>", '<x-a b="<svg>"><path></svg>', "<b title='></b>'>", '<b c = "</b>"><div>', "<span<x></span>",
        "<span\x0b></span>", "<script></script\x0b><!--</script><div>-->", "<!--><div><!--x-->", "<!---><div><!--x-->",
        "<!-- a --!><div><!--x-->",
    ],
)  # fmt: skip
def test_attributes_names_and_comments_read_as_the_tokenizer_reads_them_stay_bounded(shape: str) -> None:
    page = "<html><body>" + f"{shape}text" * 400 + "</body></html>"
    assert nesting_depth(page) >= 400
    assert _tree_depth(limit_depth(page)[0]) <= html_depth.MAX_DEPTH + 2


# Formatting elements (<b>, <a>, <font>…) that an end tag of another element closes stay on the parsers' list of
# active formatting elements and are opened again at the next text or inline tag, where the parser is: so
# "<span><b></span>x" repeated nests one <b> deeper each time in lexbor (a line break is text too, and a <b>
# put before a table is closed by "</table>"), while a reading that closes them with the end tag reads 2.
@pytest.mark.parametrize(
    "shape",
    [
        "<span><b></span>x", "<div><b>x</div>\n", "<a><b>x</a>", "<table><b></table>x", "<b id=1><i></b>x",
        "<div><font id=1><font id=2><font id=3><font id=4>x</div>\n",
    ],
)  # fmt: skip
def test_formatting_elements_parsers_reopen_stay_open_and_the_depth_stays_bounded(shape: str) -> None:
    page = "<html><body>" + shape * 400 + "</body></html>"
    assert nesting_depth(page) >= 400
    assert _tree_depth(limit_depth(page)[0]) <= html_depth.MAX_DEPTH + 2


def test_formatting_elements_a_marker_or_their_own_end_tag_closes_are_not_reopened() -> None:
    assert nesting_depth("<object><b></object>x" * 400) == 2  # an <object> clears the list back to itself
    assert nesting_depth("<template><i></template>x" * 400) == 2
    assert nesting_depth("<span><b>x</b></span>x" * 400) == 2
    assert nesting_depth("<b><i>x</i></b>x" * 400) == 2
    # "</svg>" closes SVG's <a>, which is on no list of formatting elements (the walk reads it as the fast path does)
    assert html_depth._scan("<svg><a></svg>x" * 400, None)[0] == 2


def test_a_tree_deeper_than_the_backstop_keeps_its_text_and_loses_its_deepest_tags() -> None:
    root = lxml.html.document_fromstring(
        "<div>" * 600 + "<p>deep <b>story</b></p>", parser=lxml.html.HTMLParser(huge_tree=True)
    )
    assert bound_tree(root) == 1
    assert max(sum(1 for _ in el.iterancestors()) for el in root.iter()) == html_depth.TREE_DEPTH
    assert "deep story" in root.text_content()
    shallow = lxml.html.document_fromstring("<div>" * 100 + "<p>story</p>")
    assert bound_tree(shallow) == 0
    assert len(shallow.xpath("//div")) == 100


def test_cdata_is_text_in_svg_and_a_bogus_comment_in_html() -> None:
    assert nesting_depth("<svg>" + "<![CDATA[<g>]]>" * 300 + "</svg>") == 1
    assert nesting_depth("<svg><![CDATA[ <![CDATA[ <g> ]]> ]]></svg><div>") == 1  # ends at the first "]]>"
    assert nesting_depth("<div><![CDATA[</div>]]>" * 300) == 300  # "</div" is in the bogus comment
    assert nesting_depth("<div><!x </div>" * 300) == 300  # so in any "<!" or "<?" that is not a comment
    assert nesting_depth("<div></<script>" * 300) == 300  # and after "</" and no letter: no raw text starts


def test_inline_svg_icons_are_read_in_one_call_without_the_tag_by_tag_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def walk(html: str, max_depth: int | None) -> tuple[int, str]:
        raise AssertionError("read tag by tag")

    monkeypatch.setattr(html_depth, "_scan", walk)
    icon = (
        "<a href=/share><svg viewBox='0 0 24 24'><title>Share</title><style><![CDATA[.a{fill:red}]]></style>"
        "<!-- icon --><g><path d='M0 0h24'/><use href='#i'/></g></svg></a>"
    )
    assert nesting_depth("<div><p>" + icon * 50 + "</p></div>") == 4  # div, a, svg, g: path and use close themselves


def test_raw_text_outside_foreign_content_is_still_text() -> None:
    assert nesting_depth("<div><svg><path/></svg><style>a<b{}</style><script>'<div><div>'</script></div>") == 2
    assert nesting_depth("<svg></svg><title>a <b> c</title><textarea><div><div></textarea>") == 1


def test_an_svg_end_tag_closes_its_svg_past_a_long_chart() -> None:
    # 100 "<path/>" read as open: "</svg>" still closes the <svg>, so the 150 divs after it read 150 levels.
    page = "<div><svg>" + "<path d=x/>" * 100 + "</svg></div>" + "<div>" * 150
    assert nesting_depth(page) == 150


def test_an_end_tag_still_closes_what_parsers_close() -> None:
    assert nesting_depth("<div><span><i>text</i></div>" * 400) == 3  # "</div>" closes the inline elements in it
    assert nesting_depth("<div><span>text</div>" * 400) == 2
    assert nesting_depth("<x-card><span>text</x-card>" * 400) == 2
    assert nesting_depth("<section><div><span>text</section>" * 400) == 3


def test_a_page_within_the_limit_comes_back_equal_and_marked() -> None:
    page = "<div><p>" + "<span>" * 10 + "story</p></div>"
    bounded, depth = limit_depth(page)
    assert bounded == page
    assert depth == 11
    assert is_depth_limited(bounded)
    assert not is_depth_limited(page)


def test_a_deep_page_is_flattened_and_bounded_markup_is_returned_without_a_second_scan() -> None:
    page = "<div>" * 300 + "<p>story</p>" + "</div>" * 300
    bounded, depth = limit_depth(page)
    assert depth == 300
    assert nesting_depth(bounded) == 256
    again, depth_again = limit_depth(bounded)
    assert again is bounded
    assert depth_again == 300  # the depth the page had, as the first reading said
    # A tighter limit than the one it was bounded to is a new reading.
    tighter, _ = limit_depth(bounded, max_depth=10)
    assert nesting_depth(tighter) == 10


def test_any_change_to_bounded_markup_gives_plain_text_that_is_scanned_again() -> None:
    bounded, _ = limit_depth("<div><p>story</p></div>")
    assert not is_depth_limited(bounded + "<div>" * 300)
    assert not is_depth_limited(bounded.replace("story", "<div>" * 300))


def test_bounded_markup_survives_pickling() -> None:
    bounded, _ = limit_depth("<div>" * 300)
    copy = pickle.loads(pickle.dumps(bounded))
    assert copy == bounded
    assert is_depth_limited(copy)
    assert copy.depth == 300


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><noscript><img src='https://t.example/p'></noscript></head><body><p>story</p></body></html>",
        # a <noscript> whose start tag limit_depth does not read as raw text: scanned again
        "<html><body>" + "<div>" * 200 + "<noscript a='<'>" + "</div>" * 200 + "</noscript>"
        + "<div>" * 200 + "<p>story</p></body></html>",
    ],
)  # fmt: skip
def test_the_cleaner_parses_bounded_markup_as_it_parses_plain_text(page: str) -> None:
    plain = parse(page)
    marked = parse(limit_depth(page)[0])
    assert plain is not None and marked is not None
    assert lxml.html.tostring(marked) == lxml.html.tostring(plain)
    assert isinstance(limit_depth(page)[0], DepthLimited)
