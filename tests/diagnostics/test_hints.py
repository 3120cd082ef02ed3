"""Hints: an uncaught ModuleNotFoundError carries a one- or two-line diagnosis."""

from __future__ import annotations

import sys
import traceback

import importworks
from importworks.diagnostics.hints import add_hints, hints_installed, install_hints, uninstall_hints
from tests.conftest import run_python

from .conftest import DIST_NAME, IMPORT_NAME


def _error(name: str) -> ModuleNotFoundError:
    try:
        importworks.import_module(name)
    except ModuleNotFoundError as exc:
        return exc
    raise AssertionError(f"{name} imported")


def test_typo_hint_keeps_cpythons_message_first(tree, engine):
    tree({"requestz_iw.py": ""})
    exc = add_hints(_error("requets_iw"))
    if sys.version_info >= (3, 15):  # the interpreter suggests it itself: said once, by it
        assert str(exc) == "No module named 'requets_iw'"
        shown = "".join(traceback.format_exception_only(exc)).strip()
        assert shown == "ModuleNotFoundError: No module named 'requets_iw'. Did you mean: 'requestz_iw'?"
    else:
        assert str(exc) == "No module named 'requets_iw'. Did you mean 'requestz_iw'?"
    assert exc.msg == str(exc) and exc.name == "requets_iw"
    assert str(add_hints(exc)) == str(exc), "hints are added once"


def test_other_venv_hint_names_the_interpreter_and_the_command(other_venv, engine):
    exc = add_hints(_error(IMPORT_NAME))
    first, *rest = str(exc).split("\n")
    assert first.startswith(f"No module named '{IMPORT_NAME}'. '{IMPORT_NAME}' is installed for {other_venv}")
    assert first.endswith(f"not this interpreter; install it with: {sys.executable} -m pip install {DIST_NAME}")
    assert len(rest) <= 1


def test_install_and_uninstall_wrap_the_excepthook():
    before = sys.excepthook
    install_hints()
    install_hints()
    assert hints_installed() and sys.excepthook is not before
    uninstall_hints()
    assert sys.excepthook is before and not hints_installed()


def test_uncaught_error_in_a_real_program_shows_the_hint(tmp_path):
    (tmp_path / "colours_iw.py").write_text("")
    done = run_python(
        """
        from importworks.diagnostics.hints import install_hints
        install_hints()
        import colors_iw
        """,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    # 3.15 prints its own suggestion (found through the finders' discover()) instead of ours
    expected = (
        "ModuleNotFoundError: No module named 'colors_iw'. Did you mean: 'colours_iw'?"
        if sys.version_info >= (3, 15)
        else "ModuleNotFoundError: No module named 'colors_iw'. Did you mean 'colours_iw'?"
    )
    assert done.stderr.strip().splitlines()[-1] == expected


def test_an_extension_built_for_another_python_is_named_once(tree, engine):
    """A mod.cpython-312-*.so beside the program: our hint where python says nothing, python's alone on 3.15."""
    tree({"fastthing_iw.cpython-312-x86_64-linux-gnu.so": b""})
    exc = add_hints(_error("fastthing_iw"))
    shown = "".join(traceback.format_exception_only(exc)).strip()
    if sys.version_info >= (3, 15):
        assert shown == (
            "ModuleNotFoundError: No module named 'fastthing_iw'. Although a module with this name "
            "was found for a different Python version (fastthing_iw.cpython-312-x86_64-linux-gnu.so)."
        )
    else:
        assert str(exc) == (
            "No module named 'fastthing_iw'. fastthing_iw.cpython-312-x86_64-linux-gnu.so was built for another Python"
        )
