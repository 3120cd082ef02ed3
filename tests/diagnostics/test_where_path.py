"""`where NAME` and `path`: where a module comes from, why each sys.path entry is there."""

from __future__ import annotations

import json
import os
import sys
import sysconfig

import pytest

from importworks.diagnostics import syspath
from importworks.diagnostics.syspath import explain_path, pth_lines
from importworks.diagnostics.where import locate

from .conftest import install_fake, venv_python


def test_where_gives_origin_loader_cached_distribution_and_other_copies(tree, tmp_path, engine):
    later = tmp_path / "later"
    later.mkdir()
    (later / "gadget_iw.py").write_text("")
    sys.path.append(str(later))
    root = tree(
        {
            "gadget_iw.py": "",
            "gadget_iw-3.1.dist-info": {
                "METADATA": "Metadata-Version: 2.1\nName: gadget-iw\nVersion: 3.1\n",
                "RECORD": "gadget_iw.py,,\n",
            },
        }
    )
    data = locate("gadget_iw")
    assert data["ok"] and data["origin"] == str(root / "gadget_iw.py")
    assert data["loader"] == "SourceFileLoader (importworks)"
    assert data["cached"].endswith(".pyc") and "__pycache__" in data["cached"]
    assert data["distribution"]["name"] == "gadget-iw" and data["distribution"]["version"] == "3.1"
    assert [c["origin"] for c in data["other_copies"]] == [str(later / "gadget_iw.py")]
    assert data["sys_path_entry"] == str(root)


def test_where_a_stdlib_submodule(engine):
    data = locate("json.decoder")
    assert data["ok"] and data["distribution"]["name"] == "the standard library"
    assert data["entry_kind"] == "stdlib"


def test_where_a_missing_module_shows_the_why_report(cli, tree):
    tree({"thing_iw.py": ""})
    code, out, _ = cli("where", "thnig_iw")
    assert code == 1 and out.startswith("why thnig_iw: not found") and "Did you mean 'thing_iw'?" in out


def test_where_text(cli, tree):
    root = tree({"gizmo_iw": {"__init__.py": ""}})
    code, out, _ = cli("where", "gizmo_iw")
    assert code == 0
    assert f"origin:           {root / 'gizmo_iw' / '__init__.py'}" in out
    assert "module:           gizmo_iw (package)" in out
    assert "other copies:     none further down the path" in out


def test_path_explains_stdlib_dynload_site_and_pythonpath(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    extra.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(extra))
    sys.path.insert(1, str(extra))
    sys.path.append(str(tmp_path / "missing"))
    entries = {e.entry: e for e in explain_path()}
    assert entries[str(extra)].kind == "pythonpath" and "listed in PYTHONPATH" in entries[str(extra)].reasons
    assert entries[sysconfig.get_path("stdlib")].kind == "stdlib"
    dynload = [e for e in entries.values() if e.entry.endswith("lib-dynload")]
    assert dynload and dynload[0].kind == "lib-dynload"
    site = [e for e in entries.values() if e.entry.endswith("site-packages")]
    in_venv = sys.prefix != sys.base_prefix
    assert site[0].kind == ("site-packages" if in_venv else "base-site-packages")
    assert entries[str(extra)].finder.startswith("FileFinder")
    assert entries[str(tmp_path / "missing")].exists is False


def test_path_names_the_pth_file_and_line(tmp_path, monkeypatch):
    site = tmp_path / "site"
    added = tmp_path / "added"
    site.mkdir()
    added.mkdir()
    (site / "extras.pth").write_text(f"# a comment\n{added}\nimport os; os.environ.setdefault('X', '1')\n")
    monkeypatch.setattr(syspath, "site_dirs", lambda: [str(site)])
    sys.path.append(str(added))
    (entry,) = [e for e in explain_path() if e.entry == str(added)]
    assert entry.kind == "pth" and entry.reasons == [f"added by {site / 'extras.pth'}:2"]
    code_lines = [line for line in pth_lines([str(site)]) if line.executes]
    assert [(line.lineno, line.text[:9]) for line in code_lines] == [(3, "import os")]


def test_path_of_another_venv_says_it_is_a_venv(cli, other_venv):
    code, out, _ = cli("path", "--json", "--python", venv_python(other_venv))
    data = json.loads(out)
    assert code == 0
    env = data["environment"]
    assert env["virtual_env"] is True and env["prefix"] == str(other_venv)
    assert env["system_site_packages"] is False
    kinds = {e["kind"] for e in data["entries"]}
    assert {"stdlib", "lib-dynload", "site-packages"} <= kinds


def test_path_text_ends_with_the_environment(cli):
    code, out, _ = cli("path")
    assert code == 0 and out.startswith("sys.path, searched in this order:\n")
    assert f"python {sys.executable}" in out


def test_where_in_another_venv_names_the_distribution(cli, other_venv):
    install_fake(next(other_venv.glob("lib/python*/site-packages")), "Other-Thing", "otherthing_iw", "0.9")
    code, out, _ = cli("where", "otherthing_iw", "--python", venv_python(other_venv))
    assert code == 0 and "distribution:     Other-Thing 0.9" in out
    assert os.path.join("site-packages", "otherthing_iw", "__init__.py") in out


def test_where_a_c_extension_served_from_a_store(tmp_path, engine):
    """The distribution comes from the store's dist-info; no false 'already imported' note, no made-up cached."""
    import importlib.util
    import zipfile

    real = importlib.util.find_spec("xxlimited")
    if real is None or not real.origin.endswith(".so"):
        pytest.skip("this Python has no xxlimited extension module to copy")
    store = tmp_path / "app.zip"
    with zipfile.ZipFile(store, "w") as z:
        z.write(real.origin, os.path.basename(real.origin))
        z.writestr("xxlimited_iw-2.5.dist-info/METADATA", "Metadata-Version: 2.1\nName: xxlimited-iw\nVersion: 2.5\n\n")
        z.writestr("xxlimited_iw-2.5.dist-info/top_level.txt", "xxlimited\n")
    sys.modules.pop("xxlimited", None)
    sys.path.insert(0, str(store))
    import xxlimited  # noqa: F401  (the cache copy is what runs)

    data = locate("xxlimited")
    assert data["ok"] and data["loader"] == "StoreExtensionLoader (importworks)"
    assert data["distribution"] == {"name": "xxlimited-iw", "version": "2.5", "site": str(store), "installed": False}
    assert data["cached"] is None
    assert not [n for n in data["notes"] if "already imported" in n or "already been imported" in n]
    sys.modules.pop("xxlimited")
    from importworks.diagnostics.why import diagnose

    diagnosis = diagnose("xxlimited", execute=False)
    assert diagnosis.spec["origin"] == f"{store}/{os.path.basename(real.origin)}" and diagnosis.spec["cached"] is None


def test_path_lists_the_code_site_runs_at_start_and_whether_it_runs(tmp_path):
    """.pth import lines, and .start entry points (PEP 829), as the running Python treats them."""
    from importworks.diagnostics.diagnosis_text import format_path
    from importworks.diagnostics.syspath import startup_code

    (tmp_path / "hook.pth").write_text("import hook_iw\n")
    (tmp_path / "tool.pth").write_text(f"{tmp_path}\nimport tool_hook_iw\n")
    (tmp_path / "tool.start").write_text("tool_iw.boot:start\n")
    found = {
        (os.path.basename(item["file"]), item["line"]): (item["code"], item["runs"])
        for item in startup_code([str(tmp_path)])
    }
    reads_start = sys.version_info >= (3, 15)
    assert found == {
        ("hook.pth", 1): ("import hook_iw", True),
        ("tool.pth", 2): ("import tool_hook_iw", not reads_start),
        ("tool.start", 1): ("tool_iw.boot:start", reads_start),
    }
    from importworks.diagnostics.syspath import environment_summary

    text = format_path([], environment_summary(), startup_code([str(tmp_path)]))
    assert f"{tmp_path / 'hook.pth'}:1  import hook_iw  (runs)" in text
