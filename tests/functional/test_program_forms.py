"""run, trace and dev take python's program forms; called as main([...]) in this process."""

from __future__ import annotations

import json
import platform
import sys
import threading

import pytest

import importworks
from importworks.cli import EXIT_INTERRUPTED, VERSION, build_parser, main
from importworks.cli.program import (
    NO_SUCH_STORE,
    NOT_A_STORE,
    parse_target,
    split_program_args,
)
from importworks.cli.running import NO_MAIN_IN_STORE
from importworks.stores.pack import pack
from tests.conftest import build

SHOW = "import sys, json; print(json.dumps(sys.argv))"


LAST = ("last_type", "last_value", "last_traceback", "last_exc")


@pytest.fixture(autouse=True)
def program_hooks(monkeypatch):
    """A program may set sys.excepthook and leaves sys.last_*: put them back after each test."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    saved = {name: getattr(sys, name) for name in LAST if hasattr(sys, name)}
    yield
    for name in LAST:
        if name in saved:
            setattr(sys, name, saved[name])
        elif hasattr(sys, name):
            delattr(sys, name)


def _argv(out: str) -> list[str]:
    return json.loads(out.strip().splitlines()[-1])


def _split(command: str, *words: str) -> tuple[list[str], list[str]]:
    return split_program_args(build_parser().program_parsers[command], list(words))


# ---------------------------------------------------------------- splitting the command line
@pytest.mark.parametrize(
    "command, words, own, program",
    [
        ("run", ["-m", "pytest", "-q", "-x"], [], ["-m", "pytest", "-q", "-x"]),
        ("run", ["script.py", "--format", "x"], [], ["script.py", "--format", "x"]),
        ("run", ["--", "-c", "print(1)"], [], ["-c", "print(1)"]),
        ("run", ["-mpytest", "-h"], [], ["-mpytest", "-h"]),
        ("run", ["app.sqlite", "-m", "app", "-o", "x"], [], ["app.sqlite", "-m", "app", "-o", "x"]),
        (
            "trace",
            ["--format", "json", "-o", "r.json", "-m", "pip", "--version", "--format", "y"],
            ["--format", "json", "-o", "r.json"],
            ["-m", "pip", "--version", "--format", "y"],
        ),
        (
            "trace",
            ["--output=r.json", "-or2.json", "--unused", "--top", "3", "-c", "import json"],
            ["--output=r.json", "-or2.json", "--unused", "--top", "3"],
            ["-c", "import json"],
        ),
        ("trace", ["--", "-c", "import json"], [], ["-c", "import json"]),
        (
            "dev",
            ["--check", "pytest -x", "--poll", "-m", "app", "--check"],
            ["--check", "pytest -x", "--poll"],
            ["-m", "app", "--check"],
        ),
        ("dev", ["-", "a"], [], ["-", "a"]),
    ],
)
def test_own_options_come_first_and_the_program_keeps_every_word_after_it(command, words, own, program):
    assert _split(command, *words) == (own, program)


def test_parsed_command_line_gives_the_program_its_words():
    args = build_parser().parse_command_line(["trace", "--format", "json", "-m", "pip", "--version"])
    assert (args.command, args.format, args.program) == ("trace", "json", ["-m", "pip", "--version"])


def test_unknown_option_before_the_program_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--bogus", "script.py"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


@pytest.mark.parametrize(
    "words, message",
    [
        ([], "give the program to run: -m MODULE, -c CODE, SCRIPT or -"),
        (["-m"], "argument expected for the -m option"),
        (["-c"], "argument expected for the -c option"),
    ],
)
def test_a_missing_program_is_a_usage_error(words, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", *words])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"importworks run: error: {message}"


@pytest.mark.parametrize(
    "words, kind, name, argv",
    [
        (["-m", "pytest", "-q"], "module", "pytest", ["pytest", "-q"]),
        (["-mpytest", "-q"], "module", "pytest", ["pytest", "-q"]),
        (["-c", "pass", "a"], "code", "pass", ["-c", "a"]),
        (["-cpass", "a"], "code", "pass", ["-c", "a"]),
        (["-", "a"], "stdin", "-", ["-", "a"]),
        (["nosuch.py", "-m", "x"], "script", "nosuch.py", ["nosuch.py", "-m", "x"]),
    ],
)
def test_python_forms(words, kind, name, argv):
    target = parse_target(words, build_parser())
    assert (target.kind, target.name, target.argv, target.stores) == (kind, name, argv, [])


# ---------------------------------------------------------------- running them
def test_run_module_with_options_for_it(tmp_path, monkeypatch, capsys):
    root = build(tmp_path, {"showargs_iw.py": SHOW})
    monkeypatch.chdir(root)  # -m looks in the current folder first
    assert main(["run", "-m", "showargs_iw", "-q", "-x"]) == 0
    assert _argv(capsys.readouterr().out) == [str(root / "showargs_iw.py"), "-q", "-x"]


def test_run_script_with_options_that_are_also_ours(tmp_path, capsys):
    script = build(tmp_path, {"s.py": SHOW}) / "s.py"
    assert main(["run", str(script), "--format", "x", "-o", "y"]) == 0
    assert _argv(capsys.readouterr().out) == [str(script), "--format", "x", "-o", "y"]


def test_run_code(capsys):
    assert main(["run", "-c", SHOW, "-m", "x"]) == 0
    assert _argv(capsys.readouterr().out) == ["-c", "-m", "x"]


def test_run_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SHOW.encode())))
    assert main(["run", "-", "a"]) == 0
    assert _argv(capsys.readouterr().out) == ["-", "a"]


@pytest.mark.parametrize("words", [["-c", "import dep_iw"], ["--", "-c", "import dep_iw"]])
def test_trace_code_prints_its_report(words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(build(tmp_path, {"dep_iw.py": ""}))  # -c looks in the current folder first
    assert main(["trace", *words]) == 0
    err = capsys.readouterr().err
    assert " dep_iw  [folder] " in err and "1 modules imported in" in err


def test_trace_module_prints_its_report_and_passes_its_options(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(build(tmp_path, {"traced_iw.py": "import dep_iw\n" + SHOW, "dep_iw.py": ""}))
    assert main(["trace", "--format", "json", "-m", "traced_iw", "--format", "tree"]) == 0
    captured = capsys.readouterr()
    assert _argv(captured.out)[1:] == ["--format", "tree"]
    report = json.loads(captured.err)
    assert [record["name"] for record in report["imports"]] == ["dep_iw"]


def test_exit_statuses_are_pythons(capsys):
    assert main(["run", "-c", "raise SystemExit"]) == 0
    assert main(["run", "-c", "raise SystemExit(7)"]) == 7
    assert main(["run", "-c", "raise SystemExit('bye')"]) == 1
    assert capsys.readouterr().err == "bye\n"
    assert main(["run", "-c", "1/0"]) == 1
    assert capsys.readouterr().err.endswith("ZeroDivisionError: division by zero\n")
    assert main(["run", "-c", "raise KeyboardInterrupt"]) == EXIT_INTERRUPTED


def test_uncaught_error_goes_through_the_programs_excepthook(capsys):
    code = (
        "import sys\nsys.excepthook = lambda t, e, tb: print('hooked', t.__name__, tb.tb_frame.f_code.co_filename)\n1/0"
    )
    assert main(["run", "-c", code]) == 1
    assert capsys.readouterr().out == "hooked ZeroDivisionError <string>\n"
    assert isinstance(sys.last_value, ZeroDivisionError)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"importworks {importworks.__version__} (Python {platform.python_version()})\n"
    assert f"importworks {importworks.__version__} (Python {platform.python_version()})" == VERSION


def test_main_module_and_argv_are_put_back_after_the_program(capsys):
    saved_main, saved_argv, saved_path = sys.modules["__main__"], sys.argv, list(sys.path)
    assert main(["run", "-c", "import sys; sys.path.append('x'); sys.argv.append('y')"]) == 0
    assert (sys.modules["__main__"], sys.argv, sys.path) == (saved_main, saved_argv, saved_path)


# ---------------------------------------------------------------- stores in front, and not-stores
@pytest.fixture
def app_store(tmp_path):
    source = build(
        tmp_path / "src",
        {"__main__.py": "import helper_iw\n" + SHOW, "helper_iw.py": "", "other_iw.py": SHOW, "tool.py": SHOW},
    )
    store = tmp_path / "app.sqlite"
    pack([str(source)], str(store))
    return store


def test_store_alone_runs_its_main(app_store, capsys):
    assert main(["run", str(app_store)]) == 0
    assert _argv(capsys.readouterr().out) == [str(app_store)]


def test_words_after_a_store_that_are_no_program_are_its_mains(app_store, capsys):
    assert main(["run", str(app_store), "input.csv", "--verbose"]) == 0
    assert _argv(capsys.readouterr().out) == [str(app_store), "input.csv", "--verbose"]


def test_store_in_front_of_a_module_and_of_a_script_inside_it(app_store, capsys):
    assert main(["run", str(app_store), "-m", "other_iw", "-q"]) == 0
    assert _argv(capsys.readouterr().out) == [f"{app_store}/other_iw.py", "-q"]
    assert main(["run", str(app_store), "tool.py", "-q"]) == 0
    assert _argv(capsys.readouterr().out) == ["tool.py", "-q"]


def test_store_without_main_is_one_line(tmp_path, capsys):
    store = tmp_path / "lib.zip"
    pack([str(build(tmp_path / "src", {"m_iw.py": ""}))], str(store))
    assert main(["run", str(store)]) == 1
    assert capsys.readouterr().err == "importworks: " + NO_MAIN_IN_STORE.format(store=store) + "\n"


@pytest.mark.parametrize(
    "name, content, what",
    [
        ("evil.sqlite", "open(__file__ + '.ran', 'w')\n", "a Python script"),
        ("evil.zip", "open(__file__ + '.ran', 'w')\n", "a Python script"),
        ("notes.sqlite", "just some words (\n", "a text file"),
        ("words.zip", "garbage\n", "a text file"),
        ("empty.zip", "", "an empty file"),
    ],
)
@pytest.mark.parametrize("after", [["-m", "x"], []])
def test_a_file_in_store_position_that_is_no_store_is_refused_and_never_run(
    tmp_path, capsys, monkeypatch, name, content, what, after
):
    monkeypatch.chdir(tmp_path)
    build(tmp_path, {name: content})
    assert main(["run", name, *after]) == 1
    assert capsys.readouterr().err == f"importworks run: {NOT_A_STORE.format(name=name, what=what)}\n"
    assert not (tmp_path / f"{name}.ran").exists()


def test_data_named_as_a_store_is_refused_as_verify_refuses_it(tmp_path, capsys, monkeypatch):
    """Most likely a damaged store: its backend says what it should be, in run's words as in verify's."""
    monkeypatch.chdir(build(tmp_path, {"junk.sqlite": b"\x00\x01garbage\xff"}))
    assert main(["run", "junk.sqlite", "-m", "x"]) == 1
    assert capsys.readouterr().err == (
        f"importworks run: {tmp_path / 'junk.sqlite'} is not a SQLite database (no SQLite header): "
        "it is truncated or another kind of file\n"
    )
    assert main(["verify", "junk.sqlite"]) == 1
    assert capsys.readouterr().err == (
        "importworks verify: junk.sqlite is not a SQLite database (no SQLite header): "
        "it is truncated or another kind of file\n"
    )


def test_a_python_script_after_a_real_store_in_store_position_is_refused(app_store, tmp_path, capsys):
    evil = build(tmp_path, {"evil.sqlite": "open(__file__ + '.ran', 'w')\n"}) / "evil.sqlite"
    assert main(["trace", str(app_store), str(evil), "-m", "other_iw"]) == 1
    assert "is not a store" in capsys.readouterr().err
    assert not (tmp_path / "evil.sqlite.ran").exists()


def test_missing_store_and_bad_url(capsys):
    assert main(["run", "nosuch.sqlite", "-m", "x"]) == 1
    assert capsys.readouterr().err == f"importworks run: {NO_SUCH_STORE.format(name='nosuch.sqlite')}\n"
    assert main(["run", "postgresql://host/onlydb", "-m", "x"]) == 1
    assert "is not a PostgreSQL store URL" in capsys.readouterr().err


def test_threads_the_program_leaves_running_keep_its_sys_path(tmp_path, monkeypatch, capsys):
    """A program whose main code ends while its thread still imports from the program's folder."""
    build(
        tmp_path,
        {
            "later_iw.py": "VALUE = 'found'\n",
            "server.py": """
        import threading, time

        def serve():
            time.sleep(0.2)  # after the main code has ended
            import later_iw
            print(later_iw.VALUE)

        threading.Thread(target=serve).start()
    """,
        },
    )
    monkeypatch.chdir(tmp_path)
    saved = list(sys.path), sys.argv
    try:
        assert main(["run", "server.py"]) == 0
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join(10)
        assert capsys.readouterr().out == "found\n"
    finally:
        sys.path[:], sys.argv = saved


def test_dev_takes_the_same_forms_and_refuses_the_same_words(tmp_path, monkeypatch, capsys):
    from importworks.cli import dev

    monkeypatch.chdir(build(tmp_path, {"evil.sqlite": "open(__file__ + '.ran', 'w')\n"}))
    assert main(["dev", "--poll", "evil.sqlite", "-m", "x"]) == 1
    assert (
        capsys.readouterr().err
        == "importworks dev: " + NOT_A_STORE.format(name="evil.sqlite", what="a Python script") + "\n"
    )
    assert dev.main(["--poll", "evil.sqlite"]) == 1
    assert "evil.sqlite is not a store" in capsys.readouterr().err
    assert not (tmp_path / "evil.sqlite.ran").exists()
    assert dev.main(["--poll", "-m", "nosuch_iw", "--poll"]) == 1
    assert capsys.readouterr().err == "importworks: No module named nosuch_iw\n"
    assert dev.main(["--poll", "-c", SHOW, "--poll"]) == 0
    assert _argv(capsys.readouterr().out) == ["-c", "--poll"]


def test_store_in_front_of_code_and_of_stdin(app_store, monkeypatch, capsys):
    import io

    code = "import helper_iw, sys; print(helper_iw.__file__, sys.path[0], sys.argv)"
    assert main(["run", str(app_store), "-c", code, "x"]) == 0
    assert capsys.readouterr().out == f"{app_store}/helper_iw.py {app_store} ['-c', 'x']\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(code.encode())))
    assert main(["run", str(app_store), "-", "y"]) == 0
    assert capsys.readouterr().out == f"{app_store}/helper_iw.py {app_store} ['-', 'y']\n"


def test_store_forms_for_every_kind_of_store(tmp_path, store_target, capsys):
    """A store alone runs its __main__, one in front serves -m, one without __main__ is one line."""
    app = store_target("app")
    pack([str(build(tmp_path / "app", {"__main__.py": SHOW, "other_iw.py": SHOW}))], app)
    lib = store_target("lib")
    pack([str(build(tmp_path / "lib", {"lib_iw.py": SHOW}))], lib)
    assert main(["run", app, "a"]) == 0
    assert _argv(capsys.readouterr().out) == [app, "a"]
    assert main(["run", lib, app]) == 0
    assert _argv(capsys.readouterr().out) == [app]
    assert main(["run", app, lib, "-m", "lib_iw", "-q"]) == 0
    assert _argv(capsys.readouterr().out) == [f"{lib}/lib_iw.py", "-q"]
    assert main(["run", lib]) == 1
    assert capsys.readouterr().err == "importworks: " + NO_MAIN_IN_STORE.format(store=lib) + "\n"
