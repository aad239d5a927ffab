"""Helpers and fixtures the tests share; never a test module itself."""
