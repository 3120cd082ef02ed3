"""Stores that carry the standard library too (importworks pack --stdlib)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from importworks.stores.opening import open_store
from importworks.stores.pack import pack
from tests.conftest import SRC, build

APP = {
    "mailer": {
        "__init__.py": "",
        "__main__.py": (
            "import difflib, email.message, statistics\n"
            "msg = email.message.EmailMessage()\n"
            "msg['Subject'] = 'hi'\n"
            "msg.set_content('body')\n"
            "print('subject', msg['Subject'])\n"
            "print('ratio', difflib.SequenceMatcher(None, 'abcd', 'abce').ratio())\n"
            "print('mean', statistics.mean([1, 2, 3]))\n"
            "for mod in (difflib, email.message, statistics):\n"
            "    print('file', mod.__name__, mod.__file__, type(mod.__loader__).__name__)\n"
        ),
    },
}


@pytest.fixture(scope="module", params=["sqlite", "zip"])
def stdlib_store(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp(f"stdlib-{request.param}")
    source = build(folder / "src", APP)
    output = folder / f"app.{request.param}"
    result = pack([str(source)], str(output), stdlib=True)
    assert "email" in result.stdlib and "difflib" in result.stdlib
    return output


def _run(store: Path, python: str = sys.executable) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [python, "-m", "importworks", "run", str(store), "-m", "mailer"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_standard_library_comes_from_the_store(stdlib_store):
    done = _run(stdlib_store)
    assert done.returncode == 0, done.stderr
    assert "subject hi" in done.stdout and "ratio 0.75" in done.stdout and "mean 2" in done.stdout
    files = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("file ")]
    assert len(files) == 3
    for name, file, loader in files:
        assert file.startswith(str(stdlib_store) + os.sep), (name, file)
        assert loader == "StoreLoader"


def test_what_is_left_out_of_the_standard_library(stdlib_store):
    with open_store(str(stdlib_store)) as store:
        tops = {path.partition("/")[0] for path in store.index}
        assert not {"test", "idlelib", "turtledemo", "ensurepip", "lib-dynload", "site-packages"} & tops
        assert not [path for path in store.index if "/idle_test/" in path or "/tests/" in path]
        # C extensions stay with the interpreter
        assert not [path for path in store.index if path.endswith((".so", ".pyd"))]
        assert "json/decoder.py" in store.index and "os.py" in store.index


def test_another_interpreter_ignores_the_packed_standard_library(tmp_path):
    source = build(tmp_path / "src", APP)
    output = tmp_path / "app.sqlite"
    pack([str(source)], str(output), stdlib=True)
    with sqlite3.connect(output) as db:
        db.execute("UPDATE meta SET value = '3.0.1 (a different build)' WHERE key = 'stdlib_version'")
    db.close()
    with open_store(str(output)) as store:
        assert "mailer/__main__.py" in store.index  # the application itself is still served
        assert "email/message.py" not in store.index and not store.is_dir("email")
        assert "Python 3.0.1" in store.stdlib_ignored
    done = _run(output)
    assert done.returncode == 0, done.stderr
    files = {line.split()[1]: line.split()[2] for line in done.stdout.splitlines() if line.startswith("file ")}
    assert not files["email.message"].startswith(str(output))  # this interpreter's own


def test_a_zip_store_records_the_version_too(tmp_path, monkeypatch):
    source = build(tmp_path / "src", APP)
    output = tmp_path / "app.zip"
    pack([str(source)], str(output), stdlib=True)
    with zipfile.ZipFile(output) as archive:
        assert "email/message.py" in archive.namelist()
    monkeypatch.setattr(sys, "version", "3.0.1 (a different build)")
    with open_store(str(output)) as store:
        assert "email/message.py" not in store.index
        assert "mailer/__main__.py" in store.index


def test_the_application_keeps_a_name_it_shares_with_the_standard_library(tmp_path):
    source = build(tmp_path / "src", {"statistics.py": "MINE = True\n", "app.py": "import statistics\n"})
    output = tmp_path / "app.sqlite"
    result = pack([str(source)], str(output), stdlib=True)
    assert result.shadowed_stdlib == ["statistics"]
    assert "statistics" not in result.stdlib
    with open_store(str(output)) as store:
        assert store.read("statistics.py") == b"MINE = True\n"
