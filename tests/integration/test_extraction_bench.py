"""bench/extraction.py: the table by fold with tuning and held-out folds apart, and the pages moved between runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

import extraction
from extraction import (
    Page,
    clean_apart,
    clean_judged,
    cleaned_text,
    compare_rows,
    doubt_table,
    held_out_table,
    main,
    measure_all,
    rows_summary,
    run_rows,
)

from feedsvc.clean import clean_article, scorer

# Two pages in fold 0 (held out), one in fold 3 (tuning): one clean, one junk-heavy, one empty.
ROWS = {
    "set/a": {"p": 1.0, "r": 0.96, "fold": 0},
    "set/b": {"p": 0.5, "r": 1.0, "fold": 0},
    "set/c": {"p": None, "r": 0.0, "fold": 3},
}


def test_rows_are_summarised_as_the_run_is() -> None:
    s = rows_summary(list(ROWS.values()))
    assert (s.pages, s.clean, s.low_p, s.low_r, s.empty) == (3, 1, 2, 1, 1)
    # P over non-empty outputs, R over every truth.
    assert s.p == pytest.approx(0.75)
    assert s.r == pytest.approx((0.96 + 1.0 + 0.0) / 3)


def test_the_table_puts_held_out_and_tuning_folds_apart() -> None:
    lines = held_out_table(ROWS, {0, 1, 2})
    by_group = {line[2:22].strip(): line[22:].split() for line in lines[2:]}
    assert set(by_group) == {"fold 0 (held out)", "fold 3", "tuning folds", "held-out folds", "all pages"}
    assert by_group["held-out folds"][0] == "2"  # pages
    assert by_group["held-out folds"][4] == "50.0%"  # clean
    assert by_group["tuning folds"][-1] == "1"  # empty


def test_moves_are_counted_per_side_and_only_tuning_pages_named() -> None:
    after = {**ROWS, "set/b": {"p": 0.97, "r": 1.0, "fold": 0}, "set/c": {"p": 0.9, "r": 0.9, "fold": 3}}
    lines = compare_rows(ROWS, after, {0, 1, 2}, peek=False)
    assert "tuning  : F1 up 1, down 0; clean gained 0, lost 0" in lines[1]
    assert "held-out: F1 up 1, down 0; clean gained 1, lost 0" in lines[2]
    named = "\n".join(lines[3:])
    assert "set/c" in named and "set/b" not in named
    assert "set/b" in "\n".join(compare_rows(ROWS, after, {0, 1, 2}, peek=True))


def test_a_saved_scores_file_is_tabled_without_datasets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps(ROWS), encoding="utf-8")
    after.write_text(json.dumps({**ROWS, "set/a": {"p": 0.7, "r": 0.96, "fold": 0}}), encoding="utf-8")
    assert main(["--table", str(after), "--held-out", "0,1,2", "--compare", str(before)]) == 0
    out = capsys.readouterr().out
    assert "held-out: F1 up 0, down 1; clean gained 0, lost 1" in out
    assert "before (--compare)" in out


def test_pages_clean_for_one_extractor_only_are_counted_both_ways() -> None:
    theirs = {
        "set/a": {"p": 0.5, "r": 0.96, "fold": 0},  # only feedsvc clean, held out
        "set/b": {"p": 0.99, "r": 0.97, "fold": 0},  # only trafilatura clean, held out
        "set/c": {"p": 0.96, "r": 1.0, "fold": 3},  # only trafilatura clean, tuning
    }
    lines = clean_apart(ROWS, theirs, {0, 1, 2}, peek=False)
    assert "tuning  : trafilatura only 1, feedsvc only 0" in lines[1]
    assert "held-out: trafilatura only 1, feedsvc only 1" in lines[2]
    named = "\n".join(lines[3:])
    assert "set/c" in named and "set/a" not in named and "set/b" not in named
    peeked = "\n".join(clean_apart(ROWS, theirs, {0, 1, 2}, peek=True))
    assert "feedsvc only     fold 0 set/a" in peeked and "trafilatura only fold 0 set/b" in peeked


def test_doubts_are_counted_against_the_scores_per_side_and_only_tuning_pages_named() -> None:
    rows = {
        "set/a": {**ROWS["set/a"], "doubts": ["the page's description shares 5% of its words with the article"]},
        "set/b": {**ROWS["set/b"], "doubts": []},  # poor (P 0.5), not doubted, held out
        "set/c": {**ROWS["set/c"], "doubts": []},  # bad (empty output), not doubted, tuning
        "set/d": {"p": 0.2, "r": 1.0, "fold": 4, "doubts": ["the chosen container is marked up as reader comments"]},
        "other/e": {"p": 0.1, "r": 0.1, "fold": 4},  # no doubts: another extractor's row, left out
    }
    lines = doubt_table(rows, {0, 1, 2}, peek=False)
    by_side = {line.split()[0]: line.split()[1:] for line in lines[2:5]}
    # pages, doubted, bad doubted "of" bad, poor doubted "of" poor, false alarms
    assert by_side["tuning"] == ["2", "1", "1", "of", "2", "1", "of", "2", "0"]
    assert by_side["held-out"] == ["2", "1", "0", "of", "0", "0", "of", "1", "1"]
    assert by_side["all"] == ["4", "2", "1", "of", "2", "1", "of", "3", "1"]
    text = "\n".join(lines)
    assert "  1 /  0 /  0 /  1  the page's description shares N of its words with the article" in text
    assert "  1 /  1 /  1 /  0 |   0 /  0 /  0 /  0  the chosen container is marked up" in text
    assert "bad, not doubted fold 3 set/c" in text and "set/a" not in text.split("by doubt")[1]
    assert "doubted, clean   fold 0 set/a" in "\n".join(doubt_table(rows, {0, 1, 2}, peek=True))


def test_the_doubts_come_from_the_cleaning_that_is_scored() -> None:
    body = "<p>" + "The committee met on Tuesday to discuss the harbour. " * 20 + "</p>"
    html = (
        '<html><head><meta name="description" content="Volcanic eruptions disrupted flights across '
        'northern territories yesterday afternoon"></head><body><article>' + body + "</article></body></html>"
    )
    page = Page("set/x", html, {"articleBody": "The committee met"}, "https://example.org/x", "example.org", "set")
    (run,) = measure_all({"feedsvc": clean_judged}, [page], {"feedsvc": cleaned_text})
    assert run.outputs["set/x"].startswith("The committee met on Tuesday")
    assert run.doubts["set/x"] == clean_article(html, "https://example.org/x").confidence.reasons
    assert any("description" in reason for reason in run.doubts["set/x"])
    assert run_rows(run, [page], 5)["set/x"]["doubts"] == list(run.doubts["set/x"])


def test_each_extractor_pays_its_one_time_costs_on_a_page_outside_the_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fake clock each extractor moves: 100 ticks on its first call (a model read, an import), 1 after.
    # The warm-up page takes the 100, untimed and unscored; each timed page counts 1.
    clock = [0.0]
    monkeypatch.setattr(extraction.time, "perf_counter", lambda: clock[0])
    seen: dict[str, list[str]] = {"a": [], "b": []}

    def extractor(name: str) -> Callable[[str, str], str]:
        def extract(html: str, url: str) -> str:
            clock[0] += 1 if seen[name] else 100
            seen[name].append(url)
            return "The committee met"

        return extract

    pages = [
        Page(
            f"set/{i}",
            "<p>x</p>",
            {"articleBody": "The committee met"},
            f"https://example.org/{i}",
            "example.org",
            "set",
        )
        for i in range(3)
    ]
    runs = measure_all({"a": extractor("a"), "b": extractor("b")}, pages)
    for name, run in zip("ab", runs, strict=True):
        assert seen[name] == [extraction.WARM_UP_URL, *(page.url for page in pages)]
        assert run.seconds == 3 and run.pages == 3 and sorted(run.outputs) == ["set/0", "set/1", "set/2"]


def test_the_warm_up_page_reaches_what_a_first_page_pays_for(monkeypatch: pytest.MonkeyPatch) -> None:
    # A whole article page: feedsvc finds its article and reads its scorer's model on it. (trafilatura's
    # side is not run here: it is the bench extra's, which `make test` does not install.)
    monkeypatch.setattr(scorer, "_shipped", None)
    assert "harbour wall by forty metres" in extraction.run_feedsvc(extraction.WARM_UP_PAGE, extraction.WARM_UP_URL)
    assert scorer._shipped is not None


def test_fold_models_are_trained_once_then_read_for_the_same_training_pages(tmp_path: Path) -> None:
    trained: list[int] = []

    def train() -> tuple[dict, dict]:
        trained.append(1)
        return {"threshold": 0.5, "trees": [len(trained)]}, {"threshold": 0.4}

    keys = ["set/2", "set/1"]
    first = extraction.fold_models(tmp_path / "models", 3, 5, keys, train)
    assert trained == [1] and first[:2] == ({"threshold": 0.5, "trees": [1]}, {"threshold": 0.4})
    assert "saved" in first[2]
    # The second run reads the saved models (the pages in any order): nothing is trained.
    again = extraction.fold_models(tmp_path / "models", 3, 5, list(reversed(keys)), train)
    assert trained == [1] and again[:2] == first[:2] and "read from" in again[2]
    # Without a folder the models are trained every time, as before the option.
    assert extraction.fold_models(None, 3, 5, keys, train)[:2] == ({"threshold": 0.5, "trees": [2]}, {"threshold": 0.4})


def test_fold_models_saved_for_other_training_pages_are_refused_with_the_fix(tmp_path: Path) -> None:
    def train() -> tuple[dict, dict]:
        return {"threshold": 0.5}, {"threshold": 0.4}

    extraction.fold_models(tmp_path, 0, 5, ["set/1", "set/2"], train)
    with pytest.raises(SystemExit, match=r"other pages .*give --fold-models an empty folder"):
        extraction.fold_models(tmp_path, 0, 5, ["set/1"], train)
    with pytest.raises(SystemExit, match=r"not fold 0 of 4 .*empty folder"):
        extraction.fold_models(tmp_path, 0, 4, ["set/1", "set/2"], train)
