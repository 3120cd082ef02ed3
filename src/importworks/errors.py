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

Message templates are constants (``ERR_*``, ``WARN_*``), used by the code that
raises and asserted word for word by tests/unit/test_errors.py; the first
clause is CPython's own, byte for byte, so code that matches on it keeps
matching.  The exit statuses of the ``importworks`` command (``EXIT_*``) are
defined here too, once, for the CLI and the diagnostics alike.
"""

from __future__ import annotations

__all__ = [
    "ERR_BACKEND_CLAIM_FAILED",
    "ERR_BACKEND_FAILED",
    "ERR_BAD_MAGIC",
    "ERR_BEYOND_TOP_LEVEL",
    "ERR_DEADLOCK",
    "ERR_DEBUG_AND_OPTIMIZATION",
    "ERR_EMPTY_NAME",
    "ERR_ENTRY_BAD_NAME",
    "ERR_ENTRY_EMPTY_PART",
    "ERR_ENTRY_ESCAPES",
    "ERR_ENTRY_PLACE_DAMAGED",
    "ERR_ENTRY_UNREADABLE",
    "ERR_EXEC_NOT_IN_SYS_MODULES",
    "ERR_EXTRACTED_INCOMPLETE",
    "ERR_FORMAT_TOO_NEW",
    "ERR_FROMLIST_ITEM",
    "ERR_GET_CODE_NONE",
    "ERR_GLOBALS_NOT_DICT",
    "ERR_HALTED",
    "ERR_INDEX_CRC",
    "ERR_INDEX_FOLDER_DAMAGED",
    "ERR_INDEX_UNREADABLE",
    "ERR_LAZY_MODE",
    "ERR_LOADER_NONE",
    "ERR_LOADER_NOT_SET",
    "ERR_LOCK_NOT_HELD",
    "ERR_MISSING_LOADER",
    "ERR_NAMESPACE_NO_LOADER",
    "ERR_NAME_NOT_A_STRING",
    "ERR_NAME_NOT_IN_GLOBALS",
    "ERR_NAME_NOT_STR",
    "ERR_NEGATIVE_LEVEL",
    "ERR_NOR_BACKEND",
    "ERR_NOT_AN_OBSERVER",
    "ERR_NOT_A_FOLDER",
    "ERR_NOT_A_MODULE",
    "ERR_NOT_A_PACKAGE_SPEC",
    "ERR_NOT_A_STORE",
    "ERR_NOT_A_STORE_FOLDER",
    "ERR_NOT_A_STORE_URL",
    "ERR_NOT_CODE",
    "ERR_NOT_COMPILED_IN",
    "ERR_NOT_FOUND",
    "ERR_NOT_FOUND_TO_RUN",
    "ERR_NOT_IN_PYCACHE",
    "ERR_NOT_IN_SYS_MODULES",
    "ERR_NOT_OF_KIND",
    "ERR_NOT_PACKAGE",
    "ERR_NO_CACHE_TAG",
    "ERR_NO_CREATE_MODULE",
    "ERR_NO_LOCATION",
    "ERR_NO_PACKAGE",
    "ERR_NO_PARENT_PACKAGE",
    "ERR_NO_PATH_ON_PARENT",
    "ERR_NO_SOURCE",
    "ERR_NO_STORE_FILE",
    "ERR_NO_STORE_FILE_OR_FOLDER",
    "ERR_NO_TEMPORARY_NAME",
    "ERR_OPT_NOT_ALNUM",
    "ERR_PACKAGE_NOT_STR",
    "ERR_PACKAGE_REQUIRED",
    "ERR_PARENT_NOT_IMPORTED",
    "ERR_PARENT_NOT_IN_SYS_MODULES",
    "ERR_PYC_DOTS",
    "ERR_PYC_FLAGS",
    "ERR_PYC_OPT_LEVEL",
    "ERR_PYC_OPT_PREFIX",
    "ERR_PYC_TRUNCATED",
    "ERR_REPACK",
    "ERR_SHUTTING_DOWN",
    "ERR_SPEC_MISSING_LOADER",
    "ERR_SPEC_NONE",
    "ERR_SPEC_NOT_FOUND",
    "ERR_SPEC_NOT_SET",
    "ERR_SPEC_NO_LOADER",
    "ERR_SQLITE_BAD_META",
    "ERR_STORE_CLOSED",
    "ERR_STORE_CORRUPT",
    "ERR_STORE_MISSING",
    "ERR_STORE_READ_ONLY",
    "ERR_STORE_UNREADABLE",
    "ERR_TAMPERED",
    "ERR_TOP_NOT_IN_SYS_MODULES",
    "ERR_URL_PASSWORD",
    "ERR_WRONG_NAME",
    "ERR_ZIP_BAD_LOCAL_HEADER",
    "ERR_ZIP_BAD_RECORD",
    "ERR_ZIP_BROKEN",
    "ERR_ZIP_CANNOT_OPEN",
    "ERR_ZIP_DIRECTORY_CUT",
    "ERR_ZIP_DIRECTORY_DAMAGED",
    "ERR_ZIP_DIRECTORY_OUTSIDE",
    "ERR_ZIP_ENCRYPTED",
    "ERR_ZIP_ENTRY_CORRUPT",
    "ERR_ZIP_INDEX_CRC",
    "ERR_ZIP_METHOD",
    "ERR_ZIP_NO_END_RECORD",
    "ERR_ZIP_TRUNCATED",
    "ERR_ZIP_UNREADABLE",
    "EXIT_CANT_OPEN",
    "EXIT_CHILD_FAILED",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "WARN_UNUSABLE_STORE",
    "DeadlockError",
    "LazyImportError",
    "ReloadError",
    "StoreError",
    "StoreIntegrityError",
    "StoreTrustError",
]

# The engine's messages are CPython's own, byte for byte: code (and CPython's
# tests) match on them.  One prefix, so "No module named" is written once.
_NO_MODULE = "No module named "
ERR_NOT_FOUND = _NO_MODULE + "{name!r}"
ERR_NOT_PACKAGE = ERR_NOT_FOUND + "; {parent!r} is not a package"
ERR_NOT_FOUND_TO_RUN = _NO_MODULE + "{name}"  # python -m's wording (runpy's): the name unquoted
ERR_HALTED = "import of {name} halted; None in sys.modules"
ERR_DEADLOCK = "deadlock detected by {lock!r}"
ERR_NO_LOCATION = "{loader!r} cannot say where the file of {name!r} is"  # load_module() of a file loader
ERR_NO_CREATE_MODULE = "loaders that define exec_module() must also define create_module()"
ERR_NOT_AN_OBSERVER = (
    "{observer!r} is not an ImportObserver: it has no {missing} "
    "(derive it from importworks.engine.hooks.ObserverBase to ignore the events it does not need)"
)  # a TypeError from add_observer()
ERR_LOCK_NOT_HELD = "cannot release un-acquired lock"  # a RuntimeError, as for threading.RLock
# the rest of the import system's messages, CPython's too
ERR_NAME_NOT_IN_GLOBALS = "'__name__' not in globals"
ERR_BEYOND_TOP_LEVEL = "attempted relative import beyond top-level package"
ERR_NO_PARENT_PACKAGE = "attempted relative import with no known parent package"
ERR_NAME_NOT_STR = "module name must be str, not {type}"
ERR_NAME_NOT_A_STRING = "module name must be a string"  # __import__'s wording
ERR_NEGATIVE_LEVEL = "level must be >= 0"
ERR_EMPTY_NAME = "Empty module name"
ERR_PACKAGE_NOT_STR = "__package__ not set to a string"
ERR_GLOBALS_NOT_DICT = "globals must be a dict"
ERR_FROMLIST_ITEM = "Item in {where} must be str, not {type}"
ERR_SHUTTING_DOWN = "sys.meta_path is None, Python is likely shutting down"
ERR_MISSING_LOADER = "missing loader"
ERR_EXEC_NOT_IN_SYS_MODULES = "module {name!r} not in sys.modules"  # while executing it again
ERR_GET_CODE_NONE = "cannot load module {name!r} when get_code() returns None"
ERR_NOT_COMPILED_IN = "{name!r} is not a {kind} module"  # kind: built-in or frozen
ERR_TOP_NOT_IN_SYS_MODULES = "{top!r} not in sys.modules as expected"
ERR_PACKAGE_REQUIRED = "the 'package' argument is required to perform a relative import for {name!r}"
ERR_NO_PACKAGE = "no package specified for {name!r} (required for relative module names)"
ERR_LOADER_NOT_SET = "{name}.__loader__ is not set"
ERR_LOADER_NONE = "{name}.__loader__ is None"
ERR_SPEC_NO_LOADER = "spec for {name} missing loader"
ERR_NAMESPACE_NO_LOADER = "namespace packages do not have loaders"
ERR_SPEC_NOT_SET = "{name}.__spec__ is not set"
ERR_SPEC_NONE = "{name}.__spec__ is None"
ERR_WRONG_NAME = "loader for {loader_name} cannot handle {name}"
ERR_NO_SOURCE = "source not available through get_data()"
ERR_SPEC_MISSING_LOADER = "spec missing loader"  # a path entry finder's spec with neither loader nor portions
ERR_NOT_A_FOLDER = "only directories are supported"  # the folder path hook
ERR_NOT_A_PACKAGE_SPEC = "{parent} is not a package module"
ERR_BAD_MAGIC = "bad magic number in {name!r}: {magic!r}"
ERR_PYC_TRUNCATED = "reached EOF while reading pyc header of {name!r}"
ERR_PYC_FLAGS = "invalid flags {flags!r} in {name!r}"
ERR_NOT_CODE = "Non-code object in {path!r}"
ERR_LAZY_MODE = "lazy imports mode must be one of 'normal', 'all', 'none', not {mode!r}"
ERR_NO_PATH_ON_PARENT = "__path__ attribute not found on {parent!r} while trying to find {name!r}"
ERR_PARENT_NOT_IMPORTED = "{parent!r} must be imported before finding {name!r}."  # 3.15's NamespacePath
# the __pycache__ names (importlib.util's cache_from_source and source_from_cache)
ERR_NO_CACHE_TAG = "sys.implementation.cache_tag is None"
ERR_DEBUG_AND_OPTIMIZATION = "debug_override or optimization must be set to None"
ERR_OPT_NOT_ALNUM = "{level!r} is not alphanumeric"
ERR_NOT_IN_PYCACHE = "{pycache} not bottom-level directory in {path!r}"
ERR_PYC_DOTS = "expected only 2 or 3 dots in {filename!r}"
ERR_PYC_OPT_PREFIX = "optimization portion of filename does not start with {opt!r}"
ERR_PYC_OPT_LEVEL = "optimization level {level!r} is not an alphanumeric value"
ERR_NO_TEMPORARY_NAME = "no free temporary name beside {path!r}"  # ours: write_atomic
# importlib.reload's (importworks.reload says the same)
ERR_NOT_A_MODULE = "reload() argument must be a module"
ERR_NOT_IN_SYS_MODULES = "module {name} not in sys.modules"
ERR_PARENT_NOT_IN_SYS_MODULES = "parent {parent!r} not in sys.modules"
ERR_SPEC_NOT_FOUND = "spec not found for the module {name!r}"

# A store's messages name the store and the next step.
_REPACK = "re-create it with importworks pack"
ERR_REPACK = _REPACK  # the next step for a damaged store, appended to a message
ERR_STORE_MISSING = "store {path} does not exist (or is not a file)"
ERR_NOT_OF_KIND = "{path} is not {expected}: it is truncated or another kind of file"  # named .zip, .sqlite...
ERR_NOT_A_STORE = "{path} is neither a SQLite store nor a zip archive"  # then ERR_NOR_BACKEND for each other backend
ERR_NOR_BACKEND = ", nor a {name} store ({origin})"
ERR_STORE_UNREADABLE = "{doing}{what} SQLite store {store}: {error}"
ERR_STORE_CORRUPT = ERR_STORE_UNREADABLE + "; it is not an importworks store or is corrupt; " + _REPACK
WARN_UNUSABLE_STORE = "importworks: {error}; modules in it cannot be imported"  # a RuntimeWarning, once a store
_REPACK_IT = "repack it with importworks pack"
ERR_ENTRY_ESCAPES = (
    "refusing entry {entry!r} in store {store}: the name leaves the store (absolute, or contains '..'); " + _REPACK_IT
)
ERR_ENTRY_EMPTY_PART = (
    "refusing entry {entry!r} in store {store}: an empty part in the name (a trailing or double '/'); " + _REPACK_IT
)
ERR_ENTRY_BAD_NAME = (
    "refusing entry {entry!r} in store {store}: a NUL or an over-long name "
    "(over {max_part} characters a part, {max_name} in all); " + _REPACK_IT
)
ERR_INDEX_FOLDER_DAMAGED = (
    "store {store}: its index is damaged (folder {folder!r} lists entries beyond its arrays, or without a name); "
    + _REPACK
)
ERR_INDEX_UNREADABLE = "{what} {store}: its index is unreadable ({error}); " + _REPACK  # what: store, SQLite store
ERR_INDEX_CRC = "SQLite store {store}: its index is damaged (CRC-32 mismatch); " + _REPACK
ERR_ENTRY_PLACE_DAMAGED = (
    "store {store}: cannot read entry {entry!r}, its place in the store is damaged ({error}); " + _REPACK
)
ERR_ENTRY_UNREADABLE = "cannot read {entry!r} from store {store}: {error}"
ERR_SQLITE_BAD_META = (
    "SQLite store {store} has unreadable metadata ({error}): it is not an importworks store, or a damaged one; "
    + _REPACK
)
ERR_FORMAT_TOO_NEW = (
    "store {store} has format {version}, newer than this importworks reads ({supported}): upgrade importworks"
)
ERR_STORE_CLOSED = "SQLite store {store} is closed"
ERR_EXTRACTED_INCOMPLETE = (
    "cannot load {name!r}: the extracted copy {root} lacks {entry}; remove that folder and it is written again"
)
ERR_ZIP_CANNOT_OPEN = "cannot open zip store {store}: {error}"
ERR_ZIP_TRUNCATED = "zip store {store} is truncated (wanted {size} bytes at offset {offset}); re-create it"
ERR_ZIP_NO_END_RECORD = (
    "{store} is not a zip archive (no end-of-directory record); it may be truncated or another kind of file"
)
ERR_ZIP_BROKEN = "zip store {store}: broken {what}"  # what: zip64 locator, zip64 end record
ERR_ZIP_DIRECTORY_CUT = "zip store {store}: central directory is cut short"
ERR_ZIP_BAD_RECORD = "zip store {store}: bad central directory record"
ERR_ZIP_DIRECTORY_OUTSIDE = "zip store {store}: its central directory lies outside the file (truncated or damaged)"
ERR_ZIP_DIRECTORY_DAMAGED = (
    "zip store {store}: its central directory is damaged (no directory record at offset {offset}); re-create it"
)
ERR_ZIP_UNREADABLE = "zip store {store}: unreadable {what} ({error})"
ERR_ZIP_ENCRYPTED = "zip store {store}: entry {entry!r} is encrypted"
ERR_ZIP_BAD_LOCAL_HEADER = "zip store {store}: bad local header for {entry!r}"
ERR_ZIP_INDEX_CRC = "zip store {store}: its index {index} is damaged (CRC-32 mismatch); " + _REPACK
ERR_ZIP_ENTRY_CORRUPT = "zip store {store}: entry {entry!r} is corrupt ({error})"
ERR_ZIP_METHOD = (
    "zip store {store}: entry {entry!r} uses compression method {method}, which importworks does not read (use deflate)"
)
ERR_NOT_A_STORE_FOLDER = "{prefix!r} is not a folder in store {store}"  # app.sqlite/lib on sys.path
ERR_NO_STORE_FILE = "no file {entry!r} in store {store}"
ERR_NO_STORE_FILE_OR_FOLDER = "no file or folder {entry!r} in store {store}"
ERR_STORE_READ_ONLY = "store {store} is read-only"
ERR_BACKEND_FAILED = "cannot open store {store}: its backend {name!r} ({origin}) failed: {error}"
ERR_BACKEND_CLAIM_FAILED = "store backend {name!r} ({origin}) failed while looking at {path}: {error}"
ERR_URL_PASSWORD = (
    "PostgreSQL store URL {url!r} carries a password: put it in PGPASSWORD or ~/.pgpass instead "
    "(a sys.path entry is not a secret)"
)
ERR_NOT_A_STORE_URL = (
    "{url!r} is not a PostgreSQL store URL: expected {scheme}://[user@][host][:port]/DATABASE/STORE "
    "(other settings in PG* variables)"
)
ERR_TAMPERED = (
    "{what} {entry!r} in store {store} does not match the checksums recorded when it was packed: "
    "the store was modified; refusing to execute or use it (check it with: importworks verify {store})"
)

# Exit statuses of the ``importworks`` command: python's own numbers where python has one.
EXIT_OK = 0
EXIT_FAILED = 1  # an uncaught exception, a module not found, a bad store, a problem diagnosed
EXIT_USAGE = 2  # argparse's status for a malformed command line
EXIT_CANT_OPEN = 2  # python's status when it cannot open the script
EXIT_CHILD_FAILED = 3  # --python: the other interpreter could not run the diagnosis
EXIT_INTERRUPTED = 130  # what a shell shows for a program killed by SIGINT (128 + 2)


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
    reload's report (other modules may have been reloaded);
    ``nothing_to_execute`` is true when no new code was found at all (no spec, no code).
    """

    def __init__(
        self, *args: object, name: str | None = None, path: str | None = None, lineno: int | None = None
    ) -> None:
        super().__init__(*args, name=name, path=path)
        self.lineno = lineno
        self.report: object = None
        self.nothing_to_execute = False


class LazyImportError(ImportError):
    """Where a lazy import was written, chained as the cause of the error its resolution raised (importworks.lazy)."""
