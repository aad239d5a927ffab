"""bench/make_corpus.py: small fragments or saved pages, article i the same at any N, loadable by feedsvc."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from feedsvc.build.builder import load_catalog
from support.paths import REPO


def make_corpus(count: int, target: Path, kind: str) -> Path:
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "make_corpus.py"), str(count), str(target), "--kind", kind],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return target


def test_fragments_are_small_whole_articles_with_their_metadata_in_a_sidecar(tmp_path: Path) -> None:
    content = make_corpus(30, tmp_path / "site", "fragments")
    pages = sorted((content / "articles").glob("*.html"))
    assert len(pages) == 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 1_000 < len(text) < 8_000, page  # a few KB
        assert text.count("<h1>") == 1 and 'class="byline"' in text and "<time datetime=" in text
        blocks = len(re.findall(r"^<(?:p|h2|blockquote|ul)>", text, re.MULTILINE))
        assert 3 <= blocks <= 9, page  # 3-8 blocks, a subheading with its paragraph
        sidecar = tomllib.loads(page.with_suffix(".toml").read_text(encoding="utf-8"))
        assert sidecar["title"] and sidecar["tags"] and sidecar["author"] and sidecar["published"]
    assert any("<figure>" in page.read_text(encoding="utf-8") for page in pages)
    catalog = load_catalog(content)
    assert len(catalog.articles) == 30
    assert not [problem for problem in catalog.problems if problem.severity == "error"]
    assert all(article.tags and article.authors for article in catalog.articles)


@pytest.mark.parametrize("kind", ["fragments", "pages"])
def test_article_i_is_the_same_at_any_size(tmp_path: Path, kind: str) -> None:
    small = make_corpus(3, tmp_path / "small", kind)
    large = make_corpus(8, tmp_path / "large", kind)
    for path in sorted((small / "articles").iterdir()):
        assert path.read_bytes() == (large / "articles" / path.name).read_bytes()


def test_saved_pages_are_full_pages_as_before(tmp_path: Path) -> None:
    content = make_corpus(4, tmp_path / "site", "pages")
    sizes = [page.stat().st_size for page in (content / "articles").glob("*.html")]
    assert min(sizes) > 10_000  # menus, scripts and styles around the article
