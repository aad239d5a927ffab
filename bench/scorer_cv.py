"""Cross-validate the learned block scorer alone by folds of domains, fast, to compare training settings.

Usage::

    python bench/scorer_cv.py DATASET [DATASET ...] [--cache FILE] [--set KEY=VALUE,...]... [--seeds N]
                              [--labels KIND]... [--without NAME,...]... [--threshold T]

The trainer's blocks and labels (``bench/train_scorer.py``'s
``collect_article_blocks``: the heuristics' article, each innermost block
labelled) for every page; for each fold of domains (``bench/extraction.py``'s
folds) LightGBM is trained on the other four and the fold's blocks are
predicted; the kept blocks' texts are joined and scored as the trainer's
``simulate`` does (F1, P, R, clean share), pooled over the folds and fold by
fold. No threshold is fitted: each line gives the figures at the fixed
thresholds 0.05 to 0.5, so settings are compared on the same footing (a
balanced model, ``--set balance=1``, is best near 0.1, the plain one near 0.4).

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
scored against the truth as the metric does. A model change is honest
on all five folds (each fold's model never saw its pages).

It is a proxy, minutes against ``bench/extraction.py --scorer``'s half
hour: it scores the blocks' joined text, not the cleaner's output (loose
text beside blocks is left out, so its clean share is lower than the
cleaner's), and it does not fit a threshold per fold. Confirm a setting
it picks with ``--scorer``.

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
from pathlib import Path
from typing import Any

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
    collect_article_blocks,
    predict,
    relabel,
    simulate,
    train_trees,
)

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

    ``balance`` (0 or 1) is kept among the parameters; :func:`cross_validate` takes it out for ``train_trees``.
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


def cross_validate(
    pages: Sequence[PageBlocks], params: dict[str, Any], rounds: int, labels: str = "majority"
) -> dict[int | str, dict[float, Simulated]]:
    """Return, per held-out fold and pooled ("all"), the simulated metric at each of ``THRESHOLDS``.

    ``labels``: how the training folds' blocks are labelled (``train_scorer.relabel``); "majority" is the trainer's.
    """
    by_fold: dict[int, list[PageBlocks]] = {}
    for pb in pages:
        by_fold.setdefault(fold_of(pb.domain, FOLDS), []).append(pb)
    out: dict[int | str, dict[float, Simulated]] = {}
    pooled: list[PageBlocks] = []
    probs: list[list[float]] = []
    for fold in sorted(by_fold):
        train = [pb for k in sorted(by_fold) if k != fold for pb in by_fold[k]]
        if labels != "majority":
            train = [relabel(pb, labels) for pb in train]
        lgb = {k: v for k, v in labelled(labels, params).items() if k != "balance"}
        trees = train_trees(train, lgb, rounds, bool(params.get("balance", BALANCE)))
        model = scorer.load_model(trees, f"fold {fold} model")
        held = by_fold[fold]
        fold_probs = [predict(model, pb) for pb in held]
        out[fold] = {t: simulate(held, [[p >= t for p in pp] for pp in fold_probs]) for t in THRESHOLDS}
        pooled += held
        probs += fold_probs
    out["all"] = {t: simulate(pooled, [[p >= t for p in pp] for pp in probs]) for t in THRESHOLDS}
    return out


def report(name: str, result: dict[int | str, dict[float, Simulated]], threshold: float) -> None:
    """Print one line of pooled figures per threshold, and the folds at ``threshold``."""
    cells = " | ".join(f"{t}: F1 {s.f1:.4f} clean {s.clean:5.1%}" for t, s in result["all"].items())
    print(f"{name:<34} {cells}")
    folds = [k for k in result if k != "all"]
    print(
        f"{'':<34} at {threshold}, folds {'/'.join(map(str, folds))}: F1 "
        + " ".join(f"{result[k][threshold].f1:.4f}" for k in folds)
        + "  clean "
        + " ".join(f"{result[k][threshold].clean:.1%}" for k in folds),
        flush=True,
    )


def seeded(name: str, seeds: int) -> list[tuple[str, dict[str, Any]]]:
    """Return the lines of ``name`` (the reference or a ``--without`` variant): the trainer's settings at its
    seed, then at each of ``seeds`` other seeds, each line named with its seed.

    The reference's seed lines are the noise; a left-out feature set is
    compared with them seed by seed (the same seeds), not one line against many.
    """
    return [(f"{name}, seed {SEED + i}", {**PARAMS, "seed": SEED + i}) for i in range(seeds + 1)]


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
    args = parser.parse_args(argv)
    for names in args.without:
        without([], names)  # unknown names fail before the long collection
    variants = [settings(spec) for spec in args.variants]  # bad specs fail before the long collection
    pages = collect(args.datasets, args.cache)
    print(f"{len(pages)} pages, {sum(len(pb.rows) for pb in pages)} blocks; pooled figures at thresholds:")
    for label, params in seeded("reference", args.seeds):
        report(label, cross_validate(pages, params, ROUNDS), args.threshold)
    for spec, (params, rounds) in zip(args.variants, variants, strict=True):
        report(spec, cross_validate(pages, params, rounds), args.threshold)
    for kind in args.labels:
        report(f"labels {kind}", cross_validate(pages, dict(PARAMS), ROUNDS, kind), args.threshold)
    for names in args.without:
        held = without(pages, names)
        for label, params in seeded(f"without {names}", args.seeds):
            report(label, cross_validate(held, params, ROUNDS), args.threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
