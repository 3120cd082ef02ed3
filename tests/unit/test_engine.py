"""The import algorithm, observed through real import statements with the engine active."""

from __future__ import annotations

import builtins
import importlib
import sys
import threading
import types
import warnings

import pytest

import importworks
from importworks.finders.loaders import SourceFileLoader


def test_import_registers_module_with_cpython_attributes(tree, engine):
    root = tree({"pkg": {"__init__.py": "", "mod.py": "VALUE = 1"}})
    import pkg.mod

    mod = sys.modules["pkg.mod"]
    assert pkg.mod is mod and mod.VALUE == 1
    assert mod.__name__ == "pkg.mod"
    assert mod.__package__ == "pkg"
    assert isinstance(mod.__loader__, SourceFileLoader)
    assert mod.__spec__.loader is mod.__loader__
    assert mod.__file__ == str(root / "pkg" / "mod.py")
    assert mod.__spec__.cached == importworks.util.cache_from_source(mod.__file__)
    if sys.version_info >= (3, 15):  # no longer set on modules
        assert not hasattr(mod, "__cached__")
    else:
        assert mod.__cached__ == mod.__spec__.cached
    assert pkg.__path__ == [str(root / "pkg")]
    assert pkg.__spec__.submodule_search_locations == [str(root / "pkg")]


def test_module_is_in_sys_modules_while_its_body_runs(tree, engine):
    tree({"selfref.py": "import sys\nSEEN = sys.modules[__name__] is not None\n"})
    import selfref

    assert selfref.SEEN is True


def test_failed_body_is_removed_and_parent_gets_no_attribute(tree, engine):
    tree({"pkg": {"__init__.py": "", "bad.py": "raise ValueError('boom')"}})
    before = set(sys.modules)
    with pytest.raises(ValueError, match="boom"):
        import pkg.bad  # noqa: F401
    assert "pkg.bad" not in sys.modules
    assert not hasattr(sys.modules["pkg"], "bad")
    assert set(sys.modules) - before == {"pkg"}


def test_missing_module_raises_module_not_found_with_name(tree, engine):
    tree({"pkg": {"__init__.py": ""}})
    with pytest.raises(ModuleNotFoundError) as info:
        import pkg.nothere  # noqa: F401
    assert info.value.name == "pkg.nothere"
    assert str(info.value) == "No module named 'pkg.nothere'"


def test_submodule_of_a_plain_module_is_not_a_package(tree, engine):
    tree({"plain.py": ""})
    with pytest.raises(ModuleNotFoundError, match=r"^No module named 'plain.sub'; 'plain' is not a package$"):
        import plain.sub  # noqa: F401


def test_none_in_sys_modules_halts_the_import(engine):
    sys.modules["blocked_mod"] = None
    with pytest.raises(ModuleNotFoundError, match="^import of blocked_mod halted; None in sys.modules$") as info:
        import blocked_mod  # noqa: F401
    assert info.value.name == "blocked_mod"


def test_syntax_error_names_file_and_line_and_leaves_sys_modules_alone(tree, engine):
    root = tree({"broken.py": "x = 1\ndef f(:\n"})
    before = dict(sys.modules)
    with pytest.raises(SyntaxError) as info:
        import broken  # noqa: F401
    assert info.value.filename == str(root / "broken.py")
    assert info.value.lineno == 2
    assert sys.modules == before


def test_fromlist_imports_named_submodules(tree, engine):
    tree({"pkg": {"__init__.py": "", "a.py": "A = 1", "b.py": "B = 2"}})
    from pkg import a, b

    assert (a.A, b.B) == (1, 2)
    assert sys.modules["pkg"].a is a


def test_fromlist_name_that_is_neither_attribute_nor_module_is_an_import_error(tree, engine):
    tree({"pkg": {"__init__.py": ""}})
    with pytest.raises(ImportError, match="cannot import name 'nope' from 'pkg'"):
        from pkg import nope  # noqa: F401


def test_star_import_honours_all(tree, engine):
    tree({"pkg": {"__init__.py": "__all__ = ['sub', 'x']\nx = 1\ny = 2\n", "sub.py": "S = 3"}})
    namespace: dict = {}
    exec("from pkg import *", namespace)
    assert namespace["x"] == 1 and namespace["sub"].S == 3
    assert "y" not in namespace


def test_star_import_without_all_skips_underscore_names(tree, engine):
    tree({"plainmod.py": "public = 1\n_private = 2\n"})
    namespace: dict = {}
    exec("from plainmod import *", namespace)
    assert namespace["public"] == 1 and "_private" not in namespace


def test_star_import_rejects_non_string_in_all(tree, engine):
    tree({"pkg": {"__init__.py": "__all__ = [1]\n"}})
    with pytest.raises(TypeError, match=r"Item in pkg.__all__ must be str, not int"):
        exec("from pkg import *", {})


def test_relative_imports_resolve_from_package(tree, engine):
    tree(
        {
            "pkg": {
                "__init__.py": "",
                "sub": {
                    "__init__.py": "",
                    "deep.py": "from .. import sibling\nfrom . import leaf\nfrom ..sibling import S\n",
                    "leaf.py": "L = 1",
                },
                "sibling.py": "S = 'sibling'",
            }
        }
    )
    import pkg.sub.deep as deep

    assert deep.S == "sibling" and deep.leaf.L == 1 and deep.sibling.S == "sibling"


def test_relative_import_beyond_top_level_package(tree, engine):
    tree({"pkg": {"__init__.py": "", "m.py": "from ... import x\n"}})
    with pytest.raises(ImportError, match="^attempted relative import beyond top-level package$"):
        import pkg.m  # noqa: F401


def test_relative_import_without_a_parent_package(engine):
    with pytest.raises(ImportError, match="^attempted relative import with no known parent package$"):
        exec("from . import x", {"__name__": "toplevel", "__package__": "", "__spec__": None})


def test_circular_import_sees_partially_initialised_module(tree, engine):
    tree(
        {
            "cyc_a.py": "import cyc_b\nA = 1\n",
            "cyc_b.py": "import cyc_a\nPARTIAL = not hasattr(cyc_a, 'A')\n",
            "cyc_c.py": "from cyc_d import D\nC = 1\n",
            "cyc_d.py": "from cyc_c import C\nD = 1\n",
        }
    )
    import cyc_a

    assert cyc_a.cyc_b.PARTIAL is True
    with pytest.raises(
        ImportError,
        match=r"cannot import name 'C' from partially initialized module 'cyc_c' "
        r"\(most likely due to a circular import\)",
    ):
        import cyc_c  # noqa: F401


def test_module_replacing_itself_in_sys_modules_is_returned(tree, engine):
    tree({"swap.py": "import sys\nsys.modules[__name__] = 'replacement'\n"})
    import swap

    assert swap == "replacement"


def test_namespace_package_spans_path_entries(tmp_path, engine):
    for part, mod in (("one", "a"), ("two", "b")):
        (tmp_path / part / "nspkg").mkdir(parents=True)
        (tmp_path / part / "nspkg" / f"{mod}.py").write_text(f"NAME = {mod!r}\n")
    sys.path[:0] = [str(tmp_path / "one"), str(tmp_path / "two")]
    import nspkg.a
    import nspkg.b

    assert (nspkg.a.NAME, nspkg.b.NAME) == ("a", "b")
    assert nspkg.__file__ is None and nspkg.__spec__.origin is None
    assert list(nspkg.__path__) == [str(tmp_path / "one" / "nspkg"), str(tmp_path / "two" / "nspkg")]


def test_namespace_path_follows_later_sys_path_changes(tmp_path, engine):
    for part in ("one", "later"):
        (tmp_path / part / "growing").mkdir(parents=True)
    (tmp_path / "later" / "growing" / "late.py").write_text("X = 1\n")
    sys.path.insert(0, str(tmp_path / "one"))
    import growing

    assert list(growing.__path__) == [str(tmp_path / "one" / "growing")]
    sys.path.append(str(tmp_path / "later"))
    import growing.late

    assert growing.late.X == 1
    assert str(tmp_path / "later" / "growing") in list(growing.__path__)


def test_source_encoding_declaration_is_honoured(tree, engine):
    tree({"latin.py": "# -*- coding: latin-1 -*-\nTEXT = 'caf\xe9'\n".encode("latin-1")})
    import latin

    assert latin.TEXT == "café"
    assert latin.__loader__.get_source("latin").splitlines()[1] == "TEXT = 'café'"


def test_third_party_meta_path_finder_is_asked_in_order(engine):
    calls = []

    class Finder:
        @classmethod
        def find_spec(cls, fullname, path=None, target=None):
            calls.append((fullname, path))
            if fullname == "virtual_mod":
                return importworks.util.spec_from_loader(fullname, Loader())
            return None

    class Loader:
        def create_module(self, spec):
            return None

        def exec_module(self, module):
            module.ANSWER = 42

    sys.meta_path.insert(0, Finder)
    import virtual_mod

    assert virtual_mod.ANSWER == 42
    assert calls[0] == ("virtual_mod", None)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="find_module() fallback was removed in 3.12")
def test_legacy_find_module_finder_works_with_an_import_warning(engine):
    class LegacyFinder:
        def find_module(self, fullname, path=None):
            return self if fullname == "legacy_mod" else None

        def load_module(self, fullname):
            module = sys.modules.setdefault(fullname, type(sys)(fullname))
            module.LEGACY = True
            return module

    sys.meta_path.insert(0, LegacyFinder())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import legacy_mod
    assert legacy_mod.LEGACY is True
    messages = [str(w.message) for w in caught if w.category is ImportWarning]
    assert messages == [
        f"{LegacyFinder.__qualname__}.find_spec() not found; falling back to find_module()",
        f"{LegacyFinder.__qualname__}.exec_module() not found; falling back to load_module()",
    ]


def test_warning_from_module_body_is_attributed_to_the_importer(tree, engine):
    tree({"warns_on_import.py": "import warnings\nwarnings.warn('old', DeprecationWarning, stacklevel=2)\n"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import warns_on_import  # noqa: F401
    assert [w.filename for w in caught] == [__file__]


def test_import_module_and_relative_name(tree, engine):
    tree({"pkg": {"__init__.py": "", "sub.py": "S = 1"}})
    assert importworks.import_module(".sub", "pkg").S == 1
    with pytest.raises(TypeError, match="the 'package' argument is required"):
        importworks.import_module(".sub")


def test_find_spec_does_not_import_the_module(tree):
    root = tree({"pkg": {"__init__.py": "", "lazy.py": "raise RuntimeError('must not run')"}})
    spec = importworks.find_spec("pkg.lazy")
    assert spec.origin == str(root / "pkg" / "lazy.py")
    assert "pkg.lazy" not in sys.modules
    assert importworks.find_spec("pkg.missing") is None


def test_reload_re_executes_in_the_same_object(tree, engine):
    root = tree({"counter.py": "VALUE = 1\n"})
    import counter

    first = counter
    (root / "counter.py").write_text("VALUE = 2\nNEW = True\n")
    importworks.invalidate_caches()
    import os

    os.utime(root / "counter.py", (1, 1))  # a different mtime than the cached pyc
    reloaded = importworks.reload(counter)
    assert reloaded is first and first.VALUE == 2 and first.NEW is True


def test_reload_refuses_a_module_not_in_sys_modules(engine):
    module = type(sys)("never_imported")
    with pytest.raises(ImportError, match="module never_imported not in sys.modules"):
        importworks.reload(module)


def test_an_observer_derived_from_observer_base_hears_only_what_it_overrides(tree, engine):
    from importworks.engine import observers
    from importworks.engine.hooks import ObserverBase

    class Ends(ObserverBase):
        def __init__(self) -> None:
            self.seen: list[tuple[str, bool]] = []

        def end(self, name, module, exc):
            self.seen.append((name, exc is None))

    tree({"observed_iw.py": "X = 1", "broken_iw.py": "raise ValueError('no')"})
    ends = Ends()
    observers.add_observer(ends)
    try:
        import observed_iw  # noqa: F401

        with pytest.raises(ValueError):
            import broken_iw  # noqa: F401
    finally:
        observers.remove_observer(ends)
    assert ends.seen == [("observed_iw", True), ("broken_iw", False)]


def test_an_observer_lacking_an_event_is_refused_when_added():
    from importworks.engine import observers

    class OnlyEnd:
        def end(self, name, module, exc):
            pass

    with pytest.raises(TypeError, match=r"has no begin\(\), found\(\), created\(\), loaded\(\).*ObserverBase"):
        observers.add_observer(OnlyEnd())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is not an ImportObserver"):
        observers.set_tracer(OnlyEnd())  # type: ignore[arg-type]


# captured before any test activates the engine: what django and pluggy hold
_STOCK_IMPORT = builtins.__import__
_STOCK_IMPORT_MODULE = importlib.import_module


@pytest.mark.parametrize("importer", ["stock", "importworks"])
def test_module_the_stock_machinery_is_still_executing_is_waited_for(tree, importer):
    # thread A runs the body through a stock import_module taken before activate();
    # a cache hit in thread B must wait for it, as the C import does
    tree({"halfbuilt.py": "import time, _iw_sync\n_iw_sync.started.set()\ntime.sleep(0.3)\nX = 1\n"})
    sync = types.ModuleType("_iw_sync")
    sync.started = threading.Event()  # type: ignore[attr-defined]
    sys.modules["_iw_sync"] = sync
    with importworks.activate():
        importer_call = _STOCK_IMPORT if importer == "stock" else builtins.__import__
        loader = threading.Thread(target=_STOCK_IMPORT_MODULE, args=("halfbuilt",))
        loader.start()
        try:
            assert sync.started.wait(10)  # type: ignore[attr-defined]
            module = importer_call("halfbuilt")
            assert module.X == 1
        finally:
            loader.join()


def test_relative_import_of_a_module_the_stock_machinery_is_executing_waits(tree):
    tree(
        {
            "halfpkg": {
                "__init__.py": "",
                "mod.py": "import time, _iw_sync\n_iw_sync.started.set()\ntime.sleep(0.3)\nX = 1\n",
            }
        }
    )
    sync = types.ModuleType("_iw_sync")
    sync.started = threading.Event()  # type: ignore[attr-defined]
    sys.modules["_iw_sync"] = sync
    with importworks.activate():
        import halfpkg  # noqa: F401

        loader = threading.Thread(target=_STOCK_IMPORT_MODULE, args=("halfpkg.mod",))
        loader.start()
        try:
            assert sync.started.wait(10)  # type: ignore[attr-defined]
            assert importlib.import_module(".mod", "halfpkg").X == 1
        finally:
            loader.join()
