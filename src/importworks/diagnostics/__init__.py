"""Answers about imports: what was imported, by whom, from where, at what cost; why one fails.

The submodules load on first use (PEP 562), so ``activate()`` can install the
error hints (:mod:`.hints`) without paying for the tracer or the diagnostics.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ImportRecord", "ImportTracer", "trace_imports"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(f"{__name__}.trace"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
