"""Which backend opens which location: the built-in ones, and those other distributions add.

A backend is registered as a :class:`Backend` record: a name, the function
that opens a location (``open(location, probe)``), and what it claims - URL
schemes (``postgresql://``), file contents (a ``sniff`` of the path hook's
one look at the file) and file names (``.sqlite``: a file with that name is
meant to be a store, so if it does not read as one that is an error, not
silence).  :func:`~importworks.stores.opening.open_store` asks :func:`claim`.

Other distributions add backends through the entry-point group
``importworks.stores``; each entry point names a :class:`Backend`::

    [project.entry-points."importworks.stores"]
    json = "iw_jsonstore:backend"

The group is read only when a location is claimed by no backend known so far
(the first file on sys.path that is neither SQLite nor zip, the first URL of
an unknown scheme), once per process, so a start-up that finds only the
built-in kinds never imports importlib.metadata.  A backend that cannot be
loaded is named, with its distribution, in :func:`unclaimed_reasons`, in the
error for the location nobody claimed, and in one ImportWarning per reading.
That reading happens inside some unrelated import (a path hook looking at a
file on sys.path), so the warning can never become that import's exception,
not even under ``-W error``.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

from ..errors import ERR_BACKEND_CLAIM_FAILED, StoreError
from .base import StoreBackend
from .sniff import SCHEMES, FileProbe, parse_store_url, probe_file

__all__ = ["ENTRY_POINT_GROUP", "Backend", "Claim", "backends", "claim", "register", "unregister"]

ENTRY_POINT_GROUP = "importworks.stores"


# named tuples, not dataclasses: dataclasses imports inspect (and ast, dis, tokenize),
# which would be paid at every activate() by programs that never use them
class Backend(NamedTuple):
    """One kind of store, and the locations it claims."""

    #: a short word, also the store's ``kind`` ("sqlite", "zip", "postgres", "json")
    name: str
    #: open(location, probe) -> the open store; *probe* is the path hook's look at a
    #: file (None for URLs, or when the caller has none): reuse its descriptor or close nothing
    open: Callable[[str, FileProbe | None], StoreBackend]
    #: URL prefixes served ("postgresql://"); a file backend has none
    schemes: tuple[str, ...] = ()
    #: file names meant to be this kind of store (".sqlite"), whatever their content
    suffixes: tuple[str, ...] = ()
    #: whether a probed regular file holds this kind of store (read it with os.pread(probe.fd, ...))
    sniff: Callable[[FileProbe], bool] | None = None
    #: for URL backends: path -> (the store's location, a folder prefix inside it ('' or 'pkg/'))
    split: Callable[[str], tuple[str, str]] | None = None
    #: what a file of one of *suffixes* should be, for the error when it is not
    #: ("a zip archive (no end-of-central-directory record)")
    expected: str = ""
    #: where it comes from, for messages: the entry point and its distribution, "importworks"
    #: for the built-in ones
    origin: str = "registered in this process"

    def locate(self, path: str) -> tuple[str, str]:
        """(location, prefix) of a URL this backend serves."""
        return self.split(path) if self.split is not None else (path, "")


class Claim(NamedTuple):
    """A backend's answer for one location: *sniffed* when its content matched, not just its name."""

    backend: Backend
    sniffed: bool


# -- the built-in backends, imported only when a store of their kind is opened -------------
def _open_sqlite(location: str, probe: FileProbe | None) -> StoreBackend:
    from .sqlite import SQLiteStore

    return SQLiteStore(location, probe)


def _open_zip(location: str, probe: FileProbe | None) -> StoreBackend:
    from .zip import ZipStore

    return ZipStore(location, probe)


def _open_postgres(location: str, probe: FileProbe | None) -> StoreBackend:
    from .postgres import PostgresStore

    return PostgresStore(location)


def _split_postgres(path: str) -> tuple[str, str]:
    url = parse_store_url(path)
    return url.location, url.prefix


_BUILT_IN = (
    # the path hook's probe has told SQLite and zip files apart already: no second read
    Backend(
        "sqlite",
        _open_sqlite,
        suffixes=(".sqlite", ".sqlite3"),
        sniff=lambda probe: probe.kind == "sqlite",
        expected="a SQLite database (no SQLite header)",
        origin="importworks",
    ),
    Backend(
        "zip",
        _open_zip,
        suffixes=(".zip", ".pyz"),
        sniff=lambda probe: probe.kind == "zip",
        expected="a zip archive (no end-of-central-directory record)",
        origin="importworks",
    ),
    Backend("postgres", _open_postgres, schemes=SCHEMES, split=_split_postgres, origin="importworks"),
)

_backends: list[Backend] = list(_BUILT_IN)
_schemes: tuple[str, ...] = SCHEMES  # every backend's, for one startswith on the hot path
_lock = threading.Lock()  # the list of backends
_reading_lock = threading.Lock()  # one thread reads the entry points; the others wait for it
_entry_points_read = False
_reading = threading.local()  # .active: this thread is reading the entry points (which imports)
_failures: list[str] = []  # entry points that could not be used, said as in the warning


def backends() -> list[Backend]:
    """The backends known now (the entry points' only once a location made them be read)."""
    return list(_backends)


def register(backend: Backend) -> None:
    """Add *backend*; it is asked after those registered before it.  A name already taken is an error."""
    global _schemes
    with _lock:
        for known in _backends:
            if known.name == backend.name:
                raise ValueError(f"a store backend named {backend.name!r} is registered already (by {known.origin})")
        _backends.append(backend)
        _schemes = tuple(s for b in _backends for s in b.schemes)


def unregister(name: str) -> None:
    """Remove the backend called *name* (tests; a plugin withdrawn)."""
    global _schemes
    with _lock:
        _backends[:] = [b for b in _backends if b.name != name]
        _schemes = tuple(s for b in _backends for s in b.schemes)


def is_url(path: object) -> bool:
    """Whether *path* starts with a scheme some backend known now serves (no entry point is read)."""
    return isinstance(path, str) and path.startswith(_schemes)


def claim(path: str, probe: FileProbe | None = None) -> Claim | None:
    """The backend for *path*: a URL by its scheme, a probed file by its content, then by its name.

    A location claimed by none of the backends known makes the entry points be
    read (once) and is asked again.
    """
    found = _claim(path, probe)
    if found is None and _could_be_claimed(path, probe) and _read_entry_points():
        found = _claim(path, probe)
    return found


def claims_content(path: str) -> bool:
    """Whether a backend claims the file at *path* by its content (its name alone is not enough)."""
    probe = probe_file(path)
    if probe is None or probe.is_dir:
        return False
    try:
        found = claim(path, probe)
    finally:
        probe.close()
    return found is not None and found.sniffed


def unclaimed_reasons() -> list[str]:
    """Why backends other distributions offer are missing (entry points that failed to load)."""
    return list(_failures)


def _could_be_claimed(path: str, probe: FileProbe | None) -> bool:
    # only what another backend might read: a URL of some scheme, or a regular file
    return "://" in path or (probe is not None and not probe.is_dir)


def _claim(path: str, probe: FileProbe | None) -> Claim | None:
    known = _backends
    if path.startswith(_schemes):
        for backend in known:
            if path.startswith(backend.schemes):
                return Claim(backend, True)
    if probe is None or probe.is_dir:
        by_name = next((b for b in known if b.suffixes and path.endswith(b.suffixes)), None)
        return None if by_name is None else Claim(by_name, False)
    for backend in known:
        if backend.sniff is not None and _sniff(backend, probe, path):
            return Claim(backend, True)
    for backend in known:
        if backend.suffixes and path.endswith(backend.suffixes):
            return Claim(backend, backend.sniff is None)  # no sniff: its name is all it goes by
    return None


def _sniff(backend: Backend, probe: FileProbe, path: str) -> bool:
    try:
        return bool(backend.sniff(probe))  # type: ignore[misc]
    except Exception as exc:  # someone else's code, on a path entry that may be anything
        raise StoreError(
            ERR_BACKEND_CLAIM_FAILED.format(
                name=backend.name, origin=backend.origin, path=path, error=f"{type(exc).__name__}: {exc}"
            ),
            path=path,
        ) from None


def _read_entry_points() -> bool:
    """Register the backends of the ``importworks.stores`` entry points; whether any was new."""
    if _entry_points_read or getattr(_reading, "active", False):
        return False  # read already, or being read further up this thread's stack
    _reading.active = True
    try:
        with _reading_lock:
            if _entry_points_read:
                return True  # by another thread meanwhile: ask again
            return _register_entry_points()
    finally:
        _reading.active = False


def _register_entry_points() -> bool:
    global _entry_points_read
    before = (len(_backends), len(_failures))
    try:
        try:
            from importlib.metadata import entry_points

            found = list(entry_points(group=ENTRY_POINT_GROUP))
        except Exception as exc:  # a damaged distribution elsewhere must not break every import
            _fail(f"the {ENTRY_POINT_GROUP} entry points cannot be read ({type(exc).__name__}: {exc})")
            found = []
        for entry_point in found:
            _load_entry_point(entry_point)
    finally:
        _entry_points_read = True  # read once, whatever happened
    _warn(_failures[before[1] :])
    return len(_backends) > before[0]


def _describe(entry_point: Any) -> str:
    dist = entry_point.dist
    if dist is None:
        where = "an unknown distribution"
    else:
        # .get: a METADATA without a Name is None, where [] warns or raises by version
        name = dist.metadata.get("Name")
        where = f"distribution {name} {dist.version}" if name else f"a distribution without a Name ({dist.version})"
    return f"entry point {entry_point.name} = {entry_point.value} ({ENTRY_POINT_GROUP}) of {where}"


def _load_entry_point(entry_point: Any) -> None:
    origin = f"entry point {getattr(entry_point, 'name', entry_point)!r} ({ENTRY_POINT_GROUP})"
    try:
        origin = _describe(entry_point)
        backend = entry_point.load()
    except Exception as exc:  # whatever another distribution's metadata or import raises
        _fail(f"the store backend of {origin} cannot be loaded: {type(exc).__name__}: {exc}")
        return
    if not isinstance(backend, Backend):
        _fail(
            f"{origin} names {type(backend).__name__} {backend!r}, not an importworks.stores.registry.Backend; "
            "it is ignored"
        )
        return
    try:
        register(_with_origin(backend, origin))
    except ValueError as exc:
        _fail(f"{origin} is ignored: {exc}")


def _with_origin(backend: Backend, origin: str) -> Backend:
    return backend._replace(origin=origin)


def _fail(message: str) -> None:
    _failures.append(message)


def _warn(failures: list[str]) -> None:
    """One ImportWarning for a reading's failures, which never escapes (see the module docstring)."""
    if not failures:
        return
    try:
        warnings.warn(f"importworks: {'; '.join(failures)}", ImportWarning, stacklevel=2)
    except Warning:
        pass  # turned into an error by a filter: unclaimed_reasons() and the StoreError still say it


def _reset_for_tests() -> None:
    """Forget every entry point's backend, so that the group is read again."""
    global _entry_points_read, _schemes
    with _lock:
        _backends[:] = list(_BUILT_IN)
        _schemes = SCHEMES
        _entry_points_read = False
        _failures.clear()
