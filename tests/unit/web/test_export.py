"""web/export.py and `feedsvc build DIR`: every URL as files, byte for byte what the service sends."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from werkzeug.http import http_date

from feedsvc.app import create_app
from feedsvc.cli.main import main
from feedsvc.web.export import MARKER, ExportError, export_site, file_for, site_paths
from support.factories import replace_picture, with_icon, write_article
from support.paths import FIXTURES
from support.sites import NEWS_SITE_TOML, blank_site, copy_site

T1 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
CODINGS = {".gz": "gzip", ".br": "br"}


def make_app(content_dir: Path) -> Flask:
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: T1, "CACHE_DIR": ""})


def url_of(file: str) -> str:
    """Invert file_for: the URL whose body a file holds."""
    if file == "index.html":
        return "/"
    if file in ("feeds.html", "tags.html", "authors.html"):
        return "/" + file.removesuffix(".html")
    if (
        file.startswith(("articles/", "tags/", "authors/", "sources/"))
        and file.count("/") == 1
        and file.endswith(".html")
    ):
        return "/" + file.removesuffix(".html")
    if re.fullmatch(r"((tags|authors|sources)/[^/]+/)?page/[0-9]+\.html", file):
        return "/" + file.removesuffix(".html")
    return "/" + file


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One export of the fixture site (plus a withdrawn article), shared by the tests that only read it.

    Two articles a page, and two more on Transport, so that the site's list and
    Transport's have a second page; two followed sources, one of which brought an article.
    """
    content_dir = copy_site(tmp_path_factory.mktemp("site") / "content")
    write_article(content_dir, "withdrawn-story", "2024-04-01T10:00:00", status="withdrawn")
    write_article(content_dir, "tram-line-extended", "2024-03-01T10:00:00", tags=("Transport",), source="civil-ge")
    write_article(content_dir, "ferry-timetable", "2024-02-20T10:00:00", tags=("Transport",))
    shutil.copy(FIXTURES / "pictures" / "icon-128.png", content_dir / "icon.png")
    shutil.copy(FIXTURES / "pictures" / "wide-300x100.jpg", content_dir / "logo.jpg")
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('articles_per_page = 2\nicon = "icon.png"\nlogo = "logo.jpg"\n')
        toml.write('[[source]]\nname = "civil-ge"\nfeed = "https://civil.ge/feed"\n')
        toml.write('[[source]]\nname = "quiet-news"\nsitemap = "https://quiet.example/sitemap.xml"\n')
    target = content_dir.parent / "public"
    export_site(make_app(content_dir), target, content_dir)
    return content_dir, target


@pytest.fixture
def exported(site: tuple[Path, Path]) -> Path:
    return site[1]


@pytest.fixture
def exported_content(site: tuple[Path, Path]) -> Path:
    return site[0]


def test_every_file_is_byte_for_byte_what_the_service_sends(exported: Path, exported_content: Path) -> None:
    client = make_app(exported_content).test_client()
    files = [p for p in exported.rglob("*") if p.is_file() and "_feedsvc" not in p.parts and p.name != MARKER]
    assert len(files) > 30
    for file in files:
        name = file.relative_to(exported).as_posix()
        coding = CODINGS.get(file.suffix, "identity")
        url = url_of(name.removesuffix(file.suffix) if coding != "identity" else name)
        with client.get(url, headers={"Accept-Encoding": coding}) as response:
            assert response.status_code == 200, url
            assert response.headers.get("Content-Encoding", "identity") == coding, name
            assert response.get_data() == file.read_bytes(), name
            assert http_date(file.stat().st_mtime) == response.headers["Last-Modified"], name


def test_every_url_of_the_site_is_exported(exported: Path, exported_content: Path) -> None:
    app = make_app(exported_content)
    snapshot = app.extensions["feedsvc"].snapshot
    paths = list(site_paths(snapshot, Path(app.static_folder or "")))
    for path in ("/", "/page/2", "/page/3", "/articles/article-with-jsonld-tags-and-author", "/tags/transport",
                 "/tags/transport/page/2", "/tags/transport/feed.json", "/authors/grace-hopper", "/feed.rss",
                 "/archive/2024-03.atom", "/static/style.css", "/feeds", "/feeds.opml", "/sitemap.xml",
                 "/robots.txt", "/sources/civil-ge", "/sources/civil-ge/feed.atom", "/sources/quiet-news",
                 "/sources/quiet-news/feed.rss", "/sources/quiet-news/feed.json", "/tags", "/authors",
                 "/icon.png", "/logo.jpg"):  # fmt: skip
        assert path in paths
    assert "/favicon.ico" not in paths  # nginx answers it from icon.<suffix>: a favicon.ico file would be typed .ico
    assert len(paths) == len(set(paths))
    assert "/archive/2024-04.atom" not in paths  # the current month has no article: no archive document
    for path in paths:
        assert (exported / file_for(path)).is_file(), path
    assert (exported / "feed.atom.gz").is_file() and (exported / "feed.atom.br").is_file()
    assert not (exported / "static" / "style.css.gz").exists()  # the service sends static files as they are
    assert not (exported / "icon.png.gz").exists()  # and the icon and logo


def test_a_withdrawn_article_is_listed_for_a_410_not_written_as_a_page(exported: Path, exported_content: Path) -> None:
    assert (exported / "_feedsvc" / "gone.txt").read_text() == "/articles/withdrawn-story\n"
    assert not (exported / "articles" / "withdrawn-story.html").exists()
    gone = make_app(exported_content).test_client().get("/articles/withdrawn-story")
    assert gone.status_code == 410
    assert (exported / "_feedsvc" / "410" / "articles" / "withdrawn-story.html").read_bytes() == gone.get_data()
    types = (exported / "_feedsvc" / "types.txt").read_text()
    assert ".atom application/atom+xml; charset=utf-8" in types and ".json application/feed+json" in types


def test_an_export_replaces_the_previous_one_whole(content_dir: Path, tmp_path: Path) -> None:
    exported = tmp_path / "public"
    export_site(make_app(content_dir), exported, content_dir)
    (content_dir / "articles" / "article-oldest-with-time-element.html").unlink()
    export_site(make_app(content_dir), exported, content_dir)
    assert not (exported / "articles" / "article-oldest-with-time-element.html").exists()
    assert (exported / "articles" / "article-with-jsonld-tags-and-author.html").exists()
    assert not [p for p in exported.parent.iterdir() if p.name.startswith(".")]  # no staging left behind


@pytest.mark.parametrize("change", ["deleted", "edited"])
def test_the_icon_and_logo_written_are_those_the_site_was_built_with(tmp_path: Path, change: str) -> None:
    # the pages written give the pictures' sizes and the feeds their digests' version: the files as they were when
    # the export asked for them (118cc9d, 08e2518) were another picture, or a 404 that stopped the export
    content_dir = blank_site(tmp_path / "content", NEWS_SITE_TOML)
    write_article(content_dir, "harbour", "2024-05-01T10:00:00")
    pictures = {"icon.png": "icon-128.png", "logo.png": "logo-144x48.png"}
    for name, fixture in pictures.items():
        shutil.copy(FIXTURES / "pictures" / fixture, content_dir / name)
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('icon = "icon.png"\nlogo = "logo.png"\n')
    app = make_app(content_dir)
    for name in pictures:
        if change == "deleted":
            (content_dir / name).unlink()
        else:
            replace_picture(content_dir / name, "wide-300x100.png")
    export_site(app, tmp_path / "site", content_dir)
    for name, fixture in pictures.items():
        assert (tmp_path / "site" / name).read_bytes() == (FIXTURES / "pictures" / fixture).read_bytes()


def test_it_refuses_folders_it_did_not_write(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine", encoding="utf-8")
    for target in (tmp_path / "home", content_dir, content_dir / "public", tmp_path):
        with pytest.raises(ExportError):
            export_site(app, target, content_dir)
    assert (tmp_path / "home" / "notes.txt").read_text() == "mine"


def test_feedsvc_build_writes_the_site_and_reports_what_was_left_out(content_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path / "out"), "--content", str(content_dir)])
    assert result.exit_code == 1  # the fixture's empty article is not published
    assert "3 articles, 1 not published" in result.output and "article-that-is-empty.html" in result.output
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / MARKER).is_file()
    again = CliRunner().invoke(main, ["build", str(content_dir), "--content", str(content_dir)])
    assert again.exit_code == 1 and "outside the content folder" in again.output


def test_feedsvc_build_counts_articles_as_articles_and_other_problems_on_their_own_line(
    content_dir: Path, tmp_path: Path
) -> None:
    # a rules file that does not parse was counted as an article not published ("2 not published")
    rules = content_dir / "rules" / "news.example.org.toml"
    rules.parent.mkdir()
    rules.write_text("strip = [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "out"), "--content", str(content_dir)])
    assert result.exit_code == 1
    assert result.output.endswith(
        f"3 articles, 1 not published, 0 held at their last good version\n1 other problem: {rules}\n"
    )


def test_feedsvc_build_with_the_icon_gone_writes_its_last_bytes_or_goes_without_it(
    content_dir: Path, tmp_path: Path
) -> None:
    # it stopped ("Error: …'icon' names …, which does not exist"), as for a broken site.toml: no site written
    icon = with_icon(content_dir)
    built = icon.read_bytes()
    first = CliRunner().invoke(main, ["build", str(tmp_path / "first"), "--content", str(content_dir)])
    feed = (tmp_path / "first" / "feed.atom").read_bytes()
    assert first.exit_code == 1 and b"<icon>" in feed  # (the fixture's empty article)
    icon.unlink()
    result = CliRunner().invoke(main, ["build", str(tmp_path / "out"), "--content", str(content_dir)])
    assert result.exit_code == 1 and result.output.endswith(
        f"3 articles, 1 not published, 0 held at their last good version\n1 other problem: {icon}\n")  # fmt: skip
    assert f"held     {icon}: site.toml's 'icon' names this file, which does not exist" in result.output
    assert (tmp_path / "out" / "icon.png").read_bytes() == built  # from the build cache
    assert (tmp_path / "out" / "feed.atom").read_bytes() == feed  # the very feed
    bare = CliRunner().invoke(main, ["build", str(tmp_path / "bare"), "--content", str(content_dir), "--no-cache"])
    assert bare.exit_code == 1 and "until then the site has no icon" in bare.output
    assert (
        not (tmp_path / "bare" / "icon.png").exists()
        and b"<icon>" not in (tmp_path / "bare" / "feed.atom").read_bytes()
    )


def test_feedsvc_build_holds_a_page_it_cannot_stat_and_writes_the_rest(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(out), "--content", str(content_dir)]).exit_code == 1  # the empty one
    kept = (out / "articles" / "article-with-sidecar-overrides.html").read_bytes()
    page = content_dir / "articles" / "article-with-sidecar-overrides.html"
    page.unlink()
    page.symlink_to(page.name)  # a loop (ELOOP: the stat fails as root too)
    edited = content_dir / "articles" / "article-oldest-with-time-element.html"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("until spring.", "until spring. Updated."), encoding="utf-8"
    )
    # exported, the page was left out as if deleted: a 404 in its place (main); or nothing was written, the
    # other page's edit with it (a fault of the whole folder). Held at its last version, the rest written
    result = CliRunner().invoke(main, ["build", str(out), "--content", str(content_dir)])
    assert result.exit_code == 1
    assert f"held     {page}: cannot be read (Too many levels of symbolic links)" in result.output
    assert "3 articles, 1 not published, 1 held at their last good version" in result.output
    assert (out / "articles" / "article-with-sidecar-overrides.html").read_bytes() == kept
    assert b"Updated." in (out / "articles" / "article-oldest-with-time-element.html").read_bytes()


def test_every_page_of_every_list_is_a_file_that_try_files_finds(exported: Path, exported_content: Path) -> None:
    client = make_app(exported_content).test_client()
    # five articles, two a page: 3 pages; Transport's three: 2; the others fit on one
    lists = {"": 3, "/tags/transport": 2, "/tags/city": 1, "/authors/ada-lovelace": 1}
    for prefix, count in lists.items():
        for number in range(2, count + 1):
            path = f"{prefix}/page/{number}"
            file = exported / (path.lstrip("/") + ".html")  # nginx: try_files $uri.html
            assert file_for(path) == file.relative_to(exported).as_posix()
            with client.get(path) as response:
                assert response.status_code == 200
                assert file.read_bytes() == response.get_data(), path
                assert http_date(file.stat().st_mtime) == response.headers["Last-Modified"], path
            assert (exported / (path.lstrip("/") + ".html.gz")).is_file(), path
        # no file for /page/1 (a redirect in the service) nor for a page past the last
        assert not (exported / (prefix.lstrip("/") + "/page/1.html").lstrip("/")).exists()
        assert not (exported / (prefix.lstrip("/") + f"/page/{count + 1}.html").lstrip("/")).exists()
    assert client.get("/page/3").status_code == 200 and client.get("/page/4").status_code == 404


@pytest.mark.parametrize(
    ("path", "file"),
    [("/", "index.html"), ("/page/2", "page/2.html"), ("/page/10", "page/10.html"),
     ("/tags/transport", "tags/transport.html"), ("/tags/transport/page/2", "tags/transport/page/2.html"),
     ("/authors/ada-lovelace/page/3", "authors/ada-lovelace/page/3.html"),
     ("/tags/page", "tags/page.html"), ("/tags/page/page/2", "tags/page/page/2.html"),
     ("/tags/page/feed.atom", "tags/page/feed.atom"), ("/articles/page", "articles/page.html"),
     ("/archive/2024-04.atom", "archive/2024-04.atom"), ("/static/style.css", "static/style.css"),
     ("/feeds", "feeds.html"), ("/feeds.opml", "feeds.opml"), ("/sitemap.xml", "sitemap.xml"),
     ("/sitemap-2.xml", "sitemap-2.xml"), ("/robots.txt", "robots.txt"),
     ("/sources/civil-ge", "sources/civil-ge.html"), ("/sources/civil-ge/page/2", "sources/civil-ge/page/2.html"),
     ("/sources/civil-ge/feed.rss", "sources/civil-ge/feed.rss"), ("/tags", "tags.html"),
     ("/authors", "authors.html"), ("/icon.png", "icon.png"), ("/logo.svg", "logo.svg")],
)  # fmt: skip
def test_file_for_puts_every_page_where_try_files_looks(path: str, file: str) -> None:
    assert file_for(path) == file


def test_an_export_grows_with_the_articles_not_with_the_years(tmp_path: Path) -> None:
    # 30 articles: the oldest from 2010, the rest in some months of 2022 and 2023
    content_dir = blank_site(tmp_path / "content", NEWS_SITE_TOML)
    dates = ["2010-05-14T09:00:00"] + [f"20{22 + i % 2}-{1 + (i * 5) % 12:02d}-{1 + i:02d}T09:00:00" for i in range(29)]
    for number, published in enumerate(dates):
        write_article(content_dir, f"story-{number:02d}", published)
    months = {published[:7] for published in dates}
    target = tmp_path / "public"
    export_site(make_app(content_dir), target, content_dir)
    archives = sorted(p.relative_to(target).as_posix() for p in (target / "archive").iterdir())
    by_format = {suffix: [a for a in archives if a.endswith(suffix)] for suffix in (".atom", ".gz", ".br")}
    for files in by_format.values():
        assert len(files) <= len(months) + 1
    assert by_format[".atom"] == sorted(f"archive/{month}.atom" for month in months)  # one per month with articles
    assert sum(1 for p in target.rglob("*") if p.is_file()) < 400  # not 170 months × 3 files of archives


def test_a_sitemap_index_is_exported_with_its_parts(content_dir: Path, tmp_path: Path) -> None:
    config = {"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: T1, "CACHE_DIR": ""}
    app = create_app({**config, "SITEMAP_MAX_URLS": 4})
    target = tmp_path / "public"
    export_site(app, target, content_dir)
    parts = sorted(p.name for p in target.glob("sitemap-*.xml"))
    assert parts == [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) >= 2
    client = app.test_client()
    for name in ("sitemap.xml", *parts, "robots.txt", "feeds.opml", "feeds.html"):
        assert (target / name).read_bytes() == client.get(url_of(name)).data, name


def test_feedsvc_build_writes_nothing_of_a_folder_it_cannot_list(content_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(out), "--content", str(content_dir)]).exit_code == 1  # the empty one
    articles = content_dir / "articles"
    articles.rename(content_dir / "articles-away")
    articles.write_text("not a folder", encoding="utf-8")
    # exported as a site without articles, every article page was withdrawn from the static host
    result = CliRunner().invoke(main, ["build", str(out), "--content", str(content_dir)])
    assert result.exit_code == 1 and f"cannot read the content: {articles}: Not a directory" in result.output
    assert (out / "articles" / "article-with-sidecar-overrides.html").is_file()  # the last export, untouched
