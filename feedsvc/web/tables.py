"""Tables on article pages: a table wider than the column scrolls sideways instead of being cut off.

Pure: the page's body HTML in, the same HTML with each outermost ``<table>``
inside a scrolling region out. Only pages take this: feeds carry the cleaned
HTML as it is (a reader app lays tables out itself).

The scrolling is the wrapper's (``.table-scroll`` in static/style.css,
``overflow-x: auto``), not the table's: a table given ``display: block``
to scroll loses its table role in some browsers' accessibility trees, and a
screen reader then reads its cells as loose text, with no row or column to
move by. The wrapper is a named region (its caption, else "Table") that takes
the keyboard focus (``tabindex="0"``), so a reader without a mouse can scroll it
with the arrow keys.
"""

from __future__ import annotations

import lxml.etree
import lxml.html

from feedsvc.clean.sanitise import serialise_children
from feedsvc.text import one_line, shorten, xml_safe

__all__ = ["SCROLL_CLASS", "scrolling_tables"]

SCROLL_CLASS = "table-scroll"
# The longest region name read out before the table (a caption can be a paragraph).
_NAME_MAX_CHARS = 80


def scrolling_tables(body_html: str) -> str:
    """Return ``body_html`` with each table not inside another one wrapped in a scrolling region."""
    if "<table" not in body_html.lower():
        return body_html
    try:
        root = lxml.html.fragment_fromstring(xml_safe(body_html), create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return body_html
    tables = [table for table in root.iter("table") if not any(a.tag == "table" for a in table.iterancestors())]
    for table in tables:
        caption = table.find("caption")
        name = one_line(caption.text_content()) if caption is not None else ""
        region = lxml.html.Element(
            "div",
            {
                "class": SCROLL_CLASS,
                "role": "region",
                "tabindex": "0",
                "aria-label": shorten(name, _NAME_MAX_CHARS) or "Table",
            },
        )
        table.addprevious(region)
        region.append(table)  # moves the table, and its tail text with it
        region.tail, table.tail = table.tail, None
    return serialise_children(root)
