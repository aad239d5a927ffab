"""Serving: the site state, the content watcher, the publisher process, WebSub, gunicorn hooks."""

__all__: list[str] = []
