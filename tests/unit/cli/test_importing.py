"""cli/importing.py: `feedsvc import`: URLs, sitemaps and WordPress exports into a content folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsvc.build.builder import load_snapshot
from feedsvc.cli.main import main
from feedsvc.importer import importing as importer_module
from support.http_fixture import SECRET, FixtureServer, Reply, page
from support.paths import FIXTURES as FIXTURES_DIR
from support.sites import NEWS_SITE_TOML

FIXTURES = FIXTURES_DIR / "import"
FERRY = (FIXTURES / "article_with_jsonld_and_relative_canonical.html").read_text(encoding="utf-8")
NIGHT_BUS = (FIXTURES / "article_with_visible_markup_only.html").read_text(encoding="utf-8")
FAST = ["--connect-timeout", "1", "--read-timeout", "0.5"]


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return NEWS_SITE_TOML


def invoke(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def test_import_urls_prints_a_summary_and_the_articles_publish(content_dir: Path, server: FixtureServer) -> None:
    server.routes.update({"/ferry": page(FERRY), "/bus": page(NIGHT_BUS)})
    result = invoke("--content", str(content_dir), *FAST, server.url("/ferry"), server.url("/bus"))
    assert result.exit_code == 0, result.output
    assert "imported   2" in result.output and "failed     0" in result.output
    assert len(load_snapshot(content_dir).catalog.articles) == 2
    again = invoke("--content", str(content_dir), *FAST, server.url("/ferry"))
    assert "unchanged  1" in again.output and "imported   0" in again.output


def test_import_lists_each_failure_with_its_reason_and_exits_1(content_dir: Path, server: FixtureServer) -> None:
    server.routes.update(
        {
            "/ferry": page(FERRY),
            "/pdf": Reply(b"%PDF-1.7", content_type="application/pdf"),
            "/slow": page(FERRY, delay=1.5),
            "/big": page("x" * 5000),
        }
    )
    urls = [server.url(path) for path in ("/ferry", "/pdf", "/slow", "/big")]
    result = invoke("--content", str(content_dir), *FAST, "--max-bytes", "4096", *urls)
    assert result.exit_code == 1
    assert "imported   1" in result.output and "failed     3" in result.output
    assert f"failed   {server.url('/pdf')}: not an HTML page (Content-Type: application/pdf)" in result.output
    assert f"failed   {server.url('/slow')}: timed out waiting for" in result.output
    assert f"failed   {server.url('/big')}: body of 5,000 bytes is over the 4,096-byte limit" in result.output


def test_import_wordpress_counts_what_it_skipped(content_dir: Path) -> None:
    result = invoke("--content", str(content_dir), "--wordpress", str(FIXTURES / "wordpress_export.xml"))
    assert result.exit_code == 0, result.output
    assert "imported   3" in result.output
    assert "skipped    5 (1 attachment, 1 draft, 1 page, 1 password-protected, 1 private)" in result.output


def test_import_wordpress_refuses_what_is_not_an_export(content_dir: Path) -> None:
    export = content_dir / "feed.xml"
    export.write_text('<rss version="2.0"><channel><title>x</title></channel></rss>', encoding="utf-8")
    result = invoke("--content", str(content_dir), "--wordpress", str(export))
    assert result.exit_code == 1
    assert f"{export}: is not a WordPress export (WXR)" in result.output


def test_an_interrupted_sitemap_import_run_again_finishes_without_duplicates(
    content_dir: Path, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = [f"/story-{n}" for n in range(4)]
    for n, path in enumerate(pages):
        server.routes[path] = page(NIGHT_BUS.replace("Tbilisi opens its first night bus line", f"Night bus story {n}"))
    entries = "".join(f"<url><loc>{server.url(path)}</loc></url>" for path in pages)
    server.routes["/sitemap.xml"] = Reply(f"<urlset>{entries}</urlset>".encode(), content_type="application/xml")
    real = importer_module.Importer.import_url
    calls = {"n": 0}

    def stop_at_the_third(self, url, hint=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, url, hint)

    monkeypatch.setattr(importer_module.Importer, "import_url", stop_at_the_third)
    first = invoke("--content", str(content_dir), *FAST, "--sitemap", server.url("/sitemap.xml"))
    assert first.exit_code == 130
    assert "imported   2" in first.output and "interrupted: run the same command again" in first.output
    monkeypatch.setattr(importer_module.Importer, "import_url", real)
    second = invoke("--content", str(content_dir), *FAST, "--sitemap", server.url("/sitemap.xml"))
    assert second.exit_code == 0, second.output
    assert "imported   2" in second.output and "unchanged  2" in second.output
    titles = sorted(article.title for article in load_snapshot(content_dir).catalog.articles)
    assert titles == [f"Night bus story {n}" for n in range(4)]


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give at least one URL, --sitemap URL or --wordpress EXPORT.xml"),
        (["--wordpress", "nope.xml"], "does not exist"),
    ],
)
def test_import_usage_errors(content_dir: Path, args: list[str], message: str) -> None:
    result = invoke("--content", str(content_dir), *args)
    assert result.exit_code == 2 and message in result.output


def test_import_needs_a_valid_site_toml(tmp_path: Path) -> None:
    result = invoke("--content", str(tmp_path), "http://127.0.0.1:9/x")
    assert result.exit_code == 1 and "site.toml: not found" in result.output


def test_import_has_help() -> None:
    result = CliRunner().invoke(main, ["import", "--help"])
    assert result.exit_code == 0 and "--sitemap URL" in result.output and "--wordpress EXPORT.xml" in result.output


def test_a_url_or_sitemap_with_a_password_is_refused_and_the_output_leaves_it_out(
    content_dir: Path, server: FixtureServer
) -> None:
    server.routes.update({"/ferry": page(FERRY), "/sitemap.xml": page("<urlset/>", content_type="application/xml")})
    secret_page, secret_sitemap = server.url_with_password("/ferry"), server.url_with_password("/sitemap.xml")
    result = invoke("--content", str(content_dir), *FAST, secret_page, "--sitemap", secret_sitemap)
    assert result.exit_code == 1
    assert f"failed   {server.url('/ferry')}: URL '{server.url('/ferry')}' carries a user name or password" in (
        result.output
    )
    assert f"reading sitemap {server.url('/sitemap.xml')}" in result.output
    assert SECRET not in result.output
    assert not server.hits and not list((content_dir / "articles").glob("*.toml"))
