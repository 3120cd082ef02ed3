"""Each binding form is lazy, resolves on first use, and leaves the real object in the namespace."""

from __future__ import annotations

import sys
import types

import pytest

from importworks import lazy
from importworks.lazy import LazyObject


def test_import_binds_a_lazy_object_and_imports_nothing(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\n'})
    lazy_mode("normal")
    import app

    assert type(app.__dict__["heavy"]) is LazyObject
    assert "heavy" not in sys.modules
    assert events == []


def test_first_attribute_access_imports_and_rebinds_the_global(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\ndef use():\n    return heavy.X\n'})
    lazy_mode("normal")
    import app

    assert app.use() == 42
    assert app.__dict__["heavy"] is sys.modules["heavy"]
    assert app.use() == 42
    assert events == ["heavy"]


def test_dotted_import_binds_the_top_package_lazily(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["pkg.sub"]\nimport pkg.sub\n'})
    lazy_mode("normal")
    import app

    assert type(app.__dict__["pkg"]) is LazyObject
    assert "pkg" not in sys.modules and "pkg.sub" not in sys.modules
    assert app.pkg.sub.Y == 7
    assert app.__dict__["pkg"] is sys.modules["pkg"]
    assert events == ["pkg", "pkg.sub"]


def test_two_dotted_imports_of_one_package_share_one_binding(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["pkg.sub", "pkg.second"]\nimport pkg.sub\nimport pkg.second\n'})
    lazy_mode("normal")
    import app

    assert (app.pkg.sub.Y, app.pkg.second.Z) == (7, 8)
    assert events == ["pkg", "pkg.sub", "pkg.second"]


def test_eager_import_of_the_package_keeps_a_lazy_submodule_reachable(logged, lazy_mode):
    """`import pkg.sub` (lazy) then `import pkg` (eager, not listed): pkg.sub must still be there."""
    logged({"app.py": '__lazy_modules__ = ["pkg.sub"]\nimport pkg.sub\nimport pkg\n'})
    lazy_mode("normal")
    import app

    assert app.pkg.sub.Y == 7


def test_import_dotted_as_binds_the_submodule_lazily(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["pkg.sub"]\nimport pkg.sub as ps\n'})
    lazy_mode("normal")
    import app

    assert type(app.__dict__["ps"]) is LazyObject and "pkg" not in app.__dict__
    assert events == []
    assert app.ps.Y == 7
    assert app.__dict__["ps"] is sys.modules["pkg.sub"]


def test_from_import_binds_each_name_lazily(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nfrom heavy import f, X as answer\n'})
    lazy_mode("normal")
    import app

    assert type(app.__dict__["f"]) is LazyObject and type(app.__dict__["answer"]) is LazyObject
    assert events == []
    assert app.f() == "f"
    assert app.__dict__["f"] is sys.modules["heavy"].f
    assert type(app.__dict__["answer"]) is LazyObject  # each name resolves on its own use
    assert app.answer + 1 == 43
    assert app.__dict__["answer"] == 42
    assert events == ["heavy"]


def test_from_package_import_submodule(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["pkg"]\nfrom pkg import sub\n'})
    lazy_mode("normal")
    import app

    assert "pkg" not in sys.modules
    assert app.sub.Y == 7
    assert app.__dict__["sub"] is sys.modules["pkg.sub"]
    assert events == ["pkg", "pkg.sub"]


def test_relative_from_import_in_a_package(logged, lazy_mode):
    events = logged(
        {
            "rel": {
                "__init__.py": '__lazy_modules__ = ["rel"]\nfrom . import inner\n',
                "inner.py": 'import log\nlog.events.append("rel.inner")\nW = 1\n',
            }
        }
    )
    lazy_mode("normal")
    import rel

    assert "rel.inner" not in sys.modules
    assert rel.inner.W == 1
    assert rel.__dict__["inner"] is sys.modules["rel.inner"]
    assert events == ["rel.inner"]


def test_aliases_of_the_binding_are_rebound_too(logged, lazy_mode):
    logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy as h\nalias = h\n'})
    lazy_mode("normal")
    import app

    assert app.h.X == 42
    assert app.__dict__["alias"] is app.__dict__["h"] is sys.modules["heavy"]


def test_module_already_imported_is_bound_as_it_is(logged, lazy_mode):
    logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\nfrom heavy import f\n'})
    import heavy

    lazy_mode("normal")
    import app

    assert app.__dict__["heavy"] is heavy and app.__dict__["f"] is heavy.f


def test_only_listed_names_are_lazy(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\nimport other\n'})
    lazy_mode("normal")
    import app  # noqa: F401  (importing it is the test)

    assert events == ["other"]


def test_mode_all_makes_unlisted_imports_lazy(logged, lazy_mode):
    events = logged({"app.py": "import heavy\nfrom other import VALUE\n"})
    lazy_mode("all")
    import app

    assert events == []
    assert app.VALUE.upper() == "OTHER"
    assert events == ["other"]


USES = {
    "attribute": lambda m: m.heavy.X == 42,
    "call": lambda m: m.f() == "f",
    "dir": lambda m: "X" in dir(m.heavy),
    "repr": lambda m: repr(m.heavy).startswith("<module 'heavy'"),
    "str": lambda m: str(m.X) == "42",
    "operator": lambda m: m.X * 2 == 84 and 1 + m.X == 43,
    "comparison": lambda m: m.X > 41,
    "hash": lambda m: {m.X: 1}[42] == 1,
    "bool": lambda m: bool(m.X),
    "isinstance against it": lambda m: isinstance(m.Base(), m.Base),
    "isinstance of it": lambda m: isinstance(m.heavy, types.ModuleType),
    "vars": lambda m: vars(m.heavy)["X"] == 42,
}


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_every_kind_of_first_use_resolves(logged, lazy_mode, use):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\nfrom heavy import f, X, Base\n'})
    lazy_mode("normal")
    import app

    assert events == []
    assert use(app)
    assert events == ["heavy"]


def test_class_statement_subclasses_the_real_class(logged, lazy_mode):
    logged({"app.py": '__lazy_modules__ = ["heavy"]\nfrom heavy import Base\nclass Child(Base):\n    pass\n'})
    lazy_mode("normal")
    import app

    assert app.Child.__mro__[1] is sys.modules["heavy"].Base


def test_lazy_function_stored_on_a_class_still_becomes_a_method(logged, lazy_mode):
    logged(
        {
            "meth.py": "def method(self):\n    return self\n",
            "app.py": '__lazy_modules__ = ["meth"]\nfrom meth import method\nclass C:\n    m = method\n',
        }
    )
    lazy_mode("normal")
    import app

    obj = app.C()
    assert obj.m() is obj


def test_lazy_import_function_defers_without_activate(logged):
    events = logged({})
    proxy = lazy.lazy_import("pkg.sub")
    assert type(proxy) is LazyObject and "pkg.sub" not in sys.modules
    assert proxy.Y == 7
    assert lazy.resolve(proxy) is sys.modules["pkg.sub"]
    assert events == ["pkg", "pkg.sub"]


def test_lazy_import_at_module_level_rebinds_its_global(logged):
    logged({"app.py": "from importworks.lazy import lazy_import\nheavy = lazy_import('heavy')\n"})
    import app

    assert type(app.__dict__["heavy"]) is LazyObject
    assert app.heavy.X == 42
    assert app.__dict__["heavy"] is sys.modules["heavy"]


def test_lazy_import_in_mode_none_imports_now(logged, lazy_mode):
    events = logged({})
    lazy_mode("none")
    module = lazy.lazy_import("heavy")
    assert type(module) is types.ModuleType and events == ["heavy"]


def test_type_and_identity_show_the_stand_in_before_first_use(logged, lazy_mode):
    """What a proxy cannot hide (docs/lazy.md): type() and `is` before first use."""
    logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\n'})
    lazy_mode("normal")
    import app

    proxy = app.__dict__["heavy"]
    assert type(proxy) is LazyObject
    import heavy

    assert proxy is not heavy
    assert proxy == heavy  # == forwards, and resolves
    assert app.__dict__["heavy"] is heavy
