"""Every message a user sees, written out in full, from the real failure that raises it.

Each test triggers the failure the way a user would and compares the whole message,
so rewording one is a visible, deliberate change (and the first clause of the
engine's messages stays CPython's own).  The templates live in importworks.errors.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

import importworks
from importworks import errors
from importworks.cli import main
from importworks.engine import locks
from importworks.errors import DeadlockError, StoreError
from importworks.stores.opening import open_store
from importworks.stores.pack import pack
from tests.conftest import build

APP = {"app": {"__init__.py": "X = 1\n", "core.py": "Y = 2\n"}}
ERR_NO_PARENT = "attempted relative import with no known parent package"
ERR_BEYOND = "attempted relative import beyond top-level package"


def _packed(tmp_path: Path, name: str = "app.sqlite") -> Path:
    out = tmp_path / name
    pack([str(build(tmp_path / "src", APP))], str(out))
    return out


# ------------------------------------------------------------------ the engine


def test_missing_module(engine):
    with pytest.raises(ModuleNotFoundError) as info:
        import nowhere_at_all  # noqa: F401
    assert str(info.value) == "No module named 'nowhere_at_all'"
    assert info.value.name == "nowhere_at_all"


def test_submodule_of_a_module_that_is_not_a_package(tree, engine):
    tree({"plain.py": ""})
    with pytest.raises(ModuleNotFoundError) as info:
        import plain.sub  # noqa: F401
    assert str(info.value) == "No module named 'plain.sub'; 'plain' is not a package"


def test_import_halted_by_none_in_sys_modules(engine):
    sys.modules["halted_mod"] = None
    with pytest.raises(ModuleNotFoundError) as info:
        importworks.import_module("halted_mod")
    assert str(info.value) == "import of halted_mod halted; None in sys.modules"


def test_the_engine_messages_come_from_the_templates():
    """CPython's own words, byte for byte: code that matches on them keeps matching."""
    assert errors.ERR_NOT_FOUND.format(name="a.b") == "No module named 'a.b'"
    assert errors.ERR_NOT_PACKAGE.format(name="a.b", parent="a") == "No module named 'a.b'; 'a' is not a package"
    assert errors.ERR_HALTED.format(name="a") == "import of a halted; None in sys.modules"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda imp: imp("", None, None, (), 0), ValueError, "Empty module name"),
        (lambda imp: imp("x", {}, None, (), -1), ValueError, "level must be >= 0"),
        (lambda imp: imp("x", {"__name__": "top", "__package__": ""}, None, (), 1), ImportError, ERR_NO_PARENT),
        (lambda imp: imp("x", {"__name__": "pkg", "__package__": "pkg"}, None, (), 2), ImportError, ERR_BEYOND),
    ],
    ids=["empty", "negative-level", "no-parent", "beyond-top-level"],
)
def test_bad_import_calls_say_what_cpythons_import_says(call, error, message):
    """Our __import__ and the interpreter's fail alike, word for word."""
    import builtins

    from importworks.engine._importlib_bootstrap import __import__ as ours

    with pytest.raises(error) as theirs:
        call(builtins.__import__)
    with pytest.raises(error) as info:
        call(ours)
    assert str(info.value) == str(theirs.value) == message


def test_a_name_in_all_that_is_not_a_string(tree, engine):
    tree({"bad_all.py": "__all__ = ['ok', 42]\nok = 1\n"})
    with pytest.raises(TypeError) as info:
        exec("from bad_all import *", {})
    assert str(info.value) == "Item in bad_all.__all__ must be str, not int"


def test_relative_import_module_without_a_package():
    with pytest.raises(TypeError) as info:
        importworks.import_module(".sibling")
    assert str(info.value) == "the 'package' argument is required to perform a relative import for '.sibling'"


def test_deadlock_between_two_threads_names_the_lock():
    first, second = locks.get_module_lock("deadlock_a"), locks.get_module_lock("deadlock_b")
    holding = threading.Event()

    def other_thread() -> None:
        with first:  # holds a, then waits for b
            holding.set()
            with second:
                pass

    with second:
        thread = threading.Thread(target=other_thread)
        thread.start()
        holding.wait(10)
        deadline = time.monotonic() + 10
        while locks._waiting_for.get(thread.ident or 0) is not second and time.monotonic() < deadline:
            time.sleep(0.001)
        with pytest.raises(DeadlockError) as info:
            first.acquire()  # waiting for a would close the cycle
    thread.join(10)
    assert str(info.value) == f"deadlock detected by ModuleLock('deadlock_a') at {id(first)}"
    assert isinstance(info.value, RuntimeError)


def test_reload_of_a_module_whose_file_is_gone(tree, engine):
    root = tree({"vanishing.py": "X = 1\n"})
    import vanishing

    os.remove(root / "vanishing.py")
    importworks.invalidate_caches()
    with pytest.raises(ModuleNotFoundError) as info:
        importworks.reload(vanishing)
    assert str(info.value) == "spec not found for the module 'vanishing'"  # importlib.reload's words


def test_reload_of_what_is_not_an_imported_module(tree, engine):
    import types

    with pytest.raises(TypeError) as info:
        importworks.reload(42)
    assert str(info.value) == "reload() argument must be a module"
    with pytest.raises(ImportError) as info:
        importworks.reload(types.ModuleType("never_imported"))
    assert str(info.value) == "module never_imported not in sys.modules"


# ------------------------------------------------------------------ stores


def test_store_that_does_not_exist(tmp_path):
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(StoreError) as info:
        open_store(str(missing))
    assert str(info.value) == f"store {missing} does not exist (or is not a file)"
    assert info.value.path == str(missing)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "app.zip",
            "{path} is not a zip archive (no end-of-central-directory record): it is truncated or another kind of file",
        ),
        ("app.sqlite", "{path} is not a SQLite database (no SQLite header): it is truncated or another kind of file"),
        ("app.bin", "{path} is neither a SQLite store nor a zip archive"),
    ],
    ids=["zip", "sqlite", "neither"],
)
def test_file_that_is_not_a_store(tmp_path, name, message):
    path = tmp_path / name
    path.write_bytes(b"not a store at all\n" * 8)
    with pytest.raises(StoreError) as info:
        open_store(str(path))
    assert str(info.value) == message.format(path=path)


def test_a_broken_store_on_sys_path_is_a_warning_naming_it(tmp_path, engine):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK but truncated")
    sys.path.insert(0, str(path))
    with pytest.warns(RuntimeWarning) as caught, pytest.raises(ModuleNotFoundError):
        import from_the_broken_store  # noqa: F401
    assert [str(w.message) for w in caught] == [
        f"importworks: {path} is not a zip archive (no end-of-central-directory record): "
        "it is truncated or another kind of file; modules in it cannot be imported"
    ]


def test_corrupt_sqlite_store(tmp_path):
    good = _packed(tmp_path).read_bytes()
    bad = tmp_path / "corrupt.sqlite"
    bad.write_bytes(good[:100] + b"\xff" * (len(good) - 100))  # the SQLite header kept, the pages destroyed
    with pytest.raises(StoreError) as info:
        open_store(str(bad))
    assert str(info.value) == (
        f"cannot open SQLite store {bad}: database disk image is malformed; "
        "it is not an importworks store or is corrupt; re-create it with importworks pack"
    )


def test_entry_changed_after_packing(tmp_path, capsys):
    store = _packed(tmp_path)
    with closing(sqlite3.connect(store)) as db:
        db.execute("UPDATE entries SET data = ? WHERE path = ?", (b"Y = 3\n", "app/core.py"))
        db.commit()
    assert main(["verify", str(store)]) == errors.EXIT_FAILED
    assert (
        f"BAD  app/core.py: entry 'app/core.py' in store {store} does not match the checksums recorded when it "
        f"was packed: the store was modified; refusing to execute or use it (check it with: importworks verify {store})"
    ) in capsys.readouterr().out


def test_unsigned_store_refused_when_keys_are_trusted(tmp_path):
    pytest.importorskip("cryptography", reason="signed stores need cryptography: pip install 'importworks[test]'")
    from importworks.errors import StoreTrustError
    from importworks.stores.signing import fingerprint, generate_key, load_public_key

    key = tmp_path / "release"
    generate_key(str(key))
    public = f"{key}.pub"
    store = _packed(tmp_path, "unsigned.sqlite")
    sys.path.insert(0, str(store))
    with importworks.activate(trusted_keys=[public]), pytest.raises(StoreTrustError) as info:
        import app  # noqa: F401
    assert str(info.value) == (
        f"cannot import 'app' from store {store} (entry 'app'): it is not signed; "
        f"importworks trusts only stores signed by {fingerprint(load_public_key(public))} "
        f"(check it with: importworks verify {store} --key KEY.pub)"
    )
    assert info.value.reason == "it is not signed"


# ------------------------------------------------------------------ lazy imports


def test_lazy_import_that_fails_at_first_use_says_where_it_was_written(tree, engine):
    from importworks import lazy
    from importworks.lazy import LazyImportError

    tree({"lazy_app.py": '__lazy_modules__ = ["never_there"]\nimport never_there\n'})
    lazy.enable("normal")
    try:
        import lazy_app

        with pytest.raises(ModuleNotFoundError) as info:
            lazy_app.never_there.anything  # the first use is what reifies it
    finally:
        lazy.disable()
    assert str(info.value) == "No module named 'never_there'"
    cause = info.value.__cause__
    if hasattr(sys, "set_lazy_imports"):  # 3.15+ binds __lazy_modules__ imports itself: CPython's words
        assert str(cause) == "lazy import of 'never_there' raised an exception during resolution"
    else:  # ours: CPython's words, then where the import was written
        assert isinstance(cause, LazyImportError)
        assert str(cause) == (
            f"lazy import of 'never_there' raised an exception during resolution ({lazy_app.__file__}, line 2)"
        )


# ------------------------------------------------------------------ the command line and its exit statuses


def test_run_a_module_that_does_not_exist(capsys):
    assert main(["run", "-m", "nowhere_at_all"]) == errors.EXIT_FAILED == 1
    assert capsys.readouterr().err == "importworks: No module named nowhere_at_all\n"  # python -m's wording


def test_run_a_script_that_does_not_exist(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "nofile.py"]) == errors.EXIT_CANT_OPEN == 2
    assert capsys.readouterr().err == (
        f"importworks: can't open file {str(tmp_path / 'nofile.py')!r}: [Errno 2] No such file or directory\n"
    )


def test_exit_statuses_are_pythons(capsys):
    assert main(["run", "-c", "pass"]) == errors.EXIT_OK == 0
    assert main(["run", "-c", "raise KeyboardInterrupt"]) == errors.EXIT_INTERRUPTED == 130
    with pytest.raises(SystemExit) as info:
        main(["--no-such-option"])
    assert info.value.code == errors.EXIT_USAGE == 2


def test_exit_statuses_have_one_definition():
    """The command line and the diagnostics use errors' constants, not numbers of their own."""
    from importworks import cli
    from importworks.cli import diagnose

    for name in ("EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_CANT_OPEN", "EXIT_INTERRUPTED"):
        assert getattr(cli, name) is getattr(errors, name)
    assert diagnose.EXIT_CHILD_FAILED is errors.EXIT_CHILD_FAILED


def test_the_import_system_and_the_command_line_raise_only_templated_messages():
    """engine/, finders/, spec.py, wiring/ and cli/ take every message from errors.py, so this file lists them all."""
    import ast
    from pathlib import Path

    package = Path(errors.__file__).parent
    sources = [
        package / "spec.py",
        *(f for part in ("engine", "finders", "wiring", "cli") for f in (package / part).rglob("*.py")),
    ]
    inline = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                message = node.exc.args[0]
                if isinstance(message, ast.JoinedStr) or (
                    isinstance(message, ast.Constant) and isinstance(message.value, str)
                ):
                    inline.append(f"{source.relative_to(package)}:{node.lineno}")
    assert inline == []
