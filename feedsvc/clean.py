"""Clean article HTML: raw page or fragment in, safe article body out.

The public entry points are ``clean_html``, ``summarize``, ``SiteRules`` and
``parse_rules``. All are pure: no file, network or clock access.

``clean_html`` runs small stages over one ``lxml.html`` tree:

1. site rules (``feedsvc.clean_rules``): strip selectors, class/id
   fragments and text patterns, and the body selector when one is given;
2. main-content extraction (``feedsvc.clean_extract``) for whole pages
   without a body rule;
3. boilerplate blocks inside the article (``feedsvc.clean_boiler``):
   appeals, promos, link lists, furniture lines, the headline;
4. normalisation (``feedsvc.clean_normalise``): absolute URLs, lazy images,
   embeds to links, tracking parameters;
5. sanitising by allowlist with nh3, tidying, XML-safe text
   (``feedsvc.clean_sanitise``).

The policy each stage applies is data in ``feedsvc.clean_policy``.
"""

from __future__ import annotations

import logging
import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean_boiler import remove_boilerplate, remove_headline
from feedsvc.clean_extract import find_article, prune
from feedsvc.clean_normalise import effective_base, normalise
from feedsvc.clean_policy import BLOCK_TAGS
from feedsvc.clean_rules import SiteRules, apply_strip_rules, parse_rules, rule_body
from feedsvc.clean_sanitise import sanitise, serialise_children
from feedsvc.text import one_line, xml_safe

try:  # selectolax is a declared dependency; without it, lxml parses alone.
    from selectolax.lexbor import LexborHTMLParser as _html5_reserialise
except ImportError:  # pragma: no cover
    _html5_reserialise = None

__all__ = ["SiteRules", "clean_html", "parse_rules", "summarize"]

LOGGER = logging.getLogger(__name__)

_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
_WHOLE_PAGE = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)
_ELLIPSIS = "…"


def clean_html(html: str, base_url: str | None = None, rules: SiteRules | None = None) -> str:
    """Return the clean, sanitised article body of ``html`` as an HTML fragment.

    :param html: a whole saved page or a body fragment.
    :param base_url: the page's URL; relative links and images resolve
        against it (or against an http(s) ``<base href>`` in the page).
    :param rules: the site's cleaning rules, if it has any.
    :returns: the article's paragraphs, headings, lists, quotes, tables and
        figures, with absolute http(s) URLs, no scripts, styles, embeds or
        event handlers, and no XML-illegal characters; ``""`` when nothing
        is left. Never raises on a ``str``.
    """
    try:
        return _clean(html, base_url, rules)
    except Exception:  # noqa: BLE001 - a bad page must not stop a site build
        LOGGER.warning("cleaning failed; falling back to sanitising the whole input", exc_info=True)
        try:
            return sanitise(html if isinstance(html, str) else "")
        except Exception:  # noqa: BLE001
            return ""


def _clean(html: str, base_url: str | None, rules: SiteRules | None) -> str:
    if not isinstance(html, str) or not html.strip():
        return ""
    root = parse(html)
    if root is None or root.find("body") is None:
        return ""
    whole_page = _WHOLE_PAGE.search(html) is not None
    title = page_title(root) if whole_page else None
    base = effective_base(root, base_url)

    if rules is not None:
        apply_strip_rules(root, rules)
    bodies = rule_body(root, rules) if rules is not None else []
    if bodies:
        article = lxml.html.Element("div")
        for el in bodies:
            el.tail = None
            article.append(el)
    elif whole_page:
        prune(root)
        article = find_article(root)
    else:
        article = root.find("body")
    if article is None:
        return ""

    if not bodies or rules is None or rules.prune:
        remove_boilerplate(article, pruned=whole_page and not bodies)
    remove_headline(article, title)
    normalise(article, base)
    return sanitise(serialise_children(article) if article.tag != "p" else lxml.html.tostring(article, encoding="unicode", with_tail=False))


def parse(html: str) -> HtmlElement | None:
    """Return the document tree of ``html`` (fragments get an html/body around them), or None.

    libxml2's HTML parser predates HTML5 and mis-nests real pages (an
    unclosed ``<button>`` can swallow the whole article), so the markup is
    first put through lexbor, an HTML5-conformant parser, and its
    well-nested serialisation is what lxml reads. Together they still cost
    a fraction of a BeautifulSoup parse.
    """
    text = xml_safe(html)
    if _html5_reserialise is not None:
        try:
            text = _html5_reserialise(text).html or text
        except Exception:  # noqa: BLE001 - lexbor is a repair step; lxml alone still works
            LOGGER.debug("lexbor could not parse the page; using lxml alone", exc_info=True)
    data = text.encode("utf-8", errors="replace")
    try:
        return lxml.html.document_fromstring(data, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def page_title(root: HtmlElement) -> str | None:
    """Return the page's own title (og:title, else <title>), or None."""
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            content = " ".join((meta.get("content") or "").split())
            if content:
                return content
    title = root.find(".//title")
    if title is not None:
        text = " ".join(title.text_content().split())
        if text:
            return text
    return None


def summarize(clean_html: str, words: int) -> str:
    """Return the opening paragraph(s) of a clean article as one line of plain text.

    Cut at a word boundary to at most ``words`` words, ending with "…" when
    cut; XML-safe. Returns ``""`` for an empty article or ``words < 1``.
    """
    if words < 1 or not clean_html or not clean_html.strip():
        return ""
    root = parse(clean_html)
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    blocks = [one_line(p.text_content()) for p in body.iter("p")]
    blocks = [b for b in blocks if b]
    if not blocks:  # no paragraphs: read the innermost blocks (list items, cells...)
        blocks = [
            one_line(el.text_content())
            for el in body.iter()
            if el is not body and isinstance(el.tag, str) and el.tag in BLOCK_TAGS
            and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el)
        ]
        blocks = [b for b in blocks if b] or [one_line(body.text_content())]
    taken: list[str] = []
    for block in blocks:
        taken.extend(block.split())
        if len(taken) > words:
            break
    if len(taken) <= words:
        return " ".join(taken)
    cut = " ".join(taken[:words]).rstrip(",;:—–-(")
    return cut + _ELLIPSIS
