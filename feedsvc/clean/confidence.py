"""How sure the cleaner is of its result: the signs that it picked the wrong text.

Pure (no file, network or clock). The pipeline fills a :class:`Probe` as it
runs (only when one is asked for: ``clean_article`` and
``clean_html_explained`` pass one, ``clean_html`` does not), and
:func:`assess` turns it into a :class:`Confidence`: no reasons when the
result looks like the page's article, else one sentence per doubt, for
``feedsvc check``, the log, ``/healthz`` and ``clean --explain``.

The doubts, each cheap and generic:

- the article is much shorter than the page's own paragraph text (reader
  comment threads left out of the page's);
- most of the page's paragraph text lies outside the chosen container;
- the container is one card or section among siblings of its kind that
  together hold more paragraph text than it does (a fragment picked);
- the container or what it sits in is marked up as comments (not the
  page's ``<html>``/``<body>``, nor an element holding the ``<h1>``);
- the learned block scorer removed much of the text extraction chose;
- the page's own description shares (almost) no words with the article;
- much of the result is teasers: headings that are each a link to another
  page of the site over a short excerpt (related stories, a listing page).

The numbers are ``policy.DOUBT_*``. ``bench/extraction.py --held-out``
sets the doubts against the scores (docs/cleaner.md, "Measuring the doubts").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.etree
from lxml.html import HtmlElement

from feedsvc.clean.policy import (
    DOUBT_DESCRIPTION_MIN_SHARE,
    DOUBT_DESCRIPTION_MIN_WORDS,
    DOUBT_OUTSIDE_SHARE,
    DOUBT_PAGE_MIN_CHARS,
    DOUBT_SCORED_MIN_CHARS,
    DOUBT_SCORER_REMOVED_SHARE,
    DOUBT_SHORT_SHARE,
    DOUBT_TEASER_MAX_EXCERPT,
    DOUBT_TEASER_MIN_CARDS,
    DOUBT_TEASER_SHARE,
)
from feedsvc.text import collapsed_length, site_host

__all__ = [
    "DISABLED",
    "RULES",
    "Confidence",
    "Probe",
    "assess",
    "comment_like",
    "count_comments",
    "description_of",
    "doubts_on",
    "is_comment_markup",
    "looks_short",
    "paragraph_text",
    "scorer_removed_much",
    "sibling_paragraph_text",
    "teaser_cards",
    "teasers_hold_much",
    "thread_like",
    "thread_markup",
    "thread_paragraph_text",
]

# The refinements of the doubts, each with its switch (``DISABLED`` turns one off, for the bench and tests).
RULES = {
    "page_and_headline_are_no_thread": (
        "the classes of <html> or <body>, or an element holding an <h1>, do not make the container reader comments"
    ),
    "comments_are_no_page_text": "reader comment threads are left out of the page's text when the article looks short",
    "scorer_removed_much": "doubt when the learned scorer removed 20% or more of the text extraction chose",
    "teaser_cards": "doubt when three or more teasers (a heading wholly a link to the site's own page) hold 30% of the article",
}
DISABLED: frozenset[str] = frozenset()


def doubts_on(rule: str) -> bool:
    """Return True if the refinement ``rule`` (one of ``RULES``) is on: the pipeline measures only what is judged."""
    return rule not in DISABLED


_WORDS = re.compile(r"\w{4,}")
_COMMENT_WORDS = frozenset("comment comments commentlist comment-body comment-content disqus respond reply".split())
_SPLIT = re.compile(r"[^a-z0-9]+")


@dataclass
class Probe:
    """What the pipeline saw, filled as it runs (characters of text unless said)."""

    page_chars: int = 0  # in <p> elements of the whole page, before pruning
    pruned_chars: int = 0  # in <p> elements left after pruning
    container_chars: int = 0  # in <p> elements of the chosen container
    comment_like: bool = False
    description: str = ""
    extracted: bool = False  # the main-content stage chose the container (no site rule body)
    sibling_chars: int = 0  # in <p> elements of the container's siblings of its kind (sibling_paragraph_text)
    # of page_chars, in reader comment threads (thread_paragraph_text; read only for an article that looks short)
    comment_chars: int = 0
    # of the article's text (all of it) when the learned scorer read it; counted only when it removed a block
    scored_chars: int = 0
    scorer_removed_chars: int = 0  # of that text, what the scorer removed
    # The clean article's text as sanitising left it (its words; None: not read, judge parses the result)
    article_text: str | None = None
    article_chars: int = 0  # collapsed_length(article_text), counted with it
    # teasers in the result (teaser_cards: a heading linking to another page of the site over a short excerpt)
    teasers: int = 0
    teaser_chars: int = 0  # their headings' and excerpts' text (collapsed_length)


@dataclass(frozen=True)
class Confidence:
    """The cleaner's doubts about one result; none means it looks right."""

    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def doubtful(self) -> bool:
        """True when there is any reason to doubt the result."""
        return bool(self.reasons)

    def __str__(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "confident"


def is_comment_markup(node: HtmlElement) -> bool:
    """Return True if ``node``'s class, id, itemprop or itemtype marks it as a reader comment (or a thread)."""
    if "comment" in (node.get("itemtype") or "").lower() or (node.get("itemprop") or "").lower() == "comment":
        return True
    names = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
    if not _may_name_comments(names):
        return False
    for name in names.split():
        words = {w for w in _SPLIT.split(name) if w}
        parts = name.split("-")
        words |= {f"{a}-{b}" for a, b in itertools.pairwise(parts)}
        if words & _COMMENT_WORDS:
            return True
    return False


def comment_like(el: HtmlElement) -> bool:
    """Return True if ``el`` is (inside) markup of reader comments, or most of its paragraph text is.

    A comment form or a short thread under a right article holds little of
    its text, so it does not count.
    """
    return _marked(el, is_comment_markup)


def _marked(el: HtmlElement, marks: Callable[[HtmlElement], bool]) -> bool:
    """Return True if ``el`` or an ancestor ``marks``, or elements inside it that do hold half its paragraph text.

    ``marks`` is ``is_comment_markup`` or a stricter reading of it (true of no element that test is false of).
    """
    if any(marks(node) for node in [el, *el.iterancestors()]):
        return True
    if not _may_hold_comment_markup(el):  # no element inside is comment markup, so none of its text is a comment's
        return False
    total = paragraph_text(el)
    if not total:
        return False
    inside = 0
    for node in el.iterdescendants():
        if (
            isinstance(node.tag, str)
            and marks(node)
            and not any(marks(a) for a in node.iterancestors() if a is not el and _is_below(a, el))
        ):
            inside += paragraph_text(node)
    return inside >= 0.5 * total


def thread_like(el: HtmlElement) -> bool:
    """Return ``comment_like(el)`` read as a doubt: the page itself and the element of its headline are no thread.

    ``comment_like`` decides whether extraction is tried again without the
    comment threads (any comment word will do there: a retry that finds no
    better article changes nothing). As a warning to the operator it must
    mean a reader's comment was published, and two kinds of markup say no
    such thing: the classes of ``<html>`` and ``<body>``, which describe the
    whole page (a site's feature flags, "f_comment_nofollow_on"; its
    states, "comment-hidden"), and an element holding an ``<h1>``: a post
    marked "has-comments" holds the headline, a thread of comments does not.
    Only read when ``comment_like`` said yes (rare), so it costs nothing else.
    """
    if not doubts_on("page_and_headline_are_no_thread"):
        return comment_like(el)
    return _marked(el, thread_markup)


def thread_markup(node: HtmlElement) -> bool:
    """Return True if ``node`` is comment markup (``is_comment_markup``) that can be a thread: not the page, no headline.

    The classes of ``<html>``/``<body>`` describe the whole page, and an
    element holding an ``<h1>`` holds the article's headline. The doubt reads
    threads so, and the comment retry (``chrome.remove_comment_threads``)
    removes only such elements.
    """
    return node.tag not in ("html", "body") and is_comment_markup(node) and node.find(".//h1") is None


def thread_paragraph_text(root: HtmlElement) -> int:
    """Return the characters of text in <p> elements of the reader comment threads of a page (``thread_like``'s markup).

    Read on the whole page, before pruning, when the article looks short
    beside the page's paragraph text: a long thread of comments under a
    short post is no article text the cleaner missed. Each thread counts once
    (a comment inside a thread is not counted again).
    """
    if not _may_hold_comment_markup(root):
        return 0
    total = 0
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if thread_markup(child):
                total += paragraph_text(child)
            else:
                stack.append(child)
    return total


# The values of the attributes is_comment_markup reads, of every element inside one, one XPath each
# (a union of the four would be sorted into document order, at twice the cost).
_MARKUP_VALUES = tuple(
    lxml.etree.XPath(f"descendant::*/@{name}", smart_strings=False) for name in ("class", "id", "itemtype", "itemprop")
)


def _may_hold_comment_markup(el: HtmlElement) -> bool:
    """Return False only if no element inside ``el`` is comment markup (``is_comment_markup``).

    Nearly every chosen article has none of the words that test looks for in
    those attributes, which one lowercased join of their values shows (read in
    C) without testing the article's elements one by one in Python. The join
    holds each value's lowercased letters as ``is_comment_markup`` reads them
    (a space between values, and none of the words holds one).
    """
    return any(_may_name_comments(" ".join(values(el)).lower()) for values in _MARKUP_VALUES)


def _may_name_comments(values: str) -> bool:
    """Say whether lowercased class/id/itemprop/itemtype ``values`` may mark a reader comment (``is_comment_markup``).

    False only if none holds "comment", "disqus" or "repl", which every mark ``is_comment_markup`` accepts holds.
    """
    return "comment" in values or "disqus" in values or "repl" in values


def _is_below(node: HtmlElement, top: HtmlElement) -> bool:
    return any(a is top for a in node.iterancestors())


def paragraph_text(el: HtmlElement) -> int:
    """Return the characters of text in <p> elements inside (or equal to) ``el``."""
    # The text serialised in C is the same text as text_content(), which runs an XPath per element at twice the cost.
    return sum(len(lxml.etree.tostring(p, method="text", encoding="unicode", with_tail=False)) for p in el.iter("p"))


def sibling_paragraph_text(el: HtmlElement) -> int:
    """Return the paragraph text in siblings of the same tag as ``el`` or of its parent (the larger of the two).

    An article split into sections or cards, of which the extraction chose
    one, has the rest beside it: siblings of the same kind, at the
    container's level or one level up (a card's body inside the card).
    """
    best = 0
    node: HtmlElement | None = el
    for _ in range(2):
        if node is None or node.tag in ("body", "html"):
            break
        parent = node.getparent()
        if parent is None:
            break
        beside = sum(paragraph_text(s) for s in parent if s is not node and s.tag == node.tag)
        best = max(best, beside)
        node = parent
    return best


def description_of(root: HtmlElement) -> str:
    """Return the page's own description (og:description, description, twitter:description), or ""."""
    found = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:description", "description", "twitter:description") and key not in found:
            found[key] = " ".join((meta.get("content") or "").split())
    for key in ("og:description", "description", "twitter:description"):
        if found.get(key):
            return found[key]
    return ""


# Characters whose case folding is one character that \w reads differently from them (U+0345, a
# combining mark, folds to a Greek letter); tests/unit/clean/test_confidence.py checks every code point.
_FOLD_CHANGES_WORDS = "\u0345"
_WORD = re.compile(r"\w")


def _shared_words(wanted: set[str], text: str) -> set[str]:
    """Return the words of ``wanted`` (case-folded) that are words of ``text``: ``_WORDS`` runs, case-folded.

    The same set as ``wanted & {w.casefold() for w in _WORDS.findall(text)}``, found without
    reading every word of a long article: a dozen substring searches in its folded text. That is
    exact when folding maps each character to one character that is a word character exactly when
    the original is (true of all text but the few ``_FOLD_CHANGES_WORDS`` and the characters that
    fold to two, which the length tells): the folded text's word runs are then the folds of the
    text's runs, in the same places. Other text is read word by word, as the plain formulation.
    """
    folded = text.casefold()
    if len(folded) != len(text) or _FOLD_CHANGES_WORDS in text:
        return wanted & {word.casefold() for word in set(_WORDS.findall(text))}  # each distinct word folded once
    held = set()
    end = len(folded)
    for word in wanted:
        if not _WORDS.fullmatch(word):  # not a run of four or more word characters: no run of text folds to it
            continue
        at = folded.find(word)
        while at >= 0:  # a whole run: no word character on either side
            after = at + len(word)
            if (at == 0 or not _WORD.match(folded, at - 1)) and (after == end or not _WORD.match(folded, after)):
                held.add(word)
                break
            at = folded.find(word, at + 1)
    return held


def looks_short(probe: Probe, chars: int) -> bool:
    """Return True if an article of ``chars`` characters (``collapsed_length``) is short beside the page's paragraph text.

    Reader comments are left out of the page's text when they were read (``Probe.comment_chars``).
    """
    page = probe.page_chars - probe.comment_chars
    return page >= DOUBT_PAGE_MIN_CHARS and chars < DOUBT_SHORT_SHARE * page


def scorer_removed_much(probe: Probe) -> bool:
    """Return True if the learned scorer removed a large share of the text extraction chose: the scorer's own doubt.

    On pages it has not seen, a scorer that removes a fifth or more of the
    chosen text is cleaning a container that holds much besides the article
    (related posts, reviews, a second story), and what it left is often not
    all article text either; or it is cutting the article itself.
    """
    return (
        doubts_on("scorer_removed_much")
        and probe.scored_chars >= DOUBT_SCORED_MIN_CHARS
        and probe.scorer_removed_chars >= DOUBT_SCORER_REMOVED_SHARE * probe.scored_chars
    )


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _text(el: HtmlElement) -> str:
    return str(lxml.etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def _other_page_of_site(href: str, address: str | None) -> bool:
    """Return True if ``href`` (as normalising left it) is another page of the site ``address`` is a page of.

    Without an address only a relative link is known to be the site's; a
    link to the page itself (its fragments, its query) is no other page.
    """
    try:
        link = urlsplit(href.strip())
        page = urlsplit(address) if address else None
    except ValueError:
        return False
    if link.scheme not in ("", "http", "https"):
        return False
    if page is None:
        return not link.netloc and bool(link.path)
    if link.netloc and site_host(href) != site_host(address):
        return False
    if not link.netloc and not link.path:
        return False  # "#part" or "?page=2": this page
    return (link.path or "/").rstrip("/") != (page.path or "/").rstrip("/")


def teaser_cards(article: HtmlElement, address: str | None) -> tuple[int, int]:
    """Return the teasers in the clean ``article`` and their characters of text (``collapsed_length``).

    A teaser is a heading (h2–h6) that is wholly one link to another page of
    the same site (``address``'s, the page's own), over at most ``DOUBT_TEASER_MAX_EXCERPT``
    characters of text before the next heading: the card a site shows for
    another of its stories (a headline linking to it and its first lines).
    An article's own sections are not links; a heading linking to a product
    or a source elsewhere is another site's. Many of them, holding much of
    the result, say it is a list of related stories or a listing page,
    whatever the language. Read on the clean tree (links made absolute).
    """
    count = chars = 0
    for heading in article.iter(*_HEADINGS):
        text = _text(heading)
        link = heading.getparent()
        if link is None or link.tag != "a":
            # Its first link, not its only one: a headline's own small link after it ("Headline (2)", to its
            # comments) is the tenth the share below leaves outside; two links of a heading's words fail it.
            link = next(heading.iter("a"), None)
            if link is None:
                continue
        # wholly a link: its text is the heading's (a link inside a heading keeps at most a tenth outside)
        if not text.strip() or collapsed_length(_text(link)) < 0.9 * collapsed_length(text):
            continue
        if not _other_page_of_site(link.get("href") or "", address):
            continue
        card = link if link is heading.getparent() else heading
        excerpt = 0
        for node in card.itersiblings():
            if not isinstance(node.tag, str):
                continue
            if next(node.iter("h1", *_HEADINGS), None) is not None:  # the next heading, or a card holding one
                break
            excerpt += collapsed_length(_text(node))
            if excerpt > DOUBT_TEASER_MAX_EXCERPT:
                break
        if excerpt <= DOUBT_TEASER_MAX_EXCERPT:
            count += 1
            chars += collapsed_length(text) + excerpt
    return count, chars


def teasers_hold_much(probe: Probe, chars: int) -> bool:
    """Return True if teasers (``teaser_cards``) are many and hold much of an article of ``chars`` characters."""
    return (
        doubts_on("teaser_cards")
        and probe.teasers >= DOUBT_TEASER_MIN_CARDS
        and probe.teaser_chars >= DOUBT_TEASER_SHARE * chars
    )


def count_comments(probe: Probe, chars: int) -> bool:
    """Return True if the page's reader comments should be counted (``Probe.comment_chars``) to judge the article.

    Only an article that looks short beside the page's paragraph text needs
    them (one page in a hundred), so the rest pay nothing.
    """
    return doubts_on("comments_are_no_page_text") and looks_short(probe, chars)


def assess(probe: Probe, article_text: str) -> Confidence:
    """Return the doubts about an article whose text is ``article_text``, given what ``probe`` saw."""
    reasons = []
    # The pipeline counted the text it read (the same str object): counted once.
    chars = probe.article_chars if probe.article_text is article_text else collapsed_length(article_text)
    if looks_short(probe, chars):
        page = probe.page_chars - probe.comment_chars
        comments = f", {probe.comment_chars} more in reader comments" if probe.comment_chars else ""
        reasons.append(
            f"the article holds {chars} characters, {chars / page:.0%} of the page's "
            f"{page} characters of paragraph text{comments}"
        )
    if (
        probe.extracted
        and probe.pruned_chars >= DOUBT_PAGE_MIN_CHARS
        and probe.container_chars < DOUBT_OUTSIDE_SHARE * probe.pruned_chars
    ):
        reasons.append(
            f"most paragraph text is outside the chosen container "
            f"({probe.container_chars} of {probe.pruned_chars} characters inside)"
        )
    if (
        probe.extracted
        and probe.sibling_chars >= DOUBT_PAGE_MIN_CHARS // 2
        and probe.sibling_chars > probe.container_chars
    ):
        reasons.append(
            f"the chosen container looks like one section of several: its siblings of the same kind hold "
            f"{probe.sibling_chars} characters of paragraph text, the container {probe.container_chars}"
        )
    if probe.comment_like:
        reasons.append("the chosen container is marked up as reader comments")
    if scorer_removed_much(probe):
        reasons.append(
            f"the learned block scorer removed {probe.scorer_removed_chars / probe.scored_chars:.0%} of the text "
            f"the extraction chose ({probe.scorer_removed_chars} of {probe.scored_chars} characters): the "
            "container held much besides the article (some of it may be left), or the scorer cut article text"
        )
    if teasers_hold_much(probe, chars):
        reasons.append(
            f"{probe.teasers} headings are each a link to another page of the site over a short excerpt "
            f"({probe.teaser_chars} of the article's {chars} characters): the result looks like teasers of other "
            "stories (related posts, an archive or listing page): check that this file is one article (a listing page "
            "belongs out of the content folder)"
        )
    wanted = {w.casefold() for w in _WORDS.findall(probe.description)}
    if len(wanted) >= DOUBT_DESCRIPTION_MIN_WORDS and chars:
        share = len(_shared_words(wanted, article_text)) / len(wanted)
        if share < DOUBT_DESCRIPTION_MIN_SHARE:
            reasons.append(f"the page's description shares {share:.0%} of its words with the article")
    return Confidence(tuple(reasons))
