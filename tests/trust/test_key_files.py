"""Key files and signatures as a user meets them: a key file that cannot be used is named, and no fingerprint is
made up for it; verify names the store, and says when it did not check a signature; a public key given to sign."""

from __future__ import annotations

import os
import sys

import pytest

import importworks
from importworks.cli import main
from importworks.errors import StoreTrustError
from importworks.stores import trust
from importworks.stores.signing import fingerprint, load_public_key


@pytest.mark.parametrize("problem", ["missing", "not a key"])
def test_an_unusable_key_file_in_the_environment_is_named_and_nothing_is_trusted(
    make_store, keys, ran, monkeypatch, tmp_path, problem
):
    signed = make_store("sqlite", sign=keys["a"])
    bad = tmp_path / "release.pub"
    if problem == "not a key":
        bad.write_text("garbage\n")
    monkeypatch.setenv(trust.ENV_VAR, str(bad))
    sys.path.insert(0, str(signed))
    with importworks.install(), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    why = (
        "it cannot be read (No such file or directory)"
        if problem == "missing"
        else f"{bad} is not a public key file (expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----; "
        "importworks keygen writes KEY.pub)"
    )
    assert str(info.value) == (
        f"cannot import 'trusted_app' from store {signed} (entry 'trusted_app'): "
        f"{trust.ENV_VAR} names the key file {str(bad)!r}, which cannot be used as a key: {why}; "
        f"importworks trusts no store until every file {trust.ENV_VAR} names is a public key "
        f"(correct or remove {str(bad)!r})"
    )
    assert "ed25519:" not in str(info.value) and ran == []


def test_a_readable_key_beside_an_unusable_one_is_not_shown_as_the_only_trusted_key(
    make_store, keys, ran, monkeypatch, tmp_path
):
    signed = make_store("zip", sign=keys["b"])
    monkeypatch.setenv(trust.ENV_VAR, os.pathsep.join([str(keys["a"]) + ".pub", str(tmp_path / "gone.pub")]))
    sys.path.insert(0, str(signed))
    with importworks.install(), pytest.raises(StoreTrustError) as info:
        import trusted_app  # noqa: F401
    assert "gone.pub'" in str(info.value) and "ed25519:" not in str(info.value)


def test_verify_with_another_key_names_the_store_not_an_entry(make_store, keys, capsys, monkeypatch):
    store, key_a = make_store("sqlite", sign=keys["a"]), keys["a"]
    monkeypatch.chdir(store.parent)
    assert main(["verify", store.name, "--key", str(keys["b"]) + ".pub"]) == 1
    signer = fingerprint(load_public_key(str(key_a) + ".pub"))
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"BAD  store {store.name}: it is signed by {signer}, which is not a trusted key"


def test_verify_without_a_key_says_the_store_is_signed_and_the_signature_unchecked(
    make_store, keys, capsys, monkeypatch
):
    store, key_a = make_store("zip", sign=keys["a"]), keys["a"]
    monkeypatch.chdir(store.parent)
    assert main(["verify", store.name]) == 0
    lines = capsys.readouterr().out.splitlines()
    signer = fingerprint(load_public_key(str(key_a) + ".pub"))
    assert lines[0].startswith(f"signed by {signer} at ")
    assert lines[0].endswith("(not checked; importworks verify --key KEY.pub checks it)")
    assert lines[-1].endswith(": ok")


def test_pack_sign_with_the_public_key_says_the_private_one_is_needed(make_store, keys, tmp_path, capsys):
    source = make_store("sqlite").parent / "src-app-sqlite"
    out = tmp_path / "x.sqlite"
    assert main(["pack", str(source), "-o", str(out), "--sign", str(keys["a"]) + ".pub"]) == 1
    err = capsys.readouterr().err
    assert f"{keys['a']}.pub is a public key: signing needs the private key" in err
    assert "PEM" not in err
