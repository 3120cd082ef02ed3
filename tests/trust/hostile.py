"""Running importworks' readers over hostile bytes, and telling what happened (tests and fuzz targets).

Every outcome must be one of: refused with a store error (``StoreError`` and
its subclasses, or no such module), or harmless: the module imported is the
one that was signed, byte for byte (or, unsigned, no module code ran at all
for a module whose bytes changed).  Anything else is a finding.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import importworks
from importworks.errors import StoreError
from importworks.stores import finder, opening
from importworks.stores.pack import pack

SIGNED_VALUE = "signed-original"
MODULE = "hostile_mod"
FILES = {MODULE: {"__init__.py": f"VALUE = {SIGNED_VALUE!r}\n", "data.txt": "data\n"}}


class Finding(AssertionError):
    """Hostile bytes made importworks do something it must not."""


def small_store(folder: Path, kind: str, key: Path | None = None) -> Path:
    """A tiny store of FILES (signed with *key*), packed fresh."""
    from tests.conftest import build

    out = folder / f"hostile.{kind}"
    pack([str(build(folder / f"src-{kind}", FILES))], str(out))
    if key is not None:
        from importworks.stores.signing import sign_store

        sign_store(str(out), str(key))
    return out


def forget(path: str) -> None:
    """Close every open store and drop what this process remembers of *path* and MODULE."""
    opening.close_stores()
    finder._warned.discard(path)
    sys.path_importer_cache.pop(path, None)
    sys.modules.pop(MODULE, None)


def import_from(path: Path, data: bytes, trusted: bool) -> str:
    """Write *data* to *path*, import MODULE from it and read every entry; the outcome, or Finding."""
    path.write_bytes(data)
    return import_at(str(path), trusted)


def import_at(location: str, trusted: bool) -> str:
    """Import MODULE from the store at *location* (a file or a URL) and read every entry; the outcome, or Finding."""
    forget(location)
    sys.path.insert(0, location)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a broken store warns once; that is not the point here
            try:
                module = __import__(MODULE)
            except StoreError as exc:
                return type(exc).__name__
            except ModuleNotFoundError:
                return "not found"
            except Exception as exc:
                raise Finding(f"{type(exc).__name__}: {exc}") from exc
            outcome = _judge(module, trusted)
            _read_everything(location)
            return outcome
    finally:
        sys.path.remove(location)
        forget(location)


def _judge(module: object, trusted: bool) -> str:
    value = getattr(module, "VALUE", None)
    if value == SIGNED_VALUE:
        return "imported as signed"
    if value is None and getattr(module, "__file__", None) is None:
        if trusted:
            raise Finding("a namespace package came out of a trusted store whose index changed")
        return "namespace (no code ran)"
    raise Finding(f"a modified module ran: VALUE = {value!r}")


def _read_everything(location: str) -> None:
    """Every entry and code row through the store's own reads: only store errors may come out."""
    try:
        store = opening.cached_store(location)
        for path in list(store.index):
            try:
                store.read(path)
                store.read_code(path, importworks.util.MAGIC_NUMBER)
            except (StoreError, FileNotFoundError):
                pass
    except StoreError:
        pass
    except Exception as exc:
        raise Finding(f"reading every entry: {type(exc).__name__}: {exc}") from exc


def flipped(data: bytes, position: int, mask: int = 0xFF) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def positions(size: int, count: int, seed: int = 17) -> list[int]:
    """*count* positions spread over *size* bytes: all of the first 200 and last 200, the rest at random."""
    import random

    ends = set(range(min(size, 200))) | set(range(max(0, size - 200), size))
    rest = sorted(set(range(size)) - ends)
    return sorted(ends) + sorted(random.Random(seed).sample(rest, max(0, min(len(rest), count - len(ends)))))


def environment_ok() -> bool:
    return hasattr(os, "pread")
