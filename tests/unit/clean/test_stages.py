"""clean_html's stages, one behaviour per test: boilerplate, URLs, images, sanitising."""

from __future__ import annotations

import importlib

import lxml.html
import pytest
from hypothesis import given, settings

from feedsvc.clean import clean_html, clean_html_explained
from feedsvc.clean.boilerplate import appeal_cues, remove_link_lists
from feedsvc.clean.dom import is_leaf_block, parse, text_content
from feedsvc.clean.normalise import best_from_srcset, strip_tracking
from support.paths import FIXTURES as FIXTURES_DIR
from support.strategies import BLOCK_TREES

FIXTURES = FIXTURES_DIR / "clean"
BASE = "https://news.example.org/2021/11/story/"
# The modules (feedsvc.clean's attributes of these names are the stages' functions).
normalise = importlib.import_module("feedsvc.clean.normalise")
boilerplate = importlib.import_module("feedsvc.clean.boilerplate")
dom = importlib.import_module("feedsvc.clean.dom")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def text(html: str) -> str:
    return " ".join(tree(html).text_content().split())


def paragraphs(html: str) -> list[str]:
    return [" ".join(p.text_content().split()) for p in tree(html).iter("p")]


# --- boilerplate ------------------------------------------------------------


def test_strips_share_bar_and_related_links() -> None:
    out = clean_html(fixture("strips_share_bar_and_related_links.html"), BASE)
    assert paragraphs(out) == [
        "The first paragraph of the story explains what happened at the meeting on Tuesday, and why it matters.",
        "The second paragraph adds the background that readers need to follow the rest of the report.",
    ]
    for gone in ("Tweet", "Related", "older story", "Share this"):
        assert gone not in out


def test_keeps_a_link_list_the_article_introduces_with_a_colon() -> None:
    out = clean_html(fixture("keeps_a_link_list_the_article_introduces_with_a_colon.html"), BASE)
    items = [" ".join(li.text_content().split()) for li in tree(out).iter("li")]
    # Introduced by a colon with the article going on after them: part of the article.
    assert items == [
        "The hosting site's own tutorial",
        "A free book on the subject",
        "The reference manual",
        "Acme Model 117 meter",
        "Brand 400 meter",
    ]
    # The same shape at the article's end is a "more posts" list: it goes.
    assert "older post" not in out


def test_keeps_sentences_that_link_most_of_their_words(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_sentences_that_link_most_of_their_words.html")
    out = clean_html(page, BASE)
    # Sentences whose names and sources are linked (73% and 55% of their text): the article's prose.
    assert "It began in 1987 with Ana Ruiz" in " ".join(paragraphs(out))
    assert "Their mussel beds were mapped" in " ".join(paragraphs(out))
    assert len(paragraphs(out)) == 5
    assert "Terns return" not in out  # a line of related links ends no sentence: it goes
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"prose_paragraph"}))
    without = " ".join(paragraphs(clean_html(page, BASE)))
    assert "It began in 1987" not in without and "Their mussel beds" not in without


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        (
            '<p>A sentence naming <a href="/a">Ana Ruiz</a> and <a href="/b">Ben Okafor of the trust</a> ends here.</p>',
            True,
        ),
        (
            '<p>Tags: <a href="/a">birds</a>, <a href="/b">beaches</a>, <a href="/c">volunteers of the bay</a></p>',
            False,
        ),
        (
            '<div>A sentence naming <a href="/a">Ana Ruiz</a> and <a href="/b">Ben Okafor of the trust</a> ends.</div>',
            False,
        ),
        (
            '<p><a href="/a">Nearly all of this sentence is one</a> <a href="/b">long run of linked words</a> here.</p>',
            False,
        ),
    ],
)
def test_a_linked_sentence_is_a_paragraph_that_ends_a_sentence_and_is_not_all_links(markup: str, kept: bool) -> None:
    el = lxml.html.fragment_fromstring(markup)
    text = " ".join(text_content(el).split())
    density = boilerplate.link_chars(el) / len(text.replace(" ", ""))
    assert boilerplate.is_linked_sentence(el, text, density) is kept


def test_keeps_the_articles_linked_items(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_the_articles_linked_items.html")
    out = text(clean_html(page, BASE))
    # A gear list whose items link what they name (55-70% of their text is links): the article's.
    for kept in ("Dune sleeping bag (in spring or autumn", "Pocket stove + gas", "Squeeze filter + two bottles"):
        assert kept in out
    assert "Buying options: Amazon (Pocket) Hill Store (Pocket)" in out
    # Links throughout: a related-stories list still goes.
    assert "My first wild camp" not in out
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"linked_items"}))
    without = text(clean_html(page, BASE))
    assert "Dune sleeping bag" not in without and "Pocket stove" not in without and "Buying options" not in without


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        ('<li>Buying options: <a href="/a">Amazon (DeWalt)</a> <a href="/b">Home Depot (Milwaukee)</a></li>', True),
        ('<p><a href="/a">Pocket stove</a> + gas<br><a href="/b">Titanium pot</a> and lid</p>', True),
        ('<ul><li><a href="/a">Ridge tent</a>, or for less <a href="/b">Basic 2</a> [$99]</li></ul>', True),
        ('<div>Buying options: <a href="/a">Amazon (DeWalt)</a> <a href="/b">Home Depot (Milwaukee)</a></div>', False),
        ('<li>Read: <a href="/a">Terns return to the spit</a> <a href="/b">Seal pups on the sandbank</a></li>', False),
        # A sentence is prose (``is_linked_sentence``, its own switch), not a line of items.
        ('<p>It began with <a href="/a">Ana Ruiz</a> and <a href="/b">Ben Okafor of the trust</a> in 1987.</p>', False),
    ],
)
def test_linked_items_are_a_text_block_with_a_fifth_of_its_text_outside_links(markup: str, kept: bool) -> None:
    el = lxml.html.fragment_fromstring(markup)
    text = " ".join(text_content(el).split())
    density = boilerplate.link_chars(el) / len(text.replace(" ", ""))
    assert boilerplate.is_linked_items(el, text, density) is kept


def test_keeps_sections_whose_id_is_their_headings_slug() -> None:
    out = clean_html(fixture("keeps_sections_whose_id_is_their_headings_slug.html"), BASE)
    headings = [" ".join(h.text_content().split()) for h in tree(out).iter("h2", "h3")]
    # An id made of the heading's words ("sharing-with-a-single-developer") names the section, not a share bar.
    assert headings == ["Sharing with a single developer", "4. Pick the times of day for social media"]
    assert len(paragraphs(out)) == 3
    # A short label's slug ("sharing", "social-links") still marks furniture.
    for gone in ("Share this", "Twitter", "Follow us", "Mastodon"):
        assert gone not in out


def test_keeps_short_headings_named_by_their_slug(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_short_headings_named_by_their_slug.html")
    headings = [" ".join(h.text_content().split()) for h in tree(clean_html(page, BASE)).iter("h3", "h4")]
    # 'membership' and 'menu' are furniture words, but each id is its heading's own slug.
    assert headings == ["Membership Discount", "A. Alignment with Customers, Menu, and Pricing"]
    # Every word a class word ("related posts") or a number ("24 comments"): still furniture.
    monkeypatch.setattr(dom, "DISABLED", frozenset({"short_heading_slugs"}))
    without = [" ".join(h.text_content().split()) for h in tree(clean_html(page, BASE)).iter("h3", "h4")]
    assert without == ["A. Alignment with Customers, Menu, and Pricing"]
    monkeypatch.setattr(dom, "DISABLED", frozenset({"anchor_in_heading"}))
    without = [" ".join(h.text_content().split()) for h in tree(clean_html(page, BASE)).iter("h3", "h4")]
    assert without == ["Membership Discount"]


def test_keeps_topical_mentions_of_newsletter_and_donation() -> None:
    html = fixture("keeps_topical_mentions_of_newsletter_and_donation.html")
    assert paragraphs(clean_html(html, BASE)) == paragraphs(html)


@pytest.mark.parametrize(
    "sentence",
    [
        "The museum's newsletter, sent to members each month, reported that donations had paid for the roof.",
        "Donations to the flood fund doubled, the charity said, and it will publish a newsletter on the results.",
        "Subscribers to the paper's print edition fell by a third, its annual report shows.",
    ],
)
def test_topical_sentences_hold_no_appeal_cue(sentence: str) -> None:
    assert appeal_cues(sentence) == 0


def test_keeps_a_linked_heading_after_an_appeal(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_a_linked_heading_after_an_appeal.html")
    out = clean_html(page, BASE)
    # A heading wrapped in its own anchor link, right after a newsletter appeal, is the next section's.
    assert "How we tested" in out
    # The appeals still go, and so does the short link after the last one (its button).
    assert "Sign up for our newsletter" not in out and "Sign me up" not in out
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"linked_headings"}))
    assert "How we tested" not in clean_html(page, BASE)


def test_appeal_cues_count_the_distinct_cues_a_text_holds() -> None:
    # Two cues whose stems differ ("becom", "donation"), one cue found twice, and none.
    assert appeal_cues("Become a member today, or make a monthly donation to keep us going.") == 2
    assert appeal_cues("Please make a donation. Your donation matters.") == 1
    assert appeal_cues("The council met on Tuesday to discuss the budget for next year.") == 0


def test_strips_unwrapped_appeal_heading_text_and_button() -> None:
    out = clean_html(fixture("strips_unwrapped_appeal_after_last_paragraph.html"), BASE)
    assert paragraphs(out) == [
        "The only paragraph of this short report says what was decided and when it takes effect.",
        "A second paragraph quotes an official on what happens next, and when the next meeting is due.",
    ]
    assert "Fierce" not in out and "Support Us" not in out


def test_strips_newsletter_box_inside_the_article() -> None:
    html = (
        "<article><p>The opening paragraph of the report, with enough words to count as prose here.</p>"
        "<div><h4>Get the briefing</h4><p>Sign up for our weekly newsletter and get the stories in your inbox.</p>"
        "<p>Subscribe</p></div>"
        "<p>The closing paragraph of the report, also with enough words to count as prose.</p></article>"
    )
    out = clean_html(html, BASE)
    assert paragraphs(out) == [
        "The opening paragraph of the report, with enough words to count as prose here.",
        "The closing paragraph of the report, also with enough words to count as prose.",
    ]


@pytest.mark.parametrize(
    "promo",
    [
        '<p>[Read more: <a href="/other">Another story on the same talks</a>]</p>',
        '<p><strong>Read more:</strong> <a href="/other">Another story on the same talks</a></p>',
        '<p>RELATED: <a href="/other">Another story on the same talks</a></p>',
        '<p><a href="/other">[Another story on the same talks]</a></p>',
    ],
)
def test_strips_inline_promo_paragraphs(promo: str) -> None:
    html = f"<div><p>The first paragraph stays where it is.</p>{promo}<p>The last paragraph stays too.</p></div>"
    out = clean_html(html, BASE)
    assert paragraphs(out) == ["The first paragraph stays where it is.", "The last paragraph stays too."]


def test_keeps_a_paragraph_that_merely_contains_a_link() -> None:
    html = '<p>The minister <a href="/speech">said in a speech</a> that the talks would go on.</p>'
    assert paragraphs(clean_html(html, BASE)) == ["The minister said in a speech that the talks would go on."]


def test_keeps_figure_caption_and_resolves_lazy_images() -> None:
    out = clean_html(fixture("keeps_figure_caption_and_lazy_image.html"), BASE)
    root = tree(out)
    assert [f.tag for f in root.iter("figure", "figcaption")] == ["figure", "figcaption"]
    assert "Delegations at the table. Photo: press service." in text(out)
    srcs = [img.get("src") for img in root.iter("img")]
    assert srcs == [
        "https://news.example.org/uploads/2021/11/summit.jpg",
        "https://news.example.org/2021/11/story/uploads/second.jpg",
        "https://news.example.org/img/third-1200.webp",
        "https://news.example.org/img/fourth-large.jpg",
    ]
    assert "data:" not in out and "srcset" not in out and "data-src" not in out


def test_drops_the_page_headline_h1_and_keeps_subheadings() -> None:
    html = (
        "<html><head><title>The headline | Site</title></head><body><article><h1>The headline</h1>"
        "<p>The first paragraph of the article, long enough to be prose for the scorer.</p>"
        "<h2>A subheading</h2><p>The second paragraph of the article, also long enough for the scorer.</p>"
        "</article></body></html>"
    )
    out = clean_html(html, BASE)
    assert "<h1" not in out and "The headline" not in out
    assert "<h2>A subheading</h2>" in out


def test_whole_page_keeps_the_article_and_drops_navigation() -> None:
    html = (
        "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<div class='sidebar'><p>Most read: a list of other stories and their teasers.</p></div>"
        "<div class='content'>"
        + "".join(
            f"<p>Paragraph {i} of the article, which carries the story, with commas, facts, and quotes.</p>"
            for i in range(6)
        )
        + "</div><footer><p>Copyright the publisher, all rights reserved.</p></footer></body></html>"
    )
    out = clean_html(html, BASE)
    assert len(paragraphs(out)) == 6
    for gone in ("Home", "Most read", "Copyright"):
        assert gone not in out


# --- normalisation -------------------------------------------------------------


def test_resolves_relative_urls_against_an_http_base_href_and_drops_tracking() -> None:
    out = clean_html(fixture("resolves_urls_against_http_base_href.html"), BASE)
    root = tree(out)
    assert [a.get("href") for a in root.iter("a")] == ["https://cdn.example.org/news/report.pdf?page=2"]
    assert [i.get("src") for i in root.iter("img")] == ["https://cdn.example.org/news/chart.png"]


def test_ignores_a_base_href_that_is_not_http() -> None:
    html = '<html><head><base href="javascript:alert(1)//"></head><body><p><a href="x.html">link</a> text.</p></body></html>'
    out = clean_html(html, BASE)
    assert [a.get("href") for a in tree(out).iter("a")] == [BASE + "x.html"]


def test_relative_links_without_a_base_stay_relative() -> None:
    out = clean_html('<p>See <a href="/elsewhere?utm_source=x">the report</a> and <img src="x.png" alt="x">.</p>')
    assert out == '<p>See <a href="/elsewhere">the report</a> and <img src="x.png" alt="x">.</p>'
    # Unsafe schemes still go, base or not.
    assert clean_html('<p><a href="javascript:alert(1)">x</a> y</p>') == "<p>x y</p>"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?utm_source=tw&utm_medium=s&id=7", "https://a.example/x?id=7"),
        ("https://a.example/x?fbclid=abc", "https://a.example/x"),
        ("https://a.example/x?gclid=1&mc_cid=2&mc_eid=3&q=news#top", "https://a.example/x?q=news#top"),
        ("https://a.example/x?page=2", "https://a.example/x?page=2"),
    ],
)
def test_strip_tracking(url: str, expected: str) -> None:
    assert strip_tracking(url) == expected


def test_best_from_srcset_prefers_the_widest() -> None:
    assert best_from_srcset("a.jpg 320w, b.jpg 1024w, c.jpg 640w") == "b.jpg"
    assert best_from_srcset("a.jpg, b.jpg 2x") == "b.jpg"
    assert best_from_srcset("") is None


@pytest.mark.parametrize(
    ("embed", "href", "label"),
    [
        (
            '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0" title="Interview"></iframe>',
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "Watch on YouTube: Interview",
        ),
        (
            '<iframe src="//player.vimeo.com/video/123"></iframe>',
            "https://player.vimeo.com/video/123",
            "Watch on Vimeo",
        ),
        ('<video src="/media/clip.mp4"></video>', "https://news.example.org/media/clip.mp4", "Watch the video"),
        (
            '<iframe src="https://e.infogram.com/2b7f0c1e-rankings?src=embed" title="2025 Rankings"></iframe>',
            "https://e.infogram.com/2b7f0c1e-rankings?src=embed",
            "View the chart: 2025 Rankings",
        ),
    ],
)
def test_embeds_become_plain_links(embed: str, href: str, label: str) -> None:
    out = clean_html(f"<p>Before the embed.</p>{embed}<p>After the embed.</p>", BASE)
    assert "<iframe" not in out and "<video" not in out
    links = [(a.get("href"), a.text_content()) for a in tree(out).iter("a")]
    assert links == [(href, label)]


def test_unknown_iframes_are_dropped() -> None:
    out = clean_html('<p>Text.</p><iframe src="https://ads.example.net/slot"></iframe>', BASE)
    assert out == "<p>Text.</p>"


# --- sanitising ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "alert"),
        ('<p>Hi <img src="https://x.example/a.png" onerror="alert(1)"></p>', "onerror"),
        ('<p><a href="javascript:alert(1)">Hi</a></p>', "javascript"),
        ('<p><a href="JaVaScRiPt:alert(1)">Hi</a></p>', "alert"),
        ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">Hi</a></p>', "data:"),
        ("<style>p{color:red}</style><p>Hi</p>", "color"),
        ('<p style="color:red" class="x" id="y">Hi</p>', "style"),
        ('<p onclick="steal()">Hi</p>', "onclick"),
        ('<form action="/x"><input name="q"><button>Go</button></form><p>Hi</p>', "<form"),
        ('<p>Hi</p><object data="x.swf"></object><embed src="y.swf">', "swf"),
        ("<svg><script>alert(1)</script></svg><p>Hi</p>", "alert"),
        ("<p>Hi<!-- secret comment --></p>", "secret"),
    ],
)
def test_sanitises_by_allowlist(dirty: str, forbidden: str) -> None:
    out = clean_html(dirty, BASE)
    assert forbidden.lower() not in out.lower()
    assert "Hi" in text(out)


def test_removes_xml_illegal_characters() -> None:
    out = clean_html("<p>A\x00B\x08C\x0bD\x1fE\ufffeF\x86G\ud800H</p>", BASE)
    assert out == "<p>ABCDEFGH</p>"


def test_leaves_no_empty_or_wrapper_only_elements() -> None:
    html = (
        "<div><div><section><p>Real text.</p></section></div><p> </p><p><span></span></p><ul><li></li></ul>"
        "<div><strong> </strong></div><p><a href='https://x.example/'></a></p><p>More <b>text</b>.</p></div>"
    )
    out = clean_html(html, BASE)
    assert out == "<p>Real text.</p>\n<p>More <b>text</b>.</p>"


def test_fragment_input_is_kept_whole() -> None:
    html = "<h2>Section</h2><p>One.</p><ul><li>first</li><li>second</li></ul><blockquote><p>Quoted.</p></blockquote>"
    out = clean_html(html, BASE)
    assert [el.tag for el in tree(out)] == ["h2", "p", "ul", "blockquote"]
    assert [" ".join(el.text_content().split()) for el in tree(out).iter("h2", "p", "li")] == [
        "Section",
        "One.",
        "first",
        "second",
        "Quoted.",
    ]


def test_tables_keep_their_structure() -> None:
    html = "<table><tr><th>Year</th><th>Votes</th></tr><tr><td>2021</td><td colspan='1'>52%</td></tr></table>"
    out = clean_html(html, BASE)
    assert [c.text_content() for c in tree(out).iter("th", "td")] == ["Year", "Votes", "2021", "52%"]


def test_text_wrapper_divs_become_paragraphs() -> None:
    out = clean_html("<div>First block of text.</div><div>Second <em>block</em>.</div>", BASE)
    assert paragraphs(out) == ["First block of text.", "Second block."]


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "\x00",
        "<",
        ">",
        "<<<>>>",
        "</p>",
        "<html>",
        "<?xml version='1.0' encoding='utf-8'?><p>x</p>",
        "\ud800",
        "<p>" * 5000,
        "<a href='http://[::1'>x</a>",
        "<img src='http://%zz'>",
        "&#0;&#xD800;",
        "<base href='http://['>",
        "plain text only",
        "<table><td>x",
        "<!--",
        "<![CDATA[x]]>",
        "<html><head><title>only a title</title></head></html>",
        "\ufeff<p>bom</p>",
    ],
)
def test_garbage_input_never_raises(garbage: str) -> None:
    out = clean_html(garbage, "https://example.org/")
    assert isinstance(out, str)
    assert "<script" not in out


def test_non_str_input_gives_empty_string() -> None:
    assert clean_html(None) == ""  # type: ignore[arg-type]
    assert clean_html(b"<p>bytes</p>") == ""  # type: ignore[arg-type]


def test_text_after_an_embed_is_kept_and_deep_wrappers_are_flattened() -> None:
    # libxml2 does not know <embed> is void and nested the following text inside it,
    # so dropping the embed dropped the paragraphs after it
    out = clean_html(
        fixture("keeps_text_after_an_embed_and_flattens_deep_nesting.html"), "https://news.example.org/ferry"
    )
    paragraphs = [p.text_content() for p in lxml.html.fragment_fromstring(out, create_parent="div").iter("p")]
    assert [p[:28] for p in paragraphs] == [
        "The island ferry moves to it",
        "Passengers with bicycles sho",
        "Season tickets bought before",
    ]
    assert "<embed" not in out and "<div" not in out


def test_xmp_code_is_shown_as_typed_never_as_escapes() -> None:
    html = clean_html(
        (FIXTURES / "shows_xmp_code_as_typed_never_as_escapes.html").read_text(encoding="utf-8"),
        "https://notes.example/phone-room/",
    )
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    code = " ".join(root.xpath("string(.//pre[1])").split())
    assert "state: >-" in code
    assert "<b>{{ area }}</b>" in code  # the page shows the tags as text, so readers do too
    assert "&gt;" not in root.text_content() and "&lt;" not in root.text_content()
    assert "a < b && c > d" in root.text_content()
    assert "<xmp" not in html


def test_each_embedded_video_is_linked_once_and_a_player_title_is_no_title() -> None:
    html = clean_html(
        fixture("links_each_embedded_video_once_without_player_titles.html"), "https://news.example.org/a/"
    )
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    links = [(a.get("href"), " ".join(a.text_content().split())) for a in root.iter("a")]
    assert links == [
        ("https://www.youtube.com/watch?v=abc123XYZ", "Watch on YouTube"),
        (
            "https://player.vimeo.com/video/76979871",
            "Watch on Vimeo: The January surge, filmed from the lifeboat station",
        ),
    ]
    assert "should take about eighteen months" in root.text_content()


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(BLOCK_TREES)
def test_wrappers_become_paragraphs_as_a_search_under_each_just_before_would_decide(markup: str) -> None:
    # paragraphs_from_wrappers reads which wrappers hold blocks once, up front; the reference
    # searches under each wrapper when its turn comes, after the changes made before it.
    mine, reference = parse(f"<body><div>{markup}</div></body>"), parse(f"<body><div>{markup}</div></body>")
    assert mine is not None and reference is not None
    normalise.paragraphs_from_wrappers(mine.body)
    for el in list(reference.body.iter("div", "section", "article", "main", "header", "center")):
        if el is reference.body:
            continue
        if is_leaf_block(el):
            if text_content(el).strip():
                el.tag = "p"
            continue
        normalise._wrap_inline_runs(el)
    assert lxml.html.tostring(mine) == lxml.html.tostring(reference)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(BLOCK_TREES)
def test_link_lists_go_as_when_each_block_climbed_to_see_whether_a_removed_list_holds_it(markup: str) -> None:
    # remove_link_lists knows what went with a list by a set of what was inside it; the
    # reference climbs from each block to the lists removed before it.
    html = f"<body><div>{markup.replace('<a>', '<a href=x>')}</div></body>"
    mine, reference = parse(html), parse(html)
    assert mine is not None and reference is not None
    remove_link_lists(mine.body)
    removed: set[lxml.html.HtmlElement] = set()
    for el in boilerplate._judged_blocks(reference.body):
        if el.getparent() is None or el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            continue
        if any(a in removed for a in el.iterancestors()):
            continue
        if el.tag not in ("ul", "ol") and boilerplate._fewer_links_than_two(el):
            continue
        squeezed = len("".join(text_content(el).split()))  # text_of without its spaces
        if (
            squeezed
            and boilerplate.link_chars(el) / squeezed > boilerplate.LINK_DENSITY_MAX
            and not boilerplate._is_prose_list(el)
            and not boilerplate._is_introduced_list(el)
            and not boilerplate.is_linked_sentence(
                el, " ".join(text_content(el).split()), boilerplate.link_chars(el) / squeezed
            )
        ):
            removed.add(el)
            el.drop_tree()
    assert lxml.html.tostring(mine) == lxml.html.tostring(reference)


def test_a_link_list_inside_a_link_list_goes_with_it_once() -> None:
    links = "".join(f'<li><a href="/t/{n}">Topic {n}</a></li>' for n in range(4))
    html = f"<p>{'Prose of the story, with commas, and more. ' * 3}</p><ul>{links}<li><ul>{links}</ul></li></ul>"
    out, removals = clean_html_explained(html)
    assert "Topic" not in out
    assert [r.reason for r in removals if r.reason.startswith("link list")] == ["link list (100% of its text is links)"]


def test_void_tags_typed_in_raw_text_are_shown_without_end_tags() -> None:
    # libxml2 needs an end tag after each void element it does not know (<embed>, <source>, ...), but only
    # in markup: in an <xmp>'s text (or a script's, or a comment) an added "</embed>" is shown to readers.
    html = clean_html(
        fixture("shows_void_tags_typed_in_raw_text_without_end_tags.html"), "https://help.example.org/webcam/"
    )
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    code = [" ".join(pre.text_content().split()) for pre in root.iter("pre")]
    assert code == [
        'Use <embed src="https://cam.example/harbour"> where the picture should go.',
        (
            'Older browsers need <video controls><source src="https://cam.example/harbour.mp4"> with a source for'
            ' each format, and subtitles come as <track src="https://cam.example/harbour.vtt"> inside it.'
        ),
    ]
    # the <video> in markup is still read as one element: the paragraph after it is kept
    assert "within two working days" in root.text_content()


def test_a_price_alone_is_no_appeal(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("keeps_a_guides_prices_and_drops_the_appeal_naming_one.html")
    out = text(clean_html(page, BASE))
    # A guide's own paragraphs on what things cost, and the heading over one, stay.
    assert "from as little as $10 to as much as $200 per month" in out
    assert "What to look for when buying a book subscription" in out
    assert "may charge as little as $10-$20 an hour" in out
    # The same price beside a cue that asks is still an appeal, and goes with its heading.
    assert "support us today" not in out and "Before you go" not in out
    assert appeal_cues("Tutors may charge as little as $10 an hour, or $40 a month.") == 0
    # 'support us', 'you can support us', 'as little as $' and '$1 a month' (a price after a space, too)
    assert appeal_cues("You can support us today for as little as $1 a month.") == 4
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"price_with_ask"}))
    without = text(clean_html(page, BASE))
    assert "as much as $200 per month" not in without and "as little as $10-$20" not in without


def test_an_appeal_written_over_two_paragraphs_goes_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    page = fixture("drops_an_appeal_written_over_two_paragraphs.html")
    out = text(clean_html(page, BASE))
    # The short paragraph asks to keep the publication going; the long one before it tells what membership
    # gives ("exclusive to our subscribers"): one cue, too long to be an appeal alone, but next to one.
    assert "help us keep bringing you" not in out
    assert "exclusive to our subscribers" not in out
    # The article around it, and a news sentence about somebody else's subscribers, stay.
    assert "December is a quiet month for releases" in out and "field recordings from a ferry crossing" in out
    assert "exclusive to Premium subscribers of a streaming service" in out
    monkeypatch.setattr(boilerplate, "DISABLED", frozenset({"appeal_next_to_appeal"}))
    without = text(clean_html(page, BASE))
    assert "help us keep bringing you" not in without
    assert "exclusive to our subscribers" in without


@pytest.mark.parametrize(
    ("line", "cues"),
    [
        ("To help us keep bringing you reviews like these, join today.", 1),
        ("Help us to keep publishing: every gift counts.", 1),
        ("The playlist is exclusive to our subscribers.", 1),
        ("The episode is exclusive to our paying members.", 1),
        ("The feature is exclusive to Premium subscribers.", 0),
        ("Volunteers help us keep the garden tidy.", 0),
    ],
)
def test_asking_to_be_kept_going_and_naming_what_members_get_are_appeal_cues(line: str, cues: int) -> None:
    assert appeal_cues(line) == cues
