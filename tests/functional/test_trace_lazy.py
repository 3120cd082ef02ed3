"""``importworks trace --lazy``: every lazy import of a run, where it was first used, or never."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import importworks
from importworks.cli import main
from tests.conftest import build


def test_trace_lazy_lists_each_lazy_import_with_its_first_use_or_never(tmp_path: Path, capsys):
    build(
        tmp_path,
        {
            "never_used.py": "",
            "helper.py": "def done():\n    return 'done'\n",
            # show() runs from main.py: a function app's own body calls reads its globals eagerly
            "app.py": ("import never_used\nimport helper\n\ndef show():\n    print(helper.done())\n"),
            "main.py": "import app\napp.show()\n",
        },
    )
    out = tmp_path / "lazy.json"
    assert main(["trace", "--lazy", "--format", "json", "-o", str(out), str(tmp_path / "main.py")]) == 0
    assert capsys.readouterr().out == "done\n"  # the program's own output, unchanged
    records = {r["what"]: r for r in json.loads(out.read_text())["lazy"]}
    app = str(tmp_path / "app.py")
    assert records["never_used"]["written_at"] == f"{app}:1"
    assert records["never_used"]["used_at"] is None
    assert records["helper"]["written_at"] == f"{app}:2"
    assert records["helper"]["used_at"] == f"{app}:5"


def test_trace_lazy_table_goes_to_stderr_after_the_output(tmp_path: Path, capsys):
    build(tmp_path, {"never_used.py": "", "app.py": "import never_used\nprint('hi')\n"})
    assert main(["trace", "--lazy", str(tmp_path / "app.py")]) == 0
    captured = capsys.readouterr()
    assert captured.out == "hi\n"
    assert "never_used" in captured.err and "never reified" in captured.err
    assert captured.err.rstrip().endswith("1 lazy imports, 1 never reified")


def test_trace_lazy_names_the_pending_imports_of_a_module_that_failed(tmp_path: Path):
    """matplotlib's pattern: a body reads a registry that a module it imported lazily would have filled."""
    build(
        tmp_path,
        {
            "registry.py": "DOCS = {}\n",
            "secondary.py": "import registry\nregistry.DOCS['secax'] = 'doc'\nclass Secondary:\n    pass\n",
            "axes.py": (
                "import registry\nfrom secondary import Secondary\n"
                "def make():\n    return Secondary()\n"
                "DOC = registry.DOCS['secax']\n"
            ),
            "app.py": "import axes\nprint(axes.DOC)\n",
        },
    )
    out = tmp_path / "lazy.json"
    # a fresh process: the suite's sys.modules restore would leave two importworks.lazy behind
    done = subprocess.run(
        [sys.executable, "-m", "importworks", "trace", "--lazy", "--format", "json", "-o", str(out), "app.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(importworks.__file__).parent.parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "KeyError: 'secax'" in done.stderr
    failed = json.loads(out.read_text())["failed"]
    assert failed == [{"module": "axes", "error": "KeyError: 'secax'", "pending": ["secondary"]}]


def test_trace_lazy_reports_a_module_that_fails_each_time_once(tmp_path: Path):
    """SQLAlchemy's pattern: the program retries a failing import; the report names it, and each pending one, once."""
    build(
        tmp_path,
        {
            "registry.py": "DOCS = {}\n",
            "secondary.py": "import registry\nregistry.DOCS['secax'] = 'doc'\nclass Secondary:\n    pass\n",
            "tertiary.py": "X = 1\n",
            "axes.py": (
                "import registry\nfrom secondary import Secondary\nimport tertiary\n"
                "def make():\n    return Secondary(), tertiary.X\n"
                "DOC = registry.DOCS['secax']\n"
            ),
            "app.py": (
                "for attempt in range(4):\n    try:\n        import axes\n    except KeyError:\n        pass\n"
                "print('done')\n"
            ),
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "importworks", "trace", "--lazy", "app.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(importworks.__file__).parent.parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("import of axes failed (KeyError: 'secax') while its lazy imports of") == 1
    assert "\n  secondary, tertiary\nwere pending" in done.stderr
