"""Observers of the engine: told of every import performed, in order, until removed."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from importworks.engine import observers
from importworks.engine.hooks import ObserverBase


class Recorder:
    """Records every event with its observer's label, into a list shared by several recorders."""

    def __init__(self, label: str, log: list[tuple[str, ...]]) -> None:
        self.label, self.log = label, log

    def begin(self, name):
        self.log.append((self.label, "begin", name))

    def found(self, name, spec):
        self.log.append((self.label, "found", name, spec.name))

    def created(self, name):
        self.log.append((self.label, "created", name))

    def loaded(self, name):
        self.log.append((self.label, "loaded", name))

    def end(self, name, module, exc):
        outcome = type(exc).__name__ if exc is not None else ("module" if module is sys.modules.get(name) else "?")
        self.log.append((self.label, "end", name, outcome))


@pytest.fixture(autouse=True)
def no_observers() -> Iterator[None]:
    """Each test starts and ends with no observer (whatever was registered before comes back)."""
    previous = observers.set_tracer(None)
    try:
        yield
    finally:
        observers.set_tracer(previous)


def _events(log, label="a"):
    return [entry[1:] for entry in log if entry[0] == label]


def test_one_observer_hears_each_step_of_each_import_nested_in_order(tree, engine):
    tree({"outer_mod.py": "import inner_mod\n", "inner_mod.py": "X = 1\n"})
    log: list[tuple[str, ...]] = []
    observers.add_observer(Recorder("a", log))
    import outer_mod  # noqa: F401

    assert _events(log) == [
        ("begin", "outer_mod"),
        ("found", "outer_mod", "outer_mod"),
        ("created", "outer_mod"),
        ("loaded", "outer_mod"),
        ("begin", "inner_mod"),  # inside outer_mod's body
        ("found", "inner_mod", "inner_mod"),
        ("created", "inner_mod"),
        ("loaded", "inner_mod"),
        ("end", "inner_mod", "module"),
        ("end", "outer_mod", "module"),
    ]


def test_several_observers_are_called_in_the_order_they_were_added(tree, engine):
    tree({"ordered_mod.py": ""})
    log: list[tuple[str, ...]] = []
    for label in ("a", "b", "c"):
        observers.add_observer(Recorder(label, log))
    import ordered_mod  # noqa: F401

    assert [entry[:2] for entry in log[:3]] == [("a", "begin"), ("b", "begin"), ("c", "begin")]
    assert _events(log, "a") == _events(log, "b") == _events(log, "c")
    assert len(_events(log, "a")) == 5


def test_an_observer_derived_from_observer_base_defines_only_the_events_it_wants(tree, engine):
    tree({"partial_mod.py": ""})
    ended: list[str] = []

    class EndsOnly(ObserverBase):
        def end(self, name, module, exc):
            ended.append(name)

    log: list[tuple[str, ...]] = []
    observers.add_observer(EndsOnly())
    observers.add_observer(Recorder("a", log))
    import partial_mod  # noqa: F401

    assert ended == ["partial_mod"] and len(_events(log)) == 5


def test_an_object_missing_events_is_refused_when_added_not_at_the_next_import():
    class EndsOnly:
        def end(self, name, module, exc):
            pass

    observer = EndsOnly()
    with pytest.raises(TypeError) as info:
        observers.add_observer(observer)
    assert str(info.value) == (
        f"{observer!r} is not an ImportObserver: it has no begin(), found(), created(), loaded() "
        "(derive it from importworks.engine.hooks.ObserverBase to ignore the events it does not need)"
    )


def test_a_failed_import_ends_with_its_exception(tree, engine):
    tree({"failing_mod.py": "raise ValueError('no')\n"})
    log: list[tuple[str, ...]] = []
    observers.add_observer(Recorder("a", log))
    with pytest.raises(ValueError):
        import failing_mod  # noqa: F401
    with pytest.raises(ModuleNotFoundError):
        import not_there_mod  # noqa: F401
    assert _events(log)[-1] == ("end", "not_there_mod", "ModuleNotFoundError")
    assert ("end", "failing_mod", "ValueError") in _events(log)


def test_cache_hits_are_not_imports_performed(tree, engine):
    tree({"cached_mod.py": ""})
    import cached_mod

    log: list[tuple[str, ...]] = []
    observers.add_observer(Recorder("a", log))
    import cached_mod  # noqa: F401, F811

    assert log == []


def test_a_removed_observer_hears_nothing_more_and_the_others_still_do(tree, engine):
    tree({"first_mod.py": "", "second_mod.py": ""})
    log: list[tuple[str, ...]] = []
    a, b = Recorder("a", log), Recorder("b", log)
    observers.add_observer(a)
    observers.add_observer(b)
    import first_mod  # noqa: F401

    observers.remove_observer(a)
    observers.remove_observer(a)  # removing twice is harmless
    import second_mod

    assert ("begin", "second_mod") not in _events(log, "a")
    assert ("begin", "second_mod") in _events(log, "b")
    observers.remove_observer(b)
    del sys.modules["second_mod"]
    log.clear()
    import second_mod  # noqa: F401, F811

    assert log == []


def test_set_tracer_replaces_every_observer_and_returns_the_previous(tree, engine):
    tree({"traced_mod.py": ""})
    log: list[tuple[str, ...]] = []
    first = Recorder("a", log)
    observers.add_observer(first)
    assert observers.set_tracer(Recorder("b", log)) is first
    import traced_mod  # noqa: F401

    assert _events(log, "a") == [] and len(_events(log, "b")) == 5
    previous = observers.set_tracer(None)
    assert isinstance(previous, Recorder) and previous.label == "b"


def test_observers_added_from_many_threads_at_once_are_all_kept(tree, engine):
    tree({"crowd_mod.py": ""})
    log: list[tuple[str, ...]] = []
    start = threading.Barrier(8)

    def add(label: str) -> None:
        start.wait(5)
        observers.add_observer(Recorder(label, log))

    threads = [threading.Thread(target=add, args=(str(i),)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    import crowd_mod  # noqa: F401

    assert {entry[0] for entry in log if entry[1] == "begin"} == {str(i) for i in range(8)}
