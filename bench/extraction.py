"""Measure feedsvc's cleaner against trafilatura on an annotated page set.

Usage::

    python bench/extraction.py DATASET [--limit N] [--half 1|2]
                               [--only feedsvc|trafilatura|parse] [--worst N]
                               [--dump DIR]

``--half`` keeps one of two fixed halves of the pages (split by a hash of
the page id), to tune on one and check the other. ``--only parse`` (or a
full run) also times parsing alone on the same pages: lexbor (selectolax),
lexbor then lxml (what the cleaner does), lxml.html, and BeautifulSoup with
the lxml builder, with and without serialising back to a string.

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
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedsvc.clean import clean_html

# The pages of the dev split whose article carries a donation or membership
# appeal that the truth leaves out (data README, "Appeals in this split").
APPEAL_PAGES = ("0096", "0174", "0418", "0420", "0421", "0462", "0463", "0466", "4125", "4511")

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


@dataclass
class Result:
    """Scores of one extractor over the pages."""

    name: str
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages: int = 0
    per_page: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def p(self) -> float:
        return sum(self.precisions) / len(self.precisions) if self.precisions else 0.0

    @property
    def r(self) -> float:
        return sum(self.recalls) / len(self.recalls) if self.recalls else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def run_feedsvc(html: str, url: str) -> str:
    """Return feedsvc's clean article as text."""
    return html_to_text(clean_html(html, base_url=url))


def run_trafilatura(html: str, url: str) -> str:
    """Return trafilatura's main text (defaults)."""
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def measure(name: str, extract: Callable[[str, str], str], pages: list[tuple[str, str, dict]]) -> Result:
    """Run one extractor over the pages and score it."""
    result = Result(name)
    # Time the extraction only (pages are already decompressed and decoded).
    for page_id, html, truth in pages:
        start = time.perf_counter()
        text = extract(html, truth["url"])
        result.seconds += time.perf_counter() - start
        result.pages += 1
        result.outputs[page_id] = text
        if not text.strip():
            result.empty.append(page_id)
        p, r = page_scores(truth["articleBody"], text)
        result.per_page[page_id] = (p, r)
        if p is not None:
            result.precisions.append(p)
        if r is not None:
            result.recalls.append(r)
    return result


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


def in_half(page_id: str, half: int) -> bool:
    """Return True if ``page_id`` belongs to half 1 or 2 of a fixed, id-hashed split."""
    return hashlib.sha256(page_id.encode()).digest()[0] % 2 == half - 1


def load(dataset: Path, limit: int | None, half: int | None = None) -> list[tuple[str, str, dict]]:
    """Return (id, html, truth) for the pages of ``dataset``, in id order."""
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if half:
        ids = [i for i in ids if in_half(i, half)]
    if limit:
        ids = ids[:limit]
    pages = []
    for page_id in ids:
        raw = gzip.decompress((dataset / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, raw.decode("utf-8", errors="replace"), truth[page_id]))
    return pages


def parse_rates(pages: list[tuple[str, str, dict]]) -> list[tuple[str, float]]:
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

    parsers = [
        ("lexbor (selectolax)", LexborHTMLParser),
        ("lexbor + lxml (feedsvc)", parse),
        ("lxml.html", lxml_parse),
        ("BeautifulSoup (lxml)", bs4_parse),
        ("BeautifulSoup (lxml) + str()", bs4_roundtrip),
    ]
    rates = []
    for name, fn in parsers:
        start = time.perf_counter()
        for _, html, _ in pages:
            fn(html)
        rates.append((name, len(pages) / (time.perf_counter() - start)))
    return rates


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--half", type=int, choices=(1, 2), default=None, help="only one fixed half of the pages")
    parser.add_argument("--only", choices=("feedsvc", "trafilatura", "parse"), default=None)
    parser.add_argument("--worst", type=int, default=0, help="list feedsvc's N worst pages by F1")
    parser.add_argument("--dump", type=Path, default=None, help="write feedsvc's text of each page to DIR/<id>.txt")
    args = parser.parse_args(argv)

    pages = load(args.dataset, args.limit, args.half)
    runners = {"feedsvc": run_feedsvc, "trafilatura": run_trafilatura}
    results = [measure(name, fn, pages) for name, fn in runners.items() if args.only in (None, name)]

    half = f" (half {args.half})" if args.half else ""
    print(f"{len(pages)} pages from {args.dataset}{half}")
    if results:
        print(f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8} {'empty':>6}")
    for res in results:
        print(f"{res.name:<12} {res.p:6.3f} {res.r:6.3f} {res.f1:6.3f} {res.rate:8.1f} {len(res.empty):6d}")
    by_name = {res.name: res for res in results}
    if len(by_name) == 2:
        ours, theirs = by_name["feedsvc"], by_name["trafilatura"]
        print(
            f"feedsvc/trafilatura: F1 {ours.f1 / theirs.f1:.3f}, pages/s {ours.rate / theirs.rate:.2f}, "
            f"empty {len(ours.empty)} vs {len(theirs.empty)}"
        )
    for res in results:
        if res.empty:
            print(f"{res.name} empty: {' '.join(res.empty)}")

    if args.only in (None, "parse"):
        print("parsing alone, same pages, one core:")
        for name, rate in parse_rates(pages):
            print(f"  {name:<30} {rate:8.1f} pages/s")

    truths = {page_id: truth for page_id, _, truth in pages}
    if args.dump and "feedsvc" in by_name:
        args.dump.mkdir(parents=True, exist_ok=True)
        for page_id, text in by_name["feedsvc"].outputs.items():
            (args.dump / f"{page_id}.txt").write_text(text, encoding="utf-8")
    if "feedsvc" in by_name:
        ours = by_name["feedsvc"]
        checked = [pid for pid in APPEAL_PAGES if pid in ours.outputs]
        leaks = {pid: leaked_appeal(ours.outputs[pid], truths[pid]) for pid in checked}
        leaked = [pid for pid, why in leaks.items() if why]
        print(f"appeal pages leaked by feedsvc: {len(leaked)}/{len(checked)} {' '.join(leaked)}")
        for pid in leaked:
            print(f"  {pid}: {leaks[pid]}")
        if args.worst:

            def f1(pid: str) -> float:
                p, r = ours.per_page[pid]
                p, r = p or 0.0, r or 0.0
                return 2 * p * r / (p + r) if p + r else 0.0

            print(f"worst {args.worst} pages (feedsvc):")
            for pid in sorted(ours.per_page, key=f1)[: args.worst]:
                p, r = ours.per_page[pid]
                print(
                    f"  {pid} F1={f1(pid):.3f} P={p if p is None else round(p, 3)} "
                    f"R={r if r is None else round(r, 3)} {truths[pid]['url']}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
