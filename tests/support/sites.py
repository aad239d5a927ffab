"""Content folders on disk for tests: a copy of a site, or a blank one with only its site.toml.

Every test that needs a content folder gets it from here, through the
``content_dir`` fixture (tests/conftest.py) or, for a module- or
session-wide folder, by calling :func:`copy_site` or :func:`blank_site`.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from feedsvc.build.builder import Builder
from support.paths import FIXTURES

__all__ = ["FIXTURE_SITE", "NEWS_SITE_TOML", "blank_site", "copy_site", "moved_with_its_cache", "write_file"]

FIXTURE_SITE = FIXTURES / "site"  # three publishable articles and one empty file
# A site in Tbilisi time at https://news.example.org, for a blank folder the test fills itself.
NEWS_SITE_TOML = """\
title = "Harbour Times"
base_url = "https://news.example.org"
id_authority = "news.example.org,2024"
default_author = "Harbour Times"
timezone = "Asia/Tbilisi"
"""


def copy_site(target: Path, source: Path = FIXTURE_SITE) -> Path:
    """Copy the content folder ``source`` to ``target`` (which must not exist); return ``target``.

    The state a server run on ``source`` may have left there (``.feedsvc/``:
    the ledger, the build cache) is not copied: each copy starts as a fresh checkout.
    """
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".feedsvc"))
    return target


def moved_with_its_cache(content_dir: Path, target: Path, now: datetime) -> Path:
    """Build ``content_dir`` with its cache in ``.feedsvc/cache``, copy the folder with that cache to ``target``
    (a restore, a move to /srv); return ``target``. Its cached articles were made for the old folder's files."""
    Builder(content_dir, cache_dir=content_dir / ".feedsvc" / "cache").build(now)
    shutil.copytree(content_dir, target)
    return target


def blank_site(target: Path, site_toml: str = NEWS_SITE_TOML) -> Path:
    """Make ``target`` a content folder with ``site_toml`` and an empty ``articles/``; return ``target``."""
    (target / "articles").mkdir(parents=True)
    (target / "site.toml").write_text(site_toml, encoding="utf-8")
    return target


def write_file(content_dir: Path, name: str, data: str | bytes) -> Path:
    """Write ``articles/<name>`` of ``content_dir`` (text as UTF-8, bytes as they are); return its path."""
    path = content_dir / "articles" / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path
