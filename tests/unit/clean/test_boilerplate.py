"""feedsvc.clean.boilerplate: the title line the page template prints, found however the page builder wraps it."""

from __future__ import annotations

import copy

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.clean import boilerplate, clean_html
from feedsvc.clean.dom import remove
from feedsvc.clean.dom import text_of as read_text
from feedsvc.clean.policy import APPEAL_MAX_CHARS
from support.paths import FIXTURES

URL = "https://news.example.org/2024/03/harbour/"
TITLE = "Harbour wall to be extended after the winter storms"


def text_of(name: str) -> str:
    html = clean_html((FIXTURES / "clean" / name).read_text(encoding="utf-8"), URL)
    return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())


def test_the_title_line_under_a_main_wrapper_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "drops_the_title_line_under_a_main_wrapper.html"
    text = text_of(name)
    assert TITLE not in text
    assert text.startswith("The council voted on Tuesday")
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"title_line_leaves"}))
    assert text_of(name).startswith(TITLE)


def test_a_line_that_only_mentions_the_title_further_down_stays() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story, with enough words in it to be a real paragraph of text.</p>" for n in range(5)
    )
    page = (
        f"<html><head><title>{TITLE}</title></head><body><main><div>{paragraphs}"
        f"<h2>{TITLE}</h2><p>More of the story after a heading that repeats the title.</p></div></main></body></html>"
    )
    article = lxml.html.fragment_fromstring(clean_html(page, URL), create_parent="div")
    assert TITLE in article.text_content()


def items_of(name: str) -> list[str]:
    html = clean_html((FIXTURES / "clean" / name).read_text(encoding="utf-8"), URL)
    return [" ".join(li.text_content().split()) for li in lxml.html.fragment_fromstring(html, "div").iter("li")]


def test_a_link_list_a_paragraph_of_prose_leads_into_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "keeps_a_link_list_a_paragraph_leads_into.html"
    # Each list follows a sentence of the article that speaks of it, and the article goes on after it.
    assert items_of(name) == [
        "Trade in fish and fish products",
        "Keeping disease out of fish farms",
        "Mending nets at sea",
        "Principles of microeconomics",
        "Principles of macroeconomics",
    ]
    # The related list at the end is led by a heading, not by prose, and nothing of the article follows it.
    assert "older list" not in text_of(name)
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"prose_led_list"}))
    assert items_of(name) == []


_LIST = '<ul><li><a href="/a">The first course</a></li><li><a href="/b">The second course</a></li></ul>'
_SENTENCE = "The academy offers more than a hundred free courses, each with a certificate of its own."
_AFTER = "<p>Whichever you choose, read the terms of the certificate first.</p>"


@pytest.mark.parametrize(
    ("box", "led"),
    [
        (f"<div><p>{_SENTENCE}</p>{_LIST}{_AFTER}</div>", True),
        # Nothing of the article after it: a list at the end ("more posts") is not the writer's.
        (f"<div><p>{_SENTENCE}</p>{_LIST}</div>", False),
        # Led by a label or a heading, not by a sentence of prose.
        (f"<div><p>Related stories</p>{_LIST}{_AFTER}</div>", False),
        (f"<div><h3>{_SENTENCE}</h3>{_LIST}{_AFTER}</div>", False),
        # A lead that is itself mostly links is a teaser line, not the article's prose.
        (f'<div><p><a href="/x">{_SENTENCE}</a></p>{_LIST}{_AFTER}</div>', False),
    ],
)
def test_a_list_is_prose_led_only_after_a_sentence_with_the_article_going_on(box: str, led: bool) -> None:
    root = lxml.html.fragment_fromstring(box)
    assert boilerplate.is_prose_led_list(root.find("ul")) is led


@pytest.mark.parametrize(
    "appeal",
    [
        # One cue each (short blocks: one is enough), its words parted by a line break and a tag.
        "<div><p>Every donation you\n    <b>give</b> keeps the lights on.</p></div>",
        "<p>Journalism is\n\t<em>expensive</em>.</p>",
    ],
)
def test_an_appeal_is_found_however_its_words_are_spaced_and_tagged(appeal: str) -> None:
    # remove_appeals looks for the stems in its blocks' collapsed texts, joined: a stem parted by a
    # line break and a tag in the markup is whole there.
    prose = "<p>The report on the harbour wall, with enough words in it to be a paragraph of the story.</p>"
    article = lxml.html.fragment_fromstring(f"<div>{prose}{appeal}{prose}</div>")
    boilerplate.remove_appeals(article)
    assert [p.text_content() for p in article] == [lxml.html.fragment_fromstring(prose).text_content()] * 2


def _remove_appeals_plainly(article: lxml.html.HtmlElement) -> None:
    # remove_appeals without the stems found at once: every leaf searched for every stem.
    appeals = []
    for el in boilerplate._judged_leaves(article):
        text = read_text(el)
        if text and len(text) <= APPEAL_MAX_CHARS:
            cues = boilerplate.appeal_cues(text)
            if cues >= 2 or (cues == 1 and len(text) <= 400):
                appeals.append(el)
    for el in appeals:
        if el.getparent() is not None:
            target = boilerplate._appeal_container(el, article)
            boilerplate._remove_neighbours(target)
            boilerplate._remove_trailing_lines(target, article)
            remove(target)


# Words of appeals and of news, in any case, parted by white space or tags; characters whose lower
# case is longer (İ) or is ASCII (the Kelvin sign), and a block longer than an appeal can be.
_APPEAL_WORDS = st.sampled_from(
    [
        "Every donation you", "give", "keeps us going.", "Please consider", "supporting", "us", "Sign", "up",
        "for our newsletter", "SIGN UP", "Support", "Donate", "journalism is", "expensive", "free and open",
        "readers like you", "İstanbul", "\u212aeep", "ΣΑΣ", "The council met", "on Tuesday,", "\n\t", " ",
        "Subscribe to our newsletter. " * 60,
    ]
)  # fmt: skip
_APPEAL_TEXT = st.lists(
    st.tuples(_APPEAL_WORDS, st.sampled_from([" ", "\n  ", "", "<b>", "</b>", "<a href='/x'>", "</a>", "<br>"])),
    max_size=8,
).map(lambda parts: "".join(word + sep for word, sep in parts))
_APPEAL_TREES = st.recursive(
    _APPEAL_TEXT,
    lambda inner: st.builds(
        lambda tag, children: f"<{tag}>{''.join(children)}</{tag}>",
        st.sampled_from(["div", "p", "li", "ul", "section", "h3", "a", "span"]),
        st.lists(inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(_APPEAL_TREES, min_size=1, max_size=4))
def test_appeals_are_those_every_leaf_searched_for_every_stem_finds(blocks: list[str]) -> None:
    # Only the leaves whose text holds a stem are searched for cues, and for the stems found in all
    # the leaves' texts: the same removals as searching each leaf for all of them.
    article = lxml.html.fragment_fromstring(f"<div>{''.join(blocks)}</div>")
    plain = copy.deepcopy(article)
    boilerplate.remove_appeals(article)
    _remove_appeals_plainly(plain)
    assert lxml.html.tostring(article) == lxml.html.tostring(plain)


def test_support_at_the_start_of_a_longer_word_or_a_lower_case_name_is_no_appeal() -> None:
    name = "keeps_lines_where_support_begins_a_longer_word.html"
    text = text_of(name)
    # "support us" and "support <Name>!" are cues only as whole words and a capitalised name.
    for line in (
        "Both support USB and NFC.",
        "Support user defined passkeys for each account",
        "Native multi-platform support using the same key",
        "the changes they made to support the migration!",
    ):
        assert line in text
    assert "donate today" not in text


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Please support us today.", 1),
        ("Support CleanTechnica!", 1),
        ("Support our journalism.", 1),
        ("Both support USB and NFC.", 0),
        ("It adds telemetry for multiple PiP support usage.", 0),
        ("We made the changes to support the migration!", 0),
        ("They support ourselves and others.", 0),
    ],
)
def test_the_support_cue_ends_at_a_word(text: str, cues: int) -> None:
    assert boilerplate.appeal_cues(text) == cues


def test_an_appeal_for_a_gift_under_each_item_goes_but_gifts_told_of_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "drops_an_appeal_for_a_gift_repeated_under_each_item.html"
    text = text_of(name)
    # Under each camera the page asks the reader to keep it going with a gift, in words that name no donation.
    assert "support this webcam" not in text and "by making a gift to" not in text
    # The cameras, a gift made by somebody, and gifts told of in the third person are the article.
    assert "The beach camera looks north over the sand" in text
    assert "spent a week making a gift for the terns' wardens" in text
    assert "Gifts to the trust rose by a tenth last year" in text
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"gift_asks"}))
    assert text_of(name).count("support this webcam—by making a gift to Northcliff Harbour Trust") == 3


def test_an_ask_to_follow_the_writer_on_social_media_goes_but_follows_told_of_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "drops_an_ask_to_follow_the_writer_on_social_media.html"
    text = text_of(name)
    # The writer asks the reader to follow the blog elsewhere, or to sign up in a form the page no longer has.
    assert "Let's hang out on Instagram!" not in text
    assert "Be sure to follow me on social media" not in text
    assert "Sign up below so we can stay in touch!" not in text
    # Somebody else's accounts, told of in the story, are the article.
    assert "asked its members to follow its updates on Facebook" in text
    assert "told her fans to follow her on Instagram for the tour dates" in text
    assert text.endswith("and then planted the first sage.")
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"follow_asks"}))
    off = text_of(name)
    assert "Let's hang out on Instagram!" in off and "Be sure to follow me on social media" in off


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Let's hang out on Instagram!", 1),
        ("Be sure to follow me on social media to stay up to date.", 1),
        ("Follow us on X for updates.", 1),
        ("Sign up below so we can stay in touch!", 1),
        ("The council asked residents to follow its updates on Facebook.", 0),
        ("She told her fans to follow her on Instagram.", 0),
        ("Let's connect the hose to the tap on the left.", 0),
    ],
)
def test_the_follow_cues_ask_for_the_pages_own_accounts(text: str, cues: int) -> None:
    assert boilerplate.appeal_cues(text) == cues


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Support this podcast by making a gift to the Harbour Radio Trust.", 2),
        ("Make a tax-deductible gift today.", 1),
        ("Your gift helps keep the cameras running.", 1),
        ("Your subscription supports my research and writing.", 1),
        ("She spent a week making a gift for her grandmother.", 0),
        ("The browsers that support this feature are listed below.", 0),
        ("He was making a gift to his sister of the old boat.", 0),
        ("Gifts to the trust rose by a tenth last year.", 0),
    ],
)
def test_a_gift_ask_names_the_site_or_asks_now(text: str, cues: int) -> None:
    assert boilerplate.appeal_cues(text) == cues
