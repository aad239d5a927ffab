"""Where a page's markup names each field: the XPaths the readers of the page look in, best first.

Data, and the one helper that writes their tests of a space-separated attribute (:func:`has`): the
headlines, bylines, dates and tags of :mod:`feedsvc.metadata.markup`, the marked publication
:mod:`feedsvc.metadata.decide` weighs against the other sources, the canonical link of
:mod:`feedsvc.metadata.meta_tags`.
"""

from __future__ import annotations

__all__ = [
    "AUTHOR_PAGE_LINKS",
    "BYLINE_XPATHS",
    "HEADLINE_XPATHS",
    "MARKED_PUBLISHED",
    "PUBLISHED_XPATHS",
    "SUBHEAD_XPATHS",
    "TAG_XPATH",
    "TAXONOMY_LINK",
    "UPDATED_XPATHS",
    "VISIBLE_HEADLINE_XPATHS",
    "has",
]


def has(attribute: str, *tokens: str) -> str:
    """Return an XPath test: the space-separated ``attribute`` holds one of ``tokens``."""
    padded = f"concat(' ', normalize-space(@{attribute}), ' ')"
    return " or ".join(f"contains({padded}, ' {token} ')" for token in tokens)


# Where visible markup names the headline, the byline and the dates, best first.
HEADLINE_XPATHS = ("//*[@itemprop='headline']", "//article//h1", "//main//h1", "//h1", "//title")
# The visible headlines a title is chosen among, best first: marked ones, then <h1> in the article,
# then other <h1> outside the page's header, navigation and footer, then any.
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
AUTHOR_PAGE_LINKS = (
    "//a[contains(@href, '/author/') or contains(@href, '/authors/') or contains(@href, '/contributor')"
    " or contains(@href, '/producers/') or contains(@href, '/writers/')][not(ancestor::footer or ancestor::nav)]"
)
BYLINE_XPATHS = (
    f"//a[{has('rel', 'author')}]",
    "//*[@itemprop='author']",
    # microformats2: the entry's author (an h-card or plain text), the HTML <address> of an article's author
    f"//*[{has('class', 'p-author')}]",
    "//article//address",
    f"//*[{has('class', 'author')}]",
    f"//*[{has('class', 'author-name')}]",
    AUTHOR_PAGE_LINKS,
    # "authorName", "post-hero__author__name", "wp-block-post-author__name": a class naming an author's name
    # ("uthor", "ame": either case of the first letter, without translate(), which costs a pass per element)
    "//*[contains(@class, 'uthor') and contains(@class, 'ame')]",
    f"//*[{has('class', 'byline', 'by-line', 'article-byline', 'post-author', 'entry-author', 'author-byline')}]",
)
_UPDATED_CLASSES = has("class", "updated", "modified", "date-modified")
# How many of PUBLISHED_XPATHS mark the publication explicitly (the others are any <time> in the article).
MARKED_PUBLISHED = 2
PUBLISHED_XPATHS = (
    "//*[@itemprop='datePublished']",
    "//time[@pubdate]",
    f"//time[{has('class', 'published', 'entry-date', 'date-published')}]",
    f"//article//time[@datetime][not({_UPDATED_CLASSES})]",
    f"//time[@datetime][not({_UPDATED_CLASSES})]",
)
UPDATED_XPATHS = ("//*[@itemprop='dateModified']", f"//time[{_UPDATED_CLASSES}]")
TAG_XPATH = f"//a[{has('rel', 'tag')}]"
# A link to a category's or a tag's page: marked (rel="tag", "category"), by their URL ("/category/…",
# "/tag/…", "/topics/…"), or inside an element whose class ends with one ("byline__category",
# "news-categories", "wp-block-post-terms", "cat-links"); the link or its two nearest ancestors (a
# WordPress <article> carries "category-news" for the whole post: a class starting with one names nothing).
_TAXONOMY_CLASS = (
    "contains(concat(@class, ' '), 'category ') or contains(concat(@class, ' '), 'categories ')"
    " or contains(concat(@class, ' '), '-tags ') or contains(concat(@class, ' '), '_tags ')"
    " or contains(concat(@class, ' '), '-terms ') or contains(@class, 'cat-links') or contains(@class, 'tags-links')"
)
# A test of a link (a predicate of `//a`), run only on the links holding a name: they are few, the links many.
TAXONOMY_LINK = (
    f"{has('rel', 'tag', 'category')}"
    " or contains(@href, '/category/') or contains(@href, '/categories/') or contains(@href, '/tag/')"
    " or contains(@href, '/tags/') or contains(@href, '/topic/') or contains(@href, '/topics/')"
    f" or ancestor-or-self::*[position() <= 3][{_TAXONOMY_CLASS}]"
)
