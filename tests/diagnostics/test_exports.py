"""Trace exports: speedscope and Chrome trace-event JSON shapes; the tree's times add up."""

from __future__ import annotations

import json

import importworks
from importworks.diagnostics.exports import SPEEDSCOPE_SCHEMA, to_chrome_trace, to_speedscope
from importworks.diagnostics.trace import ImportRecord, trace_imports

TREE = {
    "app_iw": {
        "__init__.py": "from . import models, views\n",
        "models.py": "import json\nX = [i * i for i in range(2000)]\n",
        "views.py": "from . import models\ntry:\n    import nowhere_iw\nexcept ImportError:\n    pass\n",
    },
}


def _traced(tree):
    tree(TREE)
    with importworks.activate(), trace_imports() as tracer:
        import app_iw  # noqa: F401
    return tracer


def test_speedscope_document_has_the_schema_shape(tree):
    tracer = _traced(tree)
    doc = json.loads(to_speedscope(tracer))
    assert doc["$schema"] == SPEEDSCOPE_SCHEMA
    frames = doc["shared"]["frames"]
    assert all(isinstance(f["name"], str) for f in frames)
    assert {"app_iw", "app_iw.models", "app_iw.views", "nowhere_iw"} <= {f["name"] for f in frames}
    (profile,) = doc["profiles"]
    assert profile["type"] == "evented" and profile["unit"] == "nanoseconds"
    stack, last = [], profile["startValue"]
    for event in profile["events"]:
        assert event["type"] in ("O", "C") and 0 <= event["frame"] < len(frames)
        assert event["at"] >= last, "events are in time order"
        last = event["at"]
        if event["type"] == "O":
            stack.append(event["frame"])
        else:
            assert stack.pop() == event["frame"], "a close matches the innermost open frame"
    assert not stack and profile["endValue"] == last


def test_chrome_trace_has_complete_events_in_microseconds(tree):
    tracer = _traced(tree)
    doc = json.loads(to_chrome_trace(tracer))
    events = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert {e["ph"] for e in doc["traceEvents"]} <= {"X", "M"}
    assert len(events) == len(tracer.records())
    by_name = {e["name"]: e for e in events}
    for record in tracer.records():
        event = by_name[record.name]
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int)
        assert event["dur"] == record.cumulative_ns / 1000 and event["ts"] >= 0
    parent, child = by_name["app_iw"], by_name["app_iw.models"]
    assert parent["ts"] <= child["ts"] and child["ts"] + child["dur"] <= parent["ts"] + parent["dur"]
    assert by_name["nowhere_iw"]["args"]["error"].startswith("ModuleNotFoundError")


def _check(record: ImportRecord) -> None:
    children = sum(c.cumulative_ns for c in record.children)
    assert children <= record.cumulative_ns
    assert record.self_ns == record.cumulative_ns - children
    assert record.self_ns == record.find_ns + record.load_ns + record.exec_ns
    for child in record.children:
        assert record.start_ns <= child.start_ns and child.end_ns <= record.end_ns
        _check(child)


def test_tree_times_add_up(tree):
    tracer = _traced(tree)
    assert [r.name for r in tracer.roots] == ["app_iw"]
    for root in tracer.roots:
        _check(root)
    assert tracer.total_ns() == sum(r.cumulative_ns for r in tracer.roots)
