"""Which imported modules did a run never use?  Candidates for ``__lazy_modules__``.

    with activate(), trace_imports() as tracer, probe_usage(tracer):
        run_the_program()
    print(format_unused(unused_imports(tracer)))

The probe is an approximation, and says so: a module counts as *used* when any
of its attributes other than the import system's own (``__spec__``,
``__path__``, ``__name__``...) is read after its body has finished.  To see
those reads, :func:`probe_usage` gives each module the engine imports (a plain
``ModuleType`` only) a subclass whose ``__getattribute__`` notes the first such
read and puts the plain class back, so a module costs one extra call, once.
What it cannot see:

* functions and classes taken out early: ``from m import f`` reads ``m.f``
  right after ``m`` is imported, so ``m`` counts as used even if ``f`` is
  never called (an under-report: a module listed as unused is unused);
* reads of the module's ``__dict__`` by C code, and a module's own functions
  running (they read their globals, not the module object);
* modules with a class of their own, and modules the engine did not import:
  they are not probed and are not listed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, NamedTuple

from ..engine import observers
from ..engine.hooks import ObserverBase

__all__ = ["UnusedImport", "format_unused", "probe_usage", "unused_imports"]

ERR_NO_PROBE = "no usage was recorded for this tracer: run the program inside probe_usage(tracer)"

# attributes the import system reads itself: reading them is not using the module
_MACHINERY = frozenset(
    {
        "__spec__",
        "__path__",
        "__name__",
        "__loader__",
        "__package__",
        "__file__",
        "__cached__",
        "__class__",
        "__dict__",
        "__all__",
        "__getattr__",
    }
)

_probes: weakref.WeakKeyDictionary[Any, UsageProbe] = weakref.WeakKeyDictionary()
_used: set[str] = set()  # names read by some probed module since the probe started
_lock = threading.Lock()


class UnusedImport(NamedTuple):
    """A module imported by the run and never used after its import (times in ns)."""

    name: str
    importer: str | None
    cumulative_ns: int
    self_ns: int
    origin: str | None


class _ProbedModule(ModuleType):
    """A module not yet used since its import; the first real read makes it plain again."""

    def __getattribute__(self, attr: str) -> Any:
        if attr not in _MACHINERY:
            name = ModuleType.__getattribute__(self, "__name__")
            _used.add(name)
            ModuleType.__setattr__(self, "__class__", ModuleType)
        return ModuleType.__getattribute__(self, attr)


class UsageProbe(ObserverBase):
    """An engine observer: probes each module the moment its body has run."""

    def __init__(self) -> None:
        self.probed: dict[str, ModuleType] = {}
        self.used_names: set[str] = set()

    def end(self, name: str, module: Any, exc: BaseException | None) -> None:
        if exc is None and type(module) is ModuleType:
            self.probed[name] = module
            module.__class__ = _ProbedModule

    def finish(self) -> None:
        """Keep what was used; give every still-probed module its plain class back."""
        self.used_names = set(_used)
        for module in self.probed.values():
            if type(module) is _ProbedModule:
                ModuleType.__setattr__(module, "__class__", ModuleType)


@contextmanager
def probe_usage(tracer: Any) -> Iterator[UsageProbe]:
    """Record, for the modules traced by *tracer* in the block, which were used afterwards."""
    probe = UsageProbe()
    with _lock:
        _used.clear()
    observers.add_observer(probe)
    try:
        yield probe
    finally:
        observers.remove_observer(probe)
        probe.finish()
        _probes[tracer] = probe


def unused_imports(tracer: Any) -> list[UnusedImport]:
    """The modules *tracer* saw imported and never used after, costliest first.

    Raises:
        ValueError: the run was not inside :func:`probe_usage` for this tracer.
    """
    probe = _probes.get(tracer)
    if probe is None:
        raise ValueError(ERR_NO_PROBE)
    used = probe.used_names
    rows = [
        UnusedImport(record.name, record.importer, record.cumulative_ns, record.self_ns, record.origin)
        for record in tracer.records()
        if record.error is None and record.name in probe.probed and record.name not in used
    ]
    rows.sort(key=lambda row: row.cumulative_ns, reverse=True)
    return rows


def format_unused(rows: list[UnusedImport], top: int | None = None) -> str:
    """A table of unused imports: cumulative and own milliseconds, name, importer."""
    shown = rows if top is None else rows[:top]
    lines = [f"{'cumul ms':>9} {'self ms':>8}  module  [imported by]"]
    lines += [
        f"{row.cumulative_ns / 1e6:9.2f} {row.self_ns / 1e6:8.2f}  {row.name}  [{row.importer or '-'}]" for row in shown
    ]
    total = sum(row.self_ns for row in rows) / 1e6
    lines.append(f"{len(rows)} modules imported and never used after import; {total:.2f} ms of their own time")
    return "\n".join(lines)
