"""The element budget (site.toml's max_article_elements): a page with more elements is held out before
anything reads it, with an error naming the file (or URL), its count, the limit and the setting; the rest
of the site publishes (feedsvc.element_budget)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsvc.build.builder import load_catalog
from feedsvc.catalog.prepare import prepare_source
from feedsvc.clean import TooManyElements, clean_article, clean_html
from feedsvc.cli.main import main as cli
from feedsvc.content.loader import load_article, load_site
from feedsvc.content.site import SiteConfigError
from feedsvc.importer.http import Fetched
from feedsvc.importer.importing import Importer, Report
from feedsvc.model import ContentError
from support.sites import write_file

NOW = datetime(2024, 6, 1, tzinfo=UTC)
LIMIT_LINE = "over the 1,000-element limit for an article (max_article_elements in site.toml)"
HEAD = "<html><head><title>Wide page</title></head><body>"


def paragraphs_page(count: int) -> str:
    """A page of ``count`` short paragraphs: ``count`` + 4 elements (html, head, title, body) in either parse."""
    return HEAD + "<p>A short line.</p>\n" * count + "</body></html>"


def tables_page(count: int) -> str:
    """A page of ``count`` one-cell tables, each of which the cleaner's HTML5 parse gives a ``<tbody>``:
    3 elements a table to the metadata's parse (libxml2), 4 to the cleaner's."""
    return (
        HEAD
        + "<p>The story, then its tables.</p>"
        + "<table><tr><td>a cell</td></tr></table>\n" * count
        + "</body></html>"
    )


@pytest.fixture
def budgeted(content_dir: Path) -> Path:
    """The fixture site (three publishable articles) with a budget of 1,000 elements."""
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text(encoding="utf-8") + "max_article_elements = 1000\n", encoding="utf-8")
    return content_dir


def test_a_page_over_the_element_budget_is_held_out_and_the_rest_of_its_folder_publishes(budgeted: Path) -> None:
    write_file(budgeted, "wide-page.html", paragraphs_page(1200))
    write_file(budgeted, "short-page.html", paragraphs_page(40))
    catalog = load_catalog(budgeted, now=NOW)
    assert "wide-page" not in catalog.by_slug
    assert "short-page" in catalog.by_slug and len(catalog.articles) == 4  # the fixture's three and this one
    (problem,) = [p for p in catalog.problems if p.path.name == "wide-page.html"]
    assert problem.severity == "error"
    assert f"has 1,204 elements, {LIMIT_LINE}; save only the article, or raise max_article_elements" in problem.message


def test_feedsvc_check_names_the_file_its_count_and_the_setting(budgeted: Path) -> None:
    write_file(budgeted, "wide-page.html", paragraphs_page(1200))
    check = CliRunner().invoke(cli, ["check", "--content", str(budgeted)])
    assert check.exit_code == 1
    assert re.search(rf"wide-page\.html: has 1,204 elements, {re.escape(LIMIT_LINE)}", check.output)


def test_the_cleaners_own_parse_is_checked_where_it_makes_more_elements_than_the_metadatas(budgeted: Path) -> None:
    # 300 tables: 905 elements to the loader's metadata parse (under the budget), 1,205 to the cleaner's.
    site = load_site(budgeted)
    source = load_article(write_file(budgeted, "tables-page.html", tables_page(300)), site)
    prepared = prepare_source(source, site)
    assert prepared.article is None
    (problem,) = prepared.problems
    assert f"has 1,205 elements, {LIMIT_LINE}" in problem.message


def test_the_cleaner_refuses_a_page_over_its_budget_before_any_stage_and_only_then() -> None:
    html = paragraphs_page(1200)
    with pytest.raises(TooManyElements, match=re.escape(f"has 1,204 elements, {LIMIT_LINE}")) as refused:
        clean_article(html, max_elements=1000)
    assert (refused.value.count, refused.value.limit) == (1204, 1000)
    with pytest.raises(TooManyElements):
        clean_html(html, max_elements=1203)
    assert "A short line." in clean_html(html, max_elements=1204)
    assert "A short line." in clean_html(html)  # no budget: the library's default


@pytest.mark.parametrize("value", [999, 1_000_001, "50000", True])
def test_the_element_budget_is_validated(budgeted: Path, value: object) -> None:
    site_toml = budgeted / "site.toml"
    text = site_toml.read_text(encoding="utf-8").replace("max_article_elements = 1000\n", "")
    literal = f'"{value}"' if isinstance(value, str) else str(value).lower()
    site_toml.write_text(text + f"max_article_elements = {literal}\n", encoding="utf-8")
    with pytest.raises(SiteConfigError, match="'max_article_elements' must be a whole number from 1000 to 1000000"):
        load_site(budgeted)


def test_the_element_budget_has_a_default_and_bounds_take_their_ends(budgeted: Path) -> None:
    assert load_site(budgeted).max_article_elements == 1000
    site_toml = budgeted / "site.toml"
    text = site_toml.read_text(encoding="utf-8").replace("max_article_elements = 1000\n", "")
    site_toml.write_text(text, encoding="utf-8")
    assert load_site(budgeted).max_article_elements == 30_000
    site_toml.write_text(text + "max_article_elements = 1000000\n", encoding="utf-8")
    assert load_site(budgeted).max_article_elements == 1_000_000


@pytest.mark.parametrize("flags", [[], ["--explain"], ["--report", "REPORT"]])
def test_feedsvc_clean_refuses_a_page_over_the_content_folders_budget(
    budgeted: Path, tmp_path: Path, flags: list[str]
) -> None:
    page = tmp_path / "wide-page.html"
    page.write_text(paragraphs_page(1200), encoding="utf-8")
    report = tmp_path / "report.html"
    args = [str(report) if flag == "REPORT" else flag for flag in flags]
    result = CliRunner().invoke(cli, ["clean", str(page), "--content", str(budgeted), *args])
    assert result.exit_code == 1
    assert f"{page}: has 1,204 elements, {LIMIT_LINE}" in result.output
    assert not report.exists()


def test_feedsvc_clean_without_a_site_toml_uses_the_default_budget(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(paragraphs_page(1200), encoding="utf-8")
    result = CliRunner().invoke(cli, ["clean", str(page), "--content", str(tmp_path / "no-such-folder")])
    assert result.exit_code == 0 and "A short line." in result.output


def test_an_imported_page_over_the_budget_fails_naming_its_url_and_is_not_stored(budgeted: Path) -> None:
    url = "https://wire.example.com/news/wide-page"
    fetched = Fetched(url, url, (), "text/html", "utf-8", paragraphs_page(1200).encode())
    outcome = Importer(budgeted, load_site(budgeted), clock=lambda: NOW).import_fetched(url, fetched)
    assert outcome.status == "failed"
    assert not (budgeted / "articles" / "wide-page.html").exists()
    line = Report([outcome]).lines()[-1]
    assert line == (
        f"  failed   {url}: the page has 1,204 elements, {LIMIT_LINE}; "
        "save only the article, or raise max_article_elements if the page is meant to be that long"
    )


def test_a_loaded_page_over_the_budget_is_a_content_error(budgeted: Path) -> None:
    site = load_site(budgeted)
    with pytest.raises(ContentError, match=re.escape(f"has 1,204 elements, {LIMIT_LINE}")) as error:
        load_article(write_file(budgeted, "wide-page.html", paragraphs_page(1200)), site)
    assert error.value.path.name == "wide-page.html"
