"""The edge that reads site rules from the content folder: ``rules/<host>.toml``.

One file per host, named for the host without ``www.``
(``content/rules/oc-media.org.toml``). What a file may say is defined, and
checked, by :func:`feedsvc.clean.rules.parse_rules_file`; this module only
reads files. A broken file becomes a :class:`~feedsvc.model.Problem` that
names the file and the fix, and the site is served without that file's
rules (the generic cleaner still runs), never a crash.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from feedsvc.clean.rules import RuleCase, RulesError, RulesFile, SiteRules, parse_rules_file
from feedsvc.content.toml_text import joined, parse_toml
from feedsvc.model import Problem

__all__ = [
    "MAX_RULES_BYTES",
    "RULES_FOLDER",
    "RulesSource",
    "discover_rules_files",
    "host_of",
    "load_site_rules",
    "read_rules_file",
]

RULES_FOLDER = "rules"
# A rules file larger than this is certainly not hand-written rules.
MAX_RULES_BYTES = 256 * 1024
_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


@dataclass(frozen=True)
class RulesSource:
    """A rules file as read: its path, host, and parsed content."""

    path: Path
    host: str
    parsed: RulesFile

    def page_path(self, case: RuleCase) -> Path:
        """Return the file a regression case's ``page`` names (relative to the rules folder)."""
        return self.path.parent / case.page


def host_of(path: Path) -> str:
    """Return the host a rules file is for: its name without ``.toml`` and ``www.``, lower case.

    The file's side of :func:`feedsvc.catalog.prepare.rules_host` (a page's side, from its URL): a
    name, not a URL, so ``feedsvc.text.site_host`` does not read it; ``_HOST`` then checks it.
    """
    return path.stem.lower().removeprefix("www.")


def read_rules_file(path: Path) -> RulesSource:
    """Read and parse one rules file; raise ValueError (or OSError) with a message that says the fix."""
    host = host_of(path)
    if not _HOST.match(host):
        raise ValueError(
            f"{path.name!r} is not named for a host; name the file for the site's host without www., "
            "e.g. rules/example.org.toml"
        )
    data = path.read_bytes()
    if len(data) > MAX_RULES_BYTES:
        raise ValueError(f"the file is {len(data)} bytes; rules files are limited to {MAX_RULES_BYTES}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text; save it as UTF-8") from None
    table, mistakes = parse_toml(text)
    if mistakes:
        # the keys of the lines that parse are checked too: every mistake at once
        try:
            parse_rules_file(table or {}, host)
            more: tuple[str, ...] = ()
        except RulesError as error:
            more = error.problems
        hint = "regular expressions are easiest as literal strings in single quotes"
        raise ValueError(f"{joined([*mistakes, *more])} ({hint})")
    try:
        return RulesSource(path, host, parse_rules_file(table or {}, host))
    except RulesError as error:
        raise ValueError(joined(list(error.problems))) from None


def discover_rules_files(content_dir: Path) -> list[Path]:
    """Return the rules files of a content folder, sorted by name ([] when it has no rules folder).

    A file there whose stat fails for a reason but "it is gone" (a symlink loop, no permission, an I/O
    error) is returned too: reading it says why it cannot be used, rather than its rules vanishing unsaid.
    """
    folder = content_dir / RULES_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if _listed(p))


def _listed(path: Path) -> bool:
    """Say whether ``path`` is a rules file: a regular file, or one there that cannot be statted."""
    try:
        return S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False  # gone, or a symlink to nothing
    except OSError:
        return True


def load_site_rules(content_dir: Path) -> tuple[dict[str, SiteRules], list[Problem]]:
    """Return the site rules of ``content_dir`` by host, and a problem for each file that can't be used.

    A file that does not parse is left out (its host is cleaned by the
    generic stages alone) and reported as an error; a regression case whose
    page is missing is a warning, since the rules themselves still apply.
    """
    rules: dict[str, SiteRules] = {}
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in discover_rules_files(content_dir):
        try:
            source = read_rules_file(path)
        except OSError as exc:
            problems.append(
                Problem(path, f"could not read the rules file ({exc.strerror or exc}); its rules are not applied")
            )
            continue
        except ValueError as exc:
            problems.append(Problem(path, f"{exc}; the site's rules are not applied until this is fixed"))
            continue
        if source.host in seen:
            problems.append(
                Problem(
                    path, f"{seen[source.host].name} already holds the rules for {source.host}; merge the two files"
                )
            )
            continue
        seen[source.host] = path
        rules[source.host] = source.parsed.rules
        for case in source.parsed.cases:
            if not source.page_path(case).is_file():
                problems.append(
                    Problem(
                        path,
                        f"the test page {case.page!r} does not exist (paths are relative to {path.parent}); "
                        "save the page there or fix the path",
                        "warning",
                    )
                )
    return rules, problems
