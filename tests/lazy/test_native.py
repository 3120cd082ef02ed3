"""Python 3.15+ (native PEP 810): the interpreter's lazy objects, reified through the engine.

importworks' own imports are never lazy; activate(lazy=...) sets the
interpreter's mode and filter and puts them back; the C import's bookkeeping
after a load is done by the engine too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SRC, build

pytestmark = pytest.mark.skipif(not hasattr(sys, "set_lazy_imports"), reason="needs Python 3.15+ (PEP 810)")


def _run(code: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, *flags, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_activate_under_lazy_imports_all_imports_through_the_engine():
    """-X lazy_imports=all: activate() works, and a lazy import reifies through the engine."""
    result = _run(
        "import importworks\nfrom importworks.engine import observers\n"
        "from importworks.engine.hooks import ObserverBase\n"
        "seen = []\nclass Seen(ObserverBase):\n    def end(self, name, module, exc):\n        seen.append(name)\n"
        "observers.add_observer(Seen())\n"
        "with importworks.activate():\n    import colorsys\n"
        "    print(type(globals()['colorsys']).__name__, seen)\n"
        "    colorsys.rgb_to_hsv\n    print(seen)\n",
        "-X",
        "lazy_imports=all",
    )
    assert (result.stdout, result.stderr) == ("lazy_import []\n['colorsys']\n", "")


def test_a_filter_set_before_importworks_is_kept():
    result = _run(
        "import sys\nsys.set_lazy_imports_filter(lambda importer, name, fromlist: name != 'colorsys')\n"
        "import importworks\nimportworks.activate\nf = sys.get_lazy_imports_filter()\n"
        "print(f('app', 'colorsys', None), f('app', 'json', None), f('importworks.engine.locks', 'weakref', None))\n",
        "-X",
        "lazy_imports=all",
    )
    assert (result.stdout, result.stderr) == ("False True False\n", "")


# ---------------------------------------------------------------- 3.15: the interpreter's lazy objects, our engine
def _run_in(tmp_path: Path, code: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(tmp_path)])}
    return subprocess.run(
        [sys.executable, *flags, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )


def test_engine_own_imports_stay_eager_under_lazy_imports_all_with_real_packages():
    """-X lazy_imports=all + activate(): the mode stays "all", no importworks global is lazy, real packages work."""
    result = _run(
        "import importworks; importworks.activate()\n"
        "import sys, types\n"
        "import jinja2, pygments, click, yaml\n"
        "from pygments import highlight\nfrom pygments.lexers import PythonLexer\n"
        "from pygments.formatters import NullFormatter\n"
        "print(sys.get_lazy_imports(), type(globals()['jinja2']).__name__)\n"
        "print(jinja2.Template('{{ x }}!').render(x=1), yaml.safe_load('a: [1, 2]'))\n"
        "print(highlight('x = 1', PythonLexer(), NullFormatter()).strip(), click.style('ok'))\n"
        "lazy_globals = [f'{m}.{k}' for m, module in list(sys.modules.items()) if m.startswith('importworks')\n"
        "                for k, v in vars(module).items() if type(v) is types.LazyImportType]\n"
        "loader = type(sys.modules['jinja2'].__loader__).__module__\n"
        "print(lazy_globals, loader.startswith('importworks'))\n",
        "-X",
        "lazy_imports=all",
    )
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:2] == ["all lazy_import", "1! {'a': [1, 2]}"] and lines[2].startswith("x = 1 ")
    assert lines[3] == "[] True"  # no lazy global in importworks; jinja2 was loaded by importworks' finders


MARKDOWN_LAYOUT = {
    "mdl": {
        "__init__.py": "",
        "rc": {"__init__.py": "from .blk import blk\n", "blk.py": "def blk():\n    return 'function'\n"},
        "core.py": "from .rc import blk\n\ndef run():\n    return blk()\n",
    }
}


@pytest.mark.parametrize("activated", [False, True], ids=["stock", "activate"])
def test_a_packages_lazy_from_import_of_its_own_submodule_keeps_the_function(tmp_path, activated):
    """markdown_it's layout (rich uses it): pkg/__init__ does `from .blk import blk`, read lazily as pkg.blk."""
    build(tmp_path, MARKDOWN_LAYOUT)
    code = "import importworks; importworks.activate()\n" if activated else ""
    code += "import sys, mdl.core\nprint(mdl.core.run(), type(sys.modules['mdl.rc'].__dict__['blk']).__name__)\n"
    result = _run_in(tmp_path, code, "-X", "lazy_imports=all")
    assert (result.stdout, result.stderr) == ("function function\n", "")


def test_rich_markdown_under_lazy_imports_all_with_activate():
    pytest.importorskip("markdown_it", reason="markdown-it-py is not installed in this venv (pip install rich)")
    result = _run(
        "import importworks; importworks.activate()\n"
        "from rich.console import Console\nfrom rich.markdown import Markdown\n"
        "Console(width=30, color_system=None).print(Markdown('# Hi\\n\\n*there*'))\n",
        "-X",
        "lazy_imports=all",
    )
    assert result.stderr == "" and "there" in result.stdout


def test_activate_with_a_mode_sets_the_interpreters_and_uninstall_restores_it():
    result = _run(
        "import sys, importworks\n"
        "before = (sys.get_lazy_imports(), sys.get_lazy_imports_filter())\n"
        "with importworks.activate(lazy='all'):\n"
        "    exec('import colorsys', ns := {'__name__': 'app'})\n"
        "    print(sys.get_lazy_imports(), type(ns['colorsys']).__name__, 'colorsys' in importworks.lazy_modules())\n"
        "print((sys.get_lazy_imports(), sys.get_lazy_imports_filter()) == before)\n"
        "with importworks.activate(lazy='none'):\n"
        "    exec('lazy import fractions', ns)\n"
        "    print(type(ns['fractions']).__name__, type(importworks.lazy_import('decimal')).__name__)\n"
        "print((sys.get_lazy_imports(), sys.get_lazy_imports_filter()) == before)\n"
    )
    assert (result.stdout, result.stderr) == ("all lazy_import True\nTrue\nmodule module\nTrue\n", "")


def test_set_lazy_filter_is_the_interpreters_filter_and_own_imports_stay_eager():
    result = _run(
        "import sys, importworks\n"
        "asked = []\n"
        "importworks.set_lazy_filter(lambda importer, name, fromlist: asked.append((importer, name, fromlist))"
        " or name != 'fractions')\n"
        "exec('lazy import fractions\\nlazy from decimal import Decimal', ns := {'__name__': 'app'})\n"
        "print(type(ns['fractions']).__name__, type(ns['Decimal']).__name__, asked)\n"
        "f = sys.get_lazy_imports_filter()\n"
        "print(f('importworks.engine.locks', 'weakref', None), f(None, 'json', None))\n"
    )
    assert (result.stdout, result.stderr) == (
        "module lazy_import [('app', 'fractions', None), ('app', 'decimal', ('Decimal',))]\nFalse True\n",
        "",
    )


def test_lazy_import_binds_the_interpreters_lazy_object_reified_through_the_engine():
    result = _run(
        "import sys, importworks\n"
        "with importworks.activate():\n"
        "    colorsys = importworks.lazy_import('colorsys')\n"
        "    print(type(globals()['colorsys']).__name__, 'colorsys' in sys.modules)\n"
        "    colorsys.rgb_to_hsv\n"
        "    print(type(globals()['colorsys']).__name__, type(colorsys.__loader__).__module__.split('.')[0])\n"
    )
    assert (result.stdout, result.stderr) == ("lazy_import False\nmodule importworks\n", "")


def test_a_lazy_submodule_the_interpreter_imports_itself_goes_through_the_engine(tmp_path):
    """A package with a module __getattr__: 3.15 imports its pending lazy submodule.

    (Through _find_and_load_lazy_submodule.)
    """
    build(tmp_path, {"wg": {"__init__.py": "def __getattr__(name):\n    raise AttributeError(name)\n", "sub.py": ""}})
    result = _run_in(
        tmp_path,
        "import importworks, importlib._bootstrap as stock\nfrom importworks.engine import observers\n"
        "from importworks.engine.hooks import ObserverBase\n"
        "seen = []\nclass Seen(ObserverBase):\n    def end(self, name, module, exc):\n        seen.append(name)\n"
        "observers.add_observer(Seen())\nbefore = stock._find_and_load_lazy_submodule\n"
        "with importworks.activate():\n    lazy import wg.sub\n    import wg\n    print(wg.sub.__name__, seen)\n"
        "print(stock._find_and_load_lazy_submodule is before)\n",
    )
    assert (result.stdout, result.stderr) == ("wg.sub ['wg', 'wg.sub']\nTrue\n", "")


def test_the_filter_found_in_place_is_asked_too_and_put_back_after():
    # a filter the program set itself (here after importworks was imported) keeps its say
    result = _run(
        "import sys, importworks\n"
        "mine = lambda importer, name, fromlist: name != 'colorsys'\n"
        "sys.set_lazy_imports_filter(mine)\n"
        "importworks.set_lazy_filter(lambda importer, name, fromlist: name != 'json')\n"
        "f = sys.get_lazy_imports_filter()\n"
        "print(f('app', 'colorsys', None), f('app', 'json', None), f('app', 'decimal', None))\n"
        "importworks.set_lazy_filter(None)\n"
        "print(sys.get_lazy_imports_filter() is mine)\n"
        "import importworks.lazy\nimportworks.lazy.enable('all')\n"
        "f = sys.get_lazy_imports_filter()\n"
        "print(f('app', 'colorsys', None), f('app', 'decimal', None), f('importworks.spec', 'sys', None))\n"
        "importworks.lazy.disable()\n"
        "print(sys.get_lazy_imports_filter() is mine)\n"
    )
    assert (result.stdout, result.stderr) == ("False False True\nTrue\nFalse True False\nTrue\n", "")


# pytest's layout: a finder first on sys.meta_path whose find_spec uses a module its own module imported lazily
FINDER_LAYOUT = {
    "rw": {
        "__init__.py": "",
        "hook.py": "import fnm\nclass Hook:\n    def find_spec(self, name, path, target=None):\n"
        "        fnm.match(name)\n        return None\n",
    },
    "fnm.py": "def match(name):\n    return False\n",
    "finder_app.py": "import sys\nfrom rw.hook import Hook\nsys.meta_path.insert(0, Hook())\nimport colorsys\n"
    "print(colorsys.__name__)\n",
}


def test_activate_lazy_all_applies_our_rules_where_the_interpreters_mode_alone_fails(tmp_path):
    """activate(lazy="all") is -X lazy_imports=all plus importworks' rules; the flag under activate() is the flag."""
    build(tmp_path, FINDER_LAYOUT)
    run = "import runpy\nrunpy.run_module('finder_app')\n"  # a plain `import finder_app` here would be lazy
    ours = _run_in(tmp_path, "import importworks\nimportworks.activate(lazy='all')\n" + run)
    assert (ours.stdout, ours.stderr) == ("colorsys\n", "")
    plain = _run_in(tmp_path, run, "-X", "lazy_imports=all")
    flag = _run_in(tmp_path, "import importworks\nimportworks.activate()\n" + run, "-X", "lazy_imports=all")
    for result in (plain, flag):
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines()[-1].startswith("ImportCycleError: cannot import name 'fnm'"), result.stderr


def test_uninstall_takes_the_rules_away_with_the_mode(tmp_path):
    build(tmp_path, FINDER_LAYOUT)
    result = _run_in(
        tmp_path,
        "import sys, importworks\nfrom importworks.engine import observers\n"
        "before = (sys.get_lazy_imports_filter(), observers.lazy_hooks(), len(observers._observers))\n"
        "from importworks.lazy.report import record_lazy_imports\n"
        "with importworks.activate(lazy='all'):\n"
        "    print(observers.lazy_hooks()[0], len(observers._observers) - before[2])\n"
        "    with record_lazy_imports():\n"
        "        print(observers.lazy_hooks()[0].__name__)\n"
        "    print(observers.lazy_hooks()[0])\n"
        "print((sys.get_lazy_imports_filter(), observers.lazy_hooks(), len(observers._observers)) == before)\n",
    )
    # the engine hook only while a report records (it costs every import a call)
    assert (result.stdout, result.stderr) == ("None 1\nbefore_import\nNone\nTrue\n", "")


def test_record_lazy_imports_sees_the_interpreters_lazy_objects(tmp_path):
    """What `importworks trace --lazy` shows on 3.15: made where, first used where (or never), kept eager why."""
    build(
        tmp_path,
        {
            "heavy.py": "X = 1\n",
            "other.py": "",
            "reg": {"__init__.py": "", "events.py": "FILLED = True\n"},
            "app.py": "from heavy import X\nimport other\nfrom reg import events\nfrom os import sep\nS = sep\n",
        },
    )
    result = _run_in(
        tmp_path,
        "import importworks, json\nfrom importworks.lazy.report import record_lazy_imports\n"
        "with importworks.activate(lazy='all'), record_lazy_imports() as report:\n"
        "    import reg\n    reg.__name__\n    import app\n    app.X + 1\n"
        "print(json.dumps(report.as_dict()))\n",
    )
    assert result.stderr == ""
    found = json.loads(result.stdout)
    app = str(tmp_path / "app.py")
    rows = {row["what"]: (row["written_at"], row["used_at"], row["reified"]) for row in found["lazy"]}
    assert rows["heavy.X"] == (f"{app}:1", "<string>:7", True)  # read as app's attribute, from the -c code
    assert rows["other"] == (f"{app}:2", None, False)
    assert rows["os.sep"] == (f"{app}:4", None, True)  # reified where no import was made: no place to give
    assert "reg.events" not in rows
    assert [(row["what"], row["written_at"]) for row in found["eager"]] == [("reg.events", f"{app}:3")]
    assert found["eager"][0]["rule"].startswith("binds a module the importer never uses")


REGISTRY_LAYOUT = {
    "regpkg": {
        "__init__.py": "REG = []\nfrom . import events\n",  # a side-effect import: never named again
        "events.py": "import regpkg\nregpkg.REG.append('events')\n",
    },
}


def test_the_rules_hold_behind_a_filter_of_the_users_that_chains_to_ours(tmp_path):
    build(tmp_path, REGISTRY_LAYOUT)
    result = _run_in(
        tmp_path,
        "import sys, importworks\nimportworks.activate(lazy='all')\n"
        "ours = sys.get_lazy_imports_filter()\n"
        "sys.set_lazy_imports_filter(lambda importer, name, fromlist: ours(importer, name, fromlist))\n"
        "import regpkg\nprint(regpkg.REG)\n",
    )
    assert (result.stdout, result.stderr) == ("['events']\n", "")


def test_uninstall_takes_the_rules_away_after_a_sys_modules_restore(tmp_path):
    result = _run_in(
        tmp_path,
        "import sys, importworks\nfrom importworks.engine import observers\n"
        "saved = dict(sys.modules)\nhandle = importworks.activate(lazy='all')\n"
        "sys.modules.clear()\nsys.modules.update(saved)\nhandle.uninstall()\n"
        "print(sys.get_lazy_imports(), observers.lazy_hooks(), observers._observers)\n",
    )
    assert (result.stdout, result.stderr) == ("normal (None, None) []\n", "")


def test_turning_the_rules_off_lets_go_of_the_namespaces_they_noted(tmp_path):
    build(tmp_path, {"held.py": "import colorsys\nclass Big:\n    pass\nbig = Big()\n"})
    result = _run_in(
        tmp_path,
        "import gc, sys, weakref, importworks\n"
        "with importworks.activate(lazy='all'):\n"
        "    import held\n    held.big\n    ref = weakref.ref(held.big)\n"
        "    del sys.modules['held'], held\n"
        "gc.collect()\nprint(ref() is None)\n",
    )
    assert (result.stdout, result.stderr) == ("True\n", "")


def test_an_import_made_by_a_call_is_not_taken_for_a_reification(tmp_path):
    build(tmp_path, {"other.py": "V = 1\n", "app2.py": "import other\n"})
    result = _run_in(
        tmp_path,
        "import json, pickle, importworks\nfrom importworks.lazy.report import record_lazy_imports\n"
        "with importworks.activate(lazy='all'), record_lazy_imports() as report:\n"
        "    import app2\n    app2.__name__\n    pickle.loads(b'cother\\nV\\n.')\n    __import__('other', globals())\n"
        "print([(row['what'], row['used_at']) for row in report.as_dict()['lazy'] if row['what'] == 'other'])\n",
    )
    assert (result.stdout, result.stderr) == ("[('other', None)]\n", "")
