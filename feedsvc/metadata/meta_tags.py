"""What a page's ``<meta>`` and ``<link>`` tags say about it: the "opengraph" source.

Open Graph, Twitter cards, Dublin Core, Highwire Press citations and the plain meta names
(:data:`META_KEYS`, the first that gives a usable value wins), the CMSs' own publication names,
``<link rel="canonical">``, the document's language, and the Open Graph and Twitter card pictures
with their details. Pure: it reads the parsed page and weighs nothing against the other sources
(:mod:`feedsvc.metadata.decide` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Set
from functools import partial
from typing import TypeVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html

from feedsvc.metadata.bylines import byline_names
from feedsvc.metadata.dates import parse_date
from feedsvc.metadata.images import first_real, image_number, image_type
from feedsvc.metadata.xpaths import has
from feedsvc.model import Image, PageMetadata
from feedsvc.text import absolute_url, dedupe, language_tag, plain, split_keywords, without_userinfo

__all__ = ["META_KEYS", "SITE_NAME_KEYS", "meta_metadata", "meta_summaries", "meta_values"]

_T = TypeVar("_T")

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
# Dublin Core as RDFa writes it ("dc:title", "dcterms:modified") is the "DC.title" of meta names.
_DUBLIN_CORE = re.compile(r"^(dc|dcterms):")
# Meta values that name the site, besides og:site_name's (read first).
SITE_NAME_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title")
# Meta names of CMSs that hold a publication date, and those that hold an update.
_PUBLISH_KEY = re.compile(r"publish|pub[-_.]?date|release[-_.]?date|date[-_.]?created|creation[-_.]?date")
_UPDATE_KEY = re.compile(r"modif|update|revis|expir")


def meta_values(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
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


def meta_metadata(
    root: lxml.html.HtmlElement, meta: dict[str, list[str]], timezone: ZoneInfo, shown: Set[str] = frozenset()
) -> PageMetadata:
    """Return what the meta and link tags say of the page; ``meta``: its :func:`meta_values`.

    ``shown``: the markup-looking texts the page shows as text, which its title, summary and tags keep
    (:func:`~feedsvc.metadata.shown_text.shown_markup`).
    """
    http_equiv: dict[str, str] = {}
    for element in root.iter("meta"):
        content = (element.get("content") or "").strip()
        if content and element.get("http-equiv"):
            http_equiv.setdefault(element.get("http-equiv", "").strip().lower(), content)
    links = root.xpath(f"//link[{has('rel', 'canonical')}]/@href")
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
        title=_first(meta, "title", partial(plain, shown=shown)),
        published=published,
        updated=_first(meta, "updated", as_date),
        authors=_meta_authors(meta),
        summary=_first(meta, "summary", partial(plain, shown=shown)),
        tags=_many(meta, "tags", partial(split_keywords, shown=shown)),
        canonical_url=canonical or _first(meta, "canonical_url", absolute_url),
        language=language,
        image=first_real(
            _meta_images(root, _page_base(root, canonical or _first(meta, "canonical_url", absolute_url)))
        ),
    )


def meta_summaries(meta: dict[str, list[str]], shown: Set[str] = frozenset()) -> list[str]:
    """Return every description the meta tags give, in the order :data:`META_KEYS` tries them, once each.

    :func:`meta_metadata` says the first; where that one is no summary (the title again, s40's
    ``title_repeat``), :func:`~feedsvc.metadata.decide.decide_summary` tries the next: a page's
    ``og:description`` copied from its title often stands beside a plain ``description`` that is one.
    """
    return list(dedupe(_every(meta, "summary", partial(plain, shown=shown))))


# Open Graph's image and the structured properties that follow it (https://ogp.me/#structured), then
# Twitter's card image; an image property starts a new picture, the others describe the last one.
_IMAGE_STARTS = {"og:image": "opengraph", "og:image:url": "opengraph", "twitter:image": "twitter",
                 "twitter:image:src": "twitter"}  # fmt: skip
_IMAGE_DETAILS = {"og:image:secure_url", "og:image:width", "og:image:height", "og:image:type", "og:image:alt",
                  "twitter:image:alt"}  # fmt: skip


def _page_base(root: lxml.html.HtmlElement, canonical: str | None) -> str | None:
    """Return the URL a relative image URL of the page resolves against: an http(s) <base href>, else its canonical."""
    bases = [absolute_url(href) for href in root.xpath("//base/@href")]
    base = next(filter(None, bases), None) or canonical
    # A page saved with "user:password@" in its address: its pictures are the host's, never the secret's.
    return without_userinfo(base) if base else None


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
    return next(_every(meta, field, convert), None)


def _every(meta: dict[str, list[str]], field: str, convert: Callable[[str], _T | None]) -> Iterator[_T]:
    """Yield each meta value for ``field`` that ``convert`` accepts, converted, in the order of its keys."""
    for key in META_KEYS[field]:
        for value in meta.get(key, ()):
            converted = convert(value)
            if converted:
                yield converted


def _many(meta: dict[str, list[str]], field: str, convert: Callable[[str], list[str]]) -> tuple[str, ...]:
    """Return every value of the first meta key for ``field`` that gives any."""
    for key in META_KEYS[field]:
        values = dedupe(item for value in meta.get(key, ()) for item in convert(value))
        if values:
            return values
    return ()
