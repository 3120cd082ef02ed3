"""Run a module's new code twice: a trial in a scratch namespace, then in the module itself.

``importlib.reload`` keeps the module's dictionary: the new code runs in it, so
names the new code does not assign keep their values (``try: cache / except
NameError: cache = {}`` keeps the cache, ``X = globals().get("X", 0) + 1``
counts on).  Run straight into the module, a broken edit would leave the
namespace half-rebound.  So the new code first runs in a scratch module seeded
with a copy of the module's names (the same idioms take the same branches
there), while the module, in ``sys.modules``, runs the old code for every other
thread; only if that trial succeeds does the code run again, in the module's
own namespace, under its import lock.  Should that second run fail all the
same, the namespace is put back as it was.
"""

from __future__ import annotations

from types import CodeType, ModuleType
from typing import Any

from ..spec import ModuleSpec, init_module_attrs

__all__ = ["Execution", "seed"]

# Copied for the trial, so that what the body adds to them (HANDLERS.append(f),
# cache.setdefault(...)) is done once, by the real run, not once more by the trial
_COPIED = (dict, list, set, bytearray)


def seed(namespace: dict[str, Any]) -> dict[str, Any]:
    """What a trial run starts from: *namespace*, its own dicts, lists and sets copied.

    Dunder names (``__builtins__``, a dict, is one) are shared, not copied.
    """
    return {
        key: value.copy() if type(value) in _COPIED and not key.startswith("__") else value
        for key, value in namespace.items()
    }


class Execution:
    """One module's new code, run first as a trial, then for real.

    *exec_name* is the ``__name__`` the code runs under (never ``"__main__"``,
    so a main block does not run again); with *import_attrs* the module's
    ``__spec__``, ``__loader__``, ``__file__``... are set from *spec* first, as
    importlib.reload does (not for a script run by path: it keeps what runpy
    gave it).
    """

    def __init__(
        self,
        module: ModuleType,
        spec: ModuleSpec,
        code: CodeType,
        *,
        exec_name: str,
        import_attrs: bool,
        before: dict[str, Any] | None = None,
    ) -> None:
        self.module = module
        self.spec = spec
        self.code = code
        self.exec_name = exec_name
        self.import_attrs = import_attrs
        self.before = dict(module.__dict__) if before is None else before  # the namespace as it is now
        self.scratch: ModuleType | None = None

    def trial(self) -> ModuleType:
        """Run the code in a scratch copy of the module's namespace; raise what it raises."""
        scratch = ModuleType(self.exec_name)
        scratch.__dict__.update(seed(self.before))
        self._prepare(scratch)
        exec(self.code, scratch.__dict__)
        self.scratch = scratch
        return scratch

    def run(self) -> None:
        """Run the code in the module's own namespace (hold its lock); on failure, undo and raise."""
        namespace = self.module.__dict__
        try:
            self._prepare(self.module)
            exec(self.code, namespace)
        except BaseException:
            namespace.clear()
            namespace.update(self.before)
            raise
        # the module's own name again: "__main__" for the running program, the
        # spec's name (what it was) for any other module
        namespace["__name__"] = self.before.get("__name__", self.exec_name)

    def share(self) -> None:
        """Let objects the trial left elsewhere (a callback registered with another module) see the module's names.

        Their globals are the scratch namespace: it now holds what the module's does.
        """
        if self.scratch is not None:
            self.scratch.__dict__.clear()
            self.scratch.__dict__.update(self.module.__dict__)

    def _prepare(self, module: ModuleType) -> None:
        if self.import_attrs:
            init_module_attrs(self.spec, module, override=True)
        module.__name__ = self.exec_name
