"""Hostile HTML and metadata, and the checker that finds anything in a page that could run.

Shared by tests/test_xss_vectors.py (clean HTML, feeds and pages parsed as a
browser parses them), tests/test_xss_browser.py (the same pages in Chromium)
and the property tests. The vectors are data: ``fixtures/hostile/xss_vectors.txt``
(article bodies) and ``metadata_vectors.txt`` (titles, names, tags, summaries).
"""

from __future__ import annotations

import codecs
import functools
import html
import json
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from support.paths import FIXTURES as FIXTURES_DIR

HOSTILE = FIXTURES_DIR / "hostile"
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

    @property
    def shown_as_text(self) -> tuple[str, ...]:
        """The markup-looking text the vector's page shows as text: the tags an <h1> writes escaped, decoded.

        Issue #11: such text reaches readers as the page shows it (escaped wherever it lands), so it
        is no danger in a text field; every other tag-like text is.
        """
        if self.family != "h1":
            return ()
        written = re.sub(r"<[^<>]*>", "", self.body)  # the heading's own tags and comments are markup
        return tuple(re.findall(r"<[^<>]*>", html.unescape(written)))


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
    """The page template's own <head> elements: meta (Open Graph's by property), links
    icon/alternate/stylesheet/canonical/prev/next, and JSON-LD: a data block, which no browser runs."""
    attributes = node.attributes
    if node.tag == "meta":
        return set(attributes) <= {"charset", "name", "content"} or set(attributes) == {"property", "content"}
    if node.tag == "script":
        return dict(attributes) == {"type": "application/ld+json"}
    if node.tag == "link":
        return attributes.get("rel") in ("icon", "alternate", "stylesheet", "canonical", "prev", "next")
    return False


_MARKUP = re.compile(r"<[A-Za-z/!?]")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def text_dangers(text: str, shown: tuple[str, ...] = ()) -> list[str]:
    """Return what makes ``text`` (a title, name, tag or summary) more than plain text.

    ``shown``: markup-looking texts the source page shows as text (``Vector.shown_as_text``), which are text.
    """
    found = []
    if _MARKUP.search(functools.reduce(lambda rest, token: rest.replace(token, ""), shown, text)):
        found.append(f"markup in text: {text[:80]!r}")
    if _NOT_TEXT.search(text):
        found.append(f"control or bidi override character in text: {text[:80]!r}")
    return found


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
    title, head, heading, sidecar = "An ordinary title", "", None, "published = 2024-03-05T09:30:00Z\n"
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
    return article_page(
        "<p>A plain paragraph in the middle of the story, with nothing odd in it.</p>", title, head, heading
    ), sidecar


def _json_value(item: object) -> str:
    if isinstance(item, str):
        return '"' + item.replace('"', '\\"') + '"'
    return "{" + ",".join(f'"{k}":{_json_value(v)}' for k, v in item.items()) + "}"  # type: ignore[union-attr]
