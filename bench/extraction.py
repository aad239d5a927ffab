"""Measure feedsvc's cleaner against trafilatura on annotated page sets.

Usage::

    python bench/extraction.py DATASET [DATASET ...] [--limit N] [--folds K]
                               [--only feedsvc|trafilatura|parse] [--worst N]
                               [--dump DIR] [--ablate RULE,RULE|all] [--scorer [--fold-models DIR]]
                               [--scores FILE.json] [--held-out 0,1,2] [--compare BEFORE.json [--peek]]
                               [--their-scores FILE.json] [--their-dump DIR] [--changed BEFORE_DUMP_DIR]
    python bench/extraction.py --table FILE.json [--held-out 0,1,2] [--compare BEFORE.json [--peek]]

Both extractors run on the same pages, in one process, interleaved page
by page (so both see the same machine load); the timing covers what a
user's path does with a page as text, for feedsvc ``clean_article`` (see
``clean_page``), for trafilatura ``extract`` with its defaults. Before its
timed pages each cleans a page of no data set once, untimed (``warm_up``;
the parsers of ``--only parse`` and both sides of each ``--scorer`` fold
too): what a process pays once (feedsvc's model read, trafilatura's import,
patterns compiled on first use) is no longer in the first page's time. Each
prints F1, P, R, the share of clean pages (page precision and recall both
>= 0.95), the pages with P < 0.8 and with R < 0.8, empty outputs, pages/s
and the speed ratio; per dataset and for all pages together.

Cross-validation by domain: the pages' domains (WCXB's ``domain``, else the
URL's host, else the page id without a trailing number) are put in K
folds by a hash of the domain, so one site never sits on both sides. A
fixed extractor has nothing to fit, so its cross-validated number is the
mean and spread over the K held-out folds. ``--ablate`` turns the generic
rules of ``feedsvc.clean.blocks``, ``boilerplate``, ``chrome``, ``dom``, ``edges``, ``extract``, ``normalise`` and ``sanitise`` (their ``RULES``) into a choice to fit: for each fold, the
rule set (all rules, or all but one) with the best F1 on the other K-1
folds is scored on the held-out fold, and the pooled held-out pages give
the cross-validated F1; a rule is worth keeping when it does not lower the
held-out F1 of any fold by more than noise.

``--scorer`` cross-validates the learned block scorer the same way: for
each fold, the model is trained (``bench/train_scorer.py``, the ``train``
extra) on the other folds and the held-out pages are cleaned with the
heuristics alone, with the scorer alone and with both (``scorer_cv``).
``--fold-models DIR`` keeps each fold's two models (combined and scorer
alone) in ``DIR/fold<i>.json``: a fold whose file is there is not trained
but read (``fold_models``), so a rule that changes the blocks the scorer
sees is judged with the models trained before it (a run of main saves
them) instead of models retrained on its blocks, whose retraining alone
moves about 180 pages.

``--held-out 0,1,2`` names the folds no rule was written on (this round's
rules were written looking at folds 3 and 4 only): feedsvc's F1, P, R,
clean share, pages under 0.8 and empty outputs are printed per fold, for the
tuning folds, the held-out folds and all pages (``held_out_table``; with
``--scorer``, of the held-out combined run). ``--compare BEFORE.json`` (an
earlier run's ``--scores``) counts the pages whose F1 or clean state moved,
tuning and held-out apart, and names only the tuning pages (``--peek``: the
held-out ones too, to read once the rules are fixed). ``--table FILE.json``
prints the same from a saved ``--scores`` file without running anything.
``--changed DIR`` (an earlier run's ``--dump`` folder) counts the pages whose
text changed at all, tuning and held-out apart (tuning pages named): a rule
that changes no held-out page is a site rule, however much it gains.

With ``--held-out`` (or ``--compare``, or ``--table`` of a file that has
them) feedsvc's doubts (``feedsvc.clean.confidence``, the reasons
``feedsvc check`` warns with) are set against its scores (``doubt_table``):
pages doubted, how many of the bad (P or R < 0.5) and poor (< 0.8) pages are
doubted, how many clean pages are (false alarms), and each kind of doubt
with the pages it falls on, tuning and held-out apart. The doubts come
from the cleaning whose text is scored (``clean_judged``; with ``--scorer``,
each fold's own combined run) and are written in ``--scores`` rows
(``"doubts"``).

``--their-scores FILE`` and ``--their-dump DIR`` write trafilatura's per-page
rows and texts as ``--scores`` and ``--dump`` write feedsvc's. With both
extractors run and ``--held-out``, the pages clean for one and not the other
are counted both ways, tuning and held-out apart (``clean_apart``; tuning
pages named, held-out ones with ``--peek``): where to learn from the other.

``--only parse`` times parsing alone on the same
pages: lexbor (selectolax), lexbor then lxml (what the cleaner does),
lxml.html, and BeautifulSoup with the lxml builder, with and without
serialising back to a string.

DATASET is a folder laid out like WCXB's dev split: ``ground-truth.json``
(``{id: {"articleBody", "url", "with", "without", ...}}``) and
``html/<id>.html.gz``. The metric is the one the data README describes:
``\\w+`` tokens (case kept), 4-token shingles counted as multisets, page
precision and recall, P = mean page precision over pages with non-empty
output, R = mean page recall over pages with non-empty truth, F1 of the two
means, and the number of empty outputs beside it.

trafilatura is a bench-only tool here, never a runtime dependency.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedsvc.clean import CLEANER_VERSION, Cleaned, clean_article
from feedsvc.content.decode import mend_double_utf8

# The pages of the dev split whose article carries a donation or membership
# appeal that the truth leaves out (data README, "Appeals in this split").
APPEAL_PAGES = tuple(
    f"wcxb-dev/{i}" for i in ("0096", "0174", "0418", "0420", "0421", "0462", "0463", "0466", "4125", "4511")
)

# Phrases that mark an appeal; a page leaks when its output holds one that
# its truth does not (or holds one of the truth's ``without`` snippets).
APPEAL_PHRASES = re.compile(
    r"support (?:us|our|independent|this)|donat(?:e|ion)|become a (?:member|patron|supporter|subscriber)"
    r"|funded by readers|readers like you|subscribe|newsletter|fund this|patreon|buy me a coffee"
    r"|membership|make a gift|chip in|contribut(?:e|ion) (?:today|now)",
    re.IGNORECASE,
)

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"[^\S\n]+")
_DROP = ("script", "style", "template")
_BLOCKS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody "
    "td tfoot th thead tr ul".split()
)


def html_to_text(html: str) -> str:
    """Return the text of an HTML fragment: one line per block, white space collapsed."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # noqa: BLE001 - a bench must survive any output
        return ""
    parts: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP:
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
        if isinstance(el.tag, str) and el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Return the multiset of ``size``-token windows of ``text`` (short texts give one)."""
    tokens = _WORD.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def page_scores(truth: str, output: str) -> tuple[float | None, float | None]:
    """Return (precision, recall) of one page; None where undefined."""
    t, o = shingles(truth), shingles(output)
    tp = sum((t & o).values())
    fp = sum((o - t).values())
    fn = sum((t - o).values())
    precision = tp / (tp + fp) if o else None
    recall = tp / (tp + fn) if t else None
    return precision, recall


# A page is clean when its precision and recall both reach this; it is
# poor on a side below the other threshold.
CLEAN_AT = 0.95
POOR_BELOW = 0.8


@dataclass
class Page:
    """One annotated page: key (``dataset/id``), its HTML, truth text, URL and domain."""

    key: str
    html: str
    truth: dict
    url: str
    domain: str
    dataset: str


@dataclass
class Run:
    """One extractor's outputs and scores over the pages, and the time it took."""

    name: str
    seconds: float = 0.0
    pages: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    scores: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    # The cleaner's doubts about each page (``Confidence.reasons``), from the same cleaning as the output.
    doubts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


@dataclass
class Summary:
    """The metric over a set of pages."""

    pages: int
    p: float
    r: float
    empty: int
    clean: int
    low_p: int
    low_r: int

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def summarise(run: Run, keys: Sequence[str]) -> Summary:
    """Return the metric of ``run`` over ``keys``: mean page P over non-empty outputs, mean R over non-empty truths."""
    ps = [run.scores[k][0] for k in keys if run.scores[k][0] is not None]
    rs = [run.scores[k][1] for k in keys if run.scores[k][1] is not None]
    clean = low_p = low_r = 0
    for k in keys:
        p, r = run.scores[k]
        p = 0.0 if p is None else p
        r = 1.0 if r is None else r
        clean += p >= CLEAN_AT and r >= CLEAN_AT
        low_p += p < POOR_BELOW
        low_r += r < POOR_BELOW
    return Summary(
        pages=len(keys),
        p=sum(ps) / len(ps) if ps else 0.0,  # type: ignore[arg-type]
        r=sum(rs) / len(rs) if rs else 0.0,  # type: ignore[arg-type]
        empty=sum(1 for k in keys if not run.outputs[k].strip()),
        clean=clean,
        low_p=low_p,
        low_r=low_r,
    )


def page_f1(run: Run, key: str) -> float:
    """Return one page's F1 (an empty side counts 0)."""
    p, r = run.scores[key]
    p, r = p or 0.0, r or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def clean_judged(html: str, url: str) -> Cleaned:
    """Return feedsvc's clean article and the cleaner's doubts about it, made as a user's path makes it.

    ``feedsvc.catalog.prepare.make_article`` calls ``clean_article``: the
    same HTML as ``clean_html``, and the cleaner's judgement of it (a pass
    over the page's paragraphs and one over the result's text). This is what
    the speed ratio times; the text the metric reads is made from its HTML
    outside the timing (``html_to_text``), as trafilatura's own text output is
    its result, and its doubts are set against that text's scores
    (``doubt_table``): one cleaning per page gives both. The page is passed as
    text to both extractors (decoded once by ``load``); neither extracts
    metadata (``trafilatura.extract`` does not by default).
    """
    return clean_article(html, base_url=url or None)


def clean_page(html: str, url: str) -> str:
    """Return feedsvc's clean article as HTML (``clean_judged``'s, without the doubts)."""
    return clean_judged(html, url).html


def cleaned_text(cleaned: Cleaned) -> str:
    """Return the text the metric reads of a ``clean_judged`` result."""
    return html_to_text(cleaned.html)


def run_feedsvc(html: str, url: str) -> str:
    """Return feedsvc's clean article as text."""
    return html_to_text(clean_page(html, url))


def run_trafilatura(html: str, url: str) -> str:
    """Return trafilatura's main text (defaults)."""
    import trafilatura

    return trafilatura.extract(html, url=url or None) or ""


def _same(text: str) -> str:
    return text


# A page of no data set, cleaned by each extractor once before its timed pages (``warm_up``): a whole
# page with a title, an article of a few paragraphs and the furniture around it, so that first call pays
# what a process pays once (feedsvc's model read, trafilatura's import, patterns compiled on first use)
# as a data set's first page did, whose time counted them.
WARM_UP_URL = "https://warm-up.example/2024/05/harbour-wall/"
WARM_UP_PAGE = (
    "<html><head><title>Harbour wall extended | Coast Gazette</title>"
    '<meta name="description" content="The council voted to extend the harbour wall."></head><body>'
    '<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
    "<article><h1>Harbour wall extended</h1><p>By A. Reporter, 2 May 2024</p>"
    + "".join(
        f"<p>The council voted on day {i} to extend the harbour wall by forty metres, after engineers said "
        "the old wall would not survive another winter of storms.</p>"
        for i in range(6)
    )
    + '</article><aside><h2>Most read</h2><ul><li><a href="/a">Storm closes road</a></li>'
    '<li><a href="/b">Ferry times change</a></li></ul></aside><footer>(c) Coast Gazette</footer></body></html>'
)


def warm_up(extractors: Iterable[Callable[[str, str], Any]]) -> None:
    """Run each extractor once on ``WARM_UP_PAGE``, untimed and unscored: its one-time costs are no page's time."""
    for extract in extractors:
        extract(WARM_UP_PAGE, WARM_UP_URL)


def measure(name: str, extract: Callable[[str, str], str], pages: list[Page]) -> Run:
    """Run one extractor over the pages, timing the extraction only, and score it."""
    return measure_all({name: extract}, pages)[0]


def measure_all(
    extractors: dict[str, Callable[[str, str], Any]],
    pages: list[Page],
    to_text: dict[str, Callable[[Any], str]] | None = None,
) -> list[Run]:
    """Run every extractor on each page in turn (interleaved), timing the extraction only, and score them.

    Interleaving puts each extractor under the same machine load: on a
    shared machine, running one over all pages and then the other skews
    their speed ratio by whatever else ran meanwhile. ``to_text`` turns an
    extractor's output into the text the metric reads, outside the timing;
    an output that is a ``Cleaned`` also gives the page's doubts (``Run.doubts``).
    Each extractor first cleans a page of no data set, untimed (``warm_up``):
    the first timed page no longer carries the process's one-time costs.
    """
    runs = [Run(name) for name in extractors]
    fns = list(extractors.values())
    warm_up(fns)
    texts = [(to_text or {}).get(name, _same) for name in extractors]
    for index, page in enumerate(pages):
        order = range(len(runs)) if index % 2 == 0 else reversed(range(len(runs)))
        for i in order:
            start = time.perf_counter()
            output = fns[i](page.html, page.url)
            runs[i].seconds += time.perf_counter() - start
            text = texts[i](output)
            runs[i].pages += 1
            runs[i].outputs[page.key] = text
            runs[i].scores[page.key] = page_scores(page.truth["articleBody"], text)
            if isinstance(output, Cleaned):
                runs[i].doubts[page.key] = output.confidence.reasons
    return runs


def leaked_appeal(text: str, truth: dict) -> str | None:
    """Return what of a page's appeal is still in ``text``, or None."""
    flat = " ".join(text.split())
    for snippet in truth.get("without", []):
        if " ".join(snippet.split()) in flat:
            return f"without-snippet {snippet!r}"
    in_truth = {m.group(0).lower() for m in APPEAL_PHRASES.finditer(truth["articleBody"])}
    for match in APPEAL_PHRASES.finditer(flat):
        if match.group(0).lower() not in in_truth:
            start = max(0, match.start() - 40)
            return f"phrase {flat[start : match.end() + 40]!r}"
    return None


_TRAILING_NUMBER = re.compile(r"[-_]?\d+$")


def domain_of(page_id: str, truth: dict) -> str:
    """Return the site a page comes from: WCXB's ``domain``, the URL's host, else its id stem ("bbc-1" -> "bbc")."""
    if truth.get("domain"):
        return str(truth["domain"]).lower().removeprefix("www.")
    host = urlsplit(truth.get("url") or "").hostname
    if host:
        return host.lower().removeprefix("www.")
    return _TRAILING_NUMBER.sub("", page_id) or page_id


def fold_of(domain: str, folds: int) -> int:
    """Return the fold (0..folds-1) of a domain: a fixed hash, the same on every machine and run."""
    return int.from_bytes(hashlib.sha256(domain.encode()).digest()[:4], "big") % folds


def load(datasets: Sequence[Path], limit: int | None) -> list[Page]:
    """Return the pages of every dataset, in dataset then id order."""
    pages = []
    for dataset in datasets:
        truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
        ids = sorted(truth)
        if limit:
            ids = ids[:limit]
        for page_id in ids:
            raw = gzip.decompress((dataset / "html" / f"{page_id}.html.gz").read_bytes())
            t = truth[page_id]
            pages.append(
                Page(
                    key=f"{dataset.name}/{page_id}",
                    html=read_page(raw),
                    truth=t,
                    url=t.get("url") or "",
                    domain=domain_of(page_id, t),
                    dataset=dataset.name,
                )
            )
    return pages


def read_page(raw: bytes) -> str:
    """Return a page's text: UTF-8 whatever its <meta> says (the data README), mended as the loader mends UTF-8.

    A page whose UTF-8 was once read as Latin-1 and saved again (wcxb-dev/4912:
    "youâre" in a browser) is mended by ``feedsvc.content.decode`` for the service;
    both extractors get the same mended text.
    """
    return mend_double_utf8(raw.decode("utf-8", errors="replace"))[0]


# A page's text is a str: its bytes are UTF-8 whatever its <meta> says. libxml2 told nothing reads a page
# without a charset it finds as Latin-1, every accented letter as two ("Ã©" for "é"): 35 of the 839 dev pages.
_UTF8 = lxml.html.HTMLParser(encoding="utf-8")


def page_tree(html: str) -> lxml.html.HtmlElement:
    """Return libxml2's tree of a page's text, read as the UTF-8 it is encoded to, not as its charset is guessed."""
    return lxml.html.document_fromstring(html.encode("utf-8"), parser=_UTF8)


def parse_rates(pages: list[Page]) -> list[tuple[str, float]]:
    """Return pages/s of parsing alone (one core, pages in turn) for each parser the cleaner could use."""
    from bs4 import BeautifulSoup
    from selectolax.lexbor import LexborHTMLParser

    from feedsvc.clean import parse

    def bs4_parse(html: str) -> object:
        return BeautifulSoup(html, "lxml")

    def bs4_roundtrip(html: str) -> object:
        return str(BeautifulSoup(html, "lxml"))

    def lxml_parse(html: str) -> object:
        return lxml.html.document_fromstring(html.encode("utf-8"))

    parsers: list[tuple[str, Callable[[str], object]]] = [
        ("lexbor (selectolax)", LexborHTMLParser),
        ("lexbor + lxml (feedsvc)", parse),
        ("lxml.html", lxml_parse),
        ("BeautifulSoup (lxml)", bs4_parse),
        ("BeautifulSoup (lxml) + str()", bs4_roundtrip),
    ]
    rates = []
    for name, fn in parsers:
        fn(WARM_UP_PAGE)  # untimed, as warm_up does for the extractors
        start = time.perf_counter()
        for page in pages:
            fn(page.html)
        rates.append((name, len(pages) / (time.perf_counter() - start)))
    return rates


def print_table(title: str, runs: list[Run], keys: Sequence[str]) -> None:
    """Print one table row per extractor over ``keys``."""
    print(f"\n{title}: {len(keys)} pages")
    print(f"  {'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'clean':>6} {'P<0.8':>6} {'R<0.8':>6} {'empty':>6}")
    for run in runs:
        s = summarise(run, keys)
        print(
            f"  {run.name:<12} {s.f1:6.3f} {s.p:6.3f} {s.r:6.3f} {s.clean / max(s.pages, 1):6.1%} "
            f"{s.low_p:6d} {s.low_r:6d} {s.empty:6d}"
        )


def cross_validate(runs: list[Run], pages: list[Page], folds: int) -> None:
    """Print each extractor's F1 on each held-out fold of domains, and their mean and spread."""
    by_fold: dict[int, list[str]] = {}
    for page in pages:
        by_fold.setdefault(fold_of(page.domain, folds), []).append(page.key)
    domains = len({page.domain for page in pages})
    print(f"\ncross-validation: {domains} domains in {folds} folds (sha256 of the domain)")
    print(
        "  " + f"{'extractor':<12} " + " ".join(f"fold{i}({len(by_fold.get(i, []))})".rjust(10) for i in range(folds))
    )
    for run in runs:
        f1s = [summarise(run, by_fold[i]).f1 for i in range(folds) if by_fold.get(i)]
        mean = sum(f1s) / len(f1s)
        spread = (sum((f - mean) ** 2 for f in f1s) / len(f1s)) ** 0.5
        cleans = [summarise(run, by_fold[i]) for i in range(folds) if by_fold.get(i)]
        clean = sum(s.clean for s in cleans) / sum(s.pages for s in cleans)
        print(
            f"  {run.name:<12} "
            + " ".join(f"{f:10.3f}" for f in f1s)
            + f"   mean {mean:.3f} ± {spread:.3f}, clean {clean:.1%}"
        )


def _rule_modules() -> list:
    """The cleaner's stages whose generic rules can be switched off (each has RULES and DISABLED)."""
    import importlib

    from feedsvc.clean import blocks, boilerplate, chrome, dom, edges, extract, scorer

    # the modules normalise and sanitise by import_module (the package's own names are the stages' functions)
    stages = [importlib.import_module(f"feedsvc.clean.{name}") for name in ("normalise", "sanitise")]
    return [blocks, boilerplate, chrome, dom, edges, extract, scorer, *stages]


@contextlib.contextmanager
def _disabled(rules: frozenset[str]) -> Iterator[None]:
    modules = _rule_modules()
    saved = [module.DISABLED for module in modules]
    for module in modules:
        module.DISABLED = frozenset(rules & set(module.RULES))
    try:
        yield
    finally:
        for module, before in zip(modules, saved, strict=True):
            module.DISABLED = before


def ablate(pages: list[Page], folds: int, which: str) -> None:
    """Fit the choice of generic rules on K-1 folds, score it on the held-out one; print per-rule held-out deltas."""
    every = {name for module in _rule_modules() for name in module.RULES}
    names = sorted(every) if which == "all" else which.split(",")
    variants: dict[str, frozenset[str]] = {"(all rules)": frozenset(), "(none)": frozenset(every)}
    variants.update({f"-{name}": frozenset({name}) for name in names})
    runs: dict[str, Run] = {}
    for label, off in variants.items():
        with _disabled(off):
            runs[label] = measure(label, run_feedsvc, pages)
    by_fold: dict[int, list[str]] = {}
    for page in pages:
        by_fold.setdefault(fold_of(page.domain, folds), []).append(page.key)
    fold_ids = [i for i in range(folds) if by_fold.get(i)]
    print(
        f"\nablation of the generic rules (clean.chrome, clean.extract), F1 by held-out fold ({len(fold_ids)} folds):"
    )
    base = runs["(all rules)"]
    for label, run in runs.items():
        f1s = [summarise(run, by_fold[i]).f1 for i in fold_ids]
        deltas = [f - summarise(base, by_fold[i]).f1 for f, i in zip(f1s, fold_ids, strict=True)]
        print(
            f"  {label:<24} "
            + " ".join(f"{f:6.3f}" for f in f1s)
            + f"   all {summarise(run, [p.key for p in pages]).f1:.3f}"
            + f"   worst fold delta {min(deltas):+.4f}, best {max(deltas):+.4f}"
        )
    # The fitted choice: per held-out fold, the variant best on the other folds.
    held_out = Run("cv-chosen")
    chosen = []
    for i in fold_ids:
        train = [k for j in fold_ids if j != i for k in by_fold[j]]
        label = max(runs, key=lambda name: summarise(runs[name], train).f1)
        chosen.append(label)
        for key in by_fold[i]:
            held_out.outputs[key] = runs[label].outputs[key]
            held_out.scores[key] = runs[label].scores[key]
    pooled = summarise(held_out, [k for i in fold_ids for k in by_fold[i]])
    print(
        f"  chosen per fold: {', '.join(chosen)}; pooled held-out F1 {pooled.f1:.3f} (P {pooled.p:.3f}, R {pooled.r:.3f})"
    )


def run_rows(run: Run, pages: list[Page], folds: int) -> dict[str, dict]:
    """Return each page's precision, recall and held-out fold of ``run``: the rows ``--scores`` writes.

    A run that judged its pages (feedsvc's) adds each page's doubts (``"doubts"``: the reasons, maybe none).
    """
    rows = {}
    for page in pages:
        if page.key not in run.scores:
            continue
        row: dict[str, Any] = {
            "p": run.scores[page.key][0],
            "r": run.scores[page.key][1],
            "fold": fold_of(page.domain, folds),
        }
        if page.key in run.doubts:
            row["doubts"] = list(run.doubts[page.key])
        rows[page.key] = row
    return rows


def rows_summary(rows: Sequence[dict]) -> Summary:
    """Return the metric over saved rows (``{"p", "r"}``), as ``summarise`` counts it.

    An empty output is a page without precision (no shingles): ``summarise``
    reads the output text instead, which differs only for an output of
    punctuation alone.
    """
    run = Run("rows")
    for index, row in enumerate(rows):
        key = str(index)
        run.scores[key] = (row["p"], row["r"])
        run.outputs[key] = "" if row["p"] is None else "text"
    return summarise(run, list(run.scores))


def _groups(rows: dict[str, dict], held_out: set[int]) -> dict[str, list[str]]:
    """Return the page keys of each fold, of the tuning and held-out folds, and of all pages."""
    groups: dict[str, list[str]] = {}
    for fold in sorted({row["fold"] for row in rows.values()}):
        groups[f"fold {fold}" + (" (held out)" if fold in held_out else "")] = sorted(
            key for key, row in rows.items() if row["fold"] == fold
        )
    groups["tuning folds"] = sorted(key for key, row in rows.items() if row["fold"] not in held_out)
    groups["held-out folds"] = sorted(key for key, row in rows.items() if row["fold"] in held_out)
    groups["all pages"] = sorted(rows)
    return groups


def held_out_table(rows: dict[str, dict], held_out: set[int]) -> list[str]:
    """Return the table lines of ``rows`` per fold, tuning folds, held-out folds and all pages."""
    lines = [
        f"feedsvc by fold (held-out folds {sorted(held_out)}: no rule was written looking at their pages)",
        f"  {'group':<20} {'pages':>5} {'F1':>6} {'P':>6} {'R':>6} {'clean':>6} {'P<0.8':>6} {'R<0.8':>6} {'empty':>6}",
    ]
    for name, keys in _groups(rows, held_out).items():
        if not keys:
            continue
        s = rows_summary([rows[k] for k in keys])
        lines.append(
            f"  {name:<20} {s.pages:5d} {s.f1:6.3f} {s.p:6.3f} {s.r:6.3f} {s.clean / max(s.pages, 1):6.1%} "
            f"{s.low_p:6d} {s.low_r:6d} {s.empty:6d}"
        )
    return lines


def _row_f1(row: dict) -> float:
    p, r = row["p"] or 0.0, 1.0 if row["r"] is None else row["r"]
    return 2 * p * r / (p + r) if p + r else 0.0


def _row_worst(row: dict) -> float:
    """Return the lower of a row's precision and recall (an empty output 0, an empty truth's recall 1)."""
    return min(row["p"] or 0.0, 1.0 if row["r"] is None else row["r"])


def _row_clean(row: dict) -> bool:
    return _row_worst(row) >= CLEAN_AT


# A page moved when its F1 changed by more than this (a shingle or two on a long page is not a move).
MOVED_BY = 0.005


def compare_rows(before: dict[str, dict], after: dict[str, dict], held_out: set[int], peek: bool) -> list[str]:
    """Return the pages whose F1 or clean state moved between two runs: counted per side, tuning pages named.

    Held-out pages are counted, not named, unless ``peek``: naming them
    invites rules written for them.
    """
    lines = [f"pages moved (F1 by more than {MOVED_BY}, or clean gained or lost), before -> after"]
    named: list[str] = []
    for side in ("tuning", "held-out"):
        up = down = gained = lost = 0
        for key in sorted(set(before) & set(after)):
            if (after[key]["fold"] in held_out) != (side == "held-out"):
                continue
            f0, f1 = _row_f1(before[key]), _row_f1(after[key])
            c0, c1 = _row_clean(before[key]), _row_clean(after[key])
            moved = abs(f1 - f0) > MOVED_BY or c0 != c1
            up += f1 - f0 > MOVED_BY
            down += f0 - f1 > MOVED_BY
            gained += c1 and not c0
            lost += c0 and not c1
            if moved and (side == "tuning" or peek):
                p0, r0, p1, r1 = (
                    before[key]["p"] or 0.0,
                    before[key]["r"] or 0.0,
                    after[key]["p"] or 0.0,
                    after[key]["r"] or 0.0,
                )
                named.append(
                    f"    {side:<8} fold {after[key]['fold']} {key}: F1 {f0:.3f} -> {f1:.3f} "
                    f"(P {p0:.2f} -> {p1:.2f}, R {r0:.2f} -> {r1:.2f})"
                    + (" clean" if c1 and not c0 else "")
                    + (" no longer clean" if c0 and not c1 else "")
                )
        lines.append(f"  {side:<8}: F1 up {up}, down {down}; clean gained {gained}, lost {lost}")
    return lines + named


def clean_apart(ours: dict[str, dict], theirs: dict[str, dict], held_out: set[int], peek: bool) -> list[str]:
    """Return the pages clean (P and R >= CLEAN_AT) for one extractor and not the other, counted per side.

    Tuning pages are named (to read the two outputs against the truth); held-out
    pages only with ``peek``, as in ``compare_rows``.
    """
    lines = ["pages clean for one extractor and not the other (feedsvc vs trafilatura)"]
    named: list[str] = []
    for side in ("tuning", "held-out"):
        keys = [k for k in sorted(set(ours) & set(theirs)) if (ours[k]["fold"] in held_out) == (side == "held-out")]
        only_theirs = [k for k in keys if _row_clean(theirs[k]) and not _row_clean(ours[k])]
        only_ours = [k for k in keys if _row_clean(ours[k]) and not _row_clean(theirs[k])]
        lines.append(f"  {side:<8}: trafilatura only {len(only_theirs)}, feedsvc only {len(only_ours)}")
        if side == "tuning" or peek:
            for label, group in (("trafilatura only", only_theirs), ("feedsvc only", only_ours)):
                named.extend(
                    f"    {side:<8} {label:<16} fold {ours[k]['fold']} {k}: feedsvc P {ours[k]['p'] or 0.0:.2f} "
                    f"R {ours[k]['r'] or 0.0:.2f}, trafilatura P {theirs[k]['p'] or 0.0:.2f} R {theirs[k]['r'] or 0.0:.2f}"
                    for k in group
                )
    return lines + named


# A page is badly wrong when its precision or recall is below this: the pages a doubt should fall on.
BAD_BELOW = 0.5
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def reason_kind(reason: str) -> str:
    """Return a doubt's sentence with its numbers as N: one name for every page the same doubt falls on."""
    return _NUMBER.sub("N", reason)


def doubt_table(rows: dict[str, dict], held_out: set[int], peek: bool, names: bool = True) -> list[str]:
    """Return how the cleaner's doubts (``"doubts"`` of ``--scores`` rows) fall on the pages it got wrong.

    Per side (tuning, held-out, all): pages doubted; of the bad pages (P or
    R < ``BAD_BELOW``) and of the poor ones (< ``POOR_BELOW``) how many are
    doubted; and the clean pages doubted (false alarms: the operator is warned
    for nothing). Then each kind of doubt with the pages it falls on. With
    ``names``, the tuning pages that matter are named (bad and not doubted,
    doubted and clean); held-out ones only with ``peek``, as in ``compare_rows``.
    Rows without ``"doubts"`` (another extractor's, an older file's) are left out.
    """
    judged = {key: row for key, row in rows.items() if "doubts" in row}
    lines = [
        (
            f"confidence against the scores: doubted pages; bad (P or R < {BAD_BELOW}) and poor (< {POOR_BELOW}) "
            "pages doubted; clean pages doubted (false alarms)"
        ),
        f"  {'side':<8} {'pages':>5} {'doubted':>7} {'bad':>11} {'poor':>11} {'false alarms':>12}",
    ]
    groups = _groups(judged, held_out)
    sides = {"tuning": groups["tuning folds"], "held-out": groups["held-out folds"], "all": groups["all pages"]}
    kinds: dict[str, dict[str, list[int]]] = {}
    named: list[str] = []
    for side, keys in sides.items():
        doubted = [k for k in keys if judged[k]["doubts"]]
        bad = [k for k in keys if _row_worst(judged[k]) < BAD_BELOW]
        poor = [k for k in keys if _row_worst(judged[k]) < POOR_BELOW]
        alarms = [k for k in doubted if _row_clean(judged[k])]
        lines.append(
            f"  {side:<8} {len(keys):5d} {len(doubted):7d} "
            f"{sum(1 for k in bad if judged[k]['doubts']):4d} of {len(bad):4d} "
            f"{sum(1 for k in poor if judged[k]['doubts']):4d} of {len(poor):4d} {len(alarms):12d}"
        )
        if side == "all":
            continue
        for key in doubted:
            row = judged[key]
            for kind in dict.fromkeys(reason_kind(reason) for reason in row["doubts"]):
                counts = kinds.setdefault(kind, {}).setdefault(side, [0, 0, 0, 0])
                counts[0] += 1
                counts[1] += _row_worst(row) < BAD_BELOW
                counts[2] += _row_worst(row) < POOR_BELOW
                counts[3] += _row_clean(row)
        if names and (side == "tuning" or peek):
            for label, group in (
                ("bad, not doubted", [k for k in bad if not judged[k]["doubts"]]),
                ("doubted, clean", alarms),
            ):
                named.extend(
                    f"    {side:<8} {label:<16} fold {judged[k]['fold']} {k}: P {judged[k]['p'] or 0.0:.2f} "
                    f"R {1.0 if judged[k]['r'] is None else judged[k]['r']:.2f}"
                    + (f"; {'; '.join(judged[k]['doubts'])}" if judged[k]["doubts"] else "")
                    for k in group
                )
    lines.append("  by doubt (pages it falls on: all / bad / poor / clean), tuning | held-out:")
    for kind in sorted(kinds):
        cells = [
            "{:3d} /{:3d} /{:3d} /{:3d}".format(*kinds[kind].get(side, [0, 0, 0, 0])) for side in ("tuning", "held-out")
        ]
        lines.append(f"    {cells[0]} | {cells[1]}  {kind}")
    return lines + named


def print_held_out(rows: dict[str, dict], held_out: set[int] | None, compare: Path | None, peek: bool) -> None:
    """Print the by-fold table and, given an earlier ``--scores`` file, what moved since."""
    held = held_out or set()
    print("\n" + "\n".join(held_out_table(rows, held)))
    if compare:
        before = json.loads(compare.read_text(encoding="utf-8"))
        print("\n" + "\n".join(held_out_table(before, held)).replace("feedsvc by fold", "before (--compare)", 1))
        print("\n".join(compare_rows(before, rows, held, peek)))
    if any("doubts" in row for row in rows.values()):
        print("\n" + "\n".join(doubt_table(rows, held, peek)))
        if compare and any("doubts" in row for row in before.values()):
            print(
                "\n".join(doubt_table(before, held, peek, names=False)).replace("confidence", "before (--compare):", 1)
            )


def changed_texts(
    before: Path, after: dict[str, str], folds: dict[str, int], held_out: set[int], peek: bool
) -> list[str]:
    """Return how many pages' texts differ from an earlier run's ``--dump`` folder: per side, tuning pages named.

    ``compare_rows`` counts pages whose F1 moved by more than 0.005; this
    counts every page whose text changed at all, so a rule that changes no
    held-out page (a site rule, whatever its tuning gains) shows as such.
    Held-out pages are counted, not named, unless ``peek``.
    """
    lines = ["pages whose text changed (against --changed DIR)"]
    named: list[str] = []
    for side in ("tuning", "held-out"):
        keys = sorted(key for key in after if (folds[key] in held_out) == (side == "held-out"))
        missing = changed = 0
        for key in keys:
            path = before / f"{key}.txt"
            if not path.is_file():
                missing += 1
                continue
            if path.read_text(encoding="utf-8") != after[key]:
                changed += 1
                if side == "tuning" or peek:
                    named.append(f"    {side:<8} fold {folds[key]} {key}")
        lines.append(f"  {side:<8}: {changed} of {len(keys)} changed" + (f" ({missing} not in DIR)" if missing else ""))
    return lines + named


def dump_texts(folder: Path, run: Run) -> None:
    """Write each page's output text of ``run`` to ``folder/<dataset>/<id>.txt``."""
    for key, text in run.outputs.items():
        out = folder / f"{key}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def write_scores(path: Path, run: Run, pages: list[Page], folds: int) -> None:
    """Write each page's precision, recall and held-out fold of ``run`` as JSON (to compare two runs page by page)."""
    path.write_text(json.dumps(run_rows(run, pages, folds), indent=1, sort_keys=True), encoding="utf-8")


FOLD_MODELS_FORMAT = 1


def fold_models(
    folder: Path | None,
    fold: int,
    folds: int,
    train_keys: Sequence[str],
    train: Callable[[], tuple[dict[str, Any], dict[str, Any]]],
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Return fold ``fold``'s combined and scorer-only model data and where they came from.

    Without ``folder`` the models are trained (``train``). With it, a file
    ``folder/fold<fold>.json`` is read and nothing is trained; when the file
    is not there the models are trained and saved in it. A saved file names
    the pages its models were trained on, and is refused for any other
    training set (other datasets, ``--limit`` or ``--folds``): such models
    would have seen the held-out pages, or not the ones they should have.
    """
    if folder is None:
        return *train(), "trained"
    path = folder / f"fold{fold}.json"
    keys = sorted(train_keys)
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FOLD_MODELS_FORMAT or data.get("folds") != folds or data.get("fold") != fold:
            raise SystemExit(
                f"{path}: not fold {fold} of {folds} saved by this bench (format {FOLD_MODELS_FORMAT}); "
                "give --fold-models an empty folder to train and save the models again"
            )
        if data.get("train_pages") != keys:
            raise SystemExit(
                f"{path}: its models were trained on other pages than fold {fold}'s training pages here "
                "(other datasets, --limit or --folds); give --fold-models an empty folder to train and save them"
            )
        return data["combined"], data["scorer_only"], f"read from {path} (trained on cleaner {data.get('cleaner')})"
    combined, solo = train()
    folder.mkdir(parents=True, exist_ok=True)
    body = {
        "format": FOLD_MODELS_FORMAT,
        "folds": folds,
        "fold": fold,
        "cleaner": CLEANER_VERSION,
        "train_pages": keys,
        "combined": combined,
        "scorer_only": solo,
    }
    path.write_text(json.dumps(body), encoding="utf-8")
    return combined, solo, f"trained, saved to {path}"


def scorer_cv(
    pages: list[Page],
    folds: int,
    scores: Path | None = None,
    dump: Path | None = None,
    models: Path | None = None,
) -> dict[str, dict]:
    """Cross-validate the learned block scorer by domain: train on K-1 folds, clean the held-out one, per fold.

    Three variants on the same held-out pages: the heuristics alone (the
    cleaner as it is), the scorer alone (every block of the pruned page
    kept when the scorer says so: its text, since no HTML is made) and the
    two combined (the cleaner with the fold's model dropping the blocks of
    the heuristics' article it is confident about, ``feedsvc.clean.scorer``).
    The heuristics and the combination run interleaved page by page, so
    their speed ratio is measured under the same load. With ``models`` (a
    folder) each fold's models are read from it when saved there, else
    trained and saved (``fold_models``); blocks for training are collected
    only when a fold is trained.
    """
    from train_scorer import collect_article_blocks, collect_page_blocks, fit, predict

    from feedsvc.clean import scorer

    start = time.perf_counter()
    whole = {pb.key: pb for pb in collect_page_blocks(pages)}
    print(f"blocks collected in {time.perf_counter() - start:.0f} s", flush=True)
    article: dict[str, Any] = {}

    def article_blocks() -> dict[str, Any]:
        # The heuristics' article blocks, labelled: only a fold that is trained needs them (minutes to collect).
        if not article:
            article.update({pb.key: pb for pb in collect_article_blocks(pages)})
        return article

    by_fold: dict[int, list[Page]] = {}
    for page in pages:
        by_fold.setdefault(fold_of(page.domain, folds), []).append(page)
    heuristics, combined, alone = Run("heuristics"), Run("combined"), Run("scorer only")
    chosen: list[str] = []
    saved = scorer.MODEL, scorer.ENABLED
    try:
        for i in sorted(by_fold):
            held = by_fold[i]
            train_keys = [p.key for j in sorted(by_fold) if j != i for p in by_fold[j]]

            def train(keys: list[str] = train_keys) -> tuple[dict[str, Any], dict[str, Any]]:
                blocks = article_blocks()
                return fit([blocks[k] for k in keys], folds), fit(
                    [whole[k] for k in keys], folds, (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
                )

            t0 = time.perf_counter()
            model_data, solo_data, source = fold_models(models, i, folds, train_keys, train)
            model = scorer.load_model(model_data, f"fold {i} model")
            solo = scorer.load_model(solo_data, f"fold {i} scorer-only")
            chosen.append(f"fold{i}: threshold {model.threshold}, scorer-only {solo.threshold}")
            print(f"{chosen[-1]} ({source}, {time.perf_counter() - t0:.0f} s)", flush=True)
            for fold_model in (None, model):  # each side's first clean with this model, untimed
                scorer.MODEL, scorer.ENABLED = fold_model, fold_model is not None
                warm_up([clean_judged])
            for index, page in enumerate(held):
                order = [(heuristics, None), (combined, model)]
                for run, fold_model in order if index % 2 == 0 else reversed(order):
                    scorer.MODEL, scorer.ENABLED = fold_model, fold_model is not None
                    t0 = time.perf_counter()
                    cleaned = clean_judged(page.html, page.url)
                    run.seconds += time.perf_counter() - t0
                    text = cleaned_text(cleaned)
                    run.pages += 1
                    run.outputs[page.key] = text
                    run.doubts[page.key] = cleaned.confidence.reasons  # the fold's own cleaning, as scored
                    run.scores[page.key] = page_scores(page.truth["articleBody"], text)
                pb = whole[page.key]
                text = "\n".join(t for t, p in zip(pb.texts, predict(solo, pb), strict=True) if p >= solo.threshold)
                alone.outputs[page.key] = text
                alone.scores[page.key] = page_scores(page.truth["articleBody"], text)
    finally:
        scorer.MODEL, scorer.ENABLED = saved
    runs = [heuristics, alone, combined]
    fold_keys = {i: [p.key for p in by_fold[i]] for i in sorted(by_fold)}
    print(f"\nlearned block scorer, by-domain {folds}-fold cross-validation (train on the other folds):")
    print("  " + "; ".join(chosen))
    for what in ("F1", "P", "R", "clean"):
        print(f"  {what}:")
        for run in runs:
            cells = []
            for keys in [*fold_keys.values(), [p.key for p in pages]]:
                s = summarise(run, keys)
                value = {"F1": s.f1, "P": s.p, "R": s.r, "clean": s.clean / max(s.pages, 1)}[what]
                cells.append(f"{value:7.3f}" if what != "clean" else f"{value:7.1%}")
            print(f"    {run.name:<12} " + " ".join(cells[:-1]) + f"   pooled {cells[-1]}")
    if scores:
        write_scores(scores, combined, pages, folds)
    if dump:
        dump_texts(dump, combined)
    s_h, s_c = summarise(heuristics, list(heuristics.outputs)), summarise(combined, list(combined.outputs))
    print(f"  pages with P < 0.8: heuristics {s_h.low_p}, combined {s_c.low_p}; R < 0.8: {s_h.low_r}, {s_c.low_r}")
    print(
        f"  speed: heuristics {heuristics.rate:.1f} pages/s, combined {combined.rate:.1f} pages/s, "
        f"ratio {combined.rate / heuristics.rate:.2f}x (same run, interleaved)"
    )
    return run_rows(combined, pages, folds)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", type=Path, nargs="*")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id) of each dataset")
    parser.add_argument("--folds", type=int, default=5, help="folds of domains for cross-validation (default 5)")
    parser.add_argument("--only", choices=("feedsvc", "trafilatura", "parse"), default=None)
    parser.add_argument("--worst", type=int, default=0, help="list feedsvc's N worst pages by F1")
    parser.add_argument("--dump", type=Path, default=None, help="write feedsvc's text of each page to DIR/<id>.txt")
    parser.add_argument(
        "--ablate",
        default=None,
        help="generic rules (RULES of clean.boilerplate, chrome, extract, normalise and sanitise) to fit by cross-validation",
    )
    parser.add_argument(
        "--scorer", action="store_true", help="cross-validate the learned block scorer (needs the train extra)"
    )
    parser.add_argument(
        "--fold-models",
        type=Path,
        default=None,
        help="with --scorer: read each fold's models from DIR, training and saving those not there yet",
    )
    parser.add_argument(
        "--scores",
        type=Path,
        default=None,
        help="write feedsvc's per-page P, R and fold as JSON (with --scorer: the held-out combined run)",
    )
    parser.add_argument(
        "--held-out", default=None, help="folds no rule was written on (e.g. 0,1,2): print feedsvc's table by fold"
    )
    parser.add_argument(
        "--compare", type=Path, default=None, help="an earlier run's --scores file: count and name the pages moved"
    )
    parser.add_argument("--peek", action="store_true", help="let --compare and --changed name held-out pages too")
    parser.add_argument(
        "--changed",
        type=Path,
        default=None,
        help="an earlier run's --dump folder: count the pages whose text changed (per side with --held-out; not --scorer)",
    )
    parser.add_argument("--table", type=Path, default=None, help="print the --held-out table of a saved --scores file")
    parser.add_argument(
        "--their-scores", type=Path, default=None, help="write trafilatura's per-page P, R and fold as JSON"
    )
    parser.add_argument(
        "--their-dump", type=Path, default=None, help="write trafilatura's text of each page to DIR/<id>.txt"
    )
    args = parser.parse_args(argv)
    held_out = {int(part) for part in args.held_out.split(",") if part.strip()} if args.held_out else None
    if args.table:
        rows = json.loads(args.table.read_text(encoding="utf-8"))
        print_held_out(rows, held_out, args.compare, args.peek)
        return 0
    if not args.datasets:
        parser.error("give at least one DATASET folder (or --table FILE.json)")

    if args.fold_models and not args.scorer:
        parser.error("--fold-models keeps the --scorer run's fold models: give --scorer too")
    pages = load(args.datasets, args.limit)
    if args.scorer:
        rows = scorer_cv(pages, args.folds, args.scores, args.dump, args.fold_models)
        if held_out is not None or args.compare:
            print_held_out(rows, held_out, args.compare, args.peek)
        return 0
    if args.ablate:
        ablate(pages, args.folds, args.ablate)
        return 0
    runners: dict[str, Callable[[str, str], Any]] = {"feedsvc": clean_judged, "trafilatura": run_trafilatura}
    runs = measure_all(
        {name: fn for name, fn in runners.items() if args.only in (None, name)}, pages, {"feedsvc": cleaned_text}
    )

    print(f"{len(pages)} pages from {', '.join(str(d) for d in args.datasets)}")
    if runs:
        for dataset in dict.fromkeys(page.dataset for page in pages):
            print_table(dataset, runs, [page.key for page in pages if page.dataset == dataset])
        if len(args.datasets) > 1:
            print_table("all pages", runs, [page.key for page in pages])
        print()
        for run in runs:
            print(f"  {run.name:<12} {run.rate:8.1f} pages/s")
        by_name = {run.name: run for run in runs}
        if len(by_name) == 2:
            ours, theirs = by_name["feedsvc"], by_name["trafilatura"]
            print(f"  speed feedsvc/trafilatura: {ours.rate / theirs.rate:.2f}x (same run, one process)")
        cross_validate(runs, pages, args.folds)
        for run in runs:
            empty = [k for k, text in run.outputs.items() if not text.strip()]
            if empty:
                print(f"{run.name} empty: {' '.join(empty)}")

    if args.only == "parse":
        print("parsing alone, same pages, one core:")
        for name, rate in parse_rates(pages):
            print(f"  {name:<30} {rate:8.1f} pages/s")

    truths = {page.key: page.truth for page in pages}
    by_name = {run.name: run for run in runs}
    if args.scores and "feedsvc" in by_name:
        write_scores(args.scores, by_name["feedsvc"], pages, args.folds)
    if args.their_scores and "trafilatura" in by_name:
        write_scores(args.their_scores, by_name["trafilatura"], pages, args.folds)
    for name, folder in (("feedsvc", args.dump), ("trafilatura", args.their_dump)):
        if folder and name in by_name:
            dump_texts(folder, by_name[name])
    if "feedsvc" in by_name and (held_out is not None or args.compare):
        print_held_out(run_rows(by_name["feedsvc"], pages, args.folds), held_out, args.compare, args.peek)
    if "feedsvc" in by_name and args.changed:
        folds = {page.key: fold_of(page.domain, args.folds) for page in pages}
        print(
            "\n"
            + "\n".join(changed_texts(args.changed, by_name["feedsvc"].outputs, folds, held_out or set(), args.peek))
        )
    if len(by_name) == 2 and held_out is not None:
        ours_rows, theirs_rows = (run_rows(by_name[n], pages, args.folds) for n in ("feedsvc", "trafilatura"))
        print("\n" + "\n".join(clean_apart(ours_rows, theirs_rows, held_out, args.peek)))
    if "feedsvc" in by_name:
        ours = by_name["feedsvc"]
        checked = [key for key in APPEAL_PAGES if key in ours.outputs]
        leaks = {key: leaked_appeal(ours.outputs[key], truths[key]) for key in checked}
        leaked = [key for key, why in leaks.items() if why]
        print(f"appeal pages leaked by feedsvc: {len(leaked)}/{len(checked)} {' '.join(leaked)}")
        for key in leaked:
            print(f"  {key}: {leaks[key]}")
        if args.worst:
            print(f"worst {args.worst} pages (feedsvc):")
            for key in sorted(ours.scores, key=lambda k: page_f1(ours, k))[: args.worst]:
                p, r = ours.scores[key]
                print(
                    f"  {key} F1={page_f1(ours, key):.3f} P={p if p is None else round(p, 3)} "
                    f"R={r if r is None else round(r, 3)} {truths[key]['url']}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
