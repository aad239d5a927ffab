"""The JSON-LD articleBody as a second witness (feedsvc.clean.jsonld): what the edge trim keeps."""

from __future__ import annotations

from feedsvc.clean import clean_html
from support.paths import FIXTURES

URL = "https://news.example.org/2024/05/boxes/"
PAGE = FIXTURES / "clean" / "keeps_the_credit_of_a_quote_the_article_body_confirms.html"


def test_a_quote_the_article_body_confirms_keeps_its_credit_at_the_article_end() -> None:
    # The articleBody ends with the quote's words and leaves out the name and job under them, as it leaves out
    # captions: they are the quote's, not the page's furniture after the article.
    html = clean_html(PAGE.read_text(encoding="utf-8"), URL)
    assert "<p>Dana Whitfield</p><p>President, City Reading Museum</p></blockquote>" in html
    # a line after the quote that the articleBody does not hold still goes
    assert "Prices were checked" not in html
