"""A trusted key file that cannot be used: the error names the file, and shows no fingerprint it made up."""

from __future__ import annotations

import os
import sys

import pytest

import importworks
from importworks.errors import StoreTrustError
from importworks.stores import trust


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
