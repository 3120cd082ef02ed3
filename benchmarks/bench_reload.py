"""Time from saving a file to its new code being live, in a project of 1,000 modules.

Run from the repository root, with the interpreter you want to measure:

    python benchmarks/bench_reload.py [--modules 1000] [--runs 15]

It generates a package of N modules (each a few functions, a class and
constants) importing each other as a tree with fan-out 10, imports it all under
``importworks.activate()``, then edits one leaf module again and again:

poll
    save the file, then ``Watcher.poll([path])`` as the watcher does when
    watchfiles reports the save: check the stamps of the modules of that file,
    run the leaf's new code (a trial, then in the module itself), patch it, do
    the same for its dependents (its ancestors in the tree), rebind.  What a
    watcher costs once told.
poll, no dependents
    the same with ``dependents=False``: the leaf alone.
watch
    a running watchfiles watcher (step 10 ms); the main thread saves the file
    and spins until an old reference to the leaf's function returns the new
    value.  End to end, file-system notification included.

Prints the median, min and max in milliseconds; the aim is a median under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import importworks  # noqa: E402
from importworks.reload import Reloader, Watcher  # noqa: E402

AIM_MS = 50.0
FANOUT = 10

MODULE = '''\
"""Generated module {index}."""
{imports}
LIMIT = {index}
NAMES = [f"item{{i}}" for i in range(10)]


def value():
    return {value!r}


def scale(x, factor=2):
    return x * factor + LIMIT


def describe(items=None):
    return ", ".join(items or NAMES)


class Thing{index}:
    kind = "thing"

    def __init__(self, size):
        self.size = size

    def area(self):
        return self.size * self.size

    @property
    def label(self):
        return f"{{self.kind}}-{{self.size}}"
'''


def children(index: int, count: int) -> list[int]:
    return [c for c in range(index * FANOUT + 1, index * FANOUT + FANOUT + 1) if c < count]


def module_source(index: int, count: int, value: str = "v0") -> str:
    imports = "".join(f"from . import m{c}\nfrom .m{c} import value as value{c}\n" for c in children(index, count))
    return MODULE.format(index=index, imports=imports, value=value)


def generate(root: Path, count: int) -> Path:
    package = root / "benchproject"
    package.mkdir()
    (package / "__init__.py").write_text("from . import m0\n")
    for index in range(count):
        (package / f"m{index}.py").write_text(module_source(index, count))
    return package


def save(path: Path, text: str) -> None:
    """Write as an editor would, with an mtime that surely differs from the last."""
    old = path.stat().st_mtime_ns
    saving = path.with_name(path.name + ".saving")
    saving.write_text(text)
    later = max(old, saving.stat().st_mtime_ns) + 1_000_000_000
    os.utime(saving, ns=(later, later))
    os.replace(saving, path)


def summarize(label: str, samples: list[float]) -> str:
    median = statistics.median(samples)
    verdict = "pass" if median < AIM_MS else "MISS"
    return (
        f"{label:<24} median {median:7.2f} ms   min {min(samples):7.2f}   max {max(samples):7.2f}"
        f"   ({len(samples)} runs, aim < {AIM_MS:g} ms: {verdict})"
    )


def bench_poll(leaf_path: Path, leaf: object, count: int, index: int, runs: int, dependents: bool) -> list[float]:
    watcher = Watcher(Reloader(), report=lambda line: None, dependents=dependents)
    watcher.tracker.snapshot()
    watcher.reloader.graph.warm()
    func = leaf.value  # type: ignore[attr-defined]
    samples = []
    for run in range(runs):
        expected = f"poll{dependents}{run}"
        save(leaf_path, module_source(index, count, expected))
        started = time.perf_counter()
        report = watcher.poll([str(leaf_path)])  # what the watcher does when told of a save
        samples.append((time.perf_counter() - started) * 1000)
        assert report is not None and report.ok and func() == expected, report
    return samples


def bench_watch(leaf_path: Path, leaf: object, count: int, index: int, runs: int) -> list[float]:
    func = leaf.value  # type: ignore[attr-defined]
    samples = []
    with Watcher(Reloader(), report=lambda line: None, backend="watchfiles", step_ms=10) as watcher:
        if not watcher.ready.wait(30):
            raise RuntimeError("the watcher did not start")
        for run in range(runs):
            expected = f"watch{run}"
            started = time.perf_counter()
            save(leaf_path, module_source(index, count, expected))
            while func() != expected:
                if time.perf_counter() - started > 10:
                    raise RuntimeError("the edit never went live")
                time.sleep(0.0005)
            samples.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)  # let the watcher settle between saves
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        package = generate(Path(tmp), args.modules)
        sys.path.insert(0, tmp)
        started = time.perf_counter()
        with importworks.activate():
            import benchproject  # noqa: F401
        loaded = [n for n in sys.modules if n.startswith("benchproject.")]
        index = args.modules - 1  # the last module is a leaf
        leaf = sys.modules[f"benchproject.m{index}"]
        print(
            f"Python {sys.version.split()[0]}; {len(loaded)} modules imported in "
            f"{time.perf_counter() - started:.2f} s; editing benchproject.m{index} (a leaf, "
            f"{len(Reloader().graph.dependents([leaf.__name__]))} dependents)"
        )
        leaf_path = package / f"m{index}.py"
        print(summarize("poll", bench_poll(leaf_path, leaf, args.modules, index, args.runs, True)))
        print(summarize("poll, no dependents", bench_poll(leaf_path, leaf, args.modules, index, args.runs, False)))
        try:
            import watchfiles  # noqa: F401
        except ImportError:
            print("watch: skipped (watchfiles is not installed)")
        else:
            print(summarize("watch (save to live)", bench_watch(leaf_path, leaf, args.modules, index, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
