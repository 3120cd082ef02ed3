"""A store costs a constant, small number of file-system round trips per start (issue 13).

Measured through ``../shared/slowfs/slowfs.py``, a FUSE passthrough that counts
every metadata round trip (lookup, stat, open, readdir) with the kernel caching
nothing, as on the first start of a cluster node on NFS or Lustre.  Needs
/dev/fuse, fusermount (Debian's fuse3), fusepy and the right to mount: skipped
otherwise (benchmarks/bench_slowfs.py measures the time).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from importworks.stores.pack import pack
from tests.conftest import build, run_python

SLOWFS = Path(__file__).resolve().parents[3] / "shared" / "slowfs" / "slowfs.py"
FUSERMOUNT = shutil.which("fusermount3") or shutil.which("fusermount")


def _why_not() -> str | None:
    if not SLOWFS.is_file():
        return f"no {SLOWFS}"
    if not os.path.exists("/dev/fuse") or FUSERMOUNT is None:
        return "no /dev/fuse or fusermount (apt-get install fuse3 libfuse2)"
    if importlib.util.find_spec("fuse") is None:
        return "fusepy is not installed (pip install fusepy)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=str(_why_not()))


@pytest.fixture
def slowfs(tmp_path):
    """Serve tmp_path/served at tmp_path/mnt through slowfs (no delay: only the counts matter)."""
    served, mount = tmp_path / "served", tmp_path / "mnt"
    served.mkdir()
    mount.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(SLOWFS), str(served), str(mount), "--delay", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        if (mount / ".slowfs-calls").exists():
            break
        if proc.poll() is not None:
            with proc.stderr:
                pytest.skip(f"slowfs cannot mount here: {proc.stderr.read().decode()[-300:]}")
        time.sleep(0.05)
    else:
        proc.kill()
        proc.wait()
        proc.stderr.close()
        pytest.skip("slowfs did not mount within 5 s")
    yield served, mount
    subprocess.run([FUSERMOUNT, "-u", str(mount)], capture_output=True)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stderr.close()


def _tree(modules: int) -> dict:
    package = {"__init__.py": "".join(f"from . import m{i}\n" for i in range(modules))}
    package.update({f"m{i}.py": f"VALUE = {i}\n" for i in range(modules)})
    package["sub"] = {"__init__.py": "from .. import m0\n", "data.txt": "x\n"}
    return {"app": package}


def _round_trips(mount: Path, store: str, cache: Path) -> int:
    before = int((mount / ".slowfs-calls").read_text().split()[0])
    proc = run_python(
        """
        import sys
        import importworks
        importworks.install()
        sys.path.insert(0, sys.argv[1])
        import app, app.sub, importlib.resources
        assert app.__file__.startswith(sys.argv[1]), app.__file__
        assert importlib.resources.files("app.sub").joinpath("data.txt").read_text() == "x\\n"
    """,
        store,
        env={"IMPORTWORKS_CACHE": str(cache)},
    )
    assert proc.returncode == 0, proc.stderr
    return int((mount / ".slowfs-calls").read_text().split()[0]) - before


@pytest.mark.parametrize("kind, most", [("zip", 10), ("sqlite", 20)])
def test_round_trips_per_start_do_not_grow_with_the_modules(tmp_path, slowfs, kind, most):
    served, mount = slowfs
    counts = []
    for modules in (5, 200):
        pack([str(build(tmp_path / f"src{modules}", _tree(modules)))], str(served / f"app{modules}.{kind}"))
        counts.append(_round_trips(mount, str(mount / f"app{modules}.{kind}"), tmp_path / "cache"))
    assert counts[0] == counts[1], counts  # constant: opening one file, whatever it holds
    # zip: one open of the archive; SQLite: that, and SQLite opening the file its own way
    assert counts[1] <= most, counts
