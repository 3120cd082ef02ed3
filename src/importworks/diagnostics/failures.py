"""What an ImportError raised by a module's own code means: a failing cycle, a relative import too deep.

Both are read from the traceback itself: each module body that was running
is a frame whose code is ``<module>``, with the module's globals (its
``__name__``, ``__package__``) and the line it had reached.  That chain is the
import chain at the moment of failure, so a circular import is shown as the
steps that really ran, with file:line of each.
"""

from __future__ import annotations

import linecache
import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any

__all__ = ["ModuleFrame", "circular_import", "module_frames", "relative_too_deep"]

_PARTIAL = re.compile(r"partially initialized module '([^']+)'")
_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)'")
_HAS_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_FROM_DOTS = re.compile(r"^\s*from\s+(\.+)\s*([\w.]*)\s+import\b")

BEYOND_TOP = "attempted relative import beyond top-level package"
NO_PARENT = "attempted relative import with no known parent package"


@dataclass
class ModuleFrame:
    """A module body that was running when the exception passed: its name, file and line."""

    name: str
    package: str | None
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def module_frames(tb: TracebackType | None) -> list[ModuleFrame]:
    """The module bodies on the traceback, outermost first."""
    frames = []
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "<module>":
            globals_ = frame.f_globals
            frames.append(
                ModuleFrame(
                    str(globals_.get("__name__")), globals_.get("__package__"), frame.f_code.co_filename, tb.tb_lineno
                )
            )
        tb = tb.tb_next
    return frames


def circular_import(exc: BaseException) -> dict[str, Any] | None:
    """The cycle behind "partially initialized module" errors: its steps, the missing name."""
    found = _PARTIAL.search(str(exc))
    if found is None or not isinstance(exc, (ImportError, AttributeError)):
        return None
    partial = found.group(1)
    wanted = _CANNOT_IMPORT.search(str(exc)) or _HAS_NO_ATTRIBUTE.search(str(exc))
    frames = module_frames(exc.__traceback__)
    start = next((i for i, f in enumerate(frames) if f.name == partial), None)
    if start is None:
        return None
    ring = frames[start:]
    steps = [f"{f.where} imports {ring[i + 1].name}" for i, f in enumerate(ring[:-1])]
    name = wanted.group(1) if wanted else None
    asks = f"asks {partial} for {name!r}" if name else f"uses {partial}"
    steps.append(f"{ring[-1].where} {asks} while {partial} is partially initialised")
    return {
        "module": partial,
        "name": name,
        "chain": [f.name for f in ring] + [partial],
        "steps": steps,
        "stopped_at": ring[0].where,
        "frames": [{"module": f.name, "file": f.file, "line": f.line} for f in ring],
    }


def _level_of(frame: ModuleFrame) -> tuple[int, str] | None:
    """(dots, module) of the relative import on the frame's line."""
    found = _FROM_DOTS.match(linecache.getline(frame.file, frame.line))
    return (len(found.group(1)), found.group(2)) if found else None


def relative_too_deep(exc: BaseException) -> dict[str, Any] | None:
    """The importer of a relative import that goes above its top-level package (or has none)."""
    if not isinstance(exc, ImportError) or str(exc) not in (BEYOND_TOP, NO_PARENT):
        return None
    frames = module_frames(exc.__traceback__)
    if not frames:
        return None
    frame = frames[-1]
    level = _level_of(frame)
    dots, target = level if level else (None, "")
    package = frame.package or ""
    depth = len(package.split(".")) if package else 0
    return {
        "module": frame.name,
        "package": package,
        "depth": depth,
        "level": dots,
        "target": target,
        "file": frame.file,
        "line": frame.line,
        "top": package.partition(".")[0] or None,
        "code": linecache.getline(frame.file, frame.line).strip(),
    }
