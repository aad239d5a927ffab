"""Nothing executes: hostile HTML and metadata come out inert in clean HTML, feeds and pages.

The vectors are data (``tests/fixtures/hostile/xss_vectors.txt`` for article
bodies, ``metadata_vectors.txt`` for titles, names, tags and summaries). Each
body vector goes through ``clean_html`` alone, then through the whole
service as an article of its own: its page, the index, and the Atom, RSS
and JSON feeds. Pages and HTML content are parsed as a browser parses them
(lexbor, an HTML5 parser) and searched for anything that can run or load:
script-bearing elements, ``on*`` handlers, ``style``, non-http(s) URLs in
any URL attribute, ``<base>``, ``<meta http-equiv>``, frames, objects and
forms. Text fields (titles, summaries, names, tags) must hold no markup at
all, so a reader that shows RSS titles as HTML is safe too.
``tests/test_xss_browser.py`` opens the same pages in a real Chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import feedparser
import pytest
from flask.testing import FlaskClient
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from feedsvc.app import create_app
from feedsvc.clean import clean_html
from support.hostile_vectors import (
    ATOM,
    BASE,
    BODY_VECTORS,
    CONTENT_NS,
    INTRO,
    METADATA_VECTORS,
    Vector,
    article_page,
    dangers,
    metadata_page,
    text_dangers,
)
from support.sites import blank_site


def test_the_vector_lists_cover_every_family() -> None:
    families = {vector.family for vector in BODY_VECTORS}
    assert len(BODY_VECTORS) >= 80
    assert families >= {"script", "handler", "url", "base", "meta", "embed", "form", "svg", "mathml", "css", "parser"}
    assert len({vector.id for vector in BODY_VECTORS}) == len(BODY_VECTORS), "two vectors share a name"
    assert {vector.family for vector in METADATA_VECTORS} >= {
        "title",
        "og-title",
        "headline",
        "h1",
        "author",
        "keywords",
    }


def test_the_checker_finds_what_it_looks_for() -> None:
    """The checks are only as good as their ability to fail: each finds its own construct."""
    assert dangers("<p>text <a href='https://example.org/'>link</a> <img src='/a.png' alt=''></p>") == []
    for html in [
        "<script>1</script>",
        "<p onclick=x>p</p>",
        "<a href=' java\tscript:x'>a</a>",
        "<a href='&#106;avascript:x'>a</a>",
        "<img src='data:image/png,x'>",
        "<img srcset='https://a/ 1x, vbscript:x 2x'>",
        "<p style='x'>p</p>",
        "<base href='https://evil/'>",
        "<meta http-equiv=refresh content='0;url=https://evil/'>",
        "<svg><a xlink:href='javascript:x'>a</a></svg>",
        "<form action=https://evil/><input></form>",
        "<iframe srcdoc='x'></iframe>",
    ]:
        assert dangers(html), f"the checker misses {html!r}"
    assert text_dangers("Fish & chips < £5") == []
    assert text_dangers("<b>x</b>") and text_dangers("a\u202eb") and text_dangers("a\x00b")


# --- clean_html alone ------------------------------------------------------------------


@pytest.mark.parametrize("vector", BODY_VECTORS, ids=lambda vector: vector.id)
def test_clean_html_leaves_nothing_that_runs(vector: Vector) -> None:
    for html in (vector.body, article_page(vector.body, "A hostile page")):
        cleaned = clean_html(html, base_url=f"{BASE}/articles/x")
        assert dangers(cleaned) == [], f"clean_html kept something live from {vector.id}: {cleaned!r}"
        etree.fromstring(f"<div>{_as_xml(cleaned)}</div>")  # XML-safe: no illegal characters


def _as_xml(fragment: str) -> str:
    """A sanitised fragment as XML text (character data only), to prove every character is XML-legal."""
    return fragment.replace("&", "&amp;").replace("<", "&lt;")


# --- the whole service ------------------------------------------------------------------


@dataclass
class Served:
    client: FlaskClient
    body_slugs: dict[str, Vector]
    metadata_slugs: dict[str, Vector]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A site whose articles each hold one vector; every entry fits in one feed document and on the index."""
    content = blank_site(
        tmp_path_factory.mktemp("xss") / "content",
        'title = "Hostile"\nbase_url = "https://news.example.org"\nid_authority = "news.example.org,2024"\n'
        'default_author = "Desk"\nentries_per_feed = 1000\nfeed_max_bytes = 100000000\narticles_per_page = 1000\n',
    )
    articles = content / "articles"
    body_slugs: dict[str, Vector] = {}
    for number, vector in enumerate(BODY_VECTORS, 1):
        slug = f"body-{number:03d}"
        body_slugs[slug] = vector
        (articles / f"{slug}.html").write_text(article_page(vector.body, f"Vector {number}"), encoding="utf-8")
        (articles / f"{slug}.toml").write_text(
            f"published = 2024-03-{1 + number % 28:02d}T09:30:00Z\n", encoding="utf-8"
        )
    metadata_slugs: dict[str, Vector] = {}
    for number, vector in enumerate(METADATA_VECTORS, 1):
        slug = f"meta-{number:03d}"
        metadata_slugs[slug] = vector
        page, sidecar = metadata_page(vector)
        (articles / f"{slug}.html").write_text(page, encoding="utf-8")
        (articles / f"{slug}.toml").write_text(sidecar, encoding="utf-8")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "WEBSUB_ANNOUNCE_AT_START": False})
    yield Served(app.test_client(), body_slugs, metadata_slugs)


def test_every_hostile_article_is_published(served: Served) -> None:
    health = served.client.get("/healthz").get_json()
    assert health["rejected"] == []
    assert health["articles"] == len(served.body_slugs) + len(served.metadata_slugs)


@pytest.mark.parametrize("vector", BODY_VECTORS, ids=lambda vector: vector.id)
def test_article_page_of_a_body_vector_runs_nothing(served: Served, vector: Vector) -> None:
    slug = next(slug for slug, item in served.body_slugs.items() if item is vector)
    response = served.client.get(f"/articles/{slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert dangers(page, page=True) == [], f"{vector.id}: the page carries something live"
    # the article survives around the vector (an unclosed <script> or <style> swallows
    # what follows it in a browser too, so only the opening is certain)
    assert INTRO in page


@pytest.mark.parametrize("vector", METADATA_VECTORS, ids=lambda vector: vector.id)
def test_article_page_of_a_metadata_vector_shows_only_text(served: Served, vector: Vector) -> None:
    slug = next(slug for slug, item in served.metadata_slugs.items() if item is vector)
    page = served.client.get(f"/articles/{slug}").get_data(as_text=True)
    assert dangers(page, page=True) == []
    tree = LexborHTMLParser(page)
    texts = [tree.css_first("title").text(), tree.css_first("h1").text()]
    texts += [node.attributes.get("content") or "" for node in tree.css("meta[name=description]")]
    texts += [node.text() for node in tree.css(".byline a, .tags a")]
    for text in texts:
        assert text_dangers(text, vector.shown_as_text) == [], f"{vector.id}: {text!r}"


@pytest.mark.parametrize("path", ["/", "/feed.atom", "/feed.rss", "/feed.json"])
def test_lists_and_feeds_are_well_formed(served: Served, path: str) -> None:
    response = served.client.get(path)
    assert response.status_code == 200
    body = response.get_data()
    if path == "/":
        assert dangers(body.decode(), page=True) == []
    elif path.endswith(".json"):
        assert len(json.loads(body)["items"]) == len(served.body_slugs) + len(served.metadata_slugs)
    else:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert len(parsed.entries) == len(served.body_slugs) + len(served.metadata_slugs)


def _entries(served: Served) -> Iterator[tuple[str, str, dict[str, list[str]]]]:
    """Yield (format, slug, {"html": […], "text": […]}) for every entry of every site feed."""
    atom = etree.fromstring(served.client.get("/feed.atom").get_data())
    for entry in atom.iter(f"{ATOM}entry"):
        slug = entry.find(f"{ATOM}link").get("href").rsplit("/", 1)[1]
        texts = [entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary")]
        texts += [name.text for name in entry.iter(f"{ATOM}name")]
        texts += [category.get("term") for category in entry.iter(f"{ATOM}category")]
        yield "atom", slug, {"html": [entry.findtext(f"{ATOM}content")], "text": texts}
    rss = etree.fromstring(served.client.get("/feed.rss").get_data())
    for item in rss.iter("item"):
        slug = item.findtext("link").rsplit("/", 1)[1]
        texts = [item.findtext("title")] + [category.text for category in item.iter("category")]
        texts += [creator.text for creator in item.iter("{http://purl.org/dc/elements/1.1/}creator")]
        yield "rss", slug, {"html": [item.findtext(CONTENT_NS), item.findtext("description")], "text": texts}
    for item in json.loads(served.client.get("/feed.json").get_data())["items"]:
        texts = [item["title"], item["summary"], *item.get("tags", []), *(a["name"] for a in item["authors"])]
        yield "json", item["url"].rsplit("/", 1)[1], {"html": [item["content_html"]], "text": texts}


def test_feed_content_titles_and_summaries_run_nothing(served: Served) -> None:
    problems = []
    seen = set()
    for kind, slug, fields in _entries(served):
        seen.add((kind, slug))
        vector = served.body_slugs.get(slug) or served.metadata_slugs[slug]
        for html in fields["html"]:
            problems += [f"{kind} {vector.id}: {found}" for found in dangers(html or "")]
        for text in fields["text"]:
            problems += [f"{kind} {vector.id}: {found}" for found in text_dangers(text or "", vector.shown_as_text)]
    assert problems == []
    assert len(seen) == 3 * (len(served.body_slugs) + len(served.metadata_slugs))


def test_hostile_names_make_plain_facet_pages(served: Served) -> None:
    catalog = served.client.application.extensions["feedsvc"].snapshot.catalog
    for facets in (catalog.tags, catalog.authors):
        for facet in facets.values():
            assert text_dangers(facet.name) == [], facet.name
            page = served.client.get(facet.path)
            assert page.status_code == 200, facet.path
            assert dangers(page.get_data(as_text=True), page=True) == []
            feed = served.client.get(f"{facet.path}/feed.atom")
            assert feedparser.parse(feed.get_data()).bozo == 0
