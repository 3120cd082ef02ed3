"""Every exception importworks raises.

Each one subclasses the stdlib exception a caller would already catch, so
``except ImportError`` keeps working::

    ImportError
     +-- ModuleNotFoundError        (stdlib; raised with CPython's own messages)
     +-- StoreError                 a module store cannot be opened or read
     |    +-- StoreIntegrityError   an entry no longer matches its recorded sha256
     |         +-- StoreTrustError  not signed by a trusted key, or changed after signing
     +-- ReloadError                new code failed to run; the old code stays in place
     +-- LazyImportError            a lazy import failed at first use (importworks.lazy)
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
    "LazyImportError",
    "ReloadError",
    "StoreError",
    "StoreIntegrityError",
    "StoreTrustError",
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


class StoreTrustError(StoreIntegrityError):
    """Keys are trusted and a store is unsigned, signed by another key, or changed after signing.

    ``reason`` says which, in words; nothing from the store is executed.
    """

    def __init__(self, *args: object, entry: str | None = None, reason: str = "", **kwargs: str | None) -> None:
        super().__init__(*args, entry=entry, **kwargs)
        self.reason = reason


class ReloadError(ImportError):
    """A module's new code could not be executed; its old code keeps running.

    ``path`` and ``lineno`` say where the error is; ``report`` is the whole
    reload's report (other modules may have been reloaded).
    """

    def __init__(
        self, *args: object, name: str | None = None, path: str | None = None, lineno: int | None = None
    ) -> None:
        super().__init__(*args, name=name, path=path)
        self.lineno = lineno
        self.report: object = None


class LazyImportError(ImportError):
    """Where a lazy import was written, chained as the cause of the error its resolution raised (importworks.lazy)."""
