"""Fixtures for live reload: edit real files on disk, reload with a fresh Reloader."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import importworks
from importworks.reload import Reloader


def write_source(path: Path, text: str) -> None:
    """Save *text* to *path* as an editor would, with a newer mtime (no sleeping)."""
    old = path.stat().st_mtime_ns if path.exists() else 0
    saving = path.with_name(path.name + ".saving")  # saved whole, then renamed: never seen half-written
    saving.write_text(textwrap.dedent(text), encoding="utf-8")
    later = max(old, saving.stat().st_mtime_ns) + 1_000_000_000
    os.utime(saving, ns=(later, later))
    os.replace(saving, path)
    importworks.invalidate_caches()


@pytest.fixture
def edit(tmp_path: Path) -> Callable[[str, str], Path]:
    """edit("pkg/mod.py", source): rewrite a file of the tree fixture's folder."""

    def rewrite(relative: str, text: str) -> Path:
        path = tmp_path / relative
        write_source(path, text)
        return path

    return rewrite


@pytest.fixture
def reloader() -> Reloader:
    """A Reloader with its own dependency graph, so tests share nothing."""
    return Reloader()
