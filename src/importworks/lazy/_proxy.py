"""The lazy binding: what a lazy import statement binds, and how it resolves.

A :class:`LazyObject` stands in for a module (``import json``) or for a name
taken from a module (``from json import dumps``).  The first operation on it
(an attribute, a call, ``repr``, an operator, ``isinstance`` against it...)
performs the real import, then replaces every entry of the importer's
namespace that still holds the stand-in with the real object, so later uses go
straight to it.  The import runs through ``importlib.import_module`` as it is at
that moment: the engine's when importworks is active, CPython's otherwise.
Either one executes a module body once however many threads race on it, so no
lock of ours is held while importing (which could deadlock against the
engine's module locks); a small lock only guards publishing the result.
"""

from __future__ import annotations

import importlib
import itertools
import operator
import sys
import threading
from types import ModuleType
from typing import Any

from ..engine._importlib_bootstrap import FROMLIST_PROBE_CODE
from ..engine.tracebacks import strip_engine_frames
from ..errors import LazyImportError
from . import _pending
from . import report as _report

__all__ = ["Binding", "LazyObject", "adopt", "hold", "is_lazy", "resolve"]

ERR_RESOLUTION = "lazy import of {what!r} raised an exception during resolution ({filename}, line {lineno})"
ERR_CANNOT_IMPORT = "cannot import name {name!r} from {module!r} ({location})"

_UNSET: Any = object()
_publish_lock = threading.Lock()


class Binding:
    """What a lazy object stands for, where it was written, and once known, its value."""

    __slots__ = ("module", "attr", "submodules", "namespace", "filename", "lineno", "function", "order", "value")

    def __init__(
        self,
        module: str,
        attr: str | None,
        namespace: dict[str, Any] | None,
        where: tuple[Any, ...],
        submodules: list[str] | None = None,
    ) -> None:
        self.module = module  # the module to import (the source, for a from-import)
        self.attr = attr  # the name taken from it, or None for the module itself
        self.submodules = submodules  # imported first: ``import a.b`` binds ``a`` but needs ``a.b``
        self.namespace = namespace  # the importer's globals, rebound on resolution
        self.filename, self.lineno, self.function, *order = where
        self.order = order[0] if order else None  # the statement's place among its module's (_pending)
        self.value = _UNSET
        if _report.active:
            _report.made(self)

    @property
    def what(self) -> str:
        if self.attr is not None:
            return f"{self.module}.{self.attr}"
        return self.submodules[-1] if self.submodules else self.module

    def load(self) -> Any:
        """Perform the real import and return the object to bind."""
        if self.order is not None:
            _pending.import_earlier(self.order, self.module)
        module = importlib.import_module(self.module)
        if _pending.has_children(self.module):
            adopt(module)
        if self.submodules:
            _defer_submodules(module, self)
        return module if self.attr is None else _take_from(module, self.attr, self)


def _defer_submodules(module: ModuleType, binding: Binding) -> None:
    """``import a.b.c`` resolved ``a``: leave ``a.b`` to be imported when reached.

    ``a`` has ``b`` as a pending child (``_pending``): the first read of
    ``a.b`` imports it, and ``a.b`` has ``c`` pending in turn, so each use
    imports just what it reaches.  A name already taken by something else in
    the package is imported now, as the eager import would have rebound it.
    """
    namespace = module.__dict__
    prefix = binding.module + "."
    for fullname in binding.submodules or ():
        child = fullname[len(prefix) :].partition(".")[0]
        current = namespace.get(child)
        if current is None and prefix + child not in sys.modules:
            continue  # reached through the package's pending children (_pending)
        if (
            type(current) is LazyObject
            and not is_resolved(current)
            and _binding_of(current).attr is None
            and _binding_of(current).module == prefix + child
        ):
            continue  # a lazy binding of that very submodule: it resolves when reached
        importlib.import_module(fullname)


def _take_from(module: ModuleType, attr: str, binding: Binding) -> Any:
    """getattr(module, attr) as ``from module import attr`` does it, submodules included."""
    value = _own(_raw_attribute(module, attr), binding)
    if value is _UNSET and hasattr(module, "__path__"):
        # not bound (or bound to this very import, ``from . import x`` in the
        # package itself): a submodule.  Any other attribute, lazy or not, wins
        # over a submodule of that name, as in the eager import
        fullname = f"{binding.module}.{attr}"
        try:
            importlib.import_module(fullname)
        except ModuleNotFoundError as exc:
            if exc.name != fullname:
                raise
        value = _own(_raw_attribute(module, attr), binding)
        if value is _UNSET:
            value = sys.modules.get(fullname, value)
    if value is _UNSET:
        location = getattr(module, "__file__", None) or "unknown location"
        raise ImportError(
            ERR_CANNOT_IMPORT.format(name=attr, module=binding.module, location=location),
            name=binding.module,
            path=getattr(module, "__file__", None),
        )
    if type(value) is LazyObject:
        value = _target(value)
    return value


def _own(value: Any, binding: Binding) -> Any:
    """_UNSET if *value* is a stand-in for *binding* itself, else *value*."""
    return _UNSET if type(value) is LazyObject and _binding_of(value) is binding else value


def _raw_attribute(module: Any, attr: str) -> Any:
    """The attribute as stored (a lazy binding stays one), else getattr's answer."""
    namespace = getattr(module, "__dict__", None)
    if isinstance(namespace, dict) and attr in namespace:
        return namespace[attr]
    return getattr(module, attr, _UNSET)


def _resolve(proxy: LazyObject, binding: Binding) -> Any:
    namespace = binding.namespace
    keys = [key for key, bound in list(namespace.items()) if bound is proxy] if namespace is not None else ()
    try:
        value = binding.load()
    except Exception as exc:
        if _report.active:
            _report.reified(binding, failed=True)
        _locate(exc, binding)
        if isinstance(exc, (ImportError, SyntaxError)):  # a bad module says where itself
            strip_engine_frames(exc)
            exc.__traceback__ = _without_own_frames(exc.__traceback__)
        raise exc from exc.__cause__
    if _report.active:
        _report.reified(binding, failed=False)
    with _publish_lock:
        if binding.value is _UNSET:
            binding.value = value
            if issubclass(type(value), ModuleType):  # no code of the value's runs under the lock
                _set_dict(proxy, object.__getattribute__(value, "__dict__"))
            namespace, binding.namespace = binding.namespace, None
            if namespace is not None:
                _undo_parent_binding(namespace, keys, proxy)
                if not _rebind(namespace, proxy, value):
                    _release(namespace)
    return binding.value


def _undo_parent_binding(namespace: dict[str, Any], keys: Any, proxy: LazyObject) -> None:
    """Put *proxy* back where importing a submodule bound that submodule over it.

    ``from .text import text`` in ``pkg/__init__``: the eager import binds the
    submodule ``pkg.text`` on pkg, then the statement rebinds ``text`` to the
    function.  Resolved lazily, the submodule's binding comes second; the
    statement's binding must win as it does eagerly.
    """
    package = namespace.get("__name__")
    for key in keys:
        current = namespace.get(key)
        if (
            current is not proxy
            and issubclass(type(current), ModuleType)
            and getattr(current, "__name__", None) == f"{package}.{key}"
        ):
            namespace[key] = proxy


def _rebind(namespace: dict[str, Any], proxy: LazyObject, value: Any) -> bool:
    """Replace every entry of *namespace* that still holds *proxy*; are other lazy ones left?"""
    others = False
    for key, bound in list(namespace.items()):
        if bound is proxy:
            namespace[key] = value
        elif type(bound) is LazyObject:
            others = True
    return others


class _HoldingModule(ModuleType):
    """A module whose namespace holds lazy bindings: reading one as an attribute resolves it.

    PEP 810 resolves a lazy object read from a module attribute; this class
    does the same, so ``except other.Error:`` or ``from other import Error``
    elsewhere gets the real class.  When no lazy binding is left the module
    gets its plain class back, and its attributes cost nothing extra.
    """

    def __getattribute__(self, name: str) -> Any:
        try:
            value = ModuleType.__getattribute__(self, name)
        except AttributeError:
            value = _pending_submodule(self, name)
        return _target(value) if type(value) is LazyObject else value


def _pending_submodule(module: ModuleType, name: str) -> Any:
    """A missing attribute that a pending lazy import would have bound: import that submodule now.

    Re-raises the AttributeError being handled (CPython's own message) otherwise.
    """
    own = ModuleType.__getattribute__(module, "__dict__").get("__name__")
    if not isinstance(own, str):
        raise  # the AttributeError of the attribute lookup
    if name not in _pending.children_of(own):
        if name.startswith("__") or sys._getframe(2).f_code is FROMLIST_PROBE_CODE:
            # the engine's own probe for ``from pkg import sub``: it imports pkg.sub
            # next, so nothing else under pkg need be imported for it (aws: 76 modules)
            raise
        if not _pending.import_pending_under(own, name):
            raise
        return ModuleType.__getattribute__(module, name)
    fullname = f"{own}.{name}"
    try:
        submodule = importlib.import_module(fullname)
    except ModuleNotFoundError as exc:
        if exc.name != fullname:
            raise
        _pending.children_of(own).discard(name)
        raise AttributeError(f"module {own!r} has no attribute {name!r}", name=name, obj=module) from None
    namespace = ModuleType.__getattribute__(module, "__dict__")
    return namespace.get(name, submodule)


def hold(namespace: dict[str, Any]) -> None:
    """Give the module owning *namespace* the resolving class (plain modules only)."""
    module = sys.modules.get(namespace.get("__name__"))  # type: ignore[arg-type]
    if type(module) is ModuleType and module.__dict__ is namespace:
        module.__class__ = _HoldingModule


def adopt(module: Any) -> None:
    """A module with pending lazy submodules: reading one of them as an attribute imports it."""
    if type(module) is ModuleType:
        module.__class__ = _HoldingModule


def _release(namespace: dict[str, Any]) -> None:
    name = namespace.get("__name__")
    module = sys.modules.get(name)  # type: ignore[arg-type]
    if (
        type(module) is _HoldingModule
        and ModuleType.__getattribute__(module, "__dict__") is namespace
        and not _pending.has_children(name)
    ):
        ModuleType.__setattr__(module, "__class__", ModuleType)


def _locate(exc: BaseException, binding: Binding) -> None:
    """Chain a LazyImportError whose traceback points at the import statement."""
    where = LazyImportError(
        ERR_RESOLUTION.format(what=binding.what, filename=binding.filename, lineno=binding.lineno),
        name=binding.what,
        path=binding.filename,
    )
    where.__traceback__ = _traceback_at(binding, where)
    if exc.__cause__ is None:
        exc.__cause__ = where
    elif hasattr(exc, "add_note"):  # the cause slot is taken (3.11+: say it in a note)
        exc.add_note(str(where))


def _traceback_at(binding: Binding, error: BaseException) -> Any:
    """A traceback with one entry: the file and line of the lazy import statement."""
    padding = "\n" * max(binding.lineno - 1, 0)
    try:
        code = compile(padding + "raise __error__", binding.filename, "exec")
        code = code.replace(co_name=binding.function)
        exec(code, {"__error__": error})
    except LazyImportError as raised:
        tb = raised.__traceback__
        raised.__context__ = None
        return tb.tb_next if tb is not None else None
    except Exception:  # no place to point at: keep the message alone
        return None
    return None


def _without_own_frames(tb: Any) -> Any:
    """Drop the import machinery's frames (ours, importlib's) from a resolution error's traceback."""
    entries = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename not in _MACHINERY_FILES:
            entries.append(tb)
        tb = tb.tb_next
    for entry, following in itertools.pairwise(entries):
        entry.tb_next = following
    if entries:
        entries[-1].tb_next = None
    return entries[0] if entries else None


_MACHINERY_FILES = frozenset(
    {__file__, importlib.__file__, "<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>"}
)


# ----------------------------------------------------------------- the object
class LazyObject:
    """A lazy binding: forwards every use to the object it imports on first use."""

    # __dict__: once resolved to a module, the module's own namespace, for code that reads
    # it without asking the object (inspect.getattr_static: pluggy finds tox's hooks so)
    __slots__ = ("_lazy_binding", "__dict__")

    def __init__(self, binding: Binding) -> None:
        _set_binding(self, binding)

    def __getattribute__(self, name: str) -> Any:
        if name == "__mro_entries__":  # looked up on the instance by class statements
            return lambda bases: _mro_entries(self)
        return getattr(_target(self), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_target(self), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(_target(self), name)

    def __dir__(self) -> list[str]:
        return dir(_target(self))

    def __repr__(self) -> str:
        return repr(_target(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _target(self)(*args, **kwargs)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        # a lazy function stored as a class attribute must still become a method
        target = _target(self)
        get = getattr(type(target), "__get__", None)
        return target if get is None else get(target, instance, owner)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, _target(self))

    def __subclasscheck__(self, subclass: Any) -> bool:
        return issubclass(subclass, _target(self))

    def __eq__(self, other: Any) -> Any:
        return _target(self) == other

    def __ne__(self, other: Any) -> Any:
        return _target(self) != other

    def __hash__(self) -> int:
        return hash(_target(self))

    def __enter__(self) -> Any:
        return _target(self).__enter__()

    def __exit__(self, *exc_info: Any) -> Any:
        return _target(self).__exit__(*exc_info)


def _mro_entries(proxy: LazyObject) -> tuple[Any, ...]:
    target = _target(proxy)
    entries = getattr(type(target), "__mro_entries__", None)
    return (target,) if isinstance(target, type) or entries is None else entries(target, ())


def _forward_unary(function: Any) -> Any:
    return lambda self, *args: function(_target(self), *args)


def _forward_binary(function: Any) -> tuple[Any, Any]:
    return (lambda self, other: function(_target(self), other), lambda self, other: function(other, _target(self)))


for _name, _function in {
    "__bool__": bool,
    "__len__": len,
    "__iter__": iter,
    "__reversed__": reversed,
    "__str__": str,
    "__bytes__": bytes,
    "__format__": format,
    "__int__": int,
    "__float__": float,
    "__complex__": complex,
    "__index__": operator.index,
    "__round__": round,
    "__neg__": operator.neg,
    "__pos__": operator.pos,
    "__abs__": abs,
    "__invert__": operator.invert,
    "__fspath__": lambda t: t.__fspath__(),
    "__getitem__": operator.getitem,
    "__setitem__": operator.setitem,
    "__delitem__": operator.delitem,
    "__contains__": operator.contains,
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
    "__await__": lambda t: t.__await__(),
}.items():
    setattr(LazyObject, _name, _forward_unary(_function))

for _name, _function in {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "matmul": operator.matmul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "divmod": divmod,
    "pow": pow,
    "lshift": operator.lshift,
    "rshift": operator.rshift,
    "and": operator.and_,
    "or": operator.or_,
    "xor": operator.xor,
}.items():
    _forward, _reflected = _forward_binary(_function)
    setattr(LazyObject, f"__{_name}__", _forward)
    setattr(LazyObject, f"__r{_name}__", _reflected)
del _name, _function, _forward, _reflected

_slot = LazyObject.__dict__["_lazy_binding"]
_binding_of = _slot.__get__
_set_binding = _slot.__set__
_set_dict = LazyObject.__dict__["__dict__"].__set__


def _target(proxy: LazyObject) -> Any:
    binding = _binding_of(proxy)
    value = binding.value
    return value if value is not _UNSET else _resolve(proxy, binding)


def is_lazy(obj: Any) -> bool:
    """Is *obj* a lazy binding not yet replaced by its module (it may be resolved already)?"""
    return type(obj) is LazyObject


def resolve(obj: Any) -> Any:
    """Return the real object behind a lazy binding (importing it now); other objects as they are."""
    return _target(obj) if type(obj) is LazyObject else obj


def is_resolved(obj: LazyObject) -> bool:
    """Has this lazy binding performed its import?"""
    return _binding_of(obj).value is not _UNSET


def binding_of(obj: LazyObject) -> Binding:
    """The record behind a lazy object (module, attribute, where it was written)."""
    return _binding_of(obj)
