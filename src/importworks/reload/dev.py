"""``importworks dev [--check CMD] [STORE...] (SCRIPT | -m MODULE) [ARGS]``: run a program, apply edits live.

The program runs in the main thread with the engine active; a watcher thread
reloads the modules whose files are saved and prints one line per reload on
stderr (what changed, how long it took).  With ``--check CMD`` an edit is
applied only when the shell command CMD exits 0; otherwise the running code is
kept, and the line says why.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

__all__ = ["main", "register", "run_dev"]

HELP = "run a program and apply edits to its modules as they are saved"
PROGRAM_HELP = "[STORE...] (SCRIPT | -m MODULE) [ARGS...]"
USAGE = f"importworks dev [--check CMD] [--no-dependents] [--poll] {PROGRAM_HELP}"


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", metavar="CMD",
                        help="apply an edit only when this shell command passes (e.g. a fast test run)")
    parser.add_argument("--no-dependents", dest="dependents", action="store_false",
                        help="reload only the edited modules, not the modules importing them")
    parser.add_argument("--poll", action="store_true", help="poll files instead of using watchfiles")
    parser.add_argument("program", nargs=argparse.REMAINDER, help=PROGRAM_HELP)


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``dev`` command to the ``importworks`` command line."""
    parser = subparsers.add_parser("dev", help=HELP, usage=USAGE, description=__doc__.split("\n\n")[1])
    _add_arguments(parser)
    parser.set_defaults(handler=run_dev)
    return parser


def run_dev(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the program of *args* under a watcher; return its exit status."""
    from ..activation import activate
    from ..cli import parse_target, run_target  # not at import time: cli registers this module
    from .watch import Watcher, command_check

    target = parse_target(args.program, parser)
    script = target.argv[0]
    root = os.path.dirname(os.path.abspath(script)) if target.module is None and os.path.exists(script) \
        else os.getcwd()
    check = command_check(args.check) if args.check else None
    watcher = Watcher(dependents=args.dependents, check=check, roots=[root],
                      backend="poll" if args.poll else "auto")
    with activate():
        watcher.start()
        try:
            return run_target(target)
        finally:
            watcher.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m importworks.reload.dev ...``: the dev command on its own."""
    parser = argparse.ArgumentParser(prog="importworks dev", usage=USAGE, description=__doc__.split("\n\n")[1])
    _add_arguments(parser)
    args = parser.parse_args(argv)
    return run_dev(args, parser)


if __name__ == "__main__":
    sys.exit(main())
