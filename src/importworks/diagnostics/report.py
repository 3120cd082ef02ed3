"""Render a traced import run: a tree for people, the ``-X importtime`` format for tools."""

from __future__ import annotations

import json
from typing import Any

from .trace import ImportRecord, ImportTracer

__all__ = ["format_importtime", "format_tree", "source_kind", "to_json"]

_SOURCE_BY_LOADER = {
    "SourceFileLoader": "folder",
    "SourcelessFileLoader": "folder (pyc)",
    "ExtensionFileLoader": "extension",
    "BuiltinImporter": "built-in",
    "FrozenImporter": "frozen",
    "NamespaceLoader": "namespace",
    "zipimporter": "zip",
}


def source_kind(record: ImportRecord) -> str:
    """Where a module came from, in one word: folder, zip, sqlite, built-in..."""
    if record.error:
        return "failed"
    return _SOURCE_BY_LOADER.get(record.loader or "", record.loader or "namespace")


def _ms(ns: int) -> str:
    return f"{ns / 1e6:8.2f}"


def format_tree(tracer: ImportTracer, *, top: int | None = None) -> str:
    """An indented tree, slowest first at each level, with per-phase times in ms.

    With *top*, only the *top* slowest top-level imports are shown (their
    subtrees in full) and a summary line counts the rest.
    """
    lines = [f"{'cumul ms':>8} {'self ms':>8} {'find':>8} {'load':>8} {'exec':>8}  module  [source] origin"]
    roots = sorted(tracer.roots, key=lambda r: r.cumulative_ns, reverse=True)
    shown = roots if top is None else roots[:top]

    def add(record: ImportRecord, depth: int) -> None:
        origin = record.error or record.origin or ""
        lines.append(f"{_ms(record.cumulative_ns)} {_ms(record.self_ns)} {_ms(record.find_ns)} "
                     f"{_ms(record.load_ns)} {_ms(record.exec_ns)}  {'  ' * depth}{record.name}  "
                     f"[{source_kind(record)}] {origin}")
        for child in sorted(record.children, key=lambda r: r.cumulative_ns, reverse=True):
            add(child, depth + 1)

    for record in shown:
        add(record, 0)
    count = len(tracer.records())
    hidden = len(roots) - len(shown)
    summary = f"{count} modules imported in {tracer.total_ns() / 1e6:.2f} ms"
    if hidden:
        summary += f" ({hidden} more top-level imports not shown; use --top)"
    lines.append(summary)
    return "\n".join(lines)


def format_importtime(tracer: ImportTracer) -> str:
    """The text CPython prints for ``-X importtime`` (microseconds, children first)."""
    lines = ["import time: self [us] | cumulative | imported package"]

    def add(record: ImportRecord, depth: int) -> None:
        for child in record.children:
            add(child, depth + 1)
        lines.append(f"import time: {record.self_ns // 1000:>9} | {record.cumulative_ns // 1000:>10} | "
                     f"{'  ' * depth}{record.name}")

    for root in tracer.roots:
        add(root, 0)
    return "\n".join(lines)


def to_json(tracer: ImportTracer) -> str:
    """Every record as JSON, nested like the import tree."""

    def encode(record: ImportRecord) -> dict[str, Any]:
        return {
            "name": record.name, "importer": record.importer, "thread": record.thread,
            "origin": record.origin, "source": source_kind(record), "error": record.error,
            "cumulative_ns": record.cumulative_ns, "self_ns": record.self_ns,
            "find_ns": record.find_ns, "load_ns": record.load_ns, "exec_ns": record.exec_ns,
            "children": [encode(child) for child in record.children],
        }

    return json.dumps({"total_ns": tracer.total_ns(), "imports": [encode(r) for r in tracer.roots]},
                      indent=1)
