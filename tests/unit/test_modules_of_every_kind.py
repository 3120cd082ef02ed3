"""Builtin, frozen and extension modules import through the engine's own loaders."""

from __future__ import annotations

import json
import sys

from tests.conftest import run_python


def test_builtin_frozen_and_extension_modules_in_a_fresh_process():
    result = run_python("""
        import importworks, json, sys
        importworks.activate()
        import _lzma, array, zipimport, _decimal
        out = {}
        for name in ('_lzma', 'array', 'zipimport', '_decimal'):
            spec = sys.modules[name].__spec__
            kind = spec.loader if isinstance(spec.loader, type) else type(spec.loader)
            out[name] = [kind.__module__, kind.__name__, spec.origin]
        print(json.dumps(out))
    """)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["_lzma"][:2] == ["importworks.loaders", "ExtensionFileLoader"]
    assert found["_lzma"][2].endswith(".so") or found["_lzma"][2].endswith(".pyd")
    assert {value[0] for value in found.values()} == {"importworks.loaders"}
    kinds = {name: value[1] for name, value in found.items()}
    assert kinds["array"] in ("BuiltinImporter", "ExtensionFileLoader")
    # zipimport is frozen from 3.11 and a plain source module on 3.10
    assert kinds["zipimport"] == ("FrozenImporter" if sys.version_info >= (3, 11) else "SourceFileLoader")


def test_c_extension_from_site_packages_imports():
    # _pytest depends on no C extension, so use one that every venv has: _sqlite3 or _ssl
    result = run_python("""
        import importworks
        importworks.activate()
        import sqlite3
        con = sqlite3.connect(':memory:')
        print(con.execute('select 6 * 7').fetchone()[0], type(sqlite3.dbapi2._sqlite3.__loader__).__name__
              if hasattr(sqlite3.dbapi2, '_sqlite3') else type(__import__('_sqlite3').__loader__).__name__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["42", "ExtensionFileLoader"]
