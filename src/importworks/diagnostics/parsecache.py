"""Summaries of many source files, parsed once: a cache on disk, the rest spread over processes.

``doctor`` on a site-packages folder reads thousands of files, and parsing is
nearly all of its time.  A file's :data:`.scan.Summary` depends only on its
bytes (and the Python reading it), so it is kept in one ``marshal`` file per
scanned folder under the user cache directory (``$XDG_CACHE_HOME/importworks``,
else ``~/.cache/importworks``), keyed by the file's identity: path, size and
modification time in nanoseconds.  A file whose identity changed is parsed
again; files nobody asked for are dropped when the cache is written back.

Files not in the cache are parsed in forked worker processes (one per CPU)
when there are enough of them to pay for starting the workers.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable

from . import scan
from .scan import SUMMARY_VERSION, Summary

__all__ = ["CACHE_ENV", "cache_dir", "summaries"]

CACHE_ENV = "IMPORTWORKS_DOCTOR_CACHE"  # a folder for the cache, or "off"
PARALLEL_FROM = 150  # fewer files than this are parsed faster here than by starting workers
_CHUNK = 64


def cache_dir() -> str | None:
    """The folder holding doctor's parse caches (None: caching is off)."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen == "off":
        return None
    if chosen:
        return chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "importworks", "doctor")


def _cache_file(root: str) -> str | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = f"{os.path.realpath(root)}\0{sys.implementation.cache_tag}\0{sys.platform}\0{SUMMARY_VERSION}"
    return os.path.join(folder, hashlib.sha256(key.encode()).hexdigest()[:32] + ".marshal")


def _load(path: str | None) -> dict[str, tuple[int, int, Summary]]:
    if path is None:
        return {}
    enabled = gc.isenabled()
    gc.disable()  # tens of thousands of tuples, none of them cyclic: no collection passes meanwhile
    try:
        with open(path, "rb") as f:
            data = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return {}  # missing or damaged: parse afresh
    finally:
        if enabled:
            gc.enable()
    return data if isinstance(data, dict) else {}


def _store(path: str | None, entries: dict[str, tuple[int, int, Summary]]) -> None:
    """Write the cache atomically (a reader never sees half a file); a failure only costs speed."""
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            marshal.dump(entries, f)
        os.replace(temporary, path)
    except (OSError, ValueError):
        pass


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def summarize_file(path: str) -> Summary:
    """One file's summary (a seam for tests counting what gets parsed)."""
    return scan.summarize_file(path)


def _summarize_chunk(paths: list[str]) -> list[Summary]:
    return [scan.summarize_file(p) for p in paths]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parse_all(paths: list[str], workers: int | None) -> list[Summary]:
    workers = min(workers if workers is not None else _cpus(), max(1, len(paths) // _CHUNK))
    if workers < 2 or len(paths) < PARALLEL_FROM or not hasattr(os, "fork"):
        return [summarize_file(p) for p in paths]
    # big files first, dealt round-robin, so that no share is left with the slow tail
    ordered = sorted(paths, key=lambda p: -(_identity(p) or (0, 0))[0])
    shares = [ordered[i::workers] for i in range(workers)]
    children = [_fork_share(share) for share in shares[1:]]
    parsed = dict(zip(shares[0], _summarize_chunk(shares[0]), strict=True))  # this process takes a share too
    for child, share in zip(children, shares[1:], strict=True):
        parsed.update(zip(share, _collect(child, share), strict=True))
    return [parsed[p] for p in paths]


def _fork_share(share: list[str]) -> tuple[int, int] | None:
    """Start a child parsing *share* and sending the summaries back marshalled: (pid, pipe), or None.

    A bare fork, not multiprocessing: nothing is pickled (pickle insists on the
    very class objects, which a test's fresh sys.modules replaces), and the child
    only parses, writes and leaves through os._exit (no atexit, no buffers).
    """
    try:
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: "process is multi-threaded"
            pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child
        try:
            os.close(read_end)
            data = marshal.dumps(_summarize_chunk(share))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int] | None, share: list[str]) -> list[Summary]:
    """The child's summaries (parsed here instead if it failed)."""
    if child is None:
        return _summarize_chunk(share)
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    try:
        parsed = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        parsed = None
    return parsed if isinstance(parsed, list) and len(parsed) == len(share) else _summarize_chunk(share)


def summaries(root: str, paths: Iterable[str], *, workers: int | None = None) -> dict[str, Summary]:
    """The summary of every file in *paths* (under *root*), from the cache where it is current."""
    cache_path = _cache_file(root)
    cached = _load(cache_path)
    result: dict[str, Summary] = {}
    fresh: dict[str, tuple[int, int, Summary]] = {}
    todo: list[tuple[str, tuple[int, int] | None]] = []
    for path in paths:
        identity = _identity(path)
        hit = cached.get(path)
        if identity is not None and hit is not None and (hit[0], hit[1]) == identity:
            result[path] = hit[2]
            fresh[path] = hit
        else:
            todo.append((path, identity))  # the identity before reading: a file edited meanwhile is re-read next time
    if todo:
        for (path, identity), summary in zip(todo, _parse_all([p for p, _ in todo], workers), strict=True):
            result[path] = summary
            if identity is not None:
                fresh[path] = (*identity, summary)
    if todo or len(fresh) != len(cached):
        _store(cache_path, fresh)
    return result
