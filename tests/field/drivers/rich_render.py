"""Field driver: rich renders a table, Markdown and a panel, 60 columns, no colour."""

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

console = Console(width=60, color_system=None, force_terminal=False, legacy_windows=False)
table = Table(title="Field suite")
table.add_column("program", style="bold")
table.add_column("modes", justify="right")
for name, modes in (("pip", 4), ("pytest", 4), ("awscli", 4)):
    table.add_row(name, str(modes))
console.print(table)
console.print(
    Markdown("""\
# Heading

Some *emphasis*, some `code` and a [link](https://example.org).

1. first
2. second

```python
def f(x):
    return x + 1
```
""")
)
console.print(Panel("inside a panel", title="panel"))
console.print({"a": [1, 2, 3], "b": None, "c": "text"})
