"""The bytecode cache: ``__pycache__/NAME.TAG.pyc`` files CPython also reads.

A pyc file is a 16-byte header then a marshalled code object.  The header is the
interpreter's magic number, a flags word (PEP 552), and either the source's
mtime and size (timestamp pycs) or a SipHash of the source (hash-based pycs).
Files we write are byte-for-byte what CPython would write, so either side reuses
the other's cache.
"""

from __future__ import annotations

import _imp
import io
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

__all__ = [
    "BYTECODE_SUFFIXES",
    "MAGIC_NUMBER",
    "PYCACHE",
    "cache_from_source",
    "code_to_hash_pyc",
    "code_to_timestamp_pyc",
    "compile_bytecode",
    "decode_source",
    "read_pyc_header",
    "source_from_cache",
    "source_hash",
    "validate_hash_pyc",
    "validate_timestamp_pyc",
    "write_atomic",
]

PYCACHE = "__pycache__"
OPT = "opt-"
BYTECODE_SUFFIXES = [".pyc"]
SOURCE_SUFFIX = ".py"
FLAG_HASH_BASED = 0b01
FLAG_CHECK_SOURCE = 0b10
_SEPARATORS = os.sep + (os.altsep or "")


def _split(path: str) -> tuple[str, str]:
    """Split at the last path separator: ('', path) when there is none."""
    cut = max(path.rfind(sep) for sep in _SEPARATORS)
    if cut < 0:
        return "", path
    return path[:cut], path[cut + 1 :]


def _join(*parts: str) -> str:
    return os.sep.join(part.rstrip(_SEPARATORS) for part in parts if part)


def _cache_tag() -> str:
    tag = sys.implementation.cache_tag
    if tag is None:
        raise NotImplementedError("sys.implementation.cache_tag is None")
    return tag


def cache_from_source(
    path: str | os.PathLike[str], debug_override: bool | None = None, *, optimization: Any = None
) -> str:
    """Return where the bytecode of the source file *path* is cached."""
    if debug_override is not None:
        import warnings

        warnings.warn(
            "the debug_override parameter is deprecated; use 'optimization' instead", DeprecationWarning, stacklevel=2
        )
        if optimization is not None:
            raise TypeError("debug_override or optimization must be set to None")
        optimization = "" if debug_override else 1
    return _cache_path(path, optimization)


if sys.version_info >= (3, 15):  # debug_override is gone

    def cache_from_source(path: str | os.PathLike[str], *, optimization: Any = None) -> str:  # type: ignore[misc]
        """Return where the bytecode of the source file *path* is cached."""
        return _cache_path(path, optimization)


def _cache_path(path: str | os.PathLike[str], optimization: Any) -> str:
    path = os.fspath(path)
    head, tail = _split(path)
    base, dot, rest = tail.rpartition(".")
    filename = (base or rest) + dot + _cache_tag()
    if optimization is None:
        optimization = sys.flags.optimize or ""
    optimization = str(optimization)
    if optimization:
        if not optimization.isalnum():
            raise ValueError(f"{optimization!r} is not alphanumeric")
        filename = f"{filename}.{OPT}{optimization}"
    filename += BYTECODE_SUFFIXES[0]
    prefix = sys.pycache_prefix
    if prefix is not None:
        # mirror the absolute source folder under the prefix, so two foo/bar.py
        # in different places never share a cache file
        if not os.path.isabs(head):
            head = os.path.join(os.getcwd(), head) if head else os.getcwd()
        if len(head) > 1 and head[1] == ":" and head[0] not in _SEPARATORS:
            head = head[2:]
        return _join(prefix, head.lstrip(_SEPARATORS), filename)
    return _join(head, PYCACHE, filename)


def source_from_cache(path: str | os.PathLike[str]) -> str:
    """Return the source file whose bytecode is cached at *path* (PEP 3147/488)."""
    _cache_tag()
    path = os.fspath(path)
    head, pyc_name = _split(path)
    prefix = sys.pycache_prefix
    in_prefix = False
    if prefix is not None:
        stripped = prefix.rstrip(_SEPARATORS)
        if head.startswith(stripped + os.sep):
            head, in_prefix = head[len(stripped) :], True
    if not in_prefix:
        head, folder = _split(head)
        if folder != PYCACHE:
            raise ValueError(f"{PYCACHE} not bottom-level directory in {path!r}")
    dots = pyc_name.count(".")
    if dots not in (2, 3):
        raise ValueError(f"expected only 2 or 3 dots in {pyc_name!r}")
    if dots == 3:
        opt = pyc_name.rsplit(".", 2)[-2]
        if not opt.startswith(OPT):
            raise ValueError(f"optimization portion of filename does not start with {OPT!r}")
        if not opt[len(OPT) :].isalnum():
            raise ValueError(f"optimization level {opt!r} is not an alphanumeric value")
    return _join(head, pyc_name.partition(".")[0] + SOURCE_SUFFIX)


def read_pyc_header(data: bytes, name: str, exc_details: dict[str, Any]) -> int:
    """Check the magic number and return the flags word of a pyc.

    Raises ImportError for a foreign magic number or bad flags, EOFError when
    the header is cut short.
    """
    magic = data[:4]
    if magic != MAGIC_NUMBER:
        raise ImportError(f"bad magic number in {name!r}: {magic!r}", **exc_details)
    if len(data) < 16:
        raise EOFError(f"reached EOF while reading pyc header of {name!r}")
    flags = int.from_bytes(data[4:8], "little")
    if flags & ~0b11:
        raise ImportError(f"invalid flags {flags!r} in {name!r}", **exc_details)
    return flags


def validate_timestamp_pyc(
    data: bytes, source_mtime: float, source_size: int, name: str, exc_details: dict[str, Any]
) -> None:
    """Raise ImportError unless the pyc records this mtime and size."""
    if int.from_bytes(data[8:12], "little") != (int(source_mtime) & 0xFFFFFFFF):
        raise ImportError(f"bytecode is stale for {name!r}", **exc_details)
    if source_size is not None and int.from_bytes(data[12:16], "little") != (source_size & 0xFFFFFFFF):
        raise ImportError(f"bytecode is stale for {name!r}", **exc_details)


def validate_hash_pyc(data: bytes, source_hash: bytes, name: str, exc_details: dict[str, Any]) -> None:
    """Raise ImportError unless the pyc records this source hash."""
    if data[8:16] != source_hash:
        raise ImportError(f"hash in bytecode doesn't match hash of source {name!r}", **exc_details)


def compile_bytecode(
    data: bytes, name: str | None = None, bytecode_path: str | None = None, source_path: str | None = None
) -> CodeType:
    """Unmarshal the code object of a pyc body (the bytes after the header)."""
    code = marshal.loads(data)
    if not isinstance(code, CodeType):
        raise ImportError(f"Non-code object in {bytecode_path!r}", name=name, path=bytecode_path)
    if source_path is not None:
        _imp._fix_co_filename(code, source_path)
    return code


def code_to_timestamp_pyc(code: CodeType, mtime: float = 0, source_size: int = 0) -> bytearray:
    """Serialise *code* as a timestamp-checked pyc."""
    data = bytearray(MAGIC_NUMBER)
    data += (0).to_bytes(4, "little")
    data += (int(mtime) & 0xFFFFFFFF).to_bytes(4, "little")
    data += (source_size & 0xFFFFFFFF).to_bytes(4, "little")
    data += marshal.dumps(code)
    return data


def code_to_hash_pyc(code: CodeType, source_hash: bytes, checked: bool = True) -> bytearray:
    """Serialise *code* as a hash-based pyc (PEP 552)."""
    assert len(source_hash) == 8
    data = bytearray(MAGIC_NUMBER)
    data += (FLAG_HASH_BASED | (FLAG_CHECK_SOURCE if checked else 0)).to_bytes(4, "little")
    data += source_hash
    data += marshal.dumps(code)
    return data


def source_hash(source: bytes) -> bytes:
    """The interpreter's keyed SipHash of *source*, as stored in hash-based pycs."""
    return _imp.source_hash(_RAW_MAGIC, source)


_RAW_MAGIC = int.from_bytes(MAGIC_NUMBER, "little")


def decode_source(source_bytes: bytes) -> str:
    """Decode Python source honouring its PEP 263 coding line; newlines become '\\n'."""
    import tokenize  # only tools that ask for source text pay for tokenize

    encoding = tokenize.detect_encoding(io.BytesIO(source_bytes).readline)[0]
    text = source_bytes.decode(encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_atomic(path: str, data: bytes, mode: int = 0o666) -> None:
    """Write *data* to *path* through a temporary file, so readers never see half."""
    tmp = f"{path}.{id(path)}"
    fd = os.open(tmp, os.O_EXCL | os.O_CREAT | os.O_WRONLY, mode & 0o666)
    try:
        with io.FileIO(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
