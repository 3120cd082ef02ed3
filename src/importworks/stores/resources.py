"""importlib.resources for packages in stores: a Traversable over store folders."""

from __future__ import annotations

import io
import sys
from typing import Any, Iterator

from .base import Store

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable, TraversableResources
else:
    from importlib.abc import Traversable, TraversableResources

__all__ = ["StorePath", "StoreResourceReader"]


class StorePath(Traversable):
    """A file or folder inside a store, navigable like pathlib.Path (read-only)."""

    def __init__(self, store: Store, path: str) -> None:
        self.store = store
        self.path = path.strip("/")

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    def iterdir(self) -> Iterator[StorePath]:
        folder = self.path + "/" if self.path else ""
        for name in sorted(self.store.children(folder)):
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
            raise FileNotFoundError(f"no file {self.path!r} in store {self.store.location}")
        return self.store.read(self.path)

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode or "a" in mode or "+" in mode:
            raise PermissionError(f"store {self.store.location} is read-only")
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


class StoreResourceReader(TraversableResources):
    """The resource reader of a package that lives in a store."""

    def __init__(self, store: Store, folder: str) -> None:
        self.store = store
        self.folder = folder

    def files(self) -> StorePath:
        return StorePath(self.store, self.folder)
