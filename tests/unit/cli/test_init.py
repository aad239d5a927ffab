"""cli/init.py and `feedsvc init`: a commented site.toml and an example article, never overwriting."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsvc.cli.init import InitError, init_folder, site_toml_text
from feedsvc.cli.main import main
from feedsvc.content.loader import load_site
from feedsvc.content.site import SETTINGS, SOURCE_KEYS

TODAY = date(2026, 3, 14)


def test_init_writes_a_site_that_publishes_its_example_article(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "articles/welcome.html", "articles/welcome.toml", "site.toml",
    ]  # fmt: skip
    site = load_site(folder)
    assert site.title == "My News Site" and site.base_url == "http://127.0.0.1:8000"
    check = CliRunner().invoke(main, ["check", "--content", str(folder)])
    assert check.exit_code == 0, check.output
    assert "1 published, 0 not published" in check.output and "Getting started" in check.output


def test_every_setting_is_in_the_site_toml_with_its_help_and_its_default_is_valid(tmp_path: Path) -> None:
    text = site_toml_text(2026)
    for setting in SETTINGS:
        assert f"\n{setting.name} = " in text or f"\n# {setting.name} = " in text, setting.name
    assert set(tomllib.loads(text)) == {s.name for s in SETTINGS if s.default is None}
    # uncommenting every default gives the same site: the defaults as written are valid and are the defaults
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and " = " in line and line[2:].split(" = ")[0].isidentifier() else line
        for line in text.splitlines()
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "site.toml").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "site.toml").write_text(uncommented, encoding="utf-8")
    assert set(tomllib.loads(uncommented)) == {s.name for s in SETTINGS}
    assert load_site(tmp_path / "a") == load_site(tmp_path / "b")


def test_the_commented_source_example_follows_a_site_once_uncommented(tmp_path: Path) -> None:
    text = site_toml_text(2026)
    example = text.partition("\n#  [[source]]\n")[2]
    for key in SOURCE_KEYS:  # every key is shown, with what it does
        assert f"{key.name} = " in example, key.name
    (tmp_path / "site.toml").write_text(text.replace("\n#  ", "\n"), encoding="utf-8")
    (source,) = load_site(tmp_path).sources
    assert (source.name, source.feed, source.every, source.since) == (
        "example-news", "https://news.example.com/feed.xml", 1800, datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert source.rules is None  # its rules file would have to exist: left commented


def test_the_example_is_dated_today_and_its_authority_this_year(tmp_path: Path) -> None:
    init_folder(tmp_path / "site", TODAY)
    assert load_site(tmp_path / "site").id_authority == "example.org,2026"
    assert "published = 2026-03-14\n" in (tmp_path / "site" / "articles" / "welcome.toml").read_text()


@pytest.mark.parametrize("existing", ["site.toml", "articles/welcome.html", "articles/welcome.toml"])
def test_init_never_overwrites_and_then_writes_nothing(tmp_path: Path, existing: str) -> None:
    folder = tmp_path / "site"
    (folder / "articles").mkdir(parents=True)
    (folder / existing).write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / existing} already exists" in result.output and "never overwrites" in result.output
    assert (folder / existing).read_text() == "mine"
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [Path(existing).name]


def test_init_defaults_to_a_content_folder_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "content" / "site.toml").is_file() and (
        tmp_path / "content" / "articles" / "welcome.html"
    ).is_file()


def test_a_folder_that_cannot_be_made_is_an_init_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InitError, match="cannot write"):
        init_folder(tmp_path / "file" / "site", TODAY)
