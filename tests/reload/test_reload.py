"""reload(): old objects run the new code; broken edits change nothing."""

from __future__ import annotations

import dataclasses
import sys

import pytest

import importworks
from importworks.reload import ReloadError, reload


def test_old_function_objects_bound_methods_and_instances_run_the_new_code(tree, edit, engine):
    tree(
        {
            "shapes.py": """
        def area(w, h=1):
            return w * h

        class Box:
            def __init__(self, w):
                self.w = w
            def describe(self):
                return f"box {self.w}"
    """
        }
    )
    import shapes

    area, box = shapes.area, shapes.Box(3)
    describe = box.describe
    edit(
        "shapes.py",
        """
        def area(w, h=2):
            return w * h * 10

        class Box:
            def __init__(self, w):
                self.w = w
            def describe(self):
                return f"BOX {self.w}"
            def double(self):
                return self.w * 2
    """,
    )
    assert reload(shapes) is shapes
    assert area(1) == 20  # new code and new default
    assert describe() == "BOX 3"
    assert box.double() == 6  # a method the old instance never had
    assert isinstance(box, shapes.Box) and type(box) is shapes.Box


def test_from_imported_names_in_dependents_see_the_new_code(tree, edit, engine):
    tree(
        {
            "config.py": "LIMIT = 1\ndef name():\n    return 'old'\n",
            "app.py": "from config import LIMIT, name as get_name\nDOUBLE = LIMIT * 2\n",
        }
    )
    import app
    import config

    edit("config.py", "LIMIT = 5\ndef name():\n    return 'new'\n")
    reload(config)
    assert app.get_name() == "new"
    assert app.LIMIT == 5 and app.DOUBLE == 10  # the dependent ran again


def test_from_bindings_are_updated_without_re_running_the_importer(tree, edit, reloader):
    tree({"config.py": "LIMIT = 1\n", "app.py": "from config import LIMIT\nRUNS = []\nRUNS.append(1)\n"})
    import app
    import config

    edit("config.py", "LIMIT = 7\n")
    report = reloader.reload([config], dependents=False)
    assert app.LIMIT == 7 and app.RUNS == [1]
    assert report.rebound == ["app.LIMIT"]


def test_main_block_is_not_run_again(tree, edit, engine):
    root = tree(
        {
            "tool.py": """
        RAN = []
        def run():
            return "old"
        if __name__ == "__main__":
            RAN.append("main")
    """
        }
    )
    import tool

    edit("tool.py", (root / "tool.py").read_text().replace('"old"', '"new"'))
    reload(tool)
    assert tool.run() == "new" and tool.RAN == []


@pytest.mark.parametrize(
    "broken, error, line",
    [
        ("def f(:\n    pass\n", "SyntaxError", 1),
        (
            "X = 2\ndef f():\n    return 'new'\nraise RuntimeError('boom at import')\n",
            "RuntimeError: boom at import",
            4,
        ),
    ],
)
def test_a_broken_edit_changes_nothing_and_says_where(tree, edit, engine, broken, error, line):
    root = tree({"fragile.py": "X = 1\ndef f():\n    return 'old'\n"})
    import fragile

    f = fragile.f
    edit("fragile.py", broken)
    with pytest.raises(ReloadError) as info:
        reload(fragile)
    message = str(info.value)
    assert message.startswith("cannot reload 'fragile': ") and error in message
    assert f"{root / 'fragile.py'}, line {line})" in message
    assert (info.value.path, info.value.lineno) == (str(root / "fragile.py"), line)
    assert f() == "old" and fragile.f is f and fragile.X == 1 and sys.modules["fragile"] is fragile
    edit("fragile.py", "X = 3\ndef f():\n    return 'fixed'\n")
    reload(fragile)
    assert f() == "fixed" and fragile.X == 3


def test_enum_members_keep_their_identity(tree, edit):
    tree(
        {
            "colors.py": """
        import enum
        class Color(enum.Enum):
            RED = 1
            BLUE = 2
            def label(self):
                return self.name.lower()
        FAVOURITE = Color.RED
    """
        }
    )
    import colors

    red = colors.Color.RED
    edit(
        "colors.py",
        """
        import enum
        class Color(enum.Enum):
            RED = 1
            BLUE = 2
            def label(self):
                return self.name.title()
        FAVOURITE = Color.RED
    """,
    )
    reload(colors)
    assert colors.Color.RED is red and colors.FAVOURITE is red and colors.Color(1) is red
    assert red.label() == "Red" and isinstance(red, colors.Color)


def test_singledispatch_registry_keeps_registrations_from_other_modules(tree, edit):
    tree(
        {
            "fmt.py": """
        import functools
        class Money:
            pass
        @functools.singledispatch
        def show(x):
            return "object"
        @show.register
        def _(x: int):
            return "int"
        @show.register
        def _(x: Money):
            return "money"
    """,
            "plugin.py": "from fmt import show\n@show.register\ndef _(x: str):\n    return 'plugin str'\n",
        }
    )
    import fmt
    import plugin  # noqa: F401

    show, money = fmt.show, fmt.Money()
    edit(
        "fmt.py",
        """
        import functools
        class Money:
            pass
        @functools.singledispatch
        def show(x):
            return "OBJECT"
        @show.register
        def _(x: int):
            return "INT"
        @show.register
        def _(x: Money):
            return "MONEY"
        @show.register
        def _(x: float):
            return "FLOAT"
    """,
    )
    reload(fmt, dependents=False)
    assert fmt.show is show
    assert (show(1), show(money), show(1.5), show("s"), show(None)) == ("INT", "MONEY", "FLOAT", "plugin str", "OBJECT")


def test_frozen_dataclasses_stay_frozen_and_comparable(tree, edit):
    tree(
        {
            "points.py": """
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class Point:
            x: int
            y: int = 0
            def norm(self):
                return abs(self.x) + abs(self.y)
        ORIGIN = Point(0)
    """
        }
    )
    import points

    p = points.Point(3, 4)
    edit(
        "points.py",
        """
        from dataclasses import dataclass
        @dataclass(frozen=True)
        class Point:
            x: int
            y: int = 0
            def norm(self):
                return (self.x ** 2 + self.y ** 2) ** 0.5
        ORIGIN = Point(0)
    """,
    )
    reload(points)
    assert p.norm() == 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 1
    assert p == points.Point(3, 4) and isinstance(points.ORIGIN, points.Point)
    assert points.Point(0, 0) == points.ORIGIN and hash(p) == hash(points.Point(3, 4))


def test_a_class_whose_slots_changed_is_reported_not_patched(tree, edit, reloader):
    tree(
        {
            "slotted.py": """
        class Pair:
            __slots__ = ("a",)
            def total(self):
                return self.a
    """
        }
    )
    import slotted

    old_class = slotted.Pair
    pair = old_class()
    pair.a = 1
    edit(
        "slotted.py",
        """
        class Pair:
            __slots__ = ("a", "b")
            def total(self):
                return self.a + self.b
    """,
    )
    report = reloader.reload([slotted])
    [conflict] = report.modules[0].conflicts
    assert (conflict.module, conflict.qualname) == ("slotted", "Pair")
    assert conflict.message == (
        "cannot patch Pair in slotted: __slots__ changed (('a',) -> ('a', 'b')); "
        "instances made before the reload keep the old class, new ones get the new class"
    )
    assert pair.total() == 1 and type(pair) is old_class  # untouched, still working
    assert slotted.Pair is not old_class and slotted.Pair.__slots__ == ("a", "b")
    assert conflict.message in report.summary()


def test_closures_decorators_properties_and_class_level_functions(tree, edit):
    tree(
        {
            "deco.py": """
        import functools
        def traced(func):
            @functools.wraps(func)
            def wrapper(*args):
                return ("traced", func(*args))
            return wrapper
        def make_adder(n):
            def add(x):
                return x + n
            return add
        @traced
        def work(x):
            return x
        @functools.lru_cache(maxsize=None)
        def cached(x):
            return x
        class Thing:
            @property
            def size(self):
                return 1
            @staticmethod
            def kind():
                return "static"
            @classmethod
            def make(cls):
                return "class"
            def gone(self):
                return "gone"
    """
        }
    )
    import deco

    work, cached, thing, adder = deco.work, deco.cached, deco.Thing(), deco.make_adder(1)
    assert cached(2) == 2
    edit(
        "deco.py",
        """
        import functools
        def traced(func):
            @functools.wraps(func)
            def wrapper(*args):
                return ("traced", func(*args))
            return wrapper
        def make_adder(n):
            def add(x):
                return x + n * 100
            return add
        @traced
        def work(x):
            return x * 2
        @functools.lru_cache(maxsize=None)
        def cached(x):
            return x * 3
        class Thing:
            @property
            def size(self):
                return 2
            @staticmethod
            def kind():
                return "STATIC"
            @classmethod
            def make(cls):
                return "CLASS"
    """,
    )
    reload(deco)
    assert work(5) == ("traced", 10)
    assert cached(2) == 6  # the cache was cleared
    assert (thing.size, thing.kind(), deco.Thing.make()) == (2, "STATIC", "CLASS")
    assert not hasattr(thing, "gone")
    assert deco.make_adder(1)(1) == 101 and adder(1) == 2  # closures made before keep their own cells


def test_super_and_subclasses_in_the_same_module(tree, edit):
    tree(
        {
            "family.py": """
        class Base:
            def hello(self):
                return "base"
        class Child(Base):
            def hello(self):
                return "child+" + super().hello()
    """
        }
    )
    import family

    child = family.Child()
    edit(
        "family.py",
        """
        class Base:
            def hello(self):
                return "BASE"
        class Child(Base):
            def hello(self):
                return "CHILD+" + super().hello()
    """,
    )
    reload(family)
    assert child.hello() == "CHILD+BASE"
    assert isinstance(child, family.Base) and issubclass(family.Child, family.Base)


def test_new_functions_and_classes_use_the_module_namespace(tree, edit):
    tree({"grow.py": "COUNT = 0\n"})
    import grow

    edit(
        "grow.py",
        """
        COUNT = 0
        def bump():
            global COUNT
            COUNT += 1
            return COUNT
        class Counter:
            def read(self):
                return COUNT
    """,
    )
    reload(grow)
    assert grow.bump() == 1 and grow.COUNT == 1
    assert grow.bump.__globals__ is grow.__dict__
    assert grow.Counter().read() == 1 and grow.Counter.__module__ == "grow"


def test_module_level_instances_are_instances_of_the_patched_class(tree, edit):
    tree({"registry.py": "class Registry:\n    def name(self):\n        return 'old'\nDEFAULT = Registry()\n"})
    import registry

    cls = registry.Registry
    edit("registry.py", "class Registry:\n    def name(self):\n        return 'new'\nDEFAULT = Registry()\n")
    reload(registry)
    assert registry.Registry is cls and type(registry.DEFAULT) is cls and registry.DEFAULT.name() == "new"


def test_reload_refuses_a_module_not_in_sys_modules():
    with pytest.raises(ImportError, match="module never_imported not in sys.modules"):
        reload(type(sys)("never_imported"))


def test_report_lists_what_changed(tree, edit, reloader):
    tree({"small.py": "def same():\n    return 1\ndef edited():\n    return 1\n"})
    import small

    edit("small.py", "\n\ndef same():\n    return 1\ndef edited():\n    return 2\ndef added():\n    pass\n")
    report = reloader.reload([small])
    assert report.modules[0].changed == ["edited", "added"]
    assert report.summary().startswith("reloaded small (edited, added) in ")


def test_works_under_install_and_without_the_engine(tree, edit):
    tree({"plain.py": "def f():\n    return 1\n"})
    import plain

    f = plain.f
    edit("plain.py", "def f():\n    return 2\n")
    with importworks.install():
        reload(plain)
    assert f() == 2


def test_reload_refuses_a_name_as_importlib_reload_does():
    """reload("typing") is a TypeError, and nothing is reloaded (importlib's contract, gh-125519)."""
    import typing

    before = dict(vars(typing))
    with pytest.raises(TypeError, match=r"^reload\(\) argument must be a module$"):
        importworks.reload("typing")
    assert vars(typing) == before
