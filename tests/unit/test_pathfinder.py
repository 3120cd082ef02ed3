"""The path finder and the folder finder: what they find, and when a cached answer is asked again."""

from __future__ import annotations

import importlib.machinery
import os
import sys
import warnings
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


@pytest.mark.parametrize("finder", [importlib.machinery.PathFinder, PathFinder], ids=["stock", "importworks"])
def test_invalidate_caches_makes_importlib_metadata_see_a_dist_info_added_in_the_same_mtime(tmp_path, finder):
    # 3.13+: the path finder also tells importlib.metadata to forget its folder listings
    import importlib.metadata

    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "older-1.0.dist-info").mkdir()
    (folder / "older-1.0.dist-info" / "METADATA").write_text("Name: older\nVersion: 1.0\n")
    sys.path.insert(0, str(folder))
    assert importlib.metadata.version("older") == "1.0"  # the folder's listing is cached now
    stat = folder.stat()
    (folder / "newer-2.0.dist-info").mkdir()
    (folder / "newer-2.0.dist-info" / "METADATA").write_text("Name: newer\nVersion: 2.0\n")
    os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    finder.invalidate_caches()
    found = [d.version for d in importlib.metadata.distributions(name="newer", path=[str(folder)])]
    assert found == (["2.0"] if sys.version_info >= (3, 13) else [])


def _outcome(finder: type, entry: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ImportWarning)
            return repr(finder.find_spec("old_style_mod", [entry]))
    except Exception as exc:  # the outcome is what is compared
        return type(exc).__name__


def test_a_path_entry_finder_without_find_spec_is_treated_as_cpython_does(tmp_path):
    # 3.10/3.11 fall back to find_module(); 3.12+ call find_spec() and fail
    class OldStyleFinder:
        def find_module(self, fullname):
            return None

    entry = str(tmp_path / "old-style-entry")

    def hook(path):
        if path != entry:
            raise ImportError
        return OldStyleFinder()

    sys.path_hooks.insert(0, hook)
    outcomes = []
    for finder in (importlib.machinery.PathFinder, PathFinder):
        sys.path_importer_cache.pop(entry, None)
        outcomes.append(_outcome(finder, entry))
    assert outcomes[1] == outcomes[0] == ("AttributeError" if sys.version_info >= (3, 12) else "None")
