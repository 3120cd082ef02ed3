"""Property tests: every reader of untrusted bytes raises only the documented store errors (issue 17, item 3).

Bounded for CI (a few hundred examples each, well under a minute in all);
``tests/trust/fuzz_stores.py`` runs the store target coverage-guided, by hand.
"""

from __future__ import annotations

import marshal
import os
import sys
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import importworks
from importworks.errors import StoreError
from importworks.finders.bytecode import MAGIC_NUMBER, read_pyc_header
from importworks.stores.base import CompactIndex, check_entry_path
from importworks.stores.opening import open_store
from importworks.stores.pack import pack
from tests.conftest import build
from tests.trust.fuzz_stores import Target
from tests.trust.hostile import Finding

BOUNDED = settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Target:
    return Target(tmp_path_factory.mktemp("fuzz"))


@BOUNDED
@given(data=st.binary(min_size=1, max_size=400))
def test_the_fuzz_target_over_patched_stores(target, data):
    target.one_input(data)  # raises Finding on anything but a store error or the signed module


@BOUNDED
@given(
    seed=st.sampled_from(range(3)),
    patch=st.lists(st.tuples(st.integers(0, (1 << 16) - 1), st.integers(0, 255)), min_size=1, max_size=12),
)
def test_patched_stores_at_any_place(target, seed, patch):
    target.one_input(bytes([seed]) + b"".join(at.to_bytes(2, "little") + bytes([value]) for at, value in patch))


NAMES = st.one_of(
    st.text(min_size=0, max_size=40),
    st.sampled_from(
        [
            "../up.py",
            "/abs.py",
            "a/../../b.py",
            "a\0b.py",
            "C:/win.py",
            "a\\b.py",
            "x" * 300 + ".py",
            "é/ü.py",
            "1bad-name.py",
            "pkg/" + "y" * 5000,
            "./dot.py",
            "a//b.py",
            "",
        ]
    ),
)


@settings(max_examples=300, deadline=None, database=None)
@given(name=NAMES)
def test_entry_names_either_stay_inside_the_store_or_are_refused(name):
    try:
        checked = check_entry_path("s", name)
    except StoreError:
        return
    parts = checked.split("/")
    assert checked and not checked.startswith("/") and ".." not in parts and "\0" not in checked and "" not in parts
    assert "\\" not in checked and max(map(len, parts)) <= 255


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=4, unique=True))
def test_ordinary_zips_with_hostile_names(tmp_path, names):
    """A zip made by another tool, any names in it: opening, listing, reading and importing raise only store errors."""
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name in names:
            try:
                out.writestr(name or "empty", b"VALUE = 1\n")
            except (ValueError, UnicodeEncodeError):
                pass
            except IndexError:  # Python 3.10's ZipInfo fails on a name that is only a NUL: no tool writes it
                assert sys.version_info < (3, 11) and name.startswith("\0")
    try:
        with open_store(str(archive)) as store:
            for path in store.index:
                store.read(path)
    except (StoreError, FileNotFoundError):
        pass
    sys.path.insert(0, str(archive))
    try:
        with importworks.install(), _quiet():
            for name in names:
                module = name.partition("/")[0].partition(".")[0]
                if module.isidentifier() and module not in sys.modules:
                    try:
                        __import__(module)
                    except ImportError:
                        pass
                    sys.modules.pop(module, None)
    finally:
        sys.path.remove(str(archive))
        sys.path_importer_cache.pop(str(archive), None)


@contextmanager
def _quiet() -> Iterator[None]:
    """A broken store warns once (RuntimeWarning); here that is expected, not the point."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _site_with_record(folder, lines):
    dist = folder / "hostile_dist-1.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hostile_dist\nVersion: 1.0\n")
    (folder / "hostile_dist.py").write_text("VALUE = 1\n")
    (dist / "RECORD").write_text("".join(f"{line},,\n" for line in lines) + "hostile_dist.py,,\n")
    return folder


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        NAMES.filter(lambda n: "\n" not in n and "\r" not in n and "," not in n and '"' not in n), max_size=4
    )
)
def test_pack_given_a_record_with_hostile_names(tmp_path, lines):
    """RECORD lines naming anything: pack refuses or leaves them out; what it packs stays inside the store."""
    site = _site_with_record(tmp_path / "site", lines)
    out = tmp_path / "out.sqlite"
    sys.path.insert(0, str(site))
    try:
        pack([], str(out), dists=["hostile_dist"])
    except StoreError:
        return  # refused, naming the entry
    finally:
        sys.path.remove(str(site))
    with open_store(str(out)) as store:
        for path in store.index:
            check_entry_path(str(out), path)
            assert os.path.realpath(os.path.join(str(site), path)).startswith(os.path.realpath(str(site)))


@settings(max_examples=300, deadline=None, database=None)
@given(header=st.binary(min_size=0, max_size=20))
def test_pyc_headers(header):
    try:
        flags = read_pyc_header(header, "m", {"name": "m"})
    except (ImportError, EOFError):
        return
    assert header[:4] == MAGIC_NUMBER and flags in (0, 1, 2, 3)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.binary(min_size=16, max_size=16), with_magic=st.booleans())
def test_a_pycache_pyc_with_any_header_falls_back_to_its_source(tmp_path, header, with_magic):
    folder = build(tmp_path / "pyc", {"pycmod.py": "VALUE = 'source'\n"})
    code = marshal.dumps(compile("VALUE = 'source'\n", str(folder / "pycmod.py"), "exec"))
    cache = folder / "__pycache__"
    cache.mkdir(exist_ok=True)
    from importworks.finders.bytecode import cache_from_source

    head = (MAGIC_NUMBER + header[4:]) if with_magic else header
    (cache / os.path.basename(cache_from_source(str(folder / "pycmod.py")))).write_bytes(head + code)
    sys.path.insert(0, str(folder))
    try:
        with importworks.activate(), _quiet():
            sys.modules.pop("pycmod", None)
            importworks.invalidate_caches()
            try:
                import pycmod
            except ImportError as exc:  # flags a stock import refuses too ("invalid flags")
                assert "invalid flags" in str(exc)
                return
        assert pycmod.VALUE == "source"
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("pycmod", None)


@settings(max_examples=300, deadline=None, database=None)
@given(
    parts=st.fixed_dictionaries(
        {
            "folders": st.text(max_size=30),
            "listing": st.text(max_size=60),
            "spans": st.binary(max_size=48),
            "bases": st.binary(max_size=24),
            "rows": st.binary(max_size=48),
        }
    ),
    probes=st.lists(st.text(max_size=20), max_size=5),
)
def test_compact_index_from_any_parts(parts, probes):
    """The index reader: any parts either fail to build (ValueError, which the backends translate) or answer
    lookups with KeyError / StoreError only."""
    try:
        index = CompactIndex(parts)
    except ValueError:
        return
    for probe in probes + list(parts["folders"].split("\n")):
        try:
            probe in index  # noqa: B015
            index.children(probe)
            index.get(probe)
            list(index.folder_numbers(probe))
        except StoreError:
            pass
    try:
        for path in index:
            index.get(path)
        len(index)
    except StoreError:
        pass


def test_finding_is_an_assertion():
    assert issubclass(Finding, AssertionError)


def test_fuzz_finding_a_sqlite_index_declaring_a_huge_marshal_size(target):
    """Found by atheris (116k executions): two bytes changed in the index blob made marshal allocate 15 GB.

    The index's CRC-32, recorded at packing, is now checked before it is unmarshalled.
    """
    import base64

    from tests.trust.hostile import import_from

    store, seed, signed = target.seeds[0]
    changed = bytearray(seed)
    data = base64.b64decode("eKQ+KFFLf38=")[1:]
    for at in range(0, len(data) - 2, 3):
        changed[int.from_bytes(data[at : at + 2], "little") % len(seed)] = data[at + 2]
    with importworks.install(trusted_keys=[target.public]):
        assert import_from(store, bytes(changed), True) == "StoreError"


HUGE_TUPLE = b"\xa8" + (0x44AED2D2).to_bytes(4, "little")  # a tuple of 1.15 billion items, in five bytes


@pytest.mark.parametrize("kind", ["zip", "sqlite"])
def test_fuzz_finding_an_index_declaring_a_billion_items_is_refused_at_once(tmp_path, kind, capsys):
    """Found by atheris (fuzz_readers.py zip, 206th input): an unsigned zip whose index entry (its CRC-32 kept
    right) declares a tuple of a billion items made marshal allocate 9 GB and take 10 s before failing.

    Sizes are now checked against the bytes left before marshal decodes an index (stores/bounded.py).
    """
    import sqlite3
    import time
    import zlib
    from contextlib import closing

    from importworks.cli import main
    from tests.trust.fuzz_readers import _with_zip_index
    from tests.trust.hostile import small_store

    store = small_store(tmp_path, kind)
    if kind == "zip":
        store.write_bytes(_with_zip_index(store.read_bytes(), HUGE_TUPLE))
    else:
        with closing(sqlite3.connect(store)) as db:
            db.execute("UPDATE blobs SET data = ? WHERE name = 'index'", (HUGE_TUPLE,))
            db.execute("UPDATE meta SET value = ? WHERE key = 'index_crc32'", (str(zlib.crc32(HUGE_TUPLE)),))
            db.commit()
    start = time.monotonic()
    with pytest.raises(StoreError, match="declares 1152307922 items or bytes where"), open_store(str(store)) as opened:
        opened.index
    assert main(["ls", str(store)]) != 0
    assert "its index is unreadable (ValueError: marshalled data declares" in capsys.readouterr().err
    assert time.monotonic() - start < 2


def test_marshalled_sizes_are_checked_before_decoding():
    from importworks.stores.bounded import check_marshalled

    for value in (None, 1, -(2**70), 1.5, "é" * 300, b"x", (1, [2, {"a": b"b"}]), {1, 2}, frozenset("ab"), ("s",) * 3):
        check_marshalled(marshal.dumps(value, 4))
        check_marshalled(marshal.dumps(value, 2))
    for crafted in (
        b"(\xff\xff\xff\x7f",
        b"[\x10\x00\x00\x00N",
        b"s\x00\x00\x00\x01",
        b"l\xff\xff\xff\x3f",
        b"{N",
        b"",
    ):
        with pytest.raises(ValueError):
            check_marshalled(crafted)
    with pytest.raises(ValueError, match="type 'c'"):
        check_marshalled(marshal.dumps(compile("x = 1", "m", "exec")))


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.binary(max_size=64))
def test_whatever_passes_the_size_check_decodes_within_its_length(data):
    from importworks.stores.bounded import check_marshalled

    try:
        check_marshalled(data)
    except ValueError:
        return
    try:
        marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        pass


def _sqlite_with_index(tmp_path, change):
    """A small SQLite store whose index dict went through *change*, its CRC-32 kept right."""
    import sqlite3
    import zlib
    from contextlib import closing

    from tests.trust.hostile import small_store

    store = small_store(tmp_path, "sqlite")
    with closing(sqlite3.connect(store)) as db:
        (blob,) = db.execute("SELECT data FROM blobs WHERE name = 'index'").fetchone()
        index = marshal.loads(blob)
        change(index)
        blob = marshal.dumps(index)
        db.execute("UPDATE blobs SET data = ? WHERE name = 'index'", (blob,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'index_crc32'", (str(zlib.crc32(blob)),))
        db.commit()
    return store


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda index: index.update(stdlib=[{}]), id="stdlib-of-dicts"),  # fuzz_readers postgres
        pytest.param(lambda index: index.update(extract={"a": 1}), id="extract-not-names"),
        pytest.param(  # fuzz_readers zip
            lambda index: index.update(folders=index["folders"].replace("hostile_mod/", "hostile_mod")),
            id="folder-without-slash",
        ),
        pytest.param(
            lambda index: index.update(listing=index["listing"].replace("__init__.py", "\0" * 11)),
            id="file-without-name",
        ),
    ],
)
def test_fuzz_findings_index_fields_of_the_wrong_shape_are_store_errors(tmp_path, change):
    """Found by atheris/fuzz_readers.py: index fields of the wrong type or shape (CRC-32 kept right) raised
    TypeError from the stdlib filter, or KeyError when listing entries; now a StoreError naming the store."""
    store = _sqlite_with_index(tmp_path, change)
    with pytest.raises(StoreError, match=str(store)), open_store(str(store)) as opened:
        list(opened.index)
        list(opened.walk())
        opened.children("")


def test_fuzz_finding_a_nameless_entry_row_is_a_store_error(tmp_path):
    """Found by fuzz_readers.py sqlite: no index blob, and an entry row whose path is NULL: AttributeError."""
    import sqlite3
    from contextlib import closing

    from tests.trust.hostile import small_store

    store = small_store(tmp_path, "sqlite")
    with closing(sqlite3.connect(store)) as db:
        db.execute("DELETE FROM blobs WHERE name = 'index'")
        db.execute("PRAGMA ignore_check_constraints = 1")
        db.execute("CREATE TABLE e2 AS SELECT * FROM entries")
        db.execute("DROP TABLE entries")
        db.execute("CREATE TABLE entries (path TEXT, kind TEXT, size INTEGER, sha256 TEXT, crc32 INTEGER, data BLOB)")
        db.execute("INSERT INTO entries SELECT * FROM e2")
        db.execute("UPDATE entries SET path = NULL WHERE path LIKE '%data.txt'")
        db.commit()
    with pytest.raises(StoreError, match="an entry row without a name"), open_store(str(store)) as opened:
        opened.children("")


def test_fuzz_finding_a_zip_hash_table_that_is_not_a_mapping_is_a_store_error(tmp_path):
    """Found by fuzz_readers.py zip: the sha256 table decoded to an int: AttributeError in verify's walk."""
    from tests.trust.hostile import small_store

    store = small_store(tmp_path, "zip")
    with open_store(str(store)) as opened:
        opened.index
        offset, csize, method = opened._hashes_at
        opened._decode = lambda raw, method, path: marshal.dumps(7)
        with pytest.raises(StoreError, match="unreadable .importworks/sha256.marshal"):
            list(opened.walk())
