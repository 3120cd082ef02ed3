"""Specs and the modules made from them: the attributes every tool reads, as importlib sets them."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types

import pytest

from importworks import util
from importworks.machinery import ModuleSpec, SourceFileLoader

ATTRIBUTES = ("__name__", "__loader__", "__package__", "__spec__", "__path__", "__file__", "__cached__")


def _attributes(module: types.ModuleType) -> dict[str, object]:
    return {name: getattr(module, name, "<unset>") for name in ATTRIBUTES}


@pytest.mark.parametrize("is_package", [False, True], ids=["module", "package"])
def test_module_from_spec_sets_what_importlib_sets(tmp_path, is_package):
    folder = tmp_path / "pkg"
    folder.mkdir()
    path = folder / ("__init__.py" if is_package else "mod.py")
    path.write_text("")
    name = "pkg" if is_package else "pkg.mod"
    search = [str(folder)] if is_package else None
    ours = util.spec_from_file_location(name, str(path), submodule_search_locations=search)
    theirs = importlib.util.spec_from_file_location(name, str(path), submodule_search_locations=search)
    assert ours is not None and theirs is not None

    module = util.module_from_spec(ours)
    expected = _attributes(importlib.util.module_from_spec(theirs))
    got = _attributes(module)
    assert got.pop("__loader__") is ours.loader and got.pop("__spec__") is ours
    del expected["__loader__"], expected["__spec__"]  # theirs: the stdlib's loader and spec
    assert got == expected
    assert module.__name__ == name and module.__file__ == str(path)
    assert module.__package__ == "pkg"
    if is_package:
        assert module.__path__ == [str(folder)]
    else:
        assert not hasattr(module, "__path__")


def test_module_from_spec_keeps_the_module_the_loader_creates():
    """create_module() may return its own module object (a subclass, a preset name): it is kept and filled in."""

    class Custom(types.ModuleType):
        pass

    class Loader:
        def create_module(self, spec):
            module = Custom("preset_name")
            module.__file__ = "/preset/file.py"
            return module

        def exec_module(self, module):
            pass

    spec = ModuleSpec("custom_mod", Loader(), origin="/somewhere/custom_mod.py")
    spec.has_location = True
    module = util.module_from_spec(spec)
    reference = importlib.util.module_from_spec(spec)
    assert type(module) is Custom
    assert module.__name__ == reference.__name__ == "preset_name"  # not overridden
    assert module.__file__ == reference.__file__ == "/preset/file.py"
    assert module.__spec__ is spec and module.__loader__ is spec.loader


def test_loader_with_exec_module_but_no_create_module_is_refused():
    class Loader:
        def exec_module(self, module):
            pass

    with pytest.raises(ImportError) as info:
        util.module_from_spec(ModuleSpec("half_loader", Loader()))
    assert str(info.value) == "loaders that define exec_module() must also define create_module()"


def test_module_from_a_namespace_spec_gets_a_namespace_loader(tmp_path):
    spec = ModuleSpec("ns_pkg", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]
    module = util.module_from_spec(spec)
    assert module.__path__ == [str(tmp_path)]
    assert module.__file__ is None
    assert module.__loader__ is spec.loader is not None
    assert module.__loader__.is_package("ns_pkg")


def test_attributes_a_module_refuses_are_left_alone():
    """A module that forbids setting some attributes still comes out, as in CPython."""

    class Frozen(types.ModuleType):
        def __setattr__(self, name, value):
            if name == "__file__":
                raise AttributeError(name)
            super().__setattr__(name, value)

    class Loader:
        def create_module(self, spec):
            return Frozen(spec.name)

        def exec_module(self, module):
            pass

    spec = ModuleSpec("frozen_attrs", Loader(), origin="/x/frozen_attrs.py")
    spec.has_location = True
    module = util.module_from_spec(spec)
    assert module.__spec__ is spec and not hasattr(module, "__file__")


def test_spec_from_loader_asks_the_loader_whether_it_is_a_package():
    class Loader:
        def __init__(self, package):
            self.package = package

        def is_package(self, name):
            return self.package

    assert util.spec_from_loader("plain", Loader(False)).submodule_search_locations is None
    assert util.spec_from_loader("pkg", Loader(True)).submodule_search_locations == []
    assert util.spec_from_loader("pkg", Loader(False), is_package=True).submodule_search_locations == []


def test_spec_from_loader_with_a_file_loader_has_a_location(tmp_path):
    path = tmp_path / "located.py"
    path.write_text("")
    loader = SourceFileLoader("located", str(path))
    spec = util.spec_from_loader("located", loader)
    assert spec.origin == str(path) and spec.has_location
    assert spec.cached == util.cache_from_source(str(path))


@pytest.mark.parametrize("name", ["sys", "json", "importworks"])
def test_module_repr_matches_the_interpreters(name):
    __import__(name)
    from importworks.spec import module_repr

    assert module_repr(sys.modules[name]) == repr(sys.modules[name])


def test_spec_type_is_the_stdlibs():
    """Tools check isinstance(spec, importlib.machinery.ModuleSpec); our specs pass."""
    assert ModuleSpec is importlib.machinery.ModuleSpec
