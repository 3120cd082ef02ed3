"""Short diagnoses appended to uncaught ModuleNotFoundErrors.

:func:`install_hints` wraps ``sys.excepthook``: when a program dies of a
ModuleNotFoundError, one or two lines from :func:`.causes.short_hints` follow
CPython's own message, for example::

    ModuleNotFoundError: No module named 'reqeusts'. Did you mean 'requests'?
    ModuleNotFoundError: No module named 'yaml'. 'yaml' is installed for
    /root/.pyenv/versions/3.11.7/bin/python, not this interpreter; install it with: ...

The diagnostics load only when such an error happens, so installing the hook
costs nothing at start-up.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

__all__ = ["add_hints", "hints_installed", "install_hints", "uninstall_hints"]

_previous: Any = None


def add_hints(exc: ModuleNotFoundError) -> ModuleNotFoundError:
    """Append the short diagnosis of ``exc.name`` to *exc*'s message (once); return *exc*.

    Never raises: a hint must not hide the real error.
    """
    if not exc.name or getattr(exc, "_importworks_hinted", False):
        return exc
    exc._importworks_hinted = True  # type: ignore[attr-defined]
    try:
        from .isolation import preload

        # the program's own folder may hold a random.py or similar: load our
        # dependencies past it (see isolation.py)
        preload(("difflib", "importworks.diagnostics.causes"))
    except Exception:
        pass  # a dependency shadowed past repair: the hints that do not need it still work
    try:
        from .causes import short_hints

        hints = short_hints(exc.name)
        if hints:
            hints = _not_said_by_the_interpreter(hints, exc)
    except Exception:
        return exc
    if hints:
        message = f"{exc.msg}. " + "\n".join(hints)
        exc.msg = message
        exc.args = (message, *exc.args[1:])
    return exc


_SUGGESTION = "Did you mean"
# what the interpreter's own traceback may add (3.15+) -> how our hint saying the same begins or ends
_SAID_BY_PYTHON = {
    ". Did you mean": ("starts", _SUGGESTION),
    "found for a different Python version": ("ends", "was built for another Python"),
}


def _not_said_by_the_interpreter(hints: list[str], exc: ModuleNotFoundError) -> list[str]:
    """*hints* less those the interpreter's own traceback already gives for *exc* (3.15+).

    Python 3.15 suggests a module name itself (from the finders' discover())
    and names an extension built for another Python; neither is said twice.
    """
    if sys.version_info < (3, 15):
        return hints
    import traceback

    shown = "".join(traceback.format_exception_only(exc))
    added = shown[len(f"{type(exc).__qualname__}: {exc}") :]
    for phrase, (where, ours) in _SAID_BY_PYTHON.items():
        if phrase in added:
            hints = [h for h in hints if not (h.startswith(ours) if where == "starts" else h.endswith(ours))]
    return hints


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if isinstance(exc, ModuleNotFoundError):
        add_hints(exc)
    (_previous or sys.__excepthook__)(exc_type, exc, tb)


def install_hints() -> None:
    """Make uncaught ModuleNotFoundErrors carry a short diagnosis (idempotent)."""
    global _previous
    if sys.excepthook is not _excepthook:
        _previous = sys.excepthook
        sys.excepthook = _excepthook


def uninstall_hints() -> None:
    """Put back the excepthook that install_hints() replaced (if still ours)."""
    global _previous
    if sys.excepthook is _excepthook:
        sys.excepthook = _previous or sys.__excepthook__
        _previous = None


def hints_installed() -> bool:
    return sys.excepthook is _excepthook
