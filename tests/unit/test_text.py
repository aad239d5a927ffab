"""feedsvc.text: the quick "anything to remove?" test agrees with the character class on long text too; the byte
counts of white space agree with ``str.split``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from feedsvc.text import (
    XML_UNSAFE,
    collapsed_length,
    has_userinfo,
    has_xml_unsafe,
    markup_tokens,
    plain,
    site_host,
    split_keywords,
    strip_markup,
    unspaced_chars,
    userinfo_refusal,
    without_userinfo,
    xml_safe,
    xml_safe_utf8,
)
from support.strategies import SPACED_TEXT

# Long enough to take the byte-level path, with text of every UTF-8 length around the probe.
_LONG = "<p>Plain ASCII, Latin-1 \u00e9\u00a0, Greek \u03b1, CJK \u4e2d, an emoji \U0001f600.</p>" * 5


def _code_points() -> list[str]:
    """Every BMP code point, and the first and last 256 of every astral plane (where its noncharacters sit)."""
    astral = (
        c
        for plane in range(1, 17)
        for base in (0, 0xFF00)
        for c in range(plane << 16 | base, (plane << 16 | base) + 256)
    )
    return [chr(c) for c in (*range(0x10000), *astral)]


def test_the_byte_test_agrees_with_the_class_on_each_code_point_inside_long_text() -> None:
    assert len(_LONG) >= 256 and not has_xml_unsafe(_LONG)
    disagree = [
        hex(ord(ch))
        for ch in _code_points()
        if has_xml_unsafe(_LONG + ch + _LONG) != (XML_UNSAFE.search(ch) is not None)
    ]
    assert disagree == []


@pytest.mark.parametrize(
    "probe",
    [
        "\x00",
        "\x0b",
        "\x7f",
        "\x84",
        "\x86",
        "\x9f",
        "\ud800",
        "\udfff",
        "\ufdd0",
        "\ufdef",
        "\ufffe",
        "\uffff",
        "\U0001fffe",
        "\U0003fffe",  # F0 BF BF BE: its BF BF is not the end that matters
        "\U0010ffff",
    ],
)
def test_long_text_with_one_unsafe_character_is_found_and_cleaned(probe: str) -> None:
    text = _LONG + probe + _LONG
    assert has_xml_unsafe(text)
    assert xml_safe(text) == _LONG + _LONG


@pytest.mark.parametrize("probe", ["\x85", "\t\n\r", "\u00a0\u00bf", "\ufdcf\ufdf0\ufffd", "\U0001fffd\U0003ffbf"])
def test_long_text_with_only_allowed_characters_is_left_alone(probe: str) -> None:
    text = _LONG + probe + _LONG
    assert not has_xml_unsafe(text)
    assert xml_safe(text) is text


@pytest.mark.parametrize("size", ["short", "long"])
@pytest.mark.parametrize(
    "probe", ["", "\x00", "\x85", "\x86", "\ud800", "\ufdd0", "\U0001fffe", "\U0001fffd", "\u00e9"]
)
def test_the_utf8_of_a_safe_text_is_its_encoding_and_none_is_given_for_an_unsafe_one(size: str, probe: str) -> None:
    # The cleaner hands these bytes to its parser in place of the text: they must be the text's own UTF-8,
    # given exactly when has_xml_unsafe finds nothing (else the text is cleaned first).
    text = (_LONG if size == "long" else "<p>x</p>") + probe
    data = xml_safe_utf8(text)
    assert (data is None) == has_xml_unsafe(text)
    assert data is None or data == text.encode("utf-8")


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(SPACED_TEXT)
def test_collapsed_length_is_the_length_of_the_words_joined_by_one_space(text: str) -> None:
    assert collapsed_length(text) == len(" ".join(text.split()))


def test_collapsed_length_knows_every_white_space_character() -> None:
    # Each character alone, between words, and leading or trailing (a word starts after it, or none does).
    for c in map(chr, range(0x110000)):
        spaced = c.isspace()
        assert collapsed_length(f"ab{c}cd") == 5, hex(ord(c))
        assert collapsed_length(f"ab{c}{c}cd") == (5 if spaced else 6), hex(ord(c))
        assert collapsed_length(f"{c}ab") == (2 if spaced else 3), hex(ord(c))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(SPACED_TEXT)
def test_unspaced_chars_counts_the_characters_split_keeps(text: str) -> None:
    assert unspaced_chars(text.encode("utf-8", "surrogatepass")) == sum(map(len, text.split()))


def test_unspaced_chars_knows_every_white_space_character() -> None:
    # Each character alone, as the regexes and the deleted bytes see it: 1 unless it is white space.
    for c in map(chr, range(0x110000)):
        if not 0xD800 <= ord(c) < 0xE000:
            assert unspaced_chars(f"a{c}b".encode()) == (2 if c.isspace() else 3), hex(ord(c))


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://www.example.org/a", "example.org"),
        ("https://user:secret@WWW.Example.org:8443/a", "example.org"),  # lower case; no user, no port
        ("https://www.example.org./a", "example.org"),  # the root's dot: the same host
        ("//www.example.org/a", "example.org"),  # scheme-relative
        (" https://example.org/a ", "example.org"),
        ("https://www2.example.org/a", "www2.example.org"),  # another server, as often as not
        ("https://news.example.org/a", "news.example.org"),
        ("https://www.bücher.de/", "bücher.de"),
        ("https://[2001:db8::1]:8080/a", "2001:db8::1"),
        ("http://[::1", ""),  # not a URL: no host, no ValueError
        ("file:///home/me/page.html", ""),
        ("/articles/a", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_site_host_is_the_lower_case_host_without_www_port_or_user(url: str | None, host: str) -> None:
    assert site_host(url) == host


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://editor:s3cret@example.org/feed", "https://example.org/feed"),
        ("http://editor@example.org:8080/a?b=c#d", "http://example.org:8080/a?b=c#d"),
        ("https://ed:p@ss@word@example.org/", "https://example.org/"),  # an "@" in the password goes with it
        ("//editor:s3cret@example.org/x", "//example.org/x"),
        ("http://editor:s3cret@[::1", "http://[::1"),  # not a URL a parser reads, all the same
        # an "@" elsewhere is not a user: kept
        ("https://example.org/p//a@b?mail=x@y#z@w", "https://example.org/p//a@b?mail=x@y#z@w"),
        ("mailto:editor@example.org", "mailto:editor@example.org"),
        ("https://example.org/feed", "https://example.org/feed"),
    ],
)
def test_without_userinfo_drops_the_user_and_password_and_nothing_else(url: str, shown: str) -> None:
    assert without_userinfo(url) == shown
    assert has_userinfo(url) == (url != shown)


def test_the_userinfo_refusal_says_what_why_and_the_url_to_give_without_the_secret() -> None:
    # One wording for site.toml, sidecars, the fetcher and a page's own address: the tests of each assert its parts.
    message = userinfo_refusal("'feed'", "https://editor:s3cret@example.org/feed", "would be shown")
    assert message == (
        "'feed' carries a user name or password, which would be shown: "
        "remove the 'user:password@' part, giving 'https://example.org/feed'"
    )
    assert "s3cret" not in message and "editor" not in message


@pytest.mark.parametrize(
    "text, shown, kept",
    [
        ("30 Years of <br> Tags", {"<br>"}, "30 Years of <br> Tags"),
        ("30 Years of <br> Tags", set(), "30 Years of Tags"),
        # only what the page shows stays: another tag goes, and so does the shown one's unshown end
        ("<b>30</b> Years of <br> Tags", {"<br>"}, "30 Years of <br> Tags"),
        ("Why <div> soup lasted</div>", {"<div>"}, "Why <div> soup lasted"),
        # a kept text completes no tag with what is around it: "<" before it, "script>" after it stay text
        ("a <<br>script> b", {"<br>"}, "a <<br>script> b"),
        ("a <<b>script>x", {"<br>"}, "a x"),
    ],
)
def test_strip_markup_keeps_only_the_markup_looking_text_the_page_shows(text: str, shown: set[str], kept: str) -> None:
    assert strip_markup(text, frozenset(shown)) == kept


def test_plain_keeps_the_shown_text_whether_the_value_wrote_it_escaped_or_not() -> None:
    # a parsed attribute holds "<br>" either way; a JSON-LD string may still hold the entities
    shown = frozenset({"<br>"})
    assert (
        plain("30 Years of <br> Tags", shown) == plain("30 Years of &lt;br&gt; Tags", shown) == "30 Years of <br> Tags"
    )
    assert plain("30 Years of <br> Tags") == "30 Years of Tags"
    assert markup_tokens('a <font\n color="blue"> and <br/> but not a < b') == ['<font color="blue">', "<br/>"]


@pytest.mark.parametrize(
    "value, keywords",
    [
        # a CMS escaped the "&" of a section's name in JSON-LD: the reference's ";" parts nothing
        ("Food &amp; Drink Trends, Blog", ["Food & Drink Trends", "Blog"]),
        ("Investor&#8217;s Guide; Money", ["Investor’s Guide", "Money"]),
        # "&T;" names no character: its ";" separates, as every other ";" does
        ("AT&T; Verizon", ["AT&T", "Verizon"]),
        ("ferries;ports, harbours", ["ferries", "ports", "harbours"]),
    ],
)
def test_keywords_part_at_commas_and_semicolons_but_not_inside_a_character_reference(
    value: str, keywords: list[str]
) -> None:
    assert split_keywords(value) == keywords
