"""importlib.metadata for distributions packed into stores (``*.dist-info`` entries)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib.metadata import Distribution
from typing import Any

from .base import StoreBackend
from .resources import StorePath

__all__ = ["StoreDistribution", "find_store_distributions"]


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class StoreDistribution(Distribution):
    """One ``NAME-VERSION.dist-info`` (or ``.egg-info``) folder inside a store."""

    def __init__(self, store: StoreBackend, folder: str) -> None:
        self.store = store
        self.folder = folder

    def read_text(self, filename: str) -> str | None:
        path = f"{self.folder}/{filename}"
        if not self.store.is_file(path):
            return None
        return self.store.read(path).decode("utf-8")

    def locate_file(self, path: Any) -> StorePath:  # type: ignore[override]  # a Traversable: what importlib.metadata reads of it
        return StorePath(self.store, str(path))

    @property
    def _normalized_name(self) -> str:  # used by importlib.metadata to de-duplicate
        return _normalize(self.folder.partition("-")[0])

    def __repr__(self) -> str:
        return f"<StoreDistribution {self.folder!r} in {self.store.location!r}>"


def find_store_distributions(stores: Iterable[StoreBackend], name: str | None) -> Iterator[StoreDistribution]:
    """Distributions in *stores* whose normalised name matches *name* (all when None)."""
    wanted = _normalize(name) if name else None
    for store in stores:
        for child in sorted(store.children("")):
            if not child.endswith((".dist-info", ".egg-info")) or not store.is_dir(child):
                continue
            if wanted is None or _normalize(child.partition("-")[0]) == wanted:
                yield StoreDistribution(store, child)
