"""unused_imports(): modules a traced run imported and never used after import."""

from __future__ import annotations

import types

import pytest

from importworks.diagnostics.trace import ImportTracer, trace_imports
from importworks.lazy import format_unused, probe_usage, unused_imports


def test_lists_modules_never_used_after_their_import(logged, engine):
    logged({"app.py": "import heavy\nimport other\nimport pkg.sub\nprint(other.VALUE)\n"})
    with trace_imports() as tracer, probe_usage(tracer):
        import app  # noqa: F401
    rows = unused_imports(tracer)
    names = [row.name for row in rows]
    assert set(names) == {"app", "heavy", "pkg", "pkg.sub"}  # log and other were read
    assert all(row.cumulative_ns >= row.self_ns >= 0 for row in rows)
    assert names == [row.name for row in sorted(rows, key=lambda r: -r.cumulative_ns)]
    heavy = next(row for row in rows if row.name == "heavy")
    assert heavy.importer == "app" and heavy.origin.endswith("heavy.py")


def test_probed_modules_get_their_plain_class_back(logged, engine):
    logged({"app.py": "import heavy\n"})
    with trace_imports() as tracer, probe_usage(tracer):
        import app
    assert type(app) is types.ModuleType and type(app.heavy) is types.ModuleType


def test_a_module_used_later_is_not_listed(logged, engine):
    logged({"app.py": "import heavy\ndef later():\n    return heavy.X\n"})
    with trace_imports() as tracer, probe_usage(tracer):
        import app

        app.later()
    assert "heavy" not in [row.name for row in unused_imports(tracer)]


def test_unused_imports_needs_the_probe():
    with pytest.raises(ValueError) as info:
        unused_imports(ImportTracer())
    assert str(info.value) == "no usage was recorded for this tracer: run the program inside probe_usage(tracer)"


def test_format_unused_prints_a_table(logged, engine):
    logged({"app.py": "import heavy\n"})
    with trace_imports() as tracer, probe_usage(tracer):
        import app  # noqa: F401
    lines = format_unused(unused_imports(tracer)).splitlines()
    assert lines[0] == " cumul ms  self ms  module  [imported by]"
    assert any(line.endswith("  heavy  [app]") for line in lines)
    assert lines[-1].startswith("2 modules imported and never used after import; ")


def test_report_lists_each_lazy_import_where_it_was_first_used_and_what_stayed_eager(logged, lazy_mode):
    """The data behind `importworks trace --lazy`."""
    from importworks.lazy.report import record_lazy_imports

    logged(
        {
            "app.py": "from heavy import X\nimport other\nfrom sentinel import UNSET\ndef f(x=UNSET):\n    return x\n",
            "sentinel.py": "UNSET = object()\n",
        }
    )
    lazy_mode("all")
    with record_lazy_imports() as report:
        import app

        app.X + 1
    rows = {record.what: record for record in report.lazy}
    assert set(rows) == {"heavy.X", "other"}
    assert rows["heavy.X"].lineno == 1 and rows["heavy.X"].used_at == (__file__, _line_of("app.X + 1"))
    assert rows["other"].used_at is None
    assert [(item.what, item.rule, item.lineno) for item in report.eager] == [
        ("sentinel.UNSET", "the module body reads the name", 3)  # each name the from-import takes
    ]
    text = report.format()
    assert "other" in text and "never reified" in text and "2 lazy imports, 1 never reified" in text
    assert report.as_dict()["eager"][0]["rule"] == "the module body reads the name"


def _line_of(text: str) -> int:
    with open(__file__) as source:
        return next(number for number, line in enumerate(source, 1) if line.strip() == text)
