"""install() and activate() plug the engine in and restore the interpreter exactly."""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import sys

import importworks
from importworks.engine import _importlib_bootstrap as engine
from importworks.finders.loaders import SourceFileLoader
from importworks.finders.pathfinder import FileFinder, PathFinder


def _state():
    return (
        list(sys.meta_path),
        list(sys.path_hooks),
        dict(sys.path_importer_cache),
        builtins.__import__,
        importlib.import_module,
    )


def test_install_swaps_finders_in_place_but_not_import():
    before = _state()
    stock = {
        importlib.machinery.BuiltinImporter: importworks.machinery.BuiltinImporter,
        importlib.machinery.FrozenImporter: importworks.machinery.FrozenImporter,
        importlib.machinery.PathFinder: PathFinder,
    }
    with importworks.install():
        assert sys.meta_path == [stock.get(finder, finder) for finder in before[0]]
        assert importlib.machinery.PathFinder not in sys.meta_path
        assert builtins.__import__ is before[3]
        assert importworks.is_installed() and not importworks.is_active()
    assert _state() == before


def test_activate_replaces_import_and_restores_it():
    before = _state()
    with importworks.activate() as handle:
        assert builtins.__import__ is engine.__import__
        assert importlib.import_module is importworks.import_module
        assert importworks.is_active()
        assert "active" in repr(handle)
    assert _state() == before
    assert not importworks.is_active() and not importworks.is_installed()


def test_nested_handles_restore_in_order():
    before = _state()
    outer = importworks.install()
    middle = _state()
    with importworks.activate():
        pass
    assert _state() == middle
    outer.uninstall()
    outer.uninstall()  # a second call is harmless
    assert _state() == before


def test_activate_with_a_lazy_mode_gives_the_previous_mode_back_on_exit():
    import importworks.lazy as lazy

    before = lazy.get_lazy_mode()
    with importworks.activate(lazy="all"):
        assert lazy.get_lazy_mode() == "all"
        with importworks.activate(lazy="none"):
            assert lazy.get_lazy_mode() == "none"
        assert lazy.get_lazy_mode() == "all"
    assert lazy.get_lazy_mode() == before


def test_installed_engine_loads_from_folders_with_our_loader(tree):
    tree({"via_install.py": "X = 1"})
    with importworks.install():
        import via_install
    assert isinstance(via_install.__loader__, SourceFileLoader)
    finders = [f for f in sys.path_importer_cache.values() if isinstance(f, FileFinder)]
    assert finders == []  # our folder finders left the cache with uninstall()


def test_importlib_metadata_still_finds_distributions_when_installed():
    import importlib.metadata

    with importworks.install():
        names = {d.metadata["Name"] for d in importlib.metadata.distributions()}
    assert "pytest" in names


def test_pip_internals_that_dispatch_on_loader_types_work_when_active():
    """distlib (keyed by type(loader)) and pkg_resources (by finder class) know our types."""
    from tests.conftest import run_python

    result = run_python("""
        import warnings
        warnings.simplefilter("ignore")
        import importworks
        importworks.activate()
        import pip._vendor.pkg_resources as pkg_resources
        from pip._vendor.distlib.resources import finder
        names = {d.project_name.lower() for d in pkg_resources.working_set}
        print("pip" in names, type(finder("pip._vendor.distlib")).__name__)
        import pip._internal.cli.req_command
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "ResourceFinder"]
