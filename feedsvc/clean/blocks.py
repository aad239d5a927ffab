"""The article's text blocks as numbers: what the learned block scorer reads.

:func:`article_blocks` lists the innermost blocks with text of a container
(an article, or a whole page's body for the benchmark's scorer-only
variant), in page order, and describes each as a :class:`Block`: its text,
a fixed row of numeric features (``FEATURES`` names them, in order) and the
class/id words of the block and its ancestors up to the container. The
model (``feedsvc.clean.scorer``) maps those words on its own vocabulary.

The features are what a reader's eye uses and the heuristics read one at a
time: length, link share, punctuation, sentence ends, stopwords, digits and
capitals; the tag and what it sits in (list, table, figure, quote, heading,
aside); depth; position in the container by blocks and by characters;
repetition of the same text in the container; overlap with the page title
and with the page's own description; the class/id signal of the ancestors;
and the same few numbers for the blocks just before and after.

Some features read the page's layout rather than the block, so they hold
on sites the model never saw: where the block sits against the article's
running prose (the share of the prose characters before and after it, and
how many blocks away the nearest prose block is: teasers, credits and
prompts are stacked before and after the body), how often its shape (its
tag and class and its parent's) recurs in the container (captions, credits
and teaser cards come in runs), how many siblings alike its parent or
grandparent has (a card in a list of cards), the link share of its
parent (a headline link's date line sits in a linked card), the share of
the container's text under its parent, grandparent and great-grandparent
(a promo or a credit sits in a small box of its own, the article's
paragraphs under a parent that holds most of the text), and whether it
lies under the body, the innermost element holding most of the prose.

Pure; a leaf under the stages of ``feedsvc.clean``: it imports only ``dom``.
Deterministic: the same tree gives the same rows.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from dataclasses import dataclass

import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean.dom import (
    CODE_TAGS,
    block_holders,
    class_signal,
    class_words,
    holders_of,
    in_code,
    leaf_blocks,
    text_chars,
    text_content,
    text_of,
)
from feedsvc.clean.policy import BLOCK_TAGS

__all__ = [
    "DISABLED",
    "FEATURES",
    "RULES",
    "Block",
    "article_blocks",
    "class_tokens",
    "split_mixed_blocks",
    "text_tokens",
]

_WORD = re.compile(r"\w+")
# What is not punctuation, a digit or a capital: removed, the rest is counted (C speed).
_NOT_PUNCT = re.compile(r"[^.,;:!?。，、；：！？]+")
_NOT_DIGIT = re.compile(r"\D+")
_NOT_CAPITAL = re.compile(r"[^A-ZÀ-ÖØ-ÞΑ-ΩА-Я]+")
# ASCII text (most blocks) is read through two byte tables, in C, with no pattern: \w is only
# A-Z, a-z, 0-9 and "_" there, \d only 0-9, and the capitals above only A-Z.
_UPPER, _LOWER, _DIGITS = (string.ascii_uppercase.encode(), string.ascii_lowercase.encode(), string.digits.encode())
_NOT_WORD = bytes(c for c in range(256) if c not in _UPPER + _LOWER + _DIGITS + b"_")
# Its tokens: capitals lowered (ASCII case-folds as it lowers), every other byte that is no word
# character a space, so that splitting on spaces gives the \w+ runs, lower-cased.
_ASCII_TOKENS = bytes.maketrans(_UPPER + _NOT_WORD, _LOWER + b" " * len(_NOT_WORD))
# Its classes, to count: punctuation ".", digit "0", capital "A", small letter "a"; "_" and the rest as they are.
_ASCII_CLASSES = bytes.maketrans(b".,;:!?" + _DIGITS + _UPPER + _LOWER, b"." * 6 + b"0" * 10 + b"A" * 26 + b"a" * 26)
# A character beyond ASCII that _measures counts: a word character (letters, digits, "²"), one of the
# punctuation or the capitals above (U+03A2 among them is none). Text without one reads as its ASCII does.
_COUNTED_BEYOND_ASCII = re.compile(r"[^\W\x00-\x7f]|[。，、；：！？À-ÖØ-ÞΑ-ΩА-Я]")
_SENTENCE_END = (".", "!", "?", "。", "！", "？", '"', "”", "’", "»", ")")
# Short function words of the languages in the dev pages; their share tells
# running text from labels, names and headlines in most Latin-script languages.
_STOPWORDS = frozenset(
    """
    a an and are as at be but by for from has have he her his i in is it its of on or our she that the their
    they this to was we were which who will with you your not no so if than then there been would can
    der die das und ist ein eine nicht mit sich auf für den dem des zu von im es wir sie er auch
    le la les et est un une des du en que qui pas pour dans sur au ce il elle nous vous avec
    el los las y es un una que en por para con se su lo como más pero del al
    o os as e é um uma que em por para com não do da dos das
    il lo gli e è che di per con non una del della
    de het een en is van dat niet op te zijn
    """.split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Ancestors (up to the container) that change what a block is.
_IN_LIST = frozenset("li ul ol dl dd dt".split())
_IN_TABLE = frozenset("table td th tr tbody thead tfoot caption".split())
_IN_FIGURE = frozenset("figure figcaption".split())
_IN_QUOTE = frozenset("blockquote q".split())
_IN_FURNITURE = frozenset("aside nav footer header form details dialog".split())
# Tags of the block itself, one feature each; any other tag sets none of them.
_OWN_TAGS = ("p", "li", "div", "td", "th", "dd", "dt", "figcaption", "blockquote", "pre", "section", "span")

_ONE_HOT = {t: tuple(float(t == u) for u in _OWN_TAGS) for t in _OWN_TAGS}
_NO_TAG = (0.0,) * len(_OWN_TAGS)

FEATURES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "link_share",
    "punct_share",
    "comma_count",
    "sentence_end",
    "digit_share",
    "upper_share",
    "stopword_share",
    "mean_word_len",
    "heading",
    *(f"tag_{t}" for t in _OWN_TAGS),
    "in_list",
    "in_table",
    "in_figure",
    "in_quote",
    "in_furniture",
    "in_link",
    "has_image",
    "depth",
    "class_min",
    "class_max",
    "index_share",
    "chars_before_share",
    "chars_after_share",
    "log_blocks",
    "log_total_chars",
    "repeats",
    "same_tag_siblings",
    "title_overlap",
    "prev_log_chars",
    "prev_link_share",
    "next_log_chars",
    "next_link_share",
    "heading_before",
    "prose_before_share",
    "prose_after_share",
    "log_blocks_to_prose",
    "shape_repeats",
    "item_repeats",
    "parent_link_share",
    "description_overlap",
    "parent_mass",
    "grand_mass",
    "great_mass",
    "in_body",
    "levels_to_body",
)


@dataclass(frozen=True)
class Block:
    """One innermost block with text: the element, its text, its features (``FEATURES`` order) and class words."""

    element: HtmlElement
    text: str
    features: tuple[float, ...]
    words: frozenset[str]


def text_tokens(text: str) -> list[str]:
    """Return the ``\\w+`` tokens of ``text``, case kept (the benchmark's tokens)."""
    return _WORD.findall(text)


def class_tokens(el: HtmlElement, container: HtmlElement) -> frozenset[str]:
    """Return the class/id words (single words, lower case) of ``el`` and its ancestors up to ``container``."""
    return _Ancestry(container).of(el)[1]


# The single words of each (class, id) pair seen: names recur across blocks and pages. Small,
# as dom's caches of sets are (the cycle collector walks every entry at each full collection).
_OWN_WORDS: dict[tuple[str, str], frozenset[str]] = {}
_OWN_WORDS_MAX = 4096


def _own_words(el: HtmlElement) -> frozenset[str]:
    """The single words of ``el``'s class names and id (no digits-only or one-letter words)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return frozenset()
    key = (cls or "", ident or "")
    found = _OWN_WORDS.get(key)
    if found is None:
        if len(_OWN_WORDS) >= _OWN_WORDS_MAX:
            _OWN_WORDS.clear()
        found = _OWN_WORDS[key] = frozenset(
            g for grams in class_words(el) for g in grams if "-" not in g and not g.isdigit() and len(g) > 1
        )
    return found


# What a child of the container sees above it: no list, table, figure, quote, furniture or link, depth 0.
_NO_FLAGS: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


class _Ancestry:
    """What each element sits in, up to the container, worked out once per element and shared by its blocks.

    ``of(el)`` is (flags, words): flags are in_list, in_table, in_figure,
    in_quote, in_furniture, in_link, depth, class_min, class_max over the
    strict ancestors of ``el`` below the container, and words are the
    class/id words of ``el`` and all its ancestors up to the container.
    """

    def __init__(self, container: HtmlElement) -> None:
        self.container = container
        # Per element below the container: the flags its children see (over it and its ancestors
        # below the container) and its words. Kept per parent, not per block: the blocks of one
        # parent (a body's paragraphs, a list's items) share the parent's entry, made once.
        self.inner: dict[HtmlElement, tuple[tuple[float, ...], frozenset[str]]] = {}
        self.top: tuple[tuple[float, ...], frozenset[str]] = (_NO_FLAGS, _own_words(container))  # what its children see
        # Each union of an element's own words with its parent's, made once: siblings of one
        # class (the paragraphs of a body, the items of a list) share it, not a copy each.
        self.unions: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}

    def _with_own_words(self, el: HtmlElement, words: frozenset[str]) -> frozenset[str]:
        own = _own_words(el)
        if not own:
            return words
        key = (own, words)
        found = self.unions.get(key)
        if found is None:
            found = self.unions[key] = own | words
        return found

    def of(self, el: HtmlElement) -> tuple[tuple[float, ...], frozenset[str]]:
        return self.under(el, el.getparent())

    def under(self, el: HtmlElement, parent: HtmlElement | None) -> tuple[tuple[float, ...], frozenset[str]]:
        """``of(el)`` for a caller that has ``el``'s parent already."""
        if el is self.container or parent is None:
            return _NO_FLAGS, _own_words(el)
        if parent is self.container:
            flags, words = self.top
        else:  # the parent's entry, made for its first block and read for the others
            flags, words = self._inner(parent)
        return flags, self._with_own_words(el, words)

    def _inner(self, node: HtmlElement) -> tuple[tuple[float, ...], frozenset[str]]:
        """The flags ``node``'s children see and ``node``'s words (``node`` below the container, or out of it)."""
        found = self.inner.get(node)
        if found is not None:
            return found
        path = []  # the climb up to the nearest element already known
        while found is None:
            path.append(node)
            parent = node.getparent()
            if parent is None:  # out of the container: the root's own words, no flags above it
                found = (_NO_FLAGS, frozenset())
            elif parent is self.container:
                found = self.top
            else:
                node = parent
                found = self.inner.get(node)
        for node in reversed(path):
            flags, words = found
            t = node.tag
            s = float(class_signal(node))
            found = self.inner[node] = (
                (
                    flags[0] or float(t in _IN_LIST),
                    flags[1] or float(t in _IN_TABLE),
                    flags[2] or float(t in _IN_FIGURE),
                    flags[3] or float(t in _IN_QUOTE),
                    flags[4] or float(t in _IN_FURNITURE),
                    flags[5] or float(t == "a"),
                    flags[6] + 1.0,
                    min(flags[7], s) if flags[6] else s,
                    max(flags[8], s) if flags[6] else s,
                ),
                self._with_own_words(node, words),
            )
        return found


def _measures(text: str) -> tuple[list[str], int, int, int, int, int]:
    """Return the case-folded ``\\w+`` tokens of ``text``, the characters they hold, and its punctuation, digits, letters and capitals.

    A letter is a word character that is neither a digit nor "_" (every
    ``\\d`` is a ``\\w``). ASCII text, and text whose characters beyond
    ASCII are of no kind counted (no word character, counted punctuation
    or capital: curly quotes, dashes, ellipses), is read through byte
    tables, its UTF-8 (one translation for the tokens, one for the counts,
    each count a C scan of it): the patterns' tokens and a deletion per
    count (``_measures_by_pattern``) cost several times as much.
    """
    if not text.isascii() and _COUNTED_BEYOND_ASCII.search(text) is not None:
        return _measures_by_pattern(text)
    # Bytes beyond ASCII (a character of none of those kinds, two to four bytes) are no word byte, no class counted.
    b = text.encode("utf-8", "surrogatepass")
    classes = b.translate(_ASCII_CLASSES)
    digits, capitals, small = classes.count(b"0"), classes.count(b"A"), classes.count(b"a")
    return (
        b.translate(_ASCII_TOKENS).decode("ascii").split(),
        digits + capitals + small + classes.count(b"_"),
        classes.count(b"."),
        digits,
        capitals + small,
        capitals,
    )


def _measures_by_pattern(text: str) -> tuple[list[str], int, int, int, int, int]:
    """``_measures`` of any text, by its patterns."""
    tokens = _WORD.findall(text)
    word_chars = sum(map(len, tokens))
    digits = len(_NOT_DIGIT.sub("", text))
    return (
        list(map(str.casefold, tokens)),
        word_chars,
        len(_NOT_PUNCT.sub("", text)),
        digits,
        word_chars - text.count("_") - digits,
        len(_NOT_CAPITAL.sub("", text)),
    )


def _leaves(container: HtmlElement) -> list[tuple[HtmlElement, str]]:
    leaves = []
    for el in leaf_blocks(container):
        text = text_of(el)
        if text and _WORD.search(text):
            leaves.append((el, text))
    return leaves


def _links_inside(container: HtmlElement) -> dict[HtmlElement, int]:
    """The characters of the link text under each element of ``container`` that holds a link, white space left out.

    One pass over the container's links, each added to its ancestors up to
    the container: blocks and their parents are asked in turn, and a search
    for links under each one costs more than the few links a page has.
    """
    inside: dict[HtmlElement, int] = {}
    for a in container.iter("a"):
        text = text_of(a)
        n = len(text) - text.count(" ")  # text_of's only spaces are between words
        node = a.getparent() if a is not container else None
        while node is not None:
            inside[node] = inside.get(node, 0) + n
            if node is container:
                break
            node = node.getparent()
    return inside


def _with_images(container: HtmlElement) -> set[HtmlElement]:
    """The elements of ``container`` (itself included) with an <img> under them (a climb from each
    image: a search under each block for an image costs more than the few images a page has)."""
    return holders_of(container, "img")


def _link_chars(el: HtmlElement, inside: dict[HtmlElement, int]) -> int:
    """The characters of ``el``'s link text, white space left out: a link's own text, else the links under it (``inside``)."""
    if el.tag == "a":
        text = text_of(el)
        return len(text) - text.count(" ")
    return inside.get(el, 0)


def article_blocks(container: HtmlElement, title: str | None = None, description: str | None = None) -> list[Block]:
    """Return the innermost blocks with word text of ``container``, in page order, with their features.

    :param container: the article element (or a page body).
    :param title: the page's title, for the overlap feature (None: 0).
    :param description: the page's own description (og:description, description), for its overlap feature.
    """
    leaves = _leaves(container)
    if not leaves:
        return []
    # Each block's parent, asked once: the features below read it five times.
    parents = [el.getparent() for el, _ in leaves]
    title_words = {t.casefold() for t in _WORD.findall(title or "")}
    description_words = {t.casefold() for t in _WORD.findall(description or "")}
    counts: dict[str, int] = {}
    keys = [text.casefold() for _, text in leaves]
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    total = sum(len(text) for _, text in leaves)
    n = len(leaves)
    log_blocks, log_total = math.log1p(n), math.log1p(total)

    ancestry = _Ancestry(container)
    links = _links_inside(container)
    with_image = _with_images(container)
    own: list[list[float]] = []
    distinct_words: list[set[str]] = []  # each block's case-folded tokens, once each: for both overlaps
    words: list[frozenset[str]] = []
    for (el, text), parent in zip(leaves, parents, strict=True):
        chars = len(text)
        folded, word_chars, punct, digits, letters, capitals = _measures(text)
        token_count = len(folded)
        tag = el.tag
        flags, block_words = ancestry.under(el, parent)
        own_signal = float(class_signal(el))
        cmin = min(own_signal, flags[7]) if flags[6] else own_signal
        cmax = max(own_signal, flags[8]) if flags[6] else own_signal
        row = [
            math.log1p(chars),
            math.log1p(token_count),
            min(
                _link_chars(el, links) / max(chars - text.count(" "), 1), 1.0
            ),  # text_of's only spaces are between words
            punct / chars,
            float(text.count(",") + text.count("，") + text.count("、")),
            float(text.endswith(_SENTENCE_END)),
            digits / chars,
            capitals / max(letters, 1),
            sum(map(_STOPWORDS.__contains__, folded)) / max(token_count, 1),
            word_chars / max(token_count, 1),
            float(tag in _HEADINGS),
            *_ONE_HOT.get(str(tag), _NO_TAG),
            flags[0] or float(tag in _IN_LIST),
            flags[1] or float(tag in _IN_TABLE),
            flags[2] or float(tag in _IN_FIGURE),
            flags[3] or float(tag in _IN_QUOTE),
            flags[4] or float(tag in _IN_FURNITURE),
            flags[5],
            float(el in with_image),
            flags[6],
            cmin,
            cmax,
        ]
        own.append(row)
        distinct_words.append(set(folded))
        words.append(block_words)

    prose = _prose_positions(leaves, own)
    masses = _masses(container, leaves, parents, own, total)
    shapes = [_shape(el, parent) for (el, _), parent in zip(leaves, parents, strict=True)]
    shape_counts = Counter(shapes)
    items = _Items(container, links)
    blocks = []
    sibling_tags: dict[HtmlElement, dict[object, int]] = {}
    before = 0
    last_heading = -1
    whole = max(total, 1)
    for i, ((el, text), parent) in enumerate(zip(leaves, parents, strict=True)):
        chars = len(text)
        same_tag = 0
        if parent is not None:
            tags = sibling_tags.get(parent)
            if tags is None:
                tags = sibling_tags[parent] = {}
                for c in parent:  # a loop, not a Counter of a generator: asked of every parent of a block
                    t = c.tag
                    tags[t] = tags.get(t, 0) + 1
            same_tag = tags[el.tag] - 1
        prev_row = own[i - 1] if i > 0 else None
        next_row = own[i + 1] if i + 1 < n else None
        distinct = distinct_words[i]
        context = [
            i / n,
            before / whole,
            (total - before - chars) / whole,
            log_blocks,
            log_total,
            float(counts[keys[i]] - 1),
            float(same_tag),
            # The share of the block's distinct words in the title, then in the description (a call each cost more).
            len(distinct & title_words) / len(distinct) if title_words and distinct else 0.0,
            prev_row[0] if prev_row else -1.0,
            prev_row[2] if prev_row else -1.0,
            next_row[0] if next_row else -1.0,
            next_row[2] if next_row else -1.0,
            float(i - last_heading) if last_heading >= 0 else -1.0,
            *prose[i],
            math.log1p(shape_counts[shapes[i]] - 1),
            items.repeats(el, parent),
            items.link_share(el, parent),
            len(distinct & description_words) / len(distinct) if description_words and distinct else 0.0,
            *masses[i],
        ]
        if el.tag in _HEADINGS:
            last_heading = i
        blocks.append(Block(el, text, (*own[i], *context), words[i]))
        before += chars
    return blocks


# A block of running prose: long, few links, ends as a sentence. Where the article's prose
# starts and ends tells the body from what is stacked before and after it (teasers, credits).
_PROSE_MIN_CHARS = 120
_PROSE_MAX_LINK_SHARE = 0.3


def _prose_positions(leaves: list[tuple[HtmlElement, str]], own: list[list[float]]) -> list[tuple[float, float, float]]:
    """Per block: the share of the prose characters before it and after it, and log1p of the blocks to the nearest prose."""
    is_prose = [
        len(text) >= _PROSE_MIN_CHARS and row[2] < _PROSE_MAX_LINK_SHARE and row[5] == 1.0
        for (_, text), row in zip(leaves, own, strict=True)
    ]
    sizes = [len(text) if p else 0 for (_, text), p in zip(leaves, is_prose, strict=True)]
    total = sum(sizes)
    n = len(leaves)
    # Distance in blocks to the nearest prose block, by a pass each way.
    far = float(n)
    dist = [far] * n
    last = None
    for i in range(n):
        if is_prose[i]:
            last = i
        if last is not None:
            dist[i] = float(i - last)
    last = None
    for i in range(n - 1, -1, -1):
        if is_prose[i]:
            last = i
        if last is not None:
            dist[i] = min(dist[i], float(last - i))
    out = []
    before = 0
    for i in range(n):
        after = total - before - sizes[i]
        out.append((before / total if total else -1.0, after / total if total else -1.0, math.log1p(dist[i])))
        before += sizes[i]
    return out


# The article's body: the innermost element, from the longest prose block up, that holds this share of the prose.
_BODY_PROSE_SHARE = 0.6


def _masses(
    container: HtmlElement,
    leaves: list[tuple[HtmlElement, str]],
    parents: list[HtmlElement | None],
    own: list[list[float]],
    total: int,
) -> list[tuple[float, float, float, float, float]]:
    """Per block: the share of the container's text under its parent, grandparent and great-grandparent, and where it sits against the body.

    The body is the innermost element (the longest prose block's ancestors,
    climbing) holding ``_BODY_PROSE_SHARE`` of the prose characters; ``in_body``
    is 1 for a block under it, 0 for one beside it, -1 without prose, and
    ``levels_to_body`` how many levels up from the block it is (-1 beside it).
    A teaser, a caption or a promo sits in a small box of its own; the
    article's paragraphs share a parent that holds most of the text.
    """
    # The text of the blocks under each parent, then each parent's climb once (not each block's:
    # the paragraphs of a body, the items of a list share theirs).
    direct: dict[HtmlElement | None, int] = {}
    direct_prose: dict[HtmlElement | None, int] = {}
    prose_total = 0
    longest = -1
    for i, ((_, text), parent, row) in enumerate(zip(leaves, parents, own, strict=True)):
        chars = len(text)
        direct[parent] = direct.get(parent, 0) + chars
        if chars >= _PROSE_MIN_CHARS and row[2] < _PROSE_MAX_LINK_SHARE and row[5] == 1.0:
            direct_prose[parent] = direct_prose.get(parent, 0) + chars
            prose_total += chars
            if longest < 0 or chars > len(leaves[longest][1]):
                longest = i
    mass: dict[HtmlElement, int] = {}
    prose_mass: dict[HtmlElement, int] = {}
    chains: dict[HtmlElement | None, list[HtmlElement]] = {}
    for parent, chars in direct.items():
        prose = direct_prose.get(parent, 0)
        chain = []
        node = parent
        while node is not None:
            chain.append(node)
            mass[node] = mass.get(node, 0) + chars
            if prose:
                prose_mass[node] = prose_mass.get(node, 0) + prose
            if node is container:
                break
            node = node.getparent()
        chains[parent] = chain
    body = None
    if longest >= 0:
        body = next(
            (a for a in chains[parents[longest]] if prose_mass.get(a, 0) >= _BODY_PROSE_SHARE * prose_total),
            None,
        )
    whole = max(total, 1)
    found: dict[HtmlElement | None, tuple[float, float, float, float, float]] = {}
    for parent, chain in chains.items():
        up = [mass[a] / whole for a in chain[:3]]
        up += [up[-1] if up else 1.0] * (3 - len(up))  # at the container: its own share
        if body is None:
            where = (-1.0, -1.0)
        elif body in chain:
            where = (1.0, float(chain.index(body)))
        else:
            where = (0.0, -1.0)
        found[parent] = (up[0], up[1], up[2], *where)
    return [found[parent] for parent in parents]


def _shape(el: HtmlElement, parent: HtmlElement | None) -> tuple[object, ...]:
    """A block's shape: its tag and class, and its parent's: repeated captions, credits and teasers share one."""
    if parent is None:
        return (el.tag, el.get("class"))
    return (el.tag, el.get("class"), parent.tag, parent.get("class"))


class _Items:
    """What a block's parent and grandparent say: repeated like list items, and their link share (memoized)."""

    def __init__(self, container: HtmlElement, links: dict[HtmlElement, int]) -> None:
        self.container = container
        self.links = links  # _links_inside(container)
        self.memo_repeats: dict[HtmlElement, float] = {}
        self.memo_links: dict[HtmlElement, float] = {}
        # Per parent, how many children have each (tag, class): counted once, not once per child.
        self.memo_shapes: dict[HtmlElement, Counter[tuple[object, str | None]]] = {}

    def _siblings_alike(self, el: HtmlElement) -> int:
        parent = el.getparent()
        if parent is None or el is self.container:
            return 0
        shapes = self.memo_shapes.get(parent)
        if shapes is None:
            shapes = self.memo_shapes[parent] = Counter(
                (c.tag, c.get("class")) for c in parent if isinstance(c.tag, str)
            )
        return shapes[(el.tag, el.get("class"))] - 1  # el is one of them

    def repeats(self, el: HtmlElement, parent: HtmlElement | None) -> float:
        """log1p of the most siblings alike (same tag and class) of the block's parent or grandparent."""
        if parent is None or parent is self.container:
            return 0.0
        found = self.memo_repeats.get(parent)
        if found is None:
            count = self._siblings_alike(parent)
            grand = parent.getparent()
            if grand is not None and grand is not self.container:
                count = max(count, self._siblings_alike(grand))
            found = self.memo_repeats[parent] = math.log1p(count)
        return found

    def link_share(self, el: HtmlElement, parent: HtmlElement | None) -> float:
        """The share of the block's parent's text (the block's own, at the container) that is link text."""
        if parent is None or el is self.container or parent is self.container:
            parent = el
        found = self.memo_links.get(parent)
        if found is None:
            chars = text_chars(parent)  # counted, not read: a parent is often the container
            found = self.memo_links[parent] = min(_link_chars(parent, self.links) / max(chars, 1), 1.0)
        return found


# --- the unit itself: one run of text, one block ---------------------------

# Elements whose loose text runs become paragraphs of their own: the containers
# of running text. Not list items, headings, table structure or captions, where a
# paragraph around a line would change how it reads.
_SPLIT_TAGS = frozenset("div p section article main center blockquote td dd".split())
# A list item holding no blocks whose text has blank lines is paragraphs too (an item that
# runs on for paragraphs: "<li><b>Taste</b> – We brewed …<br><br>I had five team members …").
# Its loose text beside a nested list is its title, and stays as it is.
_ITEM_TAGS = frozenset({"li"})
# Blocks that go when they hold only line breaks: not cells or items, whose place is structure.
_SPACER_TAGS = frozenset("div p center".split())

RULES: dict[str, str] = {
    "loose_text": "a container's own text beside its blocks becomes a paragraph of its own",
    "blank_line_paragraphs": "runs of text apart by a blank line (<br><br>) become paragraphs",
    "wrapped_blank_lines": "a blank line inside inline wrappers (<span>A<br><br></span><b>B</b>) parts paragraphs too",
    "item_paragraphs": "a list item without blocks whose text has blank lines becomes the paragraphs it shows",
    "edge_blank_lines": "blank lines at the start or end of a block (<p><br><br>Text</p>) go: they show only space",
    "spacer_blocks": "a block holding nothing but line breaks (a page builder's empty line) goes",
}

# Rules switched off; only the benchmark's ablation sets this.
DISABLED: frozenset[str] = frozenset()


def split_mixed_blocks(container: HtmlElement) -> int:
    """Give each run of text under ``container`` a block of its own; return how many blocks were made.

    The stages and the scorer decide on whole blocks, so a block holding
    two things is kept or dropped whole. Two such mixes are undone here:

    - text of a container beside its blocks (``<div>By Jane Doe<p>…</p></div>``,
      or an inline wrapper holding blocks, ``<p><span>Intro<h3>…</h3></span></p>``):
      each run of inline content between the blocks is wrapped in a ``<p>``
      (``loose_text``);
    - paragraphs separated only by blank lines (``text<br><br>text``): each
      run between the double line breaks becomes a ``<p>``, the breaks go
      (``blank_line_paragraphs``), also where the breaks sit inside inline
      wrappers (``<span>A<br><br></span><b>B</b>``, a pasted document: the
      wrappers are cut in two at the blank line, ``wrapped_blank_lines``), and
      in a list item that holds no blocks (``item_paragraphs``). Blank lines
      before the first or after the last run of a block go
      (``edge_blank_lines``), and so do blocks holding only line breaks
      (``spacer_blocks``).

    A ``<p>`` that holds blocks becomes a ``<div>`` (a paragraph cannot hold
    one). Runs without word text stay as they were; a single line
    break (an address, a verse) stays inside its run. Nothing in code,
    headings or table structure is touched. Pure in-place tree edit.
    """
    holders = block_holders(container)
    for el in holders:
        if el.tag == "p":  # a paragraph holding blocks (through an inline wrapper) is a container
            el.tag = "div"
    if "spacer_blocks" not in DISABLED:
        _remove_spacers(container, holders)
    todo: list[HtmlElement] = []
    if "loose_text" not in DISABLED:
        # Each element's runs are its own children: the order they are wrapped in changes nothing.
        todo = [el for el in holders if _has_loose_text(el, holders)]
    if "blank_line_paragraphs" not in DISABLED:
        todo += _with_blank_lines(container, holders, set(todo))
    made = 0
    for el in todo:
        item = el.tag in _ITEM_TAGS and el not in holders  # an item's paragraphs (its title beside a list stays)
        if not item and (el.tag in CODE_TAGS or (el.tag in BLOCK_TAGS and el.tag not in _SPLIT_TAGS) or in_code(el)):
            continue
        made += _wrap_runs(el, el in holders)
    return made


def _with_blank_lines(container: HtmlElement, holders: set[HtmlElement], seen: set[HtmlElement]) -> list[HtmlElement]:
    """The blocks of ``container`` whose text has a blank line, its breaks lifted out of inline wrappers.

    Found from their <br>s (few), not by reading every block: each <br>'s
    nearest block ancestor, through inline elements only.
    """
    found: dict[HtmlElement, bool] = {}  # block -> a <br> of it sits in an inline wrapper
    for br in container.iter("br"):
        node, wrapped = _block_of(br, container)
        if node is None:
            continue
        found[node] = found.get(node, False) or wrapped
    todo = []
    for el, wrapped in found.items():
        if el in seen or in_code(el):
            continue
        if el.tag in _ITEM_TAGS:
            if "item_paragraphs" in DISABLED or el in holders:
                continue
        elif el.tag not in _SPLIT_TAGS:
            continue
        if wrapped and "wrapped_blank_lines" not in DISABLED:
            for br in _blank_line_breaks(el):
                _lift(br, el)
        if _has_blank_line(el):
            todo.append(el)
    return todo


def _block_of(br: HtmlElement, container: HtmlElement) -> tuple[HtmlElement | None, bool]:
    """The nearest block holding ``br`` through inline elements (``container`` at most), and whether one was passed."""
    node = br.getparent()
    wrapped = False
    while node is not None and node is not container and node.tag not in BLOCK_TAGS:
        node, wrapped = node.getparent(), True
    return node, wrapped


def _blank_line_breaks(el: HtmlElement) -> list[HtmlElement]:
    """The <br>s under ``el`` (through inline elements) that make blank lines: two or more with only white space between.

    Read in document order; the opening or closing of an inline wrapper
    between two breaks is no content, an image or any other element is.
    """
    found: list[HtmlElement] = []
    last: list[HtmlElement | None] = [None]  # the last <br> with only white space after it

    def text(s: str | None) -> None:
        if s and s.strip():
            last[0] = None

    def walk(node: HtmlElement) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                text(child.tail)
                continue
            if child.tag == "br":
                if last[0] is not None:
                    if not found or found[-1] is not last[0]:
                        found.append(last[0])
                    found.append(child)
                last[0] = child
            elif child.tag in BLOCK_TAGS or not (len(child) or child.text):
                last[0] = None  # a block, an image, an input: content
            else:
                text(child.text)
                walk(child)
            text(child.tail)

    text(el.text)
    walk(el)
    return found


def _lift(br: HtmlElement, el: HtmlElement) -> None:
    """Move ``br`` up to a child of ``el``, cutting each inline wrapper on the way in two at it.

    ``<p><span>A<br>B</span></p>`` becomes ``<p><span>A</span><br><span>B</span></p>``:
    the same text in the same wrappers, the break between them.
    """
    parent = br.getparent()
    while parent is not None and parent is not el:
        grand = parent.getparent()
        if grand is None:
            return
        right = lxml.html.Element(parent.tag, dict(parent.attrib))
        right.text, br.tail = br.tail, None
        for sibling in list(br.itersiblings()):
            right.append(sibling)
        parent.remove(br)
        right.tail, parent.tail = parent.tail, None
        at = grand.index(parent)
        grand.insert(at + 1, br)
        if right.text or len(right):
            grand.insert(at + 2, right)
        elif right.tail:
            br.tail = (br.tail or "") + right.tail
        if not parent.text and not len(parent):  # nothing was before the break: no empty copy
            grand.remove(parent)
        parent = grand


def _remove_spacers(container: HtmlElement, holders: set[HtmlElement]) -> None:
    """Remove the blocks that hold only line breaks (through empty inline wrappers): empty lines of a page builder."""
    for br in list(container.iter("br")):
        node, _ = _block_of(br, container)
        if node is None or node is container or node in holders or node.tag not in _SPACER_TAGS:
            continue
        if node.getparent() is not None and not _has_content(node):
            node.drop_tree()  # its tail stays


def _has_content(el: HtmlElement) -> bool:
    """True if ``el`` holds text or an element other than <br> and inline wrappers of them."""
    if (el.text or "").strip():
        return True
    for child in el:
        if not isinstance(child.tag, str):
            if (child.tail or "").strip():
                return True
            continue
        if (child.tail or "").strip():
            return True
        if child.tag == "br":
            continue
        if child.tag in BLOCK_TAGS or not (len(child) or child.text) or _has_content(child):
            return True
    return False


def _has_loose_text(el: HtmlElement, holders: set[HtmlElement]) -> bool:
    """True if ``el`` (which holds blocks) has text or inline content of its own beside them."""
    if el.text and el.text.strip():
        return True
    for child in el:
        if child.tail and child.tail.strip():
            return True
        if isinstance(child.tag, str) and child.tag not in BLOCK_TAGS and child not in holders and child.tag != "br":
            return True
    return False


def _has_blank_line(el: HtmlElement) -> bool:
    """True if two <br> children of ``el`` follow each other with only white space between."""
    prev_br = False
    for child in el:
        is_br = child.tag == "br"
        if is_br and prev_br:
            return True
        prev_br = is_br and not (child.tail or "").strip()
    return False


def _wrap_runs(el: HtmlElement, holds_blocks: bool) -> int:
    """Wrap each run of ``el``'s inline content (between blocks and blank lines) that has word text in a <p>."""
    items = _take_content(el)
    runs: list[list[str | HtmlElement]] = [[]]
    breaks: list[HtmlElement | None] = []  # what ends each run: a block, or None for a blank line
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, str) or not isinstance(item.tag, str):
            runs[-1].append(item)
        elif item.tag in BLOCK_TAGS or next(item.iterdescendants(*BLOCK_TAGS), None) is not None:
            breaks.append(item)
            runs.append([])
        elif item.tag == "br" and _next_is_br(items, i):
            while i + 1 < len(items) and (_is_br(items[i + 1]) or _is_space(items[i + 1])):
                i += 1
            breaks.append(None)
            runs.append([])
        else:
            runs[-1].append(item)
        i += 1
    worded = {n for n, run in enumerate(runs) if _WORD.search(_run_text(run))}
    if len(worded) < (1 if holds_blocks else 2):
        if (
            not holds_blocks
            and len(worded) == 1
            and None in breaks
            and "edge_blank_lines" not in DISABLED
            and not any(_has_any(run) for n, run in enumerate(runs) if n not in worded)
        ):
            _refill(el, runs[min(worded)])  # one run and blank lines around it: the run alone
            return 0
        _refill(el, items)  # nothing to split: the nodes go back as they were
        return 0
    if el.tag == "p":  # a paragraph cut into paragraphs
        el.tag = "div"
    made = 0
    for n, run in enumerate(runs):
        if n in worded:
            wrapper = lxml.html.Element("p")
            _refill(wrapper, run)
            el.append(wrapper)
            made += 1
        else:
            for node in run:
                _append(el, node)
        if n < len(breaks):
            block = breaks[n]
            if block is not None:
                el.append(block)
    return made


def _take_content(el: HtmlElement) -> list[str | HtmlElement]:
    """Take ``el``'s content out, in order: its text, each child, each child's tail (``el`` is left empty)."""
    items: list[str | HtmlElement] = [el.text] if el.text else []
    for child in el:
        tail, child.tail = child.tail, None
        items.append(child)
        if tail:
            items.append(tail)
    el.text = None
    for child in list(el):
        el.remove(child)
    return items


def _is_br(item: str | HtmlElement) -> bool:
    return not isinstance(item, str) and item.tag == "br"


def _is_space(item: str | HtmlElement) -> bool:
    return isinstance(item, str) and not item.strip()


def _next_is_br(items: list[str | HtmlElement], i: int) -> bool:
    """True if the next item after ``items[i]`` that is not white space is a <br>."""
    j = i + 1
    while j < len(items) and _is_space(items[j]):
        j += 1
    return j < len(items) and _is_br(items[j])


def _has_any(run: list[str | HtmlElement]) -> bool:
    """True if a run holds an element (an image, a line break within it) or text that is not white space."""
    return any(not isinstance(item, str) or item.strip() for item in run)


def _run_text(run: list[str | HtmlElement]) -> str:
    # text_content, not text_of: a wrapper just cut in two at a break has a new text.
    return "".join(item if isinstance(item, str) else text_content(item) for item in run)


def _refill(el: HtmlElement, nodes: list[str | HtmlElement]) -> None:
    for node in nodes:
        _append(el, node)


def _append(el: HtmlElement, node: str | HtmlElement) -> None:
    """Append a text or an element to ``el``'s content (text goes to ``el.text`` or its last child's tail)."""
    if isinstance(node, str):
        if len(el):
            last = el[-1]
            last.tail = (last.tail or "") + node
        else:
            el.text = (el.text or "") + node
    else:
        el.append(node)
