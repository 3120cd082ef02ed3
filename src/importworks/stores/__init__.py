"""Module stores: SQLite files, zip archives and PostgreSQL databases holding whole applications.

A store is opened from a ``sys.path`` entry (a file, or a ``postgresql://`` URL)
by :func:`store_path_hook`; its
modules, resources and distribution metadata are served by
:class:`StoreFinder` and :class:`StoreLoader`.  ``importworks pack`` writes
stores (see :mod:`importworks.stores.pack`).  Backends are registered in
:mod:`importworks.stores.registry` (other distributions' through the
``importworks.stores`` entry points) and satisfy :class:`StoreBackend`.
"""

from .base import Entry, IndexedStore, IndexRow, Store, StoreBackend
from .finder import StoreFinder, store_path_hook
from .loader import StoreExtensionLoader, StoreLoader
from .opening import open_store
from .registry import Backend, register

__all__ = [
    "Backend",
    "Entry",
    "IndexRow",
    "IndexedStore",
    "Store",
    "StoreBackend",
    "StoreExtensionLoader",
    "StoreFinder",
    "StoreLoader",
    "open_store",
    "register",
    "store_path_hook",
]
