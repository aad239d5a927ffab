"""Feed documents: Atom and RSS, JSON Feed, feed families and RFC 5005 archives."""

__all__: list[str] = []
