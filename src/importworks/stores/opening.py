"""Opening stores, once per process: every finder and loader of one location shares its store.

:func:`open_store` opens a location with the backend that claims it
(:mod:`importworks.stores.registry`: a SQLite or zip file by its first bytes,
PostgreSQL by its URL, other distributions' backends by their own claims); :func:`cached_store` keeps one open
store per location and reopens it when the file was rebuilt in place.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from typing import cast

from ..errors import (
    ERR_BACKEND_FAILED,
    ERR_NOR_BACKEND,
    ERR_NOT_A_STORE,
    ERR_NOT_OF_KIND,
    ERR_STORE_MISSING,
    StoreError,
)
from . import registry
from .base import CAN_TELL_GENERATION, StoreBackend, TellsGeneration
from .sniff import FileProbe, probe_file

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
_open_stores: dict[str, tuple[object, StoreBackend]] = {}
_lock = threading.Lock()


def open_store(path: str, probe: FileProbe | None = None) -> StoreBackend:
    """Open the store at *path* with the backend that claims it (see :mod:`importworks.stores.registry`).

    A SQLite or zip file is told apart by its content, a PostgreSQL store by its
    URL; backends of other distributions claim their own.  *probe*, the path
    hook's one look at the file, saves asking the file system again.
    """
    if registry.is_url(path):
        found = registry.claim(path)
        return _opened(found.backend, path, None)  # type: ignore[union-attr]  # is_url: some backend's scheme
    own = probe is None
    if probe is None:
        probe = probe_file(path)
    try:
        if probe is None or probe.is_dir or (probe.kind is None and probe.fd < 0):
            if "://" in path and registry.claim(path) is not None:  # a scheme of a backend just read
                return open_store(path)
            raise StoreError(ERR_STORE_MISSING.format(path=path), path=path)
        found = registry.claim(path, probe)
        if found is not None and found.sniffed:
            return _opened(found.backend, path, probe)
    finally:
        if own and probe is not None:
            probe.close()
    if found is not None:  # named as one kind, and not of that kind
        expected = found.backend.expected or f"a {found.backend.name} store"
        raise StoreError(ERR_NOT_OF_KIND.format(path=path, expected=expected), path=path)
    others = [b for b in registry.backends() if b.origin != "importworks"]
    problems = registry.unclaimed_reasons()
    raise StoreError(
        ERR_NOT_A_STORE.format(path=path)
        + "".join(ERR_NOR_BACKEND.format(name=b.name, origin=b.origin) for b in others)
        + "".join(f"; {problem}" for problem in problems),
        path=path,
    )


def _opened(backend: registry.Backend, location: str, probe: FileProbe | None) -> StoreBackend:
    if backend.origin == "importworks":
        return backend.open(location, probe)
    try:
        return backend.open(location, probe)
    except StoreError:
        raise
    except Exception as exc:  # another distribution's code: say whose
        raise StoreError(
            ERR_BACKEND_FAILED.format(
                store=location, name=backend.name, origin=backend.origin, error=f"{type(exc).__name__}: {exc}"
            ),
            path=location,
        ) from exc


def _identity(path: str) -> tuple[int, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def cached_store(path: str, probe: FileProbe | None = None) -> StoreBackend:
    """The open store for *path*, shared by every finder of it in this process.

    A store rebuilt in place (a new file renamed over the old, a PostgreSQL
    store packed again) is reopened; whoever held the old one is told, as by
    refresh_store, before it is closed.
    """
    return _current_store(path, probe)[0]


def _current_store(path: str, probe: FileProbe | None) -> tuple[StoreBackend, bool]:
    """cached_store's store, and whether it replaced another (the listeners were told then)."""
    url = registry.is_url(path)
    with _lock:
        known = _open_stores.get(path)
    if known is not None and known[0] == _identity_now(known[1], path, url, probe):
        return known[1], False
    # a file's identity before reading it; a URL's is the store's own, if it tells one
    identity: object = None if url else probe.identity if probe is not None else _identity(path)
    # opened without the lock held: opening may import, and an import may open a store
    fresh = open_store(path, probe)
    if CAN_TELL_GENERATION in fresh.capabilities:
        identity = cast(TellsGeneration, fresh).generation
    discard: StoreBackend | None
    with _lock:
        current = _open_stores.get(path)
        if current is not None and current[0] == identity:
            keep, discard = current[1], fresh  # another thread opened it meanwhile
        else:
            _open_stores[path] = (identity, fresh)
            keep, discard = fresh, (current[1] if current is not None else None)
    replaced = discard is not None and discard is not fresh
    if replaced:
        _tell_listeners(path, keep)  # the finders holding the old store switch before it closes
    if discard is not None:
        discard.close()
    return keep, replaced


def _identity_now(store: StoreBackend, path: str, url: bool, probe: FileProbe | None) -> object:
    """What tells whether the store at *path* is still the one opened: its generation, or the file's stat."""
    if CAN_TELL_GENERATION in store.capabilities:
        return cast(TellsGeneration, store).identity()
    if url:
        return None  # a URL store that cannot tell: the one opened stays in use
    return probe.identity if probe is not None else _identity(path)


def forget_store(path: str) -> None:
    """Close and forget the shared store for *path* (it was rebuilt or removed)."""
    with _lock:
        known = _open_stores.pop(path, None)
    if known is not None:
        known[1].close()


def open_stores() -> list[StoreBackend]:
    """The stores open now, one per location (a snapshot)."""
    with _lock:
        return [store for _, store in _open_stores.values()]


# told (location, the store now open there) by refresh_store: the finders that
# hold the old store switch to the new one (stores/finder.py)
_refresh_listeners: list[Callable[[str, StoreBackend], None]] = []


def when_refreshed(listener: Callable[[str, StoreBackend], None]) -> None:
    """Call ``listener(location, store)`` whenever refresh_store hands out a store."""
    _refresh_listeners.append(listener)


def refresh_store(location: str) -> StoreBackend:
    """The current store at *location*, reopened if the file was rebuilt.

    Whoever holds a store is told (the finders in sys.path_importer_cache
    switch to it), so that the next search (a reload, say) sees the new
    contents.
    """
    store, told = _current_store(location, None)
    if not told:
        _tell_listeners(location, store)
    return store


def _tell_listeners(location: str, store: StoreBackend) -> None:
    for listener in _refresh_listeners:
        listener(location, store)


@atexit.register
def close_stores() -> None:
    """Close every shared store (at exit, and for tests)."""
    with _lock:
        stores = [store for _, store in _open_stores.values()]
        _open_stores.clear()
    for store in stores:
        store.close()
