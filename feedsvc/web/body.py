"""An article's body as its page shows it: its pictures (:mod:`feedsvc.web.figures`) and tables
(:mod:`feedsvc.web.tables`), from one parse of the cleaned HTML.

Pure: the article's cleaned HTML and its lead image in, the page's body HTML
and the figure to show above it out. Only pages take this: feeds carry the
cleaned HTML as it is. A body with neither an ``<img>`` nor a ``<table>`` is
not parsed, and comes out as it went in.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.etree
import lxml.html

from feedsvc.clean.sanitise import serialise_children
from feedsvc.model import Image
from feedsvc.text import xml_safe
from feedsvc.web.figures import lead_to_show, show_pictures
from feedsvc.web.tables import wrap_tables

__all__ = ["PageBody", "page_body"]


@dataclass(frozen=True)
class PageBody:
    """The article's HTML as the page shows it, and the lead figure to show above it (None: none)."""

    html: str
    lead: Image | None


def page_body(content_html: str, lead: Image | None) -> PageBody:
    """Return the page's body HTML (images lazy, the leading one eager; tables in scrolling regions)
    and the lead figure to put above it (see :func:`feedsvc.web.figures.show_pictures`).

    The pictures and the tables are done on one tree: parsing the body once
    for each (and serialising it in between) cost a page with both twice the parse.
    """
    lead = lead_to_show(lead)
    lowered = content_html.lower()
    pictures, tables = "<img" in lowered, "<table" in lowered
    if not pictures and not tables:
        return PageBody(content_html, lead)
    try:
        root = lxml.html.fragment_fromstring(xml_safe(content_html), create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return PageBody(content_html, lead)
    if pictures:
        lead = show_pictures(root, lead)
    if tables:
        wrap_tables(root)
    return PageBody(serialise_children(root), lead)
