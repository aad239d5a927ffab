"""Markdown articles: TOML front matter, rendering, cleaning, and how they sit next to HTML ones."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

from feedsvc.build.builder import load_snapshot
from feedsvc.content.loader import load_article, load_articles, load_site
from feedsvc.content.markdown import FrontMatterError, render_markdown, split_front_matter
from feedsvc.model import ContentError
from support.sites import NEWS_SITE_TOML, write_file

ARTICLE = """\
+++
title = "Port of Poti gets a new crane"
published = 2024-03-06T11:00:00
author = "Nino Beridze"
tags = ["Transport", "Poti"]
summary = "The biggest crane on the coast arrived by sea on Wednesday."
+++

# Port of Poti gets a new crane

The biggest crane on the coast arrived by sea on **Wednesday**, and will lift its first containers next month.

| Crane | Lift |
| --- | --- |
| New | 65 t |

<script>alert("no")</script>
<p onclick="steal()">Raw HTML is allowed, and sanitised.</p>

Dockers say [it will save hours](https://port.example/crane) on each ship.

~~Old crane~~ The old crane will be sold.
"""


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return NEWS_SITE_TOML


def test_split_front_matter() -> None:
    document = split_front_matter('\ufeff+++\ntitle = "A"\n+++\nBody\n')
    assert (document.front_matter, document.body) == ({"title": "A"}, "Body\n")
    assert split_front_matter("Just text\n").front_matter == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ('---\ntitle: "A"\n---\nBody', "starts with '---' (YAML front matter), which is not supported"),
        ('+++\ntitle = "A"\nBody', "the front matter opened by '+++' on line 1 is never closed"),
    ],
)
def test_bad_front_matter_says_the_fix(text: str, message: str) -> None:
    with pytest.raises(FrontMatterError, match=message if "TOML" in message else re.escape(message)):
        split_front_matter(text)


def test_every_toml_mistake_of_the_front_matter_is_named_with_its_line_in_the_file() -> None:
    document = split_front_matter('+++\ntitle = "A"\ntags = ["x"\nauthor = \n+++\nBody\n')
    assert document.body == "Body\n" and document.front_matter == {"title": "A"}  # the lines that parse
    assert len(document.problems) == 2
    assert all(p.startswith("invalid TOML in the front matter: line ") for p in document.problems)
    assert {re.search(r"line (\d+)", p).group(1) for p in document.problems} == {"3", "4"}  # type: ignore[union-attr]


def test_a_markdown_article_reports_every_front_matter_mistake_at_once(content_dir: Path) -> None:
    site = load_site(content_dir)
    text = '+++\ntitle = "A"\ntags = ["x"\npublished = 2024-13-45\nentries = "20"\n+++\nThe story, told once.\n'
    with pytest.raises(ContentError) as caught:
        load_article(write_file(content_dir, "story.md", text), site)
    message = str(caught.value)
    assert "line 3" in message and "'tags'" in message  # the unclosed array
    assert "line 4" in message and "'published'" in message and "not a valid date" in message
    assert "entries" in message  # an unknown key, on a line that parses


def test_render_markdown_is_commonmark_with_tables_and_strikethrough() -> None:
    html = render_markdown("# T\n\n*a* | b\n--|--\n1 | 2\n\n~~x~~")
    assert "<h1>T</h1>" in html and "<table>" in html and "<s>x</s>" in html


def test_a_markdown_article_loads_with_its_front_matter_as_metadata(content_dir: Path) -> None:
    site = load_site(content_dir)
    article = load_article(write_file(content_dir, "poti-crane.md", ARTICLE), site)
    assert article.slug == "poti-crane"
    assert article.metadata.title == "Port of Poti gets a new crane"
    assert article.metadata.published.isoformat() == "2024-03-06T11:00:00+04:00"  # type: ignore[union-attr]
    assert (article.metadata.authors, article.metadata.tags) == (("Nino Beridze",), ("Transport", "Poti"))
    assert ("title", "front matter") in article.origins
    assert "<strong>Wednesday</strong>" in article.html


def test_a_markdown_article_is_cleaned_and_published_like_any_other(content_dir: Path) -> None:
    write_file(content_dir, "poti-crane.md", ARTICLE)
    snapshot = load_snapshot(content_dir)
    assert snapshot.catalog.problems == ()
    article = snapshot.catalog.by_slug["poti-crane"]
    assert article.summary_text == "The biggest crane on the coast arrived by sea on Wednesday."
    assert "<strong>Wednesday</strong>" in article.content_html
    assert 'href="https://port.example/crane"' in article.content_html
    assert "<table>" in article.content_html
    assert "alert" not in article.content_html and "onclick" not in article.content_html
    assert "Raw HTML is allowed, and sanitised." in article.content_html
    assert "Port of Poti gets a new crane</h1>" not in article.content_html  # the page template shows the title
    entry = feedparser.parse(snapshot.feeds["/feed.atom"].body).entries[0]
    assert (entry.title, entry.author, entry.published) == (
        "Port of Poti gets a new crane",
        "Nino Beridze",
        "2024-03-06T11:00:00+04:00",
    )


def test_the_title_can_come_from_the_first_heading(content_dir: Path) -> None:
    text = "+++\npublished = 2024-03-06\n+++\n# From the heading\n\nA paragraph of text that is long enough.\n"
    article = load_article(write_file(content_dir, "heading.md", text), load_site(content_dir))
    assert article.metadata.title == "From the heading"


@pytest.mark.parametrize(
    "text, message",
    [
        ('+++\ntitel = "A"\n+++\nBody', "unknown key 'titel'; did you mean 'title'?"),
        ("+++\npublished = 2024-03-06\n+++\n\n  \n", "has no Markdown text after its front matter"),
        ('---\ntitle: "A"\n---\nBody', "starts with '---' (YAML front matter)"),
    ],
)
def test_a_bad_markdown_article_is_a_problem_naming_the_file(content_dir: Path, text: str, message: str) -> None:
    path = write_file(content_dir, "bad.md", text)
    with pytest.raises(ContentError, match=re.escape(message)) as caught:
        load_article(path, load_site(content_dir))
    assert caught.value.path == path


def test_markdown_must_be_utf8(content_dir: Path) -> None:
    path = content_dir / "articles" / "latin.md"
    path.write_bytes("Caf\u00e9 society".encode("latin-1"))
    with pytest.raises(ContentError, match="is not UTF-8 text; save it as UTF-8"):
        load_article(path, load_site(content_dir))


def test_a_sidecar_next_to_a_markdown_article_is_an_error_and_ignored(content_dir: Path) -> None:
    write_file(content_dir, "poti-crane.md", ARTICLE)
    sidecar = write_file(content_dir, "poti-crane.toml", 'title = "Other"')
    articles, problems = load_articles(content_dir, load_site(content_dir))
    assert [a.metadata.title for a in articles] == ["Port of Poti gets a new crane"]
    (problem,) = problems
    assert (problem.path, problem.severity) == (sidecar, "error")
    assert "keeps its metadata in its front matter; move these keys into its +++ block" in problem.message


def test_a_markdown_and_an_html_article_with_one_slug_clash(content_dir: Path) -> None:
    write_file(content_dir, "crane.html", "<h1>Crane</h1><p>23 November 2021</p>")
    write_file(content_dir, "crane.md", ARTICLE)
    articles, problems = load_articles(content_dir, load_site(content_dir))
    assert [a.path.name for a in articles] == ["crane.html"]
    assert any("slug 'crane' is already used by crane.html" in p.message for p in problems)
