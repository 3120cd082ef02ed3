"""Shared fixtures: a clean import state per test, file trees from dicts, the engine."""

from __future__ import annotations

import builtins
import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import importworks

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"


@pytest.fixture(autouse=True)
def import_state() -> Iterator[None]:
    """Snapshot and restore everything an import can change."""
    saved_modules = dict(sys.modules)
    saved = (
        list(sys.meta_path),
        list(sys.path),
        list(sys.path_hooks),
        dict(sys.path_importer_cache),
        builtins.__import__,
        importlib.import_module,
        sys.dont_write_bytecode,
        sys.pycache_prefix,
    )
    try:
        yield
    finally:
        sys.modules.clear()
        sys.modules.update(saved_modules)
        sys.meta_path[:], sys.path[:], sys.path_hooks[:] = saved[0], saved[1], saved[2]
        sys.path_importer_cache.clear()
        sys.path_importer_cache.update(saved[3])
        builtins.__import__, importlib.import_module = saved[4], saved[5]
        sys.dont_write_bytecode, sys.pycache_prefix = saved[6], saved[7]


def build(root: Path, files: dict) -> Path:
    """Create files (str or bytes values) and folders (dict values) under *root*."""
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        if isinstance(content, dict):
            path.mkdir(parents=True, exist_ok=True)
            build(path, content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path):
    """tree({...}) builds files under a fresh folder put first on sys.path."""

    def make(files: dict) -> Path:
        build(tmp_path, files)
        if str(tmp_path) not in sys.path:
            sys.path.insert(0, str(tmp_path))
        importworks.invalidate_caches()
        return tmp_path

    return make


@pytest.fixture
def engine() -> Iterator[importworks.Installation]:
    """Every import statement in the test runs through importworks."""
    with importworks.activate() as handle:
        yield handle


def run_python(
    code: str, *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run *code* in a fresh interpreter that can import importworks."""
    environ = dict(os.environ)
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), environ.get("PYTHONPATH")]))
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
