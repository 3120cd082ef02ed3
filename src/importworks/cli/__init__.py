"""The ``importworks`` command line: ``main(argv)``.

``run``, ``trace`` and ``dev`` take a program the way python does (see
:mod:`.program`) and run it the way python does (see :mod:`.running`); ``pack``,
``ls``, ``verify`` and ``keygen`` build, inspect and sign stores; ``why``, ``where``, ``path`` and
``doctor`` are in :mod:`.diagnose`.  This module imports the commands only when
it builds the parser, so that ``python -m importworks.cli.why_child`` (a
diagnosis in another interpreter) does not pay for them.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import signal
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import EXIT_CANT_OPEN, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, StoreError
from .program import PROGRAM_ERROR, STORE_ERROR, ProgramError, split_program_args

__all__ = [
    "EXIT_CANT_OPEN",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "VERSION",
    "build_parser",
    "main",
]

VERSION = f"importworks {__version__} (Python {platform.python_version()})"


class CommandLine(argparse.ArgumentParser):
    """The top-level parser; knows which commands take a program (whose words are not its own)."""

    program_parsers: dict[str, argparse.ArgumentParser]
    commands: dict[str, argparse.ArgumentParser]

    def parse_command_line(self, argv: list[str]) -> argparse.Namespace:
        """Like parse_args, but the words after a run/trace/dev program go to the program untouched."""
        position = next((i for i, word in enumerate(argv) if not word.startswith("-")), None)
        if position is None or argv[position] not in self.program_parsers:
            return self.parse_args(argv)
        own, program = split_program_args(self.program_parsers[argv[position]], argv[position + 1 :])
        args = self.parse_args([*argv[: position + 1], *own])
        args.program = program
        return args


def build_parser() -> CommandLine:
    """The ``importworks`` parser with every command registered."""
    parser = CommandLine(prog="importworks", description="Python's import system, in Python, that you can see into.")
    parser.add_argument("--version", action="version", version=VERSION)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=argparse.ArgumentParser)
    from . import dev, diagnose, program_commands, store_commands

    parser.program_parsers = program_commands.register(commands)  # trace, run
    parser.program_parsers["dev"] = dev.register(commands)  # run a program, apply edits as they are saved
    store_commands.register(commands)  # pack, ls, verify, keygen
    diagnose.register(commands)  # why, where, path, doctor
    parser.commands = commands.choices  # so that a command's errors show its own usage
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``importworks`` command; return its exit status.

    With *argv* None this is the process's own command line: a program ended
    by Ctrl-C then ends the process by SIGINT after the exit handlers, as
    python does (a shell sees status 130 and stops a loop).  Called with a
    list, it returns 130 instead.
    """
    if argv is None:
        atexit.register(_end_by_sigint_if_interrupted)  # before the program's: runs after them
    parser = build_parser()
    args = parser.parse_command_line(list(sys.argv[1:] if argv is None else argv))
    try:
        return args.handler(args, parser.commands[args.command])
    except ProgramError as exc:
        print(PROGRAM_ERROR.format(error=exc), file=sys.stderr)
        return exc.status
    except StoreError as exc:
        print(STORE_ERROR.format(command=args.command, error=exc), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # `importworks ls big.sqlite | head`
        sys.stderr.close()
        return EXIT_OK


def _end_by_sigint_if_interrupted() -> None:
    from .running import was_interrupted

    if not was_interrupted() or os.name != "posix":  # elsewhere the status (130) says it
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
