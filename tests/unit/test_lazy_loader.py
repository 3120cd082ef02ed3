"""importworks.util.LazyLoader defers a module's body as importlib.util.LazyLoader does (3.12+ semantics)."""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

import importworks.util

# the stock LazyLoader is compared where it has the same design (3.12+)
LAZY_LOADERS = [pytest.param(importworks.util.LazyLoader, id="importworks")]
if sys.version_info >= (3, 12):
    LAZY_LOADERS.append(pytest.param(importlib.util.LazyLoader, id="stock"))


class StringLoader:
    """Runs *source* as the module body, counting runs."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.runs = 0

    def create_module(self, spec: object) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        self.runs += 1
        exec(self.source, module.__dict__)  # running a body is a loader's job


def lazy_module(lazy_loader: type, name: str, source: str) -> tuple[types.ModuleType, StringLoader]:
    loader = StringLoader(source)
    spec = importlib.util.spec_from_loader(name, lazy_loader(loader))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module, loader


@pytest.mark.parametrize("lazy_loader", LAZY_LOADERS)
def test_the_body_runs_once_on_first_attribute_access(lazy_loader):
    module, loader = lazy_module(lazy_loader, "lazy_once", "VALUE = 42\n")
    assert loader.runs == 0
    assert module.VALUE == 42 and module.VALUE == 42
    assert loader.runs == 1 and type(module) is types.ModuleType


@pytest.mark.parametrize("lazy_loader", LAZY_LOADERS)
def test_attributes_set_before_the_body_runs_win_over_the_body(lazy_loader):
    module, _ = lazy_module(lazy_loader, "lazy_set_first", "VALUE = 'body'\nOTHER = 'body'\n")
    object.__setattr__(module, "VALUE", "importer")  # set without triggering the body, as a patcher may
    assert module.VALUE == "importer" and module.OTHER == "body"


@pytest.mark.parametrize("lazy_loader", LAZY_LOADERS)
def test_a_body_that_replaces_its_module_in_sys_modules_is_an_error(lazy_loader):
    module, _ = lazy_module(lazy_loader, "lazy_swap", "import sys\nsys.modules[__name__] = object()\n")
    with pytest.raises(ValueError, match="substituted in sys.modules"):
        module.anything


@pytest.mark.parametrize("lazy_loader", LAZY_LOADERS)
def test_the_body_reading_its_own_module_gets_module_getattr(lazy_loader):
    """While the body runs, its module answers as a module would: PEP 562 __getattr__ included."""
    source = (
        "import sys\n"
        "def __getattr__(name):\n"
        "    return 'from __getattr__: ' + name\n"
        "SEEN = sys.modules[__name__].missing\n"
    )
    module, _ = lazy_module(lazy_loader, "lazy_self_read", source)
    assert module.SEEN == "from __getattr__: missing"


@pytest.mark.parametrize("lazy_loader", LAZY_LOADERS)
def test_a_body_that_sets_its_own_class_keeps_it(lazy_loader):
    source = "import sys, types\nclass Custom(types.ModuleType):\n    pass\nsys.modules[__name__].__class__ = Custom\n"
    module, _ = lazy_module(lazy_loader, "lazy_own_class", source)
    module.Custom  # runs the body
    assert type(module).__name__ == "Custom"


@pytest.mark.parametrize("lazy_loader", LAZY_LOADERS)
def test_a_loader_that_cannot_execute_modules_is_refused(lazy_loader):
    with pytest.raises(TypeError, match="exec_module"):
        lazy_loader(object())
    with pytest.raises(TypeError, match="exec_module"):
        lazy_loader.factory(object)
    assert isinstance(lazy_loader.factory(StringLoader)("X = 1\n"), lazy_loader)
