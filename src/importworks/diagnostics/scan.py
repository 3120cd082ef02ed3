"""What one source file does when it is imported, as plain data (read with :mod:`ast`).

:func:`summarize_source` is all that ``doctor`` needs from a file, in a form
that ``marshal`` stores and another process can send back (tuples, strings,
numbers), so that the parse cache (:mod:`.parsecache`) and the worker
processes deal in the same thing.  Names are not resolved here: ``from . import
x`` is recorded as written, and :mod:`.project` resolves it against the other
files of the tree.

Only statements that run when the module is imported count: module level and
class bodies, descending into ``if``/``try``/``with``/``for``/``while``; not
function bodies.  An ``if`` whose test is known for this interpreter (``if
TYPE_CHECKING:``, ``if __name__ == "__main__":``, ``sys.platform``,
``os.name``, ``sys.version_info`` comparisons) keeps only the branch that runs.
"""

from __future__ import annotations

import ast
import marshal
import operator
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["SUMMARY_VERSION", "Summary", "static_truth", "summarize_file", "summarize_source"]

SUMMARY_VERSION = 9  # bump when the shape below changes: cached summaries are then re-made

# (imports, bindings, all_names, used, has_getattr, error)
#   imports:  ((line, level, module or "", names or None), ...): names None for "import module"
#   bindings: marshal.dumps(((name, line, source, fallback), ...)) in source order; "*" for a star
#             import (its source is in imports); source: None for a definition, (level, module,
#             attribute or None) for an
#             import, ("=", NAME) for "name = NAME" (the same object under another name);
#             fallback: bound in an except block
#   used:     names read anywhere in the file, or None when the file has no star import
Summary = tuple[tuple[tuple[int, int, str, Any], ...], bytes, Any, Any, bool, Any]

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_NEVER_TRUE_NAMES = {"TYPE_CHECKING", "MYPY"}


class _ImportedName:
    """``__name__`` of a module being imported: its own dotted name, never ``"__main__"``."""


_IMPORTED_NAME = _ImportedName()


def _known_value(node: ast.expr) -> Any:
    """The value of ``__name__``, ``sys.platform``, ``os.name``, ``sys.version_info`` or a literal."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        values = [_known_value(e) for e in node.elts]
        return None if any(v is None for v in values) else tuple(values)
    if isinstance(node, ast.Name) and node.id == "__name__":
        return _IMPORTED_NAME
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        owner, attr = node.value.id, node.attr
        if (owner, attr) == ("sys", "platform"):
            return sys.platform
        if (owner, attr) == ("os", "name"):
            return os.name
        if (owner, attr) == ("sys", "version_info"):
            return tuple(sys.version_info)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and type(node.slice.value) is int:
        whole = _known_value(node.value)
        if isinstance(whole, tuple) and -len(whole) <= node.slice.value < len(whole):
            return whole[node.slice.value]  # sys.version_info[0]
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.step is None:
        whole = _known_value(node.value)
        lower = _known_value(node.slice.lower) if node.slice.lower else 0
        upper = _known_value(node.slice.upper) if node.slice.upper else None
        if isinstance(whole, tuple) and isinstance(lower, int) and (upper is None or isinstance(upper, int)):
            return whole[lower:upper]
    return None


def static_truth(test: ast.expr) -> bool | None:
    """Whether an ``if`` test is true when this interpreter imports the module (None: unknown)."""
    if isinstance(test, ast.Name) and test.id in _NEVER_TRUE_NAMES:
        return False
    if isinstance(test, ast.Attribute) and test.attr in _NEVER_TRUE_NAMES:
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = static_truth(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [static_truth(v) for v in test.values]
        decisive = isinstance(test.op, ast.Or)  # one True decides an "or", one False an "and"
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _COMPARE:
        left, right = _known_value(test.left), _known_value(test.comparators[0])
        if left is None or right is None:
            return None
        if _IMPORTED_NAME in (left, right):
            if "__main__" not in (left, right) or type(test.ops[0]) not in (ast.Eq, ast.NotEq):
                return None
            return isinstance(test.ops[0], ast.NotEq)
        try:
            return bool(_COMPARE[type(test.ops[0])](left, right))
        except TypeError:
            return None
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith":
        whole = _known_value(test.func.value)
        prefix = _known_value(test.args[0]) if len(test.args) == 1 else None
        if isinstance(whole, str) and isinstance(prefix, (str, tuple)):
            return whole.startswith(prefix)
    return None


def _import_time(
    body: list[ast.stmt], fallback: bool = False, in_class: bool = False
) -> Iterator[tuple[ast.stmt, bool, bool]]:
    """(statement, in an except handler?, in a class body?) for each statement run on import.

    Module level and class bodies, not function bodies.  Statements in an
    ``except`` block are the fallback of their ``try`` (``try: from
    cElementTree import *`` / ``except ImportError: from ElementTree import
    *``): they run instead of it, not after it.
    """
    for node in body:
        yield node, fallback, in_class
        if isinstance(node, ast.If):
            truth = static_truth(node.test)
            if truth is not False:
                yield from _import_time(node.body, fallback, in_class)
            if truth is not True:
                yield from _import_time(node.orelse, fallback, in_class)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            tried: Any = node  # ast.Try or ast.TryStar (3.11+): the same fields
            for block in (tried.body, tried.orelse, tried.finalbody):
                yield from _import_time(block, fallback, in_class)
            for handler in tried.handlers:
                yield from _import_time(handler.body, True, in_class)
        elif isinstance(node, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
            yield from _import_time(node.body, fallback, in_class)
            yield from _import_time(getattr(node, "orelse", []), fallback, in_class)
        elif isinstance(node, ast.ClassDef):
            # its imports run at import time; the names it binds are the class's
            yield from _import_time(node.body, fallback, True)


def _target_names(target: ast.AST) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def _literal_all(node: ast.stmt) -> list[str] | None:
    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else None
    return None


def _bound_names(node: ast.stmt) -> list[tuple[str, Any]]:
    """(name, source) for each name the statement binds; source as in :data:`Summary`."""
    if isinstance(node, ast.Import):
        return [
            (a.asname, (0, a.name, None))
            if a.asname
            else (a.name.partition(".")[0], (0, a.name.partition(".")[0], None))
            for a in node.names
        ]
    if isinstance(node, ast.ImportFrom):
        return [(a.asname or a.name, (node.level or 0, node.module or "", a.name)) for a in node.names]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names = [node.name]
    elif (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Name)
    ):
        return [(node.targets[0].id, ("=", node.value.id))]
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [n for t in targets for n in _target_names(t)]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        names = list(_target_names(node.target))
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        names = [n for i in node.items if i.optional_vars is not None for n in _target_names(i.optional_vars)]
    else:
        names = []
    return [(n, None) for n in names]


_NO_BINDINGS = marshal.dumps(())
# a literal first ("def", "class"), so the regex engine can skip ahead; the line start is checked after
_BLOCK = re.compile(rb"(def|class)[ \t]+(\w+)")
_CLOSERS = (b")", b"]", b"}")
_STATEMENTS = (b"def ", b"async ", b"class ", b"import ", b"from ", b"@", b"if ", b"try:", b"else:", b"elif ")


def skeleton(source: bytes) -> bytes:
    """*source* with every function body (and every class body without imports) cut out, line numbers kept.

    What runs at import time never includes a function's body, and bodies are
    most of a module's lines, so parsing the rest is several times faster.
    Each ``def`` becomes ``def NAME(): pass`` (a class ``class NAME: pass``) and
    the lines of its signature and body blank lines.  The cut is made by
    indentation: a body ends at the first line indented no deeper than its
    ``def`` that is not a comment, a closing bracket of the signature, or inside
    a triple-quoted string.

    Raises:
        ValueError: where a body ends is unclear; the caller parses the whole file.
    """
    out = []
    position = 0
    for found in _BLOCK.finditer(source):
        if found.start() < position:
            continue  # inside a body already cut
        line_start = source.rfind(b"\n", 0, found.start()) + 1
        before = source[line_start : found.start()]
        head = before.strip(b" \t")
        if head not in (b"", b"async") or (head and found.group(1) != b"def"):
            continue  # "def" inside a line: a name, a string, a comment
        indent = before[: len(before) - len(before.lstrip(b" \t"))]
        end = _body_end(source, found.end(), len(indent))
        if found.group(1) == b"class" and b"import" in source[found.end() : end]:
            continue  # a class body that imports runs that import: keep it (its methods are still cut)
        stub = (
            b"class " + found.group(2) + b": pass"
            if found.group(1) == b"class"
            else before.lstrip(b" \t") + b"def " + found.group(2) + b"(): pass"
        )
        out += [source[position:line_start], indent, stub, b"\n" * source.count(b"\n", found.start(), end)]
        position = end
    out.append(source[position:])
    return b"".join(out)


_ENDS: dict[int, re.Pattern[bytes]] = {}


def _body_end(source: bytes, start: int, depth: int) -> int:
    """The offset of the first line after the block whose header starts before *start*."""
    pattern = _ENDS.get(depth)
    if pattern is None:
        pattern = _ENDS[depth] = re.compile(rb"\n[ \t]{0,%d}(?=[^ \t\r\n#)\]}])" % depth)
    line_end = source.find(b"\n", start)
    if line_end < 0:
        return len(source)
    scan_from = line_end
    while True:
        found = pattern.search(source, scan_from)
        if found is None:
            return len(source)
        line = found.start() + 1
        if (source.count(b'"""', start, line) + source.count(b"'''", start, line)) % 2 == 0:
            return line
        if source.startswith(_STATEMENTS, found.end()):
            raise ValueError("unsure where the block ends")  # a quote inside a string threw the count
        scan_from = found.end()


def _parse(source: bytes, path: str, whole: bool) -> ast.Module:
    if not whole:
        try:
            return ast.parse(skeleton(source), path)
        except (SyntaxError, ValueError):
            pass  # the cut went wrong somewhere: read all of it
    return ast.parse(source, path)


def summarize_source(source: bytes, path: str = "<source>") -> Summary:
    """The :data:`Summary` of one module's source."""
    try:
        # a star import needs the names used in function bodies too
        tree = _parse(source, path, whole=b"import *" in source or b"import*" in source)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        return (), _NO_BINDINGS, None, None, False, f"{type(exc).__name__}: {exc}"
    imports: list[tuple[int, int, str, Any]] = []
    bindings: list[tuple[str, int, Any, bool]] = []
    all_names = None
    for node, fallback, in_class in _import_time(tree.body):
        if isinstance(node, ast.Import):
            imports += [(node.lineno, 0, a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imports.append((node.lineno, node.level or 0, node.module or "", tuple(a.name for a in node.names)))
        if in_class:
            continue
        literal = _literal_all(node)
        all_names = literal if literal is not None else all_names
        if isinstance(node, ast.ImportFrom) and node.names[0].name == "*":
            bindings.append(("*", node.lineno, None, fallback))
        else:
            bindings += [(name, node.lineno, source, fallback) for name, source in _bound_names(node)]
    has_getattr = any(b[0] == "__getattr__" for b in bindings)
    used = None
    if any(b[0] == "*" for b in bindings):
        used = tuple(
            sorted(
                {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                | set(all_names or ())
            )
        )
    # most modules' bindings are never looked at: kept as one marshalled blob, read on demand
    return tuple(imports), marshal.dumps(tuple(bindings)), all_names, used, has_getattr, None


def summarize_file(path: str) -> Summary:
    """The :data:`Summary` of the file at *path* (an unreadable file is an error summary)."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        return (), _NO_BINDINGS, None, None, False, f"{type(exc).__name__}: {exc}"
    return summarize_source(source, path)
