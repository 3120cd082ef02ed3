"""Backends other than importworks' own: registered, or found through the importworks.stores entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import venv
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import importworks
from importworks.errors import StoreError
from importworks.stores import Backend, IndexedStore, IndexRow, register, registry
from importworks.stores.base import kind_of
from importworks.stores.finder import store_distributions
from importworks.stores.opening import close_stores, open_store
from tests.conftest import SRC, build

# A whole backend as another distribution would ship it: stores that are one JSON file.
PLUGIN = '''
"""Stores in one JSON file: {"importworks-json-store": 1, "files": {path: text}}."""

import json
import os
import zlib

from importworks.stores import Backend, IndexedStore, IndexRow
from importworks.stores.base import kind_of

MAGIC = b'{"importworks-json-store"'


class JsonStore(IndexedStore):
    kind = "json"

    def __init__(self, location, probe=None):
        super().__init__(location)
        with open(location, "rb") as f:
            self._files = {path: text.encode() for path, text in json.load(f)["files"].items()}

    def load_index(self):
        rows = {path: IndexRow(kind_of(path), len(data), zlib.crc32(data)) for path, data in self._files.items()}
        return rows, None

    def read_raw(self, path, row):
        return self._files[path]


def _sniff(probe):
    return os.pread(probe.fd, len(MAGIC), 0) == MAGIC


backend = Backend("json", JsonStore, suffixes=(".jsonstore",), sniff=_sniff)
'''

FILES = {
    "greet/__init__.py": "from .words import WORD\n\ndef hello():\n    return WORD + ' from a JSON store'\n",
    "greet/words.py": "WORD = 'hello'\n",
    "greet/data.txt": "a resource\n",
}


def json_store(path: Path, files: dict[str, str] = FILES) -> Path:
    # the key first: what the backend's sniff looks for
    path.write_text(json.dumps({"importworks-json-store": 1, "files": files}))
    return path


def dist_info(site: Path, name: str, entry_point: str) -> None:
    """An installed distribution *name* 0.1 in *site* with one importworks.stores entry point."""
    build(
        site / f"{name}-0.1.dist-info",
        {
            "METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n",
            "entry_points.txt": f"[importworks.stores]\n{entry_point}\n",
            "RECORD": "",
        },
    )


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test reads the entry points afresh, and leaves only the built-in backends behind."""
    close_stores()
    registry._reset_for_tests()
    yield
    close_stores()
    registry._reset_for_tests()


def test_an_entry_point_backend_serves_imports(tmp_path, monkeypatch, engine):
    site = build(tmp_path / "site", {"iw_jsonstore.py": PLUGIN})
    dist_info(site, "iw-jsonstore", "json = iw_jsonstore:backend")
    monkeypatch.syspath_prepend(str(site))
    store = json_store(tmp_path / "app.jsonstore")
    sys.path.insert(0, str(store))

    import greet

    assert greet.hello() == "hello from a JSON store"
    assert greet.__spec__.origin == str(store / "greet" / "__init__.py")
    assert type(greet.__spec__.loader.store).__name__ == "JsonStore" and greet.__spec__.loader.store.kind == "json"
    assert greet.__spec__.loader.source_kind == "json"
    from importlib.resources import files

    assert files("greet").joinpath("data.txt").read_text() == "a resource\n"
    found = [b for b in registry.backends() if b.name == "json"]
    assert "iw-jsonstore 0.1" in found[0].origin and "json = iw_jsonstore:backend" in found[0].origin


def test_content_claims_a_file_whatever_its_name(tmp_path, monkeypatch):
    site = build(tmp_path / "site", {"iw_jsonstore.py": PLUGIN})
    dist_info(site, "iw-jsonstore", "json = iw_jsonstore:backend")
    monkeypatch.syspath_prepend(str(site))
    with open_store(str(json_store(tmp_path / "app.data"))) as store:
        assert store.kind == "json" and sorted(store.index) == sorted(FILES)
        assert store.read("greet/words.py") == b"WORD = 'hello'\n"


def test_importworks_run_takes_a_store_of_another_backend(tmp_path):
    site = build(tmp_path / "site", {"iw_jsonstore.py": PLUGIN})
    dist_info(site, "iw-jsonstore", "json = iw_jsonstore:backend")
    store = json_store(tmp_path / "app.jsonstore")
    run = subprocess.run(
        [sys.executable, "-m", "importworks", "run", str(store), "-c", "import greet; print(greet.hello())"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(site)])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "hello from a JSON store\n", "")


def test_a_broken_entry_point_is_named_with_its_distribution(tmp_path, monkeypatch):
    site = tmp_path / "site"
    dist_info(site, "iw-broken", "broken = iw_not_there:backend")
    monkeypatch.syspath_prepend(str(site))
    store = json_store(tmp_path / "app.jsonstore")
    named = r"entry point broken = iw_not_there:backend \(importworks.stores\) of distribution iw-broken 0.1"
    with pytest.warns(ImportWarning, match=named), pytest.raises(StoreError) as raised:
        open_store(str(store))
    message = str(raised.value)
    assert "is neither a SQLite store nor a zip archive" in message
    assert "iw-broken 0.1" in message and "ModuleNotFoundError" in message


def test_an_entry_point_naming_something_else_is_ignored_and_named(tmp_path, monkeypatch):
    site = build(tmp_path / "site", {"iw_notabackend.py": "backend = object()\n"})
    dist_info(site, "iw-notabackend", "odd = iw_notabackend:backend")
    monkeypatch.syspath_prepend(str(site))
    store = json_store(tmp_path / "app.jsonstore")
    with (
        pytest.warns(ImportWarning, match="of distribution iw-notabackend 0.1 names object .*not an importworks"),
        pytest.raises(StoreError, match="neither a SQLite store nor a zip archive"),
    ):
        open_store(str(store))


def test_a_backend_of_a_distribution_without_a_name_still_serves(tmp_path, monkeypatch):
    # a damaged METADATA (no Name) must not escape the path hook nor stop the group being read
    site = build(tmp_path / "site", {"iw_jsonstore.py": PLUGIN})
    build(
        site / "iw_nameless-0.1.dist-info",
        {
            "METADATA": "Metadata-Version: 2.1\nVersion: 0.1\n",
            "entry_points.txt": "[importworks.stores]\njson = iw_jsonstore:backend\n",
        },
    )
    monkeypatch.syspath_prepend(str(site))
    with open_store(str(json_store(tmp_path / "app.jsonstore"))) as store:
        assert store.kind == "json"
    assert registry._entry_points_read
    assert "a distribution without a Name" in next(b for b in registry.backends() if b.name == "json").origin


def test_a_broken_backend_cannot_break_an_unrelated_import_under_warnings_as_errors(tmp_path, monkeypatch, engine):
    site = tmp_path / "site"
    dist_info(site, "iw-broken", "broken = iw_not_there:backend")
    monkeypatch.syspath_prepend(str(site))
    plain = tmp_path / "notes.bin"  # a file on sys.path: the store hook reads the entry points for it
    plain.write_bytes(b"not a store")
    build(tmp_path / "code", {"unrelated_mod.py": "X = 1\n"})
    sys.path[:0] = [str(plain), str(tmp_path / "code")]
    importworks.invalidate_caches()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import unrelated_mod

    assert unrelated_mod.X == 1
    assert any("iw-broken 0.1" in reason for reason in registry.unclaimed_reasons())


def test_no_backend_claims_a_plain_file(tmp_path):
    plain = tmp_path / "notes.txt"
    plain.write_text("just text\n")
    with pytest.raises(StoreError, match="neither a SQLite store nor a zip archive"):
        open_store(str(plain))
    sys.path.insert(0, str(plain))
    with importworks.activate():
        assert importlib_find("notes") is None  # the path entry is nobody's: no finder, no warning


def importlib_find(name: str) -> object:
    import importlib.util

    return importlib.util.find_spec(name)


class MemoryStore(IndexedStore):
    """Stores held in this process, named mem://NAME."""

    kind = "mem"
    held: ClassVar[dict[str, dict[str, bytes]]] = {}

    def __init__(self, location: str, probe: object = None) -> None:
        super().__init__(location)
        self._files = self.held[location.partition("://")[2]]

    def load_index(self):  # type: ignore[no-untyped-def]
        return {p: IndexRow(kind_of(p), len(d), zlib.crc32(d)) for p, d in self._files.items()}, None

    def read_raw(self, path: str, row: IndexRow) -> bytes:
        return self._files[path]


def test_a_registered_url_scheme_serves_imports_and_packages(engine):
    MemoryStore.held["demo"] = {"pkg/__init__.py": b"", "pkg/mod.py": b"VALUE = 42\n", "top.py": b"X = 1\n"}
    register(Backend("mem", MemoryStore, schemes=("mem://",)))
    sys.path.insert(0, "mem://demo")
    import pkg.mod
    import top

    assert (pkg.mod.VALUE, top.X) == (42, 1)
    assert pkg.mod.__file__ == os.path.join("mem://demo", "pkg", "mod.py")
    assert pkg.__path__ == [os.path.join("mem://demo", "pkg")]
    # what importlib.metadata's look along sys.path gets: the store at a root entry only
    assert store_distributions("mem://demo", None) is not None  # the store's (none here), not the folders'
    assert store_distributions("mem://demo/pkg", None) is None and store_distributions("nope://x", None) is None


def test_trusted_keys_refuse_a_store_no_key_signed_whatever_its_backend(tmp_path):
    import base64

    from importworks.errors import StoreTrustError
    from importworks.stores.signing import _PEM_PUBLIC, _SPKI_PREFIX

    key = tmp_path / "k.pub"  # any Ed25519 public key: the store carries no signature at all
    key.write_text(f"{_PEM_PUBLIC[0]}\n{base64.b64encode(_SPKI_PREFIX + bytes(32)).decode()}\n{_PEM_PUBLIC[1]}\n")

    class OptsOut(MemoryStore):
        trust_hook = None  # a backend cannot leave the trust check out by having no hook

    MemoryStore.held["unsigned"] = {"unsigned_mod.py": b"X = 1\n"}
    register(Backend("optout", OptsOut, schemes=("optout://",)))
    sys.path.insert(0, "optout://unsigned")
    with importworks.activate(trusted_keys=[key]), pytest.raises(StoreTrustError, match="it is not signed"):
        import unsigned_mod  # noqa: F401
    assert "unsigned_mod" not in sys.modules


def test_a_name_taken_is_refused():
    with pytest.raises(ValueError, match="'zip' is registered already"):
        register(Backend("zip", MemoryStore))


def test_a_backend_that_fails_to_open_is_named(tmp_path):
    def fails(location: str, probe: object) -> IndexedStore:
        raise RuntimeError("disk on fire")

    register(Backend("burning", fails, suffixes=(".burn",), origin="the tests"))  # type: ignore[arg-type]
    (tmp_path / "x.burn").write_text("{}")
    with pytest.raises(StoreError, match=r"backend 'burning' \(the tests\) failed: RuntimeError: disk on fire"):
        open_store(str(tmp_path / "x.burn"))


@pytest.mark.slow  # a venv and a pip build (setuptools from the index): 2-3 s with a local index, more without
def test_a_backend_installed_with_pip_serves_imports_unchanged(tmp_path):
    """The plugin as a real distribution, pip-installed into a fresh environment: importworks is not touched."""
    project = build(
        tmp_path / "iw-jsonstore",
        {
            "pyproject.toml": textwrap.dedent(
                """\
                [build-system]
                requires = ["setuptools>=61"]
                build-backend = "setuptools.build_meta"

                [project]
                name = "iw-jsonstore"
                version = "0.1"

                [project.entry-points."importworks.stores"]
                json = "iw_jsonstore:backend"

                [tool.setuptools]
                py-modules = ["iw_jsonstore"]
                """
            ),
            "iw_jsonstore.py": PLUGIN,
        },
    )
    env = tmp_path / "env"
    venv.create(env, with_pip=False, system_site_packages=False)
    python = env / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "importworks-under-test.pth").write_text(str(SRC) + "\n")  # this worktree's importworks
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(project)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr
    store = json_store(tmp_path / "app.jsonstore")
    program = textwrap.dedent(
        f"""\
        import sys
        import importworks

        importworks.install()
        sys.path.insert(0, {str(store)!r})
        import greet
        from importlib.resources import files
        from importlib.metadata import distribution

        loader = greet.__spec__.loader
        print(greet.hello())
        print(greet.__spec__.origin)
        print(type(loader.store).__module__, type(loader.store).__name__, loader.store.kind)
        print(files("greet").joinpath("data.txt").read_text().strip())
        print(distribution("iw-jsonstore").version)
        """
    )
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [python, "-W", "error", "-c", program], capture_output=True, text=True, env=environ, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "hello from a JSON store",
        str(store / "greet" / "__init__.py"),
        "iw_jsonstore JsonStore json",
        "a resource",
        "0.1",
    ]
