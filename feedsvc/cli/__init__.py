"""The ``feedsvc`` command line."""
