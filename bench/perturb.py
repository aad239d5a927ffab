"""Measure the cleaner and trafilatura on the dev pages made to look like markup the project never saw.

Usage::

    python bench/perturb.py DATASET [DATASET ...] [--variants none,classes,semantic,metadata,all]
                            [--models DIR [--train [--augment SHARE]]] [--only feedsvc|trafilatura] [--their DIR]
                            [--held-out 0,1,2] [--out DIR] [--compare DIR] [--limit N]

Domain folds (``bench/extraction.py``) test new sites, not new kinds of
markup: the cleaner and its learned scorer read class/id words, semantic
tags and the page's metadata, and a site built with hashed CSS-in-JS or
utility classes, without ``<article>``/``<nav>``/``<aside>``, or without a
description may lose more than the folds show. Each variant transforms
every page the same generic, deterministic way before both extractors see
it:

- ``classes``: every class and id value replaced by a hash (salted by the
  page, so no word is shared between pages, and consistent within it: a
  repeated class stays repeated, and ``aria-controls``, ``for``,
  ``data-target``/``data-bs-target`` and ``href="#…"`` still name their id);
- ``semantic``: ``article``, ``main``, ``nav``, ``aside``, ``footer``,
  ``header``, ``section``, ``hgroup`` and ``search`` become ``div``, and
  ``role`` attributes go;
- ``metadata``: ``<meta>`` with a name, property or itemprop (description,
  Open Graph, Twitter, …), JSON-LD scripts and microdata attributes
  (``itemprop``, ``itemscope``, ``itemtype``, ``itemid``) go; ``<title>`` stays;
- ``all``: the three together; ``none``: the page as it is.

The text inside ``<script>`` and ``<style>`` is left alone (a JSON-LD script
goes whole under ``metadata``). The transforms work on the HTML text, so
the parsers see the page as it was, with only those names changed.

``--models DIR`` holds one model per fold (``fold0.json`` …), each trained
on the other folds' unperturbed pages as ``extraction.py --scorer`` trains
them: a page is cleaned with the model that never saw it, which is the
honest figure (without ``--models``, the shipped model, trained on every
page: a first look only). ``--train`` trains the missing ones (minutes).

``--out DIR`` writes each variant's per-page rows (``VARIANT-feedsvc.json``,
``VARIANT-trafilatura.json``, as ``extraction.py --scores`` writes them, so
``extraction.py --table`` reads them); ``--their DIR`` reads trafilatura's
rows from an earlier ``--out`` instead of running it again (its output does
not depend on this project's code); ``--compare DIR`` prints, per variant,
the pages moved against an earlier ``--out`` (held-out pages counted, not named).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import (
    Page,
    Run,
    clean_page,
    compare_rows,
    fold_of,
    html_to_text,
    load,
    page_scores,
    rows_summary,
    run_rows,
    run_trafilatura,
)

from feedsvc.clean import scorer

FOLDS = 5

# A start or end tag: name, then attributes (quoted values may hold '>').
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
# An attribute of a tag's attribute text: name, and its value in whichever quotes.
_ATTR = re.compile(r"(?<![^\s\"'/])([^\s\"'>/=]+)(?:(\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
# Elements whose text is not HTML: left as they are.
_RAW = re.compile(r"(<(script|style)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)(.*?)(</\2\s*>)", re.IGNORECASE | re.DOTALL)

SEMANTIC_TAGS = frozenset("article main nav aside footer header section hgroup search".split())
MICRODATA = frozenset("itemprop itemscope itemtype itemid".split())
# Attributes whose value names ids, as a space-separated list or one "#id" selector.
_ID_LISTS = frozenset(
    "aria-controls aria-labelledby aria-describedby aria-owns aria-activedescendant for headers".split()
)
_ID_SELECTORS = frozenset("data-target data-bs-target href".split())
_JSON_LD = re.compile(r"application/ld\+json", re.IGNORECASE)


def _outside_raw(html: str, fix: Callable[[str], str], raw: Callable[[str, str, str], str] | None = None) -> str:
    """Return ``html`` with ``fix`` applied to everything but the text of scripts and styles.

    ``raw(open_tag, text, close_tag)`` rewrites a whole script or style
    element (its open tag through ``fix`` first); by default only its open
    tag is fixed.
    """
    parts: list[str] = []
    last = 0
    for m in _RAW.finditer(html):
        parts.append(fix(html[last : m.start()]))
        opened = fix(m.group(1))
        parts.append(raw(opened, m.group(3), m.group(4)) if raw else opened + m.group(3) + m.group(4))
        last = m.end()
    parts.append(fix(html[last:]))
    return "".join(parts)


# What an attribute function returns to drop the attribute.
DROP = "\0drop"


def _rewrite_attrs(html: str, attr: Callable[[str, str, str | None], str | None], tag: Callable[[str], str]) -> str:
    """Return ``html`` with each tag's name through ``tag`` and each attribute through ``attr``.

    ``attr(tag, name, value)`` returns the attribute's new value (None: an
    attribute without one, as it came), or ``DROP`` to drop the attribute.
    """

    def one_tag(m: re.Match[str]) -> str:
        slash, name, attrs = m.group(1), m.group(2), m.group(3)
        lower = name.lower()

        def one_attr(a: re.Match[str]) -> str:
            key = a.group(1)
            value = next((v for v in a.group(3, 4, 5) if v is not None), None)
            new = attr(lower, key.lower(), value)
            if new == DROP:
                return ""
            if new == value or new is None:
                return a.group(0)
            return f'{key}="{new}"'

        if not slash and attrs.strip():
            attrs = _ATTR.sub(one_attr, attrs)
        return f"<{slash}{tag(name)}{attrs}>"

    return _TAG.sub(one_tag, html)


def _hasher(salt: str) -> Callable[[str], str]:
    """Return a function mapping a class or id token to a hash, the same for the same token of one page."""
    seen: dict[str, str] = {}

    def hashed(token: str) -> str:
        if token not in seen:
            seen[token] = "k" + hashlib.sha1(f"{salt}\0{token}".encode()).hexdigest()[:7]
        return seen[token]

    return hashed


def hash_classes(html: str, salt: str) -> str:
    """Return ``html`` with every class and id token replaced by a salted hash, references to ids kept."""
    hashed = _hasher(salt)

    def attr(tag: str, name: str, value: str | None) -> str | None:
        if value is None:
            return value
        if name in ("class", "id") or name in _ID_LISTS:
            return " ".join(hashed(token) for token in value.split())
        if name in _ID_SELECTORS and value.startswith("#") and len(value) > 1:
            return "#" + hashed(value[1:])
        return value

    return _outside_raw(html, lambda text: _rewrite_attrs(text, attr, lambda name: name))


def plain_tags(html: str) -> str:
    """Return ``html`` with the semantic sectioning and landmark tags made ``div`` and ``role`` attributes gone."""

    def attr(tag: str, name: str, value: str | None) -> str | None:
        return DROP if name == "role" else value

    def tag(name: str) -> str:
        return "div" if name.lower() in SEMANTIC_TAGS else name

    return _outside_raw(html, lambda text: _rewrite_attrs(text, attr, tag))


_META = re.compile(r"<meta\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
_META_NAMED = re.compile(r"(?<![\w-])(?:name|property|itemprop)\s*=", re.IGNORECASE)


def strip_metadata(html: str) -> str:
    """Return ``html`` without its described metadata: named ``<meta>``, JSON-LD and microdata; ``<title>`` kept."""

    def attr(tag: str, name: str, value: str | None) -> str | None:
        return DROP if name in MICRODATA else value

    def fix(text: str) -> str:
        text = _META.sub(lambda m: "" if _META_NAMED.search(m.group(0)) else m.group(0), text)
        return _rewrite_attrs(text, attr, lambda name: name)

    def raw(opened: str, text: str, closed: str) -> str:
        return "" if _JSON_LD.search(opened) else opened + text + closed

    return _outside_raw(html, fix, raw)


def _all(html: str, salt: str) -> str:
    return strip_metadata(plain_tags(hash_classes(html, salt)))


VARIANTS: dict[str, Callable[[str, str], str]] = {
    "none": lambda html, salt: html,
    "classes": hash_classes,
    "semantic": lambda html, salt: plain_tags(html),
    "metadata": lambda html, salt: strip_metadata(html),
    "all": _all,
}


def perturbed(pages: Sequence[Page], variant: str) -> list[Page]:
    """Return the pages transformed by ``variant`` (salted by each page's key: deterministic)."""
    transform = VARIANTS[variant]
    return [
        Page(p.key, transform(p.html, p.key), p.truth, p.url, p.domain, p.dataset) if variant != "none" else p
        for p in pages
    ]


def fold_models(pages: Sequence[Page], folder: Path, train: bool, share: float = 0.0) -> dict[int, scorer.BlockModel]:
    """Return the per-fold models of ``folder`` (``foldN.json``), training the missing ones when ``train``.

    Fold N's model is trained on the other folds' pages as ``extraction.py
    --scorer`` trains it (``train_scorer.fit`` on the heuristics' article
    blocks of the unperturbed pages; with ``share``, also of that share of
    them perturbed, ``train_scorer.augment``).
    """
    folds = sorted({fold_of(p.domain, FOLDS) for p in pages})
    missing = [i for i in folds if not (folder / f"fold{i}.json").is_file()]
    if missing:
        if not train:
            raise SystemExit(f"{folder}: no model for folds {missing} (--train makes them)")
        from train_scorer import augment, collect_article_blocks, fit

        start = time.perf_counter()
        blocks = collect_article_blocks(augment(pages, share) if share else pages)
        print(f"blocks collected in {time.perf_counter() - start:.0f} s", flush=True)
        # Pages grouped by fold, as extraction.py --scorer lists them: bagging draws rows by
        # their order, so another order trains another model (84 of 839 pages moved by more than 0.005).
        blocks.sort(key=lambda pb: fold_of(pb.domain, FOLDS))
        folder.mkdir(parents=True, exist_ok=True)
        for i in missing:
            data = fit([pb for pb in blocks if fold_of(pb.domain, FOLDS) != i], FOLDS)
            (folder / f"fold{i}.json").write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            print(f"fold {i}: model trained, threshold {data['threshold']}", flush=True)
    return {
        i: scorer.read_model((folder / f"fold{i}.json").read_text(encoding="utf-8"), str(folder / f"fold{i}.json"))
        for i in folds
    }


def run(
    name: str, pages: Sequence[Page], extract: Callable[[str, str], str], models: dict[int, scorer.BlockModel] | None
) -> Run:
    """Run one extractor over the pages (with each page's fold model, when given) and score it."""
    result = Run(name)
    saved = scorer.MODEL, scorer.ENABLED
    try:
        for page in pages:
            if models is not None:
                scorer.MODEL, scorer.ENABLED = models[fold_of(page.domain, FOLDS)], True
            start = time.perf_counter()
            text = extract(page.html, page.url)
            result.seconds += time.perf_counter() - start
            result.pages += 1
            result.outputs[page.key] = text
            result.scores[page.key] = page_scores(page.truth["articleBody"], text)
    finally:
        scorer.MODEL, scorer.ENABLED = saved
    return result


def table(rows: dict[str, dict[str, dict]], held_out: set[int]) -> list[str]:
    """Return the lines of the table: per variant and extractor, the tuning, held-out and all pages' metric."""
    lines = [
        (
            f"  {'variant':<9} {'extractor':<12} {'side':<9} {'pages':>5} {'F1':>6} {'P':>6} {'R':>6} "
            f"{'clean':>6} {'P<0.8':>6} {'R<0.8':>6} {'empty':>6}"
        )
    ]
    for label, by_page in rows.items():
        variant, extractor = label.split("/")
        sides = {
            "tuning": [r for r in by_page.values() if r["fold"] not in held_out],
            "held-out": [r for r in by_page.values() if r["fold"] in held_out],
            "all": list(by_page.values()),
        }
        for side, group in sides.items():
            if not group:
                continue
            s = rows_summary(group)
            lines.append(
                f"  {variant:<9} {extractor:<12} {side:<9} {s.pages:5d} {s.f1:6.3f} {s.p:6.3f} {s.r:6.3f} "
                f"{s.clean / max(s.pages, 1):6.1%} {s.low_p:6d} {s.low_r:6d} {s.empty:6d}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the variants and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="which transforms (default: all five)")
    parser.add_argument("--models", type=Path, default=None, help="per-fold models foldN.json (default: shipped)")
    parser.add_argument("--train", action="store_true", help="train the per-fold models missing from --models")
    parser.add_argument(
        "--augment", type=float, default=0.0, help="with --train: train also on this share of the pages perturbed"
    )
    parser.add_argument("--only", choices=("feedsvc", "trafilatura"), default=None)
    parser.add_argument("--their", type=Path, default=None, help="read trafilatura's rows from an earlier --out")
    parser.add_argument("--held-out", default="0,1,2", help="folds no rule was written on (default 0,1,2)")
    parser.add_argument("--out", type=Path, default=None, help="write each variant's per-page rows here")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier --out: count the pages moved")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id) of each dataset")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}: choose from {', '.join(VARIANTS)}")
    held_out = {int(part) for part in args.held_out.split(",") if part.strip()}
    pages = load(args.datasets, args.limit)
    models = fold_models(pages, args.models, args.train, args.augment) if args.models else None
    print(f"{len(pages)} pages; scorer: {'per-fold models of ' + str(args.models) if models else 'the shipped model'}")

    def feedsvc(html: str, url: str) -> str:
        return html_to_text(clean_page(html, url))

    rows: dict[str, dict[str, dict]] = {}
    for variant in variants:
        changed = perturbed(pages, variant)
        for name, extract in (("feedsvc", feedsvc), ("trafilatura", run_trafilatura)):
            if args.only not in (None, name):
                continue
            their = args.their / f"{variant}-{name}.json" if args.their and name == "trafilatura" else None
            if their is not None and their.is_file():
                rows[f"{variant}/{name}"] = json.loads(their.read_text(encoding="utf-8"))
                continue
            result = run(name, changed, extract, models if name == "feedsvc" else None)
            rows[f"{variant}/{name}"] = run_rows(result, changed, FOLDS)
            print(f"{variant}/{name}: {result.rate:.1f} pages/s", flush=True)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{variant}-{name}.json").write_text(
                    json.dumps(rows[f"{variant}/{name}"], indent=1, sort_keys=True), encoding="utf-8"
                )
    print(f"\nheld-out folds {sorted(held_out)}; P and R as in extraction.py (clean: both >= 0.95)")
    print("\n".join(table(rows, held_out)))
    if args.compare:
        for label, after in rows.items():
            variant, name = label.split("/")
            before_file = args.compare / f"{variant}-{name}.json"
            if name == "feedsvc" and before_file.is_file():
                before = json.loads(before_file.read_text(encoding="utf-8"))
                print(f"\n{label} against {before_file}:")
                print("\n".join(compare_rows(before, after, held_out, peek=False)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
