"""Watch the files of loaded modules and reload them as they are saved.

:class:`Watcher` runs one background thread.  With ``watchfiles`` (the
default, imported only here) it waits for file-system events on the folders
holding the project modules; without it, it polls the modules' stamps.  Either
way the decision "did this module change?" is :class:`~.source.SourceTracker`'s,
which asks the module's loader first, so modules from stores take part.

Modules imported after the watcher started are picked up through an engine
observer (when the engine is active) and at every check.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..engine import observers
from .core import Reloader, ReloadReport, default_reloader
from .graph import ImportObserver
from .source import SourceTracker, source_path

__all__ = ["Watcher", "autoreload", "command_check", "stop_autoreload"]

PREFIX = "[importworks] "
MSG_CHECK_FAILED = "kept the running code: check failed ({why}): {command}"
MSG_MAIN_UNGUARDED = (
    "{path} changed, but its code runs at top level (no "
    "'if __name__ == \"__main__\":' block): restart the program to apply it"
)
MSG_CRASHED = "reload stopped by an internal error, old code kept: {error!r}"
MSG_NO_WATCHFILES = "watchfiles is not installed: pip install watchfiles, or use backend='poll'"

Check = Callable[[list[str]], "tuple[bool, str]"]


def _print(line: str) -> None:
    print(PREFIX + line, file=sys.stderr, flush=True)


def command_check(command: str, *, timeout: float = 300) -> Check:
    """A check that passes when shell *command* exits with status 0."""

    def check(changed: list[str]) -> tuple[bool, str]:
        try:
            done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:g} s"
        if done.returncode == 0:
            return True, "passed"
        tail = (done.stdout + done.stderr).strip().splitlines()
        last = f"; {tail[-1].strip()}" if tail else ""
        return False, f"exit status {done.returncode}{last}"

    check.command = command  # type: ignore[attr-defined]
    return check


def _guarded_main(path: str | None) -> bool:
    """Does the script at *path* keep its program inside ``if __name__ == "__main__":``?"""
    if path is None:
        return False
    import ast

    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return True  # let the reload report the error itself
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = {getattr(n, "id", None) for n in (node.test.left, *node.test.comparators)}
            values = {getattr(n, "value", None) for n in (node.test.left, *node.test.comparators)}
            if "__name__" in names and "__main__" in values:
                return True
    return False


class Watcher:
    """A background thread that reloads project modules when their source changes."""

    def __init__(
        self,
        reloader: Reloader | None = None,
        *,
        dependents: bool = True,
        check: Check | None = None,
        report: Callable[[str], None] = _print,
        backend: str = "auto",
        step_ms: int = 10,
        poll_interval: float = 0.25,
        roots: Iterable[str] = (),
    ) -> None:
        self.reloader = reloader if reloader is not None else default_reloader()
        self.dependents = dependents
        self.check = check
        self.report = report
        self.backend = backend
        self.step_ms = step_ms
        self.poll_interval = poll_interval
        self.extra_roots = list(roots)
        self.namespaces: list[dict[str, Any]] = []  # interactive namespaces to rebind too
        self.tracker = SourceTracker()
        self.history: list[ReloadReport] = []
        self._observer = ImportObserver(self.reloader.graph, on_loaded=self.tracker.record)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()  # set once the watcher listens for changes

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Watcher:
        """Stamp the loaded modules and start watching; return self."""
        if self.backend == "auto":
            try:
                import watchfiles
            except ImportError:
                self.backend = "poll"
            else:
                self.backend = "watchfiles"
        elif self.backend == "watchfiles":
            try:
                import watchfiles  # noqa: F401
            except ImportError:
                raise ModuleNotFoundError(MSG_NO_WATCHFILES, name="watchfiles") from None
        self.tracker.snapshot()
        observers.add_observer(self._observer)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="importworks-autoreload", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching (waits up to *timeout* seconds for the thread)."""
        self._stop.set()
        observers.remove_observer(self._observer)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def __enter__(self) -> Watcher:
        return self.start() if not self.running else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---------------------------------------------------------- applying edits
    def poll(self, paths: Iterable[str] | None = None) -> ReloadReport | None:
        """Reload the modules whose source changed (among those watched through *paths*)."""
        with self._lock:
            changed = self.tracker.changed(paths)
            changed = [name for name in changed if self._may_reload(name)]
            if not changed:
                return None
            if self.check is not None:
                ok, why = self.check(changed)
                if not ok:  # stamps stay as they were: the next passing check applies this edit too
                    command = getattr(self.check, "command", getattr(self.check, "__name__", "check"))
                    self.report(MSG_CHECK_FAILED.format(why=why, command=command))
                    return None
            try:
                report = self.reloader.reload(changed, dependents=self.dependents, namespaces=self.namespaces)
            except Exception as exc:  # a bug of ours must not end the watcher
                self.report(MSG_CRASHED.format(error=exc))
                return None
            finally:
                for name in changed:
                    self.tracker.record(name)
            for step in report.modules:
                self.tracker.record(step.name)
            self.history.append(report)
            del self.history[:-20]
            self.report(report.summary())
            return report

    def _may_reload(self, name: str) -> bool:
        if name != "__main__":
            return True
        module = sys.modules[name]
        if getattr(module, "__spec__", None) is not None or _guarded_main(source_path(module)):
            return True
        self.report(MSG_MAIN_UNGUARDED.format(path=source_path(module)))
        self.tracker.record(name)
        return False

    # ---------------------------------------------------------- the thread
    def _run(self) -> None:
        try:
            self.reloader.graph.warm()  # the first reload should not pay for scanning
        except Exception:
            pass
        if self.backend == "watchfiles":
            self._run_watchfiles()
        else:
            self._run_polling()

    def _run_polling(self) -> None:
        self.ready.set()
        while not self._stop.wait(self.poll_interval):
            self.poll()

    def _roots(self) -> list[str]:
        roots = sorted(set(self.tracker.roots()) | set(self.extra_roots))
        return [r for r in roots if not any(r.startswith(o.rstrip("/") + "/") for o in roots if o != r)]

    def _run_watchfiles(self) -> None:
        import watchfiles

        while not self._stop.is_set():
            self.tracker.snapshot()
            roots = self._roots()
            if not roots:
                self.ready.set()
                self._stop.wait(self.poll_interval)
                continue
            watching = watchfiles.watch(
                *roots,
                stop_event=self._stop,
                yield_on_timeout=True,
                rust_timeout=int(self.poll_interval * 1000),
                step=self.step_ms,
                debounce=400,
                raise_interrupt=False,
            )
            listening = False
            for changes in watching:
                if not listening:  # the first yield (a timeout at the latest): now it listens
                    listening = True
                    self.ready.set()
                    self.poll()  # edits saved before it listened
                elif changes:
                    self.poll(path for _, path in changes)
                self.tracker.snapshot()
                if self._roots() != roots:
                    break  # modules from new folders were imported: watch those too


_current: Watcher | None = None


def autoreload(
    *,
    dependents: bool = True,
    check: str | Check | None = None,
    report: Callable[[str], None] = _print,
    backend: str = "auto",
) -> Watcher:
    """Start watching the files of loaded modules and reload them as they change.

    Returns the running :class:`Watcher` (the same one on later calls, until
    :func:`stop_autoreload`).  *check* is a shell command or a function that
    must pass before an edit is applied.

    Raises:
        ModuleNotFoundError: ``backend="watchfiles"`` and it is not installed.
    """
    global _current
    if _current is not None and _current.running:
        return _current
    if isinstance(check, str):
        check = command_check(check)
    _current = Watcher(dependents=dependents, check=check, report=report, backend=backend).start()
    return _current


def stop_autoreload() -> None:
    """Stop the watcher autoreload() started, if any."""
    global _current
    if _current is not None:
        _current.stop()
        _current = None
