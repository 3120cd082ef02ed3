"""The ``importworks`` command line."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from typing import Sequence

from .activation import activate

__all__ = ["main"]

EXIT_OK = 0
EXIT_USAGE = 2


def _run_program(target: list[str], as_module: bool) -> int:
    """Run a script or ``-m`` module as __main__; return its exit status."""
    argv0 = target[0]
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = list(target)
    if not as_module:
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv0)))
    else:
        sys.path.insert(0, os.getcwd())
    try:
        if as_module:
            runpy.run_module(argv0, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(argv0, run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return EXIT_OK
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved_argv
        if sys.path and saved_path0 is not None:
            sys.path.pop(0)
    return EXIT_OK


def _add_program_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", dest="module", metavar="MODULE", help="run a module, like python -m")
    parser.add_argument("program", nargs=argparse.REMAINDER,
                        help="SCRIPT [ARGS...] (or the module's ARGS with -m)")


def _program_target(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[list[str], bool]:
    rest = [a for a in args.program]
    if rest and rest[0] == "--":
        rest = rest[1:]
    if args.module:
        return [args.module, *rest], True
    if not rest:
        parser.error("give a SCRIPT or -m MODULE to run")
    return rest, False


def _cmd_trace(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .diagnostics.report import format_importtime, format_tree, to_json
    from .diagnostics.trace import trace_imports

    target, as_module = _program_target(args, parser)
    with activate(), trace_imports() as tracer:
        status = _run_program(target, as_module)
    if args.format == "tree":
        text = format_tree(tracer, top=args.top)
    elif args.format == "importtime":
        text = format_importtime(tracer)
    else:
        text = to_json(tracer)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        sys.stdout.flush()
        print("\n" + text, file=sys.stderr)
    return status


def _cmd_run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    target, as_module = _program_target(args, parser)
    with activate():
        return _run_program(target, as_module)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="importworks",
                                     description="Python's import system, in Python, that you can see into.")
    commands = parser.add_subparsers(dest="command", required=True)

    trace = commands.add_parser("trace", help="run a program and show every import it made")
    trace.add_argument("--format", choices=("tree", "importtime", "json"), default="tree")
    trace.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of stderr")
    trace.add_argument("--top", type=int, default=None, metavar="N",
                       help="show only the N slowest top-level imports")
    _add_program_arguments(trace)
    trace.set_defaults(handler=_cmd_trace)

    run = commands.add_parser("run", help="run a program with every import going through importworks")
    _add_program_arguments(run)
    run.set_defaults(handler=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``importworks`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.handler(args, parser)
