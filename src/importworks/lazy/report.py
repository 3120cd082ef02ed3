"""What lazy imports did in one run: each one, where it was first used, and what a rule kept eager.

    from importworks.lazy.report import record_lazy_imports

    with importworks.activate(lazy="all"), record_lazy_imports() as report:
        run_the_program()
    print(report.format())

For ``importworks trace --lazy``: every lazy import made in the block, with the
file and line of its import statement, and where it was reified (the file and
line of the first use, outside the import machinery) or that it never was; and
every import a rule of ours made eager (a name the module body reads, a name
caught in ``except``, a constant, the filter) or imported ahead of its use
(docs/lazy.md, "The side effects of an eager import, kept").  Nothing is
recorded, and nothing costs anything, outside the block.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EagerImport", "LazyImportRecord", "LazyReport", "record_lazy_imports"]

# the reports being recorded (the hooks in this package check this list first)
active: list[LazyReport] = []
_lock = threading.Lock()


@dataclass
class LazyImportRecord:
    """One lazy import: what, where it was written, where it was first used (None: never)."""

    what: str
    filename: str
    lineno: int
    used_at: tuple[str, int] | None = None
    failed: bool = False


@dataclass(frozen=True)
class EagerImport:
    """An import that a rule made eager (or imported before its first use), and where it was written."""

    what: str
    rule: str
    filename: str
    lineno: int


@dataclass
class LazyReport:
    """The lazy imports of one run, in the order they were made."""

    lazy: list[LazyImportRecord] = field(default_factory=list)
    eager: list[EagerImport] = field(default_factory=list)
    _by_binding: dict[int, LazyImportRecord] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: ``{"lazy": [...], "eager": [...]}``."""
        return {
            "lazy": [
                {
                    "what": r.what,
                    "written_at": f"{r.filename}:{r.lineno}",
                    "used_at": f"{r.used_at[0]}:{r.used_at[1]}" if r.used_at else None,
                    "failed": r.failed,
                }
                for r in self.lazy
            ],
            "eager": [{"what": e.what, "rule": e.rule, "written_at": f"{e.filename}:{e.lineno}"} for e in self.eager],
        }

    def format(self) -> str:
        """A table for people: each lazy import and where it was reified, then the eager ones."""
        lines = ["lazy import                               written at -> first used at"]
        for record in self.lazy:
            used = f"{record.used_at[0]}:{record.used_at[1]}" if record.used_at else "never reified"
            if record.failed:
                used += " (failed)"
            lines.append(f"{record.what:<40}  {record.filename}:{record.lineno} -> {used}")
        never = sum(1 for record in self.lazy if record.used_at is None)
        lines.append(f"{len(self.lazy)} lazy imports, {never} never reified")
        if self.eager:
            lines.append("")
            lines.append("kept eager or imported ahead                 rule  written at")
            lines += [f"{item.what:<40}  {item.rule}  {item.filename}:{item.lineno}" for item in self.eager]
        return "\n".join(lines)


@contextmanager
def record_lazy_imports() -> Iterator[LazyReport]:
    """Record what lazy imports do until the block ends."""
    report = LazyReport()
    with _lock:
        active.append(report)
    try:
        yield report
    finally:
        with _lock:
            active.remove(report)


def made(binding: Any) -> None:
    """A lazy binding was made (called by the hook only while a report is active)."""
    record = LazyImportRecord(binding.what, binding.filename, binding.lineno)
    for report in active:
        report.lazy.append(record)
        report._by_binding[id(binding)] = record


def reified(binding: Any, failed: bool) -> None:
    """A lazy binding was resolved (or failed to): note the first use outside the machinery."""
    where = _first_use()
    for report in active:
        record = report._by_binding.get(id(binding))
        if record is not None and record.used_at is None:
            record.used_at, record.failed = where, failed


def kept_eager(what: str, rule: str, filename: str, lineno: int) -> None:
    item = EagerImport(what, rule, filename, lineno)
    for report in active:
        report.eager.append(item)


def imported_ahead(what: str, rule: str) -> None:
    """A pending lazy import was imported before its first use, by *rule*; where the program stood."""
    where = _first_use() or ("", 0)
    kept_eager(what, rule, *where)


# frames of the import machinery are skipped when looking for the first use
_MACHINERY = (
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,
    importlib.__file__ or "<importlib>",
    "<frozen importlib",
)


def _first_use() -> tuple[str, int] | None:
    frame: Any = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_MACHINERY):
            return filename, frame.f_lineno
        frame = frame.f_back
    return None
