"""The store path hook never leaves a dud finder behind while a store is being opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from importworks.stores.pack import pack
from tests.conftest import build, run_python


@pytest.mark.parametrize("suffix", [".sqlite", ".zip"])
@pytest.mark.parametrize(
    "asker",
    [
        "pkgutil.get_importer(STORE)",
        "list(pkgutil.iter_modules([STORE]))",
    ],
)
def test_a_finder_cached_while_the_store_opens_serves_the_store(asker, suffix, tmp_path: Path):
    """pkgutil keeps the first finder it is given: it must work once the store is open.

    Opening a store imports what the backend needs (sqlite3, zlib...), and those
    imports search sys.path, where the store comes first: the finder the hook
    hands out meanwhile used to stay in sys.path_importer_cache for good, and
    every later import from the store failed.
    """
    build(tmp_path / "app", {"hello.py": "X = 1\n", "pkg": {"__init__.py": "", "mod.py": "Y = 2\n"}})
    store = tmp_path / f"app{suffix}"
    pack([str(tmp_path / "app")], str(store))
    result = run_python(f"""
        import pkgutil, sys
        import importworks
        importworks.install()
        STORE = {str(store)!r}
        sys.path.insert(0, STORE)
        {asker}
        import hello, pkg.mod
        print(hello.X, pkg.mod.Y, type(sys.path_importer_cache[STORE]).__name__)
        print(sorted(m.name for m in pkgutil.iter_modules([STORE])))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["1 2 StoreFinder", "['hello', 'pkg']"]
