"""Patterns of real programs that broke under lazy="all" (issue 14): each reduced to a few modules.

A lazy object that reaches code which inspects objects without an ordinary
attribute read (``type()``'s bases, ``inspect.getattr_static``, C functions
taking a str) must either resolve there or never have been lazy.
"""

from __future__ import annotations

import functools
import inspect
import os
import subprocess
import sys

import pytest

from importworks import lazy
from tests.conftest import SRC


def test_function_the_module_body_calls_reads_its_globals_eagerly(logged, lazy_mode):
    """sqlalchemy.sql: ``__go(locals())`` at module level passes a from-imported class to ``type(name, bases, ns)``."""
    logged(
        {
            "elements.py": "class ColumnElement:\n    pass\n",
            "app.py": (
                "from elements import ColumnElement\n"
                "def __go():\n"
                "    global Annotated\n"
                "    Annotated = type('Annotated', (ColumnElement,), {})\n"
                "__go()\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert app.Annotated.__mro__[1].__name__ == "ColumnElement"


def test_functions_called_from_a_called_function_count_too(logged, lazy_mode):
    """The body calls ``setup()``, which calls ``_build()``: what ``_build`` reads is read during the import."""
    logged(
        {
            "elements.py": "class Base:\n    pass\n",
            "app.py": (
                "from elements import Base\n"
                "def _build():\n"
                "    return type('Made', (Base,), {})\n"
                "def setup():\n"
                "    return _build()\n"
                "MADE = setup()\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert app.MADE.__mro__[1].__name__ == "Base"


def test_a_function_the_body_only_passes_as_a_value_keeps_its_imports_lazy(logged, lazy_mode):
    """flask.cli: ``cli.add_command(run_command)``; run_command's ``run_simple`` (werkzeug.serving) stays lazy."""
    events = logged(
        {
            "registry.py": "COMMANDS = []\ndef add(f):\n    COMMANDS.append(f)\n",
            "app.py": (
                "import registry\nfrom heavy import f\n"
                "def decorate(g):\n    return g\n"
                "@decorate\n"
                "def run_command():\n    return f()\n"
                "registry.add(run_command)\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert events == []
    assert app.run_command() == "f" and events == ["heavy"]


def test_a_function_the_body_never_calls_keeps_its_imports_lazy(logged, lazy_mode):
    events = logged(
        {
            "app.py": "import heavy\ndef later():\n    return heavy.X\nVALUE = 1\n",
        }
    )
    lazy_mode("all")
    import app

    assert events == []
    assert app.later() == 42 and events == ["heavy"]


def test_getattr_static_sees_through_a_lazy_module(logged, lazy_mode):
    """tox via pluggy: ``add_hookspecs(spec)`` walks a lazily imported module with ``inspect.getattr_static``."""
    logged(
        {
            "spec.py": "def hook():\n    pass\nhook.marked = True\n",
            "app.py": "import spec\n",
        }
    )
    lazy_mode("all")
    import app

    proxy = app.__dict__["spec"]
    assert lazy.is_lazy(proxy)
    assert "hook" in dir(proxy)  # pluggy's add_hookspecs: dir(), then getattr_static on each name
    assert inspect.getattr_static(proxy, "hook").marked is True
    assert inspect.getattr_static(proxy, "missing", None) is None


def test_dunder_value_taken_from_a_module_stays_eager(logged, lazy_mode):
    """coverage: ``from coverage.version import __version__`` goes to sqlite3, which takes only a real str."""
    import sqlite3

    logged(
        {
            "version.py": '__version__ = "7.1"\n',
            "app.py": (
                "from version import __version__\n"
                "def store(con):\n"
                "    con.execute('create table meta (v text)')\n"
                "    con.execute('insert into meta values (?)', (__version__,))\n"
                "    return con.execute('select v from meta').fetchone()[0]\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert not lazy.is_lazy(app.__dict__["__version__"])
    con = sqlite3.connect(":memory:")
    try:
        assert app.store(con) == "7.1"
    finally:
        con.close()


def test_submodule_a_package_imports_only_for_its_side_effect_is_imported(logged, lazy_mode):
    """mpmath.functions: ``from . import zetazeros`` adds methods to a class; the name is never used."""
    logged(
        {
            "fn": {
                "__init__.py": "from . import functions\nfrom . import zeta\n",
                "functions.py": (
                    "class Special:\n    pass\ndef defun(f):\n    setattr(Special, f.__name__, f)\n    return f\n"
                ),
                "zeta.py": "from .functions import defun\n@defun\ndef zeta(self):\n    return 'zeta'\n",
            },
            "app.py": "from fn.functions import Special\ndef make():\n    return Special()\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.make().zeta() == "zeta"


def test_submodule_a_package_publishes_in_all_stays_lazy(logged, lazy_mode):
    """A submodule named in the package's ``__all__`` is there for its users, who reach it as an attribute."""
    events = logged(
        {
            "api": {
                "__init__.py": '__all__ = ["tools"]\nfrom . import tools\n',
                "tools.py": 'import log\nlog.events.append("api.tools")\nT = 3\n',
            },
            "app.py": "import api\ndef use():\n    return api.tools.T\n",
        }
    )
    lazy_mode("all")
    import app

    assert events == []
    assert app.use() == 3 and events == ["api.tools"]


def test_lazy_class_as_a_singledispatch_registration(logged, lazy_mode):
    """``f.register(LazyClass)`` and dispatch on an instance of the real class."""
    logged({"shapes.py": "class Circle:\n    pass\n", "app.py": "from shapes import Circle\n"})
    lazy_mode("all")
    import app

    @functools.singledispatch
    def name(obj: object) -> str:
        return "object"

    proxy = app.__dict__["Circle"]
    assert lazy.is_lazy(proxy)
    name.register(proxy, lambda obj: "circle")
    assert name(sys.modules["shapes"].Circle()) == "circle"


def test_lazy_class_in_isinstance_and_issubclass(logged, lazy_mode):
    logged({"shapes.py": "class Shape:\n    pass\nclass Circle(Shape):\n    pass\n", "app.py": "import shapes\n"})
    lazy_mode("all")
    import app

    shapes = app.__dict__["shapes"]
    circle, shape = shapes.Circle, shapes.Shape
    assert isinstance(circle(), shape) and issubclass(circle, shape)


def test_submodule_imported_only_to_fill_a_registry_is_imported(logged, lazy_mode):
    """sqlalchemy.sql.naming: ``from . import events  # noqa`` defines event classes that register themselves."""
    logged(
        {
            "sa": {
                "__init__.py": "",
                "registry.py": "EVENTS = {}\n",
                "events.py": "from .registry import EVENTS\nEVENTS['column_added'] = True\n",
                "naming.py": (
                    "from . import events  # noqa\nfrom .registry import EVENTS\n"
                    "def has(name):\n    return name in EVENTS\n"
                ),
            },
            "app.py": "from sa.naming import has\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.has("column_added")


def test_a_plain_import_never_used_stays_lazy(logged, lazy_mode):
    """``import heavy`` with no use of ``heavy`` is the case lazy imports exist for: never imported."""
    events = logged({"app.py": "import heavy\nVALUE = 1\n"})
    lazy_mode("all")
    import app

    assert app.VALUE == 1 and events == []


def test_resolving_to_an_object_that_resolves_another_lazy_name_on_isinstance(logged, lazy_mode):
    """django: ``settings`` is an object whose ``__class__`` sets itself up, reading another lazy name."""
    logged(
        {
            "conf.py": (
                "import other\n"
                "class Settings:\n"
                "    def __getattribute__(self, name):\n"
                "        if name == '__class__':\n"
                "            other.VALUE\n"
                "        return object.__getattribute__(self, name)\n"
                "settings = Settings()\n"
            ),
            "app.py": "from conf import settings\ndef get():\n    return settings.__class__.__name__\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.get() == "Settings"


def test_a_name_the_package_body_binds_after_importing_its_submodule_stays(logged, lazy_mode):
    """pendulum: ``from pendulum.duration import Duration`` then ``def duration(...)`` in the package."""
    logged(
        {
            "pend": {
                "__init__.py": "from pend.duration import Duration\ndef duration():\n    return 'the function'\n",
                "duration.py": "class Duration:\n    pass\n",
            },
            "app.py": "import pend\ndef use():\n    return pend.Duration, pend.duration()\n",
        }
    )
    lazy_mode("all")
    import app

    kind, made = app.use()
    assert kind.__name__ == "Duration" and made == "the function"  # eagerly the def came after the import


@pytest.mark.xfail(
    not hasattr(sys, "set_lazy_imports"),
    reason="3.10-3.14: the proxy of `from pkg.cmd import cmd` resolves to the subpackage once another import "
    "of pkg.cmd binds it on pkg (hatch); the interpreter's lazy object is kept (3.15)",
    strict=True,
)
def test_a_lazy_from_import_of_a_subpackages_function_survives_its_import_by_another_path(logged, lazy_mode):
    """hatch: ``from pkg.cmd import cmd``; then ``from pkg.cmd.helper import helper`` imports pkg.cmd."""
    logged(
        {
            "hpkg": {
                "__init__.py": "from hpkg.cmd import cmd\n",
                "cmd": {
                    "__init__.py": "def cmd():\n    return 'cmd()'\n",
                    "helper.py": "def helper():\n    return 1\n",
                },
            },
            "app.py": (
                "import hpkg\ndef use():\n    from hpkg.cmd.helper import helper\n    return helper(), hpkg.cmd()\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert app.use() == (1, "cmd()")


def test_importworks_own_abc_registration_reads_no_missing_attribute_of_importlib():
    """Every program imports importlib.abc; our after-exec hook must not make importlib import its pending modules.

    ``import importlib.abc as stock`` there read ``importlib.abc`` before the
    engine bound it on importlib: a missing attribute of a package with lazy
    imports pending, so each of them was imported (flask: importlib.resources).
    """
    code = (
        "import sys, importlib, importworks\nfrom importworks import lazy\n"
        "importworks.activate()\nlazy.enable('all')\n"
        "exec('import importlib.metadata', {'__name__': 'probe'})\n"
        "importlib.import_module('importlib.abc')\n"
        "print('importlib.abc' in sys.modules, 'importlib.metadata' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert (result.stdout, result.stderr) == ("True False\n", "")


def test_an_import_under_with_suppress_import_error_runs_there(logged, lazy_mode):
    """jsonschema: ``with suppress(ImportError): import webcolors`` then registers a checker only if it imported."""
    events = logged(
        {
            "fmts.py": (
                "import contextlib\nfrom contextlib import suppress\nCHECKERS = []\n"
                "with suppress(ImportError):\n    import not_installed_colors\n    CHECKERS.append('color')\n"
                "with contextlib.suppress(ImportError):\n    from heavy import X\n    CHECKERS.append('heavy')\n"
                "with open(__file__) as source:\n    import other\n"
            ),
        }
    )
    lazy_mode("all")
    import fmts

    assert fmts.CHECKERS == ["heavy"]  # the missing one was caught by its with; the one present ran
    assert events == ["heavy"]  # and a plain `with` body's import stays lazy
    assert lazy.is_lazy(fmts.__dict__["other"])


def test_a_submodule_named_only_in_string_annotations_counts_as_used(logged, lazy_mode):
    """jsonschema.validators: ``from jsonschema import _typing`` for its annotations (``from __future__``).

    Counted as unused, the side-effect rule kept it eager, and on 3.15 that eager
    import ran the package's module ``__getattr__`` halfway through: a cycle.
    """
    events = logged(
        {
            "jsp": {
                "__init__.py": (
                    "from jsp.a import A\n"
                    "def __getattr__(name):\n    if name == 'OldA':\n        return A\n    raise AttributeError(name)\n"
                ),
                "a.py": "from __future__ import annotations\nfrom jsp import _typing\n"
                "def f(x: _typing.T) -> None:\n    pass\nclass A:\n    pass\n",
                "_typing.py": 'import log\nlog.events.append("jsp._typing")\nT = int\n',
            },
            "app.py": "import jsp\ndef use():\n    return jsp.A.__name__\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.use() == "A"
    assert events == []  # the annotations' module is never needed: it stays lazy
