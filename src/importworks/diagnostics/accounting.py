"""The modules of a traced run that the tracer did not see imported: cache hits, earlier imports, start-up.

``importworks trace`` sees the imports the engine performs while it traces.
A plain ``python -X importtime`` of the same program lists more:

* modules the interpreter imports at start-up (``encodings``, ``site``, ``runpy``
  for ``-m``): :func:`startup_imports` asks a fresh interpreter started the same
  way, with ``-X importtime``, so they come with their times;
* modules that importworks itself imported before tracing began (``re``,
  ``json``, ``enum``, ``inspect``...): for the program they are cache hits,
  which the engine does not report.  :class:`EarlyImports` finds the ones
  the program used from its modules' namespaces.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

__all__ = ["EarlyImports", "EarlyModule", "StartupImport", "parse_importtime", "startup_imports"]

_clock = time.perf_counter_ns


@dataclass
class EarlyModule:
    """A module imported before tracing began that ``importer`` (of the program) uses."""

    name: str
    importer: str | None
    at_ns: int
    origin: str | None = None
    children: list[EarlyModule] = field(default_factory=list)

    def walk(self) -> Any:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class StartupImport:
    """One line of a fresh interpreter's ``-X importtime`` start-up: name, times (us), depth."""

    name: str
    self_us: int
    cumulative_us: int
    depth: int


class EarlyImports:
    """Which modules imported before tracing began the traced program used.

    Told from the namespaces of the program's own modules (``__main__`` and
    every module imported while tracing): a module bound there, or the module
    an object bound there comes from, was imported by the program too, and
    so was whatever that module's namespace names in turn.  Nothing is hooked
    while the program runs: a wrapped ``__import__`` would add a frame between
    an import statement and the engine, and PEP 810's lazy imports look there.
    """

    def __init__(self) -> None:
        self.before = set(sys.modules)  # what was imported when tracing began

    def early_modules(self, users: list[Any], exclude: set[str]) -> list[EarlyModule]:
        """The modules of :attr:`before` that *users* (modules or their names, in import order) reach.

        *exclude*: names accounted for otherwise (start-up, traced).
        """
        taken = set(exclude)
        early = []
        for user in users:
            module = sys.modules.get(user) if isinstance(user, str) else user
            label = getattr(module, "__name__", None)
            for name in sorted(_dependencies(module, str(label)) & self.before - taken):
                taken.add(name)
                early.append(self._tree(name, label, taken))
        return early

    def _tree(self, name: str, importer: str | None, taken: set[str]) -> EarlyModule:
        module = sys.modules.get(name)
        spec = getattr(module, "__spec__", None)
        node = EarlyModule(name, importer, 0, getattr(spec, "origin", None))
        for dependency in sorted(_dependencies(module, name) & self.before - taken):
            taken.add(dependency)
            node.children.append(self._tree(dependency, name, taken))
        return node


def _dependencies(module: Any, name: str) -> set[str]:
    """What *module* imported, as far as its namespace tells: modules, and the homes of its objects.

    Dunder names (``__builtins__``, ``__loader__``...) are the import system's,
    not the module's imports; importworks' own modules are the tool's.  A
    package's own submodules count through the objects it takes from them.
    """
    if not isinstance(module, ModuleType):
        return set()
    found = set()
    for key, value in list(vars(module).items()):
        if key.startswith("__"):
            continue
        home = _home(value)
        if not isinstance(home, str) or home.startswith("importworks"):
            continue
        if isinstance(value, ModuleType) and home.startswith(name + "."):
            continue  # a submodule is bound on its package by whoever imports it: no sign the package did
        found.add(home)
    if hasattr(module, "__path__"):
        found |= _own_submodules(module, name)
    found.discard(name)
    return found


_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement, not by C code


def _home(value: Any) -> Any:
    """The module *value* comes from, where that can be trusted.

    ``__module__`` is only a claim: C types name a module of their choosing
    (3.14's ``types.UnionType`` says ``typing``), and a module may rename
    itself (``_collections_abc`` calls itself ``collections.abc``).  A Python
    function is placed by the file its code was compiled from; a C type is
    not placed at all.
    """
    if isinstance(value, ModuleType):
        return value.__name__
    if isinstance(value, type) and not value.__flags__ & _HEAPTYPE:
        return None
    code = getattr(value, "__code__", None)
    filename = getattr(code, "co_filename", None)
    if isinstance(filename, str):
        name = _modules_by_file().get(filename)
        if name is not None:
            return name
    return getattr(value, "__module__", None)


_by_file: tuple[int, dict[str, str]] = (-1, {})


def _modules_by_file() -> dict[str, str]:
    """File -> module name for sys.modules, remade when the number of modules changes."""
    global _by_file
    if _by_file[0] != len(sys.modules):
        files: dict[str, str] = {}
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            if isinstance(filename, str):
                files.setdefault(filename, name)
        _by_file = (len(sys.modules), files)
    return _by_file[1]


def _own_submodules(package: ModuleType, name: str) -> set[str]:
    """The submodules a package's ``__init__`` imports itself (``from . import _parser``), read from its source."""
    origin = getattr(getattr(package, "__spec__", None), "origin", None)
    if not origin or not origin.endswith(".py"):
        return set()
    from .scan import summarize_file

    found = set()
    for _, level, target, names in summarize_file(origin)[0]:
        base = name if level == 1 else (target if level == 0 else "")
        base = f"{name}.{target}" if level == 1 and target else base
        for wanted in [base] + [f"{base}.{n}" for n in names or () if n != "*"]:
            if wanted.startswith(name + ".") and wanted in sys.modules:
                found.add(wanted)
    return found


def _flags() -> list[str]:
    """The command-line switches that change what a fresh interpreter imports at start-up."""
    flags = sys.flags
    chosen = [
        ("-I", flags.isolated),
        ("-S", flags.no_site),
        ("-E", flags.ignore_environment),
        ("-s", flags.no_user_site),
        ("-P", getattr(flags, "safe_path", False)),
    ]
    return [switch for switch, on in chosen if on]


def parse_importtime(text: str) -> list[StartupImport]:
    """The lines of ``-X importtime`` output (``cached`` lines and others skipped)."""
    found = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        label = parts[2][1:] if parts[2].startswith(" ") else parts[2]
        depth = (len(label) - len(label.lstrip(" "))) // 2
        found.append(StartupImport(label.strip(), int(parts[0]), int(parts[1]), depth))
    return found


def startup_imports(module_run: bool = False, python: str | None = None) -> tuple[list[StartupImport], set[str]]:
    """What a fresh interpreter started like this one imports before running a program.

    Returns the ``-X importtime`` lines of its start-up, and the modules it
    has without listing them (``sys``, ``builtins``, ``_imp``...: set up before
    the timing starts).  *module_run*: the program is ``-m MODULE``, for
    which python imports ``runpy`` first.  ([], set()) if it cannot tell.
    """
    code = ("import runpy; " if module_run else "") + "import sys; print(*sys.modules)"
    argv = [python or sys.executable, *_flags(), "-X", "importtime", "-c", code]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=dict(os.environ))
    except (OSError, subprocess.TimeoutExpired):
        return [], set()
    listed = parse_importtime(done.stderr)
    return listed, set(done.stdout.split()) - {s.name for s in listed}
