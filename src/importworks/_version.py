"""importworks' version, at the bottom of the layers so that any module may name it (pyproject.toml says it too)."""

__version__ = "0.1.0"
