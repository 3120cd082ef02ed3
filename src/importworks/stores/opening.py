"""Opening stores, once per process: every finder and loader of one location shares its store.

:func:`open_store` tells the kinds apart (a SQLite or zip file by its first
bytes, PostgreSQL by its URL) and opens one; :func:`cached_store` keeps one open
store per location and reopens it when the file was rebuilt in place.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Callable

from ..errors import StoreError
from .base import Store
from .sniff import FileProbe, is_store_url, probe_file

__all__ = [
    "cached_store",
    "close_stores",
    "forget_store",
    "open_store",
    "open_stores",
    "refresh_store",
    "when_refreshed",
]

# path -> (the file's identity when opened, the open store)
_open_stores: dict[str, tuple[object, Store]] = {}
_lock = threading.Lock()


def open_store(path: str, probe: FileProbe | None = None) -> Store:
    """Open the store at *path*: a SQLite or zip file (told apart by content), or a PostgreSQL URL.

    *probe*, the path hook's one look at the file, saves asking the file system again.
    """
    if is_store_url(path):
        from .postgres import PostgresStore

        return PostgresStore(path)
    own = probe is None
    if probe is None:
        probe = probe_file(path)
    try:
        if probe is None or probe.is_dir or (probe.kind is None and probe.fd < 0):
            raise StoreError(f"store {path} does not exist (or is not a file)", path=path)
        if probe.kind == "sqlite":  # each backend imported only when used: opening is on the start-up path
            from .sqlite import SQLiteStore

            return SQLiteStore(path, probe)
        if probe.kind == "zip":
            from .zip import ZipStore

            return ZipStore(path, probe)
    finally:
        if own and probe is not None:
            probe.close()
    if path.endswith((".zip", ".pyz")):
        raise StoreError(
            f"{path} is not a zip archive (no end-of-central-directory record): "
            "it is truncated or another kind of file",
            path=path,
        )
    if path.endswith((".sqlite", ".sqlite3")):
        raise StoreError(
            f"{path} is not a SQLite database (no SQLite header): it is truncated or another kind of file", path=path
        )
    raise StoreError(f"{path} is neither a SQLite store nor a zip archive", path=path)


def _identity(path: str) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def cached_store(path: str, probe: FileProbe | None = None) -> Store:
    """The open store for *path*, shared by every finder of it in this process.

    A store rebuilt in place (a new file renamed over the old, a PostgreSQL
    store packed again) is reopened.
    """
    url = is_store_url(path)
    with _lock:
        known = _open_stores.get(path)
    if known is not None and known[0] == (
        known[1].identity() if url else probe.identity if probe is not None else _identity(path)
    ):
        return known[1]
    # a file's identity before reading it
    identity = None if url else probe.identity if probe is not None else _identity(path)
    # opened without the lock held: opening may import, and an import may open a store
    fresh = open_store(path, probe)
    if url:
        identity = fresh.generation  # type: ignore[attr-defined]
    with _lock:
        current = _open_stores.get(path)
        if current is not None and current[0] == identity:
            keep, discard = current[1], fresh  # another thread opened it meanwhile
        else:
            _open_stores[path] = (identity, fresh)
            keep, discard = fresh, (current[1] if current is not None else None)
    if discard is not None:
        discard.close()
    return keep


def forget_store(path: str) -> None:
    """Close and forget the shared store for *path* (it was rebuilt or removed)."""
    with _lock:
        known = _open_stores.pop(path, None)
    if known is not None:
        known[1].close()


def open_stores() -> list[Store]:
    """The stores open now, one per location (a snapshot)."""
    with _lock:
        return [store for _, store in _open_stores.values()]


# told (location, the store now open there) by refresh_store: the finders that
# hold the old store switch to the new one (stores/finder.py)
_refresh_listeners: list[Callable[[str, Store], None]] = []


def when_refreshed(listener: Callable[[str, Store], None]) -> None:
    """Call ``listener(location, store)`` whenever refresh_store hands out a store."""
    _refresh_listeners.append(listener)


def refresh_store(location: str) -> Store:
    """The current store at *location*, reopened if the file was rebuilt.

    Whoever holds a store is told (the finders in sys.path_importer_cache
    switch to it), so that the next search (a reload, say) sees the new
    contents.
    """
    store = cached_store(location)
    for listener in _refresh_listeners:
        listener(location, store)
    return store


@atexit.register
def close_stores() -> None:
    """Close every shared store (at exit, and for tests)."""
    with _lock:
        stores = [store for _, store in _open_stores.values()]
        _open_stores.clear()
    for store in stores:
        store.close()
