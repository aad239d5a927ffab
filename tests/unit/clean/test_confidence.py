"""The cleaner's doubts about its result (feedsvc.clean.confidence), and where they are shown."""

from __future__ import annotations

import lxml.html
from click.testing import CliRunner
from hypothesis import given, settings

from feedsvc.clean import clean_article, clean_html
from feedsvc.clean.confidence import Probe, assess, paragraph_text, sibling_paragraph_text
from feedsvc.clean.dom import parse
from feedsvc.cli.main import main
from support.paths import FIXTURES as FIXTURES_DIR
from support.strategies import BLOCK_TREES, HTMLISH

FIXTURES = FIXTURES_DIR / "clean"
URL = "https://news.example.org/2024/03/harbour/"
COMMENT_PAGE = FIXTURES / "doubts_a_reader_comment_chosen_as_article.html"


def test_a_reader_comment_chosen_as_the_article_is_doubted() -> None:
    html = COMMENT_PAGE.read_text(encoding="utf-8")
    result = clean_article(html, URL)
    assert result.html == clean_html(html, URL)
    assert result.confidence.doubtful
    assert "reader comments" in str(result.confidence)


def test_a_plain_article_is_not_doubted() -> None:
    page = FIXTURES / "drops_promos_prompts_and_updated_line_in_several_languages.html"
    result = clean_article(page.read_text(encoding="utf-8"), URL)
    assert not result.confidence.doubtful
    assert str(result.confidence) == "confident"


def test_a_short_body_on_a_long_page_is_doubted() -> None:
    doubt = assess(Probe(page_chars=10_000, pruned_chars=9_000, container_chars=8_000, extracted=True), "x" * 500)
    assert doubt.doubtful and "5%" in str(doubt)


def test_most_text_outside_the_container_is_doubted() -> None:
    doubt = assess(Probe(page_chars=10_000, pruned_chars=9_000, container_chars=1_000, extracted=True), "x" * 5_000)
    assert "outside the chosen container" in str(doubt)


def test_a_description_sharing_no_words_with_the_article_is_doubted() -> None:
    probe = Probe(description="Council votes to extend harbour wall after winter storms damage basin")
    assert assess(probe, "Recipes for autumn: pumpkin soup, roasted squash and apple crumble.").doubtful
    assert not assess(probe, "The council votes to extend the harbour wall after storms damage the basin.").doubtful


def test_clean_explain_shows_the_doubt() -> None:
    result = CliRunner().invoke(main, ["clean", "--explain", "--no-rules", "--url", URL, str(COMMENT_PAGE)])
    assert result.exit_code == 0, result.output
    assert "confidence: DOUBTFUL: the chosen container is marked up as reader comments" in result.output


def test_one_section_picked_among_siblings_holding_more_text_is_doubted() -> None:
    para = "<p>" + "The harbour wall will be extended by forty metres, the council said. " * 8 + "</p>"
    sections = "".join(f'<section class="part"><h2>Part {i}</h2>{para}</section>' for i in range(1, 5))
    lone = '<section class="part"><h2>Part 0</h2>' + para + "</section>"
    page = f"<html><head><title>Harbour</title></head><body><main>{lone}{sections}</main></body></html>"
    root = lxml.html.document_fromstring(page)
    first = root.find(".//section")
    assert sibling_paragraph_text(first) == 4 * paragraph_text(first)  # four sections of its kind beside it
    doubt = assess(
        Probe(page_chars=9_000, pruned_chars=9_000, container_chars=1_000, extracted=True, sibling_chars=4_000),
        "x" * 1_000,
    )
    assert "one section of several" in str(doubt)
    kept = assess(
        Probe(page_chars=9_000, pruned_chars=9_000, container_chars=8_000, extracted=True, sibling_chars=1_000),
        "x" * 8_000,
    )
    assert "one section of several" not in str(kept)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(BLOCK_TREES | HTMLISH)
def test_paragraph_text_counts_what_text_content_reads(markup: str) -> None:
    # Counted from the text lxml serialises, not from text_content(): the same characters.
    root = parse(f"<body><p>{markup}</p><div><p>lead</p>{markup}</div></body>")
    assert root is not None
    assert paragraph_text(root) == sum(len(p.text_content()) for p in root.iter("p"))
