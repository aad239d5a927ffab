"""The article's edges (feedsvc.clean.edges): bylines, contents, disclosures, bios, "Recent posts"."""

from __future__ import annotations

import lxml.html
import pytest

from feedsvc.clean import clean_html, clean_html_explained
from feedsvc.clean.boilerplate import appeal_cues
from feedsvc.clean.policy import DISCLAIMER
from support.paths import FIXTURES as FIXTURES_DIR

FIXTURES = FIXTURES_DIR / "clean"
BASE = "https://news.example.org/2025/03/story/"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def paragraphs(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [" ".join(el.text_content().split()) for el in root]


def test_strips_byline_contents_disclosure_bio_and_recent_posts() -> None:
    out = clean_html(fixture("strips_byline_bio_and_recent_posts_at_the_edges.html"), BASE)
    blocks = paragraphs(out)
    assert len(blocks) == 5
    assert all(b.startswith(f"Paragraph {i} about the council vote") for i, b in zip(range(1, 6), blocks, strict=True))


def test_each_edge_removal_says_why() -> None:
    _, removals = clean_html_explained(fixture("strips_byline_bio_and_recent_posts_at_the_edges.html"), BASE)
    reasons = {r.excerpt.split(" ")[0] + ":" + r.reason.split(" (")[0] for r in removals if r.stage == "boilerplate"}
    assert "By:byline" in reasons
    assert "5:byline, dateline or reading time" in reasons
    assert "This:affiliate or sponsorship disclosure" in reasons
    assert "Jane:author bio" in reasons
    assert "Recent:stories listed after 'Recent posts' at the end" in reasons


def test_keeps_a_bio_sentence_and_a_related_heading_in_the_middle() -> None:
    html = fixture("keeps_a_bio_sentence_and_a_related_heading_mid_article.html")
    blocks = paragraphs(clean_html(html, BASE))
    assert "Related research" in blocks
    assert any(b.startswith("Jane Doe is a writer whose novels") for b in blocks)
    assert len(blocks) == 7


@pytest.mark.parametrize(
    "line",
    [
        "Updated March 3, 2025",
        "5 min read",
        "By Jane Doe",
        "Last updated on September 16th, 2023 at 09:27 am",
        "2025-12-18",
    ],
)
def test_meta_lines_before_the_first_paragraph_go(line: str) -> None:
    body = "".join(
        f"<p>Paragraph {i} of the story is long enough to be prose, with a comma, a date and a full stop at the end.</p>"
        for i in range(3)
    )
    out = clean_html(f"<article><p>{line}</p>{body}</article>", BASE)
    assert line not in out and len(paragraphs(out)) == 3


def test_a_date_inside_the_story_stays() -> None:
    body = "<p>The first paragraph of the story is long enough to be prose, with a comma and a full stop.</p>"
    html = f"<article>{body}<p>March 3, 2025</p>{body.replace('first', 'last')}</article>"
    assert "March 3, 2025" in clean_html(html, BASE)


@pytest.mark.parametrize(
    "sentence",
    [
        "The feature is exclusive to Premium members.",
        "Members can unlock badges by completing tasks in the app.",
        "Your order will be delivered to your doorstep within two days.",
        "The new plan costs $10 a month, the company said.",
    ],
)
def test_topical_sentences_about_subscriptions_hold_no_appeal_cue(sentence: str) -> None:
    assert appeal_cues(sentence) == 0


def test_strips_a_paywall_box() -> None:
    body = "".join(
        f"<p>Paragraph {i} of the story is long enough to be prose, with a comma, a date and a full stop at the end.</p>"
        for i in range(3)
    )
    wall = (
        "<div><p>This article is exclusive to STAT+ subscribers</p><p>Already have an account? Log in</p>"
        "<p>Unlock this article — plus in-depth analysis, newsletters and events.</p></div>"
    )
    out = clean_html(f"<article>{body}{wall}</article>", BASE)
    assert len(paragraphs(out)) == 3 and "Unlock" not in out


def test_disclaimers_and_social_prompts_after_the_article_go() -> None:
    html = clean_html(fixture("drops_disclaimers_and_social_prompts_after_the_article.html"), BASE)
    text = " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())
    assert "the council had taken legal advice on who pays for repairs" in text  # advice in the story stays
    assert "should take about eighteen months, the council said in a statement." in text
    for junk in (
        "Follow us on Instagram",
        "found this article helpful",
        "informational purposes",
        "do not necessarily reflect",
        "appeared first on",
    ):
        assert junk not in text


@pytest.mark.parametrize(
    "line",
    [
        "This blog post is not intended to replace the advice of a medical professional.",
        "Our affiliates do not provide tax, legal or accounting advice.",
        "No content on this site should ever be used as a substitute for direct medical advice.",
        "The views expressed by the authors of this blog are their own.",
    ],
)
def test_disclaimer_lines(line: str) -> None:
    assert DISCLAIMER.search(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "The council had taken legal advice before the vote.",
        "She asked her doctor for advice on the medication.",
        "The views of residents were mixed.",
    ],
)
def test_sentences_about_advice_are_no_disclaimer(sentence: str) -> None:
    assert not DISCLAIMER.search(sentence)
