"""Python 3.15+: importworks' own imports are never lazy, whatever ``-X lazy_imports`` says."""

from __future__ import annotations

import sys

__all__ = ["keep_own_imports_eager"]


def keep_own_imports_eager() -> None:
    """Python 3.15+: none of importworks' own imports may be lazy (``-X lazy_imports=all``).

    Once active, the engine is what reifies lazy imports; a lazy global of its
    own would have it import itself in the middle of an import.  The filter
    wraps any filter already installed; the package's ``__init__`` runs this
    before it imports anything else, and activate() again in case the filter
    was replaced.
    """
    current = sys.get_lazy_imports_filter()  # type: ignore[attr-defined]
    if getattr(current, "_importworks_own", False):
        return

    def keep_eager(importer: str, name: str, fromlist: object) -> bool:
        if importer == "importworks" or importer.startswith("importworks."):
            return False
        return current is None or current(importer, name, fromlist)

    keep_eager._importworks_own = True  # type: ignore[attr-defined]
    sys.set_lazy_imports_filter(keep_eager)  # type: ignore[attr-defined]
