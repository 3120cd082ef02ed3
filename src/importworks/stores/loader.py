"""Loading modules out of a store."""

from __future__ import annotations

import _imp
import marshal
import os
from types import CodeType, ModuleType
from typing import Any

from ..engine._importlib_bootstrap import LoaderBasics, drop_load_module, load_module_shim
from ..engine.tracebacks import register_engine_file
from ..errors import ERR_ENTRY_UNREADABLE, ERR_EXTRACTED_INCOMPLETE, StoreError
from ..finders.bytecode import MAGIC_NUMBER, decode_source
from ..spec import ModuleSpec
from .base import StoreBackend, sha256_hex
from .cache import materialize
from .opening import refresh_store

__all__ = ["StoreExtensionLoader", "StoreLoader"]

register_engine_file(__file__)
# the backends' frames are the import system's too: a store error says which store and entry itself
for _backend in ("base", "sqlite", "zip", "postgres", "trust"):
    register_engine_file(os.path.join(os.path.dirname(__file__), _backend + ".py"))


class StoreLoader(LoaderBasics):
    """Load a Python module (source or bytecode entry) from a store."""

    def __init__(self, store: StoreBackend, fullname: str, entry: str, root: str | None = None) -> None:
        self.store = store
        self.name = fullname
        self.entry = entry
        # where the entry appears to be: inside the store, or in its extracted copy
        self.root = root or store.location
        self.path = self.root + os.sep + entry.replace("/", os.sep)

    @property
    def source_kind(self) -> str:
        return self.store.kind

    def __repr__(self) -> str:
        return f"<StoreLoader {self.name!r} from {self.path!r}>"

    def get_filename(self, fullname: str | None = None) -> str:
        return self.path

    def is_package(self, fullname: str) -> bool:
        return self.entry.rpartition("/")[2].split(".")[0] == "__init__"

    def get_code(self, fullname: str) -> CodeType:
        """Precompiled code for this Python when the store has it, else compiled source."""
        store, entry = self.store, self.entry
        try:
            if entry.endswith(".pyc"):
                data = store.read(entry)
                if data[:4] != MAGIC_NUMBER:
                    raise ImportError(
                        f"bad magic number in {self.path!r}: {data[:4]!r}; this "
                        "bytecode is for another Python and the store has no source",
                        name=fullname,
                        path=self.path,
                    )
                return marshal.loads(memoryview(data)[16:])
            code = store.read_code(entry, MAGIC_NUMBER)
            if code is not None:
                result = marshal.loads(code)
                _imp._fix_co_filename(result, self.path)  # type: ignore[attr-defined]  # private: not in typeshed
                return result
            return compile(store.read(entry), self.path, "exec", dont_inherit=True)
        except OSError as exc:
            raise StoreError(
                ERR_ENTRY_UNREADABLE.format(entry=entry, store=store.location, error=exc),
                name=fullname,
                path=store.location,
            ) from None

    def get_source(self, fullname: str) -> str | None:
        if self.entry.endswith(".pyc"):
            return None
        return decode_source(self.store.read(self.entry))

    def get_data(self, path: str) -> bytes:
        """Bytes of a file in the store (by its store-shaped path) or on disk."""
        prefix = self.root + os.sep
        if path.startswith(prefix):
            try:
                return self.store.read(path[len(prefix) :].replace(os.sep, "/"))
            except FileNotFoundError:
                raise OSError(0, "", path) from None
        with open(path, "rb") as f:
            return f.read()

    # live reload (importworks.reload): what changed, and which file to watch
    def source_stamp(self, fullname: str) -> Any:
        """The entry's checksum in the store as it is on disk now (a rebuilt store counts)."""
        try:
            row = refresh_store(self.store.location).index.get(self.entry)
        except StoreError:
            return None
        return None if row is None else (row.crc32, row.size)

    def watch_paths(self, fullname: str) -> list[str]:
        return [self.store.location]

    def get_resource_reader(self, fullname: str) -> Any:
        from .resources import StoreResourceReader

        folder = self.entry.rpartition("/")[0]
        extracted = self.root if self.root != self.store.location else None
        return StoreResourceReader(self.store, folder, extracted)

    def load_module(self, fullname: str) -> ModuleType:
        """Deprecated: use exec_module()."""
        return load_module_shim(self, fullname)


drop_load_module(StoreLoader)


class StoreExtensionLoader(StoreLoader):
    """Load a C extension from a store by copying it to the private cache first."""

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        if self.root != self.store.location:
            # part of a group extracted whole (see StoreFinder._extracted): load it where it
            # lies, beside the libraries and data it finds through $ORIGIN or its __file__
            spec.origin = self.path
            try:
                return _imp.create_dynamic(spec)
            except ImportError:
                if os.path.isfile(self.path):
                    raise
                raise StoreError(
                    ERR_EXTRACTED_INCOMPLETE.format(name=self.name, root=self.root, entry=self.entry),
                    name=self.name,
                    path=self.path,
                ) from None
        data = self.store.read(self.entry)
        key = sha256_hex(data)  # content-addressed: one copy per distinct file
        basename = self.entry.rpartition("/")[2]
        folder = materialize("ext", key, [(basename, data)])
        spec.origin = os.path.join(folder, basename)  # what dlopen needs, and an honest __file__
        return _imp.create_dynamic(spec)

    def exec_module(self, module: ModuleType) -> None:
        _imp.exec_dynamic(module)

    def get_code(self, fullname: str) -> None:  # type: ignore[override]  # no code object, as for any extension
        return None

    def get_source(self, fullname: str) -> None:
        return None
