"""Every byte of a small signed zip store, and 2,000 of a signed SQLite store, flipped one at a time (issue 17).

Each result is refused with a store error or provably harmless: the module
imported is the one signed, byte for byte (every byte read was checked
against the signature's digests).  Single-bit flips of an unsigned zip store
end in store errors too, never an internal IndexError.
"""

from __future__ import annotations

from collections import Counter

import pytest

import importworks
from tests.trust.hostile import flipped, import_from, positions, small_store


@pytest.fixture
def trusting(keys):
    with importworks.install(trusted_keys=[str(keys["a"]) + ".pub"]) as handle:
        yield handle


def _run(store, original, where, mask=0xFF, trusted=True):
    outcomes = Counter(import_from(store, flipped(original, at, mask), trusted) for at in where)
    store.write_bytes(original)
    return outcomes


# what a flipped byte may lead to: refused with a store error, not found, or the signed module byte for byte
REFUSED_OR_HARMLESS = {"imported as signed", "StoreError", "StoreIntegrityError", "StoreTrustError", "not found"}


def test_every_byte_of_a_signed_zip_store(tmp_path, keys, trusting):
    store = small_store(tmp_path, "zip", keys["a"])
    original = store.read_bytes()
    outcomes = _run(store, original, range(len(original)))
    assert sum(outcomes.values()) == len(original)
    assert outcomes["StoreTrustError"] > 0 and outcomes["imported as signed"] > 0
    assert set(outcomes) <= REFUSED_OR_HARMLESS, outcomes


def test_two_thousand_positions_of_a_signed_sqlite_store(tmp_path, keys, trusting):
    store = small_store(tmp_path, "sqlite", keys["a"])
    original = store.read_bytes()
    where = positions(len(original), 2000)
    assert len(where) == 2000
    outcomes = _run(store, original, where)
    assert set(outcomes) <= REFUSED_OR_HARMLESS, outcomes


@pytest.mark.parametrize("bit", range(8))
def test_single_bit_flips_of_an_unsigned_zip_store_end_in_store_errors(tmp_path, bit):
    with importworks.install():
        store = small_store(tmp_path, "zip")
        original = store.read_bytes()
        outcomes = _run(store, original, range(len(original)), 1 << bit, trusted=False)
    assert set(outcomes) <= {
        "imported as signed",
        "namespace (no code ran)",
        "StoreError",
        "StoreIntegrityError",
        "not found",
    }, outcomes
