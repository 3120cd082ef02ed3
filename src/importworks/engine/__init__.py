"""The engine: the import algorithm, module locks, observers, traceback cleaning.

Standard library only, and no file I/O: finders and loaders (``importworks.finders``,
``importworks.stores``) turn names into specs and code.  Upper layers plug in through
the extension points in :mod:`importworks.engine.observers`, never by being imported
from here.  Import the modules themselves; this package re-exports nothing, so that
each name has one path.
"""
