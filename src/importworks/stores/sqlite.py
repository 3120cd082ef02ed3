"""SQLite files as stores: the embedded default.

Schema (format 1)::

    meta(key TEXT PRIMARY KEY, value TEXT)        format_version, tool_version,
                                                  python_version, magic, created
    entries(path TEXT PRIMARY KEY, kind TEXT, size INTEGER, sha256 TEXT, data BLOB)
    code(path TEXT, magic BLOB, sha256 TEXT, data BLOB, PRIMARY KEY (path, magic))

The index (paths, kinds, sizes, hashes) is read with one query when the store
opens; a module then costs one indexed lookup of its precompiled code for the
running interpreter's magic number, falling back to compiling its source when
the store was packed by another Python.  The file is opened read-only and
``immutable``: no locks, no journal, nothing written.
"""

from __future__ import annotations

import sqlite3
import threading
import urllib.parse
from typing import Iterable

from ..errors import StoreError
from .base import FORMAT_VERSION, Entry, Store, sha256_hex

__all__ = ["SCHEMA", "SQLITE_HEADER", "SQLiteStore", "is_sqlite_file"]

SQLITE_HEADER = b"SQLite format 3\x00"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (path TEXT PRIMARY KEY, kind TEXT NOT NULL, size INTEGER NOT NULL,
                      sha256 TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE code (path TEXT NOT NULL, magic BLOB NOT NULL, sha256 TEXT NOT NULL,
                   data BLOB NOT NULL, PRIMARY KEY (path, magic)) WITHOUT ROWID;
"""


def is_sqlite_file(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


class SQLiteStore(Store):
    """A store in one SQLite file, as written by ``importworks pack -o app.sqlite``."""

    kind = "sqlite"

    def __init__(self, location: str) -> None:
        super().__init__(location)
        uri = "file:" + urllib.parse.quote(self.location) + "?mode=ro&immutable=1"
        self._lock = threading.Lock()
        self._db = None
        try:
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            rows = dict(self._db.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as exc:
            self.close()
            raise self._error(exc, "cannot open") from None
        self.metadata = rows
        version = int(rows.get("format_version", "0"))
        if version > FORMAT_VERSION:
            self.close()
            raise StoreError(f"store {self.location} has format {version}, newer than this importworks "
                             f"reads ({FORMAT_VERSION}): upgrade importworks", path=self.location)

    def _error(self, exc: sqlite3.Error, doing: str, entry: str | None = None) -> StoreError:
        what = f" entry {entry!r} of" if entry else ""
        hint = ("it is not an importworks store or is corrupt; re-create it with importworks pack"
                if isinstance(exc, sqlite3.DatabaseError) else "")
        return StoreError(f"{doing}{what} SQLite store {self.location}: {exc}" + (f"; {hint}" if hint else ""),
                          path=self.location)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _query(self, sql: str, args: tuple = (), entry: str | None = None) -> list[tuple]:
        if self._db is None:
            raise StoreError(f"SQLite store {self.location} is closed", path=self.location)
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc, "cannot read", entry) from None

    def _load_index(self) -> Iterable[Entry]:
        rows = self._query("SELECT path, kind, size, sha256 FROM entries")
        return [Entry(path, size, sha256, kind) for path, kind, size, sha256 in rows]

    def _read_raw(self, entry: Entry) -> bytes:
        rows = self._query("SELECT data FROM entries WHERE path = ?", (entry.path,), entry.path)
        if not rows:
            raise FileNotFoundError(f"no entry {entry.path!r} in store {self.location}")
        return bytes(rows[0][0])

    def read_code(self, path: str, magic: bytes) -> bytes | None:
        rows = self._query("SELECT sha256, data FROM code WHERE path = ? AND magic = ?", (path, magic), path)
        if not rows:
            return None
        digest, data = rows[0]
        data = bytes(data)
        if sha256_hex(data) != digest:
            from ..errors import StoreIntegrityError

            raise StoreIntegrityError(
                f"compiled code of {path!r} in store {self.location} does not match the sha256 "
                "recorded when it was packed: the store was modified; refusing to execute it "
                f"(check it with: importworks verify {self.location})", path=self.location, entry=path)
        return data
