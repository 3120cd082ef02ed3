"""Python 3.15+: a program's lazy imports behave the same with and without importworks.activate().

One program, written three ways (the ``lazy`` keyword, ``__lazy_modules__``,
plain imports under ``-X lazy_imports=all``), prints at each step what is in
sys.modules, what its globals hold, what sys.lazy_modules lists and which
module bodies ran, then the errors of lazy imports that fail (type, message,
cause, the import's location, the traceback).  Its output must be the same in a plain interpreter and with the
engine active, where every reification runs through importworks' finders.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SRC, build

pytestmark = pytest.mark.skipif(not hasattr(sys, "set_lazy_imports"), reason="needs Python 3.15+ (PEP 810)")

LIBRARY = {
    "log.py": "events = []\n",
    "heavy.py": "import log\nlog.events.append('heavy')\nX = 42\n",
    "broken.py": "import log\nlog.events.append('broken')\nraise ValueError('broken on purpose')\n",
    "pkg": {
        "__init__.py": "import log\nlog.events.append('pkg')\n",
        "sub.py": "import log\nlog.events.append('pkg.sub')\nY = 7\n",
        "second.py": "import log\nlog.events.append('pkg.second')\nZ = 8\n",
    },
    "mdl": {
        "__init__.py": "",
        "rc": {"__init__.py": "from .blk import blk\n", "blk.py": "def blk():\n    return 'function'\n"},
        "core.py": "from .rc import blk\n\ndef run():\n    return blk()\n",
    },
}

IMPORTS = [
    ("heavy", "import heavy"),
    ("pkg.sub", "import pkg.sub"),
    ("pkg", "from pkg import second"),
    ("missing_module", "import missing_module"),
    ("broken", "import broken"),
    ("mdl.core", "import mdl.core"),
]

BODY = """
TOPS = {'heavy', 'pkg', 'broken', 'missing_module', 'mdl'}
NAMES = {'heavy', 'pkg', 'second', 'missing_module', 'broken', 'mdl'}

def state(label):
    loaded = sorted(n for n in sys.modules if n.split('.')[0] in TOPS)
    held = {k: type(v).__name__ for k, v in sorted(globals().items()) if k in NAMES}
    pending = sorted(n for n in sys.lazy_modules if n.split('.')[0] in TOPS)
    print(label, loaded, held, pending, log.events)

state('start')
heavy.X
state('heavy')
pkg.sub.Y
state('pkg.sub')
second.Z
state('second')
print(mdl.core.run(), type(sys.modules['mdl.rc'].__dict__['blk']).__name__)
state('mdl')
for expression in ('missing_module', 'broken', 'missing_module'):
    try:
        eval(expression)
    except Exception as error:
        cause = error.__cause__
        print(expression, type(error).__name__, error, type(cause).__name__, cause)
        print('  where', [(f.name, f.lineno) for f in traceback.extract_tb(cause.__traceback__)])
        frames = traceback.extract_tb(error.__traceback__)
        print('  traceback', [(os.path.basename(f.filename), f.lineno) for f in frames])
state('end')
"""


def _program(form: str) -> str:
    head = "import os\nimport sys\nimport traceback\nimport log\n"
    if form == "keyword":
        return head + "".join(f"lazy {statement}\n" for _, statement in IMPORTS) + BODY
    if form == "__lazy_modules__":
        listed = [module for module, _ in IMPORTS]
        return head + f"__lazy_modules__ = {listed!r}\n" + "".join(f"{s}\n" for _, s in IMPORTS) + BODY
    return head + "".join(f"{statement}\n" for _, statement in IMPORTS) + BODY


def _run(tmp_path: Path, form: str, activated: bool) -> tuple[str, str]:
    build(tmp_path, {**LIBRARY, "app.py": _program(form)})
    code = "import importworks\nimportworks.activate()\n" if activated else ""
    code += "import app\napp.__name__\n"
    flags = ["-X", "lazy_imports=all"] if form == "-X lazy_imports=all" else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(tmp_path)]), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, *flags, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.stdout, result.stderr


@pytest.mark.parametrize("form", ["keyword", "__lazy_modules__", "-X lazy_imports=all"])
def test_lazy_imports_behave_the_same_with_and_without_activate(tmp_path, form):
    plain = _run(tmp_path / "plain", form, activated=False)
    engine = _run(tmp_path / "engine", form, activated=True)
    assert plain[1] == "" and "start [] {" in plain[0]  # the program ran and its imports were lazy
    assert engine == plain


def test_the_programs_reifications_ran_through_the_engine(tmp_path):
    build(tmp_path, {**LIBRARY, "app.py": _program("keyword")})
    code = (
        "import importworks, sys\nimportworks.activate()\nimport app\n"
        "print({n: type(sys.modules[n].__loader__).__module__.split('.')[0] for n in ('heavy', 'pkg.sub', 'mdl.rc')})\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(tmp_path)])}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert (
        result.stdout.splitlines()[-1] == "{'heavy': 'importworks', 'pkg.sub': 'importworks', 'mdl.rc': 'importworks'}"
    )
