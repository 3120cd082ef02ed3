"""Run a program the way ``python`` would, with importworks in charge of importing.

    python launch.py MODE [--store STORE] -- (-m MODULE | SCRIPT) [ARGS...]

MODE is ``activate`` (``importworks.activate()``), ``lazy``
(``importworks.activate(lazy="all")``) or ``store`` (``activate()`` with STORE
on ``sys.path`` where site-packages would be; meant for ``python -s -S``, so
nothing else is installed).  A console script is run as SCRIPT: its file in
the venv's ``bin/`` holds the very code the user's command runs.

importworks comes from the working tree's ``src`` (this file's repository),
appended to ``sys.path`` after everything the program could import from, so
the program's own view of ``sys.path`` starts exactly as under ``python``.
The launcher's own folder, which ``python`` put first, is replaced by what
``python`` would have put there for the program: the working directory for
``-m``, the script's real folder for a script.

This is what ``importworks run`` does too; the suite uses its own launcher so
that it depends only on the engine, not on the command line's argument forms.
"""

from __future__ import annotations

import os
import runpy
import sys

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src")
MODES = ("activate", "lazy", "store")
USAGE = "usage: launch.py MODE [--store STORE] -- (-m MODULE | SCRIPT) [ARGS...]"


def parse(argv: list[str]) -> tuple[str, str | None, str | None, list[str]]:
    """Return (mode, store, module, program argv) from the launcher's arguments."""
    if len(argv) < 3 or argv[0] not in MODES:
        raise SystemExit(USAGE)
    mode, rest = argv[0], argv[1:]
    store = None
    if rest[:1] == ["--store"]:
        store, rest = rest[1], rest[2:]
    if rest[:1] != ["--"] or len(rest) < 2 or (mode == "store") != (store is not None):
        raise SystemExit(USAGE)
    program = rest[1:]
    if program[0] == "-m":
        if len(program) < 2:
            raise SystemExit(USAGE)
        return mode, store, program[1], program[1:]
    return mode, store, None, program


def main() -> None:
    mode, store, module, program = parse(sys.argv[1:])
    first = os.getcwd() if module is not None else os.path.dirname(os.path.realpath(program[0]))
    sys.path[0] = first
    if store is not None:
        sys.path.append(os.path.abspath(store))  # where site-packages would be
    sys.path.append(SRC)
    import importworks

    importworks.activate(lazy="all" if mode == "lazy" else "listed")
    sys.argv = program
    if module is not None:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        runpy.run_path(program[0], run_name="__main__")


if __name__ == "__main__":
    main()
