"""Editable installs (``pip install -e``): find the source tree a distribution points to.

An editable install puts no modules in site-packages, only a hook that makes
the project's own folder importable: a ``.pth`` file naming the folder
(setuptools' simple layouts, hatchling, flit, pdm), or a ``.pth`` that installs
a finder module holding a ``MAPPING`` of top-level names to folders
(setuptools' ``__editable___NAME_finder.py``, PEP 660).  Packing the hook
would give a store whose modules are missing; the packer packs the tree the
hook points to instead, or says why it cannot.
"""

from __future__ import annotations

import ast
import json
import os
import re
from importlib.metadata import Distribution

from ..errors import StoreError

__all__ = ["editable_sources", "is_editable_hook"]

_FINDER = re.compile(r"^__editable__.*finder\.py$")
# what a tree's top level holds besides the project: build scripts, test configuration
_NOT_PROJECT = {"setup", "conftest", "noxfile", "fabfile", "tasks", "docs", "tests", "test", "build", "dist"}


def is_editable_hook(entry: str) -> bool:
    """Whether a RECORD entry is an editable install's hook (its .pth file or finder module)."""
    return "/" not in entry and (entry.endswith(".pth") or bool(_FINDER.match(entry)))


def is_editable(dist: Distribution) -> bool:
    """What ``direct_url.json`` says (PEP 610), or an ``__editable__`` hook in RECORD."""
    try:
        text = dist.read_text("direct_url.json")
        if text and json.loads(text).get("dir_info", {}).get("editable"):
            return True
    except (ValueError, AttributeError):
        pass
    return any(str(f).startswith("__editable__") for f in dist.files or ())


def editable_sources(dist: Distribution, label: str) -> dict[str, str] | None:
    """Top-level name -> its folder or file in the source tree; None if *dist* is not editable.

    Raises:
        StoreError: it is editable and the hook names no tree that holds its modules.
    """
    if not is_editable(dist):
        return None
    found: dict[str, str] = {}
    tops = _top_level_names(dist)
    for record in dist.files or ():
        entry = str(record)
        if not is_editable_hook(entry):
            continue
        path = str(dist.locate_file(record))
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            continue
        if entry.endswith(".py"):
            found.update(_finder_mapping(text))
        else:
            for folder in _pth_folders(text, os.path.dirname(path)):
                found.update(_project_in(folder, tops, dist))
    found = {top: path for top, path in found.items() if os.path.exists(path)}
    if not found:
        raise StoreError(
            f"cannot pack distribution {label!r}: it is an editable install (pip install -e) "
            "and its hook names no source tree holding its modules; pack the tree itself "
            "(importworks pack PROJECT/src) or install it without -e",
            path=label,
        )
    return found


def _finder_mapping(text: str) -> dict[str, str]:
    """The ``MAPPING = {...}`` literal of a setuptools editable finder module."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "MAPPING" for t in targets):
            try:
                mapping = ast.literal_eval(node.value)
            except ValueError:
                return {}
            return {str(k): str(v) for k, v in mapping.items() if "." not in str(k)}
    return {}


def _pth_folders(text: str, base: str) -> list[str]:
    """The folders a .pth file adds to sys.path (its lines that are not ``import`` statements)."""
    folders = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "import ", "import\t")):
            continue
        folder = os.path.join(base, line)
        if os.path.isdir(folder):
            folders.append(folder)
    return folders


def _top_level_names(dist: Distribution) -> set[str]:
    names = set((dist.read_text("top_level.txt") or "").split())
    if not names:
        name = (dist.metadata["Name"] or "").lower()
        names = {re.sub(r"[-.]+", "_", name)}
    return names


def _project_in(folder: str, tops: set[str], dist: Distribution) -> dict[str, str]:
    """The project's top-level modules and packages in a folder a .pth names."""
    found = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        stem = name[:-3] if name.endswith(".py") else name
        if os.path.isdir(path) and not os.path.isfile(os.path.join(path, "__init__.py")) and stem not in tops:
            continue
        if not (os.path.isdir(path) or name.endswith(".py")) or not stem.isidentifier():
            continue
        found[name if os.path.isfile(path) else stem] = path
    wanted = {top: path for top, path in found.items() if top.removesuffix(".py") in tops}
    if wanted:
        return wanted
    return {top: path for top, path in found.items() if top.removesuffix(".py") not in _NOT_PROJECT}
