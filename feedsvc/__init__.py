"""feedsvc: publish clean news articles as Atom, RSS and JSON feeds and as clean pages.

The public API, for a library user:

- :func:`create_app` makes the Flask app serving a content folder
  (:func:`create_gunicorn_app`: the same, for gunicorn with feedsvc's hooks);
  its settings are declared in :data:`SERVICE_SETTINGS`, a wrong one raises
  :class:`ServiceConfigError`, a broken ``site.toml`` :class:`SiteConfigError`.
- :func:`load_catalog` and :func:`load_snapshot` build a content folder
  once: its articles and problems, or those and every feed rendered.
- :func:`clean_html` cleans one page (the cleaner the pipeline uses).

Each is imported on first use, so that ``import feedsvc`` (the CLI, the
cleaning processes) does not load Flask or the cleaner it may not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from feedsvc.version import __version__

if TYPE_CHECKING:
    from feedsvc.app import create_app, create_gunicorn_app
    from feedsvc.build.builder import load_catalog, load_snapshot
    from feedsvc.clean import clean_html
    from feedsvc.content.site import SiteConfigError
    from feedsvc.settings import SERVICE_SETTINGS, ServiceConfigError

__all__ = [
    "SERVICE_SETTINGS",
    "ServiceConfigError",
    "SiteConfigError",
    "__version__",
    "clean_html",
    "create_app",
    "create_gunicorn_app",
    "load_catalog",
    "load_snapshot",
]

# Where each name of the API lives; the TYPE_CHECKING imports above say the same to mypy,
# and tests/unit/test_app.py imports every name of __all__.
_HOMES = {
    "SERVICE_SETTINGS": "feedsvc.settings",
    "ServiceConfigError": "feedsvc.settings",
    "SiteConfigError": "feedsvc.content.site",
    "clean_html": "feedsvc.clean",
    "create_app": "feedsvc.app",
    "create_gunicorn_app": "feedsvc.app",
    "load_catalog": "feedsvc.build.builder",
    "load_snapshot": "feedsvc.build.builder",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'feedsvc' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
