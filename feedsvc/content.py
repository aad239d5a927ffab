"""The content folder: ``site.toml``, ``articles/<slug>.html`` and their sidecars.

The only module that reads it. Each article either loads, with its metadata
merged by precedence (sidecar > JSON-LD > OpenGraph/meta > visible markup),
or is reported with its path and a reason that says the fix; one bad file
never stops the others. A Markdown article, ``articles/<slug>.md``, carries
its sidecar as TOML front matter and is rendered to HTML here.
"""

from __future__ import annotations

import dataclasses
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .config import SETTINGS, SiteConfigError, parse_site
from .content_decode import binary_reason, decode_html, looks_binary
from .content_markdown import FENCE as FRONT_MATTER_FENCE
from .content_markdown import FrontMatterError, render_markdown, split_front_matter
from .content_sidecar import SIDECAR_KEYS, Sidecar, parse_sidecar
from .content_slug import FALLBACK_SLUG, is_slug, slugify
from .metadata import extract_metadata
from .model import ArticleSource, ContentError, PageMetadata, Problem, Site

__all__ = [
    "MAX_ARTICLE_BYTES",
    "SIDECAR_KEYS",
    "decode_html",
    "discover_articles",
    "load_article",
    "load_articles",
    "load_site",
    "merge_metadata",
]

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIX = ".md"
ARTICLE_SUFFIXES = (".html", ".htm", MARKDOWN_SUFFIX)
SIDECAR_SUFFIX = ".toml"
_TEMP_SUFFIXES = (".swp", ".swo", ".tmp", ".bak", ".part")


def load_site(content_dir: Path, overrides: Mapping[str, Any] | None = None) -> Site:
    """Read and validate ``content_dir/site.toml``; errors name the file and the key."""
    path = content_dir / "site.toml"
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        required = ", ".join(f"{setting.name} = …" for setting in SETTINGS if setting.default is None)
        raise SiteConfigError(f"{path}: not found; create it with at least {required}") from None
    except OSError as error:
        raise SiteConfigError(f"{path}: {_unreadable(error)}") from None
    except UnicodeDecodeError:
        raise SiteConfigError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError(f"{path}: invalid TOML: {error}; fix the syntax there") from None
    try:
        return parse_site(data, overrides)
    except SiteConfigError as error:
        given = f" (overridden: {', '.join(sorted(overrides))})" if overrides else ""
        raise SiteConfigError(f"{path}{given}: {error}") from None


def discover_articles(content_dir: Path) -> list[Path]:
    """Return the article files in ``content_dir/articles``, sorted, without hidden or temp files."""
    listing = _listing(content_dir / "articles")
    return sorted(path for path in listing if path.suffix.lower() in ARTICLE_SUFFIXES)


def load_article(path: Path, site: Site) -> ArticleSource:
    """Load one article and its optional sidecar (or front matter); raise ContentError saying the fix."""
    slug = _slug(path)
    if path.suffix.lower() == MARKDOWN_SUFFIX:
        html, sidecar = _read_markdown(path, site)
        sources = [("front matter", sidecar.metadata), *extract_metadata(html, site.timezone)]
    else:
        html = _read_html(path)
        sidecar = _read_sidecar(path.with_suffix(SIDECAR_SUFFIX), site)
        sources = [("sidecar", sidecar.metadata), *extract_metadata(html, site.timezone)]
    metadata, origins = merge_metadata(sources)
    return ArticleSource(
        slug=slug,
        path=path,
        html=html,
        metadata=metadata,
        pinned_id=sidecar.pinned_id,
        status=sidecar.status,
        origins=origins,
        warnings=tuple(_warnings(metadata, path)),
    )


def load_articles(content_dir: Path, site: Site) -> tuple[list[ArticleSource], list[Problem]]:
    """Load every article in ``content_dir``; each file that fails is a Problem, the rest load."""
    articles_dir = content_dir / "articles"
    if not articles_dir.is_dir():
        reason = "folder not found; create it and put <slug>.html files in it"
        return [], [Problem(articles_dir, reason, "warning")]
    loaded: list[ArticleSource] = []
    problems: list[Problem] = []
    by_slug: dict[str, Path] = {}
    paths = discover_articles(content_dir)
    for path in paths:
        try:
            article = load_article(path, site)
        except ContentError as error:
            problems.append(Problem(error.path, error.reason))
            continue
        except Exception as error:  # noqa: BLE001 - a bug on one page must not hide the whole site
            reason = f"could not be loaded ({type(error).__name__}: {error}); please report this as a bug"
            problems.append(Problem(path, reason))
            continue
        if article.slug in by_slug:
            other = by_slug[article.slug].name
            reason = f"slug '{article.slug}' is already used by {other}; rename or remove one"
            problems.append(Problem(path, reason))
            continue
        by_slug[article.slug] = path
        loaded.append(article)
        problems.extend(Problem(path, warning, "warning") for warning in article.warnings)
    stems = {path.stem for path in paths if path.suffix.lower() != MARKDOWN_SUFFIX}
    markdown_stems = {path.stem for path in paths if path.suffix.lower() == MARKDOWN_SUFFIX}
    for path in sorted(_listing(articles_dir)):
        if path.suffix != SIDECAR_SUFFIX or path.stem in stems:
            continue
        if path.stem in markdown_stems:
            reason = (
                f"ignored: {path.stem}{MARKDOWN_SUFFIX} keeps its metadata in its front matter; "
                f"move these keys into its {FRONT_MATTER_FENCE} block and remove this file"
            )
            problems.append(Problem(path, reason))
        else:
            reason = f"orphan sidecar: no {path.stem}.html next to it; rename it to match an article or remove it"
            problems.append(Problem(path, reason, "warning"))
    return loaded, problems


def merge_metadata(
    sources: Iterable[tuple[str, PageMetadata]],
) -> tuple[PageMetadata, tuple[tuple[str, str], ...]]:
    """Merge field by field, the first source that says something winning; return it and its origins."""
    merged: dict[str, Any] = {}
    origins: list[tuple[str, str]] = []
    for source, metadata in sources:
        for field in dataclasses.fields(PageMetadata):
            value = getattr(metadata, field.name)
            if field.name not in merged and value not in (None, ()):
                merged[field.name] = value
                origins.append((field.name, source))
    order = [field.name for field in dataclasses.fields(PageMetadata)]
    return PageMetadata(**merged), tuple(sorted(origins, key=lambda item: order.index(item[0])))


def _listing(folder: Path) -> list[Path]:
    """Return the regular files in ``folder`` that are not hidden, editor temp or backup files."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return [
        path
        for path in entries
        if not path.name.startswith((".", "#", "~"))
        and not path.name.endswith(("~", "#"))
        and path.suffix.lower() not in _TEMP_SUFFIXES
        and path.is_file()
    ]


def _slug(path: Path) -> str:
    # NFC: macOS writes file names decomposed, URLs and readers expect composed.
    slug = unicodedata.normalize("NFC", path.stem)
    if not is_slug(slug):
        suggestion = slugify(slug) or FALLBACK_SLUG
        raise ContentError(
            path,
            f"file name '{path.name}' is not a usable slug (lower-case letters and digits in "
            f"hyphen-separated words, no spaces, dots or slashes); "
            f"rename it, e.g. to '{suggestion}{path.suffix.lower()}'",
        )
    return slug


def _read_html(path: Path) -> str:
    data = _read_bytes(path)
    reason = binary_reason(data)
    if reason:
        raise ContentError(path, reason)
    html = decode_html(data)
    if not html.strip():
        raise ContentError(path, "is empty; put the article's HTML in it or remove the file")
    if looks_binary(html):
        reason = "is mostly control characters, not HTML text; replace it with the article's HTML"
        raise ContentError(path, reason)
    return html


def _read_markdown(path: Path, site: Site) -> tuple[str, Sidecar]:
    """Return the rendered HTML of a Markdown article and what its front matter says."""
    data = _read_bytes(path)
    reason = binary_reason(data)
    if reason:
        raise ContentError(path, reason.replace("HTML", "Markdown").replace(".html", ".md"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError(path, "is not UTF-8 text; save it as UTF-8") from None
    if looks_binary(text):
        raise ContentError(path, "is mostly control characters, not Markdown text; replace it with the article")
    try:
        document = split_front_matter(text)
    except FrontMatterError as error:
        raise ContentError(path, str(error)) from None
    sidecar = parse_sidecar(document.front_matter, path, site)
    if not document.body.strip():
        reason = "has no Markdown text after its front matter; write the article below the closing "
        raise ContentError(path, reason + FRONT_MATTER_FENCE)
    return render_markdown(document.body), sidecar


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ContentError(path, _too_big(size))
        with path.open("rb") as file:
            data = file.read(MAX_ARTICLE_BYTES + 1)
    except OSError as error:
        raise ContentError(path, _unreadable(error)) from None
    if len(data) > MAX_ARTICLE_BYTES:  # it grew after stat()
        raise ContentError(path, _too_big(len(data)))
    return data


def _unreadable(error: OSError) -> str:
    return f"cannot be read ({error.strerror}); check that it is a readable file"


def _too_big(size: int) -> str:
    return (
        f"is {size:,} bytes, over the {MAX_ARTICLE_BYTES:,}-byte limit for an article; "
        "save only the article page (without inline images or data: URLs)"
    )


def _read_sidecar(path: Path, site: Site) -> Sidecar:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        return Sidecar(PageMetadata())
    except OSError as error:
        raise ContentError(path, _unreadable(error)) from None
    except UnicodeDecodeError:
        raise ContentError(path, "is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(path, f"invalid TOML: {error}; fix the syntax there") from None
    return parse_sidecar(data, path, site)


def _warnings(metadata: PageMetadata, path: Path) -> list[str]:
    if path.suffix.lower() == MARKDOWN_SUFFIX:
        sidecar = f"the front matter of {path.name}"
    else:
        sidecar = path.with_suffix(SIDECAR_SUFFIX).name
    warnings = []
    if metadata.title is None:
        warnings.append(
            f"no title found (sidecar, JSON-LD headline, og:title, <h1> or <title>); the first heading "
            f'will be used; add title = "…" to {sidecar} to set it'
        )
    if metadata.published is None:
        warnings.append(
            "no publication date found (sidecar, JSON-LD datePublished, article:published_time, "
            "<time datetime> or a visible date near the headline); "
            f"add published = 2021-11-23T09:00:00+04:00 to {sidecar}"
        )
    elif metadata.updated is not None and metadata.updated < metadata.published:
        warnings.append(
            f"updated ({metadata.updated.isoformat()}) is earlier than published "
            f"({metadata.published.isoformat()}); fix the dates or set them in {sidecar}"
        )
    return warnings
