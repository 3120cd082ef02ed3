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
