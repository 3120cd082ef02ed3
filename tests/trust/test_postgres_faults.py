"""PostgreSQL faults in the middle of an import: a restarted server, a terminated backend, a re-pack (issue 17, item 4).

Restarting and stopping happen to a private cluster each test module makes
(initdb into a temporary folder with the newest PostgreSQL binaries found, run as the
``postgres`` user when the tests run as root), never to the shared server the
other tests use.  The re-pack test uses the shared server (IMPORTWORKS_TEST_POSTGRES).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import importworks
from importworks.errors import StoreError
from importworks.stores.opening import close_stores
from importworks.stores.pack import pack
from tests.conftest import build
from tests.stores.conftest import NO_POSTGRES, POSTGRES, drop_postgres_stores
from tests.trust.test_faults import READER

pytest.importorskip("psycopg", reason="PostgreSQL stores need psycopg: pip install 'importworks[postgres]'")


def _pg_bin() -> Path:
    """The PostgreSQL binaries: IMPORTWORKS_PG_BIN, else Debian's newest (/usr/lib/postgresql/N/bin)."""
    if os.environ.get("IMPORTWORKS_PG_BIN"):
        return Path(os.environ["IMPORTWORKS_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = _pg_bin()

APP = {
    "shop": {
        # the fault happens while shop's body runs, between two imports from the store
        "__init__.py": "import sys\nsys.modules['__fault__']()\nfrom .billing import invoice\nNAME = 'shop'\n",
        "billing": {"__init__.py": "", "invoice.py": "KIND = 'invoice'\n"},
    },
}


class Fault:
    """Stands in sys.modules['__fault__']: what shop's body calls (a restart, a stop, a terminated backend)."""

    def __init__(self, action) -> None:
        self.action, self.calls = action, 0

    def __call__(self) -> None:
        self.calls += 1
        self.action()


class Cluster:
    """A private PostgreSQL cluster in a temporary folder, reached by its socket folder."""

    def __init__(self) -> None:
        if not (BIN / "initdb").exists():
            pytest.skip(f"no PostgreSQL binaries in {BIN} (set IMPORTWORKS_PG_BIN) to make a private cluster")
        self.root = Path(tempfile.mkdtemp(prefix="iw-pg-"))
        os.chmod(self.root, 0o755)
        self.data, self.socket, self.log = self.root / "data", self.root / "sock", self.root / "log"
        self.socket.mkdir()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot start a private PostgreSQL cluster")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket, "postgres")
        self.port = "5433"
        self._run(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self._run(BIN / "createdb", "-h", self.socket, "-p", self.port, "-U", "postgres", "faults")

    def _run(self, *args: object) -> None:
        result = subprocess.run(
            [*self.as_user, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=self.root
        )
        assert result.returncode == 0, f"{args[0]}: {result.stdout}{result.stderr}"

    def _ctl(self, *args: str) -> None:
        options = f"-k {self.socket} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", *args)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def remove(self) -> None:
        try:
            self.stop()
        except AssertionError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    made = Cluster()
    yield made
    made.remove()


@pytest.fixture
def private_store(cluster, tmp_path, monkeypatch) -> Iterator[str]:
    """APP packed into the private cluster; its URL (libpq finds the cluster through PGHOST and PGPORT)."""
    monkeypatch.setenv("PGHOST", str(cluster.socket))
    monkeypatch.setenv("PGPORT", cluster.port)
    monkeypatch.setenv("PGUSER", "postgres")
    url = f"postgresql:///faults/shop-{uuid.uuid4().hex[:8]}"
    pack([str(build(tmp_path / "src", APP))], url)
    yield url
    close_stores()
    sys.modules.pop("__fault__", None)


def _backend_pid(url: str) -> int:
    # the store the import uses (cached_store would reopen a re-packed store: a new connection)
    return sys.path_importer_cache[url].store._conn.info.backend_pid


def _terminate(url: str) -> None:
    import psycopg

    pid = _backend_pid(url)
    with psycopg.connect("dbname=faults", autocommit=True) as admin:  # PGHOST/PGPORT: the private cluster
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def _shop_gone() -> bool:
    return not any(name == "shop" or name.startswith("shop.") for name in sys.modules)


@pytest.mark.slow
def test_a_server_restarted_in_the_middle_of_an_import_is_reconnected_transparently(private_store, cluster, engine):
    fault = sys.modules["__fault__"] = Fault(cluster.restart)  # type: ignore[assignment]
    sys.path.insert(0, private_store)
    before = None

    def restart() -> None:
        nonlocal before
        before = _backend_pid(private_store)
        cluster.restart()

    fault.action = restart
    import shop

    assert fault.calls == 1 and shop.invoice.KIND == "invoice" and shop.NAME == "shop"
    assert _backend_pid(private_store) != before  # a new connection, to the same store generation


@pytest.mark.slow
def test_a_server_gone_in_the_middle_of_an_import_is_a_clear_error_and_nothing_half_registered(
    private_store, cluster, engine
):
    sys.modules["__fault__"] = Fault(cluster.stop)  # type: ignore[assignment]
    sys.path.insert(0, private_store)
    try:
        with pytest.raises(StoreError) as info:
            import shop
        assert str(info.value).startswith(f"cannot connect to PostgreSQL store {private_store}: ")
        assert info.value.path == private_store
        assert _shop_gone()
    finally:
        cluster.start()
    sys.modules["__fault__"] = Fault(lambda: None)  # type: ignore[assignment]
    import shop  # the server is back: the same open store reconnects

    assert shop.invoice.KIND == "invoice"


@pytest.mark.slow
def test_a_backend_terminated_in_the_middle_of_an_import_is_reconnected_transparently(private_store, engine):
    fault = sys.modules["__fault__"] = Fault(lambda: _terminate(private_store))  # type: ignore[assignment]
    sys.path.insert(0, private_store)
    import shop

    assert fault.calls == 1 and shop.invoice.KIND == "invoice"


@pytest.mark.slow
def test_a_backend_terminated_after_a_re_pack_is_a_clear_error_and_nothing_half_registered(
    private_store, tmp_path, engine
):
    """Reconnecting finds another generation: the import fails naming the store, rather than mix two packs."""

    def repack_and_terminate() -> None:
        pack([str(build(tmp_path / "v2", APP))], private_store)
        _terminate(private_store)

    sys.modules["__fault__"] = Fault(repack_and_terminate)  # type: ignore[assignment]
    sys.path.insert(0, private_store)
    with pytest.raises(StoreError, match=rf"store {private_store} was re-packed or removed while in use"):
        import shop  # noqa: F401
    assert _shop_gone()


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES, reason=NO_POSTGRES)
def test_a_postgres_store_packed_again_while_processes_import_from_it(tmp_path):
    """As for SQLite and zip (test_faults.py): each process sees the old store or the new one whole."""
    sources = [
        build(
            tmp_path / f"gen{g}",
            {"pair_a.py": f"import pair_b\nGEN = {g}\n", "pair_b.py": f"GEN = {g}\nPAD = {'y' * 5000 * (g + 1)!r}\n"},
        )
        for g in (0, 1)
    ]
    url = f"{POSTGRES}/pair-{uuid.uuid4().hex[:8]}"
    pack([str(sources[0])], url)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    try:
        readers = [
            subprocess.Popen(
                [sys.executable, "-W", "ignore", "-c", READER, url, "4"], stdout=subprocess.PIPE, text=True, env=env
            )
            for _ in range(3)
        ]
        generation, packs, deadline = 0, 0, time.monotonic() + 4
        while time.monotonic() < deadline:
            generation ^= 1
            pack([str(sources[generation])], url)
            packs += 1
        results = [reader.communicate(timeout=60)[0] for reader in readers]
    finally:
        drop_postgres_stores([url])
    assert all(reader.returncode == 0 for reader in readers), results
    assert packs > 3
    print(f"{packs} packs; readers (generations seen, mixed, errors): {results}")
    for line in results:
        seen, mixed, _errors = line.rsplit(" ", 2)
        assert int(mixed) == 0, line  # never pair_a of one generation with pair_b of another
        assert seen != "[]", line


def test_importworks_is_imported():  # the module imports cleanly without a server too
    assert importworks.__name__ == "importworks"
