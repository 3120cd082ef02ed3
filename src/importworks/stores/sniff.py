"""Telling a store from other sys.path entries: a file by its first or last bytes, a URL by its scheme.

Only ``os`` (and our errors) are used: the path hook calls these while an
import is searching sys.path, where importing anything else could search that
same path again.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from ..errors import ERR_NOT_A_STORE_URL, ERR_URL_PASSWORD, StoreError

__all__ = [
    "SCHEMES",
    "SQLITE_HEADER",
    "FileProbe",
    "StoreURL",
    "is_sqlite_file",
    "is_store_url",
    "is_zip_file",
    "parse_store_url",
    "probe_file",
    "redact_url",
]

SCHEMES = ("postgresql://", "postgres://")

SQLITE_HEADER = b"SQLite format 3\x00"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF


def is_sqlite_file(path: str) -> bool:
    """Does *path* start with the SQLite header?"""
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


def is_zip_file(path: str) -> bool:
    """Does *path* end like a zip archive (an end-of-central-directory record)?"""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _EOCD_SIZE - _MAX_COMMENT))
            return b"PK\x05\x06" in f.read()
    except OSError:
        return False


class FileProbe:
    """What one ``open`` of a sys.path entry told: a folder, a SQLite or zip file, or another file.

    Opening a store is on every start-up path, and on a network file system
    each ``stat`` or ``open`` is a round trip to a server: the path hook probes
    the entry once, and the store is opened from this probe (its identity,
    size, and the open descriptor, which a zip store keeps and a SQLite store
    uses to read ahead) instead of asking again.
    """

    __slots__ = ("fd", "kind", "identity", "size", "is_dir")

    def __init__(self, fd: int, kind: str | None, identity: tuple[int, int, int], size: int, is_dir: bool) -> None:
        self.fd, self.kind, self.identity, self.size, self.is_dir = fd, kind, identity, size, is_dir

    def take_fd(self) -> int:
        """The open descriptor, now the caller's to close (-1 if there is none)."""
        fd, self.fd = self.fd, -1
        return fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.take_fd())


_S_IFMT, _S_IFDIR, _S_IFREG = 0o170000, 0o040000, 0o100000
_PROBE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def probe_file(path: str) -> FileProbe | None:
    """Open *path* once and tell what it is; None if it cannot be opened (missing, say).

    O_NONBLOCK, so that a FIFO on sys.path cannot hang the import.
    """
    try:
        fd = os.open(path, _PROBE_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        identity = (st.st_ino, st.st_size, st.st_mtime_ns)
        mode = st.st_mode & _S_IFMT
        if mode != _S_IFREG:
            os.close(fd)
            return FileProbe(-1, None, identity, st.st_size, mode == _S_IFDIR)
        kind = None
        if os.pread(fd, 16, 0) == SQLITE_HEADER:
            kind = "sqlite"
        elif st.st_size >= _EOCD_SIZE:
            start = max(0, st.st_size - _EOCD_SIZE - _MAX_COMMENT)
            if b"PK\x05\x06" in os.pread(fd, st.st_size - start, start):
                kind = "zip"
    except OSError:
        os.close(fd)
        return None
    return FileProbe(fd, kind, identity, st.st_size, False)


class StoreURL(NamedTuple):
    """A parsed store URL: what to connect to, which store, and what follows it."""

    location: str  # scheme://netloc/database/store
    conninfo: str  # scheme://netloc/database, for libpq
    store: str
    prefix: str  # a folder inside the store ('' or 'pkg/sub/')


def is_store_url(path: object) -> bool:
    return isinstance(path, str) and path.startswith(SCHEMES)


def parse_store_url(path: str) -> StoreURL:
    """Split ``postgresql://host/db/store/pkg/sub`` into its parts.

    Raises:
        StoreError: not of that shape, or with a password or query in it.
    """
    scheme, _, rest = path.partition("://")
    netloc, _, tail = rest.partition("/")
    shown = redact_url(path)
    if ":" in netloc.rpartition("@")[0]:
        raise StoreError(ERR_URL_PASSWORD.format(url=shown), path=shown)
    parts = [p for p in tail.split("/") if p]
    if len(parts) < 2 or "?" in path or "#" in path:
        raise StoreError(ERR_NOT_A_STORE_URL.format(url=shown, scheme=scheme), path=shown)
    database, store, inside = parts[0], parts[1], parts[2:]
    location = f"{scheme}://{netloc}/{database}/{store}"
    return StoreURL(location, f"{scheme}://{netloc}/{database}", store, "/".join(inside) + "/" if inside else "")


def redact_url(url: str) -> str:
    """*url* without the password of its user part, for messages."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    user, at, host = netloc.rpartition("@")
    if at and ":" in user:
        netloc = f"{user.partition(':')[0]}:***@{host}"
    return f"{scheme}{sep}{netloc}{slash}{tail}"
