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
