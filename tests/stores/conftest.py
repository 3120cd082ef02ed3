"""Fixtures for store tests: a sample project packed into each kind of store."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from importworks.stores.opening import close_stores
from importworks.stores.pack import pack
from tests.conftest import build

SAMPLE = {
    "sample": {
        "__init__.py": "from .core import greet\nVERSION = '1.0'\n",
        "core.py": (
            "def greet(name):\n    return f'hello {name}'\n\ndef fails():\n    raise ValueError('from the store')\n"
        ),
        "latin.py": b"# -*- coding: latin-1 -*-\nTEXT = 'caf\xe9'\n",
        "sub": {"__init__.py": "", "deep.py": "from .. import core\nfrom ..core import greet\n"},
        "data": {"greeting.txt": "hi from a resource\n", "nested": {"more.txt": "more\n"}},
    },
    "nsportion": {"inner.py": "WHERE = 'store'\n"},
    "toplevel.py": "import sample\nVALUE = sample.greet('top')\n",
    "sample-1.0.dist-info": {
        "METADATA": "Metadata-Version: 2.1\nName: sample\nVersion: 1.0\n",
        "entry_points.txt": "[console_scripts]\nsample-cli = sample.core:greet\n",
        "RECORD": "sample/__init__.py,,\nsample/core.py,,\n",
        "top_level.txt": "sample\n",
    },
}


# A PostgreSQL database for the PostgreSQL store tests, as a URL (postgresql:///importworks_test);
# ./scripts/test starts a local server and sets it.
POSTGRES = os.environ.get("IMPORTWORKS_TEST_POSTGRES", "").rstrip("/")
NO_POSTGRES = (
    "PostgreSQL store tests need a server: set IMPORTWORKS_TEST_POSTGRES=postgresql://HOST/DATABASE "
    "(./scripts/test starts one and sets it)"
)
if POSTGRES:
    # imported once for the session: the per-test module snapshot must not drop it (its C part keeps
    # the classes of the first import, and a second import would not match them)
    import psycopg


def drop_postgres_stores(urls: list[str]) -> None:
    """Remove the stores a test packed into the test database."""
    if not urls:
        return
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        for url in urls:
            name = url.rsplit("/", 1)[1]
            for table, column in (
                ("importworks_stores", "name"),
                ("importworks_code", "store"),
                ("importworks_entries", "store"),
            ):
                conn.execute(f"DELETE FROM {table} WHERE {column} = %s", (name,))


@pytest.fixture(params=["sqlite", "zip", "postgres"])
def store_kind(request) -> str:
    if request.param == "postgres" and not POSTGRES:
        pytest.skip(NO_POSTGRES)
    return request.param


@pytest.fixture
def store_target(tmp_path: Path, store_kind: str) -> Iterator[Callable[[str], str]]:
    """Where a store called NAME goes: a file in tmp_path, or a fresh store in the test database."""
    made: list[str] = []

    def target(name: str) -> str:
        if store_kind != "postgres":
            return str(tmp_path / f"{name}.{store_kind}")
        made.append(f"{POSTGRES}/{name}-{uuid.uuid4().hex[:12]}")
        return made[-1]

    yield target
    close_stores()
    drop_postgres_stores(made)


@pytest.fixture
def sample_store(tmp_path: Path, store_target: Callable[[str], str]) -> str:
    """The SAMPLE project packed into a store of each kind (dist-info included)."""
    source = build(tmp_path / "src", SAMPLE)
    output = store_target("sample")
    result = pack([str(source)], output)
    assert result.compiled >= 5
    return output


@pytest.fixture(autouse=True)
def closed_stores():
    """Each test opens its own stores; close them when it ends."""
    yield
    close_stores()
