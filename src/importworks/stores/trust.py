"""Which stores may be imported from: trusted keys, and stores refused outright.

Once any key is trusted (``importworks.install(trusted_keys=[...])``,
``activate(trusted_keys=...)``, or ``IMPORTWORKS_TRUSTED_KEYS``, public key
files separated by ``os.pathsep``), a store is used only if it carries a valid
signature by one of those keys.  The signature is checked once per store and
set of keys (:func:`admit`, from the finder); then every entry and code row
read is checked against the digest the signature covers (:func:`check_read`,
the stores' ``trust_hook``), so bytes changed after signing never run.

A store the path hook recognises but cannot open keeps its path entry
(:class:`RefusedStoreFinder`): stock zipimport or a folder finder never gets
to read the same bytes another way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import StoreError, StoreTrustError
from .base import INDEX_ENTRY, CompactIndex, IndexedStore, Store

__all__ = ["ENV_VAR", "RefusedStoreFinder", "Signed", "admit", "check_read", "pop_keys", "push_keys", "trusted_keys"]

ENV_VAR = "IMPORTWORKS_TRUSTED_KEYS"
_TRUSTS_ONLY = (
    "importworks trusts only stores signed by {keys} (check it with: importworks verify {store} --key KEY.pub)"
)
# a key file named in the environment cannot be used: no key is shown, as none is trusted
_TRUSTS_NONE = (
    "importworks trusts no store until every file " + ENV_VAR + " names is a public key (correct or remove {path!r})"
)
ERR_REFUSED = "store {store} is refused: {reason}; {trusts}"
ERR_REFUSED_ENTRY = "cannot import {name!r} from store {store} (entry {entry!r}): {reason}; {trusts}"

# keys given to install()/activate(), one list per installation still in place
_given: list[list[tuple[bytes, ...]]] = []
# the variable, its keys, what was wrong with a file it names and which file
_env_keys: tuple[str, tuple[bytes, ...], str | None, str | None] = ("", (), None, None)
_keys: frozenset[bytes] = frozenset()
_UNUSABLE = b"unusable key: "  # the mark in _keys of a key file that could not be used
_local = threading.local()  # .verifying: this thread is checking a signature (importing cryptography)
_lock = threading.Lock()


class Signed:
    """A store's checked signature: the digest of every entry and code row, by entry number."""

    __slots__ = ("_code", "_compact", "_entries", "_sha256", "count", "fingerprint", "keys")

    def __init__(
        self,
        keys: frozenset[bytes],
        fingerprint: str,
        compact: CompactIndex | None,
        digests: bytes,
        count: int,
        sha256: Any,
    ) -> None:
        self.keys, self.fingerprint, self._compact, self._sha256 = keys, fingerprint, compact, sha256
        self.count = count
        self._entries = memoryview(digests)[: 32 * count]
        self._code = memoryview(digests)[32 * count :]

    def check(self, store: Store, path: str, data: bytes, what: str) -> None:
        """Refuse *data* unless it is the signed content of entry (or code row) *path*."""
        at = self._compact.number(path) if self._compact is not None else None
        table = self._entries if what == "entry" else self._code
        if at is None or 32 * at + 32 > len(table):
            raise _refused(store, f"{what} {path!r} is not among those signed", path)
        if self._sha256(data).digest() != table[32 * at : 32 * at + 32]:
            thing = "its compiled code" if what == "code" else "its bytes"
            raise _refused(store, f"{thing} changed after the store was signed by {self.fingerprint}", path)


def _sha256_function() -> Any:
    # OpenSSL's sha256 is several times faster than the built-in one on large code; the
    # signature check imports OpenSSL anyway (through cryptography)
    try:
        from _hashlib import openssl_sha256

        return openssl_sha256
    except ImportError:
        from hashlib import sha256

        return sha256


def _describe(keys: Iterable[bytes]) -> str:
    from .signing import fingerprint

    return ", ".join(sorted(fingerprint(k) for k in keys)) or "no key"


def _trusts(store: Store) -> str:
    """What importworks trusts now, for a refusal: the keys, or the key file it could not use."""
    if _env_keys[3] is not None and any(k.startswith(_UNUSABLE) for k in _keys):
        return _TRUSTS_NONE.format(path=_env_keys[3])
    return _TRUSTS_ONLY.format(keys=_describe(k for k in _keys if not k.startswith(_UNUSABLE)), store=store.location)


def _refused(store: Store, reason: str, entry: str | None = None) -> StoreTrustError:
    return StoreTrustError(
        ERR_REFUSED.format(store=store.location, reason=reason, trusts=_trusts(store)),
        path=store.location,
        entry=entry,
        reason=reason,
    )


def _keys_from_env() -> tuple[tuple[bytes, ...], str | None]:
    global _env_keys
    value = os.environ.get(ENV_VAR, "")
    if value == _env_keys[0]:
        return _env_keys[1], _env_keys[2]
    # only once a key is named: importing signing is not free at start-up
    from .signing import load_public_key

    keys, problem, unusable = [], None, None
    for path in filter(None, value.split(os.pathsep)):
        try:
            keys.append(load_public_key(path))
        except (OSError, ValueError) as exc:  # fail closed: a key that cannot be read trusts nothing
            why = f"it cannot be read ({exc.strerror or exc})" if isinstance(exc, OSError) else str(exc)
            problem = f"{ENV_VAR} names the key file {path!r}, which cannot be used as a key: {why}"
            unusable = path
    _env_keys = (value, tuple(keys), problem, unusable)
    return _env_keys[1], problem


def trusted_keys() -> frozenset[bytes]:
    """The raw public keys trusted now (given to install()/activate(), and in the environment)."""
    return _keys


def _refresh() -> None:
    global _keys
    env, problem = _keys_from_env()
    keys = frozenset(k for token in _given for given in token for k in given) | frozenset(env)
    if problem is not None:
        keys |= {_UNUSABLE + problem.encode()}  # never a real key: nothing is trusted
    _keys = keys
    IndexedStore.trust_hook = check_read if keys else None  # type: ignore[assignment]


def push_keys(paths: Iterable[str | os.PathLike[str]]) -> object:
    """Trust the public key files *paths* too (install(trusted_keys=...)); re-reads the environment.

    Returns the token to give pop_keys.
    """
    paths = list(paths)
    if paths:
        from .signing import load_public_key

    keys = tuple(load_public_key(os.fspath(p)) for p in paths)
    token = [keys]
    with _lock:
        _given.append(token)
        _refresh()
    return token


def pop_keys(token: object) -> None:
    """Stop trusting what push_keys returned *token* for (uninstall())."""
    with _lock:
        _given[:] = [given for given in _given if given is not token]
        _refresh()


def _verify(store: Store, keys: frozenset[bytes]) -> Signed:
    """Check *store*'s signature against *keys*; the Signed record, or StoreTrustError (verify --key)."""
    store.index  # noqa: B018 - its bytes, and what they decode to
    signed = _check_signature(store, keys, store.index_blob)
    _check_decoded(store, signed)
    return signed


def _check_signature(store: Store, keys: frozenset[bytes], index_blob: bytes | None) -> Signed:
    """The signature, checked over the index's raw bytes: nothing the store holds is decoded before it.

    Only the signature blob is parsed (fixed-size fields), and its header is
    unmarshalled once the key's signature over it holds.
    """
    from . import signing

    bad = [k for k in keys if k.startswith(_UNUSABLE)]
    if bad:
        raise _refused(store, bad[0][len(_UNUSABLE) :].decode())
    try:
        signature = signing.read_signature(store)
    except StoreError as exc:
        raise _refused(store, f"its signature cannot be read ({exc})") from None
    if signature is None:
        raise _refused(store, "it is not signed")
    if signature.public_key not in keys:
        raise _refused(store, f"it is signed by {signature.fingerprint}, which is not a trusted key")
    marker = _marker(signature)
    try:
        valid = os.path.exists(marker) or signing.signature_valid(signature)
    except ImportError:
        raise _refused(store, signing.NO_CRYPTOGRAPHY) from None
    if valid:
        _remember(marker)
    else:
        raise _refused(
            store,
            f"its signature by {signature.fingerprint} does not match what it signs: "
            "the signature was changed or made for other contents",
        )
    sha256 = _sha256_function()
    fields = signature.fields()  # signed by a trusted key: safe to decode
    count = fields.get("count")
    if not isinstance(count, int) or count < 0 or index_blob is None:
        raise _refused(store, "its signature does not describe a packed index")
    checks = (
        ("index", index_blob),
        ("meta", signing.meta_bytes(store)),
        ("entries", signature.digests[: 32 * count]),
        ("code", signature.digests[32 * count :]),
    )
    for name, data in checks:
        if sha256(data).digest() != fields.get(name):
            what = {"index": "its index", "meta": "its metadata"}.get(name, "the signed digests")
            raise _refused(
                store,
                f"{what} changed after it was signed by {signature.fingerprint}",
                INDEX_ENTRY if name == "index" else None,
            )
    return Signed(keys, signature.fingerprint, None, signature.digests, count, sha256)


def _check_decoded(store: Store, signed: Signed) -> None:
    """The signed index, decoded: the entry numbers the digests are kept by."""
    compact = store.packed_index
    if not isinstance(compact, CompactIndex):
        raise _refused(store, "its signature does not describe a packed index")
    if signed.count != len(compact):
        raise _refused(store, "its signature lists another number of entries than its index")
    signed._compact = compact


def _marker(signature: Any) -> str:
    """Where a check of exactly this signature (key, signature, signed header) is remembered.

    A warm start then skips importing cryptography (milliseconds): the marker
    lives in importworks' private cache, which is trusted as the extraction
    cache beside it is (whoever can write there can replace extracted native
    code too).  The header's digests are still checked against the store on
    every open.
    """
    from .base import sha256_hex
    from .cache import cache_root

    key = sha256_hex(b"".join((signature.public_key, signature.signature, signature.header)))
    return os.path.join(cache_root(), "verified", key)


def _remember(marker: str) -> None:
    if os.path.exists(marker):
        return
    try:
        os.makedirs(os.path.dirname(marker), mode=0o700, exist_ok=True)
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        pass  # only saves time next start


def _signed(store: Store, index_blob: bytes | None = None) -> Signed:
    """The store's Signed record for the keys trusted now, checking its signature if need be.

    With *index_blob* (the trust hook, before the index is decoded) only the
    signature over those bytes is checked; otherwise the decoded index too.
    """
    keys = _keys
    if index_blob is None and store.index_blob is None:
        store.index  # noqa: B018 - reading it checks the signature over its bytes first (check_read)
    signed = store.signed
    if isinstance(signed, StoreTrustError) and getattr(signed, "keys", None) is keys:
        raise signed
    if not (isinstance(signed, Signed) and signed.keys is keys):
        blob = store.index_blob if index_blob is None else index_blob
        signed = _checking(store, keys, lambda: _check_signature(store, keys, blob))
    if signed._compact is None and index_blob is None:
        _checking(store, keys, lambda: _check_decoded(store, signed))
    return signed


def _checking(store: Store, keys: frozenset[bytes], check: Any) -> Any:
    """Run one step of checking *store*'s signature; a refusal is remembered for these keys."""
    outer = getattr(_local, "verifying", False)
    _local.verifying = True  # imports made meanwhile (cryptography) never come from unchecked stores
    try:
        result = check()
    except StoreTrustError as exc:
        exc.keys = keys  # type: ignore[attr-defined]
        store.signed = exc
        raise
    finally:
        _local.verifying = outer
    if isinstance(result, Signed):
        store.signed = result
    return result


def admit(store: Store, prefix: str, fullname: str) -> bool:
    """May the finder of *store* serve *fullname*?  Raises if the store holds it and is refused.

    False while this thread checks a signature (cryptography is being
    imported, and must not come from a store not yet trusted) and when the
    refused store does not hold the name (other path entries keep working).
    """
    if not _keys:
        return True
    if getattr(_local, "verifying", False):
        return isinstance(store.signed, Signed) and store.signed.keys is _keys
    try:
        _signed(store)
    except StoreTrustError as exc:
        entry = _entry_of(store, prefix, fullname)
        if entry is None:
            return False
        raise StoreTrustError(
            ERR_REFUSED_ENTRY.format(
                name=fullname, store=store.location, entry=entry, reason=exc.reason, trusts=_trusts(store)
            ),
            name=fullname,
            path=store.location,
            entry=entry,
            reason=exc.reason,
        ) from None
    return True


def _entry_of(store: Store, prefix: str, fullname: str) -> str | None:
    """The entry (or folder) *fullname* would come from in *store*, if the store holds it.

    A store refused before its index was decoded is asked where other tools
    would look (a zip's directory, the entries table), never through the index.
    """
    tail = fullname.rpartition(".")[2]
    try:
        names: frozenset[str] | set[str]
        if isinstance(store, IndexedStore) and store._index is not None:
            names = store.children(prefix)
        else:
            names = {p[len(prefix) :].partition("/")[0] for p in _store_paths(store) if p.startswith(prefix)}
    except StoreError:
        return None
    for name in sorted(names):
        if name == tail or name.partition(".")[0] == tail:
            return prefix + name
    return None


def check_read(store: Store, path: str, data: bytes, what: str) -> None:
    """Store.trust_hook while keys are trusted: refuse bytes the signature does not cover.

    *what* is "index" for the packed index's raw bytes (before they are
    decoded), "entry" or "code" for an entry or a precompiled code row.
    """
    if what == "index":
        _signed(store, data)
    else:
        _signed(store).check(store, path, data, what)


class RefusedStoreFinder:
    """The finder of a path entry that is a store importworks cannot open (or trust).

    It keeps the entry from the next path hook (zipimport would read a zip
    whose index importworks refused, and run what it found) and raises the
    store's error for any module the store appears to hold; other modules are
    looked for further along sys.path.
    """

    store: Store | None = None  # as PendingStoreFinder.store: no open store behind it
    prefix = ""

    def __init__(self, path: str, location: str, error: StoreError) -> None:
        self.path = path
        self.location = location
        self.error = error
        self._names: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"RefusedStoreFinder({self.path!r})"

    def _listed(self) -> frozenset[str]:
        """Top-level names the file lists in a way that survives a damaged index (a zip's directory)."""
        if self._names is None:
            self._names = frozenset(_listed_names(self.location))
        return self._names

    def find_spec(self, fullname: str, target: Any = None) -> None:
        """Raise the store's error if it lists *fullname*'s top-level name; else find nothing."""
        if fullname.partition(".")[0] in self._listed():
            raise StoreError(
                f"cannot import {fullname!r} from store {self.location}: {self.error}",
                name=fullname,
                path=self.location,
            ) from None

    def iter_modules(self, prefix: str = "") -> Iterator[tuple[str, bool]]:
        return iter(())

    def invalidate_caches(self) -> None:
        """A refused store stays refused until its entry leaves sys.path_importer_cache."""


def _store_paths(store: Store) -> list[str]:
    """The entry paths *store* lists outside its packed index (best effort, else none)."""
    if store.kind == "postgres":
        try:
            rows = store._query("SELECT path FROM importworks_entries WHERE store = %s", (store.url.store,))  # type: ignore[attr-defined]
        except StoreError:
            return []
        return [row[0] for row in rows if isinstance(row[0], str)]
    return [p for p in _listed_paths(store.location) if isinstance(p, str)]


def _listed_names(location: str) -> set[str]:
    """Top-level names a refused store lists where other tools would look (best effort, else none).

    A zip's central directory; a SQLite store's entries table.
    """
    return {
        p.partition("/")[0].partition(".")[0]
        for p in _listed_paths(location)
        if isinstance(p, str) and not p.startswith(".importworks/")
    }


def _listed_paths(location: str) -> Iterable[str]:
    """The entry paths of the store at *location*, read as other tools read them (best effort)."""
    from .sniff import is_store_url, probe_file

    if is_store_url(location):
        return _postgres_paths(location)
    probe = probe_file(location)
    kind = probe.kind if probe is not None else None
    paths: Iterable[str] = ()
    try:
        if kind == "zip":
            from .zip import ZipStore

            raw = ZipStore(location, probe)
            try:
                count, size, offset, _ = raw._end_record()
                paths = list(raw._read_directory(count, size, offset))
            finally:
                raw.close()
        elif kind == "sqlite":
            paths = _sqlite_paths(location)
    except (StoreError, OSError, ValueError):
        paths = ()
    finally:
        if probe is not None:
            probe.close()
    return paths


def _sqlite_paths(location: str) -> list[str]:
    import sqlite3
    from contextlib import closing

    from .sqlite import _uri_path

    try:
        with closing(sqlite3.connect("file:" + _uri_path(location) + "?mode=ro&immutable=1", uri=True)) as db:
            return [row[0] for row in db.execute("SELECT path FROM entries")]
    except sqlite3.Error:
        return []


def _postgres_paths(location: str) -> list[str]:
    """The entries table's paths of a PostgreSQL store that could not be opened (best effort)."""
    try:
        from .postgres import driver
        from .sniff import parse_store_url

        url = parse_store_url(location)
        psycopg = driver(location)
        with psycopg.connect(url.conninfo, autocommit=True, connect_timeout=10) as conn:
            rows = conn.execute("SELECT path FROM importworks_entries WHERE store = %s", (url.store,)).fetchall()
    except Exception:  # only says which names to refuse; no server, no names
        return []
    return [row[0] for row in rows if isinstance(row[0], str)]
