"""HTTP abuse: traversal, forged hosts, oversized requests and wrong methods never reach a 500.

Each class runs against the Flask app (test client) and, where the server is
the one that must refuse (request lines and headers too large for it), against
the real ``feedsvc serve`` (gunicorn) on a free loopback port. Decisions pinned
here:

- A path that tries to climb out (``..`` in any encoding, backslashes, NUL,
  overlong UTF-8) is a plain ``404`` (or ``400`` where gunicorn refuses the
  request line); nothing outside the snapshot is ever read.
- ``Host``, ``X-Forwarded-Host``, ``X-Forwarded-Proto``, ``X-Forwarded-Prefix``
  and ``Forwarded`` change no byte of any response.
- A request line, header or query string over gunicorn's limits is a ``4xx``
  from gunicorn; the app itself ignores query strings.
- ``PUT``, ``DELETE``, ``PATCH``, ``POST``, ``TRACE``, ``CONNECT`` and unknown
  methods are ``405`` with an ``Allow`` header; ``OPTIONS`` is ``200`` with
  ``Allow`` and no body (RFC 9110 §9.3.7), as Flask answers it.
"""

from __future__ import annotations

import contextlib
import socket
import time
import urllib.request
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from support.factories import write_article
from support.servers import feedsvc_serve
from support.sites import blank_site

BASE = "https://news.example.org"
SLUG = "article-with-jsonld-tags-and-author"

TRAVERSALS = [
    "/articles/../../etc/passwd",
    "/articles/..%2f..%2fetc%2fpasswd",
    "/articles/..%2F..%2Fetc%2Fpasswd",
    "/articles/%2e%2e/%2e%2e/etc/passwd",
    "/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/articles/..%252f..%252fetc%252fpasswd",  # double-encoded
    "/articles/%252e%252e%252fetc%252fpasswd",
    "/articles/..\\..\\etc\\passwd",
    "/articles/..%5c..%5cetc%5cpasswd",
    "/articles/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8 dots
    "/articles/%c0%af..%c0%afetc%c0%afpasswd",  # overlong UTF-8 slash
    "/articles/%e0%80%ae%e0%80%ae/etc/passwd",
    "/articles/passwd%00.html",
    "/articles/%00",
    f"/articles/{SLUG}%00",
    f"/articles/{SLUG}/../../../../etc/passwd",
    "/static/../feedsvc/web.py",
    "/static/..%2f..%2ffeedsvc%2fweb.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..\\..\\pyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/style.css/..%2f..%2f..%2fpyproject.toml",
    "/tags/..%2f..%2fetc%2fpasswd",
    "/authors/%2e%2e%2f%2e%2e",
    "/archive/..%2f..%2fetc%2fpasswd.atom",
    "/archive/%2e%2e.atom",
    "/tags/x/feed.atom/../../../etc/passwd",
    "/articles/" + "a" * 5000,  # a very long slug
    "/articles/" + "%2e%2e%2f" * 300,
    "/articles/\u202e\u0000lmth.exe",
]
# Text that would show a file from outside the snapshot leaked into a response.
LEAKS = (b"root:x:0:0", b"[build-system]", b"def healthz", b"import ")


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_in_any_encoding_is_a_plain_not_found(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    if response.status_code == 308:  # "//" merged to "/": a redirect that stays on the site, then a 404
        location = response.headers["Location"]
        assert location.startswith(BASE + "/"), location
        response.close()
        response = client.get(location.removeprefix(BASE))
    assert response.status_code in (400, 404), f"{path} answered {response.status_code}"
    body = response.get_data()
    response.close()
    assert not any(leak in body for leak in LEAKS)
    assert b"Traceback" not in body


def test_traversal_leaves_the_static_file_alone(client: FlaskClient) -> None:
    """The one file under /static/ is served; climbing out of it from there is not."""
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
    with client.get("/static/../static/style.css") as response:
        assert response.status_code in (200, 404)


FORGED = [
    {"Host": "evil.example"},
    {"Host": "evil.example:8443"},
    {"X-Forwarded-Host": "evil.example"},
    {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "81"},
    {"X-Forwarded-Prefix": "/evil"},
    {"Forwarded": 'for=1.2.3.4;host="evil.example";proto=http'},
    {"X-Original-URL": "/healthz", "X-Rewrite-URL": "/healthz"},
    {"X-Host": "evil.example", "X-Forwarded-Server": "evil.example"},
]
PATHS = [
    "/",
    f"/articles/{SLUG}",
    "/feed.atom",
    "/feed.rss",
    "/feed.json",
    "/tags/transport",
    "/no-such-page",
    "/healthz",
]


@pytest.mark.parametrize("headers", FORGED, ids=lambda headers: ",".join(headers))
def test_forged_host_headers_change_no_byte(client: FlaskClient, headers: dict[str, str]) -> None:
    for path in PATHS:
        honest = client.get(path)
        forged = client.get(path, headers=headers)
        assert (forged.status_code, forged.get_data()) == (honest.status_code, honest.get_data()), path
        assert forged.headers.get("Location") == honest.headers.get("Location"), path
        for response in (honest, forged):
            assert b"evil.example" not in response.get_data()
            assert "evil.example" not in str(response.headers)
            response.close()


@pytest.mark.parametrize("headers", FORGED[:2], ids=lambda headers: ",".join(headers))
def test_forged_host_changes_no_byte_of_a_redirect(client: FlaskClient, headers: dict[str, str]) -> None:
    for path in ("/articles//x", "/tags//transport", "/static//style.css"):
        honest, forged = client.get(path), client.get(path, headers=headers)
        assert honest.status_code == forged.status_code == 308
        assert honest.headers["Location"] == forged.headers["Location"] == BASE + path.replace("//", "/")
        assert forged.get_data() == honest.get_data() and b"evil.example" not in forged.get_data()
        honest.close()
        forged.close()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "POST", "TRACE", "PROPFIND", "FOO"])
@pytest.mark.parametrize("path", ["/", f"/articles/{SLUG}", "/feed.atom", "/healthz", "/static/style.css"])
def test_wrong_methods_are_405_with_allow(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method, data=b"x" * 100)
    assert response.status_code == 405, f"{method} {path} answered {response.status_code}"
    assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("path", ["/", f"/articles/{SLUG}", "/feed.atom"])
def test_options_is_200_with_allow_and_no_body(client: FlaskClient, path: str) -> None:
    response = client.options(path)
    assert response.status_code == 200
    assert {"GET", "HEAD", "OPTIONS"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.get_data() == b""


def test_the_app_ignores_huge_query_strings_and_odd_headers(client: FlaskClient) -> None:
    query = "&".join(f"k{i}={'v' * 50}" for i in range(2000))
    assert client.get(f"/feed.atom?{query}").status_code == 200
    odd = {
        "Accept-Encoding": "br;q=" + "9" * 5000,
        "If-None-Match": ", ".join(['"x"'] * 2000),
        "If-Modified-Since": "Mon, 99 Foo 99999 99:99:99 GMT",
        "Accept": "*/*;" * 1000,
        "Range": "bytes=0-1,2-3," * 500,
    }
    for name, value in odd.items():
        response = client.get(f"/articles/{SLUG}", headers={name: value})
        assert response.status_code < 500, name


# --- the real server ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """Run ``feedsvc serve`` (gunicorn, one worker) on a free loopback port; yield (host, port)."""
    content = blank_site(
        tmp_path_factory.mktemp("http") / "content",
        'title = "Gazette"\nbase_url = "https://news.example.org"\nid_authority = "news.example.org,2020"\n'
        'default_author = "Desk"\n',
    )
    write_article(content, "bridge", "2024-03-05T09:30:00Z", tags=("Transport",))
    with feedsvc_serve(content, content.parent / "serve.log") as server:
        yield "127.0.0.1", server.port
    assert "Traceback" not in server.output(), server.output()


def raw_request(address: tuple[str, int], data: bytes) -> tuple[int, bytes]:
    """Send raw bytes; return the status code (0: the server closed without one) and all it sent."""
    received = b""
    with socket.create_connection(address, timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close while a huge request is still being sent
            sock.sendall(data)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
    parts = received.split(b"\r\n", 1)[0].split()
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0), received


def request(path: str, *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@pytest.mark.parametrize(
    "name,data",
    [
        ("request line of 10 kB", request("/feed.atom?" + "q" * 10_000)),
        ("slug of 100 kB", request("/articles/" + "a" * 100_000)),
        ("header value of 20 kB", request("/", "X-Big: " + "v" * 20_000)),
        ("header name of 10 kB", request("/", "X-" + "n" * 10_000 + ": v")),
        ("300 headers", request("/", *(f"X-H{i}: v" for i in range(300)))),
        ("Cookie of 50 kB", request("/", "Cookie: " + "c=" + "v" * 50_000)),
        ("absolute-form with another host", request("http://evil.example/feed.atom")),
        ("NUL in the path", b"GET /articles/\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        ("raw dot-dot path", request("/../../etc/passwd")),
        ("raw backslashes", request("/articles/..\\..\\etc\\passwd")),
        ("overlong UTF-8", request("/articles/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd")),
        ("no Host header", b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"),
        ("two Host headers", request("/", "Host: evil.example")),
        ("garbage method", request("/", method="G\x01T")),
        ("HTTP/0.9 style", b"GET /\r\n\r\n"),
        ("bad version", b"GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ("Content-Length and chunked", request("/", "Content-Length: 5", "Transfer-Encoding: chunked", method="POST")),
        ("negative Content-Length", request("/", "Content-Length: -1", method="POST")),
        ("TRACE", request("/", method="TRACE")),
        ("DELETE", request("/feed.atom", method="DELETE")),
    ],
)
def test_gunicorn_refuses_abuse_with_a_4xx(served: tuple[str, int], name: str, data: bytes) -> None:
    status, body = raw_request(served, data)
    if name in LENIENT:
        assert status < 500 and b"evil.example" not in body, f"{name}: answered {status}"
    else:
        assert status == 0 or 400 <= status < 500, f"{name}: answered {status}"


# Accepted by gunicorn (RFC 9112 allows the absolute form; a missing Host is only a 400 for
# proxies): answered from base_url like any request, so only "no 5xx, no echo" is pinned.
LENIENT = {"absolute-form with another host", "no Host header", "raw dot-dot path"}


def test_gunicorn_still_serves_after_the_abuse(served: tuple[str, int]) -> None:
    host, port = served
    with urllib.request.urlopen(f"http://{host}:{port}/feed.atom", timeout=5) as response:
        assert response.status == 200
        assert b"https://news.example.org/articles/bridge" in response.read()
