"""The regression cases of a content folder's rules files, run as ``feedsvc check`` runs them.

Each ``[[test]]`` of ``rules/<host>.toml`` names a saved page, its URL and
snippets its clean article must (``contains``) and must not
(``not_contains``) hold. The project's test suite runs the cases of the
repository's own rules files; a publisher's content folder has no test
suite, so ``feedsvc check`` runs them: a case that fails is a warning naming
the rules file, the case and the snippet (the rules still apply).

Not part of the loader (nor of its cache key): only ``check`` runs the cases.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html

from feedsvc.clean import clean_html
from feedsvc.clean.rules import RuleCase
from feedsvc.content.loader import html_text
from feedsvc.content.rules import RulesSource, discover_rules_files, read_rules_file
from feedsvc.model import ContentError, Problem

__all__ = ["case_failures", "flat_text", "rule_case_problems", "snippet_failures"]


def flat_text(html: str) -> str:
    """The clean article's text, white space collapsed (what a snippet is looked for in, with the HTML)."""
    if not html.strip():
        return ""
    return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())


def case_failures(source: RulesSource) -> list[str]:
    """Say what each failing case of one rules file got wrong; [] when every case holds."""
    failures: list[str] = []
    for number, case in enumerate(source.parsed.cases, start=1):
        where = f"[[test]] {number} ({case.page})"
        page = source.page_path(case)
        if not page.is_file():
            continue  # a missing page is load_site_rules' warning already
        try:
            html, _ = html_text(page, page.read_bytes())
        except (OSError, ContentError) as error:
            reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error)
            failures.append(f"{where}: its page cannot be read ({reason})")
            continue
        failures.extend(f"{where}: {failure}" for failure in snippet_failures(source, case, html))
    return failures


def snippet_failures(source: RulesSource, case: RuleCase, html: str) -> list[str]:
    """Say which snippets of ``case`` the clean article of ``html`` (its saved page) lost or kept; [] when it holds.

    A snippet is looked for in the article's text (white space collapsed) and in its HTML.
    """
    out = clean_html(html, case.url, source.parsed.rules)
    text = flat_text(out)
    lost = [s for s in case.contains if s not in text and s not in out]
    kept = [s for s in case.not_contains if s in text or s in out]
    failures = []
    if lost:
        failures.append(f"the clean article lost {', '.join(map(repr, lost))} (contains)")
    if kept:
        failures.append(f"the clean article still has {', '.join(map(repr, kept))} (not_contains)")
    return failures


def rule_case_problems(content_dir: Path) -> list[Problem]:
    """Run the cases of every usable rules file of ``content_dir``; a warning for each rules file with failures.

    A file that cannot be read or parsed is not run (``load_site_rules`` reports it).
    """
    problems: list[Problem] = []
    for path in discover_rules_files(content_dir):
        try:
            source = read_rules_file(path)
        except (OSError, ValueError):
            continue
        failures = case_failures(source)
        if failures:
            message = "; ".join(failures)
            problems.append(
                Problem(
                    path,
                    f"its test cases fail: {message}; fix the rules (`feedsvc clean --explain PAGE --url URL` "
                    "shows what each stage removed) or the case",
                    "warning",
                )
            )
    return problems
