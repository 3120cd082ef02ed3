"""Which top-level names of a store must be real files at run time, and why (``importworks pack``).

Decided on evidence, per top-level name, leaving tests, benchmarks, docs and
examples folders out of the decision:

- native code: a distribution with extension modules or shared libraries is
  materialised whole, all its top-level names under one root, so that what its
  native code finds by relative path is where it was in site-packages:
  auditwheel's ``$ORIGIN/../numpy.libs``, mypyc's shared ``*__mypyc`` module
  beside the packages, libraries opened by path.  Distributions whose
  libraries point into each other through ``$ORIGIN`` RPATHs (torch's
  ``$ORIGIN/../../nvidia/cublas/lib``) share one root;
- a package that ships data files and whose code uses ``__file__``;
- names asked for with ``--extract``.

Everything else is served from the store.
"""

from __future__ import annotations

import posixpath
import re
import struct
from collections.abc import Iterable, Mapping

from .base import kind_of, sha256_hex

__all__ = ["decide_extraction", "elf_origin_paths"]

_FILE_ACCESS = re.compile(r"\b__file__\b")
# files in a package that its code never opens: markers, stubs, C sources
_NOT_DATA = ("py.typed", ".pyi", ".c", ".h", ".pxd", ".pyx")
# folders whose contents say nothing about what a package does at run time
_NOT_DECIDING = {"tests", "test", "testing", "benchmarks", "benchmark", "docs", "doc", "examples"}
# shared libraries a loader maps by path: extension modules, and the libraries they
# link to (auditwheel's foo.libs/libbar-1a2b3c.so.1.2, delocate's .dylibs, DLLs)
_NATIVE = re.compile(r"\.(so|pyd|dll|dylib)(\.[0-9][0-9.]*)?$")
_DT_RPATH, _DT_RUNPATH = 15, 29
_SHT_DYNAMIC = 6


def decide_extraction(
    contents: Mapping[str, bytes], owners: Mapping[str, str], asked: Iterable[str] = ()
) -> dict[str, tuple[str, str]]:
    """Top-level name -> (cache key of its group, why), for the names to materialise.

    *owners* maps top-level names to the distribution that installed them;
    names without one are a group of their own.
    """
    groups, native, data, uses_file = _scan(contents, owners)
    for linked in _linked_owners(native, contents, owners):  # RPATHs into another distribution
        first, *rest = sorted(linked)
        for other in rest:
            groups[first] += groups.pop(other)
            native[first] += native.pop(other, [])
    chosen: dict[str, str] = {}
    for owner, found in native.items():
        chosen.update(dict.fromkeys(groups[owner], _native_reason(found)))
    for top in sorted(data & uses_file.keys()):
        chosen.setdefault(top, f"reads files beside __file__ ({uses_file[top]}) and ships data files")
    for top in asked:
        chosen.setdefault(top, "asked for with --extract")
    decided: dict[str, tuple[str, str]] = {}
    for tops in groups.values():
        members = [top for top in tops if top in chosen]
        if members:
            key = _extract_key(members, contents)
            decided.update((top, (key, chosen.pop(top))) for top in members)
    for top, why in chosen.items():  # --extract of a name the sources do not hold
        decided[top] = (_extract_key([top], contents), why)
    return decided


def _scan(
    contents: Mapping[str, bytes], owners: Mapping[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]], set[str], dict[str, str]]:
    """(owner -> its top-level names, owner -> its native files, tops with data, tops using __file__)."""
    groups: dict[str, list[str]] = {}
    native: dict[str, list[str]] = {}
    data: set[str] = set()
    uses_file: dict[str, str] = {}
    for entry, blob in contents.items():
        top, slash, rest = entry.partition("/")
        if top.endswith((".dist-info", ".egg-info")) or top.startswith("."):
            continue
        owner = owners.get(top, top)
        if top not in groups.setdefault(owner, []):
            groups[owner].append(top)
        if _NOT_DECIDING.intersection(rest.split("/")[:-1]):
            continue
        if _NATIVE.search(entry):
            native.setdefault(owner, []).append(entry)
        elif not slash:
            continue
        elif kind_of(entry) == "file" and not entry.endswith(_NOT_DATA):
            data.add(top)
        elif (
            kind_of(entry) == "source" and top not in uses_file and _FILE_ACCESS.search(blob.decode("utf-8", "replace"))
        ):
            uses_file[top] = entry
    return groups, native, data, uses_file


def _linked_owners(
    native: Mapping[str, list[str]], contents: Mapping[str, bytes], owners: Mapping[str, str]
) -> list[set[str]]:
    """Sets of owners whose native files reach each other's folders through ``$ORIGIN``."""
    parent: dict[str, str] = {}

    def root(owner: str) -> str:
        while parent.get(owner, owner) != owner:
            owner = parent[owner]
        return owner

    for owner, entries in native.items():
        for entry in entries:
            for target in elf_origin_paths(entry, contents[entry]):
                top = target.partition("/")[0]
                other = owners.get(top, top)
                if other != owner and other in native:
                    parent[root(other)] = root(owner)
    merged: dict[str, set[str]] = {}
    for owner in parent:
        merged.setdefault(root(owner), {root(owner)}).add(owner)
    return list(merged.values())


def elf_origin_paths(entry: str, data: bytes) -> list[str]:
    """The folders (entry paths) an ELF file's RPATH/RUNPATH names relative to ``$ORIGIN``.

    Paths leaving the tree (``$ORIGIN/../../..`` past the root) and absolute ones
    are left out: only links between entries of the store matter here.
    """
    found = []
    for value in _elf_runpaths(data):
        for item in value.split(":"):
            for origin in ("$ORIGIN", "${ORIGIN}"):
                if item.startswith(origin):
                    path = posixpath.normpath(posixpath.join(posixpath.dirname(entry), "." + item[len(origin) :]))
                    if path != "." and not path.startswith(("../", "/")) and path != "..":
                        found.append(path)
    return found


def _elf_runpaths(data: bytes) -> list[str]:
    """DT_RPATH and DT_RUNPATH strings of an ELF shared object, read from its section headers."""
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] not in (1, 2) or data[5] not in (1, 2):
        return []
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    try:
        if wide:
            (shoff,) = struct.unpack_from(order + "Q", data, 0x28)
            shentsize, shnum = struct.unpack_from(order + "2H", data, 0x3A)
            section, entry = struct.Struct(order + "2I4Q2I2Q"), struct.Struct(order + "qQ")
        else:
            (shoff,) = struct.unpack_from(order + "I", data, 0x20)
            shentsize, shnum = struct.unpack_from(order + "2H", data, 0x2E)
            section, entry = struct.Struct(order + "10I"), struct.Struct(order + "iI")
        if shentsize < section.size or shoff + shnum * shentsize > len(data):
            return []
        headers = [section.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
        values = []
        for header in headers:
            sh_type, offset, size, link = header[1], header[4], header[5], header[6]  # same places in both
            if sh_type != _SHT_DYNAMIC or link >= len(headers):
                continue
            strtab = headers[link][4]
            for at in range(offset, offset + size - entry.size + 1, entry.size):
                tag, value = entry.unpack_from(data, at)
                if tag in (_DT_RPATH, _DT_RUNPATH):
                    end = data.index(b"\0", strtab + value)
                    values.append(data[strtab + value : end].decode("utf-8", "replace"))
        return values
    except (struct.error, ValueError, IndexError, OverflowError, MemoryError):
        return []  # not an ELF file we understand: no links recorded


def _extract_key(tops: list[str], contents: Mapping[str, bytes]) -> str:
    """The cache folder name of a group's extracted copy: a digest of its files."""
    names = set(tops)
    lines = sorted(
        f"{entry}:{sha256_hex(data)}" for entry, data in contents.items() if entry.partition("/")[0] in names
    )
    return sha256_hex("\n".join(lines).encode())[:32]


def _native_reason(found: list[str]) -> str:
    def is_extension(entry: str) -> bool:  # importable: in package folders, named like a module
        return kind_of(entry) == "extension" and all(p.isidentifier() for p in entry.split("/")[:-1])

    extensions = [entry for entry in found if is_extension(entry)]
    libraries = sorted({entry.rpartition("/")[0] + "/" for entry in found if not is_extension(entry)})
    parts = [f"{len(extensions)} extension module(s)"] if extensions else []
    if libraries:
        parts.append("shared libraries in " + ", ".join(libraries[:3]) + (" ..." if len(libraries) > 3 else ""))
    return "native code: " + "; ".join(parts) + " (materialised with the rest of the distribution)"
