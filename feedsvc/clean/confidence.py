"""How sure the cleaner is of its result: the signs that it picked the wrong text.

Pure (no file, network or clock). The pipeline fills a :class:`Probe` as it
runs (only when one is asked for: ``clean_article`` and
``clean_html_explained`` pass one, ``clean_html`` does not), and
:func:`assess` turns it into a :class:`Confidence`: no reasons when the
result looks like the page's article, else one sentence per doubt, for
``feedsvc check``, the log, ``/healthz`` and ``clean --explain``.

The doubts, each cheap and generic:

- the article is much shorter than the page's own paragraph text;
- most of the page's paragraph text lies outside the chosen container;
- the container is one card or section among siblings of its kind that
  together hold more paragraph text than it does (a fragment picked);
- the container or what it sits in is marked up as comments;
- the page's own description shares (almost) no words with the article.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import lxml.etree
from lxml.html import HtmlElement

__all__ = [
    "Confidence",
    "Probe",
    "assess",
    "comment_like",
    "description_of",
    "is_comment_markup",
    "paragraph_text",
    "sibling_paragraph_text",
]

# Doubt a short article only on pages with this much paragraph text
# (characters): a short page's article may well be most of it, or little.
_PAGE_MIN_CHARS = 2000
# The article holds less than this share of the page's paragraph text.
_SHORT_SHARE = 0.2
# The chosen container holds less than this share of the paragraph text
# left after pruning.
_OUTSIDE_SHARE = 0.35
# A description is compared when it has this many distinct words of 4+
# letters; the article is doubtful when it holds fewer than this share.
_DESCRIPTION_MIN_WORDS = 6
_DESCRIPTION_MIN_SHARE = 0.15
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
    # The clean article's text as sanitising left it (its words; None: not read, judge parses the result)
    article_text: str | None = None


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
    if any(is_comment_markup(node) for node in [el, *el.iterancestors()]):
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
            and is_comment_markup(node)
            and not any(is_comment_markup(a) for a in node.iterancestors() if a is not el and _is_below(a, el))
        ):
            inside += paragraph_text(node)
    return inside >= 0.5 * total


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


def assess(probe: Probe, article_text: str) -> Confidence:
    """Return the doubts about an article whose text is ``article_text``, given what ``probe`` saw."""
    reasons = []
    # The length of the text with its white space collapsed, counted from its words without joining them.
    words = article_text.split()
    chars = sum(map(len, words)) + len(words) - 1 if words else 0
    if probe.page_chars >= _PAGE_MIN_CHARS and chars < _SHORT_SHARE * probe.page_chars:
        reasons.append(
            f"the article holds {chars} characters, {chars / probe.page_chars:.0%} of the page's "
            f"{probe.page_chars} characters of paragraph text"
        )
    if (
        probe.extracted
        and probe.pruned_chars >= _PAGE_MIN_CHARS
        and probe.container_chars < _OUTSIDE_SHARE * probe.pruned_chars
    ):
        reasons.append(
            f"most paragraph text is outside the chosen container "
            f"({probe.container_chars} of {probe.pruned_chars} characters inside)"
        )
    if probe.extracted and probe.sibling_chars >= _PAGE_MIN_CHARS // 2 and probe.sibling_chars > probe.container_chars:
        reasons.append(
            f"the chosen container looks like one section of several: its siblings of the same kind hold "
            f"{probe.sibling_chars} characters of paragraph text, the container {probe.container_chars}"
        )
    if probe.comment_like:
        reasons.append("the chosen container is marked up as reader comments")
    wanted = {w.casefold() for w in _WORDS.findall(probe.description)}
    if len(wanted) >= _DESCRIPTION_MIN_WORDS and chars:
        share = len(_shared_words(wanted, article_text)) / len(wanted)
        if share < _DESCRIPTION_MIN_SHARE:
            reasons.append(f"the page's description shares {share:.0%} of its words with the article")
    return Confidence(tuple(reasons))
