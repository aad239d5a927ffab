"""Build: content folder -> catalog -> snapshot, with the build cache, the blob store and the state files."""

__all__: list[str] = []
