"""The framework floor for bench/serve.sh: a bare Flask app that sends fixed bytes.

    BARE_BODY=feed.atom.gz BARE_HEADERS=headers.txt BARE_PATH=/feed.atom \
        gunicorn -c deploy/gunicorn.conf.py --pythonpath bench bare_flask:app

It answers ``BARE_PATH`` with the bytes of ``BARE_BODY`` and the header
fields listed in ``BARE_HEADERS`` (one ``Name: value`` per line, as
``curl -D`` writes them; the status line, ``Date``, ``Server`` and
``Connection`` are skipped), and ``304`` with the same fields less
``Content-Type``/``Content-Length`` when ``If-None-Match`` equals the ETag
byte for byte. No negotiation, no metrics, no hooks: the least a Flask view
can do to send what feedsvc sends, so feedsvc's throughput divided by this
one's is the share of time its own per-request work leaves.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request

SKIPPED = {"date", "server", "connection", "transfer-encoding", "keep-alive"}


def read_headers(path: Path) -> list[tuple[str, str]]:
    """Return the header fields of a ``curl -D`` dump, less those the server adds itself."""
    fields = []
    for line in path.read_text(encoding="latin-1").splitlines():
        name, colon, value = line.partition(":")
        if colon and not line.startswith("HTTP/") and name.strip().lower() not in SKIPPED:
            fields.append((name.strip(), value.strip()))
    return fields


def create_app(body_path: Path, headers_path: Path, path: str) -> Flask:
    """Build the app: one GET route at ``path`` sending the body and fields given."""
    body = body_path.read_bytes()
    headers = read_headers(headers_path)
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    not_modified_headers = [(n, v) for n, v in headers if n.lower() not in ("content-type", "content-length")]
    app = Flask(__name__)

    @app.get(path)
    def fixed() -> Response:
        if etag is not None and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=not_modified_headers)
        return Response(body, headers=headers)

    return app


app = create_app(
    Path(os.environ.get("BARE_BODY", "body.bin")),
    Path(os.environ.get("BARE_HEADERS", "headers.txt")),
    os.environ.get("BARE_PATH", "/feed.atom"),
)
