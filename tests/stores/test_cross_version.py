"""A store packed on Python 3.15 runs there from its precompiled code, and on 3.14 from source.

Precompiled code is kept per magic number (3.15 also writes marshal format 6,
which 3.14 cannot read); an interpreter whose magic the store lacks compiles
the source entries instead.  Both sides are real interpreters in subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SRC, build


def _python(version: str) -> str | None:
    """The interpreter for *version*, where scripts/pythons.sh would find it."""
    prefix = os.environ.get("IW_PYTHONS", "/opt/iw-pythons")
    candidates = [
        shutil.which(f"python{version}"),
        f"{prefix}/{version}/usr/bin/python{version}",
        *sorted(str(p / "bin" / "python") for p in Path("/root/.pyenv/versions").glob(f"{version}.*")),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
            )
            if probe.returncode == 0 and probe.stdout.strip() == str(tuple(map(int, version.split(".")))):
                return candidate
    return None


PY314, PY315 = _python("3.14"), _python("3.15")
pytestmark = pytest.mark.skipif(
    (PY314 is None or PY315 is None) and os.environ.get("CI") != "true",
    reason="needs Python 3.14 and 3.15 (../shared/pythons/install-debian-python.sh 3.14 3.15)",
)

# Imports the package from the store with importworks installed and says what
# was compiled from source on the way.
_RUN = textwrap.dedent("""
    import builtins, json, sys
    import importworks
    store = sys.argv[1]
    compiled, real_compile = [], builtins.compile
    def compile_spy(source, filename, *args, **kwargs):
        compiled.append(str(filename))
        return real_compile(source, filename, *args, **kwargs)
    builtins.compile = compile_spy
    with importworks.install():
        sys.path.insert(0, store)
        import cv_pkg.mod
    builtins.compile = real_compile
    print(json.dumps({"value": cv_pkg.mod.VALUE, "file": cv_pkg.mod.__file__,
                      "compiled": sorted(f for f in compiled if f.startswith(store))}))
""")


def _run(python: str, code: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([python, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("suffix", [".sqlite", ".zip"])
def test_store_packed_on_315_runs_precompiled_there_and_from_source_on_314(tmp_path, suffix):
    assert PY314 and PY315, "CI needs Python 3.14 and 3.15 for this test"
    build(tmp_path / "app", {"cv_pkg": {"__init__.py": "", "mod.py": "VALUE = 41 + 1\n"}})
    store = str(tmp_path / f"cv{suffix}")
    packed = _run(
        PY315,
        "import sys; from importworks.stores.pack import pack; print(pack([sys.argv[1]], sys.argv[2]).compiled)",
        str(tmp_path / "app"),
        store,
    )
    assert packed.returncode == 0, packed.stderr
    assert packed.stdout.strip() == "2"  # both modules precompiled, for 3.15's magic

    on_315 = _run(PY315, _RUN, store)
    on_314 = _run(PY314, _RUN, store)
    assert on_315.returncode == 0, on_315.stderr
    assert on_314.returncode == 0, on_314.stderr
    ran_315, ran_314 = json.loads(on_315.stdout), json.loads(on_314.stdout)
    assert ran_315["value"] == ran_314["value"] == 42
    assert ran_315["file"] == ran_314["file"] == os.path.join(store, "cv_pkg", "mod.py")
    assert ran_315["compiled"] == []  # 3.15: the precompiled code, nothing compiled
    assert ran_314["compiled"] == sorted(os.path.join(store, "cv_pkg", name) for name in ("__init__.py", "mod.py"))
