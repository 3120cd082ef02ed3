"""What a module expects works the same from every kind of store."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import inspect
import os
import pkgutil
import sys
import traceback

import pytest

import importworks
from importworks.stores import StoreFinder, StoreLoader


@pytest.fixture
def on_path(sample_store, engine):
    sys.path.insert(0, str(sample_store))
    return str(sample_store)


def test_modules_import_with_zipimport_shaped_paths(on_path):
    import sample.sub.deep

    assert sample.greet("x") == "hello x"
    assert sample.__file__ == os.path.join(on_path, "sample", "__init__.py")
    assert sample.__path__ == [os.path.join(on_path, "sample")]
    assert sample.sub.deep.__file__ == os.path.join(on_path, "sample", "sub", "deep.py")
    assert sample.sub.deep.greet is sample.core.greet  # relative imports resolved in the store
    assert isinstance(sample.__loader__, StoreLoader)
    assert isinstance(sys.path_importer_cache[on_path], StoreFinder)


def test_source_encoding_and_get_source(on_path):
    import sample.latin

    assert sample.latin.TEXT == "café"
    assert "def greet(name):" in inspect.getsource(sample.core)
    assert inspect.getsource(sample.core.greet).startswith("def greet(name):")


def test_traceback_shows_store_source_lines(on_path):
    import sample.core

    with pytest.raises(ValueError) as info:
        sample.core.fails()
    text = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert f'{os.path.join(on_path, "sample", "core.py")}", line 5, in fails' in text
    assert "raise ValueError('from the store')" in text


def test_namespace_package_spans_store_and_folder(on_path, tmp_path):
    folder = tmp_path / "elsewhere" / "nsportion"
    folder.mkdir(parents=True)
    (folder / "other.py").write_text("WHERE = 'folder'\n")
    sys.path.append(str(tmp_path / "elsewhere"))
    import nsportion.inner
    import nsportion.other

    assert (nsportion.inner.WHERE, nsportion.other.WHERE) == ("store", "folder")
    assert len(list(nsportion.__path__)) == 2


def test_pkgutil_iter_and_walk(on_path):
    import sample

    names = {info.name: info.ispkg for info in pkgutil.iter_modules(sample.__path__)}
    assert names == {"core": False, "latin": False, "sub": True}
    walked = {info.name for info in pkgutil.walk_packages(sample.__path__, "sample.")}
    assert {"sample.core", "sample.sub", "sample.sub.deep"} <= walked
    assert {"sample", "toplevel"} <= {info.name for info in pkgutil.iter_modules([on_path])}


def test_resources_read_iterate_and_as_file(on_path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMPORTWORKS_CACHE", str(tmp_path / "cache"))
    files = importlib.resources.files("sample")
    assert files.joinpath("data", "greeting.txt").read_text() == "hi from a resource\n"
    assert sorted(p.name for p in (files / "data").iterdir()) == ["greeting.txt", "nested"]
    assert (files / "data" / "nested").is_dir()
    with importlib.resources.as_file(files / "data" / "greeting.txt") as real:
        assert os.path.exists(real) and real.read_text() == "hi from a resource\n"
    # one copy in the extraction cache, kept and handed out again (not a temporary file per call)
    assert str(real).startswith(str(tmp_path / "cache" / "res"))
    with importlib.resources.as_file(files / "data" / "greeting.txt") as again:
        assert again == real and os.path.exists(real)
    with importlib.resources.as_file(files / "data") as folder:
        assert sorted(p.name for p in folder.iterdir()) == ["greeting.txt", "nested"]


def test_metadata_of_packed_distribution(on_path):
    assert importlib.metadata.version("sample") == "1.0"
    scripts = importlib.metadata.entry_points(group="console_scripts")
    assert any(ep.name == "sample-cli" and ep.value == "sample.core:greet" for ep in scripts)
    files = {str(f) for f in importlib.metadata.files("sample")}
    assert files == {"sample/__init__.py", "sample/core.py"}
    names = [d.metadata["Name"] for d in importlib.metadata.distributions(path=[on_path])]
    assert names == ["sample"]


def test_install_mode_serves_stores_too(sample_store):
    with importworks.install():
        sys.path.insert(0, str(sample_store))
        import toplevel
    assert toplevel.VALUE == "hello top"
    assert isinstance(toplevel.__loader__, StoreLoader)


def test_precompiled_code_is_used(on_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("compiled source although the store has code for this Python")

    monkeypatch.setattr("importworks.stores.loader.compile", refuse, raising=False)
    import sample.core  # noqa: F401


def test_rebuilt_store_is_reloaded_in_place(tmp_path, store_target, engine):
    """A store rebuilt at the same path is a change: reload brings in the new code."""
    from importworks.stores.pack import pack
    from tests.conftest import build

    store = store_target("live")
    pack([str(build(tmp_path / "v1", {"livemod.py": "def answer():\n    return 1\n"}))], str(store))
    sys.path.insert(0, str(store))
    import livemod

    old_answer = livemod.answer
    pack([str(build(tmp_path / "v2", {"livemod.py": "def answer():\n    return 2\n"}))], str(store))
    importworks.reload(livemod)
    assert livemod.answer() == 2
    assert old_answer() == 2  # references taken before the reload run the new code too
