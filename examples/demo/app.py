"""importworks demo: a small text-statistics program with a package tree of its own.

It imports stdlib modules, its own package (``textkit``, with relative imports),
and plugins found by name at run time (``plugins`` is a PEP 420 namespace
package: a folder with no ``__init__.py``).
"""

import importlib
import sys

from textkit import analyse
from textkit.formats import render

SAMPLE = """Python's import system finds a module, loads it, and executes it once.
Every later import of the same name is answered from sys.modules."""


def main(argv: list[str]) -> int:
    text = " ".join(argv) if argv else SAMPLE
    stats = analyse(text)
    for name in ("plugins.shout.upper", "plugins.count_vowels"):
        plugin = importlib.import_module(name)
        stats.extra[plugin.NAME] = plugin.run(text)
    print(render(stats, style="table"))
    print(render(stats, style="json"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
