"""A project's modules and the imports they run at import time, read from the AST.

Nothing here imports the project: files are found by walking the folder (and
its ``src/`` if there is one), each is summarised by :mod:`.scan` (through the
parse cache of :mod:`.parsecache`), and the relative imports are resolved
here against the tree's own module names, C extensions and namespace folders
included, so that ``from . import _speedups`` is the submodule, not the
package importing itself.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Any

from . import parsecache
from .scan import Summary

__all__ = ["Binding", "ImportEdge", "ModuleInfo", "Project", "scan_project"]

_SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "site-packages"}
_EXTENSION_SUFFIXES = tuple(EXTENSION_SUFFIXES)
_EMPTY = marshal.dumps(())


@dataclass
class Binding:
    """A name bound at module level, or a ``from X import *`` (name ``*``)."""

    name: str
    line: int
    star_from: str | None = None  # resolved module of a star import
    # where the bound object comes from: "MODULE.NAME" taken by a from-import, "module MODULE"
    # for an imported module, "= NAME" for another name's object; None for a definition
    source: str | None = None
    fallback: bool = False  # bound in an except block: instead of its try block, not after it


@dataclass
class ImportEdge:
    """``module`` imports ``target`` at ``line`` when it is imported.

    ``names`` are the names a ``from target import ...`` takes from the module
    itself (not its submodules); None for ``import target``.
    """

    module: str
    target: str
    line: int
    names: tuple[str, ...] | None = None


@dataclass
class ModuleInfo:
    name: str
    path: str
    is_package: bool
    imports: list[ImportEdge] = field(default_factory=list)
    all_names: list[str] | None = None  # a literal __all__, if any
    used: frozenset[str] | None = None  # names read anywhere in the file (known when it star-imports)
    has_getattr: bool = False  # a module __getattr__ (PEP 562) answers for any name
    error: str | None = None
    raw_bindings: bytes = field(default=b"", repr=False)  # decoded by .bindings on first use
    _bindings: list[Binding] | None = field(default=None, repr=False, compare=False)
    _context: Any = field(default=None, repr=False, compare=False)

    @property
    def bindings(self) -> list[Binding]:
        """Names bound at module level, in source order (a star import is one binding, ``*``)."""
        if self._bindings is None:
            stars, known = self._context or ({}, set())
            self._bindings = [
                Binding(
                    name, line, stars.get(line) if name == "*" else None, _binding_source(self, source, known), fallback
                )
                for name, line, source, fallback in marshal.loads(self.raw_bindings or _EMPTY)
            ]
        return self._bindings

    def bound_before(self, line: int) -> set[str]:
        """Names the module has bound when its execution reaches *line*."""
        return {b.name for b in self.bindings if b.line < line}


@dataclass
class Project:
    root: str
    import_roots: list[str]
    modules: dict[str, ModuleInfo]

    def top_level(self) -> dict[str, str]:
        """Top-level module/package names and the file or folder providing each."""
        tops: dict[str, str] = {}
        for info in self.modules.values():
            top = info.name.partition(".")[0]
            if top not in tops:
                path = info.path if "." not in info.name and not info.is_package else None
                if path is None:
                    depth = info.name.count(".") + (1 if info.is_package else 0)
                    path = info.path
                    for _ in range(depth):
                        path = os.path.dirname(path)
                tops[top] = path
        return tops


def _is_venv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def _python_files(root: str, skip_src: bool) -> Iterator[tuple[str, list[str]]]:
    """(source file, []) for each .py file, and ("", extension module names) per folder."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not d.endswith((".dist-info", ".egg-info"))
            and not _is_venv(os.path.join(folder, d))
            and not (skip_src and folder == root and d == "src")
        )
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(folder, name), []
        extensions = list(_extension_names(root, folder, files))
        if extensions:
            yield "", extensions


def _module_name(root: str, path: str) -> tuple[str, bool] | None:
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts), is_package


def _resolve(module: ModuleInfo, target: str | None, level: int) -> str | None:
    if level == 0:
        return target
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    bits = package.split(".") if package else []
    if level - 1 > len(bits):
        return None
    base = ".".join(bits[: len(bits) - (level - 1)])
    return ".".join(p for p in (base, target) if p) or None


def _is_ancestor(package: str, name: str) -> bool:
    return name == package or name.startswith(package + ".")


def _fill(info: ModuleInfo, summary: Summary, known: set[str]) -> None:
    """Resolve one file's summary against the tree's module names."""
    imports, info.raw_bindings, info.all_names, used, info.has_getattr, info.error = summary
    info.used = frozenset(used) if used is not None else None
    stars: dict[int, str] = {}
    for line, level, target, names in imports:
        base = _resolve(info, target or None, level)
        if base is None:
            continue
        if names is None:
            info.imports.append(ImportEdge(info.name, base, line))
        elif names == ("*",):
            stars[line] = base
            info.imports.append(ImportEdge(info.name, base, line))
        else:
            rest = []
            for name in names:
                sub = f"{base}.{name}"
                if sub in known:
                    info.imports.append(ImportEdge(info.name, sub, line))
                else:
                    rest.append(name)
            # the package itself runs first, unless it is one of ours (then it has already started)
            if rest or base not in known or not _is_ancestor(base, info.name):
                info.imports.append(ImportEdge(info.name, base, line, tuple(rest)))
    info._context = (stars, known)


def _binding_source(info: ModuleInfo, source: tuple[Any, ...] | None, known: set[str]) -> str | None:
    if source is None:
        return None
    if source[0] == "=":
        return f"= {source[1]}"
    level, module, attribute = source
    base = _resolve(info, module or None, level) or "?"
    if attribute is None:
        return f"module {base}"
    return f"module {base}.{attribute}" if f"{base}.{attribute}" in known else f"{base}.{attribute}"


def _extension_names(root: str, folder: str, files: list[str]) -> Iterator[str]:
    """Dotted names of the C extension modules among *files* (not parsed, but importable)."""
    for name in files:
        if name.endswith(_EXTENSION_SUFFIXES):
            stem = name.partition(".")[0]
            named = _module_name(root, os.path.join(folder, stem + ".py"))
            if named is not None:
                yield named[0]


def scan_project(root: str, *, workers: int | None = None) -> Project:
    """Every module of the project at *root* (and *root*/src), read (from the parse cache if current)."""
    root = os.path.abspath(root)
    src = os.path.join(root, "src")
    roots = [root] + ([src] if os.path.isdir(src) else [])
    modules: dict[str, ModuleInfo] = {}
    known: set[str] = set()
    for import_root in roots:
        for path, extensions in _python_files(import_root, skip_src=import_root == root and len(roots) > 1):
            known.update(extensions)
            named = _module_name(import_root, path) if path else None
            if named is not None and named[0] not in modules:
                modules[named[0]] = ModuleInfo(named[0], path, named[1])
    for name in list(modules) + list(known):
        parts = name.split(".")
        known.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))  # namespace folders too
    read = parsecache.summaries(root, [info.path for info in modules.values()], workers=workers)
    for info in modules.values():
        _fill(info, read[info.path], known)
    return Project(root, roots, modules)
