"""feedsvc: publish clean news articles as Atom, RSS and JSON feeds and as clean pages."""

from __future__ import annotations

from feedsvc.app import create_app
from feedsvc.version import __version__

__all__ = ["__version__", "create_app"]
