"""Signed stores: keygen, pack --sign, verify --key, ls, importing only what a trusted key signed (issue 17.1)."""

from __future__ import annotations

import marshal
import os
import sqlite3
import stat
import sys
import warnings
import zipfile
from contextlib import closing

import pytest

import importworks
from importworks.cli import main
from importworks.errors import StoreError, StoreIntegrityError, StoreTrustError
from importworks.stores import trust
from importworks.stores.pack import pack
from importworks.stores.signing import fingerprint, load_public_key, sign_store
from tests.stores.conftest import NO_POSTGRES, POSTGRES, drop_postgres_stores
from tests.trust.forge import forge_code, replace_in_place, sqlite_code, with_crc

if POSTGRES:
    import psycopg

KINDS = ["sqlite", "zip"]


def _pub(key):
    return str(key) + ".pub"


def _fp(key):
    return fingerprint(load_public_key(_pub(key)))


def test_keygen_writes_a_private_key_only_its_owner_reads_and_a_public_key(tmp_path, capsys):
    key = tmp_path / "release"
    assert main(["keygen", str(key)]) == 0
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert (tmp_path / "release.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert capsys.readouterr().out.startswith(_fp(key) + ": private key ")
    assert main(["keygen", str(key)]) == 1  # never overwrites a key
    assert "exists; not overwriting a key" in capsys.readouterr().err


@pytest.mark.parametrize("kind", KINDS)
def test_pack_sign_then_verify_and_ls_name_the_signer(make_store, keys, tmp_path, capsys, kind):
    source = make_store(kind).parent / f"src-app-{kind}"
    out = tmp_path / f"signed.{kind}"
    assert main(["pack", str(source), "-o", str(out), "--sign", str(keys["a"])]) == 0
    assert f"signed by {_fp(keys['a'])} ({keys['a']})" in capsys.readouterr().out
    assert main(["verify", str(out), "--key", _pub(keys["a"])]) == 0
    assert f"signed by {_fp(keys['a'])} ({_pub(keys['a'])}): every entry as signed" in capsys.readouterr().out
    assert main(["verify", str(out), "--key", _pub(keys["b"])]) == 1
    assert f"it is signed by {_fp(keys['a'])}, which is not a trusted key" in capsys.readouterr().out
    assert main(["ls", "-l", str(out)]) == 0
    assert f"# signed by {_fp(keys['a'])} at " in capsys.readouterr().out
    if kind == "zip":  # other zip tools see one more file, and nothing else changes
        with zipfile.ZipFile(out) as archive:
            assert archive.testzip() is None
            assert archive.namelist()[-1] == ".importworks/signature"


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_signed_by_a_trusted_key_imports(make_store, keys, ran, kind):
    store = make_store(kind, sign=keys["a"])
    sys.path.insert(0, str(store))
    with importworks.install(trusted_keys=[_pub(keys["a"])]):
        import trusted_app.core
    assert trusted_app.VALUE == "signed" and ran == ["app", "core"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", ["unsigned", "other key"])
def test_unsigned_or_other_key_is_refused_naming_store_entry_and_reason(make_store, keys, ran, kind, case):
    store = make_store(kind, sign=None if case == "unsigned" else keys["b"])
    reason = (
        "it is not signed" if case == "unsigned" else f"it is signed by {_fp(keys['b'])}, which is not a trusted key"
    )
    sys.path.insert(0, str(store))
    with importworks.activate(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    assert str(info.value) == (
        f"cannot import 'trusted_app' from store {store} (entry 'trusted_app'): {reason}; "
        f"importworks trusts only stores signed by {_fp(keys['a'])} "
        f"(check it with: importworks verify {store} --key KEY.pub)"
    )
    assert info.value.reason == reason and info.value.path == str(store)
    assert isinstance(info.value, ImportError) and ran == []


def test_trusted_keys_from_the_environment(make_store, keys, ran, monkeypatch):
    signed = make_store("zip", sign=keys["b"])
    monkeypatch.setenv(trust.ENV_VAR, os.pathsep.join([_pub(keys["a"]), _pub(keys["b"])]))
    sys.path.insert(0, str(signed))
    with importworks.install():
        import trusted_app
    assert trusted_app.VALUE == "signed"


def test_a_key_file_that_cannot_be_read_trusts_nothing(make_store, keys, ran, monkeypatch, tmp_path):
    signed = make_store("sqlite", sign=keys["a"])
    monkeypatch.setenv(trust.ENV_VAR, os.pathsep.join([_pub(keys["a"]), str(tmp_path / "missing.pub")]))
    sys.path.insert(0, str(signed))
    with importworks.install(), pytest.raises(StoreTrustError, match="missing.pub'?, which cannot be used"):
        import trusted_app  # noqa: F401
    assert ran == []
    with pytest.raises(ValueError, match="is not a public key file"):
        importworks.install(trusted_keys=[str(keys["a"])])  # the private key, by mistake
    assert not importworks.is_installed() or trust.trusted_keys() == frozenset()


def test_trust_ends_with_its_installation(make_store, keys, ran):
    unsigned = make_store("sqlite")
    with importworks.install(trusted_keys=[_pub(keys["a"])]):
        assert trust.trusted_keys() == {load_public_key(_pub(keys["a"]))}
    assert trust.trusted_keys() == frozenset()
    sys.path.insert(0, str(unsigned))
    with importworks.install():
        import trusted_app
    assert trusted_app.VALUE == "signed"


def test_sqlite_code_changed_after_signing_with_its_crc_kept_is_refused(make_store, keys, ran):
    store = make_store("sqlite", sign=keys["a"])
    original = sqlite_code(store, "trusted_app/__init__.py")
    forged = forge_code(original, "VALUE = 'modified'\n", "x")
    with closing(sqlite3.connect(store)) as db:  # the CRC-32 the index records still matches
        db.execute("UPDATE code SET data = ? WHERE path = ?", (forged, "trusted_app/__init__.py"))
        db.commit()
    sys.path.insert(0, str(store))
    with importworks.install(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    assert info.value.entry == "trusted_app/__init__.py"
    assert info.value.reason == f"its compiled code changed after the store was signed by {_fp(keys['a'])}"
    assert "trusted_app" not in sys.modules and ran == []
    assert main(["verify", str(store), "--key", _pub(keys["a"])]) == 1


def test_zip_pyc_changed_after_signing_with_its_crc_kept_is_refused(make_store, keys, ran, capsys):
    store = make_store("zip", sign=keys["a"])
    with zipfile.ZipFile(store) as archive:
        pyc = archive.read("trusted_app/__init__.pyc")
    forged = pyc[:16] + forge_code(pyc[16:], "VALUE = 'modified'\n", "x")
    replace_in_place(store, pyc, forged)
    sys.path.insert(0, str(store))
    with importworks.install(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    assert info.value.entry == "trusted_app/__init__.pyc" and ran == []
    assert main(["verify", str(store), "--key", _pub(keys["a"])]) == 1
    out = capsys.readouterr().out
    assert f"BAD  trusted_app/__init__.pyc: its bytes changed after the store was signed by {_fp(keys['a'])}" in out


def test_a_crc_alone_does_not_stop_such_a_change(make_store, ran):
    """Why signing matters: the same forged pyc in an unsigned store runs (CRC-32 is no defence)."""
    store = make_store("zip")
    with zipfile.ZipFile(store) as archive:
        pyc = archive.read("trusted_app/__init__.pyc")
    replace_in_place(store, pyc, pyc[:16] + forge_code(pyc[16:], "VALUE = 'modified'\n", "x"))
    sys.path.insert(0, str(store))
    with importworks.install():
        import trusted_app
    assert trusted_app.VALUE == "modified"


@pytest.mark.parametrize("kind", KINDS)
def test_the_index_changed_after_signing_is_refused(make_store, keys, ran, kind):
    """An entry renamed in the index (an attacker remapping names to entries) is caught by the signature."""
    store = make_store(kind, sign=keys["a"])
    data = bytearray(store.read_bytes())
    at = max(bytes(data).find(b"data.txt\x00"), bytes(data).find(b"data.txt/"))  # in the index's listing
    assert at >= 0
    data[at] = ord("D")
    if kind == "zip":  # keep the index entry's own CRC-32 right, so that only the signature tells
        _fix_zip_index_crc(data)
    store.write_bytes(bytes(data))
    if kind == "sqlite":  # the same for the CRC-32 the meta table records
        import zlib

        with closing(sqlite3.connect(store)) as db:
            (blob,) = db.execute("SELECT data FROM blobs WHERE name = 'index'").fetchone()
            db.execute("UPDATE meta SET value = ? WHERE key = 'index_crc32'", (str(zlib.crc32(blob)),))
            db.commit()
    sys.path.insert(0, str(store))
    with (
        importworks.install(trusted_keys=[_pub(keys["a"])]),
        pytest.raises(StoreTrustError, match="its index changed after it was signed"),
    ):
        import trusted_app  # noqa: F401
    assert ran == []


def _fix_zip_index_crc(data: bytearray) -> None:
    import struct
    import zlib

    name = b".importworks/index.marshal"
    at = bytes(data).find(name)
    while data[at - 30 : at - 26] != b"PK\x03\x04":  # the local header's copy of the name
        at = bytes(data).find(name, at + 1)
    header = at - 30
    (size,) = struct.unpack_from("<I", data, header + 18)
    name_len, extra_len = struct.unpack_from("<2H", data, header + 26)
    start = header + 30 + name_len + extra_len
    struct.pack_into("<I", data, header + 14, zlib.crc32(bytes(data[start : start + size])))


@pytest.mark.parametrize("kind", KINDS)
def test_signing_again_with_a_new_key_replaces_the_signature(make_store, keys, ran, kind):
    """Key rotation: the same store re-signed by the new key, then only the new key is needed."""
    store = make_store(kind, sign=keys["a"])
    assert main(["verify", str(store), "--key", _pub(keys["a"])]) == 0
    assert sign_store(str(store), str(keys["b"])) == _fp(keys["b"])
    assert main(["verify", str(store), "--key", _pub(keys["b"])]) == 0
    assert main(["verify", str(store), "--key", _pub(keys["a"])]) == 1
    if kind == "zip":
        with zipfile.ZipFile(store) as archive:
            assert archive.namelist().count(".importworks/signature") == 1
    sys.path.insert(0, str(store))
    with importworks.install(trusted_keys=[_pub(keys["b"])]):
        import trusted_app
    assert trusted_app.VALUE == "signed"


def test_a_changed_entry_is_still_an_integrity_error_without_keys(make_store, keys):
    store = make_store("sqlite", sign=keys["a"])
    with closing(sqlite3.connect(store)) as db:
        db.execute("UPDATE entries SET data = ? WHERE path = 'trusted_app/data.txt'", (b"changed\n",))
        db.commit()
    from importworks.stores.opening import open_store

    with open_store(str(store)) as opened, pytest.raises(StoreIntegrityError):
        opened.read("trusted_app/data.txt")
    assert with_crc(b"abcdefgh", 1)  # the helper works on short data too


def test_a_checked_signature_is_remembered_so_the_next_start_skips_cryptography(make_store, keys, ran, monkeypatch):
    from importworks.stores import signing
    from importworks.stores.opening import close_stores

    store = make_store("sqlite", sign=keys["a"])
    sys.path.insert(0, str(store))
    with importworks.install(trusted_keys=[_pub(keys["a"])]):
        import trusted_app
    close_stores()
    sys.modules.pop("trusted_app", None)
    monkeypatch.setattr(signing, "signature_valid", lambda signature: pytest.fail("checked again"))
    with importworks.install(trusted_keys=[_pub(keys["a"])]):
        import trusted_app
    assert trusted_app.VALUE == "signed"


CRAFTED = marshal.dumps(("importworks-test-crafted-index", {"listing": "x" * 40}))


def _craft_index(kind: str, store) -> None:
    """Replace the store's index bytes with CRAFTED (padded to the same length), its CRC-32s kept right."""
    import zlib

    if kind == "postgres":
        with closing(psycopg.connect(POSTGRES, autocommit=True)) as admin:
            admin.execute(
                "UPDATE importworks_stores SET index_blob = %s WHERE name = %s", (CRAFTED, store.rsplit("/", 1)[1])
            )
        return
    if kind == "sqlite":
        with closing(sqlite3.connect(store)) as db:
            (blob,) = db.execute("SELECT data FROM blobs WHERE name = 'index'").fetchone()
            crafted = CRAFTED + bytes(len(blob) - len(CRAFTED))
            db.execute("UPDATE blobs SET data = ? WHERE name = 'index'", (crafted,))
            db.execute("UPDATE meta SET value = ? WHERE key = 'index_crc32'", (str(zlib.crc32(crafted)),))
            db.commit()
        return
    with zipfile.ZipFile(store) as archive:
        blob = archive.read(".importworks/index.marshal")
    data = bytearray(store.read_bytes())
    at = bytes(data).find(blob)
    data[at : at + len(blob)] = CRAFTED + bytes(len(blob) - len(CRAFTED))
    _fix_zip_index_crc(data)
    store.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", [*KINDS, "postgres"])
def test_a_crafted_index_is_refused_before_it_is_decoded(make_store, keys, ran, kind, monkeypatch, tmp_path):
    """The signature is checked over the index's raw bytes: marshal never sees an index no trusted key signed."""
    import uuid

    if kind == "postgres":
        if not POSTGRES:
            pytest.skip(NO_POSTGRES)
        store = f"{POSTGRES}/crafted-{uuid.uuid4().hex[:12]}"
        pack([str(make_store("sqlite").parent / "src-app-sqlite")], store)
        sign_store(store, str(keys["a"]))
    else:
        store = make_store(kind, sign=keys["a"])
    try:
        _craft_index(kind, store)
        decoded = []
        real_loads = marshal.loads

        def recording_loads(data, *args, **kwargs):
            if bytes(data[: len(CRAFTED)]) == CRAFTED:
                decoded.append(kind)
            return real_loads(data, *args, **kwargs)

        monkeypatch.setattr(marshal, "loads", recording_loads)
        sys.path.insert(0, str(store))
        with importworks.install(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
            import trusted_app
        monkeypatch.undo()
        assert info.value.reason == f"its index changed after it was signed by {_fp(keys['a'])}"
        assert info.value.path == str(store) and info.value.entry == "trusted_app"
        assert decoded == [] and ran == [] and "trusted_app" not in sys.modules
        # no key trusted: the same bytes are decoded, and are damage
        with importworks.install(), pytest.raises(StoreError), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a broken store warns once
            sys.path_importer_cache.pop(str(store), None)
            from importworks.stores.opening import forget_store

            forget_store(str(store))
            import trusted_app  # noqa: F401
    finally:
        if kind == "postgres":
            drop_postgres_stores([store])
