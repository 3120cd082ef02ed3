"""Python 3.15+: importworks' rules for mode "all", applied to the interpreter's own lazy objects.

``-X lazy_imports=all`` defers every eligible import, and some programs rely on
what an eager import did besides binding its name: pandas' C modules find a
capsule that ``import pandas._libs.pandas_datetime`` (never read) put on
``pandas``; pytest's assertion rewriter, first on ``sys.meta_path``, needs a
lazily imported ``fnmatch`` to answer for ``fnmatch`` itself.  Both fail under
plain ``python3.15 -X lazy_imports=all``.  When importworks turns mode "all" on
(``activate(lazy="all")``, ``lazy.enable("all")``), the rules that keep such
programs right under the proxies of 3.10-3.14 apply here too:

* at the statement, through the interpreter's filter (:func:`allow`): an import
  that is there for its side effect stays eager (``_site.imported_for_side_effect``);
* when an extension module imports a package's module, through the engine's lazy
  hook (:func:`before_import`, which never defers anything itself): the modules
  the package's ``__init__`` lazily imported before it are imported first;
* on the first import after a finder appeared on ``sys.meta_path``: the lazy
  bindings its code reaches are resolved without it (``_pending.check_finders``).

An explicit ``lazy import`` and a name the module lists in ``__lazy_modules__``
are the user's word: no rule makes them eager.  ``-X lazy_imports=all`` or
``sys.set_lazy_imports("all")`` under a plain ``activate()`` stays the
interpreter's, exactly.
"""

from __future__ import annotations

import sys
from importlib.machinery import EXTENSION_SUFFIXES
from opcode import opmap
from typing import Any

from .. import _lazy_native as _native
from ..engine import observers
from ..engine.hooks import ObserverBase
from . import _pending
from . import report as _report
from ._site import imported_for_side_effect

__all__ = ["active", "allow", "before_import", "sync", "turn"]

_IMPORT_NAME = opmap["IMPORT_NAME"]
_EXTENSIONS = tuple(EXTENSION_SUFFIXES)
_EXPLICIT_LAZY = 1  # IMPORT_NAME's oparg, low two bits: 1 ``lazy import``, 2 never lazy (try), 0 the mode's


def allow(importer: Any, name: str, fromlist: Any) -> bool:
    """The interpreter's filter asks this last: may this otherwise lazy import be lazy?"""
    frame = sys._getframe(2)  # the interpreter called _lazy_native's filter, which called this
    code = frame.f_code
    lasti = frame.f_lasti
    if lasti < 0 or code.co_code[lasti] != _IMPORT_NAME or frame.f_globals.get("__name__") != importer:
        return True  # not a statement we can read (lazy_import()'s scratch namespace, say)
    namespace = frame.f_globals
    if not code.co_code[lasti + 1] & _EXPLICIT_LAZY and not _listed(namespace, name):
        names = tuple(fromlist) if fromlist else None
        rule = None
        if names and "*" not in names and imported_for_side_effect(code, frame, namespace, name, names):
            rule = _report.RULE_SIDE_EFFECT
        if rule is not None:
            if _report.active:
                _report.kept_eager(name, rule, code.co_filename, frame.f_lineno)
            return False
    module = sys.modules.get(importer)
    if getattr(module, "__dict__", None) is namespace:  # a module's body, not an exec'd scratch namespace
        _pending.statement(namespace, name)  # for the statement order at reification
    return True


class _Observer(ObserverBase):
    """Settles new sys.meta_path finders before an import; notes a failed body's pending lazy imports."""

    def begin(self, name: str) -> None:
        _pending.check_finders()

    def end(self, name: str, module: Any, exc: BaseException | None) -> None:
        if exc is not None:
            _pending.note_failure(name, exc)


_observer = _Observer()


def _listed(namespace: dict[str, Any], name: str) -> bool:
    listed = namespace.get("__lazy_modules__")
    try:
        return listed is not None and name in listed
    except Exception:  # an odd container lists nothing we can read
        return False


def before_import(name: str, globals: Any, fromlist: Any, level: int) -> None:
    """The engine's lazy hook: an extension module importing a package's module gets the package's order.

    pandas' Cython modules import each other as they initialise, and only the
    order of ``pandas/_libs/tslibs/__init__`` works; C code cannot meet a
    failure halfway and retry.  So before an extension module imports a module
    that its package's ``__init__`` imported lazily, the ones listed before it
    are imported, as they had been eagerly.  (Python code gets PEP 810's order:
    the proxies' wider statement-order rule would import black's own modules
    ahead, 38 of them for ``black --version``.)  It never defers: None.
    """
    if type(globals) is not dict or not str(globals.get("__file__", "")).endswith(_EXTENSIONS):
        return None
    fullname = _pending.absolute_name(name, globals, level)
    if fullname is None or fullname in sys.modules:
        return None
    parent = sys.modules.get(fullname.rpartition(".")[0])
    order = _pending.statement_order(getattr(parent, "__dict__", None), fullname)
    if order is not None:
        _pending.import_earlier(order, fullname)
    return None


def active() -> bool:
    return _native.get_rules() is allow


def turn(on: bool) -> None:
    """Apply the rules (mode "all" set by importworks) or take them away."""
    _native.set_rules(allow if on else None)
    sync()


def sync() -> None:
    """Make the engine hook and the observer match whether the interpreter's filter asks :func:`allow`.

    (activate()'s uninstall puts the filter state back as it found it, then calls this.)
    """
    hook = observers.lazy_hooks()[0]
    if hook is not None and hook is not before_import:
        return  # the proxies are on (importworks trace --lazy): their own rules apply
    observers.remove_observer(_observer)
    if active():
        if hook is None:
            observers.set_lazy_hook(before_import)
        _pending.remember_finders()
        observers.add_observer(_observer)
    elif hook is before_import:
        observers.set_lazy_hook(None)
