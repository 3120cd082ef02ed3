"""Broken, tampered and hostile stores give clear errors and break nothing else."""

from __future__ import annotations

import os
import sqlite3
import sys
import zipfile
from contextlib import closing

import pytest

from importworks.cli import main
from importworks.errors import StoreError, StoreIntegrityError
from importworks.stores.base import FORMAT_VERSION
from importworks.stores.finder import store_path_hook
from importworks.stores.opening import open_store
from importworks.stores.pack import pack
from tests.conftest import build


def _make_store(tmp_path, kind, files=None):
    source = build(tmp_path / f"src-{kind}", files or {"good": {"__init__.py": "X = 1\n"}})
    out = tmp_path / f"app.{kind}"
    pack([str(source)], str(out))
    return out


def test_truncated_zip_is_named_and_other_entries_keep_working(tmp_path, tree, engine):
    store = _make_store(tmp_path, "zip")
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])
    tree({"still_fine.py": "OK = True\n"})
    sys.path.insert(0, str(store))
    with pytest.warns(RuntimeWarning, match=rf"{store} is not a zip archive .* truncated"):
        import still_fine
    assert still_fine.OK
    with pytest.raises(StoreError, match=str(store)):
        open_store(str(store))


def test_file_that_is_not_a_store(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("just text")
    with pytest.raises(ImportError) as info:
        store_path_hook(str(notes))  # not ours: the next hook may take it
    assert not isinstance(info.value, StoreError)
    with pytest.raises(StoreError, match="neither a SQLite store nor a zip archive"):
        open_store(str(notes))
    named_like_a_store = tmp_path / "notes.sqlite"
    named_like_a_store.write_text("just text")
    with pytest.warns(RuntimeWarning, match="is not a SQLite database"):
        refused = store_path_hook(str(named_like_a_store))  # claimed: no other hook reads it
    assert type(refused).__name__ == "RefusedStoreFinder"
    assert refused.find_spec("anything") is None


def test_corrupt_sqlite_store(tmp_path):
    store = _make_store(tmp_path, "sqlite")
    data = bytearray(store.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    store.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=rf"SQLite store {store}.*re-create it with importworks pack"):
        open_store(str(store)).entries


def test_store_from_a_newer_format(tmp_path):
    store = _make_store(tmp_path, "sqlite")
    with sqlite3.connect(store) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    db.close()
    with pytest.raises(
        StoreError, match=rf"format 99, newer than this importworks reads \({FORMAT_VERSION}\): upgrade"
    ):
        open_store(str(store))


def test_code_for_another_python_falls_back_to_source(tmp_path, engine):
    store = _make_store(tmp_path, "sqlite", {"other": {"__init__.py": "WHERE = 'compiled here'\n"}})
    with sqlite3.connect(store) as db:
        db.execute("UPDATE code SET magic = x'00000d0a'")
    db.close()
    sys.path.insert(0, str(store))
    import other

    assert other.WHERE == "compiled here"


def test_tampered_entry_is_refused_at_import_and_named_by_verify(tmp_path, engine, capsys):
    store = _make_store(tmp_path, "sqlite", {"victim": {"__init__.py": "SAFE = True\n"}})
    with sqlite3.connect(store) as db:
        db.execute(
            "UPDATE code SET data = ? WHERE path = 'victim/__init__.py'",
            (__import__("marshal").dumps(compile("SAFE = False", "x", "exec")),),
        )
    db.close()
    sys.path.insert(0, str(store))
    with pytest.raises(StoreIntegrityError, match=r"'victim/__init__.py' in store .* refusing to execute"):
        import victim  # noqa: F401
    assert "victim" not in sys.modules
    assert main(["verify", str(store)]) == 1
    assert "BAD  victim/__init__.py" in capsys.readouterr().out


def test_tampered_zip_entry_is_refused(tmp_path, engine):
    store = _make_store(tmp_path, "zip", {"zvictim.py": "SAFE = True\n"})
    # rewrite the archive with the same manifest but different source and no pyc
    with zipfile.ZipFile(store) as original:
        items = {name: original.read(name) for name in original.namelist()}
    items["zvictim.py"] = b"SAFE = False\n"
    del items["zvictim.pyc"]
    with zipfile.ZipFile(store, "w") as rewritten:
        for name, data in items.items():
            rewritten.writestr(name, data)
    sys.path.insert(0, str(store))
    with pytest.raises(StoreIntegrityError, match="'zvictim.py'"):
        import zvictim  # noqa: F401


def test_entry_names_leaving_the_store_are_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../escape.py", "X = 1\n")
    with pytest.raises(StoreError, match=r"refusing entry '../escape.py'.*leaves the store"):
        open_store(str(evil)).entries


def test_missing_store_path_is_just_not_a_store(tmp_path):
    with pytest.raises(ImportError):
        store_path_hook(str(tmp_path / "missing.sqlite"))
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "missing.sqlite"))


def test_failed_pack_leaves_no_half_store(tmp_path, monkeypatch):
    source = build(tmp_path / "src", {"m.py": "X = 1\n"})
    out = tmp_path / "out.sqlite"

    def explode(self, entry, data, result):
        raise RuntimeError("disk full")

    monkeypatch.setattr("importworks.stores.pack.Packer._compile", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        pack([str(source)], str(out))
    assert os.listdir(tmp_path) == ["src"]


def test_pack_refuses_an_unknown_output_kind(tmp_path, capsys):
    source = build(tmp_path / "src", {"m.py": "X = 1\n"})
    assert main(["pack", str(source), "-o", str(tmp_path / "out.tar")]) == 1
    assert "name it .sqlite or .zip" in capsys.readouterr().err


@pytest.mark.parametrize("ours", [True, False])
def test_zip64_archive_behind_a_shebang(tmp_path, monkeypatch, ours, engine):
    """A zipapp: a #! line before a zip64 archive (whose end records then point too early)."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # write the zip64 end records
    archive = tmp_path / "plain.zip"
    if ours:
        pack([str(build(tmp_path / "src", {"zipapp_mod.py": "WHERE = 'zip64'\n"}))], str(archive))
    else:
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("zipapp_mod.py", "WHERE = 'zip64'\n")
            z.writestr("other.txt", "x")
    assert b"PK\x06\x06" in archive.read_bytes()
    app = tmp_path / "app.pyz"
    app.write_bytes(b"#!/usr/bin/env python3\n" + archive.read_bytes())
    sys.path.insert(0, str(app))
    import zipapp_mod

    assert zipapp_mod.WHERE == "zip64"
    assert zipapp_mod.__file__ == os.path.join(str(app), "zipapp_mod.py")


def test_ordinary_sqlite_database_with_a_meta_table_is_refused_cleanly(tmp_path, tree, engine):
    other = tmp_path / "notes.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('magic', 'not hex'), ('format_version', 'two')")
        db.commit()
    tree({"unharmed.py": "OK = True\n"})
    sys.path.insert(0, str(other))
    with pytest.warns(RuntimeWarning, match=rf"SQLite store {other} has unreadable metadata"):
        import unharmed
    assert unharmed.OK


def test_entry_names_that_the_index_cannot_hold_are_refused_when_packing(tmp_path):
    source = build(tmp_path / "src", {"pkg": {"__init__.py": "", "data": {"a\nb.txt": "x"}}})
    with pytest.raises(StoreError, match=r"refusing entry 'pkg/data/a\\nb.txt'"):
        pack([str(source)], str(tmp_path / "app.sqlite"))
    assert not (tmp_path / "app.sqlite").exists()


def test_a_record_that_is_not_csv_is_a_store_error(tmp_path):
    # Python 3.10's csv reader raises its own error on a NUL (a fuzz finding): pack says which RECORD
    from importlib.metadata import PathDistribution

    from importworks.stores.pack import _recorded_files

    info = tmp_path / "x-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: x\nVersion: 1.0\n")
    (info / "RECORD").write_text("x/__init__.py,,\nx/\0evil.py,,\n")
    try:
        files = _recorded_files(PathDistribution(info), "x")
    except StoreError as exc:
        assert "distribution 'x'" in str(exc) and "RECORD" in str(exc)
    else:  # 3.11+ reads the NUL as part of a name, which packing then refuses as it refuses any such name
        assert files == ["x/__init__.py", "x/\0evil.py"]
