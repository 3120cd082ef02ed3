"""Load the diagnostics' own dependencies without letting local files shadow them.

``importworks why random`` is typically run in a folder holding ``random.py``.
``difflib`` imports ``heapq``, ``dataclasses`` imports ``inspect`` (and doctor's
cache ``tempfile``, which imports ``random``): without care the diagnosis
would crash on the very problem it is asked about.  So the
tools' dependencies are imported with the "local" sys.path entries (the
script's folder or working directory, PYTHONPATH) hidden, and then every module
this pulled in whose name a local entry also provides is dropped again from
``sys.modules``: our code keeps its references, while the user's next import
of that name searches afresh, exactly as in a clean interpreter.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

__all__ = ["DEPENDENCIES", "DOCTOR_DEPENDENCIES", "local_entries_hidden", "preload"]

DEPENDENCIES = (
    "difflib",
    "ast",
    "json",
    "traceback",
    "dataclasses",
    "sysconfig",
    "site",
    "importworks.diagnostics.causes",
    "importworks.diagnostics.envs",
    "importworks.diagnostics.syspath",
    "importworks.diagnostics.why",
    "importworks.diagnostics.where",
    "importworks.diagnostics.diagnosis_text",
)
DOCTOR_DEPENDENCIES = ("ast", "marshal", "tempfile", "importworks.diagnostics.doctor")


def _local_entries() -> list[str]:
    """sys.path entries that are neither the stdlib nor site-packages."""
    import sysconfig

    stdlib = os.path.dirname(sysconfig.get_path("stdlib"))
    local = []
    for entry in sys.path:
        if not isinstance(entry, str):
            continue
        real = os.path.realpath(entry or ".")
        if (
            real.startswith((os.path.realpath(stdlib), os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)))
            or "site-packages" in real
        ):
            continue
        local.append(entry)
    return local


def _provided_by(entries: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for entry in entries:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        names.update(n.split(".")[0] for n in listing)
    return names


@contextmanager
def local_entries_hidden() -> Iterator[None]:
    """Run the block with local sys.path entries hidden; then forget the stdlib copies it imported that they shadow."""
    local = _local_entries()
    ours = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    hidden = [e for e in local if os.path.realpath(e or ".") != os.path.realpath(ours)]
    before = set(sys.modules)
    saved = list(sys.path)
    sys.path[:] = [e for e in sys.path if e not in hidden]
    try:
        yield
    finally:
        sys.path[:] = saved
        shadowed = _provided_by(hidden)
        for name in set(sys.modules) - before:
            if name.partition(".")[0] in shadowed and not name.startswith("importworks"):
                del sys.modules[name]


def preload(modules: Iterable[str] = DEPENDENCIES) -> None:
    """Import *modules* with local entries hidden; forget the stdlib copies they shadow."""
    with local_entries_hidden():
        for name in modules:
            importlib.import_module(name)
