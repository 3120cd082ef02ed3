"""Measure stock imports against importworks.install() and importworks.activate().

Run from the repository root, with the interpreter you want to measure:

    python benchmarks/bench_engine.py [--rounds 15] [--json results.json]

Two benchmarks, each printed as medians and ratios against stock:

cold
    A fresh ``python -c`` child per run imports a large set of real modules:
    the pure-Python standard library, and a big installed package tree (boto3,
    awscli, jinja2, ...).  The child imports importworks first in *every* mode,
    so its own import cost is outside the timed region (it is reported on its
    own).  One untimed warm-up run per mode fills ``__pycache__`` first, and the
    modes alternate run by run, so slow drift on the machine hits all of them.
hits
    The ``import`` statement when the module is already in sys.modules
    (``import os``, ``import os.path``, ``from os import path``,
    ``from json import decoder``), timed with timeit in a child per mode.

``--run profile`` adds a cProfile run of the activate() mode over each module
set and lists the hottest functions in importworks.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from _common import git_revision, progress, summarize

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
# "traced" is activate() with the import tracer of `importworks trace` recording:
# its ratio to "activate" is what tracing itself costs.
MODES = ("stock", "install", "activate", "traced")
DEFAULT_TREE = ("boto3", "botocore.session", "awscli.clidriver", "jinja2", "yaml", "click", "cryptography.fernet")

# Top-level stdlib names left out of the cold set, and why.
EXCLUDED_TOP = {
    "antigravity": "opens a web browser",
    "this": "prints the Zen",
    "__hello__": "prints",
    "__phello__": "prints",
    "idlelib": "GUI",
    "tkinter": "GUI",
    "turtle": "GUI",
    "turtledemo": "GUI",
    "test": "the regression suite",
    "ensurepip": "installer",
    "lib2to3": "writes grammar pickles",
    "distutils": "setuptools shims it",
    "_pyrepl": "interactive console internals",
}
# Submodule names never imported: scripts that run on import, test suites, and
# the ~120 codec tables of encodings, which would outnumber everything else.
EXCLUDED_PARTS = {"__main__", "test", "tests", "idle_test"}
EXCLUDED_PACKAGES_CONTENTS = {"encodings"}

BASELINE = "pass"
HIT_STATEMENTS = ("import os", "import os.path", "from os import path", "from json import decoder")

# Ratio of medians against stock that the project aims for.
COLD_TARGETS = {"install": 1.05, "activate": 1.30}
HIT_TARGETS = {("import os", "activate"): 2.0}

# Every child starts the same way: importworks imported (and timed) in all
# modes, then install()/activate() applied, before anything is measured.
# argv: mode, then per-benchmark arguments.
_CHILD_SETUP = """\
import sys, time
_t0 = time.perf_counter()
import importworks
_t1 = time.perf_counter()
if sys.argv[1] == "traced":
    _handle = importworks.activate()
    from importworks.diagnostics.trace import ImportTracer
    from importworks.engine.observers import add_observer
    add_observer(ImportTracer())
elif sys.argv[1] != "stock":
    _handle = getattr(importworks, sys.argv[1])()
_t2 = time.perf_counter()
"""

# argv[2]: a file of import statements.
_COLD_CHILD = (
    _CHILD_SETUP
    + """\
with open(sys.argv[2]) as _f:
    _code = compile(_f.read(), "<bench imports>", "exec")
_before = set(sys.modules)
_t3 = time.perf_counter()
exec(_code, {"__name__": "__bench__"})
_t4 = time.perf_counter()

def _by_importworks(module):
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    owner = loader if isinstance(loader, type) else type(loader)
    return owner.__module__.startswith("importworks")

_new = [m for n, m in list(sys.modules.items()) if n not in _before and m is not None]
print("RESULT", _t1 - _t0, _t2 - _t1, _t4 - _t3, len(_new), sum(map(_by_importworks, _new)))
"""
)

# argv[2], argv[3]: timeit number and repeat; then the statements.
_HIT_CHILD = (
    _CHILD_SETUP
    + """\
import timeit
import os, os.path, json.decoder
for _index, _stmt in enumerate(sys.argv[4:]):
    _times = timeit.Timer(_stmt).repeat(int(sys.argv[3]), int(sys.argv[2]))
    print("RESULT", _index, *_times)
"""
)

# argv[2]: a file of import statements; argv[3]: where to dump the stats.
_PROFILE_CHILD = (
    _CHILD_SETUP
    + """\
import cProfile
with open(sys.argv[2]) as _f:
    _code = compile(_f.read(), "<bench imports>", "exec")
_profile = cProfile.Profile()
_profile.enable()
exec(_code, {"__name__": "__bench__"})
_profile.disable()
_profile.dump_stats(sys.argv[3])
"""
)

# Stock, no importworks: which of argv[1:] import at all, in order.
_PROBE_CHILD = """\
import importlib, sys
_ok = []
for _name in sys.argv[1:]:
    try:
        importlib.import_module(_name)
    except BaseException:  # SystemExit too: a module that refuses this platform
        continue
    _ok.append(_name)
print("RESULT", *_ok)
"""


class ChildError(RuntimeError):
    """A benchmark child process exited with an error."""


# ------------------------------------------------------------------ children
def _child_env() -> dict[str, str]:
    # Drop PYTHON* settings that would change what is measured (no bytecode
    # writing, -X importtime, warnings...); importworks comes first on the path.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") or k == "PYTHONHASHSEED"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return env


def run_child(code: str, args: list[str], workdir: str) -> list[list[str]]:
    """Run *code* with ``python -c`` and return the fields of its RESULT lines.

    Raises:
        ChildError: the child exited with a non-zero status.
    """
    command = [sys.executable, "-W", "ignore", "-c", code, *args]
    proc = subprocess.run(
        command, cwd=workdir, env=_child_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-25:])
        raise ChildError(f"benchmark child failed (exit {proc.returncode}), args {args[:2]}:\n{tail}")
    return [line.split()[1:] for line in proc.stdout.splitlines() if line.startswith("RESULT")]


# ------------------------------------------------------------- module sets
def _package_modules(folder: Path, dotted: str) -> list[str]:
    found = [dotted]
    if dotted in EXCLUDED_PACKAGES_CONTENTS:
        return found
    for entry in sorted(folder.iterdir()):
        stem = entry.name[:-3] if entry.name.endswith(".py") else entry.name
        if stem in EXCLUDED_PARTS or stem == "__init__" or not stem.isidentifier():
            continue
        if entry.is_dir() and (entry / "__init__.py").is_file():
            found += _package_modules(entry, f"{dotted}.{stem}")
        elif entry.is_file() and entry.name.endswith(".py"):
            found.append(f"{dotted}.{stem}")
    return found


def stdlib_candidates() -> list[str]:
    """List the stdlib's pure-Python modules (from .py files), parents first."""
    root = Path(sysconfig.get_paths()["stdlib"])
    names: list[str] = []
    for top in sorted(sys.stdlib_module_names):
        if top in EXCLUDED_TOP:
            continue
        if (root / f"{top}.py").is_file():
            names.append(top)
        elif (root / top / "__init__.py").is_file():
            names += _package_modules(root / top, top)
    return names


def importable(names: list[str], workdir: str) -> list[str]:
    """Keep the names that import, in order, in one stock child."""
    results = run_child(_PROBE_CHILD, names, workdir)
    return results[-1] if results else []


def write_import_file(names: list[str], workdir: str, label: str) -> str:
    """Write one ``import`` statement per name; return the file's path."""
    path = Path(workdir) / f"imports_{label}.py"
    path.write_text("".join(f"import {name}\n" for name in names))
    return str(path)


# ------------------------------------------------------------------ stats


def mark(ratio: float, target: float | None) -> str:
    """Show *target* and whether *ratio* meets it ("" when there is none)."""
    if target is None:
        return ""
    return f"<= {target:.2f}  {'pass' if ratio <= target else 'MISS'}"


# ------------------------------------------------------------------ cold
def bench_cold(files: dict[str, str], rounds: int, workdir: str) -> dict[str, dict[str, list[dict]]]:
    """Time every module set in every mode, one fresh child per run."""
    for path in files.values():
        for mode in MODES:  # untimed: fills __pycache__, catches broken modes early
            run_child(_COLD_CHILD, [mode, path], workdir)
    samples: dict[str, dict[str, list[dict]]] = {label: {m: [] for m in MODES} for label in files}
    for index in range(rounds):
        progress(f"cold round {index + 1}/{rounds}")
        for label, path in files.items():
            for mode in MODES:
                fields = run_child(_COLD_CHILD, [mode, path], workdir)[-1]
                iw_s, setup_s, import_s, new, ours = map(float, fields)
                samples[label][mode].append(
                    {
                        "importworks_import_s": iw_s,
                        "setup_s": setup_s,
                        "import_s": import_s,
                        "new_modules": int(new),
                        "loaded_by_importworks": int(ours),
                    }
                )
    progress("")
    return samples


def report_cold(samples: dict[str, dict[str, list[dict]]], counts: dict[str, int]) -> dict[str, Any]:
    """Print the cold-import table; return its numbers."""
    print("Cold import, fresh process per run, warm __pycache__ (ms; ratio = median / stock median)")
    print(
        f"  {'set':<8}{'listed':>7}{'new':>6}{'by iw':>7}  {'mode':<9}{'median':>9}{'min':>9}"
        f"{'IQR':>8}{'ratio':>8}  target"
    )
    summary: dict[str, Any] = {}
    for label, by_mode in samples.items():
        stock = summarize([s["import_s"] for s in by_mode["stock"]])["median"]
        summary[label] = {}
        for mode, runs in by_mode.items():
            stats = summarize([s["import_s"] for s in runs])
            ratio = stats["median"] / stock
            summary[label][mode] = {**stats, "ratio": ratio}
            first = mode == MODES[0]
            set_cols = f"{label:<8}{counts[label]:>7}" if first else " " * 15
            print(
                f"  {set_cols}{runs[-1]['new_modules']:>6}{runs[-1]['loaded_by_importworks']:>7}  "
                f"{mode:<9}{stats['median'] * 1e3:>9.1f}{stats['min'] * 1e3:>9.1f}"
                f"{stats['iqr'] * 1e3:>8.1f}{ratio:>8.2f}  {mark(ratio, COLD_TARGETS.get(mode))}"
            )
    print(
        "  listed: import statements run; new: modules added to sys.modules; by iw: of those,"
        " loaded by importworks (the rest, e.g. pyexpat.errors, are put there by other code)"
    )
    return summary


def report_own_cost(samples: dict[str, dict[str, list[dict]]]) -> dict[str, Any]:
    """Print importworks' own import time and the cost of install()/activate()."""
    runs = [s for by_mode in samples.values() for runs in by_mode.values() for s in runs]
    own = summarize([s["importworks_import_s"] for s in runs])
    setup = {
        mode: summarize([s["setup_s"] for by_mode in samples.values() for s in by_mode[mode]]) for mode in MODES[1:]
    }
    print(
        f"importworks' own import (not in the ratios): median {own['median'] * 1e3:.1f} ms, "
        f"min {own['min'] * 1e3:.1f} ms; install() {setup['install']['median'] * 1e6:.0f} us, "
        f"activate() {setup['activate']['median'] * 1e6:.0f} us"
    )
    return {"importworks_import_s": own, "setup_s": setup}


# ------------------------------------------------------------------ hits
HitSamples = dict[str, dict[str, list[float]]]


def bench_hits(number: int, repeat: int, children: int, workdir: str) -> HitSamples:
    """Time cache-hit import statements (ns each), children alternating modes."""
    statements = (BASELINE, *HIT_STATEMENTS)
    samples = {mode: {stmt: [] for stmt in statements} for mode in MODES}
    for index in range(children):
        progress(f"cache-hit child {index + 1}/{children}")
        for mode in MODES:
            for fields in run_child(_HIT_CHILD, [mode, str(number), str(repeat), *statements], workdir):
                stmt = statements[int(fields[0])]
                samples[mode][stmt] += [float(t) / number * 1e9 for t in fields[1:]]
    progress("")
    return samples


def report_hits(samples: HitSamples) -> dict[str, Any]:
    """Print the cache-hit table, net of the timeit loop; return its numbers."""
    base = {mode: statistics.median(samples[mode][BASELINE]) for mode in MODES}
    print(f"Cache-hit import statement (ns per statement, median, minus the empty loop: {base['stock']:.1f} ns)")
    print(f"  {'statement':<26}" + "".join(f"{m:>10}" for m in MODES) + f"{'install x':>11}{'activate x':>12}  target")
    summary: dict[str, Any] = {"loop_ns": base}
    for stmt in HIT_STATEMENTS:
        net = {mode: statistics.median(samples[mode][stmt]) - base[mode] for mode in MODES}
        ratios = {mode: net[mode] / net["stock"] for mode in MODES[1:]}
        targets = "  ".join(
            mark(ratios[m], HIT_TARGETS[(stmt, m)]) + f" ({m})" for m in MODES[1:] if (stmt, m) in HIT_TARGETS
        )
        print(
            f"  {stmt:<26}"
            + "".join(f"{net[m]:>10.1f}" for m in MODES)
            + f"{ratios['install']:>11.2f}{ratios['activate']:>12.2f}  {targets}"
        )
        summary[stmt] = {"net_ns": net, "ratio": ratios}
    return summary


# ------------------------------------------------------------------ profile
def profile_activate(files: dict[str, str], top: int, workdir: str) -> dict[str, Any]:
    """cProfile one activate() run per set; print importworks' hottest functions."""
    import pstats  # only this optional benchmark needs it

    result: dict[str, Any] = {}
    for label, path in files.items():
        dump = str(Path(workdir) / f"profile_{label}.prof")
        run_child(_PROFILE_CHILD, ["activate", path, dump], workdir)
        raw = pstats.Stats(dump).stats  # type: ignore[attr-defined]
        rows = [
            (f"{Path(fn).name}:{line}({func})", nc, tt, ct)
            for (fn, line, func), (_cc, nc, tt, ct, _callers) in raw.items()
            if f"{os.sep}importworks{os.sep}" in fn
        ]
        total = sum(entry[2] for entry in raw.values())
        print(
            f"Profile of activate() over {label} (cProfile inflates Python calls; "
            f"total {total * 1e3:.0f} ms, in importworks {sum(r[2] for r in rows) * 1e3:.0f} ms"
            " own time)"
        )
        for key, title in ((2, "own time"), (3, "cumulative")):
            print(f"  top {top} by {title}:  {'calls':>8}{'own ms':>9}{'cum ms':>9}")
            for name, nc, tt, ct in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
                print(f"    {name:<58}{nc:>8}{tt * 1e3:>9.1f}{ct * 1e3:>9.1f}")
        result[label] = [{"function": r[0], "calls": r[1], "own_s": r[2], "cum_s": r[3]} for r in rows]
    return result


# ------------------------------------------------------------------ main


def machine_info() -> dict[str, Any]:
    """What a reader needs to judge the numbers: interpreter, machine, load."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "nproc": nproc,
        "cpu_count": os.cpu_count(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "importworks_src": str(SRC),
        "git": git_revision(),
    }


def print_header(info: dict[str, Any], args: argparse.Namespace) -> None:
    print("importworks engine benchmark: stock vs install() vs activate()")
    print(f"Python {info['python']}")
    print(f"  {info['executable']} ({info['implementation']})")
    load = ", ".join(f"{x:.2f}" for x in info["loadavg"]) if info["loadavg"] else "n/a"
    print(
        f"Machine {info['platform']}, {info['machine']}, nproc {info['nproc']} "
        f"(cpu_count {info['cpu_count']}), load average {load}"
    )
    print(f"importworks {info['importworks_src']}, git {info['git']}")
    print(
        f"rounds {args.rounds}; cache hits: number {args.hit_number:,} x repeat {args.hit_repeat}"
        f" x {args.hit_children} children per mode"
    )
    print()


def build_sets(args: argparse.Namespace, workdir: str) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Choose the module sets; say which tree modules are skipped."""
    sets: dict[str, list[str]] = {}
    notes: dict[str, Any] = {}
    wanted_sets = set(args.sets.split(","))
    if "stdlib" in wanted_sets:
        candidates = stdlib_candidates()
        sets["stdlib"] = importable(candidates, workdir)
        notes["stdlib_not_importable"] = sorted(set(candidates) - set(sets["stdlib"]))
        print(
            f"stdlib set: {len(sets['stdlib'])} modules import here "
            f"(of {len(candidates)} pure-Python candidates; "
            f"{len(EXCLUDED_TOP)} top-level names excluded)"
        )
    if "tree" in wanted_sets:
        wanted = [n.strip() for n in args.tree.split(",") if n.strip()]
        found = importable(wanted, workdir)
        notes["tree_skipped"] = [n for n in wanted if n not in found]
        if notes["tree_skipped"]:
            skipped = ", ".join(notes["tree_skipped"])
            print(f"tree set: skipping, not importable in this interpreter: {skipped}")
        if found:
            sets["tree"] = found
            print(f"tree set: {', '.join(found)}")
        else:
            print("tree set: nothing importable; left out")
    print()
    return sets, notes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="cold runs per mode and set (default 15)")
    parser.add_argument("--sets", default="stdlib,tree", help="module sets for cold and profile (default stdlib,tree)")
    parser.add_argument("--tree", default=",".join(DEFAULT_TREE), help="comma-separated tree modules")
    parser.add_argument("--run", default="cold,hits", help="benchmarks: cold, hits, profile (default cold,hits)")
    parser.add_argument("--hit-number", type=int, default=1_000_000, help="timeit number (default 1e6)")
    parser.add_argument("--hit-repeat", type=int, default=5, help="timeit repeats per child (default 5)")
    parser.add_argument("--hit-children", type=int, default=3, help="children per mode (default 3)")
    parser.add_argument("--profile-top", type=int, default=10, help="functions listed by --run profile")
    parser.add_argument("--json", metavar="FILE", help="write every raw number to FILE")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = machine_info()
    print_header(info, args)
    results: dict[str, Any] = {"machine": info, "config": vars(args)}
    runs = set(args.run.split(","))
    with tempfile.TemporaryDirectory(prefix="bench_engine_") as workdir:
        needs_sets = bool(runs & {"cold", "profile"})
        sets, results["notes"] = build_sets(args, workdir) if needs_sets else ({}, {})
        results["sets"] = sets
        files = {label: write_import_file(names, workdir, label) for label, names in sets.items()}
        if "cold" in runs and files:
            results["cold"] = bench_cold(files, args.rounds, workdir)
            results["own_cost"] = report_own_cost(results["cold"])
            print()
            results["cold_summary"] = report_cold(results["cold"], {k: len(v) for k, v in sets.items()})
            print()
        if "hits" in runs:
            results["hits"] = bench_hits(args.hit_number, args.hit_repeat, args.hit_children, workdir)
            results["hits_summary"] = report_hits(results["hits"])
            print()
        if "profile" in runs and files:
            results["profile"] = profile_activate(files, args.profile_top, workdir)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
        print(f"raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
