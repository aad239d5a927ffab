"""``feedsvc init``: start a content folder with a commented site.toml and an example article.

An edge (it writes files), around pure functions that make their text. It
asks nothing: the required settings get placeholders that serve at once on
this machine (``feedsvc serve``), each commented with what to put there;
every other setting is written commented out, at its default, with its help.
It never overwrites: if any file it would write exists, it writes none.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

from feedsvc.content.site import SETTINGS

__all__ = ["EXAMPLE_SLUG", "InitError", "example_article", "init_folder", "site_toml_text"]

EXAMPLE_SLUG = "welcome"

# What the required settings start as, and what to put there instead.
_PLACEHOLDERS = {
    "title": ("My News Site", "Change it to your site's name."),
    "base_url": (
        "http://127.0.0.1:8000",
        "Where `feedsvc serve` listens; change it to the public URL before publishing.",
    ),
    "default_author": ("The Editors", "Change it to the name readers should see on articles that name no author."),
}


class InitError(Exception):
    """The folder cannot be started here; the message names the file and the fix."""


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's
    return str(value)


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, width=98, initial_indent="# ", subsequent_indent="# ")


def site_toml_text(year: int) -> str:
    """Return a site.toml: the required keys set to placeholders, every other key commented out at its default."""
    lines = [
        "# The settings of this site. Required: title, base_url, id_authority, default_author;",
        "# every other key is commented out at its default: remove the '#' to change it.",
        "# `feedsvc serve --check-config` checks this file; docs/reference/settings.md lists every key.",
        "",
    ]
    authority = (
        "Change example.org to a domain (or an e-mail address) you control, and the year to one in "
        "which you controlled it: entry ids are made from it and must never change afterwards."
    )
    placeholders = {**_PLACEHOLDERS, "id_authority": (f"example.org,{year}", authority)}
    for setting in SETTINGS:
        lines.extend(_comment(setting.help))
        if setting.default is None:
            value, advice = placeholders[setting.name]
            lines.extend(_comment(advice))
            lines.append(f"{setting.name} = {_toml_value(value)}")
        else:
            lines.append(f"# {setting.name} = {_toml_value(setting.default)}")
        lines.append("")
    lines.extend(line.replace("{year}", str(year)) for line in _SOURCE_EXAMPLE)
    return "\n".join(lines)


# A commented [[source]] table (indented under the '#', so that it reads as an example,
# not as a default): how to follow a site, kept current by `feedsvc follow` or `feedsvc serve`.
_SOURCE_EXAMPLE = (
    "# Sources: sites this one follows. Each [[source]] table names a site's feed (RSS, Atom or JSON",
    "# Feed) or its sitemap; `feedsvc serve` (or `feedsvc follow --once` from cron) imports its new and",
    "# changed articles, cleaned, and publishes them in the site's feeds and in the source's own,",
    "# /sources/<name>/feed.atom. To follow one, remove the '#  ' of these lines and change them;",
    "# add a [[source]] table per site. docs/reference/settings.md lists every key.",
    "#  [[source]]",
    '#  name = "example-news"                       # its feeds: /sources/example-news/feed.atom, …',
    '#  feed = "https://news.example.com/feed.xml"  # or: sitemap = "https://news.example.com/sitemap.xml"',
    '#  every = "30m"                               # how often it is polled (at least "1m")',
    "#  max_new = 20                                # new articles imported per poll, at most",
    "#  since = {year}-01-01                          # entries older than this are left out",
    '#  # rules = "rules/news.example.com.toml"     # a site rules file for its pages (it must exist)',
    '#  status = "active"                           # or "paused": not polled, its articles stay',
    '#  title = "Example News"                      # the title of its feeds; left out, its name',
    '#  link = "https://news.example.com/"          # its home page; left out, the scheme and host of its URL',
    '#  removed = "keep"                            # an item it drops: "keep" its article or "withdraw" it',
    '#  recheck = "1d"                              # how often recent pages are asked again for edits (0: never)',
    "",
)


def example_article(today: date) -> dict[str, str]:
    """Return the example article's files (name under articles/ -> text): its HTML and its sidecar."""
    html = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Welcome to your new site</title></head>
<body>
<article>
<h1>Welcome to your new site</h1>
<p>This is an example article. Every HTML file in the articles folder is an article: feedsvc cleans it,
publishes it as a page, and puts it in the site's Atom, RSS and JSON feeds.</p>
<p>A file beside it with the same name and the extension .toml (a sidecar) can set its date, authors,
tags, summary and lead image; this one sets its date, an author and two tags.</p>
<p>Replace this article with your own, or delete both files. Run <code>feedsvc check</code> to see what
will be published, and <code>feedsvc serve</code> to see the site.</p>
</article>
</body>
</html>
"""
    sidecar = f"""\
# The sidecar of welcome.html: what the page itself does not say (docs/content.md lists every key).
published = {today.isoformat()}
author = "The Editors"
tags = ["Getting started", "Examples"]
# The lead image (readers' thumbnails, the top of the page); without one, the article's first picture:
# image = "https://example.org/media/welcome.jpg"
"""
    return {f"{EXAMPLE_SLUG}.html": html, f"{EXAMPLE_SLUG}.toml": sidecar}


def init_folder(folder: Path, today: date) -> list[Path]:
    """Write site.toml and the example article under ``folder``; return the files written.

    :raise InitError: one of them exists already (nothing is written), or the folder cannot be written.
    """
    files = {folder / "site.toml": site_toml_text(today.year)}
    files.update((folder / "articles" / name, text) for name, text in example_article(today).items())
    existing = [str(path) for path in files if path.exists() or path.is_symlink()]
    if existing:
        raise InitError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; feedsvc init never "
            "overwrites: give a new or empty folder, or move the file away"
        )
    try:
        (folder / "articles").mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            with path.open("x", encoding="utf-8") as out:  # "x": a file made meanwhile is not overwritten either
                out.write(text)
    except OSError as error:
        raise InitError(f"{folder}: cannot write the content folder there: {error.strerror or error}") from error
    return list(files)
