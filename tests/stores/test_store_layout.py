"""What makes a store cheap to start from: its layout, and no system call per package."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from contextlib import closing

import pytest

from importworks.stores import StoreFinder
from importworks.stores.finder import store_path_hook
from importworks.stores.opening import open_store
from importworks.stores.pack import pack
from tests.conftest import build
from tests.stores.conftest import SAMPLE


def test_a_package_folder_of_an_open_store_costs_no_system_call(sample_store, monkeypatch):
    store_path_hook(str(sample_store))  # opens the store

    def no_file_system(*args, **kwargs):
        raise AssertionError(f"file system touched: {args}")

    monkeypatch.setattr(os, "stat", no_file_system)
    monkeypatch.setattr(os.path, "isdir", no_file_system)
    monkeypatch.setattr(os.path, "isfile", no_file_system)
    finder = store_path_hook(os.path.join(str(sample_store), "sample", "sub"))
    assert isinstance(finder, StoreFinder) and finder.prefix == "sample/sub/"
    monkeypatch.undo()
    assert finder.find_spec("sample.sub.deep").origin == os.path.join(str(sample_store), "sample", "sub", "deep.py")
    with pytest.raises(ImportError):  # not a folder in the store
        store_path_hook(os.path.join(str(sample_store), "nope"))
    root = store_path_hook(str(sample_store) + "/")  # the root again, spelled with a slash
    assert root.prefix == "" and root.find_spec("sample").origin.endswith(os.path.join("sample", "__init__.py"))


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_compiled_code_comes_first(tmp_path, kind):
    sample_store = tmp_path / f"sample.{kind}"
    pack([str(build(tmp_path / "src", SAMPLE))], str(sample_store))
    with open_store(str(sample_store)) as store:
        assert store.index  # a zip's metadata comes with its index
        code_bytes = int(store.metadata["code_bytes"])
        assert 0 < code_bytes <= os.path.getsize(sample_store)
    if kind == "zip":
        with zipfile.ZipFile(sample_store) as archive:
            names = [info.filename for info in sorted(archive.infolist(), key=lambda i: i.header_offset)]
        compiled = [n for n in names if n.endswith(".pyc")]
        assert compiled and names[: len(compiled)] == sorted(compiled)
        last = max(archive.getinfo(n).header_offset for n in compiled)
        assert last < code_bytes
    else:
        with closing(sqlite3.connect(f"file:{sample_store}?mode=ro", uri=True)) as db:
            ids = [row[0] for row in db.execute("SELECT id FROM code ORDER BY id")]
        assert ids and ids == sorted(set(ids))
