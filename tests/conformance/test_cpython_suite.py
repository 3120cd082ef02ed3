"""CPython's own import tests, run against importworks, must not regress.

The runner (../shared/conformance/run_conformance.py) runs each test module
twice in child processes, stock and with importworks plugged in, and lists the
tests that pass stock but fail under the engine.  The few that cannot apply to
an engine written in Python are listed here and explained in docs/conformance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

RUNNER = REPO.parent / "shared" / "conformance" / "run_conformance.py"

# test id -> why it cannot pass under a Python-level engine (docs/conformance.md)
CANNOT_APPLY = {
    "test.test_import.ImportTracebackTests.test_import_bug":
        "patches the stock loader to simulate a bug in importlib and expects "
        "'<frozen importlib._bootstrap>' frames in the traceback; our engine has none",
}
if sys.version_info < (3, 11):
    for _name in ("broken_from", "broken_parent", "broken_parent_from", "broken_submodule",
                  "exec_failure", "exec_failure_nested", "nonexistent_module",
                  "nonexistent_module_nested", "syntax_error"):
        CANNOT_APPLY[f"test.test_import.ImportTracebackTests.test_{_name}"] = (
            "Python 3.10 re-raises a saved traceback, so the frame of a Python-level "
            "__import__ cannot be taken off it")


def _regressions(report: dict) -> dict[str, str]:
    found = {}
    for module in report.values():
        stock = {**module["stock_frozen"], **module["stock"]}
        for test, (outcome, detail) in module["engine"].items():
            if outcome != "fail":
                continue
            if test.startswith("<") or stock.get(test, ("?",))[0] == "pass":
                found[test] = detail.strip().splitlines()[-1] if detail.strip() else ""
    return found


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_no_regressions_against_cpython_own_import_tests(tmp_path):
    assert RUNNER.exists(), f"the conformance runner is missing: {RUNNER}"
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(RUNNER), "importworks", "--json", str(out), "--show", "0"],
                          capture_output=True, text=True, timeout=880, cwd=tmp_path)
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(out.read_text())
    summary = "\n".join(proc.stdout.splitlines()[-5:])
    print(summary)  # counts per Python, shown with pytest -s or -rA
    regressions = _regressions(report)
    unexpected = {t: d for t, d in regressions.items() if t not in CANNOT_APPLY}
    assert not unexpected, "regressions against CPython's own tests:\n" + "\n".join(
        f"  {t}\n      {d}" for t, d in sorted(unexpected.items()))
    # the engine really ran: the core groups are there and passed
    core = [m for m, v in report.items() if v["group"] == "core"]
    assert core and all(o == "pass" for m in core for o, _ in report[m]["engine"].values())
