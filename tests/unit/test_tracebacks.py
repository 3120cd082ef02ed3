"""A failed import's traceback shows the user's frames, not the engine's."""

from __future__ import annotations

import contextlib
import sys

import pytest

ENGINE_DIR = "importworks"


def _files(tb):
    files = []
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return files


def _engine_frames(files):
    return [f for f in files if f"{ENGINE_DIR}/" in f.replace("\\", "/") and "/tests/" not in f]


# Python 3.10 re-raises a saved traceback, so __import__'s own frame remains there
ALLOWED = 1 if sys.version_info < (3, 11) else 0


@pytest.mark.parametrize(
    "body, error",
    [
        ("1/0", ZeroDivisionError),
        ("import nonexistent_xyzzy_module", ModuleNotFoundError),
        ("def broken(:", SyntaxError),
    ],
)
def test_failed_import_hides_engine_frames(tree, engine, body, error):
    tree({"tb_mod.py": body})
    try:
        import tb_mod  # noqa: F401
    except error as exc:
        files = _files(exc.__traceback__)
    else:
        pytest.fail("import should have failed")
    assert files[0] == __file__
    assert len(_engine_frames(files)) == ALLOWED, files
    if error is ZeroDivisionError:
        assert files[-1].endswith("tb_mod.py")


@pytest.mark.parametrize("with_engine", [False, True], ids=["stock", "importworks"])
def test_from_import_of_a_failing_submodule_of_an_imported_package_hides_engine_frames(tree, with_engine):
    # the package is already imported: __import__'s cache-hit path runs the from-list
    tree({"tb_pkg": {"__init__.py": "", "bad.py": "1/0"}})
    import importworks

    with importworks.activate() if with_engine else contextlib.nullcontext():
        import tb_pkg  # noqa: F401

        try:
            from tb_pkg import bad  # noqa: F401
        except ZeroDivisionError as exc:
            files = _files(exc.__traceback__)
        else:
            pytest.fail("import should have failed")
    assert files[0] == __file__ and files[-1].endswith("bad.py")
    import_system = [f for f in files[1:-1] if "importlib" in f or f"{ENGINE_DIR}/" in f.replace("\\", "/")]
    assert len(import_system) <= (ALLOWED if with_engine else 0), files
