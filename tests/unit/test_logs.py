"""logs.py: one JSON object per line, with rejected files as path + reason."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from feedsvc.logs import JsonFormatter, access_fields, log_problem
from feedsvc.model import ContentError, Problem


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def logger(lines: list[str]) -> logging.Logger:
    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("feedsvc.test-logs")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def test_a_rejected_file_is_one_line_with_its_path_and_reason(logger: logging.Logger, lines: list[str]) -> None:
    log_problem(logger, Problem(Path("content/articles/a.html"), 'is empty;\nput "HTML" in it'))
    (line,) = lines
    entry = json.loads(line)
    assert (entry["level"], entry["event"], entry["path"], entry["reason"]) == (
        "error",
        "rejected",
        "content/articles/a.html",
        'is empty;\nput "HTML" in it',
    )
    assert "\n" not in line and "message" not in entry


def test_a_warning_is_a_content_warning(logger: logging.Logger, lines: list[str]) -> None:
    log_problem(logger, Problem(Path("a.html"), "no title", "warning"))
    assert json.loads(lines[0])["event"] == "content_warning"


def test_problems_logged_the_plain_way_are_structured_too(logger: logging.Logger, lines: list[str]) -> None:
    logger.error("%s", Problem(Path("a.html"), "is empty"))
    logger.warning("not published: %s", ContentError(Path("b.html"), "no date"))
    logger.warning("%s", ContentError(Path("c.html"), "no text"))
    first, second, third = map(json.loads, lines)
    assert (first["event"], first["path"], first["reason"]) == ("rejected", "a.html", "is empty")
    assert (second["event"], second["path"], second["reason"]) == ("rejected", "b.html", "no date")
    assert second["message"] == "not published: b.html: no date"
    assert (third["path"], third["reason"]) == ("c.html", "no text")


def test_other_records_keep_their_message_and_exception(logger: logging.Logger, lines: list[str]) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("snapshot %s failed", "v1")
    entry = json.loads(lines[0])
    assert entry["message"] == "snapshot v1 failed" and "ValueError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00") and entry["logger"] == "feedsvc.test-logs"


def test_access_fields_from_gunicorn_atoms() -> None:
    atoms = {
        "h": "127.0.0.1",
        "m": "GET",
        "U": "/feed.atom",
        "q": "",
        "H": "HTTP/1.1",
        "s": "304",
        "B": "-",
        "D": "1500",
        "f": "-",
        "a": "NetNewsWire",
    }
    assert access_fields(atoms) == {
        "event": "access",
        "remote": "127.0.0.1",
        "method": "GET",
        "path": "/feed.atom",
        "query": None,
        "protocol": "HTTP/1.1",
        "status": 304,
        "bytes": 0,
        "duration_ms": 1.5,
        "referer": None,
        "user_agent": "NetNewsWire",
    }


def test_access_paths_are_read_as_utf8_as_wsgi_passes_them_as_latin1() -> None:
    path = "/articles/მეტრო".encode().decode("latin-1")
    assert access_fields({"U": path, "s": "200"})["path"] == "/articles/მეტრო"
