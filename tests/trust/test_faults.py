"""Faults: a pack that runs out of space leaves the previous store intact (issue 17, item 4)."""

from __future__ import annotations

import sys

import pytest

from importworks.stores.finder import open_store
from importworks.stores.verify import verify_store
from tests.conftest import build, run_python

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")


@pytest.mark.parametrize("kind", ["sqlite", "zip"])
def test_a_pack_that_runs_out_of_space_leaves_the_previous_store(tmp_path, kind):
    small = build(tmp_path / "small", {"small_mod.py": "VALUE = 'previous'\n"})
    big = build(tmp_path / "big", {f"big_{i}.py": "X = %r\n" % ("x" * 20000 + str(i)) for i in range(40)})
    out = tmp_path / f"app.{kind}"
    result = run_python(f"""
        import resource, signal, sys
        from importworks.stores.pack import pack
        pack([{str(small)!r}], {str(out)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        try:
            pack([{str(big)!r}], {str(out)!r})
        except (OSError, Exception) as exc:
            print("failed:", type(exc).__name__)
        else:
            print("packed")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("failed:"), result.stdout
    with open_store(str(out)) as store:
        assert sorted(store.index) == ["small_mod.py", "small_mod.pyc"][: len(store.index)]
        assert verify_store(store).ok
        assert store.read("small_mod.py") == b"VALUE = 'previous'\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".", "app.")) and p != out]
