"""A look at marshalled data before ``marshal.loads`` decodes it: every declared size must fit in the bytes.

``marshal.loads`` allocates a tuple, list or string of the size the data
declares before reading its items, so a few crafted bytes ("a tuple of a
billion items") cost gigabytes and seconds before the data runs out.  A store
whose checksums were made consistent with such an index (a deliberate change,
which CRC-32 cannot tell) would make opening it, ``importworks ls`` and
``importworks verify`` hang.  The walk here reads only the layout, in one pass
over the bytes with no recursion, and refuses a size larger than what is left
(every item takes at least one byte) and any type a packed index never holds
(code objects among them); decoding is then bounded by the data's length.
"""

from __future__ import annotations

__all__ = ["check_marshalled"]

_FLAG_REF = 0x80
_FIXED = {  # type code -> bytes after it
    ord("0"): 0,
    ord("N"): 0,
    ord("F"): 0,
    ord("T"): 0,
    ord("S"): 0,
    ord("."): 0,
    ord("i"): 4,
    ord("r"): 4,
    ord("g"): 8,
    ord("y"): 16,
}
_SIZED = {ord(c): 4 for c in "usatA"} | {ord("z"): 1, ord("Z"): 1}  # strings: size, then bytes
_CONTAINERS = {ord("("): 4, ord("["): 4, ord("<"): 4, ord(">"): 4, ord(")"): 1}
_DICT, _LONG = ord("{"), ord("l")


def check_marshalled(data: bytes | memoryview) -> None:
    """Raise ValueError unless *data* holds only plain values whose declared sizes fit in it.

    The cost is one step per value: a packed index holds tens of them, whatever
    the number of entries (a format-1 index a few per entry).
    """
    view = memoryview(data)
    end = len(view)
    at = 0
    pending = [1]  # values still to read at each open container; -1: a dict, read up to its '0'
    while pending:
        if pending[-1] == 0:
            pending.pop()
            continue
        if at >= end:
            raise ValueError("marshalled data cut short")
        code = view[at] & ~_FLAG_REF
        at += 1
        if pending[-1] > 0:
            pending[-1] -= 1
        elif code == ord("0"):  # the end of a dict
            pending.pop()
            continue
        if code in _FIXED:
            at += _FIXED[code]
        elif code in _SIZED or code in _CONTAINERS or code == _LONG:
            width = _SIZED.get(code) or _CONTAINERS.get(code) or 4
            if at + width > end:
                raise ValueError("marshalled data cut short")
            size = int.from_bytes(view[at : at + width], "little", signed=width == 4)
            at += width
            if code == _LONG:
                size = abs(size) * 2  # digits of 15 bits, two bytes each
            if size < 0 or size > end - at:
                raise ValueError(f"marshalled data declares {size} items or bytes where {end - at} bytes are left")
            if code in _CONTAINERS:
                pending.append(size)
            else:
                at += size
        elif code == _DICT:
            pending.append(-1)
        else:
            raise ValueError(f"marshalled data holds type {chr(code)!r}, which no store index holds")
    if at > end:
        raise ValueError("marshalled data cut short")
