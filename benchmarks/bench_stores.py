"""Compare importing a large package tree from stores against stock CPython.

Run from the repository root, with the interpreter that has the tree installed:

    python benchmarks/bench_stores.py [--rounds 15] [--json results.json]

One package tree (default: boto3 + awscli and their dependencies) is built, in
``--workdir``, as an importworks SQLite store, an importworks zip (an ordinary
zip with a ``.pyc`` beside each ``.py``, so stock zipimport uses it too), both
again with the standard library packed in (``pack --stdlib``: the whole
application in one file), and a bundle of ``sqliteimport`` (PyPI, the
existing SQLite importer).  The variants import the same workload in fresh
processes, round-robin:

stock             CPython from site-packages
floor             the lower bound of any importer: every module's code object
                  already in memory (unmarshalled before timing), served by a
                  finder that is one dict lookup; what remains is module bodies
floor+unmarshal   the same with the marshalled bytes in memory, unmarshalled
                  when imported: module bodies + unmarshal, no finding or reading
zipimport         CPython's zipimport from the importworks zip
sqliteimport      sqliteimport from its own bundle (precompiled with its ``compile``)
iw-zip            importworks.install(), the zip on sys.path
iw-sqlite         importworks.install(), the SQLite store on sys.path
iw-sqlite-signed, iw-zip-signed   the same stores signed (importworks pack --sign), imported
                  under install(trusted_keys=[...]): the signature checked at open, every
                  entry's sha256 as it is read (issue 17: at most 5% of a warm start)
zipimport+stdlib, iw-zip+stdlib, iw-sqlite+stdlib
                  the same, from the stores that carry the standard library too
iw-postgres       importworks.install(), a PostgreSQL store on sys.path (with
                  ``--postgres postgresql://HOST/DATABASE``: over a socket)

Every child imports importworks first (outside the timed region), and every
variant but stock removes site-packages from sys.path, so the tree really comes
from the store; each run checks where its modules came from.  Runs are timed
warm (files in the page cache) and cold (``/proc/sys/vm/drop_caches`` before
each run, when the kernel lets us), and one run per variant is traced with
strace to count its file-system syscalls.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from _common import git_revision, progress, summarize

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
VARIANTS = (
    "stock",
    "floor",
    "floor+unmarshal",
    "zipimport",
    "sqliteimport",
    "iw-zip",
    "iw-sqlite",
    "iw-zip-signed",
    "iw-sqlite-signed",
    "zipimport+stdlib",
    "iw-zip+stdlib",
    "iw-sqlite+stdlib",
)
# variant -> the config key of the store it puts first on sys.path
STORE_OF = {
    "zipimport": "zip",
    "iw-zip": "zip",
    "iw-sqlite": "sqlite",
    "zipimport+stdlib": "zip_std",
    "iw-zip+stdlib": "zip_std",
    "iw-sqlite+stdlib": "sqlite_std",
    "iw-postgres": "postgres",
    "iw-zip-signed": "zip_signed",
    "iw-sqlite-signed": "sqlite_signed",
}
DEFAULT_DISTS = ("boto3", "awscli")
DEFAULT_IMPORTS = "import boto3\nimport awscli.clidriver\n"
DEFAULT_CALLS = "boto3.Session()\nawscli.clidriver.create_clidriver()\n"
DEFAULT_SMALL = "import jmespath\n"
# Run once per variant after the checks: it reads botocore's data/ folder, which
# only works where files beside __file__ are real files.
CHECK_CALL = 'boto3.client("s3", region_name="us-east-1")'
MARK = "/importworks-bench-stores-mark-"  # stat()ed around the timed region under strace

# The aims of issue 4, as (label, measure, comparison, bound); each is checked for
# the stores of the tree alone and for those with the standard library packed in.
# issue 4's aims, with issue 13's for the warm import (0.75x lay below the measured floor of 0.86-0.89x)
AIMS = (
    ("SQLite warm import <= 0.90x stock", "warm", "<=", 0.90),
    ("SQLite cold import <= 0.70x stock", "cold", "<=", 0.70),
    ("SQLite file syscalls <= 0.10x stock", "syscalls", "<=", 0.10),
    ("SQLite store syscalls constant (< 0.1 per extra module)", "slope", "<=", 0.10),
    ("zip 1.3x faster than zipimport (same zip), warm", "zip_warm", ">=", 1.30),
    ("zip 1.3x faster than zipimport (same zip), cold", "zip_cold", ">=", 1.30),
)

# argv: variant, config file (JSON), task (time | check | strace | profile | record), [profile dump].
_CHILD = r"""
import json, os, sys, time
_t0 = time.perf_counter()
import importworks
_t1 = time.perf_counter()
_variant, _task = sys.argv[1], sys.argv[3]
with open(sys.argv[2]) as _f:
    _cfg = json.load(_f)
if _task == "record":  # stock, dumping the code of every module it imports, for the floor variants
    import marshal
elif _variant.startswith("floor"):
    import marshal
    from importlib.machinery import ModuleSpec
    with open(_cfg["floor_codes"], "rb") as _f:
        _table = marshal.load(_f)
    if _variant == "floor":
        _table = {_n: (_o, _p, marshal.loads(_c)) for _n, (_o, _p, _c) in _table.items()}
    class _TableLoader:
        def __init__(self, code):
            self.code = code
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            code = self.code
            exec(marshal.loads(code) if isinstance(code, bytes) else code, module.__dict__)
    class _TableFinder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            entry = _table.get(name)
            if entry is None:
                return None
            origin, is_package, code = entry
            spec = ModuleSpec(name, _TableLoader(code), origin=origin, is_package=is_package)
            if is_package:
                spec.submodule_search_locations = [os.path.dirname(origin)]
            spec.has_location = True
            return spec
    sys.meta_path.insert(0, _TableFinder)
elif _variant != "stock":  # the tree must come from the store, never from site-packages
    sys.path[:] = [p for p in sys.path if p not in _cfg["site_dirs"]]
    for _p in _cfg["site_dirs"]:
        sys.path_importer_cache.pop(_p, None)
if _variant.startswith("iw-"):
    importworks.install(trusted_keys=[_cfg["signing_key"] + ".pub"] if _variant.endswith("-signed") else None)
if _variant in _cfg["store_of"]:
    sys.path.insert(0, _cfg[_cfg["store_of"][_variant]])
if _variant == "iw-postgres":  # psycopg, and nothing else of site-packages
    sys.path.append(_cfg["psycopg_lib"])
_imports = compile(_cfg["imports"], "<bench imports>", "exec")
_calls = compile(_cfg["calls"], "<bench calls>", "exec")
_compiled = []
if _task == "check":  # modules compiled from source instead of precompiled code: want none
    import builtins
    _compile = builtins.compile
    def _counting_compile(source, filename, mode, *args, **kwargs):
        if mode == "exec" and str(filename).endswith(".py"):
            _compiled.append(str(filename))
        return _compile(source, filename, mode, *args, **kwargs)
    builtins.compile = _counting_compile
def _mark(what):
    if _task == "strace":
        try:
            os.stat(_cfg["mark"] + what)
        except OSError:
            pass
_profile = None
if _task == "profile":
    import cProfile
    _profile = cProfile.Profile()
_ns = {"__name__": "__bench__"}
_before = set(sys.modules)
_mark("begin")
if _profile is not None:
    _profile.enable()
_t2 = _ti = time.perf_counter()
if _variant == "sqliteimport":
    # Its own import is timed: it brings in stdlib modules (email, socket, sqlite3...)
    # that the tree needs too, which would otherwise be imported for free.
    sys.path.insert(0, _cfg["sqliteimport_lib"])
    import sqliteimport
    sys.path.remove(_cfg["sqliteimport_lib"])
    _ti = time.perf_counter()
    sqliteimport.load(_cfg["sqlite3"])  # opening the store is part of the cost, as for the others
exec(_imports, _ns)
_t3 = time.perf_counter()
if _profile is not None:  # the import phase only
    _profile.disable()
    _profile.dump_stats(sys.argv[4])
_after_imports = set(sys.modules)
_mark("calls")
exec(_calls, _ns)
_t4 = time.perf_counter()
_mark("end")
if _task == "check":
    builtins.compile = _compile

def _where(module):
    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    owner = loader if isinstance(loader, type) else type(loader)
    return getattr(owner, "__module__", "") or "", getattr(module, "__file__", None) or ""

def _from_store(name):  # modules without __file__ (six.moves) are not counted
    owner, file = _where(_new[name])
    if not file:
        return None
    if _variant == "stock":
        return file.startswith(tuple(_cfg["site_dirs"]))
    if _variant.startswith("floor"):
        return owner == "__main__"
    if _variant == "sqliteimport":
        return owner.startswith("sqliteimport")
    store = _cfg[_cfg["store_of"][_variant]]
    if _variant.startswith("zipimport"):
        return owner == "zipimport" and file.startswith(store + os.sep)
    return owner.startswith("importworks") and file.startswith((store + os.sep, _cfg["cache"] + os.sep))

_new = {n: m for n, m in list(sys.modules.items()) if n not in _before and m is not None}
_tops = set(_cfg["tree_tops"])
_tree = sorted(n for n in _new if n.partition(".")[0] in _tops)
_placed = {n: _from_store(n) for n in _tree}
_away = [n for n, ok in _placed.items() if ok is False]
_result = {"iw_import_s": _t1 - _t0, "setup_s": _t2 - _t1, "importer_s": _ti - _t2, "imports_s": _t3 - _t2,
           "calls_s": _t4 - _t3, "new": len(_new), "tree": len(_tree),
           "new_imports": len(_after_imports - _before),
           "tree_imports": sum(n in _after_imports for n in _tree),
           "from_store_imports": sum(ok is True for n, ok in _placed.items() if n in _after_imports),
           "from_store": sum(ok is True for ok in _placed.values()),
           "away": [(n, *_where(_new[n])) for n in _away[:5]]}
if _task == "record":
    _codes = {}
    for _n in _after_imports - _before:
        _spec = getattr(sys.modules.get(_n), "__spec__", None)
        if _spec is not None and str(_spec.origin).endswith(".py") and hasattr(_spec.loader, "get_code"):
            _codes[_n] = (_spec.origin, _spec.submodule_search_locations is not None,
                          marshal.dumps(_spec.loader.get_code(_n)))
    with open(_cfg["floor_codes"], "wb") as _f:
        marshal.dump(_codes, _f)
    _result["recorded"] = len(_codes)
if _task == "check":
    _result["modules"] = sorted(_new)
    _result["compiled"] = _compiled
    _result["files"] = {n: _where(_new[n])[1] for n in _cfg["named"] if n in _new}
    try:
        exec(_cfg["check_call"], _ns)
        _result["check_call"] = "ok"
    except Exception as exc:
        _result["check_call"] = f"{type(exc).__name__}: {exc}"[:120]
print("RESULT " + json.dumps(_result))
"""

# What the benchmarked interpreter calls site-packages and the standard library.
_PROBE = r"""
import json, site, sys, sysconfig
sites = [p for p in site.getsitepackages() + [site.getusersitepackages()] if p in sys.path]
paths = sysconfig.get_paths()
print(json.dumps({"site_dirs": sites, "stdlib": sorted({paths["stdlib"], paths["platstdlib"]}),
                  "version": sys.version.replace("\n", " "), "executable": sys.executable}))
"""


class ChildError(RuntimeError):
    """A benchmark child process or build step failed."""


# ------------------------------------------------------------------ children
def child_env(cache: str) -> dict[str, str]:
    """The environment without PYTHON* settings (bytecode writing stays on), src first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("PYTHON") and k != "PYTHONHASHSEED") and not k.startswith("IMPORTWORKS")
    }
    env["PYTHONPATH"] = str(SRC)
    env["IMPORTWORKS_CACHE"] = cache
    return env


def run(command: list[str], env: dict[str, str], cwd: str, what: str) -> str:
    """Run *command*; return its stdout.

    Raises:
        ChildError: it exited with a non-zero status.
    """
    proc = subprocess.run(
        command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).splitlines()[-20:])
        raise ChildError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def run_child(
    bench: Bench,
    variant: str,
    task: str,
    config: str | None = None,
    wrapper: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One fresh child; its RESULT as a dict, plus the parent's view of its wall time."""
    command = [*wrapper, bench.python, "-W", "ignore", "-c", _CHILD, variant, config or bench.config, task, *extra]
    start = time.perf_counter()
    out = run(command, bench.env, bench.workdir, f"{variant} child ({task})")
    wall = time.perf_counter() - start
    line = [x for x in out.splitlines() if x.startswith("RESULT ")][-1]
    return {**json.loads(line[len("RESULT ") :]), "process_s": wall}


# ------------------------------------------------------------------ building
class Bench:
    """Paths and settings shared by every step."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.python = args.python
        self.workdir = os.path.abspath(args.workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.cache = os.path.join(self.workdir, "iw-cache")
        self.env = child_env(self.cache)
        self.paths = {
            "sqlite": os.path.join(self.workdir, "tree.sqlite"),
            "zip": os.path.join(self.workdir, "tree.zip"),
            "sqlite_std": os.path.join(self.workdir, "tree-stdlib.sqlite"),
            "zip_std": os.path.join(self.workdir, "tree-stdlib.zip"),
            "floor_codes": os.path.join(self.workdir, "floor-codes.marshal"),
            "sqlite3": os.path.join(self.workdir, "tree-sqliteimport.sqlite3"),
            "sqliteimport_lib": os.path.join(self.workdir, "sqliteimport-lib"),
            "sqlite_signed": os.path.join(self.workdir, "tree-signed.sqlite"),
            "zip_signed": os.path.join(self.workdir, "tree-signed.zip"),
            "signing_key": os.path.join(self.workdir, "signing-key"),
        }
        self.probe = json.loads(run([self.python, "-c", _PROBE], self.env, self.workdir, "probe"))
        self.config = os.path.join(self.workdir, "config.json")
        self.variants = list(VARIANTS)
        if args.postgres:
            self.paths["postgres"] = args.postgres.rstrip("/") + "/importworks-bench-tree"
            self.paths["psycopg_lib"] = os.path.join(self.workdir, "psycopg-lib")
            self.variants.append("iw-postgres")
        self.check_call = args.check_call
        self.notes: dict[str, str] = {}


def pack(bench: Bench, dists: list[str], stdlib: bool) -> dict[str, str]:
    """Pack the tree as SQLite and zip with ``importworks pack``; return its summary lines."""
    summary = {}
    kinds = (
        ["sqlite", "zip"]
        + (["sqlite_std", "zip_std"] if stdlib else [])
        + (["postgres"] if "postgres" in bench.paths else [])
    )
    for kind in kinds:
        command = [bench.python, "-m", "importworks", "pack", "--deps", "-o", bench.paths[kind]]
        if kind.endswith("_std"):
            command.append("--stdlib")
        for dist in dists:
            command += ["--dist", dist]
        out = run(command, bench.env, bench.workdir, f"importworks pack ({kind})")
        summary[kind] = "; ".join(line.strip() for line in out.splitlines() if line.strip())
    sign_copies(bench)
    return summary


def sign_copies(bench: Bench) -> None:
    """Signed copies of the SQLite and zip stores, for the -signed variants (needs cryptography)."""
    key = bench.paths["signing_key"]
    if not os.path.exists(key):
        run([bench.python, "-m", "importworks", "keygen", key], bench.env, bench.workdir, "importworks keygen")
    sign = "import sys\nfrom importworks.stores.signing import sign_store\nsign_store(sys.argv[1], sys.argv[2])\n"
    # the first start after signing checks the signature with cryptography, which the timed children
    # (site-packages off sys.path) cannot import: do it here, once; the check is remembered in the cache
    check = (
        "import sys\nimport importworks\nfrom importworks.stores.opening import open_store\n"
        "from importworks.stores.trust import _signed\n"
        "with importworks.install(trusted_keys=[sys.argv[2] + '.pub']), open_store(sys.argv[1]) as store:\n"
        "    _signed(store)\n"
    )
    for kind in ("sqlite", "zip"):
        shutil.copyfile(bench.paths[kind], bench.paths[kind + "_signed"])
        run([bench.python, "-c", sign, bench.paths[kind + "_signed"], key], bench.env, bench.workdir, f"sign ({kind})")
        run(
            [bench.python, "-c", check, bench.paths[kind + "_signed"], key], bench.env, bench.workdir, f"check ({kind})"
        )


def tree_tops(zip_path: str) -> list[str]:
    """Top-level module and package names in the packed tree."""
    tops = set()
    for name in zipfile.ZipFile(zip_path).namelist():
        first, _, rest = name.partition("/")
        stem = first[:-3] if not rest and first.endswith(".py") else first
        if (rest or first.endswith(".py")) and stem.isidentifier():
            tops.add(stem)
    return sorted(tops)


def build_sqliteimport(bench: Bench) -> str:
    """Install sqliteimport, bundle the same tree with it, precompile it; return its version.

    Raises:
        ChildError: a step failed (no network for pip, an incompatible release...).
    """
    lib = bench.paths["sqliteimport_lib"]
    if not os.path.isdir(os.path.join(lib, "sqliteimport")):
        run(
            [bench.python, "-m", "pip", "install", "--quiet", "--target", lib, "sqliteimport[cli]"],
            bench.env,
            bench.workdir,
            "pip install sqliteimport",
        )
    tree = os.path.join(bench.workdir, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    with zipfile.ZipFile(bench.paths["zip"]) as archive:  # the very same files, sources only
        archive.extractall(
            tree, [n for n in archive.namelist() if not n.endswith(".pyc") and not n.startswith(".importworks/")]
        )
    if os.path.exists(bench.paths["sqlite3"]):
        os.remove(bench.paths["sqlite3"])
    env = {**bench.env, "PYTHONPATH": lib}
    for step in (["bundle", tree, bench.paths["sqlite3"]], ["compile", bench.paths["sqlite3"]]):
        run([bench.python, "-m", "sqliteimport", *step], env, bench.workdir, f"sqliteimport {step[0]}")
    version = run(
        [bench.python, "-c", "import importlib.metadata as m; print(m.version('sqliteimport'))"],
        env,
        bench.workdir,
        "sqliteimport version",
    )
    return version.strip()


def write_config(bench: Bench, path: str, imports: str, calls: str, tops: list[str]) -> None:
    config = {
        **bench.paths,
        "store_of": STORE_OF,
        "site_dirs": bench.probe["site_dirs"],
        "cache": bench.cache,
        "tree_tops": tops,
        "imports": imports,
        "calls": calls,
        "check_call": bench.check_call,
        "named": re.findall(r"^\s*(?:import|from)\s+([\w.]+)", imports, re.MULTILINE),
        "mark": MARK,
    }
    Path(path).write_text(json.dumps(config, indent=1))


# ------------------------------------------------------------------ cold
def drop_caches() -> None:
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def _cached_kib() -> int:
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Cached:"))


def cold_unavailable(store: str) -> str | None:
    """Why page-cache-cold runs cannot be done here, or None when they can."""
    with open(store, "rb") as f:
        while f.read(1 << 20):
            pass
    before = _cached_kib()
    try:
        drop_caches()
    except OSError as exc:
        return f"cannot write /proc/sys/vm/drop_caches ({exc.strerror}): needs root outside a sandbox"
    dropped = before - _cached_kib()
    if dropped * 1024 < os.path.getsize(store) // 2:
        return f"drop_caches was accepted but the page cache shrank by only {dropped} KiB"
    return None


# ------------------------------------------------------------------ timing


def bench_times(bench: Bench, rounds: int, cold: bool) -> dict[str, list[dict]]:
    """Alternate the variants, one fresh child per run; drop the page cache first if *cold*."""
    samples: dict[str, list[dict]] = {v: [] for v in bench.variants}
    for index in range(rounds):
        progress(f"{'cold' if cold else 'warm'} round {index + 1}/{rounds}")
        for variant in bench.variants:
            if cold:
                drop_caches()
            samples[variant].append(run_child(bench, variant, "time"))
    progress("")
    return samples


def report_times(samples: dict[str, list[dict]], title: str) -> dict[str, Any]:
    """Print one timing table; return its numbers."""
    print(title)
    print(
        f"  {'variant':<18}{'new':>5}{'tree':>6}{'store':>7}  |{'median':>8}{'min':>8}{'IQR':>7}"
        f"{'x stock':>9}  |{'median':>8}{'IQR':>7}{'x stock':>9}"
    )
    for runs in samples.values():
        for s in runs:
            s["total_s"] = s["imports_s"] + s["calls_s"]
    stock = {k: statistics.median(s[k] for s in samples["stock"]) for k in ("imports_s", "total_s")}
    summary = {}
    for variant, runs in samples.items():
        imp, tot = (summarize([s[k] for s in runs]) for k in ("imports_s", "total_s"))
        imp["ratio"], tot["ratio"] = imp["median"] / stock["imports_s"], tot["median"] / stock["total_s"]
        last = runs[-1]
        print(
            f"  {variant:<18}{last['new_imports']:>5}{last['tree_imports']:>6}{last['from_store_imports']:>7}  |"
            f"{imp['median'] * 1e3:>8.1f}{imp['min'] * 1e3:>8.1f}{imp['iqr'] * 1e3:>7.1f}"
            f"{imp['ratio']:>9.2f}  |{tot['median'] * 1e3:>8.1f}{tot['iqr'] * 1e3:>7.1f}{tot['ratio']:>9.2f}"
        )
        summary[variant] = {"imports": imp, "imports_and_calls": tot}
    print(
        "  new, tree: modules the import phase added (all, of the tree); store: of those tree modules"
        " with a __file__,\n  the ones loaded from the variant's store (or its cache; site-packages for"
        " stock)"
    )
    return summary


# ------------------------------------------------------------------ syscalls
_LINE = re.compile(r"^(?:\d+\s+)?(\w+)\((.*)$")
_FD = re.compile(r"^-?\d+<([^>]*)>")
_AT = re.compile(r'^AT_FDCWD(?:<([^>]*)>)?, "([^"]*)"')
_STR = re.compile(r'^"([^"]*)"')
_MMAP_FD = re.compile(r", \d+<([^>]*)>, ")


def syscall_path(name: str, args: str) -> str | None:
    """The file a traced syscall touches (from ``strace -y``), or None."""
    if name == "mmap":
        found = _MMAP_FD.search(args)
        return found.group(1) if found else None
    found = _AT.match(args)
    if found:  # relative to the working directory, which -y shows
        cwd, path = found.groups()
        return os.path.join(cwd, path) if cwd and not path.startswith("/") else path
    for pattern in (_FD, _STR):
        found = pattern.match(args)
        if found:
            return found.group(1)
    return None


def classify(path: str, bench: Bench) -> str:
    stores = tuple(bench.paths[k] for k in ("sqlite", "zip", "sqlite3", "sqlite_std", "zip_std")) + (bench.cache,)
    if path.startswith(stores):
        return "tree"
    if path.startswith(tuple(bench.probe["site_dirs"])):
        return "tree"
    if path.startswith(tuple(bench.probe["stdlib"])):
        return "stdlib"
    return "other"


def count_syscalls(trace: str, bench: Bench) -> dict[str, Any]:
    """File-system syscalls of the import phase, by class and by name; of the calls; of the whole run."""
    phase = None
    by_class: Counter[str] = Counter()
    by_name: Counter[str] = Counter()
    whole = calls = 0
    with open(trace, errors="replace") as f:
        for line in f:
            found = _LINE.match(line)
            if not found or "resumed>" in line:
                continue
            name, args = found.groups()
            path = syscall_path(name, args)
            if path is None or not path.startswith("/"):
                continue  # anonymous memory, pipes, sockets, the terminal
            if path.startswith(MARK):
                phase = {"begin": "imports", "calls": "calls"}.get(path[len(MARK) :])
                continue
            whole += 1
            if phase == "imports":
                by_class[classify(path, bench)] += 1
                by_name[name] += 1
            calls += phase == "calls"
    return {
        "total": sum(by_class.values()),
        "by_class": dict(by_class),
        "by_name": dict(by_name),
        "calls": calls,
        "whole_process": whole,
    }


# ------------------------------------------------------------------ instructions
def callgrind_instructions(bench: Bench, variant: str, config: str) -> int:
    """Instructions one child executes, counted by valgrind (the same for the same inputs)."""
    out = os.path.join(bench.workdir, f"callgrind-{variant}.out")
    wrapper = ("valgrind", "--tool=callgrind", "--quiet", f"--callgrind-out-file={out}")
    run_child(bench, variant, "time", config, wrapper)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise ChildError(f"no instruction count in {out}")


def bench_instructions(bench: Bench, imports_config: str, empty_config: str) -> dict[str, dict[str, int]]:
    """Instructions of the import phase: a run of the workload minus a run that imports nothing.

    Noise-free where wall-clock times are not (a shared machine), but blind to what
    costs time without instructions: cache misses, page faults, waiting for the disk.
    """
    if shutil.which("valgrind") is None:
        raise ChildError("valgrind is not installed (apt-get install valgrind)")
    saved = bench.env.get("PYTHONHASHSEED")
    bench.env["PYTHONHASHSEED"] = "0"  # the same dict layouts in every run
    try:
        counts = {}
        for variant in bench.variants:
            progress(f"callgrind {variant}")
            full = callgrind_instructions(bench, variant, imports_config)
            none = callgrind_instructions(bench, variant, empty_config)
            counts[variant] = {"full": full, "empty": none, "imports": full - none}
    finally:
        if saved is None:
            bench.env.pop("PYTHONHASHSEED", None)
        else:
            bench.env["PYTHONHASHSEED"] = saved
    progress("")
    return counts


def report_instructions(counts: dict[str, dict[str, int]]) -> dict[str, float]:
    stock = counts["stock"]["imports"]
    print(
        "Instructions of the import phase (valgrind --tool=callgrind, one run each: the imports alone"
        " minus a run\n  of the same variant that imports nothing), millions, and x stock"
    )
    ratios = {}
    for variant, count in counts.items():
        ratios[variant] = count["imports"] / stock
        print(f"  {variant:<18}{count['imports'] / 1e6:>10.1f}{ratios[variant]:>8.2f}")
    return ratios


def bench_syscalls(bench: Bench, configs: dict[str, str]) -> dict[str, dict[str, Any]]:
    """One strace'd warm run per variant and workload."""
    strace = shutil.which("strace")
    if strace is None:
        raise ChildError("strace is not installed (apt-get install strace)")
    result: dict[str, dict[str, Any]] = {}
    for workload, config in configs.items():
        for variant in bench.variants:
            progress(f"strace {variant} {workload}")
            trace = os.path.join(bench.workdir, f"strace-{variant}-{workload}.txt")
            wrapper = (strace, "-f", "-qq", "-y", "-e", "trace=%file,%desc", "-o", trace)
            child = run_child(bench, variant, "strace", config, wrapper)
            counts = count_syscalls(trace, bench)
            result.setdefault(variant, {})[workload] = {**counts, "tree_modules": child["tree_imports"]}
    progress("")
    return result


_NAME_GROUPS = (
    ("open", ("openat", "open")),
    ("stat", ("newfstatat", "stat", "lstat", "fstat", "statx")),
    ("read", ("read", "pread64", "readv")),
    ("lseek", ("lseek",)),
    ("mmap", ("mmap",)),
    ("getdents", ("getdents64",)),
    ("close", ("close",)),
)


def report_syscalls(counts: dict[str, dict[str, Any]], small_text: str) -> dict[str, Any]:
    """Print the syscall table; return ratios and the per-module growth."""
    stock = counts["stock"]["full"]
    print(
        "File-system syscalls of the import phase (strace -f -y -e trace=%file,%desc, one warm run;"
        " tree: on the store,\n  its cache or site-packages; stdlib: on the standard library; calls: in"
        " the calls phase after it)"
    )
    groups = [g for g, _ in _NAME_GROUPS]
    print(
        f"  {'variant':<18}{'total':>6}{'x stock':>8}{'tree':>6}{'x stock':>8}{'stdlib':>7}{'other':>6} |"
        + "".join(f"{g[:6]:>6}" for g in groups)
        + f" |{'calls':>6} | small:{'mods':>5}{'tree':>6}"
        f" | {'per module':>10}"
    )
    summary = {}
    for variant, workloads in counts.items():
        full, small = workloads["full"], workloads["small"]
        tree = full["by_class"].get("tree", 0)
        ratio, tree_ratio = full["total"] / stock["total"], tree / max(1, stock["by_class"].get("tree", 0))
        grown = full["tree_modules"] - small["tree_modules"]
        slope = (tree - small["by_class"].get("tree", 0)) / grown if grown else float("nan")
        names = [sum(full["by_name"].get(n, 0) for n in members) for _, members in _NAME_GROUPS]
        print(
            f"  {variant:<18}{full['total']:>6}{ratio:>8.2f}{tree:>6}{tree_ratio:>8.2f}"
            f"{full['by_class'].get('stdlib', 0):>7}{full['by_class'].get('other', 0):>6} |"
            + "".join(f"{n:>6}" for n in names)
            + f" |{full['calls']:>6} |"
            f"{small['tree_modules']:>11}{small['by_class'].get('tree', 0):>6} | {slope:>10.2f}"
        )
        summary[variant] = {"ratio": ratio, "tree_ratio": tree_ratio, "slope": slope}
    print(
        f"  small: the tree modules and tree syscalls of {small_text!r}; per module: growth of tree"
        " syscalls from it\n  to the full import phase, per extra tree module (0 = a constant number)"
    )
    return summary


# ------------------------------------------------------------------ checks, aims, profile
def check_variants(bench: Bench) -> dict[str, dict[str, Any]]:
    """One warm-up run, then one checked run, per variant; print where modules came from."""
    checks = {}
    for variant in bench.variants:
        progress(f"warm-up and check {variant}")
        run_child(bench, variant, "time")  # writes stock's __pycache__, fills importworks' cache
        checks[variant] = run_child(bench, variant, "check")
    progress("")
    stock = set(checks["stock"]["modules"])
    print("Checks (one run per variant after a warm-up; modules without a __file__, like six.moves, are not placed)")
    for variant, check in checks.items():
        extra, missing = sorted(set(check["modules"]) - stock), sorted(stock - set(check["modules"]))
        print(
            f"  {variant:<18}{check['tree']} tree modules, {check['from_store']} from the expected place; "
            f"{len(check['compiled'])} compiled from source; {bench.check_call}: {check['check_call']}"
        )
        for name, file in list(check["files"].items())[:2]:
            print(f"  {'':<18}{name} from {file}")
        diff = [f"{sign}{len(names)} {' '.join(names)}" for sign, names in (("+", extra), ("-", missing)) if names]
        if diff:
            print(f"  {'':<18}modules vs stock: {'; '.join(diff)}")
        if check["away"]:
            print(f"  {'':<18}WARNING: not from the store: {check['away']}")
    return checks


def aim_values(warm: dict, cold: dict | None, syscalls: dict | None, suffix: str) -> dict[str, float | None]:
    """The aims' measures for the stores of one configuration ('' or '+stdlib')."""
    sqlite, zip_, zipimport = "iw-sqlite" + suffix, "iw-zip" + suffix, "zipimport" + suffix

    def ratio(table: dict | None, key: str = "imports") -> float | None:
        return table[sqlite][key]["ratio"] if table and sqlite in table else None

    def zip_speedup(table: dict | None) -> float | None:
        if not table or zip_ not in table or zipimport not in table:
            return None
        return table[zipimport]["imports"]["median"] / table[zip_]["imports"]["median"]

    found = syscalls.get(sqlite) if syscalls else None
    return {
        "warm": ratio(warm),
        "cold": ratio(cold),
        "syscalls": found["ratio"] if found else None,
        "slope": found["slope"] if found else None,
        "zip_warm": zip_speedup(warm),
        "zip_cold": zip_speedup(cold),
    }


def report_aims(configs: dict[str, dict[str, float | None]]) -> list[dict[str, Any]]:
    print("Aims (issues 4 and 13), on the import phase" + "".join(f"{name:>16}" for name in configs))
    rows = []
    for label, key, op, bound in AIMS:
        cells = []
        for name, values in configs.items():
            value = values[key]
            if value is None:
                verdict, shown = "n/a", "n/a"
            else:
                met = value <= bound if op == "<=" else value >= bound
                verdict, shown = ("pass" if met else "MISS"), f"{value:.2f}"
            cells.append(f"{shown:>10} {verdict:<5}")
            rows.append({"aim": label, "stores": name, "value": value, "verdict": verdict})
        print(f"  {label:<60}" + "".join(cells))
    return rows


def report_floor(warm: dict, cold: dict | None) -> None:
    """What no importer running the same module code can go below."""
    if "floor" not in warm:
        return
    parts = [f"module bodies alone {warm['floor']['imports']['ratio']:.2f}x stock"]
    if "floor+unmarshal" in warm:
        parts.append(f"bodies + unmarshalling {warm['floor+unmarshal']['imports']['ratio']:.2f}x")
    if cold and "floor+unmarshal" in cold:
        parts.append(f"cold {cold['floor+unmarshal']['imports']['ratio']:.2f}x (code already in memory)")
    print(
        "Floor, warm: " + ", ".join(parts) + ";\n  an importer that executes the same code (and must "
        "unmarshal it) cannot go below the floor+unmarshal ratio"
    )


def profile(bench: Bench, variant: str, top: int) -> dict[str, Any]:
    """cProfile one warm run of *variant*; print the top functions by own time."""
    import pstats  # only this optional part needs it

    dump = os.path.join(bench.workdir, f"profile-{variant}.prof")
    run_child(bench, variant, "profile", extra=(dump,))
    raw = pstats.Stats(dump).stats  # type: ignore[attr-defined]
    rows = sorted(
        (
            (f"{Path(fn).name}:{line}({func})" if fn != "~" else func, nc, tt, ct, fn)
            for (fn, line, func), (_cc, nc, tt, ct, _callers) in raw.items()
        ),
        key=lambda r: r[2],
        reverse=True,
    )
    ours = [r for r in rows if f"{os.sep}importworks{os.sep}" in r[4]]
    total = sum(r[2] for r in rows)
    print(
        f"Profile of the import phase of one {variant} run (cProfile inflates Python calls): "
        f"{total * 1e3:.0f} ms own time,"
        f" {sum(r[2] for r in ours) * 1e3:.0f} ms of it in importworks"
    )
    for title, listed in (("all functions", rows), ("in importworks", ours)):
        print(f"  top {top} by own time, {title}:  {'calls':>8}{'own ms':>9}{'cum ms':>9}")
        for name, nc, tt, ct, _ in listed[:top]:
            print(f"    {name[:66]:<66}{nc:>8}{tt * 1e3:>9.1f}{ct * 1e3:>9.1f}")
    return {
        "total_s": total,
        "rows": [{"function": r[0], "calls": r[1], "own_s": r[2], "cum_s": r[3]} for r in rows[:100]],
    }


def report_setup(samples: dict[str, list[dict]]) -> None:
    """Print what the children spend outside the timed region, and sqliteimport's own import."""

    def median_ms(variant: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[variant]) * 1e3

    setup = ", ".join(f"{v} {median_ms(v, 'setup_s'):.2f}" for v in samples)
    print(
        f"Untimed, median ms: importworks' own import {median_ms('stock', 'iw_import_s'):.1f} (every "
        f"variant); path set-up and install(): {setup}"
    )
    if "sqliteimport" in samples:
        print(
            f"Timed, inside sqliteimport's import phase: `import sqliteimport` "
            f"{median_ms('sqliteimport', 'importer_s'):.1f} ms (it brings in stdlib modules the tree"
            " needs too: email, socket, sqlite3...)"
        )


# ------------------------------------------------------------------ main


def print_header(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    info = {
        "python": bench.probe["version"],
        "executable": bench.probe["executable"],
        "platform": platform.platform(),
        "nproc": len(os.sched_getaffinity(0)),
        "loadavg": os.getloadavg(),
        "git": git_revision(),
        "workdir": bench.workdir,
    }
    print("importworks store benchmark: stock vs zipimport vs sqliteimport vs importworks zip/SQLite")
    print(f"Python {info['python']}\n  {info['executable']}")
    print(
        f"Machine {info['platform']}, nproc {info['nproc']}, load average "
        + ", ".join(f"{x:.2f}" for x in info["loadavg"])
    )
    print(f"importworks {SRC}, git {info['git']}; workdir {bench.workdir}")
    print(f"rounds {args.rounds} warm, {args.cold_rounds} cold; tree: {', '.join(args.dist)} with --deps")
    return info


def print_workload(bench: Bench, build: dict[str, str], tops: list[str], args: argparse.Namespace) -> None:
    for kind, line in build.items():
        size = "in PostgreSQL" if kind == "postgres" else f"{os.path.getsize(bench.paths[kind]) / 1e6:.1f} MB file"
        print(f"  {kind}: {line} ({size})")
    if os.path.exists(bench.paths["sqlite3"]) and "sqliteimport" in bench.variants:
        print(
            f"  sqliteimport {bench.notes['sqliteimport_version']}: bundle "
            f"{os.path.getsize(bench.paths['sqlite3']) / 1e6:.1f} MB (sources lzma-compressed, "
            "bytecode table from `sqliteimport compile`; it skips .so files)"
        )
    print(f"  top-level names in the tree: {' '.join(tops)}")
    print(f"Timed: {args.imports.strip()!r} (import phase; the store is opened inside it), then {args.calls.strip()!r}")
    print()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="warm runs per variant (default 15)")
    parser.add_argument("--cold-rounds", type=int, default=None, help="cold runs per variant (default: --rounds)")
    parser.add_argument(
        "--workdir",
        default=os.path.join(tempfile.gettempdir(), "importworks-bench-stores"),
        help="where stores, caches and traces go (kept; default %(default)s)",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    parser.add_argument(
        "--dist",
        action="append",
        help=f"distribution to pack with --deps (repeatable; default {' '.join(DEFAULT_DISTS)})",
    )
    parser.add_argument("--imports", default=DEFAULT_IMPORTS, help="the timed import statements")
    parser.add_argument("--calls", default=DEFAULT_CALLS, help="statements timed after the imports")
    parser.add_argument("--small", default=DEFAULT_SMALL, help="a small import for the syscall growth check")
    parser.add_argument("--check-call", default=CHECK_CALL, help="run once per variant, untimed, to show it works")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: cold, syscalls, sqliteimport, stdlib (the stores with the standard library), floor",
    )
    parser.add_argument(
        "--profile", nargs="?", const="iw-sqlite", help="cProfile one run of a variant (default iw-sqlite)"
    )
    parser.add_argument("--profile-top", type=int, default=15, help="functions listed by --profile")
    parser.add_argument(
        "--run", default="", help="comma-separated extras: instructions (count them with valgrind, a few minutes)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("IMPORTWORKS_BENCH_POSTGRES"),
        help="a PostgreSQL database (postgresql://HOST/DATABASE) to add an iw-postgres variant "
        "(default $IMPORTWORKS_BENCH_POSTGRES; libpq's PG* variables apply)",
    )
    parser.add_argument("--json", metavar="FILE", help="write every raw number to FILE")
    args = parser.parse_args(argv)
    args.dist = args.dist or list(DEFAULT_DISTS)
    args.cold_rounds = args.rounds if args.cold_rounds is None else args.cold_rounds
    args.skip = set(filter(None, args.skip.split(",")))
    args.run = set(filter(None, args.run.split(",")))
    return args


def build(bench: Bench, args: argparse.Namespace) -> tuple[dict[str, str], list[str]]:
    """Build every store; drop sqliteimport (saying why) if it cannot be built."""
    if "psycopg_lib" in bench.paths and not os.path.isdir(os.path.join(bench.paths["psycopg_lib"], "psycopg")):
        run(
            [
                bench.python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                bench.paths["psycopg_lib"],
                "psycopg[binary]",
            ],
            bench.env,
            bench.workdir,
            "pip install psycopg",
        )
    summary = pack(bench, args.dist, stdlib="stdlib" not in args.skip)
    tops = tree_tops(bench.paths["zip"])
    if "stdlib" in args.skip:
        bench.variants = [v for v in bench.variants if not v.endswith("+stdlib")]
    if "floor" in args.skip:
        bench.variants = [v for v in bench.variants if not v.startswith("floor")]
    if "sqliteimport" in args.skip:
        bench.variants.remove("sqliteimport")
        return summary, tops
    try:
        bench.notes["sqliteimport_version"] = build_sqliteimport(bench)
    except ChildError as exc:
        bench.variants.remove("sqliteimport")
        bench.notes["sqliteimport"] = str(exc)
        print(f"sqliteimport left out: {exc}")
    return summary, tops


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    results: dict[str, Any] = {
        "machine": print_header(bench, args),
        "config": {k: sorted(v) if isinstance(v, set) else v for k, v in vars(args).items()},
    }
    summary, tops = build(bench, args)
    write_config(bench, bench.config, args.imports, args.calls, tops)
    print_workload(bench, summary, tops, args)
    results.update(build=summary, tree_tops=tops, variants=bench.variants, notes=bench.notes)
    if any(v.startswith("floor") for v in bench.variants):
        progress("recording code for the floor variants")
        run_child(bench, "stock", "time")  # stock's __pycache__ first
        results["floor_recorded"] = run_child(bench, "stock", "record")["recorded"]
    results["checks"] = check_variants(bench)
    print()
    results["warm"] = bench_times(bench, args.rounds, cold=False)
    results["warm_summary"] = report_times(
        results["warm"], "Warm (files in the page cache), ms:      imports (+ opening the store)  | imports + calls"
    )
    print()
    reason = "skipped (--skip cold)" if "cold" in args.skip else cold_unavailable(bench.paths["sqlite"])
    if reason is None:
        results["cold"] = bench_times(bench, args.cold_rounds, cold=True)
        results["cold_summary"] = report_times(
            results["cold"],
            "Cold (page cache dropped before each run), ms:  imports                    | imports + calls",
        )
        print("  cold = not in this kernel's page cache; a VM's host may still cache the disk")
    else:
        print(f"Cold runs: unavailable: {reason}")
    results["cold_unavailable"] = reason
    print()
    if "syscalls" not in args.skip:
        small = os.path.join(bench.workdir, "config-small.json")
        write_config(bench, small, args.small, "", tops)
        results["syscalls"] = bench_syscalls(bench, {"full": bench.config, "small": small})
        results["syscalls_summary"] = report_syscalls(results["syscalls"], args.small.strip())
        print()
    if "instructions" in args.run:
        empty = os.path.join(bench.workdir, "config-empty.json")
        write_config(bench, empty, "", "", tops)
        imports_only = os.path.join(bench.workdir, "config-imports.json")
        write_config(bench, imports_only, args.imports, "", tops)
        results["instructions"] = bench_instructions(bench, imports_only, empty)
        results["instructions_summary"] = report_instructions(results["instructions"])
        print()
    configs = {"tree": "", "tree+stdlib": "+stdlib"} if "stdlib" not in args.skip else {"tree": ""}
    results["aims"] = report_aims(
        {
            name: aim_values(
                results["warm_summary"], results.get("cold_summary"), results.get("syscalls_summary"), suffix
            )
            for name, suffix in configs.items()
        }
    )
    report_floor(results["warm_summary"], results.get("cold_summary"))
    report_setup(results["warm"])
    if args.profile:
        print()
        results["profile"] = profile(bench, args.profile, args.profile_top)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
        print(f"raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
