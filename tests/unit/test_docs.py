"""The documentation: the generated reference is current, links resolve, the README stays a front door."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from feedsvc.cli.main import main as feedsvc_command
from feedsvc.content.sidecar import SIDECAR_KEYS
from feedsvc.content.site import SETTINGS, SOURCE_KEYS
from feedsvc.settings import DEPLOY_SETTINGS, SERVICE_SETTINGS
from support.paths import REPO

DOCS = REPO / "docs"
README = REPO / "README.md"
README_BUDGET = 10 * 1024
# [text](target) outside code; images and autolinks are not used in these pages
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_reference", REPO / "scripts" / "docs_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()


@pytest.mark.parametrize("page", sorted(GENERATOR.PAGES))
def test_the_committed_reference_is_what_the_generator_writes(page: str) -> None:
    committed = (REPO / page).read_text(encoding="utf-8")
    assert committed == GENERATOR.PAGES[page](), f"{page} is stale: run `make docs-reference` and commit it"


def test_the_settings_reference_names_every_declared_setting() -> None:
    text = (DOCS / "reference" / "settings.md").read_text(encoding="utf-8")
    for name in [s.name for s in SETTINGS] + [k.name for k in SIDECAR_KEYS] + [k.name for k in SOURCE_KEYS]:
        assert f"| `{name}` |" in text, name
    for setting in SERVICE_SETTINGS + DEPLOY_SETTINGS:
        assert f"| `{setting.name}` | " in text, setting.name
        if setting.env:
            assert f"`{setting.env}`" in text, setting.env


def test_the_cli_reference_names_every_command_and_option() -> None:
    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for name, command in feedsvc_command.commands.items():
        assert f"## `feedsvc {name}`" in text, name
        for option in command.params:
            for flag in option.opts:
                if flag.startswith("--"):
                    assert f"`{flag}" in text or f", {flag}" in text, f"feedsvc {name} {flag}"


def test_the_reference_escapes_what_markdown_would_take_for_markup() -> None:
    assert GENERATOR.cell("a <b> | c * d `x | <y>`") == "a &lt;b&gt; \\| c \\* d `x \\| <y>`"


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_leads_to_a_file_that_exists(path: Path) -> None:
    # mkdocs --strict (make docs) checks docs/ with anchors; this also covers the README, without mkdocs
    text = CODE.sub("", path.read_text(encoding="utf-8"))
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        file = target.split("#", 1)[0]
        assert (path.parent / file).exists(), f"{path.relative_to(REPO)} links to {target}, which does not exist"


def test_the_readme_is_a_front_door() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode()) <= README_BUDGET, "README.md is over 10 KB: move the detail into docs/"
    assert "make serve" in text and "make test" in text
    linked = {target.split("#", 1)[0] for target in LINK.findall(text)}
    guides = {f"docs/{p.relative_to(DOCS)}" for p in DOCS.glob("*.md")}
    assert guides <= linked, f"README.md does not link {sorted(guides - linked)}"


def test_every_page_is_in_the_mkdocs_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.rglob("*.md"):
        assert f": {page.relative_to(DOCS)}\n" in nav, f"{page.relative_to(DOCS)} is missing from mkdocs.yml's nav"


def test_the_rules_reference_covers_every_cleaner_module_with_rule_switches() -> None:
    # the generated page lists the modules of RULE_MODULES; a module given RULES and left out of it would go unlisted
    listed = [name for name, _ in GENERATOR.RULE_MODULES]
    assert sorted(listed) == GENERATOR.modules_with_rules()
    text = (DOCS / "reference" / "cleaner-rules.md").read_text(encoding="utf-8")
    for name in listed:
        module = importlib.import_module(f"feedsvc.clean.{name}")
        assert module.RULES, name
        for rule in module.RULES:
            assert f"| `{rule}` |" in text, f"docs/reference/cleaner-rules.md does not list {name}'s rule {rule}"


def test_the_help_names_every_feed_format_and_no_watch_keeps_serving() -> None:
    assert all(word in (feedsvc_command.help or "") for word in ("Atom", "RSS", "JSON"))
    serve_help = " ".join((feedsvc_command.commands["serve"].help or "").split())
    assert "exits after the first build" not in serve_help
    assert "With --no-watch the server serves the first build until it is restarted" in serve_help
