"""Say which annotated article text the heuristics remove before the learned scorer sees it, and which rule did.

Usage::

    python bench/lost_text.py DATASET [DATASET ...] [--folds-only 3,4] [--folds K]
                              [--pages N] [--groups N] [--page KEY] [--json FILE]

The learned block scorer only removes blocks; whatever annotated text the
stages before it (site rules, pruning, the choice of the article
container, boilerplate, edges, chrome) take away, no scorer can give back.
For each page this cleans it as the service does, with a stand-in scorer
that keeps every block and records them (the scorer's candidate blocks,
as ``bench/train_scorer.py`` collects them), and with a recorder that keeps
every removal's full text (``feedsvc.clean.explain.Removal.text``).

A truth shingle (the metric's 4-token window, ``extraction.shingles``) is
*lost* when the candidate blocks hold fewer copies of it than the
annotated ``articleBody``. Each lost shingle is put on the first removal
whose text holds it (stage order: what went first took it); one that no
removal holds is ``not in the page's text`` when the page's own text
(its body's text, read as the metric reads an output) lacks it too (the annotation says what
the page does not), else ``unrecorded`` (text changed in place, or a
stage that cuts without telling the recorder).

Pages weigh as in the metric: a removal's loss is its share of the page's
truth shingles (recall points of that page). The summary groups losses by
stage and rule (the rule's quoted selector or word kept apart, so one rule
is one group) and by the removed element's kind (its tag, and "links"
when most of its text is link text is not knowable after removal, so the
tag and its text length stand in); each group says the pages it cost, the
recall points summed over pages, and the pages it pushes below 0.95 on
its own (a page whose pre-scorer recall would reach 0.95 without it).

``--folds-only`` keeps the tuning folds (3, 4 since session 24): rules are
looked at only on pages they are tuned on; the held-out folds are measured
with ``bench/extraction.py --scorer``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
from lxml.html import HtmlElement

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import CLEAN_AT, Page, fold_of, html_to_text, load, page_tree, shingles

from feedsvc.clean import clean_explained, scorer
from feedsvc.clean.blocks import FEATURES, Block
from feedsvc.clean.explain import Removal

# A rule's reason with its quoted parts (a selector, a class word) and numbers folded, for the coarse grouping.
_QUOTED = re.compile(r"'[^']*'|\d+(?:\.\d+)?%?")
_WORD = re.compile(r"\w+")


class _Keep(scorer.BlockModel):
    """A stand-in model that keeps every block."""

    def __init__(self) -> None:
        super().__init__(FEATURES, (), (), 0.0, {})

    def probability(self, block: Block) -> float:
        return 1.0


@dataclass
class Loss:
    """The truth shingles one removal took from one page."""

    stage: str
    reason: str
    tag: str
    where: str
    excerpt: str
    chars: int
    shingles: int


@dataclass
class PageLoss:
    """One page: its truth size, what the candidate blocks hold of it, and the losses by removal."""

    key: str
    fold: int
    truth: int
    kept: int
    losses: list[Loss] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """The recall of the candidate blocks (the best any scorer could keep)."""
        return self.kept / self.truth if self.truth else 1.0


def page_text(html: str) -> str:
    """Return all the text of a page's body as the metric reads an output (one line per block; no scripts)."""
    # read as UTF-8 (page_tree): read as Latin-1, a page's lost accented text looked absent from it
    root = page_tree(html)
    body = root.find("body")
    return html_to_text(lxml.html.tostring(body if body is not None else root, encoding="unicode"))


def lost_on(page: Page) -> PageLoss:
    """Clean ``page`` with every block kept by the scorer and put its lost truth shingles on removals."""
    seen: list[str] = []
    score_blocks = scorer.score_blocks

    def capture(article: HtmlElement, *args: Any, **kwargs: Any) -> Any:
        # What reaches the scorer: its blocks and the loose text beside them it cannot remove.
        seen.append(html_to_text(lxml.html.tostring(article, encoding="unicode")))
        return score_blocks(article, *args, **kwargs)

    saved = scorer.MODEL, scorer.ENABLED
    scorer.MODEL, scorer.ENABLED, scorer.score_blocks = _Keep(), True, capture  # type: ignore[assignment]
    try:
        found = clean_explained(page.html, base_url=page.url or None)
    finally:
        (scorer.MODEL, scorer.ENABLED), scorer.score_blocks = saved, score_blocks  # type: ignore[assignment]
    # No scorer ran (nothing extracted): the output is all that reached that point.
    kept_text = seen[-1] if seen else html_to_text(found.html)
    truth = shingles(page.truth["articleBody"])
    kept = shingles(kept_text)
    missing = truth - kept
    result = PageLoss(page.key, -1, sum(truth.values()), sum((truth & kept).values()))
    if not missing:
        return result
    removals = [r for r in found.removals if r.text]
    by_removal, unrecorded, absent = _attribute(page, missing, removals)
    for i, n in by_removal.items():
        r: Removal = removals[i]
        result.losses.append(Loss(r.stage, r.reason, r.tag, r.where, r.excerpt, r.chars, n))
    if unrecorded:
        result.losses.append(Loss("-", "unrecorded", "-", "", "", 0, unrecorded))
    if absent:
        result.losses.append(Loss("-", "not in the page's text", "-", "", "", 0, absent))
    result.losses.sort(key=lambda loss: -loss.shingles)
    return result


def _attribute(
    page: Page, missing: Counter[tuple[str, ...]], removals: Sequence[Removal]
) -> tuple[Counter[int], int, int]:
    """Return lost shingles per removal (by index), and those no removal holds: in the page's text, and not.

    Tokens, not whole shingles, are matched: a shingle that straddles the
    end of a kept paragraph and the start of a removed list lies in neither,
    so each lost shingle goes to the removal that holds most of its tokens
    at that place of the truth (a removal holds the truth tokens its own
    shingles, or its whole text when shorter, match; removals of fewer
    than four words only hold tokens no longer one does); ties to the earlier.
    """
    tokens = _WORD.findall(page.truth["articleBody"])
    size = 4
    if len(tokens) < size:
        starts = {tuple(tokens): [0]} if tokens else {}
        size = len(tokens)
    else:
        starts = {}
        for i in range(len(tokens) - size + 1):
            starts.setdefault(tuple(tokens[i : i + size]), []).append(i)
    holder: dict[int, int] = {}
    # Removals of a few words ("Home", "Share") match anywhere: they hold only what longer ones do not.
    words = [_WORD.findall(r.text) for r in removals]
    order = sorted(range(len(removals)), key=lambda k: len(words[k]) < size)
    for index in order:
        own = words[index]
        if len(own) >= size:
            grams = {tuple(own[k : k + size]) for k in range(len(own) - size + 1)}
            places = (i for gram in grams for i in starts.get(gram, ()))
            width = size
        else:
            width = len(own)
            places = (i for i in range(len(tokens) - width + 1) if width and tokens[i : i + width] == own)
        for i in places:
            for j in range(i, i + width):
                holder.setdefault(j, index)

    def held(i: int) -> int:
        return sum(1 for j in range(i, i + size) if j in holder)

    # The lost shingles' places: a shingle missing m times of n is lost at the m places a removal holds most of.
    lost = sorted(
        i for gram, m in missing.items() for i in sorted(starts.get(gram, []), key=lambda i: (-held(i), i))[:m]
    )
    by_removal: Counter[int] = Counter()
    unrecorded = absent = 0
    everywhere: Counter[tuple[str, ...]] | None = None
    for i in lost:
        votes = Counter(holder[j] for j in range(i, i + size) if j in holder)
        if votes:
            best = max(votes.values())
            by_removal[min(k for k, v in votes.items() if v == best)] += 1
            continue
        if everywhere is None:
            everywhere = shingles(page_text(page.html))
        if tuple(tokens[i : i + size]) in everywhere:
            unrecorded += 1
        else:
            absent += 1
    return by_removal, unrecorded, absent


def kind_of(loss: Loss) -> str:
    """Return a removed block's kind: its tag and a size class."""
    size = "short" if loss.chars < 200 else "long" if loss.chars >= 2000 else "medium"
    return f"<{loss.tag}> {size}" if loss.tag != "-" else loss.reason


@dataclass
class Group:
    """Losses of one kind over pages."""

    pages: set[str] = field(default_factory=set)
    points: float = 0.0
    decisive: set[str] = field(default_factory=set)
    examples: list[tuple[float, str, str]] = field(default_factory=list)


def group(pages: Sequence[PageLoss], key_of: object) -> dict[str, Group]:
    """Return the losses grouped by ``key_of(loss)``, with pages, recall points and decisive pages."""
    groups: dict[str, Group] = {}
    for pl in pages:
        per: Counter[str] = Counter()
        for loss in pl.losses:
            key = key_of(loss)  # type: ignore[operator]
            per[key] += loss.shingles
            g = groups.setdefault(key, Group())
            g.examples.append((loss.shingles / pl.truth, pl.key, f"{loss.where} {loss.excerpt!r}"))
        for key, n in per.items():
            g = groups[key]
            g.pages.add(pl.key)
            g.points += n / pl.truth
            if pl.recall < CLEAN_AT <= (pl.kept + n) / pl.truth:
                g.decisive.add(pl.key)
    return groups


def print_groups(title: str, groups: dict[str, Group], top: int, examples: int = 3) -> None:
    """Print the ``top`` groups by recall points lost."""
    print(f"\n{title}")
    print(f"  {'points':>7} {'pages':>5} {'decisive':>8}  group")
    for key, g in sorted(groups.items(), key=lambda kv: -kv[1].points)[:top]:
        print(f"  {g.points:7.2f} {len(g.pages):5d} {len(g.decisive):8d}  {key}")
        for share, page, where in sorted(g.examples, reverse=True)[:examples]:
            print(f"  {'':22}{share:5.1%} {page}: {where[:150]}")


def main(argv: list[str] | None = None) -> int:
    """Diagnose the pages and print the groups."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--folds", type=int, default=5, help="folds of domains (as bench/extraction.py)")
    parser.add_argument("--folds-only", default=None, help="only pages of these folds, e.g. 3,4 (the tuning folds)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each dataset")
    parser.add_argument("--pages", type=int, default=25, help="list the N pages that lose most")
    parser.add_argument("--groups", type=int, default=15, help="list the N largest groups of each grouping")
    parser.add_argument("--page", action="append", default=[], help="only this page (dataset/id), repeatable")
    parser.add_argument("--json", type=Path, default=None, help="write every page's losses to FILE")
    args = parser.parse_args(argv)
    wanted = {int(f) for f in args.folds_only.split(",")} if args.folds_only else None
    pages = [
        p
        for p in load(args.datasets, args.limit)
        if (wanted is None or fold_of(p.domain, args.folds) in wanted) and (not args.page or p.key in args.page)
    ]
    results = []
    for page in pages:
        pl = lost_on(page)
        pl.fold = fold_of(page.domain, args.folds)
        results.append(pl)
    truthful = [pl for pl in results if pl.truth]
    mean = sum(pl.recall for pl in truthful) / max(len(truthful), 1)
    below = sum(1 for pl in truthful if pl.recall < CLEAN_AT)
    print(
        f"{len(results)} pages (folds {args.folds_only or 'all'}): candidate-block recall {mean:.4f}, "
        f"{below} pages below {CLEAN_AT} before the scorer"
    )
    print(f"\nthe {args.pages} pages losing most (candidate-block recall, then the largest losses):")
    for pl in sorted(truthful, key=lambda pl: pl.recall)[: args.pages]:
        print(f"  {pl.recall:6.3f} {pl.key} (fold {pl.fold})")
        for loss in pl.losses[:3]:
            print(
                f"  {'':8}{loss.shingles / pl.truth:6.1%} {loss.stage}: {loss.reason[:70]} | "
                f"{loss.where[:60]} {loss.excerpt[:60]!r}"
            )
    print_groups("by stage and rule:", group(truthful, lambda loss: f"{loss.stage}: {loss.reason}"), args.groups)
    print_groups(
        "by stage and rule, quoted parts folded:",
        group(truthful, lambda loss: f"{loss.stage}: {_QUOTED.sub('…', loss.reason)}"),
        args.groups,
    )
    print_groups("by stage and kind:", group(truthful, lambda loss: f"{loss.stage}: {kind_of(loss)}"), args.groups)
    if args.json:
        data = {
            pl.key: {"fold": pl.fold, "recall": round(pl.recall, 4), "losses": [vars(x) for x in pl.losses]}
            for pl in results
        }
        args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
