"""Start a real, large command-line program eager and lazy; print medians and ratios.

    python benchmarks/bench_lazy.py [--python PY] [--rounds 21] [--json FILE] [--suite | -- MODULE ARGS...]

Default program: the AWS CLI's ``--version`` (``python -m awscli --version``),
run by the 3.11 interpreter that has awscli installed.  Three modes, each a
fresh process per run, alternating run by run so drift hits all of them:

stock
    ``python -m MODULE ARGS``: CPython as shipped, importworks not imported.
eager
    a launcher imports importworks, calls ``activate()`` and runs MODULE as
    ``__main__`` (runpy): the engine without laziness.
lazy
    the same launcher, plus ``lazy.enable("all")`` and a filter (below).

native
    (3.15+ only) ``python -X lazy_imports=all -m MODULE ARGS``: PEP 810 itself.

``--suite`` runs ``awscli --version``, ``httpie --version``, ``black
--version`` and ``flask --help`` in turn, and ends with a table of lazy
against eager (the aim: lazy <= 0.5x eager): the median of the per-round
ratios (lazy and eager run back to back in each round) and their
interquartile range; on 3.15 also lazy against native.  Give ``--python`` an
interpreter that has the four programs installed (the field suite's venv does).

A further row, ``bare`` (``python -c pass``), is the interpreter's own start-up,
the floor no import strategy goes under; the last line gives the ratio net of it.

Each child's stdout, stderr and exit status must equal stock's: the script
says so, or fails.  One untimed run per mode first fills ``__pycache__``.
Wall time is measured around the whole child (interpreter start-up included).

The filter keeps eager the imports whose point is their side effect:
``encodings.*`` (a codec registers itself when imported: awscli imports
``encodings.idna`` on purpose, before threads start).  Everything else
eligible is lazy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
DEFAULT_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python"
DEFAULT_PROGRAM = ["awscli", "--version"]

LAUNCHER = """\
import runpy, sys
sys.path.insert(0, {src!r})
import importworks
from importworks import lazy
mode, module = sys.argv[1], sys.argv[2]
importworks.activate()
if mode == "lazy":
    lazy.set_lazy_filter(lambda importer, name, fromlist: not name.startswith("encodings."))
    lazy.enable("all")
sys.argv = [module, *sys.argv[3:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def command(python: str, mode: str, program: list[str]) -> list[str]:
    if mode == "bare":
        return [python, "-c", "pass"]
    if mode == "stock":
        return [python, "-m", *program]
    if mode == "native":  # 3.15+: the interpreter's own lazy imports, importworks not imported
        return [python, "-X", "lazy_imports=all", "-m", *program]
    return [python, "-c", LAUNCHER.format(src=str(SRC)), mode, *program]


def run(cmd: list[str]) -> tuple[float, float, tuple[str, str, int]]:
    """(wall seconds, CPU seconds of the child, its output)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, (done.stdout, done.stderr, done.returncode)


def quartiles(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=4)
    return q[0], q[2]


SUITE = [["awscli", "--version"], ["httpie", "--version"], ["black", "--version"], ["flask", "--help"]]


def round_ratios(samples: dict[str, list[float]], mode: str, base: str) -> list[float]:
    """*mode*'s time over *base*'s, run by run: the two ran back to back in each round."""
    return [a / b for a, b in zip(samples[mode], samples[base], strict=True)]


def ratio_median(samples: dict[str, list[float]], mode: str, base: str) -> float:
    return statistics.median(round_ratios(samples, mode, base))


def ratio_range(samples: dict[str, list[float]], mode: str, base: str) -> tuple[float, float]:
    ratios = round_ratios(samples, mode, base)
    return quartiles(ratios) if len(ratios) > 1 else (ratios[0], ratios[0])


def native_lazy(python: str) -> bool:
    """Does *python* have PEP 810 itself (3.15+)?  Then ``-X lazy_imports=all`` is a mode too."""
    probe = subprocess.run(
        [python, "-c", "import sys; print(hasattr(sys, 'set_lazy_imports'))"], capture_output=True, text=True
    )
    return probe.stdout.strip() == "True"


def measure(python: str, program: list[str], rounds: int) -> dict[str, list[float]] | None:
    """Run every mode *rounds* times, alternating; None (after saying why) if an output differs."""
    modes = ["stock", "eager", "lazy"] + (["native"] if native_lazy(python) else [])
    commands = {mode: command(python, mode, program) for mode in (*modes, "bare")}
    reference = None
    for mode in modes:  # warm-up: fill __pycache__, check the outputs agree
        _, _, output = run(commands[mode])
        reference = reference or output
        if output != reference:
            print(f"{mode}: output differs from stock\n  stock: {reference!r}\n  {mode}: {output!r}")
            return None
    samples: dict[str, list[float]] = {mode: [] for mode in (*modes, "bare")}
    # CPU time of each child too: less disturbed than wall time on a loaded machine
    samples.update({f"{mode} cpu": [] for mode in (*modes, "bare")})
    for _ in range(rounds):
        for mode in (*modes, "bare"):
            elapsed, cpu, output = run(commands[mode])
            if mode != "bare" and output != reference:
                print(f"{mode}: output differs from stock: {output!r}")
                return None
            samples[mode].append(elapsed)
            samples[f"{mode} cpu"].append(cpu)
    print(f"program: python -m {' '.join(program)}   ({python}, {rounds} rounds, load {os.getloadavg()[0]:.2f})")
    print(
        f"output identical in all {len(modes) * (rounds + 1)} runs: "
        f"{(reference[0].strip() or reference[1].strip())[:60]!r}"
    )
    print(
        f"{'mode':<6} {'median ms':>10} {'min ms':>8} {'IQR ms':>15} "
        f"{'stock/mode':>11} {'eager/mode':>11} {'CPU ms':>8}"
    )
    medians = {mode: statistics.median(values) for mode, values in samples.items()}
    for mode in (*modes, "bare"):
        low, high = quartiles(samples[mode])
        print(
            f"{mode:<6} {medians[mode] * 1e3:10.1f} {min(samples[mode]) * 1e3:8.1f} "
            f"{low * 1e3:7.1f}-{high * 1e3:<7.1f} {medians['stock'] / medians[mode]:11.2f} "
            f"{medians['eager'] / medians[mode]:11.2f} {medians[f'{mode} cpu'] * 1e3:8.1f}"
        )
    low, high = ratio_range(samples, "lazy", "eager")
    c_low, c_high = ratio_range(samples, "lazy cpu", "eager cpu")
    print(
        f"lazy/eager per round: wall {ratio_median(samples, 'lazy', 'eager'):.2f} (IQR {low:.2f}-{high:.2f}), "
        f"CPU {ratio_median(samples, 'lazy cpu', 'eager cpu'):.2f} (IQR {c_low:.2f}-{c_high:.2f})"
    )
    ratio = medians["stock"] / medians["lazy"]
    print(f"lazy start-up is {ratio:.2f}x faster than stock, {medians['lazy'] / medians['eager']:.2f}x eager's time")
    net = (medians["stock"] - medians["bare"]) / max(medians["lazy"] - medians["bare"], 1e-9)
    print(
        f"net of bare interpreter start-up: {net:.2f}x; min-to-min {min(samples['stock']) / min(samples['lazy']):.2f}x"
    )
    print()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=DEFAULT_PYTHON if os.path.exists(DEFAULT_PYTHON) else sys.executable)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument(
        "--suite", action="store_true", help="aws --version, httpie --version, black --version, flask --help in turn"
    )
    parser.add_argument("program", nargs="*", help="MODULE ARGS... (default: awscli --version)")
    args = parser.parse_args(argv)
    programs = SUITE if args.suite else [args.program or DEFAULT_PROGRAM]
    results: dict[str, dict[str, list[float]]] = {}
    for program in programs:
        samples = measure(args.python, program, args.rounds)
        if samples is None:
            return 1
        results[" ".join(program)] = samples
    if len(programs) > 1:
        native = any("native" in samples for samples in results.values())
        header = (
            f"{'program':<20} {'eager ms':>9} {'lazy ms':>8} {'lazy/eager (IQR)':>19} "
            f"{'CPU lazy/eager (IQR)':>21} {'aim <= 0.5':>10}"
        )
        print(header + (f" {'native ms':>10} {'lazy/native (IQR)':>19}" if native else ""))
        for name, samples in results.items():
            eager, lazy = statistics.median(samples["eager"]), statistics.median(samples["lazy"])
            ratio = ratio_median(samples, "lazy", "eager")
            low, high = ratio_range(samples, "lazy", "eager")
            c_low, c_high = ratio_range(samples, "lazy cpu", "eager cpu")
            line = (
                f"{name:<20} {eager * 1e3:9.1f} {lazy * 1e3:8.1f} {ratio:8.2f} ({low:.2f}-{high:.2f}) "
                f"{ratio_median(samples, 'lazy cpu', 'eager cpu'):10.2f} ({c_low:.2f}-{c_high:.2f}) "
                f"{'pass' if ratio <= 0.5 else 'miss':>10}"
            )
            if "native" in samples:  # 3.15+: PEP 810 itself, importworks not imported
                n_low, n_high = ratio_range(samples, "lazy", "native")
                line += (
                    f" {statistics.median(samples['native']) * 1e3:10.1f} "
                    f"{ratio_median(samples, 'lazy', 'native'):8.2f} ({n_low:.2f}-{n_high:.2f})"
                )
            print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"python": args.python, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
