"""``feedsvc import``: pages, sitemaps and WordPress exports into the content folder."""

__all__: list[str] = []
