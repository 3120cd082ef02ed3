"""The field suite: real programs from PyPI give plain python's output, byte for byte, when
run under importworks.activate(), from a SQLite store, and with lazy="all" (issue 11).

``test_field[PROGRAM-stock]`` checks the reference itself: plain python does what the case
expects, and a second run gives the same bytes (so the normalisation suffices).  Each other
mode is compared with that reference.  A cell known to fail today is a strict xfail naming
what goes wrong, so a fix shows up as an XPASS to remove from :data:`KNOWN`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from .compare import Run, describe, normalised, store_substitutions
from .harness import Runner, cache_root, python_version
from .programs import PROGRAMS, Program
from .venv import FieldVenv

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]  # the first run installs the programs

MODES = ("stock", "activate", "store", "lazy")


class Known(NamedTuple):
    """A cell that fails today, and why; *pythons* limits it to those versions."""

    reason: str
    pythons: tuple[str, ...] = ()


# (program, mode) -> why it fails today, e.g.
#   ("pytest", "lazy"): [Known("RecursionError: resolving the lazy 'import fnmatch' ...", ("3.13",))]
# On 3.15 activate(lazy="all") is the interpreter's -X lazy_imports=all plus two of importworks'
# rules (lazy/_native_rules.py: side-effect imports, new sys.meta_path finders), which make
# pytest work where plain -X lazy_imports=all fails.
KNOWN: dict[tuple[str, str], list[Known]] = {
    ("pandas", "lazy"): [
        Known(
            "pandas._libs' `import pandas._libs.pandas_datetime  # noqa` binds `pandas`, which nothing reads, so "
            "the C module that puts the _pandas_datetime_CAPI capsule on pandas never runs (numpy._core.multiarray "
            "failed to import); plain `python3.15 -X lazy_imports=all` fails the same; on 3.10-3.14 the proxies' "
            "missing-attribute rule imports it ahead",
            ("3.15",),
        )
    ],
}


def cases() -> list:
    """One case per (program, mode), with the strict xfails of :data:`KNOWN` on it."""
    found = []
    for program in PROGRAMS:
        for mode in MODES:
            marks = [
                pytest.mark.xfail(
                    not known.pythons or python_version() in known.pythons, reason=known.reason, strict=True
                )
                for known in KNOWN.get((program.name, mode), [])
            ]
            found.append(pytest.param(program, mode, id=f"{program.name}-{mode}", marks=marks))
    return found


@pytest.mark.parametrize("program, mode", cases())
def test_field(program: Program, mode: str, venv: FieldVenv, runner: Runner, stores: Callable[[Program], Path]) -> None:
    if program.dist in venv.unavailable:
        pytest.xfail(
            f"{program.dist} cannot be installed on Python {python_version()}: {venv.unavailable[program.dist]}"
        )
    reference = runner.reference(program)
    if mode == "stock":
        check_reference(program, reference)
        problem = describe(
            program.name, "a second python run", normalised(reference), normalised(runner.run(program, "stock"))
        )
    else:
        store = stores(program) if mode == "store" else None
        extra = store_substitutions(str(store), cache_root(), str(venv.site_packages)) if store else ()
        run = runner.run(program, mode, store)
        problem = describe(program.name, mode, normalised(reference), normalised(run, extra))
    if problem:
        pytest.fail(problem, pytrace=False)


def check_reference(program: Program, reference: Run) -> None:
    """Plain python must do what the case is about (exit code, a telling piece of output)."""
    output = reference.stdout + reference.stderr
    if reference.returncode != program.exit_code or program.expect not in output:
        pytest.fail(
            f"{program.name} under plain python: exit code {reference.returncode} "
            f"(expected {program.exit_code}); {program.expect!r} "
            f"{'found' if program.expect in output else 'not found'} in its output:\n"
            + output.decode(errors="replace")[-3000:],
            pytrace=False,
        )
