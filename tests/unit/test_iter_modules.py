"""pkgutil.iter_modules lists what plain python lists, from folders and from stores.

pkgutil knows only the stock folder finder by type; with the engine installed
the finders are ours, and Django finds its management commands and
migrations (``0001_initial.py``) this way.
"""

from __future__ import annotations

import pkgutil
import sys
from pathlib import Path

import pytest

import importworks
from importworks.stores.pack import pack
from tests.conftest import build

TREE = {
    "commands": {
        "__init__.py": "",
        "check.py": "",
        "startproject.py": "",
        "0001_initial.py": "",
        "_private.py": "",
        "data.txt": "",
        "two.dots.py": "",
        "sub": {"__init__.py": ""},
        "not_a_package": {"readme.txt": ""},
        "dotted.name": {"__init__.py": ""},
    },
}


def _listed(path: str) -> list[tuple[str, bool]]:
    return [(m.name, m.ispkg) for m in pkgutil.iter_modules([path])]


def test_a_folder_lists_the_same_modules_as_with_the_stock_finder(tmp_path: Path):
    folder = str(build(tmp_path, TREE) / "commands")
    sys.path_importer_cache.pop(folder, None)
    stock = _listed(folder)
    assert ("0001_initial", False) in stock and ("sub", True) in stock  # the reference is what it should be
    with importworks.install():
        sys.path_importer_cache.pop(folder, None)
        assert type(pkgutil.get_importer(folder)).__module__ == "importworks.finders.pathfinder"
        assert _listed(folder) == stock
    with importworks.activate():
        sys.path_importer_cache.pop(folder, None)
        assert _listed(folder) == stock


@pytest.mark.parametrize("suffix", [".sqlite", ".zip"])
def test_a_store_lists_the_same_modules_as_the_folder_it_was_packed_from(suffix, tmp_path: Path):
    root = build(tmp_path / "src", TREE)
    sys.path_importer_cache.pop(str(root / "commands"), None)
    stock = _listed(str(root / "commands"))
    store = tmp_path / f"app{suffix}"
    pack([str(root)], str(store))
    with importworks.install():
        sys.path.insert(0, str(store))
        import commands

        listed = [(m.name, m.ispkg) for m in pkgutil.iter_modules(commands.__path__)]
    assert listed == stock
