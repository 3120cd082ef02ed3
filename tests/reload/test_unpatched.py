"""What a reload cannot patch is warned of (ReloadWarning), named by module and object."""

from __future__ import annotations

import warnings

import pytest

import importworks
from importworks.reload import Reloader, ReloadWarning, Watcher, last_report, reload
from importworks.reload.patch import KEEPS_CLASS, KEEPS_CODE, KEEPS_MEMBERS, MSG_CANNOT

COLORS = """
    import enum
    class Color(enum.Enum):
        RED = 1
{more}
    FAVOURITE = Color.RED
"""


def colors_source(*members: str) -> str:
    return COLORS.format(more="".join(f"        {m}\n" for m in members))


def test_a_new_enum_member_is_warned_of_by_reload(tree, edit):
    tree({"app": {"__init__.py": "", "colors.py": colors_source()}})
    from app import colors

    old = colors.Color
    edit("app/colors.py", colors_source("BLUE = 2"))
    with pytest.warns(ReloadWarning) as caught:
        assert importworks.reload(colors) is colors
    [warning] = caught
    assert str(warning.message) == (
        "cannot patch Color in app.colors: new Enum member BLUE; references to the old class keep the old members"
    )
    assert (warning.message.module, warning.message.qualname) == ("app.colors", "Color")
    assert warning.filename == __file__  # the caller's line, not ours
    assert colors.Color is not old and colors.Color.BLUE.value == 2 and not hasattr(old, "BLUE")
    assert last_report().conflicts[0].message == str(warning.message)


def test_two_new_members_are_named_and_unchanged_members_patch_silently(tree, edit, reloader):
    tree({"palette.py": colors_source()})
    import palette

    color = palette.Color
    edit("palette.py", colors_source("def label(self):", "    return 'new'"))
    assert reloader.reload([palette]).conflicts == [] and palette.Color is color and color.RED.label() == "new"
    edit("palette.py", colors_source("BLUE = 2", "GREEN = 3"))
    assert [c.message for c in reloader.reload([palette]).conflicts] == [
        MSG_CANNOT.format(
            qualname="Color", module="palette", why="new Enum members BLUE, GREEN", consequence=KEEPS_MEMBERS
        )
    ]


@pytest.mark.parametrize(
    "edited, why",
    [
        ("    RED = 5\n", "Enum member RED changed value (1 -> 5)"),
        ("    BLUE = 2\n    GREEN = 3\n", "Enum member RED removed"),
    ],
)
def test_removed_and_revalued_enum_members_are_named(tree, edit, reloader, edited, why):
    tree({"tones.py": "import enum\nclass Color(enum.Enum):\n    RED = 1\n"})
    import tones

    edit("tones.py", "import enum\nclass Color(enum.Enum):\n" + edited)
    [conflict] = reloader.reload([tones]).conflicts
    assert why in conflict.message and conflict.message.startswith("cannot patch Color in tones: ")


def test_a_changed_layout_and_a_changed_closure_are_warned_of(tree, edit):
    tree(
        {
            "shapes.py": """
        class Pair:
            __slots__ = ("a",)
        def outer():
            x = 1
            def inner():
                return x
            return inner
        inner = outer()
    """
        }
    )
    import shapes

    edit(
        "shapes.py",
        """
        class Pair:
            __slots__ = ("a", "b")
        def outer():
            x, y = 1, 2
            def inner():
                return x + y
            return inner
        inner = outer()
    """,
    )
    with pytest.warns(ReloadWarning) as caught:
        reload(shapes)
    assert [str(w.message) for w in caught] == [
        MSG_CANNOT.format(
            qualname="Pair", module="shapes", why="__slots__ changed (('a',) -> ('a', 'b'))", consequence=KEEPS_CLASS
        ),
        MSG_CANNOT.format(
            qualname="inner",
            module="shapes",
            why="its free variables changed (('x',) -> ('x', 'y'))",
            consequence=KEEPS_CODE,
        ),
    ]


def test_dependents_that_cannot_be_patched_are_warned_of_too(tree, edit):
    tree({"base.py": "N = 1\n", "user.py": "import base\nclass Slot:\n    __slots__ = ('a',) * base.N\n"})
    import base
    import user  # noqa: F401

    edit("base.py", "N = 0\n")
    with pytest.warns(ReloadWarning, match=r"^cannot patch Slot in user: __slots__ changed"):
        reload(base)


def test_the_reloader_and_the_watcher_report_conflicts_without_warning(tree, edit):
    tree({"hue.py": colors_source()})
    import hue

    lines: list[str] = []
    watcher = Watcher(Reloader(), report=lines.append)
    watcher.tracker.snapshot()
    edit("hue.py", colors_source("BLUE = 2"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the summary line says it; a warning from its thread would be noise
        report = watcher.poll()
    assert [c.qualname for c in report.conflicts] == ["Color"]
    assert lines[0].startswith("reloaded hue (Color, FAVOURITE); cannot patch Color in hue: new Enum member BLUE; ")
    assert hue.Color.BLUE.value == 2
