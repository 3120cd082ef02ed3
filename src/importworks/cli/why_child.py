"""Run one diagnosis in this interpreter and print it as JSON (for ``--python``).

    python -m importworks.cli.why_child (why NAME | where NAME | path) [--find-only]

The parent puts importworks' ``src`` on ``PYTHONPATH`` so this works for
interpreters where importworks is not installed; that entry is taken off
``sys.path`` again (and ``PYTHONPATH`` restored) before the diagnosis, so the
report shows the interpreter as it normally is.  Output the module prints
while being imported goes to stderr; the JSON follows a marker line.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence

from ..diagnostics.isolation import preload
from ..errors import EXIT_OK, EXIT_USAGE
from .diagnose import CHILD_MARKER, compute

__all__ = ["main"]


def _restore_environment() -> None:
    src = os.environ.pop("IMPORTWORKS_CHILD_SRC", None)
    original = os.environ.pop("IMPORTWORKS_CHILD_PYTHONPATH", None)
    if original is not None:
        if original:
            os.environ["PYTHONPATH"] = original
        else:
            os.environ.pop("PYTHONPATH", None)
    if src and src in sys.path and src not in (original or "").split(os.pathsep):
        sys.path.remove(src)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the JSON of ``why``/``where``/``path`` after the marker line."""
    args = list(sys.argv[1:] if argv is None else argv)
    find_only = "--find-only" in args
    args = [a for a in args if a != "--find-only"]
    if not args or args[0] not in ("why", "where", "path") or (args[0] != "path" and len(args) != 2):
        sys.stderr.write(__doc__ or "")
        return EXIT_USAGE
    preload()  # before sys.path changes: our own modules must stay importable
    _restore_environment()
    with contextlib.redirect_stdout(sys.stderr):
        data = compute(args[0], args[1] if len(args) > 1 else None, find_only)
    sys.stdout.write(CHILD_MARKER + json.dumps(data) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
