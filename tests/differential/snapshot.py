"""Import modules in this interpreter, then print what sys.modules holds, as JSON.

The child half of the differential test (tests/test_differential.py), run in a
fresh interpreter once per mode:

    python -S snapshot.py --mode stock    --modules json,email.mime.text
    python -S snapshot.py --mode activate --modules-file names.txt [--via import_module]

``--mode activate`` calls ``importworks.activate()`` first thing; ``--mode
stock`` only imports importworks, so that both runs start from the same
sys.modules (importworks' own imports, such as threading and warnings, are then
in both).  The names are imported in order, each as an ``import`` statement
does it, through ``builtins.__import__`` (or, with ``--via import_module``,
through ``importlib.import_module``: activate() replaces both).  Each one's
outcome (``null`` or ``[exception type, message]``) is recorded, so a module
that fails with the stock machinery must fail the same way under the engine.

The JSON printed on stdout lists the modules that entered sys.modules after
the snapshot point ("new"), and holds for every module then in sys.modules
(importworks' own excepted) its ``__spec__`` fields, ``__file__``,
``__package__`` and sorted ``dir()``: a module from before the snapshot point
can still change, as a package gains a submodule or a module a
``__warningregistry__``.

Whatever this script imports before the snapshot point escapes the
comparison, so it imports almost nothing (no argparse, json only at the end).
Run it with ``python -S``: site and the ``.pth`` files then run after the
snapshot point (``site.main()``), and the modules they pull in at start-up are
compared too.  What importworks itself imports stays out of reach: both runs
load it with the stock machinery before the snapshot point.

Whatever the imported modules print, at the Python or the C level, goes to
stderr: file descriptor 1 is pointed at 2 while they run, and the JSON goes to
the original stdout.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any

# This file's folder would be sys.path[0]; nothing in it is meant to be importable.
if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

ABSENT = "<absent>"  # the attribute does not exist (as opposed to being None)
SPEC_FIELDS = ("name", "origin", "parent", "submodule_search_locations", "has_location", "cached")


def _jsonable(value: Any) -> Any:
    """Turn an attribute value into something json.dumps takes and == compares."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    try:
        # _NamespacePath and other iterables of paths compare as plain lists
        return [_jsonable(item) for item in list(value)]
    except Exception:
        return f"<{type(value).__name__}>"


def _attribute(obj: Any, name: str) -> Any:
    """Read *name* without waking a module-level __getattr__ (which may import)."""
    try:
        if isinstance(obj, ModuleType):
            namespace = vars(obj)
            return _jsonable(namespace[name]) if name in namespace else ABSENT
        return _jsonable(getattr(obj, name, ABSENT))
    except Exception as exc:  # a property that raises is itself a fact to compare
        return f"<error {type(exc).__name__}: {exc}>"


def _spec_fields(spec: Any) -> dict[str, Any]:
    if spec is ABSENT or spec is None:
        return {f"__spec__.{field}": ABSENT if spec is ABSENT else None for field in SPEC_FIELDS}
    fields = {f"__spec__.{field}": _attribute(spec, field) for field in SPEC_FIELDS}
    # Only the class name: the stock loaders live in _frozen_importlib_external.
    fields["__spec__.loader (class)"] = type(getattr(spec, "loader", None)).__name__
    return fields


def _spec_of(module: Any) -> Any:
    if isinstance(module, ModuleType):
        return vars(module).get("__spec__", ABSENT)
    try:  # a stand-in object (IPython's ShimModule, six's lazy modules) may import here
        return getattr(module, "__spec__", ABSENT)
    except Exception:
        return ABSENT


def describe(module: Any) -> dict[str, Any]:
    """Return the compared facts about one sys.modules value."""
    facts = {"__name__": _attribute(module, "__name__"), **_spec_fields(_spec_of(module))}
    for name in ("__file__", "__cached__", "__package__", "__path__"):
        facts[name] = _attribute(module, name)
    try:
        facts["dir()"] = sorted(dir(module))
    except Exception as exc:
        facts["dir()"] = f"<error {type(exc).__name__}: {exc}>"
    return facts


def import_each(names: list[str], via: str = "import") -> dict[str, Any]:
    """Import *names* in order; map each to None or [exception type, message]."""
    results: dict[str, Any] = {}
    for name in names:
        try:
            if via == "import":
                __import__(name)  # what `import a.b` runs; activate() replaced it
            else:
                importlib.import_module(name)  # looked up now: activate() replaces it
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit from a module body counts too
            kind = type(exc)
            results[name] = [f"{kind.__module__}.{kind.__qualname__}", str(exc)]
        else:
            results[name] = None
    return results


def snapshot(mode: str, names: list[str], paths: list[str], via: str = "import") -> dict[str, Any]:
    """Set up *mode*, import *names*, and return the JSON-ready report."""
    sys.path[:0] = paths
    import importworks

    if mode == "activate":
        # Before 3.15 the stock interpreter has no PEP 810: a module's
        # __lazy_modules__ means nothing to it (packaging 26 lists its own
        # submodules there).  activate()'s default binds those lazily, by design,
        # so the comparison with stock installs no lazy hook at all; on 3.15 both
        # sides honour __lazy_modules__ and the default is compared.
        importworks.activate(lazy="normal" if sys.version_info >= (3, 15) else None)
    baseline = set(sys.modules)
    if sys.flags.no_site:
        import site

        site.main()  # what start-up would have done, now under the mode's machinery
    results = import_each(names, via)
    modules = {
        name: describe(module) for name, module in list(sys.modules.items()) if not name.startswith("importworks")
    }
    return {
        "mode": mode,
        "python": sys.version,
        "baseline": sorted(name for name in baseline if not name.startswith("importworks")),
        "new": sorted(name for name in modules if name not in baseline),
        "results": results,
        "modules": modules,
    }


USAGE = (
    "usage: snapshot.py --mode stock|activate [--modules A,B] [--modules-file F]"
    " [--path DIR]... [--via import|import_module]"
)


def parse_args(argv: list[str]) -> tuple[str, list[str], list[str], str]:
    """Return (mode, names, extra sys.path folders, via); raise SystemExit(USAGE) if malformed.

    Hand-rolled: argparse (and gettext behind it) would be imported before the
    snapshot point and so never be compared.
    """
    options: dict[str, list[str]] = {"--mode": [], "--modules": [], "--modules-file": [], "--path": [], "--via": []}
    args = iter(argv)
    for flag in args:
        value = next(args, None)
        if flag not in options or value is None:
            raise SystemExit(USAGE)
        options[flag].append(value)
    if options["--mode"] not in (["stock"], ["activate"]) or options["--via"] not in (
        [],
        ["import"],
        ["import_module"],
    ):
        raise SystemExit(USAGE)
    text = ",".join(options["--modules"])
    for filename in options["--modules-file"]:
        with open(filename, encoding="utf-8") as file:
            text += "," + ",".join(file.read().split())
    names = [name.strip() for name in text.split(",") if name.strip()]
    return options["--mode"][0], names, options["--path"], (options["--via"] or ["import"])[0]


def main(argv: list[str] | None = None) -> int:
    mode, names, paths, via = parse_args(sys.argv[1:] if argv is None else argv)
    sys.stdout.flush()
    report_fd = os.dup(1)
    os.dup2(2, 1)  # module bodies that print (at any level) print to stderr
    report = snapshot(mode, names, paths, via)
    import json  # only now: imported earlier it would escape the comparison

    with os.fdopen(report_fd, "w", encoding="utf-8") as out:
        json.dump(report, out, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    # No interpreter shutdown: a thread or an atexit hook that an imported module
    # left behind must not hang or fail the child once its report is out.
    os._exit(status)
