"""The importworks command line, called as main([...]) and as a real process."""

from __future__ import annotations

import json

from importworks.cli import main
from tests.conftest import REPO, run_python

DEMO = REPO / "examples" / "demo"


def test_pack_ls_verify_and_run_the_demo_from_sqlite(tmp_path, capsys):
    store = tmp_path / "demo.sqlite"
    assert main(["pack", str(DEMO), "-o", str(store)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("packed 9 files (9 modules, 9 precompiled") and str(store) in out
    assert main(["ls", str(store)]) == 0
    listing = capsys.readouterr().out.split()
    assert {"app.py", "textkit/__init__.py", "plugins/shout/upper.py"} <= set(listing)
    assert main(["verify", str(store)]) == 0
    assert capsys.readouterr().out.strip().endswith("9 entries, 9 modules (9 precompiled for this Python): ok")
    proc = run_python(
        "import sys; from importworks.cli import main; sys.exit(main(sys.argv[1:]))",
        "run",
        str(store),
        "-m",
        "app",
        "two words",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == ["words", "2"]


def test_trace_shows_where_each_module_came_from(tmp_path):
    store = tmp_path / "demo.zip"
    assert main(["pack", str(DEMO), "-o", str(store)]) == 0
    report = tmp_path / "trace.json"
    proc = run_python(
        "import sys; from importworks.cli import main; sys.exit(main(sys.argv[1:]))",
        "trace",
        "--format",
        "json",
        "-o",
        str(report),
        str(store),
        "-m",
        "app",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())

    def walk(records):
        for record in records:
            yield record
            yield from walk(record["children"])

    by_name = {r["name"]: r for r in walk(data["imports"])}
    assert by_name["textkit.stats"]["source"] == "zip"
    assert by_name["textkit.stats"]["origin"] == f"{store}/textkit/stats.py"
    assert by_name["plugins"]["source"] == "namespace"
    assert by_name["statistics"]["source"] == "folder"
    assert by_name["textkit.stats"]["importer"] == "textkit"
    record = by_name["textkit.stats"]
    assert record["cumulative_ns"] >= sum(c["cumulative_ns"] for c in record["children"])


def test_run_a_script_inside_a_store(tmp_path):
    store = tmp_path / "demo.sqlite"
    assert main(["pack", str(DEMO), "-o", str(store)]) == 0
    proc = run_python(
        "import sys; from importworks.cli import main; sys.exit(main(sys.argv[1:]))",
        "run",
        str(store),
        "app.py",
        "one",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == ["words", "1"]


def test_exit_status_of_the_program_is_returned(tmp_path):
    script = tmp_path / "exits.py"
    script.write_text("import sys\nsys.exit(3)\n")
    proc = run_python("import sys; from importworks.cli import main; sys.exit(main(sys.argv[1:]))", "run", str(script))
    assert proc.returncode == 3


def test_importtime_format_matches_cpython_layout(tmp_path):
    proc = run_python(
        "import sys; from importworks.cli import main; sys.exit(main(sys.argv[1:]))",
        "trace",
        "--format",
        "importtime",
        str(DEMO / "app.py"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == "import time: self [us] | cumulative | imported package"
    assert any(line.endswith(" | textkit") for line in lines)  # top level: no indent
    assert any(line.endswith(" |   textkit.stats") for line in lines)  # two spaces a level
