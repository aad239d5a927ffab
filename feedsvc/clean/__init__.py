"""Clean article HTML: raw page or fragment in, safe article body out. This module is the pipeline.

``clean_html`` parses the page once into an ``lxml.html`` tree (through
lexbor, an HTML5 parser, so it is nested as a browser would nest it) and
runs the stages over it, in this order (:func:`_clean` reads the same):

0. read what the page says about itself before anything is cut: its
   title, the URL links resolve against, its JSON-LD ``articleBody``;
1. site rules (``feedsvc.clean.rules``): strip selectors, class/id
   fragments and text patterns, and the body selector when one is given;
2. main-content extraction (``feedsvc.clean.extract``) for whole pages
   without a body rule: pruning (scripts, navigation, hidden and
   furniture-classed elements), then a block scorer checked against the
   subtree of highest additive text value;
3. boilerplate inside the article: pruning, for what step 2 did not prune
   (fragments, rule bodies); appeals, promos, link lists and furniture
   lines (``feedsvc.clean.boilerplate``); bylines, datelines, tables of
   contents, disclosures, author bios and "Recent posts" at its edges
   (``feedsvc.clean.edges``); the headline the page template prints anyway
   (``boilerplate`` again); and, where the page has a JSON-LD
   ``articleBody`` that agrees with the article, the lines at either end
   that it leaves out (``feedsvc.clean.jsonld``); page chrome that came
   along (``feedsvc.clean.chrome``): literal markup text, cookie dialogs,
   teaser runs, previous/next links, repeated captions, control labels,
   promos, "Updated <time>" lines; last, on whole pages, the blocks the
   learned block scorer is sure are not article text
   (``feedsvc.clean.scorer``, features in ``feedsvc.clean.blocks``);
4. normalisation (``feedsvc.clean.normalise``): absolute URLs, lazy images,
   embeds to links, tracking parameters;
5. sanitising by allowlist with nh3, tidying, XML-safe text
   (``feedsvc.clean.sanitise``).

The layers of the package, each importing only those below it:

- ``report`` (the HTML report of what was removed) on top of the pipeline;
- this module, the pipeline, which imports the stages;
- the stages (``rules``, ``extract``, ``boilerplate``, ``edges``,
  ``jsonld``, ``chrome``, ``scorer``, ``normalise``, ``sanitise``) and
  ``summary`` (which reads a clean article), none importing another;
- ``blocks``, the block features the scorer reads;
- the leaves: ``dom`` (the tree and the words every stage reads and cuts it
  with), ``explain`` (the recorder each stage tells what it removes) and
  ``confidence`` (how sure the cleaner is of what it chose);
- at the bottom ``policy``: what each stage drops, keeps and rewrites, as data.

``clean_html_explained`` passes a ``feedsvc.clean.explain.Recorder`` to
every stage, ``clean_html`` passes none. ``clean_article`` and
``clean_explained`` also say how sure the cleaner is of its result
(``feedsvc.clean.confidence``). Everything here is pure: no file,
network or clock access.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean import scorer
from feedsvc.clean.blocks import split_mixed_blocks
from feedsvc.clean.boilerplate import page_title, remove_boilerplate, remove_headline
from feedsvc.clean.chrome import (
    remove_action_lines,
    remove_chrome,
    remove_comment_threads,
    remove_contents_titles,
    remove_dangling_tail,
)
from feedsvc.clean.confidence import (
    Confidence,
    Probe,
    assess,
    comment_like,
    count_comments,
    description_of,
    doubts_on,
    sibling_paragraph_text,
    teaser_cards,
    thread_like,
    thread_paragraph_text,
)
from feedsvc.clean.dom import (
    bounded_trees,
    forget_class_words,
    paragraph_chars,
    parse,
    shared_texts,
    text_content,
    tree_of,
    well_nested,
)
from feedsvc.clean.edges import trim_edges
from feedsvc.clean.explain import Recorder, Removal, number_elements
from feedsvc.clean.extract import find_article, prune
from feedsvc.clean.jsonld import article_body, trim_by_article_body
from feedsvc.clean.normalise import declared_address, declared_url, effective_base, mark_social_posts, normalise
from feedsvc.clean.rules import SiteRules, apply_strip_rules, parse_rules, rule_body
from feedsvc.clean.sanitise import sanitise, sanitise_with_text, serialise_children
from feedsvc.clean.summary import fallback_title, summarize, without_dateline
from feedsvc.element_budget import TooManyElements, check_elements
from feedsvc.html_depth import limit_depth
from feedsvc.same_picture import forget_places
from feedsvc.text import collapsed_length, site_host, strip_markup

__all__ = [
    "CLEANER_VERSION",
    "Cleaned",
    "Confidence",
    "Removal",
    "SiteRules",
    "TooManyElements",
    "clean_article",
    "clean_explained",
    "clean_html",
    "clean_html_explained",
    "declared_url",
    "fallback_title",
    "parse",
    "parse_rules",
    "summarize",
    "without_dateline",
]

# Bump whenever the same input gives different output (any stage, policy or
# library change that shows in clean_html's result): a cache of cleaned
# articles is keyed by this and the site rules' version
# (``SiteRules.version``). tests/unit/clean/test_version.py fails until it is.
CLEANER_VERSION = "43"

LOGGER = logging.getLogger(__name__)

_WHOLE_PAGE = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)
# A second extraction without the comment threads must find at least this
# much paragraph text to replace a first pick that was a comment.
_RETRY_MIN_CHARS = 200


def _forget_page() -> None:
    """Empty the caches that hold one page's class names and picture URLs, as each clean ends.

    Pure caches, whose hits are nearly all on what the same page read
    before; kept from page to page, their entries were thousands of
    objects that the cycle collector walked at every full collection.
    """
    forget_class_words()
    forget_places()


def clean_html(
    html: str, base_url: str | None = None, rules: SiteRules | None = None, *, max_elements: int | None = None
) -> str:
    """Return the clean, sanitised article body of ``html`` as an HTML fragment.

    :param html: a whole saved page or a body fragment.
    :param base_url: the page's URL; relative links and images resolve
        against it (or against an http(s) ``<base href>`` in the page).
        Without either, relative URLs are kept as they are: a feed needs
        absolute URLs, so callers that publish pass the page's URL.
    :param rules: the site's cleaning rules, if it has any.
    :param max_elements: the element budget (``feedsvc.element_budget``):
        a page whose parsed tree has more elements is refused before any
        stage runs. None: no budget.
    :returns: the article's paragraphs, headings, lists, quotes, tables and
        figures, with http(s) URLs (absolute when a base is known) stripped
        of tracking parameters, no scripts, styles, embeds or event
        handlers, and no XML-illegal characters; ``""`` when nothing is
        left. Never raises on a ``str`` but :class:`TooManyElements`.
    """
    try:
        try:
            return _clean(html, base_url, rules, None, max_elements=max_elements)
        except RecursionError:
            # A tree deeper than the depth reading said (a shape feedsvc.html_depth misses): cleaned again
            # from trees cut to html_depth.TREE_DEPTH levels, rather than the whole page sanitised.
            LOGGER.warning("the page nests deeper than its depth reading; cleaned again with its tree cut")
            with bounded_trees():
                return _clean(html, base_url, rules, None, max_elements=max_elements)
    except TooManyElements:
        raise  # the caller's refusal, not a failure: sanitising the whole page would cost what the budget saves
    except Exception:
        LOGGER.warning("cleaning failed; falling back to sanitising the whole input", exc_info=True)
        try:
            return sanitise(limit_depth(html)[0] if isinstance(html, str) else "")
        except Exception:  # noqa: BLE001
            return ""
    finally:
        _forget_page()


def clean_html_explained(
    html: str, base_url: str | None = None, rules: SiteRules | None = None, *, max_elements: int | None = None
) -> tuple[str, list[Removal]]:
    """Return what ``clean_html`` returns, and every block the stages removed, in order.

    The HTML is identical to ``clean_html(html, base_url, rules)``. Each
    :class:`~feedsvc.clean.explain.Removal` names the stage, the rule or
    reason, where the block was and the start of its text. (``clean_explained``
    gives the same with the cleaner's doubts.)
    """
    found = clean_explained(html, base_url, rules, max_elements=max_elements)
    return found.html, list(found.removals)


@dataclass(frozen=True)
class Cleaned:
    """A clean article and how sure the cleaner is of it."""

    html: str
    confidence: Confidence
    removals: tuple[Removal, ...] = ()


def clean_article(
    html: str, base_url: str | None = None, rules: SiteRules | None = None, *, max_elements: int | None = None
) -> Cleaned:
    """Return ``clean_html``'s result with the cleaner's doubts about it (see ``feedsvc.clean.confidence``).

    The HTML is identical to ``clean_html(html, base_url, rules)``; judging
    the result costs a pass over the page's paragraphs. ``max_elements``: as
    ``clean_html``'s (raises :class:`TooManyElements`).
    """
    return _clean_probed(html, base_url, rules, None, max_elements)


def clean_explained(
    html: str, base_url: str | None = None, rules: SiteRules | None = None, *, max_elements: int | None = None
) -> Cleaned:
    """Return ``clean_article``'s result with every block the stages removed, in order."""
    return _clean_probed(html, base_url, rules, Recorder(), max_elements)


def _clean_probed(
    html: str, base_url: str | None, rules: SiteRules | None, rec: Recorder | None, max_elements: int | None
) -> Cleaned:
    probe = Probe()
    try:
        cleaned = _clean(html, base_url, rules, rec, probe, max_elements=max_elements)
    except TooManyElements:
        raise  # refused, as clean_html refuses it: not a failure to fall back from
    except Exception:  # noqa: BLE001 - same fallback as clean_html
        cleaned, probe = clean_html(html, base_url, rules, max_elements=max_elements), Probe()
    finally:
        _forget_page()
    removals = tuple(rec.removals) if rec is not None else ()
    text = probe.article_text if probe.article_text is not None else _text_of(cleaned)
    return Cleaned(cleaned, assess(probe, text), removals)


# lxml.html's default parser, with every element a plain HtmlElement (no Python call to pick its class),
# and huge_tree: a clean fragment keeps quotes and lists as deep as the depth-limited page has them (up to
# html_depth's cap), and libxml2 without it stops at 255 levels, reading such an article as no text at all.
_FRAGMENT_PARSER = lxml.html.HTMLParser(huge_tree=True)
_FRAGMENT_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(element=HtmlElement))


def _text_of(fragment: str) -> str:
    """The text of a clean fragment, for judging it: what ``lxml.html.fragment_fromstring(fragment, create_parent="div")`` holds.

    Read from the parsed body itself (that function parses the fragment into
    a body the same way, then moves its children into a new <div> and leaves
    out leading text that is only white space).
    """
    if not fragment.strip():
        return ""
    try:
        body = lxml.html.document_fromstring(f"<html><body>{fragment}</body></html>", parser=_FRAGMENT_PARSER).body
    except (lxml.etree.ParserError, ValueError):
        return strip_markup(fragment)
    if body is None:  # lxml.html's own reading fails the same way (it asserts one body)
        return strip_markup(fragment)
    text = text_content(body)
    lead = body.text or ""
    return text[len(lead) :] if not lead.strip() else text


def _clean(
    html: str,
    base_url: str | None,
    rules: SiteRules | None,
    rec: Recorder | None,
    probe: Probe | None = None,
    *,
    max_elements: int | None = None,
) -> str:
    """The pipeline: the stages of the module docstring, in order, over one tree."""
    if not isinstance(html, str) or not html.strip():
        return ""
    markup = well_nested(html)  # kept: a page whose first pick is a comment is read again from it
    root = tree_of(markup)
    if root is None or root.find("body") is None:
        return ""
    # Every element's Python proxy, kept until the pipeline ends: the stages walk the tree a dozen
    # times, and lxml makes a new proxy for an element each time none is alive (a tenth of the time).
    alive = list(root.iter())
    # The element budget, before any stage: the parser drops comments and processing instructions, so
    # every node here is an element, and the count is the one the stages' time follows.
    check_elements(len(alive), max_elements)
    if rec is not None:
        rec.ids = number_elements(root)

    # 0. What the page says about itself, read before any stage cuts it.
    whole_page = _WHOLE_PAGE.search(html) is not None
    title = page_title(root) if whole_page else None
    base = effective_base(root, base_url)
    # The teaser doubt's site is the page's own: the base; else, for a saved copy handed over without an http
    # URL, a caller's URL that still names the host ("//host/page"), else the address the page declares
    # (read now, before a stage cuts the head), so its links to the original site are the site's.
    address = base
    if address is None and probe is not None and doubts_on("teaser_cards"):
        address = base_url if site_host(base_url) else declared_address(root)
    ld_body = article_body(root) if whole_page and "articleBody" in html else None
    description = description_of(root) if whole_page else ""
    if probe is not None:
        probe.page_chars = paragraph_chars(root)
        probe.description = description

    # 1. Site rules.
    if rules is not None:
        apply_strip_rules(root, rules, rec)
    bodies = rule_body(root, rules, rec) if rules is not None else []

    # 2. The article: the rules' body, the main content of a whole page, or the fragment itself.
    article: HtmlElement | None
    if bodies:
        article = lxml.html.Element("div")
        for el in bodies:
            el.tail = None
            article.append(el)
    elif whole_page:
        prune(root, rec=rec)
        article = find_article(root, rec)
        liked = comment_like(article)
        if liked:
            # A reader comment won: extract again from a fresh tree without
            # the page's comment threads (rare; only lxml's part of the parse is done again).
            retry = _without_comments(markup, rules, rec)
            if retry is not None:
                root, article = retry
                alive.extend(root.iter())
                liked = comment_like(article)
        if probe is not None:
            probe.container_chars = paragraph_chars(article)
            # A container joined from several blocks was moved out of the page (extract._wrap): its text is still the page's.
            inside = article.getroottree().getroot() is root
            probe.pruned_chars = paragraph_chars(root) + (0 if inside else probe.container_chars)
            probe.extracted = True
            probe.comment_like = liked and thread_like(article)
            probe.sibling_chars = sibling_paragraph_text(article)
    else:
        article = root.find("body")
    if article is None:
        return ""
    # An embedded social post gets its player's mark before the passes below may drop its text (normalise).
    mark_social_posts(article, base)

    # 3. Boilerplate inside the article (a rules body only when its rules say prune).
    judged = not bodies or rules is None or rules.prune
    if judged and (bodies or not whole_page):  # not pruned as a page in step 2
        prune(article, rec=rec)
    # One run of text, one block: the passes below keep or drop whole blocks.
    if whole_page and not bodies and split_mixed_blocks(article):
        alive.extend(article.iter())  # the paragraphs it made
    # These passes read the same blocks' texts again and again and cut only with dom.remove.
    with shared_texts():
        if judged:
            remove_boilerplate(article, rec)
            trim_edges(article, rec)
            remove_chrome(article, rec)
        remove_headline(article, title, rec)
        trim_by_article_body(article, ld_body, rec)
        if whole_page and not bodies and scorer.ENABLED:
            # The scorer's own doubt: how much of the chosen text it removes (the text read before, and again
            # after when a block went: a block it removes is out of the tree, every other one still in it).
            # Both are counted only when a block went (three pages in five): a scorer that removed nothing
            # cannot doubt, and the count (a split of the whole text into words) is most of the read's cost.
            weigh = probe is not None and doubts_on("scorer_removed_much")
            before = text_content(article) if weigh else ""
            scored = scorer.score_blocks(article, title, rec, description=description)
            if probe is not None and weigh and any(block.element.getparent() is None for block, _ in scored):
                probe.scored_chars = collapsed_length(before)
                probe.scorer_removed_chars = probe.scored_chars - collapsed_length(text_content(article))
        if judged:
            remove_action_lines(article, rec)
            remove_dangling_tail(article, rec)
            remove_contents_titles(article, rec)

    # 4. Normalise.
    normalise(article, base, rec)
    if probe is not None and doubts_on("teaser_cards"):
        # Read on the tree normalising left: its links resolved against the page's URL, as the reader gets them.
        probe.teasers, probe.teaser_chars = teaser_cards(article, address)

    # 5. Sanitise (and, to judge the result, read its text from the tree sanitising made).
    fragment = (
        serialise_children(article)
        if article.tag != "p"
        else lxml.html.tostring(article, encoding="unicode", with_tail=False)
    )
    if probe is None:
        return sanitise(fragment)
    cleaned, probe.article_text = sanitise_with_text(fragment)
    probe.article_chars = collapsed_length(probe.article_text)
    if whole_page and count_comments(probe, probe.article_chars):
        # A short article beside a long page: is the rest reader comments? Read on the page as it came (rare).
        page = tree_of(markup)
        probe.comment_chars = thread_paragraph_text(page) if page is not None else 0
    return cleaned


def _without_comments(
    markup: bytes, rules: SiteRules | None, rec: Recorder | None
) -> tuple[HtmlElement, HtmlElement] | None:
    """Return (page, article) extracted with the page's comment threads removed, or None if that finds no article.

    ``markup`` is the page as :func:`feedsvc.clean.dom.well_nested` made it for the first tree.
    """
    root = tree_of(markup)
    if root is None or root.find("body") is None:
        return None
    saved = (list(rec.removals), rec.ids) if rec is not None else None
    if rec is not None:
        rec.removals.clear()
        rec.ids = number_elements(root)
    if rules is not None:
        apply_strip_rules(root, rules, rec)
    if remove_comment_threads(root, rec):
        prune(root, rec=rec)
        article = find_article(root, rec)
        if article is not None and paragraph_chars(article) >= _RETRY_MIN_CHARS:
            return root, article
    if rec is not None and saved is not None:
        rec.removals[:], rec.ids = saved
    return None
