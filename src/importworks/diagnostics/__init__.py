"""Answers about imports: what was imported, by whom, from where, at what cost."""

from .trace import ImportRecord, ImportTracer, trace_imports

__all__ = ["ImportRecord", "ImportTracer", "trace_imports"]
