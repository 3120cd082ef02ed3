"""The path finder and the folder finder: what they find, and when a cached answer is asked again."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

import importworks
from importworks.machinery import FileFinder, PathFinder, SourceFileLoader
from tests.conftest import build


@pytest.fixture(autouse=True)
def installed() -> Iterator[None]:
    """Our path hooks in sys.path_hooks (the folder hook among them), undone after the test."""
    with importworks.install():
        yield


def _origin(fullname: str, path: list) -> str | None:
    spec = PathFinder.find_spec(fullname, path)
    return None if spec is None else spec.origin


def test_a_folder_created_after_a_first_search_is_found_once_caches_are_invalidated(tmp_path):
    entry = str(tmp_path / "later")
    assert PathFinder.find_spec("later_mod", [entry]) is None
    assert sys.path_importer_cache[entry] is None  # "no finder for this entry" is remembered, as by importlib
    build(tmp_path / "later", {"later_mod.py": ""})
    assert PathFinder.find_spec("later_mod", [entry]) is None
    importworks.invalidate_caches()
    assert _origin("later_mod", [entry]) == os.path.join(entry, "later_mod.py")
    assert isinstance(sys.path_importer_cache[entry], FileFinder)


def test_a_file_added_to_a_listed_folder_is_found_when_the_folder_changes(tmp_path):
    folder = build(tmp_path / "lib", {"first.py": ""})
    entry = str(folder)
    assert _origin("first", [entry]) is not None
    (folder / "second.py").write_text("")
    os.utime(folder, (1_000_000, 1_000_000))  # the folder's mtime differs from the one listed: list again
    assert _origin("second", [entry]) == str(folder / "second.py")


def test_a_file_added_within_the_same_folder_mtime_needs_invalidate_caches(tmp_path):
    """The listing is trusted while the folder's mtime is unchanged, as importlib's is."""
    folder = build(tmp_path / "lib", {"first.py": ""})
    os.utime(folder, (1_000_000, 1_000_000))
    entry = str(folder)
    assert _origin("first", [entry]) is not None
    (folder / "second.py").write_text("")
    os.utime(folder, (1_000_000, 1_000_000))
    assert _origin("second", [entry]) is None
    importworks.invalidate_caches()
    assert _origin("second", [entry]) == str(folder / "second.py")


def test_a_package_folder_wins_over_a_module_file_of_the_same_name(tmp_path):
    build(tmp_path, {"both": {"__init__.py": ""}, "both.py": ""})
    spec = PathFinder.find_spec("both", [str(tmp_path)])
    assert spec is not None and spec.origin == str(tmp_path / "both" / "__init__.py")
    assert spec.submodule_search_locations == [str(tmp_path / "both")]


def test_a_folder_without_init_is_a_namespace_spanning_every_entry(tmp_path):
    build(tmp_path, {"one": {"ns": {"a.py": ""}}, "two": {"ns": {"b.py": ""}}, "three": {"regular.py": ""}})
    path = [str(tmp_path / "one"), str(tmp_path / "three"), str(tmp_path / "two")]
    spec = PathFinder.find_spec("ns", path)
    assert spec is not None and spec.origin is None and spec.loader is None
    assert list(spec.submodule_search_locations) == [str(tmp_path / "one" / "ns"), str(tmp_path / "two" / "ns")]


def test_entries_that_are_not_strings_are_skipped(tmp_path):
    build(tmp_path, {"strings_only.py": ""})
    assert _origin("strings_only", [b"/bytes/entry", 42, None, str(tmp_path)]) == str(tmp_path / "strings_only.py")


def test_the_empty_entry_is_the_current_folder(tmp_path, monkeypatch):
    build(tmp_path, {"here_mod.py": ""})
    monkeypatch.chdir(tmp_path)
    assert _origin("here_mod", [""]) == str(tmp_path / "here_mod.py")


def test_an_earlier_path_hook_claims_an_entry_before_the_folder_hook(tmp_path):
    build(tmp_path, {"claimed.py": ""})
    asked = []

    class Claiming:
        def __init__(self, entry):
            self.entry = entry

        def find_spec(self, fullname, target=None):
            asked.append(fullname)
            return None

    def hook(entry):
        if entry != str(tmp_path):
            raise ImportError("not mine")
        return Claiming(entry)

    sys.path_hooks.insert(0, hook)
    assert PathFinder.find_spec("claimed", [str(tmp_path)]) is None
    assert asked == ["claimed"] and isinstance(sys.path_importer_cache[str(tmp_path)], Claiming)


def test_the_folder_hook_refuses_what_is_not_a_folder(tmp_path):
    hook = FileFinder.path_hook((SourceFileLoader, [".py"]))
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(ImportError):
        hook(str(tmp_path / "file.txt"))
    assert hook(str(tmp_path)).path == str(tmp_path)


def test_invalidate_caches_drops_the_finders_of_relative_entries(tmp_path, monkeypatch):
    """From 3.11, as importlib: the working folder may change, so they are found again (3.10 kept them)."""
    build(tmp_path, {"rel": {"rel_mod.py": ""}})
    monkeypatch.chdir(tmp_path)
    assert _origin("rel_mod", ["rel"]) is not None
    assert "rel" in sys.path_importer_cache
    importworks.invalidate_caches()
    assert ("rel" in sys.path_importer_cache) is (sys.version_info < (3, 11))
