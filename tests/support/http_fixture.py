"""A small threaded HTTP server on 127.0.0.1 for the importer's tests.

Each route maps a path (with its query) to a :class:`Reply`, or to a
function returning one (for replies that change between requests). The
server counts hits per path and answers 404 to anything else. A 200 reply
with an ``ETag`` or ``Last-Modified`` header is answered 304 Not Modified,
as a real server would, when the request's ``If-None-Match`` or
``If-Modified-Since`` names it.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The user and password a test puts in a URL, to see that feedsvc refuses it and never repeats it.
SECRET_USERINFO = "editor:s3cret"
SECRET = "s3cret"

# Upper bound on any delay a route may ask for, so a test can never hang the suite.
MAX_DELAY = 3.0


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    gzip: bool = False  # send with Content-Encoding: gzip
    length: bool = True  # send a Content-Length (else close the connection to end the body)
    chunk_delay: float = 0.0  # seconds between 1 KiB chunks of the body


def page(html: str, **options: object) -> Reply:
    return Reply(html.encode("utf-8"), **options)  # type: ignore[arg-type]


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(b"", status, None, {"Location": location})


Route = Reply | Callable[[], Reply]
_VALIDATORS = ("ETag", "Last-Modified")


def _not_modified(reply_headers: dict[str, str], request_headers: object) -> bool:
    """Return True if the request's validators match the reply's (If-None-Match first, as RFC 9110 says)."""
    asked_etag = request_headers.get("If-None-Match")  # type: ignore[attr-defined]
    if asked_etag is not None:
        return "ETag" in reply_headers and asked_etag == reply_headers["ETag"]
    asked_date = request_headers.get("If-Modified-Since")  # type: ignore[attr-defined]
    return asked_date is not None and asked_date == reply_headers.get("Last-Modified")


class FixtureServer:
    """Serve ``routes`` on 127.0.0.1 from a background thread; use it as a context manager."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: Counter[str] = Counter()
        self.requests: list[dict[str, str]] = []  # headers of every request, in order
        self.answers: list[tuple[str, int]] = []  # (path, status) of every answer, in order
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.requests.append(dict(self.headers.items()))
                route = server.routes.get(self.path)
                reply = route() if callable(route) else route or Reply(b"not found", 404, "text/plain")
                if reply.status == 200 and _not_modified(reply.headers, self.headers):
                    reply = Reply(b"", 304, None, {k: v for k, v in reply.headers.items() if k in _VALIDATORS})
                server.answers.append((self.path, reply.status))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                time.sleep(min(reply.delay, MAX_DELAY))
                body = gzip.compress(reply.body) if reply.gzip else reply.body
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                if reply.gzip:
                    self.send_header("Content-Encoding", "gzip")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.status == 304:
                    pass  # no body, no length
                elif reply.length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if not reply.chunk_delay:
                    self.wfile.write(body)
                    return
                deadline = time.monotonic() + MAX_DELAY
                for start in range(0, len(body), 1024):
                    if time.monotonic() > deadline:
                        break
                    self.wfile.write(body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def url_with_password(self, path: str) -> str:
        """``url(path)`` with a user and password (``editor:s3cret@``): what no message may show."""
        return self.url(path).replace("://", f"://{SECRET_USERINFO}@", 1)

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
