"""One article file through the expensive half of the pipeline: read, load, clean.

What a build's process pool runs (:func:`prepare_file` returns a picklable
:class:`Outcome`), and the hashes that key the build cache: of a file's
bytes, of the code that loads and cleans it, and of the site settings
articles depend on. Reads files; otherwise pure.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from importlib import metadata as package_metadata
from pathlib import Path
from types import ModuleType

from feedsvc import catalog, clean, content, element_budget, feeds, html_depth, metadata, model, same_picture, text
from feedsvc.build import representation, snapshot
from feedsvc.catalog.prepare import Cleaner, prepare_source, rules_key
from feedsvc.clean import CLEANER_VERSION, SiteRules, clean_html
from feedsvc.clean.rules import rules_version
from feedsvc.content.listing import signature, unstatted
from feedsvc.content.loader import (
    SIDECAR_SUFFIX,
    ArticleFiles,
    article_limit,
    cannot_read,
    parse_article,
    read_article,
)
from feedsvc.model import ContentError, Prepared, Problem, Site

__all__ = [
    "DOUBT_CODE",
    "FEED_ONLY_SETTINGS",
    "LOADER_CODE",
    "LOADER_LIBRARIES",
    "RENDER_CODE",
    "RENDER_LIBRARIES",
    "Outcome",
    "article_key",
    "code_files",
    "code_version",
    "content_digest",
    "failed",
    "init_worker",
    "loader_version",
    "prepare_bytes",
    "prepare_file",
    "prepare_in_worker",
    "read_files",
    "render_version",
    "rules_of",
    "site_digest",
    "unstatted_file",
]

# The code that decides what loading makes of a file (the cleaner has its own
# CLEANER_VERSION): its source is its version, so no edit is ever served stale. A
# package counts with every module in it, so a module added or renamed is never missed.
# The modules named alone are those loading and preparing import (tests/unit/build/test_files.py
# checks that every module they import is here), not their neighbours: the catalog's
# assembly (catalog.assembly) and the folder's listing (content.listing) change without
# cleaning a site again.
# (Each of them is imported by the loader or by catalog.prepare, which this module imports.)
LOADER_CODE: tuple[ModuleType, ...] = (
    content.loader, content.decode, content.markdown, content.pictures, content.rules, content.sidecar,
    content.site, content.slug, content.toml_text, metadata, catalog.prepare, catalog.revisions, model, text, html_depth,
    element_budget, same_picture,
)  # fmt: skip
# The code that makes the cleaner's doubts (the warnings of feedsvc check, the log and /healthz, cached
# with each article) but not, alone, its published HTML: CLEANER_VERSION changes with the HTML
# (tests/unit/clean/test_version.py), not with a doubt, and a site kept a doubt that code no longer had
# until the next cleaner version. Hashed as the loader's code is: how the doubts judge (confidence, with
# their numbers in policy), what they count (dom: session 36's script text in a <p>, which changed one
# doubt and no HTML) and the pipeline that fills their probe (clean/__init__.py, that file alone). The
# stages are left out: what they change shows in the HTML, and hashing them would clean every site
# again for a change that makes the same articles.
DOUBT_CODE: tuple[ModuleType | Path, ...] = (
    clean.confidence, clean.dom, clean.policy, Path(clean.__file__ or ""),
)  # fmt: skip
# The summary and fallback title read from the cleaned article (clean/summary.py) are prepared with it but
# are not its HTML, so CLEANER_VERSION does not follow them: hashed here, a change to them prepares the
# articles again (session 40: a trail of links opening the article is no summary).
SUMMARY_CODE: tuple[ModuleType, ...] = (clean.summary,)
# Libraries whose upgrade can change a cleaned article or a rendered feed.
LOADER_LIBRARIES = ("lxml", "selectolax", "nh3", "markdown-it-py", "tzdata")
RENDER_CODE: tuple[ModuleType, ...] = (feeds, representation, snapshot, model, text)
RENDER_LIBRARIES = ("feedgen", "lxml", "brotli")
# Site settings only feeds and pages use: changing them re-renders those but re-cleans nothing.
# ``sources`` too: the catalog groups articles by their sidecar's source, no article is
# prepared differently (polling every 15m instead of 30m must not re-clean the site).
FEED_ONLY_SETTINGS = frozenset(
    {"title", "subtitle", "entries_per_feed", "feed_max_bytes", "feed_max_age", "feed_stale_while_revalidate",
     "tombstone_days", "websub_hub", "articles_per_page", "sources"}
)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """What preparing one file gave: its digest, whether it changed while read, the prepared article."""

    path: Path
    digest: str  # of the bytes read ("" if none could be read)
    torn: bool  # the file changed between the listing (or opening) and the end of the read
    prepared: Prepared


@functools.cache
def code_version(code: tuple[ModuleType | Path, ...], libraries: tuple[str, ...]) -> str:
    """Hash the source of ``code`` (modules, packages with all their modules, and files) and the versions
    of ``libraries`` (and of Python and zlib)."""
    digest = hashlib.sha256(f"{sys.version}|{zlib.ZLIB_RUNTIME_VERSION}".encode())
    for path in code_files(code):
        digest.update(path.read_bytes())
    for library in libraries:
        try:
            digest.update(f"{library}={package_metadata.version(library)}".encode())
        except package_metadata.PackageNotFoundError:
            digest.update(f"{library}=none".encode())
    return digest.hexdigest()[:16]


def code_files(code: tuple[ModuleType | Path, ...]) -> list[Path]:
    """Return the source files of ``code`` (modules, packages with all their modules, and files), sorted."""
    return sorted({source for module in code for source in _sources(module)})


def _sources(module: ModuleType | Path) -> list[Path]:
    """The source files of a module, or of every module of a package; a file is its own."""
    if isinstance(module, Path):
        return [module]
    source = Path(module.__file__ or "")
    if hasattr(module, "__path__"):  # a package: its __init__ and every module beside it
        return sorted(source.parent.glob("*.py"))
    return [source]


def loader_version() -> str:
    """The version of everything that turns a file into a prepared article, its doubts included."""
    return f"{CLEANER_VERSION}-{code_version(LOADER_CODE + DOUBT_CODE + SUMMARY_CODE, LOADER_LIBRARIES)}"


def render_version() -> str:
    """The version of everything that turns articles into feed bytes."""
    return code_version(RENDER_CODE, RENDER_LIBRARIES)


def site_digest(site: Site) -> str:
    """Hash the site settings a prepared article depends on (not those only feeds use)."""
    fields = {k: str(v) for k, v in asdict(site).items() if k not in FEED_ONLY_SETTINGS}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def content_digest(files: ArticleFiles) -> str:
    """Hash the bytes of an article and of its sidecar."""
    digest = hashlib.sha256(len(files.data).to_bytes(8, "big"))
    digest.update(files.data)
    digest.update(b"\x00none" if files.sidecar is None else b"\x01" + files.sidecar)
    return digest.hexdigest()[:40]


def article_key(context: str, name: str, digest: str) -> str:
    """Return the cache key of a file's prepared article: the code, the settings, its name and bytes."""
    return hashlib.sha256(f"{context}\n{name}\n{digest}".encode()).hexdigest()[:40]


def rules_of(prepared: Prepared, rules: Mapping[str, SiteRules]) -> tuple[str, str]:
    """Return the host whose rules cleaned ``prepared`` and their version ("none" for no rules)."""
    host = rules_key(prepared.source, rules) if prepared.source else ""
    return host, rules_version(rules.get(host))


def failed(path: Path, error: ContentError, cacheable: bool = True) -> Prepared:
    """Return the prepared form of a file that could not be loaded."""
    slug = unicodedata.normalize("NFC", path.stem)
    return Prepared(slug, path, None, problems=(Problem(error.path, error.reason),), cacheable=cacheable)


def unstatted_file(path: Path, sig: str) -> Prepared | None:
    """Return the prepared form of the article ``path`` if it or its sidecar could not be statted, or None.

    ``sig``: its unit signature in the listing. A file there whose stat failed (no permission, a symlink
    loop, an I/O error) is not read: its problem names it and why, as for a file that cannot be opened,
    and the builder holds its last published version.
    """
    page, _, sidecar = sig.partition("|")
    for where, part in ((path, page), (path.with_suffix(SIDECAR_SUFFIX), sidecar)):
        reason = unstatted(part)
        if reason is not None:
            return failed(path, ContentError(where, cannot_read(reason)), cacheable=False)
    return None


def prepare_bytes(
    path: Path,
    files: ArticleFiles,
    digest: str,
    site: Site,
    rules: Mapping[str, SiteRules],
    clean: Cleaner | None = None,
) -> Prepared:
    """Load and clean an article from its bytes (``digest``: their :func:`content_digest`); one bad file becomes
    its problems."""
    try:
        source = parse_article(path, files, site)
    except ContentError as error:
        return failed(path, error)
    except Exception as error:  # noqa: BLE001 - a bug on one page must not hide the whole site
        reason = f"could not be loaded ({type(error).__name__}: {error}); please report this as a bug"
        return failed(path, ContentError(path, reason), cacheable=False)
    prepared = prepare_source(source, site, rules, clean or clean_html)
    warnings = tuple(Problem(path, warning, "warning") for warning in source.warnings)
    # the bytes it was made from, for the ledger: an unchanged file read by a new cleaner is no edit (revisions.revise)
    return replace(prepared, problems=warnings + prepared.problems, file_digest=digest[:16])


def read_files(
    path: Path, expected: str = "", max_bytes: int | None = None
) -> tuple[ArticleFiles | None, bool, Prepared | None]:
    """Read an article's bytes; return them, whether they are torn, or the problem of an unreadable file.

    Torn: the page's signature when opened is not ``expected`` (the listing's), or it changed while read.
    ``max_bytes``: the site's limit (``content.article_limit``); a larger file is not read at all.
    """
    try:
        files = read_article(path, max_bytes)
    except ContentError as error:
        return None, False, failed(path, error, cacheable=False)
    opened = signature(files.stat) if files.stat else ""
    try:
        after = signature(os.stat(path))
    except OSError:
        after = ""
    return files, opened != after or bool(expected and expected != opened), None


def prepare_file(
    path: Path, site: Site, rules: Mapping[str, SiteRules], expected: str = "", clean: Cleaner | None = None
) -> Outcome:
    """Read, load and clean one article file (in a pool worker or in this process)."""
    files, torn, unreadable = read_files(path, expected, article_limit(site))
    if files is None:
        return Outcome(path, "", False, unreadable or failed(path, ContentError(path, "cannot be read")))
    digest = content_digest(files)
    return Outcome(path, digest, torn, prepare_bytes(path, files, digest, site, rules, clean))


_WORKER: tuple[Site, Mapping[str, SiteRules]] | None = None


def init_worker(site: Site, rules: Mapping[str, SiteRules]) -> None:
    """Give a pool process the site and rules once, not with every file."""
    global _WORKER
    _WORKER = (site, rules)


def prepare_in_worker(job: tuple[Path, str]) -> Outcome:
    """Prepare one file in a pool process set up by :func:`init_worker`."""
    assert _WORKER is not None, "init_worker was not run in this process"
    return prepare_file(job[0], *_WORKER, expected=job[1])
