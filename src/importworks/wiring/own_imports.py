"""Python 3.15+: importworks' own imports are never lazy, whatever ``-X lazy_imports`` says.

No ``from __future__ import annotations`` here nor in the package's
``__init__``: under ``-X lazy_imports=all`` it would be bound lazily, before
the filter exists.  What they annotate is valid at run time on 3.10+.
"""

import sys

from .._own import is_own_module

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

    # the helper is held as a default: the filter is still asked at shutdown,
    # when this module's namespace may be gone
    # (annotated object: an import of Callable would itself stay lazy here)
    def keep_eager(importer: str | None, name: str, fromlist: object, _own: object = is_own_module) -> bool:
        if _own(importer):  # type: ignore[operator]
            return False
        return current is None or current(importer, name, fromlist)

    keep_eager._importworks_own = True  # type: ignore[attr-defined]
    sys.set_lazy_imports_filter(keep_eager)  # type: ignore[attr-defined]
