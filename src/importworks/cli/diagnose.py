"""The ``why``, ``where``, ``path`` and ``doctor`` subcommands of ``importworks``.

``importworks.cli`` calls :func:`register` with its subparsers; each subcommand sets a
``handler(args, parser) -> int``.  This module imports nothing heavy: the
diagnostics load when a handler runs (see :mod:`importworks.diagnostics.isolation` for why they load
with local folders hidden).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from typing import Any

from ..errors import EXIT_CHILD_FAILED, EXIT_FAILED, EXIT_OK

__all__ = [
    "cmd_doctor",
    "cmd_path",
    "cmd_where",
    "cmd_why",
    "register",
    "run_in",
]


CHILD_MARKER = "@@importworks-json@@"
CHILD_TIMEOUT = 60.0
ERR_CHILD = "Could not run the diagnosis with {python}: {reason}"
_SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def register(subparsers: Any) -> None:
    """Add the why/where/path/doctor subcommands to the ``importworks`` parser."""
    why = subparsers.add_parser("why", help="explain, step by step, what importing NAME does and why it fails")
    why.add_argument("name", metavar="NAME", help="dotted module name, as in 'import NAME'")
    why.add_argument("--find-only", action="store_true", help="only search for the module; do not import (execute) it")
    _add_common(why)
    why.set_defaults(handler=cmd_why)

    where = subparsers.add_parser("where", help="where NAME comes from: origin, loader, distribution, copies")
    where.add_argument("name", metavar="NAME")
    _add_common(where)
    where.set_defaults(handler=cmd_where)

    path = subparsers.add_parser("path", help="sys.path in order, with why each entry is there")
    _add_common(path)
    path.set_defaults(handler=cmd_path)

    doctor = subparsers.add_parser("doctor", help="scan a project and this environment for import trouble")
    doctor.add_argument("project", nargs="?", default=".", metavar="PATH", help="project folder (default: .)")
    doctor.add_argument("--json", action="store_true", help="print the findings as JSON")
    doctor.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="CHECK",
        help="skip a check: shadowing, star-imports, cycles, sys-path, pth (repeatable)",
    )
    doctor.set_defaults(handler=cmd_doctor)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--python", metavar="PATH", help="diagnose with this interpreter instead (runs it in a subprocess)"
    )


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def compute(command: str, name: str | None = None, find_only: bool = False) -> dict[str, Any]:
    """Run one diagnosis in this interpreter, with the engine active; return its data."""
    from ..diagnostics.isolation import local_entries_hidden, preload

    saved = list(sys.path)
    _as_python_c()
    try:
        preload()
        from ..diagnostics.syspath import environment_summary, explain_path, startup_code
        from ..diagnostics.where import locate
        from ..diagnostics.why import diagnose
        from ..wiring.activation import activate

        with local_entries_hidden():
            installation = activate()  # what activating imports (tempfile, say) loads past local files too
        with installation:
            if command == "why":
                return diagnose(str(name), execute=not find_only).to_dict()
            if command == "where":
                return locate(str(name))
            return {
                "entries": [e.to_dict() for e in explain_path()],
                "environment": environment_summary(),
                "startup_code": startup_code(),
            }
    finally:
        sys.path[:] = saved


def _as_python_c() -> None:
    """Put the working directory where the launcher's folder is, as ``python -c`` has it.

    The ``importworks`` console script runs with its own ``bin/`` folder as
    sys.path[0]; the question is about the user's imports, which see the
    working directory (``python -c``, ``-m``, the REPL) instead.
    """
    if not sys.path or getattr(sys.flags, "safe_path", False) or not sys.argv or not sys.argv[0]:
        return
    launcher_dir = os.path.dirname(os.path.realpath(sys.argv[0]))
    if os.path.isfile(sys.argv[0]) and sys.path[0] and os.path.realpath(sys.path[0]) == launcher_dir:
        sys.path[0] = os.getcwd()


def run_in(python: str, command: str, name: str | None = None, find_only: bool = False) -> dict[str, Any]:
    """Run the diagnosis in another interpreter (``why_child``) and return its data.

    Raises:
        RuntimeError: the interpreter is missing, too old, or crashed.
    """
    argv = [python, "-m", "importworks.cli.why_child", command]
    argv += [name] if name else []
    argv += ["--find-only"] if find_only else []
    env = dict(os.environ)
    env["IMPORTWORKS_CHILD_PYTHONPATH"] = env.get("PYTHONPATH", "")
    env["IMPORTWORKS_CHILD_SRC"] = _SRC
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SRC, env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=CHILD_TIMEOUT, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(ERR_CHILD.format(python=python, reason=exc)) from None
    head, marker, payload = done.stdout.rpartition(CHILD_MARKER)
    if not marker:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(ERR_CHILD.format(python=python, reason=f"{last} (importworks needs Python 3.10+)"))
    return json.loads(payload)


def _diagnosis(args: argparse.Namespace, command: str) -> dict[str, Any] | None:
    name = getattr(args, "name", None)
    find_only = getattr(args, "find_only", False)
    if args.python:
        try:
            return run_in(args.python, command, name, find_only)
        except RuntimeError as exc:
            sys.stderr.write(f"{exc}\n\nimportworks {command} {name or ''} --python {args.python}\n")
            return None
    with contextlib.redirect_stdout(sys.stderr):  # what imported modules print is not the report
        return compute(command, name, find_only)


def cmd_why(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``importworks why NAME``: exit 0 when the import works, 1 when it does not."""
    from ..diagnostics.diagnosis_text import format_why
    from ..diagnostics.why import OK_OUTCOMES

    data = _diagnosis(args, "why")
    if data is None:
        return EXIT_CHILD_FAILED
    _print(json.dumps(data, indent=1) if args.json else format_why(data))
    return EXIT_OK if data["outcome"] in OK_OUTCOMES else EXIT_FAILED


def cmd_where(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``importworks where NAME``: exit 1 when NAME cannot be imported."""
    from ..diagnostics.diagnosis_text import format_where

    data = _diagnosis(args, "where")
    if data is None:
        return EXIT_CHILD_FAILED
    _print(json.dumps(data, indent=1) if args.json else format_where(data))
    return EXIT_OK if data["ok"] else EXIT_FAILED


def cmd_path(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``importworks path``: sys.path annotated."""
    from ..diagnostics.diagnosis_text import format_path

    data = _diagnosis(args, "path")
    if data is None:
        return EXIT_CHILD_FAILED
    _print(
        json.dumps(data, indent=1)
        if args.json
        else format_path(data["entries"], data["environment"], data.get("startup_code"))
    )
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``importworks doctor [PATH]``: exit 1 when it found an error or a warning (notes alone: 0)."""
    from ..diagnostics.isolation import DOCTOR_DEPENDENCIES, preload

    preload(DOCTOR_DEPENDENCIES)
    from ..diagnostics.doctor import CHECKS, examine, format_findings, serious

    unknown = sorted(set(args.skip) - set(CHECKS))
    if unknown:
        parser.error(f"unknown check(s) for --skip: {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    if not os.path.isdir(args.project):
        parser.error(f"not a folder: {args.project}")
    findings = examine(args.project, skip=args.skip)
    if args.json:
        _print(json.dumps([f.to_dict() for f in findings], indent=1))
    else:
        _print(format_findings(findings, args.project))
    return EXIT_FAILED if serious(findings) else EXIT_OK
