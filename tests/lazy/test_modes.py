"""enable()/disable(), the modes, and the filter (PEP 810's sys.set_lazy_imports_filter)."""

from __future__ import annotations

import pytest

from importworks import lazy
from importworks.engine import _importlib_bootstrap as engine
from tests.conftest import run_python


def test_filter_is_asked_with_importer_name_and_fromlist(logged, lazy_mode):
    asked = []
    lazy.set_lazy_filter(lambda importer, name, fromlist: asked.append((importer, name, fromlist)) or True)
    logged({"app.py": "import heavy\nfrom other import VALUE\nfrom pkg import sub, second\n"})
    lazy_mode("all")
    import app  # noqa: F401

    assert asked == [("app", "heavy", None), ("app", "other", ("VALUE",)), ("app", "pkg", ("sub", "second"))]


def test_filter_saying_no_keeps_the_import_eager(logged, lazy_mode):
    lazy.set_lazy_filter(lambda importer, name, fromlist: name != "other")
    events = logged({"app.py": "import heavy\nimport other\n"})
    lazy_mode("all")
    import app  # noqa: F401

    assert events == ["other"]
    assert lazy.get_lazy_filter() is not None


def test_filter_is_not_asked_for_imports_that_cannot_be_lazy(logged, lazy_mode):
    asked = []
    lazy.set_lazy_filter(lambda *args: asked.append(args) or True)
    logged({"app.py": "def f():\n    import heavy\nf()\ntry:\n    import other\nexcept ImportError:\n    pass\n"})
    lazy_mode("all")
    import app  # noqa: F401

    assert asked == []


def test_filter_must_be_callable():
    with pytest.raises(TypeError, match="^the lazy imports filter must be callable or None, not int$"):
        lazy.set_lazy_filter(3)  # type: ignore[arg-type]


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError) as info:
        lazy.enable("some")
    assert str(info.value) == "lazy imports mode must be one of 'normal', 'all', 'none', not 'some'"


def test_enable_and_disable_install_the_hook_and_report_the_previous_mode():
    assert lazy.enable("all") is None
    assert engine._lazy_hook is lazy._hook
    assert lazy.enable("none") == "all"
    assert engine._lazy_hook is None  # "none" costs nothing per import
    assert lazy.enable() == "none" and lazy.get_lazy_mode() == "normal"
    assert lazy.enable("listed") == "normal" and lazy.get_lazy_mode() == "normal"  # the old name, an alias
    assert lazy.disable() == "normal"
    assert engine._lazy_hook is None and lazy.get_lazy_mode() is None


def test_sys_modules_gets_nothing_until_first_use(logged, lazy_mode):
    import sys

    logged({"app.py": "import heavy\nimport pkg.sub\nfrom other import VALUE\n"})
    lazy_mode("all")
    before = set(sys.modules)
    import app

    assert set(sys.modules) - before == {"app"}
    app.VALUE.lower()
    assert set(sys.modules) - before == {"app", "other"}


def test_first_listed_import_of_a_process_is_lazy(tmp_path):
    """activate()'s default loads importworks.lazy on the first listed import, and that import is lazy too."""
    (tmp_path / "s.py").write_text(
        '__lazy_modules__ = ["colorsys"]\nimport sys\nimport colorsys\n'
        'print("colorsys" in sys.modules, type(globals()["colorsys"]).__name__)\n'
    )
    result = run_python(
        "import importworks, runpy\nwith importworks.activate():\n    runpy.run_path('s.py', run_name='__main__')\n",
        cwd=tmp_path,
    )
    assert (result.stdout, result.stderr) == ("False LazyObject\n", "")


def test_lazy_modules_lists_the_lazy_imports_not_imported_yet(logged, lazy_mode):
    """importworks.lazy_modules() mirrors 3.15's sys.lazy_modules: module names, and module.name per from-name."""
    import importworks

    logged({"app.py": "import heavy\nimport pkg.sub\nfrom other import VALUE\n"})
    lazy_mode("all")
    import app

    assert importworks.lazy_modules() == {"heavy", "pkg.sub", "other", "other.VALUE"}
    app.VALUE.lower()
    app.heavy.X
    assert importworks.lazy_modules() == {"pkg.sub", "other.VALUE"}


def test_lazy_modules_may_be_any_container_and_is_read_per_statement(logged, lazy_mode):
    events = logged(
        {
            "app.py": "class Only:\n    def __contains__(self, name):\n        return name == 'heavy'\n"
            "__lazy_modules__ = Only()\nimport heavy\nimport other\n"
            "__lazy_modules__ = {'pkg': 1}\nimport pkg\nimport log\n"
        }
    )
    lazy_mode("normal")
    import app

    assert events == ["other"]
    assert lazy.is_lazy(app.__dict__["heavy"]) and lazy.is_lazy(app.__dict__["pkg"])
