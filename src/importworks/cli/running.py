"""Running a program as python runs it, with whatever import system is active.

The program gets the sys.argv, sys.path[0], ``__main__`` module (``__file__``,
``__spec__``, ``__loader__``...) that python would give it for the same words,
and its end becomes python's exit status: SystemExit's code, 1 after an
uncaught exception (printed through sys.excepthook, without this module's or
the engine's frames), 130 after Ctrl-C.  When it cannot be started at all,
:class:`~.program.ProgramError` carries python's own message and status.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..diagnostics.hints import add_hints
from ..engine.api import find_spec, import_module
from ..engine.tracebacks import drop_leading_frames, strip_engine_frames
from ..errors import ERR_NOT_FOUND_TO_RUN, EXIT_CANT_OPEN, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, StoreError
from ..stores.sniff import is_store_url
from .program import ProgramError, Target, store_location

__all__ = ["exit_status", "report_uncaught", "run_target", "was_interrupted"]

# python's own messages, after "importworks: " (python puts its path there)
CANT_OPEN = "can't open file {path!r}: [Errno {errno}] {strerror}"
IS_PACKAGE = "{error}; {package!r} is a package and cannot be directly executed"
PACKAGE_AS_MAIN = "Cannot use package as __main__ module"
RELATIVE_NAME = "Relative module names not supported"
FINDING_FAILED = "Error while finding module specification for {name!r} ({type}: {error})"
NO_CODE = "No code object available for {name}"
BAD_MAGIC = "Bad magic number in .pyc file"
NO_MAIN_IN_FOLDER = "can't find '__main__' module in {path!r}"
# ours: a store is not a folder python knows
NO_MAIN_IN_STORE = "store {store} has no __main__ module; name the module to run in it: -m MODULE"

_FINDING_ERRORS = (ImportError, AttributeError, TypeError, ValueError)  # python reports these in one line
_interrupted = False


def was_interrupted() -> bool:
    """Did the last program run end in an uncaught KeyboardInterrupt?"""
    return _interrupted


def run_target(target: Target) -> int:
    """Run *target* as ``__main__``, as python would; return the exit status python would give.

    Raises:
        ProgramError: it cannot be started (no such file or module...), with python's message.
    """
    global _interrupted
    _interrupted = False
    with _program_state(target):
        try:
            code, module = _prepare(target)
            sys.modules["__main__"] = module
            exec(code, module.__dict__)
        except ProgramError:
            raise
        except SystemExit as exc:
            return exit_status(exc)
        except BaseException as exc:  # the program's: reported as python reports it
            return report_uncaught(exc)
    return EXIT_OK


def exit_status(exc: SystemExit) -> int:
    """The process status python gives for *exc* (a code other than an int is printed)."""
    code = exc.code
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_FAILED


def report_uncaught(exc: BaseException) -> int:
    """Print *exc* through sys.excepthook with only the program's frames; return the status."""
    global _interrupted
    if isinstance(exc, ModuleNotFoundError):
        add_hints(exc)  # while the program's sys.path is still in place
    # the frames that lead into the program: this module's, and find_spec's for -m
    runner = {report_uncaught.__code__.co_filename, find_spec.__code__.co_filename}
    exc = strip_engine_frames(drop_leading_frames(exc, runner))
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, exc.__traceback__
    if sys.version_info >= (3, 12):
        sys.last_exc = exc
    _call_excepthook(exc)
    _interrupted = isinstance(exc, KeyboardInterrupt)
    return EXIT_INTERRUPTED if _interrupted else EXIT_FAILED


def _call_excepthook(exc: BaseException) -> None:
    hook = getattr(sys, "excepthook", None) or sys.__excepthook__
    try:
        hook(type(exc), exc, exc.__traceback__)
    except BaseException as hook_error:  # as python does: both, through the original hook
        print("Error in sys.excepthook:", file=sys.stderr)
        sys.__excepthook__(type(hook_error), hook_error, hook_error.__traceback__)
        print("\nOriginal exception was:", file=sys.stderr)
        sys.__excepthook__(type(exc), exc, exc.__traceback__)


# ---------------------------------------------------------------- sys state
@contextmanager
def _program_state(target: Target) -> Iterator[None]:
    """sys.argv and sys.path as python sets them for *target*, then put back with ``__main__``.

    Not put back while threads the program started still run: they go on
    with what python would have left them (their imports need its sys.path).
    """
    saved = sys.argv, list(sys.path), sys.modules.get("__main__")
    threads_before = set(threading.enumerate())
    sys.argv = ["-m", *target.argv[1:]] if target.kind == "module" else list(target.argv)
    # replace the entry the interpreter put first for us (our own script's folder)
    ours = 0 if _safe_path() or not sys.path else 1
    sys.path[:ours] = _program_path(target)
    try:
        yield
    finally:
        started = [t for t in threading.enumerate() if t not in threads_before and not t.daemon]
        if not started:
            sys.argv = saved[0]
            sys.path[:] = saved[1]
            if saved[2] is not None:
                sys.modules["__main__"] = saved[2]


def _absolute(path: str) -> str:
    """*path* from the current folder, not normalised ('./x' stays in it), as python names a script."""
    if os.path.isabs(path) or is_store_url(path):
        return path
    return os.path.join(os.getcwd(), path)


def _safe_path() -> bool:
    """Does this interpreter leave the unsafe first sys.path entry out (-P, -I)?"""
    return bool(getattr(sys.flags, "safe_path", False) or sys.flags.isolated)


def _program_path(target: Target) -> list[str]:
    """The entries python would put first for *target*, after the stores given in front."""
    first = [store_location(store) for store in target.stores]
    if target.kind == "main":  # a folder, zip or store: python always puts it first
        return [*first, _absolute(target.name)]
    if _safe_path() or target.kind == "store-script":
        return first
    if target.kind == "module":
        return [*first, os.getcwd()]
    if target.kind == "script":
        return [*first, os.path.dirname(os.path.realpath(target.name))]
    return [*first, ""]  # -c, -: the current folder, as python names it


# ---------------------------------------------------------------- the __main__ module
def _main_module(**attributes: Any) -> types.ModuleType:
    """A fresh ``__main__`` with what python's has before any code runs."""
    module = types.ModuleType("__main__")
    module.__builtins__ = builtins  # type: ignore[attr-defined]
    if sys.version_info < (3, 14):
        module.__annotations__ = {}
    if sys.version_info >= (3, 15):  # python no longer sets __cached__ on any module
        attributes.pop("__cached__", None)
    for name, value in attributes.items():
        setattr(module, name, value)
    return module


def _prepare(target: Target) -> tuple[types.CodeType, types.ModuleType]:
    """The code of *target* and the module to run it in."""
    if target.kind == "code":
        _remember_command_source(target.name)
        return (_compile(target.name, "<string>"), _main_module(__loader__=importlib.machinery.BuiltinImporter))
    if target.kind == "stdin":
        source = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        return (
            _compile(source, "<stdin>"),
            _main_module(__file__="<stdin>", __cached__=None, __loader__=importlib.machinery.BuiltinImporter),
        )
    if target.kind == "script":
        return _prepare_script(target.name)
    if target.kind == "store-script":
        return _prepare_store_script(target.stores[0], target.name)
    if target.kind == "module":
        return _prepare_spec(_module_spec(target.name), alter_argv=True)
    return _prepare_spec(_main_spec(target.name), alter_argv=False)


def _remember_command_source(code: str) -> None:
    """From 3.13 python shows the lines of -c CODE in tracebacks: linecache holds them."""
    if sys.version_info >= (3, 13):
        import linecache

        lines = [line + "\n" for line in code.splitlines()]
        linecache.cache["<string>"] = (len(code), None, lines, "<string>")


def _compile(source: str | bytes, filename: str) -> types.CodeType:
    return compile(source, filename, "exec", dont_inherit=True)  # not this module's __future__s


def _prepare_script(script: str) -> tuple[types.CodeType, types.ModuleType]:
    from ..finders.loaders import SourceFileLoader, SourcelessFileLoader

    path = _absolute(script)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ProgramError(
            CANT_OPEN.format(path=path, errno=exc.errno, strerror=exc.strerror), EXIT_CANT_OPEN
        ) from None
    if path.endswith(".pyc") or data[:4] == importlib.util.MAGIC_NUMBER:
        if data[:4] != importlib.util.MAGIC_NUMBER:
            raise ProgramError(BAD_MAGIC, EXIT_FAILED)
        loader: Any = SourcelessFileLoader("__main__", path)
        return marshal.loads(data[16:]), _main_module(__file__=path, __cached__=None, __loader__=loader)
    loader = SourceFileLoader("__main__", path)
    return _compile(data, path), _main_module(__file__=path, __cached__=None, __loader__=loader)


def _prepare_store_script(store: str, entry: str) -> tuple[types.CodeType, types.ModuleType]:
    from ..stores.loader import StoreLoader
    from ..stores.opening import cached_store

    loader = StoreLoader(cached_store(store_location(store)), "__main__", entry.replace(os.sep, "/"))
    module = _main_module(__file__=loader.path, __cached__=None, __loader__=loader)
    code = _code_of(loader, "__main__")
    if code is None:
        raise ProgramError(NO_CODE.format(name="__main__"), EXIT_FAILED)
    return code, module


def _code_of(loader: Any, name: str) -> types.CodeType | None:
    """The loader's code for *name*; an ImportError (a tampered store entry) is one line, as python's -m says it."""
    try:
        return loader.get_code(name)
    except ImportError as exc:
        raise ProgramError(str(exc), EXIT_FAILED) from None


def _prepare_spec(spec: Any, alter_argv: bool) -> tuple[types.CodeType, types.ModuleType]:
    code = _code_of(spec.loader, spec.name) if hasattr(spec.loader, "get_code") else None
    if code is None:
        raise ProgramError(NO_CODE.format(name=spec.name), EXIT_FAILED)
    filename = spec.origin if spec.has_location else None
    if alter_argv:
        sys.argv[0] = spec.origin
    module = _main_module(
        __file__=filename, __cached__=spec.cached, __loader__=spec.loader, __package__=spec.parent, __spec__=spec
    )
    return code, module


def _module_spec(name: str) -> Any:
    """The spec ``-m name`` runs: the module's, or its package's ``__main__``.

    Raises:
        ProgramError: not found, or not runnable, in python's words.
    """
    if name.startswith("."):
        raise ProgramError(RELATIVE_NAME, EXIT_FAILED)
    _import_parent(name)
    try:
        spec = find_spec(name)
    except _FINDING_ERRORS as exc:
        raise ProgramError(FINDING_FAILED.format(name=name, type=type(exc).__name__, error=exc), EXIT_FAILED) from None
    if spec is None:
        raise ProgramError(ERR_NOT_FOUND_TO_RUN.format(name=name), EXIT_FAILED)
    if spec.submodule_search_locations is None:
        return spec
    if name == "__main__" or name.endswith(".__main__"):
        raise ProgramError(PACKAGE_AS_MAIN, EXIT_FAILED)
    try:
        return _module_spec(name + ".__main__")
    except ProgramError as exc:
        if name not in sys.modules:  # the package itself failed: that error alone
            raise
        raise ProgramError(IS_PACKAGE.format(error=exc, package=name), EXIT_FAILED) from None


def _import_parent(name: str) -> None:
    """Import *name*'s package first, so that an error inside it is shown as the program's.

    A missing package is left for find_spec to report in one line.
    """
    parent = name.rpartition(".")[0]
    if not parent:
        return
    try:
        import_module(parent)
    except StoreError as exc:  # the store's own words, in one line, as when finding fails (a refused store)
        raise ProgramError(FINDING_FAILED.format(name=name, type=type(exc).__name__, error=exc), EXIT_FAILED) from None
    except ImportError as exc:
        missing = exc.name
        if missing is None or (missing != parent and not parent.startswith(missing + ".")):
            raise


def _main_spec(location: str) -> Any:
    """The spec of the ``__main__`` module in the folder, zip or store *location*."""
    from ..finders.pathfinder import PathFinder

    entry = _absolute(location)
    spec = PathFinder.find_spec("__main__", [entry])
    if spec is None or spec.loader is None:
        if os.path.isdir(entry):
            raise ProgramError(NO_MAIN_IN_FOLDER.format(path=entry), EXIT_FAILED)
        raise ProgramError(NO_MAIN_IN_STORE.format(store=location), EXIT_FAILED)
    return spec
