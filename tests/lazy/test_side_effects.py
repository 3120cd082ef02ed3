"""Side effects of eager imports that real programs rely on, kept under lazy="all" (issue 14, item 3)."""

from __future__ import annotations

import inspect
import sys

from importworks import lazy


def test_submodule_lazily_imported_elsewhere_is_reached_through_the_parent(logged, lazy_mode):
    """httpie: `import pygments.token` in one module, `import pygments; pygments.token` in another."""
    events = logged(
        {
            "pyg": {"__init__.py": "", "token.py": 'import log\nlog.events.append("pyg.token")\nT = 1\n'},
            "first.py": "import pyg.token\nREADY = True\n",
            "second.py": "import pyg\ndef use():\n    return pyg.token.T\n",
            "app.py": "import first\nimport second\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.first.READY and events == []
    assert app.second.use() == 1
    assert events == ["pyg.token"]


def test_pending_submodule_is_not_in_the_parents_namespace(logged, lazy_mode):
    """dir(), vars() and inspect see the package as before the submodule loaded, and import nothing."""
    events = logged(
        {
            "pyg": {"__init__.py": "A = 1\n", "token.py": 'import log\nlog.events.append("pyg.token")\n'},
            "app.py": "import pyg.token\n",
        }
    )
    lazy_mode("all")
    import app
    import pyg

    assert "token" not in vars(pyg) and "token" not in dir(pyg)
    inspect.getmembers(pyg)
    assert events == [] and "pyg.token" not in sys.modules
    assert hasattr(pyg, "token") and events == ["pyg.token"]
    assert app.pyg is pyg


def test_attribute_bound_by_an_earlier_import_side_effect(logged, lazy_mode):
    """httpie: `from pyg.fmts.term import X` imports pyg.formatter too; code then reads pyg.formatter."""
    logged(
        {
            "pyg": {
                "__init__.py": "",
                "formatter.py": "class Formatter:\n    pass\n",
                "fmts": {
                    "__init__.py": "",
                    "term.py": "from pyg.formatter import Formatter\nclass X(Formatter):\n    pass\n",
                },
            },
            "app.py": "import pyg\nfrom pyg.fmts.term import X\ndef base():\n    return pyg.formatter.Formatter\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.base().__name__ == "Formatter"


def test_a_missing_attribute_imports_the_pending_modules_only_up_to_the_one_that_binds_it(logged, lazy_mode):
    """httpie reads pygments.formatter: the pending modules after the one that binds it stay pending, until needed."""
    events = logged(
        {
            "pyg": {
                "__init__.py": "",
                "formatter.py": "class Formatter:\n    pass\n",
                "first.py": 'import log\nlog.events.append("first")\n',
                "term.py": (
                    'import log\nlog.events.append("term")\n'
                    "from pyg.formatter import Formatter\nclass X(Formatter):\n    pass\n"
                ),
                "later.py": 'import log\nlog.events.append("later")\nfrom pyg import token\n',
                "token.py": "T = 1\n",
            },
            "app.py": (
                "import pyg\nfrom pyg.first import a\nfrom pyg.term import X\nfrom pyg.later import b\n"
                "def base():\n    return pyg.formatter.Formatter\n"
                "def token():\n    return pyg.token.T\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert events == []
    assert app.base().__name__ == "Formatter"
    assert events == ["first", "term"]
    assert app.token() == 1  # the next missing attribute goes on where the first stopped
    assert events == ["first", "term", "later"]


def test_names_the_module_body_reads_are_bound_eagerly(logged, lazy_mode):
    """click: `from ._utils import UNSET` then `def f(x=UNSET)`; `x is UNSET` must hold for the real sentinel."""
    events = logged(
        {
            "sentinel.py": 'import log\nlog.events.append("sentinel")\nUNSET = object()\n',
            "app.py": "from sentinel import UNSET\nimport heavy\ndef f(x=UNSET):\n    return x is UNSET\n",
        }
    )
    lazy_mode("all")
    import app

    assert events == ["sentinel"]
    assert app.f() is True and app.f(sys.modules["sentinel"].UNSET) is True
    assert lazy.is_lazy(app.__dict__["heavy"])


def test_a_packages_lazy_imports_of_its_own_modules_resolve_in_statement_order(logged, lazy_mode):
    """pandas' tslibs: modules that only import in the order the package's __init__ lists them."""
    events = logged(
        {
            "ts": {
                "__init__.py": "from ts.base import B\nfrom ts.top import T\n",
                "base.py": 'import log\nlog.events.append("ts.base")\nB = 1\n',
                "top.py": 'import log\nlog.events.append("ts.top")\nimport sys\n'
                'assert "ts.base" in sys.modules, "imported out of order"\nT = 2\n',
            },
            "app.py": "from ts import T\nimport other\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.T + 0 == 2
    assert events == ["ts.base", "ts.top"]
    assert "other" not in sys.modules


def test_statement_order_stops_at_a_module_still_running(logged, lazy_mode):
    """click: core.py reads ``types`` while it runs; decorators (listed between them) needs core complete.

    Resolving ``types`` for core must not import decorators ahead: it would fail
    half-way (core has no ``Cmd`` yet), once for each of its statements, its body's
    side effects repeated each time.
    """
    events = logged(
        {
            "ck": {
                "__init__.py": "from ck.core import Cmd\nfrom ck.deco import command\n"
                "from ck.deco import option\nfrom ck.types import Path\n",
                "core.py": 'import log\nlog.events.append("ck.core")\nfrom ck import types\n'
                "class Cmd:\n    kind = types.Path\n",
                "deco.py": 'import log\nlog.events.append("ck.deco")\nfrom ck.core import Cmd\n'
                "def command():\n    return Cmd\noption = command\n",
                "types.py": 'import log\nlog.events.append("ck.types")\nPath = "path"\n',
            },
            "app.py": "from ck import Cmd\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.Cmd.kind == "path"
    assert events == ["ck.core", "ck.types"]
    import ck

    assert ck.command() is ck.option() is app.Cmd
    assert events == ["ck.core", "ck.types", "ck.deco"]


def test_mode_all_imports_constants_eagerly(logged, lazy_mode):
    """pip: `from m import A_PREFIX` then `text.startswith(A_PREFIX)`; C code would refuse a proxy."""
    events = logged(
        {
            "consts.py": 'import log\nlog.events.append("consts")\nA_PREFIX = "DEPRECATION: "\n',
            "app.py": "from consts import A_PREFIX\ndef check(text):\n    return text.startswith(A_PREFIX)\n",
        }
    )
    lazy_mode("all")
    import app

    assert events == ["consts"] and app.check("DEPRECATION: x")


def test_mode_all_imports_warning_classes_eagerly(logged, lazy_mode):
    """pydantic (under fastapi): warnings.warn(category=...) of a from-imported warning the program filters out."""
    logged(
        {
            "wcat.py": "class NoisyWarning(UserWarning):\n    pass\n",
            "emitter.py": "import warnings\nfrom wcat import NoisyWarning\n"
            "def emit():\n    warnings.warn('filtered out', category=NoisyWarning)\n",
        }
    )
    lazy_mode("all")
    import warnings

    import emitter
    from wcat import NoisyWarning  # in a function: the real class

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", category=NoisyWarning)
        emitter.emit()
    assert caught == []


def test_importing_pending_modules_ahead_keeps_the_packages_from_imported_names(logged, lazy_mode):
    """markdown_it's rules_block: a miss on the package imports its pending modules; `table` stays the function."""
    logged(
        {
            "rules": {
                "__init__.py": "from .table import table\nfrom .quote import quote\n",
                "table.py": "def table():\n    return 'table()'\n",
                "quote.py": "def quote():\n    return 'quote()'\n",
            },
            "app.py": "import rules\n",
        }
    )
    lazy_mode("all")
    import app

    assert not hasattr(app.rules, "missing")
    assert app.rules.table() == "table()" and app.rules.quote() == "quote()"


def test_a_new_meta_path_finder_gets_its_packages_lazy_imports_resolved_without_it(logged, lazy_mode):
    """pytest: the assertion rewriter's find_spec uses a lazily imported fnmatch; no endless recursion."""
    logged(
        {
            "hookpkg": {
                "__init__.py": "",
                "finder.py": "import helper\nclass Finder:\n    def find_spec(self, name, path, target=None):\n"
                "        helper.asked.append(name)\n        return None\n",
            },
            "helper.py": "asked = []\n",
            "app.py": (
                "import sys\nfrom hookpkg.finder import Finder\nsys.meta_path.insert(0, Finder())\nimport other\n"
            ),
        }
    )
    lazy_mode("all")
    import app

    assert lazy.is_lazy(app.__dict__["other"])
    assert app.other.VALUE == "other"
    assert sys.modules["helper"].asked == ["other"]


def test_from_package_import_submodule_imports_only_that_submodule(logged, lazy_mode):
    """aws: an eager ``from botocore import handlers`` imported every pending module under botocore first."""
    events = logged(
        {
            "bc": {
                "__init__.py": "",
                "one.py": 'import log\nlog.events.append("bc.one")\n',
                "handlers.py": 'import log\nlog.events.append("bc.handlers")\nH = 1\n',
            },
            "first.py": "import bc.one\nREADY = True\n",
            "app.py": "import first\nassert first.READY\nfrom bc import handlers\nVALUE = handlers.H\n",
        }
    )
    lazy_mode("all")
    import app

    assert app.VALUE == 1
    assert events == ["bc.handlers"]
