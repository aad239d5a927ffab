"""cli/main.py: the feedsvc command: check, clean, serve --check-config and their help (serve itself: tests/integration)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsvc.cli.main import image_line, main
from feedsvc.model import Image
from support.factories import with_icon
from support.paths import FIXTURES

PAGE = """<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>A headline</h1>
<p>First paragraph of the story, long enough to be a paragraph of an article.</p>
<p>A second paragraph with <a href="/more">a relative link</a>.</p></article>
<script>track()</script></body></html>"""


@pytest.mark.parametrize("command", [[], ["serve"], ["check"], ["clean"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main" in result.output or "Usage:" in result.output


def test_check_reports_each_article_and_each_problem_and_fails_on_errors(content_dir: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1
    assert "ok       article-with-jsonld-tags-and-author" in result.output
    assert "title:     Harbour bridge reopens after repairs" in result.output
    assert "image:     https://news.example.org/images/bridge.jpg  (from the article's first picture)" in result.output
    assert "error    " in result.output and "article-that-is-empty.html" in result.output
    assert "3 published, 1 not published" in result.output


def _broken_rules(content_dir: Path) -> Path:
    """Put a rules file that does not parse in ``content_dir``: a problem of no article's (its rules are not applied)."""
    rules = content_dir / "rules" / "news.example.org.toml"
    rules.parent.mkdir(exist_ok=True)
    rules.write_text("strip = [\n", encoding="utf-8")
    return rules


def test_check_counts_articles_as_articles_and_other_problems_on_their_own_line(content_dir: Path) -> None:
    # a rules file that does not parse was counted as an article not published ("2 not published")
    rules = _broken_rules(content_dir)
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1
    assert f"error    {rules}: " in result.output and "rules are not applied" in result.output
    assert "\n3 published, 1 not published, 0 held at their last good version, " in result.output  # the empty one
    assert result.output.endswith(f" warnings\n1 other problem: {rules}\n")
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1 and "\n3 published, 0 not published, 0 held" in result.output  # still an error


@pytest.mark.parametrize(
    "image, line",
    [
        (None, "-"),
        (Image("https://a.example/x.jpg", 1200, 630, "image/jpeg", origin="json-ld"),
         "https://a.example/x.jpg  (1200x630, image/jpeg, from JSON-LD)"),
        (Image("https://a.example/x.jpg", 1200, origin="opengraph"), "https://a.example/x.jpg  (from og:image)"),
        (Image("https://a.example/x.jpg", origin="sidecar"), "https://a.example/x.jpg  (from the sidecar)"),
    ],
)  # fmt: skip
def test_check_shows_the_lead_image_with_what_is_known_and_where_it_was_found(image: Image | None, line: str) -> None:
    assert image_line(image) == line


def test_check_passes_when_everything_publishes(content_dir: Path) -> None:
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "3 published, 0 not published" in result.output


def test_check_fails_on_a_held_article_and_says_which_version_is_served(content_dir: Path) -> None:
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    assert CliRunner().invoke(main, ["check", "--content", str(content_dir)]).exit_code == 0
    (content_dir / "articles" / "article-with-sidecar-overrides.html").write_bytes(b"")  # a truncated save
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1, result.output
    assert "held     " in result.output and "article-with-sidecar-overrides.html: is empty" in result.output
    assert "serving:   the last good version (" in result.output
    assert "3 published, 0 not published, 1 held at their last good version" in result.output


def test_check_lists_drafts_and_withdrawn_articles_and_counts_them(content_dir: Path) -> None:
    # a draft and a withdrawal were not mentioned at all: "3 published, 0 not published" with four files
    articles = content_dir / "articles"
    (articles / "article-that-is-empty.html").unlink()
    (articles / "budget.md").write_text('+++\ntitle = "The budget"\nstatus = "draft"\n+++\nNotes.\n', encoding="utf-8")
    sidecar = articles / "article-with-sidecar-overrides.toml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + '\nstatus = "withdrawn"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "draft    budget\n         title:     The budget\n" in result.output
    assert 'not published: status = "draft" in the front matter of budget.md; remove it to publish' in result.output
    assert "withdrawn article-with-sidecar-overrides\n" in result.output and "410 Gone since " in result.output
    assert "2 published, 0 not published, 0 held at their last good version, " in result.output
    assert " warnings, 1 draft, 1 withdrawn\n" in result.output


def test_check_escapes_control_characters_in_file_names(content_dir: Path) -> None:
    hostile = "red\x1b[31m-\u202egnp.exe.html"  # an escape sequence and a right-to-left override
    (content_dir / "articles" / hostile).write_text("", encoding="utf-8")  # empty: reported by name
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "red\\x1b[31m-\\u202egnp.exe.html" in result.output  # still named, readably


def test_check_names_a_broken_site_toml(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text("title = \n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert "site.toml" in result.output


def test_clean_prints_the_article_with_absolute_links(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(page), "--url", "https://example.org/story"])
    assert result.exit_code == 0, result.output
    assert "First paragraph of the story" in result.output
    assert 'href="https://example.org/more"' in result.output
    assert "track()" not in result.output
    assert ">News<" not in result.output


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (b"", "is empty"),
        (bytes(range(1, 32)) * 100, "control characters"),
        (b'<meta charset="hz-gb-2312"><p>~{<script>~}</p>', "browsers refuse to decode"),
    ],
    ids=["png", "empty", "binary", "refused-charset"],
)
def test_clean_refuses_what_check_refuses(tmp_path: Path, data: bytes, reason: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(data)
    result = CliRunner().invoke(main, ["clean", str(page)])
    assert result.exit_code == 1 and reason in result.output and "page.html" in result.output


def test_clean_reads_standard_input() -> None:
    result = CliRunner().invoke(main, ["clean", "-"], input=PAGE)
    assert result.exit_code == 0, result.output
    assert "A second paragraph" in result.output


def test_check_config_reports_and_does_not_serve(content_dir: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config"])
    assert result.exit_code == 0, result.output
    assert f"config ok: {content_dir / 'site.toml'}" in result.output
    assert "articles:  3 published, 1 rejected, 0 held at their last good version" in result.output
    assert "rejected  " in result.output and "article-that-is-empty.html" in result.output


def test_check_config_counts_the_articles_rejected_and_the_other_problems_apart(content_dir: Path) -> None:
    _broken_rules(content_dir)
    result = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config"])
    assert result.exit_code == 0, result.output
    assert "articles:  3 published, 1 rejected, 0 held at their last good version\n" in result.output
    assert "others:    1 other problem: rules/news.example.org.toml\n" in result.output


def test_check_config_starts_with_the_icon_gone_and_names_it_as_no_article(content_dir: Path) -> None:
    # it refused ("Error: …'icon' names …, which does not exist"), as a broken site.toml: the service did not start
    icon = with_icon(content_dir)
    assert CliRunner().invoke(main, ["check", "--content", str(content_dir)]).exit_code == 1  # built once: cached
    icon.unlink()
    result = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config"])
    assert result.exit_code == 0, result.output
    assert "articles:  3 published, 1 rejected, 0 held at their last good version\n" in result.output
    assert "others:    1 other problem: media/icon.png\n" in result.output
    said = "site.toml's 'icon' names this file, which does not exist; put the picture there or correct the path"
    assert f"held      media/icon.png: {said}\n" in result.output
    assert "          serving:   the last good version (sha256 " in result.output
    # with no build cache to keep its bytes, the site starts without it
    bare = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config", "--no-cache"])
    assert bare.exit_code == 0 and f"error     media/icon.png: {said}; until then the site has no icon" in bare.output


def test_check_config_names_a_held_file_and_the_version_served(content_dir: Path) -> None:
    assert CliRunner().invoke(main, ["check", "--content", str(content_dir)]).output  # published once: cached
    (content_dir / "articles" / "article-with-sidecar-overrides.html").write_bytes(b"")  # a truncated save
    result = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config"])
    assert result.exit_code == 0, result.output  # the service starts, serving the last good version
    assert "3 published, 1 rejected, 1 held at their last good version" in result.output
    assert "held      articles/article-with-sidecar-overrides.html: is empty" in result.output
    assert "serving:   the last good version (" in result.output


def test_check_config_fails_on_a_bad_site_toml_naming_the_key(content_dir: Path) -> None:
    site = content_dir / "site.toml"
    site.write_text(
        site.read_text(encoding="utf-8") + 'timezone = "Mars/Olympus"\n'.replace("timezone", "time_zone"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config"])
    assert result.exit_code == 1
    assert "site.toml" in result.output and "unknown key(s) 'time_zone'; allowed:" in result.output
    text = site.read_text(encoding="utf-8").replace('time_zone = "Mars/Olympus"\n', "")
    site.write_text(text.replace('timezone = "Europe/London"', 'timezone = "Mars/Olympus"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--content", str(content_dir), "--check-config"])
    assert result.exit_code == 1 and "'timezone' must be an IANA time zone name" in result.output


def test_check_config_checks_a_base_url_override(content_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--content", str(content_dir), "--check-config", "--base-url", "ftp://x"]
    )
    assert result.exit_code == 1 and "'base_url' must be an absolute http(s) URL" in result.output


def test_check_warns_when_the_cleaner_doubts_an_article(content_dir: Path) -> None:
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    comment_page = FIXTURES / "clean" / "doubts_a_reader_comment_chosen_as_article.html"
    target = content_dir / "articles" / "harbour-wall-comment.html"
    target.write_text(comment_page.read_text(encoding="utf-8"), encoding="utf-8")
    target.with_suffix(".toml").write_text("published = 2024-03-06T09:00:00+00:00\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "warning  " in result.output and "harbour-wall-comment.html" in result.output
    assert "may be the wrong text: the chosen container is marked up as reader comments" in result.output


def test_check_says_where_a_site_name_taken_off_a_title_came_from(content_dir: Path) -> None:
    (content_dir / "articles" / "article-that-is-empty.html").unlink()
    for day, slug in enumerate(("one", "two", "three"), 1):
        (content_dir / "articles" / f"{slug}.html").write_text(
            f"<html><head><title>The {slug} story, told by the wire - Wire Desk Daily Report</title>"
            f'<link rel="canonical" href="https://wire.example.com/{slug}/">'
            f'<meta property="article:published_time" content="2024-05-0{day}T09:00:00Z"></head>'
            f"<body><article><p>The story of {slug}, long enough to be an opening paragraph.</p></article></body></html>",
            encoding="utf-8",
        )
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "title:     The two story, told by the wire\n" in result.output
    assert (
        "(title:    '- Wire Desk Daily Report' ends most titles from wire.example.com (3 at least): "
        "the site's name, taken off)" in result.output
    )


def test_check_names_a_page_it_cannot_stat_reports_the_rest_and_fails(content_dir: Path) -> None:
    page = content_dir / "articles" / "article-with-sidecar-overrides.html"
    before = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    page.unlink()
    page.symlink_to(page.name)  # a loop (ELOOP: the stat fails as root too)
    # it was left out without a word (main), or check stopped at it and reported nothing else (a site-wide fault)
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1, result.output
    reason = "cannot be read (Too many levels of symbolic links); check that it is a readable file"
    assert f"held     {page}: {reason}" in result.output  # its last good version, from check's build cache
    assert "         serving:   the last good version" in result.output
    published = [line for line in before.output.splitlines() if line.startswith("ok ")]
    assert [line for line in result.output.splitlines() if line.startswith("ok ")] == published
    assert "1 held at their last good version" in result.output


def test_check_names_a_folder_it_cannot_list_and_fails(content_dir: Path) -> None:
    articles = content_dir / "articles"
    articles.rename(content_dir / "articles-away")
    articles.write_text("not a folder", encoding="utf-8")
    # checked as a site without articles, it said nothing of the folder
    result = CliRunner().invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1 and f"cannot read the content: {articles}: Not a directory" in result.output


@pytest.mark.parametrize(
    "command", [["check"], ["serve", "--check-config"], ["build", "{target}"]], ids=["check", "check-config", "build"]
)
def test_a_command_that_hushes_the_log_puts_its_level_back_when_it_ends(
    content_dir: Path, tmp_path: Path, command: list[str]
) -> None:
    logger = logging.getLogger("feedsvc")
    before = logger.level
    logger.setLevel(logging.INFO)  # as a program (or a test) running the command in its own process has it
    try:
        args = [part.replace("{target}", str(tmp_path / "site")) for part in command]
        result = CliRunner().invoke(main, [*args, "--content", str(content_dir)])
        assert "article-that-is-empty.html" in result.output  # it ran, and reported
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)
