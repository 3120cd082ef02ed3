"""Fixtures for the diagnostics: another virtual environment, the CLI subcommands."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from importworks.cli.diagnose import register
from importworks.diagnostics import envs
from tests.conftest import build

DIST_NAME = "Fancy-Widgets"
IMPORT_NAME = "fancywidgets_iw"


@pytest.fixture(scope="session")
def doctor_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One parse cache for the session's doctor runs, never the user's own (~/.cache/importworks)."""
    return tmp_path_factory.mktemp("doctor-cache")


@pytest.fixture(autouse=True)
def private_doctor_cache(doctor_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTWORKS_DOCTOR_CACHE", str(doctor_cache))


@pytest.fixture(autouse=True)
def fresh_env_caches() -> Iterator[None]:
    """Each test discovers environments anew (they are cached per process)."""
    envs.clear_caches()
    yield
    envs.clear_caches()


def make_venv(where: Path) -> Path:
    """A real venv (no pip) at *where*; returns its site-packages folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=60)
    (site,) = where.glob("lib/python*/site-packages")
    return site


def install_fake(site: Path, dist: str = DIST_NAME, module: str = IMPORT_NAME, version: str = "1.2") -> None:
    """Drop a package and its .dist-info into *site*, as pip would have."""
    folder = f"{dist.replace('-', '_')}-{version}.dist-info"
    build(
        site,
        {
            module: {"__init__.py": "VALUE = 42\n"},
            folder: {
                "METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n\n",
                "RECORD": f"{module}/__init__.py,,\n{folder}/METADATA,,\n",
            },
        },
    )


@pytest.fixture
def other_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A .venv in the working directory with Fancy-Widgets (import name fancywidgets_iw) in it."""
    project = tmp_path / "project"
    project.mkdir()
    site = make_venv(project / ".venv")
    install_fake(site)
    monkeypatch.chdir(project)
    return project / ".venv"


def venv_python(venv: Path) -> str:
    return str(venv / "bin" / "python")


@pytest.fixture
def cli() -> Callable[..., tuple[int, str, str]]:
    """cli('why', 'json') -> (exit code, stdout, stderr), through a local parser using register()."""

    def run(*argv: str) -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="importworks")
        register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(argv)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = args.handler(args, parser)
        return code, out.getvalue(), err.getvalue()

    return run


def pyenv_python(version: str) -> str | None:
    """An interpreter of this machine for *version* (e.g. '3.12'), if there is one."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(root.glob(f"{version}.*/bin/python")):
        return str(candidate)
    return None
