"""Stores where file systems are slow: site-packages vs a SQLite store behind slowfs.

Run from the repository root, as root (FUSE), with the interpreter that has the
tree installed (default: boto3 + awscli and their dependencies):

    apt-get install -y fuse3 libfuse2 && python -m pip install fusepy boto3 awscli   # once (fusepy: libfuse 2)
    python benchmarks/bench_slowfs.py [--rounds 9] [--delay 0.0005] [--json out.json]

``../shared/slowfs/slowfs.py`` (or ``--slowfs PATH``) mounts a folder read-only
through FUSE and adds ``--delay`` seconds to every metadata operation (lookup,
stat, open, readdir) with no kernel caching: the first start of a program on
each node of a cluster whose software lives on NFS, Lustre or GPFS.  The
benchmark copies the tree's site-packages folders into that folder beside a
SQLite store packed from them, mounts it, and runs in fresh processes,
round-robin:

stock-slowfs   CPython, its standard library local, the tree from site-packages behind slowfs
store-slowfs   importworks.install(), the tree from the SQLite store behind slowfs
store-local    the same store on local disk
zip-slowfs     importworks.install(), the tree from an importworks zip behind slowfs
zip-local      the same zip on local disk

The extraction cache (``$IMPORTWORKS_CACHE``) is on local disk, as a cluster
would set it, and warm (one untimed run first).  Each run's metadata round
trips are read from ``MOUNT/.slowfs-calls`` before and after.  It prints
medians with their ranges (min-max) over the rounds, the ratios, and the aims:
store-slowfs within 1.10x of store-local, at most 10 round trips per start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import git_revision, progress

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
SLOWFS = REPO.parent / "shared" / "slowfs" / "slowfs.py"
VARIANTS = ("stock-slowfs", "store-slowfs", "store-local", "zip-slowfs", "zip-local")
AIM_RATIO = 1.10
AIM_ROUND_TRIPS = 10

CHILD = r"""
import json, os, sys, time
variant, where, imports = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if variant == "stock-slowfs":
    sys.path[:0] = where.split(os.pathsep)
else:
    import importworks
    importworks.install()
    sys.path.insert(0, where)
t1 = time.perf_counter()
exec(imports, {"__name__": "__bench__"})
t2 = time.perf_counter()
files = [getattr(m, "__file__", None) or "" for m in list(sys.modules.values())]
print("RESULT " + json.dumps({"setup_s": t1 - t0, "imports_s": t2 - t1, "start_s": t2 - t0,
                              "from_where": sum(f.startswith(where.split(os.pathsep)[0]) for f in files)}))
"""


def site_dirs(python: str) -> list[str]:
    code = "import json, site, sys; print(json.dumps([p for p in site.getsitepackages() if p in sys.path]))"
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)


def child_env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IMPORTWORKS"))}
    env.update(PYTHONPATH=str(SRC), IMPORTWORKS_CACHE=cache, PYTHONDONTWRITEBYTECODE="1")
    return env


def calls(mount: Path) -> int:
    return int((mount / ".slowfs-calls").read_text().split()[0])


def run_child(
    python: str, variant: str, where: str, imports: str, env: dict[str, str], mount: Path
) -> dict[str, float]:
    before = calls(mount)
    started = time.perf_counter()
    # -s -S: no site-packages and no user site (stock gets the copy behind slowfs on sys.path)
    proc = subprocess.run(
        [python, "-s", "-S", "-c", CHILD, variant, where, imports],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    wall = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"{variant} failed:\n{proc.stderr[-2000:]}")
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    result = json.loads(line[len("RESULT ") :])
    result.update(wall_s=wall, round_trips=calls(mount) - before)
    return result


def mount(slowfs: str, python: str, source: Path, target: Path, delay: float) -> subprocess.Popen:
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [python, slowfs, str(source), str(target), "--delay", str(delay)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(100):
        if (target / ".slowfs-calls").exists():
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"slowfs did not mount: {proc.stderr.read()[-1000:]}")
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    raise RuntimeError("slowfs did not mount within 10 s")


def unmount(proc: subprocess.Popen, target: Path) -> None:
    subprocess.run(
        ["fusermount3" if shutil.which("fusermount3") else "fusermount", "-u", str(target)], capture_output=True
    )
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def build(python: str, dists: list[str], work: Path) -> tuple[Path, list[str]]:
    """The folder slowfs serves: a copy of each site-packages folder, and the store packed from them."""
    served = work / "served"
    if served.exists():
        shutil.rmtree(served)
    served.mkdir(parents=True)
    copies = []
    for at, folder in enumerate(site_dirs(python)):
        copy = served / f"site{at}"
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"), symlinks=False)
        copies.append(copy.name)
    options = [arg for dist in dists for arg in ("--dist", dist)]
    for name in ("tree.sqlite", "tree.zip"):
        subprocess.run(
            [python, "-m", "importworks", "pack", *options, "--deps", "-o", str(served / name)],
            check=True,
            env=child_env(str(work / "cache")),
            stdout=subprocess.DEVNULL,
        )
        shutil.copy(served / name, work / name)  # the same store on local disk
    return served, copies


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9, help="runs of each variant (default 9)")
    parser.add_argument("--delay", type=float, default=0.0005, help="seconds per metadata round trip")
    parser.add_argument("--dist", action="append", default=None, help="distributions (default boto3, awscli)")
    parser.add_argument("--imports", default="import boto3, awscli.clidriver", help="the workload")
    parser.add_argument("--slowfs", default=str(SLOWFS), help="path of slowfs.py")
    parser.add_argument("--workdir", default=None, help="where to build (default: a temporary folder)")
    parser.add_argument("--json", default=None, help="write every sample here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    python = sys.executable
    dists = args.dist or ["boto3", "awscli"]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-slowfs-"))
    served, copies = build(python, dists, work)
    target = work / "mnt"
    env = child_env(str(work / "cache"))
    fs = mount(args.slowfs, python, served, target, args.delay)
    try:
        where = {
            "stock-slowfs": os.pathsep.join(str(target / c) for c in copies),
            "store-slowfs": str(target / "tree.sqlite"),
            "store-local": str(work / "tree.sqlite"),
            "zip-slowfs": str(target / "tree.zip"),
            "zip-local": str(work / "tree.zip"),
        }
        for variant in VARIANTS:  # one untimed run each: the extraction cache and page cache warm
            run_child(python, variant, where[variant], args.imports, env, target)
        samples: dict[str, list[dict[str, float]]] = {v: [] for v in VARIANTS}
        for round_ in range(args.rounds):
            for variant in VARIANTS:
                progress(f"round {round_ + 1}/{args.rounds} {variant}")
                samples[variant].append(run_child(python, variant, where[variant], args.imports, env, target))
        progress("")
    finally:
        unmount(fs, target)
    report = report_samples(samples, args, dists)
    if args.json:
        Path(args.json).write_text(json.dumps({"report": report, "samples": samples}, indent=1))
    return 0


def report_samples(
    samples: dict[str, list[dict[str, float]]], args: argparse.Namespace, dists: list[str]
) -> dict[str, object]:
    print(
        f"bench_slowfs: {', '.join(dists)} ({args.imports!r}); importworks {git_revision()}; "
        f"Python {sys.version.split()[0]}; {args.rounds} rounds; {args.delay * 1000:g} ms per round trip"
    )
    report: dict[str, object] = {}
    print(f"{'variant':<14} {'start ms (median, min-max)':>28} {'round trips (median, min-max)':>32}")
    for variant, runs in samples.items():
        start = summary([r["start_s"] * 1000 for r in runs])
        trips = summary([r["round_trips"] for r in runs])
        report[variant] = {"start_ms": start, "round_trips": trips}
        print(
            f"{variant:<14} {start['median']:>10.0f} ({start['min']:.0f}-{start['max']:.0f}){'':>8}"
            f"{trips['median']:>12.0f} ({trips['min']:.0f}-{trips['max']:.0f})"
        )
    med = {v: report[v]["start_ms"]["median"] for v in samples}  # type: ignore[index]
    for kind, slow, local in (("SQLite", "store-slowfs", "store-local"), ("zip", "zip-slowfs", "zip-local")):
        ratio = med[slow] / med[local]
        faster = med["stock-slowfs"] / med[slow]
        trips = report[slow]["round_trips"]["max"]  # type: ignore[index]
        print(
            f"{kind}: behind slowfs / on local disk {ratio:.2f}x (aim <= {AIM_RATIO:.2f}x: "
            f"{'met' if ratio <= AIM_RATIO else 'not met'}); stock behind slowfs is {faster:.1f}x slower; "
            f"round trips per start at most {trips:.0f} (aim <= {AIM_ROUND_TRIPS}: "
            f"{'met' if trips <= AIM_ROUND_TRIPS else 'not met'})"
        )
        report[f"{slow}_over_local"] = ratio
        report[f"stock_over_{slow}"] = faster
    return report


if __name__ == "__main__":
    sys.exit(main())
