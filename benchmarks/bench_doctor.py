"""How long ``importworks doctor`` takes on a real site-packages, cold and warm (aims: <= 10 s / <= 2 s).

Run from the repository root with the interpreter whose site-packages you want to scan:

    python benchmarks/bench_doctor.py [--runs 5] [--site DIR]

Each run is a fresh ``python -m importworks doctor DIR`` process, as a user or a
commit hook starts it:

cold
    with an empty parse cache (a new ``IMPORTWORKS_DOCTOR_CACHE`` folder per run):
    every file is read and parsed, spread over the CPUs;
warm
    with the cache that a cold run left: only the files' identities are checked.

The file cache of the operating system is warm in both (the tree was read just
before), so "cold" measures doctor's own work, not the disk.  Besides wall
time, the CPU time of the process and its workers is printed: on a shared,
loaded machine wall time swings with the load, CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from _common import git_revision, progress

SRC = Path(__file__).resolve().parent.parent / "src"


def _files(site: str) -> int:
    return sum(name.endswith(".py") for _, _, names in os.walk(site) for name in names)


def _run(site: str, cache: str) -> tuple[float, float]:
    """One doctor process: (wall seconds, CPU seconds of it and its workers)."""
    env = dict(
        os.environ,
        IMPORTWORKS_DOCTOR_CACHE=cache,
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "importworks", "doctor", site], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"doctor failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _row(label: str, samples: list[tuple[float, float]], aim: float) -> str:
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    wall = statistics.median(walls)
    verdict = "meets" if wall <= aim else "misses"
    return (
        f"{label:<6} {wall:8.2f} {min(walls):8.2f} {max(walls):8.2f}   {statistics.median(cpus):8.2f} "
        f"{min(cpus):8.2f} {max(cpus):8.2f}   {verdict} the aim (<= {aim:g} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", default=sysconfig.get_paths()["purelib"], help="the folder to scan")
    args = parser.parse_args(argv)
    files = _files(args.site)
    print(f"python {sys.executable} {sys.version.split()[0]}, commit {git_revision()}")
    print(
        f"doctor {args.site}: {files} .py files, {args.runs} runs each, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    cold, warm = [], []
    with tempfile.TemporaryDirectory(prefix="bench-doctor-") as scratch:
        for i in range(args.runs):
            cache = os.path.join(scratch, f"cache-{i}")
            progress(f"cold run {i + 1}/{args.runs}")
            cold.append(_run(args.site, cache))
            progress(f"warm run {i + 1}/{args.runs}")
            warm.append(_run(args.site, cache))
    progress("")
    print(f"{'':<6} {'wall s':>8} {'min':>8} {'max':>8}   {'CPU s':>8} {'min':>8} {'max':>8}")
    print(_row("cold", cold, 10.0))
    print(_row("warm", warm, 2.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
