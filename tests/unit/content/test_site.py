"""feedsvc/content/site.py: site.toml validation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.content.site import (
    SiteConfigError,
    follows_listen_port,
    parse_duration,
    parse_site,
    served_base_url,
    source_lines,
)
from feedsvc.model import Source

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


# --- [[source]] tables ---------------------------------------------------------------

FEED = "https://oc-media.org/feed/"


def sources(*tables: dict[str, object], **site: object) -> dict[str, object]:
    """site.toml data: VALID with these [[source]] tables."""
    return {**VALID, **site, "source": list(tables)}


def source_error(*tables: dict[str, object], lines: tuple[dict[str, int], ...] = ()) -> str:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(sources(*tables), lines=lines)
    return str(caught.value)


def test_a_source_with_only_a_name_and_a_feed_takes_the_defaults() -> None:
    (source,) = parse_site(sources({"name": "oc-media", "feed": FEED})).sources
    assert source == Source(name="oc-media", feed=FEED)
    assert (source.sitemap, source.every, source.max_new, source.since, source.rules) == (None, 1800, 20, None, None)
    assert (source.status, source.title, source.link, source.removed) == ("active", None, None, "keep")
    assert source.recheck == 86400  # an item's page is revalidated once a day
    assert (source.url, source.display_title, source.home) == (FEED, "oc-media", "https://oc-media.org/")


def test_a_site_without_sources_has_none() -> None:
    assert parse_site(VALID).sources == ()


def test_every_key_of_a_source_is_read() -> None:
    table = {
        "name": "civil-ge",
        "sitemap": "https://civil.ge/sitemap.xml",
        "every": "2h",
        "max_new": 5,
        "since": date(2024, 1, 31),
        "rules": "rules/civil.ge.toml",
        "status": "paused",
        "title": "Civil Georgia",
        "link": "https://civil.ge/en/",
        "removed": "withdraw",
        "recheck": "12h",
    }
    (source,) = parse_site(sources(table, timezone="Asia/Tbilisi")).sources
    assert source == Source(
        name="civil-ge",
        sitemap="https://civil.ge/sitemap.xml",
        every=7200,
        max_new=5,
        since=datetime(2024, 1, 31, tzinfo=ZoneInfo("Asia/Tbilisi")),  # a bare date: midnight in the site's zone
        rules="rules/civil.ge.toml",
        status="paused",
        title="Civil Georgia",
        link="https://civil.ge/en/",
        removed="withdraw",
        recheck=43200,
    )
    assert (source.url, source.display_title, source.home) == (
        table["sitemap"],
        "Civil Georgia",
        "https://civil.ge/en/",
    )


def test_sources_keep_the_files_order() -> None:
    names = ["b", "a", "c"]
    tables = [{"name": name, "feed": f"https://{name}.example/feed"} for name in names]
    assert [s.name for s in parse_site(sources(*tables)).sources] == names


@pytest.mark.parametrize(
    ("every", "seconds"),
    [(900, 900), (60, 60), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 15M ", 900)],
)
def test_every_is_seconds_or_a_duration(every: object, seconds: int) -> None:
    (source,) = parse_site(sources({"name": "a", "feed": FEED, "every": every})).sources
    assert source.every == seconds


@pytest.mark.parametrize(
    ("every", "message"),
    [
        (30, "'every' is 30 seconds; a source is polled at most once a minute"),
        ("30s", "'every' is 30 seconds;"),
        ("900", "got the text '900'; drop the quotes (every = 900) or give a unit"),
        ("soon", 'a duration such as "90s", "15m"'),
        ("15 minutes", 'a duration such as "90s"'),
        (1.5, "whole seconds"),
        (True, "whole seconds"),
        ("31d", "give at most 2592000"),
    ],
)
def test_a_wrong_every_says_what_is_allowed(every: object, message: str) -> None:
    assert message in source_error({"name": "a", "feed": FEED, "every": every})


@pytest.mark.parametrize("value", [0, 1001, "20"])
def test_max_new_is_a_whole_number_in_range(value: object) -> None:
    assert "'max_new' must be a whole number from 1 to 1000" in source_error(
        {"name": "a", "feed": FEED, "max_new": value}
    )


def test_since_takes_a_date_time_and_its_offset() -> None:
    moment = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)
    (source,) = parse_site(sources({"name": "a", "feed": FEED, "since": moment})).sources
    assert source.since == moment
    (source,) = parse_site(sources({"name": "a", "feed": FEED, "since": "2024-01-31T09:00:00+04:00"})).sources
    assert source.since == datetime(2024, 1, 31, 5, 0, tzinfo=UTC)
    assert "'since' must be a date such as 2024-01-31" in source_error(
        {"name": "a", "feed": FEED, "since": "last week"}
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("name", "OC Media", "such as name = \"oc-media\", got 'OC Media'"),
        ("name", "oc_media/x", "it is a URL segment"),
        ("name", 3, 'such as name = "example-news"'),
        ("feed", "oc-media.org/feed", "'feed' must be an absolute http(s) URL"),
        ("feed", "file:///etc/passwd", "'feed' must be an absolute http(s) URL"),
        ("link", "ftp://oc-media.org/", "'link' must be an absolute http(s) URL"),
        ("status", "on", "'status' must be 'active' or 'paused', got 'on'"),
        ("removed", "delete", "'removed' must be 'keep' or 'withdraw'"),
        ("title", " ", "'title' must be a non-empty string"),
        ("rules", "/etc/rules.toml", 'relative to it, such as "rules/example.org.toml"'),
        ("rules", "../other/rules/x.toml", "'rules' must be the path of a rules file inside the content folder"),
        ("rules", "rules/x.txt", "'rules' must be the path of a rules file"),
    ],
)
def test_a_wrong_source_value_is_named_with_its_fix(key: str, value: object, message: str) -> None:
    table = {"name": "oc-media", "feed": FEED, key: value}
    assert message in source_error(table)


def test_an_unknown_source_key_is_named_with_the_key_meant_and_its_line() -> None:
    lines = ({"": 7, "name": 8, "feed": 9, "evry": 10},)
    error = source_error({"name": "oc-media", "feed": FEED, "evry": 900}, lines=lines)
    assert "line 10: [[source]] 'oc-media': unknown key 'evry'; did you mean 'every'? allowed keys: name, feed" in error


def test_a_site_setting_written_under_a_source_says_to_move_it_up() -> None:
    error = source_error({"name": "a", "feed": FEED, "entries_per_feed": 5})
    assert "[[source]] 'a': 'entries_per_feed' is a site setting, not a source's" in error
    assert "move 'entries_per_feed = …' above the first [[source]]" in error


def test_a_source_needs_a_name_and_one_url() -> None:
    error = source_error({"feed": "https://www.oc-media.org/feed/"})
    assert "[[source]] #1: missing 'name'" in error and 'add name = "oc-media-org"' in error
    assert "[[source]] 'a': missing 'feed' or 'sitemap'" in source_error({"name": "a"})
    both = source_error({"name": "a", "feed": FEED, "sitemap": "https://oc-media.org/sitemap.xml"})
    assert "[[source]] 'a': give 'feed' or 'sitemap', not both" in both


def test_two_sources_with_one_name_or_one_url_are_refused() -> None:
    lines = ({"": 5, "name": 6, "feed": 7}, {"": 9, "name": 10, "feed": 11}, {"": 13, "name": 14, "feed": 15})
    error = source_error(
        {"name": "a", "feed": FEED},
        {"name": "a", "feed": "https://other.example/feed"},
        {"name": "b", "feed": FEED},
        lines=lines,
    )
    assert (
        "line 10: [[source]] 'a': the name 'a' is already that of [[source]] #1; give each source its own name" in error
    )
    assert f"line 15: [[source]] 'b': {FEED} is already read by [[source]] 'a'" in error


def test_every_mistake_of_every_source_at_once_and_the_good_ones_are_not_blamed() -> None:
    error = source_error(
        {"name": "good", "feed": FEED},
        {"name": "bad", "feed": "nope", "every": 5},
        {"name": "Worse", "sitemap": "https://x.example/s.xml", "colour": "red"},
    )
    assert error.startswith("4 problems:")
    assert "'good'" not in error
    assert "[[source]] 'bad': 'feed' must be" in error and "[[source]] 'bad': 'every' is 5 seconds" in error
    assert "[[source]] #3: 'name' must be" in error and "[[source]] #3: unknown key 'colour'" in error


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "a", "feed": FEED}, "[source] is one table; a source is a [[source]] table (two brackets)"),
        ("https://oc-media.org/feed/", "'source' must be [[source]] tables (two brackets)"),
        (["a"], "'source' must be [[source]] tables"),
    ],
)
def test_source_written_as_something_else_than_tables_says_to_write_double_brackets(
    value: object, message: str
) -> None:
    with pytest.raises(SiteConfigError, match=re.escape(message)):
        parse_site({**VALID, "source": value})


def test_an_unknown_site_key_gets_the_key_meant() -> None:
    with pytest.raises(
        SiteConfigError, match=r"unknown key\(s\) 'sources'; allowed: .*; did you mean 'sources' -> 'source'\?"
    ):
        parse_site({**VALID, "sources": [{"name": "a", "feed": FEED}]})


def test_source_lines_finds_each_table_and_its_keys() -> None:
    text = """\
title = "T"
[[source]]
name = "a"
feed = "https://a.example/feed"

[[source]]  # the second
"name" = "b"
sitemap = "https://b.example/sitemap.xml"
[other]
name = "not a source key"
"""
    assert source_lines(text) == (
        {"": 2, "name": 3, "feed": 4},
        {"": 6, "name": 7, "sitemap": 8},
    )


@pytest.mark.parametrize(
    ("value", "seconds"), [(900, 900), ("1d2h", 93600), ("", None), ("5", None), (False, None), (2.0, None)]
)
def test_parse_duration(value: object, seconds: int | None) -> None:
    assert parse_duration(value) == seconds


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


@pytest.mark.parametrize(("recheck", "seconds"), [(0, 0), (3600, 3600), ("12h", 43200), ("30d", 30 * 86400)])
def test_recheck_is_a_duration_or_0_for_never(recheck: object, seconds: int) -> None:
    (source,) = parse_site(sources({"name": "a", "feed": FEED, "recheck": recheck})).sources
    assert source.recheck == seconds


@pytest.mark.parametrize(
    ("recheck", "message"),
    [
        (60, '\'recheck\' is 60 seconds; give 3600 ("1h") to 2592000 ("30d"), or 0 to never revalidate'),
        ("31d", "give 3600"),
        ("86400", "must be whole seconds (such as 86400, or 0 to turn it off)"),
        ("daily", 'a duration such as "12h"'),
        (False, "whole seconds"),
    ],
)
def test_a_wrong_recheck_says_what_is_allowed(recheck: object, message: str) -> None:
    assert message in source_error({"name": "a", "feed": FEED, "recheck": recheck})


SECRET_URL = "https://editor:s3cret@oc-media.org/feed/"


@pytest.mark.parametrize(
    "values",
    [
        {**VALID, "base_url": SECRET_URL},
        {**VALID, "websub_hub": SECRET_URL},
        sources({"name": "a", "feed": SECRET_URL}),
        sources({"name": "a", "sitemap": SECRET_URL}),
        sources({"name": "a", "feed": FEED, "link": SECRET_URL}),
    ],
    ids=["base_url", "websub_hub", "feed", "sitemap", "link"],
)
def test_a_url_with_a_user_and_password_is_refused_without_repeating_them(values: dict[str, object]) -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(values)
    message = str(caught.value)
    assert "carries a user name or password" in message and "remove the 'user:password@' part" in message
    assert "https://oc-media.org/feed/" in message
    assert "s3cret" not in message and "editor" not in message
