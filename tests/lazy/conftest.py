"""Fixtures for lazy imports: a mode switched on for one test, a tree of modules that log their execution."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest

from importworks import lazy
from importworks.lazy import _pending


@pytest.fixture(autouse=True)
def lazy_off() -> Iterator[None]:
    """Every test starts and ends with lazy imports off and no filter."""
    lazy.disable()
    lazy.set_lazy_filter(None)
    _pending.forget()
    try:
        yield
    finally:
        lazy.disable()
        lazy.set_lazy_filter(None)
        _pending.forget()


@pytest.fixture
def lazy_mode(engine) -> Callable[[str], None]:
    """lazy_mode("normal" | "all" | "none"), with the engine active."""
    return lambda mode: lazy.enable(mode)


# modules that append their name to log.events when their body runs
LOGGED = {
    "log.py": "events = []\n",
    "heavy.py": """\
        import log
        log.events.append("heavy")
        X = 42
        class Base:
            kind = "base"
        def f():
            return "f"
        """,
    "other.py": 'import log\nlog.events.append("other")\nVALUE = "other"\n',
    "pkg": {
        "__init__.py": 'import log\nlog.events.append("pkg")\n',
        "sub.py": 'import log\nlog.events.append("pkg.sub")\nY = 7\n',
        "second.py": 'import log\nlog.events.append("pkg.second")\nZ = 8\n',
    },
}


@pytest.fixture
def logged(tree) -> Callable[[dict], list]:
    """Build LOGGED plus *files*; return log.events (what ran, in order)."""

    def make(files: dict) -> list:
        tree({**LOGGED, **files})
        import log

        return log.events

    return make


def ran(name: str) -> bool:
    return name in sys.modules


_NATIVE_TYPE = (
    "3.15: the binding is the interpreter's types.LazyImportType, reified when its name is read, "
    "not importworks' LazyObject proxy"
)
_OUR_RULE = (
    "3.15: this rule of importworks' proxies (docs/lazy.md) is not applied to the interpreter's lazy "
    "objects (the side-effect and new-finder rules are: lazy/_native_rules.py)"
)
_NO_RECORD = (
    "3.15: the report sees the interpreter's lazy objects, which need no 'module body reads the name' rule: "
    "sentinel is lazy there, reified by the body (tests/lazy/test_native.py checks the 3.15 report)"
)
_NOT_NEEDED = (
    "3.15: the interpreter reifies a lazy global where it is read, C checks included, so the import "
    "is lazy there; the proxies keep it eager because C code would see the proxy"
)
# On 3.15+ these proxy tests run against the interpreter's own lazy imports
# (activate(lazy=...) and lazy.enable() set its mode): the ones whose assertions
# hold there pass; these describe behaviour that differs, each with how.
NATIVE_DIFFERS = {
    "test_import_binds_a_lazy_object_and_imports_nothing": _NATIVE_TYPE,
    "test_dotted_import_binds_the_top_package_lazily": _NATIVE_TYPE,
    "test_import_dotted_as_binds_the_submodule_lazily": _NATIVE_TYPE,
    "test_from_import_binds_each_name_lazily": _NATIVE_TYPE,
    "test_lazy_import_function_defers_without_activate": _NATIVE_TYPE,
    "test_lazy_import_at_module_level_rebinds_its_global": _NATIVE_TYPE,
    "test_type_and_identity_show_the_stand_in_before_first_use": _NATIVE_TYPE,
    "test_attribute_of_another_module_resolves_its_lazy_binding": _NATIVE_TYPE,
    "test_racing_threads_on_a_from_import_resolve_one_object": _NATIVE_TYPE,
    "test_module_level_if_block_is_lazy": _NATIVE_TYPE,
    "test_with_block_import_is_lazy": _NATIVE_TYPE,
    "test_import_after_a_try_statement_is_lazy_again": _NATIVE_TYPE,
    "test_first_listed_import_of_a_process_is_lazy": _NATIVE_TYPE,
    "test_two_dotted_imports_of_one_package_share_one_binding": (
        "3.15: reifying `pkg` of `import pkg.sub` then `import pkg.second` imports the submodules in "
        "the interpreter's order (pkg.second before pkg.sub)"
    ),
    "test_resolving_a_package_defers_its_submodules_until_reached": (
        "3.15 reifies through a custom __import__ with the full dotted name (lazy_import_needs_full), "
        "so pkg.second is imported with pkg; stock CPython does the same with any Python __import__"
    ),
    "test_module_already_imported_is_bound_as_it_is": (
        "3.15 binds a lazy object even for a module already imported (PEP 810); it reifies to that module"
    ),
    "test_form_stays_eager[finally body-normal]": "3.15 makes an import in a `finally` body lazy",
    "test_form_stays_eager[finally body-all]": "3.15 makes an import in a `finally` body lazy",
    "test_nothing_is_lazy_without_the_engine": (
        "3.15: lazy imports are the interpreter's, so lazy.enable() makes them lazy without activate()"
    ),
    "test_missing_module_raises_at_first_use_with_the_import_location": (
        "3.15: the cause is the interpreter's plain ImportError, not importworks.lazy.LazyImportError"
    ),
    "test_missing_name_raises_cpythons_message_at_first_use": (
        "3.15: the import's file and line are a traceback entry of the cause, not part of its message"
    ),
    "test_error_in_module_body_keeps_its_type": (
        "3.15: the import's file and line are a traceback entry of the cause, not part of its message"
    ),
    "test_filter_is_not_asked_for_imports_that_cannot_be_lazy": (
        "3.15 asks the filter for every eligible import, one of a module already imported included "
        "(the proxies skip imports with nothing to defer)"
    ),
    "test_enable_and_disable_install_the_hook_and_report_the_previous_mode": (
        "3.15: no engine hook is installed, the interpreter's mode is set instead"
    ),
    "test_lazy_modules_lists_the_lazy_imports_not_imported_yet": (
        "3.15: lazy_modules() mirrors sys.lazy_modules, which also holds the standard library's own lazy "
        "imports and each from-import's module without its names"
    ),
    "test_from_import_of_a_name_caught_in_except_stays_eager": _NOT_NEEDED,
    "test_from_import_of_a_name_raised_bare_stays_eager": _NOT_NEEDED,
    "test_mode_all_imports_constants_eagerly": _NOT_NEEDED,
    "test_attribute_bound_by_an_earlier_import_side_effect": _OUR_RULE,
    "test_a_missing_attribute_imports_the_pending_modules_only_up_to_the_one_that_binds_it": _OUR_RULE,
    "test_report_lists_each_lazy_import_where_it_was_first_used_and_what_stayed_eager": _NO_RECORD,
    "test_getattr_static_sees_through_a_lazy_module": (
        "3.15: a lazy object taken out of a namespace without being reified is the interpreter's "
        "placeholder, whose dir() and getattr_static show the placeholder, not the module"
    ),
    "test_lazy_class_as_a_singledispatch_registration": (
        "3.15: the placeholder taken from the namespace is not a class; singledispatch's register() refuses it"
    ),
    "test_lazy_class_in_isinstance_and_issubclass": (
        "3.15: the placeholder taken from the namespace has no attributes "
        "('cannot access attribute ... on unresolved lazy import'); the proxy forwards them"
    ),
    "test_dunder_value_taken_from_a_module_stays_eager": _NOT_NEEDED,
    "test_a_name_the_module_body_reads_is_imported_eagerly_so_its_error_is_at_the_import_line": _OUR_RULE,
    "test_a_packages_lazy_imports_of_its_own_modules_resolve_in_statement_order": (
        "3.15: Python code gets PEP 810's order; the statement-order rule applies there only to imports "
        "made by extension modules (lazy/_native_rules.before_import)"
    ),
}


def pytest_collection_modifyitems(config, items) -> None:
    """On 3.15+ the proxy tests run against the interpreter's lazy imports; NATIVE_DIFFERS are strict xfails."""
    if not hasattr(sys, "set_lazy_imports"):
        return
    for item in items:
        if "tests/lazy/" not in item.nodeid:
            continue
        reason = NATIVE_DIFFERS.get(item.name) or NATIVE_DIFFERS.get(item.originalname)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
