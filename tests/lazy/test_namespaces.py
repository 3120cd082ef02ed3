"""Lazy bindings seen from other modules, and the eager import's side effects on packages."""

from __future__ import annotations

import sys
import types

from importworks.lazy import LazyObject


def test_attribute_of_another_module_resolves_its_lazy_binding(logged, lazy_mode):
    """PEP 810: reading a lazy object as a module attribute resolves it."""
    logged(
        {
            "errors_src.py": "class Oops(Exception):\n    pass\n",
            "lib.py": '__lazy_modules__ = ["errors_src"]\nfrom errors_src import Oops\n',
            "user.py": "import lib\ndef catch():\n    try:\n        raise lib.Oops\n"
            "    except lib.Oops as exc:\n        return exc\n",
        }
    )
    lazy_mode("normal")
    import user

    assert type(user.lib.__dict__["Oops"]) is LazyObject
    assert type(user.catch()).__name__ == "Oops"
    assert user.lib.__dict__["Oops"] is sys.modules["errors_src"].Oops
    assert type(user.lib) is types.ModuleType  # no lazy binding left: a plain module again


def test_from_import_of_a_name_caught_in_except_stays_eager(logged, lazy_mode):
    events = logged(
        {
            "app.py": '__lazy_modules__ = ["heavy", "other"]\nfrom heavy import Base\n'
            "from other import VALUE\n"
            "def f():\n    try:\n        pass\n    except Base:\n        pass\n"
        }
    )
    lazy_mode("normal")
    import app

    assert events == ["heavy"]
    assert app.__dict__["Base"] is sys.modules["heavy"].Base
    assert type(app.__dict__["VALUE"]) is LazyObject


def test_from_import_of_a_name_raised_bare_stays_eager(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nfrom heavy import Base\ndef f():\n    raise Base\n'})
    lazy_mode("normal")
    import app  # noqa: F401

    assert events == ["heavy"]


def test_lazy_from_submodule_import_binds_the_submodule_in_the_package(logged, lazy_mode):
    """`from .sub import Y` in pkg/__init__ binds pkg.sub as a side effect, lazily too."""
    events = logged(
        {
            "pk2": {
                "__init__.py": '__lazy_modules__ = ["pk2.sub"]\nfrom .sub import Y\n',
                "sub.py": 'import log\nlog.events.append("pk2.sub")\nY = 1\nZ = 2\n',
            },
            "app.py": "import pk2\ndef z():\n    return pk2.sub.Z\n",
        }
    )
    lazy_mode("normal")
    import app

    assert events == []
    assert app.z() == 2
    assert events == ["pk2.sub"]


def test_resolving_a_package_defers_its_submodules_until_reached(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["pkg.sub", "pkg.second"]\nimport pkg.sub\nimport pkg.second\n'})
    lazy_mode("normal")
    import app

    app.pkg.__name__
    assert events == ["pkg"]
    assert app.pkg.second.Z == 8
    assert events == ["pkg", "pkg.second"]
    assert sys.modules["pkg"].__dict__["second"] is sys.modules["pkg.second"]


def test_from_package_import_name_prefers_the_attribute_over_its_submodule(logged, lazy_mode):
    """markdown_it's layout: pkg/__init__ does `from .text import text`; `from pkg import text` is the function."""
    logged(
        {
            "mdp": {
                "__init__.py": "from .text import text\nfrom .other import other\n",
                "text.py": "def text():\n    return 'text()'\n",
                "other.py": "def other():\n    return 'other()'\n",
            },
            "app.py": "from mdp import text\nimport mdp\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.text() == "text()"
    assert app.mdp.other() == "other()"
    assert sys.modules["mdp"].__dict__["text"] is sys.modules["mdp.text"].text
    assert app.__dict__["text"] is sys.modules["mdp.text"].text


def test_package_attribute_read_keeps_the_from_imported_name(logged, lazy_mode):
    """pkg.text read first (through the package) is the function, and stays it."""
    logged(
        {
            "mdp": {"__init__.py": "from .text import text\n", "text.py": "def text():\n    return 'text()'\n"},
            "app.py": "import mdp\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.mdp.text() == "text()"
    assert sys.modules["mdp"].__dict__["text"] is sys.modules["mdp.text"].text
