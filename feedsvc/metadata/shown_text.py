"""The markup-looking text a page shows as text: the ``<br>`` of ``<h1>30 Years of &lt;br&gt; Tags</h1>``.

Parsed, an attribute holds the same string whether the page wrote ``&lt;br&gt;`` or ``<br>`` there,
so a meta value alone cannot say whether its "<br>" is text or markup; the text the page shows can (a
tag written as one is an element, not text). A field's markup-looking text that the page shows is
text and stays; the rest is markup and goes (:func:`feedsvc.text.strip_markup`, which every reader of
a field calls with this set: the meta tags, JSON-LD, the content loader and the lead image's texts).
Pure; a leaf of the metadata package.
"""

from __future__ import annotations

import lxml.html

from feedsvc.text import markup_tokens

__all__ = ["DISABLED", "RULES", "shown_markup"]

RULES: dict[str, str] = {
    "shown_markup": "markup-looking text the page shows as text ('30 Years of &lt;br&gt; Tags' in its <h1>) stays in "
    "the fields that hold it (title, summary, tags, names, a picture's texts): it is text, escaped wherever it lands",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

# The page's text that holds a "<": what a reader sees of it, so not a script's, a style's, a
# template's, nor a <noscript>'s (a browser running scripts shows none of it). Not the <title>'s either:
# it is raw text, where "<script>" typed as such shows in the tab as "&lt;script&gt;" would, and a
# content system that leaves a tag in it has not written text.
_TEXT_WITH_ANGLES = (
    "//body//text()[contains(., '<')]"
    "[not(ancestor::script or ancestor::style or ancestor::template or ancestor::noscript)]"
)


def shown_markup(root: lxml.html.HtmlElement) -> frozenset[str]:
    """Return the markup-looking texts (:func:`~feedsvc.text.markup_tokens`) the page ``root`` shows as text."""
    if "shown_markup" in DISABLED:
        return frozenset()
    return frozenset(token for text in root.xpath(_TEXT_WITH_ANGLES) for token in markup_tokens(text))
