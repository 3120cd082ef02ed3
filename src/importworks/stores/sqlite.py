"""SQLite files as stores: the embedded default.

Schema (format 2)::

    meta(key TEXT PRIMARY KEY, value TEXT)      format_version, tool_version,
                                                python_version, magic, created,
                                                code_bytes
    blobs(name TEXT PRIMARY KEY, data BLOB)     'index': the whole index, marshalled
    code(id INTEGER PRIMARY KEY, path TEXT, magic BLOB, sha256 TEXT,
         crc32 INTEGER, data BLOB, UNIQUE (path, magic))
    entries(path TEXT PRIMARY KEY, kind TEXT, size INTEGER, sha256 TEXT,
            crc32 INTEGER, data BLOB)

Opening a store reads ``meta`` and the one ``index`` blob (a CompactIndex:
paths, sizes and checksums, the packages to extract, and the CRC-32 of each
module's precompiled code, whose row id is 1 + the module's entry number), so
its cost barely grows with the number of entries; a module then costs one
lookup by row id, falling back to compiling its source when the store was
packed by another Python.  The packer writes the index and the code rows
first, so that they fill the first ``code_bytes`` of the file in one run, which
opening the store asks the kernel to read ahead: a cold start reads them
sequentially instead of page by page.  The file is opened read-only,
``immutable`` (no locks, no journal) and memory-mapped.  Format 1 stores
(code keyed by path) are still read.
"""

from __future__ import annotations

import marshal
import os
import sqlite3
import threading
from array import array

from ..errors import (
    ERR_FORMAT_TOO_NEW,
    ERR_INDEX_CRC,
    ERR_INDEX_UNREADABLE,
    ERR_SQLITE_BAD_META,
    ERR_STORE_CLOSED,
    ERR_STORE_CORRUPT,
    ERR_STORE_UNREADABLE,
    StoreError,
)
from .base import (
    CAN_LIST_CODE,
    FORMAT_VERSION,
    CompactFolders,
    CompactIndex,
    IndexedStore,
    IndexLoad,
    IndexRow,
    crc32,
    read_ahead,
    rows_of,
    u64_array,
)
from .sniff import SQLITE_HEADER, FileProbe, is_sqlite_file

__all__ = ["SCHEMA", "SQLITE_HEADER", "SQLiteStore", "is_sqlite_file"]

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE code (id INTEGER PRIMARY KEY, path TEXT NOT NULL, magic BLOB NOT NULL,
                   sha256 TEXT NOT NULL, crc32 INTEGER NOT NULL, data BLOB NOT NULL,
                   UNIQUE (path, magic));
CREATE TABLE entries (path TEXT PRIMARY KEY, kind TEXT NOT NULL, size INTEGER NOT NULL,
                      sha256 TEXT NOT NULL, crc32 INTEGER NOT NULL, data BLOB NOT NULL);
"""


class SQLiteStore(IndexedStore):
    """A store in one SQLite file, as written by ``importworks pack -o app.sqlite``."""

    kind = "sqlite"
    capabilities = frozenset({CAN_LIST_CODE})

    def __init__(self, location: str, probe: FileProbe | None = None) -> None:
        super().__init__(location)
        # what the path hook already knows of the file (size, an open descriptor to read ahead
        # with), so that opening costs no more round trips on a network file system than needed
        size = probe.size if probe is not None else None
        uri = "file:" + _uri_path(self.location) + "?mode=ro&immutable=1"  # file:///abs/path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        try:
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            # reads become memory accesses: a constant number of system calls
            self._db.execute(f"PRAGMA mmap_size = {size if size is not None else os.path.getsize(self.location)}")
            rows = dict(self._db.execute("SELECT key, value FROM meta"))
        except (sqlite3.Error, OSError, ValueError) as exc:  # ValueError: text that is not UTF-8
            self.close()
            raise self._error(exc, "cannot open") from None
        self.metadata = rows
        # format 2: the index in packed order, and for each path 0 (no code) or
        # crc32 | 1 << 32 of its code for the packed magic, in row 1 + its position
        self._code_checks: array | None = None
        try:  # any database with a meta(key, value) table gets this far
            self._packed_magic = bytes.fromhex(str(rows.get("magic", "")))
            code_bytes = int(rows.get("code_bytes", "0"))
            version = int(rows.get("format_version", "0"))
        except (TypeError, ValueError) as exc:
            self.close()
            raise StoreError(ERR_SQLITE_BAD_META.format(store=self.location, error=exc), path=self.location) from None
        if probe is not None and probe.fd >= 0:
            read_ahead(probe.fd, code_bytes)
        else:
            _read_ahead(self.location, code_bytes)
        if version > FORMAT_VERSION:
            self.close()
            raise StoreError(
                ERR_FORMAT_TOO_NEW.format(store=self.location, version=version, supported=FORMAT_VERSION),
                path=self.location,
            )

    def _error(self, exc: Exception, doing: str, entry: str | None = None) -> StoreError:
        what = f" entry {entry!r} of" if entry else ""
        # a DatabaseError means the file itself is bad; other errors (a locked database...) may pass
        template = ERR_STORE_CORRUPT if isinstance(exc, sqlite3.DatabaseError) else ERR_STORE_UNREADABLE
        return StoreError(template.format(doing=doing, what=what, store=self.location, error=exc), path=self.location)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _query(self, sql: str, args: tuple = (), entry: str | None = None) -> list[tuple]:
        if self._db is None:
            raise StoreError(ERR_STORE_CLOSED.format(store=self.location), path=self.location)
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except (sqlite3.Error, ValueError) as exc:  # ValueError: text that is not UTF-8
                raise self._error(exc, "cannot read", entry) from None

    def load_index(self) -> IndexLoad:
        rows = self._query("SELECT data FROM blobs WHERE name = 'index'")
        if rows:
            blob = _as_bytes(rows[0][0])
            recorded = self.metadata.get("index_crc32")  # stores packed before it was recorded have none
            if recorded is not None and str(crc32(blob)) != str(recorded):
                raise StoreError(ERR_INDEX_CRC.format(store=self.location), path=self.location)
            self._index_read(blob)  # with keys trusted: the signature is checked over these bytes first
            try:
                index = marshal.loads(blob)
                self.take_extras(index)
                if "listing" not in index:  # format 1
                    return rows_of(index["entries"]), index.get("folders")
                compact = CompactIndex(index)
                self._code_checks = u64_array(index["code"])
                if len(self._code_checks) != len(compact):
                    raise ValueError("the code checks do not match the entries")
                self.packed_index, self.code_magic = compact, self._packed_magic
                return compact, CompactFolders(compact)
            except (ValueError, EOFError, TypeError, KeyError) as exc:
                raise StoreError(
                    ERR_INDEX_UNREADABLE.format(what="SQLite store", store=self.location, error=exc), path=self.location
                ) from None
        found = self._query("SELECT path, kind, size, crc32 FROM entries")
        if not all(isinstance(path, str) and isinstance(size, int) for path, _, size, _ in found):
            raise ValueError("an entry row without a name or a size")  # damage: SQLite keeps any type in any column
        return {path: IndexRow(kind, size, crc) for path, kind, size, crc in found}, None

    def read_raw(self, path: str, row: IndexRow) -> bytes:
        rows = self._query("SELECT data FROM entries WHERE path = ?", (path,), path)
        if not rows:
            raise FileNotFoundError(f"no entry {path!r} in store {self.location}")
        return _as_bytes(rows[0][0])

    def read_code(self, path: str, magic: bytes) -> bytes | None:
        self.index  # noqa: B018 - loads the code checks with it
        compact, checks = self.packed_index, self._code_checks
        if compact is not None and checks is not None:  # format 2: code for the one packed magic, by row id
            at = compact.number(path) if magic == self.code_magic else None
            check = checks[at] if at is not None else 0
            if at is None or not check:
                return None
            rows = self._query("SELECT data FROM code WHERE id = ? AND magic = ?", (at + 1, magic), path)
            if not rows:
                return None
            data = _as_bytes(rows[0][0])
            if crc32(data) != check & 0xFFFFFFFF:
                raise self.tampered(path, "compiled code of")
            if self.trust_hook is not None:
                self.trust_hook(path, data, "code")
            return data
        rows = self._query("SELECT crc32, data FROM code WHERE path = ? AND magic = ?", (path, magic), path)
        if not rows:
            return None
        recorded, data = rows[0][0], _as_bytes(rows[0][1])
        if crc32(data) != recorded:
            raise self.tampered(path, "compiled code of")
        return data

    def sha256_map(self) -> dict[str, str]:
        return {path: str(digest) for path, digest in self._query("SELECT path, sha256 FROM entries")}

    def code_hashes(self) -> list[tuple[str, bytes, str, bytes]]:
        """(path, magic, sha256, data) of every precompiled code object (for verify)."""
        return [
            (path, _as_bytes(magic), str(digest), _as_bytes(data))
            for path, magic, digest, data in self._query("SELECT path, magic, sha256, data FROM code")
        ]

    def code_rows(self) -> list[tuple[str, bytes]]:
        """(path, data) of each code row of ``code_magic`` as stored, unchecked; the path from its row id."""
        self.index  # noqa: B018 - reads the index, and with it the code checks
        compact = self.packed_index
        if compact is None or self.code_magic is None:
            return []
        order = sorted(compact, key=compact.number)  # type: ignore[arg-type]
        rows = self._query("SELECT id, data FROM code WHERE magic = ?", (self.code_magic,))
        return [(order[i - 1], _as_bytes(data)) for i, data in rows if isinstance(i, int) and 0 < i <= len(order)]


def _as_bytes(value: object) -> bytes:
    """A column's bytes whatever type SQLite holds it as.

    Written by importworks, data is a BLOB; a store edited with the sqlite3
    shell (``UPDATE entries SET data = '...'``) holds TEXT, and an INTEGER or
    NULL is possible too: the checksums then tell that it was modified.
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if value is None:
        return b""
    if isinstance(value, (memoryview, bytearray)):
        return bytes(value)
    return str(value).encode()


def _uri_path(path: str) -> str:
    """*path* as a file: URI (urllib.parse would cost an import at start-up)."""
    quoted = "".join(f"%{ord(c):02x}" if c in "%?#" else c for c in os.path.abspath(path))
    return "//" + quoted  # an empty authority: a path starting with // stays a path


def _read_ahead(path: str, size: int) -> None:
    """Ask the kernel to start reading the first *size* bytes (index and code rows) now."""
    if size <= 0:
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        read_ahead(fd, size)
    finally:
        os.close(fd)
