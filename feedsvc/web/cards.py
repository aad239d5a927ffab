"""Link previews and structured data of the pages: Open Graph, the Twitter card and schema.org JSON-LD.

Pure: each function takes the site and what a page shows and returns a
:class:`Card`, the ``<meta>`` elements and the JSON-LD object the page's
``<head>`` carries; the templates only write them out.

- An article page is an ``og:type=article`` with its published and modified
  times, authors (their pages on this site) and tags; a ``summary_large_image``
  Twitter card when it has a lead image (else ``summary``); a schema.org
  ``NewsArticle`` with what Google's Article rich results read (headline,
  image, dates with their offset, authors as ``Person``, the publisher with its
  logo).
- The home page is the ``WebSite``; every other list (page 2 and later, a
  tag's or author's articles, the lists of tags and authors, the feeds) a
  ``CollectionPage`` of it, with the items it lists. Their ``og:type`` is
  ``website``.

Every URL is absolute, from ``base_url``. :func:`script_json` writes the
JSON-LD so that no title can end the ``<script>`` element it sits in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from feedsvc.catalog.assembly import facet_key
from feedsvc.model import Article, Image, Site, SiteImage, article_path, facet_path

__all__ = [
    "SCHEMA_CONTEXT",
    "Card",
    "article_canonical",
    "article_card",
    "list_card",
    "og_locale",
    "script_json",
]

SCHEMA_CONTEXT = "https://schema.org"
# What JSON may hold that HTML's script data may not: "</script>" or "<!--" in a title would end or
# change the element. Their \u escapes are the same JSON string.
_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass(frozen=True)
class Card:
    """What a page's ``<head>`` says of it to link previews and crawlers."""

    meta: tuple[tuple[str, str, str], ...]  # (attribute, its value, content): ("property", "og:title", "…")
    data: dict[str, Any]  # the JSON-LD object

    @property
    def json(self) -> Markup:
        """The JSON-LD, safe to write between ``<script type="application/ld+json">`` and ``</script>``."""
        return script_json(self.data)


def script_json(data: object) -> Markup:
    """Serialise ``data`` as JSON to sit inside a ``<script>`` element: ``<``, ``>`` and ``&`` as ``\\u`` escapes."""
    return Markup(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_UNSAFE))


def og_locale(language: str) -> str:
    """Return Open Graph's ``language_TERRITORY`` form of a BCP 47 tag: ``en-GB`` -> ``en_GB``, ``en`` -> ``en``."""
    parts = language.split("-")
    region = next((p for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return f"{parts[0].lower()}_{region.upper()}" if region else parts[0].lower()


def article_canonical(article: Article, site: Site) -> str:
    """The URL an article's page names as its own: its source for an imported one (``canonical = "source"``)."""
    if article.source_url and site.canonical == "source":
        return article.source_url
    return site.url(article_path(article.slug))


def _date(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")  # ISO 8601 with its offset, as Google asks


def _picture(site: Site) -> SiteImage | None:
    """The site's own picture for previews of pages that have none: the logo, else the icon."""
    return site.logo or site.icon


def _image_object(site: Site, image: SiteImage) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "ImageObject", "url": site.image_url(image)}
    if image.width and image.height:
        found.update(width=image.width, height=image.height)
    return found


def _lead_image(image: Image) -> dict[str, Any]:
    found: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if image.width and image.height:
        found.update(width=image.width, height=image.height)
    if image.caption or image.alt:
        found["caption"] = image.caption or image.alt
    return found


def _og_image(url: str, width: int | None, height: int | None, alt: str, media_type: str) -> list[tuple[str, str, str]]:
    meta = [("property", "og:image", url)]
    if media_type:
        meta.append(("property", "og:image:type", media_type))
    if width and height:
        meta += [("property", "og:image:width", str(width)), ("property", "og:image:height", str(height))]
    if alt:
        meta.append(("property", "og:image:alt", alt))
    return meta


def _publisher(site: Site) -> dict[str, Any]:
    publisher: dict[str, Any] = {"@type": "Organization", "name": site.title, "url": site.url("/")}
    picture = _picture(site)
    if picture is not None:
        publisher["logo"] = _image_object(site, picture)
    return publisher


def _website(site: Site) -> dict[str, Any]:
    return {"@type": "WebSite", "@id": site.url("/") + "#website", "name": site.title, "url": site.url("/")}


def _common(site: Site, og_type: str, title: str, description: str, url: str) -> list[tuple[str, str, str]]:
    return [
        ("property", "og:type", og_type),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:site_name", site.title),
        ("property", "og:locale", og_locale(site.language)),
    ]


def article_card(article: Article, site: Site) -> Card:
    """Return the Open Graph, Twitter card and ``NewsArticle`` JSON-LD of an article's page."""
    url = article_canonical(article, site)
    meta = _common(site, "article", article.title, article.summary_text, url)
    meta[-1] = ("property", "og:locale", og_locale(article.language))
    image = article.image
    picture = _picture(site)
    if image is not None:
        meta += _og_image(image.url, image.width, image.height, image.alt or "", image.type or "")
    elif picture is not None:
        meta += _og_image(site.image_url(picture), picture.width, picture.height, site.title, picture.media_type)
    meta += [
        ("property", "article:published_time", _date(article.published)),
        ("property", "article:modified_time", _date(article.updated)),
    ]
    authors: list[dict[str, Any]] = []
    for name in article.authors:
        key = facet_key(name)
        person: dict[str, Any] = {"@type": "Person", "name": name}
        if key:
            person["url"] = site.url(facet_path("authors", key))
        authors.append(person)
        meta.append(("property", "article:author", person.get("url", name)))
    meta += [("property", "article:tag", tag) for tag in article.tags]
    meta.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    if image is not None and image.alt:
        meta.append(("name", "twitter:image:alt", image.alt))
    data: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary_text,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _date(article.published),
        "dateModified": _date(article.updated),
        "author": authors,
        "publisher": _publisher(site),
        "inLanguage": article.language,
        "isPartOf": _website(site),
    }
    if image is not None:
        data["image"] = [_lead_image(image)]
    if article.tags:
        data["keywords"] = ", ".join(article.tags)
    return Card(tuple(meta), data)


def list_card(
    site: Site,
    path: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, str]] = (),
    *,
    home: bool = False,
) -> Card:
    """Return the card of a list page at ``path``: the ``WebSite`` itself (``home``) or a ``CollectionPage`` of it.

    ``items``: (name, site path) of what the page lists, in its order.
    """
    url = site.url(path)
    meta = _common(site, "website", title, description, url)
    picture = _picture(site)
    if picture is not None:
        meta += _og_image(site.image_url(picture), picture.width, picture.height, site.title, picture.media_type)
    meta.append(("name", "twitter:card", "summary"))
    listed = {
        "@type": "ItemList",
        "numberOfItems": len(items),
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "url": site.url(item)}
            for n, (name, item) in enumerate(items, 1)
        ],
    }
    if home:
        data: dict[str, Any] = {"@context": SCHEMA_CONTEXT, **_website(site)}
        data.update(description=description, inLanguage=site.language, publisher=_publisher(site))
        if items:
            data["mainEntity"] = listed
        return Card(tuple(meta), data)
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "CollectionPage",
        "name": title,
        "description": description,
        "url": url,
        "inLanguage": site.language,
        "isPartOf": _website(site),
    }
    if items:
        data["mainEntity"] = listed
    return Card(tuple(meta), data)
