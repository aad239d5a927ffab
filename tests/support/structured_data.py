"""What a page's structured data must be, read the way crawlers read it (extruct): checks for the tests.

- :func:`structured_data` parses a page's JSON-LD and Open Graph with extruct
  and its Twitter card ``<meta name>`` elements.
- :func:`schema_problems` checks a JSON-LD object against schema.org: every
  ``@type`` is a schema.org type and every property one that type has (the
  properties below are schema.org's own, for the types feedsvc writes and
  the types they inherit from), recursively.
- :func:`article_problems` checks what Google's Article rich results ask of
  an article (developers.google.com/search/docs/appearance/structured-data/article):
  ``headline``, ``image`` (absolute URLs), ``datePublished`` and ``dateModified``
  in ISO 8601 with a time zone offset, every ``author`` a Person or
  Organization with a ``name`` (and a ``url`` when it has one), and a publisher
  with a name and a logo.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import extruct
from bs4 import BeautifulSoup

__all__ = ["SCHEMA_PROPERTIES", "article_problems", "schema_problems", "structured_data"]

_THING = {"@context", "@type", "@id", "name", "description", "url", "image", "sameAs", "identifier", "mainEntityOfPage"}
_CREATIVE_WORK = _THING | {
    "headline", "author", "publisher", "datePublished", "dateModified", "inLanguage", "keywords", "isPartOf",
    "hasPart", "mainEntity", "about", "thumbnailUrl", "creator", "dateCreated",
}  # fmt: skip
# schema.org type -> the properties it has (its own and its ancestors'), for the types feedsvc writes
SCHEMA_PROPERTIES: dict[str, set[str]] = {
    "NewsArticle": _CREATIVE_WORK | {"articleBody", "articleSection", "wordCount", "dateline"},
    "WebPage": _CREATIVE_WORK | {"breadcrumb", "primaryImageOfPage", "lastReviewed"},
    "CollectionPage": _CREATIVE_WORK | {"breadcrumb", "primaryImageOfPage", "lastReviewed"},
    "WebSite": _CREATIVE_WORK | {"issn", "potentialAction"},
    "Person": _THING | {"givenName", "familyName", "jobTitle", "affiliation"},
    "Organization": _THING | {"logo", "email", "address"},
    "ImageObject": _THING | {"contentUrl", "width", "height", "caption", "encodingFormat"},
    "ItemList": _THING | {"itemListElement", "numberOfItems", "itemListOrder"},
    "ListItem": _THING | {"position", "item", "nextItem", "previousItem"},
}


def structured_data(html: str, base_url: str) -> dict[str, Any]:
    """Return the page's JSON-LD objects, its Open Graph properties (name -> list of values) and Twitter card."""
    found = extruct.extract(html, base_url=base_url, syntaxes=["json-ld", "opengraph"], uniform=False)
    og: dict[str, list[str]] = {}
    for block in found["opengraph"]:
        for name, value in block["properties"]:
            og.setdefault(name, []).append(value)
    page = BeautifulSoup(html, "html.parser")
    twitter = {meta["name"]: meta["content"] for meta in page.find_all("meta", attrs={"name": True})
               if meta["name"].startswith("twitter:")}  # fmt: skip
    return {"json-ld": found["json-ld"], "og": og, "twitter": twitter}


def schema_problems(data: Any, where: str = "$") -> list[str]:
    """Return every type or property of ``data`` (a JSON-LD value) that schema.org does not have."""
    problems: list[str] = []
    if isinstance(data, list):
        for n, item in enumerate(data):
            problems += schema_problems(item, f"{where}[{n}]")
    elif isinstance(data, dict):
        kind = data.get("@type")
        if kind is not None and kind not in SCHEMA_PROPERTIES:
            problems.append(f"{where}: @type {kind!r} is not one of the checked schema.org types")
        allowed = SCHEMA_PROPERTIES.get(str(kind), _THING)
        for key, value in data.items():
            if key not in allowed:
                problems.append(f"{where}: {kind} has no property {key!r}")
            problems += schema_problems(value, f"{where}.{key}")
        if data.get("@context", "https://schema.org") != "https://schema.org":
            problems.append(f"{where}: @context is not https://schema.org")
    return problems


def _absolute(url: object) -> bool:
    parts = urlsplit(str(url))
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _dated(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def article_problems(item: dict[str, Any]) -> list[str]:
    """Return what keeps ``item`` from being a complete Article for Google's rich results ([] if nothing)."""
    problems = []
    if item.get("@type") not in ("Article", "NewsArticle", "BlogPosting"):
        problems.append(f"@type {item.get('@type')!r} is not an Article type")
    if not str(item.get("headline", "")).strip():
        problems.append("no headline")
    images = item.get("image")
    images = images if isinstance(images, list) else [images] if images else []
    if not images or not all(_absolute(i if isinstance(i, str) else i.get("url")) for i in images):
        problems.append(f"image is not one or more absolute URLs: {images!r}")
    published, modified = _dated(item.get("datePublished")), _dated(item.get("dateModified"))
    if published is None:
        problems.append(f"datePublished {item.get('datePublished')!r} is not ISO 8601 with an offset")
    if modified is None:
        problems.append(f"dateModified {item.get('dateModified')!r} is not ISO 8601 with an offset")
    if published and modified and modified < published:
        problems.append("dateModified is before datePublished")
    authors = item.get("author")
    authors = authors if isinstance(authors, list) else [authors] if authors else []
    if not authors:
        problems.append("no author")
    for author in authors:
        if not isinstance(author, dict) or author.get("@type") not in ("Person", "Organization"):
            problems.append(f"author {author!r} is not a Person or Organization")
        elif not str(author.get("name", "")).strip():
            problems.append(f"author {author!r} has no name")
        elif "url" in author and not _absolute(author["url"]):
            problems.append(f"author {author['name']!r} has a url that is not absolute")
    publisher = item.get("publisher") or {}
    if publisher.get("@type") != "Organization" or not publisher.get("name"):
        problems.append("no publisher Organization with a name")
    elif not _absolute((publisher.get("logo") or {}).get("url")):
        problems.append("the publisher has no logo")
    return problems
