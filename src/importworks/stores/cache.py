"""The private cache where store entries that must be real files are put.

C extensions can only be loaded from a file, and some packages read files next
to their own ``__file__`` with ``open``.  Such entries are written once into a
content-addressed folder (named by sha256), so every process and every store
with the same bytes shares one copy, and a copy is never half-written: it is
built in a temporary folder and renamed into place.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable

__all__ = ["cache_root", "materialize"]


def cache_root() -> str:
    """``$IMPORTWORKS_CACHE``, else ``$XDG_CACHE_HOME/importworks``, else ``~/.cache/importworks``."""
    root = os.environ.get("IMPORTWORKS_CACHE")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "importworks")
    return root


def materialize(kind: str, key: str, files: Iterable[tuple[str, bytes]], executable: Collection[str] = ()) -> str:
    """Write *files* (relative path, bytes) under ``<cache>/<kind>/<key>`` once; return that folder.

    The files named in *executable* are made runnable (helper programs a package starts).
    """
    target = os.path.join(cache_root(), kind, key)
    if os.path.isdir(target):
        return target
    import shutil  # only the first use of an entry pays for these
    import tempfile

    os.makedirs(os.path.dirname(target), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=os.path.dirname(target))
    try:
        for relative, data in files:
            path = os.path.join(staging, *relative.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            if relative in executable:
                os.chmod(path, 0o755)
        try:
            os.rename(staging, target)
        except OSError:
            if not os.path.isdir(target):  # lost a race to another process: theirs is as good
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
