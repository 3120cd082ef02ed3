"""The bytecode cache: ``__pycache__/NAME.TAG.pyc`` files CPython also reads.

A pyc file is a 16-byte header then a marshalled code object.  The header is the
interpreter's magic number, a flags word (PEP 552), and either the source's
mtime and size (timestamp pycs) or a SipHash of the source (hash-based pycs).
Files we write are byte-for-byte what CPython would write, so either side reuses
the other's cache.
"""

from __future__ import annotations

import _imp
import contextlib
import io
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import (
    ERR_BAD_MAGIC,
    ERR_DEBUG_AND_OPTIMIZATION,
    ERR_NO_CACHE_TAG,
    ERR_NO_TEMPORARY_NAME,
    ERR_NOT_CODE,
    ERR_NOT_IN_PYCACHE,
    ERR_OPT_NOT_ALNUM,
    ERR_PYC_DOTS,
    ERR_PYC_FLAGS,
    ERR_PYC_OPT_LEVEL,
    ERR_PYC_OPT_PREFIX,
    ERR_PYC_TRUNCATED,
)

if TYPE_CHECKING:
    from typing_extensions import Buffer  # for the checker only: collections.abc has it from 3.12

__all__ = [
    "BYTECODE_SUFFIXES",
    "MAGIC_NUMBER",
    "PYCACHE",
    "PycHeader",
    "cache_from_source",
    "code_to_hash_pyc",
    "code_to_timestamp_pyc",
    "compile_bytecode",
    "decode_source",
    "read_pyc_header",
    "source_from_cache",
    "source_hash",
    "write_atomic",
]

PYCACHE = "__pycache__"
OPT = "opt-"
BYTECODE_SUFFIXES = [".pyc"]
SOURCE_SUFFIX = ".py"
FLAG_HASH_BASED = 0b01
FLAG_CHECK_SOURCE = 0b10
HEADER_SIZE = 16
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
        raise NotImplementedError(ERR_NO_CACHE_TAG)
    return tag


# ------------------------------------------------------------------ where a pyc lives
class PycName(NamedTuple):
    """A cache file's name, field by field: STEM.TAG[.opt-LEVEL].pyc (PEP 3147, PEP 488).

    ``stem`` keeps the dot that ended it, or none: a source file without a
    suffix ('tool') caches as 'toolcpython-313.pyc', which CPython reads too.
    """

    stem: str
    tag: str
    level: str  # '' when unoptimised

    @classmethod
    def for_source(cls, filename: str, optimization: Any) -> PycName:
        base, dot, suffix = filename.rpartition(".")
        return cls((base or suffix) + dot, _cache_tag(), _optimization_level(optimization))

    def __str__(self) -> str:
        optimized = f".{OPT}{self.level}" if self.level else ""
        return f"{self.stem}{self.tag}{optimized}{BYTECODE_SUFFIXES[0]}"

    @staticmethod
    def source_of(filename: str) -> str:
        """The source file name a cache file name stands for; ValueError if it is not one."""
        fields = filename.split(".")
        if len(fields) not in (3, 4):
            raise ValueError(ERR_PYC_DOTS.format(filename=filename))
        if len(fields) == 4:
            level = fields[2]
            if not level.startswith(OPT):
                raise ValueError(ERR_PYC_OPT_PREFIX.format(opt=OPT))
            if not level[len(OPT) :].isalnum():
                raise ValueError(ERR_PYC_OPT_LEVEL.format(level=level))
        return fields[0] + SOURCE_SUFFIX


def _optimization_level(optimization: Any) -> str:
    """The opt- field: the interpreter's -O level unless asked (0 means none only then)."""
    if optimization is None:
        optimization = sys.flags.optimize or ""
    level = str(optimization)
    if level and not level.isalnum():
        raise ValueError(ERR_OPT_NOT_ALNUM.format(level=level))
    return level


def _root_relative(folder: str) -> str:
    """*folder* made absolute, then without its drive and leading separators.

    Under sys.pycache_prefix the cache mirrors the absolute source folder, so
    two foo/bar.py in different places never share a cache file.
    """
    if not os.path.isabs(folder):
        folder = os.path.join(os.getcwd(), folder) if folder else os.getcwd()
    if len(folder) > 1 and folder[1] == ":" and folder[0] not in _SEPARATORS:
        folder = folder[2:]
    return folder.lstrip(_SEPARATORS)


def _cache_folder(source_folder: str) -> str:
    prefix = sys.pycache_prefix
    if prefix is None:
        return _join(source_folder, PYCACHE)
    return _join(prefix, _root_relative(source_folder))


def _source_folder(cache_folder: str, path: str) -> str:
    """Undo _cache_folder(); ValueError when *cache_folder* is neither kind."""
    prefix = sys.pycache_prefix
    if prefix is not None:
        mirror_root = prefix.rstrip(_SEPARATORS)
        if cache_folder.startswith(mirror_root + os.sep):
            return cache_folder[len(mirror_root) :]
    parent, folder = _split(cache_folder)
    if folder != PYCACHE:
        raise ValueError(ERR_NOT_IN_PYCACHE.format(pycache=PYCACHE, path=path))
    return parent


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
            raise TypeError(ERR_DEBUG_AND_OPTIMIZATION)
        optimization = "" if debug_override else 1
    return _cache_path(path, optimization)


if sys.version_info >= (3, 15):  # debug_override is gone

    def cache_from_source(path: str | os.PathLike[str], *, optimization: Any = None) -> str:  # type: ignore[misc]
        """Return where the bytecode of the source file *path* is cached."""
        return _cache_path(path, optimization)


def _cache_path(path: str | os.PathLike[str], optimization: Any) -> str:
    folder, filename = _split(os.fspath(path))
    name = PycName.for_source(filename, optimization)
    return _join(_cache_folder(folder), str(name))


def source_from_cache(path: str | os.PathLike[str]) -> str:
    """Return the source file whose bytecode is cached at *path* (PEP 3147/488)."""
    _cache_tag()
    path = os.fspath(path)
    cache_folder, filename = _split(path)
    folder = _source_folder(cache_folder, path)
    return _join(folder, PycName.source_of(filename))


# ------------------------------------------------------------------ what a pyc holds
def _u32(data: bytes | bytearray | memoryview) -> int:
    return int.from_bytes(data, "little")


def _le32(value: int) -> bytes:
    return (value & 0xFFFFFFFF).to_bytes(4, "little")


class PycHeader(NamedTuple):
    """The 16 bytes before a pyc's code: magic, flags (PEP 552), then 8 bytes of key.

    The key is the source's mtime and size (timestamp pycs) or its SipHash
    (hash-based pycs); which one the flags say.
    """

    flags: int
    key: bytes

    @property
    def hash_based(self) -> bool:
        return bool(self.flags & FLAG_HASH_BASED)

    @property
    def check_source(self) -> bool:
        """A hash-based pyc asks to be checked against its source (the interpreter may override)."""
        return bool(self.flags & FLAG_CHECK_SOURCE)

    @classmethod
    def parse(cls, data: bytes, name: str, error_details: dict[str, Any]) -> PycHeader:
        """Read the header of *data*.

        Raises ImportError for a foreign magic number or unknown flags,
        EOFError when the header is cut short.
        """
        if data[:4] != MAGIC_NUMBER:
            raise ImportError(ERR_BAD_MAGIC.format(name=name, magic=data[:4]), **error_details)
        if len(data) < HEADER_SIZE:
            raise EOFError(ERR_PYC_TRUNCATED.format(name=name))
        flags = _u32(data[4:8])
        if flags & ~(FLAG_HASH_BASED | FLAG_CHECK_SOURCE):
            raise ImportError(ERR_PYC_FLAGS.format(flags=flags, name=name), **error_details)
        return cls(flags, bytes(data[8:HEADER_SIZE]))

    @classmethod
    def for_timestamp(cls, mtime: float, size: int) -> PycHeader:
        return cls(0, _le32(int(mtime)) + _le32(size))

    @classmethod
    def for_hash(cls, source_hash: bytes, checked: bool) -> PycHeader:
        assert len(source_hash) == 8
        return cls(FLAG_HASH_BASED | (FLAG_CHECK_SOURCE if checked else 0), source_hash)

    def must_hash_source(self) -> bool:
        """Whether the source is read and hashed to trust this pyc (``--check-hash-based-pycs``)."""
        mode = _imp.check_hash_based_pycs
        return self.hash_based and mode != "never" and (self.check_source or mode == "always")

    def matches(self, mtime: int, size: int | None, source_hash: bytes | None) -> bool:
        """Whether the pyc was compiled from this source, by the key its kind records.

        A hash-based pyc whose source was not hashed (see must_hash_source) is
        trusted as it is; a size of None is not compared (path_stats without one).
        """
        if self.hash_based:
            return source_hash is None or self.key == source_hash
        same_mtime = _u32(self.key[:4]) == mtime & 0xFFFFFFFF
        return same_mtime and (size is None or _u32(self.key[4:]) == size & 0xFFFFFFFF)

    def to_bytes(self) -> bytes:
        return MAGIC_NUMBER + _le32(self.flags) + self.key


def read_pyc_header(data: bytes, name: str, error_details: dict[str, Any]) -> int:
    """The flags word of a pyc (see PycHeader.parse for what it raises)."""
    return PycHeader.parse(data, name, error_details).flags


def compile_bytecode(
    data: bytes | memoryview,
    name: str | None = None,
    bytecode_path: str | None = None,
    source_path: str | None = None,
) -> CodeType:
    """Unmarshal the code object of a pyc body (the bytes after the header)."""
    code = marshal.loads(data)
    if not isinstance(code, CodeType):
        raise ImportError(ERR_NOT_CODE.format(path=bytecode_path), name=name, path=bytecode_path)
    if source_path is not None:
        _imp._fix_co_filename(code, source_path)  # type: ignore[attr-defined]  # private: not in typeshed
    return code


def pyc_bytes(header: PycHeader, code: CodeType) -> bytearray:
    """A whole pyc file: *header*, then *code* marshalled."""
    data = bytearray(header.to_bytes())
    data += marshal.dumps(code)
    return data


def code_to_timestamp_pyc(code: CodeType, mtime: float = 0, source_size: int = 0) -> bytearray:
    """Serialise *code* as a timestamp-checked pyc."""
    return pyc_bytes(PycHeader.for_timestamp(mtime, source_size), code)


def code_to_hash_pyc(code: CodeType, source_hash: bytes, checked: bool = True) -> bytearray:
    """Serialise *code* as a hash-based pyc (PEP 552)."""
    return pyc_bytes(PycHeader.for_hash(source_hash, checked), code)


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


def write_atomic(path: str, data: Buffer, mode: int = 0o666) -> None:
    """Write *data* to *path* so that readers see the old file or the new one, never half.

    The bytes go to a fresh file beside *path* (same folder, so os.replace is a
    rename on one file system) that is then renamed over it.  os.open with
    O_EXCL applies the umask to *mode* as any new file gets it; tempfile's
    mkstemp would force 0o600 and a chmod would need the umask, which cannot
    be read without changing it for every thread.
    """
    temporary, fd = _create_beside(path, mode & 0o666)
    try:
        with io.FileIO(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _create_beside(path: str, mode: int) -> tuple[str, int]:
    """Create a new, uniquely named file next to *path*: (its name, an open descriptor)."""
    for _ in range(3):
        temporary = f"{path}.{os.urandom(4).hex()}.tmp"
        try:
            return temporary, os.open(temporary, os.O_EXCL | os.O_CREAT | os.O_WRONLY, mode)
        except FileExistsError:
            continue  # another writer drew the same 32 random bits: draw again
    raise FileExistsError(ERR_NO_TEMPORARY_NAME.format(path=path))
