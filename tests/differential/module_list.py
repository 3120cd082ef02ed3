"""The names the differential test imports: the standard library, then site-packages.

Nothing here imports the modules it lists: top-level names are located with
``importlib.machinery.PathFinder`` over the standard library's or
site-packages' folders (never through sys.meta_path, where a finder such as
setuptools' distutils shim imports as it searches), and packages are walked
with ``pkgutil.iter_modules`` over their folders, which only reads directories.

    python tests/differential/module_list.py [--third-party none|top|all]

prints the names, one a line (a file ``snapshot.py --modules-file`` takes).
Modules that fail to import with the stock machinery (``winreg`` on Linux, say)
stay in the list on purpose: they must fail the same way under the engine.
"""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import os
import pkgutil
import site
import sys
import sysconfig
from collections.abc import Iterator

# Names left out, each with the reason.  A key covers the module and everything
# below it; SKIPPED_PARTS covers any name with such a dotted component.
SKIPPED: dict[str, str] = {
    "__main__": "the running program, not a module to import",
    "antigravity": "opens a web browser on import",
    "idlelib": "the IDLE application: idlelib.idle starts it on import",
    "turtledemo": "demo programs for the turtle GUI, not a library",
    "test": "CPython's regression suite: test.autotest runs it on import",
    "lib2to3.tests": "lib2to3's test suite; its data folder holds Python 2 sources",
    "importworks": "the engine under test, loaded before the snapshot point in both runs",
}
SKIPPED_PARTS: dict[str, str] = {
    "__main__": "a package's __main__ runs the program on import (venv, ensurepip, pip, ...)",
    "test": "a package's test suite, not its library",
    "tests": "a package's test suite, not its library",
    "idle_test": "IDLE's test suite",
    "conftest": "pytest configuration, not a module",
}
# Frozen modules the interpreter carries only for testing frozen imports: not
# in sys.stdlib_module_names, but the best check of FrozenImporter there is.
# Each Python has some of them; the others must fail the same way on both sides.
FROZEN_TEST_MODULES = (
    "__hello__",
    "__hello_alias__",
    "__hello_only__",
    "__phello__",
    "__phello__.ham",
    "__phello__.ham.eggs",
    "__phello__.spam",
    "__phello_alias__",
    "__phello_alias__.spam",
)
THIRD_PARTY_CHOICES = ("none", "top", "all")


def skip_reason(fullname: str) -> str | None:
    """Why *fullname* is not imported, or None if it is."""
    parts = fullname.split(".")
    for depth in range(len(parts), 0, -1):
        reason = SKIPPED.get(".".join(parts[:depth]))
        if reason:
            return reason
    for part in parts:
        if part in SKIPPED_PARTS:
            return SKIPPED_PARTS[part]
    return None


def _walk(prefix: str, locations: list[str]) -> Iterator[str]:
    """Yield the dotted names of everything below a package, without importing it."""
    for info in sorted(pkgutil.iter_modules(locations), key=lambda info: info.name):
        fullname = f"{prefix}.{info.name}"
        if not info.name.isidentifier() or skip_reason(fullname):
            continue
        yield fullname
        if info.ispkg:
            folders = [os.path.join(location, info.name) for location in locations]
            yield from _walk(fullname, [folder for folder in folders if os.path.isdir(folder)])


def _with_submodules(name: str, folders: list[str]) -> Iterator[str]:
    """Yield *name* and, if it is a package in *folders*, every name below it."""
    yield name
    spec = importlib.machinery.PathFinder.find_spec(name, folders)
    if spec is not None and spec.submodule_search_locations:
        yield from _walk(name, list(spec.submodule_search_locations))


def stdlib_folders() -> list[str]:
    """The folders of the standard library: sources, then extension modules."""
    paths = sysconfig.get_paths()
    folders = [paths["stdlib"], paths["platstdlib"], os.path.join(paths["platstdlib"], "lib-dynload")]
    return [folder for folder in dict.fromkeys(folders) if os.path.isdir(folder)]


def stdlib_modules() -> list[str]:
    """Every top-level standard library module and, for packages, their submodules."""
    folders = stdlib_folders()
    names: list[str] = []
    for name in sorted(sys.stdlib_module_names):
        if not skip_reason(name):
            names.extend(_with_submodules(name, folders))
    return names + list(FROZEN_TEST_MODULES)


def site_folders() -> list[str]:
    """The site-packages folders of this interpreter (and the user's, if it exists)."""
    folders = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    folders.append(site.getusersitepackages())
    return [folder for folder in dict.fromkeys(folders) if os.path.isdir(folder)]


def third_party_modules(submodules: bool = False) -> list[str]:
    """The top-level import names of the installed distributions (and, if asked, all below)."""
    folders = site_folders()
    tops = sorted(
        name
        for name in importlib.metadata.packages_distributions()
        if name.isidentifier()
        and not name.startswith("__editable__")
        and name not in sys.stdlib_module_names
        and not skip_reason(name)
        and importlib.machinery.PathFinder.find_spec(name, folders) is not None
    )
    if not submodules:
        return tops
    return [fullname for name in tops for fullname in _with_submodules(name, folders)]


def all_modules(third_party: str = "top") -> list[str]:
    """The standard library, then site-packages as *third_party* says (none, top, all)."""
    if third_party not in THIRD_PARTY_CHOICES:
        raise ValueError(f"third_party must be one of {THIRD_PARTY_CHOICES}, not {third_party!r}")
    names = stdlib_modules()
    if third_party != "none":
        names += third_party_modules(submodules=third_party == "all")
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Print the modules the differential test imports.")
    parser.add_argument("--third-party", choices=THIRD_PARTY_CHOICES, default="top")
    args = parser.parse_args(argv)
    print("\n".join(all_modules(args.third_party)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
