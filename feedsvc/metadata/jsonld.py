"""Article metadata from schema.org JSON-LD blocks.

Pure. Takes the text of each ``<script type="application/ld+json">``; a block
that is not valid JSON is skipped, never raised (a line break or tab inside a
string, as templates paste a description, is accepted). The article node gives the
fields; a page whose only dated node is another type (a Yoast ``@graph``
dates its ``WebPage``) is dated by that node; authors may be names, objects,
lists or ``@id`` references into the ``@graph``, and so may its images
(URLs or ``ImageObject`` with their sizes, caption and credit); the publisher and the
``WebSite`` node name the site (:func:`jsonld_site_names`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Set
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag
from zoneinfo import ZoneInfo

from feedsvc.metadata.bylines import byline_names, organisation_name
from feedsvc.metadata.dates import parse_date
from feedsvc.metadata.images import first_real, image_number, image_type
from feedsvc.model import Image, PageMetadata
from feedsvc.text import absolute_url, dedupe, language_tag, plain, split_keywords

__all__ = [
    "ARTICLE_TYPES",
    "jsonld_metadata",
    "jsonld_nodes",
    "jsonld_organisation_authors",
    "jsonld_site_names",
    "nodes_metadata",
]

# schema.org's Article and the subtypes news sites use.
ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
        "AskPublicFeedbackNewsArticle", "SatiricalArticle", "Report", "TechArticle",
        "ScholarlyArticle", "SocialMediaPosting", "Posting", "AdvertiserContentArticle",
    }
)  # fmt: skip
# Deep enough for @graph > WebPage > mainEntity > Article; bounds the walk on hostile input.
_MAX_DEPTH = 8
# Some CMSs wrap the JSON in an HTML comment or CDATA section for old browsers.
_WRAPPER = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")

_Resolve = Callable[[Any], Any]
# Nodes that name the site rather than the article.
_SITE_TYPES = frozenset({"WebSite", "Organization", "NewsMediaOrganization", "Corporation", "Blog"})
# Authors that are organisations: a page signed so is the organisation's unless a person signs it too.
_ORGANISATION_TYPES = frozenset(
    {"Organization", "NewsMediaOrganization", "Corporation", "LocalBusiness", "EducationalOrganization",
     "GovernmentOrganization", "MedicalOrganization", "NGO", "ProfessionalService", "LegalService"}
)  # fmt: skip


def jsonld_nodes(blocks: Iterable[str]) -> list[dict[str, Any]]:
    """Return every JSON object in ``blocks``, outer ones first, block by block."""
    return [node for block in blocks for node in _walk(_load(block), 0)]


def _resolver(nodes: list[dict[str, Any]]) -> _Resolve:
    by_id: dict[str, dict[str, Any]] = {}
    for node in nodes:
        # a node that is only {"@id": ...} is a reference, not the node it names
        if isinstance(node.get("@id"), str) and len(node) > 1:
            by_id.setdefault(node["@id"], node)

    def resolve(value: Any) -> Any:
        # {"@id": "..."} alone is a reference to a node elsewhere in the @graph
        if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
            return by_id.get(value["@id"], value)
        return value

    return resolve


def jsonld_site_names(nodes: list[dict[str, Any]]) -> list[str]:
    """Return the names the JSON-LD gives the site: the article's publisher, WebSite and Organization nodes."""
    resolve = _resolver(nodes)
    names: list[str] = []
    for node in nodes:
        if _types(node) & ARTICLE_TYPES:
            publisher = resolve(node.get("publisher"))
            for item in _items(publisher):
                item = resolve(item)
                if isinstance(item, dict):
                    names.extend(filter(None, [_text(item.get("name")), _text(item.get("alternateName"))]))
        elif _types(node) & _SITE_TYPES:
            names.extend(filter(None, [_text(node.get("name")), _text(node.get("alternateName"))]))
    return names


def jsonld_organisation_authors(nodes: list[dict[str, Any]]) -> list[str]:
    """Return the names of the article's authors that are organisations, not people (``@type`` Organization)."""
    article = next((node for node in nodes if _types(node) & ARTICLE_TYPES), None)
    if article is None:
        return []
    resolve = _resolver(nodes)
    authors = [resolve(item) for item in _items(resolve(article.get("author")))]
    return [
        name for item in authors if isinstance(item, dict) and _types(item) & _ORGANISATION_TYPES
        for name in _names(item, resolve)
    ]  # fmt: skip


def jsonld_metadata(blocks: Iterable[str], timezone: ZoneInfo) -> PageMetadata:
    """Return what the first schema.org Article in ``blocks`` says about the page."""
    return nodes_metadata(jsonld_nodes(blocks), timezone)


def nodes_metadata(nodes: list[dict[str, Any]], timezone: ZoneInfo, shown: Set[str] = frozenset()) -> PageMetadata:
    """Return what the first schema.org Article among ``nodes`` (from :func:`jsonld_nodes`) says about the page.

    ``shown``: the markup-looking texts the page shows as text, which its headline, description and
    keywords keep (:func:`~feedsvc.metadata.shown_text.shown_markup`).
    """
    article = next((node for node in nodes if _types(node) & ARTICLE_TYPES), None)
    # a page with no article node, or an undated one, may date another node (Yoast dates its WebPage)
    dated = next((node for node in nodes if node.get("datePublished") and node is not article), None)
    if article is None:
        if dated is None:
            return PageMetadata()
        return PageMetadata(
            published=_date(dated.get("datePublished"), timezone), updated=_date(dated.get("dateModified"), timezone)
        )
    resolve = _resolver(nodes)
    published = _date(article.get("datePublished") or article.get("dateCreated"), timezone)
    updated = _date(article.get("dateModified"), timezone)
    if published is None and dated is not None:
        published = _date(dated.get("datePublished"), timezone)
        updated = updated or _date(dated.get("dateModified"), timezone)
    return PageMetadata(
        title=_text(article.get("headline"), shown) or _text(article.get("name"), shown),
        published=published,
        updated=updated,
        authors=dedupe(_names(article.get("author"), resolve)),
        summary=_text(article.get("description"), shown),
        tags=dedupe([*_keywords(article.get("keywords"), shown), *_keywords(article.get("articleSection"), shown)]),
        canonical_url=_url(article.get("url")) or _url(resolve(article.get("mainEntityOfPage"))),
        language=_language(article.get("inLanguage")),
        image=_image(resolve(article.get("image")), resolve),
    )


def _load(block: str) -> Any:
    try:
        return json.loads(_WRAPPER.sub("", block), strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Yield every JSON object in ``value``, outer ones first."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for child in value.values():
            if isinstance(child, (dict, list)):
                yield from _walk(child, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    """Return the node's @type names, without "schema:" or "https://schema.org/" prefixes."""
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", name)[-1] for name in names if isinstance(name, str)}


def _text(value: Any, shown: Set[str] = frozenset()) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return (plain(value, shown) or None) if isinstance(value, str) else None


def _date(value: Any, timezone: ZoneInfo) -> datetime | None:
    if isinstance(value, list) and value:
        value = value[0]
    return parse_date(value, timezone) if isinstance(value, str) else None


def _names(value: Any, resolve: _Resolve) -> list[str]:
    """Return author names from a string, a Person/Organization, or a list of them."""
    names = []
    for item in _items(resolve(value)):
        item = resolve(item)
        organisation = isinstance(item, dict) and bool(_types(item) & _ORGANISATION_TYPES)
        if isinstance(item, dict):
            item = item.get("name")
        for name in _items(item):
            if isinstance(name, str) and not absolute_url(name):
                # an organisation's name is one name: "Morgan & Morgan", "Contributors to Wikimedia projects"
                whole = organisation_name(plain(name)) if organisation else None
                names.extend([whole] if whole else byline_names(plain(name)))
    return names


def _keywords(value: Any, shown: Set[str] = frozenset()) -> list[str]:
    if isinstance(value, str):
        return split_keywords(value, shown)
    if isinstance(value, list):
        return [tag for item in value if isinstance(item, str) for tag in split_keywords(item, shown)]
    return []


def _url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    # an @id such as "https://site/x/#webpage" names a node, not a page: the page is without the fragment
    url = absolute_url(value) if isinstance(value, str) else None
    return urldefrag(url).url if url else None


def _language(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return language_tag(value) if isinstance(value, str) else None


def _image(value: Any, resolve: _Resolve) -> Image | None:
    """Return the first real picture of a URL, an ImageObject, or a list of either (@id references followed)."""
    return first_real(filter(None, (_image_object(resolve(item), resolve) for item in _items(value))))


def _image_object(item: Any, resolve: _Resolve) -> Image | None:
    """Return what one URL or ImageObject says of a picture, or None if it gives no absolute URL."""
    if isinstance(item, str):
        url = absolute_url(item)
        return Image(url, origin="json-ld") if url else None
    if not isinstance(item, dict):
        return None
    url = next(filter(None, (_url_text(item.get(key)) for key in ("url", "contentUrl"))), None)
    if url is None:
        return None
    credit = _text(item.get("creditText")) or next(
        iter(_names(item.get("creator") or item.get("author") or item.get("copyrightHolder"), resolve)), None
    )
    return Image(
        url=url,
        width=image_number(item.get("width")),
        height=image_number(item.get("height")),
        type=image_type(item.get("encodingFormat")),
        caption=_text(item.get("caption")) or _text(item.get("description")),
        credit=credit,
        origin="json-ld",
    )


def _url_text(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return absolute_url(value) if isinstance(value, str) else None


def _items(value: Any) -> list[Any]:
    """Return ``value`` as a list: JSON-LD allows one value or many for most properties."""
    return value if isinstance(value, list) else [value]
