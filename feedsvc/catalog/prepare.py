"""Preparing one article: a loaded source cleaned into what the catalog needs, once per file and version.

Pure: a source, the site and its rules in, a :class:`~feedsvc.model.Prepared` out.
The build pipeline runs :func:`prepare_source` in parallel and caches what it
gives, keyed by the source of this module and of the others that shape a prepared
article (``LOADER_CODE`` in :mod:`feedsvc.build.files`); putting prepared articles
together into a catalog is :mod:`feedsvc.catalog.assembly`, whose code is not part
of that key: changing how a catalog is assembled never cleans a site again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from feedsvc.catalog.revisions import reader_keys
from feedsvc.clean import (
    SiteRules,
    TooManyElements,
    clean_article,
    clean_html,
    fallback_title,
    summarize,
    without_dateline,
)
from feedsvc.metadata.images import choose_lead_image
from feedsvc.model import NO_TITLE, UNDATED, Article, ArticleSource, ContentError, Prepared, Problem, Site, article_path
from feedsvc.text import one_line, site_host

__all__ = [
    "AUTHOR_ORIGINS",
    "FALLBACK_TITLE_WORDS",
    "Cleaner",
    "article_digest",
    "entry_id",
    "make_article",
    "prepare_source",
    "rules_host",
    "rules_key",
    "source_rules_key",
]

log = logging.getLogger(__name__)

# Where a title its author set comes from (ArticleSource.origins): no learned site name is taken off it.
AUTHOR_ORIGINS = frozenset({"sidecar", "front matter"})
# How many words of the article a fallback title takes when the page has none.
FALLBACK_TITLE_WORDS = 12

Cleaner = Callable[..., str]


def entry_id(site: Site, slug: str, published: datetime) -> str:
    """Return the permanent Atom id of an article (RFC 4151 tag URI).

    Built from the site's fixed authority, the first-publication date and
    the slug, so it survives title edits and moves to a new base URL.
    """
    return entry_id_on(site, slug, published.date().isoformat())


def entry_id_on(site: Site, slug: str, day: str) -> str:
    """Return the entry id of ``slug`` first published on ``day`` ("2024-03-01"): the day the ledger kept."""
    return site.tag_uri(f"{day}:articles/{slug}")


def rules_host(url: str | None) -> str:
    """Return the host whose site rules clean a page from ``url`` (``www.`` ignored; "" for none).

    In ASCII, as rules files are named (``rules/xn--bcher-kva.de.toml`` for ``https://www.bücher.de/``).
    """
    host = site_host(url)
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # a label IDNA refuses (empty, over 63 characters): no rules file is named for it
        return host


def source_rules_key(name: str) -> str:
    """Return the key under which the rules file of the followed source ``name`` is kept in a rules mapping
    (beside the hosts' keys; :func:`feedsvc.build.builder.with_source_rules` adds them)."""
    return f"source:{name}"


def rules_key(source: ArticleSource, rules: Mapping[str, SiteRules]) -> str:
    """Return the key of the rules that clean ``source``: its followed source's own rules file, else its host's."""
    if source.source and source_rules_key(source.source) in rules:
        return source_rules_key(source.source)
    return rules_host(source.metadata.canonical_url)


def _rules_for(source: ArticleSource, rules: Mapping[str, SiteRules]) -> SiteRules | None:
    """Pick the site rules for a page: its source's, else those of the host it came from."""
    return rules.get(rules_key(source, rules)) if rules else None


def make_article(
    source: ArticleSource,
    site: Site,
    rules: Mapping[str, SiteRules] | None = None,
    clean: Cleaner = clean_html,
) -> Article:
    """Clean one source and complete its metadata; raise ContentError if it can't be published."""
    meta = source.metadata
    warnings = list(source.warnings)
    page_url = site.url(article_path(source.slug))
    # The page's own address: the one it (or its sidecar) declares, else where it was imported from (the
    # cleaner's teaser doubt judges a saved copy's links by it). Else where it is published: a feed needs
    # absolute links, and a saved copy's relative links, resolved there, are still read as its own site's.
    origin_url = meta.canonical_url or source.source_url or page_url
    site_rules = _rules_for(source, rules or {})
    if clean is clean_html:  # the real cleaner also says how sure it is; an injected one cannot
        try:  # the loader's metadata counted its own parse; the cleaner's (HTML5) parse may make more elements
            cleaned = clean_article(
                source.html, base_url=origin_url, rules=site_rules, max_elements=site.max_article_elements
            )
        except TooManyElements as error:
            raise ContentError(source.path, str(error)) from None
        content = cleaned.html
        if cleaned.confidence.doubtful:
            warnings.append(
                f"the cleaned article may be the wrong text: {cleaned.confidence}; "
                "run `feedsvc clean --explain` on it, and add a body rule in rules/<host>.toml if so"
            )
    else:
        content = clean(source.html, base_url=origin_url, rules=site_rules)
    if not content.strip():
        raise ContentError(
            source.path,
            "no article text was left after cleaning; check that the file holds the article body "
            "(run `feedsvc clean --explain` on it to see what was removed)",
        )
    title = meta.title
    if not title:
        title = fallback_title(content, FALLBACK_TITLE_WORDS)
        # once: the loader's warning says it already, naming the sidecar or front matter (and check shows the title)
        if not any(warning.startswith(NO_TITLE) for warning in warnings):
            warnings.append(
                f"{NO_TITLE}; using {title!r}, the article's opening heading or sentence; set `title` in the sidecar"
            )
    # No date anywhere: assemble_catalog dates it from the revisions ledger (date_undated).
    published = meta.published or UNDATED
    updated = max(meta.updated or published, published)
    source_url = (
        meta.canonical_url if meta.canonical_url and not meta.canonical_url.startswith(site.base_url + "/") else None
    )
    return Article(
        slug=source.slug,
        entry_id=source.pinned_id or entry_id(site, source.slug, published),
        title=one_line(title),
        published=published,
        updated=updated,
        authors=meta.authors or (site.default_author,),
        # a description copies the opening paragraph as often, agency dateline and all: it starts at the story too
        summary=without_dateline(one_line(meta.summary)) if meta.summary else summarize(content, site.summary_words),
        tags=tuple(dict.fromkeys(one_line(tag) for tag in meta.tags if one_line(tag))),
        content=content,
        language=meta.language or site.language,
        source_path=source.path,
        source_url=source_url,
        image=choose_lead_image(meta.image, content, source.html, origin_url),
        warnings=tuple(warnings),
        source=source.source,
    )


def article_digest(article: Article) -> str:
    """Hash every field of ``article`` a reader can get, except ``updated`` (which the ledger sets)."""
    skip = ("updated", "source_path", "warnings", "content", "summary")
    fields = {k: str(getattr(article, k)) for k in article.__dataclass_fields__ if k not in skip}
    fields["content_html"] = article.content_html  # the texts, wherever they are kept
    fields["summary"] = article.summary_text
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]


def prepare_source(
    source: ArticleSource,
    site: Site,
    rules: Mapping[str, SiteRules] | None = None,
    clean: Cleaner = clean_html,
) -> Prepared:
    """Clean one loaded source into what the catalog needs; the raw page is not kept."""
    lean = replace(source, html="")
    if source.status != "published":
        return Prepared(source.slug, source.path, lean)
    try:
        article = make_article(source, site, rules, clean)
    except ContentError as error:
        return Prepared(source.slug, source.path, lean, problems=(Problem(error.path, error.reason),))
    except Exception as error:  # a cleaner bug must cost one article, never the site
        log.exception("not published: %s: internal error", source.path)
        problem = Problem(source.path, f"internal error while cleaning ({error!r}); please report it")
        return Prepared(source.slug, source.path, lean, problems=(problem,), cacheable=False)
    new = tuple(Problem(source.path, w, "warning") for w in article.warnings if w not in source.warnings)
    undated = source.metadata.published is None
    own_title = dict(source.origins).get("title") in AUTHOR_ORIGINS
    seen, words, sketch = reader_keys(article)
    return Prepared(
        source.slug,
        source.path,
        lean,
        article,
        new,
        seen,
        article_digest(article),
        undated=undated,
        own_title=own_title,
        text_key=words,
        sketch=sketch,
    )
