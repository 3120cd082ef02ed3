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
RULE_SUPPRESS = "inside `with suppress(...)`, which must catch its ImportError"

# the reports being recorded (the hooks in this package check this list first)
active: list[LazyReport] = []
# called after a report starts or ends (3.15: _native_rules puts its engine hook in place)
listeners: list[Any] = []
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
        # 3.15+: (id(namespace), module, name or None) -> the record, and where it is bound
        self._by_statement: dict[tuple[int, str, str | None], LazyImportRecord] = {}
        self._by_import: dict[tuple[str, str | None], list[LazyImportRecord]] = {}
        self._bound: list[tuple[LazyImportRecord, dict[str, Any], str]] = []

    def __repr__(self) -> str:
        return f"LazyReport(lazy={self.lazy!r}, eager={self.eager!r})"

    def settle(self) -> None:
        """3.15+: a lazy object reified without a call of ``__import__`` left no trace; its namespace tells.

        (The interpreter takes ``from m import name`` from a module already
        imported by itself.)  Such a record gets :data:`SEEN_LATER` as its place.
        """
        for record, namespace, bound in self._bound:
            if record.used_at is None and bound in namespace and not _is_native_lazy(namespace[bound]):
                record.used_at = SEEN_LATER
        self._bound.clear()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: ``{"lazy": [...], "eager": [...]}``."""
        self.settle()
        return {
            "lazy": [
                {
                    "what": r.what,
                    "written_at": f"{r.filename}:{r.lineno}",
                    "used_at": None if r.used_at == SEEN_LATER else _place(r.used_at),
                    "reified": r.used_at is not None,
                    "failed": r.failed,
                }
                for r in self.lazy
            ],
            "eager": [{"what": e.what, "rule": e.rule, "written_at": f"{e.filename}:{e.lineno}"} for e in self.eager],
            "failed": [{"module": f.module, "error": f.error, "pending": list(f.pending)} for f in self.failed],
        }

    def format(self) -> str:
        """A table for people: each lazy import and where it was reified, then the eager ones."""
        self.settle()
        lines = ["lazy import                               written at -> first used at"]
        for record in self.lazy:
            used = _place(record.used_at) or "never reified"
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
    for listener in listeners:
        listener()
    try:
        yield report
    finally:
        with _lock:
            active.remove(report)
        for listener in listeners:
            listener()


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


def kept_eager(what: str, rule: str, filename: str, lineno: int, names: Any = None) -> None:
    """An import a rule made eager: one row per name a from-import takes (``module.name``, as lazy rows say)."""
    items = [EagerImport(f"{what}.{name}", rule, filename, lineno) for name in names or () if name != "*"]
    for report in active:
        report.eager.extend(items or [EagerImport(what, rule, filename, lineno)])


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


# where a lazy import was first used when only the end of the run showed that it was (see settle)
SEEN_LATER = ("(reified where no import was made: its module was imported already)", 0)


def _place(used_at: tuple[str, int] | None) -> str | None:
    if used_at is None:
        return None
    return used_at[0] if used_at == SEEN_LATER else f"{used_at[0]}:{used_at[1]}"


def _is_native_lazy(value: Any) -> bool:
    return type(value).__name__ == "lazy_import" and type(value).__module__ == "builtins"


def made_native(
    namespace: dict[str, Any], module: str, names: Any, bound: list[str], filename: str, lineno: int
) -> None:
    """3.15+: the interpreter made an import statement lazy (one record per from-name)."""
    if module == "__future__":
        return  # a compiler directive, never lazy (the interpreter asks the filter all the same)
    parts = list(names) if names else [None]
    for index, name in enumerate(parts):
        record = LazyImportRecord(module if name is None else f"{module}.{name}", filename, lineno)
        for report in active:
            report.lazy.append(record)
            report._by_statement[(id(namespace), module, name)] = record
            report._by_import.setdefault((module, name), []).append(record)
            if index < len(bound):
                report._bound.append((record, namespace, bound[index]))


def reified_native(namespace: Any, module: str, names: Any) -> None:
    """3.15+: the interpreter is reifying a lazy import of *module* made in *namespace*: note where."""
    where = None
    for name in list(names) if names else [None]:
        for report in active:
            record = report._by_statement.get((id(namespace), module, name))
            if record is None or record.used_at is not None:
                # read as another module's attribute, the interpreter passes the reader's
                # globals: the first such import not yet reified is the one
                waiting = report._by_import.get((module, name), ())
                record = next((item for item in waiting if item.used_at is None), None)
            if record is not None:
                where = where or _first_use() or ("", 0)
                record.used_at = where


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
