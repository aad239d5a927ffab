"""settings.py: the declared service settings and their validation; content/site.py's defaults are Site's."""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feedsvc.build.snapshot import PAGE_CACHE_BYTES
from feedsvc.content.site import SETTINGS, SOURCE_KEYS, parse_site
from feedsvc.model import Site, Source
from feedsvc.settings import (
    DEPLOY_SETTINGS,
    SERVICE_SETTINGS,
    ServiceConfigError,
    ServiceSetting,
    deploy_settings,
    resolve,
)

BY_NAME = {setting.name: setting for setting in SERVICE_SETTINGS}
REQUIRED_SITE: dict[str, Any] = {
    "title": "Harbour Times",
    "base_url": "https://news.example.org",
    "id_authority": "news.example.org,2020",
    "default_author": "Staff",
}


# --- the table ----------------------------------------------------------------


@pytest.mark.parametrize("setting", SERVICE_SETTINGS + DEPLOY_SETTINGS, ids=lambda setting: setting.name)
def test_every_setting_is_declared_with_a_valid_default_and_help(setting: ServiceSetting) -> None:
    assert setting.name.isupper() and setting.name.isidentifier()
    assert setting.validate(setting.default) is setting.default
    assert setting.help.strip() and str(setting.type)


def test_names_are_unique_and_the_environment_names_follow_them() -> None:
    names = [setting.name for setting in SERVICE_SETTINGS + DEPLOY_SETTINGS]
    assert len(names) == len(set(names))
    assert BY_NAME["CONTENT_DIR"].env == "FEEDSVC_CONTENT_DIR"
    # objects only a caller can pass have no variable
    assert [s.name for s in SERVICE_SETTINGS if s.env is None] == ["METRICS", "CLOCK", "PROGRESS"]


def test_the_page_cache_default_is_the_snapshots() -> None:
    assert BY_NAME["PAGE_CACHE_BYTES"].default == PAGE_CACHE_BYTES


def test_build_mode_is_inline_or_process() -> None:
    assert BY_NAME["BUILD_MODE"].default == "inline"
    assert resolve({"BUILD_MODE": "process"}, environ={})["BUILD_MODE"] == "process"
    with pytest.raises(ServiceConfigError, match=r"BUILD_MODE must be 'inline' or 'process', got 'fork'"):
        resolve({"BUILD_MODE": "fork"}, environ={})


# --- resolving: defaults, then defaults=, then the environment, then the caller's ----------


def test_with_nothing_given_every_setting_has_its_default() -> None:
    assert resolve(environ={}) == {setting.name: setting.default for setting in SERVICE_SETTINGS}


def test_the_environment_is_parsed_as_each_setting_says() -> None:
    found = resolve(
        environ={
            "FEEDSVC_CONTENT_DIR": "/srv/content",
            "FEEDSVC_PAGE_MAX_AGE": "60",
            "FEEDSVC_SETTLE_SECONDS": "1.5",
            "FEEDSVC_LIVE_RELOAD": "on",
            "FEEDSVC_WEBSUB_ANNOUNCE_AT_START": "False",
            "FEEDSVC_BUILD_MODE": "process",
            "FEEDSVC_BASE_URL": "",  # empty is the same as unset
            "FEEDSVC_CACHE_DIR": "",  # but here "" means "no cache"
            "HOME": "/root",  # not ours
        }
    )
    assert found["CONTENT_DIR"] == "/srv/content"
    assert found["PAGE_MAX_AGE"] == 60 and found["SETTLE_SECONDS"] == 1.5
    assert found["LIVE_RELOAD"] is True and found["WEBSUB_ANNOUNCE_AT_START"] is False
    assert found["BUILD_MODE"] == "process"
    assert found["BASE_URL"] is None and found["CACHE_DIR"] == ""


def test_defaults_then_environment_then_the_callers_config() -> None:
    defaults = {"BUILD_MODE": "process", "PAGE_MAX_AGE": 1, "WEBSUB_ATTEMPTS": 2}
    environ = {"FEEDSVC_PAGE_MAX_AGE": "5", "FEEDSVC_WEBSUB_ATTEMPTS": "3"}
    found = resolve({"WEBSUB_ATTEMPTS": 4}, defaults=defaults, environ=environ)
    assert (found["BUILD_MODE"], found["PAGE_MAX_AGE"], found["WEBSUB_ATTEMPTS"]) == ("process", 5, 4)


def test_flask_settings_pass_through_only_when_named() -> None:
    assert resolve({"TESTING": True}, environ={}, passthrough={"TESTING"})["TESTING"] is True
    with pytest.raises(ServiceConfigError, match="unknown setting TESTING"):
        resolve({"TESTING": True}, environ={})


# --- errors name the key and the fix -------------------------------------------------


def test_an_unknown_variable_is_named_with_the_likely_one() -> None:
    with pytest.raises(ServiceConfigError) as error:
        resolve(environ={"FEEDSVC_CONTENTDIR": "/srv/content"})
    assert str(error.value) == (
        "unknown setting FEEDSVC_CONTENTDIR: did you mean FEEDSVC_CONTENT_DIR? (unset the variable if it is not feedsvc's)"
    )


def test_an_unknown_variable_like_none_lists_them_all() -> None:
    with pytest.raises(ServiceConfigError) as error:
        resolve(environ={"FEEDSVC_SCREENSHOTS": "/tmp"})
    assert str(error.value).startswith(
        "unknown setting FEEDSVC_SCREENSHOTS: unset it, or use one of FEEDSVC_ACCESS_LOG,"
    )
    assert all(setting.env in str(error.value) for setting in SERVICE_SETTINGS if setting.env)


def test_an_unknown_key_is_named_with_the_likely_one() -> None:
    with pytest.raises(ServiceConfigError, match=r"unknown setting PAGE_MAXAGE: did you mean PAGE_MAX_AGE\?"):
        resolve({"PAGE_MAXAGE": 5}, environ={})


@pytest.mark.parametrize(
    ("config", "environ", "fix"),
    [
        ({"BUILD_PROCESS": True}, {}, "BUILD_PROCESS was replaced: set BUILD_MODE = 'process'"),
        (None, {"FEEDSVC_BUILD_PROCESS": "true"}, "FEEDSVC_BUILD_PROCESS was replaced: set FEEDSVC_BUILD_MODE=process"),
    ],
    ids=["key", "variable"],
)
def test_the_old_build_process_switch_says_what_replaced_it(
    config: dict[str, object] | None, environ: dict[str, str], fix: str
) -> None:
    with pytest.raises(ServiceConfigError) as error:
        resolve(config, environ=environ)
    assert str(error.value).startswith(fix)


@pytest.mark.parametrize(
    ("variable", "text", "allowed"),
    [
        ("FEEDSVC_PAGE_MAX_AGE", "five", "a whole number from 0"),
        ("FEEDSVC_PAGE_MAX_AGE", "-1", "a whole number from 0"),
        ("FEEDSVC_WATCH_INTERVAL", "0", "a number of seconds above 0"),
        ("FEEDSVC_LIVE_RELOAD", "maybe", "true or false"),
        ("FEEDSVC_BUILD_MODE", "threads", "'inline' or 'process'"),
    ],
)
def test_a_wrong_value_in_the_environment_is_named_with_what_is_allowed(variable: str, text: str, allowed: str) -> None:
    with pytest.raises(ServiceConfigError) as error:
        resolve(environ={variable: text})
    message = str(error.value)
    assert message.startswith(f"{variable} must be {allowed}") and repr(text) in message


@pytest.mark.parametrize(
    ("key", "value"),
    [("PAGE_MAX_AGE", "300"), ("PAGE_MAX_AGE", True), ("SETTLE_SECONDS", float("nan")), ("CLOCK", "now"),
     ("METRICS", object()), ("CONTENT_DIR", ""), ("BASE_URL", "")],
)  # fmt: skip
def test_a_wrong_value_from_the_caller_is_named(key: str, value: object) -> None:
    with pytest.raises(ServiceConfigError, match=f"setting {key} must be"):
        resolve({key: value}, environ={})


def test_objects_cannot_come_from_the_environment() -> None:
    with pytest.raises(ServiceConfigError, match=r"FEEDSVC_CLOCK cannot be set in the environment.*create_app"):
        resolve(environ={"FEEDSVC_CLOCK": "now"})


# --- the deploy configuration's variables ------------------------------------------


def test_deploy_variables_are_known_but_not_the_apps() -> None:
    environ = {"FEEDSVC_BIND": "127.0.0.1:9000", "FEEDSVC_WATCH": "off"}
    assert "BIND" not in resolve(environ=environ)  # no error: they are gunicorn's
    found = deploy_settings(environ)
    assert found["BIND"] == "127.0.0.1:9000" and found["WATCH"] is False
    assert found["WORKERS"] is None and found["CONTROL_SOCKET"] is None  # unset: the defaults
    assert deploy_settings({"FEEDSVC_WORKERS": ""})["WORKERS"] is None  # empty: unset


def test_a_wrong_deploy_variable_is_named() -> None:
    with pytest.raises(ServiceConfigError, match="FEEDSVC_THREADS must be a whole number from 1"):
        deploy_settings({"FEEDSVC_THREADS": "0"})


# --- site.toml: one table of defaults ------------------------------------------------


def test_the_declared_site_defaults_are_sites() -> None:
    """content/site.py declares each key with Site's own default: one table, read by both."""
    defaults = {field.name: field.default for field in dataclasses.fields(Site)}
    for setting in SETTINGS:
        default = defaults[setting.name]
        if default is dataclasses.MISSING:
            assert setting.default is None, f"{setting.name} is required by Site but declared with a default"
        elif default is None:
            assert setting.default == "", setting.name  # "no value" is written "" in site.toml
        elif isinstance(default, ZoneInfo):
            assert setting.default == default.key
        else:
            assert setting.default == default, setting.name
    # sources is not one key but the [[source]] tables, declared by SOURCE_KEYS (the test below)
    assert {setting.name for setting in SETTINGS} == set(defaults) - {"sources"}


def test_the_declared_source_keys_are_sources_fields_with_their_defaults() -> None:
    """SOURCE_KEYS declares each [[source]] key with Source's own default: one table, read by both."""
    fields = {field.name: field.default for field in dataclasses.fields(Source)}
    assert [key.name for key in SOURCE_KEYS] == list(fields)
    for key in SOURCE_KEYS:
        default = fields[key.name]
        expected = None if default is dataclasses.MISSING else "" if default is None else default
        assert key.default == expected, key.name


def test_a_site_toml_with_only_the_required_keys_gives_sites_defaults() -> None:
    assert parse_site(REQUIRED_SITE) == Site(**REQUIRED_SITE)
    # and what each declared default says, written out, parses to the same site
    written = {setting.name: setting.default for setting in SETTINGS if setting.default is not None}
    assert parse_site({**REQUIRED_SITE, **written}) == Site(**REQUIRED_SITE)


def test_no_websub_hub_is_none_whichever_way_it_is_said() -> None:
    assert Site(**REQUIRED_SITE).websub_hub is None
    assert parse_site(REQUIRED_SITE).websub_hub is None
    assert parse_site({**REQUIRED_SITE, "websub_hub": ""}).websub_hub is None
