"""Page metadata: title, authors, dates, tags, links, from meta tags, JSON-LD and markup."""
