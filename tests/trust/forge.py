"""Changing a store's bytes the way an attacker would: checksums kept consistent, lengths kept."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from zlib import crc32


def with_crc(data: bytes, target: int) -> bytes:
    """*data* with its last 4 bytes replaced so that its CRC-32 is *target* (CRC-32 is affine in them)."""
    head = data[:-4]
    base = crc32(head + bytes(4))
    columns = [crc32(head + (1 << bit).to_bytes(4, "little")) ^ base for bit in range(32)]
    want = target ^ base
    # solve columns . x = want over GF(2), by elimination on (column, bit of x) pairs
    rows = [(columns[bit], 1 << bit) for bit in range(32)]
    solution = 0
    for bit in range(32):
        pivot = next((i for i in range(bit, 32) if rows[i][0] >> bit & 1), None)
        assert pivot is not None, "CRC-32 columns are independent"
        rows[bit], rows[pivot] = rows[pivot], rows[bit]
        for i in range(32):
            if i != bit and rows[i][0] >> bit & 1:
                rows[i] = (rows[i][0] ^ rows[bit][0], rows[i][1] ^ rows[bit][1])
    for bit in range(32):
        if want >> bit & 1:
            solution ^= rows[bit][1]
    forged = head + solution.to_bytes(4, "little")
    assert crc32(forged) == target
    return forged


def replace_in_place(path, old: bytes, new: bytes) -> None:
    """Overwrite the one occurrence of *old* in the file with *new* (same length)."""
    data = path.read_bytes()
    assert len(old) == len(new) and data.count(old) == 1
    path.write_bytes(data.replace(old, new))


def sqlite_code(path, entry: str) -> bytes:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT data FROM code WHERE path = ?", (entry,)).fetchone()[0]


def forge_code(original: bytes, source: str, name: str) -> bytes:
    """Marshalled code for *source*, padded to *original*'s length, with the same CRC-32."""
    import marshal

    code = marshal.dumps(compile(source, name, "exec"))
    padding = len(original) - len(code) - 4
    assert padding >= 0, "the forged code must fit in the original's length"
    # marshal stops reading after the code object: trailing bytes are ignored
    return with_crc(code + b"\0" * padding + bytes(4), crc32(original))
