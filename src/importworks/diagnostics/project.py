"""A project's modules and the imports they run at import time, read from the AST.

Nothing here imports the project: files are found by walking the folder (and
its ``src/`` if there is one), parsed with :mod:`ast`, and only statements
that run when the module is imported count (module level, including ``if``
and ``try`` blocks; not function bodies, not ``if TYPE_CHECKING:``).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Iterator

__all__ = ["Binding", "ImportEdge", "ModuleInfo", "Project", "scan_project"]

_SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "site-packages"}


@dataclass
class Binding:
    """A name bound at module level, or a ``from X import *`` (name ``*``)."""

    name: str
    line: int
    star_from: str | None = None  # resolved module of a star import


@dataclass
class ImportEdge:
    """``module`` imports ``target`` at ``line`` when it is imported."""

    module: str
    target: str
    line: int


@dataclass
class ModuleInfo:
    name: str
    path: str
    is_package: bool
    bindings: list[Binding] = field(default_factory=list)
    imports: list[ImportEdge] = field(default_factory=list)
    all_names: list[str] | None = None  # a literal __all__, if any
    error: str | None = None


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


def _python_files(root: str, skip_src: bool) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS
                         and not _is_venv(os.path.join(folder, d))
                         and not (skip_src and folder == root and d == "src"))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


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


def _runtime_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements executed at import time (descending into if/try/with, not defs)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            test = node.test
            name = getattr(test, "id", None) or getattr(test, "attr", None)
            if name != "TYPE_CHECKING":
                yield from _runtime_statements(node.body)
            yield from _runtime_statements(node.orelse)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _runtime_statements(block)
        elif isinstance(node, (ast.With, ast.For, ast.While)):
            yield from _runtime_statements(node.body)


def _target_names(target: ast.AST) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def _literal_all(node: ast.stmt) -> list[str] | None:
    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            return None
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else None
    return None


def _read(info: ModuleInfo, known: set[str]) -> None:
    try:
        with open(info.path, "rb") as f:
            tree = ast.parse(f.read(), info.path)
    except (SyntaxError, ValueError, OSError) as exc:
        info.error = f"{type(exc).__name__}: {exc}"
        return
    for node in _runtime_statements(tree.body):
        info.all_names = _literal_all(node) if _literal_all(node) is not None else info.all_names
        if isinstance(node, ast.Import):
            for alias in node.names:
                info.imports.append(ImportEdge(info.name, alias.name, node.lineno))
                info.bindings.append(Binding((alias.asname or alias.name).partition(".")[0], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(info, node.module, node.level)
            if base is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    info.bindings.append(Binding("*", node.lineno, star_from=base))
                    info.imports.append(ImportEdge(info.name, base, node.lineno))
                    continue
                sub = f"{base}.{alias.name}"
                info.imports.append(ImportEdge(info.name, sub if sub in known else base, node.lineno))
                info.bindings.append(Binding(alias.asname or alias.name, node.lineno))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            info.bindings.append(Binding(node.name, node.lineno))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                info.bindings += [Binding(n, node.lineno) for n in _target_names(target)]
        elif isinstance(node, (ast.For, ast.With)):
            targets = [node.target] if isinstance(node, ast.For) else [i.optional_vars for i in node.items
                                                                          if i.optional_vars is not None]
            for target in targets:
                info.bindings += [Binding(n, node.lineno) for n in _target_names(target)]


def scan_project(root: str) -> Project:
    """Every module of the project at *root* (and *root*/src), parsed."""
    root = os.path.abspath(root)
    src = os.path.join(root, "src")
    roots = [root] + ([src] if os.path.isdir(src) else [])
    modules: dict[str, ModuleInfo] = {}
    for import_root in roots:
        for path in _python_files(import_root, skip_src=import_root == root and len(roots) > 1):
            named = _module_name(import_root, path)
            if named is not None and named[0] not in modules:
                modules[named[0]] = ModuleInfo(named[0], path, named[1])
    known = set(modules)
    for info in modules.values():
        _read(info, known)
    return Project(root, roots, modules)
