"""The content folder: ``site.toml``, ``articles/<slug>.html`` and their sidecars.

The only module that reads it. Each article either loads, with its metadata
merged by precedence (sidecar > JSON-LD > OpenGraph/meta > visible markup),
or is reported with its path and a reason that says the fix; one bad file
never stops the others. A Markdown article, ``articles/<slug>.md``, carries
its sidecar as TOML front matter and is rendered to HTML here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from stat import S_ISDIR, S_ISREG
from typing import Any

from feedsvc.content.decode import UTF8_DESPITE_LABEL, binary_reason, decode_article, decode_html, looks_binary
from feedsvc.content.markdown import FENCE as FRONT_MATTER_FENCE
from feedsvc.content.markdown import FrontMatterError, render_markdown, split_front_matter
from feedsvc.content.pictures import picture_size, picture_type
from feedsvc.content.rules import RULES_FOLDER, read_rules_file
from feedsvc.content.sidecar import SIDECAR_KEYS, Sidecar, parse_sidecar, sidecar_problems
from feedsvc.content.site import (
    MAX_ARTICLE_BYTES_RANGE,
    PICTURE_MAX_BYTES,
    SETTINGS,
    SiteConfigError,
    parse_site,
    served_base_url,
    site_problems,
    source_lines,
    source_rules,
)
from feedsvc.content.slug import FALLBACK_SLUG, is_slug, slugify
from feedsvc.content.toml_text import joined, parse_toml, parse_toml_keys
from feedsvc.html_depth import MAX_DEPTH, limit_depth
from feedsvc.metadata.page import extract_metadata, page_shown_markup
from feedsvc.metadata.tags import MAX_TAGS as METADATA_MAX_TAGS
from feedsvc.model import NO_TITLE, ArticleSource, ContentError, PageMetadata, PictureFile, Problem, Site, SiteImage
from feedsvc.text import XML_UNSAFE, dedupe, has_userinfo, shorten, strip_markup, userinfo_refusal, without_userinfo

__all__ = [
    "MAX_ARTICLE_BYTES",
    "SIDECAR_KEYS",
    "ArticleFiles",
    "SiteFiles",
    "cannot_read",
    "decode_html",
    "discover_articles",
    "html_text",
    "is_listed",
    "listing_problems",
    "load_article",
    "load_articles",
    "load_site",
    "load_site_and_pictures",
    "merge_metadata",
    "parse_article",
    "picture_file",
    "picture_files",
    "read_article",
    "read_site",
    "stray_problems",
]

# The default of site.toml's max_article_bytes (a site that leaves it out gets this).
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
_DEFAULT_MAX_ARTICLE_BYTES = MAX_ARTICLE_BYTES
MARKDOWN_SUFFIX = ".md"
ARTICLE_SUFFIXES = (".html", ".htm", MARKDOWN_SUFFIX)
SIDECAR_SUFFIX = ".toml"
_TEMP_SUFFIXES = (".swp", ".swo", ".tmp", ".bak", ".part")
# Names that look like an article saved under a suffix feedsvc does not read.
_NEAR_SUFFIXES = (".xhtml", ".xht", ".shtml", ".txt", ".markdown", ".mdown", ".gz", ".zip")
# Bounds on what one page's metadata may put in feeds and pages: a hostile page
# with 100,000 keywords would otherwise make 100,000 tag feeds. Longer values are
# cut at a word boundary (with "…"), extra tags and authors left out, with a warning.
TITLE_MAX_CHARS = 300
NAME_MAX_CHARS = 100  # one tag or author
SUMMARY_MAX_CHARS = 1000
MAX_TAGS = METADATA_MAX_TAGS  # a page tagging 50 box-score names is tagging for search, not for readers
MAX_AUTHORS = 20


@dataclass(frozen=True)
class ArticleFiles:
    """The bytes of one article, read together: the page and its sidecar (None: it has none)."""

    data: bytes
    sidecar: bytes | None = None
    stat: os.stat_result | None = None  # of the page, taken before reading it (torn-write checks)


def load_site(content_dir: Path, overrides: Mapping[str, Any] | None = None, *, listen_port: int | None = None) -> Site:
    """Read and validate ``content_dir/site.toml``; errors name the file and the key.

    ``listen_port``: the port a server serving the site listens on. A base_url
    of site.toml naming this machine follows it (links then lead to this very
    server, whatever port it was given); one set by ``overrides`` never does.
    An icon or logo file that cannot be used is left out (:func:`read_site` says why): importing and
    following articles do not need it.
    """
    return read_site(content_dir, overrides, listen_port=listen_port).site


@dataclass(frozen=True)
class SiteFiles:
    """``site.toml`` as read (:func:`read_site`), with the icon and logo files it names."""

    site: Site
    pictures: dict[str, PictureFile]  # the bytes published at the pictures' paths, by their SiteImage.digest
    problems: tuple[Problem, ...] = ()  # a named picture file that cannot be used: held at its kept bytes, or left out
    named: tuple[str, ...] = ()  # the picture files site.toml names (content-relative), whether they could be read
    read: dict[str, PictureFile] = dataclasses.field(default_factory=dict)  # those read now, by that name


def load_site_and_pictures(
    content_dir: Path, overrides: Mapping[str, Any] | None = None, *, listen_port: int | None = None
) -> tuple[Site, dict[str, PictureFile]]:
    """:func:`load_site`, with the bytes of the icon and logo files it read, by their ``SiteImage.digest``; a
    picture file that cannot be used raises SiteConfigError as a broken site.toml does (:func:`read_site` does not).

    What a build publishes at the pictures' paths: the bytes its site's digests were made from, read
    once, not the file as it may be when first asked for (edited, deleted or unreadable by then).
    """
    faults: list[str] = []
    read = read_site(content_dir, overrides, listen_port=listen_port, faults=faults)
    if faults:
        raise SiteConfigError(faults[0])
    return read.site, read.pictures


def read_site(
    content_dir: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    listen_port: int | None = None,
    kept: Callable[[str], PictureFile | None] | None = None,
    faults: list[str] | None = None,
) -> SiteFiles:
    """Read ``site.toml`` and the icon and logo files it names; a broken site.toml raises SiteConfigError.

    A picture file that cannot be used (gone, unreadable, a folder, too big, not the picture its name says) is
    a problem of that file, not of the site: the site is published all the same, with the picture's last good
    bytes if ``kept`` has them (by the file's content-relative name; a "held" problem), or without the
    picture (no icon or logo in the feeds and pages, 404 at its path; an "error" problem). A service then
    starts, and goes on publishing edits, with its icon broken. ``faults``: each such fault is appended to it
    too, as a SiteConfigError would say it.
    """
    path = content_dir / "site.toml"
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        required = ", ".join(f"{setting.name} = …" for setting in SETTINGS if setting.default is None)
        raise SiteConfigError(f"{path}: not found; create it with at least {required}") from None
    except OSError as error:
        raise SiteConfigError(f"{path}: {_unreadable(error)}") from None
    except UnicodeDecodeError:
        raise SiteConfigError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    data, problems, written = parse_toml_keys(text)
    lines = source_lines(text)
    if problems:
        more = (
            site_problems(data, overrides, lines, written) + _source_rules_problems(content_dir, data, lines)
            if data
            else []
        )
        raise SiteConfigError(f"{path}: {joined(problems + more)}")
    problems = site_problems(data or {}, overrides, lines) + _source_rules_problems(content_dir, data or {}, lines)
    if problems:
        given = f" (overridden: {', '.join(sorted(overrides))})" if overrides else ""
        raise SiteConfigError(f"{path}{given}: {joined(problems)}")
    site = parse_site(data or {}, overrides, lines)
    named = tuple(sorted(picture_files(site)))
    images: dict[str, SiteImage | None] = {}
    pictures: dict[str, PictureFile] = {}
    found: list[Problem] = []
    read: dict[str, PictureFile] = {}
    for key in ("icon", "logo"):
        image: SiteImage | None = getattr(site, key)
        try:
            images[key], file = _read_picture(content_dir, image)
            if image is not None and file is not None:
                read[_name(image)] = file
        except _PictureFault as fault:
            assert image is not None  # (only a file of the folder is read)
            if faults is not None:
                faults.append(f"{path}: '{key}' names {fault.file}{fault.detail}")
            images[key], file, problem = _kept_picture(key, image, fault, kept)
            found.append(problem)
        if images[key] is not None and file is not None:
            pictures[images[key].digest] = file  # type: ignore[union-attr]
    site = dataclasses.replace(site, icon=images["icon"], logo=images["logo"])
    if not (overrides and "base_url" in overrides):  # set explicitly (--base-url, FEEDSVC_BASE_URL): as given
        site = dataclasses.replace(site, base_url=served_base_url(site.base_url, listen_port))
    return SiteFiles(site, pictures, tuple(found), named, read)


def _source_rules_problems(content_dir: Path, data: Mapping[str, Any], lines: Sequence[Mapping[str, int]]) -> list[str]:
    """Say what is wrong with each rules file a [[source]] names: missing, outside the folder, or not valid."""
    problems: list[str] = []
    root = content_dir.resolve()
    for where, relative in source_rules(data, lines):
        path = content_dir / relative
        fix = 'save the site\'s rules there (docs/cleaner.md, "Site rules", says how) or remove the key'
        if not path.resolve().is_relative_to(root):
            problems.append(f"{where}'rules' = '{relative}' leads out of the content folder; copy the file into it")
        elif PurePosixPath(relative).parent.as_posix() != RULES_FOLDER:
            # the build reads site rules from rules/ alone (and publishes their changes live from there)
            name = PurePosixPath(relative).name
            problems.append(
                f"{where}'rules' = '{relative}' is not in the content folder's {RULES_FOLDER}/ folder, the one "
                f"place site rules are read from; move the file to {RULES_FOLDER}/{name} and write "
                f'rules = "{RULES_FOLDER}/{name}"'
            )
        elif not path.is_file():
            problems.append(f"{where}'rules' = '{relative}': there is no such file in the content folder; {fix}")
        else:
            try:
                read_rules_file(path)
            except (OSError, ValueError) as error:
                reason = getattr(error, "strerror", None) or str(error)
                problems.append(f"{where}'rules' = '{relative}' cannot be used: {reason}")
    return problems


def picture_files(site: Site) -> dict[str, SiteImage]:
    """Return ``site``'s icon and logo that are files of the content folder, by their content-relative name: the
    name they are statted, cached and kept by."""
    return {_name(image): image for image in (site.icon, site.logo) if image is not None and image.path}


def _name(image: SiteImage) -> str:
    return os.path.normpath(image.source)


def picture_file(content_dir: Path, image: SiteImage) -> Path:
    """Return the file of the content folder an icon or logo of site.toml names (``image.path`` is not "")."""
    return content_dir / image.source


class _PictureFault(Exception):
    """An icon or logo file of the content folder that cannot be used: ``detail`` follows its name (", which
    does not exist; …", ": cannot be read (…); …"), as site.toml's problem and the file's say it."""

    def __init__(self, file: Path, detail: str) -> None:
        super().__init__(file, detail)
        self.file = file
        self.detail = detail


def _read_picture(content_dir: Path, image: SiteImage | None) -> tuple[SiteImage | None, PictureFile | None]:
    """Check the icon's or logo's file; return ``image`` with its type, size and digest (as given: a URL),
    and the file's bytes and time as read (None for a URL). :raise _PictureFault: it cannot be used."""
    if image is None or not image.path:
        return image, None
    file = picture_file(content_dir, image)
    try:
        if not file.resolve().is_relative_to(content_dir.resolve()):
            raise _PictureFault(file, ", which is outside the content folder; put the file inside it")
        with file.open("rb") as stream:
            data = stream.read(PICTURE_MAX_BYTES + 1)
            modified = os.fstat(stream.fileno()).st_mtime  # of the file read, whatever the path names later
    except FileNotFoundError:
        raise _PictureFault(file, ", which does not exist; put the picture there or correct the path") from None
    except IsADirectoryError:
        raise _PictureFault(file, ", which is a folder; name the picture file in it") from None
    except OSError as error:
        raise _PictureFault(file, f": {_unreadable(error)}") from None
    return _pictured(file, image, data), PictureFile(data, modified)


def _pictured(file: Path, image: SiteImage, data: bytes) -> SiteImage:
    """Return ``image`` with the type, size and digest of ``data``, its file's bytes. :raise _PictureFault: they
    are too many, or not the picture the file's name says."""
    if len(data) > PICTURE_MAX_BYTES:
        raise _PictureFault(
            file, f", which is over {PICTURE_MAX_BYTES // 1024} KiB; every reader fetches it: save it smaller"
        )
    actual = picture_type(data)
    if actual != image.media_type:
        what = f"{actual} data" if actual else "not a picture feedsvc knows"
        raise _PictureFault(
            file,
            f", which is {what}, not {image.media_type} as its name says; save it in that format "
            "or give it the name of its format",
        )
    size = picture_size(data)
    width, height = size if size else (None, None)
    digest = hashlib.sha256(data).hexdigest()[:16]
    return dataclasses.replace(image, width=width, height=height, digest=digest)


def _kept_picture(
    key: str, image: SiteImage, fault: _PictureFault, kept: Callable[[str], PictureFile | None] | None
) -> tuple[SiteImage | None, PictureFile | None, Problem]:
    """Return the picture published in place of a file that cannot be used, and the problem that says so: its
    last good bytes, if ``kept`` has them (by the file's content-relative name), or none (left out)."""
    said = f"site.toml's '{key}' names this file{fault.detail}"
    good = kept(_name(image)) if kept is not None else None
    if good is not None:
        try:
            held = _pictured(fault.file, image, good.body)
        except _PictureFault:
            pass  # (kept for a name now given another suffix: not this picture)
        else:
            saved = datetime.fromtimestamp(int(good.modified), UTC).isoformat()
            served = f"the last good version (sha256 {held.digest}), saved {saved}"
            return held, good, Problem(fault.file, said, "held", served=served)
    return None, None, Problem(fault.file, f"{said}; until then the site has no {key}", "error")


def discover_articles(content_dir: Path) -> list[Path]:
    """Return the article files in ``content_dir/articles``, sorted, without hidden or temp files."""
    listing = _listing(content_dir / "articles")
    return sorted(path for path in listing if path.suffix.lower() in ARTICLE_SUFFIXES)


def load_article(path: Path, site: Site) -> ArticleSource:
    """Load one article and its optional sidecar (or front matter); raise ContentError saying the fix."""
    return parse_article(path, read_article(path, article_limit(site)), site)


def article_limit(site: Site) -> int:
    """Return the size limit of one article file: ``max_article_bytes`` (``MAX_ARTICLE_BYTES`` by default)."""
    if site.max_article_bytes == _DEFAULT_MAX_ARTICLE_BYTES:
        return MAX_ARTICLE_BYTES
    return site.max_article_bytes


def read_article(path: Path, max_bytes: int | None = None) -> ArticleFiles:
    """Read the bytes of an article and of its sidecar; raise ContentError if they can't be read.

    ``max_bytes`` is the site's limit (:func:`article_limit`); without it, files up to the
    largest limit a site may set are read and :func:`parse_article` applies the site's own.
    Neither file is read through a symbolic link that leads out of the content folder.
    """
    _slug(path)  # a bad name costs no read
    limit = MAX_ARTICLE_BYTES_RANGE[1] if max_bytes is None else max_bytes
    stat, data = _read_bytes(path, limit)
    if path.suffix.lower() == MARKDOWN_SUFFIX:
        return ArticleFiles(data, None, stat)  # its metadata is in its front matter
    sidecar_path = path.with_suffix(SIDECAR_SUFFIX)
    try:
        _, sidecar = _read_bytes(sidecar_path, limit, missing_ok=True)
    except FileNotFoundError:
        sidecar = None
    return ArticleFiles(data, sidecar, stat)


def parse_article(path: Path, files: ArticleFiles, site: Site) -> ArticleSource:
    """Turn the bytes of an article (and sidecar) into a source; raise ContentError saying the fix."""
    slug = _slug(path)
    limit = article_limit(site)
    if len(files.data) > limit:
        raise ContentError(path, _too_big(len(files.data), limit))
    notes: list[str] = []
    if path.suffix.lower() == MARKDOWN_SUFFIX:
        html, sidecar = _parse_markdown(path, files.data, site)
        sources = [("front matter", sidecar.metadata), *extract_metadata(html, site.timezone, site_names=[site.title])]
    else:
        html, notes = _parse_html(path, files.data)
        notes.extend(_base_href_secret(html))
        sidecar = _parse_sidecar(path.with_suffix(SIDECAR_SUFFIX), files.sidecar, site)
        # the site's own name and, for an imported page, its source's host may be stripped from its title
        page = extract_metadata(html, site.timezone, site_names=[site.title], url=sidecar.source_url)
        sources = [("sidecar", sidecar.metadata), *page]
    metadata, origins = merge_metadata(sources)
    # markup-looking text the page shows as text stays in the fields: looked for only where a field holds some
    shown = page_shown_markup(html) if _holds_angles(metadata) else frozenset()
    metadata = bound_metadata(metadata, notes, _sidecar_name(path), shown)
    return ArticleSource(
        slug=slug,
        path=path,
        html=html,
        metadata=metadata,
        pinned_id=sidecar.pinned_id,
        status=sidecar.status,
        origins=origins,
        warnings=(*notes, *_warnings(metadata, path)),
        source=sidecar.source,
        source_url=sidecar.source_url,
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
    problems.extend(listing_problems(articles_dir, (path.name for path in _listing(articles_dir))))
    problems.extend(stray_problems(articles_dir))
    return loaded, problems


def listing_problems(folder: Path, names: Iterable[str]) -> list[Problem]:
    """Report the sidecars among the file ``names`` of ``articles/`` that belong to no article (or to a Markdown one)."""
    split = sorted(os.path.splitext(name) for name in names)
    stems = {stem for stem, suffix in split if suffix.lower() in ARTICLE_SUFFIXES and suffix.lower() != MARKDOWN_SUFFIX}
    markdown_stems = {stem for stem, suffix in split if suffix.lower() == MARKDOWN_SUFFIX}
    problems: list[Problem] = []
    for stem, suffix in split:
        if suffix != SIDECAR_SUFFIX or stem in stems:
            continue
        path = folder / f"{stem}{suffix}"
        if path.stem in markdown_stems:
            reason = (
                f"ignored: {path.stem}{MARKDOWN_SUFFIX} keeps its metadata in its front matter; "
                f"move these keys into its {FRONT_MATTER_FENCE} block and remove this file"
            )
            problems.append(Problem(path, reason))
        else:
            reason = f"orphan sidecar: no {path.stem}.html next to it; rename it to match an article or remove it"
            problems.append(Problem(path, reason, "warning"))
    return problems


def is_listed(name: str) -> bool:
    """Say whether a file name in ``articles/`` is content, not hidden, an editor's temp or a backup."""
    return (
        not name.startswith((".", "#", "~"))
        and not name.endswith(("~", "#"))
        and os.path.splitext(name)[1].lower() not in _TEMP_SUFFIXES
    )


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
    return [path for path in entries if is_listed(path.name) and path.is_file()]


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


def html_text(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Read an HTML page's bytes as the loader does (``feedsvc check`` and ``feedsvc clean`` alike).

    Return its text and what a person should know of it; raise ContentError for
    a file that is no article page (binary, empty, refused encoding, over the size cap).
    """
    if len(data) > MAX_ARTICLE_BYTES:
        raise ContentError(path, _too_big(len(data), MAX_ARTICLE_BYTES))
    return _parse_html(path, data)


def _parse_html(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Return the text of an HTML article as a browser would read it, and what a person should know of it."""
    reason = binary_reason(data)
    if reason:
        raise ContentError(path, reason)
    decoded = decode_article(data)
    if decoded.encoding == "replacement":
        raise ContentError(
            path,
            f"declares charset={decoded.label}, an encoding browsers refuse to decode (its escape "
            "sequences can hide markup); save the file as UTF-8",
        )
    html = decoded.text
    if not html.strip():
        raise ContentError(path, "is empty; put the article's HTML in it or remove the file")
    if looks_binary(html):
        reason = "is mostly control characters, not HTML text; replace it with the article's HTML"
        raise ContentError(path, reason)
    notes = []
    if decoded.replaced:
        notes.append(_undecodable(decoded.replaced, decoded.how, decoded.label or decoded.encoding))
    if decoded.how == UTF8_DESPITE_LABEL:
        notes.append(
            f"declares charset={decoded.label} but its bytes are UTF-8 (it was converted and the old "
            '<meta charset> kept); it was read as UTF-8; change the tag to <meta charset="utf-8">'
        )
    if decoded.repaired:
        notes.append(
            f"held {decoded.repaired:,} character(s) of UTF-8 text that had been read as Latin-1 and saved again "
            '(a browser shows "youâre" for "you\u2019re"); they were mended; save the page again from its source'
        )
    controls = len(XML_UNSAFE.findall(html))
    if controls:
        notes.append(
            f"holds {controls:,} control or non-character code point(s) that XML does not allow (such as NUL "
            "or U+FFFF); they were left out"
        )
    html, depth = limit_depth(html)
    if depth > MAX_DEPTH:
        notes.append(
            f"nests elements {depth:,} levels deep; below level {MAX_DEPTH} they were put side by side, as "
            "browsers do (no real page nests that deep: check where the file came from)"
        )
    return html, notes


def _undecodable(count: int, how: str, encoding: str) -> str:
    sequences = f"{count:,} byte sequence(s)"
    if how == "<meta charset>":
        said = f"not valid {encoding}, although its <meta charset> says {encoding}"
    elif how == "byte order mark":
        said = f"not valid {encoding}, although its byte order mark says {encoding}"
    else:
        said = "not valid UTF-8 in text that otherwise is"
    return f"has {sequences} {said}; they show as \ufffd (as in a browser); re-save the file as UTF-8"


# A <base href> whose URL carries "user:password@": read by a pattern, not a parse, since only a warning
# hangs on it (the cleaner and the picture reader resolve against it without the secret whatever it says).
_BASE_HREF = re.compile(r"""<base\b[^>]*?\bhref\s*=\s*["']?\s*([A-Za-z][A-Za-z0-9+.-]*://[^"'\s>]*)""", re.IGNORECASE)


def _base_href_secret(html: str) -> list[str]:
    """Return a warning if the page's ``<base href>`` carries a user and password (as the page's own address)."""
    found = _BASE_HREF.search(html) if "@" in html else None
    if found is None or not has_userinfo(found.group(1)):
        return []
    harm = "its links would carry (they resolve without them)"
    return [userinfo_refusal("the page's <base href>", found.group(1), harm) + " in the page"]


def _holds_angles(metadata: PageMetadata) -> bool:
    """Whether a text field of ``metadata`` holds a "<": markup, or text the page may show as text."""
    fields = (metadata.title, metadata.summary, *metadata.tags, *metadata.authors)
    return any("<" in value for value in fields if value)


def bound_metadata(
    metadata: PageMetadata, warnings: list[str], sidecar: str, shown: Set[str] = frozenset()
) -> PageMetadata:
    """Return ``metadata`` as plain text within the size bounds, its address without a user or password; add a
    warning for each change to ``warnings``.

    Titles, summaries, tags and names are text wherever they land (a page's <title>,
    an RSS reader that reads titles as HTML): markup in them is removed. ``shown``: the
    markup-looking texts the page shows as text (``page_shown_markup``), which are text and stay
    (every output escapes them).
    """

    def text(field: str, value: str | None, limit: int, key: str) -> str | None:
        if value is None:
            return None
        plain = strip_markup(value, shown)
        if plain != value:
            warnings.append(
                f"the {field} held markup, which was removed ({field}s are plain text); set {key} in {sidecar}"
            )
        if len(plain) > limit:
            warnings.append(
                f"the {field} is {len(plain):,} characters; it was cut to {limit} at a word boundary; "
                f"set a shorter {key} in {sidecar}"
            )
            plain = shorten(plain, limit)
        return plain or None

    def names(field: str, values: tuple[str, ...], most: int, key: str) -> tuple[str, ...]:
        plain = dedupe(shorten(strip_markup(value, shown), NAME_MAX_CHARS) for value in values)
        if any(strip_markup(value, shown) != value for value in values):
            warnings.append(f"a {field} held markup, which was removed; set {key} in {sidecar}")
        if len(plain) > most:
            warnings.append(
                f"the page names {len(plain):,} {field}s; only the first {most} are kept; set {key} in {sidecar}"
            )
        return plain[:most]

    canonical = metadata.canonical_url
    if canonical is not None and has_userinfo(canonical):
        # Only the page itself can declare one (a sidecar's is an error): its link in every feed, its page, the
        # sitemap and the base of its relative links. The address is still the page's, so it is kept without them.
        declared = 'the address the page declares (its <link rel="canonical">, og:url or JSON-LD url)'
        harm = "would be published with the article (it is used without them)"
        warnings.append(f"{userinfo_refusal(declared, canonical, harm)} in the page, or set canonical_url in {sidecar}")
        canonical = without_userinfo(canonical)
    return dataclasses.replace(
        metadata,
        canonical_url=canonical,
        title=text("title", metadata.title, TITLE_MAX_CHARS, 'title = "…"'),
        summary=text("summary", metadata.summary, SUMMARY_MAX_CHARS, 'summary = "…"'),
        tags=names("tag", metadata.tags, MAX_TAGS, "tags = […]"),
        authors=names("author", metadata.authors, MAX_AUTHORS, "author = […]"),
    )


def stray_problems(folder: Path) -> list[Problem]:
    """Report what in ``articles/`` looks like an article but is not read as one.

    A folder, a broken symbolic link, a pipe or device named like an article or a
    sidecar is an error; a file saved under a suffix feedsvc does not read
    (``.xhtml``, ``.html.gz``…) and a subfolder holding articles are warnings.
    Other files (images, notes) are left alone, hidden and editor files skipped.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return []
    problems: list[Problem] = []
    for entry in entries:
        if not is_listed(entry.name):
            continue
        path = folder / entry.name
        stem, suffix = os.path.splitext(entry.name)
        suffix = suffix.lower()
        try:
            regular, directory, link = entry.is_file(), entry.is_dir(), entry.is_symlink()
        except OSError:
            regular = directory = link = False
        if suffix in ARTICLE_SUFFIXES or suffix == SIDECAR_SUFFIX:
            if regular:
                continue
            if link and not os.path.exists(path):
                reason = "is a symbolic link to nothing (its target is missing); point it at a file or remove it"
            elif directory:
                reason = (
                    "is a folder, not a file; an article is one file in articles/ (no subfolders): move what it holds"
                )
            else:
                reason = "is not a regular file (a pipe, socket or device); replace it with the article's file"
            problems.append(Problem(path, reason))
        elif directory:
            inside = _articles_in(path)
            if inside:
                reason = (
                    f"holds {inside} article file(s), but articles/ is not searched in subfolders; "
                    "move them up into articles/ to publish them"
                )
                problems.append(Problem(path, reason, "warning"))
        elif regular and suffix in _NEAR_SUFFIXES:
            if suffix in (".gz", ".zip"):
                reason = f"is compressed and not read; unpack it into articles/ (e.g. as {stem.split('.')[0]}.html)"
            else:
                reason = f"is not read: articles are .html, .htm or .md files; if it is one, rename it to {stem}.html"
            problems.append(Problem(path, reason, "warning"))
    return problems


def _articles_in(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(1 for entry in entries if os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES)
    except OSError:
        return 0


def _parse_markdown(path: Path, data: bytes, site: Site) -> tuple[str, Sidecar]:
    """Return the rendered HTML of a Markdown article and what its front matter says."""
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
    if document.problems:  # the keys of the lines that parse are checked too: every mistake at once
        raise ContentError(path, joined([*document.problems, *sidecar_problems(document.front_matter, site)]))
    sidecar = parse_sidecar(document.front_matter, path, site)
    if not document.body.strip():
        reason = "has no Markdown text after its front matter; write the article below the closing "
        raise ContentError(path, reason + FRONT_MATTER_FENCE)
    return render_markdown(document.body), sidecar


def _read_bytes(path: Path, limit: int, missing_ok: bool = False) -> tuple[os.stat_result, bytes]:
    """Read at most ``limit`` bytes of the regular file ``path``; raise ContentError saying why not.

    Opened without blocking, so a pipe named like an article cannot stall a build. A path
    that leads out of the content folder through a symbolic link is refused: a link in a
    checked-out folder must not publish /etc/passwd. With ``missing_ok``, a missing file
    raises FileNotFoundError instead.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        if missing_ok:
            raise
        raise ContentError(
            path, "cannot be read (No such file or directory); check that it is a readable file"
        ) from None
    except OSError as error:
        raise ContentError(path, _unreadable(error)) from None
    try:
        stat = os.fstat(descriptor)
        if not S_ISREG(stat.st_mode):
            kind = "a folder" if S_ISDIR(stat.st_mode) else "not a regular file but a pipe, socket or device"
            raise ContentError(path, f"cannot be read (it is {kind}); check that it is a readable file")
        _check_inside(path, stat)
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as file:
        if stat.st_size > limit:
            raise ContentError(path, _too_big(stat.st_size, limit))
        try:
            # Asked for the size fstat() gave (and a byte more, to see growth), not the limit: a read
            # allocates what it is asked for and shrinks it after, and a cold build of 30,000 small
            # files asking for a 4 MiB limit each left 108 MB more memory in use behind it.
            data = file.read(stat.st_size + 1)
            if len(data) > stat.st_size:  # it grew after fstat(): read on, up to the limit
                data += file.read(limit + 1 - len(data))
        except OSError as error:
            raise ContentError(path, _unreadable(error)) from None
    if len(data) > limit:  # it grew after fstat()
        raise ContentError(path, _too_big(len(data), limit))
    return stat, data


def _check_inside(path: Path, stat: os.stat_result) -> None:
    """Raise ContentError if ``path`` resolves outside its ``articles/`` and content folders."""
    real = os.path.realpath(path)
    roots = {os.path.realpath(path.parent), os.path.realpath(path.parent.parent)}
    if not any(real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        raise ContentError(
            path,
            "is a symbolic link that leads out of the content folder, and feedsvc reads nothing outside it; "
            "copy the file into articles/ instead of linking to it",
        )
    try:
        same = os.stat(real)
    except OSError:
        same = None
    if same is None or (same.st_dev, same.st_ino) != (stat.st_dev, stat.st_ino):
        raise ContentError(path, "changed (a link was replaced) while being read; it is read again when it settles")


def _unreadable(error: OSError) -> str:
    return cannot_read(str(error.strerror))


def cannot_read(reason: str) -> str:
    """Say that a file cannot be read and why (``reason``: the system's words), as each such problem says it."""
    return f"cannot be read ({reason}); check that it is a readable file"


def _too_big(size: int, limit: int) -> str:
    return (
        f"is {size:,} bytes, over the {limit:,}-byte limit for an article (max_article_bytes in site.toml); "
        "save only the article page (without inline images or data: URLs)"
    )


def _parse_sidecar(path: Path, raw: bytes | None, site: Site) -> Sidecar:
    if raw is None:
        return Sidecar(PageMetadata())
    try:
        data, problems = parse_toml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ContentError(path, "is not UTF-8 text; save it as UTF-8") from None
    if problems:  # the keys of the lines that parse are checked too: every mistake at once
        more = sidecar_problems(data, site) if data is not None else []
        raise ContentError(path, joined(problems + more))
    return parse_sidecar(data or {}, path, site)


def _sidecar_name(path: Path) -> str:
    """Name where a person sets an article's metadata: its sidecar, or a Markdown file's front matter."""
    if path.suffix.lower() == MARKDOWN_SUFFIX:
        return f"the front matter of {path.name}"
    return path.with_suffix(SIDECAR_SUFFIX).name


def _warnings(metadata: PageMetadata, path: Path) -> list[str]:
    sidecar = _sidecar_name(path)
    warnings = []
    if metadata.title is None:
        warnings.append(
            f"{NO_TITLE} (sidecar, JSON-LD headline, og:title, <h1> or <title>); the article's "
            f'opening heading or sentence is used; add title = "…" to {sidecar} to set it'
        )
    # No date at all is reported by the catalog, which dates the article and says with what.
    if metadata.published is not None and metadata.updated is not None and metadata.updated < metadata.published:
        warnings.append(
            f"updated ({metadata.updated.isoformat()}) is earlier than published "
            f"({metadata.published.isoformat()}); fix the dates or set them in {sidecar}"
        )
    return warnings
