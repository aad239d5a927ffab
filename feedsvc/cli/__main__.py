"""``python -m feedsvc.cli``: the ``feedsvc`` command."""

from feedsvc.cli.main import main

main()
