"""What a store is: the StoreBackend Protocol, its index rows, and the shared reading code.

A store is read through a handful of operations: the index of its entries
(loaded once, when the store is opened, as a CompactIndex: a few strings and
arrays, whatever the number of entries), the bytes of one entry, and the
precompiled code of a module for this interpreter if the store has it.
Everything else - finding modules, packages, namespace portions, resources,
distributions - is built on those by :mod:`importworks.stores.finder`.

:class:`StoreBackend` says what the finder, the loaders and the tools use of a
store.  A backend usually gets most of it from :class:`IndexedStore`, writing
only ``load_index`` and ``read_raw``; :mod:`importworks.stores.registry` says
which backend opens which location.  What only some backends can do is
declared in their ``capabilities`` (the ``CAN_*`` names), never guessed from
the attributes an object happens to have.

Entry paths are relative POSIX paths (``pkg/mod.py``).  Each entry records the
CRC-32 and sha256 of its bytes when the packer knows them; reads check the
CRC-32 (cheap), ``importworks verify`` both, so an entry changed after packing
is refused rather than executed.
"""

from __future__ import annotations

import os
import struct
import sys
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Any, NamedTuple, Protocol
from zlib import crc32

from ..errors import (
    ERR_ENTRY_BAD_NAME,
    ERR_ENTRY_EMPTY_PART,
    ERR_ENTRY_ESCAPES,
    ERR_ENTRY_PLACE_DAMAGED,
    ERR_INDEX_FOLDER_DAMAGED,
    ERR_INDEX_UNREADABLE,
    ERR_TAMPERED,
    StoreError,
    StoreIntegrityError,
)

__all__ = [
    "CAN_CHECK_DIRECTORY",
    "CAN_LIST_CODE",
    "CAN_TELL_GENERATION",
    "ChecksDirectory",
    "CompactFolders",
    "CompactIndex",
    "Entry",
    "IndexLoad",
    "IndexRow",
    "IndexedStore",
    "ListsCode",
    "Store",
    "StoreBackend",
    "TellsGeneration",
    "TrustHook",
    "check_entry_path",
    "crc32",
    "folders_of",
    "kind_of",
    "read_ahead",
    "rows_of",
    "sha256_hex",
    "u64_array",
    "u64_bytes",
]

FORMAT_VERSION = 2
INDEX_ENTRY = ".importworks/index.marshal"  # how messages name a store's packed index, whatever the backend
_MAX_PART, _MAX_NAME = 255, 4096  # NAME_MAX and PATH_MAX on Linux
# what decoding a damaged index or layout raises (other than our StoreError): IndexedStore turns them into StoreError
_DAMAGE = (
    ValueError,
    IndexError,
    TypeError,
    AttributeError,
    OverflowError,
    MemoryError,
    KeyError,
    UnicodeDecodeError,
    struct.error,
)
_EXTENSION_SUFFIXES = tuple(EXTENSION_SUFFIXES)


def _sha256_function() -> Callable[[bytes], Any]:
    # CPython's small built-in SHA-256 directly: hashlib (and OpenSSL behind it)
    # would cost milliseconds at start-up for a few kilobytes to hash
    try:
        return __import__("_sha2" if sys.version_info >= (3, 12) else "_sha256").sha256
    except (ImportError, AttributeError):
        from hashlib import sha256

        return sha256


_sha256 = None


def sha256_hex(data: bytes) -> str:
    global _sha256
    if _sha256 is None:
        _sha256 = _sha256_function()
    return _sha256(data).hexdigest()


def check_entry_path(store: str, path: str) -> str:
    """Refuse entry names that would escape the store (``..``, absolute paths)."""
    parts = path.split("/")
    if not path or path.startswith("/") or "\\" in path or ".." in parts or ":" in parts[0]:
        raise StoreError(ERR_ENTRY_ESCAPES.format(entry=path, store=store), path=store)
    if "" in parts:  # 'pkg/' or 'a//b': a folder, or no name at all; a store holds files
        raise StoreError(ERR_ENTRY_EMPTY_PART.format(entry=path[:80], store=store), path=store)
    if "\0" in path or len(path) > _MAX_NAME or max(map(len, parts)) > _MAX_PART:
        # no file system holds such a name: it cannot have been packed from one, nor be extracted
        raise StoreError(
            ERR_ENTRY_BAD_NAME.format(entry=path[:80], store=store, max_part=_MAX_PART, max_name=_MAX_NAME), path=store
        )
    return path


class Entry(NamedTuple):
    """What the index knows of one entry without reading it."""

    path: str
    size: int
    sha256: str | None = None
    kind: str = "file"  # source | bytecode | extension | file
    crc32: int | None = None


class IndexRow(NamedTuple):
    """One entry as the index records it: enough to find and check it without reading it.

    The sha256 of each entry is kept apart (``sha256_map``): only verify and
    the extraction cache need it, and leaving it out halves what opening a
    store reads.
    """

    kind: str  # source | bytecode | extension | file
    size: int
    crc32: int | None  # None: the backend recorded none (the read is not checked)


def read_ahead(fd: int, size: int) -> None:
    """Hint the kernel to read the first *size* bytes of *fd* now, in one sweep (cold starts)."""
    if size > 0 and hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(fd, 0, size, os.POSIX_FADV_WILLNEED)
        except (OSError, OverflowError):  # OverflowError: a size from a damaged store past any file's
            pass  # only a hint


def kind_of(path: str) -> str:
    """What an entry is, from its name: source, bytecode, extension or file."""
    if path.endswith(".py"):
        return "source"
    if path.endswith(".pyc"):
        return "bytecode"
    if path.endswith(_EXTENSION_SUFFIXES):
        return "extension"
    return "file"


def u64_bytes(values: Iterable[int]) -> bytes:
    """Unsigned 64-bit integers, little-endian, as the packed index stores them."""
    numbers = array("Q", values)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


def u64_array(data: object) -> array:
    """The integers written by u64_bytes.

    Raises:
        ValueError: *data* (a part of a decoded index, so anything) is not bytes.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"an index array is {type(data).__name__}, not bytes")
    numbers = array("Q")
    numbers.frombytes(data)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


class CompactIndex(Mapping):
    """The index as the packer writes it: cheap to open, read a folder at a time.

    Folders are one string of sorted folder paths; each folder's listing (its
    files, then after a "/" its subfolders) is a span of one long string.
    Entries are numbered folder by folder, file by file, and their sizes and
    CRC-32s are one array in that order (backends keep arrays in the same
    order: code row ids, data offsets).  Opening a store makes a few objects,
    not a few per entry; a folder's names are split when it is first used.
    """

    __slots__ = ("_folder_at", "_listing", "_spans", "_bases", "_numbers", "_parsed", "location")

    def __init__(self, parts: Mapping[str, object]) -> None:
        folders = str(parts["folders"]).split("\n")
        self._folder_at = dict(zip(folders, range(len(folders)), strict=True))
        self._listing = str(parts["listing"])
        self._spans = u64_array(parts["spans"])  # start, end of each folder's listing
        self._bases = u64_array(parts["bases"])  # number of each folder's first file
        self._numbers = u64_array(parts["rows"])  # size, crc32 of each entry in turn
        if len(self._spans) != 2 * len(folders) or len(self._bases) != len(folders):
            raise ValueError("folder arrays do not match the folder list")
        if not all(folder.endswith("/") or not folder for folder in folders):
            raise ValueError("a folder name without its '/'")  # its paths would not be found again
        # folder -> ({file name: entry number}, names of all its children)
        self._parsed: dict[str, tuple[dict[str, int], frozenset[str]]] = {}
        self.location = "the store"  # for messages; IndexedStore.index sets it

    @staticmethod
    def pack(rows: Mapping[str, IndexRow]) -> tuple[dict[str, object], list[str]]:
        """The parts to store for *rows*, and the entry paths in number order."""
        folders = folders_of(rows)
        listing: list[str] = []
        spans: list[int] = []
        bases: list[int] = []
        order: list[str] = []
        at = 0
        for folder in sorted(folders):
            names = folders[folder]
            files = sorted(n for n in names if folder + n in rows)
            subfolders = sorted(n for n in names if folder + n not in rows)
            text = "\0".join(files) + "/" + "\0".join(subfolders)
            spans += (at, at + len(text))
            at += len(text)
            listing.append(text)
            bases.append(len(order))
            order += (folder + n for n in files)
        numbers: list[int] = []
        for path in order:
            size, crc = rows[path].size, rows[path].crc32
            if crc is None:  # the packer checksums every entry it writes
                raise ValueError(f"entry {path!r} has no CRC-32 to pack")
            numbers += (size, crc)
        parts: dict[str, object] = {
            "folders": "\n".join(sorted(folders)),
            "listing": "".join(listing),
            "spans": u64_bytes(spans),
            "bases": u64_bytes(bases),
            "rows": u64_bytes(numbers),
        }
        return parts, order

    def _folder(self, folder: str) -> tuple[dict[str, int], frozenset[str]] | None:
        try:
            return self._parsed[folder]
        except KeyError:
            pass
        at = self._folder_at.get(folder)
        if at is None:
            return None
        files, _, subfolders = self._listing[self._spans[2 * at] : self._spans[2 * at + 1]].partition("/")
        names = files.split("\0") if files else []
        if self._bases[at] + len(names) > len(self._numbers) // 2 or "" in names:
            raise StoreError(ERR_INDEX_FOLDER_DAMAGED.format(store=self.location, folder=folder), path=self.location)
        parsed = self._parsed[folder] = (
            dict(zip(names, range(self._bases[at], self._bases[at] + len(names)), strict=True)),
            frozenset(names + subfolders.split("\0")) if subfolders else frozenset(names),
        )
        return parsed

    def folder_numbers(self, folder: str) -> range:
        """The entry numbers of the files directly in *folder* ('' or 'pkg/'): they are consecutive."""
        at = self._folder_at.get(folder)
        if at is None:
            return range(0)
        files = self._folder(folder)[0]  # type: ignore[index]
        return range(self._bases[at], self._bases[at] + len(files))

    def number(self, path: str) -> int | None:
        """The entry's number (its place in the backends' arrays), None if there is no such entry."""
        folder, slash, name = path.rpartition("/")
        parsed = self._folder(folder + slash)
        return None if parsed is None else parsed[0].get(name)

    def children(self, folder: str) -> frozenset[str] | None:
        parsed = self._folder(folder)
        return None if parsed is None else parsed[1]

    def __getitem__(self, path: str) -> IndexRow:
        at = self.number(path)
        if at is None:
            raise KeyError(path)
        return IndexRow(kind_of(path), self._numbers[2 * at], self._numbers[2 * at + 1])

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.number(path) is not None

    def __iter__(self) -> Iterator[str]:
        for folder in self._folder_at:
            files = self._folder(folder)[0]  # type: ignore[index]
            yield from (folder + name for name in files)

    def __len__(self) -> int:
        return len(self._numbers) // 2


class CompactFolders(Mapping):
    """Folder -> names inside it, as a view of a CompactIndex."""

    __slots__ = ("_index",)

    def __init__(self, index: CompactIndex) -> None:
        self._index = index

    def __getitem__(self, folder: str) -> frozenset[str]:
        names = self._index.children(folder)
        if names is None:
            raise KeyError(folder)
        return names

    def get(self, folder: str, default: object = None) -> object:
        names = self._index.children(folder)
        return default if names is None else names

    def __contains__(self, folder: object) -> bool:
        return folder in self._index._folder_at

    def __iter__(self) -> Iterator[str]:
        return iter(self._index._folder_at)

    def __len__(self) -> int:
        return len(self._index._folder_at)


def folders_of(paths: Iterable[str]) -> dict[str, frozenset[str]]:
    """Folder ('' for the root, else 'pkg/sub/') -> the names directly inside it."""
    folders: dict[str, set[str]] = {"": set()}
    for path in paths:
        parent = ""
        for part in path.split("/"):
            folders.setdefault(parent, set()).add(part)
            parent = f"{parent}{part}/"
    return {folder: frozenset(names) for folder, names in folders.items()}


# -- what a store is ------------------------------------------------------------------

#: called as store.trust_hook(path, data, what) for every entry ("entry") and code row ("code")
#: read; raises to refuse the bytes.  importworks.stores.trust sets a function on
#: IndexedStore while keys are trusted, bound to each store like a method.
TrustHook = Callable[[str, bytes, str], None]

# Optional capabilities, named in a backend's ``capabilities``.  Each says which
# extra members the store has; callers test the name, never the attributes.
#: ``generation`` (as opened) and ``identity()`` (now): the store itself tells that it was
#: re-packed, for stores that are no file whose stat would tell (PostgreSQL)
CAN_TELL_GENERATION = "generation"
#: ``code_hashes()``: every precompiled code row with its recorded sha256 (for verify), and
#: ``code_rows()``: the rows of ``code_magic`` as stored, unchecked (for signature checks)
CAN_LIST_CODE = "code-rows"
#: ``check_directory()``: the ways a second directory of the entries (a zip's central
#: directory, which other tools read) disagrees with the index (for verify)
CAN_CHECK_DIRECTORY = "central-directory"

#: what ``load_index`` gives: the rows by path, and the folder map when the store keeps it
IndexLoad = tuple[Mapping[str, IndexRow], Mapping[str, frozenset[str]] | None]


class StoreBackend(Protocol):
    """What importworks uses of an open store: the finder, the loaders, resources, metadata, the tools.

    A backend is a class whose instances satisfy this (checked by mypy, not at
    run time) and a :class:`~importworks.stores.registry.Backend` record that
    says which locations it opens.  :class:`IndexedStore` supplies everything
    but the reading itself.  Optional members are declared in
    ``capabilities`` (``CAN_*``); data attributes have the defaults
    :class:`IndexedStore` gives them.
    """

    #: a short word for reports: "zip", "sqlite", "postgres"
    kind: str
    #: the store's sys.path entry, and the start of its modules' __file__
    location: str
    #: which optional members this store has (CAN_TELL_GENERATION, CAN_LIST_CODE, CAN_CHECK_DIRECTORY)
    capabilities: frozenset[str]
    #: what the packer recorded (format_version, python_version, magic, created...)
    metadata: dict[str, str]
    #: top-level name -> the key of the group materialised with it (not zip-safe packages)
    extract: dict[str, str]
    extract_reasons: dict[str, str]
    #: entries packed with an exec bit
    executable: frozenset[str]
    #: top-level names of a packed standard library, and why they are ignored (another Python)
    stdlib: tuple[str, ...]
    stdlib_ignored: str | None
    #: set while keys are trusted (importworks.stores.trust); None on a store read without checks
    trust_hook: TrustHook | None
    #: what the trust check learnt of this store's signature (importworks.stores.trust.Signed)
    signed: object
    #: the packed index as stored (its bytes are what a signature covers), None if there is none
    index_blob: bytes | None
    #: the index as packed by importworks, None for stores without one (an ordinary zip, format 1)
    packed_index: CompactIndex | None
    #: the magic number of the precompiled code kept numbered like the entries (code row
    #: 1 + entry number: SQLite format 2, PostgreSQL); None when there is none
    code_magic: bytes | None

    @property
    def index(self) -> Mapping[str, IndexRow]:
        """Every entry's row by path, read from the store once."""
        ...

    @property
    def folders(self) -> Mapping[str, frozenset[str]]:
        """Folder path ('' for the root, else 'pkg/sub/') -> names of its children."""
        ...

    @property
    def entries(self) -> dict[str, Entry]:
        """Every entry as an Entry, sha256 included (for tools)."""
        ...

    def children(self, folder: str) -> frozenset[str]:
        """Names directly inside *folder* ('' or 'pkg/'); empty if there is no such folder."""
        ...

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def read(self, path: str) -> bytes:
        """The bytes of entry *path*, checked (CRC-32, trust hook); FileNotFoundError if absent."""
        ...

    def read_raw(self, path: str, row: IndexRow) -> bytes:
        """The bytes of entry *path* as stored, unchecked."""
        ...

    def read_verified(self, path: str) -> bytes:
        """read(), and the entry's sha256 checked too (importworks verify)."""
        ...

    def read_code(self, path: str, magic: bytes) -> bytes | memoryview | None:
        """The marshalled code of source entry *path* for *magic*, None if not precompiled."""
        ...

    def sha256_map(self) -> dict[str, str]:
        """The sha256 recorded for each entry at packing (empty if none was)."""
        ...

    def is_companion(self, path: str) -> bool:
        """Whether *path* was derived by the packer from another entry (a zip's .pyc): not a resource."""
        ...

    def extract_group(self, name: str) -> list[str]:
        """The top-level names materialised together with *name* (empty if it is not extracted)."""
        ...

    def tampered(self, path: str, what: str = "entry") -> StoreError:
        """The error for bytes that do not match what the index recorded."""
        ...

    def walk(self) -> Iterator[Entry]:
        """Every entry, sorted by path."""
        ...

    def close(self) -> None:
        """Release the file or connection."""
        ...

    def __enter__(self) -> StoreBackend: ...

    def __exit__(self, *exc_info: object) -> None: ...


# The optional members, typed: a caller that has checked the capability casts to these.
class TellsGeneration(StoreBackend, Protocol):
    """A store declaring CAN_TELL_GENERATION."""

    #: what identity() returned when the store was opened
    generation: object

    def identity(self) -> object:
        """The store's generation now (None if it cannot be asked): differs once it was re-packed."""
        ...


class ListsCode(StoreBackend, Protocol):
    """A store declaring CAN_LIST_CODE."""

    def code_hashes(self) -> list[tuple[str, bytes, str, bytes]]:
        """(path, magic, sha256, data) of every precompiled code row."""
        ...

    def code_rows(self) -> list[tuple[str, bytes]]:
        """(path, data) of each code row of ``code_magic``, unchecked, the path found from its row id."""
        ...


class ChecksDirectory(StoreBackend, Protocol):
    """A store declaring CAN_CHECK_DIRECTORY."""

    def check_directory(self) -> list[tuple[str, str]]:
        """(entry, problem) for each way the second directory disagrees with the index."""
        ...


#: the short name annotations use for an open store
Store = StoreBackend


class IndexedStore(ABC):
    """The shared part of a backend: index caching, folders, checked reads, errors.

    A backend subclasses this and writes :meth:`load_index` and
    :meth:`read_raw` (and, if it has them, ``read_code``, ``sha256_map`` and
    ``close``).  Opening reads the index once (stores written by
    ``importworks pack`` keep it as one precomputed record); finding a module
    is then a dictionary lookup, and reading it one read of the backend,
    checked against the CRC-32 recorded when it was packed.
    """

    kind: str = "store"
    capabilities: frozenset[str] = frozenset()
    # class-wide: importworks.stores.trust sets it on IndexedStore while keys are trusted
    trust_hook: TrustHook | None = None
    signed: object = None
    index_blob: bytes | None = None
    packed_index: CompactIndex | None = None
    code_magic: bytes | None = None

    def __init__(self, location: str) -> None:
        self.location = os.fspath(location)
        self._index: Mapping[str, IndexRow] | None = None
        self._folders: Mapping[str, frozenset[str]] | None = None
        self._entries: dict[str, Entry] | None = None
        self.metadata: dict[str, str] = {}
        # names sharing a key share one folder (one distribution's native code, its
        # vendored libraries and data), and why each was chosen
        self.extract: dict[str, str] = {}
        self.extract_reasons: dict[str, str] = {}
        self.executable: frozenset[str] = frozenset()
        self.stdlib: tuple[str, ...] = ()
        self.stdlib_ignored: str | None = None

    # -- what the backend writes ---------------------------------------------------
    @abstractmethod
    def load_index(self) -> IndexLoad:
        """The index rows by path, and the folder map if the store has it precomputed."""

    @abstractmethod
    def read_raw(self, path: str, row: IndexRow) -> bytes:
        """The bytes of entry *path* as stored (KeyError or FileNotFoundError if absent)."""

    def read_code(self, path: str, magic: bytes) -> bytes | memoryview | None:
        return None  # no precompiled code: the loader compiles the source

    def sha256_map(self) -> dict[str, str]:
        return {}

    def close(self) -> None:  # noqa: B027 - a default, not abstract: a store may hold nothing open
        pass

    def is_companion(self, path: str) -> bool:
        return False

    # -- shared ----------------------------------------------------------------------
    def _index_read(self, blob: bytes) -> bytes:
        """Backends call this with the index's bytes as stored, before decoding any of them.

        While keys are trusted the trust hook checks the store's signature over
        these bytes here, so a crafted index is refused before marshal reads it;
        and whatever the keys, sizes the bytes declare must fit in them.
        """
        self.index_blob = blob
        if self.trust_hook is not None:
            self.trust_hook(INDEX_ENTRY, blob, "index")
        from .bounded import check_marshalled

        check_marshalled(blob)  # ValueError, said as damage: sizes that do not fit would cost gigabytes
        return blob

    def take_extras(self, index: Mapping[str, object]) -> None:
        """Keep what the packer decided beside the index: extraction, the packed stdlib."""
        self.extract = dict(index.get("extract", {}))  # type: ignore[call-overload]
        self.extract_reasons = dict(index.get("extract_reasons", {}))  # type: ignore[call-overload]
        self.executable = frozenset(index.get("executable", ()))  # type: ignore[call-overload]
        self.stdlib = tuple(index.get("stdlib", ()))  # type: ignore[arg-type]
        names = (*self.extract.items(), *self.extract_reasons.items(), self.executable, self.stdlib)
        if not all(isinstance(name, str) for group in names for name in group):
            raise TypeError("the packer's lists hold something other than names")  # damage, said as such

    def extract_group(self, name: str) -> list[str]:
        key = self.extract.get(name)
        return [] if key is None else sorted(n for n, k in self.extract.items() if k == key)

    @property
    def index(self) -> Mapping[str, IndexRow]:
        if self._index is None:
            try:
                index, folders = self.load_index()
            except _DAMAGE as exc:  # decoded from the store's bytes: damage, said as such
                raise StoreError(
                    ERR_INDEX_UNREADABLE.format(
                        what="store", store=self.location, error=f"{type(exc).__name__}: {exc}"
                    ),
                    path=self.location,
                ) from None
            if isinstance(index, CompactIndex):
                index.location = self.location
            packed_for = self.metadata.get("stdlib_version")
            if self.stdlib and packed_for != sys.version:
                # its standard library would not match this interpreter's C parts:
                # leave it out, and the interpreter's own is found further along sys.path
                tops = set(self.stdlib)
                index = {path: row for path, row in index.items() if path.partition("/")[0].split(".")[0] not in tops}
                folders = None
                self.extract = {name: key for name, key in self.extract.items() if name not in tops}
                self.stdlib_ignored = (
                    f"its standard library is for Python {packed_for}, not this "
                    f"{sys.version.split()[0]}; this interpreter's own is used"
                )
            self._index, self._folders = index, folders
        return self._index

    @property
    def folders(self) -> Mapping[str, frozenset[str]]:
        if self._folders is None:
            self._folders = folders_of(self.index)
        return self._folders

    @property
    def entries(self) -> dict[str, Entry]:
        if self._entries is None:
            hashes = self.sha256_map()
            self._entries = {
                path: Entry(path, row.size, hashes.get(path), row.kind, row.crc32) for path, row in self.index.items()
            }
        return self._entries

    def is_file(self, path: str) -> bool:
        return path in self.index

    def is_dir(self, path: str) -> bool:
        return (path.rstrip("/") + "/" if path else "") in self.folders

    def children(self, folder: str) -> frozenset[str]:
        return self.folders.get(folder, frozenset())

    def read(self, path: str) -> bytes:
        try:
            row = self.index[path]
            data = self.read_raw(path, row)
        except KeyError:
            raise FileNotFoundError(f"no entry {path!r} in store {self.location}") from None
        except _DAMAGE as exc:
            raise StoreError(
                ERR_ENTRY_PLACE_DAMAGED.format(store=self.location, entry=path, error=f"{type(exc).__name__}: {exc}"),
                path=self.location,
            ) from None
        if row.crc32 is not None and crc32(data) != row.crc32:
            raise self.tampered(path)
        if self.trust_hook is not None:
            self.trust_hook(path, data, "entry")
        return data

    def read_verified(self, path: str) -> bytes:
        check_entry_path(self.location, path)
        data = self.read(path)
        expected = self.entries[path].sha256
        if expected is not None and sha256_hex(data) != expected:
            raise self.tampered(path)
        return data

    def tampered(self, path: str, what: str = "entry") -> StoreError:
        return StoreIntegrityError(
            ERR_TAMPERED.format(what=what, entry=path, store=self.location),
            path=self.location,
            entry=path,
        )

    def walk(self) -> Iterator[Entry]:
        entries = self.entries
        return (entries[path] for path in sorted(entries))

    def __enter__(self) -> IndexedStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location!r}>"


def rows_of(entries: Mapping[str, tuple]) -> dict[str, IndexRow]:
    """Format 1 indexes (marshalled (kind, size, crc32) tuples) as IndexRows."""
    return {path: IndexRow(*row) for path, row in entries.items()}
