"""``%load_ext importworks``: the IPython/Jupyter replacement for ``%autoreload``.

Before each cell runs, modules whose source changed are reloaded (with their
dependents) by the same machinery as :func:`importworks.reload`, so objects
made in earlier cells run the new code; names the session bound with ``from
mod import f`` follow replaced functions and classes.  Nothing runs in the
background: edits land only between cells, never under running code.

After each cell, the modules it imported are stamped, so an edit made before
the next cell is seen.
"""

from __future__ import annotations

import sys
from typing import Any

from .watch import Watcher

__all__ = ["IPythonReloader", "load_ipython_extension", "unload_ipython_extension"]

PREFIX = "[importworks] "


def _print(line: str) -> None:
    print(PREFIX + line, file=sys.stdout, flush=True)


class IPythonReloader:
    """Checks for edited modules on the shell's ``pre_run_cell`` event."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.watcher = Watcher(report=_print)
        self.watcher.tracker.snapshot()
        user_ns = getattr(shell, "user_ns", None)
        if isinstance(user_ns, dict):
            self.watcher.namespaces.append(user_ns)

    def pre_run_cell(self, *info: Any) -> None:
        self.watcher.poll()

    def post_run_cell(self, *result: Any) -> None:
        self.watcher.tracker.snapshot()

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)

    def unregister(self) -> None:
        for event, callback in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
            try:
                self.shell.events.unregister(event, callback)
            except ValueError:
                pass


_installed: dict[int, IPythonReloader] = {}


def load_ipython_extension(shell: Any) -> None:
    """Reload edited modules before each cell; loading twice is harmless."""
    if id(shell) in _installed:
        return
    reloader = _installed[id(shell)] = IPythonReloader(shell)
    reloader.register()


def unload_ipython_extension(shell: Any) -> None:
    """Stop reloading before cells."""
    reloader = _installed.pop(id(shell), None)
    if reloader is not None:
        reloader.unregister()
