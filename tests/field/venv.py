"""The field suite's programs, installed once per Python in a cached venv.

The venv lives in ``$IMPORTWORKS_CACHE/field/<X.Y.Z>-<hash>`` (default
``~/.cache/importworks/field/...``), the hash covering requirements.txt, the
base interpreter and :data:`LAYOUT`, so a rerun installs nothing and a change
of pins gets a new venv.  It is built in place under a lock file and counts as
ready only once ``field-ready.json`` is written last, so an interrupted build
is thrown away, never reused.  (A venv cannot be built elsewhere and renamed:
its scripts name their interpreter by absolute path.)

importworks itself is not installed there: the launcher takes it from the
working tree, so one cached venv serves every clone.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
LAYOUT = "1"  # bump when the venv's layout or install options change
READY = "field-ready.json"
PIP_INSTALL = ("-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:")
NETWORK_ERRORS = (
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ConnectTimeout",
    "ReadTimeout",
    "Could not fetch URL",
    "ProxyError",
    "SSLError",
    "Connection refused",
)
NO_WHEEL = re.compile(r"No matching distribution found for (\S+)")
UNREACHABLE = "PyPI cannot be reached (network access is needed the first time)"
SETUP_FAILED = (
    "could not install the field suite's programs into {root}: {what}\n\n"
    "The field suite installs pinned releases from PyPI the first time it runs on a "
    "Python (tests/field/requirements.txt). pip said:\n{output}"
)


class FieldSetupError(Exception):
    """The venv could not be built (no network, a broken pin)."""


@dataclass
class FieldVenv:
    """A ready venv: its folder and the distributions that have no wheel for this Python."""

    root: Path
    unavailable: dict[str, str] = field(default_factory=dict)  # distribution -> pip's reason

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def script(self, name: str) -> Path:
        return self.root / "bin" / name

    @property
    def site_packages(self) -> Path:
        return self.root / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def cache_root() -> Path:
    """``$IMPORTWORKS_CACHE``, else ``$XDG_CACHE_HOME/importworks``, else ``~/.cache/importworks``."""
    root = os.environ.get("IMPORTWORKS_CACHE")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "importworks")
    return Path(root) / "field"


def venv_key(requirements: Path = REQUIREMENTS) -> str:
    """``3.13.0-<12 hex digits>``: this Python, and a hash of what goes into the venv."""
    digest = hashlib.sha256()
    for part in (requirements.read_bytes(), os.fsencode(base_executable()), LAYOUT.encode()):
        digest.update(part + b"\0")
    version = "{}.{}.{}".format(*sys.version_info[:3])
    return f"{version}-{digest.hexdigest()[:12]}"


def base_executable() -> str:
    """The interpreter the running one was made from (the test venv's base Python)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def field_venv(requirements: Path = REQUIREMENTS) -> FieldVenv:
    """Return the ready venv for this Python, building it first if needed."""
    root = cache_root() / venv_key(requirements)
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second session waits for the first one's build
        ready = root / READY
        if not ready.exists():
            shutil.rmtree(root, ignore_errors=True)  # an interrupted build
            unavailable = _build(root, requirements)
            tmp = root / f"{READY}.tmp"
            tmp.write_text(json.dumps({"unavailable": unavailable}, indent=1, sort_keys=True))
            os.replace(tmp, ready)
        state = json.loads(ready.read_text())
    return FieldVenv(root, state["unavailable"])


def _build(root: Path, requirements: Path) -> dict[str, str]:
    """Create the venv and install the pins; return what has no wheel for this Python."""
    _run(root, [base_executable(), "-m", "venv", str(root)], "creating the venv")
    python = str(root / "bin" / "python")
    result = _pip(python, "-r", str(requirements))
    if result.returncode == 0:
        return {}
    _raise_unless_missing_wheel(root, result.stdout)
    unavailable: dict[str, str] = {}
    lines = _requirement_lines(requirements)
    for line in lines:  # which pins cannot resolve here, one by one, installing nothing
        trial = _pip(python, "--dry-run", line)
        if trial.returncode != 0:
            _raise_unless_missing_wheel(root, trial.stdout)
            unavailable[_dist_name(line)] = _last_error(trial.stdout)
    rest = [line for line in lines if _dist_name(line) not in unavailable]
    if not rest:  # pure-Python pins install everywhere: then nothing is reachable
        raise FieldSetupError(SETUP_FAILED.format(root=root, what=UNREACHABLE, output=result.stdout))
    _run(root, [python, *PIP_INSTALL, *rest], "installing the programs")
    return unavailable


def _pip(python: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, *PIP_INSTALL, *args], check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _run(root: Path, command: list[str], what: str) -> None:
    result = subprocess.run(command, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise FieldSetupError(SETUP_FAILED.format(root=root, what=what, output=result.stdout))


def _raise_unless_missing_wheel(root: Path, output: str) -> None:
    if any(marker in output for marker in NETWORK_ERRORS):
        what = UNREACHABLE
    elif NO_WHEEL.search(output):
        return
    else:
        what = "pip failed"
    raise FieldSetupError(SETUP_FAILED.format(root=root, what=what, output=output))


def _requirement_lines(requirements: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in requirements.read_text().splitlines())
    return [line for line in lines if line]


def _dist_name(line: str) -> str:
    """``numpy==2.5.5; python_version >= "3.12"`` -> ``numpy``."""
    return re.split(r"[=<>!~;\[ ]", line, maxsplit=1)[0].lower()


def _last_error(output: str) -> str:
    errors = [line.strip() for line in output.splitlines() if line.startswith("ERROR")]
    return errors[-1] if errors else output.strip().splitlines()[-1]
