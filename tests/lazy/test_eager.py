"""Imports PEP 810 keeps eager stay eager, even for listed names and in mode "all"."""

from __future__ import annotations

import sys

import pytest

from importworks.lazy import LazyObject

EAGER_FORMS = {
    "function": "def load():\n    import heavy\n    return heavy\nload()\n",
    "class body": "class Holder:\n    import heavy\n",
    "try body": "try:\n    import heavy\nexcept ImportError:\n    pass\n",
    "except body": "try:\n    raise ValueError\nexcept ValueError:\n    import heavy\n",
    "finally body": "try:\n    pass\nfinally:\n    import heavy\n",
    "nested try": "try:\n    if True:\n        import heavy\nfinally:\n    pass\n",
    "with inside try": "import contextlib\ntry:\n    with contextlib.nullcontext():\n        import heavy\n"
    "except ImportError:\n    pass\n",
    "try inside with": "import contextlib\nwith contextlib.nullcontext():\n    try:\n        import heavy\n"
    "    finally:\n        pass\n",
    "star import": "from heavy import *\n",
    "__import__ call": "heavy = __import__('heavy')\n",
    "exec with own locals": "exec('import heavy', globals(), {})\n",
}


@pytest.mark.parametrize("mode", ["normal", "all"])
@pytest.mark.parametrize("body", EAGER_FORMS.values(), ids=EAGER_FORMS.keys())
def test_form_stays_eager(logged, lazy_mode, body, mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\n' + body})
    lazy_mode(mode)
    import app

    assert events == ["heavy"]
    assert not any(type(value) is LazyObject for value in vars(app).values())


def test_module_level_if_block_is_lazy(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nif True:\n    import heavy\n'})
    lazy_mode("normal")
    import app

    assert events == [] and type(app.__dict__["heavy"]) is LazyObject


@pytest.mark.parametrize("mode", ["normal", "all"])
def test_with_block_import_is_lazy(logged, lazy_mode, mode):
    """PEP 810 allows lazy imports in with bodies, nested ones included."""
    events = logged(
        {
            "app.py": '__lazy_modules__ = ["heavy", "other"]\nimport contextlib\n'
            "with contextlib.nullcontext():\n    import heavy\n"
            "    with contextlib.nullcontext():\n        from other import VALUE\n"
        }
    )
    lazy_mode(mode)
    import app

    assert events == [] and type(app.__dict__["heavy"]) is LazyObject
    assert type(app.__dict__["VALUE"]) is LazyObject
    assert app.VALUE == "other" and events == ["other"]


def test_import_after_a_try_statement_is_lazy_again(logged, lazy_mode):
    events = logged(
        {"app.py": '__lazy_modules__ = ["heavy", "other"]\ntry:\n    import other\nfinally:\n    pass\nimport heavy\n'}
    )
    lazy_mode("normal")
    import app

    assert events == ["other"] and type(app.__dict__["heavy"]) is LazyObject


def test_mode_none_keeps_listed_imports_eager(logged, lazy_mode):
    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\n'})
    lazy_mode("none")
    import app

    assert events == ["heavy"] and app.__dict__["heavy"] is sys.modules["heavy"]


def test_nothing_is_lazy_without_the_engine(logged):
    from importworks import lazy

    events = logged({"app.py": '__lazy_modules__ = ["heavy"]\nimport heavy\n'})
    lazy.enable("all")
    import app

    assert events == ["heavy"] and app.__dict__["heavy"] is sys.modules["heavy"]


def test_future_import_is_never_lazy(logged, lazy_mode):
    logged({"app.py": 'from __future__ import annotations\n__lazy_modules__ = ["__future__"]\n'})
    lazy_mode("all")
    import app

    assert app.annotations.__class__.__name__ == "_Feature"
