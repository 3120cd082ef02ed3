"""importlib.resources for packages in stores: a Traversable over store folders.

Data is read from the store.  Code that needs a real file
(``importlib.resources.as_file``, ``path``: certifi's ``where()``, an SSL
context's CA bundle) gets one written once into the content-addressed
extraction cache and reused by every later run, rather than a fresh temporary
copy each time.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

from ..errors import ERR_NO_STORE_FILE, ERR_NO_STORE_FILE_OR_FOLDER, ERR_STORE_READ_ONLY
from .base import StoreBackend, sha256_hex

if sys.version_info >= (3, 11):
    from importlib.resources import as_file
    from importlib.resources.abc import Traversable, TraversableResources
else:
    from importlib.abc import Traversable, TraversableResources
    from importlib.resources import as_file

__all__ = ["StorePath", "StoreResourceReader", "materialized_path"]


def materialized_path(store: StoreBackend, path: str) -> str:
    """A real file or folder with the contents of store entry or folder *path*, written once.

    The cache folder is named by a digest of the names and bytes, so a warm
    start costs reading the entry (memory-mapped) and one ``stat``.
    """
    from .cache import materialize

    path = path.strip("/")
    name = path.rpartition("/")[2] or "root"
    if store.is_file(path):
        files = [(name, store.read(path))]
    else:
        prefix = path + "/" if path else ""
        files = [
            (name + "/" + entry[len(prefix) :], store.read(entry))
            for entry in sorted(store.index)
            if entry.startswith(prefix) and not store.is_companion(entry)
        ]
    digest = sha256_hex("\n".join(f"{rel}:{sha256_hex(data)}" for rel, data in files).encode())[:32]
    return os.path.join(materialize("res", digest, files), name)


class StorePath(Traversable):
    """A file or folder inside a store, navigable like pathlib.Path (read-only)."""

    def __init__(self, store: StoreBackend, path: str) -> None:
        self.store = store
        self.path = path.strip("/")

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    def iterdir(self) -> Iterator[StorePath]:
        folder = self.path + "/" if self.path else ""
        for name in sorted(self.store.children(folder)):
            if not self.store.is_companion(folder + name):  # a zip's .pyc beside its .py
                yield StorePath(self.store, folder + name)

    def is_dir(self) -> bool:
        return self.store.is_dir(self.path) if self.path else True

    def is_file(self) -> bool:
        return self.store.is_file(self.path)

    def exists(self) -> bool:
        return self.is_file() or self.is_dir()

    def joinpath(self, *descendants: str) -> StorePath:
        parts = [self.path] if self.path else []
        for child in descendants:
            parts.extend(p for p in str(child).replace("\\", "/").split("/") if p and p != ".")
        return StorePath(self.store, "/".join(parts))

    def __truediv__(self, child: str) -> StorePath:
        return self.joinpath(child)

    def read_bytes(self) -> bytes:
        if not self.is_file():
            raise FileNotFoundError(ERR_NO_STORE_FILE.format(entry=self.path, store=self.store.location))
        return self.store.read(self.path)

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode or "a" in mode or "+" in mode:
            raise PermissionError(ERR_STORE_READ_ONLY.format(store=self.store.location))
        data = io.BytesIO(self.read_bytes())
        if "b" in mode:
            return data
        return io.TextIOWrapper(data, *args, **kwargs)

    def __fspath__(self) -> str:
        # lets os.path and open() report a useful name; the file itself is not on disk
        return self.store.location + "/" + self.path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StorePath) and (other.store, other.path) == (self.store, self.path)

    def __hash__(self) -> int:
        return hash((self.store.location, self.path))

    def __repr__(self) -> str:
        return f"StorePath({self.store.location!r}, {self.path!r})"

    def __str__(self) -> str:
        return self.__fspath__()


@as_file.register(StorePath)  # type: ignore[attr-defined]  # as_file is a singledispatch function; typeshed types a plain one
def _store_path_as_file(path: StorePath) -> contextlib.AbstractContextManager[pathlib.Path]:
    """as_file() of a store file or folder: its copy in the extraction cache (kept, not removed)."""
    if not path.exists():
        raise FileNotFoundError(ERR_NO_STORE_FILE_OR_FOLDER.format(entry=path.path, store=path.store.location))
    return contextlib.nullcontext(pathlib.Path(materialized_path(path.store, path.path)))


class StoreResourceReader(TraversableResources):
    """The resource reader of a package that lives in a store.

    For a package extracted to the cache (*root* given), its real folder there.
    """

    def __init__(self, store: StoreBackend, folder: str, root: str | None = None) -> None:
        self.store = store
        self.folder = folder
        self.root = root

    def files(self) -> Traversable:
        if self.root is not None:
            return pathlib.Path(self.root, *self.folder.split("/"))
        return StorePath(self.store, self.folder)

    def resource_path(self, resource: str) -> str:
        """A real file for *resource* (importlib.resources.path on Python 3.10)."""
        if self.root is not None:
            return os.path.join(self.root, *self.folder.split("/"), resource)
        path = f"{self.folder}/{resource}" if self.folder else resource
        if not self.store.is_file(path):
            raise FileNotFoundError(resource)
        return materialized_path(self.store, path)
