"""Telling a store file from other files by its first or last bytes.

Only ``os`` is used: the path hook calls these while an import is searching
sys.path, where importing anything else could search that same path again.
"""

from __future__ import annotations

import os

__all__ = ["SQLITE_HEADER", "is_sqlite_file", "is_zip_file"]

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
