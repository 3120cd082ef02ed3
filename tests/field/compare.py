"""Compare a run with plain python's, byte for byte, and say where they part.

Only what legitimately differs between two runs of the same program is
normalised, by the substitutions listed in :data:`SUBSTITUTIONS` plus one
per store run:

* durations that programs print (pytest's ``1 failed in 0.03s``);
* memory addresses (``at 0x7f3a...``);
* in the store mode, the venv's site-packages for the store's path and for the
  folders of importworks' cache where a store's packages that must be real
  files are materialised (``pip 26.3 from ~/.cache/importworks/pkg/<sha>/pip``):
  a module's ``__file__`` is inside the store, which is the point of a store
  (:func:`store_substitutions`).

Everything else (temporary folders, the server's port) is the same in every
mode by construction: one work folder per program, rebuilt before each run,
and one server per session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

SUBSTITUTIONS = [
    (re.compile(rb"\bin \d+\.\d+s\b"), b"in N.NNs"),
    (re.compile(rb"\b0x[0-9a-f]{6,16}\b"), b"0xADDRESS"),
]
CONTEXT = 2  # lines shown before the first difference
TAIL = 6  # lines of a failed run's stderr shown
# a traceback's last line: ``pkg.mod.SomeError: message`` at the start of a line
EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit)\b.*$", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    """What a program did: its exit code and both streams, as bytes."""

    returncode: int
    stdout: bytes
    stderr: bytes


Substitutions = Sequence[tuple["re.Pattern[bytes]", bytes]]


def store_substitutions(store: str, cache: str, site_packages: str) -> Substitutions:
    """Where a store run shows the store or its materialised copies, python shows site-packages."""
    copies = re.escape(os.fsencode(cache)) + rb"/(?:pkg|ext)/[0-9a-f]{16,64}"
    where = re.compile(re.escape(os.fsencode(store)) + rb"|" + copies)
    return [(where, os.fsencode(site_packages))]


def normalise(data: bytes, extra: Substitutions = ()) -> bytes:
    """Apply the *extra* substitutions, then the documented ones."""
    for pattern, new in [*extra, *SUBSTITUTIONS]:
        data = pattern.sub(new, data)
    return data


def normalised(run: Run, extra: Substitutions = ()) -> Run:
    return Run(run.returncode, normalise(run.stdout, extra), normalise(run.stderr, extra))


def first_difference(expected: bytes, actual: bytes, label: str) -> str | None:
    """Describe the first line where *actual* departs from *expected*, or None if equal."""
    if expected == actual:
        return None
    old, new = expected.splitlines(keepends=True), actual.splitlines(keepends=True)
    n = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    lines = [f"first difference at line {n + 1} ({len(old)} lines under python, {len(new)} under {label}):"]
    lines += [f"      {line!r}" for line in old[max(0, n - CONTEXT) : n]]
    lines.append(f"  python: {old[n]!r}" if n < len(old) else "  python: (end of output)")
    lines.append(f"  {label}: {new[n]!r}" if n < len(new) else f"  {label}: (end of output)")
    return "\n".join(lines)


def describe(program: str, mode: str, reference: Run, run: Run) -> str | None:
    """A failure message naming the program, the mode and each difference, or None."""
    problems = []
    if reference.returncode != run.returncode:
        problems.append(f"exit code {run.returncode} (python: {reference.returncode})")
    for stream in ("stdout", "stderr"):
        diff = first_difference(getattr(reference, stream), getattr(run, stream), mode)
        if diff:
            problems.append(f"{stream}: {diff}")
    if not problems:
        return None
    if run.stderr != reference.stderr and run.stderr.strip():
        text = run.stderr.decode(errors="replace").rstrip()
        raised = list(dict.fromkeys(EXCEPTION_LINE.findall(text)))
        if raised:
            problems.append(
                "exceptions in its stderr, first raised first:\n" + "\n".join(f"    {line}" for line in raised[:TAIL])
            )
        problems.append("its stderr ends:\n" + "\n".join(f"    {line}" for line in text.splitlines()[-TAIL:]))
    return f"{program} under {mode} differs from plain python:\n" + "\n".join(problems)
