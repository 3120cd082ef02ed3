"""Failed imports show the user's frames, not the import system's.

CPython's C import removes its own ``importlib._bootstrap`` frames from the
traceback of a failed import.  importworks does the same for its engine files
(and for the stock bootstrap's, which run under our engine whenever the stock
finders are still on sys.meta_path): every such frame for an ImportError or a
SyntaxError, and for other errors the frames that merely lead into user code.
A program run by ``importworks run`` loses the runner's leading frames too, so
its traceback is the one python prints for it.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Collection
from types import CodeType, TracebackType
from typing import Any, Literal

__all__ = ["DropEntryFrame", "drop_leading_frames", "register_engine_file", "strip_engine_frames"]

_ENGINE_FILES: set[str] = {
    "<frozen importlib._bootstrap>",
    "<frozen importlib._bootstrap_external>",
}


def register_engine_file(path: str) -> None:
    """Hide frames of *path* from tracebacks of failed imports."""
    _ENGINE_FILES.add(path)


def strip_engine_frames(exc: BaseException) -> BaseException:
    """Drop the engine's own frames from *exc*'s traceback, as CPython does.

    For an ImportError or a SyntaxError every engine frame goes; for any other
    error only the engine frames that lead into user code go, so a bug in the
    engine itself still shows where it happened.  ``python -v`` keeps every frame.
    """
    if sys.flags.verbose:
        return exc
    entries: list[TracebackType] = []
    tb = exc.__traceback__
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if isinstance(exc, (ImportError, SyntaxError)):  # a bad module says where itself
        kept = [e for e in entries if e.tb_frame.f_code.co_filename not in _ENGINE_FILES]
    else:
        kept, tail_is_ours = [], True
        for entry in reversed(entries):
            ours = entry.tb_frame.f_code.co_filename in _ENGINE_FILES
            if not ours or tail_is_ours:
                kept.append(entry)
            tail_is_ours = tail_is_ours and ours
        kept.reverse()
    if len(kept) == len(entries):
        return exc
    for entry, following in itertools.pairwise(kept):
        entry.tb_next = following
    if kept:
        kept[-1].tb_next = None
    return exc.with_traceback(kept[0] if kept else None)


def drop_leading_frames(exc: BaseException, filenames: Collection[str]) -> BaseException:
    """Take the frames of *filenames* off the front of *exc*'s traceback.

    For a runner (``importworks run``) that called into the program that
    raised: python's own traceback of the program starts at the program's code.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in filenames:
        tb = tb.tb_next
    return exc.with_traceback(tb)


class DropEntryFrame:
    """Take the entry point's own frame off the traceback of the error it raises.

    Used as ``with DropEntryFrame(code): raise exc``.  ``__exit__`` sees the
    traceback after that frame's entry was added and, from Python 3.11, the
    re-raise that follows reads it back from the exception, so the import
    statement's frame ends up directly above the failing module's, as with the
    C import.  (Python 3.10 re-raises a saved copy, so there the frame remains.)
    """

    __slots__ = ("code",)

    def __init__(self, code: CodeType) -> None:
        self.code = code

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: TracebackType | None) -> Literal[False]:
        while tb is not None and tb.tb_frame.f_code is self.code:
            tb = tb.tb_next
        if exc is not None:
            exc.__traceback__ = tb
        return False
