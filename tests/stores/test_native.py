"""Native code from a store works as from site-packages (issue 13, items 1-2).

A distribution with extension modules or shared libraries is materialised
whole, once, under one content-addressed root of the extraction cache, so that
what its native code finds by relative path - ``$ORIGIN/../NAME.libs``
(auditwheel), the shared ``*__mypyc`` module beside the packages (mypyc), a
library opened by path (ctypes, cffi) - is where it was in site-packages. Its
Python code still comes precompiled from the store.

The first tests build such a distribution with the C compiler; the others use
real wheels from PyPI (psycopg-binary, which the test extras install; numpy,
pillow and black, installed into a folder by pip: marked slow).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from importworks.stores.pack import pack
from tests.conftest import build, run_python

NO_SITE = """
import json, os, sys
sys.path[:] = [p for p in sys.path if "site-packages" not in p]
import importworks
importworks.install()
sys.path.insert(0, sys.argv[1])
"""

EXTENSION_C = r"""
#include <Python.h>
int helper_answer(void);
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(helper_answer()); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, MODULE_NAME, NULL, -1, methods};
PyMODINIT_FUNC PyInit__ext(void) { return PyModule_Create(&module); }
"""
LIBRARY = "libhelper-1a2b3c4d.so.1.0"

NATIVE_PACKAGE = {
    "nat": {
        "__init__.py": (
            "import ctypes, os\n"
            "import nat_shared\n"
            "from ._ext import answer\n"
            "HERE = os.path.dirname(__file__)\n"
            "def by_path():\n"
            f"    return ctypes.CDLL(os.path.join(HERE, '..', 'nat.libs', '{LIBRARY}')).helper_answer()\n"
            "def grammar():\n"  # mypyc's way: data found from the shared module's location
            "    with open(os.path.join(nat_shared.ROOT, 'nat', 'data', 'Grammar.txt')) as f:\n"
            "        return f.read()\n"
        ),
        "pure.py": "VALUE = 'pure'\n",
        "data": {"Grammar.txt": "file_input: stmt*\n"},
        "tests": {"__init__.py": "", "test_nat.py": "import nat\n"},
    },
    "nat_shared.py": "import os\nROOT = os.path.dirname(__file__)\n",
    "nat.libs": {},
    "nat-1.0.dist-info": {"METADATA": "Metadata-Version: 2.1\nName: nat\nVersion: 1.0\n", "INSTALLER": "pip\n"},
}

CHECK_NATIVE = (
    NO_SITE
    + """
import nat, nat.pure, nat_shared
print(json.dumps({"answer": nat.answer(), "by_path": nat.by_path(), "grammar": nat.grammar(),
                  "nat": nat.__file__, "ext": nat._ext.__file__, "shared": nat_shared.__file__,
                  "pure_loader": type(nat.pure.__loader__).__name__}))
"""
)


def _compile(args: list[str]) -> None:
    proc = subprocess.run(["cc", *args], capture_output=True, text=True)
    if proc.returncode:
        pytest.skip(f"cannot build the test extension: {proc.stderr.strip()[:300]}")


@pytest.fixture
def native_site(tmp_path: Path) -> Path:
    """A site-packages folder holding 'nat': an extension linked through $ORIGIN to nat.libs/."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    site = build(tmp_path / "site", NATIVE_PACKAGE)
    libs = site / "nat.libs"
    (tmp_path / "helper.c").write_text("int helper_answer(void) { return 42; }\n")
    _compile(["-shared", "-fPIC", f"-Wl,-soname,{LIBRARY}", "-o", str(libs / LIBRARY), str(tmp_path / "helper.c")])
    (tmp_path / "ext.c").write_text(EXTENSION_C)
    _compile(
        [
            "-shared",
            "-fPIC",
            '-DMODULE_NAME="nat._ext"',
            f"-I{sysconfig.get_paths()['include']}",
            "-o",
            str(site / "nat" / f"_ext{EXTENSION_SUFFIXES[0]}"),
            str(tmp_path / "ext.c"),
            str(libs / LIBRARY),
            "-Wl,-rpath,$ORIGIN/../nat.libs",
        ]
    )
    record = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
    (site / "nat-1.0.dist-info" / "RECORD").write_text(
        "".join(f"{entry},,\n" for entry in record) + "nat-1.0.dist-info/RECORD,,\n../../bin/nat-tool,,\n"
    )
    return site


def _run(store: Path, cache: Path, code: str = CHECK_NATIVE) -> dict:
    proc = run_python(code, str(store), env={"IMPORTWORKS_CACHE": str(cache)})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_extension_finds_its_vendored_library_through_origin(tmp_path, native_site, kind):
    store, cache = tmp_path / f"nat.{kind}", tmp_path / "cache"
    result = pack([], str(store), site_packages=[str(native_site)])
    assert "nat.libs/" + LIBRARY in open_entries(store)  # pack --site-packages keeps the .libs folder
    assert result.extract.keys() == {"nat", "nat.libs", "nat_shared.py"}
    assert len(set(result.extract.values())) == 1  # one distribution, one root
    assert result.extract_reasons["nat"].startswith("native code: 1 extension module(s); shared libraries in nat.libs/")
    assert result.skipped == [
        ("../../bin/nat-tool", "nat: installed outside site-packages (a script or data file, not importable)")
    ]
    out = _run(store, cache)
    assert out["answer"] == 42 and out["by_path"] == 42 and out["grammar"] == "file_input: stmt*\n"
    root = cache / "pkg" / result.extract["nat"]
    assert out["nat"] == str(root / "nat" / "__init__.py")
    assert out["ext"] == str(root / "nat" / f"_ext{EXTENSION_SUFFIXES[0]}")
    assert out["shared"] == str(root / "nat_shared.py")  # top-level modules of the distribution beside it
    assert out["pure_loader"] == "StoreLoader"  # the code still comes from the store


def test_materialised_once_and_reused(tmp_path, native_site):
    store, cache = tmp_path / "nat.sqlite", tmp_path / "cache"
    pack([], str(store), site_packages=[str(native_site)])
    _run(store, cache)
    (root,) = (cache / "pkg").iterdir()
    stamp = root.stat().st_mtime_ns
    _run(store, cache)
    assert [p.name for p in (cache / "pkg").iterdir()] == [root.name]
    assert root.stat().st_mtime_ns == stamp
    assert not (cache / "ext").exists()  # no extension copied away from its libraries


def test_pack_dist_takes_every_file_of_the_record(tmp_path, native_site, monkeypatch):
    monkeypatch.syspath_prepend(str(native_site))
    store = tmp_path / "nat.sqlite"
    result = pack([], str(store), dists=["nat"])
    assert {"nat.libs/" + LIBRARY, "nat_shared.py", "nat/data/Grammar.txt"} <= set(open_entries(store))
    out = _run(store, tmp_path / "cache")
    assert out["answer"] == 42
    assert result.extract.keys() == {"nat", "nat.libs", "nat_shared.py"}


def test_ls_says_what_is_extracted_and_why(tmp_path, native_site, capsys):
    from importworks.cli import main

    store = tmp_path / "nat.sqlite"
    pack([], str(store), site_packages=[str(native_site)])
    assert main(["ls", "-l", str(store)]) == 0
    out = capsys.readouterr().out
    assert (
        "# extracted: nat, nat.libs, nat_shared.py: native code: 1 extension module(s); shared libraries in "
        "nat.libs/ (materialised with the rest of the distribution)"
    ) in out


def test_distributions_linked_through_origin_share_one_root(tmp_path):
    """torch's way: an extension whose RPATH reaches into another distribution's folder."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    site = build(
        tmp_path / "site",
        {
            "provider": {"__init__.py": "", "lib": {}},
            "provider-1.0.dist-info": {"METADATA": "Metadata-Version: 2.1\nName: provider\nVersion: 1.0\n"},
            "user": {"__init__.py": "from ._ext import answer\n"},
            "user-1.0.dist-info": {"METADATA": "Metadata-Version: 2.1\nName: user\nVersion: 1.0\n"},
        },
    )
    (tmp_path / "helper.c").write_text("int helper_answer(void) { return 42; }\n")
    library = site / "provider" / "lib" / LIBRARY
    _compile(["-shared", "-fPIC", f"-Wl,-soname,{LIBRARY}", "-o", str(library), str(tmp_path / "helper.c")])
    (tmp_path / "ext.c").write_text(EXTENSION_C)
    _compile(
        [
            "-shared",
            "-fPIC",
            '-DMODULE_NAME="user._ext"',
            f"-I{sysconfig.get_paths()['include']}",
            "-o",
            str(site / "user" / f"_ext{EXTENSION_SUFFIXES[0]}"),
            str(tmp_path / "ext.c"),
            str(library),
            "-Wl,-rpath,$ORIGIN/../provider/lib",
        ]
    )
    for dist in ("provider", "user"):
        record = sorted(str(p.relative_to(site)) for p in (site / dist).rglob("*") if p.is_file())
        (site / f"{dist}-1.0.dist-info" / "RECORD").write_text("".join(f"{entry},,\n" for entry in record))
    store = tmp_path / "linked.sqlite"
    result = pack([], str(store), site_packages=[str(site)])
    assert result.extract["user"] == result.extract["provider"]  # one root for both
    out = _run(
        store,
        tmp_path / "cache",
        NO_SITE
        + """
import user
print(json.dumps({"answer": user.answer(), "file": user.__file__}))
""",
    )
    assert out["answer"] == 42 and out["file"].startswith(str(tmp_path / "cache" / "pkg"))


def test_files_that_are_not_elf_have_no_rpaths():
    from importworks.stores.extraction import elf_origin_paths

    assert elf_origin_paths("pkg/mod.so", b"not an ELF file") == []
    assert elf_origin_paths("pkg/mod.so", b"\x7fELF\x02\x01" + b"\xff" * 58) == []  # headers pointing nowhere


def open_entries(store: Path) -> list[str]:
    from importworks.stores.opening import open_store

    with open_store(str(store)) as opened:
        return list(opened.index)


# -- real wheels ---------------------------------------------------------------------

CHECK_PSYCOPG = (
    NO_SITE
    + """
os.environ["PSYCOPG_IMPL"] = "binary"
import psycopg, psycopg_binary
print(json.dumps({"impl": psycopg.pq.__impl__, "libpq": psycopg.pq.version(), "file": psycopg_binary.__file__,
                  "libs": sorted(os.listdir(os.path.join(os.path.dirname(psycopg_binary.__file__), "..",
                                                         "psycopg_binary.libs")))}))
"""
)


def test_psycopg_binary_loads_libpq_from_its_libs_folder(tmp_path):
    """psycopg-binary is auditwheel-repaired: its extension finds libpq in psycopg_binary.libs/."""
    import importlib.util

    if importlib.util.find_spec("psycopg_binary") is None:  # not imported here: psycopg must come first
        pytest.skip("psycopg-binary is not installed")
    store, cache = tmp_path / "pg.sqlite", tmp_path / "cache"
    result = pack([], str(store), dists=["psycopg", "psycopg-binary"], deps=True)
    assert {"psycopg_binary", "psycopg_binary.libs"} <= result.extract.keys()
    out = _run(store, cache, CHECK_PSYCOPG)
    assert out["impl"] == "binary" and out["libpq"] > 100000
    assert out["file"].startswith(str(cache / "pkg"))
    assert any(name.startswith("libpq") for name in out["libs"])


def _pip_target(tmp_path: Path, *requirements: str) -> Path:
    target = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            "--only-binary",
            ":all:",
            "--target",
            str(target),
            *requirements,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode:
        pytest.skip(f"pip could not install {requirements} from PyPI: {proc.stderr.strip()[-300:]}")
    return target


@pytest.mark.slow
def test_numpy_and_pillow_wheels_from_pypi(tmp_path):
    site = _pip_target(tmp_path, "numpy", "pillow")
    assert any(site.glob("numpy.libs/*")) or any(site.glob("pillow.libs/*"))
    store = tmp_path / "np.sqlite"
    pack([], str(store), site_packages=[str(site)])
    out = _run(
        store,
        tmp_path / "cache",
        NO_SITE
        + """
import io, numpy
from PIL import Image
image = Image.fromarray(numpy.arange(48, dtype=numpy.uint8).reshape(4, 4, 3))
png = io.BytesIO(); image.save(png, "PNG")
print(json.dumps({"sum": int(numpy.linalg.inv(numpy.eye(3) * 2).sum() * 100), "png": png.getvalue()[:4].hex(),
                  "numpy": numpy.__file__}))
""",
    )
    assert out["sum"] == 150 and out["png"] == "89504e47"
    assert out["numpy"].startswith(str(tmp_path / "cache" / "pkg"))


@pytest.mark.slow
def test_black_compiled_with_mypyc_from_pypi(tmp_path):
    site = _pip_target(tmp_path, "black")
    shared = [p.name for p in site.glob("*__mypyc*")]
    if not shared:
        pytest.skip("this black wheel is not compiled with mypyc")
    store = tmp_path / "black.sqlite"
    result = pack([], str(store), site_packages=[str(site)])
    assert set(shared) <= result.extract.keys()
    out = _run(
        store,
        tmp_path / "cache",
        NO_SITE
        + """
import black
print(json.dumps({"out": black.format_str("x = {  'a':1 }", mode=black.Mode()), "compiled": black.COMPILED}))
""",
    )
    assert out == {"out": 'x = {"a": 1}\n', "compiled": True}


@pytest.mark.slow
def test_rust_and_cffi_extensions_from_pypi(tmp_path):
    """cryptography (Rust, with cffi's top-level _cffi_backend beside cffi) and rpds-py (Rust, PyO3)."""
    site = _pip_target(tmp_path, "cryptography", "rpds-py")
    store = tmp_path / "rust.zip"
    result = pack([], str(store), site_packages=[str(site)])
    assert {"cryptography", "rpds", "cffi"} <= result.extract.keys()
    out = _run(
        store,
        tmp_path / "cache",
        NO_SITE
        + """
import _cffi_backend, cffi, rpds
from cryptography.fernet import Fernet
key = Fernet.generate_key()
print(json.dumps({"fernet": Fernet(key).decrypt(Fernet(key).encrypt(b"x")).decode(),
                  "rpds": sorted(rpds.HashTrieMap({"a": 1}).insert("b", 2).keys()),
                  "cffi": cffi.FFI().sizeof("int")}))
""",
    )
    assert out == {"fernet": "x", "rpds": ["a", "b"], "cffi": 4}


def test_ls_without_long_keeps_stdout_one_path_a_line(tmp_path, native_site, capsys):
    from importworks.cli import main

    store = tmp_path / "nat.zip"
    pack([], str(store), site_packages=[str(native_site)])
    assert main(["ls", str(store)]) == 0
    captured = capsys.readouterr()
    assert "nat/__init__.py\n" in captured.out and "#" not in captured.out
    assert "# extracted: nat, nat.libs, nat_shared.py: native code: " in captured.err
