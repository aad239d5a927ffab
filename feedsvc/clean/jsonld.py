"""A second witness: the JSON-LD ``articleBody`` some pages carry.

Publishers' structured data often holds the article's plain text. It is
not trusted blindly: it is frequently truncated, stale or a teaser. It is
used only when it agrees with what extraction found (most of its text is
in the article), and then only to trim the article's edges: blocks before
the first and after the last block it confirms, which it does not hold,
go (bylines, standfirsts, sign-offs, promos). The middle of the article is
never touched, since the JSON-LD text often leaves out headings, lists
and captions; nor is a quote cut in two: a line of a ``<blockquote>`` (or
of the ``<figure>`` around one) goes only with the whole quote, so the name
under a quote's words stays with them.

Pure; a stage of ``feedsvc.clean`` (the last pass of stage 3): the pipeline
reads :func:`article_body` from the page before any stage cuts it, and
calls :func:`trim_by_article_body` on the article. It imports only the
leaves below it (``dom``, ``policy``, the ``explain`` recorder), never
another stage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from feedsvc.clean.dom import JSONLD_TYPE, leaf_blocks, quote_of, remove, text_content
from feedsvc.clean.explain import Recorder

__all__ = ["article_body", "trim_by_article_body"]

_WORD = re.compile(r"\w+")
# articleBody shorter than this says too little to judge by.
_MIN_WORDS = 80
# The share of articleBody's word runs the article must hold for it to count.
_AGREEMENT = 0.6
# A block is confirmed when this share of its word runs is in articleBody.
_CONFIRMED = 0.5
_SHINGLE = 4
# At most this share of the article's words is trimmed at either end.
_EDGE_MAX = 0.15


def article_body(root: HtmlElement) -> str | None:
    """Return the longest JSON-LD ``articleBody`` of the page, or None (call before scripts are pruned)."""
    best: str | None = None
    for script in root.iter("script"):
        if not JSONLD_TYPE.search(script.get("type") or ""):
            continue
        raw = script.text or ""
        if "articleBody" not in raw:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for text in _bodies(data, 0):
            if best is None or len(text) > len(best):
                best = text
    return best


def _bodies(data: object, depth: int) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "articleBody" and isinstance(value, str):
                yield value
            elif isinstance(value, (dict, list)):
                yield from _bodies(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _bodies(item, depth + 1)


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    if len(tokens) < _SHINGLE:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1)}


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _WORD.findall(text)]


def trim_by_article_body(article: HtmlElement, body: str | None, rec: Recorder | None = None) -> None:
    """Remove blocks at the article's edges that a trustworthy JSON-LD articleBody does not hold."""
    if not body:
        return
    body_tokens = _tokens(body)
    if len(body_tokens) < _MIN_WORDS:
        return
    reference = _shingles(body_tokens)
    flat = " " + " ".join(body_tokens) + " "
    leaves = leaf_blocks(article)
    confirmed: list[bool] = []
    held = set()
    kept: list[HtmlElement] = []
    sizes: list[int] = []
    for el in leaves:
        tokens = _tokens(text_content(el))
        if not tokens:
            continue
        kept.append(el)
        sizes.append(len(tokens))
        shingles = _shingles(tokens)
        if len(tokens) < _SHINGLE:
            ok = (" " + " ".join(tokens) + " ") in flat
        else:
            hits = shingles & reference
            ok = len(hits) >= _CONFIRMED * len(shingles)
            held |= hits
        confirmed.append(ok)
    if not kept or len(held) < _AGREEMENT * len(reference) or True not in confirmed:
        return
    first = confirmed.index(True)
    last = len(confirmed) - 1 - confirmed[::-1].index(True)
    total = sum(sizes)
    doomed = []
    # A long unconfirmed run means a truncated articleBody, not furniture.
    if sum(sizes[:first]) <= _EDGE_MAX * total:
        doomed += kept[:first]
    if sum(sizes[last + 1 :]) <= _EDGE_MAX * total:
        doomed += kept[last + 1 :]
    going = [el for el in doomed if not _running_text(el)]
    staying = set(kept).difference(going)
    for el in going:
        if _in_a_staying_quote(el, staying):
            continue  # the name and job under a quote's words: the quote's credit, left out as captions are
        remove(el, rec, "boilerplate", "not in the page's JSON-LD articleBody (before or after the text it holds)")


def _running_text(el: HtmlElement) -> bool:
    """Whether an edge block is running text the articleBody left out (an FAQ, a sign-off): not ours to judge."""
    return el.tag not in ("h1", "h2", "h3", "h4", "h5", "h6") and len(" ".join(el.text_content().split())) >= 150


def _in_a_staying_quote(el: HtmlElement, staying: set[HtmlElement]) -> bool:
    """Whether ``el`` is a line of a quote (a ``<blockquote>``, or the ``<figure>`` around one) another line of which stays."""
    quote = quote_of(el)
    return quote is not None and any(leaf in staying for leaf in quote.iterdescendants())
