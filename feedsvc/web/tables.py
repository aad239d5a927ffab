"""Tables on article pages: a table wider than the column scrolls sideways instead of being cut off.

Pure, on the body's tree that :func:`feedsvc.web.body.page_body` parses once for
its pictures and its tables: each outermost ``<table>`` is put inside a scrolling region. Only pages take this: feeds carry the cleaned
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

import lxml.html

from feedsvc.text import one_line, shorten

__all__ = ["SCROLL_CLASS", "wrap_tables"]

SCROLL_CLASS = "table-scroll"
# The longest region name read out before the table (a caption can be a paragraph).
_NAME_MAX_CHARS = 80


def wrap_tables(root: lxml.html.HtmlElement) -> None:
    """Wrap each table of the body ``root`` not inside another one in a scrolling region."""
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
