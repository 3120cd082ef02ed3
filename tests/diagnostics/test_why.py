"""`why NAME`: every finder and path entry with its verdict, and the cause in plain words."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from importworks.diagnostics import envs, why
from importworks.diagnostics.why import diagnose

from .conftest import DIST_NAME, IMPORT_NAME, venv_python


def kinds(diagnosis: why.Diagnosis) -> list[str]:
    return [c.kind for c in diagnosis.causes]


def test_steps_show_every_meta_path_finder_and_path_entry(tree, engine):
    root = tree({"widget_iw.py": "X = 1\n"})
    diagnosis = diagnose("widget_iw")
    assert diagnosis.outcome == why.IMPORTED
    finders = {s.finder for s in diagnosis.steps}
    assert {"BuiltinImporter (importworks)", "FrozenImporter (importworks)"} <= finders
    entries = [s.entry for s in diagnosis.steps if s.entry is not None]
    assert entries == [e for e in sys.path if isinstance(e, str)]
    found = [s for s in diagnosis.steps if s.verdict == why.V_FOUND]
    assert [(s.entry, s.origin) for s in found] == [(str(root), str(root / "widget_iw.py"))]
    assert diagnosis.spec["origin"] == str(root / "widget_iw.py")
    assert diagnosis.spec["loader"] == "SourceFileLoader (importworks)"


def test_entries_after_the_winner_are_shown_as_losing_copies(tree, tmp_path, engine):
    second = tmp_path / "second"
    second.mkdir()
    (second / "twin_iw.py").write_text("")
    sys.path.append(str(second))
    tree({"twin_iw.py": ""})
    diagnosis = diagnose("twin_iw", execute=False)
    also = [s for s in diagnosis.steps if s.verdict == why.V_ALSO]
    assert [s.origin for s in also] == [str(second / "twin_iw.py")]


def test_typo_names_the_close_spelling(tree, engine):
    tree({"frobnicate_iw.py": ""})
    diagnosis = diagnose("frobnicaet_iw", look_elsewhere=False)
    assert diagnosis.outcome == why.NOT_FOUND
    assert kinds(diagnosis)[0] == "near-miss"
    assert diagnosis.causes[0].message == "Did you mean 'frobnicate_iw'? Those are importable here."


def test_wrong_case_says_names_are_case_sensitive(tree, engine):
    tree({"casey_iw": {"__init__.py": ""}})
    diagnosis = diagnose("Casey_iw", look_elsewhere=False)
    assert "Did you mean 'casey_iw'? (module names are case-sensitive)" in diagnosis.causes[0].message


def test_submodule_typo_searches_the_parent_package(tree, engine):
    tree({"pkg_iw": {"__init__.py": "", "utils.py": ""}})
    diagnosis = diagnose("pkg_iw.utlis", look_elsewhere=False)
    assert diagnosis.causes[0].evidence["candidates"] == ["pkg_iw.utils"]
    assert all(s.entry == str(diagnosis.steps[-1].entry) or s.entry is None for s in diagnosis.steps[-1:])


def test_module_that_raises_is_reported_with_its_exception(tree, engine):
    root = tree({"broken_iw.py": "x = 1\nraise RuntimeError('boom at import')\n"})
    diagnosis = diagnose("broken_iw")
    assert diagnosis.outcome == why.FAILED
    assert kinds(diagnosis) == ["exec-error"]
    assert "raised RuntimeError: boom at import while executing" in diagnosis.causes[0].message
    assert diagnosis.error["file"] == str(root / "broken_iw.py")
    assert diagnosis.error["line"] == 2
    assert "broken_iw" not in sys.modules


def test_missing_dependency_names_the_missing_module_not_the_found_one(tree, engine):
    tree({"needy_iw.py": "import absent_dependency_iw\n"})
    diagnosis = diagnose("needy_iw", look_elsewhere=False)
    assert diagnosis.outcome == why.FAILED
    assert kinds(diagnosis) == ["missing-dependency"]
    assert "it imports 'absent_dependency_iw', which cannot be found" in diagnosis.causes[0].message


def test_failing_parent_package_is_the_cause(tree, engine):
    tree({"shaky_iw": {"__init__.py": "raise ValueError('parent broke')\n", "child.py": ""}})
    diagnosis = diagnose("shaky_iw.child")
    assert diagnosis.outcome == why.PARENT_FAILED
    assert diagnosis.parent.outcome == why.FAILED
    assert kinds(diagnosis) == ["parent-failed"]
    assert "'shaky_iw' cannot be imported" in diagnosis.causes[0].message
    assert "ValueError: parent broke" in diagnosis.causes[0].message


def test_child_of_a_plain_module_is_explained(tree, engine):
    tree({"plain_iw.py": ""})
    diagnosis = diagnose("plain_iw.sub")
    assert diagnosis.outcome == why.NOT_A_PACKAGE
    assert "is a module" in diagnosis.causes[0].message and "not a package" in diagnosis.causes[0].message


def test_local_file_shadowing_stdlib_is_named_even_when_import_succeeds(tree, engine):
    sys.modules.pop("colorsys", None)
    root = tree({"colorsys.py": "SHADOW = True\n"})
    diagnosis = diagnose("colorsys")
    assert diagnosis.outcome == why.IMPORTED and sys.modules["colorsys"].SHADOW
    (cause,) = [c for c in diagnosis.causes if c.kind == "shadowing"]
    assert cause.evidence["shadow"] == str(root / "colorsys.py")
    assert cause.evidence["shadowed"].endswith("colorsys.py") and "shadows the standard library" in cause.message


def test_local_folder_shadowing_stdlib_package(tree, engine):
    sys.modules.pop("xmlrpc", None)
    root = tree({"xmlrpc": {"__init__.py": ""}})
    diagnosis = diagnose("xmlrpc", execute=False)
    (cause,) = [c for c in diagnosis.causes if c.kind == "shadowing"]
    assert cause.message.startswith(f"{root / 'xmlrpc'} in ")


def test_local_file_shadowing_an_installed_module(tree, engine):
    import pluggy

    root = tree({"pluggy.py": ""})
    diagnosis = diagnose("pluggy", execute=False)
    (cause,) = [c for c in diagnosis.causes if c.kind == "shadowing"]
    assert "shadows the installed module 'pluggy'" in cause.message
    assert cause.evidence["shadowed"] == pluggy.__spec__.origin
    assert cause.evidence["shadow"] == str(root / "pluggy.py")


def test_installed_in_another_venv_gives_the_install_command(other_venv, engine):
    diagnosis = diagnose(IMPORT_NAME)
    assert diagnosis.outcome == why.NOT_FOUND
    (cause,) = [c for c in diagnosis.causes if c.kind == "other-environment"]
    assert cause.evidence["python"] == venv_python(other_venv)
    assert cause.evidence["distribution"] == DIST_NAME
    assert cause.fix == f"{sys.executable} -m pip install {DIST_NAME}"
    assert f"The distribution is called '{DIST_NAME}'; the import name is '{IMPORT_NAME}'." in cause.message


def test_distribution_name_in_another_venv_gives_the_import_name(other_venv, engine):
    diagnosis = diagnose("fancy_widgets")
    (cause,) = [c for c in diagnosis.causes if c.kind == "distribution-name"]
    assert cause.evidence["import_names"] == [IMPORT_NAME]
    assert f"it is imported as '{IMPORT_NAME}'" in cause.message


def test_distribution_name_installed_here_gives_the_import_name(tree, engine):
    tree(
        {
            "shiny_mod_iw": {"__init__.py": ""},
            "Shiny_Dist_iw-2.0.dist-info": {
                "METADATA": "Metadata-Version: 2.1\nName: Shiny-Dist-iw\nVersion: 2.0\n",
                "top_level.txt": "shiny_mod_iw\n",
            },
        }
    )
    diagnosis = diagnose("shiny_dist_iw", look_elsewhere=False)
    cause = diagnosis.causes[0]
    assert cause.kind == "distribution-name"
    assert cause.message == (
        "'shiny_dist_iw' is the name of the distribution Shiny-Dist-iw 2.0 installed here; "
        "it is imported as 'shiny_mod_iw', not 'shiny_dist_iw'."
    )


def test_nothing_anywhere_says_so(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    diagnosis = diagnose("zzq_no_such_module_iw")
    assert kinds(diagnosis) == ["not-installed"]
    message = diagnosis.causes[0].message
    assert "no other Python environment on this machine has it" not in message  # a claim nobody checked
    assert "other environment(s) searched: " in message or "no other environment was found to search" in message
    assert f"(looked for: {envs.SEARCHED}; environments elsewhere on this machine were not)" in message


def test_a_syntax_error_points_at_the_module_and_says_it_failed_to_compile(cli, tree):
    """As the traceback does: the module's own file and line, not the import machinery's frame."""
    root = tree({"broken_syntax_iw.py": "def f(:\n    pass\n"})
    code, out, _ = cli("why", "broken_syntax_iw")
    assert code == 1
    assert out.startswith("why broken_syntax_iw: failed to compile (a syntax error)\n")
    assert f"SyntaxError: invalid syntax  at {root / 'broken_syntax_iw.py'}:1\n" in out
    assert "importworks" + os.sep not in out.partition("Raised:")[2].partition("Why:")[0]
    why_text = " ".join(out.partition("Why:")[2].split())
    assert (
        "while executing" not in why_text and "but failed to compile: SyntaxError: invalid syntax at line 1" in why_text
    )


def test_a_syntax_error_in_a_module_it_imports_is_still_an_execution_failure(tree, engine):
    tree({"imports_broken_iw.py": "import broken_syntax2_iw\n", "broken_syntax2_iw.py": "x = (\n"})
    diagnosis = diagnose("imports_broken_iw")
    assert diagnosis.outcome == why.FAILED and kinds(diagnosis) == ["exec-error"]


def test_json_output_is_the_same_data(cli, tree):
    tree({"broken2_iw.py": "1/0\n"})
    code, out, _ = cli("why", "broken2_iw", "--json")
    data = json.loads(out)
    assert code == 1
    assert data["outcome"] == why.FAILED and data["error"]["type"] == "ZeroDivisionError"
    assert data["causes"][0]["kind"] == "exec-error"


def test_text_output_and_exit_codes(cli, tree):
    tree({"fine_iw.py": ""})
    code, out, _ = cli("why", "fine_iw")
    assert code == 0
    assert out.startswith("why fine_iw: imported\n")
    assert "Steps (sys.meta_path in order):" in out and "fine_iw.py" in out
    code, out, _ = cli("why", "fien_iw")
    assert code == 1 and "Did you mean 'fine_iw'?" in out


def test_python_option_diagnoses_the_other_interpreter(cli, other_venv):
    """The venv has the package: there it imports, here it does not."""
    code, out, _ = cli("why", IMPORT_NAME, "--json", "--python", venv_python(other_venv))
    data = json.loads(out)
    assert code == 0 and data["outcome"] == why.IMPORTED
    assert data["environment"]["virtual_env"] is True
    assert data["environment"]["prefix"] == str(other_venv)
    assert data["spec"]["origin"].startswith(str(other_venv))
    assert not any(s["entry"] and "importworks" in s["entry"] and s["entry"].endswith("src") for s in data["steps"]), (
        "our src must not leak into the child's sys.path"
    )


def test_python_option_reports_an_unusable_interpreter(cli, tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'no python here' >&2\nexit 1\n")
    fake.chmod(0o755)
    code, out, err = cli("why", "json", "--python", str(fake))
    assert code == 3 and out == ""
    assert err.startswith(f"Could not run the diagnosis with {fake}: no python here")


@pytest.mark.parametrize("name", ["json", "os.path"])
def test_already_imported_modules_are_ok(name, engine):
    assert diagnose(name).outcome == why.ALREADY_IMPORTED


def test_shadowing_file_in_the_working_directory_does_not_break_the_tool(cli, tmp_path, monkeypatch):
    """importlib.metadata imports tempfile, which imports random: why random must still answer."""
    (tmp_path / "random.py").write_text("print('the shadow ran')\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("why", "random", "--json", "--python", sys.executable)
    data = json.loads(out)
    assert code == 0 and data["outcome"] == why.IMPORTED
    assert data["spec"]["origin"] == str(tmp_path / "random.py")
    (cause,) = [c for c in data["causes"] if c["kind"] == "shadowing"]
    assert cause["evidence"]["shadow"] == str(tmp_path / "random.py")


def test_circular_import_shows_the_cycle_with_file_and_line_of_each_step(tree, engine):
    root = tree({"alpha_iw.py": "import beta_iw\nX = 1\n", "beta_iw.py": "from alpha_iw import X\n"})
    diagnosis = diagnose("alpha_iw", look_elsewhere=False)
    assert diagnosis.outcome == why.FAILED
    (cause,) = diagnosis.causes
    assert cause.kind == "circular-import"
    assert cause.evidence["chain"] == ["alpha_iw", "beta_iw", "alpha_iw"]
    assert cause.message == (
        f"'alpha_iw' fails in the import cycle alpha_iw -> beta_iw -> alpha_iw: {root}/alpha_iw.py:1 imports beta_iw; "
        f"{root}/beta_iw.py:1 asks alpha_iw for 'X' while alpha_iw is partially initialised. alpha_iw had only run "
        f"up to {root}/alpha_iw.py:1, so 'X' was not defined yet."
    )


def test_relative_import_beyond_the_top_level_package_explains_the_depth(tree, engine):
    root = tree({"rpkg_iw": {"__init__.py": "", "sub": {"__init__.py": "", "mod.py": "\nfrom ...up import thing\n"}}})
    diagnosis = diagnose("rpkg_iw.sub.mod", look_elsewhere=False)
    (cause,) = diagnosis.causes
    assert cause.kind == "relative-import-depth"
    assert cause.message == (
        f"{root}/rpkg_iw/sub/mod.py:2 'from ...up import thing' in 'rpkg_iw.sub.mod' has 3 dots (one for "
        "'rpkg_iw.sub' itself, one more per level up), but 'rpkg_iw.sub' is 2 package(s) deep "
        "(rpkg_iw > rpkg_iw.sub): 2 dot(s) already reach the top-level package 'rpkg_iw', and a relative import "
        "cannot go above it."
    )


def test_relative_import_in_a_top_level_module_says_it_has_no_package(tree, engine):
    tree({"lone_iw.py": "from . import sibling\n"})
    (cause,) = diagnose("lone_iw", look_elsewhere=False).causes
    assert cause.kind == "relative-import-depth"
    assert "which has no parent package (__package__ is '')" in cause.message


@pytest.mark.parametrize(
    "name, reason",
    [
        ("a b", "'a b' is not an identifier: it contains a space"),
        ("", "it is empty"),
        ("pkg..mod", "it has an empty part between dots"),
        ("class", "'class' is a Python keyword"),
    ],
)
def test_bad_names_are_explained_without_bogus_pip_suggestions(name, reason, engine, cli):
    diagnosis = diagnose(name)
    assert diagnosis.outcome == why.NOT_A_NAME
    assert kinds(diagnosis) == ["invalid-name"]
    assert diagnosis.causes[0].message.startswith(f"{name!r} cannot be imported by that name: {reason}.")
    assert not any("pip install" in (c.fix + c.message) for c in diagnosis.causes)
    code, out, _ = cli("why", name)
    assert code == 1 and "pip install" not in out


def test_a_distribution_name_with_a_dash_gets_its_import_name(tree, engine):
    tree(
        {
            "dashed_mod_iw": {"__init__.py": ""},
            "dashed_dist_iw-1.0.dist-info": {
                "METADATA": "Metadata-Version: 2.1\nName: dashed-dist-iw\nVersion: 1.0\n",
                "top_level.txt": "dashed_mod_iw\n",
            },
        }
    )
    diagnosis = diagnose("dashed-dist-iw", look_elsewhere=False)
    assert kinds(diagnosis) == ["invalid-name", "distribution-name"]
    assert diagnosis.causes[1].fix == "import dashed_mod_iw"


def test_local_module_shadowing_a_stdlib_parent_package_is_named(cli, tmp_path, monkeypatch):
    """email.py beside you: `why email.mime.text` blames the shadow, not only the parent package."""
    (tmp_path / "email.py").write_text("X = 1\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("why", "email.mime.text", "--json", "--python", sys.executable)
    data = json.loads(out)
    assert code == 1 and data["outcome"] == why.PARENT_FAILED
    first = data["causes"][0]
    assert first["kind"] == "shadowing" and first["evidence"]["shadow"] == str(tmp_path / "email.py")
    assert first["message"].endswith("'email.mime.text' is looked for inside that 'email', which is why it fails.")


def test_run_names_a_local_module_shadowing_a_stdlib_parent(tmp_path):
    from tests.conftest import SRC

    (tmp_path / "email.py").write_text("X = 1\n")
    (tmp_path / "app.py").write_text("import email.mime.text\n")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    done = subprocess.run(
        [sys.executable, "-m", "importworks", "run", "app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'email.mime'; 'email' is not a package. "
        f"{tmp_path / 'email.py'} shadows the standard library package 'email' (rename it, and remove its __pycache__)"
    )


def test_a_missing_submodule_of_an_installed_package_suggests_no_pip_install(tree, engine):
    """The package is there: reinstalling it would not add the submodule, so why lists what it has."""
    tree({"pkg_iw": {"__init__.py": "", "alpha.py": "", "beta.py": ""}})
    diagnosis = diagnose("pkg_iw.zzz")
    assert kinds(diagnosis) == ["no-submodule"]
    (cause,) = diagnosis.causes
    assert cause.evidence["submodules"] == ["alpha", "beta"]
    assert "has no submodule 'zzz'; its submodules: alpha, beta." in cause.message
    assert "pip install" not in cause.message and not cause.fix


def test_an_extension_built_for_another_python_is_the_cause(tree, engine):
    root = tree({"fastthing_iw.cpython-312-x86_64-linux-gnu.so": b""})
    diagnosis = diagnose("fastthing_iw")
    assert kinds(diagnosis)[0] == "other-python-build"
    assert diagnosis.causes[0].evidence["file"] == str(root / "fastthing_iw.cpython-312-x86_64-linux-gnu.so")
    assert "built for another Python" in diagnosis.causes[0].message
