"""Zip archives as stores: any ordinary zip, read with a reader of our own.

The central directory is read once when the store opens; each entry is then
one ``pread`` of the open file (zipimport re-opens the archive for every
module).  Archives written by ``importworks pack`` also carry
``.importworks/manifest.json`` (the sha256 of every entry, the packer's and
Python's versions) and a ``.pyc`` beside each ``.py``, with the mtime header
that stock zipimport checks, so the same zip is fast for both.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from typing import Iterable

from ..errors import StoreError
from .base import FORMAT_VERSION, Entry, Store

__all__ = ["MANIFEST", "ZipStore", "dos_time_to_epoch", "is_zip_file"]

MANIFEST = ".importworks/manifest.json"
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")
_MAX_COMMENT = 0xFFFF


def dos_time_to_epoch(date: int, time_: int) -> int:
    """A zip entry's DOS date and time as a local-time epoch (what zipimport compares)."""
    import time

    return int(time.mktime((
        (date >> 9) + 1980, (date >> 5) & 0xF, date & 0x1F,
        time_ >> 11, (time_ >> 5) & 0x3F, (time_ & 0x1F) * 2, -1, -1, -1)))


def is_zip_file(path: str) -> bool:
    """Does *path* end like a zip archive (an end-of-central-directory record)?"""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _EOCD.size - _MAX_COMMENT))
            return b"PK\x05\x06" in f.read()
    except OSError:
        return False


class ZipStore(Store):
    """A zip archive (zipapp, wheel, egg, or one packed by importworks)."""

    kind = "zip"

    def __init__(self, location: str) -> None:
        super().__init__(location)
        try:
            self._fd = os.open(self.location, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise StoreError(f"cannot open zip store {self.location}: {exc.strerror}",
                             path=self.location) from None
        self._layout: dict[str, tuple[int, int, int, int, int, int, int]] = {}
        self._pyc_times: dict[str, int] = {}
        self._has_manifest = False

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    # -- the central directory ------------------------------------------------
    def _pread(self, size: int, offset: int) -> bytes:
        data = os.pread(self._fd, size, offset)
        if len(data) != size:
            raise StoreError(f"zip store {self.location} is truncated (wanted {size} bytes at "
                             f"offset {offset}); re-create it", path=self.location)
        return data

    def _find_directory(self) -> tuple[int, int, int]:
        """(entry count, directory size, directory offset) of the archive."""
        size = os.fstat(self._fd).st_size
        tail_start = max(0, size - _EOCD.size - _MAX_COMMENT)
        tail = os.pread(self._fd, size - tail_start, tail_start)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            raise StoreError(f"{self.location} is not a zip archive (no end-of-directory record); "
                             "it may be truncated or another kind of file", path=self.location)
        _, _, _, _, count, dir_size, dir_offset, _ = _EOCD.unpack_from(tail, at)
        eocd_pos = tail_start + at
        if count == 0xFFFF or dir_offset == 0xFFFFFFFF:  # zip64
            locator_pos = eocd_pos - _EOCD64_LOCATOR.size
            sig, _, eocd64_pos, _ = _EOCD64_LOCATOR.unpack(self._pread(_EOCD64_LOCATOR.size, locator_pos))
            if sig != b"PK\x06\x07":
                raise StoreError(f"zip store {self.location}: broken zip64 locator", path=self.location)
            fields = _EOCD64.unpack(self._pread(_EOCD64.size, eocd64_pos))
            count, dir_size, dir_offset = fields[7], fields[8], fields[9]
            eocd_pos = eocd64_pos
        # data prepended to the archive (a zipapp's shebang line) shifts every offset
        self._shift = eocd_pos - dir_size - dir_offset
        return count, dir_size, dir_offset + self._shift

    def _load_index(self) -> Iterable[Entry]:
        count, dir_size, dir_offset = self._find_directory()
        directory = self._pread(dir_size, dir_offset)
        entries, pos = [], 0
        for _ in range(count):
            try:
                (sig, _, _, flags, method, mtime, mdate, crc, csize, usize, name_len, extra_len,
                 comment_len, _, _, _, offset) = _CENTRAL.unpack_from(directory, pos)
            except struct.error:
                raise StoreError(f"zip store {self.location}: central directory is cut short",
                                 path=self.location) from None
            if sig != b"PK\x01\x02":
                raise StoreError(f"zip store {self.location}: bad central directory record",
                                 path=self.location)
            pos += _CENTRAL.size
            raw_name = directory[pos:pos + name_len]
            extra = directory[pos + name_len:pos + name_len + extra_len]
            pos += name_len + extra_len + comment_len
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
            if usize == 0xFFFFFFFF or csize == 0xFFFFFFFF or offset == 0xFFFFFFFF:
                usize, csize, offset = _zip64_sizes(extra, usize, csize, offset)
            if name.endswith("/"):
                continue  # folders are implied by their files
            if flags & 0x1:
                raise StoreError(f"zip store {self.location}: entry {name!r} is encrypted",
                                 path=self.location)
            self._layout[name] = (offset + self._shift, csize, usize, method, crc, mdate, mtime)
            entries.append(Entry(name, usize))
        if MANIFEST in self._layout:
            return self._with_manifest(entries)
        return entries

    def _with_manifest(self, entries: list[Entry]) -> list[Entry]:
        try:
            manifest = json.loads(self._read_raw(Entry(MANIFEST, 0)))
        except ValueError as exc:
            raise StoreError(f"zip store {self.location}: unreadable {MANIFEST}: {exc}",
                             path=self.location) from None
        try:
            version = int(manifest.get("format_version", 0))
        except (TypeError, ValueError):
            version = FORMAT_VERSION + 1  # unreadable: treat as from the future
        if version > FORMAT_VERSION:
            raise StoreError(f"store {self.location} has format {version}, newer than this importworks "
                             f"reads ({FORMAT_VERSION}): upgrade importworks", path=self.location)
        self.metadata = {k: str(v) for k, v in manifest.items() if k != "entries"}
        hashes = manifest.get("entries", {})
        self._has_manifest = True
        return [Entry(e.path, e.size, hashes.get(e.path), e.kind) for e in entries if e.path != MANIFEST]

    def _read_raw(self, entry: Entry) -> bytes:
        try:
            offset, csize, usize, method, crc, _, _ = self._layout[entry.path]
        except KeyError:
            raise FileNotFoundError(f"no entry {entry.path!r} in store {self.location}") from None
        header = self._pread(_LOCAL.size, offset)
        if header[:4] != b"PK\x03\x04":
            raise StoreError(f"zip store {self.location}: bad local header for {entry.path!r}",
                             path=self.location)
        name_len, extra_len = struct.unpack_from("<2H", header, 26)
        raw = self._pread(csize, offset + _LOCAL.size + name_len + extra_len)
        if method == 0:
            data = raw
        elif method == 8:
            try:
                data = zlib.decompress(raw, -15, usize)
            except zlib.error as exc:
                raise StoreError(f"zip store {self.location}: entry {entry.path!r} is corrupt ({exc})",
                                 path=self.location) from None
        else:
            raise StoreError(f"zip store {self.location}: entry {entry.path!r} uses compression "
                             f"method {method}, which importworks does not read (use deflate)",
                             path=self.location)
        if zlib.crc32(data) != crc:
            raise StoreError(f"zip store {self.location}: entry {entry.path!r} fails its CRC check",
                             path=self.location)
        return data

    def read_code(self, path: str, magic: bytes) -> bytes | None:
        """The code in ``mod.pyc`` beside ``mod.py``, when it is for this Python and fresh."""
        pyc = path[:-3] + ".pyc" if path.endswith(".py") else None
        if pyc is None or pyc not in self.entries:
            return None
        data = self.read(pyc)
        if data[:4] != magic or len(data) < 16 or int.from_bytes(data[4:8], "little") & 1:
            return None
        if not self._has_manifest:
            # an ordinary zip: trust the pyc only if its mtime matches the source's, as zipimport does
            _, _, _, _, _, mdate, mtime = self._layout[path]
            if abs(int.from_bytes(data[8:12], "little") - dos_time_to_epoch(mdate, mtime)) > 1:
                return None
        return data[16:]


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<2H", extra, pos)
        if tag == 1:
            values = list(struct.unpack_from(f"<{size // 8}Q", extra, pos + 4))
            if usize == 0xFFFFFFFF:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF:
                csize = values.pop(0)
            if offset == 0xFFFFFFFF:
                offset = values.pop(0)
            break
        pos += 4 + size
    return usize, csize, offset
