"""PathEntryCache: each path entry's finder is built once, and rebuilt only after invalidate() drops it."""

from __future__ import annotations

import os
import sys

import pytest

from importworks.finders.pathfinder import PathEntryCache, PathFinder


class Finder:
    def __init__(self, entry: str) -> None:
        self.entry = entry
        self.invalidated = 0

    def invalidate_caches(self) -> None:
        self.invalidated += 1

    def find_spec(self, fullname: str, target: object = None) -> None:
        return None


@pytest.fixture
def hook_calls(monkeypatch):
    """A hook that takes entries starting with 'take' (or an absolute path under 'take'), counting its calls."""
    calls: list[str] = []

    def hook(entry: str) -> Finder:
        calls.append(entry)
        if os.path.basename(entry).startswith("take"):
            return Finder(entry)
        raise ImportError("not mine", path=entry)

    monkeypatch.setattr(sys, "path_hooks", [hook])
    monkeypatch.setattr(sys, "path_importer_cache", {})
    return calls


def test_an_entry_is_built_once_and_shared_through_sys_path_importer_cache(hook_calls):
    cache = PathEntryCache()
    first = cache.finder_for("/abs/take-me")
    assert cache.finder_for("/abs/take-me") is first and hook_calls == ["/abs/take-me"]
    assert sys.path_importer_cache["/abs/take-me"] is first


def test_an_entry_no_hook_takes_is_remembered_as_none(hook_calls):
    cache = PathEntryCache()
    assert cache.finder_for("/abs/other") is None
    assert cache.finder_for("/abs/other") is None
    assert hook_calls == ["/abs/other"] and sys.path_importer_cache["/abs/other"] is None


def test_invalidate_rebuilds_none_and_relative_entries_and_keeps_absolute_finders(hook_calls):
    cache = PathEntryCache()
    kept = cache.finder_for("/abs/take-kept")
    cache.finder_for("/abs/other")
    relative = cache.finder_for("take-relative")
    cache.invalidate()
    assert kept.invalidated == 1 and cache.finder_for("/abs/take-kept") is kept
    remaining = set(sys.path_importer_cache)
    if sys.version_info >= (3, 11):
        assert remaining == {"/abs/take-kept"}
        assert cache.finder_for("take-relative") is not relative  # rebuilt: the working directory may differ
    else:  # 3.10 kept relative entries
        assert remaining == {"/abs/take-kept", "take-relative"}
    assert cache.finder_for("/abs/other") is None and hook_calls.count("/abs/other") == 2


def test_path_finder_invalidate_caches_applies_the_rule(hook_calls):
    cache = PathEntryCache()
    cache.finder_for("/abs/other")
    PathFinder.invalidate_caches()
    assert "/abs/other" not in sys.path_importer_cache


def test_the_empty_entry_is_the_working_directory_and_a_vanished_one_caches_nothing(hook_calls, monkeypatch):
    cache = PathEntryCache()
    monkeypatch.setattr(os, "getcwd", lambda: "/abs/take-cwd")
    assert cache.finder_for("").entry == "/abs/take-cwd"
    assert "" not in sys.path_importer_cache

    def gone() -> str:
        raise FileNotFoundError

    monkeypatch.setattr(os, "getcwd", gone)
    assert cache.finder_for("") is None
    assert set(sys.path_importer_cache) == {"/abs/take-cwd"}
