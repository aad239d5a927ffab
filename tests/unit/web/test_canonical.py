"""An imported article's page names its source as canonical (site.toml ``canonical``), a written one itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from feedsvc.app import create_app
from support.factories import write_article

SOURCE = "https://harbour.example.com/2024/03/ferry-resumes"


def canonical(content_dir: Path, slug: str) -> str:
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CACHE_DIR": ""}).test_client()
    page = BeautifulSoup(client.get(f"/articles/{slug}").get_data(as_text=True), "html.parser")
    return page.find("link", rel="canonical")["href"]


@pytest.fixture
def imported(content_dir: Path) -> str:
    path = write_article(content_dir, "ferry-resumes", "2024-03-05T09:30:00Z")
    with path.with_suffix(".toml").open("a", encoding="utf-8") as sidecar:
        sidecar.write(f'canonical_url = "{SOURCE}"\nsource_url = "{SOURCE}"\n')
    return "ferry-resumes"


def test_an_imported_article_names_its_source_as_canonical_by_default(content_dir: Path, imported: str) -> None:
    assert canonical(content_dir, imported) == SOURCE


def test_canonical_self_makes_the_page_its_own_canonical(content_dir: Path, imported: str) -> None:
    with (content_dir / "site.toml").open("a", encoding="utf-8") as site:
        site.write('canonical = "self"\n')
    assert canonical(content_dir, imported) == f"https://news.example.org/articles/{imported}"


def test_an_article_written_here_is_its_own_canonical(content_dir: Path) -> None:
    write_article(content_dir, "own-story", "2024-03-05T09:30:00Z")
    assert canonical(content_dir, "own-story") == "https://news.example.org/articles/own-story"
