"""hypothesis strategies for hostile HTML-ish input: dangerous tags and attributes, any text.

Shared by the property tests of the cleaner and of the feeds.
"""

from __future__ import annotations

from hypothesis import strategies as st

TAGS = (
    "p div span a img b i em strong h1 h2 h3 ul ol li table tr td blockquote pre code figure figcaption br "
    "script style iframe object embed form input button textarea select svg math mtext mglyph foreignObject "
    "noscript template base meta link title xmp plaintext frameset frame video audio source picture "
    "details summary marquee noembed annotation-xml animate set use"
).split()
ATTRIBUTES = (
    "href src srcset style onclick onerror onload onmouseover formaction action xlink:href data poster "
    "background title alt class id http-equiv content srcdoc is width colspan cite datetime"
).split()
URL_VALUES = st.sampled_from(
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " java\tscript:alert(1)", "&#106;avascript:alert(1)",
        "&#x6A;avascript&colon;alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64,AAAA", "https://example.org/a?utm_source=x", "/relative/path", "#frag",
        "mailto:someone@example.org", "//evil.example/x", "\x00javascript:alert(1)", "feed:javascript:alert(1)",
    ]
)  # fmt: skip
# Text from every category (controls, surrogates, unassigned, private use, bidi controls).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
# Every white space character, and characters whose UTF-8 shares bytes with theirs (curly quotes,
# the zero-width space, CJK punctuation, the Ogham letters beside U+1680): what the byte counts of
# white space in feedsvc.text must tell apart.
_SPACES = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
_LOOKALIKES = "\u2019\u201c\u200b\u200c\u2060\u205e\u2030\u3001\u3002\u30fc\u1681\u00a9\u00c2\u0085\u00e2x "
SPACED_TEXT = st.text(st.sampled_from(_SPACES + _LOOKALIKES), max_size=60) | ANY_TEXT
MARKUPISH = st.sampled_from(
    ["<", ">", "&", "&lt;", "&#0;", "&#xD800;", "<!--", "-->", "]]>", "<![CDATA[", '"', "'", "`"]
)
TEXT = st.lists(st.one_of(ANY_TEXT, MARKUPISH), max_size=6).map("".join)


@st.composite
def attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ATTRIBUTES))
    value = (
        draw(st.one_of(URL_VALUES, TEXT))
        if name in ("href", "src", "action", "formaction", "xlink:href", "data", "poster")
        else draw(TEXT)
    )
    quote = draw(st.sampled_from(['"', "'", ""]))
    if quote:
        value = value.replace(quote, "")
    return f" {name}={quote}{value}{quote}"


def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        tag = draw(st.sampled_from(TAGS))
        attributes = "".join(draw(st.lists(attribute(), max_size=3)))
        inner = "".join(draw(st.lists(children, max_size=4)))
        close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.upper()}>"]))
        return f"<{tag}{attributes}>{inner}{close}"

    return build()


HTMLISH = st.recursive(TEXT, element, max_leaves=30)


# Blocks and inline elements nested any way, with words, commas, links and tails: the
# trees the cleaner's block passes read (what is summed, wrapped or counted per element).
_TREE_TAGS = (
    "div section article main header center p span a b ul ol li h2 h3 table tr td figure figcaption blockquote br"
).split()
_TREE_TEXT = st.sampled_from(
    ["", " ", "word", "two words, a comma", "\n  ", "A line of prose, with commas, longer than forty characters."]
)


def _tree_element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, inner, tail: f"<{tag}>{''.join(inner)}</{tag}>{tail}",
        st.sampled_from(_TREE_TAGS),
        st.lists(children, max_size=4),
        _TREE_TEXT,
    )


BLOCK_TREES = st.recursive(_TREE_TEXT, _tree_element, max_leaves=40)


# The same trees with the attributes the cleaner reads as hints (hidden, aria-hidden, inline
# styles, class and id words, tab panels) and images: what pruning and the block features test.
_HINTS = st.sampled_from(
    [
        "", "", " hidden", ' aria-hidden="true"', ' aria-hidden="false"', ' style="display: none"',
        ' style="color: red"', ' STYLE="Visibility:Hidden"', ' class="related-posts"', ' class="entry-content"',
        ' class="Comment-Body"', ' id="sidebar"', ' id="panel-1"', ' role="tabpanel" hidden',
        ' class="share" id="main"', ' itemprop="comment"',
    ]
)  # fmt: skip


def _hinted_element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, hint, inner, image, tail: f"<{tag}{hint}>{image}{''.join(inner)}</{tag}>{tail}",
        st.sampled_from(_TREE_TAGS),
        _HINTS,
        st.lists(children, max_size=4),
        st.sampled_from(["", "", '<img src="a.jpg">']),
        _TREE_TEXT,
    )


HINTED_TREES = st.recursive(_TREE_TEXT, _hinted_element, max_leaves=40)
