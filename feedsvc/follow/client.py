"""The follower's HTTP edge: polite, conditional fetches through the importer's :class:`~feedsvc.importer.http.Fetcher`.

An edge. On top of the Fetcher's timeouts, size caps (counted after
decompression, so a gzip bomb stops at the cap) and redirect checks, a
:class:`PoliteClient`:

- asks each host's ``robots.txt`` first (Protego parses it: wildcards, ``Allow``
  inside ``Disallow``, ``Crawl-delay``), keeps it a day, and keeps it across runs
  when given a file to keep it in;
- sends one request at a time to a host, at least ``min_delay`` seconds (or the
  host's ``Crawl-delay``, up to :data:`MAX_CRAWL_DELAY`) after the last one ended;
- sends ``If-None-Match`` / ``If-Modified-Since`` when the caller has an ETag or
  a Last-Modified date (a 304 comes back as ``status == 304``);
- refuses, before any request and at every redirect, a URL that is not http(s),
  that leaves the source's site, or whose host resolves to a private, loopback or
  link-local address, unless the host is the source's own (:func:`check_target`).

The clock and the sleep are injected, so tests and benches wait for nothing.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from protego import Protego

from feedsvc.atomic import write_atomic
from feedsvc.importer.http import Fetched, Fetcher, FetchError, check_url
from feedsvc.text import has_userinfo, without_userinfo

__all__ = [
    "MAX_CRAWL_DELAY",
    "ROBOTS_AGENT",
    "ROBOTS_SECONDS",
    "PoliteClient",
    "Refused",
    "check_target",
    "same_site",
]

ROBOTS_AGENT = "feedsvc"  # the product token robots.txt rules name
ROBOTS_SECONDS = 24 * 3600.0  # how long a robots.txt is trusted
MAX_CRAWL_DELAY = 60.0  # a larger Crawl-delay is taken as this (a feed of 20 items would take hours)
_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB


class Refused(FetchError):
    """A URL feedsvc will not request: robots.txt disallows it, or it points where a source may not lead."""


Resolver = Callable[[str], Collection[str]]


def _resolve(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        return []  # unresolvable: the request itself fails with a clear message


# Second-level labels under a country code that are registries, not sites (bbc.co.uk, abc.net.au):
# the site is then the last three labels. Without a public-suffix list this errs towards refusing.
_REGISTRY_LABELS = frozenset("ac co com edu go gob gov govt ltd ne net nic or org plc sch".split())


def _site_of(host: str) -> str:
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _REGISTRY_LABELS else 2
    return ".".join(labels[-keep:])


def same_site(host: str, own: str) -> bool:
    """Return True if ``host`` is ``own`` or on the same registered domain (``feeds.example.org`` and
    ``www.example.org``; ``news.bbc.co.uk`` and ``www.bbc.co.uk``, not ``evil.co.uk``)."""
    host, own = host.lower().rstrip("."), own.lower().rstrip(".")
    if host == own:
        return True
    try:
        ipaddress.ip_address(own)
        return False  # an address has no domain
    except ValueError:
        pass
    return _site_of(host) == _site_of(own)


def check_target(url: str, own_host: str, resolve: Resolver = _resolve) -> None:
    """Refuse ``url`` unless it is http(s) on the source's own site and, off the source's own host, public.

    The source's own host (the feed's) may be anything, a private address
    included: a person pointed feedsvc at it. Another host of the same site
    must resolve to public addresses only, so a feed cannot steer requests into
    the network feedsvc runs in.
    """
    shown = without_userinfo(url)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise Refused(f"{shown!r} is not a URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise Refused(f"{shown!r} is not an http(s) URL; a source's items must link to web pages")
    if has_userinfo(url):  # before robots.txt is asked: the Fetcher would refuse it anyway
        try:
            check_url(url)
        except FetchError as error:
            raise Refused(str(error)) from None
    if host == own_host.lower():
        return
    if not same_site(host, own_host):
        raise Refused(
            f"{shown} is on {host}, off the source's site ({own_host}); follow {host}'s own feed as a source of its own"
        )
    for address in resolve(host):
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise Refused(f"{shown}: {host} resolves to the non-public address {ip}; refused (only {own_host} may)")


@dataclass
class _Robots:
    fetched: float  # when (time.time())
    text: str | None  # None: everything allowed (no robots.txt)
    blocked: str | None = None  # why everything is disallowed for now (robots.txt answered 5xx, timed out)

    def parser(self) -> Protego | None:
        return Protego.parse(self.text) if self.text else None


class PoliteClient:
    """Fetch for the follower: robots.txt, one request at a time per host, conditional requests.

    Thread-safe: sources on different hosts may be polled from different threads.
    ``requests`` counts the requests sent, by host; ``robots_file`` keeps the
    robots.txt cache between runs (``feedsvc follow --once`` from cron).
    """

    def __init__(
        self,
        fetcher: Fetcher,
        min_delay: float = 1.0,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        resolve: Resolver = _resolve,
        robots_file: Path | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.min_delay = min_delay
        self.now = now
        self.sleep = sleep
        self.resolve = resolve
        self.robots_file = robots_file
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.RLock] = {}
        self._next: dict[str, float] = {}  # host -> earliest time of its next request
        self._robots: dict[str, _Robots] = self._load_robots()
        self._robots_parsed: dict[str, Protego | None] = {}

    # --- the one entry point ------------------------------------------------------------------

    def get(
        self,
        url: str,
        own_host: str,
        *,
        accept: str,
        max_bytes: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """Fetch ``url`` for a source on ``own_host``; raise :class:`Refused` or FetchError saying why not."""

        def guard(target: str) -> None:
            check_target(target, own_host, self.resolve)
            self._check_robots(target)

        guard(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = _origin(url)
        with self._host_lock(host):
            self._wait_turn(host)
            try:
                self.requests[host] += 1
                # the guard runs again at every redirect: a redirect may not lead where the feed may not
                return self.fetcher.fetch(url, accept=accept, max_bytes=max_bytes, headers=headers, guard=guard)
            finally:
                self._next[host] = self.now() + self._delay(host)

    # --- one request at a time per host --------------------------------------------------------

    def _host_lock(self, host: str) -> threading.RLock:
        with self._lock:
            return self._host_locks.setdefault(host, threading.RLock())

    def _wait_turn(self, host: str) -> None:
        wait = self._next.get(host, 0.0) - self.now()
        if wait > 0:
            self.sleep(min(wait, MAX_CRAWL_DELAY))

    def _delay(self, host: str) -> float:
        parser = self._robots_parsed.get(host)
        crawl_delay = parser.crawl_delay(ROBOTS_AGENT) if parser is not None else None
        return max(self.min_delay, min(float(crawl_delay or 0), MAX_CRAWL_DELAY))

    # --- robots.txt -----------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        host = _origin(url)
        robots = self._robots_for(host)
        if robots.blocked:
            raise Refused(f"not fetching {without_userinfo(url)}: {robots.blocked}")
        parser = self._robots_parsed.get(host)
        if parser is not None and not parser.can_fetch(url, ROBOTS_AGENT):
            raise Refused(f"{host}/robots.txt disallows {without_userinfo(url)} for {ROBOTS_AGENT}; not fetched")

    def _robots_for(self, origin: str) -> _Robots:
        with self._host_lock(origin + " robots"):  # one fetch of a host's robots.txt, whichever thread asks
            robots = self._robots.get(origin)
            if robots is None or self.now() - robots.fetched > ROBOTS_SECONDS or robots.blocked:
                robots = self._fetch_robots(origin)
                self._robots[origin] = robots
                self._robots_parsed.pop(origin, None)
                if not robots.blocked:
                    self._save_robots()
            if origin not in self._robots_parsed:
                self._robots_parsed[origin] = robots.parser()
            return robots

    def _fetch_robots(self, origin: str) -> _Robots:
        url = f"{origin}/robots.txt"
        with self._host_lock(origin):
            self._wait_turn(origin)
            try:
                self.requests[origin] += 1
                fetched = self.fetcher.fetch(url, accept="text/plain,*/*;q=0.1", max_bytes=_ROBOTS_BYTES)
            except FetchError as error:
                # RFC 9309: unreachable or a server error, assume complete disallow; a 4xx allows everything
                if error.status is not None and 400 <= error.status < 500:
                    return _Robots(self.now(), None)
                return _Robots(self.now(), None, blocked=f"{url} could not be read ({error}); retried next poll")
            finally:
                self._next[origin] = self.now() + self.min_delay
        return _Robots(self.now(), fetched.body.decode("utf-8", errors="replace"))

    def _load_robots(self) -> dict[str, _Robots]:
        if self.robots_file is None:
            return {}
        try:
            data = json.loads(self.robots_file.read_text(encoding="utf-8"))
            return {origin: _Robots(float(entry["fetched"]), entry["text"]) for origin, entry in data.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # missing or damaged: fetched again

    def _save_robots(self) -> None:
        if self.robots_file is None:
            return
        data = {origin: {"fetched": r.fetched, "text": r.text} for origin, r in self._robots.items() if not r.blocked}
        with contextlib.suppress(OSError):  # unwritable: asked again next run
            write_atomic(self.robots_file, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def _origin(url: str) -> str:
    # Without a user and password: the origin names robots.txt's URL, its messages and robots.json's keys.
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"
