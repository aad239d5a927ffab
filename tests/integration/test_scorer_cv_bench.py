"""bench/scorer_cv.py: training variants named on the command line, and the collected blocks kept between runs."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

import numpy as np
import train_scorer
from scorer_cv import OutOfFold, averaged, collect, ensemble, evaluate, labelled, seeded, settings, simulate, without
from train_scorer import PARAMS, ROUNDS, SEED, PageBlocks, label_blocks

from feedsvc.clean import CLEANER_VERSION
from feedsvc.clean.blocks import FEATURES

PROSE = "The council voted on Tuesday to extend the harbour wall after a long debate in the town."
JUNK = "Sign up for our weekly newsletter"


def test_a_variant_changes_only_the_settings_it_names() -> None:
    params, rounds = settings("num_leaves=15,max_depth=5,rounds=200,learning_rate=0.05,deterministic=false")
    assert (params["num_leaves"], params["max_depth"], rounds) == (15, 5, 200)
    assert params["learning_rate"] == 0.05 and params["deterministic"] is False
    unchanged = {
        k: v for k, v in PARAMS.items() if k not in ("num_leaves", "max_depth", "learning_rate", "deterministic")
    }
    assert {k: params[k] for k in unchanged} == unchanged
    assert settings("") == (PARAMS, ROUNDS)
    assert settings("balance=0")[0] == {**PARAMS, "balance": False}


def test_soft_labels_train_with_an_objective_that_takes_targets_between_0_and_1() -> None:
    assert labelled("soft", PARAMS) == {**PARAMS, "objective": "cross_entropy"}
    assert labelled("counted", PARAMS) == PARAMS and labelled("sure", PARAMS) == PARAMS
    assert PARAMS["objective"] == "binary"


def test_a_variant_that_is_not_key_value_names_itself_and_the_form() -> None:
    with pytest.raises(SystemExit, match=r"'num_leaves' is not KEY=VALUE"):
        settings("num_leaves")


def cache_file(path: Path, datasets: list[Path], cleaner: str, features: tuple[str, ...] = FEATURES) -> PageBlocks:
    pb = PageBlocks("set/1", "news.example", PROSE, texts=[PROSE, JUNK])
    pb.rows = [(1.0, 0.0), (0.5, 1.0)]
    pb.words = [frozenset({"body"}), frozenset({"promo", "box"})]
    pb.labels, pb.weights = label_blocks(pb.truth, pb.texts)
    stamp = {"cleaner": cleaner, "features": list(features), "datasets": [str(d.resolve()) for d in datasets]}
    page = {
        "key": pb.key,
        "domain": pb.domain,
        "truth": pb.truth,
        "rows": pb.rows,
        "words": [sorted(w) for w in pb.words],
        "texts": pb.texts,
        "labels": pb.labels,
        "weights": pb.weights,
    }
    path.write_bytes(gzip.compress(json.dumps({"stamp": stamp, "pages": [page]}).encode()))
    return pb


def test_the_cache_of_this_cleaner_and_these_datasets_is_read_back_without_collecting(tmp_path: Path) -> None:
    datasets = [tmp_path / "no-such-dataset"]  # collecting would fail: it reads the dataset's ground truth
    expected = cache_file(tmp_path / "blocks.json.gz", datasets, CLEANER_VERSION)
    (found,) = collect(datasets, tmp_path / "blocks.json.gz")
    assert (found.key, found.domain, found.truth, found.texts) == (expected.key, expected.domain, PROSE, [PROSE, JUNK])
    assert found.rows == expected.rows and found.words == expected.words
    assert found.labels == [1, 0] and found.weights == expected.weights


def test_a_cache_of_another_cleaner_is_not_used(tmp_path: Path) -> None:
    datasets = [tmp_path / "no-such-dataset"]
    cache_file(tmp_path / "blocks.json.gz", datasets, CLEANER_VERSION + "-old")
    with pytest.raises(FileNotFoundError, match=r"ground-truth\.json"):
        collect(datasets, tmp_path / "blocks.json.gz")


def test_a_cache_of_other_features_is_not_used(tmp_path: Path) -> None:
    datasets = [tmp_path / "no-such-dataset"]
    cache_file(tmp_path / "blocks.json.gz", datasets, CLEANER_VERSION, FEATURES[:-1])
    with pytest.raises(FileNotFoundError, match=r"ground-truth\.json"):
        collect(datasets, tmp_path / "blocks.json.gz")


def test_without_holds_the_named_features_at_zero_and_leaves_the_rest() -> None:
    pb = PageBlocks("set/1", "news.example", PROSE, texts=[PROSE])
    pb.rows = [tuple(float(i + 1) for i in range(len(FEATURES)))]
    pb.words, pb.labels, pb.weights = [frozenset({"body"})], [1], [1.0]
    (out,) = without([pb], f"{FEATURES[0]},{FEATURES[-1]}")
    assert out.rows[0][0] == 0.0 and out.rows[0][-1] == 0.0
    assert out.rows[0][1:-1] == pb.rows[0][1:-1]
    assert pb.rows[0][0] == 1.0  # the page itself is not changed
    assert (out.words, out.texts, out.labels, out.weights) == (pb.words, pb.texts, pb.labels, pb.weights)


def test_without_a_name_that_is_no_feature_names_it() -> None:
    with pytest.raises(SystemExit, match=r"not in FEATURES: no_such_feature"):
        without([], "log_chars,no_such_feature")


def test_a_left_out_feature_set_is_trained_at_the_same_seeds_as_the_reference() -> None:
    reference, left_out = seeded("reference", 2), seeded("without a,b", 2)
    assert [p["seed"] for _, p in reference] == [p["seed"] for _, p in left_out] == [SEED, SEED + 1, SEED + 2]
    assert reference[0][1] == PARAMS  # the first line is the trainer's own settings
    assert [name for name, _ in left_out] == [f"without a,b, seed {SEED + i}" for i in range(3)]
    assert all(
        {k: v for k, v in p.items() if k != "seed"} == {k: v for k, v in PARAMS.items() if k != "seed"}
        for _, p in left_out
    )
    assert seeded("reference", 0) == [(f"reference, seed {SEED}", PARAMS)]


def test_an_ensemble_is_k_models_at_the_seeds_after_the_trainers_unless_told() -> None:
    seeds, params, rounds = ensemble("3")
    assert seeds == [SEED + 1, SEED + 2, SEED + 3] and (params, rounds) == (PARAMS, ROUNDS)
    seeds, params, rounds = ensemble("2@40:rounds=40,learning_rate=0.3")
    assert seeds == [40, 41] and rounds == 40 and params == {**PARAMS, "learning_rate": 0.3}
    for bad in ("x", "0", "3@x", "3@"):
        with pytest.raises(SystemExit, match=r"not K\[@FIRST_SEED\]"):
            ensemble(bad)


def test_an_ensemble_averages_its_members_probabilities_or_their_log_odds() -> None:
    sure, unsure = OutOfFold([np.array([4.0, 0.0])]), OutOfFold([np.array([-2.0, 0.0])])
    (by_probability,) = averaged([sure, unsure]).outer
    (by_log_odds,) = averaged([sure, unsure], "log-odds").outer
    squash = 1 / (1 + np.exp(-np.array([4.0, -2.0])))
    assert by_probability[0] == pytest.approx(squash.mean()) and by_probability[1] == 0.5
    assert by_log_odds[0] == pytest.approx(1 / (1 + np.exp(-1.0))) and by_log_odds[1] == 0.5
    assert averaged([sure]).outer[0][0] == pytest.approx(squash[0])  # one model: its own probabilities


def two_pages(domain: str, key: str) -> PageBlocks:
    pb = PageBlocks(key, domain, PROSE, texts=[PROSE, JUNK])
    pb.rows, pb.words = [(1.0,), (0.0,)], [frozenset(), frozenset()]
    pb.labels, pb.weights = label_blocks(pb.truth, pb.texts)
    return pb


def test_simulate_gives_the_trainers_figures_and_reads_each_pages_kept_blocks_once() -> None:
    pages = [two_pages("news.example", "set/a"), two_pages("other.example", "set/b")]
    for keeps in ([[True, True], [True, False]], [[False, False], [True, True]], [[True, False], [True, False]]):
        arrays = [np.array(k) for k in keeps]
        assert simulate(pages, arrays) == train_scorer.simulate(pages, keeps)


def test_the_threshold_is_fitted_on_each_folds_training_pages_as_the_trainer_fits_it() -> None:
    # Ten one-page domains; the inner scores put the junk block at 0.45: the inner F1 is best from 0.5 up
    # (junk dropped), so the highest tried threshold, 0.5, is chosen; the held-out scores are read at it.
    pages = [two_pages(f"site{i}.example", f"set/{i}") for i in range(10)]
    scores = [np.array([0.9, 0.45]) for _ in pages]
    folds = sorted({train_scorer.fold_of(pb.domain, 5) for pb in pages})
    inner = {
        f: [None if train_scorer.fold_of(pb.domain, 5) == f else s for pb, s in zip(pages, scores, strict=True)]
        for f in folds
    }
    result, chosen = evaluate(pages, OutOfFold(scores, inner))
    assert set(chosen.values()) == {0.5}
    assert result["all"]["fitted"].clean == 1.0 and result["all"][0.4].clean == 0.0
