"""bench/perturb.py: the dev pages made to look like markup never seen, and bench/train_scorer.py's augmentation."""

from __future__ import annotations

import re
import sys

import lxml.html

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from extraction import Page
from perturb import VARIANTS, hash_classes, perturbed, plain_tags, strip_metadata
from train_scorer import augment

PAGE = """<html lang="en"><head><title>Harbour wall</title><meta charset="utf-8">
<meta name="description" content="The council voted > once"><meta property='og:title' content="Harbour">
<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "<p class='x'>"}</script>
<script>var card = "<div class=\\"teaser\\">";</script><style>.post > p { margin: 0 }</style></head>
<body class="home page"><header role="banner" id="top"><nav class='menu main'><a href="#sec-1">Jump</a></nav></header>
<main><article itemscope itemtype="https://schema.org/Article" class="post entry" data-note="class=kept">
<section id="sec-1"><p class="entry" title="a > b">The council voted.
<button aria-controls="sec-1 top" data-bs-target="#top">More</button></p></section></article></main>
<aside class=sidebar>Related</aside><footer>Footer</footer><input disabled class=field></body></html>"""


def tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def test_class_and_id_values_are_hashed_consistently_and_references_follow_their_id() -> None:
    out = hash_classes(PAGE, "set/1")
    root = tree(out)
    article = root.find(".//article")
    p = root.find(".//p")
    assert "post" not in out.split("<script")[0] and "sidebar" not in out
    # A repeated class stays repeated: "entry" on the article and on the paragraph.
    assert article.get("class").split()[1] == p.get("class")
    section, button, header = root.find(".//section"), root.find(".//button"), root.find(".//header")
    assert button.get("aria-controls") == f"{section.get('id')} {header.get('id')}"
    assert button.get("data-bs-target") == "#" + header.get("id")
    assert root.find(".//nav/a").get("href") == "#" + section.get("id")
    # Everything else is left as it was: other attributes, valueless ones, scripts and styles.
    assert article.get("data-note") == "class=kept" and article.get("itemscope") is not None
    assert root.find(".//input").get("disabled") is not None
    assert 'var card = "<div class=\\"teaser\\">";' in out and ".post > p" in out


def test_the_hash_is_salted_by_the_page_so_no_class_word_is_shared_between_pages() -> None:
    one, two = (tree(hash_classes(PAGE, salt)).find(".//article").get("class") for salt in ("set/1", "set/2"))
    assert one != two
    assert re.fullmatch(r"k[0-9a-f]{7} k[0-9a-f]{7}", one)
    assert hash_classes(PAGE, "set/1") == hash_classes(PAGE, "set/1")


def test_semantic_tags_become_divs_and_roles_go() -> None:
    root = tree(plain_tags(PAGE))
    for tag in ("header", "nav", "main", "article", "section", "aside", "footer"):
        assert root.find(f".//{tag}") is None, tag
    assert root.find(".//*[@role]") is None
    assert root.find(".//div[@id='sec-1']/p") is not None


def test_metadata_goes_and_the_title_stays() -> None:
    out = strip_metadata(PAGE)
    root = tree(out)
    assert root.findtext(".//title") == "Harbour wall"
    assert [m.attrib for m in root.iter("meta")] == [{"charset": "utf-8"}]
    assert "ld+json" not in out and "var card" in out
    assert root.find(".//*[@itemscope]") is None and root.find(".//*[@itemtype]") is None
    assert root.find(".//article").get("class") == "post entry"


def test_all_is_the_three_together_and_none_the_page_as_it_is() -> None:
    page = Page("set/1", PAGE, {"articleBody": "The council voted."}, "", "news.example", "set")
    assert perturbed([page], "none")[0].html == PAGE
    assert perturbed([page], "all")[0].html == strip_metadata(plain_tags(hash_classes(PAGE, "set/1")))
    assert set(VARIANTS) == {"none", "classes", "semantic", "metadata", "all"}


def test_augmentation_adds_perturbed_copies_of_a_share_of_the_pages_in_their_own_domain() -> None:
    pages = [Page(f"set/{i}", PAGE, {"articleBody": "x"}, "", f"site{i}.example", "set") for i in range(40)]
    assert augment(pages, 0.0) == pages
    out = augment(pages, 0.5)
    copies = out[len(pages) :]
    assert out[: len(pages)] == pages and 8 < len(copies) < 32
    by_key = {p.key: p for p in pages}
    for copy in copies:
        original = by_key[copy.key.removesuffix("#unseen")]
        assert copy.domain == original.domain and copy.truth is original.truth
        assert "<article" not in copy.html and 'name="description"' not in copy.html
    assert [p.key for p in augment(pages, 0.5)] == [p.key for p in out]
