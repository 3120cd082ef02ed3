"""Where an import statement stands: may it be lazy there?

PEP 810 lets only module-level imports be lazy, and not inside ``try`` blocks.
CPython 3.15 knows that at compile time; here we read it from the frame that
runs the statement, once the cheap checks have passed:

* module level: the code is not a function's (``CO_OPTIMIZED``) and its locals
  are its globals (a class body or ``exec`` with separate locals has its own);
* an import statement at all: the instruction at ``f_lasti`` is ``IMPORT_NAME``
  (``__import__()`` called by hand, or by another wrapper, stays eager);
* not guarded by a handler.  3.11+: the instruction is covered by an entry of
  the code's exception table, or its line is (the normal-path copy of a
  ``finally`` body is not covered, but shares its lines with the covered
  copy).  3.10: the block stack is static, so each ``SETUP_FINALLY`` /
  ``SETUP_WITH`` opens a range that runs to where its statement ends (the
  target of the jump just before the handler), which covers ``except`` and
  ``finally`` bodies too.

``with`` blocks do not count (PEP 810 allows lazy imports there): on 3.11+ an
entry whose handler is a ``with`` exit guards only if that exit is itself
inside a ``try``; on 3.10 ``SETUP_WITH`` opens no range.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterator
from itertools import accumulate
from opcode import HAVE_ARGUMENT, opmap, stack_effect
from types import CodeType, FrameType
from typing import Any

__all__ = [
    "bound_names",
    "caught_names",
    "global_uses",
    "import_as_depth",
    "imported_for_side_effect",
    "in_suppress_block",
    "may_be_lazy",
    "top_level_reads",
]

_CO_OPTIMIZED = 0x0001
_IMPORT_NAME = opmap["IMPORT_NAME"]
_IMPORT_FROM = opmap["IMPORT_FROM"]
_EXTENDED_ARG = opmap["EXTENDED_ARG"]
_SETUPS = {opmap["SETUP_FINALLY"]} if "SETUP_FINALLY" in opmap else set()  # 3.10 (SETUP_WITH: allowed)
_SETUP_WITH = opmap.get("SETUP_WITH", -1)  # 3.10
_PUSH_EXC_INFO = opmap.get("PUSH_EXC_INFO", -1)
_WITH_EXCEPT_START = opmap.get("WITH_EXCEPT_START", -1)
_ROTATES = {opmap[name] for name in ("ROT_TWO", "SWAP") if name in opmap}
_JUMP_FORWARD = opmap.get("JUMP_FORWARD")
_JUMP_ABSOLUTE = opmap.get("JUMP_ABSOLUTE")

# guarded (offset ranges, lines) per code object; module code runs once, so a
# handful of entries is plenty, and it is dropped wholesale when it grows
_guarded_cache: dict[int, tuple[CodeType, list[tuple[int, int]], frozenset[int]]] = {}


def may_be_lazy(frame: FrameType, globals: dict[str, Any]) -> bool:
    """Is *frame* running a module-level import statement outside any try block?"""
    if frame.f_globals is not globals:
        return False
    code = frame.f_code
    if code.co_flags & _CO_OPTIMIZED or frame.f_locals is not globals:
        return False
    lasti = frame.f_lasti
    if lasti < 0 or code.co_code[lasti] != _IMPORT_NAME:
        return False
    return not _is_guarded(frame, code, lasti)


def in_suppress_block(frame: FrameType) -> bool:
    """3.15: is the import statement running in *frame* inside ``with suppress(...)`` (or a ``try``)?"""
    code, lasti = frame.f_code, frame.f_lasti
    # most modules never name suppress: then no need to read their exception table
    return _SUPPRESS in code.co_names and lasti >= 0 and _is_guarded(frame, code, lasti)


def import_as_depth(frame: FrameType) -> int:
    """For ``import a.b.c as d``: how many IMPORT_FROMs follow the IMPORT_NAME (else 0)."""
    co_code = frame.f_code.co_code
    offset, depth = frame.f_lasti + 2, 0
    while offset < len(co_code):
        op = co_code[offset]
        if op == _EXTENDED_ARG:
            offset += 2
            continue
        if op != _IMPORT_FROM:
            return depth
        depth += 1
        # 3.10: ROT_TWO, POP_TOP; 3.11+: SWAP 2, POP_TOP; then the next part. The
        # last IMPORT_FROM is followed by the store instead
        offset += 2
        if offset >= len(co_code) or co_code[offset] not in _ROTATES:
            return depth
        offset += 4
    return depth


def _is_guarded(frame: FrameType, code: CodeType, lasti: int) -> bool:
    cached = _guarded_cache.get(id(code))
    if cached is None or cached[0] is not code:
        if len(_guarded_cache) > 32:
            _guarded_cache.clear()
        ranges, lines = _guarded_regions(code)
        cached = _guarded_cache[id(code)] = (code, ranges, lines)
    _, ranges, lines = cached
    if not ranges:
        return False
    for start, end in ranges:
        if start <= lasti < end:
            return True
    return frame.f_lineno in lines


def _guarded_regions(code: CodeType) -> tuple[list[tuple[int, int]], frozenset[int]]:
    if sys.version_info >= (3, 11):
        ranges = _try_ranges(code, list(_exception_table(code.co_exceptiontable)))
        if not ranges:
            return [], frozenset()
        starts, reach, furthest = [], [], 0
        for start, end in ranges:  # reach[i]: the furthest end among ranges[:i + 1]
            furthest = max(furthest, end)
            starts.append(start)
            reach.append(furthest)
        lines = set()
        for start, end, line in code.co_lines():
            covering = bisect_left(starts, end)  # ranges starting before this span ends
            if line is not None and covering and reach[covering - 1] > start:
                lines.add(line)
        return ranges, frozenset(lines)
    return _block_ranges(code), frozenset()


def _exception_table(table: bytes) -> Any:
    """Yield (start, end) byte offsets of each entry (format: Objects/exception_handling_notes.txt)."""
    position = 0

    def varint() -> int:
        nonlocal position
        byte = table[position]
        position += 1
        value = byte & 63
        while byte & 64:
            byte = table[position]
            position += 1
            value = (value << 6) | (byte & 63)
        return value

    while position < len(table):
        start = varint() * 2
        length = varint() * 2
        target = varint() * 2
        varint()  # depth and lasti
        yield start, start + length, target


# ``with suppress(ImportError): import x`` is there to survive a missing x: the import must
# run where the ``with`` can catch it (jsonschema's optional format checkers), so such a
# ``with`` guards its imports as a ``try`` does.  Told by the name the context expression loads.
_SUPPRESS = "suppress"
_SUPPRESS_LOADS = frozenset(
    opmap[name] for name in ("LOAD_NAME", "LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD") if name in opmap
)
_STATEMENT_ENDS = frozenset(op for name, op in opmap.items() if name.startswith("STORE_")) | {opmap["POP_TOP"]}
_WINDOW = 48  # code units before a with body: its context expression, caches included


def _suppresses(code: CodeType, start: int) -> bool:
    """Does the ``with`` whose body starts at *start* enter ``suppress(...)``?"""
    co_code, names = code.co_code, code.co_names
    offset = start - 2
    while offset >= 0 and offset >= start - 2 * _WINDOW:
        op, arg = co_code[offset], co_code[offset + 1]
        if op in _SUPPRESS_LOADS and any(index < len(names) and names[index] == _SUPPRESS for index in (arg, arg >> 1)):
            return True
        if op in _STATEMENT_ENDS and offset < start - 2:
            return False  # the statement before the ``with``
        offset -= 2
    return False


def _try_ranges(code: CodeType, entries: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of the entries that lead to a ``try`` handler, sorted.

    An entry whose handler is a ``with`` statement's exit (PUSH_EXC_INFO then
    WITH_EXCEPT_START) guards nothing by itself, as PEP 810 allows lazy
    imports in ``with`` bodies, unless that ``with`` enters ``suppress(...)``;
    nor does a cleanup handler (a re-raise).  Either leads to a ``try`` only if
    its own code is covered by one (a ``with`` inside a ``try``).
    """
    co_code = code.co_code
    names_suppress = _SUPPRESS in code.co_names
    body_starts: dict[int, int] = {}  # a with-exit handler -> where its body starts
    for start, _, target in entries:
        body_starts[target] = min(start, body_starts.get(target, start))

    def try_handler(offset: int) -> bool:
        if co_code[offset] != _PUSH_EXC_INFO:
            return False
        if co_code[offset + 2 : offset + 3] != bytes([_WITH_EXCEPT_START]):
            return True
        return names_suppress and offset in body_starts and _suppresses(code, body_starts[offset])

    verdicts: dict[int, bool] = {}

    def guards(entry: tuple[int, int, int], depth: int = 0) -> bool:
        start, _, target = entry
        if try_handler(target) or try_handler(start):  # a try body, or an except / finally body
            return True
        if depth > 16:
            return False
        if target not in verdicts:
            verdicts[target] = False  # a cycle guards nothing
            outer = next((e for e in entries if e[0] <= target < e[1]), None)
            verdicts[target] = outer is not None and guards(outer, depth + 1)
        return verdicts[target]

    return sorted((start, end) for start, end, target in entries if guards((start, end, target)))


def _block_ranges(code: CodeType) -> list[tuple[int, int]]:
    """3.10: from each SETUP_* to the end of its statement (see the module docstring)."""
    co_code = code.co_code
    names_suppress = _SUPPRESS in code.co_names
    ranges, extended = [], 0
    for offset in range(0, len(co_code), 2):
        op, arg = co_code[offset], co_code[offset + 1] | extended
        extended = arg << 8 if op == _EXTENDED_ARG else 0
        if op not in _SETUPS and not (op == _SETUP_WITH and names_suppress and _suppresses(code, offset + 2)):
            continue
        handler = offset + 2 + arg * 2
        end = len(co_code)  # no jump before the handler (the body ends in raise): to the end
        before = handler - 2
        if 0 <= before < len(co_code):
            before_op, before_arg = co_code[before], co_code[before + 1]
            if before - 2 >= 0 and co_code[before - 2] == _EXTENDED_ARG:
                before_arg |= co_code[before - 1] << 8
            if before_op == _JUMP_FORWARD:
                end = handler + before_arg * 2
            elif before_op == _JUMP_ABSOLUTE and before_arg * 2 > handler:
                end = before_arg * 2
        ranges.append((offset, end))
    return ranges


# ------------------------------------------------- names caught or raised bare
# ``except Name:`` and ``raise Name`` need the real class: the interpreter checks
# its type in C, where no proxy can answer.  A from-import of such a name stays
# eager.  Found by locating each exception match / raise instruction (bytes.find,
# in C) and reading the loads of globals just before it (skipping the inline
# caches of 3.11+, a BUILD_TUPLE for ``except (A, B):``, the cause of ``raise A from b``).
_MATCH = opmap.get("CHECK_EXC_MATCH", opmap.get("JUMP_IF_NOT_EXC_MATCH"))
_RAISE = opmap["RAISE_VARARGS"]
_MATCH_AND_RAISE = [op for op in (_MATCH, _RAISE) if op is not None]
_BUILD_TUPLE = opmap["BUILD_TUPLE"]
_LOAD_GLOBAL = opmap["LOAD_GLOBAL"]
_LOAD_NAME = opmap["LOAD_NAME"]
_CACHE = opmap.get("CACHE", -1)
_GLOBAL_ARG_SHIFT = 1 if sys.version_info >= (3, 11) else 0  # 3.11+: namei << 1 | push_null
_BEFORE_A_MATCH = frozenset({_BUILD_TUPLE, _LOAD_GLOBAL, _LOAD_NAME})


def caught_names(code: CodeType) -> frozenset[str]:
    """Global names that *code* or any code nested in it uses in ``except`` or a bare ``raise``."""
    analysis = _analysis(code)
    if analysis.caught is None:
        analysis.caught = _caught_in(analysis.tree)
    return analysis.caught


def _caught_in(tree: list[CodeType]) -> frozenset[str]:
    # one search over the module's bytecode joined (most code objects have no
    # except or raise, and a Python-level pass over each costs more than the search)
    codes = [nested.co_code for nested in tree]
    joined = b"".join(codes)
    ops = joined[::2]
    hits = []
    for op in _MATCH_AND_RAISE:
        index = ops.find(op)
        while index >= 0:
            if _may_load_before(joined, ops, index):
                hits.append(2 * index)
            index = ops.find(op, index + 1)
    if not hits:
        return frozenset()
    starts = list(accumulate(map(len, codes), initial=0))  # every co_code has an even length
    found: set[str] = set()
    for position in hits:
        which = bisect_right(starts, position) - 1
        found.update(_loads_before(tree[which], codes[which], position - starts[which]))
    return frozenset(found)


class _Analysis:
    """What the rules ask about one module's code, each part worked out on first use.

    Every import statement of a module asks again; the answers are kept per
    module code object (held here, so a reused id is never mistaken for it).
    """

    __slots__ = ("code", "_tree", "caught", "reads", "uses")

    def __init__(self, code: CodeType) -> None:
        self.code = code
        self._tree: list[CodeType] | None = None
        self.caught: frozenset[str] | None = None
        self.reads: frozenset[str] | None = None
        self.uses: frozenset[str] | None = None

    @property
    def tree(self) -> list[CodeType]:
        """The module's code and every code object nested in it (walked when first needed)."""
        if self._tree is None:
            self._tree = _walk(self.code, None)
        return self._tree


_analyses: dict[int, _Analysis] = {}


def _analysis(code: CodeType) -> _Analysis:
    found = _analyses.get(id(code))
    if found is not None and found.code is code:
        return found
    if len(_analyses) > 64:  # module code runs once: only the modules importing right now matter
        _analyses.clear()
    found = _analyses[id(code)] = _Analysis(code)
    return found


def _walk(code: CodeType, descend: Callable[[CodeType], bool] | None) -> list[CodeType]:
    """*code* and the code objects nested in it that *descend* admits (None: all), and theirs in turn."""
    found, index = [code], 0
    while index < len(found):
        consts = found[index].co_consts
        if descend is None:
            found += [const for const in consts if type(const) is CodeType]
        else:
            found += [const for const in consts if type(const) is CodeType and descend(const)]
        index += 1
    return found


def _may_load_before(joined: bytes, ops: bytes, index: int) -> bool:
    """Could :func:`_loads_before` find a name before instruction *index*?  (False: it finds none.)

    The same first steps, on the joined bytecode: most ``raise`` statements
    raise what a call made (``raise Error(...)``), which names nothing here.
    Stepping back past the start of the code object only errs towards True.
    """
    if ops[index] == _RAISE:
        arg = joined[2 * index + 1]
        if arg not in (1, 2):
            return False
        index -= arg - 1
    index -= 1
    while index >= 0 and ops[index] == _CACHE:
        index -= 1
    return index >= 0 and ops[index] in _BEFORE_A_MATCH


def _loads_before(code: CodeType, co_code: bytes, position: int) -> Iterator[str]:
    op, arg = co_code[position], co_code[position + 1]
    if op == _RAISE:
        if arg not in (1, 2):
            return
        position -= 2 * (arg - 1)  # skip the cause (a single load in the usual forms)
    position -= 2
    while position >= 0 and co_code[position] == _CACHE:
        position -= 2
    if position >= 0 and co_code[position] == _BUILD_TUPLE:
        position -= 2
    while position >= 0:
        op = co_code[position]
        if op == _CACHE:
            position -= 2
            continue
        if op not in (_LOAD_GLOBAL, _LOAD_NAME):
            return
        arg = co_code[position + 1]
        if position >= 2 and co_code[position - 2] == _EXTENDED_ARG:
            arg |= co_code[position - 1] << 8
        yield code.co_names[arg >> _GLOBAL_ARG_SHIFT if op == _LOAD_GLOBAL else arg]
        position -= 2


# ------------------------------------------------ names the module body reads
# A name the module's own body reads while it runs (module level, class bodies,
# the defaults and decorators evaluated there, comprehensions on 3.10/3.11) is
# used during the import anyway: binding it lazily gains nothing, and the body
# would store the proxy where no rebinding reaches it (``def f(x=UNSET)`` then
# ``x is UNSET`` against the real sentinel fails).  Such imports stay eager.
_NAME_LOADS = [opmap[name] for name in ("LOAD_NAME", "LOAD_GLOBAL", "LOAD_FROM_DICT_OR_GLOBALS") if name in opmap]
_LOAD_SHIFTS = [(op, _GLOBAL_ARG_SHIFT if op == _LOAD_GLOBAL else 0) for op in _NAME_LOADS]
_STORES = {opmap["STORE_NAME"], opmap["STORE_GLOBAL"]}
_POP_TOP = opmap["POP_TOP"]
_COMPREHENSIONS = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>"})


def top_level_reads(code: CodeType) -> frozenset[str]:
    """Global names read by code that runs while the module body runs.

    That is the body, its class bodies, and the module's own functions that
    this code calls (sqlalchemy.sql ends with ``__go(locals())``, whose globals
    then reach ``type(name, bases, ns)``; a decorator of the module's own), and
    in turn the functions those call.  A function only passed as a value
    (``cli.add_command(run_command)``) or never named runs later, if at all,
    and its globals stay lazy.
    """
    analysis = _analysis(code)
    if analysis.reads is not None:
        return analysis.reads
    bodies = _walk(code, _runs_with_the_body)
    reads = {name for body in bodies for name in _loaded_names(body)}
    functions = {
        const.co_name: const for const in code.co_consts if type(const) is CodeType and not _runs_with_the_body(const)
    }
    named = reads & functions.keys()  # following the stack costs: only where a function is named
    called = {name for body in bodies if not named.isdisjoint(body.co_names) for name in _calls_among(body, named)}
    reached = [functions.pop(name) for name in called]
    while reached:
        function = reached.pop()
        nested = _walk(function, None)
        reads.update(name for inner in nested for name in _loaded_names(inner))
        # what the function calls, and anything its own nested code (closures) names
        if functions.keys().isdisjoint(function.co_names) and len(nested) == 1:
            continue
        calls = _calls_among(function, functions.keys()).union(*(_loaded_names(inner) for inner in nested[1:]))
        reached += [functions.pop(name) for name in calls & functions.keys()]
    analysis.reads = frozenset(reads)
    return analysis.reads


# the stack, followed instruction by instruction, tells a name that is called
# (``f(x)``, ``@f``) from one passed as a value (``g(f)``): how many items each call
# instruction takes, given its argument
_CALLS: dict[int, Callable[[int], int]] = {
    opmap[name]: takes
    for name, takes in (
        ("CALL", lambda argc: argc + 2),  # 3.11+: callable and self-or-NULL below the arguments
        ("CALL_KW", lambda argc: argc + 3),
        ("CALL_FUNCTION", lambda argc: argc + 1),  # 3.10
        ("CALL_METHOD", lambda argc: argc + 2),
        ("CALL_FUNCTION_KW", lambda argc: argc + 2),
        (
            "CALL_FUNCTION_EX",
            (lambda flags: 2 + (flags & 1))
            if sys.version_info < (3, 11)
            else (lambda flags: 4)
            if sys.version_info >= (3, 14)
            else (lambda flags: 3 + (flags & 1)),
        ),
    )
    if name in opmap
}
# instructions that only push (or do nothing to the stack): they leave a loaded name where it is
_PURE_PUSHES = {
    op
    for name, op in opmap.items()
    if (name.startswith("LOAD_") and not name.startswith(("LOAD_ATTR", "LOAD_METHOD", "LOAD_SUPER", "LOAD_FROM_DICT")))
    or name in ("PUSH_NULL", "COPY", "DUP_TOP", "DUP_TOP_TWO", "NOP", "RESUME", "CACHE", "EXTENDED_ARG", "KW_NAMES")
} - {_IMPORT_NAME}
if "PRECALL" in opmap:  # 3.11: PRECALL takes the arguments, then CALL the callable pair
    _CALLS[opmap["PRECALL"]] = _CALLS.pop(opmap["CALL"])
_HAVE_ARGUMENT = HAVE_ARGUMENT
_NULL_FIRST = (3, 11) <= sys.version_info < (3, 13)  # LOAD_GLOBAL's NULL goes below the global there
# where the callable sits among what a call takes: 3.11/3.12 put [NULL, callable] or
# [callable, self] below the arguments (a decorator call: [decorator, function])
_CALLEE_AT = (0, 1) if _NULL_FIRST else (0,)


def _calls_among(code: CodeType, names: Collection[str]) -> set[str]:
    """Which of *names* (globals) *code* calls directly, found by following the stack height.

    Only from each load of one of *names* to where the stack drops below it,
    so a long module body with few such loads costs little.  Control flow is
    not followed (a conditional expression among the arguments can shift the
    count), so this errs both ways on odd code; the common forms (``f(...)``,
    ``@f``, ``x = f(...)``) are exact.
    """
    co_code, co_names = code.co_code, code.co_names
    wanted = {index for index, name in enumerate(co_names) if name in names}
    if not wanted:
        return set()
    ops, end = co_code[::2], len(co_code)
    called: set[str] = set()
    for load, shift in ((_LOAD_NAME, 0), (_LOAD_GLOBAL, _GLOBAL_ARG_SHIFT)):
        index = ops.find(load)
        while index >= 0:
            offset, index = 2 * index, ops.find(load, index + 1)
            arg, back = co_code[offset + 1], offset
            while back >= 2 and co_code[back - 2] == _EXTENDED_ARG:
                back -= 2
                arg |= co_code[back + 1] << (8 * ((offset - back) // 2))
            name_index = arg >> shift
            if name_index not in wanted or co_names[name_index] in called:
                continue
            # the items from the name to the top after its load: 3.11/3.12 put
            # LOAD_GLOBAL's NULL below it, 3.13+ above it
            above = stack_effect(load, arg) - (1 if load == _LOAD_GLOBAL and _NULL_FIRST and arg & 1 else 0)
            if _is_called(co_code, offset + 2, end, above):
                called.add(co_names[name_index])
    return called


def _is_called(co_code: bytes, offset: int, end: int, above: int) -> bool:
    """Is the stack item followed from *offset* on taken by a call as its callable?

    *above* counts the items from it to the top (1: it is the top).
    """
    extended = 0
    while offset < end:
        op, arg = co_code[offset], co_code[offset + 1] | extended
        offset += 2
        if op == _EXTENDED_ARG:
            extended = arg << 8
            continue
        extended = 0
        if op == _CACHE:
            continue
        takes = _CALLS.get(op)
        if takes is not None and takes(arg) - above in _CALLEE_AT:
            return True
        if above == 1 and op not in _PURE_PUSHES:  # it takes the top item: no longer the name
            return False
        try:
            effect = stack_effect(op, arg) if op >= _HAVE_ARGUMENT else stack_effect(op)
        except ValueError:
            effect = 0
        above += effect
        if above <= 0 and (effect < 0 or takes is not None):
            return False
    return False


def global_uses(code: CodeType) -> frozenset[str]:
    """The names *code*'s module could use: any name in nested code, globals the body reads, its strings.

    Names in nested code (functions, classes) count whatever their use (a
    global, an attribute): gathered in C, and erring towards "used".  The
    module level's own strings count too (``__all__``, ``globals()["name"]``).
    """
    analysis = _analysis(code)
    if analysis.uses is None:
        uses = set(_loads_and_strings(code))
        uses.update(*[nested.co_names for nested in analysis.tree[1:]])
        analysis.uses = frozenset(uses)
    return analysis.uses


def _named_in_annotations(tree: list[CodeType], name: str) -> bool:
    """Does *name* appear as a word in a string annotation (``from __future__ import annotations``)?

    ``"_typing.SchemaKeywordValidator"`` names ``_typing``: jsonschema.validators
    takes that submodule for its annotations only.  Any string that holds the word
    counts (erring towards "used"); found with str.find, in C.
    """
    for code in tree:
        for text in _string_constants(code):
            if "." not in text and "[" not in text:
                continue  # not an annotation's dotted or subscripted form
            position = text.find(name)
            while position >= 0:
                end = position + len(name)
                before = text[position - 1 : position] if position else ""
                after = text[end : end + 1]
                if not (before.isidentifier() or before.isdigit()) and not (after.isidentifier() or after.isdigit()):
                    return True
                position = text.find(name, end)
    return False


def imported_for_side_effect(
    code: CodeType, frame: FrameType, globals: dict[str, Any], fullname: str, fromlist: tuple[str, ...] | None
) -> bool:
    """Is this ``from pkg import sub`` of a submodule that the importing module never names again?

    Such an import is there for what the module's body does: sqlalchemy.sql.naming's
    ``from . import events`` fills an event registry, mpmath.functions' ``__init__``
    imports a dozen submodules that add methods to a class defined elsewhere.
    Nothing would ever resolve a lazy binding of it.  "Names" counts a global
    read anywhere in the module's code (functions included) or a string constant
    (``__all__``, ``globals()["name"]``).  A from-import counts only for the names
    that are submodules (not yet attributes of the package); ``from m import f``
    of an unused function is a re-export, and stays lazy, as does an unused
    ``import x`` (what lazy imports are for, and what the report calls "never reified").
    """
    if not fromlist:
        return False  # ``import x`` unused is PEP 810's own case: never reified, never paid for
    if fullname == globals.get("__name__"):
        namespace: Any = globals  # a package's __init__ importing its own submodule
    else:
        namespace = getattr(sys.modules.get(fullname), "__dict__", None)
        if not isinstance(namespace, dict) or "__path__" not in namespace:
            return False  # not imported yet, or not a package: no telling a submodule from a name
    if all(name in namespace for name in fromlist):
        return False  # names the package has: the (costly) uses of the module are not needed
    stored = bound_names(frame)
    if len(stored) != len(fromlist):
        return False
    used = global_uses(code)
    published = globals.get("__all__", ())
    for name, bound in zip(fromlist, stored, strict=True):  # as many: checked above
        if (
            name not in namespace
            and bound not in used
            and not _contains(published, bound)
            and not _named_in_annotations(_analysis(code).tree, bound)
        ):
            return True
    return False


def _contains(container: Any, name: str) -> bool:
    try:
        return name in container
    except Exception:  # an odd __all__ publishes nothing we can read
        return False


_LOAD_CONST = opmap["LOAD_CONST"]


def _loads_and_strings(code: CodeType) -> Iterator[str]:
    yield from _loaded_names(code)
    yield from _string_constants(code)


def _string_constants(code: CodeType) -> Iterator[str]:
    """*code*'s string constants, those in tuples and frozensets too (3.10-3.13 keep a function's
    annotations as one tuple of strings), but for its import statements' own fromlists."""
    fromlists = set()  # an import statement's own fromlist constant names nothing
    co_code = code.co_code
    position = co_code.find(_IMPORT_NAME)
    while position >= 0:
        if position % 2 == 0 and position >= 2 and co_code[position - 2] == _LOAD_CONST:
            arg = co_code[position - 1]
            if position >= 4 and co_code[position - 4] == _EXTENDED_ARG:
                arg |= co_code[position - 3] << 8
            fromlists.add(arg)
        position = co_code.find(_IMPORT_NAME, position + 1)
    for index, const in enumerate(code.co_consts):
        if index in fromlists:
            continue
        if type(const) is str:
            yield const
        elif type(const) in (tuple, frozenset):
            yield from (item for item in const if type(item) is str)


def _runs_with_the_body(code: CodeType) -> bool:
    """Class bodies and (3.10/3.11) comprehensions run as the module body runs; functions do not."""
    return not code.co_flags & _CO_OPTIMIZED or code.co_name in _COMPREHENSIONS


def _loaded_names(code: CodeType) -> list[str]:
    # found on the opcodes alone (every other byte), so each hit is an instruction
    co_code, co_names = code.co_code, code.co_names
    ops = co_code[::2]
    found = []
    for op, shift in _LOAD_SHIFTS:
        index = ops.find(op)
        while index >= 0:
            arg = co_code[2 * index + 1]
            if index and ops[index - 1] == _EXTENDED_ARG:
                arg |= co_code[2 * index - 1] << 8
            if arg >> shift < len(co_names):
                found.append(co_names[arg >> shift])
            index = ops.find(op, index + 1)
    return found


def bound_names(frame: FrameType) -> list[str]:
    """The names the import statement running in *frame* stores (read after its IMPORT_NAME)."""
    code = frame.f_code
    co_code, names = code.co_code, code.co_names
    offset, stored, extended = frame.f_lasti + 2, [], 0
    while offset < len(co_code):
        op, arg = co_code[offset], co_code[offset + 1] | extended
        extended = arg << 8 if op == _EXTENDED_ARG else 0
        if op in _STORES:
            stored.append(names[arg])
        elif op not in (_IMPORT_FROM, _EXTENDED_ARG, _CACHE, _POP_TOP) and op not in _ROTATES:
            break
        offset += 2
    return stored
