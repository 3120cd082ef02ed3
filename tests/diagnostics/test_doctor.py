"""`doctor [PATH]`: shadowing, star-import collisions, cycles, sys.path and .pth trouble."""

from __future__ import annotations

import json
import sys

from importworks.diagnostics import doctor
from importworks.diagnostics.doctor import examine, find_cycles
from importworks.diagnostics.project import scan_project
from tests.conftest import build

PROJECT_CHECKS = ["sys-path", "pth"]  # the environment's checks, tested on their own below


def _messages(findings, check):
    return [f.message for f in findings if f.check == check]


def test_module_named_like_stdlib_is_reported(tmp_path):
    build(tmp_path, {"random.py": "", "email": {"__init__.py": ""}, "mine_iw.py": ""})
    messages = _messages(examine(str(tmp_path), skip=PROJECT_CHECKS), "shadowing")
    assert messages == [
        "'email' shadows the standard library module 'email' wherever this folder comes first on sys.path",
        "'random' shadows the standard library module 'random' wherever this folder comes first on sys.path",
    ]


def test_module_named_like_an_installed_one_is_reported(tmp_path):
    import pluggy

    build(tmp_path, {"src": {"pluggy": {"__init__.py": ""}}})
    (finding,) = [f for f in examine(str(tmp_path), skip=PROJECT_CHECKS) if f.check == "shadowing"]
    assert finding.message == f"'pluggy' shadows the installed module {pluggy.__spec__.origin}"
    assert finding.file == str(tmp_path / "src" / "pluggy")


def test_star_imports_colliding_with_each_other_with_own_names_and_builtins(tmp_path):
    build(tmp_path, {
        "shapes.py": "__all__ = ['area', 'Circle']\ndef area(): pass\nclass Circle: pass\n",
        "geometry.py": "def area(): pass\ndef _private(): pass\n",
        "app.py": "def area(): pass\nfrom shapes import *\nfrom geometry import *\nCircle = None\n",
        "ops.py": "from os import *\n",
    })
    findings = [f for f in examine(str(tmp_path), skip=PROJECT_CHECKS) if f.check == "star-imports"]
    app = [f.message for f in findings if f.file == str(tmp_path / "app.py")]
    assert app == [
        "'from shapes import *' (line 2) overwrites 'area' defined at line 1",
        "'Circle' defined at line 4 overwrites the one from 'from shapes import *' (line 2)",
        "'area' comes from both 'from shapes import *' (line 2) and 'from geometry import *' (line 3); "
        "the later one wins",
        "'from geometry import *' (line 3) overwrites 'area' defined at line 1",
    ]
    ops = [f.message for f in findings if f.file == str(tmp_path / "ops.py")]
    assert "'from os import *' (line 1) replaces the builtin 'open'" in ops


def test_import_cycle_is_printed_with_file_and_line(tmp_path):
    build(tmp_path, {"pkg": {"__init__.py": "", "a.py": "from . import b\n",
                             "b.py": "import os\n\nfrom pkg.c import thing\n",
                             "c.py": "from .a import x\nthing = 1\n",
                             "lazy.py": "def f():\n    import pkg.lazy2\n",
                             "lazy2.py": "import pkg.lazy\n"}})
    (message,) = _messages(examine(str(tmp_path), skip=PROJECT_CHECKS), "cycles")
    assert message == ("import cycle pkg.a -> pkg.b -> pkg.c -> pkg.a (pkg/a.py:1 imports pkg.b; "
                       "pkg/b.py:3 imports pkg.c; pkg/c.py:1 imports pkg.a)")
    assert find_cycles(scan_project(str(tmp_path))) == [[("pkg.a", 1), ("pkg.b", 3), ("pkg.c", 1)]]


def test_type_checking_imports_do_not_make_cycles(tmp_path):
    build(tmp_path, {"one.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import two\n",
                     "two.py": "import one\n"})
    assert _messages(examine(str(tmp_path), skip=PROJECT_CHECKS), "cycles") == []


def test_missing_and_repeated_sys_path_entries(tmp_path):
    sys.path.append(str(tmp_path / "gone"))
    sys.path.append(str(tmp_path))
    sys.path.append(str(tmp_path) + "/")
    messages = _messages(doctor._check_sys_path(), "sys-path")
    index = len(sys.path) - 3
    assert any(m.startswith(f"sys.path[{index}] {tmp_path / 'gone'} does not exist") for m in messages)
    assert f"sys.path[{index + 2}] {tmp_path}/ repeats sys.path[{index + 1}]: the second one is never " \
           "searched first" in messages


def test_pth_files_that_run_code_or_add_missing_folders(tmp_path):
    build(tmp_path, {"ok.pth": f"{tmp_path}\n", "hook.pth": "import sys; sys.flags\n",
                     "stale.pth": "# old\nno_such_folder_iw\n"})
    findings = doctor._check_pth([str(tmp_path)])
    assert [(f.file, f.line, f.message) for f in findings] == [
        (str(tmp_path / "hook.pth"), 1, "runs code at every interpreter start: import sys; sys.flags"),
        (str(tmp_path / "stale.pth"), 2, f"adds {tmp_path / 'no_such_folder_iw'}, which does not exist"),
    ]


def test_cli_exit_code_and_output(cli, tmp_path):
    build(tmp_path, {"clean": {"app.py": "import helper\n", "helper.py": "X = 1\n"},
                     "dirty": {"a.py": "import b\n", "b.py": "import a\n"}})
    skip = [arg for check in PROJECT_CHECKS for arg in ("--skip", check)]
    code, out, _ = cli("doctor", str(tmp_path / "clean"), *skip)
    assert (code, out) == (0, f"doctor {tmp_path / 'clean'}: nothing found\n")
    code, out, _ = cli("doctor", str(tmp_path / "dirty"), *skip)
    assert code == 1
    assert out.splitlines()[0] == "cycles        a.py:1: import cycle a -> b -> a (a.py:1 imports b; b.py:1 imports a)"
    code, out, _ = cli("doctor", str(tmp_path / "dirty"), "--json", *skip)
    assert json.loads(out)[0]["check"] == "cycles"
