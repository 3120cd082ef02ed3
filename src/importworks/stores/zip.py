"""Zip archives as stores: any ordinary zip, read with a reader of our own.

An ordinary zip's central directory is read once when the store opens; each
entry is then one ``pread`` of the open file (zipimport re-opens the archive
for every module).  Archives written by ``importworks pack`` carry their whole
index as one entry, ``.importworks/index.marshal``, named by the archive
comment: a CompactIndex (paths, sizes, CRC-32s), where each entry's data
starts (so a read skips the local header), the folder map, the packer's and
Python's versions; opening one costs about the same whatever it holds.  They
also have a ``.pyc`` beside each ``.py``, with the mtime header that stock
zipimport checks, so the same zip serves both.
"""

from __future__ import annotations

import marshal
import os
import struct
import zlib
from array import array

from ..errors import (
    ERR_FORMAT_TOO_NEW,
    ERR_REPACK,
    ERR_ZIP_BAD_LOCAL_HEADER,
    ERR_ZIP_BAD_RECORD,
    ERR_ZIP_BROKEN,
    ERR_ZIP_CANNOT_OPEN,
    ERR_ZIP_DIRECTORY_CUT,
    ERR_ZIP_DIRECTORY_DAMAGED,
    ERR_ZIP_DIRECTORY_OUTSIDE,
    ERR_ZIP_ENCRYPTED,
    ERR_ZIP_ENTRY_CORRUPT,
    ERR_ZIP_INDEX_CRC,
    ERR_ZIP_METHOD,
    ERR_ZIP_NO_END_RECORD,
    ERR_ZIP_TRUNCATED,
    ERR_ZIP_UNREADABLE,
    StoreError,
)
from .base import (
    CAN_CHECK_DIRECTORY,
    FORMAT_VERSION,
    CompactFolders,
    CompactIndex,
    IndexedStore,
    IndexLoad,
    IndexRow,
    check_entry_path,
    kind_of,
    read_ahead,
    rows_of,
    u64_array,
)
from .bounded import check_marshalled
from .sniff import FileProbe, is_zip_file

__all__ = ["INDEX", "INDEX_COMMENT", "ZipStore", "dos_time_to_epoch", "is_zip_file"]

INDEX = ".importworks/index.marshal"
HASHES = ".importworks/sha256.marshal"
INDEX_COMMENT = b"importworks-index "
_INDEX_PARTS = (
    "entries",
    "folders",
    "listing",
    "spans",
    "bases",
    "rows",
    "layout",
    "hashes_at",
    "extract",
    "extract_reasons",
    "executable",
    "stdlib",
)
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")
_MAX_COMMENT = 0xFFFF


def dos_time_to_epoch(date: int, time_: int) -> int:
    """A zip entry's DOS date and time as a local-time epoch (what zipimport compares)."""
    import time

    return int(
        time.mktime(
            (
                (date >> 9) + 1980,
                (date >> 5) & 0xF,
                date & 0x1F,
                time_ >> 11,
                (time_ >> 5) & 0x3F,
                (time_ & 0x1F) * 2,
                -1,
                -1,
                -1,
            )
        )
    )


class ZipStore(IndexedStore):
    """A zip archive (zipapp, wheel, egg, or one packed by importworks)."""

    kind = "zip"
    capabilities = frozenset({CAN_CHECK_DIRECTORY})
    #: (offset, size) of the index entry's local header, when the archive comment names it
    #: (a signature is the entry right after it)
    index_at: tuple[int, int] | None = None

    def __init__(self, location: str, probe: FileProbe | None = None) -> None:
        super().__init__(location)
        self._fd = probe.take_fd() if probe is not None else -1  # the path hook's open file, kept
        if self._fd < 0:
            try:
                self._fd = os.open(self.location, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            except OSError as exc:
                raise StoreError(
                    ERR_ZIP_CANNOT_OPEN.format(store=self.location, error=exc.strerror), path=self.location
                ) from None
        self._size = probe.size if probe is not None else None
        # path -> (offset of the local header, compressed size, method, DOS date, DOS time)
        self._layout: dict[str, tuple[int, int, int, int, int]] = {}
        self._indexed = False  # packed by importworks: checksums recorded, pycs trusted
        # format 2, as packed: the index, and (data offset, size, method) of each of its paths
        self._data: array | None = None
        self._hashes_at: tuple[int, int, int] | None = None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _pread(self, size: int, offset: int) -> bytes:
        # offsets and sizes come from the archive's bytes: one past its end is damage, not a huge read
        if size < 0 or offset < 0 or (self._size is not None and offset + size > self._size):
            data = b""
        else:
            data = os.pread(self._fd, size, offset)
        if len(data) != size:
            raise StoreError(
                ERR_ZIP_TRUNCATED.format(store=self.location, size=size, offset=offset), path=self.location
            )
        return data

    # -- the directory ----------------------------------------------------------
    def _end_record(self) -> tuple[int, int, int, bytes]:
        """(entry count, directory size, directory offset, comment) of the archive."""
        size = self._size if self._size is not None else os.fstat(self._fd).st_size
        tail_start = max(0, size - _EOCD.size - _MAX_COMMENT)
        tail = os.pread(self._fd, size - tail_start, tail_start)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            raise StoreError(
                ERR_ZIP_NO_END_RECORD.format(store=self.location),
                path=self.location,
            )
        _, _, _, _, count, dir_size, dir_offset, comment_size = _EOCD.unpack_from(tail, at)
        comment = tail[at + _EOCD.size : at + _EOCD.size + comment_size]
        if len(comment) < comment_size and comment[: len(INDEX_COMMENT)] == INDEX_COMMENT[: len(comment)]:
            # packed by importworks (its comment locates the index) and the end of the file is missing
            raise StoreError(
                f"zip store {self.location} is truncated: its last {comment_size - len(comment)} bytes or more "
                "are missing (the end record's comment is cut short); re-create it with importworks pack",
                path=self.location,
            )
        eocd_pos = tail_start + at
        locator_pos = eocd_pos - _EOCD64_LOCATOR.size
        locator = self._pread(_EOCD64_LOCATOR.size, locator_pos) if locator_pos >= 0 else b""
        if not locator.startswith(b"PK\x06\x07") and (count == 0xFFFF or dir_offset == 0xFFFFFFFF):
            raise StoreError(ERR_ZIP_BROKEN.format(store=self.location, what="zip64 locator"), path=self.location)
        if locator.startswith(b"PK\x06\x07"):  # zip64 records (they may be there without being needed)
            _, _, recorded, _ = _EOCD64_LOCATOR.unpack(locator)
            # the zip64 record sits just before its locator; the offset it records is off by
            # whatever was prepended to the archive, so it is only the second guess
            for eocd64_pos in (locator_pos - _EOCD64.size, recorded):
                if eocd64_pos < 0:
                    continue
                fields = _EOCD64.unpack(self._pread(_EOCD64.size, eocd64_pos))
                if fields[0] == b"PK\x06\x06":
                    break
            else:
                raise StoreError(
                    ERR_ZIP_BROKEN.format(store=self.location, what="zip64 end record"), path=self.location
                )
            count, dir_size, dir_offset = fields[7], fields[8], fields[9]
            eocd_pos = eocd64_pos
        # data prepended to the archive (a zipapp's shebang line) shifts every offset
        self._shift = eocd_pos - dir_size - dir_offset
        if self._shift < 0 or dir_size > eocd_pos:
            raise StoreError(ERR_ZIP_DIRECTORY_OUTSIDE.format(store=self.location), path=self.location)
        return count, dir_size, dir_offset + self._shift, comment

    def load_index(self) -> IndexLoad:
        count, dir_size, dir_offset, comment = self._end_record()
        if comment.startswith(INDEX_COMMENT):
            # packed by importworks: the whole index is one entry, found from the comment; the
            # central directory is not read, but it must at least start where the end record
            # says (one read): a damaged one would break stock zipimport and other zip tools
            if count and self._pread(4, dir_offset) != b"PK\x01\x02":
                raise StoreError(
                    ERR_ZIP_DIRECTORY_DAMAGED.format(store=self.location, offset=dir_offset),
                    path=self.location,
                )
            offset, size = map(int, comment[len(INDEX_COMMENT) :].split())
            self.index_at = (offset + self._shift, size)  # where a signature finds the entry after it
            return self._use_index(self._read_at(offset + self._shift, size, 0, INDEX), True)
        rows = self._read_directory(count, dir_size, dir_offset)
        if INDEX in self._layout:  # our index, but the archive was rewritten by another tool
            return self._use_index(self.read_raw(INDEX, rows[INDEX]), False, rows)
        return {path: row for path, row in rows.items() if not path.startswith(".importworks/")}, None

    def check_directory(self) -> list[tuple[str, str]]:
        """(entry, problem) for each way the central directory disagrees with the index (for verify).

        Stores packed by importworks are read through their own index, so the
        central directory, which every other zip tool reads, is checked here.
        """
        self.index  # noqa: B018 - reads the end record and the index
        count, dir_size, dir_offset, _ = self._end_record()
        saved, self._layout = self._layout, {}
        try:
            rows = self._read_directory(count, dir_size, dir_offset)
        except StoreError as exc:
            return [(".", str(exc))]
        finally:
            listed, self._layout = self._layout, saved
        problems = []
        for path in self.index:
            found = rows.get(path)
            if found is None:
                problems.append((path, f"missing from the central directory of zip store {self.location}"))
            elif (found.size, found.crc32) != (self.index[path].size, self.index[path].crc32):
                problems.append(
                    (
                        path,
                        f"the central directory of zip store {self.location} records other "
                        "sizes or checksums than its index",
                    )
                )
            elif self._data is not None:
                at = self.packed_index.number(path)  # type: ignore[union-attr]
                if at is not None and listed[path][0] > self._data[3 * at] + self._shift:
                    problems.append(
                        (path, f"the central directory of zip store {self.location} places it elsewhere than its index")
                    )
        return problems

    def sha256_map(self) -> dict[str, str]:
        if self._hashes_at is not None:
            offset, csize, method = self._hashes_at
            blob = self._decode(self._pread(csize, offset), method, HASHES)
        elif self._indexed and HASHES in self._layout:
            blob = self.read_raw(HASHES, IndexRow("file", 0, None))
        else:
            return {}
        try:
            check_marshalled(blob)
            hashes = marshal.loads(blob)
            if not isinstance(hashes, dict):
                raise TypeError("not a mapping")
            return hashes
        except (ValueError, EOFError, TypeError) as exc:
            raise StoreError(
                ERR_ZIP_UNREADABLE.format(store=self.location, what=HASHES, error=exc), path=self.location
            ) from None

    def _use_index(self, blob: bytes, trust_layout: bool, rows: dict[str, IndexRow] | None = None) -> IndexLoad:
        self._index_read(blob)  # with keys trusted: the signature is checked over these bytes first
        try:
            index = marshal.loads(blob)
            version = int(index.get("format_version", 0))
        except (ValueError, EOFError, TypeError, AttributeError) as exc:
            raise StoreError(
                ERR_ZIP_UNREADABLE.format(store=self.location, what=INDEX, error=exc), path=self.location
            ) from None
        if version > FORMAT_VERSION:
            raise StoreError(
                ERR_FORMAT_TOO_NEW.format(store=self.location, version=version, supported=FORMAT_VERSION),
                path=self.location,
            )
        self.metadata = {k: str(v) for k, v in index.items() if k not in _INDEX_PARTS}
        self.take_extras(index)
        self._indexed = True
        if "listing" in index:
            try:
                recorded = self.packed_index = CompactIndex(index)
                if trust_layout:
                    self._data = u64_array(index["layout"])
                    offset, csize, method = index["hashes_at"]
                    if not all(isinstance(n, int) for n in (offset, csize, method)):
                        raise TypeError("the place of the hash table is not three numbers")
                    if len(self._data) != 3 * len(recorded):
                        raise ValueError("the layout does not match the entries")
            except (KeyError, ValueError, TypeError) as exc:
                raise StoreError(
                    ERR_ZIP_UNREADABLE.format(store=self.location, what=INDEX, error=exc) + "; " + ERR_REPACK,
                    path=self.location,
                ) from None
            if trust_layout:
                self._hashes_at = (offset + self._shift, csize, method)
                read_ahead(self._fd, int(index.get("code_bytes", 0)) + self._shift)
                return recorded, CompactFolders(recorded)
            assert rows is not None
            return {path: recorded[path] for path in rows if path in recorded}, None
        entries = rows_of(index["entries"])
        if trust_layout:
            self._layout = {
                path: (offset + self._shift, csize, method, 0, 0)
                for path, (offset, csize, method) in index["layout"].items()
            }
            return entries, index.get("folders")
        # entries the rewrite added are not ours: keep them out; changed ones fail their checksum
        assert rows is not None
        return {path: entries[path] for path in rows if path in entries}, None

    def _read_directory(self, count: int, dir_size: int, dir_offset: int) -> dict[str, IndexRow]:
        directory = self._pread(dir_size, dir_offset)
        rows: dict[str, IndexRow] = {}
        pos = 0
        for _ in range(count):
            try:
                (
                    sig,
                    _,
                    _,
                    flags,
                    method,
                    mtime,
                    mdate,
                    crc,
                    csize,
                    usize,
                    name_len,
                    extra_len,
                    comment_len,
                    _,
                    _,
                    _,
                    offset,
                ) = _CENTRAL.unpack_from(directory, pos)
            except struct.error:
                raise StoreError(ERR_ZIP_DIRECTORY_CUT.format(store=self.location), path=self.location) from None
            if sig != b"PK\x01\x02":
                raise StoreError(ERR_ZIP_BAD_RECORD.format(store=self.location), path=self.location)
            pos += _CENTRAL.size
            raw_name = directory[pos : pos + name_len]
            extra = directory[pos + name_len : pos + name_len + extra_len]
            pos += name_len + extra_len + comment_len
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
            if usize == 0xFFFFFFFF or csize == 0xFFFFFFFF or offset == 0xFFFFFFFF:
                usize, csize, offset = _zip64_sizes(extra, usize, csize, offset)
            if name.endswith("/"):
                continue  # folders are implied by their files
            check_entry_path(self.location, name)  # an ordinary zip is not trusted
            if flags & 0x1:
                raise StoreError(ERR_ZIP_ENCRYPTED.format(store=self.location, entry=name), path=self.location)
            self._layout[name] = (offset + self._shift, csize, method, mdate, mtime)
            rows[name] = IndexRow(kind_of(name), usize, crc)
        return rows

    # -- reading ----------------------------------------------------------------
    def _read_at(self, offset: int, csize: int, method: int, path: str) -> bytes:
        header = self._pread(_LOCAL.size, offset)
        if header[:4] != b"PK\x03\x04":
            raise StoreError(ERR_ZIP_BAD_LOCAL_HEADER.format(store=self.location, entry=path), path=self.location)
        name_len, extra_len = struct.unpack_from("<2H", header, 26)
        data = self._decode(self._pread(csize, offset + _LOCAL.size + name_len + extra_len), method, path)
        flags, recorded = struct.unpack_from("<H6xI", header, 6)
        if path == INDEX and not flags & 0x8 and zlib.crc32(data) != recorded:
            # the index is read without the central directory: its local header's CRC-32 is its check
            raise StoreError(
                ERR_ZIP_INDEX_CRC.format(store=self.location, index=INDEX),
                path=self.location,
            )
        return data

    def _decode(self, raw: bytes, method: int, path: str) -> bytes:
        if method == 0:
            return raw
        if method == 8:
            try:
                return zlib.decompress(raw, -15)
            except zlib.error as exc:
                raise StoreError(
                    ERR_ZIP_ENTRY_CORRUPT.format(store=self.location, entry=path, error=exc), path=self.location
                ) from None
        raise StoreError(
            ERR_ZIP_METHOD.format(store=self.location, entry=path, method=method),
            path=self.location,
        )

    def read_raw(self, path: str, row: IndexRow) -> bytes:
        if self._data is not None:  # packed by importworks: one read, straight at the data
            at = self.packed_index.number(path)  # type: ignore[union-attr]
            if at is not None:
                offset, csize, method = self._data[3 * at : 3 * at + 3]
                return self._decode(self._pread(csize, offset + self._shift), method, path)
        try:
            offset, csize, method, _, _ = self._layout[path]
        except KeyError:
            raise FileNotFoundError(f"no entry {path!r} in store {self.location}") from None
        return self._read_at(offset, csize, method, path)

    def is_companion(self, path: str) -> bool:
        """The .pyc the packer put beside each .py (for stock zipimport): not a resource."""
        return self._indexed and path.endswith(".pyc") and path[:-1] in self.index

    def read_code(self, path: str, magic: bytes) -> bytes | memoryview | None:
        """The code in ``mod.pyc`` beside ``mod.py``, when it is for this Python and fresh."""
        pyc = path[:-3] + ".pyc" if path.endswith(".py") else None
        if pyc is None or pyc not in self.index:
            return None
        data = self.read(pyc)
        if data[:4] != magic or len(data) < 16 or int.from_bytes(data[4:8], "little") & 1:
            return None
        if not self._indexed:
            # an ordinary zip: trust the pyc only if its mtime matches the source's, as zipimport does
            _, _, _, mdate, mtime = self._layout[path]
            if abs(int.from_bytes(data[8:12], "little") - dos_time_to_epoch(mdate, mtime)) > 1:
                return None
        return memoryview(data)[16:]  # marshal reads it in place


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
