"""What the benchmark scripts share: statistics, progress, which code was measured."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

__all__ = ["git_revision", "progress", "summarize"]

REPO = Path(__file__).resolve().parent.parent


def summarize(values: list[float]) -> dict[str, float]:
    """Median, min and interquartile range of *values*."""
    if len(values) > 1:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {"median": statistics.median(values), "min": min(values), "iqr": q3 - q1, "n": len(values)}


def progress(text: str) -> None:
    """A one-line status on the terminal (a redirected run's output stays the report alone)."""
    if sys.stderr.isatty():
        print(f"\r{text:<50}", end="" if text else "\r", file=sys.stderr, flush=True)


def git_revision() -> str:
    """The commit measured, and whether src/ had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' (src modified)' if dirty else ''}"
