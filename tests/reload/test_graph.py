"""Dependents reload after what they import, each exactly once.

Each reload runs a module's body twice, a trial in a scratch namespace and then
in the module itself (see execute.py), so a body that appends to another
module's list appends twice per reload.
"""

from __future__ import annotations

import sys

import pytest

from importworks.engine import observers
from importworks.reload import ReloadError, reload
from importworks.reload.graph import ImportObserver

DIAMOND = {
    "log.py": "RUNS = []\n",
    "base.py": "import log\nlog.RUNS.append('base')\nVALUE = 1\n",
    "left.py": "import log\nfrom base import VALUE\nlog.RUNS.append('left')\n",
    "right.py": "import log\nimport base\nlog.RUNS.append('right')\nSEEN = base.VALUE\n",
    "top.py": "import log\nimport left, right\nlog.RUNS.append('top')\n",
}


def test_dependents_reload_in_dependency_order_each_once(tree, edit, engine):
    tree(DIAMOND)
    import log
    import top

    log.RUNS.clear()
    edit("base.py", "import log\nlog.RUNS.append('base')\nVALUE = 2\n")
    reload(sys.modules["base"])
    assert log.RUNS == ["base", "base", "left", "left", "right", "right", "top", "top"]  # trial, then real
    assert sys.modules["left"].VALUE == 2 and sys.modules["right"].SEEN == 2
    assert top.left is sys.modules["left"]


def test_dependents_false_reloads_only_the_module(tree, edit, reloader):
    tree(DIAMOND)
    import log
    import top  # noqa: F401

    log.RUNS.clear()
    edit("base.py", "import log\nlog.RUNS.append('base')\nVALUE = 3\n")
    report = reloader.reload(["base"], dependents=False)
    assert log.RUNS == ["base", "base"] and report.names() == ["base"]
    assert sys.modules["left"].VALUE == 3  # its from-import binding was updated all the same


def test_import_cycles_reload_each_module_once(tree, edit, reloader):
    tree(
        {
            "log.py": "RUNS = []\n",
            "ping.py": "import log\nimport pong\nlog.RUNS.append('ping')\n",
            "pong.py": "import log\nimport ping\nlog.RUNS.append('pong')\n",
        }
    )
    import log
    import ping  # noqa: F401

    log.RUNS.clear()
    edit("pong.py", "import log\nimport ping\nlog.RUNS.append('pong2')\n")
    report = reloader.reload(["pong"])
    assert sorted(report.names()) == ["ping", "pong"] and sorted(log.RUNS) == ["ping", "ping", "pong2", "pong2"]


def test_relative_imports_in_packages(tree, edit, reloader):
    tree(
        {
            "pkg": {
                "__init__.py": "",
                "util.py": "def helper():\n    return 1\n",
                "api.py": "from .util import helper\nRESULT = helper()\n",
            }
        }
    )
    import pkg.api

    edit("pkg/util.py", "def helper():\n    return 2\n")
    report = reloader.reload(["pkg.util"])
    assert report.names() == ["pkg.util", "pkg.api"] and pkg.api.RESULT == 2


def test_imports_inside_functions_do_not_make_dependents(tree, edit, reloader):
    tree({"leaf.py": "X = 1\n", "lazy.py": "def get():\n    import leaf\n    return leaf.X\n"})
    import leaf  # noqa: F401

    import lazy

    edit("leaf.py", "X = 2\n")
    assert reloader.reload(["leaf"]).names() == ["leaf"] and lazy.get() == 2


def test_imports_made_by_code_are_seen_by_the_engine_observer(tree, edit, reloader, engine):
    tree({"plug.py": "NAME = 'v1'\n", "host.py": "import importlib\nNAME = importlib.import_module('plug').NAME\n"})
    observer = ImportObserver(reloader.graph)
    observers.add_observer(observer)
    try:
        import host
    finally:
        observers.remove_observer(observer)
    edit("plug.py", "NAME = 'v2'\n")
    assert reloader.reload(["plug"]).names() == ["plug", "host"] and host.NAME == "v2"


def test_a_failing_dependent_is_reported_and_its_dependents_skipped(tree, edit, reloader):
    tree({"core.py": "V = 1\n", "mid.py": "from core import V\n", "outer.py": "import mid\n"})
    import outer  # noqa: F401

    edit("mid.py", "from core import V\nif V == 2:\n    raise ValueError('mid cannot take 2')\n")
    edit("core.py", "V = 2\n")
    report = reloader.reload(["core"])
    assert [m.name for m in report.modules] == ["core", "mid"]
    assert sys.modules["core"].V == 2 and not report.ok
    [error] = report.errors
    assert isinstance(error, ReloadError) and "ValueError: mid cannot take 2" in str(error)
    assert error.lineno == 3 and "failed:" in report.summary()


def test_reload_raises_with_the_report_attached(tree, edit):
    tree({"solo.py": "X = 1\n"})
    import solo

    edit("solo.py", "X = 1 +\n")
    with pytest.raises(ReloadError) as info:
        reload(solo)
    assert info.value.report.names() == ["solo"] and solo.X == 1
