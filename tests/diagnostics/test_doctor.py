"""`doctor [PATH]`: shadowing, star-import collisions, cycles, sys.path and .pth trouble."""

from __future__ import annotations

import json
import os
import sys
import sysconfig

import pytest

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
    assert finding.message == (
        f"'pluggy' shadows the installed module {pluggy.__spec__.origin} wherever this folder comes first on sys.path"
    )
    assert finding.severity == doctor.ERROR
    assert finding.file == str(tmp_path / "src" / "pluggy")


def test_star_imports_colliding_with_each_other_with_own_names_and_builtins(tmp_path):
    build(
        tmp_path,
        {
            "shapes.py": "__all__ = ['area', 'Circle']\ndef area(): pass\nclass Circle: pass\n",
            "geometry.py": "def area(): pass\ndef _private(): pass\n",
            "app.py": "from json import dumps as area\nfrom shapes import *\nfrom geometry import *\n"
            "from json import loads as Circle\ndef Circle(): pass\nprint(area, Circle)\n",
            "ops.py": "from os import *\nopen\n",
        },
    )
    findings = [f for f in examine(str(tmp_path), skip=PROJECT_CHECKS) if f.check == "star-imports"]
    app = [f.message for f in findings if f.file == str(tmp_path / "app.py")]
    assert sorted(app) == sorted(
        [
            "'from shapes import *' (line 2) overwrites 'area' imported at line 1",
            "'Circle' imported at line 4 overwrites the one from 'from shapes import *' (line 2)",
            "'area' comes from both 'from shapes import *' (line 2) and 'from geometry import *' (line 3); "
            "the later one wins",
            "'from geometry import *' (line 3) overwrites 'area' imported at line 1",
        ]
    )  # the definition of Circle at line 5 is the module's own choice: not a collision
    ops = [f.message for f in findings if f.file == str(tmp_path / "ops.py")]
    assert "'from os import *' (line 1) replaces the builtin 'open'" in ops


def test_import_cycle_is_printed_with_file_and_line(tmp_path):
    build(
        tmp_path,
        {
            "pkg": {
                "__init__.py": "",
                "a.py": "from . import b\n",
                "b.py": "import os\n\nfrom pkg.c import thing\n",
                "c.py": "from .a import x\nthing = 1\n",
                "lazy.py": "def f():\n    import pkg.lazy2\n",
                "lazy2.py": "import pkg.lazy\n",
            }
        },
    )
    (message,) = _messages(examine(str(tmp_path), skip=PROJECT_CHECKS), "cycles")
    assert message == (
        "import cycle pkg.a -> pkg.b -> pkg.c -> pkg.a (pkg/a.py:1 imports pkg.b; "
        "pkg/b.py:3 imports pkg.c; pkg/c.py:1 imports pkg.a): fails when pkg.a is imported "
        "first: pkg/c.py:1 takes 'x' from pkg.a while it is partially initialised (it has only "
        "run up to line 1)"
    )
    assert find_cycles(scan_project(str(tmp_path))) == [[("pkg.a", 1), ("pkg.b", 3), ("pkg.c", 1)]]


def test_type_checking_imports_do_not_make_cycles(tmp_path):
    build(
        tmp_path,
        {"one.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import two\n", "two.py": "import one\n"},
    )
    assert _messages(examine(str(tmp_path), skip=PROJECT_CHECKS), "cycles") == []


def test_missing_and_repeated_sys_path_entries(tmp_path):
    sys.path.append(str(tmp_path / "gone"))
    sys.path.append(str(tmp_path))
    sys.path.append(str(tmp_path) + "/")
    messages = _messages(doctor._check_sys_path(), "sys-path")
    index = len(sys.path) - 3
    assert any(m.startswith(f"sys.path[{index}] {tmp_path / 'gone'} does not exist") for m in messages)
    assert (
        f"sys.path[{index + 2}] {tmp_path}/ repeats sys.path[{index + 1}]: the second one is never "
        "searched first" in messages
    )


def test_pth_files_that_run_code_or_add_missing_folders(tmp_path):
    build(
        tmp_path,
        {"ok.pth": f"{tmp_path}\n", "hook.pth": "import sys; sys.flags\n", "stale.pth": "# old\nno_such_folder_iw\n"},
    )
    findings = doctor._check_pth([str(tmp_path)])
    assert [(f.file, f.line, f.message) for f in findings] == [
        (str(tmp_path / "hook.pth"), 1, "runs code at every interpreter start: import sys; sys.flags"),
        (str(tmp_path / "stale.pth"), 2, f"adds {tmp_path / 'no_such_folder_iw'}, which does not exist"),
    ]


def test_start_files_as_the_running_python_reads_them(tmp_path):
    """PEP 829: a NAME.start beside NAME.pth switches the .pth's import lines off (3.15+)."""
    build(
        tmp_path,
        {
            "tool.pth": "import tool_hook\n",
            "tool.start": "# entry points\ntool.boot:start\n",
            "bad.start": "not an entry point\n",
            ".hidden.start": "x.y:z\n",
        },
    )
    found = {(os.path.basename(f.file), f.line): (f.severity, f.message) for f in doctor._check_pth([str(tmp_path)])}
    if sys.version_info >= (3, 15):
        assert found == {
            ("tool.pth", 1): (doctor.NOTE, "import line not run: tool.start replaces it (PEP 829)"),
            ("tool.start", 2): (doctor.NOTE, "runs tool.boot:start at every interpreter start (.start file)"),
            ("bad.start", 1): (
                doctor.WARNING,
                "'not an entry point' is not a pkg.mod:callable entry point: python skips it",
            ),
        }
    else:
        version = ".".join(map(str, sys.version_info[:2]))
        assert found[("tool.pth", 1)] == (doctor.NOTE, "runs code at every interpreter start: import tool_hook")
        assert found[("tool.start", 2)] == (
            doctor.NOTE,
            f"entry point tool.boot:start is not run: Python {version} "
            "does not read .start files (3.15 and later do, PEP 829)",
        )
        assert set(found) == {("tool.pth", 1), ("tool.start", 2), ("bad.start", 1)}


def test_cli_exit_code_and_output(cli, tmp_path):
    build(
        tmp_path,
        {
            "clean": {"app.py": "import helper\n", "helper.py": "X = 1\n"},
            "dirty": {"a.py": "from b import B\nA = 1\n", "b.py": "from a import A\nB = 2\n"},
        },
    )
    skip = [arg for check in PROJECT_CHECKS for arg in ("--skip", check)]
    code, out, _ = cli("doctor", str(tmp_path / "clean"), *skip)
    assert (code, out) == (0, f"doctor {tmp_path / 'clean'}: nothing found\n")
    code, out, _ = cli("doctor", str(tmp_path / "dirty"), *skip)
    assert code == 1
    assert out.splitlines() == [
        "error    cycles        a.py:1: import cycle a -> b -> a (a.py:1 imports b; b.py:1 imports a): importing "
        "a fails: b.py:1 takes 'A' from a while it is partially initialised (it has only run up to line 1)",
        f"doctor {tmp_path / 'dirty'}: 1 error",
    ]
    code, out, _ = cli("doctor", str(tmp_path / "dirty"), "--json", *skip)
    assert json.loads(out)[0]["check"] == "cycles" and json.loads(out)[0]["severity"] == "error"


def test_namespace_folder_in_the_working_directory_does_not_shadow_an_installed_package(tmp_path, monkeypatch):
    """pluggy/ without __init__.py beside you: the installed regular package still wins (why shows it)."""
    build(tmp_path, {"pluggy": {"notes.py": ""}, "app.py": "import pluggy\n"})
    monkeypatch.chdir(tmp_path)
    sys.path.insert(0, str(tmp_path))
    assert _messages(examine(str(tmp_path), skip=PROJECT_CHECKS), "shadowing") == []


def test_shadowing_that_loses_on_sys_path_is_a_note_and_one_that_wins_an_error(tmp_path):
    build(tmp_path, {"late": {"colorsys.py": ""}, "early": {"pluggy.py": ""}})
    sys.path.append(str(tmp_path / "late"))
    sys.path.insert(0, str(tmp_path / "early"))
    (late,) = examine(str(tmp_path / "late"), skip=PROJECT_CHECKS)
    assert late.severity == doctor.NOTE and late.message.startswith("'colorsys' is never imported from here")
    (early,) = examine(str(tmp_path / "early"), skip=PROJECT_CHECKS)
    assert early.severity == doctor.ERROR and early.message.endswith(": sys.path[0] comes first")


def test_relative_import_of_a_c_extension_is_not_the_package_importing_itself(tmp_path):
    """multidict's `from . import _multidict`: the submodule is a .so file, not a second source of the package."""
    build(
        tmp_path,
        {
            "fastpkg": {
                "__init__.py": "from ._compat import USE_C\nfrom . import _speedups\n",
                "_compat.py": "from . import _speedups\nUSE_C = True\n",
                "_speedups.cpython-313-x86_64-linux-gnu.so": b"\x7fELF",
            }
        },
    )
    project = scan_project(str(tmp_path))
    assert find_cycles(project) == []
    assert {e.target for e in project.modules["fastpkg._compat"].imports} == {"fastpkg._speedups"}


def test_imports_under_main_guard_and_other_platforms_do_not_run_at_import_time(tmp_path):
    build(
        tmp_path,
        {
            "pager.py": "import console\nif __name__ == '__main__':\n    import demo\n",
            "console.py": "import pager\n",
            "demo.py": "import pager\n",
            "winonly.py": "import sys\nif sys.platform == 'win32' and True:\n    import console\n"
            "else:\n    import os\n",
        },
    )
    project = scan_project(str(tmp_path))
    assert [e.target for e in project.modules["pager"].imports] == ["console"]
    assert [e.target for e in project.modules["winonly"].imports] == ["sys", "os"]
    assert find_cycles(project) == [[("console", 1), ("pager", 1)]]


def test_star_imports_report_only_used_names_from_different_sources(tmp_path):
    build(
        tmp_path,
        {
            "pkg": {
                "__init__.py": "from .core import *\nfrom .helpers import *\nfrom .util import *\nprint(col, line)\n",
                "core.py": "from .util import *\nimport re\ndef line(): pass\n",
                "helpers.py": "from .core import *\nimport re\n",
                "util.py": "def col(): pass\ndef line(): pass\ndef unused(): pass\n",
            }
        },
    )
    findings = [(f.line, f.message) for f in examine(str(tmp_path), skip=PROJECT_CHECKS) if f.check == "star-imports"]
    # col is the same object whichever star import gives it; line differs (core defines its own); re is unused
    assert sorted(findings) == [
        (
            3,
            "'line' comes from both 'from pkg.core import *' (line 1) and 'from pkg.util import *' "
            "(line 3); the later one wins",
        ),
        (
            3,
            "'line' comes from both 'from pkg.helpers import *' (line 2) and 'from pkg.util import *' "
            "(line 3); the later one wins",
        ),
    ]


def test_findings_are_ranked_errors_then_warnings_then_notes(cli, tmp_path):
    build(
        tmp_path,
        {
            "app": {
                "pkg": {
                    "__init__.py": "from .models import Model\nBASE = 1\n",
                    "models.py": "from . import BASE\nModel = 2\n",
                },
                "ring_a.py": "import ring_b\n",
                "ring_b.py": "import ring_a\n",
                "stars.py": "from math import *\npow\n",
            }
        },
    )
    findings = examine(str(tmp_path / "app"), skip=PROJECT_CHECKS)
    assert [(f.severity, f.check) for f in findings] == [
        ("error", "cycles"),
        ("warning", "star-imports"),
        ("note", "cycles"),
    ]
    assert findings[0].message == (
        "import cycle pkg -> pkg.models -> pkg (pkg/__init__.py:1 imports pkg.models; pkg/models.py:1 imports pkg): "
        "importing pkg fails: pkg/models.py:1 takes 'BASE' from pkg while it is partially initialised (it has only "
        "run up to line 1)"
    )
    build(tmp_path, {"notes_only": {"ring_a.py": "import ring_b\n", "ring_b.py": "import ring_a\n"}})
    skip = [arg for check in PROJECT_CHECKS for arg in ("--skip", check)]
    code, out, _ = cli("doctor", str(tmp_path / "notes_only"), *skip)
    assert code == 0 and out.endswith(": 1 note\n")


def test_parse_cache_is_used_and_follows_edits(tmp_path, monkeypatch):
    parsecache = scan_project.__globals__["parsecache"]  # the very module scan_project calls

    monkeypatch.setenv(parsecache.CACHE_ENV, str(tmp_path / "cache"))
    build(tmp_path, {"proj": {"a.py": "import b\n", "b.py": "X = 1\n"}})
    assert find_cycles(scan_project(str(tmp_path / "proj"))) == []
    assert len(list((tmp_path / "cache").iterdir())) == 1
    calls = []
    monkeypatch.setattr(parsecache, "summarize_file", lambda p: calls.append(p) or parsecache.scan.summarize_file(p))
    scan_project(str(tmp_path / "proj"))
    assert calls == []  # nothing changed: nothing parsed
    b = tmp_path / "proj" / "b.py"
    b.write_text("import a\nX = 1\n")
    os.utime(b, ns=(b.stat().st_atime_ns, b.stat().st_mtime_ns + 10**9))
    assert find_cycles(scan_project(str(tmp_path / "proj"))) == [[("a", 1), ("b", 1)]]
    assert calls == [str(b)]


def test_parse_in_worker_processes_gives_the_same_project(tmp_path, monkeypatch):
    from importworks.diagnostics import parsecache

    monkeypatch.setenv(parsecache.CACHE_ENV, "off")
    monkeypatch.setattr(parsecache, "PARALLEL_FROM", 2)
    build(tmp_path, {f"m{i}.py": f"import m{(i + 1) % 40}\nX{i} = 1\n" for i in range(40)})
    alone = scan_project(str(tmp_path), workers=1)
    spread = scan_project(str(tmp_path), workers=2)
    assert {n: (m.imports, m.bindings) for n, m in alone.modules.items()} == {
        n: (m.imports, m.bindings) for n, m in spread.modules.items()
    }
    assert len(find_cycles(spread)) == 1


# what `pip install -e .[test]` puts in the test venv, by import name
TEST_VENV_PACKAGES = (
    "_pytest",
    "pytest",
    "pluggy",
    "iniconfig",
    "packaging",
    "jinja2",
    "markupsafe",
    "yaml",
    "click",
    "watchfiles",
    "anyio",
    "idna",
    "sniffio",
    "psycopg",
    "psycopg_binary",
    "setuptools",
    "pkg_resources",
    "_distutils_hack",
    "pip",
    "typing_extensions",
    "pygments",
)


def test_doctor_on_the_test_venvs_own_site_packages_reports_no_false_positive():
    """Real packages (pytest, jinja2, yaml, psycopg, setuptools, pip's vendored rich...): no error, no warning.

    Before: rich/pager.py's `if __name__ == "__main__":` import made a cycle, pyparsing's re-exports made
    hundreds of star-import collisions, `from . import <C extension>` made packages import themselves.
    """
    site = sysconfig.get_paths()["purelib"]
    findings = examine(site, skip=PROJECT_CHECKS)
    ours = [f for f in findings if f.file and os.path.relpath(f.file, site).split(os.sep)[0] in TEST_VENV_PACKAGES]
    assert [f"{f.severity} {f.check} {f.file}:{f.line}: {f.message}" for f in ours if f.severity != doctor.NOTE] == []
    assert not [f for f in ours if f.check == "cycles" and "rich/pager.py" in f.message]


@pytest.mark.parametrize(
    "test, truth",
    [
        ("sys.version_info[0] == 2", False),
        ("sys.version_info[:2] >= (3, 8)", True),
        ("sys.version_info < (3,)", False),
        ("__name__ == '__main__'", False),
        ("__name__ != '__main__'", True),
        ("__name__ == 'pkg.mod'", None),
        ("not TYPE_CHECKING", True),
        ("typing.TYPE_CHECKING", False),
        ("sys.platform == 'win32' or os.name == 'nt'", False),
        ("WIN and sys.platform.startswith('win')", False),
        ("WIN", None),
        ("WIN or sys.platform == 'linux'", True),
    ],
)
def test_if_tests_known_for_this_interpreter(test, truth):
    """Linux CI here: the tests doctor evaluates to keep only the branch an import runs."""
    import ast

    from importworks.diagnostics.scan import static_truth

    if sys.platform != "linux":
        pytest.skip("the platform tests are written for Linux")
    assert static_truth(ast.parse(test, mode="eval").body) is truth
