"""Stores edited or damaged by other tools, and pack's own mistakes, end in clear messages (issue 13, item 5)."""

from __future__ import annotations

import importlib.resources
import inspect
import sqlite3
import struct
import sys
from contextlib import closing

import pytest

from importworks.cli import main
from importworks.errors import StoreError, StoreIntegrityError
from importworks.stores.opening import open_store
from importworks.stores.pack import pack
from importworks.stores.verify import verify_store
from tests.conftest import build

APP = {
    "app": {
        "__init__.py": "def where():\n    return 'here'\n",
        "core.py": "X = 1\n",
        "data": {"table.txt": "row\n"},
        "notes.txt": "note\n",
    }
}


def _store(tmp_path, kind):
    out = tmp_path / f"app.{kind}"
    pack([str(build(tmp_path / "src", APP))], str(out))
    return out


def _edit_as_text(store, entry, text):
    """What `sqlite3 app.sqlite "UPDATE entries SET data = '...'"` does: the column becomes TEXT."""
    with closing(sqlite3.connect(store)) as db:
        db.execute("UPDATE entries SET data = ? WHERE path = ?", (text, entry))
        db.commit()
        assert db.execute("SELECT typeof(data) FROM entries WHERE path = ?", (entry,)).fetchone() == ("text",)


def test_verify_reports_an_entry_edited_as_text_instead_of_crashing(tmp_path, capsys):
    store = _store(tmp_path, "sqlite")
    _edit_as_text(store, "app/core.py", "X = 2\n")
    assert main(["verify", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"BAD  app/core.py: entry 'app/core.py' in store {store} does not match the checksums" in out
    assert out.rstrip().endswith("1 problem(s)")


def test_an_entry_stored_as_text_with_its_bytes_unchanged_still_verifies(tmp_path):
    store = _store(tmp_path, "sqlite")
    _edit_as_text(store, "app/notes.txt", "note\n")
    with open_store(str(store)) as opened:
        report = verify_store(opened)
        assert report.ok, report.problems
        assert opened.read("app/notes.txt") == b"note\n"


def test_getsource_of_a_module_edited_as_text_is_refused_cleanly(tmp_path, engine):
    store = _store(tmp_path, "sqlite")
    with closing(sqlite3.connect(store)) as db:  # the source edited, its code left as packed
        db.execute("UPDATE entries SET data = CAST(data AS TEXT) || '# edited' WHERE path = 'app/__init__.py'")
        db.commit()
    sys.path.insert(0, str(store))
    import app

    with pytest.raises(StoreIntegrityError, match=r"entry 'app/__init__.py' in store .* does not match"):
        app.__loader__.get_source("app")
    with pytest.raises(OSError, match="could not get source code"):  # linecache turns the refusal into this
        inspect.getsource(app.where)


def _central_directory(path):
    data = path.read_bytes()
    end = data.rfind(b"PK\x05\x06")
    size, offset = struct.unpack_from("<2L", data, end + 12)
    return bytearray(data), offset, size


def test_verify_checks_the_central_directory_other_zip_tools_read(tmp_path, capsys):
    store = _store(tmp_path, "zip")
    data, offset, size = _central_directory(store)
    at = data.index(b"app/notes.txt", offset)  # a name in the middle of the directory
    data[at : at + 3] = b"XYZ"
    store.write_bytes(bytes(data))
    assert main(["verify", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"BAD  app/notes.txt: missing from the central directory of zip store {store}" in out


def test_a_zip_whose_central_directory_is_overwritten_is_refused_at_open(tmp_path):
    store = _store(tmp_path, "zip")
    data, offset, size = _central_directory(store)
    data[offset : offset + size] = b"\0" * size
    store.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=rf"zip store {store}: its central directory is damaged"):
        open_store(str(store)).index
    assert main(["verify", str(store)]) == 1


def test_an_intact_zip_verifies(tmp_path):
    with open_store(str(_store(tmp_path, "zip"))) as opened:
        assert verify_store(opened).ok


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_resources_do_not_list_the_precompiled_code(tmp_path, kind, engine):
    store = _store(tmp_path, kind)
    sys.path.insert(0, str(store))
    import app  # noqa: F401

    names = sorted(p.name for p in importlib.resources.files("app").iterdir())
    assert names == ["__init__.py", "core.py", "data", "notes.txt"]


def test_pack_into_a_folder_says_so(tmp_path, capsys):
    source = build(tmp_path / "src", APP)
    (tmp_path / "x.sqlite").mkdir()
    assert main(["pack", str(source), "-o", str(tmp_path / "x.sqlite")]) == 1
    err = capsys.readouterr().err
    assert f"cannot write the store {tmp_path / 'x.sqlite'}: a folder of that name is in the way" in err
    assert "Traceback" not in err


def test_pack_help_names_every_kind_of_store(capsys):
    with pytest.raises(SystemExit):
        main(["pack", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "PostgreSQL" in out and "postgresql://[USER@]HOST[:PORT]/DATABASE/STORE" in out


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_a_store_rebuilt_and_reopened_elsewhere_is_switched_to_by_its_finders(tmp_path, kind, engine):
    # cached_store() (diagnostics, the CLI) reopening a rebuilt store must not
    # leave the finders on sys.path holding the one it closed
    import os

    from importworks.stores.opening import cached_store

    store = _store(tmp_path, kind)
    sys.path.insert(0, str(store))
    import app

    assert app.where() == "here"
    rebuilt = tmp_path / f"rebuilt.{kind}"
    pack([str(build(tmp_path / "src2", {**APP, "newtop.py": "Y = 2\n"}))], str(rebuilt))
    os.replace(rebuilt, store)
    cached_store(str(store))  # sees the new file: opens it, closes the old
    import newtop  # the finder of the sys.path entry searches the new store

    assert newtop.Y == 2
    from app import core  # and so do the package's

    assert core.X == 1
