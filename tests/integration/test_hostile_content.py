"""Hostile and broken content: nothing crashes, nothing is lost, every file is accounted for.

Three classes, each test named for the behaviour it pins:

1. every file under ``articles/`` is published (repaired where needed) or
   reported, by ``feedsvc check``, the log and ``/healthz``, with its path and
   a reason a person can act on; the feed stays well-formed;
2. encodings and bytes are decoded as a browser would and made XML-safe;
   empty, binary, compressed, oversized, absurdly nested and entity-bomb
   files cost only themselves;
3. metadata gone wrong (no title, no date, no time zone, a future date, a
   huge title, duplicate slugs and ids) has a documented outcome.

Tests marked ``xfail(strict=True)`` pin behaviour that needs a diff in a file
another engineer owns (named in the reason); once it is applied they pass,
strict mode turns that into a failure, and the marker is to be removed.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from feedsvc.app import create_app
from feedsvc.build.builder import load_catalog
from feedsvc.clean import clean_html
from feedsvc.cli.main import main as cli
from feedsvc.content.decode import decode_article
from feedsvc.content.loader import MAX_TAGS, NAME_MAX_CHARS, TITLE_MAX_CHARS, load_article, load_site, stray_problems
from feedsvc.content.site import SiteConfigError
from feedsvc.model import ContentError, Site
from support.http_fixture import FixtureServer, Reply
from support.sites import copy_site, write_file
from support.users import as_user, folder_for, give

TBILISI = ZoneInfo("Asia/Tbilisi")
SITE_TOML = """\
title = "Gazette"
base_url = "https://news.example.org"
id_authority = "news.example.org,2020"
default_author = "Desk"
timezone = "Asia/Tbilisi"
"""
STORY = (
    "The harbour bridge reopened on Tuesday after eight months of repairs, and the first buses crossed it "
    "at dawn. Drivers said the new surface was smooth and quiet."
)
DATED = '<meta property="article:published_time" content="2024-03-05T09:30:00+04:00">'


def page(body: str = f"<p>{STORY}</p>", title: str = "Bridge reopens", head: str = DATED) -> str:
    return f"<!doctype html><html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>{body}</article></body></html>"


@pytest.fixture
def site_toml() -> str:
    """content_dir (tests/conftest.py) is a blank site with this site.toml."""
    return SITE_TOML


def load_error(path: Path, site: Site) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_article(path, site)
    assert caught.value.path == path
    return caught.value


# --- 2. encodings and bytes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + page().encode("utf-8"),
        b"\xff\xfe" + page().encode("utf-16-le"),
        b"\xfe\xff" + page().encode("utf-16-be"),
    ],
    ids=["utf-8 BOM", "utf-16-le BOM", "utf-16-be BOM"],
)
def test_byte_order_marks_decide_the_encoding(content_dir: Path, site: Site, data: bytes) -> None:
    article = load_article(write_file(content_dir, "bridge.html", data), site)
    assert STORY in article.html and article.metadata.title == "Bridge reopens"
    assert article.warnings == ()


def test_a_utf16_file_with_a_lone_surrogate_is_read_with_a_replacement_and_a_warning(
    content_dir: Path, site: Site
) -> None:
    data = b"\xff\xfe" + page().encode("utf-16-le") + b"\x00\xd8" + "<p>tail</p>".encode("utf-16-le")
    article = load_article(write_file(content_dir, "bridge.html", data), site)
    assert STORY in article.html and "\ufffd" in article.html
    assert any("not valid utf-16-le" in warning and "re-save" in warning for warning in article.warnings)


def test_a_meta_charset_that_lies_is_followed_as_a_browser_does_and_reported(content_dir: Path, site: Site) -> None:
    data = page(f"<p>{STORY} Café “quoted”.</p>", head=f'<meta charset="utf-8">{DATED}').encode("cp1252")
    article = load_article(write_file(content_dir, "bridge.html", data), site)
    assert "Caf\ufffd \ufffdquoted\ufffd" in article.html  # what a browser shows
    (warning,) = [w for w in article.warnings if "byte sequence" in w]
    assert "3 byte sequence(s) not valid utf-8, although its <meta charset> says utf-8" in warning
    assert "re-save the file as UTF-8" in warning


def test_cp1252_without_a_label_is_read_as_windows_1252() -> None:
    decoded = decode_article(page("<p>Café “quoted” …</p>").encode("cp1252"))
    assert decoded.encoding == "cp1252" and "Café “quoted” …" in decoded.text and decoded.replaced == 0


def test_mostly_utf8_with_a_few_broken_bytes_stays_utf8() -> None:
    data = "<p>Tbilisi — თბილისი, café</p>".encode() + b"<p>broken \x92 byte</p>"
    decoded = decode_article(data)
    assert decoded.encoding == "utf-8" and decoded.replaced == 1
    assert "თბილისი" in decoded.text and "broken \ufffd byte" in decoded.text


def test_utf7_and_other_labels_browsers_ignore_are_not_honoured() -> None:
    smuggled = b'<meta charset="utf-7"><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>'
    assert "<script>" not in decode_article(smuggled).text
    assert decode_article(smuggled).encoding == "utf-8"


@pytest.mark.parametrize("label", ["hz-gb-2312", "ISO-2022-KR", "iso-2022-cn", "replacement"])
def test_encodings_browsers_refuse_are_refused_with_a_reason(content_dir: Path, site: Site, label: str) -> None:
    path = write_file(content_dir, "bridge.html", page(head=f'<meta charset="{label}">{DATED}'))
    error = load_error(path, site)
    assert f"declares charset={label}" in error.reason and "save the file as UTF-8" in error.reason


def test_nul_c0_and_noncharacters_are_dropped_with_a_warning(content_dir: Path, site: Site) -> None:
    body = f"<p>{STORY}\x00 a\x01b\x0bc\x1f \ufffe\uffff\U0001fffe end.</p>"
    article = load_article(write_file(content_dir, "bridge.html", page(body)), site)
    assert any("control or non-character" in warning for warning in article.warnings)
    cleaned = clean_html(article.html, "https://news.example.org/articles/bridge")
    assert "abc" in cleaned and "end." in cleaned
    etree.fromstring(f"<p>{cleaned.replace('&', '&amp;').replace('<', '&lt;')}</p>")  # every character XML-legal


def test_bidi_overrides_and_line_separators_leave_titles(content_dir: Path, site: Site) -> None:
    title = "Invoice \u202eexe.txt\u202c and \u2066isolate\u2069\u2028next line \u200fmark"
    article = load_article(write_file(content_dir, "bridge.html", page(title=title)), site)
    assert article.metadata.title == "Invoice exe.txt and isolate next line \u200fmark"


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "is empty; put the article's HTML in it or remove the file"),
        (b" \r\n\t \n", "is empty"),
        (b"\xef\xbb\xbf \n", "is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "is a PNG image, not HTML"),
        (gzip.compress(page().encode(), mtime=0), "is gzip-compressed; decompress it (gunzip)"),
        (b"PK\x03\x04" + b"\x00" * 40, "is a ZIP archive"),
        (b"\x7fELF\x02\x01\x01" + bytes(4000), "contains NUL bytes, so it is a binary file"),
        (bytes(range(1, 32)) * 40, "is mostly control characters, not HTML text"),
        (page().encode("utf-16-le"), "looks like UTF-16 without a byte order mark; save it as UTF-8"),
    ],
    ids=["empty", "whitespace", "bom only", "png", "gzip", "zip", "binary", "controls", "utf-16 without bom"],
)
def test_files_that_are_not_html_are_refused_with_a_clear_reason(
    content_dir: Path, site: Site, data: bytes, message: str
) -> None:
    assert message in load_error(write_file(content_dir, "bridge.html", data), site).reason


def test_a_stray_nul_does_not_make_a_page_binary(content_dir: Path, site: Site) -> None:
    article = load_article(write_file(content_dir, "bridge.html", page(f"<p>{STORY * 20}\x00</p>").encode()), site)
    assert STORY in article.html


def test_the_size_cap_comes_from_site_toml_and_says_so(content_dir: Path) -> None:
    (content_dir / "site.toml").write_text(SITE_TOML + "max_article_bytes = 2048\n", encoding="utf-8")
    site = load_site(content_dir)
    assert site.max_article_bytes == 2048
    small = load_article(write_file(content_dir, "small.html", page()), site)
    assert small.slug == "small"
    error = load_error(write_file(content_dir, "big.html", page(f"<p>{STORY}</p>" * 20)), site)
    assert "over the 2,048-byte limit for an article (max_article_bytes in site.toml)" in error.reason


@pytest.mark.parametrize("value", [0, 1023, 64 * 1024 * 1024 + 1, "5MB", 2.5, True])
def test_the_size_cap_is_validated(content_dir: Path, value: object) -> None:
    literal = f'"{value}"' if isinstance(value, str) else str(value).lower()
    (content_dir / "site.toml").write_text(SITE_TOML + f"max_article_bytes = {literal}\n", encoding="utf-8")
    with pytest.raises(SiteConfigError, match="'max_article_bytes' must be a whole number from 1024 to 67108864"):
        load_site(content_dir)


@pytest.mark.parametrize("depth", [300, 10_000, 200_000])
def test_absurd_nesting_is_flattened_not_lost_and_never_recurses(content_dir: Path, site: Site, depth: int) -> None:
    body = "<div>" * depth + f"<p>{STORY}</p>" + "</div>" * depth + "<p>After the nesting, the story goes on.</p>"
    started = time.monotonic()
    article = load_article(write_file(content_dir, "deep.html", page(body)), site)
    cleaned = clean_html(article.html, "https://news.example.org/articles/deep")
    assert time.monotonic() - started < 30
    assert STORY in cleaned and "the story goes on" in cleaned
    (warning,) = [w for w in article.warnings if "nests elements" in w]
    assert int(warning.split(" levels deep")[0].rsplit(" ", 1)[1].replace(",", "")) >= depth


def test_deep_nesting_of_kept_elements_is_bounded_too() -> None:
    """nh3 keeps nested quotes and lists: 100,000 of them must not take minutes (or a stack)."""
    started = time.monotonic()
    cleaned = clean_html("<blockquote>" * 100_000 + f"<p>{STORY}</p>")
    assert time.monotonic() - started < 30
    assert STORY in cleaned and cleaned.count("<blockquote>") <= 256


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)


def test_entity_bombs_are_never_expanded(content_dir: Path, site: Site) -> None:
    html = BILLION_LAUGHS + page(f"<p>{STORY} &lol9; &lol9;</p>", title="Laughs &lol9;")
    article = load_article(write_file(content_dir, "laughs.html", html), site)
    cleaned = clean_html(article.html, "https://news.example.org/articles/laughs")
    assert STORY in cleaned
    assert "lollol" not in cleaned and "lollol" not in (article.metadata.title or "")
    assert len(cleaned) < 2 * len(html)


def test_external_entities_and_dtds_are_never_resolved(content_dir: Path, site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    with FixtureServer() as server:
        server.routes["/evil.dtd"] = Reply(b'<!ENTITY leak "NETWORK-VALUE">', content_type="application/xml-dtd")
        server.routes["/entity"] = Reply(b"NETWORK-VALUE", content_type="text/plain")
        doctype = (
            f'<?xml version="1.0"?><!DOCTYPE html SYSTEM "{server.url("/evil.dtd")}" ['
            f'<!ENTITY file SYSTEM "file://{secret}"><!ENTITY net SYSTEM "{server.url("/entity")}">'
            f'<!ENTITY % remote SYSTEM "{server.url("/evil.dtd")}"> %remote;]>'
        )
        html = doctype + page(
            f"<p>{STORY} &file; &net; &leak;</p>",
            title="XXE &file;",
            head=f"{DATED}<meta name='description' content='&file;'>",
        )
        article = load_article(write_file(content_dir, "xxe.html", html), site)
        cleaned = clean_html(article.html, "https://news.example.org/articles/xxe")
        assert sum(server.hits.values()) == 0, f"a parser fetched {dict(server.hits)}"
    everything = cleaned + repr(article.metadata)
    assert "TOP-SECRET-VALUE" not in everything and "NETWORK-VALUE" not in everything
    assert STORY in cleaned


def test_a_symlink_out_of_the_content_folder_is_refused(content_dir: Path, site: Site, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.html"
    outside.write_text(page(), encoding="utf-8")
    link = content_dir / "articles" / "escape.html"
    link.symlink_to(outside)
    error = load_error(link, site)
    assert "symbolic link that leads out of the content folder" in error.reason
    assert str(outside) not in error.reason  # /healthz is public: the target is not named


def test_a_sidecar_symlinked_out_of_the_content_folder_is_refused(
    content_dir: Path, site: Site, tmp_path: Path
) -> None:
    write_file(content_dir, "bridge.html", page())
    outside = tmp_path.parent / f"{tmp_path.name}-outside.toml"
    outside.write_text('title = "from outside"\n', encoding="utf-8")
    (content_dir / "articles" / "bridge.toml").symlink_to(outside)
    with pytest.raises(ContentError, match="leads out of the content folder") as caught:
        load_article(content_dir / "articles" / "bridge.html", site)
    assert caught.value.path == content_dir / "articles" / "bridge.toml"


def test_a_symlink_inside_the_content_folder_is_followed(content_dir: Path, site: Site) -> None:
    (content_dir / "shared").mkdir()
    (content_dir / "shared" / "bridge.html").write_text(page(), encoding="utf-8")
    (content_dir / "articles" / "bridge.html").symlink_to(content_dir / "shared" / "bridge.html")
    assert load_article(content_dir / "articles" / "bridge.html", site).metadata.title == "Bridge reopens"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_named_like_a_sidecar_never_blocks_a_build(content_dir: Path, site: Site) -> None:
    write_file(content_dir, "bridge.html", page())
    os.mkfifo(content_dir / "articles" / "bridge.toml")
    started = time.monotonic()
    with pytest.raises(ContentError, match="not a regular file"):
        load_article(content_dir / "articles" / "bridge.html", site)
    assert time.monotonic() - started < 5


# --- 3. metadata gone wrong ------------------------------------------------------------------


def test_a_missing_title_falls_back_to_the_opening_heading_or_sentence_with_a_warning(content_dir: Path) -> None:
    write_file(
        content_dir, "untitled.html", f"<html><head>{DATED}</head><body><article><p>{STORY}</p></article></body></html>"
    )
    catalog = load_catalog(content_dir, now=datetime(2024, 6, 1, tzinfo=UTC))
    (article,) = catalog.articles
    assert article.title == "The harbour bridge reopened on Tuesday after eight months of repairs, and…"
    warnings = [p.message for p in catalog.problems if p.severity == "warning"]
    assert any("no title found" in w and 'add title = "…" to untitled.toml' in w for w in warnings)


@pytest.mark.parametrize(
    "written,expected",
    [
        ("published = 2024-03-05T09:30:00", datetime(2024, 3, 5, 9, 30, tzinfo=TBILISI)),
        ("published = 2024-03-05", datetime(2024, 3, 5, tzinfo=TBILISI)),
        ('published = "2024-03-05 09:30"', datetime(2024, 3, 5, 9, 30, tzinfo=TBILISI)),
        ("published = 2024-03-05T09:30:00Z", datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
    ],
)
def test_dates_without_a_time_zone_are_taken_in_the_sites(
    content_dir: Path, site: Site, written: str, expected: datetime
) -> None:
    write_file(content_dir, "bridge.html", page(head=""))
    write_file(content_dir, "bridge.toml", written + "\n")
    published = load_article(content_dir / "articles" / "bridge.html", site).metadata.published
    assert published == expected and published.utcoffset() == expected.utcoffset()


def test_a_jsonld_date_without_a_zone_is_taken_in_the_sites(content_dir: Path, site: Site) -> None:
    head = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-03-05T09:30"}</script>'
    article = load_article(write_file(content_dir, "bridge.html", page(head=head)), site)
    assert article.metadata.published == datetime(2024, 3, 5, 9, 30, tzinfo=TBILISI)


def test_an_invalid_date_in_the_page_is_ignored_and_one_in_the_sidecar_is_an_error(
    content_dir: Path, site: Site
) -> None:
    head = '<meta property="article:published_time" content="yesterday at noon"><meta name="date" content="2024-02-30">'
    article = load_article(write_file(content_dir, "bridge.html", page(head=head)), site)
    assert article.metadata.published is None
    assert not any("date" in w for w in article.warnings)  # no date: the catalog says so, once (below)
    write_file(content_dir, "bridge.toml", 'published = "the 5th of Marchember"\n')
    with pytest.raises(ContentError) as caught:
        load_article(content_dir / "articles" / "bridge.html", site)
    assert caught.value.path.name == "bridge.toml" and "'published' must be a date" in caught.value.reason


def test_an_undated_article_is_published_as_of_when_it_was_first_seen_and_keeps_that_date(content_dir: Path) -> None:
    write_file(content_dir, "undated.html", page(head=""))
    first_run = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "CLOCK": lambda: first_run})
    later = load_catalog(content_dir, now=first_run + timedelta(days=7))  # reads the ledger the app wrote
    (article,) = later.articles
    assert article.published == first_run
    assert article.entry_id == "tag:news.example.org,2020:2024-06-01:articles/undated"
    (warning,) = [p for p in later.problems if "publication date" in p.message]  # one warning for one fact
    assert warning.severity == "warning" and "published = 2024-06-01T12:00:00+04:00" in warning.message
    assert "datePublished" in warning.message  # where feedsvc looked


def test_a_future_dated_article_is_held_back_until_its_date(content_dir: Path) -> None:
    write_file(
        content_dir,
        "embargoed.html",
        page(head='<meta property="article:published_time" content="2024-07-01T09:00:00Z">'),
    )
    write_file(content_dir, "bridge.html", page())
    before = load_catalog(content_dir, now=datetime(2024, 6, 1, tzinfo=UTC))
    assert [a.slug for a in before.articles] == ["bridge"]
    assert before.next_release == datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
    assert any("in the future: held back until then" in p.message for p in before.problems)
    after = load_catalog(content_dir, now=datetime(2024, 7, 1, 9, 0, 1, tzinfo=UTC))
    assert [a.slug for a in after.articles] == ["embargoed", "bridge"]


def test_a_very_long_title_is_cut_at_a_word_boundary_with_a_warning(content_dir: Path, site: Site) -> None:
    title = "Harbour bridge " * 200
    article = load_article(write_file(content_dir, "bridge.html", page(title=title)), site)
    kept = article.metadata.title or ""
    assert len(kept) <= TITLE_MAX_CHARS and kept.endswith(("bridge…", "Harbour…"))
    assert any(f"cut to {TITLE_MAX_CHARS} at a word boundary" in w and "bridge.toml" in w for w in article.warnings)


def test_a_flood_of_keywords_keeps_the_first_tags_with_a_warning(content_dir: Path, site: Site) -> None:
    keywords = ",".join(f"tag {i}" for i in range(100_000)) + "," + "x" * 500
    head = f'{DATED}<meta name="keywords" content="{keywords}">'
    article = load_article(write_file(content_dir, "bridge.html", page(head=head)), site)
    assert len(article.metadata.tags) == MAX_TAGS and article.metadata.tags[0] == "tag 0"
    assert all(len(tag) <= NAME_MAX_CHARS for tag in article.metadata.tags)
    assert any(f"only the first {MAX_TAGS} are kept" in w for w in article.warnings)


def test_duplicate_slugs_keep_one_by_name_order_and_name_both_files(content_dir: Path) -> None:
    write_file(content_dir, "bridge.htm", page(title="From the htm"))
    write_file(content_dir, "bridge.html", page(title="From the html"))
    write_file(content_dir, unicodedata.normalize("NFD", "café.html"), page(title="Decomposed"))
    write_file(content_dir, unicodedata.normalize("NFC", "café.html"), page(title="Composed"))
    catalog = load_catalog(content_dir, now=datetime(2024, 6, 1, tzinfo=UTC))
    # name order decides: "bridge.htm" < "bridge.html"; "cafe\u0301" (decomposed) < "caf\u00e9"
    assert sorted(a.title for a in catalog.articles) == ["Decomposed", "From the htm"]
    errors = [p for p in catalog.problems if p.severity == "error"]
    assert len(errors) == 2
    html = next(p for p in errors if p.path.name == "bridge.html")
    assert "slug 'bridge' is already used by bridge.htm" in html.message and "rename or remove one" in html.message


def test_duplicate_pinned_ids_keep_one_and_name_both_files(content_dir: Path) -> None:
    for slug, day in (("first", "04"), ("second", "05")):
        write_file(content_dir, f"{slug}.html", page(head=""))
        write_file(
            content_dir,
            f"{slug}.toml",
            f'published = 2024-03-{day}\nid = "urn:uuid:00000000-0000-4000-8000-000000000001"\n',
        )
    catalog = load_catalog(content_dir, now=datetime(2024, 6, 1, tzinfo=UTC))
    assert [a.slug for a in catalog.articles] == ["second"]
    (error,) = [p for p in catalog.problems if p.severity == "error"]
    assert error.path.name == "first.html" and "second.html" in error.message and "its own `id`" in error.message


# --- 1. every file is accounted for ----------------------------------------------------------

GOOD = {"bridge": "Bridge reopens", "ferry": "Ferry returns", "tram": "Tram line opens"}


def hostile_folder(content_dir: Path, tmp_path: Path) -> dict[str, str]:
    """Fill ``articles/`` with good articles and one file of each broken kind; return name -> expected reason."""
    (content_dir / "site.toml").write_text(SITE_TOML + "max_article_bytes = 65536\n", encoding="utf-8")
    write_file(content_dir, "bridge.html", page(title=GOOD["bridge"]))
    write_file(content_dir, "ferry.md", f'+++\ntitle = "{GOOD["ferry"]}"\npublished = 2024-03-06\n+++\n\n{STORY}\n')
    write_file(content_dir, "tram.htm", page(title=GOOD["tram"]))
    outside = tmp_path.parent / f"{tmp_path.name}-passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    broken: dict[str, str] = {
        "empty.html": "is empty",
        "whitespace.html": "is empty",
        "binary.html": "is a PNG image",
        "gzipped.html": "is gzip-compressed",
        "oversize.html": "over the 65,536-byte limit",
        "utf16.html": "looks like UTF-16 without a byte order mark",
        "bad-sidecar.toml": "invalid TOML",
        "wrong-key.toml": "unknown key 'titel'; did you mean 'title'?",
        "Bad Name.html": "is not a usable slug",
        "tram.html": "slug 'tram' is already used by tram.htm",
        "escape.html": "leads out of the content folder",
        "hz.html": "declares charset=hz-gb-2312",
        "no-text.html": "no article text was left after cleaning",
    }
    write_file(content_dir, "empty.html", b"")
    write_file(content_dir, "whitespace.html", b"  \n\t\n")
    write_file(content_dir, "binary.html", b"\x89PNG\r\n\x1a\n" + bytes(200))
    write_file(content_dir, "gzipped.html", gzip.compress(page().encode()))
    write_file(content_dir, "oversize.html", page(f"<p>{STORY}</p>" * 1000))
    write_file(content_dir, "utf16.html", page().encode("utf-16-le"))
    write_file(content_dir, "bad-sidecar.html", page())
    write_file(content_dir, "bad-sidecar.toml", 'title = "unclosed\n')
    write_file(content_dir, "wrong-key.html", page())
    write_file(content_dir, "wrong-key.toml", 'titel = "typo"\n')
    write_file(content_dir, "Bad Name.html", page())
    write_file(content_dir, "tram.html", page(title="A second tram"))
    (content_dir / "articles" / "escape.html").symlink_to(outside)
    write_file(content_dir, "hz.html", page(head=f'<meta charset="hz-gb-2312">{DATED}'))
    write_file(content_dir, "no-text.html", page("<nav><a href='/'>Home</a></nav><script>x()</script>"))
    # published, with a warning that says what was repaired
    repaired = {
        "deep.html": "nests elements 3,001 levels deep",
        "laughs.html": "",
        "xxe.html": "",
        "controls.html": "control or non-character code point",
        "lying-charset.html": "not valid utf-8, although its <meta charset> says utf-8",
        "orphan.toml": "orphan sidecar",
    }
    write_file(content_dir, "deep.html", page("<div>" * 3000 + f"<p>{STORY}</p>" + "</div>" * 3000))
    write_file(content_dir, "laughs.html", BILLION_LAUGHS + page(f"<p>{STORY} &lol9;</p>"))
    write_file(
        content_dir, "xxe.html", f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{outside}">]>' + page(f"<p>{STORY} &x;</p>")
    )
    write_file(content_dir, "controls.html", page(f"<p>{STORY}\x00\x07\ufffe</p>"))
    write_file(
        content_dir,
        "lying-charset.html",
        page(f"<p>{STORY} caf\xe9</p>", head=f'<meta charset="utf-8">{DATED}').encode("cp1252"),
    )
    write_file(content_dir, "orphan.toml", 'title = "nobody"\n')
    return {**broken, **{name: reason for name, reason in repaired.items() if reason}}


def test_every_bad_file_is_reported_and_the_good_ones_are_published(content_dir: Path, tmp_path: Path, caplog) -> None:
    expected = hostile_folder(content_dir, tmp_path)
    with caplog.at_level(logging.INFO, logger="feedsvc"):
        app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "WEBSUB_ANNOUNCE_AT_START": False})
    client = app.test_client()
    catalog = app.extensions["feedsvc"].snapshot.catalog
    titles = {a.slug: a.title for a in catalog.articles}
    assert {slug: titles.get(slug) for slug in GOOD} == GOOD
    assert {"deep", "laughs", "xxe", "controls", "lying-charset"} <= set(titles)
    for slug in ("deep", "laughs", "xxe", "controls", "lying-charset"):
        assert STORY in catalog.by_slug[slug].content_html, slug
    assert "root:x:0:0" not in repr(catalog.articles)

    # the feeds stay well-formed and carry every published article
    for path in ("/feed.atom", "/feed.rss"):
        body = client.get(path).get_data()
        etree.fromstring(body)
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0 and len(parsed.entries) == len(catalog.articles)

    problems = {p.path.name: p for p in catalog.problems}
    health = client.get("/healthz").get_json()
    rejected = {Path(item["path"]).name: item["reason"] for item in health["rejected"]}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    check = CliRunner().invoke(cli, ["check", "--content", str(content_dir)])
    for name, reason in expected.items():
        assert name in problems and reason in problems[name].message, f"{name}: {problems.get(name)}"
        assert f"{name}: " in check.output and reason in check.output, f"feedsvc check does not report {name}"
        assert name in logged, f"the log does not report {name}"
        if problems[name].severity == "error":
            assert reason in rejected.get(name, ""), f"/healthz does not report {name}"
    assert check.exit_code == 1


def test_stray_entries_named_like_articles_are_reported(content_dir: Path, tmp_path: Path) -> None:
    articles = content_dir / "articles"
    (articles / "folder.html").mkdir()
    (articles / "dangling.html").symlink_to(tmp_path / "does-not-exist.html")
    if hasattr(os, "mkfifo"):
        os.mkfifo(articles / "pipe.html")
    (articles / "nested").mkdir()
    (articles / "nested" / "story.html").write_text(page(), encoding="utf-8")
    write_file(content_dir, "story.xhtml", page())
    write_file(content_dir, "story.html.gz", gzip.compress(page().encode()))
    write_file(content_dir, "photo.jpg", b"\xff\xd8\xff")  # an image next to the articles is left alone
    found = {p.path.name: p for p in stray_problems(articles)}
    assert found["folder.html"].severity == "error" and "is a folder, not a file" in found["folder.html"].message
    assert "symbolic link to nothing" in found["dangling.html"].message
    if hasattr(os, "mkfifo"):
        assert "not a regular file" in found["pipe.html"].message
    assert found["nested"].severity == "warning" and "not searched in subfolders" in found["nested"].message
    assert "rename it to story.html" in found["story.xhtml"].message
    assert "is compressed" in found["story.html.gz"].message
    assert "photo.jpg" not in found


def test_stray_entries_reach_feedsvc_check_and_healthz(content_dir: Path, tmp_path: Path) -> None:
    write_file(content_dir, "bridge.html", page())
    (content_dir / "articles" / "folder.html").mkdir()
    (content_dir / "articles" / "dangling.html").symlink_to(tmp_path / "nothing.html")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "WEBSUB_ANNOUNCE_AT_START": False})
    rejected = {Path(item["path"]).name for item in app.test_client().get("/healthz").get_json()["rejected"]}
    assert {"folder.html", "dangling.html"} <= rejected
    check = CliRunner().invoke(cli, ["check", "--content", str(content_dir)])
    assert "folder.html: is a folder" in check.output and "dangling.html: is a symbolic link to nothing" in check.output


def test_healthz_lists_warnings_with_their_paths(content_dir: Path) -> None:
    write_file(content_dir, "bridge.html", page())
    write_file(content_dir, "orphan.toml", 'title = "nobody"\n')
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir), "WEBSUB_ANNOUNCE_AT_START": False})
    health = app.test_client().get("/healthz").get_json()
    assert any(Path(w["path"]).name == "orphan.toml" and "orphan sidecar" in w["reason"] for w in health["warnings"])


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX permissions")
def test_an_unreadable_file_is_reported(content_dir: Path) -> None:
    def problems(folder: Path) -> list[tuple[Path, str]]:
        catalog = load_catalog(folder, now=datetime(2024, 6, 1, tzinfo=UTC))
        return [(p.path, p.message) for p in catalog.problems]

    if os.geteuid() == 0:  # permissions never stop root: a child forked as uid 65534 builds the folder
        with folder_for() as home:
            folder = copy_site(home / "content", content_dir)
            give(folder)
            path = write_file(folder, "locked.html", page())  # root's, mode 000
            path.chmod(0)
            found = as_user(lambda: problems(folder))
    else:
        path = write_file(content_dir, "locked.html", page())
        path.chmod(0)
        try:
            found = problems(content_dir)
        finally:
            path.chmod(0o644)
    ((_, message),) = [p for p in found if p[0] == path]
    assert "cannot be read (Permission denied)" in message
