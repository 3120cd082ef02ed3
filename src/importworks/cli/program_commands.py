"""``importworks run`` and ``importworks trace``: a program, run the way python runs it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..wiring.activation import activate
from .program import PROGRAM_USAGE, add_program_argument, parse_target
from .running import run_target

__all__ = ["register"]

TRACE_FORMATS = ("tree", "importtime", "importtime=2", "json", "speedscope", "chrome")
TRACE_USAGE = f"importworks trace [--format FORMAT] [-o FILE] [--top N] [--unused | --lazy] {PROGRAM_USAGE}"
RUN_USAGE = f"importworks run {PROGRAM_USAGE}"
RUN_DESCRIPTION = (
    "Run a program with every import going through importworks, the way python runs it: "
    "the same sys.argv, sys.path[0], __main__ module, exit status and error lines."
)
TRACE_DESCRIPTION = "Run a program as `importworks run` does, then report every import it made."


def _cmd_run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    target = parse_target(args.program, parser)
    with activate():
        return run_target(target)


def _cmd_trace(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..diagnostics.trace import trace_imports

    target = parse_target(args.program, parser)
    if args.unused:
        from ..lazy import format_unused, probe_usage, unused_imports

        with activate(lazy=None), trace_imports() as tracer, probe_usage(tracer):
            status = run_target(target)
        _emit(format_unused(unused_imports(tracer), top=args.top), args.output)
        return status
    if args.lazy:
        return _trace_lazy(target, args)
    with activate(), trace_imports(account=True, module_run=target.kind == "module") as tracer:
        status = run_target(target)
    _emit(_report(tracer, args.format, args.top), args.output)
    return status


def _trace_lazy(target: Any, args: argparse.Namespace) -> int:
    """Run with lazy="all" and list every lazy import, where it was first used, and what stayed eager."""
    import json

    from .. import lazy

    # 3.15+: the interpreter's lazy objects, recorded through its filter and the engine's reifications
    with activate(lazy="all"), lazy.record_lazy_imports() as report:
        status = run_target(target)
    _emit(json.dumps(report.as_dict(), indent=1) if args.format == "json" else report.format(), args.output)
    return status


def _report(tracer: Any, form: str, top: int | None) -> str:
    from ..diagnostics.exports import to_chrome_trace, to_speedscope
    from ..diagnostics.trace_formats import format_importtime, format_tree, to_json

    if form == "tree":
        return format_tree(tracer, top=top)
    if form.startswith("importtime"):
        return format_importtime(tracer, cached=form == "importtime=2")
    if form == "speedscope":
        return to_speedscope(tracer)
    if form == "chrome":
        return to_chrome_trace(tracer)
    return to_json(tracer)


def _emit(text: str, output: str | None) -> None:
    """A report goes to *output*, or to stderr after the program's own output."""
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        sys.stdout.flush()
        print("\n" + text, file=sys.stderr)


def register(commands: Any) -> dict[str, argparse.ArgumentParser]:
    """Add trace and run to the ``importworks`` subcommands; return their parsers by name."""
    trace = commands.add_parser(
        "trace",
        help="run a program and show every import it made",
        usage=TRACE_USAGE,
        allow_abbrev=False,
        description=TRACE_DESCRIPTION,
    )
    trace.add_argument("--format", choices=TRACE_FORMATS, default="tree")
    trace.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of stderr")
    trace.add_argument("--top", type=int, default=None, metavar="N", help="show only the N slowest top-level imports")
    trace.add_argument(
        "--unused",
        action="store_true",
        help="list modules imported but never used after import, with their cost (candidates for __lazy_modules__)",
    )
    trace.add_argument(
        "--lazy",
        action="store_true",
        help='run with lazy="all" and list every lazy import: where it was written, where it '
        "was first used (or that it never was), and the imports a rule kept eager "
        "(--format json for a machine-readable list)",
    )
    add_program_argument(trace)
    trace.set_defaults(handler=_cmd_trace)

    run = commands.add_parser(
        "run",
        help="run a program (from stores first on sys.path) through importworks",
        usage=RUN_USAGE,
        allow_abbrev=False,
        description=RUN_DESCRIPTION,
    )
    add_program_argument(run)
    run.set_defaults(handler=_cmd_run)
    return {"trace": trace, "run": run}
