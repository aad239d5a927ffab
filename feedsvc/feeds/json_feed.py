"""JSON Feed 1.1 documents from a list of articles.

Pure and clock-free, like :mod:`feedsvc.feed`: the same entries, ids and
dates (the same RFC 3339 strings) as the Atom document built from the same
list, serialised with a fixed key order so equal content gives equal bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from feedsvc.model import Article, FeedSpec, Site, article_path

__all__ = ["JSON_FEED_TYPE", "JSON_FEED_VERSION", "build_json"]

JSON_FEED_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _item(article: Article, site: Site) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": article.entry_id,
        "url": site.url(article_path(article.slug)),
    }
    if article.source_url:
        item["external_url"] = article.source_url
    item.update(
        {
            "title": article.title,
            "content_html": article.content_html,
            "summary": article.summary_text,
            "date_published": article.published.isoformat(),
            "date_modified": article.updated.isoformat(),
            "authors": [{"name": name} for name in article.authors],
            "language": article.language,
        }
    )
    if article.image:
        item["image"] = article.image.url
    if article.tags:
        item["tags"] = list(article.tags)
    return item


def build_json(articles: Sequence[Article], site: Site, spec: FeedSpec) -> bytes:
    """Return the JSON Feed 1.1 document for ``articles`` (already in feed order)."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": spec.home or site.url(spec.html_path),
        "feed_url": site.url(spec.path),
        "description": spec.subtitle or site.subtitle or site.title,
        "language": site.language,
        "authors": [{"name": site.default_author}],
    }
    if site.icon:
        # the site's square icon: JSON Feed's icon (large, for timelines) and favicon (small) alike
        feed["icon"] = feed["favicon"] = site.image_url(site.icon)
    if site.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": site.websub_hub}]
    feed["items"] = [_item(article, site) for article in articles]
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
