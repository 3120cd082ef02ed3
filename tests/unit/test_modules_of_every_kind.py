"""Builtin, frozen and extension modules import through the engine's own loaders."""

from __future__ import annotations

import json

from tests.conftest import run_python


def test_builtin_frozen_and_extension_modules_in_a_fresh_process():
    result = run_python("""
        import importworks, json, sys
        builtin = next(n for n in sys.builtin_module_names if n not in sys.modules)
        frozen = 'runpy' if sys.version_info >= (3, 11) else '__hello__'
        importworks.activate()
        import _lzma, _decimal
        __import__(builtin)
        __import__(frozen)
        out = {}
        for name, key in (('_lzma', '_lzma'), (builtin, 'builtin'), (frozen, 'frozen'), ('_decimal', '_decimal')):
            spec = sys.modules[name].__spec__
            kind = spec.loader if isinstance(spec.loader, type) else type(spec.loader)
            out[key] = [kind.__module__, kind.__name__, spec.origin]
        print(json.dumps(out))
    """)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["_lzma"][:2] == ["importworks.finders.loaders", "ExtensionFileLoader"]
    assert found["builtin"][0] == found["frozen"][0] == "importworks.finders.compiled_in"
    assert found["_lzma"][2].endswith(".so") or found["_lzma"][2].endswith(".pyd")
    kinds = {name: value[1] for name, value in found.items()}
    assert kinds["builtin"] == "BuiltinImporter"
    assert kinds["frozen"] == "FrozenImporter"
    assert kinds["_decimal"] == "ExtensionFileLoader"


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
