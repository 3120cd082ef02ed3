"""importworks takes the place of the stock machinery and leaves every other hook working.

Each test builds the situation a real tool creates (pytest's assertion
rewriter, setuptools' distutils shim, a finder put first to override a module,
a folder hook of a tool's own, a finder that wraps the stock PathFinder it
finds by name) and checks that the tool's feature still works with the engine
installed or active, and that uninstall() leaves the lists as they were.
"""

from __future__ import annotations

import importlib.machinery
import inspect
import sys
from pathlib import Path

import pytest

import importworks
from importworks.finders import loaders
from tests.conftest import build, run_python


@pytest.mark.parametrize(
    "ours, stock",
    [
        (loaders.SourceFileLoader, importlib.machinery.SourceFileLoader),
        (loaders.SourcelessFileLoader, importlib.machinery.SourcelessFileLoader),
        (loaders.ExtensionFileLoader, importlib.machinery.ExtensionFileLoader),
    ],
)
def test_file_loaders_pass_stock_isinstance_checks_but_run_none_of_its_code(ours, stock):
    """Tools test isinstance(loader, importlib.machinery.X); every method is still ours."""
    assert issubclass(ours, stock)
    for name in dir(stock):
        if name in ("__dict__", "__weakref__", "__module__", "__doc__"):
            continue
        owner = next(cls for cls in ours.__mro__ if name in cls.__dict__)
        if owner is object:
            continue
        assert owner.__module__.startswith("importworks"), f"{ours.__name__}.{name} is the stdlib's"


@pytest.mark.parametrize("how", ["install", "activate"])
def test_a_finder_put_first_still_overrides_a_module(how, tmp_path):
    """A meta path finder inserted at index 0 before install() keeps winning."""
    result = run_python(f"""
        import importlib.machinery, sys, types
        class Override:
            @classmethod
            def find_spec(cls, fullname, path=None, target=None):
                if fullname == "colorsys":
                    return importlib.machinery.ModuleSpec(fullname, cls)
            @staticmethod
            def create_module(spec):
                return types.ModuleType(spec.name)
            @staticmethod
            def exec_module(module):
                module.OVERRIDDEN = True
        sys.meta_path.insert(0, Override)
        import importworks
        handle = importworks.{how}()
        import colorsys
        print(getattr(colorsys, "OVERRIDDEN", False), sys.meta_path.index(Override))
        print(type(__import__("json").__spec__.loader).__module__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "0", "importworks.finders.loaders"]


@pytest.mark.parametrize("how", ["install", "activate"])
def test_uninstall_restores_the_lists_exactly_and_keeps_what_others_added(how):
    """Stock entries come back to their own places; a hook added meanwhile stays."""

    def other_hook(path):
        raise ImportError

    meta_path, path_hooks = list(sys.meta_path), list(sys.path_hooks)
    handle = getattr(importworks, how)()
    sys.path_hooks.insert(0, other_hook)
    handle.uninstall()
    assert sys.path_hooks[0] is other_hook
    sys.path_hooks.remove(other_hook)
    assert all(a is b for a, b in zip(sys.meta_path, meta_path, strict=False))
    assert len(sys.meta_path) == len(meta_path)
    assert sys.path_hooks == path_hooks


def test_a_tools_own_folder_hook_keeps_its_place_and_its_loader(tmp_path):
    """beartype-style: FileFinder.path_hook((ToolLoader, ...)) at path_hooks[0] is not ours to replace."""
    build(tmp_path, {"instrumented.py": "VALUE = 1\n"})
    result = run_python(f"""
        import importlib.machinery, sys
        class ToolLoader(importlib.machinery.SourceFileLoader):
            def exec_module(self, module):
                super().exec_module(module)
                if module.__name__ == "instrumented":
                    module.VALUE += 100
        m = importlib.machinery
        hook = m.FileFinder.path_hook((m.ExtensionFileLoader, m.EXTENSION_SUFFIXES), (ToolLoader, [".py"]),
                                      (m.SourcelessFileLoader, m.BYTECODE_SUFFIXES))
        sys.path_hooks.insert(0, hook)
        sys.path_importer_cache.clear()
        sys.path.insert(0, {str(tmp_path)!r})
        import importworks
        importworks.activate()
        import instrumented
        print(instrumented.VALUE, sys.path_hooks.index(hook))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["101", "0"]


def test_a_finder_that_wraps_the_stock_path_finder_sees_our_loaders(tmp_path):
    """typeguard-style: a finder asks importlib.machinery.PathFinder and checks the loader type."""
    build(tmp_path, {"checked.py": "VALUE = 1\n"})
    result = run_python(f"""
        import importlib.machinery, sys
        class Instrumenting:
            @staticmethod
            def find_spec(fullname, path=None, target=None):
                if fullname != "checked":
                    return None
                spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
                if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
                    spec.loader_state = "instrumented"
                return spec
        sys.meta_path.insert(0, Instrumenting)
        sys.path.insert(0, {str(tmp_path)!r})
        import importworks
        importworks.activate()
        import checked
        print(checked.__spec__.loader_state, type(checked.__loader__).__module__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["instrumented", "importworks.finders.loaders"]


PYTEST_FILE = """\
def add(a, b):
    return a + b


def test_add():
    assert add(1, 2) == 1 + 1
"""


@pytest.mark.parametrize("where", ["before pytest", "in conftest"])
def test_pytest_rewrites_asserts_with_the_engine_active(where, tmp_path):
    """A failing assert shows pytest's full explanation, not a bare AssertionError."""
    files = {"test_add.py": PYTEST_FILE}
    if where == "in conftest":
        files["conftest.py"] = "import importworks\nimportworks.activate()\n"
    build(tmp_path, files)
    activate = "importworks.activate()" if where == "before pytest" else ""
    result = run_python(
        f"""
        import sys, importworks
        {activate}
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "test_add.py"]))
    """,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "assert 3 == (1 + 1)" in result.stdout
    assert "where 3 = add(1, 2)" in result.stdout


def test_setuptools_distutils_shim_keeps_serving_distutils():
    """setuptools' DistutilsMetaFinder (put first by its .pth) still wins under activate()."""
    result = run_python(
        """
        import sys
        import importworks
        importworks.activate()
        import distutils
        print(distutils.__file__)
    """,
        env={"SETUPTOOLS_USE_DISTUTILS": "local"},
    )
    assert result.returncode == 0, result.stderr
    assert f"setuptools{__import__('os').sep}_distutils" in result.stdout, result.stdout
    assert "DeprecationWarning" not in result.stderr


def test_a_tool_wrapping_the_stock_path_finder_by_name_is_given_ours(tmp_path: Path):
    """awscli wraps the finder named _frozen_importlib_external.PathFinder to alias its vendored packages.

    The package here does what awscli's __init__ does; the field suite runs the
    real ``aws --version``.
    """
    build(
        tmp_path,
        {
            "awscli": {
                "__init__.py": inspect.cleandoc("""
            import sys
            class TopLevelImportAliasFinder:
                def __init__(self, underlying):
                    self._underlying = underlying
                    self._parent_path = [__path__[0]]
                @classmethod
                def add_alias_finder(cls, meta_path):
                    for i, finder in enumerate(meta_path):
                        kind = finder if isinstance(finder, type) else type(finder)
                        if f"{finder.__module__}.{kind.__name__}" == "_frozen_importlib_external.PathFinder":
                            meta_path.insert(i, cls(finder))
                            return
                def find_spec(self, fullname, path, target=None):
                    if fullname == "vendored":
                        path = self._parent_path
                    return self._underlying.find_spec(fullname, path, target)
            TopLevelImportAliasFinder.add_alias_finder(sys.meta_path)
        """),
                "vendored.py": "WHERE = 'inside awscli'\n",
            }
        },
    )
    result = run_python(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import importworks
        importworks.activate()
        import awscli
        import vendored
        print(vendored.WHERE, type(vendored.__loader__).__module__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["inside", "awscli", "importworks.finders.loaders"]


TOOL_HOOKS = {
    "typeguard": "from typeguard import install_import_hook; install_import_hook('typed')",
    "beartype": "from beartype.claw import beartype_package; beartype_package('typed')",
}


@pytest.mark.parametrize("tool", sorted(TOOL_HOOKS))
def test_type_checking_import_hooks_instrument_modules_with_the_engine_active(tool, tmp_path):
    """typeguard's and beartype's import hooks still check the annotated calls."""
    build(tmp_path, {"typed": {"__init__.py": "def double(x: int) -> int:\n    return x * 2\n"}})
    result = run_python(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import importworks
        importworks.activate()
        {TOOL_HOOKS[tool]}
        import typed
        try:
            typed.double("a")
        except Exception as exc:
            print("checked:", type(exc).__name__)
        else:
            print("not checked")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("checked:"), result.stdout
