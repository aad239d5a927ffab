"""What a page says about itself: JSON-LD, OpenGraph/meta tags and visible markup.

Pure: ``extract_metadata`` takes the decoded HTML and the site's time zone and
returns one :class:`~feedsvc.model.PageMetadata` per source, in precedence
order. It never raises on a string; a page it cannot read says nothing.
Merging the sources is the content loader's job; where the sources must be
weighed against each other rather than taken in order, this module decides
first and leaves the decided value in the source it came from (earlier
sources then say nothing of that field, so ``origins`` stay true):

- title: :func:`~feedsvc.metadata.titles.choose_title` (the visible headline
  that a meta value agrees with, without the site's name; an ``<h1>`` that links
  to a front page is the site's logo, and a site name the page declares equal to
  its own title names the page, not the site);
- dates: the first source's date of publication; its update only if not
  earlier (else the latest update of any source that is not), unless the
  page shows (under its title) or marks (``<time pubdate>``,
  ``itemprop="datePublished"``) a publication more than a day earlier; where the
  sources disagree, the one whose publication is the day shown under the title
  (and no source's update) wins; for a page no
  source dates, a date line near the title, else a date in the page URL's
  path, else a ``"datePublished"`` in JSON text, else a line that is only a date
  anywhere, else the first update (the page was published then at the latest);
  a date labelled as an update is never the publication of a page that shows
  one (:mod:`feedsvc.metadata.shown_dates`), and where no source gives an update,
  the one the page shows by its title is it; an update that no source gives at or
  after the publication is none (a later source's earlier one is dropped too);
- authors: every value read through the byline parser
  (:mod:`feedsvc.metadata.bylines`); a page no source signs, by the post
  author a WordPress tag manager's data layer names; tags through the reader-tag filter
  (:mod:`feedsvc.metadata.tags`);
- canonical URL: ``<link rel="canonical">``, then ``og:url``, then JSON-LD;
- image: each source's first real picture (:mod:`feedsvc.metadata.images`), relative
  URLs resolved against the page's ``<base href>`` or canonical URL; the JSON-LD
  picture takes the size, type and alt text the Open Graph tags give the same one.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from functools import cache, partial
from itertools import zip_longest
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from feedsvc.html_depth import limit_depth
from feedsvc.metadata.bylines import (
    byline_names,
    credits_someone_else,
    is_job_line,
    is_name_particle,
    names_an_institution,
    names_an_organisation,
)
from feedsvc.metadata.dates import (
    day_first,
    find_text_date,
    json_text_date,
    month_date,
    parse_date,
    strip_text_dates,
    url_date,
)
from feedsvc.metadata.images import first_real, image_number, image_type
from feedsvc.metadata.jsonld import jsonld_nodes, jsonld_organisation_authors, jsonld_site_names, nodes_metadata
from feedsvc.metadata.shown_dates import has_update_label, labelled_not_published, publication_part, shown_update
from feedsvc.metadata.tags import reader_tags
from feedsvc.metadata.titles import choose_title, site_key
from feedsvc.model import Image, PageMetadata
from feedsvc.text import absolute_url, dedupe, language_tag, one_line, plain, split_keywords, xml_safe

__all__ = ["DISABLED", "RULES", "SOURCES", "extract_metadata", "parse_date"]

SOURCES = ("json-ld", "opengraph", "markup")
_T = TypeVar("_T")

# The rules that keep what is no name out of the bylines read from the page, each with its own switch
# (the byline parser's own are feedsvc.metadata.bylines.RULES).
RULES: dict[str, str] = {
    "name_particles_only": "the only lower-case words of a name written as one are its particles ('van', 'de'): "
    "'Advantages of Group Music Classes' by the date is a heading",
    "far_byline_from_the_title": "a byline far from the title is read from the title's line down (and the "
    "by-line's two lines over it): over it stand the site's header and menus ('By Event Type', 'By Modality')",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

# Meta names and properties per field, most specific first; the first that
# gives a usable value wins.
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title", "dcterms.title"),
    "published": (
        "article:published_time", "article:published", "og:published_time", "og:article:published_time",
        "datepublished", "article.published", "published_time", "publish-date", "publish_date", "publishdate",
        "parsely-pub-date", "sailthru.date", "dcterms.created", "dcterms.issued", "dc.date.issued",
        "citation_publication_date", "citation_date", "dc.date", "date", "pubdate",
    ),
    "updated": (
        "article:modified_time", "article:modified", "og:updated_time", "og:article:modified_time",
        "datemodified", "article.updated", "dcterms.modified", "last-modified",
    ),
    "authors": ("article:author", "author", "dc.creator", "parsely-author", "sailthru.author", "byl"),
    "citation_authors": ("citation_author", "citation_authors"),
    "summary": ("og:description", "description", "twitter:description", "dc.description"),
    "tags": ("article:tag", "keywords", "news_keywords"),
    "canonical_url": ("og:url",),
    "language": ("og:locale",),
    "site_name": ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site"),
}  # fmt: skip


def _has(attribute: str, *tokens: str) -> str:
    """Return an XPath test: the space-separated ``attribute`` holds one of ``tokens``."""
    padded = f"concat(' ', normalize-space(@{attribute}), ' ')"
    return " or ".join(f"contains({padded}, ' {token} ')" for token in tokens)


# Dublin Core as RDFa writes it ("dc:title", "dcterms:modified") is the "DC.title" of meta names.
_DUBLIN_CORE = re.compile(r"^(dc|dcterms):")
# Meta values that name the site, besides og:site_name's (read first).
_SITE_NAME_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title")
# Second levels under a country's domain that are part of the public suffix ("co.uk", "com.au").
_SECOND_LEVEL = frozenset("co com org net ac gov edu ne or go gob nic mil".split())
# First labels of a host that name a part of a site, not a site ("blog.rust-lang.org").
_GENERIC_HOST_LABELS = frozenset("blog blogs news m amp en de fr es it pt ru www2 web app apps www1 home".split())
# Where visible markup names the headline, the byline and the dates, best first.
HEADLINE_XPATHS = ("//*[@itemprop='headline']", "//article//h1", "//main//h1", "//h1", "//title")
# The visible headlines a title is chosen among, best first: marked ones, then <h1> in the article,
# then other <h1> outside the page's header, navigation and footer, then any.
# How many elements of each headline XPath are split into their lines.
_HEADLINES_SPLIT = 2
_OUTSIDE_CHROME = "not(ancestor::header or ancestor::nav or ancestor::footer or ancestor::aside)"
VISIBLE_HEADLINE_XPATHS = (
    "//*[@itemprop='headline'][not(self::meta)]",
    "//article//h1 | //main//h1 | //*[@role='main']//h1",
    f"//h1[{_OUTSIDE_CHROME}]",
    "//h1",
)
# Lower headings, which name the article only where a meta value agrees (a blog that writes its
# post's title in <h2> and its sections in <h1>); the first few of each level.
SUBHEAD_XPATHS = ("(//h2)[position() <= 8]", "(//h3)[position() <= 4]")
# A link to the author's page ("/author/jane-doe", "/authors/…", "/contributor/…", "/producers/…").
_AUTHOR_PAGE_LINKS = (
    "//a[contains(@href, '/author/') or contains(@href, '/authors/') or contains(@href, '/contributor')"
    " or contains(@href, '/producers/') or contains(@href, '/writers/')][not(ancestor::footer or ancestor::nav)]"
)
BYLINE_XPATHS = (
    f"//a[{_has('rel', 'author')}]",
    "//*[@itemprop='author']",
    # microformats2: the entry's author (an h-card or plain text), the HTML <address> of an article's author
    f"//*[{_has('class', 'p-author')}]",
    "//article//address",
    f"//*[{_has('class', 'author')}]",
    f"//*[{_has('class', 'author-name')}]",
    _AUTHOR_PAGE_LINKS,
    # "authorName", "post-hero__author__name", "wp-block-post-author__name": a class naming an author's name
    # ("uthor", "ame": either case of the first letter, without translate(), which costs a pass per element)
    "//*[contains(@class, 'uthor') and contains(@class, 'ame')]",
    f"//*[{_has('class', 'byline', 'by-line', 'article-byline', 'post-author', 'entry-author', 'author-byline')}]",
)
_UPDATED_CLASSES = _has("class", "updated", "modified", "date-modified")
# How many of PUBLISHED_XPATHS mark the publication explicitly (the others are any <time> in the article).
_MARKED_PUBLISHED = 2
PUBLISHED_XPATHS = (
    "//*[@itemprop='datePublished']",
    "//time[@pubdate]",
    f"//time[{_has('class', 'published', 'entry-date', 'date-published')}]",
    f"//article//time[@datetime][not({_UPDATED_CLASSES})]",
    f"//time[@datetime][not({_UPDATED_CLASSES})]",
)
# A heading linking elsewhere, as a teaser of another article has.
_TEASER_HEADING = ".//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]//a[@href]"
# Another article's teaser card is short (a heading, a date, a line of text): longer, it is the page's article.
_TEASER_CHARS = 2000
UPDATED_XPATHS = ("//*[@itemprop='dateModified']", f"//time[{_UPDATED_CLASSES}]")
TAG_XPATH = f"//a[{_has('rel', 'tag')}]"
# How far from the headline a visible date may be, in lines of text.
_LINES_AFTER_HEADLINE, _LINES_BEFORE_HEADLINE, _DATELINE_CHARS = 25, 5, 150
# How many of the nearest lines a shown publication may be found in after a shown update.
_UPDATE_DEFERS = 10
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th title tr ul".split()
)
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
# Inline elements a page's CSS shows as blocks, which break a headline's line as a <div> would: an
# inline style, or the display classes of the common CSS frameworks (Tailwind's "block", "flex",
# "grid"; Bootstrap's "d-block", "d-flex", "d-grid"). The stylesheets themselves are not read.
_DISPLAY_BLOCK_STYLE = re.compile(r"(?:^|;)\s*display\s*:\s*(?:block|flex|grid|table|list-item)\s*(?:;|$|!)", re.I)
_DISPLAY_BLOCK_CLASSES = frozenset("block flex grid d-block d-flex d-grid".split())
# Where an inline element begins or ends in a headline's text, while it is being put together.
_EDGE = "\x00"
_EDGES = re.compile(f"{_EDGE}+")
_ISO_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
# The lines under and over the title where a date shown to the reader stands against the machine's;
# one day of difference is a time zone's.
_SHOWN_AFTER_TITLE, _SHOWN_BEFORE_TITLE = 5, 2
_SHOWN_DATE_SLACK = timedelta(days=1)
# A line that is only a date, with these words around it at most, dates the page wherever it is.
_DATE_ONLY_CHARS = 50
_DATE_WORDS = re.compile(r"\b(?:posted|published|updated|last|on|date|written|first|originally)\b", re.IGNORECASE)
# Meta names of CMSs that hold a publication date, and those that hold an update.
_PUBLISH_KEY = re.compile(r"publish|pub[-_.]?date|release[-_.]?date|date[-_.]?created|creation[-_.]?date")
_UPDATE_KEY = re.compile(r"modif|update|revis|expir")
# A visible byline line near the headline: "By Jane Doe", "Words: Jane Doe".
_BYLINE_LINE = re.compile(
    r"^(?:(?:this|the)\s+(?:post|article|story|piece|guide|review)\s+(?:was|is|has\s+been)\s+)?"
    r"(?:(?:analysis|opinion|commentary|story|text|words|written|authored|reporting|posted)\s+)?by(?:\b|(?-i:(?=[A-Z])))"
    r"|^words\s*:",
    re.IGNORECASE,
)
# A line that is only a lead-in ("By", "Written by:"): the names are on the next line.
_LEAD_IN_LINE = re.compile(
    r"^(?:(?:written|posted|story|words|text)\s+)?by\s*:?$|^(?:author|words|text)\s*:$", re.IGNORECASE
)
# A label line over the names, anywhere on the page ("Author" / "Lisa D. Ellis"); the names line must
# look like names, as the label is also a heading of lists and forms.
_AUTHOR_LABEL_LINE = re.compile(
    r"^(?:authors?|author\(s\)|(?:(?:(?:article|post|story|blog|guide)\s+)?(?:written|posted|authored)\s+)?by)\s*:?$",
    re.IGNORECASE,
)
# An avatar's initials between the label and the name ("Author" / "CP" / "Chengcheng Pei").
_INITIALS_LINE = re.compile(r"^[A-Z]{1,3}$")
_MAX_LABELLED_NAMES = 6
# How much of a line under a lead-in ("By") the names must make: the rest is "and", "&" and commas.
_NAMES_SHARE = 0.8
# Words of separate elements run together ("OrganizationOfficeOrganizingPapers"); "McDonald", "DeVito" are names.
_GLUED_WORDS = re.compile(r"[a-z]{3}[A-Z][a-z]")
# A date line that names the author after a separator: "Dec. 19, 2025 · Niko Matsakis", "… • Mahua Das in News"
_DATE_THEN_NAME = re.compile(r"^[\s,]*[·•|–—-]\s*(?P<names>[^·•|]+?)(?:\s+in(?:\s.*)?)?\s*$")
# What separates the parts of a line of facts under a title ("date · 3 min read · By Jane Doe").
_META_SEPARATOR = re.compile(r"\s*[·•|]\s*")
_NOT_FIRST_NAMES = frozenset(
    """
    the a an all home blog blogs news related more read share download copy print email follow subscribe
    search menu contact about tags topics category categories program latest popular recent top back next
    previous see view posts articles insights resources sign log
    """.split()
)
# A link's label that asks the reader to do something ("Learn More", "View Profile", "Read more").
_CALLS_TO_ACTION = frozenset("learn read view see visit more follow contact subscribe download share".split())
_NAME_WORD = re.compile(r"^(?!.*['’](?:s|t|re|ll|ve|d|m)$)(?:[A-Z][\w'’.-]*|[a-z]{1,3}|[A-Z]\.)$")
# A surname shortened to its initial ("Scott P", "Scott P.")
_INITIAL = re.compile(r"^[A-Z]\.?$")
# Far from the title, only a line that is nothing but a byline counts ("Written by Cassidy Horton"),
# or a longer one whose names are written as names ("Posted by Colin Watson on 2025-12-18 in debusine").
_FAR_BYLINE_CHARS = 60
_FAR_SENTENCE_BYLINE_CHARS = 160
# A line that is only a name next to the title, beside a date line ("Bence Kovács" / "02-12-2025"):
# how many lines before and after the title it may be, and how far from it the date.
_NAME_BEFORE_TITLE, _NAME_AFTER_TITLE, _NAME_TO_DATE = 2, 5, 2
_NAME_LINE_CHARS = 60
# "ByDaryl Austin": inline elements' text meets without a space
_BY_GLUED = re.compile(r"^by(?=[A-Z])")
_BYLINE_LINE_CHARS = 120
# A reader's comment or a list of them ("comment-author", "comments", "commentlist"), a widget of the
# latest ones ("widget_recent_comments", "recentcomments", "jcomments-latest"); not a page's state
# ("comments-open").
_COMMENT = re.compile(
    r"\s(?:comment|comment-(?:list|body|content|author|meta)|commentlist"
    r"|(?![\w-]*comments-(?:open|closed)\s)[\w-]*comments[\w-]*)\s",
    re.IGNORECASE,
)
# A JSON string after the data layer's author key: "pagePostAuthor":"Krystyna"
_DATA_LAYER_AUTHOR = re.compile(r'"pagePostAuthor"\s*:\s*("(?:[^"\\]|\\.){1,200}")')
# Only whether a line holds a date matters there, not when in which zone.
_ANY_ZONE = ZoneInfo("UTC")


def extract_metadata(
    html: str, timezone: ZoneInfo, *, raw: bool = False, site_names: Iterable[str] = (), url: str | None = None
) -> list[tuple[str, PageMetadata]]:
    """Return ``(source, metadata)`` for JSON-LD, OpenGraph/meta and visible markup, best first.

    ``raw``: each source as it reads, without the decisions across sources (for tests and
    ``feedsvc check``-style explanations). ``site_names``: what the site is called besides what
    the page says (the site's title in site.toml); ``url``: where the page was fetched from, if
    known (an imported page's source), whose host names the site when the page names no URL.
    Both are settings of the site or facts of this one page, never other pages.
    """
    root = _parse(html)
    if root is None:
        return [(source, PageMetadata()) for source in SOURCES]
    blocks = [
        script.text or ""
        for script in root.iter("script")
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"
    ]
    nodes = jsonld_nodes(blocks)
    meta = _meta_values(root)
    sources = {
        "json-ld": nodes_metadata(nodes, timezone),
        "opengraph": _meta_metadata(root, meta, timezone),
        "markup": _markup_metadata(root, timezone),
    }
    if raw:
        return [(source, sources[source]) for source in SOURCES]
    raw_sources = dict(sources)
    declared = [*(value for key in _SITE_NAME_KEYS for value in meta.get(key, ())), *jsonld_site_names(nodes)]
    declared += [name.lstrip("@") for name in meta.get("twitter:site", ())]
    # a site's name is the same on all its pages: one equal to this page's own title names the page
    # (an application-name set to the article's title)
    titled = {site_key(value) for value in (sources["json-ld"].title, sources["opengraph"].title) if value}
    names = [*site_names, *(name for name in declared if site_key(name) not in titled)]
    names += _host_names(_host(sources) or (urlsplit(url).hostname or "" if url else ""))
    _decide_title(sources, root, meta, names)
    # the lines down to just under the title: read once, for the dates and for the by-line
    near_title = cache(partial(_lines_to_title, root))
    _read_text_near_title(sources, root, near_title, timezone, url)
    _decide_dates(sources, timezone, url)
    _decide_canonical(sources)
    _decide_image(sources)
    organisations = jsonld_organisation_authors(nodes)
    said = {name: _people(found.authors, keep=organisations) for name, found in raw_sources.items()}
    _decide_authors(sources, root, [*names, *organisations], organisations)
    title = next((sources[name].title for name in SOURCES if sources[name].title), None)
    for name, found in sources.items():
        authors = _people(found.authors, keep=organisations)
        sources[name] = dataclasses.replace(found, authors=authors, tags=reader_tags(found.tags, title))
    _agree_on_authors(
        sources,
        said,
        partial(_shown_byline, root, title),
        [*names, *organisations],
        partial(_shown_by_line, near_title, title),
    )
    if not any(sources[name].authors for name in SOURCES):
        sources["markup"] = dataclasses.replace(sources["markup"], authors=_data_layer_author(root))
    return [(source, sources[source]) for source in SOURCES]


def _data_layer_author(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Return the post's author a WordPress page gives its tag manager's data layer (``"pagePostAuthor":"…"``).

    The data layer of the widely used "GTM4WP" plugin names the post's author by its display name
    on pages that show no byline; a login name ("admin") is no name (:func:`byline_names`).
    """
    for script in root.iter("script"):
        found = _DATA_LAYER_AUTHOR.search(script.text or "")
        if found:
            try:
                value = json.loads(found[1])
            except ValueError:
                return ()
            return dedupe(byline_names(plain(value))) if isinstance(value, str) else ()
    return ()


def _people(authors: Iterable[str], keep: Iterable[str] = ()) -> tuple[str, ...]:
    """Return authors read through the byline parser: no "by", roles, agencies or e-mails.

    ``keep``: organisations' names, already whole ("Morgan & Morgan" is one author, not two).
    """
    whole = set(keep)
    return dedupe(name for author in authors for name in ([author] if author in whole else byline_names(author)))


def _move(sources: dict[str, PageMetadata], field: str, winner: str | None, value: Any) -> None:
    """Leave ``value`` of ``field`` in source ``winner`` and nothing in the sources before it."""
    empty: Any = () if field in ("authors", "tags") else None
    for name in SOURCES:
        if name == winner:
            sources[name] = dataclasses.replace(sources[name], **{field: value})
            return
        sources[name] = dataclasses.replace(sources[name], **{field: empty})


def _decide_title(
    sources: dict[str, PageMetadata], root: lxml.html.HtmlElement, meta: dict[str, list[str]], site_names: list[str]
) -> None:
    headlines = list(dict.fromkeys(_texts(root, VISIBLE_HEADLINE_XPATHS)))
    # a headline may stand alone against the meta values only where the page marks it as the article's:
    # itemprop="headline", an <h1> in <article>/<main>, or the page's only <h1>
    marked = list(_texts(root, VISIBLE_HEADLINE_XPATHS[:2]))
    all_h1 = root.xpath("//h1")
    trusted = marked or ([one_line(all_h1[0].text_content())] if len(all_h1) == 1 else [])
    titles = [one_line(element.text_content()) for element in root.iter("title")][:1]
    metas = [
        value
        for value in (sources["json-ld"].title, *(plain(v) for v in meta.get("og:title", ())[:1]),
                      *(plain(v) for v in meta.get("twitter:title", ())[:1]),
                      *(plain(v) for key in ("dc.title", "dcterms.title") for v in meta.get(key, ())[:1]), *titles)
        if value
    ]  # fmt: skip
    subheads = list(_texts(root, SUBHEAD_XPATHS))
    # the lines of a headline that breaks into several come last: one of them may be what a meta value names
    parts = [part for part in _headline_parts(root) if part not in headlines]
    chosen = choose_title([*headlines, *parts], metas, [*site_names, *_logo_names(root)], trusted, subheads)
    if chosen is None:
        return
    # its origin: the headline (markup) unless only a meta value says it
    if any(chosen == one_line(h) or chosen in one_line(h) for h in headlines):
        winner = "markup"
    elif sources["json-ld"].title and chosen in sources["json-ld"].title:
        winner = "json-ld"
    elif sources["opengraph"].title and chosen in sources["opengraph"].title:
        winner = "opengraph"
    else:
        winner = "markup"
    _move(sources, "title", winner, chosen)


def _logo_names(root: lxml.html.HtmlElement) -> list[str]:
    """Return what an ``<h1>`` that is a link to a site's front page says: the site's name, as a logo gives it.

    Many themes put the site's name in an ``<h1>`` linking home (``<h1><a href="/">Blog name</a></h1>``);
    its text and its pictures' alt texts name the site, not the article.
    """
    names: list[str] = []
    for heading in root.iter("h1"):
        links = [*heading.iterancestors("a"), *heading.iter("a")]
        if len(links) != 1 or one_line(links[0].text_content()) != one_line(heading.text_content()):
            continue
        address = urlsplit((links[0].get("href") or "").strip())
        if address.path.strip("/") or address.query or address.fragment or not (address.path or address.netloc):
            continue
        names.append(one_line(heading.text_content()))
        names.extend(one_line(alt) for alt in heading.xpath(".//img/@alt"))
    return [name for name in names if name]


def _read_text_near_title(
    sources: dict[str, PageMetadata],
    root: lxml.html.HtmlElement,
    near_title: _LinesToTitle,
    timezone: ZoneInfo,
    url: str | None,
) -> None:
    """Date and sign a page from the lines around its title.

    An undated page takes the date line nearest the title, else (when its URL names no day, which
    then dates it) a line that is only a date anywhere; an unsigned one, the byline. A dated
    page whose date line just under the title shows an earlier day than its machine-readable date
    was published that day: the reader sees it, while a JSON-LD or meta date equal to a rebuild or
    a re-publication of the page is common (a later day shown is its update, left to the sources).
    So was a dated page whose markup marks (``<time pubdate>``, ``itemprop="datePublished"``) an
    earlier publication, wherever it stands. Where the sources disagree on the publication, the
    day shown under the title (not as an update or a reprint) settles it: the source that says it
    wins, unless its date is some source's update too.
    """
    undated = all(sources[name].published is None for name in SOURCES)
    unsigned = all(not sources[name].authors for name in SOURCES)
    title = next((sources[name].title for name in SOURCES if sources[name].title), None)
    if undated or unsigned:
        lines = _lines(root)
        at = _title_line(lines, title)
    else:
        # only the lines down to just under the title are needed: reading the rest would cost
        # a pass over the whole page for every dated, signed one
        lines, at = near_title(title, _SHOWN_AFTER_TITLE)
    language = next((sources[name].language for name in SOURCES if sources[name].language), "")
    numeric_day_first = day_first(language or "")
    markup = sources["markup"]
    if undated:
        shown = _dateline(lines, at, timezone, numeric_day_first)
        if shown is None and _url_day(sources, timezone, url) is None:
            # far from the title a date line is as often a related article's as the page's own
            shown = (
                _json_text_date(root, timezone)
                or _date_only_line(lines, timezone, numeric_day_first)
                or _labelled_month_line(lines, timezone)
            )
        markup = dataclasses.replace(markup, published=shown)
    if unsigned:
        markup = dataclasses.replace(markup, authors=_visible_byline(lines, at))
    if all(sources[name].updated is None for name in SOURCES):
        # the update the reader sees by the title ("Updated: …"), where no source gives one (where one
        # does, it is the day shown; its time is more precise); _decide_dates keeps it only at or
        # after the publication
        markup = dataclasses.replace(markup, updated=shown_update(lines, at, timezone, numeric_day_first))
    sources["markup"] = markup
    if not undated and at >= 0:
        machine = next(sources[name].published for name in SOURCES if sources[name].published is not None)
        shown = _shown_date(lines, at, timezone, numeric_day_first)
        if shown is not None and machine is not None and shown.date() < machine.date() - _SHOWN_DATE_SLACK:
            _move(sources, "published", "markup", shown)
            return
        if shown is not None and machine is not None and abs(machine.date() - shown.date()) > _SHOWN_DATE_SLACK:
            agreeing = _agreeing_publication(sources, shown)
            if agreeing is not None:
                _move(sources, "published", agreeing, sources[agreeing].published)
    if not undated:
        machine = next(sources[name].published for name in SOURCES if sources[name].published is not None)
        # the page's markup marks its publication (itemprop="datePublished", <time pubdate>) earlier than
        # the JSON-LD or meta date says: those were re-stamped
        marked = _markup_date(root, PUBLISHED_XPATHS[:_MARKED_PUBLISHED], timezone)
        if marked is not None and machine is not None and marked.date() < machine.date() - _SHOWN_DATE_SLACK:
            _move(sources, "published", "markup", marked)


def _json_text_date(root: lxml.html.HtmlElement, timezone: ZoneInfo) -> datetime | None:
    """Return the ``"datePublished"`` a script or a meta value of the page holds as JSON text, if only one day."""
    texts = [script.text or "" for script in root.iter("script")]
    texts += [content for content in root.xpath("//meta/@content") if "datePublished" in content]
    return json_text_date((text for text in texts if "datePublished" in text), timezone)


def _agreeing_publication(sources: dict[str, PageMetadata], shown: datetime) -> str | None:
    """Return the source whose publication is the day the page shows under its title, or None.

    The sources disagree on the publication: the one the reader's date agrees with wins. A
    publication that is some source's update too (a ``<time>`` stamped at the last edit) agrees
    with a shown update, not with a publication.
    """
    updates = [found.updated.date() for found in sources.values() if found.updated is not None]
    for name in SOURCES:
        moment = sources[name].published
        if moment is None or abs(moment.date() - shown.date()) > _SHOWN_DATE_SLACK:
            continue
        if not any(abs(moment.date() - update) <= _SHOWN_DATE_SLACK for update in updates):
            return name
    return None


def _title_line(lines: list[str], title: str | None) -> int:
    """Return the index of the line that shows the title (-1: none does; the page's start stands for it)."""
    if not title:
        return -1
    key = title.casefold()
    return next((index for index, line in enumerate(lines) if _shows_title(line, key)), -1)


def _headline_line(lines: list[str], title: str | None) -> int:
    """Return the index of the line that is the title, else of the first that shows it (-1: none does).

    A menu's or a teaser's line can be a part of the title ("Best GPS Running Watches" over the
    headline "Best GPS Running Watches of 2026"): the headline itself is the line equal to it.
    """
    key = title.casefold() if title else None
    exact = next((index for index, line in enumerate(lines) if line.casefold() == key), -1)
    return exact if exact >= 0 else _title_line(lines, title)


def _shows_title(line: str, key: str) -> bool:
    """Whether a line shows the title whose case-folded text is ``key`` (or a long part of it)."""
    folded = line.casefold()
    return (
        folded == key
        or (len(folded) >= max(12, len(key) / 3) and folded in key)
        or (key in folded and len(folded) < 1.5 * len(key))
    )


def _lines_to_title(root: lxml.html.HtmlElement, title: str | None, after: int) -> tuple[list[str], int]:
    """Return the page's lines down to ``after`` lines under the title's, and the title's index (-1: not found)."""
    key = title.casefold() if title else None
    lines: list[str] = []
    at = -1
    for line in _iter_lines(root):
        lines.append(line)
        if at < 0 and key is not None and _shows_title(line, key):
            at = len(lines) - 1
        if at >= 0 and len(lines) > at + after:
            break
    return lines, at


# _lines_to_title of one page: (title, after) -> (lines, the title's index); its callers only read the lines
_LinesToTitle = Callable[[str | None, int], tuple[list[str], int]]


def _decide_authors(
    sources: dict[str, PageMetadata],
    root: lxml.html.HtmlElement,
    not_people: Iterable[str],
    organisations: Iterable[str],
) -> None:
    """Prefer people to the site itself or an organisation (``not_people``: their names).

    An author that is only the site's name or an organisation yields to a person another source
    names, else to a person the page shows by its title ("GlossGenius" in JSON-LD, "Shauna Mitchell"
    under the headline); with nobody else, the organisation stays.
    """
    keys = {site_key(name) for name in not_people} - {""}
    typed = set(organisations)
    signed = [name for name in SOURCES if sources[name].authors]
    if not signed:
        return

    def nobody(authors: Iterable[str]) -> bool:
        return all(site_key(author) in keys for author in authors)

    def names_nobody(names: list[str]) -> bool:
        return bool(names) and nobody(names)

    def personal_site(authors: tuple[str, ...]) -> bool:
        # a site named after a person ("Derek Seaman" at derekseaman.com) is signed by that person
        return _look_like_names(list(authors)) and not any(a in typed or names_an_organisation(a) for a in authors)

    if not nobody(sources[signed[0]].authors):
        return
    person = next((name for name in signed[1:] if not nobody(sources[name].authors)), None)
    if person is None:
        title = next((sources[name].title for name in SOURCES if sources[name].title), None)
        # the site's own byline shown ("byClemson News") is passed over for the person's under it
        lines = [
            line for line in _lines(root)
            if not (len(line) <= _BYLINE_LINE_CHARS and _BYLINE_LINE.match(line) and names_nobody(_line_names(line)))
        ]  # fmt: skip
        at = _title_line(lines, title)
        # a site named like a person ("One Tree Planted") yields only to the byline by the title
        if personal_site(sources[signed[0]].authors):
            shown = _by_line_by_title(lines, at)
        else:
            shown = _visible_byline(lines, at)
        # people, written as names ("a mystery man" is a comment's, "using HomeAdvisor" a sentence's)
        if not _look_like_names(list(shown)) or nobody(shown):
            return
        sources["markup"] = dataclasses.replace(sources["markup"], authors=shown)
        person = "markup"
    if person is not None:
        _move(sources, "authors", person, sources[person].authors)


def _agree_on_authors(
    sources: dict[str, PageMetadata],
    said: dict[str, tuple[str, ...]],
    shown: Callable[[], tuple[str, ...]],
    not_people: Iterable[str],
    shown_by_line: Callable[[], tuple[str, ...]],
) -> None:
    """Let what each source says on its own vote on the decided authors.

    ``said``: the names each source gives before the decisions across sources; ``shown``: the
    byline the reader sees by the title (read only where it can change the outcome: another source
    disagrees, or a name is shortened). Where the decided names are said by
    one source at most and two or more agree on other names, those win (a JSON-LD person
    against the "Everfit Team" of a byline marked up as the author and shown by the headline:
    often one element, both what the page marks and what the reader sees; a meta list of three
    against the one name of the byline): unless they name only the site or an organisation,
    which yield to a person (:func:`_decide_authors`). Then a "By …" line just under the title
    or just over it (``shown_by_line``, read on every page: it costs the lines down to the title only) that names
    people none of the decided names is what the reader reads as the byline, and wins: JSON-LD and
    meta tags often name the CMS account that posted the piece ("KatieS", an editor). Then a name
    shortened to an initial ("Scott P") is written in full where a source says it so ("Scott Pletcher").
    """
    winner = next((name for name in SOURCES if sources[name].authors), None)
    if winner is None:
        return
    decided = sources[winner].authors
    keys = {site_key(name) for name in not_people} - {""}
    by_line = shown_by_line()
    if not (_look_like_names(list(by_line)) and not all(site_key(name) in keys for name in by_line)):
        by_line = ()
    disputed = any(names and _names_key(names) != _names_key(decided) for names in said.values())
    if not disputed and not by_line and not any(_INITIAL.match(name.split()[-1]) for name in decided):
        return
    said = {**said, "shown": shown()}
    votes = Counter(_names_key(names) for names in said.values() if names)
    ranked = votes.most_common(2)
    if votes[_names_key(decided)] <= 1 and ranked:
        best, count = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if count >= 2 and runner_up < count and not all(name in keys for name in best):
            voter = next(name for name, names in said.items() if names and _names_key(names) == best)
            winner = "markup" if voter == "shown" else voter
            decided = said[voter]
            _move(sources, "authors", winner, decided)
    # the "By …" line just under the headline is what the reader reads as the byline: a CMS account's name
    # in JSON-LD or meta tags ("KatieS", the editor who posted it) yields to it
    if by_line and _names_key(by_line).isdisjoint(_names_key(decided)):
        winner, decided = "markup", by_line
        _move(sources, "authors", winner, decided)
    full = _in_full(decided, [name for names in said.values() for name in names])
    if full != decided:
        sources[winner] = dataclasses.replace(sources[winner], authors=full)


def _shown_by_line(near_title: _LinesToTitle, title: str | None) -> tuple[str, ...]:
    """Return the names of the "By …" line nearest the title: a few lines under it, or just over it.

    At the same distance the line under the title is read first. ``near_title``: the page's
    :func:`_lines_to_title`.
    """
    lines, at = near_title(title, _SHOWN_AFTER_TITLE)
    if at < 0:
        return ()
    for distance in range(1, _SHOWN_AFTER_TITLE + 1):
        under = _by_line_by_title(lines[: at + 1 + distance], at)
        if under:
            return under
        over = lines[at - distance] if distance <= _SHOWN_BEFORE_TITLE and at - distance >= 0 else ""
        if len(over) <= _BYLINE_LINE_CHARS and _BYLINE_LINE.match(over):
            names = _line_names(over)
            if names:
                return tuple(names)
    return ()


def _shown_byline(root: lxml.html.HtmlElement, title: str | None) -> tuple[str, ...]:
    """Return the names of the byline the page shows by its headline (the line equal to the title)."""
    lines = _lines(root)
    at = _headline_line(lines, title)
    return _byline_by_title(lines, at) if at >= 0 else ()


def _names_key(names: Iterable[str]) -> frozenset[str]:
    """Return names as compared across sources: letters and digits only, case-folded."""
    return frozenset(site_key(name) for name in names)


def _in_full(names: tuple[str, ...], others: list[str]) -> tuple[str, ...]:
    """Return ``names`` with a name shortened to an initial ("Scott P") as ``others`` write it in full."""
    written = []
    for name in names:
        *head, last = name.split()
        if head and _INITIAL.match(last):
            start = " ".join(head) + " " + last.rstrip(".")
            name = next(
                (other for other in others if other.startswith(start) and len(other.split()) == len(head) + 1
                 and _NAME_WORD.match(other.split()[-1]) and len(other.split()[-1]) > 2),
                name,
            )  # fmt: skip
        written.append(name)
    return tuple(written)


def _host_names(host: str) -> list[str]:
    """Return the names a host gives its site: itself and its registered name.

    "www.ign.com" -> "ign.com", "ign"; "blog.rust-lang.org" -> "rust-lang"; "news.bbc.co.uk" ->
    "bbc" (a short second level under a country's domain is part of the public suffix); a blog
    hosted under a platform is named by its own label too ("siliconexposed.blogspot.com").
    """
    host = host.lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return []
    labels.pop()  # the top-level domain
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels.pop()  # "co.uk", "com.au", "org.br", "ac.jp"
    names = [host, labels[-1]]
    if len(labels) > 1 and labels[0] not in _GENERIC_HOST_LABELS:
        names.append(labels[0])
    return names


def _host(sources: dict[str, PageMetadata]) -> str:
    """Return the host the page says it lives at (``www.`` dropped), or ""."""
    for name in ("opengraph", "json-ld"):
        url = sources[name].canonical_url
        if url:
            return (urlsplit(url).hostname or "").removeprefix("www.")
    return ""


def _url_day(sources: dict[str, PageMetadata], timezone: ZoneInfo, url: str | None) -> datetime | None:
    """Return the day the page's URL names in its path: its canonical URL's, else the one it was fetched from."""
    canonical = next((sources[name].canonical_url for name in SOURCES if sources[name].canonical_url), None)
    return next(filter(None, (url_date(address, timezone) for address in (canonical, url) if address)), None)


def _decide_dates(sources: dict[str, PageMetadata], timezone: ZoneInfo, url: str | None) -> None:
    winner = next((name for name in SOURCES if sources[name].published is not None), None)
    if winner is None:
        day = _url_day(sources, timezone, url)
        if day is not None:
            sources["markup"] = dataclasses.replace(sources["markup"], published=day)
            winner = "markup"
    if winner is None:
        # Only an update dates the page: it was published then at the latest, nearer the truth
        # than the day it is first seen.
        winner = next((name for name in SOURCES if sources[name].updated is not None), None)
        if winner is None:
            return
        sources[winner] = dataclasses.replace(sources[winner], published=sources[winner].updated)
    published = sources[winner].published
    assert published is not None
    updates = [sources[name].updated for name in SOURCES]
    own = sources[winner].updated
    if own is not None and own >= published:
        updated: datetime | None = own
    else:
        # the sources disagree: the latest update that is not before the publication, or none
        later = [moment for moment in updates if moment is not None and moment >= published]
        updated = max(later) if later else None
    _move(sources, "published", winner, published)
    _move(sources, "updated", winner, updated)
    # the update is decided: a source after the winner must not fill in one earlier than the publication
    for name in SOURCES[SOURCES.index(winner) + 1 :]:
        sources[name] = dataclasses.replace(sources[name], updated=None)


def _decide_canonical(sources: dict[str, PageMetadata]) -> None:
    # <link rel="canonical"> (read with the meta tags) says what the page is; a JSON-LD url or @id
    # often names a node ("…#webpage") or an AMP twin
    if sources["opengraph"].canonical_url:
        _move(sources, "canonical_url", "opengraph", sources["opengraph"].canonical_url)


def _decide_image(sources: dict[str, PageMetadata]) -> None:
    """Complete the JSON-LD picture with what the Open Graph tags say of the same one (its size, type, alt)."""
    ld, og = sources["json-ld"].image, sources["opengraph"].image
    if ld is not None and og is not None:
        chosen = first_real([ld, og])
        if chosen is not None and chosen.origin == "json-ld":
            sources["json-ld"] = dataclasses.replace(sources["json-ld"], image=chosen)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    # xml_safe first: lxml refuses strings holding NUL and other XML-illegal characters.
    text = xml_safe(html)
    if not text.strip():
        return None
    # libxml2 gives up on a whole page nested deeper than its limit: bound the depth first.
    text = limit_depth(text)[0]
    # A parser per call: lxml parser objects are not safe to share between threads. It never
    # loads a DTD nor expands an entity the page declares (tests/test_hostile_content.py).
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, huge_tree=True)
    try:
        # Bytes with a fixed encoding, so a stale <meta charset> or XML declaration in
        # already-decoded text is ignored.
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None


def _meta_values(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Return the page's <meta> values by lower-cased property, name and itemprop, in document order."""
    meta: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        # <meta property="article:published" itemprop="datePublished" content="…"> answers to both, and
        # so does each name of an RDFa list (property="og:description dc:description")
        keys = {
            _DUBLIN_CORE.sub(r"\1.", key)
            for attribute in ("property", "name", "itemprop")
            for key in (element.get(attribute) or "").lower().split()
        }
        for key in keys:
            meta.setdefault(key, []).append(content)
    return meta


def _meta_metadata(root: lxml.html.HtmlElement, meta: dict[str, list[str]], timezone: ZoneInfo) -> PageMetadata:
    http_equiv: dict[str, str] = {}
    for element in root.iter("meta"):
        content = (element.get("content") or "").strip()
        if content and element.get("http-equiv"):
            http_equiv.setdefault(element.get("http-equiv", "").strip().lower(), content)
    links = root.xpath(f"//link[{_has('rel', 'canonical')}]/@href")
    canonical = next(filter(None, map(absolute_url, links)), None)
    language = (
        language_tag(root.get("lang") or root.get("xml:lang") or "")
        or _first(meta, "language", language_tag)
        or language_tag(http_equiv.get("content-language", "").split(",")[0])
    )
    as_date = partial(parse_date, timezone=timezone)
    published = _first(meta, "published", as_date)
    if published is None:
        # CMS-specific names ("w-published-date", "cXenseParse:recs:publishtime") say what they hold; where
        # several disagree ("published-date" 2021, "published-time" the day of a re-publication), the
        # earliest is the publication, the others re-stamp it
        named = (key for key in meta if _PUBLISH_KEY.search(key) and not _UPDATE_KEY.search(key))
        published = min(filter(None, (as_date(meta[key][0]) for key in named)), default=None)
    return PageMetadata(
        title=_first(meta, "title", plain),
        published=published,
        updated=_first(meta, "updated", as_date),
        authors=_meta_authors(meta),
        summary=_first(meta, "summary", plain),
        tags=_many(meta, "tags", split_keywords),
        canonical_url=canonical or _first(meta, "canonical_url", absolute_url),
        language=language,
        image=first_real(
            _meta_images(root, _page_base(root, canonical or _first(meta, "canonical_url", absolute_url)))
        ),
    )


# Open Graph's image and the structured properties that follow it (https://ogp.me/#structured), then
# Twitter's card image; an image property starts a new picture, the others describe the last one.
_IMAGE_STARTS = {"og:image": "opengraph", "og:image:url": "opengraph", "twitter:image": "twitter",
                 "twitter:image:src": "twitter"}  # fmt: skip
_IMAGE_DETAILS = {"og:image:secure_url", "og:image:width", "og:image:height", "og:image:type", "og:image:alt",
                  "twitter:image:alt"}  # fmt: skip


def _page_base(root: lxml.html.HtmlElement, canonical: str | None) -> str | None:
    """Return the URL a relative image URL of the page resolves against: an http(s) <base href>, else its canonical."""
    bases = [absolute_url(href) for href in root.xpath("//base/@href")]
    return next(filter(None, bases), None) or canonical


def _meta_images(root: lxml.html.HtmlElement, base: str | None) -> list[Image]:
    """Return the pictures the page's Open Graph and Twitter card tags name, in their order, with their details."""
    found: list[tuple[str, dict[str, str]]] = []  # (family, property -> value)
    for element in root.iter("meta"):
        content = (element.get("content") or "").strip()
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if not content:
            continue
        family = _IMAGE_STARTS.get(key)
        if family is not None:
            if found and found[-1][0] == family and found[-1][1].get("url") == content:
                continue  # og:image:url repeating the og:image before it
            found.append((family, {"url": content}))
        elif key in _IMAGE_DETAILS and found and found[-1][0] == ("opengraph" if key.startswith("og:") else "twitter"):
            found[-1][1].setdefault(key.rsplit(":", 1)[1], content)
    images = []
    for _, said in sorted(found, key=lambda item: item[0] != "opengraph"):  # Open Graph's first
        url = next(filter(None, (_resolve(said.get(k), base) for k in ("secure_url", "url"))), None)
        if url is not None:
            images.append(
                Image(
                    url=url,
                    width=image_number(said.get("width")),
                    height=image_number(said.get("height")),
                    type=image_type(said.get("type")),
                    alt=plain(said.get("alt") or "") or None,
                    origin="opengraph",
                )
            )
    return images


def _resolve(value: str | None, base: str | None) -> str | None:
    """Return ``value`` as an absolute http(s) URL, resolved against ``base`` if relative; None if it cannot be."""
    if not value or value.lower().startswith("data:"):
        return None
    return absolute_url(urljoin(base, value)) if base else absolute_url(value)


def _meta_authors(meta: dict[str, list[str]]) -> tuple[str, ...]:
    """Return the authors the meta tags name; a paper's citation list when it holds the author tag's and more."""
    authors = _many(meta, "authors", _meta_names)
    cited = _many(meta, "citation_authors", _citation_name)
    # <meta name="author"> often names only the first of a paper's authors (DC.Creator, one tag)
    return cited if cited and set(authors) < set(cited) else authors


def _meta_names(value: str) -> list[str]:
    # article:author is often a profile URL, not a name
    return [] if absolute_url(value) else byline_names(plain(value))


def _citation_name(value: str) -> list[str]:
    # Highwire Press citation_author is one person, "Surname, Given names"
    surname, comma, given = plain(value).partition(",")
    return byline_names(f"{given.strip()} {surname.strip()}" if comma and given.strip() else surname)


def _first(meta: dict[str, list[str]], field: str, convert: Callable[[str], _T | None]) -> _T | None:
    """Return the first meta value for ``field`` that ``convert`` accepts."""
    for key in META_KEYS[field]:
        for value in meta.get(key, ()):
            converted = convert(value)
            if converted:
                return converted
    return None


def _many(meta: dict[str, list[str]], field: str, convert: Callable[[str], list[str]]) -> tuple[str, ...]:
    """Return every value of the first meta key for ``field`` that gives any."""
    for key in META_KEYS[field]:
        values = dedupe(item for value in meta.get(key, ()) for item in convert(value))
        if values:
            return values
    return ()


def _markup_metadata(root: lxml.html.HtmlElement, timezone: ZoneInfo) -> PageMetadata:
    title = next(iter(_texts(root, HEADLINE_XPATHS)), None)
    tags = root.xpath(TAG_XPATH)
    return PageMetadata(
        title=title,
        published=_markup_date(root, PUBLISHED_XPATHS, timezone),
        updated=_markup_date(root, UPDATED_XPATHS, timezone),
        authors=_byline(root),
        tags=dedupe(one_line(tag.text_content()) for tag in tags),
    )


def _texts(root: lxml.html.HtmlElement, xpaths: Iterable[str]) -> Iterable[str]:
    """Yield the non-empty plain text of each element the ``xpaths`` match, in their order."""
    for xpath in xpaths:
        for element in root.xpath(xpath):
            content = element.get("content")
            text = plain(content) if content else one_line(_spaced_text(element))
            if text:
                yield text


def _headline_parts(root: lxml.html.HtmlElement) -> list[str]:
    """Return the lines of the page's first headlines that break into several ("Get that tech stack" / "Klatch Coffee").

    A kicker over the title, or the title over a dek, inside one <h1>: each line may be the title a meta value names.
    """
    parts: list[str] = []
    for xpath in VISIBLE_HEADLINE_XPATHS:
        for element in root.xpath(xpath)[:_HEADLINES_SPLIT]:
            if element.get("content") is None:
                lines = [line for line in map(one_line, _spaced_text(element, "\n").split("\n")) if line]
                if len(lines) > 1:
                    parts.extend(lines)
    return parts


def _spaced_text(element: lxml.html.HtmlElement, space: str = " ") -> str:
    """Return an element's text with ``space`` where a <br> or a block inside it breaks the line.

    An inline element the page shows as a block (:func:`_shown_as_block`) breaks it too; so does the
    edge of any inline element where a word in lower case meets a capitalised one (:func:`_unglued`):
    "The Best Notion Alternatives" and "Top Note-taking Tools", which a stylesheet puts on two lines,
    are not "AlternativesTop".
    """
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        inner = node is not element
        block = inner and isinstance(node.tag, str) and (node.tag.lower() in _BLOCK_TAGS or _shown_as_block(node))
        if event in ("comment", "pi"):
            parts.append(node.tail or "")  # a comment's text is not the page's; what follows it is
        elif event == "start":
            parts.append(space if block else _EDGE)
            parts.append((node.text or "") if isinstance(node.tag, str) else "")
        else:
            parts.append(space if block else _EDGE)
            parts.append((node.tail or "") if inner else "")
    return _unglued("".join(parts), space)


def _shown_as_block(element: lxml.html.HtmlElement) -> bool:
    """Whether an inline element is shown as a block by its inline style or a CSS framework's display class."""
    style = element.get("style")
    if style and _DISPLAY_BLOCK_STYLE.search(style):
        return True
    return not _DISPLAY_BLOCK_CLASSES.isdisjoint((element.get("class") or "").split())


def _unglued(text: str, space: str) -> str:
    """Return ``text`` without its inline elements' edges; ``space`` at one where a lower-case word meets a capital.

    Three lower-case letters before the edge, a capital and a lower-case letter after it: a short
    part ("Mc<b>D</b>onald") or a brand written in two colours ("You<span>Tube</span>") stays joined.
    """

    def edge(match: re.Match[str]) -> str:
        before, after = text[max(match.start() - 3, 0) : match.start()], text[match.end() : match.end() + 2]
        glued = (
            len(before) == 3
            and len(after) == 2
            and before.isalpha()
            and before.islower()
            and after[0].isupper()
            and after[1].islower()
        )
        return space if glued else ""

    return _EDGES.sub(edge, text) if _EDGE in text else text


def _markup_date(root: lxml.html.HtmlElement, xpaths: Iterable[str], timezone: ZoneInfo) -> datetime | None:
    numeric_day_first = day_first(language_tag(root.get("lang") or "") or "")
    for xpath in xpaths:
        for element in root.xpath(xpath):
            if _in_teaser(element):
                continue
            for value in (element.get("datetime"), element.get("content"), element.text_content()):
                parsed = parse_date(value, timezone) if value else None
                if parsed is None and value and (element.tag == "time" or element.get("itemprop")):
                    parsed = find_text_date(value, timezone, numeric_day_first=numeric_day_first)
                if parsed is not None:
                    return parsed
    return None


def _in_teaser(element: lxml.html.HtmlElement) -> bool:
    """Whether an element is in another article's teaser: a short <article> with a linked heading and no <h1>.

    "More useful information" cards under the article are <article>s each dated; the page's own
    article holds its headline, or is long (its <h1> over it, its "related" headings linked).
    """
    article = next(element.iterancestors("article"), None)
    return (
        article is not None
        and bool(article.xpath(_TEASER_HEADING))
        and not article.xpath(".//h1")
        and len(article.text_content()) < _TEASER_CHARS
    )


def _lines(root: lxml.html.HtmlElement) -> list[str]:
    """Return the page's visible text as its non-empty lines, one per block."""
    return list(_iter_lines(root))


def _iter_lines(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Yield the page's visible text as its non-empty lines, one per block, as the page is walked."""
    pending: list[str] = []
    for piece in _visible_text(root):
        if "\n" not in piece:
            pending.append(piece)
            continue
        head, *middle, tail = piece.split("\n")
        pending.append(head)
        for raw in ("".join(pending), *middle):
            # most pieces between block breaks are white space only: skip them before the costlier one_line
            line = one_line(raw) if raw and not raw.isspace() else ""
            if line:
                yield line
        pending = [tail]
    last = one_line("".join(pending))
    if last:
        yield last


def _visible_byline(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the names of a "By …" line among the lines just after line ``at`` (the title's), else farther."""
    return _byline_by_title(lines, at) or _far_byline(lines, at)


def _byline_by_title(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the names the reader sees by the title: a "By …" line, a date line's name, a name beside a date."""
    by_line = _by_line_by_title(lines, at)
    if by_line:
        return by_line
    near = lines[at + 1 : at + 1 + _LINES_AFTER_HEADLINE]
    for line in near:
        rest = strip_text_dates(line)
        match = _DATE_THEN_NAME.match(rest) if rest != line and len(line) <= _BYLINE_LINE_CHARS else None
        if match:
            names = byline_names(match["names"])
            if _look_like_names(names):
                return tuple(names)
        # the date line's "By …" part: "September 1st, 2023 By Emily Norwood", "March 15, 2022 · 3 min read · By X"
        parts = _META_SEPARATOR.split(rest) if rest != line and len(line) <= _BYLINE_LINE_CHARS else []
        for part in (part.strip(" ,:–—-") for part in parts):
            if _BYLINE_LINE.match(part):
                names = _line_names(part)
                if names:
                    return tuple(names)
    return _name_beside_date(lines, at)


def _by_line_by_title(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the names of a "By …" line under the title (or of the line under a lone "By")."""
    near = lines[at + 1 : at + 1 + _LINES_AFTER_HEADLINE]
    for index, line in enumerate(near):
        named = None  # the line under a lead-in line ("Written By" / "Nora Field"): names, not a sentence
        if _LEAD_IN_LINE.match(line) and index + 1 < len(near):
            named = near[index + 1]
            line = f"By {named}"
        if len(line) <= _BYLINE_LINE_CHARS and _BYLINE_LINE.match(line):
            names = byline_names(_BY_GLUED.sub("By ", line))
            if names and (named is None or _names_make(named, names)):
                return tuple(names)
    return ()


def _far_byline(lines: list[str], at: int = -1) -> tuple[str, ...]:
    """Return the names under an "Author" label, or on a line that is a byline, anywhere from the title down.

    ``at``: the title's line (-1: not found, the whole page is read). Over the title, past the two lines
    a by-line may stand over it, the site's header and menus say "By Event Type", "By Modality".
    """
    if at >= 0 and "far_byline_from_the_title" not in DISABLED:
        lines = lines[max(at - _SHOWN_BEFORE_TITLE, 0) :]
    for index, line in enumerate(lines[:-1]):
        if _AUTHOR_LABEL_LINE.match(line):
            labelled = _names_under_label(lines[index + 1 : index + 1 + 2 * _MAX_LABELLED_NAMES])
            if labelled:
                return labelled
    for line in lines:
        if len(line) <= _FAR_SENTENCE_BYLINE_CHARS and _BYLINE_LINE.match(line):
            names = byline_names(_BY_GLUED.sub("By ", line))
            # the whole line is the byline (nothing but the lead-in and the names), or its names are
            # written as names ("Posted by Colin Watson on 2025-12-18 in debusine")
            whole = len(line) <= _FAR_BYLINE_CHARS and len(" ".join(names)) >= len(line) - len("written by ")
            if names and (whole or _look_like_names(names)):
                return tuple(names)
    return ()


def _name_beside_date(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the name on a line of its own just around the title, with a date on it or beside it.

    "Bence Kovács" / "02-12-2025" under the headline, "Dec 17, 2025Julian K. Arni" over it: a
    line written as a name and nothing else, next to the page's date, signs the article.
    """
    title = lines[at].casefold() if at >= 0 else None
    for index in range(max(at - _NAME_BEFORE_TITLE, 0), min(at + 1 + _NAME_AFTER_TITLE, len(lines))):
        line = lines[index]
        if index == at or len(line) > _NAME_LINE_CHARS or line.casefold() == title:
            continue
        rest = strip_text_dates(line).strip(" ,·•|–—-")
        names = byline_names(rest) if rest else []
        if len(names) > 1 and index > at and _names_line_by_date(lines, index, rest, names):
            return tuple(names)  # "Naftali Tishby, Fernando C. Pereira, William Bialek" / "24 Apr 2000"
        # a line alone by the date names a person; "College of Social Sciences" is the section's, "Digital
        # Photo Frame" in the headline "Digital Photo Frame App Makes …" its subject, "OrganizationOfficePapers"
        # glued tags
        if len(names) != 1 or not _look_like_names(names) or names_an_institution(names[0]):
            continue
        if (title is not None and names[0].casefold() in title) or _GLUED_WORDS.search(names[0]):
            continue
        person, comma, affiliation = rest.partition(", ")
        if (
            index > at
            and comma
            and person == names[0]
            and (names_an_organisation(affiliation) or is_job_line(affiliation))
        ):
            return tuple(names)  # "Shelia R. Cotten, Clemson University" under the title
        if names[0] != rest:
            continue
        if rest != line.strip():
            return tuple(names)  # the date is on the line: "Dec 17, 2025Julian K. Arni"
        # over the title, a line of its own is a section or a menu item more often than a name
        near = range(max(index - _NAME_TO_DATE, 0), min(index + 1 + _NAME_TO_DATE, len(lines)))
        if index > at and any(j != index and _is_date_line(lines[j]) for j in near):
            return tuple(names)
        # authors' cards under the title: a name, then the job ("Juliette Carreiro" / "Tech Writer"), and the next
        if index > at and index + 1 < len(lines) and is_job_line(lines[index + 1]):
            return _author_cards(lines[index:])
    return ()


def _names_line_by_date(lines: list[str], index: int, line: str, names: list[str]) -> bool:
    """Whether line ``index`` is nothing but people's names (a list) and a line beside it is a date."""
    if not _look_like_names(names) or not _names_make(line, names) or any(map(names_an_institution, names)):
        return False
    near = range(max(index - _NAME_TO_DATE, 0), min(index + 1 + _NAME_TO_DATE, len(lines)))
    return any(j != index and _is_date_line(lines[j]) for j in near)


def _line_names(line: str) -> list[str]:
    """Return the names of a visible byline line ("By Jane Doe", "ByJane Doe")."""
    return byline_names(_BY_GLUED.sub("By ", line))


def _names_make(line: str, names: list[str]) -> bool:
    """Whether ``names`` make most of ``line`` ("Danica Kirka and Jill Lawless"), not a sentence's first words."""
    letters = sum(ch.isalpha() for ch in line)
    return sum(ch.isalpha() for name in names for ch in name) >= _NAMES_SHARE * letters


def _author_cards(lines: list[str]) -> tuple[str, ...]:
    """Return the names of the authors' cards ``lines`` start with: [initials,] a name line, its job line; again."""
    names: list[str] = []
    index = 0
    while index + 1 < len(lines) and len(names) < _MAX_LABELLED_NAMES:
        line = lines[index]
        if _INITIALS_LINE.match(line):
            index += 1
            continue
        found = byline_names(line) if len(line) <= _NAME_LINE_CHARS else []
        if len(found) != 1 or found[0] != line.strip() or not _look_like_names(found):
            break
        if not is_job_line(lines[index + 1]):
            break
        names.append(found[0])
        index += 2
    return tuple(dedupe(names))


def _is_date_line(line: str) -> bool:
    """Whether a short line holds a date ("02-12-2025", "December 17, 2025", "2022-11-23T08:10+02:00")."""
    return len(line) <= _DATE_ONLY_CHARS and (
        # either order of "02-12-2025" makes it a date
        find_text_date(line, _ANY_ZONE, numeric_day_first=True) is not None or _iso_line(line, _ANY_ZONE) is not None
    )


def _names_under_label(following: list[str]) -> tuple[str, ...]:
    """Return the names on the lines under an "Author(s)" label, one a line, past avatar initials."""
    names: list[str] = []
    cards = False  # the names are cards: each name over its job line
    for index, line in enumerate(following):
        if _INITIALS_LINE.match(line):
            continue
        found = byline_names(line) if len(line) <= _FAR_BYLINE_CHARS else []
        job_next = index + 1 < len(following) and is_job_line(following[index + 1])
        if not _look_like_names(found) or len(names) >= _MAX_LABELLED_NAMES or (cards and not job_next):
            # a name's job line ("Staff Software Engineer, MongoDB") stands between two names
            if names and not cards and is_job_line(line):
                cards = True
                continue
            if cards and is_job_line(line):
                continue
            break
        names.extend(found)
    return tuple(dedupe(names))


def _look_like_names(names: list[str]) -> bool:
    """Whether every one of ``names`` is written as a person's name: two to five words, capitalised.

    A name does not start with a word of the page's furniture ("Related Content", "Download pdf",
    "Home Blog", "All Insights", "The Rector"), nor holds a contraction or a possessive ("It’s Blogvent",
    "Mike Woodward's thoughts"; "O'Brien" is a name), nor a lower-case word but a particle ("Vincent
    van Gogh"; "Advantages of Group Music Classes" is a heading).
    """
    return bool(names) and all(
        2 <= len(words := name.split()) <= 5
        and words[0][0].isupper()
        and words[0].casefold() not in _NOT_FIRST_NAMES
        and all(_NAME_WORD.match(w) and (not w.islower() or _names_in_lower_case(w)) for w in words)
        for name in names
    )


def _names_in_lower_case(word: str) -> bool:
    """Whether a lower-case word can be part of a name: a particle ("van", "de"), not a heading's word ("of", "on")."""
    return "name_particles_only" in DISABLED or is_name_particle(word)


def _shown_date(lines: list[str], at: int, timezone: ZoneInfo, numeric_day_first: bool | None) -> datetime | None:
    """Return the date of a short line just under (or over) the title that is not marked as an update."""
    find = partial(find_text_date, timezone=timezone, numeric_day_first=numeric_day_first)
    after = range(at + 1, min(at + 1 + _SHOWN_AFTER_TITLE, len(lines)))
    before = range(at - 1, max(at - _SHOWN_BEFORE_TITLE, 0) - 1, -1)
    for index in (*after, *before):
        line = lines[index]
        if len(line) > _DATE_ONLY_CHARS or (labelled_not_published(lines, index) and not has_update_label(line)):
            continue
        # "Published 3 Jan 2024 · Updated 5 Mar 2025": the publication's part of the line
        text = publication_part(line) if has_update_label(line) else line
        found = find(text) or _iso_line(text, timezone)
        if found is not None:
            return found
    return None


def _dateline(lines: list[str], at: int, timezone: ZoneInfo, numeric_day_first: bool | None) -> datetime | None:
    """Return the first short line of visible text near line ``at`` (the title's) that holds a date.

    ``numeric_day_first``: how the page's language orders "3/4/2026" (None: it does not say).
    """
    find = partial(find_text_date, timezone=timezone, numeric_day_first=numeric_day_first)
    after = range(at + 1, min(at + 1 + _LINES_AFTER_HEADLINE, len(lines)))
    before = range(max(at, 0) - 1, max(at - _LINES_BEFORE_HEADLINE, 0) - 1, -1)
    # nearest first, the line under the title before the one over it at the same distance
    nearest = [index for pair in zip_longest(after, before) for index in pair if index is not None]
    update: datetime | None = None
    for rank, index in enumerate(nearest):
        line = lines[index]
        if update is not None and rank >= _UPDATE_DEFERS:
            break
        if len(line) <= _DATELINE_CHARS:
            found = find(line) or _iso_line(line, timezone)
            if found is not None and labelled_not_published(lines, index):
                # "Updated: …" dates the page only where no publication is shown near it
                published = find(publication_part(line))
                if published is not None:
                    return published
                update = update or found
            elif found is not None:
                return found
    return update


def _date_only_line(lines: list[str], timezone: ZoneInfo, numeric_day_first: bool | None) -> datetime | None:
    """Return the date of the first line anywhere that is little more than a date, or None.

    "Posted on April 13, 2023", "December 17, 2025"; a longer line with a date in it is prose or a caption.
    """
    find = partial(find_text_date, timezone=timezone, numeric_day_first=numeric_day_first)
    for line in lines:
        if len(line) <= _DATE_ONLY_CHARS and not _DATE_WORDS.sub("", strip_text_dates(line)).strip(" ,.:|·•-–—"):
            found = find(line)
            if found is not None:
                return found
    return None


def _labelled_month_line(lines: list[str], timezone: ZoneInfo) -> datetime | None:
    """Return the first day of the month a labelled line names and nothing more ("Last Updated: June 2022"), or None.

    Only with its label: a month and year alone is an archive's link ("June 2022") as often as a date.
    """
    for line in lines:
        if len(line) <= _DATE_ONLY_CHARS and _DATE_WORDS.search(line):
            found = month_date(line, timezone)
            if found is not None and not _DATE_WORDS.sub("", found[1]).strip(" ,.:|·•-–—"):
                return found[0]
    return None


def _iso_line(line: str, timezone: ZoneInfo) -> datetime | None:
    """Return the date of a line that is an ISO 8601 date and nothing else ("2022-11-23T08:10+02:00")."""
    text = line.strip(" ,.:|·•-–—")
    return parse_date(text, timezone) if _ISO_LINE.match(text) else None


def _visible_text(root: lxml.html.HtmlElement) -> Iterable[str]:
    """Yield the page's text in document order, with a newline around each block."""
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event in ("comment", "pi"):
            yield element.tail or ""
            continue
        # lxml.html gives str tags; the types allow bytes and QName too
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        block = "\n" if tag in _BLOCK_TAGS else ""
        if event == "end":
            yield block + (element.tail or "")
        elif tag in _INVISIBLE_TAGS:
            walker.skip_subtree()
        else:
            yield block + (element.text or "")


def _byline(root: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Return the names in the first byline found, with its siblings ("<a>A</a> and <a>B</a>")."""
    for xpath in BYLINE_XPATHS:
        matches = root.xpath(xpath)
        # a link's words are a name only if written as one ("several hundred commits" links to contributors)
        names_in = partial(_names_in, shown=xpath == _AUTHOR_PAGE_LINKS)
        matches = [match for match in matches if not _elsewhere(match)]
        for element in matches:
            if names_in(element):
                # only the first byline's siblings (in the same block, through inline elements: "<strong><a>A</a>
                # </strong>, <strong><a>B</a></strong>"): later matches are often comment authors; a name after
                # "Reviewed by" is not an author's
                block = _block_parent(element)
                siblings = [
                    m for m in matches if _block_parent(m) is block and not credits_someone_else(_text_before(m))
                ]
                return dedupe(name for match in siblings or [element] for name in names_in(match))
    return ()


def _elsewhere(element: lxml.html.HtmlElement) -> bool:
    """Whether a byline element is a reader's or another page's: in a comment, or in the page's aside or navigation."""
    # lxml.html gives str tags; the types allow bytes and QName too
    ancestors = [a for a in element.iterancestors() if isinstance(a.tag, str) and a.tag.lower() not in ("body", "html")]
    tags = [str(ancestor.tag).lower() for ancestor in ancestors]
    # the page's aside, not one in the article ("<article><aside>By …</aside>")
    aside = next((index for index, tag in enumerate(tags) if tag in ("aside", "nav")), None)
    if aside is not None and not any(tag in ("article", "main") for tag in tags[aside + 1 :]):
        return True
    return any(_COMMENT.search(f" {a.get('class') or ''} {a.get('id') or ''} ") for a in ancestors)


def _block_parent(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """Return the nearest ancestor of ``element`` that is a block (past inline ones: <strong>, <span>)."""
    parent = element.getparent()
    while parent is not None and isinstance(parent.tag, str) and parent.tag.lower() not in _BLOCK_TAGS:
        parent = parent.getparent()
    return parent


def _text_before(element: lxml.html.HtmlElement) -> str:
    """Return the text just before ``element`` in its parent: the previous sibling's tail, else the parent's text."""
    previous = element.getprevious()
    parent = element.getparent()
    return (previous.tail if previous is not None else parent.text if parent is not None else None) or ""


def _names_in(element: lxml.html.HtmlElement, *, shown: bool = False) -> list[str]:
    """Return the names in a byline element; ``shown``: only those written as names (:func:`_shown_as_name`)."""
    # microdata: only the author item's own name, not one of an item nested in it (its employer, its brand)
    named = [item for item in element.xpath(".//*[@itemprop='name']") if _own_property(item, element)] or [element]
    names: list[str] = []
    for item in named:
        text = item.get("content") or _block_lines(item)
        found = byline_names(text)
        # a block of several lines is read line by line where a line is written as a person's name
        # ("Written by Meghan Neville" / "Content Marketing Coordinator"), else as one line ("By" / "jdoe")
        if "\n" in text and not _look_like_names(found):
            found = byline_names(one_line(text))
        names.extend(name for name in found if not shown or _shown_as_name(name))
    return names


def _own_property(item: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    """Whether a microdata property inside ``scope`` belongs to it: no item (``itemscope``) stands between them."""
    parent = item.getparent()
    while parent is not None and parent is not scope:
        if parent.get("itemscope") is not None:
            return False
        parent = parent.getparent()
    return True


def _shown_as_name(name: str) -> bool:
    """Whether a name read from the page's text is written as one: a word, or words with a capital ("a mystery man").

    A link's call to action ("Learn More", "View Profile") is no name.
    """
    if name.split()[0].casefold() in _CALLS_TO_ACTION:
        return False
    return " " not in name or any(ch.isupper() for ch in name)


def _block_lines(element: lxml.html.HtmlElement) -> str:
    """Return an element's visible text, one line per block inside it.

    A byline's blocks are its parts: "Written by <span>Meghan Neville</span>" over a block
    "Content Marketing Coordinator" is a name and then a job, not one name.
    """
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event in ("comment", "pi"):
            parts.append(node.tail or "")
        elif event == "start":
            parts.append(("\n" if tag in _BLOCK_TAGS else "") + ("" if tag in _INVISIBLE_TAGS else node.text or ""))
        elif node is not element:
            parts.append(("\n" if tag in _BLOCK_TAGS else "") + (node.tail or ""))
    lines = (one_line(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
