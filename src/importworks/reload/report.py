"""What a reload did, module by module, and the warning for what it could not patch."""

from __future__ import annotations

import warnings

from ..errors import ReloadError
from .patch import Conflict

__all__ = ["ModuleReload", "ReloadReport", "ReloadWarning", "warn_unpatched"]


class ReloadWarning(UserWarning):
    """An object a reload could not patch in place; references to the old one keep the old code.

    ``module`` is the reloaded module's name, ``qualname`` the object's name in it.
    """

    def __init__(self, message: str, *, module: str = "", qualname: str = "") -> None:
        super().__init__(message)
        self.module = module
        self.qualname = qualname


class ModuleReload:
    """One module's reload: what changed, what could not be patched, how long it took."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.changed: list[str] = []
        self.conflicts: list[Conflict] = []
        self.seconds = 0.0
        self.error: ReloadError | None = None
        self.dependent = False

    def __repr__(self) -> str:
        state = "failed" if self.error is not None else f"changed={self.changed}"
        return f"<ModuleReload {self.name} {state}>"


class ReloadReport:
    """Everything one reload did, module by module, in order."""

    def __init__(self) -> None:
        self.modules: list[ModuleReload] = []
        self.rebound: list[str] = []  # names rebound in modules not re-executed
        self.seconds = 0.0

    def __repr__(self) -> str:
        return f"<ReloadReport {self.summary()}>"

    @property
    def ok(self) -> bool:
        return all(m.error is None for m in self.modules)

    @property
    def errors(self) -> list[ReloadError]:
        return [m.error for m in self.modules if m.error is not None]

    @property
    def conflicts(self) -> list[Conflict]:
        """What could not be patched, in every module of the reload."""
        return [c for m in self.modules for c in m.conflicts]

    def names(self) -> list[str]:
        return [m.name for m in self.modules]

    def summary(self) -> str:
        """One line: what was reloaded and changed, how long it took, what went wrong."""
        targets = [m for m in self.modules if not m.dependent]
        dependents = [m.name for m in self.modules if m.dependent and m.error is None]
        parts = []
        for m in targets:
            if m.error is not None:
                parts.append(f"{m.name}: failed, old code kept: {m.error}")
                continue
            changed = ", ".join(m.changed[:6]) + (f" (+{len(m.changed) - 6})" if len(m.changed) > 6 else "")
            parts.append(f"{m.name} ({changed or 'no code changes'})")
        line = "reloaded " + "; ".join(parts)
        if dependents:
            line += f"; dependents: {', '.join(dependents)}"
        failed = [m for m in self.modules if m.dependent and m.error is not None]
        if failed:
            line += "; failed: " + "; ".join(str(m.error) for m in failed)
        if self.conflicts:
            line += "; " + "; ".join(c.message for c in self.conflicts)
        return f"{line} in {self.seconds * 1000:.1f} ms"


def warn_unpatched(report: ReloadReport, stacklevel: int = 2) -> None:
    """Emit a :class:`ReloadWarning` for each object *report* says could not be patched."""
    for conflict in report.conflicts:
        warning = ReloadWarning(conflict.message, module=conflict.module, qualname=conflict.qualname)
        warnings.warn(warning, stacklevel=stacklevel + 1)
