"""Run CPython's own import tests with importworks plugged in, and compare with stock.

    python tests/conformance/harness.py                   # every module, a table and totals
    python tests/conformance/harness.py --only test_pkg --json out.json

The interpreter that runs this script is the one measured: its own ``test``
package (``test.test_importlib`` and the import-related modules in
:data:`EXTRA_MODULES`) must be installed.  Every test module runs in two child
processes, so that no test sees what another one left behind:

``stock``
    the interpreter as it is.
``importworks``
    importworks plugged in before the test module is imported.  Modules that
    build their test classes with ``test_importlib.util.test_both`` define each
    test twice, once per importlib (``Frozen_``: the one the interpreter runs,
    ``Source_``: a fresh copy of its pure-Python source).  In this child the
    ``Source`` kind is rewired to importworks (``importworks``,
    ``importworks.machinery``, ``.util``, ``.abc``, and ``importworks._bootstrap``
    for the tests of CPython's internals) and only those tests run.  Every other
    module runs with ``importworks.__import__`` as ``builtins.__import__`` and
    ``importworks.import_module`` as ``importlib.import_module``.

A *regression* is a test that fails with importworks and passes stock (under
either kind), or a module that cannot even be loaded with importworks.
:data:`NOT_APPLICABLE` names the few tests that cannot pass under an engine
written in Python, each with its reason (docs/conformance.md explains them).

Tests that start a subprocess measure stock Python in that subprocess (the
engine is not installed there); the report counts them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))

# Import-system modules outside test.test_importlib; they run first, the
# slowest (test_zipimport's 65,536-file archives) at the head.
EXTRA_MODULES = (
    "test.test_zipimport",
    "test.test_import",
    "test.test_pkg",
    "test.test_zipimport_support",
    "test.test_pkgutil",
    "test.test_runpy",
    "test.test_frozen",
    "test.test_modulefinder",
)

# Modules left out, with the reason (shown by --list).
LEFT_OUT = {
    "test.test_lazy_import": "PEP 810 lazy imports (3.15): its child processes need the engine too; "
    "tests/conformance/test_cpython_lazy_import.py runs it so",
}

_TRACEBACK_310 = (
    "Python 3.10 re-raises a saved copy of the traceback, so the frame of an "
    "__import__ written in Python cannot be taken off it"
)

_STOCK_INTERNALS_315 = (
    "reads or patches the stock importlib._bootstrap (_module_locks, "
    "_resolve_parents) to watch the stock engine; tests/unit/test_versions.py "
    "checks the same behaviour against importworks' own"
)

# test id (kind prefix removed) -> (the Python it concerns, None for all; reason)
NOT_APPLICABLE: dict[str, tuple[tuple[int, int] | None, str]] = {
    "test.test_import.ImportTracebackTests.test_import_bug": (
        None,
        "patches the stock SourceLoader to simulate a bug in importlib and looks for "
        "'<frozen importlib._bootstrap>' frames, which an engine in Python has none of",
    ),
    **{
        f"test.test_import.ImportTracebackTests.test_{name}": ((3, 10), _TRACEBACK_310)
        for name in (
            "broken_from",
            "broken_parent",
            "broken_parent_from",
            "broken_submodule",
            "exec_failure",
            "exec_failure_nested",
            "nonexistent_module",
            "nonexistent_module_nested",
            "syntax_error",
        )
    },
    **{
        f"test.test_importlib.test_threaded_import.ThreadedImportTests.test_{name}": ((3, 15), _STOCK_INTERNALS_315)
        for name in (
            "parent_lock_not_held_while_submodule_executes",
            "parent_removed_before_submodule_is_loaded",
            "submodule_enters_cross_thread_cycle_after_parents_resolved",
        )
    },
}

KIND_PREFIXES = ("Frozen_", "Source_")
MODULE_BROKEN = ("<module import>", "<child crashed>", "<timeout>")
LACKING = "importworks does not provide "


def not_applicable(version: tuple[int, int] | None = None) -> dict[str, str]:
    """The tests of NOT_APPLICABLE that concern *version* (default: this Python)."""
    version = version or sys.version_info[:2]
    return {test: reason for test, (only, reason) in NOT_APPLICABLE.items() if only is None or only == version}


# --------------------------------------------------------------- which modules
def discover() -> list[tuple[str, str]]:
    """[(module name, mode)] for every test module, mode 'kinds' or 'statement'."""
    import importlib.util

    import test.test_importlib as package

    root = os.path.dirname(package.__file__)
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        if not os.path.exists(os.path.join(folder, "__init__.py")):
            continue
        relative = os.path.relpath(folder, root)
        prefix = package.__name__ + ("" if relative == "." else "." + relative.replace(os.sep, "."))
        for name in sorted(files):
            if name.startswith("test_") and name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    text = file.read()
                kinds = "test_both(" in text or "util.__import__[" in text
                found.append((f"{prefix}.{name[:-3]}", "kinds" if kinds else "statement"))
    found[:0] = [(name, "statement") for name in EXTRA_MODULES if importlib.util.find_spec(name)]
    return [(name, mode) for name, mode in found if name not in LEFT_OUT]


# ----------------------------------------------------------------- child side
class _Lacking:
    """Stands in for a name importworks does not have; using it skips the test."""

    def __init__(self, what: str) -> None:
        self._what = what

    def _skip(self, *args: Any, **kwargs: Any) -> Any:
        import unittest

        raise unittest.SkipTest(LACKING + self._what)

    __call__ = __iter__ = __getitem__ = __enter__ = _skip

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Lacking(f"{self._what}.{name}")


class _EveryResourceBut:
    def __init__(self, left_out: set[str]) -> None:
        self._left_out = left_out

    def __contains__(self, resource: object) -> bool:
        return resource not in self._left_out

    def __iter__(self) -> Any:
        return iter(())


def _importlib_facade() -> Any:
    """What tests of the ``Source`` kind get for the ``importlib`` package."""
    import types

    import importworks
    import importworks.engine.api

    class Facade(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            try:
                return getattr(importworks, name)
            except AttributeError:
                if name.startswith("__"):
                    raise
                return _Lacking(f"importlib.{name}")

    facade = Facade("importworks-as-importlib")
    facade.__import__ = importworks.__import__
    # importlib.reload's counterpart; importworks.reload is the live reload, which
    # also re-runs the modules importing the one reloaded
    facade.reload = importworks.engine.api.importlib_reload
    return facade


def _rewire_source_kind() -> Any:
    """Make test_importlib.util hand importworks to every ``Source`` test class."""
    from test.test_importlib import util

    import importworks
    import importworks.abc
    import importworks.machinery
    import importworks.util

    ours = {
        "importlib": _importlib_facade(),
        "importlib.machinery": importworks.machinery,
        "importlib.util": importworks.util,
        "importlib.abc": importworks.abc,
    }
    stock_import_importlib = util.import_importlib

    def import_importlib(module_name: str) -> dict[str, Any]:
        kinds = stock_import_importlib(module_name)
        if kinds.get("Source") is not None:
            kinds["Source"] = ours.get(module_name) or _Lacking(module_name)
        return kinds

    util.import_importlib = import_importlib
    util.__import__["Source"] = staticmethod(importworks.__import__)
    util.source_importlib = ours["importlib"]
    return util


def _plug_in_statement_engine() -> None:
    import builtins
    import importlib

    import importworks

    builtins.__import__ = importworks.__import__
    importlib.__import__ = importworks.__import__
    importlib.import_module = importworks.import_module


def _kind(test: Any, util: Any) -> str:
    cls = type(test)
    kind = getattr(cls, "_KIND", None)
    if kind:
        return kind
    if util is not None:  # classes that set __import__ = util.__import__['Source'] by hand
        import inspect

        if inspect.getattr_static(cls, "__import__", None) is util.__import__["Source"]:
            return "Source"
    return "plain"


def _test_id(test: Any) -> str:
    module, _, rest = test.id().rpartition(".")
    module, _, cls = module.rpartition(".")
    for prefix in KIND_PREFIXES:
        if cls.startswith(prefix):
            cls = cls[len(prefix) :]
    return f"{module}.{cls}.{rest}"


def _flatten(suite: Any) -> list[Any]:
    import unittest

    tests = []
    for item in suite:
        tests.extend(_flatten(item) if isinstance(item, unittest.TestSuite) else [item])
    return tests


def _outcome_recorder() -> Any:
    import unittest

    class Outcomes(unittest.TestResult):
        """One outcome per test: subtests fold into it, the worst one wins."""

        WORST = {"pass": 0, "skip": 1, "fail": 2}

        def __init__(self) -> None:
            super().__init__()
            self.by_test: dict[str, tuple[str, str]] = {}
            self.current = ""

        def _note(self, test: Any, outcome: str, detail: str = "") -> None:
            test = getattr(test, "test_case", test)
            key = test.id() if isinstance(test, unittest.TestCase) else f"<{test}>"
            before = self.by_test.get(key)
            if before is None or self.WORST[outcome] > self.WORST[before[0]]:
                self.by_test[key] = (outcome, detail)

        def _text(self, test: Any, err: Any) -> str:
            return self._exc_info_to_string(err, getattr(test, "test_case", test))[-1500:]

        def startTest(self, test: Any) -> None:
            super().startTest(test)
            self.current = test.id()

        def addSuccess(self, test: Any) -> None:
            self._note(test, "pass")

        def addFailure(self, test: Any, err: Any) -> None:
            self._note(test, "fail", self._text(test, err))

        addError = addFailure

        def addSkip(self, test: Any, reason: str) -> None:
            self._note(test, "skip", reason)

        def addExpectedFailure(self, test: Any, err: Any) -> None:
            self._note(test, "pass", "expected failure")

        def addUnexpectedSuccess(self, test: Any) -> None:
            self._note(test, "fail", "unexpected success")

        def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
            if err is not None:
                self._note(subtest, "fail", self._text(subtest, err))

    return Outcomes()


def _run_suite(suite: Any, util: Any, only_kind: str | None) -> dict[str, Any]:
    import unittest

    tests = [t for t in _flatten(suite) if only_kind is None or _kind(t, util) == only_kind]
    kinds = {t.id(): (_kind(t, util), _test_id(t)) for t in tests if isinstance(t, unittest.TestCase)}
    result = _outcome_recorder()
    spawned = set()
    stock_popen_init = subprocess.Popen.__init__

    def popen_init(self: Any, *args: Any, **kwargs: Any) -> None:
        spawned.add(result.current)
        stock_popen_init(self, *args, **kwargs)

    subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]
    try:
        unittest.TestSuite(tests).run(result)
    finally:
        subprocess.Popen.__init__ = stock_popen_init  # type: ignore[method-assign]
    by_kind: dict[str, dict[str, Any]] = {}
    for test, outcome in result.by_test.items():
        kind, key = kinds.get(test, ("plain", test))
        by_kind.setdefault(kind, {})[key] = outcome
    return {"kinds": by_kind, "spawned": sorted(spawned)}


def child(role: str, mode: str, module_name: str, out_path: str) -> None:
    """Run one test module in this process and write its outcomes to *out_path*."""
    if sys.path and os.path.abspath(sys.path[0] or ".") == HERE:
        del sys.path[0]  # this folder is no part of what the tests should see
    # regrtest imports these before any test; some tests empty sys.path and then
    # call invalidate_caches(), which imports importlib.metadata on 3.13+
    import importlib
    import importlib.abc
    import importlib.machinery
    import importlib.metadata
    import unittest

    from test import support

    # Outside regrtest every resource counts as enabled; the multi-gigabyte zip64
    # files of test_zipimport test zipimport itself, not an engine, at 40 s a run
    support.use_resources = _EveryResourceBut({"largefile"})
    started = time.perf_counter()
    util = None
    if mode == "kinds":
        from test.test_importlib import util as stock_util

        util = _rewire_source_kind() if role == "importworks" else stock_util
    elif role == "importworks":
        _plug_in_statement_engine()
    report: dict[str, Any] = {"kinds": {}, "spawned": []}
    try:
        suite = unittest.defaultTestLoader.loadTestsFromModule(importlib.import_module(module_name))
    except unittest.SkipTest as exc:
        report["kinds"] = {"plain": {"<module>": ("skip", str(exc))}}
    except BaseException as exc:  # noqa: B036  (a broken module is a result, not a crash)
        report["kinds"] = {"plain": {"<module import>": ("fail", f"{type(exc).__name__}: {exc}")}}
    else:
        only = "Source" if mode == "kinds" and role == "importworks" else None
        report = _run_suite(suite, util, only)
    report["seconds"] = time.perf_counter() - started
    with open(out_path, "w", encoding="utf-8") as file:
        json.dump(report, file)


# ---------------------------------------------------------------- parent side
def _run_child(role: str, mode: str, module_name: str, timeout: float, scratch: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=scratch) as cwd:
        out_path = os.path.join(cwd, "outcomes.json")
        command = [sys.executable, os.path.abspath(__file__), "--child", role, mode, module_name, out_path]
        env = dict(os.environ, TMPDIR=cwd)
        try:
            proc = subprocess.run(
                command,
                cwd=cwd,
                env=env,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        except subprocess.TimeoutExpired:
            return {
                "kinds": {"plain": {"<timeout>": ("fail", f"no result after {timeout:.0f} s")}},
                "spawned": [],
                "seconds": timeout,
            }
        try:
            with open(out_path, encoding="utf-8") as file:
                return json.load(file)
        except (OSError, ValueError):
            tail = proc.stdout.decode(errors="replace")[-1500:]
            return {
                "kinds": {"plain": {"<child crashed>": ("fail", f"exit {proc.returncode}: {tail}")}},
                "spawned": [],
                "seconds": 0.0,
            }


def _tally(outcomes: dict[str, Any]) -> dict[str, int]:
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for outcome, _ in outcomes.values():
        counts[outcome] += 1
    return counts


def compare(module_name: str, mode: str, stock: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """Pair the two children's outcomes test by test."""
    reference_kind = "Source" if mode == "kinds" else "plain"
    reference = dict(stock["kinds"].get(reference_kind, {}))
    if mode == "kinds":  # a module-level skip or failure is recorded without a kind
        reference.update({t: v for t, v in stock["kinds"].get("plain", {}).items() if t.startswith("<")})
    frozen = stock["kinds"].get("Frozen", {})
    engine = {**ours["kinds"].get(reference_kind, {}), **ours["kinds"].get("plain", {})}
    if any(key in engine for key in MODULE_BROKEN):  # nothing ran: every stock test is lost
        why = next(key for key in MODULE_BROKEN if key in engine)
        engine.update({t: ("fail", f"not run ({why})") for t in reference if t not in engine})
    regressions = sorted(
        test
        for test, (outcome, _) in engine.items()
        if outcome == "fail"
        and (test in MODULE_BROKEN or "pass" in (reference.get(test, ("",))[0], frozen.get(test, ("",))[0]))
    )
    lacking = sorted(t for t, (o, why) in engine.items() if o == "skip" and why.startswith(LACKING))
    return {
        "mode": mode,
        "stock": reference,
        "stock_frozen": frozen,
        "importworks": engine,
        "regressions": regressions,
        "lacking": lacking,
        "spawned": ours.get("spawned", []),
        "seconds": stock.get("seconds", 0.0) + ours.get("seconds", 0.0),
    }


def run(only: str = "", jobs: int | None = None, timeout: float = 300, progress: Any = None) -> dict[str, Any]:
    """Run every (matching) module stock and with importworks; the full report."""
    modules = [(name, mode) for name, mode in discover() if only in name]
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="iw-conformance-") as scratch:

        def both(item: tuple[str, str]) -> tuple[str, dict[str, Any]]:
            name, mode = item
            stock = _run_child("stock", mode, name, timeout, scratch)
            ours = _run_child("importworks", mode, name, timeout, scratch)
            result = compare(name, mode, stock, ours)
            if progress is not None:
                progress(name, result)
            return name, result

        with ThreadPoolExecutor(jobs) as pool:
            results = dict(pool.map(both, modules))
    totals = {side: {"pass": 0, "fail": 0, "skip": 0} for side in ("stock", "importworks")}
    for result in results.values():
        for side in totals:
            for outcome, count in _tally(result[side]).items():
                totals[side][outcome] += count
    return {"python": sys.version.split()[0], "modules": results, "totals": totals}


def regressions(report: dict[str, Any]) -> dict[str, str]:
    """test id -> the last line of its failure, for every regression in *report*."""
    found = {}
    for result in report["modules"].values():
        for test in result["regressions"]:
            detail = result["importworks"][test][1].strip().splitlines()
            found[test] = detail[-1] if detail else ""
    return found


def summary(report: dict[str, Any], not_applicable_tests: dict[str, str]) -> str:
    """The totals and every regression, as printed at the end of a run."""
    found = regressions(report)
    unexplained = {t: d for t, d in found.items() if t not in not_applicable_tests}
    lacking = sum(len(r["lacking"]) for r in report["modules"].values())
    spawned = sum(len(r["spawned"]) for r in report["modules"].values())
    lines = [f"Python {report['python']}"]
    for side, counts in report["totals"].items():
        lines.append(f"{side:>11}: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    lines.append(
        f"regressions: {len(found)} ({len(found) - len(unexplained)} not applicable, {len(unexplained)} unexplained)"
    )
    lines.append(
        f"skipped because importworks lacks a name: {lacking}; tests that ran a subprocess (stock there): {spawned}"
    )
    lines += [f"  REGRESSION {t}\n      {d[:200]}" for t, d in sorted(unexplained.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only modules whose name contains this")
    parser.add_argument("--jobs", type=int, help="modules run at once (default: CPUs, at most 4)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per child process")
    parser.add_argument("--json", help="write the full report here")
    parser.add_argument("--list", action="store_true", help="list the modules and exit")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.list:
        for name, mode in discover():
            print(f"{name}  [{mode}]")
        for name, reason in LEFT_OUT.items():
            print(f"{name}  [left out: {reason}]")
        return 0

    def progress(name: str, result: dict[str, Any]) -> None:
        stock, ours = _tally(result["stock"]), _tally(result["importworks"])
        print(
            f"{name:<58} {stock['pass']:>4}/{stock['fail']}/{stock['skip']:<4} "
            f"{ours['pass']:>4}/{ours['fail']}/{ours['skip']:<4} {result['seconds']:6.1f}s"
            + (f"  {len(result['regressions'])} regression(s)" if result["regressions"] else ""),
            flush=True,
        )

    print(f"{'module':<58} stock P/F/S  importworks P/F/S")
    started = time.perf_counter()
    report = run(args.only, args.jobs, args.timeout, progress)
    print(summary(report, not_applicable()))
    print(f"wall time {time.perf_counter() - started:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=1)
    return 1 if set(regressions(report)) - set(not_applicable()) else 0


if __name__ == "__main__":
    sys.exit(main())
