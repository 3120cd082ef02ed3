"""Python 3.15+: lazy imports are the interpreter's own (PEP 810), reified through the engine.

(Just above errors.py in the layers, standard library otherwise: ``activate()`` sets a mode
without loading the ``importworks.lazy`` package, and that package's
``enable()`` and friends dispatch here on 3.15+.)

On 3.15 the interpreter decides which import statements are lazy, binds its
own placeholders (``types.LazyImportType``) and, on first use, reifies them by
calling ``__import__`` from the builtins the statement saw: under
``importworks.activate()`` that is the engine's.  So importworks does not make
proxies here; the modes and the filter are the interpreter's:

* ``"normal"`` and ``"all"`` are ``sys.set_lazy_imports``'s modes;
* ``"none"`` (ours; the interpreter has no such mode) is mode ``"normal"`` with a
  filter that says no to every import, ``lazy import`` included;
* :func:`set_filter` installs the user's ``filter(importer, name, fromlist)``
  as the interpreter's filter; it keeps importworks' own imports eager, as
  ``wiring/own_imports``' filter does.

:func:`snapshot` and :func:`restore` let ``activate()`` put back exactly the
mode and filter it found.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

from ._own import is_own_module as _own
from .errors import ERR_NOT_FOUND

# the user's filter: (importer, name, fromlist) -> bool; importer is None for globals without __name__
LazyFilter = Callable[..., bool]

_user_filter: LazyFilter | None = None
# importworks' own rules for mode "all" (importworks.lazy._native_rules), asked last; it finds the
# import statement two frames up (the interpreter calls the combined filter, which calls it)
_rules: LazyFilter | None = None
_none = False  # mode "none": nothing is lazy
_enabled = False  # enable() was called and disable() not since


def _install() -> None:
    """Make the interpreter's filter what _user_filter and _none ask for, importworks' own imports kept eager.

    The filter keeps our own imports eager itself (and says so, as
    wiring/own_imports' does), so that one need not wrap it again.  It asks
    the filter it found in place too (the user's, usually behind
    own_imports' one), and when nothing of ours is wanted any more (no mode,
    no filter of ours) that filter is put back.
    """
    current = sys.get_lazy_imports_filter()  # type: ignore[attr-defined]
    found: LazyFilter | None = getattr(current, "_importworks_chained", current)  # ours: what it chains to
    user = _user_filter
    if not _none and user is None and not _enabled and _rules is None:
        sys.set_lazy_imports_filter(found)  # type: ignore[attr-defined]
        return
    if _none:

        def combined(  # one signature for both variants
            importer: Any,
            name: str,
            fromlist: Any,
            _user: Any = None,
            _found: Any = None,
            _rules: Any = None,
            _own: Any = None,
        ) -> bool:
            return False

    else:

        def combined(  # the defaults bind what it needs (no global lookups per import)
            importer: Any,
            name: str,
            fromlist: Any,
            _user: Any = user,
            _found: Any = found,
            _rules: Any = _rules,
            _own: Any = _own,
        ) -> bool:
            if _own(importer) or (_found is not None and not _found(importer, name, fromlist)):
                return False
            if _user is not None and not _user(importer, name, fromlist):
                return False
            # last, so that the rules see only imports that are otherwise lazy (they note those)
            return _rules is None or bool(_rules(importer, name, fromlist))

    combined._importworks_own = True  # type: ignore[attr-defined]
    combined._importworks_chained = found  # type: ignore[attr-defined]
    sys.set_lazy_imports_filter(combined)  # type: ignore[attr-defined]


def get_mode() -> str | None:
    """The mode in force: ``"none"`` if ours is, else the interpreter's; None if never enabled."""
    if not _enabled:
        return None
    return "none" if _none else sys.get_lazy_imports()  # type: ignore[attr-defined]


def enable(mode: str) -> str | None:
    """Set the interpreter's mode (``"none"``: ours, see above); return the mode before."""
    global _none, _enabled
    previous = get_mode()
    _enabled = True
    _none = mode == "none"
    sys.set_lazy_imports("normal" if _none else mode)  # type: ignore[attr-defined]
    _install()
    return previous


def disable() -> str | None:
    """Back to the interpreter's default mode (``"normal"``), the filter given to set_filter() kept."""
    global _none, _enabled
    previous = get_mode()
    _enabled = False
    _none = False
    _install()  # the filter found before enable(), unless set_filter() gave one
    sys.set_lazy_imports("normal")  # type: ignore[attr-defined]
    return previous


def set_filter(func: LazyFilter | None) -> None:
    global _user_filter
    _user_filter = func
    _install()


def get_filter() -> LazyFilter | None:
    return _user_filter


def set_rules(func: LazyFilter | None) -> None:
    """Have *func* (importworks.lazy's rules) asked last by the interpreter's filter; None: no rules."""
    global _rules
    _rules = func
    _install()


def get_rules() -> LazyFilter | None:
    return _rules


def snapshot() -> tuple[Any, ...]:
    """Everything enable()/set_filter() change, for restore()."""
    return (
        sys.get_lazy_imports(),  # type: ignore[attr-defined]
        sys.get_lazy_imports_filter(),  # type: ignore[attr-defined]
        _user_filter,
        _none,
        _enabled,
        _rules,
    )


def restore(saved: tuple[Any, ...]) -> None:
    global _user_filter, _none, _enabled, _rules
    mode, interpreter_filter, _user_filter, _none, _enabled, _rules = saved
    sys.set_lazy_imports(mode)  # type: ignore[attr-defined]
    sys.set_lazy_imports_filter(interpreter_filter)  # type: ignore[attr-defined]


def lazy_modules() -> set[str]:
    """A copy of ``sys.lazy_modules``: the names lazily imported and not yet imported."""
    return set(sys.lazy_modules)  # type: ignore[attr-defined]


def lazy_import(fullname: str, caller: Any) -> Any:
    """The interpreter's own placeholder for module *fullname*, as ``lazy import fullname`` binds it.

    Made by running that statement in a scratch namespace named after the
    caller's module (the filter sees it as the importer) with the caller's
    builtins (whose ``__import__`` reifies it).  Mode ``"none"`` and the filter
    apply as to the statement, which then imports at once.
    """
    if not all(part.isidentifier() for part in fullname.split(".")):
        raise ModuleNotFoundError(ERR_NOT_FOUND.format(name=fullname), name=fullname)
    scratch = {"__builtins__": caller.f_builtins, "__name__": caller.f_globals.get("__name__")}
    exec(f"lazy import {fullname} as bound", scratch)  # fullname is a checked dotted name
    return scratch["bound"]


def is_lazy(value: Any) -> bool:
    return type(value) is _LAZY_TYPE


_LAZY_TYPE: Any = getattr(types, "LazyImportType", None)
