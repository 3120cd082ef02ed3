"""reload() keeps the module and its dictionary, as importlib.reload does; a broken edit changes nothing."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

import importworks
from importworks.reload import ReloadError, ReloadReport, last_report, reload
from tests.conftest import build

from .conftest import write_source

STATE_V1 = """
    try:
        cache
    except NameError:
        cache = {}
    RUNS = globals().get("RUNS", 0) + 1
    OBSOLETE = "only in the first version"
    def f():
        return "old"
"""
STATE_V2 = """
    try:
        cache
    except NameError:
        cache = {}
    cache["reloads"] = cache.get("reloads", 0) + 1
    try:
        HANDLERS
    except NameError:
        HANDLERS = []
    HANDLERS.append(len(HANDLERS))
    RUNS = globals().get("RUNS", 0) + 1
    def f():
        return "new"
"""


def snapshot(module: ModuleType) -> list[tuple[str, int]]:
    """The module's dictionary: its names, in order, and which object each is bound to."""
    return [(name, id(value)) for name, value in module.__dict__.items()]


# ---------------------------------------------------------------- state idioms


def test_try_except_nameerror_state_and_globals_get_counters_survive(tree, edit):
    tree({"state.py": STATE_V1})
    import state

    cache, f = state.cache, state.f
    cache["user"] = "kept"
    edit("state.py", STATE_V2)
    assert reload(state) is state
    assert state.cache is cache and cache == {"user": "kept", "reloads": 1}
    assert state.RUNS == 2 and state.HANDLERS == [0]
    assert state.f is f and f() == "new"
    reload(state)
    assert cache["reloads"] == 2 and state.RUNS == 3 and state.HANDLERS == [0, 1]  # once per reload


def test_a_name_the_edit_no_longer_assigns_stays_as_with_importlib(tree, edit):
    tree({"state.py": STATE_V1})
    import state

    edit("state.py", STATE_V2)
    reload(state)
    assert state.OBSOLETE == "only in the first version"


def test_dependents_keep_their_state_too(tree, edit, engine):
    tree(
        {
            "config.py": "LIMIT = 1\n",
            "app.py": """
              from config import LIMIT
              try:
                  seen
              except NameError:
                  seen = []
              seen.append(LIMIT)
              STARTS = globals().get("STARTS", 0) + 1
          """,
        }
    )
    import app
    import config

    seen = app.seen
    edit("config.py", "LIMIT = 2\n")
    reload(config)
    assert app.seen is seen and seen == [1, 2] and app.STARTS == 2 and app.LIMIT == 2


def test_a_kept_instance_of_a_patched_class_runs_the_new_methods(tree, edit):
    source = """
        class Registry:
            def __init__(self):
                self.items = []
            def describe(self):
                return "{word} " + ",".join(self.items)
        try:
            REGISTRY
        except NameError:
            REGISTRY = Registry()
    """
    tree({"registry.py": source.replace("{word}", "old")})
    import registry

    keep = registry.REGISTRY
    keep.items.append("a")
    edit("registry.py", source.replace("{word}", "new"))
    reload(registry)
    assert registry.REGISTRY is keep and keep.describe() == "new a" and type(keep) is registry.Registry


def test_functions_and_lambdas_the_new_code_makes_have_the_module_namespace(tree, edit):
    tree({"hooks.py": "X = 1\n"})
    import hooks

    edit(
        "hooks.py",
        """
        X = 2
        HANDLERS = {"x": lambda: X}
        def later():
            global X
            X = 3
    """,
    )
    reload(hooks)
    assert hooks.HANDLERS["x"].__globals__ is hooks.__dict__ and hooks.later.__globals__ is hooks.__dict__
    hooks.later()
    assert hooks.HANDLERS["x"]() == 3  # one namespace: the lambda sees the global the function set


def test_the_trial_run_sees_the_state_and_leaves_the_modules_lists_and_dicts_alone(tree, edit):
    tree({"reg.py": "ITEMS = []\nINDEX = {}\n"})
    import reg

    items, index = reg.ITEMS, reg.INDEX
    edit(
        "reg.py",
        """
        try:
            ITEMS
        except NameError:
            ITEMS, INDEX = [], {}
        ITEMS.append("x")
        INDEX[len(INDEX)] = "x"
    """,
    )
    reload(reg)
    assert reg.ITEMS is items and items == ["x"] and index == {0: "x"}  # not twice: the trial had copies


def test_while_the_trial_runs_the_module_still_holds_the_old_code(tree, edit):
    tree({"log.py": "SEEN = []\n", "live.py": "def f():\n    return 'old'\n"})
    import live
    import log

    edit(
        "live.py",
        """
        import sys, log
        def f():
            return "new"
        log.SEEN.append((sys.modules[__name__].f(), f()))
    """,
    )
    reload(live)
    assert log.SEEN == [("old", "new"), ("new", "new")]  # the trial, then the run in the module itself


# ---------------------------------------------------------------- nothing half-applied


@pytest.mark.parametrize(
    "broken",
    [
        "cache = 'rebound'\ndef f(:\n    pass\n",
        "cache = 'rebound'\nRUNS = 99\nOBSOLETE.upper()\ndef f():\n    return 'broken'\nraise RuntimeError('boom')\n",
        "cache.clear()\nHANDLERS = None\nraise KeyError('late')\n",
    ],
)
def test_a_broken_edit_leaves_the_dictionary_exactly_as_it_was(tree, edit, broken):
    tree({"state.py": STATE_V1})
    import state

    state.cache["user"] = "kept"
    names, values = snapshot(state), dict(state.__dict__)
    edit("state.py", broken)
    with pytest.raises(ReloadError, match="^cannot reload 'state': "):
        reload(state)
    assert snapshot(state) == names and dict(state.__dict__) == values
    assert state.cache == {"user": "kept"} and state.f() == "old"


def test_a_second_run_that_fails_after_a_passing_trial_puts_the_namespace_back(tree, edit):
    tree({"counter.py": "N = 0\n", "flaky.py": "import counter\nX = 1\ndef f():\n    return 'old'\n"})
    import counter
    import flaky

    names, f = snapshot(flaky), flaky.f
    edit(
        "flaky.py",
        """
        import counter
        X = 2
        def f():
            return "new"
        counter.N += 1
        if counter.N == 2:
            raise RuntimeError("only the second run fails")
    """,
    )
    with pytest.raises(ReloadError, match="RuntimeError: only the second run fails"):
        reload(flaky, dependents=False)
    assert counter.N == 2  # it ran twice: the trial passed
    assert snapshot(flaky) == names and flaky.X == 1 and f() == "old" and flaky.f is f


# ---------------------------------------------------------------- the same dictionary as importlib.reload


def portable(value: Any, root: Path) -> Any:
    """*value* described so that two copies of a tree (in two folders) compare equal."""
    if isinstance(value, str):
        return value.replace(str(root), "<root>")
    if isinstance(value, (list, tuple)):
        return type(value)(portable(v, root) for v in value)
    if isinstance(value, dict):
        return {portable(k, root): portable(v, root) for k, v in value.items()}
    if isinstance(value, FunctionType):
        strings = tuple(c for c in value.__code__.co_consts if isinstance(c, str))
        return ("function", value.__module__, value.__qualname__, strings)
    if isinstance(value, type):
        return ("class", value.__module__, value.__qualname__)
    if isinstance(value, ModuleType):
        return ("module", value.__name__)
    if type(value).__name__ == "ModuleSpec":
        return (
            "spec",
            value.name,
            portable(value.origin, root),
            portable(value.cached, root),
            portable(list(value.submodule_search_locations or []), root),
            type(value.loader).__name__,
        )
    if hasattr(value, "exec_module"):
        return ("loader", type(value).__name__)
    return repr(value)


def portable_module(module: ModuleType, root: Path) -> dict[str, Any]:
    items = {name: portable(value, root) for name, value in module.__dict__.items() if name != "__builtins__"}
    items["<names in order>"] = [n for n in module.__dict__ if n != "__builtins__"]
    items["<loader is spec.loader>"] = module.__loader__ is module.__spec__.loader
    return items


def reload_copy(
    root: Path, files: dict, edits: dict, names: list[str], do_reload: Callable[[list[ModuleType]], None]
) -> dict[str, dict[str, Any]]:
    """Import *names* from a tree at *root*, apply *edits*, call *do_reload*; describe the modules."""
    build(root, files)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    modules = [importlib.import_module(name) for name in names]
    for module in modules:
        if "cache" in module.__dict__:
            module.cache["user"] = "kept"
    specs = [module.__spec__ for module in modules]
    for relative, text in edits.items():
        if text is None:
            (root / relative).unlink()
        else:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            write_source(root / relative, text)
    importlib.invalidate_caches()
    do_reload(modules)
    sys.path.remove(str(root))
    described = {}
    for module, spec in zip(modules, specs, strict=True):
        assert sys.modules[module.__spec__.name] is module
        described[module.__name__] = portable_module(module, root)
        described[module.__name__]["<spec replaced>"] = module.__spec__ is not spec
    for name in names:  # the other copy imports the same names
        sys.modules.pop(name, None)
    return described


def _importlib_reload(modules: list[ModuleType]) -> None:
    for module in modules:  # importlib.reload does not reload dependents: do it as they would be
        importlib.reload(module)


def _importworks_reload(modules: list[ModuleType]) -> None:
    importworks.reload(modules[0])  # the rest are its dependents


CASES = {
    "state idioms, a removed name": ({"state.py": STATE_V1}, {"state.py": STATE_V2}, ["state"]),
    "a package and its submodule": (
        {"pkg": {"__init__.py": "from . import sub\nVERSION = 1\n", "sub.py": "N = 1\nOLD = True\n"}},
        {"pkg/sub.py": "N = globals().get('N', 0) + 10\n"},
        ["pkg.sub", "pkg"],
    ),
    "a module that became a package": (
        {"shape.py": "KIND = 'module'\nLEFT = 1\n"},
        {"shape.py": None, "shape/__init__.py": "KIND = 'package'\n"},
        ["shape"],
    ),
    "a dependent with its own state": (
        {
            "base.py": "VALUE = 1\n",
            "user.py": "from base import VALUE\ntry:\n    seen\nexcept NameError:\n    seen = []\nseen.append(VALUE)\n",
        },
        {"base.py": "VALUE = 2\n"},
        ["base", "user"],
    ),
    "names deleted by the new code": (
        {"tidy.py": "import os\nTEMP = 1\n"},
        {"tidy.py": "import os\nTEMP = 2\ndel TEMP, os\n"},
        ["tidy"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_dictionary_after_reload_is_the_one_importlib_reload_leaves(tmp_path, case):
    files, edits, names = CASES[case]
    expected = reload_copy(tmp_path / "a", files, edits, names, _importlib_reload)
    got = reload_copy(tmp_path / "b", files, edits, names, _importworks_reload)
    assert got == expected


# ---------------------------------------------------------------- the report


def test_reload_returns_the_module_and_last_report_tells_what_it_did(tree, edit):
    tree({"config.py": "LIMIT = 1\ndef f():\n    return 1\n", "app.py": "import config\nDOUBLE = config.LIMIT * 2\n"})
    import app  # noqa: F401
    import config

    edit("config.py", "LIMIT = 2\ndef f():\n    return 2\n")
    assert importworks.reload(config) is config
    report = importworks.reload.last_report()
    assert isinstance(report, ReloadReport) and report is last_report()
    assert report.names() == ["config", "app"] and report.modules[0].changed == ["LIMIT", "f"]
    assert report.ok and report.conflicts == []


def test_last_report_is_per_thread(tree, edit):
    tree({"one.py": "X = 1\n", "two.py": "X = 1\n"})
    import one
    import two

    edit("one.py", "X = 2\n")
    reload(one)
    mine = last_report()
    edit("two.py", "X = 2\n")
    theirs: list[ReloadReport | None] = []
    thread = threading.Thread(target=lambda: (reload(two), theirs.append(last_report())))
    thread.start()
    thread.join()
    assert last_report() is mine and mine.names() == ["one"] and theirs[0].names() == ["two"]


def test_a_failed_reload_leaves_its_report_too(tree, edit):
    tree({"fragile.py": "X = 1\n"})
    import fragile

    edit("fragile.py", "X = 1 / 0\n")
    with pytest.raises(ReloadError) as info:
        reload(fragile)
    assert last_report() is info.value.report and not last_report().ok


# ---------------------------------------------------------------- __main__


def test_the_running_script_keeps_its_state_and_its_name(tree, edit):
    root = tree(
        {
            "script.py": """
        STARTS = globals().get("STARTS", 0) + 1
        def f():
            return "old"
        if __name__ == "__main__":
            MAIN_RAN = globals().get("MAIN_RAN", 0) + 1
    """
        }
    )
    main = type(sys)("__main__")  # as runpy.run_path leaves it: no spec, a __file__
    main.__file__ = str(root / "script.py")
    sys.modules["__main__"] = main
    exec(compile((root / "script.py").read_text(), main.__file__, "exec"), main.__dict__)
    f = main.f
    edit(
        "script.py",
        """
        STARTS = globals().get("STARTS", 0) + 1
        def f():
            return "new"
        def added():
            return "added"
        class Added:
            pass
        if __name__ == "__main__":
            MAIN_RAN = globals().get("MAIN_RAN", 0) + 1
    """,
    )
    assert reload(main) is main
    assert (main.__name__, main.__spec__, main.STARTS, main.MAIN_RAN) == ("__main__", None, 2, 1)
    assert f() == "new" and main.added.__module__ == "__main__" and main.Added.__module__ == "__main__"
