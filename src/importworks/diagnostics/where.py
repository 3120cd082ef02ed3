"""Where a module comes from: origin, loader, spec, cached file, distribution, other copies."""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import Any

from .envs import SiteDir
from .syspath import INSTALLED_KINDS, STDLIB_KINDS
from .why import V_ALSO, V_FOUND, diagnose, spec_summary

__all__ = ["locate"]


def _distribution(
    name: str, entry: str | None, kind: str | None, origin: str | None, loader: Any = None
) -> dict[str, Any] | None:
    if origin in ("built-in", "frozen") or kind in STDLIB_KINDS:
        return {"name": "the standard library", "version": sys.version.split()[0]}
    store = getattr(loader, "store", None)
    if store is not None:
        return _store_distribution(store, name.partition(".")[0])
    if entry is None:
        return None
    found = SiteDir(entry or ".").distribution_for(name.partition(".")[0])
    if found is None:
        return None
    return {"name": found[0], "version": found[1], "site": entry, "installed": kind in INSTALLED_KINDS}


def _store_distribution(store: Any, top: str) -> dict[str, Any] | None:
    """The distribution whose dist-info inside the store ships the top-level *top*."""
    from ..stores.metadata import find_store_distributions

    for dist in find_store_distributions([store], None):
        names = (dist.read_text("top_level.txt") or "").split()
        if not names:
            record = dist.read_text("RECORD") or ""
            names = [line.split(",", 1)[0].split("/", 1)[0].partition(".")[0] for line in record.splitlines()]
        if top in names:
            meta = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
            fields = dict(line.split(":", 1) for line in meta.split("\n\n", 1)[0].splitlines() if ":" in line)
            return {
                "name": fields.get("Name", "").strip() or dist.folder.partition("-")[0],
                "version": fields.get("Version", "").strip(),
                "site": store.location,
                "installed": False,
            }
    return None


def _stdlib_dir() -> str:
    return os.path.realpath(sysconfig.get_path("stdlib"))


def locate(name: str) -> dict[str, Any]:
    """Import *name* (as ``import`` would) and describe where it came from.

    Returns the ``why`` outcome too: when the import fails, the caller shows
    that diagnosis instead.
    """
    diagnosis = diagnose(name, execute=True, look_elsewhere=False)
    result: dict[str, Any] = {
        "name": name,
        "outcome": diagnosis.outcome,
        "ok": diagnosis.ok,
        "diagnosis": diagnosis.to_dict(),
    }
    module = sys.modules.get(name)
    if not diagnosis.ok or module is None:
        return result
    spec = getattr(module, "__spec__", None)
    summary = spec_summary(spec) if spec is not None else {}
    winner = next((s for s in diagnosis.steps if s.verdict == V_FOUND), None)
    if name.rpartition(".")[0] and winner is not None:
        # for submodules the parent's __path__ was walked: classify by the top package
        top = next(
            (
                s
                for s in diagnose(name.partition(".")[0], execute=False, look_elsewhere=False).steps
                if s.verdict == V_FOUND
            ),
            None,
        )
        kind = top.kind if top else None
        entry = top.entry if top else None
    else:
        kind, entry = (winner.kind, winner.entry) if winner else (None, None)
    origin = summary.get("origin") or getattr(module, "__file__", None)
    if kind is None and origin and os.path.realpath(origin).startswith(_stdlib_dir()):
        kind = "stdlib"
    result.update(
        {
            "origin": origin,
            "file": getattr(module, "__file__", None),
            "loader": summary.get("loader"),
            "spec": repr(spec),
            "cached": summary.get("cached"),
            "is_package": hasattr(module, "__path__"),
            "search_locations": summary.get("submodule_search_locations"),
            "sys_path_entry": entry,
            "entry_kind": kind,
            "distribution": _distribution(name, entry, kind, origin, getattr(spec, "loader", None)),
            "other_copies": [
                {"entry": s.entry, "origin": s.origin, "kind": s.kind} for s in diagnosis.steps if s.verdict == V_ALSO
            ],
            "notes": [c.message for c in diagnosis.causes],
        }
    )
    return result
