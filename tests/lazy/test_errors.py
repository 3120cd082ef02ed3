"""An import that fails surfaces at first use and says where the lazy import was written."""

from __future__ import annotations

import sys
import traceback

import pytest

from importworks.lazy import LazyImportError

APP = '__lazy_modules__ = ["missing", "heavy", "broken"]\nimport missing\nfrom heavy import nothing\nimport broken\n'


def _app(logged, lazy_mode):
    logged({"app.py": APP, "broken.py": "raise ValueError('broken on purpose')\n"})
    lazy_mode("normal")
    import app

    return app


def test_missing_module_raises_at_first_use_with_the_import_location(logged, lazy_mode):
    app = _app(logged, lazy_mode)
    with pytest.raises(ModuleNotFoundError) as info:
        app.missing.anything
    assert str(info.value) == "No module named 'missing'"
    cause = info.value.__cause__
    assert isinstance(cause, LazyImportError)
    assert str(cause) == (f"lazy import of 'missing' raised an exception during resolution ({app.__file__}, line 2)")
    location = traceback.extract_tb(cause.__traceback__)[-1]
    assert (location.filename, location.lineno, location.line) == (app.__file__, 2, "import missing")


def test_formatted_traceback_shows_the_import_statement(logged, lazy_mode):
    app = _app(logged, lazy_mode)
    with pytest.raises(ModuleNotFoundError) as info:
        app.missing.anything
    text = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert f'File "{app.__file__}", line 2, in <module>\n    import missing\n' in text
    assert "The above exception was the direct cause of the following exception" in text


def test_missing_name_raises_cpythons_message_at_first_use(logged, lazy_mode):
    app = _app(logged, lazy_mode)
    with pytest.raises(ImportError) as info:
        app.nothing()
    assert str(info.value) == f"cannot import name 'nothing' from 'heavy' ({sys.modules['heavy'].__file__})"
    assert "line 3" in str(info.value.__cause__)


def test_error_in_module_body_keeps_its_type(logged, lazy_mode):
    app = _app(logged, lazy_mode)
    with pytest.raises(ValueError, match="broken on purpose") as info:
        app.broken.x
    assert "line 4" in str(info.value.__cause__)


def test_failed_resolution_is_retried_on_next_use(logged, lazy_mode, tree):
    app = _app(logged, lazy_mode)
    with pytest.raises(ModuleNotFoundError):
        app.missing.VALUE
    tree({"missing.py": "VALUE = 'now here'\n"})
    assert app.missing.VALUE == "now here"


def test_a_name_the_module_body_reads_is_imported_eagerly_so_its_error_is_at_the_import_line(logged, lazy_mode):
    """What the README says: such an import is kept eager (docs/lazy.md), and fails where it is written."""
    logged({"reads_iw.py": '__lazy_modules__ = ["missing_iw"]\nimport missing_iw\nprint(missing_iw)\n'})
    lazy_mode("normal")
    with pytest.raises(ModuleNotFoundError) as info:
        import reads_iw  # noqa: F401
    assert info.value.__cause__ is None  # not a lazy resolution: the import statement itself raised
    frames = traceback.extract_tb(info.tb)
    assert any((f.lineno, f.line) == (2, "import missing_iw") for f in frames if f.filename.endswith("reads_iw.py"))
