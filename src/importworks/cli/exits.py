"""Exit statuses of the ``importworks`` command, the same numbers python uses."""

from __future__ import annotations

__all__ = ["EXIT_CANT_OPEN", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE"]

EXIT_OK = 0
EXIT_FAILED = 1  # an uncaught exception, a module not found, a bad store
EXIT_USAGE = 2  # argparse's status for a malformed command line
EXIT_CANT_OPEN = 2  # python's status when it cannot open the script
EXIT_INTERRUPTED = 130  # what a shell shows for a program killed by SIGINT (128 + 2)
