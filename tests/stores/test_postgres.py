"""PostgreSQL stores, against a real server (IMPORTWORKS_TEST_POSTGRES; ./scripts/test starts one).

The contract every store keeps (imports, resources, metadata, tracebacks, reload
of a re-packed store) runs for PostgreSQL too, in test_store_contract.py; these
are what only a store on a server has: connections that drop, stores packed
again while in use, several stores in one database, secrets kept out of paths.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from importworks.errors import StoreError, StoreIntegrityError
from importworks.stores.opening import cached_store, close_stores
from importworks.stores.pack import Packer, pack
from importworks.stores.sniff import parse_store_url
from tests.conftest import SRC, build
from tests.stores.conftest import NO_POSTGRES, POSTGRES, drop_postgres_stores

pytestmark = pytest.mark.skipif(not POSTGRES, reason=NO_POSTGRES)

APP = {
    "shop": {
        "__init__.py": "NAME = 'shop'\n",
        "cart.py": "def total(items):\n    return sum(items)\n",
        "tax.py": "RATE = 0.2\n",
        "billing": {"__init__.py": "", "invoice.py": "from ..cart import total\nKIND = 'invoice'\n"},
    },
}


@pytest.fixture
def new_url():
    made = []

    def make(name: str = "app") -> str:
        made.append(f"{POSTGRES}/{name}-{uuid.uuid4().hex[:12]}")
        return made[-1]

    yield make
    close_stores()
    drop_postgres_stores(made)


def _admin():
    import psycopg

    return psycopg.connect(POSTGRES, autocommit=True)


def test_a_lost_connection_is_reopened(tmp_path, new_url, engine):
    url = new_url()
    pack([str(build(tmp_path / "src", APP))], url)
    sys.path.insert(0, url)
    import shop.cart

    store = cached_store(url)
    with _admin() as admin:  # what a server restart or an idle timeout does
        admin.execute("SELECT pg_terminate_backend(%s)", (store._conn.info.backend_pid,))
    import shop.billing.invoice

    assert shop.billing.invoice.total([1, 2]) == 3
    assert shop.billing.invoice.__file__ == f"{url}/shop/billing/invoice.py"


def test_a_store_packed_again_while_in_use_is_refused_cleanly(tmp_path, new_url, engine):
    url = new_url()
    source = build(tmp_path / "src", APP)
    pack([str(source)], url)
    sys.path.insert(0, url)
    import shop

    store = cached_store(url)
    pack([str(source)], url)  # a new generation
    with _admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (store._conn.info.backend_pid,))
    with pytest.raises(StoreError, match=rf"store {url} was re-packed or removed while in use"):
        import shop.billing.invoice  # noqa: F401
    assert "shop.billing.invoice" not in sys.modules and "shop.billing" not in sys.modules


def test_an_unreachable_server_is_named(tmp_path):
    url = "postgresql://127.0.0.1:1/nodb/app"
    with pytest.warns(RuntimeWarning, match=r"cannot connect to PostgreSQL store postgresql://127\.0\.0\.1:1/nodb/app"):
        from importworks.stores.finder import store_path_hook

        finder = store_path_hook(url)  # the entry is claimed, so no other hook reads it
    assert isinstance(finder.error, StoreError) and "postgresql://127.0.0.1:1/nodb/app" in str(finder.error)
    assert finder.find_spec("app") is None  # nothing listed: the import goes on along sys.path


def test_a_missing_store_says_how_to_make_it(new_url):
    url = new_url("missing")
    with pytest.raises(
        StoreError, match=rf"no store '{url.rsplit('/', 1)[1]}' in PostgreSQL database .*importworks pack"
    ):
        cached_store(url)


def test_a_failed_pack_leaves_the_old_store(tmp_path, new_url, monkeypatch, engine):
    url = new_url()
    pack([str(build(tmp_path / "v1", {"mod.py": "VERSION = 1\n"}))], url)
    generation = cached_store(url).generation
    close_stores()

    def broken(self, entry, data, result):
        raise OSError("disk gone")

    monkeypatch.setattr(Packer, "_compile", broken)
    with pytest.raises(OSError, match="disk gone"):
        pack([str(build(tmp_path / "v2", {"mod.py": "VERSION = 2\n", "other.py": ""}))], url)
    monkeypatch.undo()
    store = cached_store(url)
    assert store.generation == generation and sorted(store.index) == ["mod.py"]
    sys.path.insert(0, url)
    import mod

    assert mod.VERSION == 1


def test_stores_share_a_database(tmp_path, new_url, engine):
    first, second = new_url("first"), new_url("second")
    pack([str(build(tmp_path / "a", {"alpha.py": "WHO = 'a'\n"}))], first)
    pack([str(build(tmp_path / "b", {"beta.py": "WHO = 'b'\n"}))], second)
    sys.path[:0] = [first, second]
    import alpha
    import beta

    assert (alpha.WHO, beta.WHO) == ("a", "b")
    assert cached_store(first).is_file("alpha.py") and not cached_store(first).is_file("beta.py")


def test_tampered_code_is_refused(tmp_path, new_url, engine):
    url = new_url()
    pack([str(build(tmp_path / "src", {"victim.py": "X = 1\n"}))], url)
    with _admin() as admin:
        admin.execute(
            "UPDATE importworks_code SET data = %s WHERE store = %s", (b"\xe3" + b"\0" * 40, url.rsplit("/", 1)[1])
        )
    sys.path.insert(0, url)
    with pytest.raises(StoreIntegrityError, match=rf"'victim.py' in store {url}"):
        import victim  # noqa: F401
    assert "victim" not in sys.modules


def test_a_package_folder_comes_in_one_round_trip(tmp_path, new_url, engine):
    url = new_url()
    pack([str(build(tmp_path / "src", APP))], url)
    sys.path.insert(0, url)
    import shop.cart

    store = cached_store(url)
    # the code of shop/'s other modules came with shop/__init__.py's
    waiting = {store.packed_index.number(p) for p in ("shop/tax.py",)}
    assert waiting <= set(store._fetched)
    import shop.tax

    assert shop.tax.RATE == 0.2 and not waiting & set(store._fetched)


def test_no_password_in_a_store_url():
    for bad in (
        "postgresql://shop:hunter2@db.internal/apps/shop",
        "postgresql://shop:hunter2@db.internal/apps",
        "postgresql://shop:hunter2@db.internal/apps/shop?sslmode=require",
    ):
        with pytest.raises(StoreError, match="PGPASSWORD") as info:
            parse_store_url(bad)
        assert "hunter2" not in str(info.value) and "hunter2" not in str(info.value.path)
    url = parse_store_url("postgresql://shop@db.internal:6432/apps/shop/pkg/sub")
    assert url == (
        "postgresql://shop@db.internal:6432/apps/shop",
        "postgresql://shop@db.internal:6432/apps",
        "shop",
        "pkg/sub/",
    )
    with pytest.raises(StoreError, match="DATABASE/STORE"):
        parse_store_url("postgresql://db.internal/apps")


def test_run_a_program_from_a_postgres_store(tmp_path, new_url):
    url = new_url()
    pack([str(build(tmp_path / "src", {"hello.py": "import sys\nprint('hello from', __file__, sys.argv[1:])\n"}))], url)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "importworks", "run", url, "-m", "hello", "x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"hello from {url}/hello.py ['x']"


def test_ls_and_verify_a_postgres_store(tmp_path, new_url, capsys):
    from importworks.cli import main

    url = new_url()
    pack([str(build(tmp_path / "src", APP))], url)
    assert main(["verify", url]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["ls", url]) == 0
    assert "shop/billing/invoice.py" in capsys.readouterr().out.split()
    close_stores()
    with _admin() as admin:
        admin.execute(
            "UPDATE importworks_entries SET data = %s WHERE store = %s AND path = 'shop/tax.py'",
            (b"RATE = 0.5\n", url.rsplit("/", 1)[1]),
        )
    assert main(["verify", url]) == 1
    assert "BAD  shop/tax.py" in capsys.readouterr().out


def test_diagnostics_understand_store_urls(tmp_path, new_url, engine):
    from importworks.diagnostics.syspath import explain_entry
    from importworks.diagnostics.why import diagnose

    url = new_url()
    pack([str(build(tmp_path / "src", APP))], url)
    missing = new_url("missing")
    sys.path[:0] = [url, missing, f"{url}/nofolder"]
    assert explain_entry(0, url).exists  # a URL is not a file, and still there
    with pytest.warns(RuntimeWarning, match="no store"):
        report = diagnose("nosuchmodule")
    reasons = {step.entry: step.detail for step in report.steps}
    assert "no store" in reasons[missing] and "importworks pack" in reasons[missing]
    assert reasons[f"{url}/nofolder"] == f"store {url} has no folder 'nofolder'"


def test_reading_a_store_packed_again_says_so(tmp_path, new_url, engine):
    url = new_url()
    pack([str(build(tmp_path / "v1", APP))], url)
    sys.path.insert(0, url)
    import shop  # noqa: F401

    old = cached_store(url)
    pack([str(build(tmp_path / "v2", {"shop": {"__init__.py": "", "tax.py": "RATE = 0.3\n"}}))], url)
    with pytest.raises(StoreError, match="was re-packed or removed while in use"):
        old.read("shop/cart.py")  # the old index still lists it; the new store has no such row
    old.close()
    with pytest.raises(StoreError, match=rf"PostgreSQL store {url} is closed"):
        old.read("shop/tax.py")


def test_a_package_folder_of_a_store_url(tmp_path, new_url, engine):
    """postgresql://.../STORE/pkg on sys.path serves pkg's modules; a trailing slash changes nothing."""
    url = new_url()
    pack([str(build(tmp_path / "src", APP))], url)
    sys.path[:0] = [f"{url}/shop", url + "/"]
    import tax  # from the folder entry, as a top-level module

    assert tax.RATE == 0.2 and tax.__file__ == f"{url}/shop/tax.py"
    import shop.tax

    assert shop.tax.RATE == 0.2
