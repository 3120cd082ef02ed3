"""The Store interface: one file (or database) holding modules, resources and metadata.

A store is read through a handful of operations: the index of its entries
(loaded once, when the store is opened, as a CompactIndex: a few strings and
arrays, whatever the number of entries), the bytes of one entry, and the
precompiled code of a module for this interpreter if the store has it.
Everything else - finding modules, packages, namespace portions, resources,
distributions - is built on those by :mod:`importworks.stores.finder`, so a
new backend is one small class.

Entry paths are relative POSIX paths (``pkg/mod.py``).  Each entry records the
CRC-32 and sha256 of its bytes when the packer knows them; reads check the
CRC-32 (cheap), ``importworks verify`` both, so an entry changed after packing
is refused rather than executed.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping
from importlib.machinery import EXTENSION_SUFFIXES
from typing import NamedTuple
from zlib import crc32

from ..errors import StoreError, StoreIntegrityError

__all__ = [
    "CompactFolders",
    "CompactIndex",
    "Entry",
    "Store",
    "check_entry_path",
    "crc32",
    "folders_of",
    "kind_of",
    "read_ahead",
    "sha256_hex",
    "u64_array",
    "u64_bytes",
]

FORMAT_VERSION = 2
INDEX_ENTRY = ".importworks/index.marshal"  # how messages name a store's packed index, whatever the backend
_MAX_PART, _MAX_NAME = 255, 4096  # NAME_MAX and PATH_MAX on Linux
# what decoding a damaged index or layout raises (other than our StoreError): Store turns them into StoreError
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


def _sha256_function():  # type: ignore[no-untyped-def]
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
        raise StoreError(
            f"refusing entry {path!r} in store {store}: the name leaves the store "
            "(absolute, or contains '..'); repack it with importworks pack",
            path=store,
        )
    if "" in parts:  # 'pkg/' or 'a//b': a folder, or no name at all; a store holds files
        raise StoreError(
            f"refusing entry {path[:80]!r} in store {store}: an empty part in the name (a trailing or double "
            "'/'); repack it with importworks pack",
            path=store,
        )
    if "\0" in path or len(path) > _MAX_NAME or max(map(len, parts)) > _MAX_PART:
        # no file system holds such a name: it cannot have been packed from one, nor be extracted
        raise StoreError(
            f"refusing entry {path[:80]!r} in store {store}: a NUL or an over-long name "
            f"(over {_MAX_PART} characters a part, {_MAX_NAME} in all); repack it with "
            "importworks pack",
            path=store,
        )
    return path


class Entry(NamedTuple):
    """What the index knows of one entry without reading it."""

    path: str
    size: int
    sha256: str | None = None
    kind: str = "file"  # source | bytecode | extension | file
    crc32: int | None = None


# An index row, as stored: (kind, size, crc32 or None).  The sha256 of each
# entry is kept apart (sha256_map): only verify and the extract cache need it,
# and leaving it out halves what opening a store reads.
IndexRow = tuple


def read_ahead(fd: int, size: int) -> None:
    """Hint the kernel to read the first *size* bytes of *fd* now, in one sweep (cold starts)."""
    if size > 0 and hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(fd, 0, size, os.POSIX_FADV_WILLNEED)
        except OSError:
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


def u64_array(data: bytes) -> array:
    """The integers written by u64_bytes."""
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
        self._folder_at = dict(zip(folders, range(len(folders))))
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
        self.location = "the store"  # for messages; Store.index sets it

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
        numbers = (n for path in order for n in (rows[path][1], rows[path][2]))
        parts = {
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
            raise StoreError(
                f"store {self.location}: its index is damaged (folder {folder!r} lists entries "
                "beyond its arrays, or without a name); re-create it with importworks pack",
                path=self.location,
            )
        parsed = self._parsed[folder] = (
            dict(zip(names, range(self._bases[at], self._bases[at] + len(names)))),
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
        return kind_of(path), self._numbers[2 * at], self._numbers[2 * at + 1]

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


class Store:
    """Base class of the backends: subclasses implement _load and _read_raw.

    Opening a store reads its index once (stores written by ``importworks
    pack`` keep it as one precomputed record); finding a module is then a
    dictionary lookup, and reading it one read of the backend, checked
    against the CRC-32 recorded when it was packed.  ``importworks verify``
    checks the sha256 of every entry as well.
    """

    #: a short word for reports: "zip", "sqlite", "postgres"
    kind = "store"
    #: set by importworks.stores.trust while keys are trusted: called with (store, path, data, what)
    #: for every entry and code row read, it refuses bytes that are not the signed ones
    trust_hook = None
    #: what the trust check learnt of this store's signature (importworks.stores.trust.Signed)
    signed: object = None
    #: the packed index as stored (its bytes are what a signature covers), when the backend keeps it
    index_blob: bytes | None = None

    def __init__(self, location: str) -> None:
        self.location = os.fspath(location)
        self._index: Mapping[str, IndexRow] | None = None
        self._folders: Mapping[str, frozenset[str]] | None = None
        self._entries: dict[str, Entry] | None = None
        self.metadata: dict[str, str] = {}
        # top-level name (package folder, or file at the root) -> the cache key of the group
        # it is materialised with; names sharing a key share one folder (one distribution's
        # native code, its vendored libraries and data), and why each was chosen
        self.extract: dict[str, str] = {}
        self.extract_reasons: dict[str, str] = {}
        self.executable: frozenset[str] = frozenset()  # entries packed with an exec bit
        # top-level names of a standard library packed in (pack --stdlib), and why
        # they are ignored when this interpreter is not the one they were packed from
        self.stdlib: tuple[str, ...] = ()
        self.stdlib_ignored: str | None = None

    # -- what a backend provides ------------------------------------------
    def _load(self) -> tuple[Mapping[str, IndexRow], Mapping[str, frozenset[str]] | None]:
        """The index rows by path, and the folder map if the store has it precomputed."""
        raise NotImplementedError

    def _read_raw(self, path: str, row: IndexRow) -> bytes:
        raise NotImplementedError

    def read_code(self, path: str, magic: bytes) -> bytes | None:
        """The marshalled code of source entry *path* for *magic*, if precompiled."""
        return None

    def sha256_map(self) -> dict[str, str]:
        """The sha256 recorded for each entry at packing (empty if none was)."""
        return {}

    def close(self) -> None:
        """Release the file or connection."""

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

    def _take_extras(self, index: Mapping[str, object]) -> None:
        """Keep what the packer decided beside the index: extraction, the packed stdlib."""
        self.extract = dict(index.get("extract", {}))  # type: ignore[call-overload]
        self.extract_reasons = dict(index.get("extract_reasons", {}))  # type: ignore[call-overload]
        self.executable = frozenset(index.get("executable", ()))  # type: ignore[call-overload]
        self.stdlib = tuple(index.get("stdlib", ()))  # type: ignore[call-overload]
        names = (*self.extract.items(), *self.extract_reasons.items(), self.executable, self.stdlib)
        if not all(isinstance(name, str) for group in names for name in group):
            raise TypeError("the packer's lists hold something other than names")  # damage, said as such

    def extract_group(self, name: str) -> list[str]:
        """The top-level names materialised together with *name* (empty if it is not extracted)."""
        key = self.extract.get(name)
        return [] if key is None else sorted(n for n, k in self.extract.items() if k == key)

    def is_companion(self, path: str) -> bool:
        """Whether *path* is an entry the packer derived from another (a zip's .pyc beside its .py)."""
        return False

    # -- built on top ---------------------------------------------------------
    @property
    def index(self) -> Mapping[str, IndexRow]:
        """Every entry's (kind, size, crc32) by path; read from the store once."""
        if self._index is None:
            try:
                index, folders = self._load()
            except _DAMAGE as exc:  # decoded from the store's bytes: damage, said as such
                raise StoreError(
                    f"store {self.location}: its index is unreadable ({type(exc).__name__}: {exc}); "
                    "re-create it with importworks pack",
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
        """Folder path ('' for the root, else 'pkg/sub/') -> names of its children."""
        if self._folders is None:
            self._folders = folders_of(self.index)
        return self._folders

    @property
    def entries(self) -> dict[str, Entry]:
        """Every entry as an :class:`Entry` (for tools; imports use :attr:`index`)."""
        if self._entries is None:
            hashes = self.sha256_map()
            self._entries = {
                path: Entry(path, row[1], hashes.get(path), row[0], row[2]) for path, row in self.index.items()
            }
        return self._entries

    def is_file(self, path: str) -> bool:
        return path in self.index

    def is_dir(self, path: str) -> bool:
        return (path.rstrip("/") + "/" if path else "") in self.folders

    def children(self, folder: str) -> frozenset[str]:
        """Names directly inside *folder* ('' or 'pkg/')."""
        return self.folders.get(folder, frozenset())

    def read(self, path: str) -> bytes:
        """The bytes of entry *path*, checked against the checksum recorded at packing."""
        try:
            row = self.index[path]
            data = self._read_raw(path, row)
        except KeyError:
            raise FileNotFoundError(f"no entry {path!r} in store {self.location}") from None
        except _DAMAGE as exc:
            raise StoreError(
                f"store {self.location}: cannot read entry {path!r}, its place in the store is "
                f"damaged ({type(exc).__name__}: {exc}); re-create it with importworks pack",
                path=self.location,
            ) from None
        if row[2] is not None and crc32(data) != row[2]:
            raise self.tampered(path)
        if self.trust_hook is not None:
            self.trust_hook(path, data, "entry")
        return data

    def read_verified(self, path: str) -> bytes:
        """read(), and also check the entry's sha256 (what ``importworks verify`` does)."""
        check_entry_path(self.location, path)
        data = self.read(path)
        expected = self.entries[path].sha256
        if expected is not None and sha256_hex(data) != expected:
            raise self.tampered(path)
        return data

    def tampered(self, path: str, what: str = "entry") -> StoreIntegrityError:
        return StoreIntegrityError(
            f"{what} {path!r} in store {self.location} does not match the checksums recorded "
            "when it was packed: the store was modified; refusing to execute or use it "
            f"(check it with: importworks verify {self.location})",
            path=self.location,
            entry=path,
        )

    def walk(self) -> Iterator[Entry]:
        entries = self.entries
        return (entries[path] for path in sorted(entries))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location!r}>"
