"""The ``feedsvc`` command line."""

__all__: list[str] = []
