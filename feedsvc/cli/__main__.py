"""``python -m feedsvc.cli``: the ``feedsvc`` command."""

from feedsvc.cli.main import main

__all__: list[str] = []

# guarded so that importing the module (pkgutil walks, import checks) does not run the command
if __name__ == "__main__":
    main()
