"""gunicorn's logger writing feedsvc's JSON lines; shared by `feedsvc serve` and deploy/gunicorn.conf.py.

Imported only where gunicorn runs feedsvc.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from feedsvc.logs import JsonFormatter, access_fields


class JsonLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, writing one JSON object per request and per message."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            fields = access_fields(self.atoms(resp, req, environ, request_time))
            self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        except Exception:  # a log line must never fail a request
            self.exception("could not write the access log line")
