"""What a user reads when a store is damaged, misnamed, mis-signed or mis-packed: the store named, in plain words."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from importworks.cli import main
from importworks.cli.program import NOT_A_STORE
from importworks.stores.pack import pack
from tests.conftest import build


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return build(tmp_path / "src", {"msg_app_iw": {"__init__.py": "VALUE = 1\n", "__main__.py": "print('ran')\n"}})


def _zip(tmp_path: Path, source: Path) -> Path:
    out = tmp_path / "app.zip"
    pack([str(source)], str(out))
    return out


def test_a_zip_store_missing_its_last_bytes_is_called_truncated(tmp_path, source, capsys):
    store = _zip(tmp_path, source)
    store.write_bytes(store.read_bytes()[:-10])
    assert main(["run", str(store), "-m", "msg_app_iw"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"importworks run: zip store {store} is truncated: its last 10 bytes or more are missing")
    assert "ValueError" not in err and "unpack" not in err


def test_run_and_verify_say_the_same_of_a_zip_cut_short(tmp_path, source, capsys, monkeypatch):
    store = _zip(tmp_path, source)
    store.write_bytes(store.read_bytes()[:300])
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "app.zip"]) == 1
    said = capsys.readouterr().err.partition(": ")[2]
    assert "truncated" in said
    assert main(["run", "app.zip", "-m", "msg_app_iw"]) == 1
    assert capsys.readouterr().err.replace(str(store), "app.zip") == f"importworks run: {said}"


def test_a_word_in_a_file_named_as_a_store_is_text_not_a_python_script(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(build(tmp_path, {"garbage.sqlite": "garbage\n"}))
    assert main(["run", "garbage.sqlite", "-m", "x"]) == 1
    assert capsys.readouterr().err == (
        "importworks run: " + NOT_A_STORE.format(name="garbage.sqlite", what="a text file") + "\n"
    )


def test_pack_into_a_folder_that_does_not_exist_is_refused_and_makes_none(tmp_path, source, capsys):
    out = tmp_path / "nonexistdir" / "x.sqlite"
    assert main(["pack", str(source), "-o", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"importworks pack: cannot write the store {out}: the folder {out.parent} does not exist (create it first)\n"
    )
    assert not out.parent.exists()


@pytest.mark.parametrize("how", ["-m", "-c"])
def test_run_shows_a_tampered_entry_without_importworks_frames(tmp_path, source, capsys, how):
    store = tmp_path / "app.sqlite"
    pack([str(source)], str(store))
    with closing(sqlite3.connect(store)) as db, db:
        # flip one byte of each precompiled code row: the checksum recorded at packing no longer matches
        for rowid, data in db.execute("SELECT rowid, data FROM code").fetchall():
            db.execute("UPDATE code SET data = ? WHERE rowid = ?", (bytes([data[0] ^ 1]) + data[1:], rowid))
    saved = list(sys.path)
    try:
        program = ["-m", "msg_app_iw"] if how == "-m" else ["-c", "import msg_app_iw"]
        assert main(["run", str(store), *program]) == 1
    finally:
        sys.path[:] = saved
        sys.modules.pop("msg_app_iw", None)
    err = capsys.readouterr().err
    assert "does not match the checksums recorded when it was packed" in err and f"store {store}" in err
    assert "importworks" + "/" + "stores" not in err and "read_code" not in err
    if how == "-m":
        assert err.count("\n") == 1 and err.startswith("importworks: ")
    else:  # python's traceback of a failed import: the program's line (its text from 3.13), then the error
        lines = err.splitlines()
        assert lines[0] == "Traceback (most recent call last):"
        assert lines[1] == '  File "<string>", line 1, in <module>'
        assert lines[2:-1] in ([], ["    import msg_app_iw"])
        assert lines[-1].startswith("importworks.errors.StoreIntegrityError: compiled code of")
