"""Measure the metadata feedsvc publishes (title, authors, publication day) against trafilatura's.

Usage::

    python bench/metadata.py DATASET [DATASET ...] [--folds 5] [--held-out 3,4]
                             [--failures title|authors|published] [--log NOTE]
                             [--save FILE] [--compare FILE]

``--failures authors`` gives each listed page's kind of miss.

An edge (it reads the data sets and writes nothing but the optional log and
trafilatura cache). Each page goes through the path a build takes: the page
is loaded as ``articles/<slug>.html`` without a sidecar (``parse_article``,
so the metadata are merged by precedence and bounded), and published
(``make_article``) on a site whose default author is a placeholder; an
undated page counts as having no date (the catalog would date it "now").
trafilatura's ``extract_metadata`` reads the same page in the same run, as
text: UTF-8, mended where UTF-8 was once read as Latin-1 and saved again, as
feedsvc's loader mends it (``read_page``; the misses' diagnoses read the same text, parsed as
UTF-8 whatever the page's head says: ``extraction.page_tree``).
Neither is given the page's URL.

DATASET is laid out like WCXB's dev split (``ground-truth.json`` holding
``title``, ``author``, ``published``, ``domain``) or like the Readability
test pages (``metadata``: ``title``, ``byline``, ``publishedTime``), with
``html/<id>.html.gz``.

How a field matches (the same normalisation on both sides, truth and output):

- title: NFKC, case-folded, typographic quotes and dashes as ASCII, white
  space collapsed, trailing dots and spaces dropped; then equal.
- authors: the names (a list, or one string) split on ``;`` ``|`` ``,``
  ``&`` ``/`` and the word "and"; a leading "by" (also alone on its line, "Written by", "Par", "Von",
  "Por") and an honorific ("Dr.", "Prof.") dropped; each name
  NFKC, case-folded, without punctuation, white space collapsed; pieces that
  are credentials (all capitals up to five letters, like "MS", "RD",
  "PhD") dropped; then equal as sets. A missing name (the placeholder
  default author) never matches.
- published: the annotated day and the published date (its own offset)
  at most one day apart.

Pages whose truth lacks a field are not counted for it. Cross-validation is
grouped by domain (the host of the page URL; a page with no URL is its own
group): a domain's fold is a hash of its name, so folds are stable across
runs. Rules were written looking only at failures on the folds not held out;
``--failures`` refuses to list held-out pages unless ``--peek`` is given.

Each title miss of feedsvc is given a kind, counted per fold (``TITLE_MISS_KINDS``: entities or
punctuation only, truncated, capitals only, the site's name kept or dropped, a segment dropped
that names no site, a subtitle kept, another headline or meta title of the page chosen, a title
the page does not offer), told from the page's headings, meta titles and site names. Titles are
also reported with the site's name optional where the truth keeps it (for both systems alike):
Readability's expected titles are the page's meta title as written, site name included.

``--learned``: titles as a site publishing every page of a domain would give them, the site's name
learned from the titles of the domain's pages taken off (``feedsvc.catalog.sitenames``: the segment
most of them, three at least, end or begin with after a strong separator). The domain is the
data set's ``domain`` (or the host of its ``url``), as an import gives a page its source's host;
the page's own title counts with the others', as in a build. Only titles are read, never the truth.

``--save FILE`` writes feedsvc's title, days and authors of every page; ``--compare FILE`` lists the
pages whose title, days or authors changed since (held-out pages only counted, unless ``--peek``;
an author change says whether the page is now unsigned or newly signed).

Each publication-day miss of feedsvc is given a kind: the annotated day is
not written in the page at all (in any common form, a day either side), the
annotation took the page's update, no date was found, or another date was
chosen.

Each author miss of feedsvc is given a kind too, the first that applies: the
annotation names no person (a date, a handle, a job, a desk, a button's
text); the names are right and the annotation adds a role, an affiliation or
a date; the same people written otherwise (accents, initials, "Last, First",
a part in parentheses); more names published than annotated, or fewer; the
annotated name is not written in the page at all; no author found; the site
or an organisation published instead of a person; another person or a
non-name published. The counts are printed per fold, with tuning and
held-out sums; then feedsvc's authors right and wrong by the source they come
from (JSON-LD, the meta tags, byline elements, names read from the page's
lines, none), and how many pages with no author annotated feedsvc signs all
the same, by source (a phrase or a menu word taken for a name shows there:
"the way", "Privacy Policy", "Event Type").

The checks every dev page must pass (reported, and counted as failures):
no author named "by" or made only of a role or agency, no author holding an
e-mail address, no tag made of punctuation, an e-mail or a CMS token.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import page_tree

from feedsvc.catalog.prepare import make_article
from feedsvc.catalog.sitenames import learn, strip_learned, title_ends
from feedsvc.clean import clean_html
from feedsvc.content.decode import mend_double_utf8
from feedsvc.content.loader import ArticleFiles, parse_article
from feedsvc.content.site import parse_site
from feedsvc.metadata.jsonld import ARTICLE_TYPES, jsonld_nodes, jsonld_site_names
from feedsvc.metadata.page import extract_metadata
from feedsvc.metadata.titles import site_key
from feedsvc.model import ArticleSource, ContentError
from feedsvc.text import one_line, plain, strip_markup

FIELDS = ("title", "authors", "published")
PLACEHOLDER_AUTHOR = "Bench Default Author"
SITE = parse_site(
    {
        "title": "Bench",
        "base_url": "https://bench.example",
        "id_authority": "bench.example,2026",
        "default_author": PLACEHOLDER_AUTHOR,
    }
)
LOG = Path(__file__).resolve().parent / "metadata_log.md"
CACHE = Path(__file__).resolve().parent / ".cache"

# --- normalisation of values, the same for truth and outputs ---------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-"})
_SPACE = re.compile(r"\s+")
_NAME_SPLIT = re.compile(r"\s*(?:[;|,&/\n]|\band\b)\s*", re.IGNORECASE)
# a lead-in before the names ("By", "Written by", French "Par", German "Von"), also alone on its line
# ("By\n\t\tScott Cunningham" is split at the line break), and an honorific before a name ("Dr.")
_LEADING_BY = re.compile(r"^(?:(?:written|posted)\s+)?(?:by|par|von|por)(?:\s+|$)|^(?:dr|prof)\.?\s+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w\s'-]")
_CREDENTIAL = re.compile(r"^(?:Ph\.?D\.?|[A-Z][A-Z.]{0,5})(?:[-\s][A-Z0-9]{1,5})*$")


def norm_title(value: str | None) -> str:
    """Return a title as compared: NFKC, case-folded, ASCII quotes and dashes, one line, no trailing dots."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().rstrip(". ").casefold()


def norm_authors(value: str | Iterable[str] | None) -> frozenset[str]:
    """Return names as compared: split on separators, credentials dropped, normalised."""
    if not value:
        return frozenset()
    raw = [value] if isinstance(value, str) else list(value)
    names = set()
    for item in raw:
        for piece in _NAME_SPLIT.split(item.strip()):
            piece = _LEADING_BY.sub("", piece.strip())
            if not piece or _CREDENTIAL.match(piece):
                continue
            name = _SPACE.sub(" ", _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", piece))).strip().casefold()
            if name:
                names.add(name)
    return frozenset(names)


def truth_day(value: str | None) -> date | None:
    """Return the day an annotated date names (ISO text, possibly with a time), or None."""
    if not value:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def day_matches(truth: date, output: date | None) -> bool:
    return output is not None and abs((output - truth).days) <= 1


# How a page may write a day (English month names, numbers in either order, ISO, CJK): enough to
# tell whether an annotated day is in the page's bytes at all.
_DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%B %-d, %Y", "%B %d, %Y", "%b %-d, %Y", "%b %d, %Y", "%b. %-d, %Y",
                "%-d %B %Y", "%-d %b %Y", "%d %b %Y", "%m/%d/%Y", "%-m/%-d/%Y", "%d/%m/%Y", "%d.%m.%Y",
                "%Y%m%d", "%Y年%-m月%-d日")  # fmt: skip
DAY_MISS_KINDS = ("annotated day not in the page", "annotated with the update", "no date found", "another date chosen")


def day_in_page(day: date, html: str) -> bool:
    """Say whether ``day`` (or the day before or after it) is written anywhere in ``html``, in a common form."""
    folded = html.casefold()
    near = [day + timedelta(days=shift) for shift in (-1, 0, 1)]
    return any(moment.strftime(form).casefold() in folded for moment in near for form in _DAY_FORMATS)


def day_miss_kind(page: Page, output: Output, html: str) -> str:
    """Return why a publication day was missed, one of DAY_MISS_KINDS (the first that applies)."""
    assert page.published is not None
    if not day_in_page(page.published, html):
        return DAY_MISS_KINDS[0]  # annotated from elsewhere: no rule reading the page can find it
    if day_matches(page.published, output.updated):
        return DAY_MISS_KINDS[1]
    return DAY_MISS_KINDS[2] if output.published is None else DAY_MISS_KINDS[3]


# --- why an author was missed -----------------------------------------------------------------

AUTHOR_SOURCES = ("json-ld", "meta tags", "byline elements", "page lines", "none")
AUTHOR_MISS_KINDS = (
    "truth is not a name",
    "truth holds more than names",
    "name format",
    "extra names",
    "missing names",
    "annotated name not in the page",
    "no author found",
    "site or organisation instead of a person",
    "wrong person or not a name",
)
_URL_TEXT = re.compile(r"\(?\s*(?:https?://|www\.)\S+\s*\)?", re.IGNORECASE)
# Words of a job, a desk, an organisation or the page's furniture: a piece holding one names no person.
_NOT_PERSON_WORDS = frozenset(
    """
    writer reporter editor editors correspondent contributor columnist staff team desk director manager ceo
    founder news newsroom media press group inc llc ltd blog magazine company university network health
    updated last follow author authors admin published edited reviewed of
    """.split()
)
_PARENTHESISED = re.compile(r"\s*\([^()]*\)\s*")


def person_piece(piece: str) -> bool:
    """Say whether one piece of an annotated byline is written as a person's name (not a role, a date, a handle)."""
    words = piece.split()
    if not words or re.search(r"[\d@_:]", piece) or words[0].casefold() == "the":
        return False
    if len(words) == 1 and not any(ch.isupper() for ch in piece) and any(ch.isalpha() for ch in piece):
        return False  # a handle: "srauturier", "h.szeyee"
    return not any(word.casefold().strip(".,()") in _NOT_PERSON_WORDS for word in words)


def person_pieces(value: str) -> list[str]:
    """Return the pieces of an annotated byline written as people's names, as written."""
    pieces = (_LEADING_BY.sub("", piece.strip()) for piece in _NAME_SPLIT.split(_URL_TEXT.sub(" ", value).strip()))
    return [piece for piece in pieces if person_piece(piece)]


def truth_people(value: str) -> frozenset[str]:
    """Return the people an annotated byline names, normalised as compared (roles, dates, handles left out)."""
    return frozenset(name for piece in person_pieces(value) for name in norm_authors(piece))


def _loose(names: Iterable[str]) -> tuple[str, ...]:
    """Return names as words in any order, without accents, parentheses, punctuation or case."""
    return tuple(sorted(re.findall(r"[^\W\d_]+", _bare(_PARENTHESISED.sub(" ", " ".join(names))))))


def _bare(text: str) -> str:
    """Return text as searched for a name: without accents, punctuation and case, white space collapsed."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", text))


def _same_but_format(truth: tuple[str, ...], output: tuple[str, ...]) -> bool:
    """Say whether two word lists name the same people: equal, or equal but for initials ("S." for "Scott")."""
    if truth == output:
        return True
    if len(truth) != len(output):
        return False
    longer = [word for word in truth + output if len(word) > 1]
    initials = [word for word in truth + output if len(word) == 1]
    return bool(initials) and all(any(word.startswith(i) for word in longer) for i in initials)


def _author_names_site(name: str, domain: str) -> bool:
    """Say whether an output name is the site's or an organisation's ("HomeAdvisor" at homeadvisor.com)."""
    key = re.sub(r"[^a-z0-9]", "", name.casefold())
    host = re.sub(r"[^a-z0-9]", "", domain.casefold().split(".")[-2] if "." in domain else domain.casefold())
    words = {word.casefold().strip(".,") for word in name.split()}
    return bool(key) and (key in host or host in key or "&" in name or bool(words & _NOT_PERSON_WORDS))


def author_miss_kind(page: Page, output: Output, html: str) -> str:
    """Return why the authors of a page were missed, one of AUTHOR_MISS_KINDS (the first that applies)."""
    assert page.authors
    pieces = person_pieces(page.authors)
    people = truth_people(page.authors)
    mine = norm_authors(output.authors)
    if not people:
        return AUTHOR_MISS_KINDS[0]  # a date, a handle, a job or a desk: no rule reading names finds it
    if mine == people:
        return AUTHOR_MISS_KINDS[1]  # the names are right; the truth adds a role, an affiliation, a date
    if output.authors and _same_but_format(_loose(pieces), _loose(output.authors)):
        return AUTHOR_MISS_KINDS[2]
    if output.authors and people < mine:
        return AUTHOR_MISS_KINDS[3]
    if output.authors and mine < people:
        return AUTHOR_MISS_KINDS[4]
    if not any(_bare(_PARENTHESISED.sub(" ", piece)).strip() in _bare(html) for piece in pieces):
        return AUTHOR_MISS_KINDS[5]  # annotated from elsewhere (the site's author page, the annotator's reading)
    if not output.authors:
        return AUTHOR_MISS_KINDS[6]
    if all(_author_names_site(name, page.domain) for name in output.authors):
        return AUTHOR_MISS_KINDS[7]
    return AUTHOR_MISS_KINDS[8]


# Why a title was missed, told from the page (its headlines, meta titles and site names) and the two values.
TITLE_MISS_KINDS = (
    "entities, white space or punctuation",
    "truncated",
    "capitals only",
    "site name kept",
    "truth keeps the site name",
    "segment dropped that names no site",
    "subtitle or extra segment kept",
    "another headline or meta title chosen",
    "title not offered by the page",
)
# What joins a title's segments: a site's name, a subtitle, a kicker ("Webcams - Yosemite …", "Digjitale Signal #18 – …").
_SEGMENT_SEPARATOR = re.compile(r"\s+(?:[|\-–—•·»/~]|::)\s+|\s*[|•·_]\s*|:\s+|\s+\(|\)\s*$|\s*\[|\]\s*$")
_ELLIPSIS = re.compile(r"(?:…|\.\.\.)\s*$")
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass
class TitleClues:
    """What a page offers as its title: visible headings, meta titles, and the names of the site."""

    headings: tuple[str, ...] = ()
    metas: tuple[str, ...] = ()
    site_keys: frozenset[str] = frozenset()


def title_clues(page_html: str, domain: str) -> TitleClues:
    """Return the headings (<h1>-<h3>), meta titles (<title>, og/twitter/DC, JSON-LD) and site names of a page."""
    try:
        root = page_tree(page_html)  # as UTF-8: read as Latin-1, an accented headline was no clue to a title
    except (ValueError, lxml.etree.ParserError):
        return TitleClues()
    found = root.xpath("//h1 | (//h2)[position() <= 8] | (//h3)[position() <= 4]")
    headings = tuple(one_line(element.text_content()) for element in found)
    metas = [one_line(element.text_content()) for element in root.iter("title")][:1]
    names = []
    for element in root.iter("meta"):
        key = " ".join(element.get(a) or "" for a in ("property", "name", "itemprop")).lower()
        content = plain(element.get("content") or "")
        if any(k in key for k in ("og:title", "twitter:title", "dc.title", "dc:title", "headline")):
            metas.append(content)
        if any(k in key for k in ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")):
            names.append(content.lstrip("@"))
    blocks = [script.text or "" for script in root.iter("script") if "ld+json" in (script.get("type") or "").lower()]
    nodes = jsonld_nodes(blocks)
    # every node's headline; the name only of the article's and the web page's nodes (not of people, crumbs)
    metas += [plain(node["headline"]) for node in nodes if isinstance(node.get("headline"), str)]
    metas += [plain(node["name"]) for node in nodes if isinstance(node.get("name"), str) and _titled(node)]
    names += jsonld_site_names(nodes)
    hosts = [domain] + [urlsplit(u).hostname or "" for u in root.xpath("//link[@rel='canonical']/@href")]
    for host in hosts:
        labels = host.removeprefix("www.").split(".")
        names += [host, *(label for label in labels[:-1] if len(label) > 2)]
    keys = frozenset(k for k in map(site_key, names) if len(k) >= 2)
    return TitleClues(tuple(h for h in headings if h), tuple(m for m in metas if m), keys)


def _titled(node: dict[str, Any]) -> bool:
    """Say whether a JSON-LD node's name is a title: an article's or a web page's."""
    types = node.get("@type")
    return bool(set(types if isinstance(types, list) else [types]) & (ARTICLE_TYPES | {"WebPage"}))


def _names_site(segment: str, keys: frozenset[str]) -> bool:
    """Say whether a title segment names the site (equal to, or holding or held in, a name of four letters or more)."""
    key = site_key(segment)
    return bool(key) and any(key == site or (len(site) >= 4 and (site in key or key in site)) for site in keys)


def _segment_spans(title: str) -> list[tuple[int, int]]:
    """Return where each segment of a title begins and ends (the text between separators, blank ones left out)."""
    spans, begin = [], 0
    for separator in (*_SEGMENT_SEPARATOR.finditer(title), None):
        stop = separator.start() if separator else len(title)
        if title[begin:stop].strip():
            spans.append((begin, stop))
        begin = separator.end() if separator else stop
    return spans


def _segment_runs(title: str) -> Iterator[tuple[str, list[str]]]:
    """Yield each run of a title's consecutive segments, with the segments left out before and after it."""
    spans = _segment_spans(title)
    for first in range(len(spans)):
        for last in range(first, len(spans)):
            rest = spans[:first] + spans[last + 1 :]
            yield title[spans[first][0] : spans[last][1]], [title[a:b] for a, b in rest]


def _segment_difference(longer: str, shorter: str) -> list[str] | None:
    """Return the leading and trailing segments ``longer`` has beyond ``shorter``, or None if it is not that."""
    target = norm_title(shorter)
    return next((rest for run, rest in _segment_runs(longer) if rest and norm_title(run) == target), None)


def title_hit_site_optional(truth: str, output: str | None, clues: TitleClues) -> bool:
    """Say whether ``output`` is the annotated title, or the annotated title without segments naming the site.

    Readability's expected titles are the page's meta title as written ("How to Build a Terrarium | eHow"),
    not an annotation of the headline; a title without the site's name names the same article. A site's
    name the output keeps and the truth does not stays a miss.
    """
    if norm_title(output) == norm_title(truth):
        return True
    rest = _segment_difference(truth, output or "") if output else None
    return bool(rest) and all(_names_site(segment, clues.site_keys) for segment in rest or ())


def _squash(text: str) -> str:
    """Return only the letters and digits of a title, entities decoded and tags dropped, case-folded."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", strip_markup(html.unescape(text))).casefold())


def title_miss_kind(truth: str, output: str | None, clues: TitleClues) -> str:
    """Return why ``output`` misses the annotated title ``truth``, one of TITLE_MISS_KINDS (the first that applies)."""
    ours = output or ""
    if _squash(ours) == _squash(truth):
        return TITLE_MISS_KINDS[0]
    for cut, full in ((ours, truth), (truth, ours)):
        if _ELLIPSIS.search(cut) and norm_title(full).startswith(norm_title(_ELLIPSIS.sub("", cut))):
            return TITLE_MISS_KINDS[1]
    letters = [c for c in ours if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 3:
        return TITLE_MISS_KINDS[2]
    extra = _segment_difference(ours, truth)
    if extra:
        return TITLE_MISS_KINDS[3] if any(_names_site(s, clues.site_keys) for s in extra) else TITLE_MISS_KINDS[6]
    dropped = _segment_difference(truth, ours)
    if dropped:
        return TITLE_MISS_KINDS[4] if any(_names_site(s, clues.site_keys) for s in dropped) else TITLE_MISS_KINDS[5]
    # a meta title offers each run of its segments too ("Title | Site" offers "Title")
    offered = {norm_title(value) for value in clues.headings}
    offered |= {norm_title(run) for value in clues.metas for run, _ in _segment_runs(value)}
    return TITLE_MISS_KINDS[7] if norm_title(truth) in offered else TITLE_MISS_KINDS[8]


# --- the pages --------------------------------------------------------------------------------


@dataclass
class Page:
    """One annotated page: where it is, its domain and what its truth says."""

    dataset: str
    ident: str
    path: Path
    domain: str
    title: str | None
    authors: str | None
    published: date | None


@dataclass
class Output:
    """What one extractor says about a page."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    tags: tuple[str, ...] = ()
    seconds: float = 0.0
    updated: date | None = None  # the page's own update (feedsvc only), for the diagnosis of misses
    authors_from: str = ""  # where feedsvc's published authors come from: one of AUTHOR_SOURCES


def load_pages(dataset: Path) -> list[Page]:
    """Return the annotated pages of ``dataset`` (either layout)."""
    truth: dict[str, dict[str, Any]] = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for ident, entry in sorted(truth.items()):
        path = dataset / "html" / f"{ident}.html.gz"
        if not path.exists():
            continue
        url = entry.get("url") or ""
        domain = entry.get("domain") or (urlsplit(url).hostname or "").removeprefix("www.") or f"{dataset.name}:{ident}"
        if "metadata" in entry:
            meta = entry["metadata"]
            title, authors, published = meta.get("title"), meta.get("byline"), meta.get("publishedTime")
        else:
            title, authors, published = entry.get("title"), entry.get("author"), entry.get("published")
        pages.append(Page(dataset.name, ident, path, domain, title, authors, truth_day(published)))
    return pages


def fold_of(domain: str, folds: int) -> int:
    """Return the fold of a domain: stable across runs and machines."""
    return int(hashlib.sha256(domain.encode()).hexdigest(), 16) % folds


def _slug(ident: str) -> str:
    return "page-" + (re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-") or "x")


def read_page(data: bytes) -> str:
    """Return a page's text as trafilatura and the diagnoses read it: UTF-8 (the data sets' pages are),
    mended where UTF-8 was once read as Latin-1 and saved again, as feedsvc's loader mends it.

    wcxb-dev/4656 holds "Investor\u00e2\u0080\u0099s" in its saved bytes for "Investor\u2019s":
    read as plain UTF-8, trafilatura's title kept the mojibake, and the title clues did not find
    the headline feedsvc had read ("title not offered by the page").
    """
    return mend_double_utf8(data.decode("utf-8", "replace"))[0]


def run_feedsvc(page: Page, data: bytes) -> Output:
    """Return the metadata the published article carries, through the loader and the catalog."""
    started = time.perf_counter()
    path = Path("articles") / f"{_slug(page.ident)}.html"
    try:
        source = parse_article(path, ArticleFiles(data), SITE)
    except ContentError:
        return Output(seconds=time.perf_counter() - started)

    def clean(html: str, **options: Any) -> str:
        # The text only matters for a page with no title (its opening words become one);
        # cleaning the others would only cost time.
        return clean_html(html, **options) if source.metadata.title is None else "<p>text</p>"

    try:
        article = make_article(source, SITE, clean=clean)
    except ContentError:
        return Output(seconds=time.perf_counter() - started)
    authors = tuple(name for name in article.authors if name != PLACEHOLDER_AUTHOR)
    published = article.published.date() if source.metadata.published is not None else None
    updated = source.metadata.updated.date() if source.metadata.updated is not None else None
    output = Output(article.title, authors, published, article.tags, time.perf_counter() - started, updated)
    output.authors_from = authors_source(source, authors)
    return output


def learned_titles(pages: list[Page]) -> Callable[[Page, bytes], Output]:
    """Run feedsvc on every page first; return a runner giving each page's output with the site name
    its domain's titles show taken off (``--learned``), as a build of all of them would."""
    outputs = {(page.dataset, page.ident): run_feedsvc(page, gzip.decompress(page.path.read_bytes())) for page in pages}
    by_domain: dict[str, list[str]] = {}
    for page in pages:
        title = outputs[(page.dataset, page.ident)].title
        if title:
            by_domain.setdefault(page.domain, []).append(title)
    learned = {domain: learn(title_ends(title) for title in titles) for domain, titles in by_domain.items()}

    def run(page: Page, data: bytes) -> Output:
        output = outputs[(page.dataset, page.ident)]
        if output.title:
            retitle = strip_learned(output.title, learned[page.domain], page.domain)
            if retitle is not None:
                output.title = retitle.title
        return output

    return run


def authors_source(source: ArticleSource, authors: tuple[str, ...]) -> str:
    """Return which of AUTHOR_SOURCES the published authors come from ("none" for no author)."""
    origin = dict(source.origins).get("authors") if authors else None
    if origin is None:
        return "none"
    if origin != "markup":
        return "json-ld" if origin == "json-ld" else "meta tags" if origin == "opengraph" else origin
    # the markup source holds names of byline elements, and names read from the page's lines
    # (a "By …" line, a name by the date, a label; counted with them, a data layer's author): the
    # elements' are those the markup source says before the decisions across sources
    elements = dict(extract_metadata(source.html, ZoneInfo("UTC"), raw=True))["markup"].authors
    return "byline elements" if set(elements) & set(authors) else "page lines"


def run_trafilatura(page: Page, data: bytes) -> Output:
    """Return what trafilatura's extract_metadata says (cached by page content and version)."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    text = read_page(data)
    key = hashlib.sha256(text.encode("utf-8") + trafilatura.__version__.encode()).hexdigest()[:24]
    cached = CACHE / f"{key}.json"
    if cached.exists():
        stored = json.loads(cached.read_text())
        day = date.fromisoformat(stored["published"]) if stored["published"] else None
        return Output(stored["title"], tuple(stored["authors"]), day, tuple(stored["tags"]), stored["seconds"])
    started = time.perf_counter()
    document = extract_metadata(text)
    seconds = time.perf_counter() - started
    authors = tuple(name.strip() for name in (document.author or "").split(";") if name.strip())
    day = truth_day(document.date) if document.date else None
    output = Output(document.title, authors, day, tuple(document.tags or ()), seconds)
    CACHE.mkdir(exist_ok=True)
    stored = {"title": output.title, "authors": list(authors), "published": day.isoformat() if day else None,
              "tags": list(output.tags), "seconds": seconds}  # fmt: skip
    cached.write_text(json.dumps(stored))
    return output


def field_hit(page: Page, output: Output, name: str) -> bool | None:
    """Say whether ``output`` gets field ``name`` of ``page`` right; None when the truth lacks it."""
    if name == "title":
        return None if not page.title else norm_title(output.title) == norm_title(page.title)
    if name == "authors":
        truth = norm_authors(page.authors)
        return None if not truth else norm_authors(output.authors) == truth
    if page.published is None:
        return None
    return day_matches(page.published, output.published)


# --- the checks every page must pass ------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# "channel_other", "_no-apple-news", "PROFESSIONAL_ATHLETE", "source:tagname:x", "topic: Politics", a UUID
_CMS_TOKEN = re.compile(r"_|^[a-z][A-Za-z.-]*\s*:|^[0-9a-f]{8}-[0-9a-f-]{27}$")
# job titles: a name that is one, or ends with one after two or more words ("Ben Silverman Games Editor");
# a desk ("Resy Staff", "EcoCult Staff") is a byline a site signs with, not a job title
_JOB = r"(?:writer|reporter|editor|correspondent|contributor|columnist|analyst|producer|editor-at-large)"
_JOB_TITLE = re.compile(rf"^(?:(?:senior|chief|staff|national|security|political|contributing)\s+)*{_JOB}$"
                        rf"|^\S+\s+\S+(?:\s+\S+)*?\s+(?:\w+\s+)?{_JOB}$", re.IGNORECASE)  # fmt: skip
_AGENCY = re.compile(r"^(?:ap|afp|reuters|associated press|upi|dpa)$", re.IGNORECASE)


def check_problems(output: Output) -> list[str]:
    """Return what is wrong with an output's authors and tags, as the issue defines it."""
    problems = []
    for name in output.authors:
        if name.casefold() in ("by", "by:"):
            problems.append(f"author named {name!r}")
        elif _EMAIL.search(name):
            problems.append(f"author holding an e-mail: {name!r}")
        elif "," in name or _JOB_TITLE.search(name) or _AGENCY.search(name):
            problems.append(f"author with a role or agency: {name!r}")
    for tag in output.tags:
        if not re.search(r"\w", tag):
            problems.append(f"tag of punctuation: {tag!r}")
        elif _EMAIL.search(tag):
            problems.append(f"tag holding an e-mail: {tag!r}")
        elif _CMS_TOKEN.search(tag):
            problems.append(f"tag that is a CMS token: {tag!r}")
    return problems


# --- the report ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """Hits and counted pages per field."""

    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    counted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def add(self, name: str, hit: bool | None) -> None:
        if hit is not None:
            self.counted[name] += 1
            self.hits[name] += hit

    def rate(self, name: str) -> float:
        return self.hits[name] / self.counted[name] if self.counted[name] else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--held-out", default="3,4", help="folds never looked at while writing rules")
    parser.add_argument("--failures", choices=FIELDS, help="list the pages that miss this field (tuning folds)")
    parser.add_argument("--peek", action="store_true", help="let --failures list held-out pages too")
    parser.add_argument("--log", metavar="NOTE", help="append this run's numbers to bench/metadata_log.md")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument(
        "--save", type=Path, metavar="FILE", help="write feedsvc's title, days and authors of every page here"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="FILE",
        help="list the pages whose title, day or authors differ from a --save file",
    )
    parser.add_argument(
        "--learned", action="store_true", help="take off the site names learned from the titles of each domain's pages"
    )
    args = parser.parse_args(argv)
    held_out = {int(part) for part in args.held_out.split(",") if part.strip()}

    pages = [page for dataset in args.datasets for page in load_pages(dataset)]
    if args.limit:
        pages = pages[: args.limit]
    systems: dict[str, Callable[[Page, bytes], Output]] = {"feedsvc": run_feedsvc, "trafilatura": run_trafilatura}
    if args.learned:
        systems["feedsvc"] = learned_titles(pages)
    # (system, group) -> tally; groups: "all", "held-out", "tuning", "fold N", dataset name
    tallies: dict[tuple[str, str], Tally] = {}
    seconds = dict.fromkeys(systems, 0.0)
    problems: list[tuple[Page, str]] = []
    failures: list[tuple[Page, Output, Output, str]] = []
    misses = {"published": 0, "annotated with the update": 0}
    # (tuning or held-out, kind) -> publication-day misses
    kinds: dict[tuple[str, str], int] = {}
    # (fold, kind) -> author misses
    author_kinds: dict[tuple[int, str], int] = {}
    # (tuning or held-out, source of the published authors, hit) -> pages
    by_source: dict[tuple[str, str, bool], int] = {}
    # (tuning or held-out, source) -> pages no author is annotated on that feedsvc signs all the same
    unannotated_signed: Counter[tuple[str, str]] = Counter()
    # (fold, kind) -> title misses
    title_kinds: Counter[tuple[int, str]] = Counter()
    # (system, group) -> titles matched with the site's name optional where the truth keeps it
    site_optional: dict[tuple[str, str], Tally] = {}
    saved: dict[str, dict[str, Any]] = {}
    for page in pages:
        data = gzip.decompress(page.path.read_bytes())
        fold = fold_of(page.domain, args.folds)
        groups = ("all", "held-out" if fold in held_out else "tuning", f"fold {fold}", page.dataset)
        outputs = {}
        for system, run in systems.items():
            output = outputs[system] = run(page, data)
            seconds[system] += output.seconds
            for name in FIELDS:
                hit = field_hit(page, output, name)
                for group in groups:
                    tallies.setdefault((system, group), Tally()).add(name, hit)
        problems.extend((page, problem) for problem in check_problems(outputs["feedsvc"]))
        mine = outputs["feedsvc"]
        saved[f"{page.dataset}/{page.ident}"] = {
            "fold": fold,
            "title": mine.title,
            "published": mine.published.isoformat() if mine.published else None,
            "updated": mine.updated.isoformat() if mine.updated else None,
            "authors": list(mine.authors),
            "authors_from": mine.authors_from,
            "hits": {name: field_hit(page, mine, name) for name in FIELDS},
        }
        title_kind = day_kind = ""
        if page.published is not None and not day_matches(page.published, mine.published):
            misses["published"] += 1
            # the annotation took the day the page shows as its update, not its publication
            misses["annotated with the update"] += day_matches(page.published, mine.updated)
            day_kind = day_miss_kind(page, mine, read_page(data))
            key = ("held-out" if fold in held_out else "tuning", day_kind)
            kinds[key] = kinds.get(key, 0) + 1
        author_hit = field_hit(page, mine, "authors")
        if author_hit is not None:
            tallied = ("held-out" if fold in held_out else "tuning", mine.authors_from, author_hit)
            by_source[tallied] = by_source.get(tallied, 0) + 1
        elif mine.authors:
            unannotated_signed[("held-out" if fold in held_out else "tuning", mine.authors_from)] += 1
        author_kind = ""
        if author_hit is False:
            author_kind = author_miss_kind(page, mine, read_page(data))
            author_kinds[(fold, author_kind)] = author_kinds.get((fold, author_kind), 0) + 1
        if page.title:
            # the site's name optional where the truth keeps it: both systems, the same comparison
            strict = {system: bool(field_hit(page, output, "title")) for system, output in outputs.items()}
            clues = None if all(strict.values()) else title_clues(read_page(data), page.domain)
            for system, output in outputs.items():
                hit = strict[system] or (clues is not None and title_hit_site_optional(page.title, output.title, clues))
                for group in groups:
                    site_optional.setdefault((system, group), Tally()).add("title", hit)
            if not strict["feedsvc"]:
                assert clues is not None
                title_kind = title_miss_kind(page.title, mine.title, clues)
                title_kinds[(fold, title_kind)] += 1
        missed = args.failures and field_hit(page, outputs["feedsvc"], args.failures) is False
        if missed and (fold not in held_out or args.peek):
            why = {"title": title_kind, "published": day_kind, "authors": author_kind}.get(args.failures, "")
            failures.append((page, outputs["feedsvc"], outputs["trafilatura"], why))

    for page, mine, theirs, why in failures:
        truth = {"title": page.title, "authors": page.authors, "published": page.published}[args.failures]
        print(f"{page.dataset}/{page.ident} [{page.domain}]" + (f" ({why})" if why else ""))
        print(f"    truth:       {truth!r}")
        print(f"    feedsvc:     {getattr(mine, args.failures)!r}")
        print(f"    trafilatura: {getattr(theirs, args.failures)!r}")
    if args.save:
        args.save.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.compare:
        print(
            "\n".join(compare_outputs(json.loads(args.compare.read_text(encoding="utf-8")), saved, held_out, args.peek))
        )
    lines = report(tallies, args.folds, held_out, [d.name for d in args.datasets])
    lines.append(
        f"feedsvc's publication-day misses: {misses['published']}, of which {misses['annotated with the update']} "
        'are annotated with the day the page gives as its update (dateModified, "Updated …")'
    )
    lines.append(
        "    by kind (tuning / held-out): "
        + "; ".join(
            f"{kind} {kinds.get(('tuning', kind), 0)} / {kinds.get(('held-out', kind), 0)}" for kind in DAY_MISS_KINDS
        )
    )
    lines.extend(title_kinds_table(title_kinds, args.folds))
    lines.extend(site_optional_table(site_optional, args.folds, [d.name for d in args.datasets]))
    lines.extend(author_kind_table(author_kinds, args.folds, held_out))
    lines.append("feedsvc's authors by source, right / wrong (tuning; held-out):")
    lines.extend(
        f"    {source:<16} {by_source.get(('tuning', source, True), 0):>4} / {by_source.get(('tuning', source, False), 0):<4}"
        f"{by_source.get(('held-out', source, True), 0):>6} / {by_source.get(('held-out', source, False), 0)}"
        for source in AUTHOR_SOURCES
    )
    # a signature where the annotators saw none: a phrase or a menu word read as a name costs the reader
    # more than no author (the site's default signs then)
    lines.append(
        "feedsvc's authors on pages with no author annotated (tuning; held-out): "
        + ", ".join(
            f"{source} {unannotated_signed[('tuning', source)]}; {unannotated_signed[('held-out', source)]}"
            for source in AUTHOR_SOURCES[:-1]
        )
    )
    lines.append("")
    lines.append(f"checks on every page: {len(problems)} problem(s)")
    lines.extend(f"    {page.dataset}/{page.ident}: {problem}" for page, problem in problems[:40])
    lines.append(
        f"time: feedsvc {seconds['feedsvc']:.1f} s, trafilatura {seconds['trafilatura']:.1f} s "
        f"(cached after the first run) for {len(pages)} pages"
    )
    print("\n".join(lines))
    if args.log:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
        summary = summary_line(tallies)
        with LOG.open("a", encoding="utf-8") as file:
            file.write(f"| {stamp} | {args.log} | {summary} | {len(problems)} |\n")
    return 0


def report(tallies: dict[tuple[str, str], Tally], folds: int, held_out: set[int], datasets: list[str]) -> list[str]:
    """Return the table: per group, per field, feedsvc and trafilatura (hits/counted)."""
    groups = ["all", "tuning", "held-out", *datasets, *(f"fold {n}" for n in range(folds))]
    lines = [f"held-out folds: {sorted(held_out)} of {folds} (grouped by domain)", ""]
    header = f"{'group':<20}" + "".join(f"{name:>30}" for name in FIELDS)
    lines += [header, f"{'':<20}" + "".join(f"{'feedsvc / trafilatura (n)':>30}" for _ in FIELDS)]
    for group in groups:
        mine, theirs = tallies.get(("feedsvc", group)), tallies.get(("trafilatura", group))
        if mine is None or theirs is None:
            continue
        cells = "".join(f"{f'{mine.rate(n):6.1%} / {theirs.rate(n):6.1%} ({mine.counted[n]})':>30}" for n in FIELDS)
        lines.append(f"{group:<20}{cells}")
    return lines


def author_kind_table(counts: dict[tuple[int, str], int], folds: int, held_out: set[int]) -> list[str]:
    """Return feedsvc's author misses by kind (rows) and fold (columns), with tuning and held-out sums."""
    columns = [f"fold {n}" for n in range(folds)] + ["tuning", "held-out"]
    lines = ["", "feedsvc's author misses by kind:", f"{'':<42}" + "".join(f"{c:>9}" for c in columns)]
    for kind in (*AUTHOR_MISS_KINDS, "all"):
        per_fold = [sum(v for (f, k), v in counts.items() if f == n and kind in (k, "all")) for n in range(folds)]
        tuning = sum(v for n, v in enumerate(per_fold) if n not in held_out)
        sums = [*per_fold, tuning, sum(per_fold) - tuning]
        lines.append(f"{kind:<42}" + "".join(f"{value:>9}" for value in sums))
    return lines


def compare_outputs(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], held_out: set[int], peek: bool
) -> list[str]:
    """Return the pages whose title, publication or update day or authors changed, with the change in hits.

    Held-out pages are only counted (by fold and field) unless ``peek``. An author change also says
    whether the page is now unsigned or newly signed (:func:`_signature_change`): a wrong author
    dropped is no hit, but the reader is no longer misled. Saves written before authors were saved
    compare on the other fields only.
    """
    lines = ["pages changed since the saved run (title, published, updated, authors):"]
    counts: Counter[tuple[int, str, str]] = Counter()
    for key, now in after.items():
        old = before.get(key)
        if old is None:
            continue
        for name in ("title", "published", "updated", "authors"):
            if name not in old or old[name] == now[name]:
                continue
            hit_name = "published" if name == "updated" else name
            was, is_ = old["hits"].get(hit_name), now["hits"].get(hit_name)
            effect = (
                "unscored" if is_ is None else "right" if is_ and not was else "wrong" if was and not is_ else "same"
            )
            if name == "authors":
                effect += _signature_change(old[name], now[name])
            counts[(now["fold"], name, effect)] += 1
            if now["fold"] not in held_out or peek:
                lines.append(f"    {key} (fold {now['fold']}) {name}: {old[name]!r} -> {now[name]!r} [{effect}]")
    for (fold, name, effect), count in sorted(counts.items()):
        lines.append(f"    fold {fold}: {name} changed on {count} page(s), now {effect}")
    return lines


def _signature_change(before: list[str], after: list[str]) -> str:
    """Return ", now unsigned" or ", now signed" where a page lost or gained its authors, else ""."""
    if before and not after:
        return ", now unsigned"
    if after and not before:
        return ", now signed"
    return ""


def site_optional_table(tallies: dict[tuple[str, str], Tally], folds: int, datasets: list[str]) -> list[str]:
    """Return the title rates with the site's name optional where the truth keeps it, feedsvc / trafilatura."""
    lines = ["", "title, the site's name optional where the truth keeps it (both systems alike):"]
    for group in ["all", "tuning", "held-out", *datasets, *(f"fold {n}" for n in range(folds))]:
        mine, theirs = tallies.get(("feedsvc", group)), tallies.get(("trafilatura", group))
        if mine is not None and theirs is not None:
            cell = f"{mine.rate('title'):6.1%} / {theirs.rate('title'):6.1%} ({mine.counted['title']})"
            lines.append(f"{group:<20}{cell:>30}")
    return lines


def title_kinds_table(counts: Counter[tuple[int, str]], folds: int) -> list[str]:
    """Return feedsvc's title misses by kind (rows) and fold (columns)."""
    lines = ["", "feedsvc's title misses by kind and fold:",
             f"{'kind':<40}" + "".join(f"{f'fold {n}':>8}" for n in range(folds)) + f"{'all':>8}"]  # fmt: skip
    for kind in TITLE_MISS_KINDS:
        row = [counts[(n, kind)] for n in range(folds)]
        lines.append(f"{kind:<40}" + "".join(f"{count:>8}" for count in row) + f"{sum(row):>8}")
    return lines


def summary_line(tallies: dict[tuple[str, str], Tally]) -> str:
    """Return "all" and "held-out" rates per field for the log, feedsvc/trafilatura."""
    cells = []
    for group in ("all", "held-out"):
        mine, theirs = tallies[("feedsvc", group)], tallies[("trafilatura", group)]
        cells.append(" ".join(f"{n[0]} {mine.rate(n):.1%}/{theirs.rate(n):.1%}" for n in FIELDS))
    return " | ".join(cells)


if __name__ == "__main__":
    sys.exit(main())
