"""``importworks run X`` next to ``python X``: the same sys.argv, sys.path[0], __main__, statuses, lines.

Each program runs twice in a fresh process, once by the real interpreter and
once by ``python -m importworks run`` (the command's own entry point), from the
same folder; what they print must be the same.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SRC, build

# prints what python sets up for the program, loader types aside (ours are our own)
REPORT = """\
import json, sys
spec = globals()["__spec__"]
print(json.dumps({
    "argv": sys.argv,
    "path0": sys.path[0],
    "file": globals().get("__file__", "<unset>"),
    "cached": globals().get("__cached__", "<unset>"),
    "package": globals()["__package__"],
    "spec": spec and [spec.name, spec.origin, spec.parent],
    "names": sorted(globals()),
    "builtins": type(__builtins__).__name__,
}))
"""

FAILS = """\
def inner():
    return 1 / 0


def outer():
    return inner()


outer()
"""


def _python(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _importworks(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "importworks", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def _both(tmp_path: Path, *args: str, stdin: str | None = None) -> tuple[subprocess.CompletedProcess, ...]:
    return _python(*args, cwd=tmp_path, stdin=stdin), _importworks("run", *args, cwd=tmp_path, stdin=stdin)


@pytest.fixture
def programs(tmp_path: Path) -> Path:
    build(
        tmp_path,
        {
            "report.py": REPORT,
            "fails.py": FAILS,
            "folder": {"__main__.py": REPORT},
            "nomain": {"x.py": ""},
            "pkg_nomain": {"__init__.py": ""},
            "pkg": {"__init__.py": "", "__main__.py": REPORT, "mod.py": REPORT},
            "brokenpkg": {"__init__.py": "1 / 0\n"},
            "importfails": {"__init__.py": "import nosuch_inside_iw\n", "__main__.py": ""},
        },
    )
    with zipfile.ZipFile(tmp_path / "app.pyz", "w") as z:
        z.writestr("__main__.py", REPORT)
    (tmp_path / "sub").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["report.py", "a", "--format", "x"],
        ["sub/../report.py", "-q"],
        ["./folder"],
        ["-m", "report", "-q", "-x"],
        ["-m", "pkg", "a"],
        ["-m", "pkg.mod", "a"],
        ["-c", REPORT, "-m", "x"],
        ["folder", "a"],
        ["app.pyz", "a"],
    ],
    ids=["script", "relative-script", "relative-folder", "module", "package", "submodule", "code", "folder", "zipapp"],
)
def test_the_program_sees_what_python_gives_it(programs, args):
    python, ours = _both(programs, *args)
    assert python.returncode == ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(python.stdout)


def test_stdin_program_sees_what_python_gives_it(programs):
    python, ours = _both(programs, "-", "a", stdin=REPORT)
    assert python.returncode == ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(python.stdout)


def test_a_symlinked_script_gets_its_real_folder_on_sys_path(programs):
    (programs / "sub" / "link.py").symlink_to(programs / "report.py")
    python, ours = _both(programs, "sub/link.py")
    assert json.loads(ours.stdout) == json.loads(python.stdout)
    assert json.loads(ours.stdout)["path0"] == str(programs)


def _our_line(python: subprocess.CompletedProcess) -> str:
    """python's error line with "importworks" where python puts its own path."""
    assert python.stderr.startswith(sys.executable + ": ")
    return "importworks" + python.stderr[len(sys.executable) :]


@pytest.mark.parametrize(
    "args",
    [
        ["nosuch.py"],
        ["./sub/../nosuch.py"],
        ["-m", "nosuch"],
        ["-m", "nosuch.mod"],
        ["-m", "pkg.nosuch"],
        ["-m", "pkg_nomain"],
        ["-m", ".relative"],
        ["nomain"],
    ],
    ids=[
        "no-script",
        "relative-no-script",
        "no-module",
        "no-parent",
        "no-submodule",
        "package-without-main",
        "relative",
        "folder-without-main",
    ],
)
def test_a_program_that_cannot_start_gets_pythons_line_and_status(programs, args):
    python, ours = _both(programs, *args)
    assert python.returncode != 0 and ours.returncode == python.returncode
    assert ours.stderr == _our_line(python)
    assert ours.stdout == ""


@pytest.mark.parametrize(
    "code",
    [
        "raise SystemExit",
        "raise SystemExit(0)",
        "raise SystemExit(5)",
        "raise SystemExit('bye')",
        "import sys; sys.exit(['a list'])",
        "1 / 0",
        "import nosuch_module_iw",
    ],
)
def test_exit_status_and_stderr_are_pythons(programs, code):
    python, ours = _both(programs, "-c", code)
    assert ours.returncode == python.returncode
    if "nosuch_module_iw" in code:  # our hint may follow python's message
        assert ours.stderr.startswith(python.stderr.rstrip("\n"))
    else:
        assert ours.stderr == python.stderr


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")
def test_keyboard_interrupt_ends_the_process_by_sigint_after_the_traceback(programs):
    code = "import atexit; atexit.register(print, 'atexit ran'); raise KeyboardInterrupt"
    python, ours = _both(programs, "-c", code)
    assert python.returncode == ours.returncode == -signal.SIGINT
    assert ours.stderr == python.stderr and ours.stdout == python.stdout == "atexit ran\n"


@pytest.mark.parametrize(
    "args",
    [
        ["fails.py"],
        ["-c", FAILS],
        ["-"],
        ["-m", "fails"],
        ["-m", "brokenpkg.mod"],
        ["-m", "importfails"],
        ["-m", "importfails.__main__"],
    ],
    ids=["script", "code", "stdin", "module", "broken-parent", "import-in-package", "import-in-parent"],
)
def test_traceback_shows_the_programs_frames_only(programs, args):
    stdin = FAILS if args == ["-"] else None
    python, ours = _both(programs, *args, stdin=stdin)
    assert python.returncode == ours.returncode == 1
    # python -m adds its runpy frames; those are the only lines it has more
    expected = "\n".join(_without_runpy(python.stderr.splitlines()))
    assert ours.stderr.startswith(expected)  # a ModuleNotFoundError may end with our hint
    assert "importworks" not in ours.stderr and "runpy" not in ours.stderr


def _without_runpy(lines: list[str]) -> list[str]:
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("  File "):
            skipping = "runpy" in line
        elif not line.startswith("    "):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def test_syntax_error_in_the_script_is_reported_as_python_does(programs):
    build(programs, {"bad.py": "def (\n"})
    for args in (["bad.py"], ["-m", "bad"]):
        python, ours = _both(programs, *args)
        assert ours.returncode == python.returncode == 1
        assert ours.stderr.splitlines()[-4:] == python.stderr.splitlines()[-4:]
        assert "Traceback" not in ours.stderr


def test_programs_excepthook_prints_its_error(programs):
    code = "import sys\nsys.excepthook = lambda t, e, tb: print('hook', t.__name__, e)\nraise ValueError('v')"
    python, ours = _both(programs, "-c", code)
    assert (ours.returncode, ours.stdout, ours.stderr) == (python.returncode, python.stdout, python.stderr)
    assert ours.stdout == "hook ValueError v\n"


def test_version_line():
    done = _importworks("--version", cwd=SRC)
    assert done.returncode == 0
    assert done.stdout == f"importworks 0.1.0 (Python {sys.version.split()[0]})\n"


def test_trace_and_dev_take_the_same_forms(programs):
    traced = _importworks("trace", "--top", "1", "-m", "report", "--top", "2", cwd=programs)
    assert traced.returncode == 0, traced.stderr
    assert json.loads(traced.stdout.splitlines()[0])["argv"] == [str(programs / "report.py"), "--top", "2"]
    assert "modules imported in" in traced.stderr
    code = _importworks("trace", "--", "-c", "import report", cwd=programs)
    assert code.returncode == 0, code.stderr
    assert json.loads(code.stdout)["argv"] == ["-c"]
    dev = _importworks("dev", "--poll", "-m", "report", "--check", cwd=programs)
    assert dev.returncode == 0, dev.stderr
    assert json.loads(dev.stdout)["argv"] == [str(programs / "report.py"), "--check"]


def test_the_commands_of_the_issue(programs):
    """run -m pytest, trace -m pip --version, trace -- -c: once refused as 'unrecognized arguments: -m'."""
    pytest_run = _importworks("run", "-m", "pytest", "--version", cwd=programs)
    assert pytest_run.returncode == 0, pytest_run.stderr
    assert f"pytest {pytest.__version__}" in pytest_run.stdout + pytest_run.stderr
    pip_trace = _importworks("trace", "--top", "1", "-m", "pip", "--version", cwd=programs)
    assert pip_trace.returncode == 0, pip_trace.stderr
    assert pip_trace.stdout.startswith("pip ") and "modules imported in" in pip_trace.stderr
    code = _importworks("trace", "--", "-c", "print('ran')", cwd=programs)
    assert (code.returncode, code.stdout) == (0, "ran\n"), code.stderr


CONSOLE_SCRIPT = Path(sys.executable).with_name("importworks")


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="importworks is not installed in this environment")
@pytest.mark.parametrize("args", [["report.py", "a"], ["-m", "report"], ["-c", REPORT]])
def test_the_console_script_gives_the_program_what_python_gives_it(programs, args):
    python = _python(*args, cwd=programs)
    ours = subprocess.run(
        [str(CONSOLE_SCRIPT), "run", *args],
        cwd=programs,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(python.stdout)
