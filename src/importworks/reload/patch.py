"""Patch a module's old objects from what re-executing its new code bound.

The new code runs in the module's own namespace (see :mod:`.execute`), so the
namespace keeps every name the new code does not assign, and every function
the old code created keeps its identity and its ``__globals__``.  For each
name the new code bound to a new object, compared with the object the name
held before:

* a function defined by the module: the old function takes the new code,
  defaults, annotations, attributes and closure cell contents, and the name is
  bound to it again, so references held anywhere (``from mod import f``,
  bound methods, callbacks) run the new code.  If the set of free variables
  changed the code cannot move over (``__closure__`` is read-only): the name
  keeps the new function, and a :class:`Conflict` says so;
* a class defined by the module with the same layout (metaclass, bases,
  ``__slots__``, instance size; for an Enum, its members): the old class takes
  the new methods, properties and class attributes, so existing instances run
  the new methods and stay instances of the class.  A class whose layout
  changed is never patched (that would corrupt its instances): the name keeps
  the new class, and a :class:`Conflict` says what changed;
* a ``functools.singledispatch`` function: the new implementations join the
  old registry (registrations made by other modules are kept);
* anything else: the new value.

Objects the new code made that refer to a class or function patched in place
(closure cells such as ``__class__``, a frozen dataclass's ``cls``, module-level
instances, enum aliases) are pointed at the old object instead.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import CodeType, FunctionType, GetSetDescriptorType, MemberDescriptorType
from typing import Any

__all__ = ["Conflict", "Patcher", "PatchResult", "same_code"]

# Names that describe the module object itself, not its code
MODULE_ATTRS = frozenset(
    {"__name__", "__spec__", "__loader__", "__file__", "__cached__", "__package__", "__path__", "__builtins__"}
)
# _abc_impl holds an ABC's registry of virtual subclasses: the old one stays
_CLASS_SKIP = frozenset({"__dict__", "__weakref__", "__module__", "__qualname__", "_abc_impl"})
_LAYOUT = ("__basicsize__", "__itemsize__", "__dictoffset__", "__weakrefoffset__")
_SLOT_DESCRIPTORS = (GetSetDescriptorType, MemberDescriptorType)  # __slots__, __dict__, __weakref__
_MISSING = object()

MSG_CANNOT = "cannot patch {qualname} in {module}: {why}; {consequence}"
WHY_CLOSURE = "its free variables changed ({old} -> {new})"
KEEPS_CODE = "references taken before the reload keep the old code"
KEEPS_CLASS = "instances made before the reload keep the old class, new ones get the new class"
KEEPS_MEMBERS = "references to the old class keep the old members"
WHY_MEMBERS_NEW = "new Enum member{s} {names}"
WHY_MEMBERS_GONE = "Enum member{s} {names} removed"
WHY_MEMBER_VALUE = "Enum member {name} changed value ({old!r} -> {new!r})"
WHY_MEMBERS_ORDER = "Enum members reordered"


@dataclass(frozen=True)
class Conflict:
    """An object a reload could not patch in place, and why."""

    module: str  # the reloaded module
    qualname: str  # the object's name in it: "Color", "Outer.Inner", "f"
    message: str  # MSG_CANNOT filled in

    def __str__(self) -> str:
        return self.message


class PatchResult:
    """What patching one module did: the names whose code changed, what could not be patched."""

    __slots__ = ("changed", "conflicts")

    def __init__(self) -> None:
        self.changed: list[str] = []
        self.conflicts: list[Conflict] = []


def same_code(a: CodeType, b: CodeType) -> bool:
    """Do two code objects do the same thing (line numbers aside)?"""
    if a.co_code != b.co_code or a.co_names != b.co_names or a.co_varnames != b.co_varnames:
        return False
    if a.co_freevars != b.co_freevars or len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts, strict=True):
        if isinstance(x, CodeType) and isinstance(y, CodeType):
            if not same_code(x, y):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def _equal(old: Any, new: Any) -> bool:
    if old is _MISSING or type(old) is not type(new):
        return False
    try:
        return bool(old == new)
    except Exception:  # an __eq__ that refuses: count it as a change
        return False


def _is_dispatcher(obj: Any) -> bool:
    return callable(obj) and all(hasattr(obj, a) for a in ("register", "dispatch", "registry", "_clear_cache"))


def _slots(cls: type) -> Any:
    slots = cls.__dict__.get("__slots__", _MISSING)
    return (slots,) if isinstance(slots, str) else (tuple(slots) if slots is not _MISSING else None)


def members_change(old: Mapping[str, enum.Enum], new: Mapping[str, enum.Enum]) -> str | None:
    """How an Enum's members (its ``__members__``) changed from *old* to *new*, or None."""
    before = {name: member.value for name, member in old.items()}
    after = {name: member.value for name, member in new.items()}
    added = [name for name in after if name not in before]
    removed = [name for name in before if name not in after]
    parts = []
    if added:
        parts.append(WHY_MEMBERS_NEW.format(s="s" if len(added) > 1 else "", names=", ".join(added)))
    if removed:
        parts.append(WHY_MEMBERS_GONE.format(s="s" if len(removed) > 1 else "", names=", ".join(removed)))
    for name in after:
        if name in before and not _equal(before[name], after[name]):
            parts.append(WHY_MEMBER_VALUE.format(name=name, old=before[name], new=after[name]))
    if not parts and list(before) != list(after):
        parts.append(WHY_MEMBERS_ORDER)
    return ", ".join(parts) or None


class Patcher:
    """Patch the objects a module's namespace held *before* its new code ran into it.

    *namespace* is the module's ``__dict__``, which the new code has just run in
    (under the name *exec_name*, which differs for ``__main__``); *before* is a
    copy of it taken before.  Functions of both codes have *namespace* as globals.
    """

    def __init__(
        self, module_name: str, before: dict[str, Any], namespace: dict[str, Any], exec_name: str | None = None
    ) -> None:
        self.module_name = module_name
        self.exec_name = exec_name or module_name
        self.before = before
        self.namespace = namespace
        self.result = PatchResult()
        self._map: dict[int, Any] = {}  # id(new object) -> the old object that stands for it
        self._keep: list[Any] = []  # keeps mapped new objects alive, so their ids stay unique

    # ---------------------------------------------------------- helpers
    def _pair(self, new: Any, old: Any) -> None:
        self._map[id(new)] = old
        self._keep.append(new)

    def translate(self, obj: Any) -> Any:
        """The old object that stands for *obj*, or *obj* itself."""
        return self._map.get(id(obj), obj)

    def _defined_here(self, obj: Any, *, new: bool) -> bool:
        """Was *obj* made by this module's (new, or old) code?"""
        if isinstance(obj, FunctionType):
            return obj.__globals__ is self.namespace
        if isinstance(obj, type):
            return obj.__module__ in ((self.exec_name, self.module_name) if new else (self.module_name,))
        return False

    def _conflict(self, qualname: str, why: str, consequence: str) -> None:
        message = MSG_CANNOT.format(qualname=qualname, module=self.module_name, why=why, consequence=consequence)
        self.result.conflicts.append(Conflict(self.module_name, qualname, message))

    # ---------------------------------------------------------- the module
    def patch_namespace(self) -> PatchResult:
        """Patch what each name the new code rebound held before; bind the name to the result."""
        rebound = [
            (name, self.before.get(name, _MISSING), new)
            for name, new in self.namespace.items()
            if name not in MODULE_ATTRS and self.before.get(name, _MISSING) is not new
        ]
        for name, old, new in rebound:
            if isinstance(new, type) and isinstance(old, type):
                self._pair_class(old, new, name)
        for name, old, new in rebound:
            value = self.patch_value(old, new, name)
            if value is not new:
                self.namespace[name] = value
        return self.result

    def patch_value(self, old: Any, new: Any, qualname: str) -> Any:
        """Return what *qualname* should be bound to: *old* patched, or *new* adopted."""
        if old is new:
            return old
        if id(new) in self._map:  # already placed: as the old object it stands for, or as itself
            mapped = self._map[id(new)]
            if isinstance(mapped, type) and mapped is old and mapped is not new:
                self._patch_class(old, new, qualname)
            return mapped
        if _is_dispatcher(old) and _is_dispatcher(new) and type(old) is type(new):
            return self._patch_dispatcher(old, new, qualname)  # before functions: it is one
        # the module's own functions; or generated ones, like a dataclass's __init__,
        # whose globals are the (old) module's for both
        if (
            isinstance(old, FunctionType)
            and isinstance(new, FunctionType)
            and (
                (self._defined_here(old, new=False) and self._defined_here(new, new=True))
                or old.__globals__ is new.__globals__
            )
        ):
            return self.patch_function(old, new, qualname)
        if isinstance(old, (staticmethod, classmethod)) and type(old) is type(new):
            func = self.patch_value(old.__func__, new.__func__, qualname)
            return old if func is old.__func__ else type(new)(func)
        if isinstance(old, property) and isinstance(new, property):
            return self._patch_property(old, new, qualname)
        if isinstance(old, functools.singledispatchmethod) and isinstance(new, functools.singledispatchmethod):
            self._patch_dispatcher(old.dispatcher, new.dispatcher, qualname)
            return old
        if isinstance(old, functools.cached_property) and isinstance(new, functools.cached_property):
            func = self.patch_value(old.func, new.func, qualname)
            if func is old.func:
                return old
        if old is not _MISSING and type(old) is type(new) and hasattr(old, "cache_clear"):
            return self._patch_wrapper(old, new, qualname)
        return self.adopt(new, qualname, old)

    def adopt(self, new: Any, qualname: str, old: Any = _MISSING, *, report: bool = True) -> Any:
        """Make an object of the new code at home in the old namespace (it replaces *old*)."""
        if report and not _equal(old, new):
            self.result.changed.append(qualname)
        if isinstance(new, FunctionType):
            self._adopt_function(new)
            self._pair(new, new)  # placed as itself: the old function of another name does not take its code
            return new
        if isinstance(new, type) and self._defined_here(new, new=True):
            self._adopt_class(new)
            return new
        old_class = self.translate(type(new))
        if old_class is not type(new) and not isinstance(new, enum.Enum):
            try:
                object.__setattr__(new, "__class__", old_class)
            except TypeError:
                pass
        return new

    # ---------------------------------------------------------- functions
    def patch_function(self, old: FunctionType, new: FunctionType, qualname: str) -> FunctionType:
        """Give *old* the code, defaults and closure contents of *new*."""
        if self._map.get(id(new)) is old:
            return old
        if old.__code__.co_freevars != new.__code__.co_freevars:
            why = WHY_CLOSURE.format(old=old.__code__.co_freevars or "()", new=new.__code__.co_freevars or "()")
            self._conflict(qualname, why, KEEPS_CODE)
            return self.adopt(new, qualname, report=False)
        self._pair(new, old)
        if not same_code(old.__code__, new.__code__):
            self.result.changed.append(qualname)
        old.__code__ = new.__code__
        old.__defaults__ = self._translate_tuple(new.__defaults__)
        old.__kwdefaults__ = new.__kwdefaults__
        old.__annotations__ = new.__annotations__
        old.__doc__ = new.__doc__
        old.__name__, old.__qualname__ = new.__name__, new.__qualname__
        # as many cells in both: assigning __code__ above checked its free variables against the closure
        for old_cell, new_cell in zip(old.__closure__ or (), new.__closure__ or (), strict=True):
            self._patch_cell(old_cell, new_cell, qualname)
        for key, value in new.__dict__.items():
            current = old.__dict__.get(key, _MISSING)
            if key == "__wrapped__" and isinstance(current, FunctionType):
                self.patch_value(current, value, qualname)
            elif not (isinstance(value, FunctionType) and value is new):
                old.__dict__[key] = self.translate(value)
        return old

    def _patch_cell(self, old_cell: Any, new_cell: Any, qualname: str) -> None:
        try:
            new_value = new_cell.cell_contents
        except ValueError:  # an empty cell (a name not assigned yet)
            return
        try:
            old_value = old_cell.cell_contents
        except ValueError:
            old_value = _MISSING
        if isinstance(old_value, FunctionType) and isinstance(new_value, FunctionType):
            value = (
                self.patch_function(old_value, new_value, qualname)
                if old_value.__code__.co_freevars == new_value.__code__.co_freevars
                else new_value
            )
        else:
            value = self.translate(new_value)
        if value is not old_value:
            old_cell.cell_contents = value

    def _adopt_function(self, new: FunctionType) -> None:
        """A function new in this reload: point it at the old objects that stand for new ones."""
        self._translate_cells(new)
        if new.__globals__ is not self.namespace:
            return  # another module's function the new code bound a name to
        new.__defaults__ = self._translate_tuple(new.__defaults__)
        if new.__module__ == self.exec_name:
            new.__module__ = self.module_name  # __main__'s code ran under another __name__

    def _translate_cells(self, func: FunctionType) -> None:
        """Point *func*'s closure at the old objects that stand for new ones."""
        for cell in func.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if self.translate(value) is not value:
                cell.cell_contents = self.translate(value)

    def _translate_tuple(self, values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        return None if values is None else tuple(self.translate(v) for v in values)

    def _patch_property(self, old: property, new: property, qualname: str) -> property:
        parts = []
        in_place = True
        for attr in ("fget", "fset", "fdel"):
            o, n = getattr(old, attr), getattr(new, attr)
            if o is None or n is None:
                in_place = in_place and o is n
                parts.append(n)
                continue
            value = self.patch_value(o, n, qualname)
            in_place = in_place and value is o
            parts.append(value)
        if in_place:
            return old
        fget, fset, fdel = parts
        return property(fget, fset, fdel, new.__doc__)

    def _patch_wrapper(self, old: Any, new: Any, qualname: str) -> Any:
        """functools.lru_cache and its kind: patch the wrapped function, empty the cache."""
        inner_old, inner_new = getattr(old, "__wrapped__", None), getattr(new, "__wrapped__", None)
        if not (isinstance(inner_old, FunctionType) and isinstance(inner_new, FunctionType)):
            return self.adopt(new, qualname, old)
        if self.patch_function(inner_old, inner_new, qualname) is not inner_old:
            return self.adopt(new, qualname, report=False)
        old.cache_clear()
        self._pair(new, old)
        return old

    def _patch_dispatcher(self, old: Any, new: Any, qualname: str) -> Any:
        """Merge a new singledispatch registry into the old one, keeping others' registrations."""
        self._pair(new, old)
        for cls, impl in new.registry.items():
            key = self.translate(cls)
            current = old.registry.get(key)
            if current is impl:
                continue
            value = self.patch_value(
                current if current is not None else _MISSING, impl, f"{qualname}[{getattr(key, '__qualname__', key)}]"
            )
            if value is not current:
                old.register(key, value)
        old._clear_cache()
        return old

    # ---------------------------------------------------------- classes
    def layout_conflict(self, old: type, new: type) -> str | None:
        """Why *new* cannot be poured into *old* without corrupting its instances, or None."""
        if type(old) is not self.translate(type(new)):
            return f"its metaclass changed ({type(old).__name__} -> {type(new).__name__})"
        new_bases = tuple(self.translate(b) for b in new.__bases__)
        if new_bases != old.__bases__:
            names = ", ".join(b.__qualname__ for b in new.__bases__)
            return f"its bases changed ({', '.join(b.__qualname__ for b in old.__bases__)} -> {names})"
        if _slots(old) != _slots(new):
            return f"__slots__ changed ({_slots(old)} -> {_slots(new)})"
        for attr in _LAYOUT:
            if getattr(old, attr) != getattr(new, attr):
                return f"its instance layout changed ({attr} {getattr(old, attr)} -> {getattr(new, attr)})"
        return None

    def _pair_class(self, old: type, new: type, qualname: str) -> None:
        """Decide, before patching anything, which new classes the old ones stand for."""
        if not (self._defined_here(old, new=False) and self._defined_here(new, new=True)):
            return
        why, consequence = self.layout_conflict(old, new), KEEPS_CLASS
        if why is None and isinstance(old, enum.EnumMeta) and isinstance(new, enum.EnumMeta):
            why, consequence = members_change(old.__members__, new.__members__), KEEPS_MEMBERS
        if why is not None:
            self._conflict(qualname, why, consequence)
            return
        self._pair(new, old)
        if isinstance(old, enum.EnumMeta) and isinstance(new, enum.EnumMeta):
            members: dict[str, enum.Enum] = dict(new.__members__)
            for member_name, member in members.items():
                self._pair(member, old.__members__[member_name])
        for key, value in new.__dict__.items():
            current = old.__dict__.get(key)
            if isinstance(value, type) and isinstance(current, type) and current is not value:
                self._pair_class(current, value, f"{qualname}.{key}")

    def _patch_class(self, old: type, new: type, qualname: str) -> None:
        """Pour *new*'s methods and attributes into *old* (already paired, same layout)."""
        members = set(old.__members__) if isinstance(old, enum.EnumMeta) else set()
        for key, value in new.__dict__.items():
            if key in _CLASS_SKIP or key in members or isinstance(value, _SLOT_DESCRIPTORS):
                continue
            if members and key.startswith("_") and key.endswith("_") and not callable(value):
                continue  # the Enum machinery's own tables (_member_map_, ...)
            current = old.__dict__.get(key, _MISSING)
            result = self.patch_value(current, value, f"{qualname}.{key}")
            if result is not current:
                setattr(old, key, result)
        for key in [k for k in old.__dict__ if k not in new.__dict__]:
            value = old.__dict__[key]
            if key in _CLASS_SKIP or key in members or isinstance(value, _SLOT_DESCRIPTORS):
                continue
            if key.startswith("_") and key.endswith("_") and not key.startswith("__"):
                continue
            delattr(old, key)  # a method the new code no longer has
            self.result.changed.append(f"{qualname}.{key}")
        try:
            old.__doc__ = new.__doc__
        except (AttributeError, TypeError):
            pass

    def _adopt_class(self, new: type) -> None:
        """A class new in this reload: point its methods at the old objects that stand for new ones."""
        for value in list(new.__dict__.values()):
            func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if isinstance(func, FunctionType) and func.__globals__ is self.namespace:
                self._adopt_function(func)
        if new.__module__ != self.module_name:
            try:
                new.__module__ = self.module_name
            except (AttributeError, TypeError):
                pass
