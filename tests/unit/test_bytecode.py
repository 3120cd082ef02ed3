"""The __pycache__ bytecode cache is shared with CPython in both directions."""

from __future__ import annotations

import importlib.machinery
import os
import py_compile
import sys

import pytest

import importworks
from importworks.finders import bytecode
from importworks.finders.loaders import SourceFileLoader


class RefusesToCompile(SourceFileLoader):
    """Our loader, but compiling source is a failure: the pyc must be used."""

    def source_to_code(self, *args, **kwargs):
        raise AssertionError("recompiled although a valid pyc was cached")


class StockRefusesToCompile(importlib.machinery.SourceFileLoader):
    def source_to_code(self, *args, **kwargs):
        raise AssertionError("CPython recompiled our pyc")


@pytest.fixture(autouse=True)
def write_bytecode(monkeypatch):
    """The cache is under test: write it even if PYTHONDONTWRITEBYTECODE is set."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "cached_mod.py"
    path.write_text("VALUE = 41 + 1\n")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    return str(path)


def test_cache_path_matches_cpython(source):
    assert bytecode.cache_from_source(source) == importlib.util.cache_from_source(source)
    pyc = bytecode.cache_from_source(source)
    assert bytecode.source_from_cache(pyc) == importlib.util.source_from_cache(pyc)
    assert bytecode.cache_from_source(source, optimization=2) == importlib.util.cache_from_source(
        source, optimization=2
    )


def test_pyc_we_write_is_accepted_by_cpython(source):
    code = SourceFileLoader("cached_mod", source).get_code("cached_mod")
    assert os.path.exists(bytecode.cache_from_source(source))
    stock_code = StockRefusesToCompile("cached_mod", source).get_code("cached_mod")
    namespace: dict = {}
    exec(stock_code, namespace)
    assert namespace["VALUE"] == 42 and code.co_filename == source


def test_pyc_cpython_writes_is_accepted_by_us(source):
    py_compile.compile(source, cfile=bytecode.cache_from_source(source), doraise=True)
    code = RefusesToCompile("cached_mod", source).get_code("cached_mod")
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["VALUE"] == 42


def test_stale_pyc_is_recompiled(source):
    SourceFileLoader("cached_mod", source).get_code("cached_mod")
    with open(source, "w") as f:
        f.write("VALUE = 'edited'\n")
    os.utime(source, (1_700_000_000, 1_700_000_000))
    namespace: dict = {}
    exec(SourceFileLoader("cached_mod", source).get_code("cached_mod"), namespace)
    assert namespace["VALUE"] == "edited"
    # and the rewritten pyc is valid for CPython again
    StockRefusesToCompile("cached_mod", source).get_code("cached_mod")


@pytest.mark.parametrize(
    "mode", [py_compile.PycInvalidationMode.CHECKED_HASH, py_compile.PycInvalidationMode.UNCHECKED_HASH]
)
def test_hash_based_pycs(source, mode):
    cache = bytecode.cache_from_source(source)
    py_compile.compile(source, cfile=cache, doraise=True, invalidation_mode=mode)
    RefusesToCompile("cached_mod", source).get_code("cached_mod")
    with open(source, "w") as f:
        f.write("VALUE = 'edited'\n")
    os.utime(source, (1_600_000_000, 1_600_000_000))  # same mtime: only the hash tells
    namespace: dict = {}
    exec(SourceFileLoader("cached_mod", source).get_code("cached_mod"), namespace)
    expected = "edited" if mode is py_compile.PycInvalidationMode.CHECKED_HASH else 42
    assert namespace["VALUE"] == expected
    if mode is py_compile.PycInvalidationMode.CHECKED_HASH:
        with open(cache, "rb") as f:
            header = f.read(16)
        assert int.from_bytes(header[4:8], "little") == 0b11  # rewritten, still checked-hash
        assert header[8:16] == bytecode.source_hash(b"VALUE = 'edited'\n")


def test_dont_write_bytecode_is_honoured(source, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    SourceFileLoader("cached_mod", source).get_code("cached_mod")
    assert not os.path.exists(bytecode.cache_from_source(source))


def test_pycache_prefix_is_honoured(source, tmp_path, monkeypatch):
    prefix = tmp_path / "prefix"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    SourceFileLoader("cached_mod", source).get_code("cached_mod")
    expected = importlib.util.cache_from_source(source)
    assert expected.startswith(str(prefix)) and os.path.exists(expected)
    assert not os.path.exists(os.path.join(os.path.dirname(source), "__pycache__"))


def test_corrupt_pyc_falls_back_to_source(source):
    cache = bytecode.cache_from_source(source)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "wb") as f:
        f.write(b"\x00\x01garbage")
    namespace: dict = {}
    exec(SourceFileLoader("cached_mod", source).get_code("cached_mod"), namespace)
    assert namespace["VALUE"] == 42
    with open(cache, "rb") as f:
        assert f.read(4) == importworks.util.MAGIC_NUMBER


def test_write_is_atomic_and_leaves_no_temporary_files(source):
    SourceFileLoader("cached_mod", source).get_code("cached_mod")
    folder = os.path.dirname(bytecode.cache_from_source(source))
    assert os.listdir(folder) == [os.path.basename(bytecode.cache_from_source(source))]


def test_decode_source_universal_newlines_and_cookie():
    assert bytecode.decode_source(b"# coding: latin-1\r\nx = '\xe9'\r\n") == "# coding: latin-1\nx = 'é'\n"


def test_a_temporary_file_left_by_a_killed_writer_does_not_block_the_cache(tmp_path):
    """The temporary name is random: ids repeat from run to run, so a name built from id(path) could stay taken."""
    target = str(tmp_path / "mod.cpython-x.pyc")
    stale = f"{target}.{id(target)}"  # what a writer killed mid-write would have left, by the stdlib's naming
    open(stale, "wb").close()
    bytecode.write_atomic(target, b"new", 0o644)
    with open(target, "rb") as f:
        assert f.read() == b"new"
    assert sorted(os.listdir(tmp_path)) == sorted([os.path.basename(target), os.path.basename(stale)])


def test_a_failed_atomic_write_removes_its_temporary_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError):
        bytecode.write_atomic(str(target), b"data")
    assert os.listdir(tmp_path) == ["taken"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_atomic_write_applies_the_umask_like_a_new_file(tmp_path):
    old = os.umask(0o027)
    try:
        bytecode.write_atomic(str(tmp_path / "f.pyc"), b"x", 0o666)
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "f.pyc").st_mode & 0o777 == 0o640


@pytest.mark.parametrize("source", ["pkg/mod.py", "/abs/pkg/mod.py", "tool", "pkg.d/file", "a.b.py", "mod.py"])
@pytest.mark.parametrize("optimization", [None, "", 0, 2, "x1"])
@pytest.mark.parametrize("prefix", [None, "/cache/root"])
def test_cache_paths_are_the_stdlibs(source, optimization, prefix, monkeypatch):
    """One computation (name fields, folder rule) gives the stdlib's path for every case, and back."""
    monkeypatch.setattr(sys, "pycache_prefix", prefix)
    ours = bytecode.cache_from_source(source, optimization=optimization)
    assert ours == importlib.util.cache_from_source(source, optimization=optimization)
    if source.endswith(".py") and "." not in source[:-3].rsplit("/", 1)[-1]:
        assert bytecode.source_from_cache(ours) == importlib.util.source_from_cache(ours)


@pytest.mark.parametrize(
    "path",
    [
        "pkg/mod.cpython-313.pyc",  # not under __pycache__
        "__pycache__/mod.pyc",  # too few dots
        "__pycache__/mod.a.b.c.pyc",  # too many dots
        "__pycache__/mod.cpython-313.o-2.pyc",  # optimization field without opt-
        "__pycache__/mod.cpython-313.opt-!.pyc",  # optimization level not alphanumeric
    ],
)
def test_source_from_cache_refuses_what_the_stdlib_refuses_with_its_message(path):
    with pytest.raises(ValueError) as stock:
        importlib.util.source_from_cache(path)
    with pytest.raises(ValueError) as ours:
        bytecode.source_from_cache(path)
    assert str(ours.value) == str(stock.value)
