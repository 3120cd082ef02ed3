"""Python 3.15+: importworks' rules for mode "all", applied to the interpreter's own lazy objects.

``-X lazy_imports=all`` defers every eligible import, and some programs rely on
what an eager import did besides binding its name: sqlalchemy.sql.naming's
``from . import events  # noqa`` fills a registry; pytest's assertion rewriter,
first on ``sys.meta_path``, needs a lazily imported ``fnmatch`` to answer for
``fnmatch`` itself (plain ``python3.15 -X lazy_imports=all`` fails there).
When importworks turns mode "all" on (``activate(lazy="all")``,
``lazy.enable("all")``), rules that keep such programs right under the proxies
of 3.10-3.14 apply here too:

* at the statement, through the interpreter's filter (:func:`allow`): an import
  that is there for its side effect stays eager (``_site.imported_for_side_effect``),
  and so does one inside ``with suppress(...)``, so that the ``with`` catches its
  ImportError (jsonschema's optional checkers).  An explicit ``lazy import`` and a
  name the module lists in ``__lazy_modules__`` are the user's word: left alone;
* on the first import after a finder appeared on ``sys.meta_path``: the lazy
  bindings its code reaches are resolved without it (``_pending.check_finders``),
  however they were made lazy: the finder cannot run otherwise;
* a submodule imported late is not bound on its package over a lazy object
  there, nor over what the package's body bound after its lazy import of it
  (``_pending.keeps_parent_binding``: pendulum, hatch).

``-X lazy_imports=all`` or ``sys.set_lazy_imports("all")`` under a plain
``activate()`` stays the interpreter's, exactly.
"""

from __future__ import annotations

import sys
from opcode import opmap
from typing import Any

from .. import _lazy_native as _native
from ..engine import observers
from ..engine.hooks import ObserverBase
from . import _pending
from . import report as _report
from ._site import bound_names, imported_for_side_effect, in_suppress_block

__all__ = ["active", "allow", "before_import", "sync", "turn"]

_IMPORT_NAME = opmap["IMPORT_NAME"]
_READS = frozenset(op for name, op in opmap.items() if name.startswith("LOAD_") or name == "IMPORT_FROM")
_FILTER_DEPTH = 8  # filters chained between the statement and allow(), at most
_EXPLICIT_LAZY = 1  # IMPORT_NAME's oparg, low two bits: 1 ``lazy import``, 2 never lazy (try), 0 the mode's


def allow(importer: Any, name: str, fromlist: Any) -> bool:
    """The interpreter's filter asks this last: may this otherwise lazy import be lazy?"""
    frame = _statement_frame(importer)
    if frame is None:
        return True  # not a statement we can read (lazy_import()'s scratch namespace, say)
    code = frame.f_code
    lasti = frame.f_lasti
    namespace: dict[str, Any] = frame.f_globals
    if not code.co_code[lasti + 1] & _EXPLICIT_LAZY and not _listed(namespace, name):
        names = tuple(fromlist) if fromlist else None
        rule = None
        if names and "*" not in names and imported_for_side_effect(code, frame, namespace, name, names):
            rule = _report.RULE_SIDE_EFFECT
        elif in_suppress_block(frame):
            rule = _report.RULE_SUPPRESS
        if rule is not None:
            if _report.active:
                _report.kept_eager(name, rule, code.co_filename, frame.f_lineno, names)
            return False
    module = sys.modules.get(importer)
    if getattr(module, "__dict__", None) is namespace:  # a module's body, not an exec'd scratch namespace
        _pending.statement(namespace, name)  # which namespaces hold lazy bindings (new finders, failures)
        if _report.active:
            _report.made_native(namespace, name, fromlist, bound_names(frame), code.co_filename, frame.f_lineno)
    return True


class _Observer(ObserverBase):
    """Settles new sys.meta_path finders before an import; notes a failed body's pending lazy imports."""

    def begin(self, name: str) -> None:
        _pending.check_finders()

    def end(self, name: str, module: Any, exc: BaseException | None) -> None:
        if exc is not None:
            _pending.note_failure(name, exc)


_observer = _Observer()


def _statement_frame(importer: Any) -> Any:
    """The frame running the import statement the interpreter asks its filter about, or None.

    Up from the caller of :func:`allow`: _lazy_native's filter, and any filter of
    the user's that chains to it, sit between the statement and this.
    """
    frame: Any = sys._getframe(2)
    for _ in range(_FILTER_DEPTH):
        if frame is None:
            return None
        lasti = frame.f_lasti
        if lasti >= 0 and frame.f_code.co_code[lasti] == _IMPORT_NAME and frame.f_globals.get("__name__") == importer:
            return frame
        frame = frame.f_back
    return None


def _listed(namespace: dict[str, Any], name: str) -> bool:
    listed = namespace.get("__lazy_modules__")
    try:
        return listed is not None and name in listed
    except Exception:  # an odd container lists nothing we can read
        return False


def before_import(name: str, globals: Any, fromlist: Any, level: int) -> None:
    """The engine's lazy hook while a report records: a call of __import__ from a read is a reification.

    The interpreter reifies a lazy import by calling the ``__import__`` its
    statement saw, the engine's.  This never defers anything: None.
    """
    if _report.active and type(globals) is dict:
        _note_reification(name, globals, fromlist, level)
    return None


def _note_reification(name: str, globals: dict[str, Any], fromlist: Any, level: int) -> None:
    """For record_lazy_imports(): a call of __import__ not made by an import statement is a reification."""
    caller = sys._getframe(3)  # this, before_import, the engine's __import__, then who called it
    # the interpreter reifies where a name is read; an import statement, a call (C code's
    # PyImport_Import, __import__() by hand) is another import of that module
    if caller.f_lasti < 0 or caller.f_code.co_code[caller.f_lasti] not in _READS:
        return
    fullname = _pending.absolute_name(name, globals, level)
    if fullname is not None:
        _report.reified_native(globals, fullname, fromlist)


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
        return  # a hook not ours is in place: leave it
    observers.remove_observer(_observer)
    if active():
        if _report.active and hook is None:
            observers.set_lazy_hook(before_import)  # only while a report records: it costs every import a call
        elif not _report.active and hook is before_import:
            observers.set_lazy_hook(None)
        _pending.remember_finders()
        observers.add_observer(_observer)
        _pending._keep_lazy[:] = [_native.is_lazy]  # a lazy object resolves to what the eager import bound
        observers.set_keep_parent_binding(_pending.keeps_parent_binding)
    else:
        if hook is before_import:
            observers.set_lazy_hook(None)
        observers.set_keep_parent_binding(None)
        _pending._keep_lazy.clear()
        _pending.forget()  # the statements recorded hold module namespaces


if hasattr(sys, "set_lazy_imports"):
    _report.listeners.append(sync)  # a report starting or ending: the engine hook comes or goes
