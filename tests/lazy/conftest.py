"""Fixtures for lazy imports: a mode switched on for one test, a tree of modules that log their execution."""

from __future__ import annotations

import sys
from typing import Callable, Iterator

import pytest

from importworks import lazy
from importworks.lazy import _pending


@pytest.fixture(autouse=True)
def lazy_off() -> Iterator[None]:
    """Every test starts and ends with lazy imports off and no filter."""
    lazy.disable()
    lazy.set_lazy_filter(None)
    _pending.forget()
    try:
        yield
    finally:
        lazy.disable()
        lazy.set_lazy_filter(None)
        _pending.forget()


@pytest.fixture
def lazy_mode(engine) -> Callable[[str], None]:
    """lazy_mode("normal" | "all" | "none"), with the engine active."""
    return lambda mode: lazy.enable(mode)


# modules that append their name to log.events when their body runs
LOGGED = {
    "log.py": "events = []\n",
    "heavy.py": """\
        import log
        log.events.append("heavy")
        X = 42
        class Base:
            kind = "base"
        def f():
            return "f"
        """,
    "other.py": 'import log\nlog.events.append("other")\nVALUE = "other"\n',
    "pkg": {
        "__init__.py": 'import log\nlog.events.append("pkg")\n',
        "sub.py": 'import log\nlog.events.append("pkg.sub")\nY = 7\n',
        "second.py": 'import log\nlog.events.append("pkg.second")\nZ = 8\n',
    },
}


@pytest.fixture
def logged(tree) -> Callable[[dict], list]:
    """Build LOGGED plus *files*; return log.events (what ran, in order)."""

    def make(files: dict) -> list:
        tree({**LOGGED, **files})
        import log

        return log.events

    return make


def ran(name: str) -> bool:
    return name in sys.modules


def pytest_collection_modifyitems(config, items) -> None:
    """On 3.15+ the interpreter binds __lazy_modules__ imports itself: the proxy tests are for 3.10-3.14."""
    if not hasattr(sys, "set_lazy_imports"):
        return
    skip = pytest.mark.skip(
        reason="Python 3.15+ makes __lazy_modules__ imports lazy itself (native lazy "
        "objects, not importworks' proxies); see test_native.py"
    )
    for item in items:
        if "tests/lazy/" in item.nodeid and not item.nodeid.startswith("tests/lazy/test_native.py"):
            item.add_marker(skip)
