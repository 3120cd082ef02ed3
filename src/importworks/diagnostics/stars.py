"""What ``from X import *`` brings into a module, and where each name really comes from.

Two star imports that both give ``col`` collide only if they give different
objects: pyparsing's ``helpers`` re-exports ``core``'s names, and a module that
does ``import re`` and then ``from .core import *`` gets the same ``re`` back.
So every name is traced to the module that defines it (through re-exports and
star imports, statically), and only names whose sources differ are collisions.
"""

from __future__ import annotations

import importlib
import marshal
import sys

from ..finders.pathfinder import PathFinder
from .project import Binding, Project

__all__ = ["StarResolver", "differ", "external_exports"]


def external_exports(name: str) -> set[str] | None:
    """Names ``from name import *`` gives, for a module outside the project (None: unknown).

    A standard-library module is imported (many are written in C); anything
    else is read, not run: its source's ``__all__`` or public top-level names.
    """
    if name.partition(".")[0] in getattr(sys, "stdlib_module_names", ()):
        try:
            module = importlib.import_module(name)
        except Exception:  # e.g. tkinter without Tk: nothing we can say
            return None
        names = getattr(module, "__all__", None)
        return set(names if names is not None else (n for n in vars(module) if not n.startswith("_")))
    from .scan import summarize_file

    try:
        spec = PathFinder.find_spec(name) if "." not in name else None
    except (ImportError, ValueError):
        spec = None
    origin = getattr(spec, "origin", None) or ""
    if not origin.endswith(".py"):
        return None
    _, raw, all_names, _, _, error = summarize_file(origin)
    if error:
        return None
    bindings = marshal.loads(raw)
    if all_names is not None:
        return set(all_names)
    return {b[0] for b in bindings if b[0] != "*" and not b[0].startswith("_")}


class StarResolver:
    """Names and their sources, per module of one project (memoised)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._namespaces: dict[str, dict[str, str]] = {}
        self._opaque: set[str] = set()  # modules star-importing something unknown (a C extension)
        self._external: dict[str, set[str] | None] = {}

    def namespace(self, name: str) -> dict[str, str]:
        """Every name module *name* binds at module level -> the object's source ``MODULE.NAME``.

        Memoised, and registered before it is filled: in a ring of star imports
        the module met again contributes what it has bound so far.
        """
        if name in self._namespaces:
            return self._namespaces[name]
        bound: dict[str, str] = {}
        self._namespaces[name] = bound
        for binding in self.project.modules[name].bindings:
            if binding.star_from:
                exported = self.exports(binding.star_from)
                if exported is None:
                    self._opaque.add(name)
                bound.update(exported or {})
            elif binding.source and binding.source.startswith("= "):
                bound[binding.name] = bound.get(binding.source[2:], f"{name}.{binding.name}")
            else:
                bound[binding.name] = self.source(binding, name)
        return bound

    def exports(self, name: str) -> dict[str, str] | None:
        """What ``from name import *`` binds -> each name's source (None: unknown)."""
        info = self.project.modules.get(name)
        if info is None:
            if name not in self._external:
                self._external[name] = external_exports(name)
            names = self._external[name]
            return None if names is None else {n: f"{name}.{n}" for n in names}
        bound = self.namespace(name)
        allowed = info.all_names if info.all_names is not None else [n for n in bound if not n.startswith("_")]
        return {n: bound.get(n, self._unbound(name, n)) for n in allowed}

    def _unbound(self, module: str, name: str) -> str:
        """The source of a name *module* is not seen binding: unknown if a star import may have."""
        return f"?{module}.{name}" if module in self._opaque else f"{module}.{name}"

    def source(self, binding: Binding, module: str) -> str:
        """Where the object a (non-star) binding binds comes from."""
        if binding.source is None:
            return f"{module}.{binding.name}"
        if binding.source.startswith("= "):
            return self.namespace(module).get(binding.source[2:], f"{module}.{binding.name}")
        if binding.source.startswith("module "):
            return binding.source
        base, _, attribute = binding.source.rpartition(".")
        if base in self.project.modules:
            return self.namespace(base).get(attribute, self._unbound(base, attribute))
        return binding.source


def differ(first: str, second: str) -> bool:
    """Whether two sources are known to be different objects ("?": not known)."""
    return first != second and not first.startswith("?") and not second.startswith("?")
