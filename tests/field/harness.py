"""How the field suite runs a program in each mode, serves it HTTP, and packs its store."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .compare import Run
from .programs import Program
from .venv import FieldVenv
from .venv import cache_root as field_cache

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"
LAUNCH = HERE / "launch.py"
DRIVERS = HERE / "drivers"
RUN_TIMEOUT = 180  # seconds for one run of one program
PACK_CODE = "import sys; sys.path.append(sys.argv.pop(1)); from importworks.cli import main; raise SystemExit(main())"
HELLO = b"hello from the field suite\n"
# The environment every run gets: the caller's, less anything that steers Python,
# pytest or a proxy, plus fixed settings that make the programs' output repeatable.
DROPPED = (
    "PYTHON",
    "PYTEST_",
    "COLUMNS",
    "LINES",
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "AWS_",
)


class FieldHandler(http.server.BaseHTTPRequestHandler):
    """Serve /hello.txt with fixed headers (Date and Server too), 404 for the rest."""

    def do_GET(self) -> None:
        found = self.path == "/hello.txt"
        body = HELLO if found else b"not here\n"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        return "field-server/1.0"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return "Tue, 01 Dec 2026 00:00:00 GMT"

    def log_message(self, format: str, *args: object) -> None:
        pass


def run_environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(DROPPED)}
    env.update(
        PYTHONHASHSEED="0",
        LC_ALL="C.UTF-8",
        COLUMNS="80",
        LINES="24",
        TERM="dumb",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        HTTPIE_CONFIG_DIR=str(work / ".httpie"),
        BLACK_CACHE_DIR=str(work / ".black"),
        AWS_CONFIG_FILE=str(work / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def target(program: Program, venv: FieldVenv, url: str) -> list[str]:
    """The program's part of a command line: SCRIPT or -m MODULE, then its arguments."""
    if program.script:
        first = [str(venv.script(program.script))]
    elif program.module:
        first = ["-m", program.module]
    else:
        first = [str(DRIVERS / program.driver)]
    return first + [arg.replace("{url}", url) for arg in program.args]


def command(program: Program, mode: str, venv: FieldVenv, url: str, store: Path | None) -> list[str]:
    """The whole command line of *program* in *mode*."""
    python = str(venv.python)
    if mode == "stock":
        program_part = target(program, venv, url)
        return program_part if program.script else [python, *program_part]
    if mode == "store":
        # -s -S: no site-packages, no user site; not -I, which would drop PYTHONHASHSEED too
        return [python, "-s", "-S", str(LAUNCH), "store", "--store", str(store), "--", *target(program, venv, url)]
    return [python, str(LAUNCH), mode, "--", *target(program, venv, url)]


class Runner:
    """Runs programs in fresh processes, each in its own work folder rebuilt before every run."""

    def __init__(self, venv: FieldVenv, url: str, root: Path) -> None:
        self.venv, self.url, self.root = venv, url, root
        self._references: dict[str, Run] = {}

    def work(self, program: Program) -> Path:
        folder = self.root / program.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, text in program.files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    def run(self, program: Program, mode: str, store: Path | None = None) -> Run:
        folder = self.work(program)
        try:
            result = subprocess.run(
                command(program, mode, self.venv, self.url, store),
                check=False,
                cwd=folder,
                input=program.stdin,
                capture_output=True,
                env=run_environment(folder),
                timeout=RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:  # a hang is a difference like any other
            note = f"\n[field suite: killed after {RUN_TIMEOUT} s]\n".encode()
            return Run(-9, exc.stdout or b"", (exc.stderr or b"") + note)
        return Run(result.returncode, result.stdout, result.stderr)

    def reference(self, program: Program) -> Run:
        """Plain python's run, made once per session."""
        if program.name not in self._references:
            self._references[program.name] = self.run(program, "stock")
        return self._references[program.name]


class StoreFactory:
    """Packs a program's ``--dist NAME --deps`` into a SQLite store once per session, on first use."""

    def __init__(self, venv: FieldVenv, root: Path) -> None:
        self.venv, self.root = venv, root
        self._stores: dict[tuple[str, ...], Path | str] = {}  # a store, or why packing failed

    def __call__(self, program: Program) -> Path:
        dists = (program.dist, *program.pack_also)
        if dists not in self._stores:
            self._stores[dists] = self._pack(dists)
        store = self._stores[dists]
        if isinstance(store, str):
            pytest.fail(store, pytrace=False)
        return store

    def _pack(self, dists: tuple[str, ...]) -> Path | str:
        store = self.root / f"{dists[0]}.sqlite"
        options = [arg for dist in dists for arg in ("--dist", dist)] + ["--deps", "-o", str(store)]
        args = [str(self.venv.python), "-c", PACK_CODE, str(SRC), "pack", *options]
        result = subprocess.run(
            args, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT
        )
        if result.returncode != 0:
            output = result.stdout.decode(errors="replace").rstrip()
            return f"importworks pack {' '.join(options)} failed ({result.returncode}):\n{output}"
        return store


def cache_root() -> str:
    """importworks' own cache (where stores materialise files), the field venvs' parent."""
    return str(field_cache().parent)


def python_version() -> str:
    return "{}.{}".format(*sys.version_info[:2])
