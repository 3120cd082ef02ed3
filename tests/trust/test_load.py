"""Load: 64 threads importing 500 generated modules with cycles, in random orders (issue 17, item 4)."""

from __future__ import annotations

import random
import sys
import threading

import pytest

import importworks

MODULES, THREADS = 500, 64


def _modules() -> dict[str, str]:
    """gen_i imports gen_(7i+3 mod 500): a permutation, so every module lies on an import cycle."""
    files = {}
    for i in range(MODULES):
        files[f"gen_{i}.py"] = (
            f"import sys\nsys.modules['__load_runs__'].append(__name__)\n"
            f"import gen_{(7 * i + 3) % MODULES}\nVALUE = {i}\n"
        )
    return files


@pytest.mark.parametrize("mode", ["install", "activate"])
def test_every_module_runs_exactly_once_and_nothing_hangs(tree, mode):
    tree(_modules())
    runs: list[str] = []
    sys.modules["__load_runs__"] = runs  # type: ignore[assignment]  # the import_state fixture drops it
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(seed: int) -> None:
        order = [f"gen_{i}" for i in range(MODULES)]
        random.Random(seed).shuffle(order)
        start.wait()
        try:
            for name in order:
                assert __import__(name).__name__ == name
        except BaseException as exc:  # reported below
            failures.append(exc)

    handle = importworks.install() if mode == "install" else importworks.activate()
    try:
        threads = [threading.Thread(target=worker, args=(seed,), daemon=True) for seed in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "an import hung"
        if mode == "install":
            for name in (f"gen_{i}" for i in range(MODULES)):  # what a _DeadlockError dropped, imported again
                __import__(name)
    finally:
        handle.uninstall()
    everything = sorted(f"gen_{i}" for i in range(MODULES))
    if mode == "install":
        # install() leaves import statements, and their module locks, to the interpreter: on a cross-thread
        # cycle its locks raise _DeadlockError (stock Python does the same, on every version we run), the
        # module is dropped and runs again at the next import.  What importworks owes here: no hang, no
        # other error, and every module importable afterwards.
        assert {type(exc).__name__ for exc in failures} <= {"_DeadlockError"}, failures
        assert set(runs) == set(everything)
    else:
        assert failures == []
        assert sorted(runs) == everything  # each exactly once
    assert all(i == sys.modules[f"gen_{i}"].VALUE for i in range(MODULES))
