"""Service settings: the declared table of the running service's settings and their validation.

Pure. :data:`SERVICE_SETTINGS` are the keys of ``create_app``'s
configuration (``FEEDSVC_<NAME>`` in the environment, or a mapping
passed to it); :data:`DEPLOY_SETTINGS` are the ``FEEDSVC_*`` variables
``deploy/gunicorn.conf.py`` reads for gunicorn itself. Each setting has a
default, a help text and a :class:`Kind` saying what values it allows;
:func:`resolve` merges defaults, environment and explicit values and
raises :class:`ServiceConfigError` naming the key and the fix. The site's
own settings (``site.toml``) are :mod:`feedsvc.content.site`'s.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEPLOY_SETTINGS",
    "ENV_PREFIX",
    "SERVICE_SETTINGS",
    "Kind",
    "ServiceConfigError",
    "ServiceSetting",
    "deploy_settings",
    "resolve",
]

ENV_PREFIX = "FEEDSVC_"


class ServiceConfigError(ValueError):
    """A service setting has a value it does not allow, or no such setting exists."""


@dataclass(frozen=True)
class Kind:
    """What values a setting allows: checked in Python values, parsed from environment text."""

    text: str  # in words, for errors and the reference: 'a whole number from 0 up'
    accepts: Callable[[Any], bool]
    parse: Callable[[str], Any] | None = None  # environment text -> value (None: not settable there)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ServiceSetting:
    """One setting: its name (the key; ``FEEDSVC_<name>`` in the environment), default, help and kind."""

    name: str
    default: Any
    help: str
    type: Kind

    @property
    def env(self) -> str | None:
        """The environment variable that sets it, or None if only a caller of ``create_app`` can."""
        return f"{ENV_PREFIX}{self.name}" if self.type.parse is not None else None

    def validate(self, value: Any, source: str = "") -> Any:
        """Return ``value`` if this setting allows it. :raise ServiceConfigError: it does not."""
        if not self.type.accepts(value):
            where = f" ({source})" if source else ""
            raise ServiceConfigError(f"setting {self.name}{where} must be {self.type}, got {value!r}")
        return value

    def from_env(self, text: str) -> Any:
        """Parse and validate the text of ``FEEDSVC_<name>``. :raise ServiceConfigError: not allowed there."""
        if self.type.parse is None:
            raise ServiceConfigError(
                f"{ENV_PREFIX}{self.name} cannot be set in the environment ({self.name} is {self.type}): "
                f"pass it to create_app({{{self.name!r}: ...}}), or unset {ENV_PREFIX}{self.name}"
            )
        try:
            value = self.type.parse(text)
        except ValueError:
            value = _UNPARSED
        if value is _UNPARSED or not self.type.accepts(value):
            raise ServiceConfigError(f"{ENV_PREFIX}{self.name} must be {self.type}, got {text!r}; fix or unset it")
        return value


_UNPARSED = object()  # what no environment text parses to


# --- kinds ---------------------------------------------------------------------

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(text)


def _or_none(text: str) -> str | None:
    return text or None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


BOOL = Kind(
    "true or false (in the environment: true/false, on/off, yes/no, 1/0)", lambda v: isinstance(v, bool), _parse_bool
)
TEXT = Kind("a non-empty string", lambda v: isinstance(v, str) and bool(v), str)
# In the environment an empty value is the same as none (shell scripts write VAR= to clear one).
OPTIONAL_TEXT = Kind("a non-empty string, or unset", lambda v: v is None or (isinstance(v, str) and bool(v)), _or_none)
PATH = Kind("a folder path", lambda v: isinstance(v, str | os.PathLike) and bool(os.fspath(v)), str)
OPTIONAL_PATH = Kind(
    'a folder path, "" for none, or unset for the default', lambda v: v is None or isinstance(v, str | os.PathLike), str
)


def whole(low: int, high: int | None = None, *, optional: bool = False) -> Kind:
    """Whole numbers from ``low`` (up to ``high``); ``optional``: or None (in the environment, empty)."""
    text = f"a whole number from {low} to {high}" if high is not None else f"a whole number from {low} up"

    def accepts(value: Any) -> bool:
        return (optional and value is None) or (_is_int(value) and low <= value and (high is None or value <= high))

    def parse(text: str) -> int | None:
        return None if optional and not text.strip() else int(text)

    return Kind(f"{text}, or unset" if optional else text, accepts, parse)


def seconds(low: float, *, above: bool = False) -> Kind:
    """Numbers of seconds of at least ``low`` (``above``: more than it)."""
    text = f"a number of seconds {'above' if above else 'from'} {low:g}"
    return Kind(text, lambda v: _is_number(v) and (v > low if above else v >= low), float)


def choice(*options: str) -> Kind:
    """One of ``options``."""
    return Kind(" or ".join(map(repr, options)), lambda v: v in options, str.strip)


def optional_object(what: str, *methods: str) -> Kind:
    """None, or an object with ``methods`` (or a callable, when none are named); never from the environment."""

    def accepts(value: Any) -> bool:
        if value is None:
            return True
        if not methods:
            return callable(value)
        return all(callable(getattr(value, name, None)) for name in methods)

    return Kind(f"{what}, or None", accepts)


# --- the service's settings -------------------------------------------------------

# The keys of create_app's configuration, in the order of the reference. FEEDSVC_<name>
# in the environment sets one (but the three objects, which only a caller can pass).
SERVICE_SETTINGS: tuple[ServiceSetting, ...] = (
    ServiceSetting("CONTENT_DIR", "content", "The content folder: site.toml, articles/, rules/.", PATH),
    ServiceSetting(
        "BASE_URL",
        None,
        "Overrides site.toml's base_url, e.g. the address a proxy serves the site at; links then start "
        "there whatever port the server listens on.",
        OPTIONAL_TEXT,
    ),
    ServiceSetting(
        "LISTEN_PORT",
        None,
        "The port the server listens on (feedsvc serve sets it): a site.toml base_url naming this machine "
        "(localhost, 127.0.0.1, ::1) takes this port, so links lead to this server; unset, or BASE_URL "
        "set: base_url as written.",
        whole(1, 65535, optional=True),
    ),
    ServiceSetting(
        "PAGE_MAX_AGE",
        300,
        "Cache-Control max-age of pages, in seconds (feeds: site.toml's feed_max_age).",
        whole(0, 31_536_000),
    ),
    ServiceSetting(
        "SITEMAP_MAX_URLS",
        50_000,
        "Most URLs in one sitemap file (sitemaps.org allows 50000); past it /sitemap.xml is a sitemap index.",
        whole(1, 50_000),
    ),
    ServiceSetting(
        "SITEMAP_MAX_BYTES",
        52_428_800,
        "Most bytes in one sitemap file (sitemaps.org allows 52428800, 50 MB); past it /sitemap.xml is an index.",
        whole(1024, 52_428_800),
    ),
    ServiceSetting(
        "BUILD_MODE",
        "inline",
        '"inline": build in the serving process; "process": in a publisher process of its own, so the '
        "workers a gunicorn master forks inherit only what they serve (feedsvc serve and "
        "deploy/gunicorn.conf.py use it).",
        choice("inline", "process"),
    ),
    ServiceSetting(
        "CACHE_DIR",
        None,
        'The build cache folder; unset: CONTENT_DIR/.feedsvc/cache; "": build without a cache.',
        OPTIONAL_PATH,
    ),
    ServiceSetting(
        "BUILD_WORKERS",
        0,
        "Processes that clean articles when many need it; 0: one per CPU.",
        whole(0, 256),
    ),
    ServiceSetting(
        "PAGE_CACHE_BYTES",
        16 * 1024 * 1024,
        "Bytes of rendered pages each process keeps (the least recently used go first).",
        whole(0),
    ),
    ServiceSetting(
        "LIVE_RELOAD",
        False,
        "Watch the content folder and swap in new snapshots in this process (a single-process "
        "server; under gunicorn the hooks reload the workers instead).",
        BOOL,
    ),
    ServiceSetting(
        "SETTLE_SECONDS",
        0.3,
        "A changed file is published once unchanged this long (never half-written); a removed one once gone this long.",
        seconds(0),
    ),
    ServiceSetting(
        "WATCH_POLLING",
        False,
        "Poll the content folder instead of being told of changes by the operating system (inotify): "
        "for network file systems (NFS, SMB), where the system does not see another machine's writes.",
        BOOL,
    ),
    ServiceSetting(
        "SAFETY_RESCAN_INTERVAL",
        60.0,
        "Seconds between full scans of the content folder while the operating system reports changes "
        "(a safety net for a change it did not report).",
        seconds(0, above=True),
    ),
    ServiceSetting(
        "WATCH_INTERVAL",
        0.1,
        "Polling: seconds between checks for added, removed or renamed files.",
        seconds(0, above=True),
    ),
    ServiceSetting(
        "RESCAN_INTERVAL",
        1.0,
        "Polling: seconds between full scans, for files rewritten in place.",
        seconds(0, above=True),
    ),
    ServiceSetting(
        "FOLLOW",
        True,
        "Follow the [[source]]s of site.toml on their schedules, in the process that builds (while it watches "
        "the folder); false: never poll them here (`feedsvc follow --once` from cron does).",
        BOOL,
    ),
    ServiceSetting(
        "FOLLOW_CHECK_INTERVAL",
        30.0,
        "Seconds between looks at which sources are due (a source added to site.toml is polled by the next look).",
        seconds(0, above=True),
    ),
    ServiceSetting(
        "FOLLOW_HOST_DELAY",
        1.0,
        "Seconds between two requests to one host while following (a robots.txt Crawl-delay may ask for more).",
        seconds(0),
    ),
    ServiceSetting(
        "WEBSUB_ANNOUNCE_AT_START",
        True,
        "Tell the WebSub hub about feeds changed since it last heard, as the app starts; false: the "
        "caller does (the gunicorn hooks, once the server listens).",
        BOOL,
    ),
    ServiceSetting(
        "WEBSUB_ATTEMPTS",
        6,
        "Tries per hub notification before giving up (until the feed's next change).",
        whole(1, 100),
    ),
    ServiceSetting(
        "WEBSUB_FIRST_DELAY", 2.0, "Seconds before the first retry; doubled after each failure.", seconds(0)
    ),
    ServiceSetting("WEBSUB_TIMEOUT", 10.0, "Seconds to wait for the hub on each try.", seconds(0, above=True)),
    ServiceSetting(
        "METRICS",
        None,
        "The feedsvc.web.metrics.Metrics to count into (tests); None: one of the app's own.",
        optional_object(
            "an object with count_request, snapshot_built and snapshot_failed",
            "count_request",
            "snapshot_built",
            "snapshot_failed",
        ),
    ),
    ServiceSetting(
        "CLOCK",
        None,
        'A callable returning an aware "now", read once per snapshot (tests); None: the system clock.',
        optional_object("a callable returning an aware datetime"),
    ),
    ServiceSetting(
        "PROGRESS",
        None,
        "A callable (total, what) -> advance(n) shown while building (the CLI's progress bar).",
        optional_object("a callable (total, what) -> advance(n)"),
    ),
)

# The FEEDSVC_* variables deploy/gunicorn.conf.py reads: gunicorn's own settings, not the app's.
DEPLOY_SETTINGS: tuple[ServiceSetting, ...] = (
    ServiceSetting("BIND", "127.0.0.1:8000", "Address to listen on (never all interfaces by default).", TEXT),
    ServiceSetting(
        "WORKERS", None, "Worker processes; unset: the number of usable cores.", whole(1, 1024, optional=True)
    ),
    ServiceSetting(
        "WORKER_CLASS",
        "sync",
        '"sync" behind a buffering proxy; "gthread" without one (slow readers then hold a thread, not a worker).',
        choice("sync", "gthread"),
    ),
    ServiceSetting("THREADS", 4, "Threads per gthread worker.", whole(1, 1024)),
    ServiceSetting("TIMEOUT", 30, "Seconds a silent worker is given before it is restarted.", whole(1)),
    ServiceSetting("ACCESS_LOG", "-", 'Where access lines go: "-" (standard output), a file, or "off".', TEXT),
    ServiceSetting("WATCH", True, "Publish content changes without a restart; off: only at a restart.", BOOL),
    ServiceSetting(
        "CONTROL_SOCKET", None, "A path for gunicorn's control socket (gunicornc); unset: none.", OPTIONAL_TEXT
    ),
)

# Settings that were replaced: (the new setting, its value for the old one's "true").
RENAMED = {"BUILD_PROCESS": ("BUILD_MODE", "process")}

_BY_NAME = {setting.name: setting for setting in SERVICE_SETTINGS}
_DEPLOY_BY_NAME = {setting.name: setting for setting in DEPLOY_SETTINGS}


def _unknown(name: str, known: Iterable[str]) -> ServiceConfigError:
    """The error for a setting ``name`` (a key, or a variable with the prefix) that is none of ``known``."""
    variable = name.startswith(ENV_PREFIX)
    replaced = RENAMED.get(name.removeprefix(ENV_PREFIX))
    if replaced is not None:
        new, value = replaced
        fix = f"{ENV_PREFIX}{new}={value}" if variable else f"{new} = {value!r}"
        return ServiceConfigError(f"{name} was replaced: set {fix} (or leave it out to build inline)")
    # compared without the prefix, which every variable shares
    bare = {k.removeprefix(ENV_PREFIX): k for k in known}
    close = difflib.get_close_matches(name.removeprefix(ENV_PREFIX), sorted(bare), n=1)
    if close:
        fix = f"did you mean {bare[close[0]]}?" + (" (unset the variable if it is not feedsvc's)" if variable else "")
    else:
        fix = f"{'unset it, or ' if variable else ''}use one of {', '.join(sorted(known))}"
    return ServiceConfigError(f"unknown setting {name}: {fix}")


def resolve(
    config: Mapping[str, Any] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    passthrough: Iterable[str] = (),
) -> dict[str, Any]:
    """Return every service setting: its default, then ``defaults``, ``FEEDSVC_*`` in ``environ``, ``config``.

    ``environ`` is ``os.environ`` unless given. Keys of ``config`` named in
    ``passthrough`` (Flask's own, such as ``TESTING``) are returned as they are.

    :raise ServiceConfigError: an unknown ``FEEDSVC_*`` variable or key, or a value of the wrong kind.
    """
    environ = os.environ if environ is None else environ
    values = {setting.name: setting.default for setting in SERVICE_SETTINGS}
    for name, value in (defaults or {}).items():
        if name not in _BY_NAME:
            raise _unknown(name, _BY_NAME)
        values[name] = _BY_NAME[name].validate(value, "defaults")
    known_env = {s.env for s in SERVICE_SETTINGS if s.env} | {f"{ENV_PREFIX}{n}" for n in _DEPLOY_BY_NAME}
    for variable in sorted(environ):
        if not variable.startswith(ENV_PREFIX):
            continue
        name = variable.removeprefix(ENV_PREFIX)
        if name in _DEPLOY_BY_NAME:
            continue  # gunicorn's, read by deploy/gunicorn.conf.py
        if name not in _BY_NAME:
            raise _unknown(variable, known_env)
        values[name] = _BY_NAME[name].from_env(environ[variable])
    allowed = set(passthrough)
    for name, value in (config or {}).items():
        if name in allowed:
            values[name] = value
        elif name in _BY_NAME:
            values[name] = _BY_NAME[name].validate(value)
        else:
            raise _unknown(name, {*_BY_NAME, *allowed})
    return values


def deploy_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the gunicorn settings of ``deploy/gunicorn.conf.py`` from ``FEEDSVC_*`` in ``environ``.

    Only :data:`DEPLOY_SETTINGS` are read here; the app's own are checked by ``create_app``.
    :raise ServiceConfigError: a value of the wrong kind.
    """
    environ = os.environ if environ is None else environ
    values = {}
    for setting in DEPLOY_SETTINGS:
        text = environ.get(f"{ENV_PREFIX}{setting.name}")
        values[setting.name] = setting.default if text is None else setting.from_env(text)
    return values
