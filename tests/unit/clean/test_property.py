"""Property-based: for any HTML-ish input the cleaner never raises, and its output is safe and stable.

hypothesis builds pages from a tag and attribute vocabulary that includes the
dangerous ones (script, iframe, svg, on* handlers, javascript: URLs, style),
nests them (deeply, sometimes), and fills them with text drawn from every
Unicode category: controls, surrogates, noncharacters, bidi controls. Runs
are derandomised (the same examples on every run and in CI) and bounded.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from feedsvc.clean import clean_html, summarize
from feedsvc.clean.sanitise import sanitise
from feedsvc.text import XML_UNSAFE, has_xml_unsafe, one_line, xml_safe
from support.hostile_vectors import dangers, text_dangers
from support.strategies import ANY_TEXT, HTMLISH, TEXT

SETTINGS = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)
BASE = "https://news.example.org/articles/story"


@st.composite
def deep(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["div", "blockquote", "b", "span", "li", "svg", "table"]))
    depth = draw(st.integers(200, 3000))
    return f"<{tag}>" * depth + draw(TEXT) + f"</{tag}>" * draw(st.integers(0, depth))


PAGES = st.one_of(
    HTMLISH,
    HTMLISH.map(lambda body: f"<html><head><title>t</title></head><body><article>{body}</article></body></html>"),
    deep(),
    ANY_TEXT,
)


def same_document(a: str, b: str) -> bool:
    """Whether two fragments build the same tree in a browser (serialisation details aside)."""
    return LexborHTMLParser(a).body.html == LexborHTMLParser(b).body.html


@SETTINGS
@given(PAGES)
def test_clean_html_never_raises_and_its_output_is_inert_xml_safe_and_stable(html: str) -> None:
    cleaned = clean_html(html, base_url=BASE)
    assert isinstance(cleaned, str)
    assert dangers(cleaned) == [], cleaned
    assert XML_UNSAFE.search(cleaned) is None, repr(cleaned)
    # sanitising the output again removes nothing: no mutation between our parse and a browser's
    assert same_document(sanitise(cleaned), cleaned), cleaned


@SETTINGS
@given(PAGES)
def test_summaries_are_one_line_of_plain_text(html: str) -> None:
    summary = summarize(clean_html(html, base_url=BASE), 30)
    assert "\n" not in summary and XML_UNSAFE.search(summary) is None
    assert text_dangers(summary) == [], summary


@SETTINGS
@given(TEXT)
def test_text_helpers_make_any_string_xml_safe(text: str) -> None:
    assert has_xml_unsafe(text) == (XML_UNSAFE.search(text) is not None)  # the fast test agrees with the class
    assert XML_UNSAFE.search(xml_safe(text)) is None
    line = one_line(text)
    assert XML_UNSAFE.search(line) is None and not re.search(r"\s\s|^\s|\s$", line)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", line)
