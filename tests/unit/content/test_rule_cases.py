"""content/rule_cases.py: the [[test]] cases of a content folder's rules files, as `feedsvc check` runs them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from feedsvc.cli.main import main
from feedsvc.content.rule_cases import rule_case_problems
from support.sites import NEWS_SITE_TOML

PAGE = """<html><head><link rel="canonical" href="https://adjara.example/news/library"></head><body>
<article><h1>Batumi opens a library</h1>
<p>Batumi opened a new public library on the seaside boulevard on Friday, with room for many books.</p>
<p class="promo">Read our newsletter for more news from Adjara every single morning of the week.</p>
</article></body></html>"""

RULES = """strip = [{strip}]

[[test]]
page = "../articles/library.html"
url = "https://adjara.example/news/library"
contains = ["Batumi opened a new public library"]
not_contains = ["Read our newsletter"]
"""


def _folder(tmp_path: Path, strip: str) -> Path:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "rules").mkdir()
    (content / "site.toml").write_text(NEWS_SITE_TOML, encoding="utf-8")
    (content / "articles" / "library.html").write_text(PAGE, encoding="utf-8")
    (content / "rules" / "adjara.example.toml").write_text(RULES.format(strip=strip), encoding="utf-8")
    return content


def test_a_failing_case_of_a_publisher_s_rules_file_is_a_warning_naming_the_case_and_the_snippet(
    tmp_path: Path,
) -> None:
    # the case says the promo must go; the rules strip nothing that matches: nothing ran the case before
    content = _folder(tmp_path, '".no-such-thing"')
    (problem,) = rule_case_problems(content)
    assert problem.severity == "warning" and problem.path.name == "adjara.example.toml"
    assert "[[test]] 1 (../articles/library.html): the clean article still has 'Read our newsletter'" in (
        problem.message
    )
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert f"warning  {content / 'rules' / 'adjara.example.toml'}: its test cases fail: " in result.output
    assert result.exit_code == 0  # the rules still apply: a warning, as a missing test page is


def test_rules_whose_cases_hold_say_nothing(tmp_path: Path) -> None:
    assert rule_case_problems(_folder(tmp_path, '".promo"')) == []
