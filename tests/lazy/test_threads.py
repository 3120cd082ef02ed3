"""Threads racing on the first use of one lazy binding: one import, one object."""

from __future__ import annotations

import sys
import threading

from importworks.lazy import LazyObject

SLOW = 'import log, time\nlog.events.append("slow")\ntime.sleep(0.05)\nVALUE = object()\n'


def _race(count: int, use) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = use()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_racing_threads_import_once_and_see_one_module(logged, lazy_mode):
    events = logged(
        {"slow.py": SLOW, "app.py": '__lazy_modules__ = ["slow"]\nimport slow\ndef use():\n    return slow.VALUE\n'}
    )
    lazy_mode("normal")
    import app

    results = _race(16, app.use)
    assert events == ["slow"]
    assert all(result is sys.modules["slow"].VALUE for result in results)
    assert app.__dict__["slow"] is sys.modules["slow"]


def test_racing_threads_on_a_from_import_resolve_one_object(logged, lazy_mode):
    events = logged({"slow.py": SLOW, "app.py": '__lazy_modules__ = ["slow"]\nfrom slow import VALUE\n'})
    lazy_mode("normal")
    import app

    proxy = app.__dict__["VALUE"]
    assert type(proxy) is LazyObject
    results = _race(16, lambda: repr(proxy))
    assert events == ["slow"]
    assert len(set(results)) == 1
    assert app.__dict__["VALUE"] is sys.modules["slow"].VALUE


def test_another_thread_still_finds_through_a_new_finder_while_its_lazy_imports_are_resolved(logged, lazy_mode):
    """The new-finder rule resolves the finder's lazy imports without it, on its own thread only."""
    logged(
        {
            "gate.py": "import threading\nsettling = threading.Event()\ndone = threading.Event()\nfound = []\n",
            # the finder's lazy import takes its time: the other thread imports meanwhile
            "slowdep.py": "import gate\ngate.settling.set()\ngate.done.wait(10)\ndef touch():\n    pass\n",
            "vhook.py": (
                "import slowdep\nimport importlib.util\n"
                "class Loader:\n    def create_module(self, spec):\n        return None\n"
                "    def exec_module(self, module):\n        module.WHO = 'virtual'\n"
                "class Hook:\n    def find_spec(self, name, path, target=None):\n"
                "        if name == 'virtual_mod':\n"
                "            return importlib.util.spec_from_loader(name, Loader())\n"
                "        slowdep.touch()\n        return None\n"
            ),
            "vapp.py": (
                "import sys\nfrom vhook import Hook\nsys.meta_path.insert(0, Hook())\n"
                "import other\nVALUE = other.VALUE\n"
            ),
        }
    )
    lazy_mode("all")
    import importlib

    import gate

    def other_thread() -> None:
        gate.settling.wait(10)
        try:
            gate.found.append(importlib.import_module("virtual_mod").WHO)
        except ImportError as exc:
            gate.found.append(repr(exc))
        gate.done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    import vapp

    thread.join(10)
    assert vapp.VALUE == "other"
    assert gate.found == ["virtual"]
