"""Every exception importworks raises.

Each one subclasses the stdlib exception a caller would already catch, so
``except ImportError`` keeps working::

    ImportError
     +-- ModuleNotFoundError        (stdlib; raised with CPython's own messages)
     +-- StoreError                 a module store cannot be opened or read
          +-- StoreIntegrityError   an entry no longer matches its recorded sha256
    RuntimeError
     +-- DeadlockError              two threads import each other's modules

Message templates are constants; the first clause is CPython's own, byte for
byte, so code that matches on it keeps matching.
"""

from __future__ import annotations

__all__ = [
    "DeadlockError",
    "ERR_NOT_FOUND",
    "ERR_NOT_PACKAGE",
    "ERR_HALTED",
    "StoreError",
    "StoreIntegrityError",
]

ERR_NOT_FOUND = "No module named {name!r}"
ERR_NOT_PACKAGE = "No module named {name!r}; {parent!r} is not a package"
ERR_HALTED = "import of {name} halted; None in sys.modules"


class DeadlockError(RuntimeError):
    """A thread would wait for a module lock held by a thread that waits for it."""


class StoreError(ImportError):
    """A module store (zip archive, SQLite file, ...) cannot be opened or read."""


class StoreIntegrityError(StoreError):
    """An entry of a store changed after packing; it is never executed."""

    def __init__(self, *args: object, entry: str | None = None, **kwargs: str | None) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
