"""A tiny text toolkit, imported by the demo with relative imports inside."""

from .stats import Stats, analyse

__all__ = ["Stats", "analyse"]
