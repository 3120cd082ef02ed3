"""`trace` accounts for every module of the run, as `python -X importtime` lists them."""

from __future__ import annotations

import os
import subprocess
import sys

from importworks.diagnostics.accounting import (
    StartupImport,
    parse_importtime,
    startup_imports,
)
from tests.conftest import SRC, build

PROGRAM = "import json, textwrap\nfrom dataclasses import dataclass\nprint(json.dumps([1]))\n"


def _names(text: str) -> set[str]:
    return {
        line.split("|")[2].strip()
        for line in text.splitlines()
        if line.startswith("import time:") and line.count("|") == 2 and "imported package" not in line
    }


def test_parse_importtime_reads_names_times_and_depth():
    text = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       301 |        301 |   _io\n"
        "import time: cached    | cached     | json\n"
        "import time:       850 |       1616 | _frozen_importlib_external\n"
    )
    assert parse_importtime(text) == [
        StartupImport("_io", 301, 301, 1),
        StartupImport("_frozen_importlib_external", 850, 1616, 0),
    ]


def test_startup_imports_of_a_fresh_interpreter():
    listed, unlisted = startup_imports(module_run=True)
    names = {s.name for s in listed}
    assert {"site", "encodings", "runpy"} <= names
    assert "sys" in unlisted and "builtins" in unlisted  # there before the timing starts


def test_trace_counts_the_modules_python_importtime_counts(tmp_path):
    """Before: json, dataclasses, inspect... (imported by importworks itself) and start-up were missing."""
    build(tmp_path, {"prog.py": PROGRAM})
    env = dict(os.environ, PYTHONPATH=str(SRC))
    plain = subprocess.run(
        [sys.executable, "-X", "importtime", "prog.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    traced = subprocess.run(
        [sys.executable, "-m", "importworks", "trace", "--format", "importtime", "-o", "t.txt", "prog.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert traced.returncode == 0, traced.stderr
    ours, theirs = _names((tmp_path / "t.txt").read_text()), _names(plain.stderr)
    # those python imports for this program (3.15's dataclasses no longer imports inspect)
    assert {"json", "json.decoder", "json.scanner", "textwrap", "dataclasses", "inspect", "site"} & theirs <= ours
    assert {"json", "textwrap", "dataclasses", "site"} <= theirs
    assert len(theirs - ours) <= 8, sorted(theirs - ours)  # a few reached only through other modules' code
    assert len(ours - theirs) <= 3, sorted(ours - theirs)  # e.g. importlib._bootstrap: an alias, never imported
    tree = subprocess.run(
        [sys.executable, "-m", "importworks", "trace", "prog.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "modules in all, as python -X importtime counts them: also " in tree.stderr.splitlines()[-1]
    assert " json  [before tracing] " in tree.stderr


def test_importtime_2_format_has_cached_lines_like_python_3_14(tree, engine):
    """3.14's -X importtime=2: 'cached' for a statement whose module is already imported, name right-aligned."""
    from importworks.diagnostics.trace import trace_imports
    from importworks.diagnostics.trace_formats import format_importtime

    tree({"cachedpkg_iw": {"__init__.py": "import os\nfrom . import fresh\nimport sys\n", "fresh.py": "import os\n"}})
    with trace_imports() as tracer:
        import cachedpkg_iw  # noqa: F401
    lines = format_importtime(tracer, cached=True).splitlines()
    assert lines[1] == "import time: cached    | cached     | os"  # level 1: width 2
    assert lines[2] == "import time: cached    | cached     |   os"  # level 2: width 4, inside fresh
    assert lines[3].endswith(" |   cachedpkg_iw.fresh") and lines[4] == "import time: cached    | cached     | sys"
    assert lines[5].endswith(" | cachedpkg_iw")
    assert "| cached " not in format_importtime(tracer)
