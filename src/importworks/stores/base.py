"""The Store interface: one file holding modules, resources and metadata.

A store is read through a handful of operations: the index of its entries
(loaded once, when the store is opened), the bytes of one entry, and the
precompiled code of a module for this interpreter if the store has it.
Everything else - finding modules, packages, namespace portions, resources,
distributions - is built on those by :mod:`importworks.stores.finder`, so a
new backend is one small class.

Entry paths are relative POSIX paths (``pkg/mod.py``).  Each entry records the
sha256 of its bytes when the packer knows it; reads check it, so an entry
changed after packing is refused rather than executed.
"""

from __future__ import annotations

import os
import sys
from typing import Iterable, Iterator, NamedTuple

from ..errors import StoreError, StoreIntegrityError

__all__ = ["Entry", "Store", "check_entry_path", "sha256_hex"]

FORMAT_VERSION = 1


def _sha256_function():  # type: ignore[no-untyped-def]
    # CPython's small built-in SHA-256 directly: hashlib (and OpenSSL behind it)
    # would cost milliseconds at start-up for a few kilobytes to hash
    try:
        return __import__("_sha2" if sys.version_info >= (3, 12) else "_sha256").sha256
    except (ImportError, AttributeError):
        from hashlib import sha256
        return sha256


_sha256 = None


def sha256_hex(data: bytes) -> str:
    global _sha256
    if _sha256 is None:
        _sha256 = _sha256_function()
    return _sha256(data).hexdigest()


def check_entry_path(store: str, path: str) -> str:
    """Refuse entry names that would escape the store (``..``, absolute paths)."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or ".." in parts or ":" in parts[0]:
        raise StoreError(f"refusing entry {path!r} in store {store}: the name leaves the store "
                         "(absolute, or contains '..'); repack it with importworks pack",
                         path=store)
    return path


class Entry(NamedTuple):
    """What the index knows of one entry without reading it."""

    path: str
    size: int
    sha256: str | None = None
    kind: str = "file"  # file | extension (the finder decides what is a module)


class Store:
    """Base class of the backends: subclasses implement _load_index and _read_raw."""

    #: a short word for reports: "zip", "sqlite", "postgres"
    kind = "store"

    def __init__(self, location: str) -> None:
        self.location = os.fspath(location)
        self._entries: dict[str, Entry] | None = None
        self._folders: dict[str, set[str]] | None = None
        self.metadata: dict[str, str] = {}

    # -- what a backend provides ------------------------------------------
    def _load_index(self) -> Iterable[Entry]:
        raise NotImplementedError

    def _read_raw(self, entry: Entry) -> bytes:
        raise NotImplementedError

    def read_code(self, path: str, magic: bytes) -> bytes | None:
        """The marshalled code of source entry *path* for *magic*, if precompiled."""
        return None

    def close(self) -> None:
        """Release the file or connection."""

    # -- built on top ---------------------------------------------------------
    @property
    def entries(self) -> dict[str, Entry]:
        """Every entry by path; read from the store once."""
        if self._entries is None:
            entries = {}
            for entry in self._load_index():
                check_entry_path(self.location, entry.path)
                entries[entry.path] = entry
            self._entries = entries
        return self._entries

    @property
    def folders(self) -> dict[str, set[str]]:
        """Folder path ('' for the root, else 'pkg/sub/') -> names of its children."""
        if self._folders is None:
            folders: dict[str, set[str]] = {"": set()}
            for path in self.entries:
                parent = ""
                for part in path.split("/"):
                    folders.setdefault(parent, set()).add(part)
                    parent = f"{parent}{part}/"
            self._folders = folders
        return self._folders

    def is_file(self, path: str) -> bool:
        return path in self.entries

    def is_dir(self, path: str) -> bool:
        return (path.rstrip("/") + "/" if path else "") in self.folders

    def children(self, folder: str) -> set[str]:
        """Names directly inside *folder* ('' or 'pkg/')."""
        return self.folders.get(folder, set())

    def read(self, path: str) -> bytes:
        """The bytes of entry *path*, checked against its recorded sha256."""
        try:
            entry = self.entries[path]
        except KeyError:
            raise FileNotFoundError(f"no entry {path!r} in store {self.location}") from None
        data = self._read_raw(entry)
        if entry.sha256 is not None and sha256_hex(data) != entry.sha256:
            raise StoreIntegrityError(
                f"entry {path!r} in store {self.location} does not match the sha256 recorded "
                "when it was packed: the store was modified; refusing to use it "
                "(check it with: importworks verify " + self.location + ")",
                path=self.location, entry=path)
        return data

    def walk(self) -> Iterator[Entry]:
        return iter(sorted(self.entries.values(), key=lambda e: e.path))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location!r}>"
