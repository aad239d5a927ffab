"""Stage 1 of cleaning: declarative per-site rules.

The shape follows FiveFilters' ftr-site-config, written as TOML, one file
per host: ``content/rules/<host>.toml``. ``feedsvc.content.rules`` reads the
files; everything here is pure (``parse_rules_file`` takes the parsed TOML
mapping)::

    body = ["//div[@class='article-body']", "article .entry-content"]
    strip = ["//div[@id='donate-box']", ".share-bar"]
    strip_id_or_class = ["share", "related-posts"]
    strip_text = ['^\\[Read more: .*\\]$']
    strip_image_src = ["/pixel.gif"]
    prune = true

    [[test]]                      # regression cases, run by the test suite
    page = "tests/some-article.html"   # relative to the rules folder
    url = "https://example.org/some-article/"
    contains = ["The first sentence of the article."]
    not_contains = ["Donate today", "Read more:"]

Selectors are XPath 1.0 when they start with ``/``, ``./`` or ``(``, and
otherwise a small CSS subset: ``tag``, ``*``, ``.class``, ``#id``,
``[attr]``, ``[attr=value]``, ``[attr*=value]``, compounds of these, the
descendant (space) and child (``>``) combinators, and ``,`` groups.

A stage of ``feedsvc.clean``: it imports only the leaves below it (``dom``,
``policy``, the ``explain`` recorder), never another stage.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from lxml import etree
from lxml.html import HtmlElement

from feedsvc.clean.dom import remove
from feedsvc.clean.explain import Recorder, quoted
from feedsvc.clean.policy import BLOCK_TAGS

__all__ = [
    "RuleCase",
    "RulesError",
    "RulesFile",
    "SiteRules",
    "apply_strip_rules",
    "parse_rules",
    "parse_rules_file",
    "rule_body",
    "rules_version",
    "select",
    "strip_blocks_by_text",
    "to_xpath",
]

_KEYS_HELP = "body, strip, strip_id_or_class, strip_text, strip_image_src, prune"
_TEST_KEYS_HELP = "page, url, contains, not_contains"


@dataclass(frozen=True)
class SiteRules:
    """Cleaning rules for one site, parsed by ``parse_rules``.

    :param body: selectors for the article body; the first that matches
        wins, and all its matches (in page order) make the body.
    :param strip: selectors of elements to remove.
    :param strip_id_or_class: fragments; an element whose class or id
        contains one is removed.
    :param strip_text: regular expressions searched in each block's text
        (white space collapsed); the innermost matching blocks are removed.
    :param strip_image_src: fragments; images whose src contains one go.
    :param prune: also run the generic boilerplate pass inside ``body``.
    """

    body: tuple[str, ...] = ()
    strip: tuple[str, ...] = ()
    strip_id_or_class: tuple[str, ...] = ()
    strip_text: tuple[re.Pattern[str], ...] = ()
    strip_image_src: tuple[str, ...] = ()
    prune: bool = True

    @cached_property
    def version(self) -> str:
        """A stable hash of what these rules do: equal rules, equal version.

        Meant to key a cache of cleaned articles together with
        ``feedsvc.clean.CLEANER_VERSION``; the file's layout, comments and
        test cases do not change it.
        """
        return rules_version(self)


def rules_version(rules: SiteRules | None) -> str:
    """Return the 12-hex-digit version of ``rules`` ("none" for no rules)."""
    if rules is None:
        return "none"
    canonical = {
        "body": list(rules.body),
        "strip": list(rules.strip),
        "strip_id_or_class": list(rules.strip_id_or_class),
        "strip_text": [p.pattern for p in rules.strip_text],
        "strip_image_src": list(rules.strip_image_src),
        "prune": rules.prune,
    }
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class RuleCase:
    """One offline regression case of a rules file: a saved page and what its clean text must (not) hold.

    :param page: the saved page, a path relative to the rules folder.
    :param url: the page's URL (its base for links); defaults to the host's home page.
    :param contains: snippets the clean article's text must contain.
    :param not_contains: snippets it must not contain.
    """

    page: str
    url: str
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulesFile:
    """A parsed rules file: the rules and their regression cases."""

    rules: SiteRules
    cases: tuple[RuleCase, ...] = ()


class RulesError(ValueError):
    """What is wrong with a rules mapping: every mistake found (``problems``), each naming its key and fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def parse_rules_file(data: Mapping[str, object], host: str) -> RulesFile:
    """Return the rules and test cases a rules file's TOML mapping declares.

    :param data: the file's parsed TOML.
    :param host: the host the file is for (its name), for default case URLs.
    :raises RulesError: naming every key or case that is wrong, each with the fix.
    """
    if not isinstance(data, Mapping):
        raise RulesError([f"a rules file must be a table of keys ({_KEYS_HELP}, test)"])
    problems: list[str] = []
    tests = data.get("test", [])
    rules = None
    try:
        rules = parse_rules({k: v for k, v in data.items() if k != "test"})
    except RulesError as error:
        problems.extend(error.problems)
    if isinstance(tests, Mapping):
        tests = [tests]
    if not isinstance(tests, list):
        problems.append("'test' must be an array of tables: write each case as [[test]] with page = ... below it")
        tests = []
    cases = []
    for number, case in enumerate(tests, 1):
        try:
            cases.append(_parse_case(case, host))
        except ValueError as exc:
            problems.append(f"[[test]] number {number}: {exc}")
    if problems or rules is None:
        raise RulesError(problems)
    return RulesFile(rules, tuple(cases))


def _parse_case(case: object, host: str) -> RuleCase:
    if not isinstance(case, Mapping):
        raise ValueError(f"a case must be a table of keys ({_TEST_KEYS_HELP})")
    unknown = sorted(str(k) for k in case if k not in ("page", "url", "contains", "not_contains"))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; the known keys are {_TEST_KEYS_HELP}")
    page = case.get("page")
    if not isinstance(page, str) or not page.strip():
        raise ValueError(
            "'page' is required: the saved page, relative to the rules folder, e.g. page = \"tests/story.html\""
        )
    url = case.get("url", f"https://{host}/")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("'url' must be the page's http(s) URL")
    snippets: dict[str, tuple[str, ...]] = {}
    for key in ("contains", "not_contains"):
        value = case.get(key, ())
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f'{key!r} must be a list of non-empty strings, e.g. {key} = ["..."]')
        snippets[key] = tuple(" ".join(v.split()) for v in value)
    if not snippets["contains"] and not snippets["not_contains"]:
        raise ValueError("a case checks nothing: give it contains = [...] and/or not_contains = [...]")
    return RuleCase(page.strip(), url, snippets["contains"], snippets["not_contains"])


def parse_rules(data: Mapping[str, object]) -> SiteRules:
    """Return the SiteRules a TOML mapping declares. :raise RulesError: every key that is wrong, with the fix."""
    if not isinstance(data, Mapping):
        raise RulesError([f"site rules must be a table of keys ({_KEYS_HELP}), not {type(data).__name__}"])
    problems: list[str] = []
    for key in sorted(str(k) for k in data if k not in set(SiteRules.__dataclass_fields__)):
        problems.append(f"unknown key {key!r} in site rules; the known keys are {_KEYS_HELP}")

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key, ())
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            problems.append(f'{key!r} must be a string or a list of strings, e.g. {key} = ["..."]')
            return ()
        cleaned = tuple(v.strip() for v in value)
        if any(not v for v in cleaned):
            problems.append(f"{key!r} holds an empty string; remove it")
            return ()
        return cleaned

    body = strings("body")
    strip = strings("strip")
    for key, selectors in (("body", body), ("strip", strip)):
        for selector in selectors:
            try:
                to_xpath(selector)
            except ValueError as exc:
                problems.append(f"{key!r}: {exc}")

    patterns = []
    for text in strings("strip_text"):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            problems.append(
                f"'strip_text': {text!r} is not a valid regular expression ({exc}); "
                "in TOML, write it as a literal string in single quotes"
            )

    prune = data.get("prune", True)
    if not isinstance(prune, bool):
        problems.append("'prune' must be true or false (a TOML boolean, without quotes)")
    strip_id_or_class = tuple(f.lower() for f in strings("strip_id_or_class"))
    strip_image_src = strings("strip_image_src")
    if problems:
        raise RulesError(problems)
    return SiteRules(
        body=body,
        strip=strip,
        strip_id_or_class=strip_id_or_class,
        strip_text=tuple(patterns),
        strip_image_src=strip_image_src,
        prune=bool(prune),
    )


# --- selectors -----------------------------------------------------------

_CSS_TOKEN = re.compile(
    r"""\s*(?:
        (?P<comb>>)
      | (?P<tag>[a-zA-Z][\w-]*|\*)
      | \.(?P<cls>[\w-]+)
      | \#(?P<id>[\w-]+)
      | \[\s*(?P<attr>[\w-]+)\s*(?:(?P<op>[*^$~]?=)\s*(?P<val>"[^"]*"|'[^']*'|[^\]\s]+)\s*)?\]
      | (?P<space>\s)
    )""",
    re.VERBOSE,
)
_XPATH_CACHE: dict[str, etree.XPath] = {}


def to_xpath(selector: str) -> etree.XPath:
    """Return a compiled XPath for an XPath or simple CSS selector; ValueError says what is wrong."""
    cached = _XPATH_CACHE.get(selector)
    if cached is not None:
        return cached
    source = selector if selector.startswith(("/", "./", "(")) else _css_to_xpath(selector)
    try:
        compiled = etree.XPath(source)
    except etree.XPathSyntaxError as exc:
        raise ValueError(f"{selector!r} is not a valid XPath expression ({exc})") from None
    _XPATH_CACHE[selector] = compiled
    return compiled


def _css_to_xpath(selector: str) -> str:
    groups = []
    for group in selector.split(","):
        group = group.strip()
        if not group:
            raise ValueError(f"{selector!r} has an empty selector between commas")
        groups.append(_css_group(group, selector))
    return " | ".join(groups)


def _css_group(group: str, selector: str) -> str:
    steps: list[str] = []
    axis = "//"
    tag = ""
    conds: list[str] = []
    pos = 0

    def flush() -> None:
        nonlocal tag, conds
        if tag or conds:
            steps.append(axis + (tag or "*") + "".join(f"[{c}]" for c in conds))
        tag, conds = "", []

    while pos < len(group):
        m = _CSS_TOKEN.match(group, pos)
        if not m or m.end() == pos:
            raise ValueError(
                f"{selector!r} uses CSS this cleaner does not understand near {group[pos:]!r}; "
                "write it as XPath (starting with //) instead"
            )
        pos = m.end()
        if m.group("comb") or m.group("space"):
            if tag or conds:
                flush()
                axis = "//"
            if m.group("comb"):
                axis = "/"
        elif m.group("tag"):
            if tag or conds:
                raise ValueError(f"{selector!r}: a tag name must come first in a compound selector")
            tag = m.group("tag").lower()
        elif m.group("cls"):
            conds.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {m.group('cls')} ')")
        elif m.group("id"):
            conds.append(f"@id='{m.group('id')}'")
        else:
            attr, op, val = m.group("attr"), m.group("op"), m.group("val")
            if not op:
                conds.append(f"@{attr}")
                continue
            val = val.strip("'\"")
            if "'" in val:
                raise ValueError(f"{selector!r}: attribute values may not contain a single quote")
            conds.append(
                {
                    "=": f"@{attr}='{val}'",
                    "*=": f"contains(@{attr}, '{val}')",
                    "^=": f"starts-with(@{attr}, '{val}')",
                    "$=": f"substring(@{attr}, string-length(@{attr}) - {len(val) - 1})='{val}'",
                    "~=": f"contains(concat(' ', normalize-space(@{attr}), ' '), ' {val} ')",
                }[op]
            )
    flush()
    if not steps:
        raise ValueError(f"{selector!r} selects nothing")
    if not steps[0].startswith("//"):
        raise ValueError(f"{selector!r} cannot start with '>'")
    return "".join(steps)


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Return the elements ``selector`` matches under ``root`` (never raises)."""
    try:
        found = to_xpath(selector)(root)
    except (ValueError, etree.XPathError):
        return []
    if not isinstance(found, list):
        return []
    return [el for el in found if isinstance(el, HtmlElement)]


# --- applying rules ------------------------------------------------------


def rule_body(root: HtmlElement, rules: SiteRules, rec: Recorder | None = None) -> list[HtmlElement]:
    """Return the body elements of the first body selector that matches, or []."""
    for selector in rules.body:
        found = select(root, selector)
        if found:
            # Nested matches would repeat text; keep the outermost.
            found_set = set(found)
            bodies = [el for el in found if not any(a in found_set for a in el.iterancestors())]
            if rec is not None:
                rec.outside(bodies, "rules", f"outside body {quoted(selector)}")
            return bodies
    return []


def apply_strip_rules(root: HtmlElement, rules: SiteRules, rec: Recorder | None = None) -> None:
    """Remove from ``root`` what the strip rules name."""
    for selector in rules.strip:
        for el in select(root, selector):
            if el is not root:
                remove(el, rec, "rules", f"strip {quoted(selector)}")
    if rules.strip_id_or_class:
        for el in [e for e in root.iter() if isinstance(e.tag, str) and e is not root]:
            names = f"{el.get('class', '')} {el.get('id', '')}".lower()
            hit = next((f for f in rules.strip_id_or_class if f in names), None)
            if hit is not None:
                remove(el, rec, "rules", f"strip_id_or_class {quoted(hit)}")
    if rules.strip_image_src:
        for img in list(root.iter("img")):
            src = " ".join(img.get(a, "") for a in ("src", "data-src", "srcset", "data-lazy-src"))
            hit = next((f for f in rules.strip_image_src if f in src), None)
            if hit is not None:
                remove(img, rec, "rules", f"strip_image_src {quoted(hit)}")
    if rules.strip_text:
        strip_blocks_by_text(root, rules.strip_text, rec)


def strip_blocks_by_text(root: HtmlElement, patterns: tuple[re.Pattern[str], ...], rec: Recorder | None = None) -> None:
    """Remove the innermost blocks whose collapsed text matches one of ``patterns``."""
    matched: dict[HtmlElement, re.Pattern[str]] = {}
    for el in root.iter():
        if el is root or not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS:
            continue
        text = " ".join(el.text_content().split())
        hit = next((p for p in patterns if p.search(text)), None)
        if hit is not None:
            matched[el] = hit
    for el, pattern in matched.items():
        inner = any(d in matched for d in el.iterdescendants())
        if not inner:
            remove(el, rec, "rules", f"strip_text {quoted(pattern.pattern)}")
