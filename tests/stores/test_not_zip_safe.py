"""Packages that open files beside their own __file__ work from a store."""

from __future__ import annotations

import os
import sys

import pytest

from importworks.stores import StoreLoader
from importworks.stores.pack import pack
from tests.conftest import build

NOT_ZIP_SAFE = {
    "filereader": {
        "__init__.py": "import os\nHERE = os.path.dirname(__file__)\n"
        "def load():\n    with open(os.path.join(HERE, 'data', 'table.txt')) as f:\n"
        "        return f.read()\n",
        "data": {"table.txt": "row 1\n"},
        "helpers.py": "NAME = 'helpers'\n",
    },
    "plain": {"__init__.py": "X = 1\n", "notes.txt": "not opened by code\n"},
}


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_detected_at_pack_time_and_materialised_once(tmp_path, kind, engine, monkeypatch):
    monkeypatch.setenv("IMPORTWORKS_CACHE", str(tmp_path / "cache"))
    source = build(tmp_path / "src", NOT_ZIP_SAFE)
    store = tmp_path / f"app.{kind}"
    result = pack([str(source)], str(store))
    assert list(result.extract) == ["filereader"]  # data files + __file__; 'plain' has no __file__ use
    sys.path.insert(0, str(store))
    import filereader.helpers
    import plain

    assert filereader.load() == "row 1\n"
    assert filereader.__file__.startswith(str(tmp_path / "cache" / "pkg"))
    assert os.path.isfile(filereader.__file__)
    # the code still comes from the store, precompiled
    assert isinstance(filereader.__loader__, StoreLoader)
    assert isinstance(filereader.helpers.__loader__, StoreLoader)
    assert plain.__file__.startswith(str(store))


def test_extract_can_be_asked_for_by_name(tmp_path):
    source = build(tmp_path / "src", NOT_ZIP_SAFE)
    result = pack([str(source)], str(tmp_path / "app.sqlite"), extract=["plain"])
    assert sorted(result.extract) == ["filereader", "plain"]


EVIDENCE = {
    # jsonschema's shape: only its tests use __file__ (to find their fixtures)
    "schemas": {
        "__init__.py": "from importlib.resources import files\n"
        "def load():\n    return files(__name__).joinpath('meta.json').read_text()\n",
        "meta.json": "{}\n",
        "tests": {
            "__init__.py": "",
            "test_suite.py": "import os\nHERE = os.path.dirname(__file__)\n",
            "fixtures.json": "[]\n",
        },
        "benchmarks": {"bench.py": "print(__file__)\n", "data.txt": "x\n"},
    },
    # certifi's shape: the bundle asked for as a real file through importlib.resources
    "bundle": {
        "__init__.py": "from importlib.resources import as_file, files\n"
        "_CTX = as_file(files(__name__).joinpath('cacert.pem'))\n"
        "def where():\n    return str(_CTX.__enter__())\n",
        "cacert.pem": "-----BEGIN CERTIFICATE-----\n",
    },
}


def test_extraction_ignores_tests_benchmarks_and_docs(tmp_path):
    source = build(tmp_path / "src", EVIDENCE)
    result = pack([str(source)], str(tmp_path / "app.sqlite"))
    assert result.extract == {}


def test_resources_needed_as_files_are_written_once_not_per_run(tmp_path):
    from tests.conftest import run_python

    source = build(tmp_path / "src", EVIDENCE)
    store = tmp_path / "app.sqlite"
    pack([str(source)], str(store))
    code = """
        import sys
        import importworks
        importworks.install()
        sys.path.insert(0, sys.argv[1])
        import bundle, schemas
        print(bundle.where(), schemas.load().strip(), schemas.__file__.startswith(sys.argv[1]))
    """
    cache = tmp_path / "cache"
    runs = [run_python(code, str(store), env={"IMPORTWORKS_CACHE": str(cache)}) for _ in range(2)]
    assert all(proc.returncode == 0 for proc in runs), runs[0].stderr
    first, second = (proc.stdout.split() for proc in runs)
    assert first == second  # the same file both times, not a fresh temporary copy
    assert first[0].startswith(str(cache / "res")) and first[1:] == ["{}", "True"]
    with open(first[0]) as f:
        assert f.read() == "-----BEGIN CERTIFICATE-----\n"
