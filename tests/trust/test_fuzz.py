"""The fuzz targets of fuzz_readers.py in CI: under hypothesis, then coverage-guided ~8 s each (a minute in all).

The coverage-guided runs need atheris (it builds on 3.11+ and is not in the
test extra): in the test interpreter, or in the one IMPORTWORKS_ATHERIS_PYTHON
names.  Without it they are skipped, saying so; the hypothesis runs always go.
By hand: ``python tests/trust/fuzz_readers.py TARGET -max_total_time=600``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.stores.conftest import NO_POSTGRES, POSTGRES
from tests.trust.fuzz_readers import TARGETS, make_target

HERE = Path(__file__).resolve().parent
BOUNDED = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _needs(name: str) -> None:
    if name == "postgres" and not POSTGRES:
        pytest.skip(NO_POSTGRES + " (the postgres target copies a packed store's rows once)")


@pytest.fixture(scope="module")
def targets(tmp_path_factory):
    made = {}

    def get(name: str):
        if name not in made:
            made[name] = make_target(name, tmp_path_factory.mktemp(f"fuzz-{name}"))
        return made[name]

    return get


@pytest.mark.parametrize("name", sorted(TARGETS))
@BOUNDED
@given(data=st.binary(min_size=1, max_size=600))
def test_each_fuzz_target_under_hypothesis(targets, name, data):
    _needs(name)
    targets(name).one_input(data)  # raises Finding on anything but a store error or the signed module


def _atheris_python() -> str | None:
    given_python = os.environ.get("IMPORTWORKS_ATHERIS_PYTHON")
    if given_python:
        return given_python
    return sys.executable if importlib.util.find_spec("atheris") is not None else None


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_each_fuzz_target_coverage_guided_for_eight_seconds(tmp_path, name):
    _needs(name)
    python = _atheris_python()
    if python is None:
        pytest.skip(
            "atheris is not importable here (pip install atheris on Python 3.11+, or set "
            "IMPORTWORKS_ATHERIS_PYTHON to an interpreter that has it)"
        )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE.parents[1] / "src"), str(HERE.parents[1])]),
        "IMPORTWORKS_CACHE": str(tmp_path / "cache"),
    }
    env.pop("IMPORTWORKS_TRUSTED_KEYS", None)
    result = subprocess.run(
        [
            python,
            "-W",
            "ignore",
            str(HERE / "fuzz_readers.py"),
            name,
            "-max_total_time=8",
            "-rss_limit_mb=2048",
            "-timeout=20",
            f"-artifact_prefix={tmp_path}/crash-",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    runs = re.search(r"Done (\d+) runs", result.stderr)
    assert result.returncode == 0 and runs, result.stderr[-3000:]  # a finding is a non-zero exit and a crash file
    assert int(runs.group(1)) > 50, result.stderr[-1000:]


# inputs the coverage-guided runs found, replayed: (target, input in base64, what it did before the fix)
FOUND = [
    ("zip", "/yoq+vsqKiAHBwcHXgdtAA==", "the index placed the hash table at None: TypeError in verify's walk"),
    (
        "sqlite",
        "WwI1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU=",
        "meta code_bytes past a C long: OverflowError from the read-ahead",
    ),
    ("names", "d18vCl8vCF8KX19fX19fX19fX19fX19fXy8=", "pack took '_/' and '_/\\x08_': a store it could not read"),
]


@pytest.mark.parametrize(("name", "data", "what"), FOUND, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(FOUND)])
def test_what_the_fuzz_targets_found_stays_fixed(targets, name, data, what):
    import base64

    _needs(name)
    targets(name).one_input(base64.b64decode(data))


def test_a_record_line_with_a_nul_is_a_store_error_naming_the_distribution(tmp_path):
    """Found by the names target under hypothesis on Python 3.10: csv.Error ("line contains NUL") came out of
    pack --site-packages, whose RECORD reading did not translate it."""
    from importworks.errors import StoreError
    from importworks.stores.pack import pack

    dist = tmp_path / "site" / "nul_dist-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: nul_dist\nVersion: 1.0\n")
    (dist / "RECORD").write_text('"nul\0.py,,\n"open-quote,,\n')
    try:
        pack([], str(tmp_path / "out.zip"), site_packages=[str(tmp_path / "site")])
    except StoreError as exc:
        assert "its RECORD cannot be parsed" in str(exc)
