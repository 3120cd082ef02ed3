"""CPython's own import tests, run against importworks, must not regress.

Our harness (tests/conformance/harness.py) runs each test module of this
interpreter's ``test`` package twice in child processes, stock and with
importworks plugged in, and lists the tests that pass stock but fail under the
engine.  The few that cannot apply to an engine written in Python are listed in
``harness.NOT_APPLICABLE`` and explained in docs/conformance.md.

The independent runner in ../shared/conformance, where a checkout has it beside
it, is a cross-check: set IMPORTWORKS_SHARED_CONFORMANCE=1 to run it too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.conformance import harness
from tests.conformance.harness import not_applicable
from tests.conftest import REPO

SHARED_RUNNER = REPO.parent / "shared" / "conformance" / "run_conformance.py"

needs_test_package = pytest.mark.skipif(
    importlib.util.find_spec("test.test_importlib") is None,
    reason="this Python has no test package (test.test_importlib); Debian: apt install libpythonX.Y-testsuite",
)


def _explain(found: dict[str, str]) -> str:
    return "regressions against CPython's own tests:\n" + "\n".join(
        f"  {test}\n      {detail}" for test, detail in sorted(found.items())
    )


@pytest.mark.slow
@pytest.mark.timeout(1200)
@needs_test_package
def test_no_regressions_against_cpython_own_import_tests():
    """Every test that passes stock passes with importworks, but the listed ones."""
    report = harness.run()
    print(harness.summary(report, not_applicable()))  # shown with -rA / -s
    unexplained = {t: d for t, d in harness.regressions(report).items() if t not in not_applicable()}
    assert not unexplained, _explain(unexplained)
    # the engine really ran: the import_ tests ran and passed under importworks
    core = [r for m, r in report["modules"].items() if ".test_importlib.import_." in m]
    assert core and sum(1 for r in core for o, _ in r["importworks"].values() if o == "pass") > 50
    assert all(o != "fail" for r in core for o, _ in r["importworks"].values())


def test_harness_pairs_the_two_kinds_and_finds_regressions():
    """A test failing only with importworks is a regression; one failing on both sides is not."""
    stock = {
        "kinds": {
            "Source": {"m.C.a": ("pass", ""), "m.C.b": ("fail", "x"), "m.C.c": ("fail", "")},
            "Frozen": {"m.C.c": ("pass", "")},
        }
    }
    ours = {"kinds": {"Source": {"m.C.a": ("fail", "boom"), "m.C.b": ("fail", "x"), "m.C.c": ("fail", "")}}}
    assert harness.compare("m", "kinds", stock, ours)["regressions"] == ["m.C.a", "m.C.c"]
    broken = {"kinds": {"plain": {"<module import>": ("fail", "ImportError: no")}}}
    result = harness.compare("m", "statement", {"kinds": {"plain": {"m.T.t": ("pass", "")}}}, broken)
    assert result["regressions"] == ["<module import>", "m.T.t"]


def test_not_applicable_tests_are_documented():
    """Each test the harness excuses is named in docs/conformance.md."""
    text = (REPO / "docs" / "conformance.md").read_text(encoding="utf-8")
    # a group of tests may be written test_{a, b, c}: look for each name without its prefix
    missing = [t for t in harness.NOT_APPLICABLE if t.rpartition(".")[2].removeprefix("test_") not in text]
    assert not missing, missing


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(
    not os.environ.get("IMPORTWORKS_SHARED_CONFORMANCE"),
    reason="the cross-check with ../shared/conformance runs with IMPORTWORKS_SHARED_CONFORMANCE=1",
)
def test_shared_runner_agrees(tmp_path):
    """The independent runner finds no regression that is not listed either."""
    assert SHARED_RUNNER.exists(), f"IMPORTWORKS_SHARED_CONFORMANCE is set but {SHARED_RUNNER} is missing"
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(SHARED_RUNNER), "importworks", "--json", str(out), "--show", "0"],
        capture_output=True,
        text=True,
        timeout=1150,
        cwd=tmp_path,
    )
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    found = {}
    for module in json.loads(out.read_text()).values():
        stock = {**module["stock_frozen"], **module["stock"]}
        for test, (outcome, detail) in module["engine"].items():
            if outcome == "fail" and (test.startswith("<") or stock.get(test, ("?",))[0] == "pass"):
                found[test] = detail.strip().splitlines()[-1] if detail.strip() else ""
    unexplained = {t: d for t, d in found.items() if t not in not_applicable()}
    assert not unexplained, _explain(unexplained)
