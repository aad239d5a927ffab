"""What the cleaner removed, and why: the recorder the stages report to.

Every stage takes an optional :class:`Recorder`. Without one (the normal
``clean_html`` call) a stage only checks ``rec is not None`` before each
removal, so explaining costs nothing when nobody asks. With one, each
removal is kept as a :class:`Removal`: the stage, the rule or reason, where
the block was and the start of its text. Most removals reach it through
``feedsvc.clean.dom.remove``. ``feedsvc clean --explain`` prints them
(:func:`format_removals`) and ``--report`` draws them over the page
(:mod:`feedsvc.clean.report`).

Pure; a leaf of ``feedsvc.clean``: it imports nothing from the package,
and every stage may import it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import lxml.html
from lxml.html import HtmlElement

__all__ = [
    "INVISIBLE_TAGS",
    "STAGES",
    "Recorder",
    "Removal",
    "describe",
    "describe_path",
    "format_removals",
    "kept_summary",
    "number_elements",
    "quoted",
    "spaced_text",
    "stage_counts",
]

# The stages, in the order they run, with what a removal by each means.
STAGES: dict[str, str] = {
    "rules": "site rules (strip rules, and what lies outside the body selector)",
    "prune": "never article text (scripts, navigation, hidden, furniture by class/id)",
    "extract": "outside the main content",
    "boilerplate": "boilerplate inside the article",
    "normalise": "unusable media and embeds",
}
# Removed elements that a reader never sees: summarised, not listed.
INVISIBLE_TAGS = frozenset(
    "script style noscript template link meta head title base svg canvas map area datalist".split()
)
_EXCERPT_CHARS = 90


@dataclass(frozen=True)
class Removal:
    """One block the cleaner removed.

    :param stage: the stage that removed it (a key of STAGES).
    :param reason: the rule or reason, e.g. "strip '.donation-appeal'".
    :param tag: the element's tag.
    :param where: a short CSS-like path to it, e.g. "main > article.post > aside.donation-appeal".
    :param excerpt: the start of its text, white space collapsed ("" if none).
    :param chars: how many characters of text it held.
    :param node: its position in document order in the parsed page, for
        the HTML report; None for an element the cleaner made itself.
    :param outside: True when it went for lying outside the chosen article.
    :param text: all of its text, blocks and line breaks apart, white space
        collapsed (see :func:`spaced_text`): what ``bench/lost_text.py``
        matches the annotated article text against to say which rule removed it.
    """

    stage: str
    reason: str
    tag: str
    where: str
    excerpt: str
    chars: int
    node: int | None = None
    outside: bool = False
    text: str = field(default="", repr=False, compare=False)

    @property
    def around(self) -> bool:
        """True for page furniture around the article, False for a block cut from the article itself."""
        return self.outside or self.stage in ("prune", "extract")

    @property
    def visible(self) -> bool:
        """False for what a reader never sees anyway (scripts, styles, metadata, empty boxes)."""
        return (self.tag not in INVISIBLE_TAGS and self.chars > 0) or self.tag in ("img", "iframe", "video")


@dataclass
class Recorder:
    """Collects removals as the stages make them.

    ``ids`` maps the parsed page's elements to their document-order
    position (see :func:`number_elements`); elements keep their identity
    while the tree is rearranged, so a removal can be found again in a
    fresh parse of the same page.
    """

    ids: dict[HtmlElement, int] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)

    def removed(self, stage: str, el: HtmlElement, reason: str, outside: bool = False) -> None:
        """Record that ``stage`` is about to remove ``el`` for ``reason``."""
        text = " ".join(el.text_content().split()) if el.tag not in INVISIBLE_TAGS else ""
        excerpt = text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1].rstrip() + "…"
        spaced = spaced_text(el) if text else ""
        self.removals.append(
            Removal(
                stage, reason, str(el.tag), describe_path(el), excerpt, len(text), self.ids.get(el), outside, spaced
            )
        )

    def outside(self, kept: Sequence[HtmlElement], stage: str, reason: str) -> None:
        """Record every element that goes because it is outside ``kept`` (the chosen article blocks)."""
        if not kept:
            return
        keep = set(kept)
        ancestors: set[HtmlElement] = set()
        for el in kept:
            ancestors.update(el.iterancestors())
        top = kept[0].getroottree().getroot()
        doomed = [
            el
            for el in top.iter()
            if isinstance(el.tag, str) and el not in keep and el not in ancestors and el.getparent() in ancestors
        ]
        for el in doomed:
            self.removed(stage, el, reason, outside=True)


# Elements a reader sees apart from the text around them (blocks, items, cells, line breaks).
_APART_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)


def spaced_text(el: HtmlElement) -> str:
    """Return ``el``'s text as a reader reads it, white space collapsed: list items and blocks apart.

    ``text_content()`` runs "<li>Pro Git</li><li>Git guides</li>" into
    "Pro GitGit guides"; here they stay two phrases, while inline markup
    ("<b>Fee</b>s") still joins its word.
    """
    parts: list[str] = []
    _spaced_parts(el, parts)
    return " ".join("".join(parts).split())


def _spaced_parts(node: HtmlElement, parts: list[str]) -> None:
    # A module function, not a closure: one that calls itself is a reference cycle.
    apart = node.tag in _APART_TAGS
    if apart:
        parts.append(" ")
    if node.text and isinstance(node.tag, str) and node.tag not in INVISIBLE_TAGS:
        parts.append(node.text)
    for child in node:
        if isinstance(child.tag, str) and child.tag not in INVISIBLE_TAGS:
            _spaced_parts(child, parts)
        if child.tail:
            parts.append(child.tail)
    if apart:
        parts.append(" ")


def number_elements(root: HtmlElement) -> dict[HtmlElement, int]:
    """Return each element of ``root``'s tree with its position in document order."""
    return {el: i for i, el in enumerate(el for el in root.iter() if isinstance(el.tag, str))}


def quoted(text: str) -> str:
    """Return ``text`` in single quotes as written (no escaping): selectors and patterns in reasons."""
    return f"'{text}'"


def describe(el: HtmlElement) -> str:
    """Return ``el`` as a short CSS-like step: ``tag#id.class1.class2``."""
    step = str(el.tag)
    ident = (el.get("id") or "").strip()
    if ident and len(ident) <= 40:
        step += "#" + ident.split()[0]
    classes = (el.get("class") or "").split()[:2]
    step += "".join("." + c for c in classes if len(c) <= 40)
    return step


def describe_path(el: HtmlElement, depth: int = 3) -> str:
    """Return the last ``depth`` steps of the path to ``el`` (``main > article.post > aside``)."""
    steps = [describe(el)]
    for anc in el.iterancestors():
        if anc.tag in ("html", "body") or len(steps) >= depth:
            break
        steps.append(describe(anc))
    return " > ".join(reversed(steps))


def stage_counts(removals: Iterable[Removal]) -> Counter[str]:
    """Return how many removals each stage made."""
    return Counter(r.stage for r in removals)


def format_removals(removals: Sequence[Removal], kept_html: str = "") -> str:
    """Return the terminal report: one line per visible removal, grouped by stage, then counts.

    What a reader never sees (scripts, styles, metadata, empty elements)
    is summarised in one line per stage rather than listed.
    """
    lines: list[str] = []
    for stage, meaning in STAGES.items():
        mine = [r for r in removals if r.stage == stage]
        if not mine:
            continue
        lines.append(f"{stage}: {meaning} ({len(mine)})")
        shown = [r for r in mine if r.visible]
        for r in shown:
            excerpt = f' "{r.excerpt}"' if r.excerpt else ""
            lines.append(f"  - {r.reason}: {r.where}{excerpt}")
        hidden = Counter(r.tag for r in mine if not r.visible)
        if hidden:
            summary = ", ".join(f"<{tag}> x{n}" if n > 1 else f"<{tag}>" for tag, n in sorted(hidden.items()))
            lines.append(f"  - not visible to readers: {summary}")
    counts = stage_counts(removals)
    total = ", ".join(f"{stage} {counts.get(stage, 0)}" for stage in STAGES)
    lines.append(f"removed: {total}")
    if kept_html:
        lines.append(f"kept: {kept_summary(kept_html)}")
    return "\n".join(lines)


def kept_summary(kept_html: str) -> str:
    """Return "N blocks, M words" for a clean article fragment."""
    if not kept_html.strip():
        return "nothing"
    root = lxml.html.fragment_fromstring(kept_html, create_parent="div")
    blocks = sum(1 for el in root if isinstance(el.tag, str))
    words = len(root.text_content().split())
    return f"{blocks} blocks, {words} words"
