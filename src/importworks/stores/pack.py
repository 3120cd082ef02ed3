"""Building stores: ``importworks pack``.

Sources are folders (their top-level modules and packages, with the data files
inside packages), single ``.py`` files, installed distributions (``--dist``,
with ``--deps`` to follow their requirements) and whole environments
(``--site-packages``).  Every module is precompiled for the running Python.
Packages that read files next to their own ``__file__`` (data files plus
``__file__`` in their code) are marked for extraction, so they are imported
from a real folder at run time.  The output is written to a temporary file and
renamed into place: a failed pack leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime
import json
import marshal
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.machinery import EXTENSION_SUFFIXES
from typing import TYPE_CHECKING

from .._version import __version__
from ..errors import StoreError
from ..finders.bytecode import MAGIC_NUMBER, code_to_timestamp_pyc
from .base import FORMAT_VERSION, CompactIndex, IndexRow, check_entry_path, crc32, kind_of, sha256_hex, u64_bytes
from .sniff import is_store_url

if TYPE_CHECKING:
    from importlib.metadata import Distribution

__all__ = ["PackResult", "Packer", "pack"]

TOOL_VERSION = f"importworks {__version__}"
_SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".tox", ".nox", ".mypy_cache", ".pytest_cache"}
_TEST_DIRS = {"tests", "test", "testing"}
# Parts of the standard library no application imports: its own test suite,
# IDLE, demos, pip's bundled wheels; C extensions stay in the interpreter's folder.
_STDLIB_SKIP = {"test", "idlelib", "turtledemo", "ensurepip", "site-packages", "lib-dynload"}
_STDLIB_TEST_DIRS = _TEST_DIRS | {"idle_test"}
SQLITE_PAGE_SIZE = 4096
_HAS_CODE = 1 << 32  # in the SQLite index's code array: crc32 | _HAS_CODE, or 0 for no code


@dataclass
class PackResult:
    """What a pack wrote: counts for the summary line, and what was not compiled."""

    output: str
    files: int = 0
    modules: int = 0
    compiled: int = 0
    bytes: int = 0
    extract: dict[str, str] = field(default_factory=dict)  # top-level name -> cache key of its group
    extract_reasons: dict[str, str] = field(default_factory=dict)  # top-level name -> why
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why it is not in the store)
    executable: list[str] = field(default_factory=list)  # entries with an exec bit
    stdlib: list[str] = field(default_factory=list)  # top-level names of the packed standard library
    shadowed_stdlib: list[str] = field(default_factory=list)
    not_compiled: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Packer:
    """Collect files from sources, then write them as one store."""

    def __init__(
        self,
        *,
        skip_tests: bool = False,
        extract: Iterable[str] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.files: dict[str, str] = {}  # entry path -> file on disk
        self.owners: dict[str, str] = {}  # top-level name -> the distribution that installed it
        self.skipped: list[tuple[str, str]] = []  # (file, why it was left out)
        self.stdlib_tops: set[str] = set()  # top-level names that came from the standard library
        self.shadowed_stdlib: list[str] = []  # ... that the application's own modules replaced
        self.skip_tests = skip_tests
        self.extract = set(extract)
        self.progress = progress

    # -- collecting --------------------------------------------------------
    def add_file(self, entry: str, path: str) -> None:
        check_entry_path("(being packed)", entry)
        if "\n" in entry or "\0" in entry:  # the index keeps names in lines
            raise StoreError(
                f"refusing entry {entry!r} ({path}): a line break or NUL in a file name; rename it or leave it out",
                path=path,
            )
        try:
            entry.encode("utf-8")
        except UnicodeEncodeError:
            raise StoreError(
                f"refusing entry {entry!r} ({path}): the name is not valid UTF-8; rename it or leave it out", path=path
            ) from None
        self.files.setdefault(entry, path)

    def add_tree(self, folder: str, prefix: str, stdlib: bool = False) -> None:
        """Every file under *folder* as entries under *prefix* (skipping caches)."""
        tests = _STDLIB_TEST_DIRS if stdlib else _TEST_DIRS if self.skip_tests else ()
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and d not in tests)
            relative = os.path.relpath(root, folder).replace(os.sep, "/")
            base = prefix if relative == "." else f"{prefix}{relative}/"
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                self.add_file(base + name, os.path.join(root, name))

    def add_source(self, source: str) -> None:
        """A folder's top-level modules and packages, or one .py file."""
        if os.path.isfile(source):
            if not source.endswith(".py"):
                raise StoreError(
                    f"cannot pack {source}: only folders and .py files are sources "
                    "(use --dist NAME for an installed distribution)",
                    path=source,
                )
            self.add_file(os.path.basename(source), source)
            return
        if not os.path.isdir(source):
            raise StoreError(f"cannot pack {source}: no such file or folder", path=source)
        for name in sorted(os.listdir(source)):
            path = os.path.join(source, name)
            if os.path.isdir(path):
                if name.endswith((".dist-info", ".egg-info")):
                    self.add_tree(path, name + "/")  # metadata, for importlib.metadata
                    continue
                if name in _SKIP_DIRS or not name.isidentifier():
                    continue
                if self.skip_tests and name in _TEST_DIRS:
                    continue
                if _has_python(path):
                    self.add_tree(path, name + "/")
            elif name.endswith(".py") or name.endswith(tuple(EXTENSION_SUFFIXES)):
                self.add_file(name, path)

    def add_distribution(self, name: str, follow_deps: bool = False, _seen: set[str] | None = None) -> None:
        """The files an installed distribution recorded (its RECORD), and its metadata."""
        from importlib.metadata import PackageNotFoundError, distribution

        seen = _seen if _seen is not None else set()
        key = _normalize(name)
        if key in seen:
            return
        seen.add(key)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            raise StoreError(
                f"cannot pack distribution {name!r}: it is not installed for {sys.executable}", path=name
            ) from None
        try:
            self.add_recorded(dist, name)
        except OSError as exc:  # a RECORD line no file system can hold (importlib.metadata stats it)
            raise StoreError(
                f"cannot pack distribution {name!r}: its RECORD names a file that cannot be "
                f"read ({exc.strerror}: {str(exc.filename)[:80]!r})",
                path=name,
            ) from None
        except (TypeError, ValueError, csv.Error) as exc:  # importlib.metadata: RECORD split on \x1e, a NUL...
            raise StoreError(
                f"cannot pack distribution {name!r}: its RECORD cannot be parsed ({exc})", path=name
            ) from None
        if follow_deps:
            for requirement in dist.requires or ():
                dependency = _requirement_name(requirement)
                if dependency:
                    try:
                        self.add_distribution(dependency, True, seen)
                    except StoreError as exc:
                        if "not installed" not in str(exc):  # not installed: an optional dependency
                            self.skipped.append((dependency, f"{name}'s dependency: {exc}"))

    def add_recorded(self, dist: Distribution, name: str | None = None) -> None:
        """Every file in *dist*'s RECORD; what is left out goes to ``skipped`` with the reason.

        An editable install (``pip install -e``) records only the hook that points
        at its source tree: that tree is packed instead.
        """
        from .editable import editable_sources, is_editable_hook

        label = name or dist.metadata["Name"] or "?"
        files = _recorded_files(dist, label)
        if files is None:
            raise StoreError(f"cannot pack distribution {label!r}: it records no file list", path=label)
        owner = _normalize(label)
        editable = editable_sources(dist, label)  # raises StoreError if it cannot tell where
        for record in files:
            entry = record.replace("\\", "/")
            if "/__pycache__/" in f"/{entry}" or entry.endswith((".pyc", ".pyo")):
                continue  # caches: every module is compiled afresh
            if entry.startswith("../") or os.path.isabs(entry):
                self.skipped.append(
                    (entry, f"{label}: installed outside site-packages (a script or data file, not importable)")
                )
                continue
            if editable is not None and is_editable_hook(entry):
                self.skipped.append((entry, f"{label}: the editable install's hook; its source tree is packed instead"))
                continue
            path = str(dist.locate_file(record))
            if not os.path.isfile(path):
                self.skipped.append((entry, f"{label}: listed in RECORD but not on disk"))
                continue
            self.add_file(entry, path)
            self.owners.setdefault(entry.partition("/")[0], owner)
        for top, path in (editable or {}).items():
            if os.path.isdir(path):
                self.add_tree(path, top + "/")
            else:
                top = top if top.endswith(".py") else os.path.basename(path)
                self.add_file(top, path)
            self.owners.setdefault(top, owner)

    def add_site_packages(self, folders: Iterable[str]) -> None:
        """Everything in an environment's site-packages folders.

        Each distribution's RECORD first (so vendored-library folders such as
        ``numpy.libs/`` come too), then whatever else is importable there.
        """
        from importlib.metadata import PathDistribution
        from pathlib import Path

        for folder in folders:
            names = sorted(os.listdir(folder))
            for name in names:
                if name.endswith(".dist-info") and os.path.isfile(os.path.join(folder, name, "RECORD")):
                    self.add_recorded(PathDistribution(Path(folder, name)))
            for name in names:
                path = os.path.join(folder, name)
                if name.startswith("__editable__"):
                    continue  # an editable install's hook: add_recorded packed its tree
                if os.path.isdir(path) and name not in _SKIP_DIRS:
                    if name.isidentifier() or name.endswith((".dist-info", ".egg-info")):
                        self.add_tree(path, name + "/")
                    elif name not in self.owners:
                        self.skipped.append((name + "/", "not an importable name, and no RECORD claims it"))
                elif name.endswith(".py") or name.endswith(tuple(EXTENSION_SUFFIXES)):
                    self.add_file(name, path)

    def add_stdlib(self) -> None:
        """The running interpreter's pure-Python standard library.

        Added after the application's sources, so a top-level name the
        application packs itself keeps the application's version (as the
        script's folder shadows the standard library when run from files).
        The store records the exact ``sys.version``: another interpreter
        ignores these modules and uses its own (see Store.index).
        """
        import sysconfig

        paths = sysconfig.get_paths()
        taken = {entry.partition("/")[0].split(".")[0] for entry in self.files}
        for folder in dict.fromkeys((paths["stdlib"], paths["platstdlib"])):
            for name in sorted(os.listdir(folder)):
                path = os.path.join(folder, name)
                top = name.removesuffix(".py")
                if name in _STDLIB_SKIP or not top.isidentifier():
                    continue
                is_package = os.path.isdir(path)
                is_module = name.endswith(".py") and os.path.isfile(path)
                if not (is_module or (is_package and _has_python(path))):
                    continue
                if top in taken:
                    if top not in self.stdlib_tops:
                        self.shadowed_stdlib.append(top)
                    continue
                self.stdlib_tops.add(top)
                if is_package:
                    self.add_tree(path, name + "/", stdlib=True)
                else:
                    self.add_file(name, path)

    # -- deciding -------------------------------------------------------------
    def extraction(self, contents: dict[str, bytes]) -> dict[str, tuple[str, str]]:
        """Top-level names to materialise at run time -> (cache key, why): see :mod:`.extraction`."""
        from .extraction import decide_extraction

        return decide_extraction(contents, self.owners, self.extract)

    def packages_to_extract(self, contents: dict[str, bytes]) -> list[str]:
        """The top-level names :meth:`extraction` chooses, sorted."""
        return sorted(self.extraction(contents))

    # -- writing ----------------------------------------------------------
    def write(self, output: str) -> PackResult:
        """Read, precompile and write every collected file to *output* (.sqlite, .zip or a PostgreSQL URL)."""
        started = time.perf_counter()
        if not self.files:
            raise StoreError(f"nothing to pack into {output}: the sources hold no modules", path=output)
        writer = _writer_for(output)
        result = PackResult(
            output=output, stdlib=sorted(self.stdlib_tops), shadowed_stdlib=sorted(self.shadowed_stdlib)
        )
        contents: dict[str, bytes] = {}
        for entry, path in sorted(self.files.items()):
            with open(path, "rb") as f:
                contents[entry] = f.read()
        decided = self.extraction(contents)
        result.extract = {name: key for name, (key, _) in sorted(decided.items())}
        result.extract_reasons = {name: why for name, (_, why) in sorted(decided.items())}
        result.skipped = list(self.skipped)
        if is_store_url(output):  # one transaction: the old store stays until it commits
            with writer(output, result) as sink:
                self._fill(sink, contents, result)
            result.seconds = time.perf_counter() - started
            return result
        if os.path.isdir(output):
            raise StoreError(
                f"cannot write the store {output}: a folder of that name is in the way; "
                "remove it or choose another name",
                path=output,
            )
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):  # as cp: a typo in the folder makes no new folders
            raise StoreError(
                f"cannot write the store {output}: the folder {folder} does not exist (create it first)",
                path=output,
            )
        temporary = os.path.join(folder, f".{os.path.basename(output)}.{os.getpid()}.tmp")
        try:
            with writer(temporary, result) as sink:
                self._fill(sink, contents, result)
            os.replace(temporary, output)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        result.seconds = time.perf_counter() - started
        return result

    def _fill(self, sink: _Sink, contents: dict[str, bytes], result: PackResult) -> None:
        total = len(contents)
        for done, (entry, data) in enumerate(contents.items(), 1):
            st = os.stat(self.files[entry])
            mtime = st.st_mtime
            if st.st_mode & 0o111 and kind_of(entry) == "file":
                result.executable.append(entry)  # a helper program the package runs: keep it runnable
            code = self._compile(entry, data, result)
            sink.add(entry, data, code, mtime)
            result.files += 1
            result.bytes += len(data)
            if self.progress is not None:
                self.progress(done, total)

    def _compile(self, entry: str, data: bytes, result: PackResult) -> bytes | None:
        if kind_of(entry) != "source":
            return None
        result.modules += 1
        try:
            code = compile(data, entry, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            result.not_compiled.append(entry)  # kept as source: the error shows at import
            return None
        result.compiled += 1
        return marshal.dumps(code)


def _recorded_files(dist: Distribution, label: str) -> list[str] | None:
    """Every path in the distribution's RECORD, read here: ``Distribution.files`` leaves out the
    missing ones (Python 3.12+) without a word, and pack must say what it could not take."""
    import csv

    text = dist.read_text("RECORD")
    if text:
        try:
            return [row[0] for row in csv.reader(text.splitlines()) if row and row[0]]
        except csv.Error as exc:  # a NUL in a line (Python 3.10's csv), an unclosed quote...
            raise StoreError(
                f"cannot pack distribution {label!r}: its RECORD cannot be parsed ({exc})", path=label
            ) from None
    files = dist.files  # an .egg-info's installed-files.txt or SOURCES.txt
    return None if files is None else [str(f) for f in files]


def _has_python(folder: str) -> bool:
    for _, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        if any(f.endswith(".py") or f.endswith(tuple(EXTENSION_SUFFIXES)) for f in files):
            return True
    return False


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str | None:
    """The distribution a requirement line names, unless it only applies to an extra."""
    name_part, _, marker = requirement.partition(";")
    if "extra" in marker:
        return None
    if marker.strip():
        try:
            from packaging.markers import Marker

            if not Marker(marker.strip()).evaluate():
                return None
        except ImportError:
            pass  # without packaging, follow it: an uninstalled one is skipped anyway
        except Exception:
            return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", name_part)
    return match.group(1) if match else None


def _meta(result: PackResult) -> dict[str, str]:
    meta = {
        "format_version": str(FORMAT_VERSION),
        "tool_version": TOOL_VERSION,
        "python_version": sys.version.split()[0],
        "magic": MAGIC_NUMBER.hex(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if result.stdlib:
        meta["stdlib_version"] = sys.version  # the exact interpreter its standard library is for
    return meta


def _index(result: PackResult, parts: dict[str, object], **more: object) -> bytes:
    """The whole index as one record, read once when the store opens (see CompactIndex)."""
    return marshal.dumps(
        {
            **_meta(result),
            "format_version": FORMAT_VERSION,
            **parts,
            "extract": result.extract,
            "extract_reasons": result.extract_reasons,
            "executable": sorted(result.executable),
            "stdlib": result.stdlib,
            **more,
        }
    )


def _writer_for(output: str) -> Callable[[str, PackResult], _Sink]:
    if is_store_url(output):
        return _PostgresSink
    if output.endswith((".sqlite", ".sqlite3", ".db")):
        return _SQLiteSink
    if output.endswith((".zip", ".pyz")):
        return _ZipSink
    raise StoreError(
        f"cannot tell what store to write from {output!r}: name it .sqlite or .zip, "
        "or give a postgresql://HOST/DATABASE/STORE URL",
        path=output,
    )


class _Sink:
    def __init__(self, path: str, result: PackResult) -> None:
        self.path = path
        self.result = result

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:  # each kind writes (or drops) its store here
        raise NotImplementedError

    def add(self, entry: str, data: bytes, code: bytes | None, mtime: float) -> None:
        raise NotImplementedError


class _DatabaseSink(_Sink):
    """Collects every entry, then writes code rows keyed by entry number (SQLite, PostgreSQL)."""

    def __init__(self, path: str, result: PackResult) -> None:
        super().__init__(path, result)
        self.rows: dict[str, IndexRow] = {}
        self.pending: list[tuple[str, bytes, bytes | None]] = []

    def add(self, entry: str, data: bytes, code: bytes | None, mtime: float) -> None:
        self.rows[entry] = IndexRow(kind_of(entry), len(data), crc32(data))
        self.pending.append((entry, data, code))

    def _code_rows(self) -> tuple[dict[str, object], bytes, list[tuple[int, str, str, int, bytes]]]:
        """The index parts, the index's code array, and (row id, path, sha256, crc32, code) rows.

        A module's code row id is 1 + its entry number in the index; the array
        holds crc32 | _HAS_CODE for each entry with code, 0 for the others.
        """
        parts, order = CompactIndex.pack(self.rows)
        number = {entry: at for at, entry in enumerate(order)}
        checks = dict.fromkeys(order, 0)
        rows = []
        for entry, _, code in sorted(self.pending, key=lambda e: e[0]):
            if code is None:  # a data file, or source that was not compiled
                continue
            crc = crc32(code)
            checks[entry] = _HAS_CODE | crc
            rows.append((number[entry] + 1, entry, sha256_hex(code), crc, code))
        return parts, u64_bytes(checks.values()), rows


class _SQLiteSink(_DatabaseSink):
    """Writes at the end, in the order a start-up reads: index, then code, then the rest."""

    def __enter__(self) -> _Sink:
        import sqlite3

        from .sqlite import SCHEMA

        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            f"PRAGMA page_size = {SQLITE_PAGE_SIZE}; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA
        )
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            parts, checks, code_rows = self._code_rows()
            index = _index(self.result, parts, code=checks)
            self.db.execute("INSERT INTO blobs VALUES ('index', ?)", (index,))
            self.db.executemany(
                "INSERT INTO code VALUES (?, ?, ?, ?, ?, ?)",
                ((row_id, entry, MAGIC_NUMBER, digest, crc, code) for row_id, entry, digest, crc, code in code_rows),
            )
            ((pages,),) = self.db.execute("PRAGMA page_count")
            # index_crc32: checked before the index is unmarshalled (hostile sizes in marshal data allocate)
            meta = {**_meta(self.result), "code_bytes": str(pages * SQLITE_PAGE_SIZE), "index_crc32": str(crc32(index))}
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            self.db.executemany(
                "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        entry,
                        self.rows[entry].kind,
                        self.rows[entry].size,
                        sha256_hex(data),
                        self.rows[entry].crc32,
                        data,
                    )
                    for entry, data, _ in self.pending
                ),
            )
            self.db.commit()
        self.db.close()


class _ZipSink(_Sink):
    def __enter__(self) -> _Sink:
        import zipfile

        self.zipfile = zipfile
        self.archive = zipfile.ZipFile(self.path, "w", allowZip64=True)
        self.rows: dict[str, IndexRow] = {}
        self.hashes: dict[str, str] = {}
        self.files: set[str] = set()
        self.pending: list[tuple[str, bytes, tuple, bool]] = []  # sources and data, in order
        self.compiled: list[tuple[str, bytes, tuple, bool]] = []  # the .pyc beside each source
        return self

    def _write(self, entry: str, data: bytes, date_time: tuple, compress: bool) -> None:
        info = self.zipfile.ZipInfo(entry, date_time)
        info.compress_type = self.zipfile.ZIP_DEFLATED if compress else self.zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.archive.writestr(info, data)
        self.rows[entry] = IndexRow(kind_of(entry), len(data), crc32(data))
        self.hashes[entry] = sha256_hex(data)

    def add(self, entry: str, data: bytes, code: bytes | None, mtime: float) -> None:
        date_time = time.localtime(max(mtime, 315532800))[:6]  # zip dates start in 1980
        date_time = date_time[:5] + (date_time[5] // 2 * 2,)  # and count seconds in twos
        self.pending.append((entry, data, date_time, True))
        pyc = entry[:-3] + ".pyc"
        if code is not None and pyc not in self.files:
            # beside the source, with the mtime zipimport checks, so stock Python uses it too
            stamped = code_to_timestamp_pyc(marshal.loads(code), time.mktime(date_time + (0, 0, -1)), len(data))
            self.compiled.append((pyc, bytes(stamped), date_time, False))
        self.files.add(entry)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            from .zip import HASHES, INDEX, INDEX_COMMENT

            # the precompiled code first, in one run at the start of the file, which
            # opening the store reads ahead; then sources and data files
            compiled = sorted(c for c in self.compiled if c[0] not in self.files)
            for entry, data, date_time, compress in compiled + self.pending:
                self._write(entry, data, date_time, compress)
            hashes = self.zipfile.ZipInfo(HASHES, (1980, 1, 1, 0, 0, 0))
            hashes.compress_type = self.zipfile.ZIP_DEFLATED
            self.archive.writestr(hashes, marshal.dumps(self.hashes))
            if self.archive.fp is not None:  # open for writing: it is
                self.archive.fp.flush()
            where = _data_offsets(self.path, self.archive.infolist())
            code_bytes = max((where[pyc][0] + where[pyc][1] for pyc, *_ in compiled), default=0)
            parts, order = CompactIndex.pack(self.rows)
            layout = u64_bytes(n for entry in order for n in where[entry])
            blob = _index(self.result, parts, layout=layout, hashes_at=where[HASHES], code_bytes=code_bytes)
            info = self.zipfile.ZipInfo(INDEX, (1980, 1, 1, 0, 0, 0))
            info.compress_type = self.zipfile.ZIP_STORED
            self.archive.writestr(info, blob)
            self.archive.comment = INDEX_COMMENT + f"{info.header_offset} {len(blob)}".encode()
        self.archive.close()


class _PostgresSink(_DatabaseSink):
    """One transaction: the store is replaced whole, or left as it was."""

    def __enter__(self) -> _Sink:
        from .postgres import driver
        from .sniff import parse_store_url

        self.url = parse_store_url(self.path)
        if self.url.prefix:
            raise StoreError(f"pack into {self.url.location}, not a folder inside it", path=self.path)
        self.psycopg = driver()
        try:
            self.conn = self.psycopg.connect(self.url.conninfo, application_name="importworks pack")
        except self.psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL to pack {self.url.location}: {str(exc).strip().splitlines()[0]}",
                path=self.path,
            ) from None
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                try:
                    self._write()
                    self.conn.commit()
                except self.psycopg.Error as exc:
                    raise StoreError(
                        f"cannot pack {self.url.location}: {str(exc).strip().splitlines()[0]} (nothing was changed)",
                        path=self.path,
                    ) from None
        finally:
            self.conn.close()  # without a commit, the transaction is rolled back

    def _write(self) -> None:
        from .postgres import SCHEMA

        store = self.url.store
        cursor = self.conn.cursor()
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('importworks pack'))")  # one pack at a time
        cursor.execute(SCHEMA)
        found = cursor.execute("SELECT generation FROM importworks_stores WHERE name = %s", (store,)).fetchall()
        generation = found[0][0] + 1 if found else 1
        for table in ("importworks_code", "importworks_entries"):
            cursor.execute(f"DELETE FROM {table} WHERE store = %s", (store,))
        parts, checks, code_rows = self._code_rows()
        with cursor.copy("COPY importworks_code (store, id, path, magic, sha256, crc32, data) FROM STDIN") as copy:
            for row_id, entry, digest, crc, code in code_rows:
                copy.write_row((store, row_id, entry, MAGIC_NUMBER, digest, crc, code))
        with cursor.copy("COPY importworks_entries (store, path, sha256, crc32, data) FROM STDIN") as copy:
            for entry, data, _ in self.pending:
                copy.write_row((store, entry, sha256_hex(data), self.rows[entry].crc32, data))
        index = _index(self.result, parts, code=checks)
        cursor.execute(
            "INSERT INTO importworks_stores (name, generation, meta, index_blob) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET generation = EXCLUDED.generation, meta = EXCLUDED.meta, "
            "index_blob = EXCLUDED.index_blob, signature = NULL",  # a new generation is unsigned until signed
            (store, generation, json.dumps(_meta(self.result)), index),
        )


def _data_offsets(path: str, infos: list) -> dict[str, tuple[int, int, int]]:
    """Entry -> (where its data starts, compressed size, method), from the local headers written."""
    import struct

    found = {}
    with open(path, "rb") as f:
        for info in infos:
            f.seek(info.header_offset)
            header = f.read(30)
            name_len, extra_len = struct.unpack_from("<2H", header, 26)
            found[info.filename] = (
                info.header_offset + 30 + name_len + extra_len,
                info.compress_size,
                info.compress_type,
            )
    return found


def pack(
    sources: Iterable[str],
    output: str,
    *,
    dists: Iterable[str] = (),
    deps: bool = False,
    site_packages: Iterable[str] | None = None,
    skip_tests: bool = False,
    stdlib: bool = False,
    extract: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> PackResult:
    """Build the store *output* from folders, .py files, distributions and environments.

    With *stdlib*, the running interpreter's pure-Python standard library too.
    """
    packer = Packer(skip_tests=skip_tests, extract=extract, progress=progress)
    for source in sources:
        packer.add_source(source)
    for name in dists:
        packer.add_distribution(name, follow_deps=deps)
    if site_packages is not None:
        packer.add_site_packages(site_packages)
    if stdlib:
        packer.add_stdlib()
    return packer.write(output)
