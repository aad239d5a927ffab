"""Text that looks like markup reaches readers exactly as the source page shows it, never escaped twice nor added.

What a reader sees is the text of the published HTML as a browser parses it;
what the source shows is the text of the page as a browser that runs scripts
parses and draws it (lexbor, with scripting on, standing in for the browser).
The raw-text and escapable-raw-text elements (script, style, xmp, iframe,
noembed, noframes, noscript, plaintext, textarea, title) and <listing> are
drawn with text full of "<", ">", "&", entities and end-tag look-alikes.
"""

from __future__ import annotations

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from feedsvc.clean import SiteRules, clean_html, dom
from feedsvc.clean.sanitise import sanitise
from support.paths import FIXTURES

URL = "https://news.example.org/2026/02/story/"
SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)

RAW_TEXT = "script style xmp iframe noembed noframes noscript plaintext textarea title listing".split()
# What a browser never draws (display: none in the HTML standard's rendering rules, raw text it does not
# render, a <noscript> when scripts run), and what the cleaner never publishes: form controls and embeds.
UNSHOWN = "head script style noembed noframes noscript title template iframe textarea select button object svg"


def shown(html: str) -> str:
    """Return the text a browser that runs scripts shows of ``html``'s body, without any white space."""
    tree = LexborHTMLParser(html, scripting=True)
    for name in UNSHOWN.split():
        for node in tree.css(name):
            node.decompose()
    return "".join((tree.body.text(separator="") if tree.body is not None else "").split())


NAMES = [*RAW_TEXT, "p", "b", "body", "html"]
LOOK_ALIKES = st.one_of(
    st.builds(
        lambda name, case, end: f"</{case(name)}{end}",
        st.sampled_from(NAMES),
        st.sampled_from([str, str.upper, str.title]),
        st.sampled_from([">", " >", "/>", "x>", "", " a=b>", "\t>"]),
    ),
    st.builds(lambda name: f"<{name}>", st.sampled_from(NAMES[:-2])),
    st.sampled_from(
        [
            *("<!--", "-->", "<!-- x -->", "<!", "</", "<![CDATA[", "<br>", "<embed src=x>", "<b>bold</b>", "\n"),
            *("&amp;", "&lt;", "&gt;", "&#60;", "&#x3e;", "&copy;", "&copy", "&amp;lt;", "&lt;b&gt;", "a < b"),
            *("&", "<", ">"),
        ]
    ),
    st.text(alphabet="ab <>&;/#=\"'-!", max_size=4),
)
TYPED = st.lists(LOOK_ALIKES, max_size=8).map("".join)
WRAPPERS = [
    ("", ""),
    ("<pre>", "</pre>"),
    ("<code>", "</code>"),
    ("<blockquote>", "</blockquote>"),
    ("<table><tr><td>", "</td></tr></table>"),
    ("<table>", "</table>"),
    ("<!-- ", " -->"),
    ("<ul><li>", "</li></ul>"),
    ("<p>", "</p>"),
    ("<div><b>", "</b></div>"),
    ("<template>", "</template>"),
]
# Start and end tags in any case: a browser reads <NoScript> as <noscript>.
NAMED = st.builds(
    lambda name, case: case(name), st.sampled_from([*RAW_TEXT, "pre", "code", "p"]), st.sampled_from([str, str.title])
)
PART = st.tuples(NAMED, TYPED, st.sampled_from(WRAPPERS), st.booleans())


def article(parts: list[tuple[str, str, tuple[str, str], bool]], in_head: bool, page: bool) -> str:
    """Return an article whose paragraphs have each part (an element holding typed text, in a wrapper) between them."""
    head, body = [], ["<p>The first paragraph of the article says something.</p>"]
    for name, typed, (start, end), closed in parts:
        chunk = f"{start}<{name}>Sample {typed} end{f'</{name}>' if closed else ''}{end}"
        (head if in_head and name.lower() in ("script", "style", "noscript", "noframes", "title") else body).append(
            chunk
        )
        body.append("<p>A middle paragraph of the article goes on.</p>")
    body.append("<p>The last paragraph of the article ends here.</p>")
    if not page:
        return "".join(head + body)
    lead = "Lorem ipsum dolor sit amet, consectetur. " * 12
    return (
        f"<!doctype html><html><head><title>A title</title>{''.join(head)}</head>"
        f"<body><article><p>{lead}</p>{''.join(body)}</article></body></html>"
    )


@SETTINGS
@given(st.lists(PART, min_size=1, max_size=3), st.booleans())
def test_a_fragment_reads_as_the_source_shows_it(
    parts: list[tuple[str, str, tuple[str, str], bool]], in_head: bool
) -> None:
    # Fragments are pruned but never scored: every line the source shows stays, so the texts are equal.
    source = article(parts, in_head, page=False)
    assert shown(clean_html(source)) == shown(source), source


@SETTINGS
@given(st.lists(PART, min_size=1, max_size=3), st.booleans())
def test_each_line_of_a_page_is_text_the_source_shows(
    parts: list[tuple[str, str, tuple[str, str], bool]], in_head: bool
) -> None:
    # The extraction may drop a line of a whole page; what it publishes is text the source shows, as shown.
    source = article(parts, in_head, page=True)
    whole = shown(source)
    out = LexborHTMLParser(f"<body>{clean_html(source)}</body>", scripting=True).body
    assert out is not None
    lines = ["".join(node.text(separator="").split()) for node in out.iter(include_text=True)]
    assert [line for line in lines if line not in whole] == [], source


def fixture(name: str) -> str:
    return (FIXTURES / "clean" / name).read_text(encoding="utf-8")


def texts(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [" ".join(el.text_content().split()) for el in root]


def test_noembed_and_noframes_fallbacks_are_never_shown() -> None:
    # Browsers never draw them (display: none); kept, their raw text was escaped twice ("&amp;lt;b&amp;gt;").
    html = clean_html(fixture("shows_no_fallback_text_of_noembed_or_noframes.html"), URL)
    assert [line[:30] for line in texts(html)] == [
        "The tide gauge at the north pi",
        "The live chart of the water le",
        "Skippers are asked to compare ",
        "The old gauge at the south pie",
    ]
    assert "&amp;lt;" not in html and "cannot show" not in html and "frames" not in html


def test_plaintext_is_shown_as_typed_without_the_parsers_end_tags() -> None:
    # Everything after <plaintext> is shown as typed; lexbor's "</plaintext></article></body></html>" is not.
    html = clean_html(fixture("shows_plaintext_as_typed_without_end_tags.html"), URL)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    (pre,) = root.iter("pre")
    typed = pre.text_content()
    assert "user     = <your name>@rowing.example\nsecurity = SSL & TLS\n" in typed
    assert typed.endswith('"<b>" in a signature is sent as typed: &lt;b&gt; stays &lt;b&gt;\n')
    assert "</" not in typed


def test_noscript_tags_typed_in_code_are_shown_and_a_nested_noscript_ends_where_browsers_end_it() -> None:
    html = clean_html(fixture("shows_noscript_tags_typed_in_code_as_typed.html"), URL)
    lines = texts(html)
    # the <xmp>'s text is not cut as if it were a <noscript>
    assert '<noscript><img src="https://stats.example/pixel.gif?site=yoursite" alt=""></noscript>' in lines
    # the outer of two <noscript> start tags ends at the first end tag: the story goes on after it
    assert lines[-1].startswith("Check the counter's daily numbers for a week")
    assert "pixel.gif?site=handbook" not in html and "visitors" not in lines[0]


def test_a_noscript_in_a_template_is_read_as_browsers_read_it() -> None:
    # A template's content is no part of the tree css() searches; its <noscript> is raw text all the same:
    # read as markup, its "<style>" took the rest of the page with it.
    page = "<template><noscript>a <style> b</noscript></template><p>The story, after the template.</p>"
    assert clean_html(page) == "<p>The story, after the template.</p>"
    assert b"noscript" not in dom.well_nested(page)


def test_a_plaintext_inside_a_reopened_formatting_element_is_one_block_of_text() -> None:
    # The parser reopens a <b> inside the <plaintext>: its text is under the <b>, escaped once.
    page = "<p>Intro of the article, long enough.</p><p><b>Bold <plaintext>a &amp; b < c</p><p>d"
    root = lxml.html.fragment_fromstring(clean_html(page), create_parent="div")
    assert " ".join(root.xpath("string(.//pre)").split()) == "a &amp; b < c</p><p>d"


def test_the_sanitiser_drops_the_text_of_what_browsers_never_show() -> None:
    # What reaches it without a prune (a site rule's body kept whole, the whole-page fallback).
    for name in ("script", "style", "noembed", "noframes", "noscript", "iframe", "title", "textarea"):
        assert sanitise(f"<p>a</p><{name}>x &lt;b&gt; <b>y</b></{name}><p>b</p>") == "<p>a</p>\n<p>b</p>", name
    page = "<div class='body'><p>Story.</p><noembed>Fallback &lt;b&gt;</noembed></div>"
    assert clean_html(page, URL, SiteRules(body=(".body",), prune=False)) == "<p>Story.</p>"
