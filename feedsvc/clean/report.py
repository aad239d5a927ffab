"""The HTML report of ``feedsvc clean --explain --report``: the page with what the cleaner removed marked.

The page's visible structure is redrawn (headings, paragraphs, lists,
tables, links as text; images and embeds as labelled boxes), without the
site's scripts, styles or attributes, and passed through nh3. Each removed
block is outlined in its stage's colour with the reason as a label; what
the cleaner kept is left unmarked. A Content-Security-Policy meta tag
forbids scripts, network access and forms, so opening a report runs
nothing and fetches nothing.

Pure (it returns the document; ``feedsvc clean --report`` writes it). The
top of ``feedsvc.clean``: it draws what the pipeline returned, and nothing
below it imports it.
"""

from __future__ import annotations

import html as html_lib
from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlsplit

import lxml.html
import nh3
from lxml.html import HtmlElement

from feedsvc.clean import CLEANER_VERSION
from feedsvc.clean.dom import parse
from feedsvc.clean.explain import INVISIBLE_TAGS, STAGES, Removal, kept_summary, number_elements

__all__ = ["CSP", "STAGE_COLOURS", "render_report"]

# Stage colours: strong for what was cut from the article, muted for the
# page around it.
STAGE_COLOURS = {
    "rules": "#7b2cbf",
    "prune": "#5c6b7a",
    "extract": "#8d99a6",
    "boilerplate": "#d62828",
    "normalise": "#e07a00",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_DISPLAY_TAGS = frozenset(
    """
    div span section article main header footer nav aside p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd
    table caption thead tbody tfoot tr td th figure figcaption blockquote pre code em strong b i u s
    small sub sup br hr a time abbr mark del ins q cite details summary address kbd samp var
    """.split()
)
_INLINE_TAGS = frozenset(
    "a span em strong b i u s small sub sup time abbr mark del ins q cite code kbd samp var label font".split()
)
_EMBED_TAGS = frozenset("iframe embed object video audio".split())
_CONTROL_TAGS = frozenset("input button select textarea".split())
_DROPPED = INVISIBLE_TAGS | {"head", "option", "optgroup", "source", "track", "param"}

_STYLE = """
:root { --ink: #1d2329; }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); margin: 0; background: #fff; }
.fs-top { position: sticky; top: 0; z-index: 10; background: #f6f7f9; border-bottom: 1px solid #ccd; padding: 12px 24px; }
.fs-top h1 { font-size: 18px; margin: 0 0 4px; }
.fs-top p { margin: 2px 0; font-size: 14px; }
.fs-legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 6px; font-size: 14px; }
.fs-legend span.fs-sw { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 5px; }
.fs-kept-sw { border: 1px solid #999; background: #fff; }
details.fs-out { margin: 12px 24px; border: 1px solid #2a9d8f; border-radius: 6px; padding: 6px 12px; }
details.fs-out summary { cursor: pointer; font-weight: 600; color: #1f776c; }
main.fs-page { max-width: 980px; margin: 16px auto 80px; padding: 0 24px; }
main.fs-page a { color: #1a5fb4; }
main.fs-page img, main.fs-page svg { display: none; }
.fs-media { display: inline-block; border: 1px dashed #99a; color: #556; font-size: 13px; padding: 2px 8px; margin: 2px; background: #f4f5f7; }
.fs-ctl { display: inline-block; border: 1px solid #aab; border-radius: 4px; font-size: 13px; padding: 0 6px; margin: 0 2px; background: #eef; }
main.fs-page table { border-collapse: collapse; }
main.fs-page td, main.fs-page th { border: 1px solid #dde; padding: 2px 6px; }
[data-fs] { position: relative; outline: 2px solid var(--c); outline-offset: 2px; margin-top: 1.7em; }
[data-fs]::before { content: attr(data-fs); position: absolute; left: -2px; top: -1.55em; z-index: 2; white-space: nowrap;
  max-width: 90vw; overflow: hidden; text-overflow: ellipsis; font: 600 12px/1.35 system-ui, sans-serif; color: #fff;
  background: var(--c); padding: 1px 6px; border-radius: 3px 3px 0 0; text-decoration: none; }
span[data-fs], a[data-fs], .fs-media[data-fs] { margin-top: 0; }
.fs-nested { margin-top: 0; outline-width: 1px; }
.fs-nested::before { display: none; }
.fs-cut { background: color-mix(in srgb, var(--c) 9%, white); text-decoration: line-through; text-decoration-color: var(--c); }
.fs-around { color: #6b737c; background: repeating-linear-gradient(135deg, #fafbfc 0 8px, #f1f3f5 8px 16px); outline-style: dashed; }
.fs-around .fs-cut { color: var(--ink); }
"""


def render_report(
    page_html: str,
    removals: Sequence[Removal],
    cleaned_html: str = "",
    *,
    source: str = "",
    url: str | None = None,
    rules_note: str = "",
) -> str:
    """Return a self-contained HTML document showing ``page_html`` with ``removals`` marked.

    :param page_html: the page that was cleaned (as given to the cleaner).
    :param removals: what ``clean_html_explained`` returned for it.
    :param cleaned_html: the cleaner's output, shown folded at the top.
    :param source: the file name, for the heading.
    :param url: the page's URL, if known.
    :param rules_note: a line about the site rules used ("" for none).
    """
    root = parse(page_html) if isinstance(page_html, str) and page_html.strip() else None
    body_markup = ""
    title = ""
    if root is not None:
        title_el = root.find(".//title")
        title = " ".join(title_el.text_content().split()) if title_el is not None else ""
        _mark(root, removals)
        body = root.find("body")
        if body is not None:
            _redraw(body)
            body_markup = _sanitise("".join(lxml.html.tostring(c, encoding="unicode") for c in body))
            if body.text and body.text.strip():
                body_markup = html_lib.escape(body.text) + body_markup
    counts = Counter(r.stage for r in removals)
    hidden = sum(1 for r in removals if not r.visible)
    legend = "".join(
        f'<span><span class="fs-sw" style="background:{STAGE_COLOURS[s]}"></span>'
        f"<b>{s}</b>&nbsp;({counts.get(s, 0)}): {html_lib.escape(meaning)}</span>"
        for s, meaning in STAGES.items()
    )
    legend += (
        '<span><span class="fs-sw fs-kept-sw"></span><b>unmarked</b>: kept in the article</span>'
        "<span>struck through: cut from the article · hatched: page around the article</span>"
    )
    esc = html_lib.escape
    meta = [
        f"file: {esc(source)}" if source else "",
        f"URL: {esc(url)}" if url else "URL: none given",
        esc(rules_note) or "site rules: none",
        f"cleaner version {esc(CLEANER_VERSION)}",
    ]
    out_block = _sanitise(_redraw_fragment(cleaned_html)) if cleaned_html.strip() else "<p><i>nothing</i></p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<title>Cleaner report: {esc(title or source or "page")}</title>
<style>{_STYLE}
{"".join(f".fs-{s} {{ --c: {c}; }}" for s, c in STAGE_COLOURS.items())}
</style>
</head>
<body>
<header class="fs-top">
<h1>What the cleaner removed from {esc(title or source or "this page")}</h1>
<p>{" · ".join(m for m in meta if m)}</p>
<p>Kept: {esc(kept_summary(cleaned_html))}. Removed: {len(removals)} blocks ({hidden} of them never visible: scripts, styles, metadata, empty boxes; not drawn). Hover a label for the full reason and where the block was.</p>
<div class="fs-legend">{legend}</div>
</header>
<details class="fs-out"><summary>The clean article ({esc(kept_summary(cleaned_html))})</summary>
{out_block}
</details>
<main class="fs-page">
{body_markup}
</main>
</body>
</html>
"""


def _mark(root: HtmlElement, removals: Sequence[Removal]) -> None:
    """Put each removal's stage class, label and reason on its element in ``root``."""
    by_position = {pos: el for el, pos in number_elements(root).items()}
    for removal in removals:
        el = by_position.get(removal.node) if removal.node is not None else None
        if el is None or el.get("data-fs") is not None:
            continue
        kind = "fs-around" if removal.around else "fs-cut"
        el.set("data-fs-mark", f"fs-{removal.stage} {kind}")
        el.set("data-fs", f"{removal.stage}: {removal.reason}")
        el.set("data-fs-title", f"{removal.stage}: {removal.reason}\n{removal.where}")
    # Furniture inside furniture (a button in a removed header) gets an
    # outline but no label of its own: the outer label says it all.
    for el in root.iter():
        mark = el.get("data-fs-mark") if isinstance(el.tag, str) else None
        if (
            mark
            and "fs-around" in mark
            and any("fs-around" in (a.get("data-fs-mark") or "") for a in el.iterancestors())
        ):
            el.set("data-fs-mark", mark + " fs-nested")


def _redraw(body: HtmlElement) -> None:
    """Rewrite ``body`` in place into inert display markup: known tags, no site attributes."""
    for el in list(body.iter()):
        if el is body or el.getparent() is None:
            continue
        if not isinstance(el.tag, str):  # comments, processing instructions
            el.drop_tree()
            continue
        tag = el.tag.lower()
        if tag in _DROPPED:
            el.drop_tree()
            continue
        marks = (el.get("data-fs-mark"), el.get("data-fs"), el.get("data-fs-title"))
        href = el.get("href") if tag == "a" else None
        if tag == "img":
            alt = " ".join((el.get("alt") or "").split())
            el = _replace_with_box(el, f"image: {alt}" if alt else "image", "fs-media")
        elif tag in _EMBED_TAGS:
            src = el.get("src") or el.get("data-src") or el.get("data") or ""
            host = (urlsplit(src).hostname or "") if src.startswith(("http", "//")) else ""
            el = _replace_with_box(el, f"{tag}: {host}" if host else tag, "fs-media")
        elif tag in _CONTROL_TAGS:
            text = " ".join(
                (el.text_content() or el.get("value") or el.get("placeholder") or el.get("type") or tag).split()
            )
            el = _replace_with_box(el, text or tag, "fs-ctl")
        else:
            el.attrib.clear()
            if tag not in _DISPLAY_TAGS:
                el.tag = "span" if tag in _INLINE_TAGS else "div"
            if href:
                el.set("title", href)
        mark, label, tip = marks
        if mark:
            el.set("class", f"{el.get('class', '')} {mark}".strip())
            el.set("data-fs", label or "")
            el.set("title", tip or "")


def _replace_with_box(el: HtmlElement, text: str, cls: str) -> HtmlElement:
    """Replace ``el`` with a labelled inline box and return the box."""
    box = lxml.html.Element("span")
    box.text = f"[{text}]"
    box.set("class", cls)
    box.tail = el.tail
    parent = el.getparent()
    if parent is not None:
        parent.replace(el, box)
    return box


def _redraw_fragment(fragment: str) -> str:
    """Return a clean article fragment redrawn for the report (images as boxes)."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - the report must render whatever the cleaner gave
        return html_lib.escape(fragment)
    _redraw(root)
    return "".join(lxml.html.tostring(c, encoding="unicode") for c in root)


def _sanitise(markup: str) -> str:
    """Return ``markup`` reduced to display tags and the report's own attributes (nh3)."""
    return nh3.clean(
        markup,
        tags=set(_DISPLAY_TAGS),
        attributes={"*": {"class", "title", "data-fs"}},
        url_schemes={"http", "https"},
        clean_content_tags={"script", "style"},
        strip_comments=True,
        link_rel=None,
    )
