"""The engine follows the CPython it runs on where 3.14 and 3.15 changed the import system.

Three of CPython's 3.15 threaded-import tests watch or patch the stock
importlib._bootstrap (its _module_locks, its _resolve_parents), so under
importworks they look at the wrong engine; the behaviour they check is checked
here against ours (docs/conformance.md).
"""

from __future__ import annotations

import importlib._bootstrap_external
import importlib.machinery
import sys
import warnings

import pytest

import importworks
import importworks.abc
import importworks.finders.loaders
import importworks.machinery
import importworks.util
from importworks.engine import _importlib_bootstrap as engine_module
from importworks.engine import locks
from importworks.finders.loaders import supported_file_loaders

PY314 = sys.version_info >= (3, 14)
PY315 = sys.version_info >= (3, 15)
only_315 = pytest.mark.skipif(not PY315, reason="Python 3.15 behaviour")


def _public(module):
    """The names *module* offers as its own: constants and import-system classes and functions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        names = {name: getattr(module, name) for name in dir(module) if not name.startswith("_")}
    return {
        name
        for name, obj in names.items()
        if name.isupper() or str(getattr(obj, "__module__", "")).startswith(_IMPORT_SYSTEM)
    }


_IMPORT_SYSTEM = ("importlib", "_frozen_importlib", "importworks")


@pytest.mark.parametrize("name", ["machinery", "util", "abc"])
def test_public_namespaces_hold_what_this_pythons_importlib_holds(name):
    """importworks.X offers every public name importlib.X has on this Python, and no removed one."""
    stock = importlib.import_module(f"importlib.{name}")
    ours = importlib.import_module(f"importworks.{name}")
    helpers = {"LoaderBasics", "register_abcs", "ModuleSpec", "find_spec_on_meta_path"}
    assert _public(stock) - _public(ours) == set()
    assert _public(ours) - _public(stock) - helpers == set()


def test_resources_abcs_are_gone_from_abc_on_314():
    """3.14 removed ResourceReader, Traversable, TraversableResources from importlib.abc."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12, 3.13: there, deprecated
        for name in ("ResourceReader", "Traversable", "TraversableResources"):
            assert hasattr(importworks.abc, name) == hasattr(importlib.abc, name)


def test_deprecated_bytecode_suffixes_warn_from_314():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert importworks.machinery.DEBUG_BYTECODE_SUFFIXES == [".pyc"]
    assert bool(caught) == PY314


def test_load_module_exists_exactly_where_the_stdlib_has_it():
    """3.15 removed load_module(); our loaders have it where the stock ones do."""
    for ours, stock in (
        (importworks.machinery.SourceFileLoader, importlib.machinery.SourceFileLoader),
        (importworks.machinery.BuiltinImporter, importlib.machinery.BuiltinImporter),
        (importworks.machinery.FrozenImporter, importlib.machinery.FrozenImporter),
        (
            importworks.finders.loaders.NamespaceLoader,
            importlib._bootstrap_external.NamespaceLoader
            if sys.version_info >= (3, 11)
            else importlib._bootstrap_external._NamespaceLoader,
        ),
    ):
        assert hasattr(ours, "load_module") == hasattr(stock, "load_module"), ours


def test_cached_attribute_follows_the_interpreter(tree, engine):
    """3.15 no longer sets __cached__ on modules; spec.cached stays."""
    tree({"with_cache.py": "X = 1\n"})
    import with_cache

    assert with_cache.__spec__.cached
    assert hasattr(with_cache, "__cached__") == (not PY315)


def test_module_lock_reports_whether_it_is_held():
    lock = locks.ModuleLock("held")
    assert not lock.locked()
    with lock:
        assert lock.locked()
    assert not lock.locked()


@only_315
def test_parent_lock_is_not_held_while_a_submodule_runs(tree, engine):
    """import pkg.mod: pkg is finished and unlocked before mod's body runs under its own lock."""
    tree(
        {
            "unheld_pkg": {
                "__init__.py": "",
                "mod.py": (
                    "import sys\n"
                    "from importworks.engine import locks\n"
                    "def held(name):\n"
                    "    ref = locks._module_locks.get(name)\n"
                    "    lock = ref() if ref is not None else None\n"
                    "    return lock is not None and lock.locked()\n"
                    "own = held(__name__)\n"
                    "parent = held('unheld_pkg')\n"
                    "parent_initializing = sys.modules['unheld_pkg'].__spec__._initializing\n"
                ),
            }
        }
    )
    import unheld_pkg.mod

    assert unheld_pkg.mod.own and not unheld_pkg.mod.parent and not unheld_pkg.mod.parent_initializing


@only_315
def test_parent_gone_after_parents_were_resolved_is_imported_again(tree, engine, monkeypatch):
    tree({"gone_pkg": {"__init__.py": "", "mod.py": "X = 1\n"}})
    removed = []
    resolve = engine_module._resolve_parents

    def removing(name):
        resolve(name)
        if name == "gone_pkg.mod":
            removed.append(sys.modules.pop("gone_pkg"))

    monkeypatch.setattr(engine_module, "_resolve_parents", removing)
    import gone_pkg.mod  # noqa: F401 - the import is the action; the module is read back from sys.modules

    assert len(removed) == 1 and sys.modules["gone_pkg"] is not removed[0]
    assert sys.modules["gone_pkg"].mod.X == 1


@only_315
@pytest.mark.timeout(30)
def test_cycle_closed_after_parents_were_resolved_gets_the_partial_module(tree, engine, monkeypatch):
    """t1 in stall_m finds stall_pkg.leaf missing and asks for its lock only once t2 runs leaf.py."""
    import threading

    tree(
        {
            "stall_pkg": {"__init__.py": "", "leaf.py": "import stall_m\nX = 1\n"},
            "stall_m.py": "import stall_pkg.leaf\n",
        }
    )
    errors: list[BaseException] = []
    t2_waiting = threading.Event()
    resolve = engine_module._resolve_parents

    def run(statement: str) -> None:
        try:
            exec(statement, {})
        except BaseException as exc:  # reported below
            errors.append(exc)

    t2 = threading.Thread(target=run, args=("import stall_pkg.leaf",), daemon=True)

    def stalling(name):
        resolve(name)
        if name == "stall_pkg.leaf" and threading.current_thread() is not t2 and t2.ident is None:
            t2.start()
            for _ in range(2000):  # until t2 waits for stall_m, which t1 holds
                lock = locks._waiting_for.get(t2.ident)
                if lock is not None and lock.name == "stall_m":
                    t2_waiting.set()
                    break
                threading.Event().wait(0.005)

    monkeypatch.setattr(engine_module, "_resolve_parents", stalling)
    t1 = threading.Thread(target=run, args=("import stall_m",), daemon=True)
    t1.start()
    t1.join(20)
    t2.join(20)
    assert t2_waiting.is_set() and not t1.is_alive() and not t2.is_alive()
    assert errors == []
    assert sys.modules["stall_pkg.leaf"].X == 1


def test_waits_are_listed_in_the_stock_table(monkeypatch):
    """A thread waiting for one of our locks shows in importlib._bootstrap._blocking_on (3.12+)."""
    import threading

    if locks._stock_waits is None:
        pytest.skip("Python 3.10 and 3.11 keep a different table")
    lock = locks.ModuleLock("contended")
    lock.acquire()
    seen = []

    def waiter():
        lock.acquire()
        lock.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    for _ in range(2000):
        if any(held is lock for held in locks._stock_waits.get(thread.ident, ())):
            seen.append(True)
            break
        threading.Event().wait(0.005)
    lock.release()
    thread.join(10)
    assert seen and lock not in locks._stock_waits.get(thread.ident, ())


@only_315
def test_discover_lists_a_folders_modules(tree):
    root = tree({"disc_pkg": {"__init__.py": "", "a.py": "", "b": {"__init__.py": ""}}})
    finder = importworks.machinery.FileFinder(str(root / "disc_pkg"), *supported_file_loaders())
    parent = importworks.util.spec_from_file_location("disc_pkg", root / "disc_pkg" / "__init__.py")
    stock = importlib.machinery.FileFinder(
        str(root / "disc_pkg"), *importlib._bootstrap_external._get_supported_file_loaders()
    )
    names = sorted(spec.name for spec in finder.discover(parent))
    assert names == sorted(spec.name for spec in stock.discover(parent))
    assert {"disc_pkg.a", "disc_pkg.b"} <= set(names)
    with pytest.raises(ValueError):
        list(finder.discover(importworks.util.spec_from_file_location("a", root / "disc_pkg" / "a.py")))
