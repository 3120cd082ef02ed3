"""The field suite's own machinery, fast: the substitutions, the first-difference report,
the launcher's arguments."""

from __future__ import annotations

import pytest

from . import launch
from .compare import Run, describe, first_difference, normalise, store_substitutions


def test_only_the_documented_things_are_normalised() -> None:
    data = b"1 failed in 0.03s\n<object at 0x7f3a2b1c9d10>\nin 3 files, 0x10 bytes\n"
    assert normalise(data) == b"1 failed in N.NNs\n<object at 0xADDRESS>\nin 3 files, 0x10 bytes\n"


def test_store_paths_read_as_site_packages() -> None:
    extra = store_substitutions("/tmp/s/pip.sqlite", "/root/.cache/importworks", "/v/site-packages")
    data = (
        b"/tmp/s/pip.sqlite/pip/__init__.py\n"
        b"/root/.cache/importworks/pkg/91ef55833ccb8a008cd26bcb96ba438e/pip\n"
        b"/root/.cache/importworks/field/x\n"
    )
    assert normalise(data, extra) == (
        b"/v/site-packages/pip/__init__.py\n/v/site-packages/pip\n/root/.cache/importworks/field/x\n"
    )


def test_first_difference_names_the_line_and_both_versions() -> None:
    report = first_difference(b"a\nb\nc\n", b"a\nB\nc\n", "lazy")
    assert report == (
        "first difference at line 2 (3 lines under python, 3 under lazy):\n"
        "      b'a\\n'\n  python: b'b\\n'\n  lazy: b'B\\n'"
    )
    assert first_difference(b"same", b"same", "lazy") is None


def test_first_difference_at_a_missing_end() -> None:
    report = first_difference(b"a\nb\n", b"a\n", "store")
    assert report.endswith("  python: b'b\\n'\n  store: (end of output)")


def test_describe_names_program_mode_exit_code_and_exception() -> None:
    reference = Run(0, b"ok\n", b"")
    run = Run(1, b"", b'Traceback (most recent call last):\n  File "x", line 1\nValueError: bad\n')
    message = describe("pip", "activate", reference, run)
    assert message.startswith("pip under activate differs from plain python:\nexit code 1 (python: 0)\n")
    assert "exceptions in its stderr, first raised first:\n    ValueError: bad" in message
    assert describe("pip", "activate", reference, reference) is None


@pytest.mark.parametrize(
    "argv, parsed",
    [
        (["lazy", "--", "-m", "pip", "--version"], ("lazy", None, "pip", ["pip", "--version"])),
        (
            ["store", "--store", "a.sqlite", "--", "bin/aws", "--version"],
            ("store", "a.sqlite", None, ["bin/aws", "--version"]),
        ),
    ],
)
def test_launcher_arguments(argv, parsed) -> None:
    assert launch.parse(argv) == parsed


@pytest.mark.parametrize(
    "argv",
    [
        ["activate"],
        ["nope", "--", "x.py"],
        ["store", "--", "x.py"],
        ["activate", "--store", "a.sqlite", "--", "x.py"],
        ["lazy", "--", "-m"],
    ],
)
def test_launcher_refuses_other_forms(argv) -> None:
    with pytest.raises(SystemExit, match="^usage: launch.py"):
        launch.parse(argv)
