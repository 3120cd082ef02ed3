"""Fixtures for the trust tests: key pairs, small stores (signed or not), and a fresh trust state."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("cryptography", reason="signed stores need cryptography: pip install 'importworks[test]'")
# imported once for the session: the per-test module snapshot must not drop them (their Rust part keeps
# the classes of the first import, and a second import would not match them)
import cryptography.exceptions
import cryptography.hazmat.primitives.asymmetric.ed25519
import cryptography.hazmat.primitives.serialization  # noqa: F401

from importworks.stores import finder, opening, trust
from importworks.stores.pack import pack
from importworks.stores.signing import generate_key, sign_store
from tests.conftest import build

# the module each test imports: its body records that it ran, so "nothing ran" can be checked
APP = {
    "trusted_app": {
        "__init__.py": "import sys\nsys.modules['__trust_ran__'].append('app')\nVALUE = 'signed'\n",
        "core.py": "import sys\nsys.modules['__trust_ran__'].append('core')\nX = 1\n",
        "data.txt": "data\n",
    }
}


class Ran(list):
    """Stands in sys.modules['__trust_ran__']: the module bodies that ran, in order."""


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two key pairs: 'a' and 'b' (private key paths; public keys beside them, .pub)."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: _key(folder / name) for name in ("a", "b")}


def _key(path: Path) -> Path:
    generate_key(str(path))
    return path


@pytest.fixture
def ran() -> Iterator[Ran]:
    record = Ran()
    sys.modules["__trust_ran__"] = record  # type: ignore[assignment]
    yield record
    sys.modules.pop("__trust_ran__", None)


@pytest.fixture(autouse=True)
def fresh_trust(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No key trusted before or after a test; every store closed and forgotten; a private cache."""
    monkeypatch.setenv("IMPORTWORKS_CACHE", str(tmp_path_factory.getbasetemp() / "iw-cache"))
    monkeypatch.delenv(trust.ENV_VAR, raising=False)
    trust._given.clear()
    trust._refresh()
    yield
    opening.close_stores()
    finder._warned.clear()
    trust._given.clear()
    monkeypatch.delenv(trust.ENV_VAR, raising=False)
    trust._refresh()


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[..., Path]:
    """make_store(kind, files=APP, sign=None, name='app'): a packed store, signed with key *sign*."""

    def make(kind: str, files: dict | None = None, sign: Path | None = None, name: str = "app") -> Path:
        source = build(tmp_path / f"src-{name}-{kind}", files or APP)
        out = tmp_path / f"{name}.{kind}"
        pack([str(source)], str(out))
        if sign is not None:
            sign_store(str(out), str(sign))
        return out

    return make
