"""Site rules files: every rules file's own regression cases, and reading files into rules and problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedsvc.clean import clean_html, clean_html_explained
from feedsvc.clean.rules import RuleCase, parse_rules_file, rules_version
from feedsvc.content.rule_cases import flat_text, snippet_failures
from feedsvc.content.rules import RulesSource, load_site_rules, read_rules_file
from support.paths import FIXTURES as FIXTURES_DIR
from support.paths import REPO

FIXTURES = FIXTURES_DIR

# Every rules file in the repository: the sample site's and the test fixtures'.
RULES_FILES = sorted([*(REPO / "content" / "rules").glob("*.toml"), *FIXTURES.glob("**/rules/*.toml")])


def _cases() -> list[tuple[RulesSource, RuleCase]]:
    found = []
    for path in RULES_FILES:
        source = read_rules_file(path)
        found.extend((source, case) for case in source.parsed.cases)
    return found


CASES = _cases()


def _case_id(item: tuple[RulesSource, RuleCase]) -> str:
    source, case = item
    return f"{source.path.relative_to(REPO)}:{case.page}"


def test_the_repository_has_rules_files_with_cases() -> None:
    assert REPO / "content" / "rules" / "oc-media.org.toml" in RULES_FILES
    assert len(CASES) >= 3


@pytest.mark.parametrize("item", CASES, ids=_case_id)
def test_rules_file_case(item: tuple[RulesSource, RuleCase]) -> None:
    source, case = item
    page = source.page_path(case)
    assert page.is_file(), f"{source.path}: the case's page {case.page!r} is missing"
    # the check `feedsvc check` runs on a publisher's own rules files (feedsvc.content.rule_cases)
    assert snippet_failures(source, case, page.read_text(encoding="utf-8")) == [], f"{source.path.name}: {case.page}"


def test_each_rule_kind_of_the_fixture_file_does_its_job() -> None:
    source = read_rules_file(FIXTURES / "clean" / "rules" / "news.example.org.toml")
    case = source.parsed.cases[0]
    html = source.page_path(case).read_text(encoding="utf-8")
    out = clean_html(html, case.url, source.parsed.rules)
    assert "track.gif" not in out  # strip_image_src
    assert 'src="https://news.example.org/media/bridge-plan.jpg"' in out
    # Without the rules the generic stages keep the house boxes (they read as prose).
    generic = flat_text(clean_html(html, case.url))
    assert "Our reporters cover every council meeting" in generic


def test_sample_site_rules_remove_the_appeal_and_the_promo_by_rule() -> None:
    source = read_rules_file(REPO / "content" / "rules" / "oc-media.org.toml")
    for case in source.parsed.cases:
        html = source.page_path(case).read_text(encoding="utf-8")
        out, removals = clean_html_explained(html, case.url, source.parsed.rules)
        assert out == clean_html(html, case.url, source.parsed.rules)
        by_rule = [r for r in removals if r.stage == "rules"]
        assert any("Fierce, independent journalism" in r.excerpt for r in by_rule), case.page
        assert any(r.excerpt.startswith("[Read more:") and "strip_text" in r.reason for r in by_rule), case.page


# --- reading files ----------------------------------------------------------


def write(folder: Path, name: str, text: str | bytes) -> Path:
    rules = folder / "rules"
    rules.mkdir(exist_ok=True)
    path = rules / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_load_site_rules_keys_rules_by_host_without_www(tmp_path: Path) -> None:
    write(tmp_path, "www.example.org.toml", 'body = ["#story"]\n')
    write(tmp_path, "news.example.net.toml", "strip = ['.promo']\n")
    rules, problems = load_site_rules(tmp_path)
    assert problems == []
    assert sorted(rules) == ["example.org", "news.example.net"]
    assert rules["example.org"].body == ("#story",)


def test_no_rules_folder_means_no_rules_and_no_problems(tmp_path: Path) -> None:
    assert load_site_rules(tmp_path) == ({}, [])


def test_a_rules_file_reports_every_mistake_at_once(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "example.org.toml").write_text(
        "bdy = '#x'\nstrip_text = ['[oops']\nprune = 'no'\nstrip = ['div\n[[test]]\npage = 'a.html'\n",
        encoding="utf-8",
    )
    rules, [problem] = load_site_rules(tmp_path)
    assert rules == {}
    for part in ("line 4", "unknown key 'bdy'", "not a valid regular expression", "'prune' must be true or false",
                 "checks nothing"):  # fmt: skip
        assert part in problem.message, problem.message


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("example.org.toml", "body = [", "invalid TOML: line 1: the value of 'body' ([) is never closed"),
        ("example.org.toml", "bdy = '#x'", "unknown key 'bdy'"),
        ("example.org.toml", "strip = ['div ~ p']", "write it as XPath"),
        ("example.org.toml", "strip_text = ['[oops']", "not a valid regular expression"),
        ("example.org.toml", "[[test]]\nurl = 'https://example.org/'\ncontains = ['x']", "'page' is required"),
        ("example.org.toml", "[[test]]\npage = 'a.html'", "checks nothing"),
        ("example.org.toml", "[[test]]\npage = 'a.html'\ncontains = 'x'\nexpect = 1", "unknown key 'expect'"),
        ("example.org.toml", "test = 3", "array of tables"),
        ("example.org.toml", b"strip = ['\xff']", "not UTF-8"),
        ("Example Site.toml", "body = ['#x']", "not named for a host"),
    ],
)
def test_a_broken_rules_file_is_a_problem_naming_the_file_and_the_fix(
    tmp_path: Path, name: str, text: str | bytes, message: str
) -> None:
    path = write(tmp_path, name, text)
    write(tmp_path, "good.example.toml", "strip = ['.promo']\n")
    rules, problems = load_site_rules(tmp_path)
    assert list(rules) == ["good.example"]  # the good file still counts
    assert len(problems) == 1
    assert problems[0].path == path
    assert problems[0].severity == "error"
    assert message in problems[0].message


def test_a_rules_file_that_cannot_be_statted_is_a_problem_naming_it_not_left_out_unsaid(tmp_path: Path) -> None:
    path = write(tmp_path, "example.org.toml", "strip = ['.a']\n")
    write(tmp_path, "good.example.toml", "strip = ['.promo']\n")
    path.unlink()
    path.symlink_to(path.name)  # a loop: its stat fails (ELOOP, root too); is_file() said no, and nothing more
    rules, problems = load_site_rules(tmp_path)
    assert list(rules) == ["good.example"]
    assert [(p.path, p.severity, p.message) for p in problems] == [
        (path, "error", "could not read the rules file (Too many levels of symbolic links); its rules are not applied")
    ]
    path.unlink()
    path.symlink_to("nowhere.toml")  # to nothing: gone, as a deleted file is
    assert load_site_rules(tmp_path) == ({"good.example": rules["good.example"]}, [])


def test_two_files_for_one_host_are_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "example.org.toml", "strip = ['.a']\n")
    second = write(tmp_path, "www.example.org.toml", "strip = ['.b']\n")
    rules, problems = load_site_rules(tmp_path)
    assert rules["example.org"].strip == (".a",)
    assert [(p.path, "merge" in p.message) for p in problems] == [(second, True)]


def test_a_missing_test_page_is_a_warning_and_the_rules_still_apply(tmp_path: Path) -> None:
    path = write(tmp_path, "example.org.toml", "strip = ['.a']\n[[test]]\npage = 'tests/gone.html'\ncontains = ['x']\n")
    rules, problems = load_site_rules(tmp_path)
    assert "example.org" in rules
    assert [(p.path, p.severity) for p in problems] == [(path, "warning")]
    assert "tests/gone.html" in problems[0].message


def test_case_defaults_and_snippets() -> None:
    parsed = parse_rules_file({"test": [{"page": "p.html", "not_contains": "Donate  now"}]}, "example.org")
    assert parsed.cases == (RuleCase("p.html", "https://example.org/", (), ("Donate now",)),)


def test_rules_version_is_stable_and_follows_what_the_rules_do() -> None:
    a = parse_rules_file({"body": "#x", "strip": [".a"], "test": [{"page": "p.html", "contains": "y"}]}, "e.org")
    b = parse_rules_file({"strip": ".a", "body": ["#x"]}, "e.org")
    c = parse_rules_file({"body": "#x", "strip": [".b"]}, "e.org")
    assert a.rules.version == b.rules.version == rules_version(b.rules)  # layout and cases don't count
    assert a.rules.version != c.rules.version
    assert len(a.rules.version) == 12
    assert rules_version(None) == "none"
