"""A WebSub hub stand-in on 127.0.0.1, and how a content folder is pointed at it."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

HOLD_SECONDS = 60.0  # a held hub answers at the latest then, whatever the test does


class Hub:
    """A WebSub hub stand-in: records each publish and answers with scripted statuses."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0, held: bool = False) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        # held: every answer waits until the test sets ``released`` (or the hub closes; at most HOLD_SECONDS)
        self.held = held
        self.released = threading.Event()
        self.received: list[dict[str, list[str]]] = []
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                with hub.lock:
                    hub.received.append(form)
                    status = hub.statuses.pop(0) if hub.statuses else 204
                if hub.held:
                    hub.released.wait(HOLD_SECONDS)
                else:
                    time.sleep(hub.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Keep the test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def urls(self) -> list[str]:
        with self.lock:
            return [url for form in self.received for url in form.get("hub.url", [])]

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def with_hub(content_dir: Path, hub_url: str) -> None:
    """Name ``hub_url`` as the site's WebSub hub in its site.toml."""
    site_toml = content_dir / "site.toml"
    site_toml.write_text(site_toml.read_text() + f'websub_hub = "{hub_url}"\n', encoding="utf-8")
