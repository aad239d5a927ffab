"""The version of feedsvc: one place, read by the package metadata and the User-Agent."""

__all__ = ["__version__"]

__version__ = "0.1.0"
