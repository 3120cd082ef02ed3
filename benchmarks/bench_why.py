"""How long ``importworks why NAME`` takes to answer (target: well under a second).

Run from the repository root with the interpreter you want to measure:

    python benchmarks/bench_why.py [--runs 15]

Two measures, each the median (and min/max) of ``--runs`` runs:

in-process
    :func:`importworks.diagnostics.why.diagnose` with the engine active, for a
    name that imports (``json``), a typo (``jsno``) and a name that exists only
    in other environments or nowhere (``yaml``, ``zzq_missing``).  The caches
    of other environments are cleared before each run, so every run scans the
    other interpreters' site-packages afresh, as a new ``why`` process does.
process
    the whole command as a user sees it: a fresh interpreter started with
    ``python -m importworks.diagnostics.why_child why NAME`` (the same code as
    ``importworks why``), start-up and imports included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))

NAMES = ("json", "jsno", "yaml", "zzq_missing")


def _row(label: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{label:<28} {statistics.median(ms):9.1f} {min(ms):9.1f} {max(ms):9.1f}"


def in_process(runs: int) -> list[str]:
    import importworks
    from importworks.diagnostics import envs
    from importworks.diagnostics.why import diagnose

    rows = []
    for name in NAMES:
        samples = []
        for _ in range(runs):
            envs.clear_caches()
            sys.modules.pop(name, None)
            start = time.perf_counter()
            with importworks.activate():
                diagnose(name)
            samples.append(time.perf_counter() - start)
        rows.append(_row(f"diagnose({name!r})", samples))
    return rows


def in_subprocess(runs: int) -> list[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    rows = []
    for name in NAMES:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "importworks.diagnostics.why_child", "why", name],
                           env=env, capture_output=True, check=True)
            samples.append(time.perf_counter() - start)
        rows.append(_row(f"why {name} (new process)", samples))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"python {sys.executable} {sys.version.split()[0]}, {args.runs} runs each")
    print(f"{'':<28} {'median ms':>9} {'min':>9} {'max':>9}")
    for row in in_process(args.runs) + in_subprocess(args.runs):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
