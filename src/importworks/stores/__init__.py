"""Module stores: SQLite files, zip archives and PostgreSQL databases holding whole applications.

A store is opened from a ``sys.path`` entry (a file, or a ``postgresql://`` URL)
by :func:`store_path_hook`; its
modules, resources and distribution metadata are served by
:class:`StoreFinder` and :class:`StoreLoader`.  ``importworks pack`` writes
stores (see :mod:`importworks.stores.pack`).
"""

from .base import Entry, Store
from .finder import StoreFinder, store_path_hook
from .loader import StoreExtensionLoader, StoreLoader
from .opening import open_store

__all__ = ["Entry", "Store", "StoreExtensionLoader", "StoreFinder", "StoreLoader", "open_store", "store_path_hook"]
