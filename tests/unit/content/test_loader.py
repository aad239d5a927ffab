"""The content loader: site.toml, discovery, decoding, sidecars, merging and errors."""

from __future__ import annotations

import gzip
import os
import shutil
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feedsvc.content import loader as content
from feedsvc.content.loader import (
    decode_html,
    discover_articles,
    load_article,
    load_articles,
    load_site,
    load_site_and_pictures,
    read_site,
)
from feedsvc.content.sidecar import SIDECAR_KEYS
from feedsvc.content.site import SiteConfigError
from feedsvc.model import ContentError, Image, PageMetadata, Problem, Site
from support.paths import FIXTURES as FIXTURES_DIR
from support.sites import write_file
from support.users import as_user, folder_for

FIXTURES = FIXTURES_DIR / "content"
TBILISI = ZoneInfo("Asia/Tbilisi")
SITE_TOML = """\
title = "OC Media"
base_url = "https://oc-media.org/"
id_authority = "oc-media.org,2012"
default_author = "OC Media"
timezone = "Asia/Tbilisi"
"""
PAGE = "<html><head><title>Sochi summit</title></head><body><h1>Sochi summit</h1><p>23 November 2021</p></body></html>"


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return SITE_TOML


def copy_fixture(content_dir: Path, stem: str) -> Path:
    """Copy ``<stem>.html`` (and its sidecar, if any) into the articles folder."""
    for source in FIXTURES.glob(f"{stem}.*"):
        shutil.copy(source, content_dir / "articles" / source.name.replace("_", "-"))
    return content_dir / "articles" / f"{stem.replace('_', '-')}.html"


def load_error(path: Path, site: Site) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_article(path, site)
    return caught.value


# --- site.toml -------------------------------------------------------------


def test_load_site_reads_site_toml(site: Site) -> None:
    assert (site.title, site.base_url, site.timezone) == ("OC Media", "https://oc-media.org", TBILISI)


def test_load_site_applies_overrides(content_dir: Path) -> None:
    assert load_site(content_dir, {"base_url": "https://mirror.example"}).base_url == "https://mirror.example"


def test_a_loopback_base_url_follows_the_listen_port_unless_overridden(content_dir: Path) -> None:
    toml = (content_dir / "site.toml").read_text(encoding="utf-8")
    (content_dir / "site.toml").write_text(
        toml.replace("https://oc-media.org", "http://127.0.0.1:8000"), encoding="utf-8"
    )
    assert load_site(content_dir).base_url == "http://127.0.0.1:8000"  # not serving: as written
    assert load_site(content_dir, listen_port=9000).base_url == "http://127.0.0.1:9000"
    # set explicitly (--base-url, FEEDSVC_BASE_URL): as given, even on this machine with another port
    explicit = {"base_url": "http://127.0.0.1:8000"}
    assert load_site(content_dir, explicit, listen_port=9000).base_url == "http://127.0.0.1:8000"


def test_a_public_base_url_does_not_follow_the_listen_port(content_dir: Path) -> None:
    assert load_site(content_dir, listen_port=9000).base_url == "https://oc-media.org"


def test_missing_site_toml_names_the_file_and_what_to_put_in_it(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="not found; create it with at least title") as caught:
        load_site(tmp_path)
    assert str(tmp_path / "site.toml") in str(caught.value)


def test_invalid_site_toml_names_the_file_and_line(content_dir: Path) -> None:
    (content_dir / "site.toml").write_text('title = "OC Media"\nbase_url = https://x\n', encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"invalid TOML: .*line 2") as caught:
        load_site(content_dir)
    assert str(content_dir / "site.toml") in str(caught.value)


def test_bad_site_value_names_the_file_and_the_key(content_dir: Path) -> None:
    (content_dir / "site.toml").write_text(SITE_TOML.replace("Asia/Tbilisi", "Mars/Olympus"), encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"site\.toml: 'timezone' must be an IANA time zone"):
        load_site(content_dir)


# --- site.toml: [[source]] tables ----------------------------------------------------

SOURCE_TOML = """
[[source]]
name = "civil-ge"
feed = "https://civil.ge/feed"
rules = "{rules}"
"""
RULES = 'body = ["#story"]\nstrip = ["p.kicker"]\n'


def write_rules(content_dir: Path, name: str, text: str) -> None:
    (content_dir / "rules").mkdir(exist_ok=True)
    (content_dir / "rules" / name).write_text(text, encoding="utf-8")


def test_a_source_naming_a_valid_rules_file_loads(content_dir: Path) -> None:
    write_rules(content_dir, "civil.ge.toml", RULES)
    (content_dir / "site.toml").write_text(
        SITE_TOML + SOURCE_TOML.format(rules="rules/civil.ge.toml"), encoding="utf-8"
    )
    (source,) = load_site(content_dir).sources
    assert (source.name, source.feed, source.rules) == ("civil-ge", "https://civil.ge/feed", "rules/civil.ge.toml")


def test_a_source_naming_a_missing_rules_file_is_named_by_its_line(content_dir: Path) -> None:
    (content_dir / "site.toml").write_text(
        SITE_TOML + SOURCE_TOML.format(rules="rules/civil.ge.toml"), encoding="utf-8"
    )
    with pytest.raises(SiteConfigError) as caught:
        load_site(content_dir)
    assert str(caught.value) == (
        f"{content_dir / 'site.toml'}: line 10: [[source]] 'civil-ge': 'rules' = 'rules/civil.ge.toml': there is no "
        'such file in the content folder; save the site\'s rules there (docs/cleaner.md, "Site rules", says how) '
        "or remove the key"
    )


def test_a_source_naming_a_broken_rules_file_says_what_is_wrong_in_it(content_dir: Path) -> None:
    write_rules(content_dir, "civil.ge.toml", 'body = ["#story"\nstrip = 3\n')
    (content_dir / "site.toml").write_text(
        SITE_TOML + SOURCE_TOML.format(rules="rules/civil.ge.toml"), encoding="utf-8"
    )
    with pytest.raises(
        SiteConfigError,
        match=r"line 10: \[\[source\]\] 'civil-ge': 'rules' = 'rules/civil.ge.toml' "
        r"cannot be used: .*line 1: the value of 'body' .* is never closed",
    ):
        load_site(content_dir)


def test_a_rules_file_outside_the_rules_folder_is_refused_with_where_to_move_it(content_dir: Path) -> None:
    (content_dir / "civil.ge.toml").write_text(RULES, encoding="utf-8")  # valid, but where the build never reads
    (content_dir / "site.toml").write_text(SITE_TOML + SOURCE_TOML.format(rules="civil.ge.toml"), encoding="utf-8")
    with pytest.raises(SiteConfigError) as caught:
        load_site(content_dir)
    assert str(caught.value).endswith(
        "line 10: [[source]] 'civil-ge': 'rules' = 'civil.ge.toml' is not in the content folder's rules/ folder, "
        "the one place site rules are read from; move the file to rules/civil.ge.toml and write "
        'rules = "rules/civil.ge.toml"'
    )


def test_a_rules_file_reached_through_a_link_out_of_the_folder_is_refused(content_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.toml"
    outside.write_text(RULES, encoding="utf-8")
    (content_dir / "rules").mkdir()
    (content_dir / "rules" / "civil.ge.toml").symlink_to(outside)
    (content_dir / "site.toml").write_text(
        SITE_TOML + SOURCE_TOML.format(rules="rules/civil.ge.toml"), encoding="utf-8"
    )
    with pytest.raises(SiteConfigError, match="leads out of the content folder; copy the file into it"):
        load_site(content_dir)


def test_every_site_toml_mistake_at_once_with_source_lines_and_rules_files(content_dir: Path) -> None:
    text = SITE_TOML.replace("Asia/Tbilisi", "Mars/Olympus") + SOURCE_TOML.format(rules="rules/none.toml")
    (content_dir / "site.toml").write_text(text + 'every = "5s"\n', encoding="utf-8")
    with pytest.raises(SiteConfigError) as caught:
        load_site(content_dir)
    message = str(caught.value)
    assert message.startswith(f"{content_dir / 'site.toml'}: 3 problems: (1) 'timezone' must be an IANA time zone")
    assert "(2) line 11: [[source]] 'civil-ge': 'every' is 5 seconds" in message
    assert "(3) line 10: [[source]] 'civil-ge': 'rules' = 'rules/none.toml': there is no such file" in message


def test_a_syntax_mistake_and_a_source_mistake_are_reported_together(content_dir: Path) -> None:
    text = SITE_TOML + '\n[[source]]\nname = "a"\nfeed = "https://a.example/feed"\nevery = 5 minutes\nmax_new = 0\n'
    (content_dir / "site.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SiteConfigError) as caught:
        load_site(content_dir)
    message = str(caught.value)
    assert "(1) invalid TOML: line 10: the value of 'every' (5 minutes) is not valid" in message
    assert "(2) line 11: [[source]] 'a': 'max_new' must be a whole number from 1 to 1000" in message


def test_bad_override_says_it_was_overridden(content_dir: Path) -> None:
    with pytest.raises(SiteConfigError, match=r"site\.toml \(overridden: base_url\): 'base_url'"):
        load_site(content_dir, {"base_url": "ftp://x"})


# --- discovery -------------------------------------------------------------


def test_discover_finds_html_and_htm_sorted_and_skips_hidden_and_temp_files(content_dir: Path) -> None:
    for name in ["b.html", "a.htm", "c.HTML", ".hidden.html", ".#a.html", "a.html~", "#a.html#", "a.html.swp",
                 "a.tmp", "a.toml", "notes.txt"]:  # fmt: skip
        write_file(content_dir, name, PAGE)
    (content_dir / "articles" / "folder.html").mkdir()
    assert [path.name for path in discover_articles(content_dir)] == ["a.htm", "b.html", "c.HTML"]


def test_discover_without_an_articles_folder_finds_nothing(tmp_path: Path) -> None:
    assert discover_articles(tmp_path) == []


# --- decoding --------------------------------------------------------------

TEXT = "Café “Tbilisi” — ქართული"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
        # the BOM wins over a <meta> that says otherwise
        b"\xef\xbb\xbf" + b'<meta charset="windows-1252">' + TEXT.encode("utf-8"),
    ],
)
def test_decode_byte_order_marks(data: bytes) -> None:
    assert decode_html(data).endswith(TEXT)
    assert not decode_html(data).startswith("\ufeff")


def test_decode_meta_charset() -> None:
    data = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")
    assert decode_html(data) == '<meta charset="windows-1251"><p>Привет</p>'


def test_decode_http_equiv_content_type() -> None:
    html = '<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R"><p>Привет</p>'
    assert decode_html(html.encode("koi8-r")) == html


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1", "ascii", "US-ASCII", "windows-1252"])
def test_decode_latin1_labels_as_windows_1252(label: str) -> None:
    data = f'<meta charset="{label}"><p>\x93quoted\x94 caf\xe9</p>'.encode("latin-1")
    assert decode_html(data).endswith("<p>“quoted” café</p>")


def test_decode_declared_utf8_replaces_invalid_bytes_as_a_browser_does() -> None:
    assert decode_html(b'<meta charset="utf-8"><p>caf\xe9</p>') == '<meta charset="utf-8"><p>caf\ufffd</p>'


def test_decode_undeclared_utf8() -> None:
    assert decode_html(TEXT.encode("utf-8")) == TEXT


def test_decode_invalid_utf8_as_windows_1252() -> None:
    assert decode_html(b"<p>\x93caf\xe9\x94 \x81</p>") == "<p>“café” \x81</p>"


@pytest.mark.parametrize(
    "head",
    [
        b'<meta charset="no-such-charset">',
        b'<meta charset="hex">',  # a Python codec, but not a text encoding
        b'<meta charset="utf-32">',  # not ASCII-compatible, so it cannot be what the <meta> was read in
        b'<!-- <meta charset="windows-1251"> -->',
        b" " * 1024 + b'<meta charset="windows-1251">',
    ],
)
def test_decode_ignores_unusable_or_out_of_reach_charsets(head: bytes) -> None:
    assert decode_html(head + TEXT.encode("utf-8")).endswith(TEXT)


def test_decode_meta_utf16_label_means_utf8() -> None:
    assert decode_html(b'<meta charset="utf-16">' + TEXT.encode("utf-8")).endswith(TEXT)


# --- one article -------------------------------------------------------------


def test_sidecar_beats_every_other_source(content_dir: Path, site: Site) -> None:
    article = load_article(copy_fixture(content_dir, "article_with_sidecar_overrides"), site)
    assert article.metadata == PageMetadata(
        title="Pashinyan, Aliyev, and Putin to hold summit in Sochi",
        published=datetime(2021, 11, 23, 9, 0, tzinfo=TBILISI),
        updated=datetime(2021, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=4))),
        authors=("Ana Tsurtsumia", "Giorgi Lomsadze"),
        summary="The Kremlin has announced a tripartite meeting.",
        tags=("Armenia", "Azerbaijan"),
        canonical_url="https://oc-media.org/sochi-summit/",
        language="en-GB",
        image=Image("https://oc-media.org/images/sochi.jpg", origin="sidecar"),
    )
    assert article.metadata.published.isoformat() == "2021-11-23T09:00:00+04:00"  # type: ignore[union-attr]
    assert {source for _, source in article.origins} == {"sidecar"}
    assert article.pinned_id == "tag:oc-media.org,2012:2021-11-23:sochi-summit"
    assert article.status == "draft"
    assert article.slug == "article-with-sidecar-overrides"
    assert article.source == "oc-media"  # a source site.toml need not have: the catalog warns of that
    assert article.warnings == ()


def test_sources_merge_field_by_field(content_dir: Path, site: Site) -> None:
    article = load_article(copy_fixture(content_dir, "article_with_some_sidecar_fields"), site)
    assert article.metadata == PageMetadata(
        title="Sidecar title",
        published=datetime(2021, 11, 22, 10, 0, tzinfo=timezone(timedelta(hours=4))),
        authors=("Markup Author",),
        summary="OpenGraph summary",
        language="ka",
        image=Image("https://oc-media.org/images/og.jpg", origin="opengraph"),
    )
    assert article.origins == (
        ("title", "sidecar"),
        ("published", "json-ld"),
        ("authors", "markup"),
        ("summary", "opengraph"),
        ("language", "opengraph"),
        ("image", "opengraph"),
    )
    assert article.metadata.updated is None  # the catalog sets updated = published
    assert (article.pinned_id, article.status) == (None, "published")


def test_jsonld_beats_opengraph_beats_markup(content_dir: Path, site: Site) -> None:
    page = (FIXTURES_DIR / "metadata" / "article_with_every_source.html").read_text()
    article = load_article(write_file(content_dir, "every-source.html", page), site)
    fields = dict(article.origins)
    # the title is the exception: the <h1> that <title> agrees with wins over a lone JSON-LD headline
    # (and a date shown under the title earlier than JSON-LD's would be another; this page shows a later one)
    assert (article.metadata.title, fields["title"]) == ("Markup title", "markup")
    assert fields == {"title": "markup", "published": "json-ld", "authors": "markup", "summary": "opengraph",
                      "language": "opengraph", "image": "opengraph"}  # fmt: skip
    assert article.metadata.published == datetime(2021, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=4)))


def test_raw_html_is_kept(content_dir: Path, site: Site) -> None:
    html = "<h1>Sochi</h1><p>23 November 2021</p><script>track()</script>"
    assert load_article(write_file(content_dir, "sochi.html", html), site).html == html


@pytest.mark.parametrize(
    "sidecar, field, expected",
    [
        ("published = 2021-11-23", "published", datetime(2021, 11, 23, tzinfo=TBILISI)),
        ('published = "2021-11-23"', "published", datetime(2021, 11, 23, tzinfo=TBILISI)),
        ('published = "2021-11-23T09:00:00"', "published", datetime(2021, 11, 23, 9, tzinfo=TBILISI)),
        ("published = 2021-11-23T05:00:00Z", "published", datetime(2021, 11, 23, 5, tzinfo=UTC)),
        ('author = "Ana Tsurtsumia"', "authors", ("Ana Tsurtsumia",)),
        ("tags = []", "tags", ()),
        ('image = "https://cdn.example/a.jpg"', "image", Image("https://cdn.example/a.jpg", origin="sidecar")),
        ('image = "/images/a.jpg"', "image", Image("https://oc-media.org/images/a.jpg", origin="sidecar")),
        (
            (
                'image = { url = "/a.jpg", alt = "Leaders", caption = "In Sochi", credit = "TASS", width = 1200, '
                'height = 630, type = "Image/JPEG", length = 48213 }'
            ),
            "image",
            Image(
                "https://oc-media.org/a.jpg", 1200, 630, "image/jpeg", "Leaders", "In Sochi", 48213, "TASS", "sidecar"
            ),
        ),
    ],
)
def test_sidecar_value_forms(content_dir: Path, site: Site, sidecar: str, field: str, expected: object) -> None:
    write_file(content_dir, "sochi.toml", sidecar)
    article = load_article(write_file(content_dir, "sochi.html", "<h1>Sochi</h1>"), site)
    assert getattr(article.metadata, field) == expected


def test_an_article_without_source_has_none_and_a_markdown_one_names_it_in_its_front_matter(
    content_dir: Path, site: Site
) -> None:
    assert load_article(write_file(content_dir, "sochi.html", PAGE), site).source is None
    markdown = '+++\ntitle = "Sochi"\nsource = "civil-ge"\n+++\nThe summit.\n'
    assert load_article(write_file(content_dir, "summit.md", markdown), site).source == "civil-ge"


def test_unicode_slug_is_allowed_and_composed(content_dir: Path, site: Site) -> None:
    name = unicodedata.normalize("NFD", "სოჭი-café-2021.html")
    assert load_article(write_file(content_dir, name, PAGE), site).slug == "სოჭი-café-2021"


def test_a_missing_title_is_a_warning_that_says_the_fix(content_dir: Path, site: Site) -> None:
    article = load_article(write_file(content_dir, "bare.html", "<p>Just a paragraph.</p>"), site)
    assert article.metadata.title is None
    assert article.metadata.published is None  # reported once, by the catalog that dates it (test_catalog)
    (warning,) = article.warnings
    assert "no title found" in warning and 'add title = "…" to bare.toml' in warning


def test_updated_before_published_is_a_warning(content_dir: Path, site: Site) -> None:
    write_file(content_dir, "sochi.toml", "published = 2021-11-23\nupdated = 2021-11-22\n")
    article = load_article(write_file(content_dir, "sochi.html", PAGE), site)
    assert len(article.warnings) == 1 and "is earlier than published" in article.warnings[0]


# --- errors: each names the file and says the fix ----------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty; put the article's HTML in it or remove the file"),
        (b" \n\t\r\n", "is empty"),
        (b"\xef\xbb\xbf", "is empty"),
        (gzip.compress(PAGE.encode(), mtime=0), "is gzip-compressed; decompress it"),
        (b"%PDF-1.7\n...", "is a PDF, not HTML"),
        (b"<p>x</p>\x00\x01\x02\xff\xfe", "contains NUL bytes, so it is a binary file, not HTML"),
        (PAGE.encode("utf-16-le"), "looks like UTF-16 without a byte order mark; save it as UTF-8"),
        (bytes(range(1, 32)) * 20, "is mostly control characters, not HTML text"),
    ],
)
def test_unpublishable_html_files(content_dir: Path, site: Site, data: bytes, message: str) -> None:
    path = write_file(content_dir, "sochi.html", data)
    error = load_error(path, site)
    assert error.path == path
    assert message in error.reason
    assert str(error).startswith(f"{path}: ")


def test_file_over_the_size_limit(content_dir: Path, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, "MAX_ARTICLE_BYTES", 100)
    error = load_error(write_file(content_dir, "sochi.html", "<p>" + "x" * 200 + "</p>"), site)
    assert "is 207 bytes, over the 100-byte limit" in error.reason


class ReadSizes:
    """Opens files as os.fdopen does, and records how many bytes each read asks for."""

    def __init__(self) -> None:
        self.asked: list[int] = []
        self.real = os.fdopen

    def __call__(self, descriptor: int, mode: str) -> Any:
        file = self.real(descriptor, mode)
        read, asked = file.read, self.asked

        def counted(size: int = -1) -> bytes:
            asked.append(size)
            return read(size)

        file.read = counted
        return file


def test_a_file_is_read_into_a_buffer_of_its_own_size_not_of_the_limit(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(content_dir, "sochi.html", PAGE)
    sizes = ReadSizes()
    monkeypatch.setattr(content.os, "fdopen", sizes)
    files = content.read_article(path, 4 * 1024 * 1024)
    assert files.data == PAGE.encode()
    assert sizes.asked == [len(PAGE.encode()) + 1]  # its size and one byte to see growth, not the 4 MiB limit


def test_a_file_that_grew_after_it_was_statted_is_read_whole(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(content_dir, "sochi.html", PAGE)
    real = os.fstat

    def before_the_last_write(descriptor: int) -> os.stat_result:
        found = list(real(descriptor))
        found[6] -= 10  # st_size: as it was 10 bytes earlier
        return os.stat_result(found)

    monkeypatch.setattr(content.os, "fstat", before_the_last_write)
    assert content._read_bytes(path, 1_000_000)[1] == PAGE.encode()
    with pytest.raises(ContentError, match="over the"):  # and what grew past the limit is still refused
        content._read_bytes(path, len(PAGE.encode()) - 5)


@pytest.mark.parametrize("make", ["missing", "directory", "no-permission"])
def test_unreadable_file(content_dir: Path, site: Site, make: str) -> None:
    path = content_dir / "articles" / "sochi.html"
    if make == "directory":
        path.mkdir()
    elif make == "no-permission":
        if os.name != "posix":
            pytest.skip("needs POSIX permissions")
        if os.geteuid() == 0:  # permissions never stop root: a child forked as uid 65534 reads it
            with folder_for() as home:
                path = home / "sochi.html"
                path.write_text(PAGE)
                path.chmod(0)
                said = as_user(lambda: (lambda error: (error.path, error.reason))(load_error(path, site)))
            assert said == (path, "cannot be read (Permission denied); check that it is a readable file")
            return
        path.write_text(PAGE)
        path.chmod(0)
    error = load_error(path, site)
    assert error.path == path
    assert "cannot be read (" in error.reason and "check that it is a readable file" in error.reason


@pytest.mark.parametrize(
    "name, suggestion",
    [
        ("Sochi Summit.html", "sochi-summit.html"),
        ("sochi.summit.html", "sochi-summit.html"),
        ("Sochi.html", "sochi.html"),
        ("-sochi-.html", "sochi.html"),
        ("sochi--summit.html", "sochi-summit.html"),
        ("sochi_summit.HTM", "sochi-summit.htm"),
    ],
)
def test_unsafe_slug_says_what_to_rename_it_to(content_dir: Path, site: Site, name: str, suggestion: str) -> None:
    error = load_error(write_file(content_dir, name, PAGE), site)
    assert f"file name '{name}' is not a usable slug" in error.reason
    assert f"rename it, e.g. to '{suggestion}'" in error.reason


@pytest.mark.parametrize(
    "sidecar, message",
    [
        ('title = "Sochi"\npublished = 2021-11-23T09:00:00 +04:00\n', "invalid TOML: "),
        ('authors = ["Ana"]', "unknown key 'authors'; did you mean 'author'? allowed keys: title, published,"),
        ("title = 1", "'title' must be a non-empty string, got 1"),
        ('title = "  "', "'title' must be a non-empty string"),
        ('published = "yesterday"', "'published' must be a date such as 2021-11-23 or a date-time such as"),
        ("published = 09:00:00", "'published' must be a date"),
        ("updated = 2021", "'updated' must be a date"),
        ('author = ["Ana", 1]', "'author' must be a name or a list of names"),
        ('tags = "politics"', "'tags' must be a list of non-empty strings such as ['politics', 'Armenia']"),
        # written like author = "…", which takes one name: the message gives the line to write
        ('tags = "Economy"', 'one tag is a list too: tags = ["Economy"]'),
        ('id = "sochi-summit"', "'id' must be an absolute URI such as 'tag:oc-media.org,2012:2021-11-23:my-article'"),
        ('id = "https:///x"', "'id' must be an absolute URI"),
        ('status = "hidden"', "'status' must be one of 'published', 'draft', 'withdrawn', got 'hidden'"),
        ('canonical_url = "/sochi/"', "'canonical_url' must be an absolute http(s) URL"),
        ('image = "images/a.jpg"', "'image' must be an http(s) URL or a path such as '/images/a.jpg'"),
        ('image = { alt = "Leaders" }', "'image' needs a url, e.g. image = { url = \"/images/a.jpg\""),
        ('image = { url = "/a.jpg", size = 3 }', "'image' has unknown key(s) 'size'; allowed: url, alt, caption,"),
        ('image = { url = "/a.jpg", width = "1200" }', "'image.width' must be a whole number above 0, got '1200'"),
        ('image = { url = "/a.jpg", length = 0 }', "'image.length' must be a whole number above 0, got 0"),
        ('image = { url = "/a.jpg", type = "jpeg" }', "'image.type' must be an image MIME type such as 'image/jpeg'"),
        ('image = { url = "a.jpg" }', "'image.url' must be an http(s) URL or a path such as '/images/a.jpg'"),
        ('image = { url = "/a.jpg", alt = "" }', "'image.alt' must be a non-empty string"),
        ('language = "English (UK)"', "'language' must be a BCP 47 language tag"),
        ('source = "OC Media"', "'source' must be the name of a [[source]] of site.toml, such as 'oc-media'"),
        ("source = 1", "'source' must be the name of a [[source]]"),
    ],
)
def test_bad_sidecar_names_the_sidecar_key_and_value(content_dir: Path, site: Site, sidecar: str, message: str) -> None:
    sidecar_path = write_file(content_dir, "sochi.toml", sidecar)
    error = load_error(write_file(content_dir, "sochi.html", PAGE), site)
    assert error.path == sidecar_path
    assert message in error.reason


@pytest.mark.parametrize("key", ["canonical_url", "source_url"])
def test_a_sidecar_url_with_a_password_is_refused_and_the_reason_leaves_it_out(
    content_dir: Path, site: Site, key: str
) -> None:
    # canonical_url is the article's link in the feeds and on its page: a secret there would be published
    write_file(content_dir, "sochi.toml", f'{key} = "https://editor:s3cret@oc-media.org/sochi/"')
    error = load_error(write_file(content_dir, "sochi.html", PAGE), site)
    assert f"'{key}' carries a user name or password, which would be published with the article" in error.reason
    assert "giving 'https://oc-media.org/sochi/'" in error.reason and "s3cret" not in error.reason


def test_bad_sidecar_toml_gives_the_line(content_dir: Path, site: Site) -> None:
    write_file(content_dir, "sochi.toml", 'title = "Sochi"\npublished = 2021-11-23T09:00:00 +04:00\n')
    assert "line 2" in load_error(write_file(content_dir, "sochi.html", PAGE), site).reason


def test_sidecar_that_is_not_utf8(content_dir: Path, site: Site) -> None:
    write_file(content_dir, "sochi.toml", 'title = "Caf\xe9"'.encode("latin-1"))
    assert "is not UTF-8 text; save it as UTF-8" in load_error(write_file(content_dir, "sochi.html", PAGE), site).reason


# --- the whole folder --------------------------------------------------------


def test_one_broken_file_is_reported_and_the_others_load(content_dir: Path, site: Site) -> None:
    write_file(content_dir, "a-first.html", PAGE)
    broken = write_file(content_dir, "b-broken.html", gzip.compress(PAGE.encode()))
    bad_sidecar = write_file(content_dir, "c-bad-sidecar.toml", 'status = "hidden"')
    write_file(content_dir, "c-bad-sidecar.html", PAGE)
    write_file(content_dir, "d-last.html", PAGE)
    articles, problems = load_articles(content_dir, site)
    assert [article.slug for article in articles] == ["a-first", "d-last"]
    assert [(problem.path, problem.severity) for problem in problems] == [(broken, "error"), (bad_sidecar, "error")]
    assert "gzip-compressed" in problems[0].message


def test_an_unexpected_failure_on_one_page_is_reported_not_raised(
    content_dir: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = content.extract_metadata

    def fails_on_poison(html: str, tz: ZoneInfo, **options: Any) -> list[tuple[str, PageMetadata]]:
        if "poison" in html:
            raise RuntimeError("boom")
        return real(html, tz, **options)

    monkeypatch.setattr(content, "extract_metadata", fails_on_poison)
    write_file(content_dir, "good.html", PAGE)
    bad = write_file(content_dir, "bad.html", "<p>poison</p>")
    articles, problems = load_articles(content_dir, site)
    assert [article.slug for article in articles] == ["good"]
    assert problems == [Problem(bad, "could not be loaded (RuntimeError: boom); please report this as a bug")]


def test_warnings_orphan_sidecars_and_duplicate_slugs_are_problems(content_dir: Path, site: Site) -> None:
    untitled = write_file(content_dir, "untitled.html", "<p>A paragraph under no heading at all.</p>")
    write_file(content_dir, "sochi.htm", PAGE)  # sorts first, so it keeps the slug
    duplicate = write_file(content_dir, "sochi.html", PAGE)
    orphan = write_file(content_dir, "gone.toml", 'title = "Gone"')
    articles, problems = load_articles(content_dir, site)
    assert [article.path.name for article in articles] == ["sochi.htm", "untitled.html"]
    assert "no title found" in articles[1].warnings[0]
    assert problems == [
        Problem(duplicate, "slug 'sochi' is already used by sochi.htm; rename or remove one", "error"),
        Problem(untitled, articles[1].warnings[0], "warning"),
        Problem(
            orphan, "orphan sidecar: no gone.html next to it; rename it to match an article or remove it", "warning"
        ),
    ]


def test_missing_articles_folder_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    articles, problems = load_articles(tmp_path, load_site(tmp_path))
    assert articles == []
    assert [(problem.path, problem.severity) for problem in problems] == [(tmp_path / "articles", "warning")]


def test_every_documented_sidecar_key_is_exercised_by_the_overrides_fixture() -> None:
    with (FIXTURES / "article_with_sidecar_overrides.toml").open("rb") as file:
        assert sorted(tomllib.load(file)) == sorted(key.name for key in SIDECAR_KEYS)


PICTURES = FIXTURES_DIR / "pictures"


def _with_pictures(content_dir: Path, **lines: str) -> None:
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.writelines(f'{key} = "{value}"\n' for key, value in lines.items())


def test_icon_and_logo_files_give_their_type_size_and_digest(content_dir: Path) -> None:
    (content_dir / "media").mkdir()
    shutil.copy(PICTURES / "icon-128.png", content_dir / "media" / "icon.png")
    shutil.copy(PICTURES / "wide-300x100.jpg", content_dir / "logo.jpg")
    _with_pictures(content_dir, icon="media/icon.png", logo="logo.jpg")
    site = load_site(content_dir)
    assert site.icon is not None and site.logo is not None
    assert (site.icon.path, site.icon.media_type, site.icon.width, site.icon.height) == (
        "/icon.png", "image/png", 128, 128)  # fmt: skip
    assert (site.logo.path, site.logo.media_type, site.logo.width, site.logo.height) == (
        "/logo.jpg", "image/jpeg", 300, 100)  # fmt: skip
    first = site.icon.digest
    shutil.copy(PICTURES / "wide-300x100.png", content_dir / "media" / "icon.png")
    assert load_site(content_dir).icon.digest != first  # type: ignore[union-attr]


def test_the_bytes_read_with_the_site_come_with_it_by_digest_not_in_it(content_dir: Path) -> None:
    # what a build publishes at the pictures' paths: the bytes its digests were made of, read once, with the time of
    # the file read (its Last-Modified); the site's fields key every feed, so the bytes are beside them
    shutil.copy(PICTURES / "icon-128.png", content_dir / "icon.png")
    shutil.copy(PICTURES / "wide-300x100.jpg", content_dir / "logo.jpg")
    os.utime(content_dir / "icon.png", (1_700_000_000, 1_700_000_000))
    _with_pictures(content_dir, icon="icon.png", logo="logo.jpg")
    site, pictures = load_site_and_pictures(content_dir)
    assert site == load_site(content_dir) and site.icon is not None and site.logo is not None
    icon, logo = pictures[site.icon.digest], pictures[site.logo.digest]
    assert (icon.body, icon.modified) == ((PICTURES / "icon-128.png").read_bytes(), 1_700_000_000)
    assert logo.body == (PICTURES / "wide-300x100.jpg").read_bytes() and len(pictures) == 2


def test_an_icon_elsewhere_is_taken_as_written(content_dir: Path) -> None:
    _with_pictures(content_dir, icon="https://cdn.example.org/icon.png")
    icon = load_site(content_dir).icon
    assert icon is not None and (icon.path, icon.width, icon.digest) == ("", None, "")
    assert load_site_and_pictures(content_dir)[1] == {}  # never fetched


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda folder: None, "which does not exist; put the picture there or correct the path"),
        (lambda folder: (folder / "icon.png").mkdir(), "which is a folder"),
        (
            lambda folder: shutil.copy(PICTURES / "wide-300x100.jpg", folder / "icon.png"),
            "which is image/jpeg data, not image/png as its name says",
        ),
        (
            lambda folder: (folder / "icon.png").write_text("<!doctype html><p>Not found</p>"),
            "which is not a picture feedsvc knows",
        ),
        (
            lambda folder: (folder / "icon.png").write_bytes((PICTURES / "icon-128.png").read_bytes() + bytes(1 << 20)),
            "over 1024 KiB",
        ),
        (lambda folder: (folder / "icon.png").symlink_to(PICTURES / "icon-128.png"), "outside the content folder"),
    ],
    ids=["missing", "a folder", "a JPEG named .png", "an HTML page", "too big", "a link out of the folder"],
)
def test_a_bad_icon_file_names_site_toml_the_key_the_file_and_the_fix(
    content_dir: Path, setup: Callable[[Path], object], message: str
) -> None:
    setup(content_dir)
    _with_pictures(content_dir, icon="icon.png")
    with pytest.raises(SiteConfigError) as caught:
        load_site_and_pictures(content_dir)
    text = str(caught.value)
    assert text.startswith(f"{content_dir / 'site.toml'}: 'icon' names {content_dir / 'icon.png'}")
    assert message in text
    # read to be served, the site is the site without its icon; the icon's file is the one with the problem
    read = read_site(content_dir)
    assert read.site.icon is None and read.pictures == {} and read.named == ("icon.png",)
    (problem,) = read.problems
    assert (problem.path, problem.severity) == (content_dir / "icon.png", "error")
    assert problem.message.startswith("site.toml's 'icon' names this file") and message in problem.message
    assert problem.message.endswith("; until then the site has no icon")
    assert load_site(content_dir) == read.site  # (importing and following need no icon)


def test_an_icon_that_cannot_be_read_is_served_from_the_bytes_kept_for_its_file(content_dir: Path) -> None:
    shutil.copy(PICTURES / "icon-128.png", content_dir / "icon.png")
    _with_pictures(content_dir, icon="icon.png")
    site, pictures = load_site_and_pictures(content_dir)
    assert site.icon is not None
    kept = pictures[site.icon.digest]
    (content_dir / "icon.png").unlink()
    read = read_site(content_dir, kept={"icon.png": kept}.get)
    assert read.site == site and read.pictures == {site.icon.digest: kept} and read.read == {}
    (problem,) = read.problems
    assert (problem.path, problem.severity) == (content_dir / "icon.png", "held")
    assert problem.served.startswith(f"the last good version (sha256 {site.icon.digest}), saved ")
    # bytes kept for the name that are not the picture the name says now are no last good version of it
    (content_dir / "icon.png").mkdir()
    assert read_site(content_dir, kept={"icon.png": replace(kept, data=b"GIF89a")}.get).site.icon is None


def test_a_page_whose_utf8_was_read_as_latin1_and_saved_again_loads_mended_with_a_note(site: Site) -> None:
    article = load_article(FIXTURES_DIR / "content" / "utf8-page-read-as-latin1-and-saved-again.html", site)
    assert "you\u2019re looking at about $50" in article.html
    assert "\u00e2" not in article.html
    assert any("7 character(s) of UTF-8 text that had been read as Latin-1" in w for w in article.warnings)


def test_a_utf8_page_under_an_old_gb2312_label_loads_readable_with_a_note(tmp_path: Path, site: Site) -> None:
    page = tmp_path / "utf8-page-declaring-gb2312.html"
    page.write_bytes(
        '<html><head><meta charset="gb2312"><title>\u4e2d\u6587\u65b0\u95fb</title></head>'
        "<body><article><h1>\u4e2d\u6587\u65b0\u95fb</h1><p>\u4eca\u5929\u7684\u65b0\u95fb\u3002</p>"
        "</article></body></html>".encode()
    )
    article = load_article(page, site)
    assert article.metadata.title == "\u4e2d\u6587\u65b0\u95fb"
    assert any("declares charset=gb2312 but its bytes are UTF-8" in w for w in article.warnings)
