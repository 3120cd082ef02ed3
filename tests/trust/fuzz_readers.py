"""Coverage-guided fuzz targets (atheris) for every reader of untrusted bytes, one target per reader.

    python tests/trust/fuzz_readers.py TARGET [libFuzzer options]      # by hand, e.g.
    nice python tests/trust/fuzz_readers.py zip -max_total_time=600 -rss_limit_mb=2048

TARGET is one of:

* ``zip``: the zip reader and its index: a whole archive from the fuzzer, a seed
  store patched, or the index entry replaced by fuzzed bytes (its CRC-32 kept
  right, so that the decoder, not the checksum, meets them);
* ``sqlite``: the SQLite schema and index reader: a seed store patched, or one
  of its rows (meta values, the index blob with its CRC-32 kept right, code and
  entry rows, the signature) replaced by fuzzed bytes;
* ``postgres``: the PostgreSQL row decoder: a store's rows (meta JSON, index
  blob, code and entry rows, signature) as the server would return them, one
  replaced by fuzzed bytes, served by an in-process stand-in for the server;
* ``pyc``: pyc headers, as checked by the folder loaders, and a ``__pycache__``
  pyc with a fuzzed header in front of valid code;
* ``names``: pack's handling of names: RECORD files and entry names (``..``,
  absolute, NUL, over-long, non-identifiers, unicode).

Signed seeds are imported with their key trusted: anything but a store error,
"no such module" or the signed module itself is a finding.  Unsigned seeds whose
checksums were kept right cannot tell a deliberate change, so for them the
reads alone are checked: only store errors may come out.  A finding raises
:class:`tests.trust.hostile.Finding`, which atheris reports as a crash.  CI runs
each target for a few seconds (``test_fuzz.py``, when atheris is importable)
and under hypothesis for a bounded number of examples.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import sqlite3
import struct
import sys
import tempfile
import warnings
import zlib
from contextlib import closing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from anywhere: tests/ importable

# the readers, each imported once
READERS = (
    "importworks",
    "importworks.stores.base",
    "importworks.stores.bounded",
    "importworks.stores.finder",
    "importworks.stores.opening",
    "importworks.stores.pack",
    "importworks.stores.postgres",
    "importworks.stores.signing",
    "importworks.stores.sqlite",
    "importworks.stores.trust",
    "importworks.stores.verify",
    "importworks.stores.zip",
    "importworks.finders.bytecode",
    "importworks.finders.loaders",
)
if __name__ == "__main__":
    # coverage comes from importworks' own code: instrumented as it is first imported, here, before the
    # helpers below import it (the standard library is left alone: many more runs a second)
    import importlib

    import atheris

    with atheris.instrument_imports(include=["importworks"]):
        for _reader in READERS:
            importlib.import_module(_reader)

from tests.trust.hostile import MODULE, Finding, forget, import_at, import_from, small_store  # noqa: E402 - after atheris instruments the readers

INDEX = ".importworks/index.marshal"


def read_all(location: str) -> str:
    """Open the store at *location*, list it and read every entry and code row: only store errors may come out."""
    import importworks
    from importworks.errors import StoreError
    from importworks.stores.opening import open_store

    forget(location)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open_store(location) as store:
                for path in list(store.index):
                    try:
                        store.read(path)
                        store.read_code(path, importworks.util.MAGIC_NUMBER)
                    except (StoreError, FileNotFoundError):
                        pass
                for folder in list(store.folders)[:50]:
                    store.children(folder)
                store.metadata.get("format_version")
                list(store.walk())
    except (StoreError, FileNotFoundError):
        return "refused"
    except Exception as exc:
        raise Finding(f"reading {location}: {type(exc).__name__}: {exc}") from exc
    finally:
        forget(location)
    return "read"


def _patched(seed: bytes, body: bytes) -> bytes:
    changed = bytearray(seed)
    for at in range(0, len(body) - 2, 3):
        changed[int.from_bytes(body[at : at + 2], "little") % len(seed)] = body[at + 2]
    return bytes(changed)


def _fuzzed_value(data: bytes) -> object:
    """A value of any type a marshalled index may hold, from fuzzed bytes (its first byte picks the type)."""
    if not data:
        return None
    kind, rest = data[0] % 8, data[1:]
    if kind == 0:
        return rest
    if kind == 1:
        return rest.decode("utf-8", "replace")
    if kind == 2:
        return int.from_bytes(rest[:9], "little", signed=True)
    if kind == 3:
        return [_fuzzed_value(rest[i : i + 4]) for i in range(0, min(len(rest), 32), 4)]
    if kind == 4:
        return {rest[i : i + 2].decode("latin-1"): rest[i + 2 : i + 4] for i in range(0, min(len(rest), 32), 4)}
    if kind == 5:
        return tuple(int(b) for b in rest[:12])
    if kind == 6:
        return rest.decode("latin-1").replace("\0", "/")  # paths and listings with separators
    return None


def fuzzed_index(original: bytes, data: bytes) -> bytes:
    """*original* (a marshalled index) with fuzzed fields, or the fuzzed bytes themselves."""
    if not data or data[0] & 1:
        return data[1:]
    index = marshal.loads(original)
    keys = sorted(index)
    at = 1
    while at + 2 <= len(data):
        key = keys[data[at] % len(keys)]
        size = data[at + 1] % 64
        index[key] = _fuzzed_value(data[at + 2 : at + 2 + size])
        at += 2 + size
    return marshal.dumps(index)


class _Seeds:
    """Signed and unsigned seed stores of one kind, packed once into *folder*."""

    def __init__(self, folder: Path, kind: str) -> None:
        from importworks.stores.signing import generate_key

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        key = folder / "key"
        if not key.exists():
            generate_key(str(key))
        self.public = str(key) + ".pub"
        self.stores = []
        for signed in (True, False):
            seed_folder = folder / f"{kind}-{'signed' if signed else 'unsigned'}"
            seed_folder.mkdir(exist_ok=True)
            store = small_store(seed_folder, kind, key if signed else None)
            self.stores.append((store, store.read_bytes(), signed))

    def pick(self, byte: int) -> tuple[Path, bytes, bool]:
        return self.stores[byte % len(self.stores)]

    def check(self, store: Path, data: bytes, signed: bool) -> str:
        """Import from *data* written at *store* (keys trusted when signed), or read it all (unsigned)."""
        import importworks

        if signed:
            with importworks.install(trusted_keys=[self.public]):
                return import_from(store, data, True)
        store.write_bytes(data)
        return read_all(str(store))


class ZipTarget:
    """The zip reader and its index."""

    def __init__(self, folder: Path) -> None:
        self.seeds = _Seeds(folder, "zip")

    def one_input(self, data: bytes) -> None:
        if len(data) < 2:
            return
        store, seed, signed = self.seeds.pick(data[0] >> 2)
        mode, body = data[0] & 3, data[1:]
        if mode == 0:  # the whole archive
            self.seeds.check(store, body, signed)
        elif mode == 1:  # a seed, patched
            self.seeds.check(store, _patched(seed, body), signed)
        else:  # the index entry's bytes, its CRC-32 kept right
            self.seeds.check(store, _with_zip_index(seed, fuzzed_index(_zip_index(seed), body)), signed)


def _zip_local_index(seed: bytes) -> tuple[int, int, int]:
    """(local header offset, data offset, size) of the index entry of a store packed by importworks."""
    comment_at = seed.rfind(b"importworks-index ")
    offset, size = map(int, seed[comment_at + len("importworks-index ") :].split())
    name_len, extra_len = struct.unpack_from("<2H", seed, offset + 26)
    return offset, offset + 30 + name_len + extra_len, size


def _zip_index(seed: bytes) -> bytes:
    _, start, size = _zip_local_index(seed)
    return seed[start : start + size]


def _with_zip_index(seed: bytes, blob: bytes) -> bytes:
    """*seed* with its index entry's bytes replaced by *blob*, cut or padded to the same length."""
    header, start, size = _zip_local_index(seed)
    blob = (blob + bytes(size))[:size]
    changed = bytearray(seed)
    changed[start : start + size] = blob
    struct.pack_into("<I", changed, header + 14, zlib.crc32(blob))
    return bytes(changed)


class SQLiteTarget:
    """The SQLite schema and index reader."""

    ROWS = (
        ("meta", "value", "key", "format_version"),
        ("meta", "value", "key", "magic"),
        ("meta", "value", "key", "code_bytes"),
        ("meta", "value", "key", "stdlib_version"),
        ("blobs", "data", "name", "index"),
        ("blobs", "data", "name", "signature"),
        ("code", "data", "id", 1),
        ("entries", "data", "path", f"{MODULE}/__init__.py"),
        ("entries", "data", "path", f"{MODULE}/data.txt"),
        ("entries", "path", "path", f"{MODULE}/data.txt"),
    )

    def __init__(self, folder: Path) -> None:
        self.seeds = _Seeds(folder, "sqlite")
        self.work = folder / "work.sqlite"
        self.indexes = {}
        for store, _seed, _ in self.seeds.stores:
            with closing(sqlite3.connect(store)) as db:
                self.indexes[store] = db.execute("SELECT data FROM blobs WHERE name = 'index'").fetchone()[0]

    def one_input(self, data: bytes) -> None:
        if len(data) < 2:
            return
        store, seed, signed = self.seeds.pick(data[0] >> 1)
        body = data[1:]
        if data[0] & 1 == 0:  # a seed, patched
            self.seeds.check(store, _patched(seed, body), signed)
            return
        table, column, key, value = self.ROWS[body[0] % len(self.ROWS)]
        fuzzed = body[1:]
        self.work.write_bytes(seed)
        with closing(sqlite3.connect(self.work)) as db:
            if table == "blobs" and value == "index":
                blob = fuzzed_index(self.indexes[store], fuzzed)
                db.execute("UPDATE blobs SET data = ? WHERE name = 'index'", (blob,))
                db.execute("UPDATE meta SET value = ? WHERE key = 'index_crc32'", (str(zlib.crc32(blob)),))
            else:
                stored: object = fuzzed
                if table == "meta" or column == "path" or fuzzed[:1] == b"t":  # as text, the way an editor writes it
                    stored = fuzzed.decode("utf-8", "replace")
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (stored, value))
            db.commit()
        self.seeds.check(store, self.work.read_bytes(), signed)


class _FakeServer:
    """The rows of stores, answered to PostgresStore's queries in process (the row decoder's input)."""

    def __init__(self) -> None:
        self.stores: dict[str, dict[str, Any]] = {}

    def answer(self, sql: str, args: tuple) -> list:
        store = self.stores.get(args[0]) if args else None
        if store is None:
            return []
        text = " ".join(sql.split())
        if text.startswith("SELECT generation, meta FROM importworks_stores"):
            return [(store["generation"], store["meta"])]
        if text.startswith("SELECT generation FROM importworks_stores"):
            return [(store["generation"],)]
        if text.startswith("SELECT index_blob FROM importworks_stores"):
            return [(store["index_blob"],)] if args[1] == store["generation"] else []
        if text.startswith("SELECT signature FROM importworks_stores"):
            return [(store["signature"],)] if args[1] == store["generation"] else []
        if text.startswith("SELECT data FROM importworks_entries"):
            found = store["entries"].get(args[1])
            return [] if found is None else [(found[2],)]
        if text.startswith("SELECT path, sha256 FROM importworks_entries"):
            return [(path, row[0]) for path, row in store["entries"].items()]
        if text.startswith("SELECT path FROM importworks_entries"):
            return [(path,) for path in store["entries"]]
        if text.startswith("SELECT id, data FROM importworks_code WHERE store = %s AND id >"):
            return [(i, row[3]) for i, row in store["code"].items() if args[1] < i <= args[2]]
        if text.startswith("SELECT id, data FROM importworks_code"):
            return [(i, row[3]) for i, row in store["code"].items()]
        if text.startswith("SELECT path, magic, sha256, data FROM importworks_code"):
            return [(row[0], row[1], row[2], row[3]) for row in store["code"].values()]
        raise AssertionError(f"the stand-in server does not answer {text!r}")


class PostgresTarget:
    """The PostgreSQL row decoder, over rows a real pack wrote (copied once from IMPORTWORKS_TEST_POSTGRES)."""

    FIELDS = ("meta", "index_blob", "signature", "code", "entry", "generation", "meta-json")

    def __init__(self, folder: Path) -> None:
        from importworks.stores import postgres

        self.server = _FakeServer()
        self.seeds = self._rows(folder)  # (name, rows, signed, public key)
        server = self.server

        def query(store: Any, sql: str, args: tuple = (), entry: str | None = None, reconnect: bool = True) -> list:
            if store._closed:
                from importworks.errors import StoreError

                raise StoreError(f"PostgreSQL store {store.location} is closed", path=store.location)
            return server.answer(sql, args)

        self._query = query
        self._store_class = postgres.PostgresStore

    def _rows(self, folder: Path) -> list[tuple[str, dict, bool, str]]:
        cache = folder / "postgres-rows.marshal"
        if not cache.exists():
            cache.write_bytes(marshal.dumps(_copy_rows(folder)))
        rows, public = marshal.loads(cache.read_bytes())
        return [(name, stored, signed, public) for name, stored, signed in rows]

    def one_input(self, data: bytes) -> None:
        if len(data) < 2:
            return
        name, seed, signed, public = self.seeds[data[0] % len(self.seeds)]
        field, fuzzed = self.FIELDS[data[1] % len(self.FIELDS)], data[2:]
        rows = {**seed, "entries": dict(seed["entries"]), "code": dict(seed["code"])}
        if field == "meta":
            rows["meta"] = fuzzed.decode("utf-8", "replace")
        elif field == "meta-json":  # well-formed JSON with fuzzed values
            meta = json.loads(seed["meta"])
            for at in range(0, len(fuzzed) - 1, 2):
                key = sorted(meta)[fuzzed[at] % len(meta)]
                meta[key] = _fuzzed_json(fuzzed[at + 1 :])
            rows["meta"] = json.dumps(meta)
        elif field == "index_blob":
            rows["index_blob"] = fuzzed_index(seed["index_blob"], fuzzed)
        elif field == "signature":
            rows["signature"] = fuzzed
        elif field == "code" and rows["code"]:
            key = sorted(rows["code"])[fuzzed[:1][0] % len(rows["code"]) if fuzzed else 0]
            path, magic, digest, _ = rows["code"][key]
            rows["code"][key] = (path, magic, digest, fuzzed[1:])
        elif field == "entry":
            key = sorted(rows["entries"])[fuzzed[:1][0] % len(rows["entries"]) if fuzzed else 0]
            digest, crc, _ = rows["entries"][key]
            rows["entries"][key] = (digest, crc, fuzzed[1:])
        elif field == "generation":
            rows["generation"] = int.from_bytes(fuzzed[:8], "little", signed=True)
        self.server.stores[name] = rows
        url = f"postgresql:///fuzz/{name}"
        import importworks

        real = self._store_class._query
        self._store_class._query = self._query  # type: ignore[method-assign]  # only while this input runs
        try:
            if signed:
                with importworks.install(trusted_keys=[public]):
                    import_at(url, True)
            else:
                read_all(url)
        finally:
            self._store_class._query = real  # type: ignore[method-assign]


def _fuzzed_json(data: bytes) -> object:
    kind = data[0] % 5 if data else 0
    if kind == 0:
        return data[1:].decode("utf-8", "replace")
    if kind == 1:
        return int.from_bytes(data[1:9], "little", signed=True)
    if kind == 2:
        return [b for b in data[1:6]]
    if kind == 3:
        return {"k": data[1:].hex()}
    return None


def _copy_rows(folder: Path) -> tuple[list, str]:
    """Pack the seed into the test database (signed and not), and copy its rows out."""
    import uuid

    import psycopg

    from importworks.stores.signing import generate_key, sign_store
    from tests.conftest import build
    from tests.trust.hostile import FILES

    server = os.environ.get("IMPORTWORKS_TEST_POSTGRES", "").rstrip("/")
    if not server:
        raise SystemExit("the postgres target copies a packed store's rows once: set IMPORTWORKS_TEST_POSTGRES")
    from importworks.stores.pack import pack

    key = folder / "pg-key"
    if not key.exists():
        generate_key(str(key))
    source = build(folder / "pg-src", FILES)
    found = []
    with psycopg.connect(server, autocommit=True) as conn:
        for signed in (True, False):
            name = f"fuzz-{uuid.uuid4().hex[:12]}"
            pack([str(source)], f"{server}/{name}")
            if signed:
                sign_store(f"{server}/{name}", str(key))
            try:
                generation, meta, index_blob, signature = conn.execute(
                    "SELECT generation, meta, index_blob, signature FROM importworks_stores WHERE name = %s", (name,)
                ).fetchone()
                code = {
                    i: (path, bytes(magic), digest, bytes(data))
                    for i, path, magic, digest, data in conn.execute(
                        "SELECT id, path, magic, sha256, data FROM importworks_code WHERE store = %s", (name,)
                    )
                }
                entries = {
                    path: (digest, crc, bytes(data))
                    for path, digest, crc, data in conn.execute(
                        "SELECT path, sha256, crc32, data FROM importworks_entries WHERE store = %s", (name,)
                    )
                }
            finally:
                for table, column in (
                    ("importworks_stores", "name"),
                    ("importworks_code", "store"),
                    ("importworks_entries", "store"),
                ):
                    conn.execute(f"DELETE FROM {table} WHERE {column} = %s", (name,))
            rows = {
                "generation": generation,
                "meta": meta,
                "index_blob": bytes(index_blob),
                "signature": None if signature is None else bytes(signature),
                "code": code,
                "entries": entries,
            }
            found.append((name, rows, signed))
    return found, str(key) + ".pub"


class PycTarget:
    """pyc headers: the checks the folder loaders make, and a __pycache__ pyc with a fuzzed header."""

    def __init__(self, folder: Path) -> None:
        from importworks.finders.bytecode import cache_from_source

        self.folder = folder / "pyc"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.source = self.folder / "fuzz_pycmod.py"
        self.source.write_text("VALUE = 'source'\n")
        self.pyc = Path(cache_from_source(str(self.source)))
        self.pyc.parent.mkdir(exist_ok=True)
        self.code = marshal.dumps(compile("VALUE = 'source'\n", str(self.source), "exec"))

    def one_input(self, data: bytes) -> None:
        from importworks.finders.bytecode import MAGIC_NUMBER, PycHeader, source_hash

        details = {"name": "m", "path": "m.pyc"}
        try:
            header = PycHeader.parse(data, "m", details)
        except (ImportError, EOFError):
            header = None
        else:
            if data[:4] != MAGIC_NUMBER or len(data) < 16 or header.flags not in (0, 1, 2, 3):
                raise Finding(f"PycHeader.parse accepted {data[:16]!r} (flags {header.flags!r})")
        if header is not None:
            mtime = int.from_bytes(data[8:12], "little") if data[:1] == b"\1" else 1_700_000_000
            # the comparisons the loaders make with what they read of the source
            header.matches(mtime, len(data) & 0xFFFF, None)
            header.matches(mtime, None, None)
            header.matches(mtime, None, source_hash(data[16:]))
            header.must_hash_source()
        self._import(data[:16], bool(data[16:17] and data[16] & 1))

    def _import(self, header: bytes, with_magic: bool) -> None:
        import importworks
        from importworks.finders.bytecode import MAGIC_NUMBER

        head = ((MAGIC_NUMBER + header[4:]) if with_magic else header).ljust(16, b"\0")
        self.pyc.write_bytes(head + self.code)
        sys.path.insert(0, str(self.folder))
        try:
            with importworks.activate(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sys.modules.pop("fuzz_pycmod", None)
                importworks.invalidate_caches()
                try:
                    module = __import__("fuzz_pycmod")
                except ImportError as exc:
                    if "invalid flags" not in str(exc):  # the flags a stock import refuses too
                        raise Finding(f"{type(exc).__name__}: {exc}") from exc
                    return
                except Exception as exc:
                    raise Finding(f"{type(exc).__name__}: {exc}") from exc
            if module.VALUE != "source":
                raise Finding(f"the module from a pyc with header {head!r} is not its source's")
        finally:
            sys.path.remove(str(self.folder))
            sys.modules.pop("fuzz_pycmod", None)


class NamesTarget:
    """pack's handling of names: RECORD lines and entry names, then the store it writes."""

    def __init__(self, folder: Path) -> None:
        self.site = folder / "site"
        dist = self.site / "fuzz_dist-1.0.dist-info"
        dist.mkdir(parents=True, exist_ok=True)
        (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fuzz_dist\nVersion: 1.0\n")
        (self.site / "fuzz_dist.py").write_text("VALUE = 1\n")
        pkg = self.site / "fuzz_pkg"
        pkg.mkdir(exist_ok=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data.txt").write_text("data\n")
        self.record = dist / "RECORD"
        self.out = folder / "names.zip"

    def one_input(self, data: bytes) -> None:
        from importlib.metadata import PathDistribution

        from importworks.errors import StoreError
        from importworks.stores.base import check_entry_path
        from importworks.stores.pack import Packer

        text = data[1:].decode("utf-8", "surrogateescape")
        names = re.split(r"[\n,]", text)
        for name in names:
            try:
                checked = check_entry_path("s", name)
            except StoreError:
                continue
            parts = checked.split("/")
            if not checked or checked.startswith("/") or {"..", ""} & set(parts) or "\0" in checked or "\\" in checked:
                raise Finding(f"check_entry_path let {checked!r} through")
            if max(map(len, parts)) > 255 or len(checked) > 4096:
                raise Finding(f"check_entry_path let an over-long {checked[:60]!r} through")
        packer = Packer()
        for name in names[:4]:
            try:
                packer.add_file(name, str(self.site / "fuzz_dist.py"))
            except StoreError:
                pass
        lines = [line.replace(",", "") for line in text.splitlines()]
        try:
            self.record.write_text(
                "".join(f"{line},,\n" for line in lines) + "fuzz_dist.py,,\nfuzz_pkg/data.txt,,\n",
                encoding="utf-8",
                errors="surrogateescape",
            )
        except (OSError, ValueError):
            return
        try:
            packer.add_recorded(PathDistribution(self.record.parent), "fuzz_dist")
        except StoreError:
            return
        except (OSError, ValueError, UnicodeError):
            return  # reading the RECORD back (importlib.metadata's own parsing), not pack's names
        site = os.path.realpath(self.site)
        for entry, path in packer.files.items():
            check_entry_path("packed", entry)
            if "\n" in entry or "\0" in entry:
                raise Finding(f"pack kept a line break or NUL in {entry!r}")
            if path != str(self.site / "fuzz_dist.py") and not os.path.realpath(path).startswith(site + os.sep):
                raise Finding(f"pack took {path!r}, outside site-packages, for entry {entry!r}")
        if data[:1] == b"w" and packer.files:  # now and then the store itself, written and read back
            try:
                packer.write(str(self.out))
            except StoreError:
                return
            if read_all(str(self.out)) != "read":
                raise Finding(f"a store pack wrote from {sorted(packer.files)!r} cannot be read")


TARGETS = {
    "zip": ZipTarget,
    "sqlite": SQLiteTarget,
    "postgres": PostgresTarget,
    "pyc": PycTarget,
    "names": NamesTarget,
}


def make_target(name: str, folder: Path | None = None) -> Any:
    return TARGETS[name](folder or Path(tempfile.mkdtemp(prefix=f"iw-fuzz-{name}-")))


def main() -> None:
    import atheris

    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    name = sys.argv.pop(1)
    target = make_target(name)
    atheris.Setup(sys.argv, target.one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    os.environ.pop("IMPORTWORKS_TRUSTED_KEYS", None)
    main()
