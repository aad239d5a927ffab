"""Put each wrong shingle of the cleaner's output on the decision that made it, with the scorer held out.

Usage::

    python bench/attribute.py DATASET [DATASET ...] --folds-only 3,4 [--folds K]
                              [--models DIR] [--pages N] [--json FILE]

For each fold named, the learned block scorer is trained on the other
folds (``bench/train_scorer.py``'s ``fit``, as ``bench/extraction.py
--scorer`` does; ``--models DIR`` keeps the fitted files for a second
run), and that fold's pages are cleaned with it and a recorder. Each page's
false positives (output shingles the annotation lacks, the metric's
multiset difference) and false negatives (annotated shingles the output
lacks) are put on one cause each:

- false negatives: the removal that holds most of the shingle's tokens at
  that place of the annotation (``bench/lost_text.py``'s matching): the
  container choice (``extract``: outside the main content), a heuristic
  stage's rule (its stage and reason), the scorer dropping a block the
  labels call article text, or the scorer dropping a block the labels call
  junk that holds article text too (a mixed block); else not in the page's
  text (the annotation says what the page does not) or unrecorded;
- false positives: the block of the output that holds most of the
  shingle's tokens (the output's tokens are matched to the kept blocks in
  order): a junk block the scorer kept, split by whether it lies outside
  the smallest element holding the page's article blocks (a container
  wider than the article: junk beside the body) or inside it; an article
  block that holds junk too (a mixed block: the shingle inside it, or
  across its edge into the kept text beside it, which is a junk block kept
  there or text the truth has between the two); text of no block (loose text
  beside blocks, which the scorer never removes); or a page the scorer did
  not run on (no article found as a whole page).

Labels are the trainer's (``label_blocks``: most of a block's shingles in
the annotation). Pages weigh as in the metric: a cause's precision points
are its false positives over the page's output shingles, its recall points
its false negatives over the truth's. The table lists, per cause, the
shingles, the pages it touches, the points summed over the pages and the
pages where it is the largest cause; only pages that are not clean count.
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

from lxml.html import HtmlElement

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import CLEAN_AT, Page, fold_of, html_to_text, load, page_scores, shingles
from lost_text import _attribute
from train_scorer import collect_article_blocks, fit, label_blocks

from feedsvc.clean import clean_explained, scorer
from feedsvc.clean.blocks import Block, article_blocks

_WORD = re.compile(r"\w+")
_SCORER = "learned block scorer"
_MIXED = "FP mixed block kept (labelled article)"
_MIXED_INSIDE = "FP mixed block kept (labelled article): junk inside it"
_MIXED_EDGE = "FP mixed block kept (labelled article): a shingle across its edge"


@dataclass
class _Seen:
    """What the scorer stage saw on one page: its blocks, their probabilities, ancestors and the kept flags."""

    blocks: list[Block] = field(default_factory=list)
    probs: list[float] = field(default_factory=list)
    kept: list[bool] = field(default_factory=list)
    ancestors: list[tuple[HtmlElement, ...]] = field(default_factory=list)
    threshold: float = 0.5


@dataclass
class PageCauses:
    """One page's wrong shingles by cause."""

    key: str
    fold: int
    p: float
    r: float
    out: int
    truth: int
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)


def _clean(page: Page, model: scorer.BlockModel) -> tuple[Any, _Seen | None]:
    seen: list[_Seen] = []
    original = scorer.score_blocks

    def capture(article: HtmlElement, title: str | None = None, rec: Any = None, **kwargs: Any) -> Any:
        blocks = article_blocks(article, title, kwargs.get("description"))
        ancestors = [tuple(b.element.iterancestors()) for b in blocks]
        scored = original(article, title, rec, **kwargs)
        s = _Seen(threshold=model.threshold)
        for (block, p), up in zip(scored, ancestors, strict=True):
            s.blocks.append(block)
            s.probs.append(p)
            s.ancestors.append(up)
        holding = {a for b, p in scored if p >= model.threshold for a in b.element.iterancestors()}
        s.kept = [p >= model.threshold or b.element in holding for b, p in scored]
        seen.append(s)
        return scored

    saved = scorer.MODEL, scorer.ENABLED
    scorer.MODEL, scorer.ENABLED, scorer.score_blocks = model, True, capture  # type: ignore[assignment]
    try:
        found = clean_explained(page.html, base_url=page.url or None)
    finally:
        (scorer.MODEL, scorer.ENABLED), scorer.score_blocks = saved, original  # type: ignore[assignment]
    return found, (seen[-1] if seen else None)


def _removal_cause(reason: str, stage: str, text: str, labels: dict[str, int]) -> str:
    if reason.startswith(_SCORER):
        label = labels.get(text)
        if label == 1:
            return "FN scorer dropped an article block"
        if label == 0:
            return "FN mixed block dropped (labelled junk)"
        return "FN scorer dropped (block not matched)"
    if stage == "extract":
        return "FN container choice (outside the main content)"
    return f"FN heuristic {stage}: {_fold_reason(reason)}"


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\d+(?:\.\d+)?%?")


def _fold_reason(reason: str) -> str:
    return _QUOTED.sub("…", reason)[:80]


def _align(tokens: Sequence[str], blocks: Sequence[list[str]]) -> list[int]:
    """Return the owner block index of each output token (-1: no block), matching the blocks in order."""
    owner = [-1] * len(tokens)
    first: dict[str, list[int]] = {}
    for i, t in enumerate(tokens):
        first.setdefault(t, []).append(i)
    pos = 0
    for b, toks in enumerate(blocks):
        if not toks:
            continue
        width = len(toks)
        for k in first.get(toks[0], ()):
            if k < pos:
                continue
            if list(tokens[k : k + width]) == toks and all(o == -1 for o in owner[k : k + width]):
                owner[k : k + width] = [b] * width
                pos = k + width
                break
    return owner


def causes_of(page: Page, model: scorer.BlockModel, fold: int) -> PageCauses:
    """Clean ``page`` with ``model`` and put its false positive and false negative shingles on causes."""
    found, seen = _clean(page, model)
    out_text = html_to_text(found.html)
    truth_text = page.truth["articleBody"]
    p, r = page_scores(truth_text, out_text)
    truth, out = shingles(truth_text), shingles(out_text)
    pc = PageCauses(page.key, fold, p or 0.0, 1.0 if r is None else r, sum(out.values()), sum(truth.values()))
    texts = [b.text for b in seen.blocks] if seen else []
    labels_list = label_blocks(truth_text, texts)[0] if texts else []
    labels = dict(zip(texts, labels_list, strict=True))

    # False negatives: on the removal that holds most of their tokens.
    missing = truth - out
    if missing:
        removals = [x for x in found.removals if x.text]
        by_removal, unrecorded, absent = _attribute(page, missing, removals)
        for i, n in by_removal.items():
            x = removals[i]
            cause = _removal_cause(x.reason, x.stage, x.text, labels)
            pc.fn[cause] += n
            pc.examples.setdefault(cause, f"{x.where[:50]} {x.excerpt[:60]!r}")
        if unrecorded:
            pc.fn["FN unrecorded (changed in place / boundary)"] += unrecorded
        if absent:
            pc.fn["FN not in the page's text"] += absent

    # False positives: on the output block that holds most of their tokens.
    extra = out - truth
    if not extra:
        return pc
    if seen is None:
        pc.fp["FP page not scored (no whole-page article)"] += sum(extra.values())
        return pc
    kept = [i for i, k in enumerate(seen.kept) if k]
    tokens = _WORD.findall(out_text)
    owner_local = _align(tokens, [_WORD.findall(texts[i]) for i in kept])
    owner = [kept[o] if o >= 0 else -1 for o in owner_local]
    article_idx = [i for i, lab in enumerate(labels_list) if lab == 1]
    core: HtmlElement | None = None
    if article_idx:
        # The smallest element holding every article block (by their ancestor chains).
        chains = [(seen.blocks[i].element, *seen.ancestors[i]) for i in article_idx]
        common = set(chains[0])
        for chain in chains[1:]:
            common &= set(chain)
        core = next((a for a in chains[0] if a in common), None)

    def cause_at(i: int) -> str:
        votes = Counter(owner[j] for j in range(i, min(i + 4, len(owner))))
        best = max(votes.values())
        # Most tokens win; a block before loose text on a tie, the earlier block of two.
        b = min((k for k, v in votes.items() if v == best), key=lambda k: (k < 0, k))
        if b < 0:
            return "FP loose text (no scorer block)"
        if labels_list[b] == 1:
            return _MIXED
        if core is None:
            return "FP junk block kept, no article block in the container"
        chain = (seen.blocks[b].element, *seen.ancestors[b])
        if core in chain:
            return "FP junk block kept, inside the article's span"
        return "FP junk block kept, beside the body (container wider)"

    positions: dict[tuple[str, ...], list[int]] = {}
    size = 4 if len(tokens) >= 4 else len(tokens)
    for i in range(len(tokens) - size + 1):
        positions.setdefault(tuple(tokens[i : i + size]), []).append(i)
    for gram, m in extra.items():
        places = positions.get(gram, [])
        # The m wrong copies: those not in an article block first.
        ranked = sorted(places, key=lambda i: (cause_at(i) == _MIXED, i))
        for i in ranked[:m]:
            cause = cause_at(i)
            if cause == _MIXED:
                # Junk inside the block, or a shingle across its edge into the kept text beside it
                # (a junk block kept there, or text the truth has between the two).
                inside = len(set(owner[i : i + size])) == 1
                cause = _MIXED_INSIDE if inside else _MIXED_EDGE
            pc.fp[cause] += 1
            if cause not in pc.examples:
                b = owner[i]
                pc.examples[cause] = texts[b][:80] if b >= 0 else " ".join(tokens[i : i + 8])
        if len(places) < m:
            pc.fp["FP unmatched"] += m - len(places)
    return pc


def _models(pages: Sequence[Page], folds: int, wanted: set[int], cache: Path | None) -> dict[int, scorer.BlockModel]:
    models: dict[int, scorer.BlockModel] = {}
    todo = []
    for f in sorted(wanted):
        path = cache / f"fold{f}.json" if cache else None
        if path is not None and path.exists():
            models[f] = scorer.read_model(path.read_text(encoding="utf-8"), str(path))
        else:
            todo.append(f)
    if todo:
        blocks = collect_article_blocks(pages)
        for f in todo:
            data = fit([pb for pb in blocks if fold_of(pb.domain, folds) != f], folds)
            models[f] = scorer.load_model(data, f"fold {f}")
            if cache is not None:
                cache.mkdir(parents=True, exist_ok=True)
                (cache / f"fold{f}.json").write_text(json.dumps(data), encoding="utf-8")
            print(f"fold {f} model: threshold {data['threshold']}", flush=True)
    return models


def table(results: Sequence[PageCauses]) -> list[str]:
    """Return the per-cause lines over the pages that are not clean."""
    dirty = [pc for pc in results if not (pc.p >= CLEAN_AT and pc.r >= CLEAN_AT)]
    lines = [f"{len(dirty)} pages not clean of {len(results)}"]
    for side, attr, total in (("false positives", "fp", "out"), ("false negatives", "fn", "truth")):
        shingle_count: Counter[str] = Counter()
        pages: Counter[str] = Counter()
        points: Counter[str] = Counter()
        main: Counter[str] = Counter()
        for pc in dirty:
            counts: Counter[str] = getattr(pc, attr)
            size = max(getattr(pc, total), 1)
            for cause, n in counts.items():
                shingle_count[cause] += n
                pages[cause] += 1
                points[cause] += n / size
            if counts:
                main[counts.most_common(1)[0][0]] += 1
        lines.append(f"\n{side}: {sum(shingle_count.values())} shingles")
        lines.append(f"  {'shingles':>8} {'pages':>5} {'points':>6} {'largest':>7}  cause")
        for cause, n in shingle_count.most_common():
            lines.append(f"  {n:8d} {pages[cause]:5d} {points[cause]:6.2f} {main[cause]:7d}  {cause}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Train the held-out models, attribute every page of the folds named and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--folds-only", default="3,4", help="attribute the pages of these folds (default 3,4)")
    parser.add_argument("--models", type=Path, default=None, help="keep/read the fitted fold models in DIR")
    parser.add_argument("--pages", type=int, default=20, help="list the N worst pages with their causes")
    parser.add_argument("--json", type=Path, default=None, help="write each page's causes to FILE")
    args = parser.parse_args(argv)
    wanted = {int(f) for f in args.folds_only.split(",")}
    pages = load(args.datasets, None)
    models = _models(pages, args.folds, wanted, args.models)
    results = []
    for page in pages:
        f = fold_of(page.domain, args.folds)
        if f in wanted:
            results.append(causes_of(page, models[f], f))
    print("\n".join(table(results)))
    print(f"\nthe {args.pages} worst pages:")
    for pc in sorted(results, key=lambda pc: pc.p * pc.r)[: args.pages]:
        print(f"  {pc.key} (fold {pc.fold}) P {pc.p:.2f} R {pc.r:.2f}")
        for cause, n in (pc.fp + pc.fn).most_common(3):
            size = pc.out if cause.startswith("FP") else pc.truth
            print(f"    {n / max(size, 1):6.1%} {cause}: {pc.examples.get(cause, '')[:90]}")
    if args.json:
        data = {
            pc.key: {"fold": pc.fold, "p": pc.p, "r": pc.r, "out": pc.out, "truth": pc.truth, "fp": pc.fp, "fn": pc.fn}
            for pc in results
        }
        args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
