"""Signed stores: Ed25519 keys, signing a packed store, reading and checking its signature.

A signature names its key (the raw public key, shown by fingerprint) and
covers a small header: the sha256 of the store's packed index, of its
metadata, and of two arrays holding the sha256 of every entry and of every
precompiled code row, in the index's entry order.  The arrays travel with the
signature, so checking a store at open is one Ed25519 check and hashing the
index and the arrays; each entry is then checked against its digest when it is
read (see :mod:`importworks.stores.trust`).

Where the signature lives:

* SQLite: a row ``'signature'`` of the ``blobs`` table, beside the index;
* zip: an entry ``.importworks/signature`` stored right after the index entry
  (found from the index's place, which the archive comment records), so that
  other zip tools see one more file and nothing else changes;
* PostgreSQL: the ``signature`` column of the store's ``importworks_stores``
  row (a re-pack clears it: a new generation is unsigned until signed).

Signing needs ``cryptography`` (``pip install 'importworks[sign]'``); reading
who signed (``importworks ls``) does not.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

from ..errors import StoreError
from .base import CompactIndex, Store, sha256_hex
from .bounded import check_marshalled

__all__ = [
    "SIGNATURE_ENTRY",
    "Signature",
    "fingerprint",
    "generate_key",
    "load_public_key",
    "read_signature",
    "sign_store",
    "signature_valid",
    "signed_digests",
]

MAGIC = b"importworks-signature 1\n"
SIGNATURE_ENTRY = ".importworks/signature"
_HEAD = struct.Struct("<32s64sI")  # public key, signature, header length
_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")  # DER SubjectPublicKeyInfo of an Ed25519 key
_PEM_PUBLIC = ("-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----")
_LOCAL = struct.Struct("<4s5H3I2H")
NO_CRYPTOGRAPHY = "signing and checking signatures need the cryptography package: pip install 'importworks[sign]'"


def fingerprint(public_key: bytes) -> str:
    """How keys are named in messages: ``ed25519:`` and 16 hex digits of the key's sha256."""
    return "ed25519:" + sha256_hex(public_key)[:16]


def generate_key(path: str) -> str:
    """Write a new private key to *path* (mode 0600) and its public key to *path*.pub; its fingerprint."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, even briefly
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    with open(path + ".pub", "wb") as f:
        f.write(public)
    return fingerprint(_raw_public(key.public_key()))


def _raw_public(key: object) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)  # type: ignore[attr-defined]


def load_public_key(path: str) -> bytes:
    """The raw 32-byte Ed25519 key in the PEM file *path* (as keygen writes it).

    Parsed here rather than by cryptography: trusted keys are read at start-up.

    Raises:
        ValueError: not an Ed25519 public key in PEM; OSError: cannot be read.
    """
    from binascii import Error as Base64Error  # built in: base64 would be one more import
    from binascii import a2b_base64

    with open(path, "rb") as f:
        text = f.read(4096).decode("ascii", "replace").strip()
    begin, end = _PEM_PUBLIC
    if not (text.startswith(begin) and text.endswith(end)):
        raise ValueError(
            f"{path} is not a public key file (expected {begin} ... {end}; importworks keygen writes KEY.pub)"
        )
    try:
        encoded = "".join(text[len(begin) : -len(end)].split()).encode("ascii")
        if sys.version_info >= (3, 11):
            der = a2b_base64(encoded, strict_mode=True)
        else:
            der = a2b_base64(encoded)
    except (Base64Error, ValueError):
        raise ValueError(f"{path}: the public key is not valid base64") from None
    if len(der) != len(_SPKI_PREFIX) + 32 or not der.startswith(_SPKI_PREFIX):
        raise ValueError(f"{path} does not hold an Ed25519 public key")
    return der[len(_SPKI_PREFIX) :]


def _load_private_key(path: str) -> object:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with open(path, "rb") as f:
        data = f.read()
    if data.lstrip().startswith(_PEM_PUBLIC[0].encode()):
        raise ValueError(
            f"{path} is a public key: signing needs the private key (the file beside it without .pub, "
            "as importworks keygen wrote them)"
        )
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key (make one with importworks keygen)")
    return key


class Signature(NamedTuple):
    """A store's signature as read, not yet checked."""

    public_key: bytes
    signature: bytes
    header: bytes  # what is signed, after MAGIC and the key
    digests: bytes  # entry digests, then code digests, 32 bytes each

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def fields(self) -> dict:
        """The header's fields (index, meta, entries, code digests; count; signed_at)."""
        try:
            check_marshalled(self.header)  # ls reads it unchecked: sizes must fit before marshal allocates
            fields = marshal.loads(self.header)
            if not isinstance(fields, dict):
                raise TypeError("not a dict")
            return fields
        except (ValueError, EOFError, TypeError) as exc:
            raise StoreError(f"unreadable signature header ({exc})") from None


def _blob(public_key: bytes, signature: bytes, header: bytes, digests: bytes) -> bytes:
    return MAGIC + _HEAD.pack(public_key, signature, len(header)) + header + digests


def parse_signature(store: Store, blob: bytes) -> Signature:
    """The parts of a signature blob; StoreError if it is not one."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _HEAD.size:
        raise StoreError(
            f"store {store.location}: its signature is not in a format this importworks reads", path=store.location
        )
    public_key, signature, size = _HEAD.unpack_from(blob, len(MAGIC))
    start = len(MAGIC) + _HEAD.size
    if start + size > len(blob):
        raise StoreError(f"store {store.location}: its signature is cut short", path=store.location)
    return Signature(public_key, signature, blob[start : start + size], blob[start + size :])


def read_signature(store: Store) -> Signature | None:
    """The store's signature, None if it has none (not checked: see signature_valid).

    Reads no more of the store than its index's raw bytes (already read when
    the trust check calls it, before they are decoded).
    """
    if store.index_blob is None:
        store.index  # noqa: B018 - opens it: the index and where it lies
    if store.kind == "sqlite":
        rows = store._query("SELECT data FROM blobs WHERE name = 'signature'")  # type: ignore[attr-defined]
        blob = rows[0][0] if rows else None
    elif store.kind == "zip":
        blob = _zip_signature(store)
    elif store.kind == "postgres":
        blob = _postgres_signature(store)
    else:
        blob = None
    if blob is not None and not isinstance(blob, (bytes, bytearray, memoryview)):
        raise StoreError(f"store {store.location}: its signature is not bytes", path=store.location)
    return None if blob is None else parse_signature(store, bytes(blob))


def _postgres_signature(store: Store) -> bytes | None:
    """The signature column of the store's row, for the generation whose index was read."""
    rows = store._query(  # type: ignore[attr-defined]
        "SELECT signature FROM importworks_stores WHERE name = %s AND generation = %s",
        (store.url.store, store.generation),  # type: ignore[attr-defined]
    )
    if not rows:
        raise StoreError(
            f"PostgreSQL store {store.location} was re-packed or removed while opening", path=store.location
        )
    return rows[0][0]


def _zip_signature(store: Store) -> bytes | None:
    """The entry stored right after the index entry, if it is the signature."""
    at = store.index_at  # type: ignore[attr-defined]  # a ZipStore: None when no comment names the index
    if at is None:  # no index comment: rewritten by another zip tool, so not as signed
        return None
    offset, size = at
    header = store._pread(_LOCAL.size, offset)  # type: ignore[attr-defined]
    name_len, extra_len = struct.unpack_from("<2H", header, 26)
    after = offset + _LOCAL.size + name_len + extra_len + size
    header = os.pread(store._fd, _LOCAL.size + len(SIGNATURE_ENTRY), after)  # type: ignore[attr-defined]
    if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
        return None
    _, _, flags, method, _, _, _, csize, usize, name_len, extra_len = _LOCAL.unpack_from(header)
    if header[_LOCAL.size : _LOCAL.size + name_len] != SIGNATURE_ENTRY.encode() or method != 0:
        return None
    if flags & 0x8 or csize != usize or csize > (store._size or 0):  # type: ignore[attr-defined]
        raise StoreError(f"zip store {store.location}: its signature entry is damaged", path=store.location)
    return store._pread(csize, after + _LOCAL.size + name_len + extra_len)  # type: ignore[attr-defined]


def signature_valid(signature: Signature) -> bool:
    """Whether *signature* is the key's signature of its header (needs cryptography)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(signature.public_key)
        key.verify(signature.signature, MAGIC + signature.public_key + signature.header)
    except (InvalidSignature, ValueError):
        return False
    return True


def _compact(store: Store) -> CompactIndex:
    store.index  # noqa: B018 - opens it
    compact = store.packed_index
    if not isinstance(compact, CompactIndex) or store.index_blob is None:
        raise StoreError(
            f"store {store.location} has no packed index (packed by an older importworks, or "
            "rewritten by another tool): pack it again to sign it",
            path=store.location,
        )
    return compact


def _meta(store: Store) -> dict[str, str]:
    """The metadata a reader acts on outside the index (SQLite's meta table, PostgreSQL's meta column;
    a zip's is in its index)."""
    return dict(store.metadata) if store.kind in ("sqlite", "postgres") else {}


def meta_bytes(store: Store) -> bytes:
    """The metadata as signed: each key and value by repr, sorted (a damaged table may hold any type)."""
    return marshal.dumps(sorted((repr(k), repr(v)) for k, v in _meta(store).items()), 4)


def signed_digests(store: Store, sha256: Callable[[Any], bytes] | None = None) -> tuple[dict, bytes]:
    """The header fields and digest arrays that signing *store* covers, computed from its bytes now."""
    digest: Callable[[Any], bytes] = sha256 or (lambda data: bytes.fromhex(sha256_hex(data)))
    compact = _compact(store)
    order = sorted(compact, key=compact.number)  # type: ignore[arg-type]
    entries = b"".join(digest(store.read_verified(path)) for path in order)
    code = b""
    magic = store.code_magic
    if magic:
        code = b"".join(digest(store.read_code(path, magic) or b"") for path in order)
    fields = {
        "index": digest(store.index_blob),
        "meta": digest(meta_bytes(store)),
        "entries": digest(entries),
        "code": digest(code),
        "count": len(order),
    }
    return fields, entries + code


def sign_store(location: str, key_path: str) -> str:
    """Sign the packed store at *location* with the private key in *key_path*; the key's fingerprint.

    A file store is signed in a copy renamed into place, so a reader sees the
    store unsigned or signed, never half-written; a PostgreSQL store in one
    UPDATE of its row, for the generation that was read.  Signing again replaces the
    signature (key rotation: sign with the new key).
    """
    import shutil
    import tempfile
    import time

    from .opening import forget_store, open_store

    key = _load_private_key(key_path)
    public = _raw_public(key.public_key())  # type: ignore[attr-defined]
    with open_store(location) as store:
        store.trust_hook = None  # signing reads what is to be signed
        fields, digests = signed_digests(store)
        fields["signed_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        header = marshal.dumps(fields, 4)
        signature = key.sign(MAGIC + public + header)  # type: ignore[attr-defined]
        blob = _blob(public, signature, header, digests)
        kind = store.kind
        if kind == "postgres":
            _write_postgres_signature(store, blob)
            forget_store(location)
            return fingerprint(public)
        old = read_signature(store) if kind == "zip" else None
        index_end = _index_end(store) if kind == "zip" else 0
    folder = os.path.dirname(os.path.abspath(location))
    fd, temporary = tempfile.mkstemp(prefix=".signing-", dir=folder)
    os.close(fd)
    try:
        shutil.copyfile(location, temporary)
        shutil.copymode(location, temporary)
        if kind == "sqlite":
            _write_sqlite_signature(temporary, blob)
        else:
            _write_zip_signature(temporary, blob, index_end if old is not None else None)
        os.replace(temporary, location)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    forget_store(location)
    return fingerprint(public)


def _index_end(store: Store) -> int:
    offset, size = store.index_at  # type: ignore[attr-defined]
    name_len, extra_len = struct.unpack_from("<2H", store._pread(_LOCAL.size, offset), 26)  # type: ignore[attr-defined]
    return offset + _LOCAL.size + name_len + extra_len + size


def _write_sqlite_signature(path: str, blob: bytes) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as db:
        db.execute("DELETE FROM blobs WHERE name = 'signature'")
        db.execute("INSERT INTO blobs VALUES ('signature', ?)", (blob,))
        db.commit()


def _write_postgres_signature(store: Store, blob: bytes) -> None:
    """Set the signature of the generation that was read and signed; refuse if it was re-packed since.

    The store's contents and generation stay as they are (a signature is not a
    re-pack): processes that have it open keep it, and see the signature when
    they next check it.
    """
    psycopg = store._psycopg  # type: ignore[attr-defined]
    url = store.url  # type: ignore[attr-defined]
    try:
        with psycopg.connect(url.conninfo, application_name="importworks sign") as conn:
            conn.execute("ALTER TABLE importworks_stores ADD COLUMN IF NOT EXISTS signature BYTEA")
            done = conn.execute(
                "UPDATE importworks_stores SET signature = %s WHERE name = %s AND generation = %s",
                (blob, url.store, store.generation),  # type: ignore[attr-defined]
            ).rowcount
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot sign PostgreSQL store {store.location}: {str(exc).strip().splitlines()[0]} (nothing was changed)",
            path=store.location,
        ) from None
    if done != 1:
        raise StoreError(
            f"cannot sign PostgreSQL store {store.location}: it was re-packed or removed while being signed; "
            "sign it again",
            path=store.location,
        )


def _write_zip_signature(path: str, blob: bytes, replace_at: int | None) -> None:
    """Append the signature entry right after the index (where the old one started, when re-signing)."""
    import zipfile

    with zipfile.ZipFile(path, "a") as archive:
        if replace_at is not None:
            # the old signature is the last entry: drop it, and write the new one in its place
            old = archive.getinfo(SIGNATURE_ENTRY)
            archive.filelist.remove(old)
            del archive.NameToInfo[SIGNATURE_ENTRY]
            archive.start_dir = replace_at
        info = zipfile.ZipInfo(SIGNATURE_ENTRY, (1980, 1, 1, 0, 0, 0))
        archive.writestr(info, blob, compress_type=zipfile.ZIP_STORED)
