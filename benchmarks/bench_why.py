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
    a fresh interpreter started with ``python -m importworks.cli.why_child
    why NAME`` (the diagnosis alone, as ``--python`` runs it), start-up and
    imports included;
command
    the whole command as a user types it, ``python -m importworks why NAME``
    (the command line's own imports included); aim: <= 150 ms.
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
    return f"{label:<30} {statistics.median(ms):9.1f} {min(ms):9.1f} {max(ms):9.1f}"


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


def in_subprocess(runs: int, module: str, label: str) -> list[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    rows = []
    for name in NAMES:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", module, "why", name], env=env, capture_output=True)
            samples.append(time.perf_counter() - start)
        rows.append(_row(f"why {name} ({label})", samples))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"python {sys.executable} {sys.version.split()[0]}, {args.runs} runs each")
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'':<30} {'median ms':>9} {'min':>9} {'max':>9}")
    rows = in_process(args.runs) + in_subprocess(args.runs, "importworks.cli.why_child", "new process")
    for row in rows + in_subprocess(args.runs, "importworks", "command"):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
