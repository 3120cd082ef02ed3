"""What opening a store and finding in it cost, this tree against another (the registry of backends, say).

    python benchmarks/bench_store_open.py --baseline /path/to/other/src [--rounds 9]

A 200-module SQLite store is packed once; then fresh processes, alternating
between ``src/`` here and the baseline's, time (1) the path hook opening the
store and reading its index (median of 300 opens), (2) a StoreFinder's
``find_spec`` (40,000 calls), (3) the path hook on a plain file nobody claims,
the first time in the process (this tree reads the ``importworks.stores``
entry points then) and (4) after that.  Prints each side's median over the
rounds with its range, and the ratio this/baseline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import REPO, progress, summarize

CHILD = r"""
import sys, time
from importworks.stores.finder import store_path_hook
from importworks.stores.opening import close_stores

store, plain = sys.argv[1], sys.argv[2]
opens = []
for _ in range(300):
    t = time.perf_counter()
    store_path_hook(store).store.index
    opens.append(time.perf_counter() - t)
    close_stores()
finder = store_path_hook(store)
names = [f"m{i}" for i in range(200)]
t = time.perf_counter()
for _ in range(200):
    for name in names:
        finder.find_spec(name)
find = (time.perf_counter() - t) / 40000

def miss():
    t = time.perf_counter()
    try:
        store_path_hook(plain)
    except ImportError:
        pass
    return time.perf_counter() - t

first = miss()
later = sorted(miss() for _ in range(1000))[500]
opens.sort()
print(opens[150] * 1e6, find * 1e6, first * 1e6, later * 1e6)
"""
MEASURES = ("open + index (us)", "find_spec (us)", "unclaimed file, first (us)", "unclaimed file, later (us)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", required=True, help="the other tree's src/ folder")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    sides = {"this": str(REPO / "src"), "baseline": args.baseline}
    with tempfile.TemporaryDirectory() as work:
        source = Path(work, "project")
        source.mkdir()
        for i in range(200):
            (source / f"m{i}.py").write_text(f"X = {i}\n")
        store, plain = Path(work, "app.sqlite"), Path(work, "notes.txt")
        plain.write_text("not a store\n")
        subprocess.run(
            [sys.executable, "-m", "importworks", "pack", str(source), "-o", str(store)],
            env={"PYTHONPATH": sides["this"]},
            check=True,
            capture_output=True,
        )
        results: dict[str, list[list[float]]] = {side: [] for side in sides}
        for round_ in range(args.rounds):
            for side, src in sides.items():  # alternating: drift in the machine's load hits both
                progress(f"round {round_ + 1}/{args.rounds}: {side}")
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(store), str(plain)],
                    env={"PYTHONPATH": src},
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                results[side].append([float(x) for x in out.split()])
        progress("")
    print(f"{'':28} {'this':>22} {'baseline':>22} {'ratio':>6}")
    for at, measure in enumerate(MEASURES):
        this = summarize([r[at] for r in results["this"]])
        base = summarize([r[at] for r in results["baseline"]])
        cells = [
            f"{s['median']:9.2f} [{min(r[at] for r in results[k]):.2f}-{max(r[at] for r in results[k]):.2f}]"
            for k, s in (("this", this), ("baseline", base))
        ]
        print(f"{measure:28} {cells[0]:>22} {cells[1]:>22} {this['median'] / base['median']:6.2f}")


if __name__ == "__main__":
    main()
