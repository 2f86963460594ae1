"""Helpers the test modules share: event files, routes, the real server, the browser.

Fixtures built on them live in `tests/conftest.py`, so pytest hands them to any
test module without an import.
"""
