"""Markdown articles: ``articles/<slug>.md`` with a TOML front matter block.

Pure. The file starts with a ``+++`` line, the front matter (the same keys
as a sidecar), a closing ``+++`` line, then CommonMark (with tables and
strikethrough). The HTML it renders to goes through the same cleaner and
sanitiser as any page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt

from feedsvc.content.toml_text import parse_toml

__all__ = ["FENCE", "FrontMatterError", "MarkdownDocument", "render_markdown", "split_front_matter"]

FENCE = "+++"
_FENCE_LINE = re.compile(r"^\+\+\+[ \t]*$")
_YAML_FENCE = re.compile(r"^---[ \t]*$")
_TOML_LINE = re.compile(r"line (\d+)")


class FrontMatterError(ValueError):
    """The front matter block is not usable; the message says the fix."""


@dataclass(frozen=True)
class MarkdownDocument:
    front_matter: dict[str, Any]  # with TOML mistakes: what the lines without them say
    body: str  # the Markdown after the front matter
    problems: tuple[str, ...] = ()  # every TOML mistake of the front matter, each naming its line


def split_front_matter(text: str) -> MarkdownDocument:
    """Split ``text`` into its TOML front matter (``{}`` without one) and the Markdown body."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines:
        return MarkdownDocument({}, "")
    first = lines[0].rstrip("\r\n")
    if _YAML_FENCE.match(first):
        raise FrontMatterError(
            "starts with '---' (YAML front matter), which is not supported; "
            f"write the metadata as TOML between two '{FENCE}' lines"
        )
    if not _FENCE_LINE.match(first):
        return MarkdownDocument({}, text.removeprefix("\ufeff"))
    for index, line in enumerate(lines[1:], start=1):
        if _FENCE_LINE.match(line.rstrip("\r\n")):
            block = "".join(lines[1:index])
            break
    else:
        raise FrontMatterError(f"the front matter opened by '{FENCE}' on line 1 is never closed; add a '{FENCE}' line")
    data, mistakes = parse_toml(block)
    # the block's lines are counted from 1; the file has the opening +++ before them
    problems = tuple(
        _TOML_LINE.sub(lambda match: f"line {int(match.group(1)) + 1}", mistake).replace(
            "invalid TOML:", "invalid TOML in the front matter:", 1
        )
        for mistake in mistakes
    )
    return MarkdownDocument(data or {}, "".join(lines[index + 1 :]), problems)


def _renderer() -> MarkdownIt:
    # Raw HTML is allowed through: the sanitiser after cleaning is what makes it safe.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_markdown(body: str) -> str:
    """Return the HTML of the Markdown ``body``."""
    # A renderer per call: cheap, and never shared between threads.
    html: str = _renderer().render(body)  # typed Any by markdown-it (its renderer is pluggable); ours is HTML
    return html
