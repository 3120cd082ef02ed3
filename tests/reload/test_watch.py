"""Watching: edits saved to disk reach the running code; --check guards them."""

from __future__ import annotations

import sys
import time

import pytest

from importworks.reload import Reloader, Watcher
from importworks.reload.watch import MSG_CHECK_FAILED, MSG_MAIN_UNGUARDED, autoreload, stop_autoreload

from .conftest import write_source


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_poll_reloads_what_changed_and_reports_one_line(tree, edit):
    tree({"greet.py": "def hello():\n    return 'hello'\n", "other.py": "X = 1\n"})
    import greet
    import other  # noqa: F401

    lines: list[str] = []
    watcher = Watcher(Reloader(), report=lines.append)
    watcher.tracker.snapshot()
    hello = greet.hello
    assert watcher.poll() is None  # nothing changed yet
    edit("greet.py", "def hello():\n    return 'HELLO'\n")
    report = watcher.poll()
    assert report.names() == ["greet"] and hello() == "HELLO"
    assert len(lines) == 1 and lines[0].startswith("reloaded greet (hello) in ") and lines[0].endswith(" ms")
    assert watcher.poll() is None  # applied once


def test_a_failing_check_keeps_the_running_code_until_a_check_passes(tree, edit):
    tree({"calc.py": "def add(a, b):\n    return a + b\n"})
    import calc

    verdicts = [(False, "exit status 1; 1 failed"), (True, "passed")]
    seen: list[list[str]] = []

    def check(changed):
        seen.append(changed)
        return verdicts.pop(0)

    lines: list[str] = []
    watcher = Watcher(Reloader(), check=check, report=lines.append)
    watcher.tracker.snapshot()
    edit("calc.py", "def add(a, b):\n    return a - b\n")
    assert watcher.poll() is None and calc.add(2, 1) == 3
    assert lines == [MSG_CHECK_FAILED.format(why="exit status 1; 1 failed", command="check")]
    edit("calc.py", "def add(a, b):\n    return a + b + 0\n")
    assert watcher.poll().names() == ["calc"] and seen == [["calc"], ["calc"]]


def test_a_command_check_runs_in_a_shell(tree, edit):
    from importworks.reload.watch import command_check

    assert command_check(f"{sys.executable} -c 'pass'")(["m"]) == (True, "passed")
    ok, why = command_check(f"{sys.executable} -c 'print(\"2 failed\"); raise SystemExit(3)'")(["m"])
    assert not ok and why == "exit status 3; 2 failed"


@pytest.mark.parametrize("backend", ["watchfiles", "poll"])
def test_the_background_watcher_applies_saved_edits(tree, backend):
    if backend == "watchfiles":
        pytest.importorskip("watchfiles")
    root = tree({"live.py": "def value():\n    return 1\n"})
    import live

    value = live.value
    lines: list[str] = []
    watcher = Watcher(Reloader(), report=lines.append, backend=backend, poll_interval=0.05)
    with watcher:
        assert watcher.ready.wait(10)
        write_source(root / "live.py", "def value():\n    return 2\n")
        assert wait_for(lambda: value() == 2), lines
    # an editor's save may be seen half-way (file truncated, then written): a second reload follows
    assert not watcher.running and any(line.startswith("reloaded live (value)") for line in lines), lines


def test_autoreload_starts_one_watcher(tree):
    tree({"once.py": ""})
    import once  # noqa: F401

    first = autoreload(report=lambda line: None, backend="poll")
    try:
        assert autoreload() is first and first.running
    finally:
        stop_autoreload()
    assert not first.running


def run_as_main(path):
    """Execute *path* as __main__, the way runpy.run_path leaves it (no spec, a __file__)."""
    module = type(sys)("__main__")
    module.__file__ = str(path)
    sys.modules["__main__"] = module
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module


def test_the_running_script_reloads_only_when_its_program_is_guarded(tree, edit):
    root = tree(
        {
            "guarded.py": "def f():\n    return 1\nif __name__ == '__main__':\n    STARTS = 1\n",
            "loose.py": "def f():\n    return 1\nSTARTS = 1\n",
        }
    )
    lines: list[str] = []
    main = run_as_main(root / "guarded.py")
    watcher = Watcher(Reloader(), report=lines.append)
    watcher.tracker.snapshot()
    f = main.f
    edit("guarded.py", "def f():\n    return 2\nif __name__ == '__main__':\n    STARTS = 2\n")
    assert watcher.poll().names() == ["__main__"] and f() == 2 and main.STARTS == 1
    main = run_as_main(root / "loose.py")
    watcher.tracker.snapshot()
    edit("loose.py", "def f():\n    return 2\nSTARTS = 2\n")
    assert watcher.poll() is None and main.f() == 1
    assert lines[-1] == MSG_MAIN_UNGUARDED.format(path=root / "loose.py")


def test_the_package_is_callable_as_reload_and_its_submodules_import(tree, edit):
    import importworks.reload as package
    import importworks.reload.watch as watch

    tree({"target.py": "X = 1\n"})
    import target

    edit("target.py", "X = 2\n")
    assert package(target) is target and target.X == 2
    assert watch.Watcher is package.Watcher


def test_a_watched_module_keeps_its_state_across_reloads(tree, edit):
    tree({"sessions.py": "try:\n    store\nexcept NameError:\n    store = {}\ndef count():\n    return len(store)\n"})
    import sessions

    sessions.store["alice"] = 1
    watcher = Watcher(Reloader(), report=lambda line: None)
    watcher.tracker.snapshot()
    edit(
        "sessions.py", "try:\n    store\nexcept NameError:\n    store = {}\ndef count():\n    return len(store) * 10\n"
    )
    assert watcher.poll().ok and sessions.store == {"alice": 1} and sessions.count() == 10
