"""The program a command runs, named the way python names it.

``run``, ``trace`` and ``dev`` take ``[STORE...] (-m MODULE | -c CODE | SCRIPT | -) [ARGS]``
after their own options.  Everything after the program's first token belongs to
the program, untouched, whatever it looks like.

A store in front is told from a SCRIPT by what the word is: a ``postgresql://``
URL, a name ending ``.sqlite``/``.sqlite3``/``.zip``/``.pyz``, or a file whose bytes
are a SQLite database or a zip archive.  Such a word must then really be a store:
a Python script named ``app.sqlite`` is refused, never run.  A store with nothing
after it is the program itself (its ``__main__``, like ``python app.zip``); so is
the last store when the word after it is not a program (``-m``, ``-c``, ``-``, a
``.py`` file, a folder or a file inside the first store): those words are its
arguments.
"""

from __future__ import annotations

import argparse
import os
import warnings
from dataclasses import dataclass, field

from ..errors import StoreError
from ..stores import registry
from ..stores.finder import CLAIMED_SUFFIXES
from ..stores.sniff import is_sqlite_file, is_zip_file

__all__ = [
    "PROGRAM_ERROR",
    "PROGRAM_HELP",
    "PROGRAM_USAGE",
    "STORE_ERROR",
    "ProgramError",
    "Target",
    "add_program_argument",
    "parse_program_options",
    "parse_target",
    "split_program_args",
]

# how main() words a ProgramError and a StoreError: python's "<its path>: <message>"
PROGRAM_ERROR = "importworks: {error}"
STORE_ERROR = "importworks {command}: {error}"
PROGRAM_USAGE = "[STORE...] (-m MODULE | -c CODE | SCRIPT | -) [ARGS...]"
PROGRAM_HELP = (
    "-m MODULE, -c CODE, SCRIPT (a file, or a folder or zip with __main__.py) or - (stdin), as "
    "with python; every word after it is the program's. STOREs (.sqlite, .zip, postgresql://...) "
    "in front go first on sys.path; a STORE alone runs its __main__"
)

# usage errors (argparse's parser.error: usage, then this line, exit 2)
NO_PROGRAM = "give the program to run: -m MODULE, -c CODE, SCRIPT or -"
ARGUMENT_EXPECTED = "argument expected for the {option} option"
# a word in store position that is no store: exit 1, never run
NOT_A_STORE = (
    "{name} is not a store (a SQLite database, a zip archive or a postgresql:// URL): it is {what}; not running it"
)
NO_SUCH_STORE = "store {name} does not exist"

SCRIPT_SUFFIXES = (".py", ".pyw", ".pyc")
OTHER_DATA = "a file of other data"
_SNIFF_BYTES = 1 << 20  # enough to say what a small file is; a bigger one is "data"


class ProgramError(RuntimeError):
    """The program cannot be started; ``status`` is the exit status python gives for it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Target:
    """What to run, as python would: ``kind`` is module, code, stdin, script, store-script or main.

    ``main`` runs the ``__main__`` module of ``name``: a folder, a zip or a store.
    ``stores`` go first on sys.path.  ``argv`` is the program's sys.argv (for a
    module python replaces argv[0] with its file once found).
    """

    kind: str
    name: str
    argv: list[str]
    stores: list[str] = field(default_factory=list)

    @property
    def module(self) -> str | None:
        return self.name if self.kind == "module" else None

    @property
    def home(self) -> str:
        """The folder the program's own files are in: the script's, else the current one."""
        if self.kind == "script":
            return os.path.dirname(os.path.realpath(self.name))
        if self.kind == "main" and os.path.isdir(self.name):
            return os.path.realpath(self.name)
        return os.getcwd()


def store_location(word: str) -> str:
    """What sys.path gets for a store named *word*: the URL, or the file's absolute path."""
    return word if registry.is_url(word) else os.path.abspath(word)


# ---------------------------------------------------------------- splitting a command line
def add_program_argument(parser: argparse.ArgumentParser) -> None:
    """The PROGRAM positional, for help; its words are split off by :func:`split_program_args`."""
    parser.add_argument("program", nargs=argparse.REMAINDER, metavar="PROGRAM", help=PROGRAM_HELP)


def parse_program_options(parser: argparse.ArgumentParser, tokens: list[str]) -> argparse.Namespace:
    """Parse the options in front of *tokens*' program; ``.program`` gets the program's words."""
    own, program = split_program_args(parser, tokens)
    args = parser.parse_args(own)
    args.program = program
    return args


def split_program_args(parser: argparse.ArgumentParser, tokens: list[str]) -> tuple[list[str], list[str]]:
    """(*parser*'s own options, the program and its arguments) from the words after a command.

    The program starts at the first word that is not one of *parser*'s options
    (or a value of one), or after ``--``.
    """
    own: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            return own, tokens[i + 1 :]
        if not token.startswith("-") or token == "-" or _starts_program(token):
            break
        own.append(token)
        i += 1
        values = _values_taken(parser, token)
        own.extend(tokens[i : i + values])
        i += values
    return own, tokens[i:]


def _starts_program(token: str) -> bool:
    return token[:2] in ("-m", "-c") and not token.startswith("--")


def _values_taken(parser: argparse.ArgumentParser, token: str) -> int:
    """How many of the following words the option *token* takes as its value."""
    # argparse keeps no public map of option strings; parse_args itself reads this one
    actions = parser._option_string_actions
    name, equals, _ = token.partition("=")
    action = actions.get(name)
    if action is None and not token.startswith("--"):
        action = actions.get(token[:2])  # -oFILE: the value attached
        equals = "=" if action is not None and len(token) > 2 else equals
    if action is None or equals or action.nargs == 0:
        return 0  # unknown options are left for argparse to report
    return action.nargs if isinstance(action.nargs, int) else 1


# ---------------------------------------------------------------- the program's words
def parse_target(tokens: list[str], parser: argparse.ArgumentParser) -> Target:
    """The program of ``[STORE...] (-m MODULE | -c CODE | SCRIPT | -) [ARGS...]``.

    Raises:
        StoreError: a word in store position is not a store (never run).
        SystemExit: through ``parser.error`` when no program is given.
    """
    tokens = list(tokens)
    stores: list[str] = []
    while tokens and claims_store(tokens[0]):
        stores.append(check_store(tokens.pop(0)))
    if not tokens:
        if not stores:
            parser.error(NO_PROGRAM)
        return Target("main", stores[-1], [stores[-1]], stores[:-1])
    first, rest = tokens[0], tokens[1:]
    form = _python_form(first, rest, parser)
    if form is not None:
        form.stores = stores
        return form
    if stores and not _is_script_after(first, stores):  # words for the last store's __main__
        return Target("main", stores[-1], [stores[-1], *tokens], stores[:-1])
    if stores and not os.path.exists(first) and _store_has(stores[0], first):
        return Target("store-script", first, tokens, stores)
    return Target("main" if os.path.isdir(first) else "script", first, tokens, stores)


def _python_form(first: str, rest: list[str], parser: argparse.ArgumentParser) -> Target | None:
    """-m MODULE, -c CODE (also attached: -mpkg, -c'code') or -; None for a SCRIPT."""
    if first == "-":
        return Target("stdin", "-", ["-", *rest])
    if not _starts_program(first):
        return None
    option, value = first[:2], first[2:]
    if not value:
        if not rest:
            parser.error(ARGUMENT_EXPECTED.format(option=option))
        value, rest = rest[0], rest[1:]
    if option == "-m":
        return Target("module", value, [value, *rest])
    return Target("code", value, ["-c", *rest])


def _is_script_after(word: str, stores: list[str]) -> bool:
    """After stores, is *word* the program rather than the first argument of the last store's?"""
    if word.endswith(SCRIPT_SUFFIXES) or os.path.isdir(word):
        return True
    return _store_has(stores[0], word)


def _store_has(store: str, entry: str) -> bool:
    from ..stores.opening import cached_store

    try:
        return cached_store(store_location(store)).is_file(entry.replace(os.sep, "/"))
    except (StoreError, ValueError):
        return False


# ---------------------------------------------------------------- telling a store
def claims_store(word: str) -> bool:
    """Is *word*, in store position, meant as a store (by its scheme, its name or its bytes)?"""
    if registry.is_url(word):
        return True
    if "://" in word:  # a scheme no backend known so far serves: another distribution's, perhaps
        return registry.claim(word) is not None
    if os.path.isdir(word):
        return False  # a folder is a SCRIPT (its __main__.py), as with python
    if word.endswith(CLAIMED_SUFFIXES) or is_sqlite_file(word) or is_zip_file(word):
        return True
    # a script by its name is never asked about: other backends are looked up (importlib.metadata,
    # milliseconds) only for a file that could be theirs
    return not word.endswith((".py", ".pyw")) and registry.claims_content(word)


def check_store(word: str) -> str:
    """*word* itself, once it is known to be a store that opens.

    Raises:
        StoreError: it is something else (saying what), missing, or broken.
    """
    if registry.is_url(word):
        registry.claim(word).backend.locate(word)  # type: ignore[union-attr]  # the shape now; the connection when opened
    elif not os.path.exists(word):
        raise StoreError(NO_SUCH_STORE.format(name=word), path=word)
    elif not (is_sqlite_file(word) or is_zip_file(word) or registry.claims_content(word)):
        what = describe_file(word)
        if not (what == OTHER_DATA and word.endswith(CLAIMED_SUFFIXES)):
            raise StoreError(NOT_A_STORE.format(name=word, what=what), path=word)
        # data named as a store, most likely a damaged one: what its backend says, as verify does
    _open(word)
    return word


def _open(word: str) -> None:
    """Open the store now, so that a broken one stops the command instead of warning later."""
    from ..stores.opening import cached_store, forget_store

    location = store_location(word)
    try:
        cached_store(location).index  # noqa: B018  (reading the index is what checks it)
    except StoreError:
        forget_store(location)
        raise


def describe_file(path: str) -> str:
    """What a file that is not a store is, in a few words: 'a Python script', 'an empty file'..."""
    try:
        with open(path, "rb") as f:
            data = f.read(_SNIFF_BYTES + 1)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if not data:
        return "an empty file"
    if len(data) > _SNIFF_BYTES or b"\0" in data:
        return OTHER_DATA
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return OTHER_DATA
    import ast  # only for a file that is refused anyway

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a SyntaxWarning says nothing about what it is
            tree = ast.parse(text, path)  # parsed only, never run
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "a text file"
    # a word ("garbage") parses too; a script does something: it calls, binds, imports...
    if all(isinstance(node, ast.Expr) and isinstance(node.value, (ast.Name, ast.Constant)) for node in tree.body):
        return "a text file" if tree.body else "a file of blank lines or comments"
    return "a Python script"
