"""Structured logs: one JSON object per line, for requests, rejected files and everything else.

Pure formatting with the standard library; ``feedsvc serve`` installs it.
A rejected file is one line with ``"event": "rejected"``, its ``path`` and
its ``reason``; a request is one line with ``"event": "access"``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from feedsvc.model import ContentError, Problem

__all__ = ["JsonFormatter", "access_fields", "log_problem", "problem_fields"]

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def problem_fields(problem: Problem | ContentError) -> dict[str, str]:
    """Return the structured fields of a file that was rejected, held at its last good version, or published
    with a warning."""
    if isinstance(problem, ContentError):
        return {"event": "rejected", "path": str(problem.path), "reason": problem.reason}
    event = {"error": "rejected", "held": "held"}.get(problem.severity, "content_warning")
    fields = {"event": event, "path": str(problem.path), "reason": problem.message}
    return {**fields, "serving": problem.served} if problem.served else fields


def log_problem(logger: logging.Logger, problem: Problem) -> None:
    """Log one problem as one line: error for a rejected file, warning for a caveat."""
    level = logging.ERROR if problem.severity == "error" else logging.WARNING
    fields = problem_fields(problem)
    logger.log(level, "%s %s: %s", fields["event"], fields["path"], fields["reason"], extra=fields)


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object: time, level, logger, then message or structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        extra = {key: value for key, value in vars(record).items() if key not in _STANDARD}
        subject = record.args[0] if isinstance(record.args, tuple) and len(record.args) == 1 else None
        if "event" not in extra:  # structured lines carry their content in fields
            entry["message"] = record.getMessage()
        if not extra and isinstance(subject, (Problem, ContentError)):
            # log.warning("not published: %s", error): structured even where the caller did not say so
            extra = problem_fields(subject)
        entry.update({key: _plain(value) for key, value in extra.items()})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """Return one request's log fields from gunicorn's access-log atoms."""

    def text(key: str) -> str | None:
        value = atoms.get(key)
        return None if value in (None, "-", "") else str(value)

    def wsgi_text(key: str) -> str | None:
        # WSGI hands paths over as bytes decoded as latin-1 (PEP 3333); URLs are UTF-8
        value = text(key)
        try:
            return value.encode("latin-1").decode("utf-8") if value else value
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value

    def number(key: str) -> int:
        value = text(key)
        return int(value) if value and value.isdigit() else 0

    return {
        "event": "access",
        "remote": text("h"),
        "method": text("m"),
        "path": wsgi_text("U"),
        "query": wsgi_text("q"),
        "protocol": text("H"),
        "status": number("s"),
        "bytes": number("B"),
        "duration_ms": round(number("D") / 1000, 3),
        "referer": text("f"),
        "user_agent": text("a"),
    }


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
