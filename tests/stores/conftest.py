"""Fixtures for store tests: a sample project packed into each kind of store."""

from __future__ import annotations

from pathlib import Path

import pytest

from importworks.stores.finder import close_stores
from importworks.stores.pack import pack
from tests.conftest import build

SAMPLE = {
    "sample": {
        "__init__.py": "from .core import greet\nVERSION = '1.0'\n",
        "core.py": "def greet(name):\n    return f'hello {name}'\n\ndef fails():\n    raise ValueError('from the store')\n",
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


@pytest.fixture(params=["sqlite", "zip"])
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def sample_store(tmp_path: Path, store_kind: str) -> Path:
    """The SAMPLE project packed into a store of each kind (dist-info included)."""
    source = build(tmp_path / "src", SAMPLE)
    output = tmp_path / f"sample.{store_kind}"
    packer_sources = [str(source)]
    result = pack(packer_sources, str(output))
    assert result.compiled >= 5
    return output


@pytest.fixture(autouse=True)
def closed_stores():
    """Each test opens its own stores; close them when it ends."""
    yield
    close_stores()
