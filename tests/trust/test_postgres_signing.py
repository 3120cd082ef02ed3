"""Signed PostgreSQL stores on the real server (IMPORTWORKS_TEST_POSTGRES), as SQLite and zip ones (issue 17.1)."""

from __future__ import annotations

import json
import sys
import uuid
from importlib.resources import files
from zlib import crc32

import pytest

import importworks
from importworks.cli import main
from importworks.errors import StoreTrustError
from importworks.stores.pack import pack
from importworks.stores.signing import fingerprint, load_public_key, sign_store
from tests.conftest import build
from tests.stores.conftest import NO_POSTGRES, POSTGRES, drop_postgres_stores
from tests.trust.conftest import APP
from tests.trust.forge import forge_code, with_crc

pytestmark = pytest.mark.skipif(not POSTGRES, reason=NO_POSTGRES)


def _pub(key):
    return str(key) + ".pub"


def _fp(key):
    return fingerprint(load_public_key(_pub(key)))


@pytest.fixture
def pg_store(tmp_path):
    """pg_store(sign=None, files=APP): a fresh store in the test database, packed (and signed with *sign*)."""
    made: list[str] = []

    def make(sign=None, files=None) -> str:
        url = f"{POSTGRES}/trust-{uuid.uuid4().hex[:12]}"
        made.append(url)
        pack([str(build(tmp_path / f"src-{len(made)}", files or APP))], url)
        if sign is not None:
            sign_store(url, str(sign))
        return url

    yield make
    from importworks.stores.opening import close_stores

    close_stores()
    drop_postgres_stores(made)


def _admin():
    import psycopg

    return psycopg.connect(POSTGRES, autocommit=True)


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_pack_sign_verify_and_ls_name_the_signer(pg_store, keys, tmp_path, capsys):
    url = f"{POSTGRES}/trust-{uuid.uuid4().hex[:12]}"
    try:
        source = build(tmp_path / "src", APP)
        assert main(["pack", str(source), "-o", url, "--sign", str(keys["a"])]) == 0
        assert f"signed by {_fp(keys['a'])} ({keys['a']})" in capsys.readouterr().out
        assert main(["verify", url, "--key", _pub(keys["a"])]) == 0
        assert f"signed by {_fp(keys['a'])} ({_pub(keys['a'])}): every entry as signed" in capsys.readouterr().out
        assert main(["verify", url, "--key", _pub(keys["b"])]) == 1
        assert f"it is signed by {_fp(keys['a'])}, which is not a trusted key" in capsys.readouterr().out
        assert main(["ls", "-l", url]) == 0
        assert f"# signed by {_fp(keys['a'])} at " in capsys.readouterr().out
    finally:
        drop_postgres_stores([url])


def test_a_store_signed_by_a_trusted_key_imports(pg_store, keys, ran):
    url = pg_store(sign=keys["a"])
    sys.path.insert(0, url)
    with importworks.install(trusted_keys=[_pub(keys["a"])]):
        import trusted_app.core
    assert trusted_app.VALUE == "signed" and ran == ["app", "core"]
    assert trusted_app.__file__ == f"{url}/trusted_app/__init__.py"


@pytest.mark.parametrize("case", ["unsigned", "other key"])
def test_unsigned_or_other_key_is_refused_naming_store_entry_and_reason(pg_store, keys, ran, case):
    url = pg_store(sign=None if case == "unsigned" else keys["b"])
    reason = (
        "it is not signed" if case == "unsigned" else f"it is signed by {_fp(keys['b'])}, which is not a trusted key"
    )
    sys.path.insert(0, url)
    with importworks.activate(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    assert str(info.value) == (
        f"cannot import 'trusted_app' from store {url} (entry 'trusted_app'): {reason}; "
        f"importworks trusts only stores signed by {_fp(keys['a'])} "
        f"(check it with: importworks verify {url} --key KEY.pub)"
    )
    assert info.value.reason == reason and info.value.path == url and info.value.entry == "trusted_app"
    assert isinstance(info.value, ImportError) and ran == [] and "trusted_app" not in sys.modules


def test_code_changed_after_signing_with_its_crc_kept_is_refused(pg_store, keys, ran, capsys):
    url = pg_store(sign=keys["a"])
    with _admin() as admin:
        (original,) = admin.execute(
            "SELECT data FROM importworks_code WHERE store = %s AND path = 'trusted_app/__init__.py'", (_name(url),)
        ).fetchone()
        forged = forge_code(bytes(original), "VALUE = 'modified'\n", "x")
        admin.execute(
            "UPDATE importworks_code SET data = %s WHERE store = %s AND path = 'trusted_app/__init__.py'",
            (forged, _name(url)),
        )
    sys.path.insert(0, url)
    with importworks.install(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    assert info.value.entry == "trusted_app/__init__.py" and info.value.path == url
    assert info.value.reason == f"its compiled code changed after the store was signed by {_fp(keys['a'])}"
    assert "trusted_app" not in sys.modules and ran == []
    assert main(["verify", url, "--key", _pub(keys["a"])]) == 1
    assert "BAD  trusted_app/__init__.py: its compiled code changed after" in capsys.readouterr().out


def test_an_entry_changed_after_signing_is_refused(pg_store, keys, ran):
    url = pg_store(sign=keys["a"])
    with _admin() as admin:  # the data file, rewritten with the CRC-32 the index records kept
        (original,) = admin.execute(
            "SELECT data FROM importworks_entries WHERE store = %s AND path = 'trusted_app/data.txt'", (_name(url),)
        ).fetchone()
        forged = with_crc(b"evil" + bytes(len(original) - 4), crc32(bytes(original)))
        admin.execute(
            "UPDATE importworks_entries SET data = %s WHERE store = %s AND path = 'trusted_app/data.txt'",
            (forged, _name(url)),
        )
    sys.path.insert(0, url)
    with importworks.install(trusted_keys=[_pub(keys["a"])]):
        import trusted_app  # noqa: F401 - its code is as signed

        with pytest.raises(StoreTrustError) as info:
            files("trusted_app").joinpath("data.txt").read_bytes()
    assert info.value.entry == "trusted_app/data.txt"
    assert info.value.reason == f"its bytes changed after the store was signed by {_fp(keys['a'])}"


@pytest.mark.parametrize("what", ["index", "meta"])
def test_the_index_or_metadata_changed_after_signing_is_refused(pg_store, keys, ran, what):
    url = pg_store(sign=keys["a"])
    with _admin() as admin:
        if what == "index":  # an entry renamed in the index: names remapped to other entries
            (blob,) = admin.execute(
                "SELECT index_blob FROM importworks_stores WHERE name = %s", (_name(url),)
            ).fetchone()
            blob = bytes(blob)
            assert b"data.txt" in blob
            admin.execute(
                "UPDATE importworks_stores SET index_blob = %s WHERE name = %s",
                (blob.replace(b"data.txt", b"Data.txt", 1), _name(url)),
            )
        else:
            (meta,) = admin.execute("SELECT meta FROM importworks_stores WHERE name = %s", (_name(url),)).fetchone()
            changed = {**json.loads(meta), "tool_version": "0.0-forged"}
            admin.execute("UPDATE importworks_stores SET meta = %s WHERE name = %s", (json.dumps(changed), _name(url)))
    sys.path.insert(0, url)
    with importworks.install(trusted_keys=[_pub(keys["a"])]), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    expected = "its index" if what == "index" else "its metadata"
    assert info.value.reason == f"{expected} changed after it was signed by {_fp(keys['a'])}"
    assert ran == []


def test_packing_again_clears_the_signature_and_signing_again_rotates_the_key(pg_store, keys, ran, tmp_path):
    url = pg_store(sign=keys["a"])
    assert main(["verify", url, "--key", _pub(keys["a"])]) == 0
    pack([str(build(tmp_path / "again", APP))], url)  # a new generation: unsigned until signed
    assert main(["verify", url, "--key", _pub(keys["a"])]) == 1
    assert sign_store(url, str(keys["b"])) == _fp(keys["b"])  # rotation: the new key replaces the old
    assert main(["verify", url, "--key", _pub(keys["b"])]) == 0
    assert main(["verify", url, "--key", _pub(keys["a"])]) == 1
    sys.path.insert(0, url)
    with importworks.install(trusted_keys=[_pub(keys["b"])]):
        import trusted_app
    assert trusted_app.VALUE == "signed"


def test_a_store_re_packed_while_being_signed_is_not_signed(pg_store, keys, tmp_path, monkeypatch):
    from importworks.stores import signing

    url = pg_store()
    real = signing.signed_digests

    def repack_meanwhile(store, *args):
        result = real(store, *args)
        pack([str(build(tmp_path / "meanwhile", APP))], url)
        return result

    monkeypatch.setattr(signing, "signed_digests", repack_meanwhile)
    from importworks.errors import StoreError

    with pytest.raises(StoreError, match="re-packed or removed while being signed"):
        sign_store(url, str(keys["a"]))
    with _admin() as admin:
        (signature,) = admin.execute(
            "SELECT signature FROM importworks_stores WHERE name = %s", (_name(url),)
        ).fetchone()
    assert signature is None
