"""bench/clean_checks.py: the issue's hard rules (appeals, markup text, lazy images) checked on a page set."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from support.paths import REPO

sys.path.insert(0, str(REPO / "bench"))

from clean_checks import appeal_failures, lazy_failures, markup_failures, source_text
from extraction import Page

ARTICLE = "".join(
    f"<p>The council voted on Tuesday to extend the harbour wall, paragraph {i}, after a long debate in the town.</p>"
    for i in range(4)
)
TRUTH = " ".join(
    f"The council voted on Tuesday to extend the harbour wall, paragraph {i}, after a long debate in the town."
    for i in range(4)
)


def page(html: str, key: str = "set/1") -> Page:
    return Page(
        key=key, html=html, truth={"articleBody": TRUTH}, url="https://news.example/a/", domain="x", dataset="set"
    )


def test_an_appeal_the_truth_leaves_out_fails_and_one_it_keeps_does_not() -> None:
    assert appeal_failures("set/1", TRUTH + " Please donate to keep us going.", {"articleBody": TRUTH})
    kept = {"articleBody": TRUTH + " The charity asked people to donate blankets."}
    assert not appeal_failures("set/1", kept["articleBody"], kept)


def test_an_ask_fails_even_when_the_truth_keeps_it_and_donations_told_of_do_not() -> None:
    ask = "You can keep the harbour lit—and support this webcam—by making a gift to Northcliff Harbour Trust."
    kept = {"articleBody": TRUTH + " " + ask}
    # An annotator keeping an appeal does not make it the article.
    assert appeal_failures("set/1", kept["articleBody"], kept)
    for line in (
        "Your subscription supports my research and writing.",
        "If this helped you, I'd love it if you joined my Patreon!",
        "Faites un don pour soutenir notre rédaction.",
    ):
        assert appeal_failures("set/1", TRUTH + " " + line, {"articleBody": TRUTH + " " + line}), line
    # Donations told of in the third person ask nothing, whoever keeps them.
    for line in (
        "The fund donated $5m and donations rose by a tenth.",
        "Streamers accept tips via PayPal or Ko-fi links.",
        "You can donate it, sell it at a yard sale or give it away.",
        "Browsers that support this feature are listed below.",
    ):
        told = {"articleBody": TRUTH + " " + line}
        assert not appeal_failures("set/1", told["articleBody"], told), line


def test_a_template_placeholder_fails_unless_the_source_shows_it_in_code() -> None:
    banner = '{{hire-ai-eng="/case-banners/hire-ai-eng"}}'
    source = page(f"<html><body><article>{ARTICLE}<p>{banner}</p></article></body></html>")
    # The source shows it as text (scripts off), but outside code: a script was to fill it.
    assert markup_failures("set/1", TRUTH + "\n" + banner, source)
    assert markup_failures("set/1", TRUTH + '\n[caption id="attachment_1" width="640"]', source)
    guide = page(f"<html><body><article>{ARTICLE}<pre><code>{{{{ page.title }}}}</code></pre></article></body></html>")
    assert not markup_failures("set/1", TRUTH + "\n{{ page.title }}", guide)


def test_markup_text_fails_unless_the_source_shows_it_as_text() -> None:
    pixel = '<img height="1" width="1" src="https://t.example/p">'
    assert markup_failures(
        "set/1", TRUTH + "\n" + pixel, page(f"<html><body><article>{ARTICLE}</article></body></html>")
    )
    shown = page(f'<html><body><article>{ARTICLE}<pre>&lt;img height="1" width="1"&gt;</pre></article></body></html>')
    assert not markup_failures("set/1", TRUTH + '\n<img height="1" width="1">', shown)


def test_a_placeholder_published_in_place_of_the_lazy_image_fails() -> None:
    source = page(
        f'<html><body><article>{ARTICLE}<img src="/img/grey.gif" data-src="/img/harbour.jpg"></article></body></html>'
    )
    assert lazy_failures("set/1", '<p>x</p><img src="https://news.example/img/grey.gif">', source)
    assert not lazy_failures("set/1", '<p>x</p><img src="https://news.example/img/harbour.jpg">', source)
    assert lazy_failures("set/1", '<p>x</p><img src="https://news.example/img/spacer.gif">', source)


def test_the_source_page_is_read_as_utf8_whatever_its_head_says() -> None:
    # A page without a charset libxml2 finds was read as Latin-1 ("cafÃ©"): its text as a reader sees it (which
    # markup it shows as text) was misread, and a placeholder named with an accent was not known for one
    assert source_text("<html><body><pre>&lt;b&gt; caf\u00e9</pre></body></html>") == "<b> caf\u00e9"
    source = page(
        f'<html><body><article>{ARTICLE}<img src="/img/gr\u00fc\u00dfe.gif" data-src="/img/harbour.jpg"></article>'
        "</body></html>"
    )
    assert lazy_failures("set/1", '<p>x</p><img src="https://news.example/img/gr\u00fc\u00dfe.gif">', source)


def test_the_script_cleans_every_page_and_passes_a_set_that_keeps_the_rules(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    pages = {
        "1": f'<html><body><article><h1>Harbour</h1>{ARTICLE}<img src="data:image/gif;base64,R0lGOD" '
        f'data-src="/img/harbour.jpg"></article></body></html>',
        "2": f"<html><body><article><h1>Harbour</h1>{ARTICLE}"
        "<p>Please donate today: readers like you keep us going.</p></article></body></html>",
    }
    for key, html in pages.items():
        (tmp_path / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html.encode()))
    truth = {key: {"articleBody": TRUTH, "url": "https://news.example/a/"} for key in pages}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "clean_checks.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "2 pages from" in run.stdout
    for check in ("appeal", "markup", "lazy"):
        assert f"{check}: 0 pages fail" in run.stdout
    assert run.returncode == 0, run.stdout
