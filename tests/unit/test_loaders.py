"""The file loaders: source to bytecode and back, bare pycs, packages, resources, namespaces.

The __pycache__ format itself (shared with CPython, stale and hash-based pycs)
is tested in test_bytecode.py.
"""

from __future__ import annotations

import importlib.machinery
import importlib.resources
import importlib.util
import os
import stat
import sys

import pytest

import importworks
from importworks import util
from importworks.machinery import SourceFileLoader, SourcelessFileLoader
from tests.conftest import build


@pytest.fixture(autouse=True)
def write_bytecode(monkeypatch):
    """The cache is under test: write it even if PYTHONDONTWRITEBYTECODE is set."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def _run(code) -> dict:
    namespace: dict = {}
    exec(code, namespace)
    return namespace


def test_source_compiled_once_then_served_from_bytecode_alone(tmp_path):
    """What a source loader caches, a sourceless loader runs: the round trip a deployment without .py files makes."""
    source = build(tmp_path, {"round.py": "# coding: utf-8\nVALUE = 'é' * 2\n"}) / "round.py"
    loader = SourceFileLoader("round", str(source))
    assert loader.get_source("round") == "# coding: utf-8\nVALUE = 'é' * 2\n"
    assert _run(loader.get_code("round"))["VALUE"] == "éé"
    cached = util.cache_from_source(str(source))
    assert os.path.exists(cached)

    bare = tmp_path / "round.pyc"
    os.replace(cached, bare)
    source.unlink()
    sourceless = SourcelessFileLoader("round", str(bare))
    assert _run(sourceless.get_code("round"))["VALUE"] == "éé"
    assert sourceless.get_source("round") is None


def test_a_bare_pyc_is_imported_when_there_is_no_source(tmp_path, engine):
    source = build(tmp_path, {"only_pyc.py": "VALUE = 7\n"}) / "only_pyc.py"
    SourceFileLoader("only_pyc", str(source)).get_code("only_pyc")
    os.replace(util.cache_from_source(str(source)), tmp_path / "only_pyc.pyc")
    source.unlink()
    sys.path.insert(0, str(tmp_path))
    importworks.invalidate_caches()
    import only_pyc

    assert only_pyc.VALUE == 7
    assert only_pyc.__file__ == str(tmp_path / "only_pyc.pyc")
    assert isinstance(only_pyc.__loader__, SourcelessFileLoader)


def test_the_pyc_is_no_more_readable_than_its_source(tmp_path):
    """A source others may not read gets a pyc others may not read (plus owner-write), as with CPython."""
    source = build(tmp_path, {"private.py": "X = 1\n"}) / "private.py"
    source.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        SourceFileLoader("private", str(source)).get_code("private")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(util.cache_from_source(str(source))).st_mode) == 0o640


def test_a_loader_answers_only_for_its_own_module(tmp_path):
    source = build(tmp_path, {"own.py": ""}) / "own.py"
    loader = SourceFileLoader("own", str(source))
    assert loader.get_filename("own") == loader.get_filename() == str(source)
    with pytest.raises(ImportError) as info:
        loader.get_source("someone_else")
    assert str(info.value) == "loader for own cannot handle someone_else"
    assert info.value.name == "someone_else"


@pytest.mark.parametrize(
    ("name", "filename", "expected"),
    [("pkg", "pkg/__init__.py", True), ("pkg.mod", "pkg/mod.py", False), ("pkg.__init__", "pkg/__init__.py", False)],
)
def test_is_package_goes_by_the_file_name_as_in_importlib(tmp_path, name, filename, expected):
    build(tmp_path, {"pkg": {"__init__.py": "", "mod.py": ""}})
    path = str(tmp_path / filename)
    assert SourceFileLoader(name, path).is_package(name) is expected
    assert importlib.machinery.SourceFileLoader(name, path).is_package(name) is expected


def test_get_data_reads_bytes_and_a_missing_file_is_an_os_error(tmp_path):
    source = build(tmp_path, {"data_mod.py": b"X = 1\r\n"}) / "data_mod.py"
    loader = SourceFileLoader("data_mod", str(source))
    assert loader.get_data(str(source)) == b"X = 1\r\n"
    with pytest.raises(FileNotFoundError):
        loader.get_data(str(tmp_path / "missing.txt"))


def test_loaders_of_the_same_file_are_equal(tmp_path):
    path = str(tmp_path / "same.py")
    assert SourceFileLoader("same", path) == SourceFileLoader("same", path)
    assert len({SourceFileLoader("same", path), SourceFileLoader("same", path)}) == 1
    assert SourceFileLoader("same", path) != SourcelessFileLoader("same", path)


def test_resources_of_a_package_are_read_through_its_loader(tree, engine):
    tree({"res_pkg": {"__init__.py": "", "data": {"table.txt": "row\n"}}})
    import res_pkg

    files = importlib.resources.files(res_pkg)
    assert (files / "data" / "table.txt").read_text() == "row\n"
    assert sorted(entry.name for entry in files.iterdir() if entry.name != "__pycache__") == ["__init__.py", "data"]


def test_a_namespace_package_has_nothing_to_run_and_lists_every_portion(tmp_path, engine):
    build(tmp_path, {"one": {"ns_res": {"a.txt": "a"}}, "two": {"ns_res": {"b.txt": "b"}}})
    sys.path[:0] = [str(tmp_path / "one"), str(tmp_path / "two")]
    importworks.invalidate_caches()
    import ns_res

    loader = ns_res.__loader__
    assert loader.is_package("ns_res") and loader.get_source("ns_res") == ""
    assert set(_run(loader.get_code("ns_res"))) == {"__builtins__"}  # its code defines nothing
    names = sorted(entry.name for entry in importlib.resources.files(ns_res).iterdir())
    assert names == ["a.txt", "b.txt"]


def test_spec_from_file_location_recognises_a_package_as_importlib_does(tmp_path):
    build(tmp_path, {"loc_pkg": {"__init__.py": ""}})
    init = str(tmp_path / "loc_pkg" / "__init__.py")
    ours = util.spec_from_file_location("loc_pkg", init)
    theirs = importlib.util.spec_from_file_location("loc_pkg", init)
    assert ours is not None and theirs is not None
    assert ours.submodule_search_locations == theirs.submodule_search_locations == [str(tmp_path / "loc_pkg")]
    assert (ours.origin, ours.cached, ours.has_location) == (theirs.origin, theirs.cached, theirs.has_location)
    assert isinstance(ours.loader, SourceFileLoader)


def test_a_loader_whose_get_code_gives_none_names_the_module_and_its_file(tmp_path):
    path = tmp_path / "codeless.py"
    path.write_text("X = 1\n")

    class Codeless(SourceFileLoader):
        def get_code(self, fullname):
            return None

    spec = importworks.util.spec_from_file_location("codeless", path, loader=Codeless("codeless", str(path)))
    module = importworks.util.module_from_spec(spec)
    with pytest.raises(ImportError, match="when get_code\\(\\) returns None") as raised:
        spec.loader.exec_module(module)
    assert (raised.value.name, raised.value.path) == ("codeless", str(path))
