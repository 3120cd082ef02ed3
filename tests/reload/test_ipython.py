"""%load_ext importworks: edited modules reload before each cell."""

from __future__ import annotations

import importlib.util
import textwrap

import pytest

from importworks.reload import load_ipython_extension, unload_ipython_extension
from tests.conftest import run_python

from .conftest import write_source


class Events:
    def __init__(self) -> None:
        self.callbacks: dict[str, list] = {}

    def register(self, event, callback) -> None:
        self.callbacks.setdefault(event, []).append(callback)

    def unregister(self, event, callback) -> None:
        self.callbacks[event].remove(callback)

    def trigger(self, event) -> None:
        for callback in list(self.callbacks.get(event, [])):
            callback()


class Shell:
    """The part of IPython's InteractiveShell the extension uses."""

    def __init__(self) -> None:
        self.events = Events()
        self.user_ns: dict = {}

    def run_cell(self, code: str) -> None:
        self.events.trigger("pre_run_cell")
        exec(textwrap.dedent(code), self.user_ns)
        self.events.trigger("post_run_cell")


def test_edits_apply_before_the_next_cell(tree, capsys):
    root = tree(
        {
            "nb.py": """
        class Pair:
            __slots__ = ("a",)
        def f():
            return "old"
    """
        }
    )
    shell = Shell()
    load_ipython_extension(shell)
    try:
        shell.run_cell("from nb import f, Pair\ng = f")
        write_source(root / "nb.py", 'class Pair:\n    __slots__ = ("a", "b")\ndef f():\n    return "new"\n')
        shell.run_cell("result = (f(), g(), Pair.__slots__)")
    finally:
        unload_ipython_extension(shell)
    assert shell.user_ns["result"] == ("new", "new", ("a", "b"))  # a replaced class is rebound too
    assert capsys.readouterr().out.startswith(
        "[importworks] reloaded nb (Pair, f); cannot patch Pair in nb: __slots__ changed"
    )
    assert shell.events.callbacks == {"pre_run_cell": [], "post_run_cell": []}


def test_a_module_imported_in_a_cell_is_watched_from_then_on(tree):
    root = tree({"late.py": "X = 1\n"})
    shell = Shell()
    load_ipython_extension(shell)
    try:
        shell.run_cell("import late")
        write_source(root / "late.py", "X = 2\n")
        shell.run_cell("x = late.X")
    finally:
        unload_ipython_extension(shell)
    assert shell.user_ns["x"] == 2


def test_state_made_in_earlier_cells_survives_the_reload(tree):
    root = tree({"counter.py": "try:\n    seen\nexcept NameError:\n    seen = []\ndef add(x):\n    seen.append(x)\n"})
    shell = Shell()
    load_ipython_extension(shell)
    try:
        shell.run_cell("import counter\ncounter.add(1)")
        write_source(
            root / "counter.py",
            "try:\n    seen\nexcept NameError:\n    seen = []\ndef add(x):\n    seen.append(x * 10)\n",
        )
        shell.run_cell("counter.add(2)\nresult = list(counter.seen)")
    finally:
        unload_ipython_extension(shell)
    assert shell.user_ns["result"] == [1, 20]


@pytest.mark.skipif(importlib.util.find_spec("IPython") is None, reason="IPython is not installed")
def test_load_ext_in_a_real_ipython_shell(tmp_path):
    (tmp_path / "mod.py").write_text("def f():\n    return 1\n")
    result = run_python(f"""
        import os, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell("%load_ext importworks")
        shell.run_cell("from mod import f")
        with open({str(tmp_path / "mod.py")!r}, "w") as file:
            file.write("def f():\\n    return 2\\n")
        os.utime({str(tmp_path / "mod.py")!r}, (1, 1))
        shell.run_cell("print('value', f())")
    """)
    assert "value 2" in result.stdout, result.stderr
