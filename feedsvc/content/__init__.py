"""The content folder: site settings, articles and their sidecars, rules files, listings."""

__all__: list[str] = []
