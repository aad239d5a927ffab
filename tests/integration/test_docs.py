"""The README documents every declared setting and sidecar key (datasette-style)."""

from __future__ import annotations

import pytest

from feedsvc.content.sidecar import SIDECAR_KEYS
from feedsvc.content.site import SETTINGS
from support.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_every_site_setting_is_documented(name: str) -> None:
    assert f"| `{name}` |" in README, f"README.md's site.toml table lacks `{name}`"


@pytest.mark.parametrize("key", SIDECAR_KEYS, ids=lambda key: key.name)
def test_every_sidecar_key_is_documented_with_its_type(key) -> None:
    assert f"| `{key.name}` | {key.type} |" in README, f"README.md's sidecar table lacks `{key.name}`"
