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
from typing import Any, NamedTuple

__all__ = ["EagerImport", "FailedImport", "LazyImportRecord", "LazyReport", "record_lazy_imports"]

# the side-effect rules' names, as reports show them (docs/lazy.md, "What is lazy")
RULE_SIDE_EFFECT = "binds a module the importer never uses (imported for its side effect)"

# the reports being recorded (the hooks in this package check this list first)
active: list[LazyReport] = []
_lock = threading.Lock()


class LazyImportRecord:
    """One lazy import: what, where it was written, where it was first used (None: never)."""

    # a plain class, not a dataclass: dataclasses imports inspect, ast and dis,
    # and this module is imported whenever lazy imports are turned on
    __slots__ = ("what", "filename", "lineno", "used_at", "failed")

    def __init__(
        self, what: str, filename: str, lineno: int, used_at: tuple[str, int] | None = None, failed: bool = False
    ) -> None:
        self.what, self.filename, self.lineno, self.used_at, self.failed = what, filename, lineno, used_at, failed

    def __repr__(self) -> str:
        return (
            f"LazyImportRecord(what={self.what!r}, filename={self.filename!r}, lineno={self.lineno!r}, "
            f"used_at={self.used_at!r}, failed={self.failed!r})"
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not LazyImportRecord:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    # mutable, so unhashable, as the dataclass was
    __hash__ = None  # type: ignore[assignment]


class EagerImport(NamedTuple):
    """An import that a rule made eager (or imported before its first use), and where it was written."""

    what: str
    rule: str
    filename: str
    lineno: int


class FailedImport(NamedTuple):
    """A module whose body raised while lazy imports it had made were still pending.

    The usual cause under lazy="all" is a registry one of those modules fills as
    it is imported, which the failing body reads (docs/lazy.md): the names here
    are what to try keeping eager with ``set_lazy_filter``.
    """

    module: str
    error: str
    pending: tuple[str, ...]


class LazyReport:
    """The lazy imports of one run, in the order they were made."""

    def __init__(self) -> None:
        self.lazy: list[LazyImportRecord] = []
        self.eager: list[EagerImport] = []
        self.failed: list[FailedImport] = []
        self._by_binding: dict[int, LazyImportRecord] = {}
        self._failures_seen: set[int] = set()

    def __repr__(self) -> str:
        return f"LazyReport(lazy={self.lazy!r}, eager={self.eager!r})"

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
            "failed": [{"module": f.module, "error": f.error, "pending": list(f.pending)} for f in self.failed],
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
        for failure in self.failed:
            lines.append("")
            lines.append(f"import of {failure.module} failed ({failure.error}) while its lazy imports of")
            lines.append(f"  {', '.join(failure.pending)}")
            lines.append(
                "were pending: if one of them fills a registry the module reads (docs/lazy.md), keep it eager "
                "with set_lazy_filter"
            )
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


def import_failed(module: str, exc: BaseException, pending: list[str]) -> None:
    """*module*'s body raised *exc* with *pending* lazy imports of its own not imported yet."""
    error = f"{type(exc).__name__}: {exc}"[:200]
    for report in active:
        if id(exc) in report._failures_seen:  # the innermost module only, not each parent it fails
            continue
        report._failures_seen.add(id(exc))
        # a program that retries the import fails the same way each time (SQLAlchemy): one entry,
        # each pending name once, however many times the body ran
        for index, earlier in enumerate(report.failed):
            if earlier.module == module and earlier.error == error:
                names = tuple(dict.fromkeys(earlier.pending + tuple(pending)))
                report.failed[index] = earlier._replace(pending=names)
                break
        else:
            report.failed.append(FailedImport(module, error, tuple(dict.fromkeys(pending))))


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
