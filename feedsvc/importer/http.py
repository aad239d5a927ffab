"""The importer's HTTP edge: fetch one URL with timeouts, a size cap and recorded redirects.

The only module that speaks HTTP to other sites (urllib3). Every failure
becomes a :class:`FetchError` whose message says what went wrong in words
an operator can act on.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ReadTimeoutError,
)

from feedsvc.text import has_userinfo, userinfo_refusal, without_userinfo
from feedsvc.version import __version__

__all__ = [
    "HTML_TYPES",
    "MAX_REDIRECTS",
    "REDIRECT_STATUSES",
    "FetchError",
    "FetchSettings",
    "Fetched",
    "Fetcher",
    "check_url",
    "gunzip",
    "is_html",
    "parse_content_type",
    "retry_after_seconds",
]

MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL that could not be fetched; the message says why.

    ``status`` is the HTTP status when the server answered with an error, and
    ``retry_after`` the seconds its ``Retry-After`` header asked for (429, 503).
    """

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch: timeouts in seconds, the body cap in bytes and who we say we are."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0  # a server that drips bytes still ends here
    max_bytes: int = 5 * 1024 * 1024
    contact_url: str | None = None  # the site doing the import, named in the User-Agent
    role: str = "article importer"  # what the User-Agent says feedsvc is doing

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.contact_url}" if self.contact_url else ""
        return f"feedsvc/{__version__} ({self.role}{contact})"


@dataclass(frozen=True)
class Fetched:
    """One response body and how it was reached."""

    url: str  # as asked for
    final_url: str  # after redirects: where the body came from
    redirects: tuple[str, ...]  # every URL redirected to, in order (the last is final_url)
    content_type: str  # media type, lower case, without parameters
    charset: str | None
    body: bytes  # decoded from its Content-Encoding (gzip, deflate)
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict, compare=False)
    status: int = 200  # 304: a conditional request, and the copy the caller holds is current (body empty)

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag") or self.headers.get("etag")


class Fetcher:
    """Fetch URLs over one connection pool; reuse it for a whole import run."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=self.settings.connect_timeout, read=self.settings.read_timeout),
            retries=False,  # redirects are followed (and recorded) below; failures are reported, not retried
        )
        self._headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"}

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        max_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
        guard: Callable[[str], None] | None = None,
    ) -> Fetched:
        """Return the body at ``url``, following up to MAX_REDIRECTS redirects; raise FetchError.

        ``max_bytes`` overrides the settings' cap for this one fetch (sitemaps may be larger).
        ``headers`` are added to the request (``If-None-Match``, ``If-Modified-Since``: a 304
        answer is returned with ``status`` 304 and no body). ``guard`` is called with the URL and
        every redirect target before it is requested, and refuses one by raising FetchError.
        """
        check_url(url, "URL")
        if guard is not None:
            guard(url)
        deadline = time.monotonic() + self.settings.total_timeout
        redirects: list[str] = []
        current = url
        while True:
            response = self._request(current, accept, headers)
            complete = False
            try:
                if response.status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(
                            f"HTTP {response.status} redirect without a Location header at {without_userinfo(current)}"
                        )
                    target = urljoin(current, location.strip())
                    check_url(target, f"redirect from {without_userinfo(current)} to")
                    redirects.append(target)
                    if len(redirects) > MAX_REDIRECTS:
                        raise FetchError(f"more than {MAX_REDIRECTS} redirects (last to {without_userinfo(target)})")
                    if target in redirects[:-1] or target == url:
                        raise FetchError(f"redirect loop at {without_userinfo(target)}")
                    if guard is not None:
                        guard(target)
                    current = target
                    continue
                if response.status == 304 and headers:
                    body = b""
                    response.drain_conn()
                    complete = True
                elif not 200 <= response.status < 300:
                    reason = f" {response.reason}" if response.reason else ""
                    retry = retry_after_seconds(response.headers.get("Retry-After"), time.time())
                    shown = without_userinfo(current)
                    raise FetchError(f"HTTP {response.status}{reason} from {shown}", response.status, retry)
                else:
                    body = self._read(response, deadline, max_bytes or self.settings.max_bytes)
                    complete = True
            finally:
                if not complete:  # a body left unread (redirect, error, over the cap) spoils the connection
                    response.close()
                response.release_conn()
            media_type, charset = parse_content_type(response.headers.get("Content-Type", ""))
            return Fetched(
                url=url,
                final_url=current,
                redirects=tuple(redirects),
                content_type=media_type,
                charset=charset,
                body=body,
                last_modified=response.headers.get("Last-Modified"),
                headers=dict(response.headers),
                status=response.status,
            )

    def _request(self, url: str, accept: str, extra: Mapping[str, str] | None = None) -> urllib3.BaseHTTPResponse:
        try:
            return self._pool.request(
                "GET",
                url,
                headers={**self._headers, "Accept": accept, **(extra or {})},
                redirect=False,
                preload_content=False,
            )
        except NewConnectionError as error:  # a subclass of ConnectTimeoutError, but a refusal, not a timeout
            raise FetchError(f"could not reach {_host(url)}: {_short(error)}") from None
        except ConnectTimeoutError:
            timeout = self.settings.connect_timeout
            raise FetchError(f"timed out connecting to {_host(url)} after {timeout:g} s") from None
        except ReadTimeoutError:
            waited = self.settings.read_timeout
            raise FetchError(f"timed out waiting for {without_userinfo(url)} after {waited:g} s") from None
        except (HTTPError, LocationParseError, OSError) as error:
            raise FetchError(f"could not reach {_host(url)}: {_short(error)}") from None

    def _read(self, response: urllib3.BaseHTTPResponse, deadline: float, cap: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity").strip().lower()
        if declared.isdigit() and int(declared) > cap and encoded in ("", "identity"):
            raise FetchError(f"body of {int(declared):,} bytes is over the {cap:,}-byte limit")
        chunks: list[bytes] = []
        size = 0
        try:
            # read1: whatever has arrived, so the deadline is checked while a server drips
            while chunk := response.read1(_CHUNK, decode_content=True):
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"body is over the {cap:,}-byte limit")
                if time.monotonic() > deadline:
                    raise FetchError(f"gave up reading after {self.settings.total_timeout:g} s")
                chunks.append(chunk)
        except ReadTimeoutError:
            raise FetchError(f"timed out reading the body after {self.settings.read_timeout:g} s") from None
        except (HTTPError, OSError) as error:
            raise FetchError(f"the connection failed while reading the body: {_short(error)}") from None
        return b"".join(chunks)


def parse_content_type(value: str) -> tuple[str, str | None]:
    """Return the media type (lower case) and the charset parameter of a Content-Type header."""
    media_type, _, parameters = value.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, raw = parameter.partition("=")
        if name.strip().lower() == "charset" and raw.strip():
            charset = raw.strip().strip("\"'")
    return media_type.strip().lower(), charset


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Return the seconds a ``Retry-After`` header asks to wait (delay-seconds or an HTTP date), or None."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Return gzip ``data`` uncompressed; raise FetchError past ``max_bytes`` or if it is not gzip."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise FetchError(f"is not valid gzip ({error})") from None
    if len(out) > max_bytes:
        raise FetchError(f"uncompresses to over the {max_bytes:,}-byte limit")
    return out


def is_html(fetched: Fetched, accepted: Sequence[str] = HTML_TYPES) -> bool:
    """Return True if the response says it is HTML (or says nothing and looks like it)."""
    if fetched.content_type:
        return fetched.content_type in accepted
    return fetched.body.lstrip()[:256].lower().startswith((b"<!doctype html", b"<html"))


def check_url(url: str, what: str = "URL") -> None:
    """Raise FetchError unless ``url`` is an absolute http(s) URL without a user or password.

    A user and password in a URL are refused, not sent: feedsvc publishes what
    it fetches, and a URL's secret would otherwise be kept and shown wherever
    the URL is (sidecars, state files, messages, logs). No message repeats them.
    """
    shown = without_userinfo(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchError(f"{what} {shown!r} is not a URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{what} {shown!r} is not an absolute http(s) URL")
    if has_userinfo(url) or "@" in parts.netloc:
        raise FetchError(
            userinfo_refusal(
                f"{what} {shown!r}", url, "feedsvc does not send (it imports and follows public pages and feeds only)"
            )
        )


def _host(url: str) -> str:
    """The host (and port) of ``url`` for a message: never its user or password."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return without_userinfo(url)
    return netloc.rpartition("@")[2] or without_userinfo(url)


def _short(error: BaseException) -> str:
    # urllib3 nests the cause: "HTTPConnectionPool(...): Max retries exceeded ... (Caused by X)"
    reason = getattr(error, "reason", None)
    return str(reason or error).split(": ", 1)[-1][:200] or type(error).__name__
