"""Cross-validate the learned block scorer alone by folds of domains, fast, to compare training settings.

Usage::

    python bench/scorer_cv.py DATASET [DATASET ...] [--cache FILE] [--set KEY=VALUE,...]... [--seeds N]
                              [--labels KIND]... [--without NAME,...]... [--ensemble K[@SEED][:KEY=VALUE,...]]...
                              [--threshold T] [--fit]

The trainer's blocks and labels (``bench/train_scorer.py``'s
``collect_article_blocks``: the heuristics' article, each innermost block
labelled) for every page; for each fold of domains (``bench/extraction.py``'s
folds) LightGBM is trained on the other four and the fold's blocks are
predicted; the kept blocks' texts are joined and scored as the trainer's
``simulate`` does (F1, P, R, clean share), pooled over the folds and fold by
fold. Each line gives the figures at the fixed thresholds 0.05 to 0.5, so
settings are compared on the same footing (a balanced model, ``--set
balance=1``, is best near 0.1, the plain one near 0.4), and pooled P, R and
the pages with P < 0.8 and with R < 0.8 at 0.4 and 0.5. With ``--fit``, also
at the threshold each fold's training pages choose by inner
cross-validation, as ``train_scorer.fit`` chooses it (three times the
training: each pair of folds left out once more).

The reference (the trainer's ``PARAMS`` and ``ROUNDS``) is always the first
line; each ``--set`` is one more line with those settings changed (``rounds``
is the number of trees, ``balance=0`` trains with the plain weights by
tokens instead of ``train_scorer.balanced``, any other key a LightGBM parameter). ``--seeds N``
adds the reference trained with N other seeds: how far the figures move
for nothing, the yardstick for every other line; each ``--without`` line
is trained with the same N other seeds too, so a feature set is compared
with itself left out seed by seed. Each ``--labels KIND`` is
one more line trained with another labelling of the same blocks
(``train_scorer.relabel``: ``soft``, ``counted``, ``sure``; ``soft`` trains
with LightGBM's ``cross_entropy`` objective); the held-out blocks are always
scored against the truth as the metric does. Each ``--ensemble
K[@SEED][:KEY=VALUE,...]`` is two more lines: the mean of K models'
probabilities, and the mean of their log-odds (what one model file of all
their trees, each leaf divided by K, computes), the models trained at seeds
SEED, SEED + 1, ... (by default the K after the trainer's, the ``--seeds``
lines' own models, trained once), with the trainer's settings changed as a
``--set`` changes them (``3:rounds=40``: three models of 40 trees). A model
change is honest on all five folds (each fold's model never saw its pages).

It is a proxy, minutes against ``bench/extraction.py --scorer``'s half
hour: it scores the blocks' joined text, not the cleaner's output (loose
text beside blocks is left out, so its clean share is lower than the
cleaner's). Confirm a setting it picks with ``--scorer``.

``--cache FILE`` keeps the collected blocks (gzipped JSON; collecting cleans
all pages, minutes): a second run on the same cleaner reads them back. The
file records the cleaner version and the datasets, and is collected again
when either differs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import fold_of, load
from train_scorer import (
    BALANCE,
    LABELINGS,
    PARAMS,
    ROUNDS,
    SEED,
    PageBlocks,
    Simulated,
    chosen_threshold,
    collect_article_blocks,
    kept_precision_recall,
    relabel,
    scored_blocks,
    summarise,
    train_trees,
)
from train_scorer import THRESHOLDS as FIT_THRESHOLDS

from feedsvc.clean import CLEANER_VERSION, scorer
from feedsvc.clean.blocks import FEATURES

# Balanced training (train_scorer.BALANCE) moves the best threshold down to about 0.1.
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
FOLDS = 5


def collect(datasets: Sequence[Path], cache: Path | None) -> list[PageBlocks]:
    """Return every page's labelled blocks, from ``cache`` when it holds this cleaner's blocks of these datasets."""
    stamp = {"cleaner": CLEANER_VERSION, "features": list(FEATURES), "datasets": [str(d.resolve()) for d in datasets]}
    if cache is not None and cache.exists():
        data = json.loads(gzip.decompress(cache.read_bytes()))
        if data.get("stamp") == stamp:
            return [_from_json(p) for p in data["pages"]]
        print(f"{cache}: blocks of another cleaner or other datasets; collecting again", flush=True)
    start = time.perf_counter()
    pages = collect_article_blocks(load(datasets, None))
    print(f"blocks collected in {time.perf_counter() - start:.0f} s", flush=True)
    if cache is not None:
        body = {"stamp": stamp, "pages": [_to_json(pb) for pb in pages]}
        cache.write_bytes(gzip.compress(json.dumps(body).encode("utf-8"), 1))
    return pages


def _to_json(pb: PageBlocks) -> dict[str, Any]:
    return {
        "key": pb.key,
        "domain": pb.domain,
        "truth": pb.truth,
        "rows": pb.rows,
        "words": [sorted(w) for w in pb.words],
        "texts": pb.texts,
        "labels": pb.labels,
        "weights": pb.weights,
    }


def _from_json(d: dict[str, Any]) -> PageBlocks:
    pb = PageBlocks(d["key"], d["domain"], d["truth"])
    pb.rows = [tuple(r) for r in d["rows"]]
    pb.words = [frozenset(w) for w in d["words"]]
    pb.texts, pb.labels, pb.weights = d["texts"], d["labels"], d["weights"]
    return pb


def settings(spec: str) -> tuple[dict[str, Any], int]:
    """Return the LightGBM parameters and rounds of ``spec`` ("key=value,..."): the trainer's, changed.

    ``balance`` (0 or 1) is kept among the parameters; :func:`out_of_fold` takes it out for ``train_trees``.
    """
    params, rounds = dict(PARAMS), ROUNDS
    for item in filter(None, spec.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set {spec!r}: {item!r} is not KEY=VALUE (e.g. --set num_leaves=15,rounds=200)")
        if key == "rounds":
            rounds = int(value)
        elif key == "balance" or isinstance(PARAMS.get(key), bool):
            params[key] = value.lower() in ("1", "true", "yes")
        elif isinstance(PARAMS.get(key), int):
            params[key] = int(value)
        else:
            params[key] = float(value) if key in PARAMS else _number(value)
    return params, rounds


def _number(value: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def without(pages: Sequence[PageBlocks], names: str) -> list[PageBlocks]:
    """Return copies of ``pages`` with the features ``names`` ("a,b,...") set to 0 in every row.

    A constant column is one no tree can split on: the model learns without
    those features while the rows keep ``FEATURES``' width (the exported
    model still loads). Left-out features still take part in LightGBM's
    ``feature_fraction`` draws, so compare a line with another line of the
    same width (the reference's extra columns set to 0 the same way).
    """
    wanted = [n for n in names.split(",") if n]
    unknown = [n for n in wanted if n not in FEATURES]
    if unknown:
        raise SystemExit(f"--without {names!r}: not in FEATURES: {', '.join(unknown)}")
    drop = {FEATURES.index(n) for n in wanted}
    out = []
    for pb in pages:
        copy = PageBlocks(pb.key, pb.domain, pb.truth)
        copy.rows = [tuple(0.0 if k in drop else v for k, v in enumerate(row)) for row in pb.rows]
        copy.words, copy.texts, copy.labels, copy.weights = pb.words, pb.texts, pb.labels, pb.weights
        out.append(copy)
    return out


def labelled(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return the training parameters for labels of ``kind``: soft labels need an objective that takes targets in [0, 1]."""
    return {**params, "objective": "cross_entropy"} if kind == "soft" else dict(params)


@dataclass
class OutOfFold:
    """One training setting's log-odds for every page's blocks, each from a model that never saw the page.

    ``outer[i]``: page ``i`` scored by the model of the four other folds.
    ``inner[f][i]`` (with ``--fit``): page ``i`` of a fold other than ``f``
    scored by the model of the three folds that are neither ``f`` nor its
    own, as ``train_scorer.fit`` scores the training pages of outer fold
    ``f`` to choose its threshold (None for fold ``f``'s own pages).
    """

    outer: list[np.ndarray]
    inner: dict[int, list[np.ndarray | None]] = field(default_factory=dict)


def out_of_fold(
    pages: Sequence[PageBlocks], params: dict[str, Any], rounds: int, labels: str = "majority", inner: bool = False
) -> OutOfFold:
    """Train by folds of domains and return the out-of-fold log-odds of every block (:class:`OutOfFold`).

    A model is trained once per set of training folds: the inner model of
    outer fold ``f`` for fold ``j`` is the one of ``j`` for ``f``. Training
    pages go in fold order, each fold's pages in their own order, as
    ``train_scorer.fit`` orders them.
    """
    folds = [fold_of(pb.domain, FOLDS) for pb in pages]
    by_fold: dict[int, list[PageBlocks]] = {}
    for pb, k in zip(pages, folds, strict=True):
        by_fold.setdefault(k, []).append(pb)
    lgb = {k: v for k, v in labelled(labels, params).items() if k != "balance"}
    models: dict[tuple[int, ...], scorer.BlockModel] = {}

    def model(training: Sequence[int]) -> scorer.BlockModel:
        key = tuple(sorted(training))
        if key not in models:
            train = [pb for k in key for pb in by_fold[k]]
            if labels != "majority":
                train = [relabel(pb, labels) for pb in train]
            trees = train_trees(train, lgb, rounds, bool(params.get("balance", BALANCE)))
            models[key] = scorer.load_model(trees, f"model of folds {key}")
        return models[key]

    every = sorted(by_fold)
    result = OutOfFold([np.zeros(0)] * len(pages))
    for f in every:
        held = model([k for k in every if k != f])
        for i, pb in enumerate(pages):
            if folds[i] == f:
                result.outer[i] = raw_scores(held, pb)
    if inner:
        for f in every:
            result.inner[f] = [
                None if folds[i] == f else raw_scores(model([k for k in every if k not in (f, folds[i])]), pb)
                for i, pb in enumerate(pages)
            ]
    return result


def raw_scores(model: scorer.BlockModel, pb: PageBlocks) -> np.ndarray:
    """Return the model's log-odds for each block of ``pb`` (the probabilities of ``train_scorer.predict``, unsquashed)."""
    return np.asarray(model.raw_scores(scored_blocks(pb)), dtype=np.float64)


# How an ensemble's members are averaged: their probabilities, or their log-odds (then squashed). The mean
# of log-odds is what one model file of all members' trees, each leaf scaled by 1/K, computes.
AVERAGES = ("probability", "log-odds")


def averaged(runs: Sequence[OutOfFold], average: str = "probability") -> OutOfFold:
    """Return the probabilities of the ensemble of ``runs`` (one model: its own), averaged the ``average`` way."""

    def mean(arrays: Sequence[np.ndarray]) -> np.ndarray:
        if average == "log-odds":
            return _sigmoid(np.mean(arrays, axis=0))
        return np.mean([_sigmoid(a) for a in arrays], axis=0)

    outer = [mean([run.outer[i] for run in runs]) for i in range(len(runs[0].outer))]
    inner: dict[int, list[np.ndarray | None]] = {}
    for f, first in runs[0].inner.items():
        inner[f] = [None if a is None else mean([run.inner[f][i] for run in runs]) for i, a in enumerate(first)]  # type: ignore[misc]
    return OutOfFold(outer, inner)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# Each page's precision and recall by the blocks kept: most thresholds, folds and seeds keep the same
# blocks of a page (every block, mostly), and shingling the text is most of the time of a line.
_KEPT: dict[tuple[str, bytes], tuple[float | None, float | None]] = {}


def simulate(pages: Sequence[PageBlocks], keeps: Sequence[np.ndarray]) -> Simulated:
    """Return ``train_scorer.simulate``'s metric, each page's figures computed once for the blocks it keeps."""
    scores = []
    for pb, keep in zip(pages, keeps, strict=True):
        key = (f"{pb.key}\x00{len(keep)}", np.packbits(keep).tobytes())
        if key not in _KEPT:
            _KEPT[key] = kept_precision_recall(pb, keep.tolist())
        scores.append(_KEPT[key])
    return summarise(scores)


Result = dict[int | str, dict[float | str, Simulated]]


def evaluate(pages: Sequence[PageBlocks], probs: OutOfFold) -> tuple[Result, dict[int, float]]:
    """Return, per held-out fold and pooled ("all"), the simulated metric at each of ``THRESHOLDS``, and the
    fitted thresholds by fold.

    With inner probabilities (``--fit``), also at the threshold each fold's
    training pages choose (key "fitted"), as ``train_scorer.fit`` chooses
    it: of the trainer's thresholds within ``F1_TIE`` of the best inner F1,
    the highest.
    """
    folds = [fold_of(pb.domain, FOLDS) for pb in pages]
    out: Result = {}
    chosen: dict[int, float] = {}
    for f in sorted(set(folds)):
        held = [i for i, k in enumerate(folds) if k == f]
        held_pages = [pages[i] for i in held]
        out[f] = {t: simulate(held_pages, [probs.outer[i] >= t for i in held]) for t in THRESHOLDS}
        if f in probs.inner:
            training = [i for i, k in enumerate(folds) if k != f]
            inner = [probs.inner[f][i] for i in training]
            training_pages = [pages[i] for i in training]
            scores = {t: simulate(training_pages, [p >= t for p in inner]).f1 for t in FIT_THRESHOLDS}  # type: ignore[operator]
            chosen[f] = chosen_threshold(scores)
            out[f]["fitted"] = simulate(held_pages, [probs.outer[i] >= chosen[f] for i in held])
    out["all"] = {t: simulate(pages, [p >= t for p in probs.outer]) for t in THRESHOLDS}
    if chosen:
        out["all"]["fitted"] = simulate(pages, [p >= chosen[k] for p, k in zip(probs.outer, folds, strict=True)])
    return out, chosen


def report(name: str, result: Result, threshold: float, chosen: dict[int, float] | None = None) -> None:
    """Print one line of pooled figures per threshold, the folds at ``threshold``, the poor pages, and the figures
    at the ``chosen`` thresholds (fitted per fold)."""
    pooled = result["all"]
    cells = " | ".join(f"{t}: F1 {s.f1:.4f} clean {s.clean:5.1%}" for t, s in pooled.items() if t != "fitted")
    print(f"{name:<34} {cells}")
    folds = [k for k in result if isinstance(k, int)]
    print(
        f"{'':<34} at {threshold}, folds {'/'.join(map(str, folds))}: F1 "
        + " ".join(f"{result[k][threshold].f1:.4f}" for k in folds)
        + "  clean "
        + " ".join(f"{result[k][threshold].clean:.1%}" for k in folds)
    )
    poor = ", ".join(
        f"{t}: P {pooled[t].p:.4f} R {pooled[t].r:.4f} P<0.8 {pooled[t].low_p} R<0.8 {pooled[t].low_r}"
        for t in (0.4, 0.5)
    )
    print(f"{'':<34} {poor}")
    if "fitted" in pooled:
        s = pooled["fitted"]
        at = " ".join(f"{(chosen or {})[k]:g}" for k in folds)
        print(
            f"{'':<34} fitted ({at}): F1 {s.f1:.4f} P {s.p:.4f} R {s.r:.4f} clean {s.clean:5.1%} "
            f"P<0.8 {s.low_p} R<0.8 {s.low_r}; folds clean "
            + " ".join(f"{result[k]['fitted'].clean:.1%}" for k in folds),
        )
    sys.stdout.flush()


def seeded(name: str, seeds: int) -> list[tuple[str, dict[str, Any]]]:
    """Return the lines of ``name`` (the reference or a ``--without`` variant): the trainer's settings at its
    seed, then at each of ``seeds`` other seeds, each line named with its seed.

    The reference's seed lines are the noise; a left-out feature set is
    compared with them seed by seed (the same seeds), not one line against many.
    """
    return [(f"{name}, seed {SEED + i}", {**PARAMS, "seed": SEED + i}) for i in range(seeds + 1)]


def ensemble(spec: str) -> tuple[list[int], dict[str, Any], int]:
    """Return the seeds, parameters and rounds of ``--ensemble`` ``spec``: "K[@FIRST][:KEY=VALUE,...]".

    K models at seeds FIRST, FIRST + 1, ... (by default the K seeds after the
    trainer's, those of ``--seeds``' lines: the ensemble is compared with its
    own members), each trained with the trainer's settings changed by the
    ``--set``-style ones (``3:rounds=40``: three models of 40 trees).
    """
    head, _, rest = spec.partition(":")
    size, at, first = head.partition("@")
    if not size.isdigit() or int(size) < 1 or (at and not first.isdigit()):
        raise SystemExit(f"--ensemble {spec!r}: not K[@FIRST_SEED][:KEY=VALUE,...] (e.g. --ensemble 3@15:rounds=40)")
    start = int(first) if first else SEED + 1
    params, rounds = settings(rest)
    return [start + i for i in range(int(size))], params, rounds


def main(argv: list[str] | None = None) -> int:
    """Cross-validate the reference settings and each ``--set``, and print them one under another."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--cache", type=Path, help="gzipped JSON file keeping the collected blocks between runs")
    parser.add_argument(
        "--set", dest="variants", action="append", default=[], help="KEY=VALUE,... a variant of the training settings"
    )
    parser.add_argument("--seeds", type=int, default=0, help="the reference again with N other seeds: the noise")
    parser.add_argument(
        "--labels", action="append", default=[], choices=LABELINGS, help="one more line trained with these labels"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.1 if BALANCE else 0.4,
        choices=THRESHOLDS,
        help="threshold of the fold lines",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        help="NAME,... one more line (and one per --seeds) trained with these features held constant",
    )
    parser.add_argument(
        "--ensemble",
        action="append",
        default=[],
        help="K[@FIRST_SEED][:KEY=VALUE,...] one line per average (probability, log-odds) of K models at K seeds",
    )
    parser.add_argument(
        "--fit",
        action="store_true",
        help="also the threshold each fold's training pages choose, as the trainer fits it (three times the training)",
    )
    args = parser.parse_args(argv)
    for names in args.without:
        without([], names)  # unknown names fail before the long collection
    variants = [settings(spec) for spec in args.variants]  # bad specs fail before the long collection
    ensembles = [ensemble(spec) for spec in args.ensemble]
    pages = collect(args.datasets, args.cache)
    print(f"{len(pages)} pages, {sum(len(pb.rows) for pb in pages)} blocks; pooled figures at thresholds:")
    # Each setting at each seed is trained once: an ensemble reuses the --seeds lines' models.
    trained: dict[str, OutOfFold] = {}

    def run(
        params: dict[str, Any], rounds: int, labels: str = "majority", data: Sequence[PageBlocks] = pages, tag: str = ""
    ) -> OutOfFold:
        key = json.dumps([tag, labels, rounds, sorted(params.items())])
        if key not in trained:
            trained[key] = out_of_fold(data, params, rounds, labels, args.fit)
        return trained[key]

    def line(
        name: str, runs: Sequence[OutOfFold], average: str = "probability", data: Sequence[PageBlocks] = pages
    ) -> None:
        result, chosen = evaluate(data, averaged(runs, average))
        report(name, result, args.threshold, chosen)

    for label, params in seeded("reference", args.seeds):
        line(label, [run(params, ROUNDS)])
    for spec, (params, rounds) in zip(args.variants, variants, strict=True):
        line(spec, [run(params, rounds)])
    for spec, (seeds, params, rounds) in zip(args.ensemble, ensembles, strict=True):
        runs = [run({**params, "seed": seed}, rounds) for seed in seeds]
        for average in AVERAGES:
            line(f"ensemble {spec} ({average})", runs, average)
    for kind in args.labels:
        line(f"labels {kind}", [run(dict(PARAMS), ROUNDS, kind)])
    for names in args.without:
        held = without(pages, names)
        for label, params in seeded(f"without {names}", args.seeds):
            line(label, [run(params, ROUNDS, data=held, tag=names)], data=held)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
