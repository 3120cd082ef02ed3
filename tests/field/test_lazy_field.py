"""More real programs under lazy="all" (issue 14): plain python's output, byte for byte.

These are the programs that broke under lazy imports beyond the main suite's
(test_field.py): each one reduced to a pattern in tests/lazy/test_real_patterns.py
and fixed in the proxy semantics, or, where a program relies on an import side
effect that no lazy binding can keep, a strict xfail naming the pattern
(docs/lazy.md, "Patterns that still need a module to stay eager").  Their own
venv (lazy_requirements.txt), cached like the main suite's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .compare import describe, normalised
from .harness import Runner, python_version
from .programs import Program
from .venv import HERE, FieldSetupError, FieldVenv, field_venv

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

REQUIREMENTS = HERE / "lazy_requirements.txt"

COVERAGE_INPUT = "import json\nimport collections\n\nprint(json.dumps(collections.Counter('lazy')))\n"

PROGRAMS = [
    # pluggy finds tox's hooks with inspect.getattr_static on a lazily imported module
    Program("tox", "tox", ("--version",), script="tox", expect=b"tox"),
    # coverage hands a lazily imported __version__ to sqlite3
    Program(
        "coverage",
        "coverage",
        ("run", "hello.py"),
        script="coverage",
        files={"hello.py": COVERAGE_INPUT},
        expect=b'"l": 1',
    ),
    Program("sphinx", "sphinx", ("--version",), script="sphinx-build", expect=b"sphinx-build "),
    Program("networkx", "networkx", driver="networkx_paths.py", expect=b"[0, 5, 7]"),
    Program("pillow", "pillow", driver="pillow_png.py", expect=b"PNG PNG (32, 16)"),
    Program("sqlalchemy", "sqlalchemy", driver="sqlalchemy_core.py", expect=b"('ada', 2)"),
    Program("matplotlib", "matplotlib", driver="matplotlib_png.py", expect=b"PNG"),
    Program("sympy", "sympy", driver="sympy_calculus.py", expect=b"x**2 - 1"),
    # optional format checkers behind `with suppress(ImportError)`; a submodule named in string annotations
    Program("jsonschema", "jsonschema", driver="jsonschema_formats.py", expect=b"Draft7Validator"),
    # `from pendulum.duration import Duration`, then `def duration(...)` in the package
    Program("pendulum", "pendulum", driver="pendulum_dates.py", expect=b"2024-03-10"),
    Program("pathspec", "pathspec", driver="pathspec_match.py", expect=b"a.py"),
]

REGISTRY = "a registry filled as an import side effect, read before anything uses the module that fills it"
KNOWN = {
    "sqlalchemy": f"{REGISTRY}: @util.preload_module(...) decorators run by module bodies, then "
    "util.preloaded.import_prefix() at the end of each package's __init__ "
    "(AttributeError: module 'sqlalchemy.util.preloaded' has no attribute 'engine')",
    "matplotlib": f"{REGISTRY}: matplotlib.axes._secondary_axes registers '_secax_docstring' with "
    "_docstring.interpd, which Axes' class body needs (KeyError: '_secax_docstring')",
    "sympy": f"{REGISTRY}: sympy.core.numbers' classes install themselves on the singleton registry S, "
    "which sympy.core's __init__ reads (Attribute 'Catalan' was not installed on SymPy registry S)",
    "pathspec": f"{REGISTRY}: pathspec.patterns' `from .gitwildmatch import GitWildMatchPattern` is a re-export "
    "nothing reads, and the module's body is what registers the 'gitwildmatch' factory (KeyError: 'gitwildmatch')",
}


@pytest.fixture(scope="module")
def lazy_venv() -> FieldVenv:
    try:
        return field_venv(REQUIREMENTS)
    except FieldSetupError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def lazy_runner(lazy_venv: FieldVenv, server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    yield Runner(lazy_venv, server_url, tmp_path_factory.mktemp("lazy-field"))


def cases() -> list:
    return [
        pytest.param(
            program,
            id=f"{program.name}-lazy",
            marks=[pytest.mark.xfail(reason=KNOWN[program.name], strict=True)] if program.name in KNOWN else [],
        )
        for program in PROGRAMS
    ]


@pytest.mark.parametrize("program", cases())
def test_lazy_field(program: Program, lazy_venv: FieldVenv, lazy_runner: Runner) -> None:
    if program.dist in lazy_venv.unavailable:
        pytest.xfail(
            f"{program.dist} cannot be installed on Python {python_version()}: {lazy_venv.unavailable[program.dist]}"
        )
    reference = lazy_runner.reference(program)
    output = reference.stdout + reference.stderr
    assert reference.returncode == program.exit_code and program.expect in output, (
        f"plain python did not run {program.name} as the case expects: {output[-2000:]!r}"
    )
    problem = describe(program.name, "lazy", normalised(reference), normalised(lazy_runner.run(program, "lazy")))
    if problem:
        pytest.fail(problem, pytrace=False)
