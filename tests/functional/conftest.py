"""Fixtures for the command-line tests: the store kinds of tests/stores (SQLite, zip, PostgreSQL)."""

from __future__ import annotations

from tests.stores.conftest import store_kind, store_target  # noqa: F401  (fixtures, used by name)
