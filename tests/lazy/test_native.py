"""Python 3.15+ (native PEP 810): importworks' own imports are never lazy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import SRC

pytestmark = pytest.mark.skipif(not hasattr(sys, "set_lazy_imports"), reason="needs Python 3.15+ (PEP 810)")


def _run(code: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, *flags, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_activate_under_lazy_imports_all_imports_through_the_engine():
    """-X lazy_imports=all: activate() works, and a lazy import reifies through the engine."""
    result = _run(
        "import importworks\nfrom importworks.engine import observers\nfrom importworks.engine.hooks import ObserverBase\n"
        "seen = []\nclass Seen(ObserverBase):\n    def end(self, name, module, exc):\n        seen.append(name)\n"
        "observers.add_observer(Seen())\n"
        "with importworks.activate():\n    import colorsys\n"
        "    print(type(globals()['colorsys']).__name__, seen)\n"
        "    colorsys.rgb_to_hsv\n    print(seen)\n",
        "-X",
        "lazy_imports=all",
    )
    assert (result.stdout, result.stderr) == ("lazy_import []\n['colorsys']\n", "")


def test_a_filter_set_before_importworks_is_kept():
    result = _run(
        "import sys\nsys.set_lazy_imports_filter(lambda importer, name, fromlist: name != 'colorsys')\n"
        "import importworks\nimportworks.activate\nf = sys.get_lazy_imports_filter()\n"
        "print(f('app', 'colorsys', None), f('app', 'json', None), f('importworks.engine.locks', 'weakref', None))\n",
        "-X",
        "lazy_imports=all",
    )
    assert (result.stdout, result.stderr) == ("False True False\n", "")
