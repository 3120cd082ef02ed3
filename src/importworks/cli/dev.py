"""``importworks dev [--check CMD] [STORE...] (-m MODULE | -c CODE | SCRIPT | -) [ARGS]``: apply edits live.

The program runs in the main thread with the engine active; a watcher thread
reloads the modules whose files are saved and prints one line per reload on
stderr (what changed, how long it took).  With ``--check CMD`` an edit is
applied only when the shell command CMD exits 0; otherwise the running code is
kept, and the line says why.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import EXIT_FAILED, StoreError
from .program import PROGRAM_ERROR, STORE_ERROR, ProgramError, add_program_argument, parse_program_options, parse_target

__all__ = ["main", "register", "run_dev"]

HELP = "run a program and apply edits to its modules as they are saved"
USAGE = (
    "importworks dev [--check CMD] [--no-dependents] [--poll] [STORE...] (-m MODULE | -c CODE | SCRIPT | -) [ARGS...]"
)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", metavar="CMD", help="apply an edit only when this shell command passes (e.g. a fast test run)"
    )
    parser.add_argument(
        "--no-dependents",
        dest="dependents",
        action="store_false",
        help="reload only the edited modules, not the modules importing them",
    )
    parser.add_argument("--poll", action="store_true", help="poll files instead of using watchfiles")
    add_program_argument(parser)  # the program's words are split off before parsing (cli.program)


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``dev`` command to the ``importworks`` command line."""
    parser = subparsers.add_parser(
        "dev", help=HELP, usage=USAGE, description=__doc__.split("\n\n")[1], allow_abbrev=False
    )
    _add_arguments(parser)
    parser.set_defaults(handler=run_dev)
    return parser


def run_dev(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the program of *args* under a watcher; return its exit status."""
    from ..reload.watch import Watcher, command_check
    from ..wiring.activation import activate
    from .running import run_target

    target = parse_target(args.program, parser)
    root = target.home
    check = command_check(args.check) if args.check else None
    watcher = Watcher(dependents=args.dependents, check=check, roots=[root], backend="poll" if args.poll else "auto")
    with activate():
        watcher.start()
        try:
            return run_target(target)
        finally:
            watcher.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m importworks.cli.dev ...``: the dev command on its own."""

    parser = argparse.ArgumentParser(
        prog="importworks dev", usage=USAGE, description=__doc__.split("\n\n")[1], allow_abbrev=False
    )
    _add_arguments(parser)
    args = parse_program_options(parser, list(sys.argv[1:] if argv is None else argv))
    try:
        return run_dev(args, parser)
    except ProgramError as exc:  # worded as main() in importworks.cli words it
        print(PROGRAM_ERROR.format(error=exc), file=sys.stderr)
        return exc.status
    except StoreError as exc:
        print(STORE_ERROR.format(command="dev", error=exc), file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
