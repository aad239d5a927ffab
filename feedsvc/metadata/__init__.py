"""Page metadata: title, authors, dates, tags, links, from meta tags, JSON-LD and markup."""

__all__: list[str] = []
