"""feedsvc/content/site.py: site.toml validation."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from feedsvc.content.site import SiteConfigError, follows_listen_port, parse_site, served_base_url

VALID = {
    "title": "OC Media",
    "base_url": "https://oc-media.org/",
    "id_authority": "oc-media.org,2021",
    "default_author": "OC Media",
}


def test_defaults_fill_optional_keys_and_base_url_loses_its_slash() -> None:
    site = parse_site(VALID)
    assert site.base_url == "https://oc-media.org"
    assert site.language == "en"
    assert site.timezone == ZoneInfo("UTC")
    assert site.entries_per_feed == 20
    assert site.url("/feed.atom") == "https://oc-media.org/feed.atom"
    assert site.tag_uri("feed") == "tag:oc-media.org,2021:feed"


def test_base_url_with_a_path_prefixes_page_links() -> None:
    site = parse_site({**VALID, "base_url": "https://example.org/news/"})
    assert site.url("articles/x") == "https://example.org/news/articles/x"
    assert site.href("/static/style.css") == "/news/static/style.css"


def test_overrides_win_over_the_file() -> None:
    assert parse_site(VALID, {"base_url": "http://127.0.0.1:9000"}).base_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("base_url", "oc-media.org", "absolute http(s) URL"),
        ("base_url", "ftp://oc-media.org", "absolute http(s) URL"),
        ("base_url", "https://oc-media.org/?x=1", "query or fragment"),
        ("id_authority", "oc-media.org", "RFC 4151"),
        ("id_authority", "https://oc-media.org,2021", "RFC 4151"),
        ("id_authority", "oc-media.org,2021-13", "does not exist"),
        ("id_authority", "oc-media.org,2021-02-30", "does not exist"),
        ("timezone", "Mars/Olympus", "IANA time zone"),
        ("language", "english language", "BCP 47"),
        ("entries_per_feed", 0, "from 1 to 1000"),
        ("entries_per_feed", "20", "from 1 to 1000"),
        ("entries_per_feed", True, "from 1 to 1000"),
        ("title", "  ", "non-empty string"),
        ("summary_words", 10_000, "from 5 to 500"),
        ("feed_max_bytes", 10, "from 1000 to 100000000"),
        ("feed_max_age", -1, "from 0 to 86400"),
        ("feed_stale_while_revalidate", 10**7, "from 0 to 604800"),
        ("tombstone_days", 5000, "from 0 to 3650"),
        ("websub_hub", "hub.example.org", "absolute http(s) URL"),
        ("websub_hub", 7, "non-empty string"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(key: str, value: object, message: str) -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site({**VALID, key: value})
    assert f"'{key}'" in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize("key", ["title", "base_url", "id_authority", "default_author"])
def test_missing_required_key_is_named(key: str) -> None:
    data = {k: v for k, v in VALID.items() if k != key}
    with pytest.raises(SiteConfigError, match=f"missing required key '{key}'"):
        parse_site(data)


def test_unknown_key_lists_the_allowed_ones() -> None:
    with pytest.raises(SiteConfigError, match=r"unknown key\(s\) 'titel'; allowed: .*title"):
        parse_site({**VALID, "titel": "typo"})


def test_reader_grade_defaults() -> None:
    site = parse_site(VALID)
    assert (site.feed_max_bytes, site.feed_max_age, site.feed_stale_while_revalidate) == (1_000_000, 300, 3600)
    assert site.tombstone_days == 30
    assert site.websub_hub is None


def test_websub_hub_is_kept_as_written_and_empty_means_none() -> None:
    assert parse_site({**VALID, "websub_hub": "https://hub.example.net/"}).websub_hub == "https://hub.example.net/"
    assert parse_site({**VALID, "websub_hub": ""}).websub_hub is None


@pytest.mark.parametrize(
    ("base_url", "follows"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.3.4.5", True),
        ("http://localhost:8000/news", True),
        ("http://preview.localhost:8000", True),
        ("http://[::1]:8000", True),
        ("https://news.example.org", False),
        ("http://192.168.1.10:8000", False),  # another machine may serve it: as written
        ("http://localhost.example.org:8000", False),
    ],
)
def test_only_a_base_url_naming_this_machine_follows_the_listen_port(base_url: str, follows: bool) -> None:
    assert follows_listen_port(base_url) is follows


@pytest.mark.parametrize(
    ("base_url", "port", "served"),
    [
        ("http://127.0.0.1:8000", 9000, "http://127.0.0.1:9000"),
        ("http://localhost:8000/news", 9000, "http://localhost:9000/news"),
        ("http://127.0.0.1", 9000, "http://127.0.0.1:9000"),
        ("http://127.0.0.1:8000", 80, "http://127.0.0.1"),  # the scheme's own port is left out
        ("http://[::1]:8000", 9000, "http://[::1]:9000"),
        ("http://127.0.0.1:8000", None, "http://127.0.0.1:8000"),  # not serving: as written
        ("https://news.example.org", 9000, "https://news.example.org"),  # behind a proxy: as written
    ],
)
def test_served_base_url_takes_the_listen_port(base_url: str, port: int | None, served: str) -> None:
    assert served_base_url(base_url, port) == served


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/srv/site/icon.png", "inside the content folder"),
        ("../icon.png", "inside the content folder"),
        ("media/../../icon.png", "inside the content folder"),
        (".feedsvc/icon.png", "not hidden"),
        ("~/icon.png", "inside the content folder"),
        ("icon.bmp", "ending in one of .gif, .ico, .jpeg, .jpg, .png, .svg, .webp"),
        ("icon", "ending in one of"),
        ("ftp://cdn.example.org/icon.png", "absolute http(s) URL"),
        ("https:///icon.png", "absolute http(s) URL"),
        (7, "non-empty string"),
    ],
)
@pytest.mark.parametrize("key", ["icon", "logo"])
def test_a_bad_icon_or_logo_names_the_key_and_what_is_allowed(key: str, value: object, message: str) -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site({**VALID, key: value})
    assert f"'{key}'" in str(caught.value)
    assert message in str(caught.value)


def test_icon_and_logo_are_a_file_the_site_serves_or_an_image_elsewhere() -> None:
    site = parse_site({**VALID, "icon": "media/Icon.PNG", "logo": "https://cdn.example.org/brand/logo.svg?v=2"})
    assert site.icon is not None and site.logo is not None
    assert (site.icon.source, site.icon.path, site.icon.media_type) == ("media/Icon.PNG", "/icon.png", "image/png")
    assert site.image_url(site.icon) == "https://oc-media.org/icon.png"
    assert (site.logo.path, site.logo.media_type) == ("", "image/svg+xml")
    assert site.image_url(site.logo) == "https://cdn.example.org/brand/logo.svg?v=2"  # as written, never fetched
    assert parse_site({**VALID, "icon": "", "logo": ""}).icon is None
    assert parse_site(VALID).logo is None
