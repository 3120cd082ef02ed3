"""Fixtures of the field suite: the venv, the local server, the stores, the runs."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .harness import FieldHandler, Runner, StoreFactory
from .programs import Program
from .venv import FieldSetupError, FieldVenv, field_venv


@pytest.fixture(scope="session")
def venv() -> FieldVenv:
    """The cached venv holding the programs (built on first use; fails clearly offline)."""
    try:
        return field_venv()
    except FieldSetupError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """http://127.0.0.1:PORT of a local server, one port for the session."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FieldHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def runner(venv: FieldVenv, server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Runner:
    return Runner(venv, server_url, tmp_path_factory.mktemp("field"))


@pytest.fixture(scope="session")
def stores(venv: FieldVenv, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Program], Path]:
    return StoreFactory(venv, tmp_path_factory.mktemp("stores"))
