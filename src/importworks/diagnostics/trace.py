"""Record every import the engine performs: who imported whom, from where, how long.

The engine calls a tracer at each step of an import (see
``importworks.engine.observers.add_observer``): ``begin`` before the finders are asked,
``found`` when a spec is chosen, ``created`` when the module object exists,
``loaded`` when its code object is ready, ``end`` when its body has run.  From
those the tracer splits each import's time into three phases:

* find: asking sys.meta_path for a spec
* load: creating the module and reading/unmarshalling or compiling its code
* exec: running the module body (minus the imports it triggers)
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..engine import observers as engine
from ..engine.observers import thread_stack

__all__ = ["ImportRecord", "ImportTracer", "trace_imports"]

_clock = time.perf_counter_ns


@dataclass
class ImportRecord:
    """One module's import: its place in the import tree and its timings (ns)."""

    name: str
    importer: str | None
    thread: str
    start_ns: int
    origin: str | None = None
    loader: str | None = None
    error: str | None = None
    found_ns: int | None = None
    created_ns: int | None = None
    loaded_ns: int | None = None
    end_ns: int | None = None
    children: list[ImportRecord] = field(default_factory=list)

    @property
    def cumulative_ns(self) -> int:
        """Wall time from the first finder call to the end of the body."""
        return (self.end_ns or self.start_ns) - self.start_ns

    @property
    def find_ns(self) -> int:
        return (self.found_ns or self.end_ns or self.start_ns) - self.start_ns

    @property
    def load_ns(self) -> int:
        if self.found_ns is None:
            return 0
        ready = self.loaded_ns or self.created_ns or self.found_ns
        return ready - self.found_ns

    @property
    def exec_ns(self) -> int:
        """Time in the module body itself, not counting the imports it made."""
        if self.found_ns is None:
            return 0
        ready = self.loaded_ns or self.created_ns or self.found_ns
        body = (self.end_ns or ready) - ready
        return max(0, body - sum(child.cumulative_ns for child in self.children))

    @property
    def self_ns(self) -> int:
        """Cumulative time minus the children's: what this module alone cost."""
        return self.find_ns + self.load_ns + self.exec_ns

    def walk(self) -> Iterator[ImportRecord]:
        yield self
        for child in self.children:
            yield from child.walk()


class ImportTracer:
    """Collects an :class:`ImportRecord` per import, as a forest per thread.

    With accounting (``trace_imports(account=True)``), ``early`` and
    ``startup`` hold the run's modules it did not see imported (see
    :mod:`.accounting`).
    """

    def __init__(self) -> None:
        self.roots: list[ImportRecord] = []
        self.early: list[Any] = []  # accounting.EarlyModule: imported before tracing, used by the program
        self.startup: list[Any] = []  # accounting.StartupImport: a fresh interpreter's start-up imports
        # the program's __main__, caught at its first import: the runner puts the tool's back afterwards
        self.main_module: Any = None
        self._outer_main: Any = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self.by_name: dict[str, ImportRecord] = {}

    def _stack(self) -> list[ImportRecord]:
        return thread_stack(self._local)

    # -- the engine's calls ------------------------------------------------
    def begin(self, name: str) -> None:
        if self._outer_main is not None and self.main_module is None:
            main = sys.modules.get("__main__")
            if main is not self._outer_main:
                self.main_module = main
        stack = self._stack()
        parent = stack[-1] if stack else None
        record = ImportRecord(
            name=name,
            importer=parent.name if parent else None,
            thread=threading.current_thread().name,
            start_ns=_clock(),
        )
        if parent is not None:
            parent.children.append(record)
        else:
            with self._lock:
                self.roots.append(record)
        stack.append(record)

    def found(self, name: str, spec: Any) -> None:
        record = self._current(name)
        if record is not None:
            record.found_ns = _clock()
            record.origin = spec.origin
            loader = spec.loader
            record.loader = (
                getattr(loader, "source_kind", None)
                or (loader.__name__ if isinstance(loader, type) else type(loader).__name__)
                if loader is not None
                else None
            )

    def created(self, name: str) -> None:
        record = self._current(name)
        if record is not None:
            record.created_ns = _clock()

    def loaded(self, name: str) -> None:
        record = self._current(name)
        if record is not None and record.loaded_ns is None:
            record.loaded_ns = _clock()

    def end(self, name: str, module: Any, exc: BaseException | None) -> None:
        stack = self._stack()
        if not stack or stack[-1].name != name:
            return
        record = stack.pop()
        record.end_ns = _clock()
        if exc is not None:
            record.error = f"{type(exc).__name__}: {exc}"
        else:
            with self._lock:
                self.by_name.setdefault(name, record)

    def _current(self, name: str) -> ImportRecord | None:
        stack = self._stack()
        return stack[-1] if stack and stack[-1].name == name else None

    # -- results -----------------------------------------------------------
    def records(self) -> list[ImportRecord]:
        """Every record, depth first, in import order."""
        return [record for root in self.roots for record in root.walk()]

    def total_ns(self) -> int:
        return sum(root.cumulative_ns for root in self.roots)

    def early_count(self) -> int:
        return sum(1 for root in self.early for _ in root.walk())

    def account(self, early: Any, module_run: bool) -> None:
        """Fill :attr:`startup` and :attr:`early` once the program has run."""
        from .accounting import startup_imports

        self.startup, unlisted = startup_imports(module_run)
        traced = [r.name for r in self.records() if not r.error]
        exclude = set(traced) | {s.name for s in self.startup} | unlisted | {"__main__"}
        self.early = early.early_modules([self.main_module, *traced], exclude)


@contextmanager
def trace_imports(
    tracer: ImportTracer | None = None, *, account: bool = False, module_run: bool = False
) -> Iterator[ImportTracer]:
    """Record the engine's imports inside the block (the engine must be active).

    With *account*, the tracer also lists, after the block, the modules of the
    run it did not see imported: those of the interpreter's start-up (asked of
    a fresh interpreter, with ``-X importtime``; *module_run* for ``-m``) and
    those imported before the block that the program uses.
    """
    tracer = tracer or ImportTracer()
    early = None
    if account:
        from .accounting import EarlyImports

        early = EarlyImports()
        tracer._outer_main = sys.modules.get("__main__", False)
    engine.add_observer(tracer)
    try:
        yield tracer
    finally:
        engine.remove_observer(tracer)
        if early is not None:
            tracer.account(early, module_run)
