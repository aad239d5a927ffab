"""``feedsvc import``: pages, sitemaps and WordPress exports into the content folder."""
