"""Telling a store from other sys.path entries: a file by its first or last bytes, a URL by its scheme.

Only ``os`` (and our errors) are used: the path hook calls these while an
import is searching sys.path, where importing anything else could search that
same path again.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from ..errors import StoreError

__all__ = ["SCHEMES", "SQLITE_HEADER", "StoreURL", "is_sqlite_file", "is_store_url", "is_zip_file",
           "parse_store_url", "redact_url"]

SCHEMES = ("postgresql://", "postgres://")

SQLITE_HEADER = b"SQLite format 3\x00"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF


def is_sqlite_file(path: str) -> bool:
    """Does *path* start with the SQLite header?"""
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


def is_zip_file(path: str) -> bool:
    """Does *path* end like a zip archive (an end-of-central-directory record)?"""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _EOCD_SIZE - _MAX_COMMENT))
            return b"PK\x05\x06" in f.read()
    except OSError:
        return False


class StoreURL(NamedTuple):
    """A parsed store URL: what to connect to, which store, and what follows it."""

    location: str  # scheme://netloc/database/store
    conninfo: str  # scheme://netloc/database, for libpq
    store: str
    prefix: str  # a folder inside the store ('' or 'pkg/sub/')


def is_store_url(path: object) -> bool:
    return isinstance(path, str) and path.startswith(SCHEMES)


def parse_store_url(path: str) -> StoreURL:
    """Split ``postgresql://host/db/store/pkg/sub`` into its parts.

    Raises:
        StoreError: not of that shape, or with a password or query in it.
    """
    scheme, _, rest = path.partition("://")
    netloc, _, tail = rest.partition("/")
    shown = redact_url(path)
    if ":" in netloc.rpartition("@")[0]:
        raise StoreError(f"PostgreSQL store URL {shown!r} carries a password: put it in PGPASSWORD or "
                         "~/.pgpass instead (a sys.path entry is not a secret)", path=shown)
    parts = [p for p in tail.split("/") if p]
    if len(parts) < 2 or "?" in path or "#" in path:
        raise StoreError(f"{shown!r} is not a PostgreSQL store URL: expected "
                         f"{scheme}://[user@][host][:port]/DATABASE/STORE (other settings in PG* variables)",
                         path=shown)
    database, store, inside = parts[0], parts[1], parts[2:]
    location = f"{scheme}://{netloc}/{database}/{store}"
    return StoreURL(location, f"{scheme}://{netloc}/{database}", store,
                    "/".join(inside) + "/" if inside else "")


def redact_url(url: str) -> str:
    """*url* without the password of its user part, for messages."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    user, at, host = netloc.rpartition("@")
    if at and ":" in user:
        netloc = f"{user.partition(':')[0]}:***@{host}"
    return f"{scheme}{sep}{netloc}{slash}{tail}"
