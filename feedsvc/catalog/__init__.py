"""The catalog: loaded sources become dated, ordered, indexed articles; the edit ledger."""

__all__: list[str] = []
