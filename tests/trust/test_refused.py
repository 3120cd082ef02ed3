"""A store importworks' path hook recognises but cannot open stays refused (issue 17, item 2)."""

from __future__ import annotations

import sqlite3
import sys
import zipfile
from contextlib import closing

import pytest

import importworks
from importworks.cli import main
from importworks.errors import StoreError
from importworks.stores.trust import RefusedStoreFinder


def _rewrite_with_zipfile(store, out, changes):
    """What an ordinary zip tool does: every entry copied (the comment too), some changed, CRCs consistent."""
    with zipfile.ZipFile(store) as source, zipfile.ZipFile(out, "w") as target:
        target.comment = source.comment
        for info in source.infolist():
            data = changes.get(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)


def test_a_zip_rewritten_by_another_tool_never_reaches_zipimport(make_store, tmp_path, tree, ran):
    store = make_store("zip")
    edited = tmp_path / "edited.zip"
    _rewrite_with_zipfile(
        store, edited, {"trusted_app/__init__.py": b"VALUE = 'modified'\n", "trusted_app/__init__.pyc": None}
    )
    tree({"elsewhere.py": "OK = True\n"})
    sys.path.insert(0, str(edited))
    with importworks.install():
        with (
            pytest.warns(RuntimeWarning, match=rf"zip store {edited}: .*modules in it cannot be imported"),
            pytest.raises(StoreError, match=rf"cannot import 'trusted_app' from store {edited}: "),
        ):
            import trusted_app  # noqa: F401
        assert isinstance(sys.path_importer_cache[str(edited)], RefusedStoreFinder)
        import elsewhere  # every other path entry keeps working
    assert elsewhere.OK and ran == []
    assert "trusted_app" not in sys.modules


def test_verify_names_the_entry_another_zip_tool_changed(make_store, tmp_path, capsys):
    store = make_store("zip")
    edited = tmp_path / "edited.zip"
    _rewrite_with_zipfile(store, edited, {"trusted_app/core.py": b"X = 2\n"})
    assert main(["verify", str(edited)]) == 1
    out = capsys.readouterr().out
    assert f"BAD  trusted_app/core.py: entry 'trusted_app/core.py' in store {edited} does not match" in out
    assert "BAD  trusted_app/__init__.py" not in out


def test_a_sqlite_store_that_cannot_be_opened_is_claimed_and_names_its_error(make_store, tree, ran):
    store = make_store("sqlite")
    with closing(sqlite3.connect(store)) as db:
        db.execute("UPDATE meta SET value = 'two' WHERE key = 'format_version'")
        db.commit()
    tree({"elsewhere.py": "OK = True\n"})
    sys.path.insert(0, str(store))
    with importworks.activate():
        with (
            pytest.warns(RuntimeWarning, match=rf"SQLite store {store} has unreadable metadata"),
            pytest.raises(StoreError, match=rf"cannot import 'trusted_app' from store {store}"),
        ):
            import trusted_app  # noqa: F401
        import elsewhere
    assert elsewhere.OK and ran == []


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_a_truncated_store_is_claimed_not_passed_on(make_store, kind):
    store = make_store(kind)
    store.write_bytes(store.read_bytes()[:200])
    sys.path.insert(0, str(store))
    with importworks.install(), pytest.warns(RuntimeWarning, match=str(store)), pytest.raises(ImportError):
        import trusted_app  # noqa: F401
    assert "trusted_app" not in sys.modules
