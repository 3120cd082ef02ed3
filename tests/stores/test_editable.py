"""``pack --dist NAME`` of an editable install packs the source tree it points to (issue 13, item 3).

The installs are made by pip itself (``pip install -e``, PEP 660 with
setuptools): a flat layout, which setuptools serves with an
``__editable__`` finder holding a MAPPING, and a src layout, which it serves
with a ``.pth`` file naming the folder.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from importworks.cli import main
from importworks.errors import StoreError
from importworks.stores.pack import pack
from tests.conftest import build, run_python

PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
[project]
name = "{name}"
version = "0.1"
[tool.setuptools]
{layout}
"""
CALC = {"__init__.py": "from .ops import add\n", "ops.py": "def add(a, b):\n    return a + b\n", "table.txt": "1 2 3\n"}


def _editable_install(tmp_path: Path, name: str, layout: str, files: dict) -> Path:
    """``pip install -e`` of a project made from *files*; the site-packages folder it went to."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is needed to build the editable install")
    project = build(tmp_path / name, {"pyproject.toml": PYPROJECT.format(name=name, layout=layout), **files})
    prefix = tmp_path / f"prefix-{name}"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-build-isolation",
            "--no-deps",
            "--prefix",
            str(prefix),
            "-e",
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode:
        pytest.fail(f"pip could not make the editable install: {proc.stderr.strip()[-400:]}")
    relative = Path(sysconfig.get_path("purelib")).relative_to(sysconfig.get_path("data"))
    return prefix / relative


CHECK = """
import sys
sys.path[:] = [p for p in sys.path if "site-packages" not in p]
import importworks
importworks.install()
sys.path.insert(0, sys.argv[1])
import importlib.metadata, importlib.resources
import calc
print(calc.add(2, 3), calc.__file__.startswith(sys.argv[1]), importlib.metadata.version(sys.argv[2]),
      importlib.resources.files("calc").joinpath("table.txt").read_text().strip())
"""


@pytest.mark.parametrize(
    "layout, hook",
    [
        ('packages = ["calc"]', "__editable___calc_0_1_finder.py"),
        ('package-dir = {"" = "src"}', "__editable__.calc-0.1.pth"),
    ],
)
def test_pack_an_editable_install_from_its_source_tree(tmp_path, monkeypatch, capsys, layout, hook):
    files = {"calc": CALC, "conftest.py": "X = 1\n"} if "packages" in layout else {"src": {"calc": CALC}}
    site = _editable_install(tmp_path, "calc", layout, files)
    assert (site / hook).is_file()  # the kind of hook this layout gets
    monkeypatch.syspath_prepend(str(site))
    store = tmp_path / "calc.sqlite"
    assert main(["pack", "--dist", "calc", "-o", str(store)]) == 0
    out = capsys.readouterr().out
    assert " (2 modules, 2 precompiled, " in out, out
    assert f"{hook}: calc: the editable install's hook; its source tree is packed instead" in out
    proc = run_python(CHECK, str(store), "calc")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["5", "True", "0.1", "1", "2", "3"]


def test_an_editable_install_whose_tree_is_gone_is_named(tmp_path, monkeypatch):
    site = _editable_install(tmp_path, "calc", 'packages = ["calc"]', {"calc": CALC})
    shutil.rmtree(tmp_path / "calc" / "calc")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(
        StoreError,
        match=r"^cannot pack distribution 'calc': it is an editable install "
        r"\(pip install -e\) and its hook names no source tree",
    ):
        pack([], str(tmp_path / "calc.sqlite"), dists=["calc"])


def test_editable_hook_recognised_without_pip(tmp_path, monkeypatch):
    """direct_url.json says editable; the .pth names the folder (hatchling, flit and pdm do this)."""
    tree = build(tmp_path / "proj", {"src": {"calc": CALC}})
    site = build(
        tmp_path / "site",
        {
            "_calc.pth": str(tree / "src") + "\n",
            "calc-0.1.dist-info": {
                "METADATA": "Metadata-Version: 2.1\nName: calc\nVersion: 0.1\n",
                "direct_url.json": json.dumps({"url": tree.as_uri(), "dir_info": {"editable": True}}),
                "RECORD": "_calc.pth,,\ncalc-0.1.dist-info/METADATA,,\ncalc-0.1.dist-info/RECORD,,\n",
            },
        },
    )
    monkeypatch.syspath_prepend(str(site))
    result = pack([], str(tmp_path / "calc.zip"), dists=["calc"])
    assert result.modules == 2
    assert ("_calc.pth", "calc: the editable install's hook; its source tree is packed instead") in result.skipped
