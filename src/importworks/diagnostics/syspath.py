"""Where Python looks for modules, and why each place is on the list.

:func:`explain_path` annotates every ``sys.path`` entry with the reason it is
there (the script's folder or the working directory, ``PYTHONPATH``, the
standard library, ``lib-dynload``, site-packages of this virtual environment
or of the base interpreter, the user site, the ``.pth`` file and line that
added it), whether it exists, and which path entry finder serves it.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..stores.sniff import is_store_url

__all__ = [
    "PathEntry",
    "PthLine",
    "environment_summary",
    "explain_entry",
    "explain_path",
    "finder_label",
    "pth_lines",
    "startup_code",
    "site_dirs",
]

# kinds whose modules come with the interpreter or an installer; anything else
# on sys.path (script dir, cwd, PYTHONPATH...) is "local" and can shadow them
STDLIB_KINDS = frozenset({"stdlib", "stdlib-zip", "lib-dynload"})
INSTALLED_KINDS = frozenset({"site-packages", "base-site-packages", "user-site"})


@dataclass
class PthLine:
    """One meaningful line of a ``.pth`` file: a folder it adds, or code it runs."""

    file: str
    lineno: int
    text: str
    executes: bool
    folder: str | None = None
    # PEP 829 (3.15): a NAME.start file's entry point, and a NAME.pth import line
    # that a NAME.start beside it switches off
    entry_point: bool = False
    replaced: bool = False


# .start files are read from Python 3.15 on (PEP 829); older ones ignore them
READS_START_FILES = sys.version_info >= (3, 15)


@dataclass
class PathEntry:
    """A sys.path entry, why it is there, whether it exists, who serves it."""

    index: int
    entry: str
    kind: str
    reasons: list[str] = field(default_factory=list)
    exists: bool = False
    finder: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entry": self.entry,
            "kind": self.kind,
            "reasons": self.reasons,
            "exists": self.exists,
            "finder": self.finder,
        }


def _norm(path: str) -> str:
    return os.path.normcase(os.path.realpath(path or os.getcwd()))


def site_dirs() -> list[str]:
    """Folders ``site`` scans for .pth files: site-packages and the user site."""
    dirs = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dirs if os.path.isdir(d)]


def pth_lines(dirs: Sequence[str] | None = None) -> list[PthLine]:
    """Every folder-adding or code-running line of the .pth files in *dirs*."""
    lines = []
    for folder in dirs if dirs is not None else site_dirs():
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        starts = {n[: -len(".start")] for n in names if n.endswith(".start") and not n.startswith(".")}
        for name in names:
            if name.endswith(".pth"):
                replaced = READS_START_FILES and name[: -len(".pth")] in starts
                lines += _pth_file_lines(folder, name, replaced)
        for name in names:
            if name.endswith(".start") and not name.startswith("."):
                path = os.path.join(folder, name)
                lines += [
                    PthLine(path, lineno, text, executes=READS_START_FILES, entry_point=True)
                    for lineno, text in _meaningful_lines(path)
                ]
    return lines


def startup_code(dirs: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """What site runs at every start: .pth import lines and (3.15+) .start entry points, with their place."""
    return [
        {
            "file": line.file,
            "line": line.lineno,
            "code": line.text,
            "runs": line.executes,
            "why_not": (
                ""
                if line.executes
                else "its .start file replaces it (PEP 829)"
                if line.replaced
                else "this Python does not read .start files (3.15 and later do)"
            ),
        }
        for line in pth_lines(dirs)
        if line.executes or line.entry_point or line.replaced
    ]


def _pth_file_lines(folder: str, name: str, replaced: bool) -> list[PthLine]:
    path = os.path.join(folder, name)
    lines = []
    for lineno, stripped in _meaningful_lines(path):
        if stripped.startswith(("import ", "import\t")):
            lines.append(PthLine(path, lineno, stripped, executes=not replaced, replaced=replaced))
        else:
            added = os.path.join(folder, stripped.rstrip())
            lines.append(PthLine(path, lineno, stripped, executes=False, folder=added))
    return lines


def _meaningful_lines(path: str) -> list[tuple[int, str]]:
    """(line number, text) of a .pth or .start file's lines that are neither blank nor comments."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().splitlines()
    except OSError:
        return []
    return [(n, line.strip()) for n, line in enumerate(text, 1) if line.strip() and not line.strip().startswith("#")]


def _base_site_dirs() -> set[str]:
    paths = set()
    for key in ("purelib", "platlib"):
        base_vars = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
        paths.add(_norm(sysconfig.get_path(key, vars=base_vars)))
    return paths


def _layout() -> dict[str, Any]:
    """The known places, normalised once per call of explain_path()."""
    env_pythonpath = "" if sys.flags.ignore_environment else os.environ.get("PYTHONPATH", "")
    own_site = {_norm(p) for p in (site.getsitepackages() if hasattr(site, "getsitepackages") else [])}
    script = sys.argv[0] if sys.argv and sys.argv[0] not in ("", "-c", "-m") else None
    return {
        "stdlib": {_norm(sysconfig.get_path("stdlib")), _norm(sysconfig.get_path("platstdlib"))},
        "pythonpath": {_norm(p) for p in env_pythonpath.split(os.pathsep) if p},
        "site": own_site,
        "base_site": _base_site_dirs(),
        "user_site": _norm(site.getusersitepackages()) if site.ENABLE_USER_SITE else None,
        "pth": {_norm(line.folder): line for line in pth_lines() if line.folder},
        "cwd": _norm(os.getcwd()),
        "script_dir": _norm(os.path.dirname(os.path.abspath(script))) if script else None,
        "in_venv": sys.prefix != sys.base_prefix,
    }


def _kind_and_reasons(index: int, entry: str, layout: dict[str, Any]) -> tuple[str, list[str]]:
    norm = _norm(entry)
    reasons, kind = [], "other"
    if index == 0 and not getattr(sys.flags, "safe_path", False):
        if entry == "":
            kind = "cwd"
            reasons.append("'' = the working directory at each import (python -c, -m or the REPL)")
        elif norm == layout["script_dir"]:
            kind = "script"
            reasons.append("the folder of the running script")
        elif norm == layout["cwd"]:
            kind = "cwd"
            reasons.append("the working directory (python -m, or importworks standing in for python -c)")
    if norm in layout["pythonpath"]:
        kind = "pythonpath" if kind == "other" else kind
        reasons.append("listed in PYTHONPATH")
    if norm in layout["stdlib"]:
        kind, reasons = "stdlib", reasons + ["the standard library"]
    elif entry.endswith(".zip") and os.path.dirname(norm) in {os.path.dirname(p) for p in layout["stdlib"]}:
        kind, reasons = "stdlib-zip", reasons + ["the standard library as a zip (always listed, rarely present)"]
    elif os.path.basename(norm) == "lib-dynload":
        kind, reasons = "lib-dynload", reasons + ["the standard library's C extension modules"]
    elif norm in layout["site"] and layout["in_venv"] and norm not in layout["base_site"]:
        kind, reasons = "site-packages", reasons + [f"site-packages of this virtual environment ({sys.prefix})"]
    elif norm in layout["base_site"]:
        where = "the base interpreter" if layout["in_venv"] else "this interpreter"
        kind, reasons = "base-site-packages", reasons + [f"site-packages of {where} ({sys.base_prefix})"]
    elif norm in layout["site"]:
        kind, reasons = "site-packages", reasons + ["site-packages"]
    elif norm == layout["user_site"]:
        kind, reasons = "user-site", reasons + ["the user site-packages (pip install --user)"]
    pth = layout["pth"].get(norm)
    if pth is not None:
        kind = "pth" if kind == "other" else kind
        reasons.append(f"added by {pth.file}:{pth.lineno}")
    if not reasons:
        reasons.append("added at run time (sys.path.insert/append) or by a .pth file's code")
    return kind, reasons


def finder_label(finder: Any) -> str:
    """A path entry finder's class and origin, e.g. ``FileFinder (importworks)``."""
    if finder is None:
        return "none (no path hook accepts it)"
    cls = type(finder)
    package = cls.__module__.split(".")[0].lstrip("_")
    if package in ("frozen_importlib_external", "frozen_importlib"):
        package = "importlib"
    return f"{cls.__qualname__} ({package})"


def entry_finder(entry: str) -> tuple[Any, bool]:
    """(finder, cached?) for a path entry: from the cache, else asked of the hooks (not stored)."""
    key = entry
    if entry == "":
        try:
            key = os.getcwd()
        except OSError:
            return None, False
    if key in sys.path_importer_cache:
        return sys.path_importer_cache[key], True
    for hook in sys.path_hooks:
        try:
            return hook(key), False
        except ImportError:
            continue
    return None, False


def explain_entry(index: int, entry: Any, layout: dict[str, Any] | None = None) -> PathEntry:
    """Annotate one sys.path entry."""
    if not isinstance(entry, str):
        return PathEntry(index, repr(entry), "invalid", ["not a string: the path finder skips it"])
    kind, reasons = _kind_and_reasons(index, entry, layout or _layout())
    finder, _ = entry_finder(entry)
    exists = os.path.exists(entry or ".") or (is_store_url(entry) and finder is not None)
    return PathEntry(index, entry, kind, reasons, exists, finder_label(finder))


def explain_path(path: Sequence[Any] | None = None) -> list[PathEntry]:
    """Annotate each entry of *path* (default sys.path) in order."""
    layout = _layout()
    return [explain_entry(i, entry, layout) for i, entry in enumerate(sys.path if path is None else path)]


def environment_summary() -> dict[str, Any]:
    """This interpreter, its prefixes, and whether it is a virtual environment."""
    in_venv = sys.prefix != sys.base_prefix
    system_site = None
    cfg = os.path.join(sys.prefix, "pyvenv.cfg")
    if in_venv and os.path.isfile(cfg):
        with open(cfg, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition("=")
                if key.strip() == "include-system-site-packages":
                    system_site = value.strip().lower() == "true"
    return {
        "executable": sys.executable,
        "version": sys.version.split()[0],
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "virtual_env": in_venv,
        "system_site_packages": system_site,
    }
