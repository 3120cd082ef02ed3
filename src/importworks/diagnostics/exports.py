"""A traced import run in the formats of the tools people already use.

* :func:`to_speedscope`: speedscope's file format
  (https://www.speedscope.app/file-format-schema.json), one "evented" profile
  per thread, each import a frame opened (``O``) when its finders are first
  asked and closed (``C``) when its body ends.  Drop the file on speedscope.app.
* :func:`to_chrome_trace`: Chrome's trace-event format, one complete (``X``)
  event per import with ``ts``/``dur`` in microseconds; open it in
  ``chrome://tracing`` or https://ui.perfetto.dev.  The find/load/exec split
  and the module's source are in each event's ``args``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .trace import ImportRecord, ImportTracer
from .trace_formats import source_kind

__all__ = ["SPEEDSCOPE_SCHEMA", "to_chrome_trace", "to_speedscope"]

SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json"


def _end(record: ImportRecord) -> int:
    return record.end_ns if record.end_ns is not None else record.start_ns


def _threads(tracer: ImportTracer) -> dict[str, list[ImportRecord]]:
    threads: dict[str, list[ImportRecord]] = {}
    for root in tracer.roots:
        threads.setdefault(root.thread, []).append(root)
    return threads


def to_speedscope(tracer: ImportTracer, name: str = "imports") -> str:
    """The run as a speedscope JSON document (nanosecond timestamps, per-thread profiles)."""
    frames: list[dict[str, Any]] = []
    frame_index: dict[tuple[str, str | None], int] = {}
    start = min((r.start_ns for r in tracer.roots), default=0)

    def frame(record: ImportRecord) -> int:
        key = (record.name, record.origin)
        if key not in frame_index:
            frame_index[key] = len(frames)
            entry: dict[str, Any] = {"name": record.name}
            if record.origin and os.path.isabs(record.origin):
                entry["file"] = record.origin
            frames.append(entry)
        return frame_index[key]

    def events(record: ImportRecord, out: list[dict[str, Any]]) -> None:
        index = frame(record)
        out.append({"type": "O", "frame": index, "at": record.start_ns - start})
        for child in record.children:
            events(child, out)
        out.append({"type": "C", "frame": index, "at": _end(record) - start})

    profiles = []
    for thread, roots in _threads(tracer).items():
        out: list[dict[str, Any]] = []
        for root in roots:
            events(root, out)
        profiles.append(
            {
                "type": "evented",
                "name": f"{name} ({thread})",
                "unit": "nanoseconds",
                "startValue": out[0]["at"] if out else 0,
                "endValue": out[-1]["at"] if out else 0,
                "events": out,
            }
        )
    document = {
        "$schema": SPEEDSCOPE_SCHEMA,
        "name": name,
        "activeProfileIndex": 0,
        "exporter": "importworks",
        "shared": {"frames": frames},
        "profiles": profiles,
    }
    return json.dumps(document)


def to_chrome_trace(tracer: ImportTracer) -> str:
    """The run as Chrome trace-event JSON: an ``X`` event per import, times in µs."""
    pid = os.getpid()
    tids = {thread: index + 1 for index, thread in enumerate(_threads(tracer))}
    start = min((r.start_ns for r in tracer.roots), default=0)
    events: list[dict[str, Any]] = [
        {"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": thread}}
        for thread, tid in tids.items()
    ]
    for record in tracer.records():
        events.append(
            {
                "name": record.name,
                "cat": "import",
                "ph": "X",
                "pid": pid,
                "tid": tids[record.thread],
                "ts": (record.start_ns - start) / 1000,
                "dur": record.cumulative_ns / 1000,
                "args": {
                    "source": source_kind(record),
                    "origin": record.origin,
                    "error": record.error,
                    "importer": record.importer,
                    "self_us": record.self_ns / 1000,
                    "find_us": record.find_ns / 1000,
                    "load_us": record.load_ns / 1000,
                    "exec_us": record.exec_ns / 1000,
                },
            }
        )
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ms"})
