"""What a page says about itself: JSON-LD, OpenGraph/meta tags and visible markup.

Pure: ``extract_metadata`` takes the decoded HTML and the site's time zone and
returns one :class:`~feedsvc.model.PageMetadata` per source, in precedence
order. It never raises on a string; a page it cannot read says nothing.
Each source has its reader: :mod:`feedsvc.metadata.jsonld`,
:mod:`feedsvc.metadata.meta_tags` (the ``<meta>`` and ``<link>`` tags) and
:mod:`feedsvc.metadata.markup` (the visible elements; the page's text read as
lines around the title is :mod:`feedsvc.metadata.visible`).
Merging the sources is the content loader's job; where the sources must be
weighed against each other rather than taken in order, they are decided first
(:mod:`feedsvc.metadata.decide`), the decided value left in the source it came
from (earlier sources then say nothing of that field, so ``origins`` stay true):

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
- summary: each source's description, unless it only repeats the title (and the site's name):
  :mod:`feedsvc.metadata.summaries`;
- canonical URL: ``<link rel="canonical">``, then ``og:url``, then JSON-LD;
- image: each source's first real picture (:mod:`feedsvc.metadata.images`), relative
  URLs resolved against the page's ``<base href>`` or canonical URL; the JSON-LD
  picture takes the size, type and alt text the Open Graph tags give the same one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import cache, partial
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from feedsvc.element_budget import check_elements
from feedsvc.html_depth import limit_depth
from feedsvc.metadata.bylines import byline_names
from feedsvc.metadata.dates import parse_date
from feedsvc.metadata.decide import (
    SOURCES,
    agree_on_authors,
    decide_authors,
    decide_canonical,
    decide_dates,
    decide_image,
    decide_summary,
    decide_title,
    read_text_near_title,
    shown_by_line,
    shown_byline,
)
from feedsvc.metadata.jsonld import jsonld_nodes, jsonld_organisation_authors, jsonld_site_names, nodes_metadata
from feedsvc.metadata.markup import data_layer_author, markup_metadata, without_taxonomy_names
from feedsvc.metadata.meta_tags import SITE_NAME_KEYS, meta_metadata, meta_summaries, meta_values
from feedsvc.metadata.shown_text import shown_markup
from feedsvc.metadata.tags import reader_tags
from feedsvc.metadata.titles import site_key
from feedsvc.metadata.visible import byline_lines, lines_to_title
from feedsvc.model import PageMetadata
from feedsvc.text import dedupe, site_host, xml_safe

__all__ = ["SOURCES", "extract_metadata", "page_shown_markup", "parse_date"]

# Second levels under a country's domain that are part of the public suffix ("co.uk", "com.au").
_SECOND_LEVEL = frozenset("co com org net ac gov edu ne or go gob nic mil".split())
# First labels of a host that name a part of a site, not a site ("blog.rust-lang.org").
_GENERIC_HOST_LABELS = frozenset("blog blogs news m amp en de fr es it pt ru www2 web app apps www1 home".split())


def extract_metadata(
    html: str,
    timezone: ZoneInfo,
    *,
    raw: bool = False,
    site_names: Iterable[str] = (),
    url: str | None = None,
    max_elements: int | None = None,
) -> list[tuple[str, PageMetadata]]:
    """Return ``(source, metadata)`` for JSON-LD, OpenGraph/meta and visible markup, best first.

    ``raw``: each source as it reads, without the decisions across sources (for tests and
    ``feedsvc check``-style explanations). ``site_names``: what the site is called besides what
    the page says (the site's title in site.toml); ``url``: where the page was fetched from, if
    known (an imported page's source), whose host names the site when the page names no URL.
    Both are settings of the site or facts of this one page, never other pages.
    ``max_elements``: the element budget (``feedsvc.element_budget``): a page whose tree has more
    elements raises ``TooManyElements`` before anything is read from it (None: no budget).
    """
    root = _parse(html)
    if root is None:
        return [(source, PageMetadata()) for source in SOURCES]
    if max_elements is not None:  # counted in C, without a Python object per element
        check_elements(int(root.xpath("count(//*)")), max_elements)
    blocks = [
        script.text or ""
        for script in root.iter("script")
        if (script.get("type") or "").split(";")[0].strip().lower() == "application/ld+json"
    ]
    nodes = jsonld_nodes(blocks)
    meta = meta_values(root)
    shown = shown_markup(root)
    sources = {
        "json-ld": nodes_metadata(nodes, timezone, shown),
        "opengraph": meta_metadata(root, meta, timezone, shown),
        "markup": markup_metadata(root, timezone),
    }
    if raw:
        return [(source, sources[source]) for source in SOURCES]
    raw_sources = dict(sources)
    declared = [*(value for key in SITE_NAME_KEYS for value in meta.get(key, ())), *jsonld_site_names(nodes)]
    declared += [name.lstrip("@") for name in meta.get("twitter:site", ())]
    # a site's name is the same on all its pages: one equal to this page's own title names the page
    # (an application-name set to the article's title)
    titled = {site_key(value) for value in (sources["json-ld"].title, sources["opengraph"].title) if value}
    names = [*site_names, *(name for name in declared if site_key(name) not in titled)]
    names += _host_names(_host(sources) or site_host(url))
    decide_title(sources, root, meta, names, shown)
    decide_summary(sources, names, meta_summaries(meta, shown), partial(byline_lines, root))
    # the lines down to just under the title: read once, for the dates and for the by-line
    near_title = cache(partial(lines_to_title, root))
    read_text_near_title(sources, root, near_title, timezone, url)
    decide_dates(sources, timezone, url)
    decide_canonical(sources)
    decide_image(sources)
    organisations = jsonld_organisation_authors(nodes)
    said = {name: _people(found.authors, keep=organisations) for name, found in raw_sources.items()}
    decide_authors(sources, root, [*names, *organisations], organisations)
    title = next((sources[name].title for name in SOURCES if sources[name].title), None)
    for name, found in sources.items():
        authors = _people(found.authors, keep=organisations)
        sources[name] = dataclasses.replace(found, authors=authors, tags=reader_tags(found.tags, title))
    agree_on_authors(
        sources,
        said,
        partial(shown_byline, root, title),
        [*names, *organisations],
        partial(shown_by_line, near_title, title),
    )
    # the byline elements and the lines beside the date hold the post's categories too ("Wellness & Prevention")
    markup = sources["markup"]
    sources["markup"] = dataclasses.replace(markup, authors=without_taxonomy_names(root, markup.authors))
    if not any(sources[name].authors for name in SOURCES):
        sources["markup"] = dataclasses.replace(sources["markup"], authors=data_layer_author(root))
    return [(source, sources[source]) for source in SOURCES]


def page_shown_markup(html: str) -> frozenset[str]:
    """Return the markup-looking texts the page ``html`` shows as text (:func:`~feedsvc.metadata.shown_text.shown_markup`).

    For the loader's last word on a field holding some: its sidecar's, or one a source read.
    """
    root = _parse(html)
    return shown_markup(root) if root is not None else frozenset()


def _people(authors: Iterable[str], keep: Iterable[str] = ()) -> tuple[str, ...]:
    """Return authors read through the byline parser: no "by", roles, agencies or e-mails.

    ``keep``: organisations' names, already whole ("Morgan & Morgan" is one author, not two).
    """
    whole = set(keep)
    return dedupe(name for author in authors for name in ([author] if author in whole else byline_names(author)))


def _host_names(host: str) -> list[str]:
    """Return the names a host (as ``site_host`` gives it) gives its site: itself and its registered name.

    "ign.com" -> "ign.com", "ign"; "blog.rust-lang.org" -> "rust-lang"; "news.bbc.co.uk" ->
    "bbc" (a short second level under a country's domain is part of the public suffix); a blog
    hosted under a platform is named by its own label too ("siliconexposed.blogspot.com").
    """
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
            return site_host(url)
    return ""


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
