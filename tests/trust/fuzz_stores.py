"""Coverage-guided fuzz target: importworks' store readers over hostile bytes (atheris, by hand).

    pip install atheris          # builds on 3.11+; not on every Python, so not in the test extra
    python tests/trust/fuzz_stores.py -max_total_time=600 -rss_limit_mb=2048

Each input picks a seed store (signed SQLite, signed zip, unsigned zip) by its
first byte and patches it with the rest: pairs of (position, byte).  A whole
file as input, when it is larger than the seed, replaces the store outright.
Any outcome but a store error, "no such module" or the signed module itself
raises :class:`tests.trust.hostile.Finding`, which atheris reports as a crash.
CI runs the same target for a bounded number of examples under hypothesis
(tests/trust/test_hostile.py).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from anywhere: tests/ importable

if __name__ == "__main__":
    # importworks instrumented as it is first imported, before the helpers below import it
    import importlib

    import atheris

    with atheris.instrument_imports(include=["importworks"]):
        for _reader in (
            "importworks",
            "importworks.stores.sqlite",
            "importworks.stores.zip",
            "importworks.stores.trust",
        ):
            importlib.import_module(_reader)

from tests.trust.hostile import import_from, small_store

SEEDS = (("sqlite", True), ("zip", True), ("zip", False))


class Target:
    """The seed stores, packed once, and the function the fuzzer calls."""

    def __init__(self, folder: Path) -> None:
        from importworks.stores.signing import generate_key

        self.folder = folder
        key = folder / "key"
        if not key.exists():
            generate_key(str(key))
        self.public = str(key) + ".pub"
        self.seeds = []
        for number, (kind, signed) in enumerate(SEEDS):
            seed_folder = folder / f"seed{number}"
            seed_folder.mkdir(exist_ok=True)
            store = small_store(seed_folder, kind, key if signed else None)
            self.seeds.append((store, store.read_bytes(), signed))

    def one_input(self, data: bytes) -> None:
        if not data:
            return
        store, seed, signed = self.seeds[data[0] % len(self.seeds)]
        body = data[1:]
        if len(body) > len(seed):
            hostile = body
        else:
            changed = bytearray(seed)
            for at in range(0, len(body) - 2, 3):
                changed[int.from_bytes(body[at : at + 2], "little") % len(seed)] = body[at + 2]
            hostile = bytes(changed)
        import importworks

        with importworks.install(trusted_keys=[self.public] if signed else None):
            import_from(store, hostile, signed)


def main() -> None:
    import atheris

    target = Target(Path(tempfile.mkdtemp(prefix="iw-fuzz-")))
    atheris.Setup(sys.argv, target.one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    os.environ.pop("IMPORTWORKS_TRUSTED_KEYS", None)
    main()
