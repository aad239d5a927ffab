"""HTTP: the Flask views, the WSGI fast path for feeds, metrics, paging and the static export."""

__all__: list[str] = []
