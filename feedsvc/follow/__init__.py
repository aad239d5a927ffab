"""Following sources: a site's own feed or sitemap, polled on a schedule, imported as clean full-text articles."""

__all__: list[str] = []
