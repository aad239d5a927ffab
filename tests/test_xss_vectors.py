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

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from flask.testing import FlaskClient
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from feedsvc import create_app
from feedsvc.clean import clean_html

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
BASE = "https://news.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}encoded"
INTRO = "The council met on Tuesday evening to discuss the harbour bridge, its repairs and the new timetable."
OUTRO = "Residents will be able to comment on the plans until the end of the month, the council said."


@dataclass(frozen=True)
class Vector:
    family: str
    name: str
    body: str

    @property
    def id(self) -> str:
        return f"{self.family}: {self.name}"


def read_vectors(name: str) -> list[Vector]:
    """Read a vector file: ``## family | name`` records, bodies in unicode_escape notation."""
    vectors: list[Vector] = []
    header: tuple[str, str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if header is not None:
            body = codecs.decode("\n".join(lines).rstrip("\n"), "unicode_escape")
            vectors.append(Vector(header[0], header[1], body))

    for line in (HOSTILE / name).read_text(encoding="ascii").splitlines():
        if line.startswith("## "):
            flush()
            family, _, title = line[3:].partition("|")
            header, lines = (family.strip(), title.strip()), []
        elif header is not None:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"{name}: text before the first record: {line!r}")
    flush()
    return vectors


BODY_VECTORS = read_vectors("xss_vectors.txt")
METADATA_VECTORS = read_vectors("metadata_vectors.txt")

# --- what a browser could run or load -------------------------------------------------

# Elements that run code, load or embed something, submit data or change how the rest is read.
FORBIDDEN_ELEMENTS = frozenset(
    """
    script noscript style iframe frame frameset object embed applet param portal base
    form input button select textarea isindex keygen svg math template xmp plaintext
    listing noembed noframes marquee dialog video audio source track map area link meta
    """.split()
)
# Attributes that hold a URL somewhere in some element (HTML, SVG, MathML, legacy).
URL_ATTRIBUTES = frozenset(
    """
    href src action formaction xlink:href data poster background srcset cite longdesc lowsrc
    dynsrc ping codebase archive manifest icon profile usemap classid to values from by
    """.split()
)
SAFE_SCHEMES = ("", "http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def url_scheme(value: str) -> str:
    """Return the scheme a browser reads in a URL attribute ("" for a relative URL)."""
    # WHATWG URL: leading and trailing C0 controls and spaces go, tabs and newlines anywhere
    url = re.sub(r"[\t\n\r]", "", value.strip(_C0_OR_SPACE))
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def dangers(html: str, *, page: bool = False) -> list[str]:
    """Return what in ``html`` (a whole page, or a fragment) could run code or load from elsewhere."""
    tree = LexborHTMLParser(html)
    found: list[str] = []
    head = tree.head
    for node in tree.root.traverse() if tree.root is not None else ():
        tag = node.tag
        if not isinstance(tag, str) or tag.startswith("-"):
            continue
        in_head = page and head is not None and _inside(node, head)
        if tag in FORBIDDEN_ELEMENTS and not (in_head and _allowed_in_head(node)):
            found.append(f"<{tag}> element")
        for name, value in node.attributes.items():
            name = name.lower()
            value = value or ""
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…> handler")
            elif name == "style":
                found.append(f"<{tag} style=…>")
            elif name in URL_ATTRIBUTES:
                values = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                for url in values:
                    scheme = url_scheme(url)
                    ours = in_head and tag == "link" and node.attributes.get("rel") == "icon" and value == "data:,"
                    if scheme not in SAFE_SCHEMES and not ours:
                        found.append(f"<{tag} {name}={url[:40]!r}> ({scheme}: URL)")
            elif name in ("http-equiv", "srcdoc", "formaction", "is"):
                found.append(f"<{tag} {name}=…>")
    return found


def _inside(node, ancestor) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == ancestor.mem_id:
            return True
        parent = parent.parent
    return False


def _allowed_in_head(node) -> bool:
    """The page template's own <head> elements: meta, links icon/alternate/stylesheet/canonical/prev/next."""
    attributes = node.attributes
    if node.tag == "meta":
        return set(attributes) <= {"charset", "name", "content"}
    if node.tag == "link":
        return attributes.get("rel") in ("icon", "alternate", "stylesheet", "canonical", "prev", "next")
    return False


_MARKUP = re.compile(r"<[A-Za-z/!?]")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def text_dangers(text: str) -> list[str]:
    """Return what makes ``text`` (a title, name, tag or summary) more than plain text."""
    found = []
    if _MARKUP.search(text):
        found.append(f"markup in text: {text[:80]!r}")
    if _NOT_TEXT.search(text):
        found.append(f"control or bidi override character in text: {text[:80]!r}")
    return found


def test_the_vector_lists_cover_every_family() -> None:
    families = {vector.family for vector in BODY_VECTORS}
    assert len(BODY_VECTORS) >= 80
    assert families >= {"script", "handler", "url", "base", "meta", "embed", "form", "svg", "mathml", "css", "parser"}
    assert len({vector.id for vector in BODY_VECTORS}) == len(BODY_VECTORS), "two vectors share a name"
    assert {vector.family for vector in METADATA_VECTORS} >= {"title", "og-title", "headline", "h1", "author", "keywords"}


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


def article_page(body: str, title: str, head: str = "", heading: str | None = None) -> str:
    """A saved news page holding ``body`` between two ordinary paragraphs."""
    heading = title if heading is None else heading
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><article><h1>{heading}</h1><p>{INTRO}</p>\n{body}\n<p>{OUTRO}</p></article></body></html>"
    )


def metadata_page(vector: Vector) -> tuple[str, str]:
    """Return (page, sidecar) that put a metadata vector where its family says."""
    value = vector.body
    title, head, heading, sidecar = "An ordinary title", "", None, 'published = 2024-03-05T09:30:00Z\n'
    ld: dict[str, object] = {}
    if vector.family == "title":
        title, heading = value, ""
    elif vector.family == "og-title":
        head = f'<meta property="og:title" content="{value}">'
    elif vector.family == "headline":
        ld["headline"] = value
    elif vector.family == "h1":
        title, heading = "", value
    elif vector.family == "author":
        ld["author"] = {"@type": "Person", "name": value}
    elif vector.family == "keywords":
        head = f'<meta name="keywords" content="{value}">'
    elif vector.family == "summary":
        head = f'<meta name="description" content="{value}">'
    elif vector.family == "sidecar":
        sidecar += f"title = {json.dumps(value)}\n"
    if ld:
        # written by hand, not json.dumps, so "</script>" and friends stay as the vector has them
        fields = ",".join(f'"{key}":{_json_value(item)}' for key, item in ld.items())
        head += f'<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",{fields}}}</script>'
    return article_page("<p>A plain paragraph in the middle of the story, with nothing odd in it.</p>", title, head, heading), sidecar


def _json_value(item: object) -> str:
    if isinstance(item, str):
        return '"' + item.replace('"', '\\"') + '"'
    return "{" + ",".join(f'"{k}":{_json_value(v)}' for k, v in item.items()) + "}"  # type: ignore[union-attr]


@dataclass
class Served:
    client: FlaskClient
    body_slugs: dict[str, Vector]
    metadata_slugs: dict[str, Vector]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A site whose articles each hold one vector; every entry fits in one feed document and on the index."""
    content = tmp_path_factory.mktemp("xss") / "content"
    articles = content / "articles"
    articles.mkdir(parents=True)
    (content / "site.toml").write_text(
        'title = "Hostile"\nbase_url = "https://news.example.org"\nid_authority = "news.example.org,2024"\n'
        'default_author = "Desk"\nentries_per_feed = 1000\nfeed_max_bytes = 100000000\narticles_per_page = 1000\n',
        encoding="utf-8",
    )
    body_slugs: dict[str, Vector] = {}
    for number, vector in enumerate(BODY_VECTORS, 1):
        slug = f"body-{number:03d}"
        body_slugs[slug] = vector
        (articles / f"{slug}.html").write_text(article_page(vector.body, f"Vector {number}"), encoding="utf-8")
        (articles / f"{slug}.toml").write_text(f"published = 2024-03-{1 + number % 28:02d}T09:30:00Z\n", encoding="utf-8")
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
        assert text_dangers(text) == [], f"{vector.id}: {text!r}"


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
            problems += [f"{kind} {vector.id}: {found}" for found in text_dangers(text or "")]
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
