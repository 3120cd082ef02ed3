"""The packed index: every lookup the finders make gives what the rows said."""

from __future__ import annotations

import marshal

import pytest

from importworks.stores.base import CompactFolders, CompactIndex, IndexRow, folders_of, u64_array, u64_bytes

ROWS = {
    "top.py": IndexRow("source", 10, 1),
    "a.py": IndexRow("source", 11, 2),
    "a/__init__.py": IndexRow("source", 12, 3),
    "a/b.py": IndexRow("source", 13, 4),
    "a/b/c.txt": IndexRow("file", 14, 5),
    "a/ba.py": IndexRow("source", 15, 0xFFFFFFFF),
    "pkg-1.0.dist-info/METADATA": IndexRow("file", 16, 7),
    "ünï/mod.py": IndexRow("source", 17, 8),
    "ext.cpython-311-x86_64-linux-gnu.so": IndexRow("extension", 18, 9),
}


@pytest.fixture
def index() -> CompactIndex:
    parts, order = CompactIndex.pack(ROWS)
    assert sorted(order) == sorted(ROWS)
    # what a store holds is marshalled and read back
    return CompactIndex(marshal.loads(marshal.dumps(parts)))


def test_rows_round_trip(index):
    assert len(index) == len(ROWS)
    assert sorted(index) == sorted(ROWS)
    for path, row in ROWS.items():
        assert index[path] == row  # the kind comes from the name, size and CRC-32 from the arrays
        assert (index[path].size, index[path].crc32) == (row.size, row.crc32)
        assert path in index
    assert index["a/b/c.txt"].kind == "file" and index["a/b.py"].kind == "source"


def test_missing_paths(index):
    for path in ("a", "a/", "a/b", "nope.py", "a/b/c.txt/x", "", "top.py/x"):
        assert path not in index
        assert index.number(path) is None
    with pytest.raises(KeyError):
        index["a/zz.py"]


def test_numbers_follow_the_packed_order(index):
    _, order = CompactIndex.pack(ROWS)
    assert [index.number(path) for path in order] == list(range(len(order)))


def test_folders_match_folders_of(index):
    folders = CompactFolders(index)
    expected = folders_of(ROWS)
    assert set(folders) == set(expected)
    for folder, names in expected.items():
        assert folder in folders
        assert folders[folder] == names
    assert folders.get("a/b/", None) == frozenset({"c.txt"})
    assert folders.get("zz/", "absent") == "absent"
    assert "a/b" not in folders  # folders end with a slash, the root is ''


def test_empty_store():
    parts, order = CompactIndex.pack({})
    index = CompactIndex(parts)
    assert len(index) == 0 and order == [] and "x.py" not in index
    assert CompactFolders(index)[""] == frozenset()


def test_mismatched_arrays_are_refused():
    parts, _ = CompactIndex.pack(ROWS)
    parts["bases"] = u64_bytes([0])
    with pytest.raises(ValueError, match="folder arrays"):
        CompactIndex(parts)


def test_u64_arrays_are_little_endian():
    assert u64_bytes([1, 2**40]) == (1).to_bytes(8, "little") + (2**40).to_bytes(8, "little")
    assert list(u64_array(u64_bytes([5, 2**63]))) == [5, 2**63]
