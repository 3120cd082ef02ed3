"""PostgreSQL databases as stores: one packed application shared by many machines.

A store is named by a URL, which is also its ``sys.path`` entry and the start
of its modules' ``__file__``::

    postgresql://[user@][host][:port]/DATABASE/STORE
    sys.path.insert(0, "postgresql://db.internal/apps/billing")
    billing.__file__ == "postgresql://db.internal/apps/billing/billing/__init__.py"

Passwords and the other connection settings come from libpq's usual places
(``PGPASSWORD``, ``~/.pgpass``, ``PGHOST``, ``PGSSLMODE``...), never from the
URL, so that no secret ends up in ``sys.path`` or a traceback.  Many stores live
in one database, in three tables created by the first pack::

    importworks_stores(name PRIMARY KEY, generation, meta JSON text, index_blob, signature)
    importworks_code(store, id, magic, sha256, crc32, data)   PRIMARY KEY (store, id)
    importworks_entries(store, path, sha256, crc32, data)     PRIMARY KEY (store, path)

The index is the same CompactIndex the file stores keep, read in the one query
that opens the store; a module's code row id is 1 + its entry number, and entry
numbers run folder by folder, so the code of a whole package folder comes in one
round trip when its first module is imported.  ``importworks pack -o URL``
replaces a store in one transaction (readers see the old store or the new one,
never half of it) and bumps its generation, which is how a running process sees
that a store was re-packed (``importworks.reload``).  A lost connection is
re-opened once, transparently; if that fails, or the store was re-packed in the
meantime, the import fails with a StoreError naming the store.
"""

from __future__ import annotations

import json
import marshal
import os
import threading
from array import array
from typing import Any

from ..errors import StoreError
from .base import (
    CAN_LIST_CODE,
    CAN_TELL_GENERATION,
    FORMAT_VERSION,
    CompactFolders,
    CompactIndex,
    IndexedStore,
    IndexLoad,
    IndexRow,
    crc32,
    u64_array,
)
from .sniff import StoreURL, is_store_url, parse_store_url

__all__ = ["SCHEMA", "PostgresStore", "StoreURL", "driver", "is_store_url", "parse_store_url"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS importworks_stores (
    name TEXT PRIMARY KEY, generation BIGINT NOT NULL, meta TEXT NOT NULL, index_blob BYTEA NOT NULL,
    signature BYTEA);
ALTER TABLE importworks_stores ADD COLUMN IF NOT EXISTS signature BYTEA;
CREATE TABLE IF NOT EXISTS importworks_code (
    store TEXT NOT NULL, id INTEGER NOT NULL, path TEXT NOT NULL, magic BYTEA NOT NULL,
    sha256 TEXT NOT NULL, crc32 BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (store, id));
CREATE TABLE IF NOT EXISTS importworks_entries (
    store TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, crc32 BIGINT NOT NULL,
    data BYTEA NOT NULL, PRIMARY KEY (store, path));
"""
_FOLDER_FETCH = 64  # at most this many modules' code in one round trip


def driver(location: str | None = None) -> Any:
    """The psycopg module, or a StoreError saying how to install it."""
    try:
        import psycopg
    except ImportError:
        store = f" ({location})" if location else ""
        raise StoreError(
            f"PostgreSQL stores{store} need psycopg: pip install 'importworks[postgres]'", path=location
        ) from None
    return psycopg


class PostgresStore(IndexedStore):
    """A store in a PostgreSQL database, as written by ``importworks pack -o postgresql://...``."""

    kind = "postgres"
    capabilities = frozenset({CAN_TELL_GENERATION, CAN_LIST_CODE})

    def __init__(self, location: str) -> None:
        url = parse_store_url(location)
        super().__init__(url.location)
        self.url = url
        self._psycopg = driver(url.location)
        self._lock = threading.RLock()
        self._conn: Any = None
        self._code_checks: array | None = None
        self._fetched: dict[int, bytes] = {}  # code rows that came with a folder, not yet used
        self._closed = False
        row = self._query(
            "SELECT generation, meta FROM importworks_stores WHERE name = %s", (url.store,), reconnect=False
        )
        if not row:
            self.close()
            raise StoreError(
                f"no store {url.store!r} in PostgreSQL database {url.conninfo}: create it with "
                f"importworks pack ... -o {url.location}",
                path=self.location,
            )
        self.generation, meta = row[0]
        try:
            self.metadata = dict(json.loads(meta))
            version = int(self.metadata.get("format_version", "0"))
            self._packed_magic = bytes.fromhex(str(self.metadata.get("magic", "")))
        except (TypeError, ValueError) as exc:
            self.close()
            raise StoreError(
                f"PostgreSQL store {self.location} has unreadable metadata ({exc}); re-create it with importworks pack",
                path=self.location,
            ) from None
        if version > FORMAT_VERSION:
            self.close()
            raise StoreError(
                f"store {self.location} has format {version}, newer than this importworks "
                f"reads ({FORMAT_VERSION}): upgrade importworks",
                path=self.location,
            )

    # -- the connection --------------------------------------------------------
    def _connect(self) -> None:
        # an import must not hang for minutes on a host that drops packets: 10 s unless
        # PGCONNECT_TIMEOUT says otherwise
        timeout = {} if "PGCONNECT_TIMEOUT" in os.environ else {"connect_timeout": 10}
        try:
            self._conn = self._psycopg.connect(
                self.url.conninfo, autocommit=True, application_name="importworks", **timeout
            )
        except self._psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL store {self.location}: {_first_line(exc)}", path=self.location
            ) from None

    def _query(self, sql: str, args: tuple = (), entry: str | None = None, reconnect: bool = True) -> list:
        """Run one query; a connection lost since the last one is re-opened once."""
        psycopg = self._psycopg
        with self._lock:
            if self._closed:
                raise StoreError(
                    f"PostgreSQL store {self.location} is closed (it was packed again and "
                    "reopened, or closed by the program)",
                    path=self.location,
                )
            if self._conn is None:
                self._connect()
            try:
                return self._conn.execute(sql, args).fetchall()
            except psycopg.OperationalError as exc:
                if not reconnect or not self._conn.closed:
                    raise self._error(exc, entry) from None
            except psycopg.Error as exc:
                raise self._error(exc, entry) from None
            # the server went away (restart, failover, idle timeout): connect again, once
            self._reconnect_same_store()
            try:
                return self._conn.execute(sql, args).fetchall()
            except psycopg.Error as exc:
                raise self._error(exc, entry) from None

    def _reconnect_same_store(self) -> None:
        self._connect()
        try:
            found = self._conn.execute(
                "SELECT generation FROM importworks_stores WHERE name = %s", (self.url.store,)
            ).fetchall()
        except self._psycopg.Error as exc:
            raise self._error(exc, None) from None
        if not found or found[0][0] != self.generation:
            raise StoreError(
                f"PostgreSQL store {self.location} was re-packed or removed while in use: "
                "restart the program (or importworks.reload the modules)",
                path=self.location,
            )

    def _error(self, exc: Exception, entry: str | None) -> StoreError:
        what = f" entry {entry!r} of" if entry else ""
        return StoreError(f"cannot read{what} PostgreSQL store {self.location}: {_first_line(exc)}", path=self.location)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            self._fetched.clear()
        if conn is not None:
            conn.close()

    def tampered(self, path: str, what: str = "entry") -> StoreError:
        """A row that does not match the index: a re-pack under our feet, or tampering."""
        try:
            found = self._query("SELECT generation FROM importworks_stores WHERE name = %s", (self.url.store,))
        except StoreError as exc:
            return exc  # the server is gone: say that, not "tampered"
        if not found or found[0][0] != self.generation:
            return StoreError(
                f"PostgreSQL store {self.location} was re-packed or removed while in use: "
                "restart the program (or importworks.reload the modules)",
                path=self.location,
            )
        return super().tampered(path, what)

    def identity(self) -> object:
        """The store's generation now (it grows with every pack): a re-packed store differs."""
        try:
            found = self._query("SELECT generation FROM importworks_stores WHERE name = %s", (self.url.store,))
        except StoreError:
            return None
        return found[0][0] if found else None

    # -- reading ----------------------------------------------------------------
    def load_index(self) -> IndexLoad:
        found = self._query(
            "SELECT index_blob FROM importworks_stores WHERE name = %s AND generation = %s",
            (self.url.store, self.generation),
        )
        if not found:
            raise StoreError(
                f"PostgreSQL store {self.location} was re-packed or removed while opening", path=self.location
            )
        blob = self._index_read(bytes(found[0][0]))  # with keys trusted: the signature is checked first
        try:
            index = marshal.loads(blob)
            self.take_extras(index)
            compact = CompactIndex(index)
            self._code_checks = u64_array(index["code"])
            if len(self._code_checks) != len(compact):
                raise ValueError("the code checks do not match the entries")
        except (ValueError, EOFError, TypeError, KeyError) as exc:
            raise StoreError(
                f"PostgreSQL store {self.location}: its index is unreadable ({exc}); "
                "re-create it with importworks pack",
                path=self.location,
            ) from None
        self.packed_index, self.code_magic = compact, self._packed_magic
        return compact, CompactFolders(compact)

    def read_raw(self, path: str, row: IndexRow) -> bytes:
        found = self._query(
            "SELECT data FROM importworks_entries WHERE store = %s AND path = %s", (self.url.store, path), path
        )
        if not found:
            raise self.tampered(path)  # the index lists it
        return bytes(found[0][0])

    def read_code(self, path: str, magic: bytes) -> bytes | None:
        self.index  # noqa: B018 - loads the code checks with it
        compact, checks = self.packed_index, self._code_checks
        at = compact.number(path) if compact is not None and magic == self.code_magic else None
        if at is None or not checks[at]:  # type: ignore[index]
            return None
        with self._lock:
            data = self._fetched.pop(at, None)
            if data is None:
                data = self._fetch_folder_code(path, at)
        if crc32(data) != checks[at] & 0xFFFFFFFF:  # type: ignore[index]
            raise self.tampered(path, "compiled code of")
        if self.trust_hook is not None:
            self.trust_hook(path, data, "code")
        return data

    def _fetch_folder_code(self, path: str, at: int) -> bytes:
        """The code of *path*, with that of the other modules in its folder (one round trip)."""
        numbers = self.packed_index.folder_numbers(path.rpartition("/")[0] + "/" if "/" in path else "")  # type: ignore[union-attr]
        low, high = (numbers.start, numbers.stop) if len(numbers) <= _FOLDER_FETCH else (at, at + 1)
        rows = self._query(
            "SELECT id, data FROM importworks_code WHERE store = %s AND id > %s AND id <= %s",
            (self.url.store, low, high),
            path,
        )
        found = {row_id - 1: bytes(data) for row_id, data in rows}
        data = found.pop(at, None)
        if data is None:
            raise self.tampered(path, "compiled code of")  # the index promised it
        if len(self._fetched) > 4 * _FOLDER_FETCH:
            self._fetched.clear()  # leftovers of folders long done with: fetched again if ever needed
        self._fetched.update(found)
        return data

    def sha256_map(self) -> dict[str, str]:
        return dict(self._query("SELECT path, sha256 FROM importworks_entries WHERE store = %s", (self.url.store,)))

    def code_hashes(self) -> list[tuple[str, bytes, str, bytes]]:
        """(path, magic, sha256, data) of every precompiled code object (for verify)."""
        rows = self._query("SELECT path, magic, sha256, data FROM importworks_code WHERE store = %s", (self.url.store,))
        return [(path, bytes(magic), digest, bytes(data)) for path, magic, digest, data in rows]

    def code_rows(self) -> list[tuple[str, bytes]]:
        """(path, data) of each code row of ``code_magic`` as stored, unchecked; the path from its row id."""
        self.index  # noqa: B018 - reads the index
        compact = self.packed_index
        if compact is None or self.code_magic is None:
            return []
        order = sorted(compact, key=compact.number)  # type: ignore[arg-type]
        rows = self._query(
            "SELECT id, data FROM importworks_code WHERE store = %s AND magic = %s", (self.url.store, self.code_magic)
        )
        return [(order[i - 1], bytes(data)) for i, data in rows if 0 < i <= len(order)]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
