"""Finders and loaders for folders, bytecode caches and compiled-in modules.

The path finder, the folder finder and the file loaders, the ``__pycache__`` code,
built-in/frozen/extension modules.  Above the engine, below the stores.  Import the
modules themselves; this package re-exports nothing.
"""
