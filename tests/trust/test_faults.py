"""Faults: a pack that runs out of space leaves the previous store intact (issue 17, item 4)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from importworks.stores.opening import open_store
from importworks.stores.verify import verify_store
from tests.conftest import build, run_python

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_a_pack_that_runs_out_of_space_leaves_the_previous_store(tmp_path, kind):
    small = build(tmp_path / "small", {"small_mod.py": "VALUE = 'previous'\n"})
    big = build(tmp_path / "big", {f"big_{i}.py": "X = %r\n" % ("x" * 20000 + str(i)) for i in range(40)})
    out = tmp_path / f"app.{kind}"
    result = run_python(f"""
        import resource, signal, sys
        from importworks.stores.pack import pack
        pack([{str(small)!r}], {str(out)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        try:
            pack([{str(big)!r}], {str(out)!r})
        except (OSError, Exception) as exc:
            print("failed:", type(exc).__name__)
        else:
            print("packed")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("failed:"), result.stdout
    with open_store(str(out)) as store:
        assert sorted(store.index) == ["small_mod.py", "small_mod.pyc"][: len(store.index)]
        assert verify_store(store).ok
        assert store.read("small_mod.py") == b"VALUE = 'previous'\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".", "app.")) and p != out]


READER = """
import sys, time, warnings
import importworks
from importworks.stores import opening
store, seconds = sys.argv[1], float(sys.argv[2])
importworks.install()
sys.path.insert(0, store)
seen, mixed, errors = set(), 0, 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    opening.close_stores()
    sys.path_importer_cache.pop(store, None)
    for name in ("pair_a", "pair_b"):
        sys.modules.pop(name, None)
    try:
        import pair_a
    except ImportError:  # between the old file and the new: a store error, never a mix
        errors += 1
        continue
    seen.add(pair_a.GEN)
    mixed += pair_a.GEN != pair_a.pair_b.GEN
print(sorted(seen), mixed, errors)
"""


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_a_store_packed_again_while_processes_import_from_it(tmp_path, kind):
    """Each process sees the old or the new store whole, never a module of one and one of the other."""
    import subprocess
    import time

    from importworks.stores.pack import pack

    sources = [
        build(
            tmp_path / f"gen{g}",
            {"pair_a.py": f"import pair_b\nGEN = {g}\n", "pair_b.py": f"GEN = {g}\nPAD = {'y' * 5000 * (g + 1)!r}\n"},
        )
        for g in (0, 1)
    ]
    out = tmp_path / f"pair.{kind}"
    pack([str(sources[0])], str(out))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    readers = [
        subprocess.Popen(
            [sys.executable, "-W", "ignore", "-c", READER, str(out), "3"], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(3)
    ]
    generation, deadline = 0, time.monotonic() + 3
    while time.monotonic() < deadline:
        generation ^= 1
        pack([str(sources[generation])], str(out))
    results = [reader.communicate(timeout=60)[0] for reader in readers]
    assert all(reader.returncode == 0 for reader in readers), results
    for line in results:
        seen, mixed, _errors = line.rsplit(" ", 2)
        assert int(mixed) == 0, line  # never pair_a of one store with pair_b of the other
        assert seen != "[]", line


PYC_WRITER = """
import os, random, sys
import importworks
folder, seed = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, folder)
source = os.path.join(folder, "shared_mod.py")
rng, bad = random.Random(seed), 0
with importworks.activate():
    for _ in range(60):
        stamp = 1_700_000_000 + rng.randrange(5)  # every process keeps making the pyc stale for the others
        os.utime(source, (stamp, stamp))
        sys.modules.pop("shared_mod", None)
        importworks.invalidate_caches()
        try:
            import shared_mod
            bad += shared_mod.VALUE != 'whole'
        except Exception as exc:  # a torn pyc would be an EOFError or bad marshal data here
            print(type(exc).__name__, exc)
            bad += 1
print("bad", bad)
"""


def test_eight_processes_writing_the_same_pycache_never_read_a_torn_pyc(tmp_path):
    import subprocess

    folder = build(tmp_path / "shared", {"shared_mod.py": "VALUE = 'whole'\n" + "X = %r\n" % ("z" * 400_000)})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    procs = [
        subprocess.Popen(
            [sys.executable, "-W", "ignore", "-c", PYC_WRITER, str(folder), str(seed)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in range(8)
    ]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert all(out.strip().endswith("bad 0") for out in outputs), outputs
    assert list((folder / "__pycache__").iterdir())  # they did write it
