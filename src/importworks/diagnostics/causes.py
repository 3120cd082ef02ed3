"""Plain-words causes for an import's outcome, each with its evidence.

Every function here looks at facts (folder listings, installed metadata, the
steps of :func:`.why.diagnose`, the other environments of :mod:`.envs`) and
returns :class:`Cause` objects: a ``kind`` tools can match, a ``message`` for
people, a one-line ``short`` form for error messages, and a ``fix`` (a command
or an action) when there is one.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import envs
from .syspath import INSTALLED_KINDS, STDLIB_KINDS, environment_summary

__all__ = [
    "Cause",
    "exec_failed",
    "finder_raised",
    "in_sys_modules",
    "invalid_name",
    "near_misses",
    "not_a_package",
    "on_failing_path",
    "parent_failed",
    "shadowing",
    "short_hints",
    "stale_module",
    "why_not_found",
]

# Only consulted when no installed metadata on this machine knows the name.
WELL_KNOWN_DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "cv2": "opencv-python",
    "PIL": "Pillow",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "PyJWT",
    "Crypto": "pycryptodome",
    "serial": "pyserial",
    "magic": "python-magic",
    "skimage": "scikit-image",
    "docx": "python-docx",
    "git": "GitPython",
    "OpenSSL": "pyOpenSSL",
}

_WHERE_WORDS = {
    "cwd": "the working directory",
    "script": "the script's folder",
    "pythonpath": "a PYTHONPATH folder",
    "pth": "a folder added by a .pth file",
}


@dataclass
class Cause:
    """One reason, in plain words, with the facts behind it."""

    kind: str
    message: str
    short: str = ""
    fix: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder or ".")
    except OSError:
        return []


def importable_names(path: Sequence[Any] | None) -> set[str]:
    """Module names importable from *path* (default sys.path, plus built-ins)."""
    names: set[str] = set()
    for entry in sys.path if path is None else path:
        if isinstance(entry, str):
            names.update(n for n in map(envs.module_name, _listdir(entry)) if n)
    if path is None:
        names.update(sys.builtin_module_names)
    return names


def near_misses(wanted: str, names: Iterable[str]) -> list[str]:
    """Names differing only in case first, then close spellings (difflib)."""
    import difflib  # not at the top: only a name that is not found needs it

    names = set(names) - {wanted}
    same_case = sorted(n for n in names if n.lower() == wanted.lower())
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.8)
    return same_case + [n for n in close if n not in same_case]


def _install_command(dist: str) -> str:
    return f"{sys.executable} -m pip install {dist}"


def _near_miss_cause(name: str, path: Sequence[Any] | None) -> Cause | None:
    parent, _, tail = name.rpartition(".")
    matches = near_misses(tail, importable_names(path))
    if not matches:
        return None
    full = [f"{parent}.{m}" if parent else m for m in matches]
    case = [m for m in matches if m.lower() == tail.lower()]
    why = " (module names are case-sensitive)" if case else ""
    listed = ", ".join(repr(m) for m in full)
    return Cause(
        "near-miss",
        f"Did you mean {listed}?{why} Those are importable here.",
        short=f"Did you mean {full[0]!r}?",
        fix=f"import {full[0]}",
        evidence={"candidates": full},
    )


def _near_miss_elsewhere(name: str) -> Cause | None:
    """A close spelling of a top-level *name* installed in another environment."""
    for env in envs.discover_environments():
        names = set().union(*(site.top_level_names() for site in env.sites()))
        matches = near_misses(name, names)
        if matches:
            best = matches[0]
            return Cause(
                "near-miss",
                f"Did you mean {best!r}? It is installed for {env.python}, not for this interpreter.",
                short=f"Did you mean {best!r}? (installed for {env.python}, not this interpreter)",
                fix=_install_command(best),
                evidence={"candidates": matches, "python": env.python},
            )
    return None


def _distribution_here(name: str) -> Cause | None:
    """*name* is a distribution installed here whose import name differs.

    Read from the ``*.dist-info`` folders on sys.path, where importlib.metadata
    would find them, without importing it: it costs 20-30 ms at start-up, and
    reads METADATA with ``email``, which a local email.py can shadow.
    """
    for entry in sys.path:
        if isinstance(entry, str) and os.path.isdir(entry or "."):
            found = envs.SiteDir(entry or ".").distribution_named(name)
            if found is not None:
                break
    else:
        return None
    dname, version, top = found
    if not top or name in top:
        return None
    shown = ", ".join(repr(t) for t in top)
    return Cause(
        "distribution-name",
        f"{name!r} is the name of the distribution {dname} {version} installed here; "
        f"it is imported as {shown}, not {name!r}.",
        short=f"{name!r} is a distribution name; import it as {top[0]!r}.",
        fix=f"import {top[0]}",
        evidence={"distribution": dname, "version": version, "import_names": top},
    )


def _base_note(env: envs.Environment) -> str:
    if sys.prefix != sys.base_prefix and os.path.realpath(env.prefix) == os.path.realpath(sys.base_prefix):
        return " (the base interpreter of this virtual environment, whose site-packages it does not see)"
    return " (a virtual environment)" if env.is_venv else ""


def _sightings(name: str) -> list[Cause]:
    found = []
    for sighting in envs.find_elsewhere(name):
        env = sighting.environment
        top = name.partition(".")[0]
        dist = sighting.distribution or top
        what = f" (distribution {sighting.distribution} {sighting.version})" if sighting.distribution else ""
        renamed = ""
        if envs.normalize_dist_name(dist) != envs.normalize_dist_name(top):
            renamed = f" The distribution is called {dist!r}; the import name is {top!r}."
        found.append(
            Cause(
                "other-environment",
                f"{name!r} is installed for {env.python}, Python {env.version}{_base_note(env)}, at "
                f"{sighting.location}{what}, not for this interpreter ({sys.executable}).{renamed}",
                short=f"{name!r} is installed for {env.python}, not this interpreter; "
                f"install it with: {_install_command(dist)}",
                fix=_install_command(dist),
                evidence={
                    "python": env.python,
                    "prefix": env.prefix,
                    "location": sighting.location,
                    "distribution": sighting.distribution,
                    "version": sighting.version,
                },
            )
        )
    return found


def _distribution_elsewhere(name: str) -> Cause | None:
    """*name* is a distribution name in another environment; say its import name."""
    for env in envs.discover_environments():
        for site in env.sites():
            found = site.distribution_named(name)
            if found and found[2] and name not in found[2]:
                dist, version, tops = found
                return Cause(
                    "distribution-name",
                    f"{name!r} is a distribution name ({dist} {version}, installed for {env.python}); "
                    f"it is imported as {tops[0]!r}.",
                    short=f"{name!r} is a distribution name; import it as {tops[0]!r}.",
                    fix=f"import {tops[0]}",
                    evidence={"distribution": dist, "version": version, "import_names": tops, "python": env.python},
                )
    return None


def _well_known(name: str) -> Cause | None:
    dist = WELL_KNOWN_DISTRIBUTIONS.get(name)
    if dist is not None:
        return Cause(
            "distribution-name",
            f"{name!r} is usually installed as the distribution {dist!r} "
            "(no installed metadata on this machine knows it).",
            short=f"{name!r} comes from the distribution {dist!r}: {_install_command(dist)}",
            fix=_install_command(dist),
            evidence={"distribution": dist},
        )
    for module, dist in WELL_KNOWN_DISTRIBUTIONS.items():
        if envs.normalize_dist_name(dist) == envs.normalize_dist_name(name):
            return Cause(
                "distribution-name",
                f"{name!r} is a distribution name; it is imported as {module!r}.",
                short=f"{name!r} is a distribution name; import it as {module!r}.",
                fix=f"import {module}",
                evidence={"distribution": dist, "import_names": [module]},
            )
    return None


def why_not_found(name: str, path: Sequence[Any] | None, *, look_elsewhere: bool = True) -> list[Cause]:
    """Every reason we can find for *name* not being found on *path*."""
    found: list[Cause | None] = [
        _other_python_build(name, path),
        _distribution_here(name) if path is None else None,
        _near_miss_cause(name, path),
    ]
    if look_elsewhere:
        found.extend(_sightings(name))
        if path is None and not any(found):
            found.append(_near_miss_elsewhere(name))
        if path is None and not any(c and c.kind == "distribution-name" for c in found):
            found.append(_distribution_elsewhere(name))
    if path is None and not any(c and c.kind in ("distribution-name", "other-environment") for c in found):
        found.append(_well_known(name))
    causes = [c for c in found if c is not None]
    if not causes and path is not None and "." in name:
        causes.append(_no_submodule(name, path))
    if not causes:
        env = environment_summary()
        venv = f" (virtual environment {env['prefix']})" if env["virtual_env"] else ""
        top = name.partition(".")[0]
        searched = _searched(look_elsewhere)
        causes.append(
            Cause(
                "not-installed",
                f"No {name!r} on this interpreter's path{venv}{searched}. If it is on PyPI: "
                f"{_install_command(top)} (the distribution name can differ).",
                short="",
                fix=_install_command(top),
            )
        )
    return causes


def _other_python_build(name: str, path: Sequence[Any] | None) -> Cause | None:
    """A C extension of that name built for another Python (``mod.cpython-312-x86_64-linux-gnu.so``)."""
    import importlib.machinery

    tail = name.rpartition(".")[2]
    ours = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for entry in sys.path if path is None else path:
        if not isinstance(entry, str):
            continue
        for filename in sorted(_listdir(entry)):
            if (
                filename.startswith(tail + ".")
                and filename.endswith((".so", ".pyd"))
                and filename[len(tail) :] not in ours
            ):
                where = os.path.join(entry or os.getcwd(), filename)
                return Cause(
                    "other-python-build",
                    f"{where} is {name!r} built for another Python: this one "
                    f"({sys.implementation.cache_tag}) loads only {', '.join(ours)}. Install or "
                    "build it for this interpreter.",
                    short=f"{filename} was built for another Python",
                    evidence={"file": where, "suffixes": list(ours)},
                )
    return None


def _no_submodule(name: str, path: Sequence[Any], shown: int = 8) -> Cause:
    """The package is there but lacks the submodule: installing the package again will not help."""
    import pkgutil

    parent, _, tail = name.rpartition(".")
    package = sys.modules.get(parent)
    where = getattr(getattr(package, "__spec__", None), "origin", None) or ", ".join(map(str, path))
    names = sorted(m.name for m in pkgutil.iter_modules(list(path)))
    listed = ", ".join(names[:shown]) + (f" ... ({len(names)} in all)" if len(names) > shown else "")
    has = f"its submodules: {listed}" if names else "it has no submodules at all"
    return Cause(
        "no-submodule",
        f"{parent!r} is importable ({where}), but it has no submodule {tail!r}; {has}.",
        short=f"{parent!r} has no submodule {tail!r}",
        evidence={"package": parent, "submodules": names},
    )


def _searched(looked: bool, shown: int = 4) -> str:
    """What 'not elsewhere either' rests on: the environments read, and where they were looked for."""
    if not looked:
        return " (other environments not searched)"
    pythons = [env.python for env in envs.discover_environments()]
    where = f"looked for: {envs.SEARCHED}; environments elsewhere on this machine were not"
    if not pythons:
        return f", and no other environment was found to search ({where})"
    listed = ", ".join(pythons[:shown]) + (f" and {len(pythons) - shown} more" if len(pythons) > shown else "")
    return f", nor in the {len(pythons)} other environment(s) searched: {listed} ({where})"


_DISTRIBUTION_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.I)  # PEP 508


def _what_is_wrong(name: str) -> str | None:
    """Why *name* cannot be an import name (None: it can)."""
    if not name:
        return "it is empty"
    if name.startswith("."):
        return "it is relative (leading dot); why takes the absolute name, as in 'import NAME'"
    for part in name.split("."):
        if not part:
            return "it has an empty part between dots"
        if keyword.iskeyword(part):
            return f"{part!r} is a Python keyword"
        if not part.isidentifier():
            bad = next((c for c in part if not (c.isalnum() or c == "_")), part[0])
            what = "a space" if bad == " " else "a digit at the start" if part[0].isdigit() else repr(bad)
            return f"{part!r} is not an identifier: it contains {what}"
    return None


def invalid_name(name: str, *, look_elsewhere: bool = True) -> list[Cause]:
    """Causes for a *name* no import statement can spell (empty, spaces, dashes...); [] when it is fine."""
    wrong = _what_is_wrong(name)
    if wrong is None:
        return []
    causes = [
        Cause(
            "invalid-name",
            f"{name!r} cannot be imported by that name: {wrong}. Module names are "
            "dotted Python identifiers (letters, digits, underscores).",
            short=f"{name!r} is not a module name",
            evidence={"reason": wrong},
        )
    ]
    if _DISTRIBUTION_NAME.match(name):  # 'python-dateutil': maybe a distribution's name
        found = [_distribution_here(name)]
        if look_elsewhere and not found[0]:
            found.append(_distribution_elsewhere(name))
        if not any(found):
            found.append(_well_known(name))
        causes += [c for c in found if c is not None]
    return causes


def on_failing_path(name: str, cause: Cause) -> Cause:
    """A shadowing of *name*'s top-level package, told as the reason *name* fails."""
    top = name.partition(".")[0]
    return Cause(
        cause.kind,
        f"{cause.message.rstrip('.')}; {name!r} is looked for inside that {top!r}, which is why it fails.",
        short=cause.short,
        fix=cause.fix,
        evidence=cause.evidence,
    )


def short_hints(name: str, limit: int = 2) -> list[str]:
    """One or two lines for a ModuleNotFoundError message (fast: no import runs)."""
    parent = name.rpartition(".")[0]
    path = None
    if parent:
        module = sys.modules.get(parent)
        path = getattr(module, "__path__", None)
        if path is None:
            return _shadowed_parent(name)[:limit]
    return [c.short for c in why_not_found(name, path) if c.short][:limit]


def _shadowed_parent(name: str) -> list[str]:
    """'email.py shadows the standard library package' when *name*'s top-level module is a stand-in."""
    top = name.partition(".")[0]
    origin = getattr(sys.modules.get(top), "__file__", None)
    if not origin or top not in getattr(sys, "stdlib_module_names", ()):
        return []
    import sysconfig

    stdlib = os.path.realpath(sysconfig.get_path("stdlib"))
    if os.path.realpath(origin).startswith(stdlib + os.sep):
        return []
    return [f"{origin} shadows the standard library package {top!r} (rename it, and remove its __pycache__)"]


def parent_failed(parent: str, outcome: str, error: dict[str, Any] | None) -> Cause:
    detail = f": {error['traceback']}" if error else ""
    return Cause(
        "parent-failed",
        f"The parent package {parent!r} cannot be imported ({outcome}){detail}.",
        short=f"its parent package {parent!r} cannot be imported",
        evidence={"parent": parent},
    )


def not_a_package(name: str, module: Any) -> Cause:
    parent = name.rpartition(".")[0]
    origin = getattr(getattr(module, "__spec__", None), "origin", None) or getattr(module, "__file__", None)
    return Cause(
        "not-a-package",
        f"{parent!r} is a module ({origin}), not a package: it has no __path__, so it cannot contain {name!r}.",
        evidence={"parent": parent, "origin": origin},
    )


def finder_raised(exc: BaseException) -> Cause:
    return Cause("finder-raised", f"A finder raised {type(exc).__name__}: {exc}; the import stops there.")


def _circular(name: str, cycle: dict[str, Any]) -> Cause:
    partial, wanted = cycle["module"], cycle["name"]
    lacking = f", so {wanted!r} was not defined yet" if wanted else ""
    return Cause(
        "circular-import",
        f"{name!r} fails in the import cycle {' -> '.join(cycle['chain'])}: "
        f"{'; '.join(cycle['steps'])}. {partial} had only run up to {cycle['stopped_at']}{lacking}.",
        short=f"import cycle {' -> '.join(cycle['chain'])}: {partial} was partially initialised",
        fix=f"in {cycle['steps'][-1].split(' ')[0]}: import the module ('import {partial}', then "
        f"{partial}.{wanted or 'NAME'} where it is used), or move the import below what it needs, "
        "or move the shared code to a module both import",
        evidence=cycle,
    )


def _relative(name: str, found: dict[str, Any]) -> Cause:
    where, code, module, package = f"{found['file']}:{found['line']}", found["code"], found["module"], found["package"]
    if not package:
        return Cause(
            "relative-import-depth",
            f"{where} '{code}' is a relative import in {module!r}, which has no parent package "
            f"(__package__ is {package!r}): it ran as a top-level module (a script, or with its own "
            "folder on sys.path), so there is no package for the dots to be relative to.",
            short=f"{module!r} is not inside a package, so '{code}' has nothing to be relative to",
            fix="run it as part of its package (python -m PACKAGE.MODULE from the folder above the "
            "package) or use an absolute import",
            evidence=found,
        )
    level, depth, top = found["level"], found["depth"], found["top"]
    parts = package.split(".")
    chain = " > ".join(".".join(parts[: i + 1]) for i in range(depth))
    dots = f"has {level} dots (one for {package!r} itself, one more per level up)" if level else "goes too far up"
    return Cause(
        "relative-import-depth",
        f"{where} '{code}' in {module!r} {dots}, but {package!r} is {depth} package(s) deep ({chain}): "
        f"{depth} dot(s) already reach the top-level package {top!r}, and a relative import cannot go "
        "above it.",
        short=f"'{code}' goes above the top-level package {found['top']!r}",
        fix=f"use at most {depth} dot(s), or an absolute import; if the folder above {found['top']!r} "
        "is meant to be a package too, put its parent on sys.path instead",
        evidence=found,
    )


def exec_failed(name: str, spec: Any, exc: BaseException, *, look_elsewhere: bool = True) -> Cause:
    """The module was found, but running it (or something it imports) raised."""
    from .failures import circular_import, relative_too_deep

    origin = spec.origin
    cycle = circular_import(exc)
    if cycle is not None:
        return _circular(name, cycle)
    relative = relative_too_deep(exc)
    if relative is not None:
        return _relative(name, relative)
    if isinstance(exc, SyntaxError) and origin and exc.filename == origin:
        return Cause(
            "syntax-error",
            f"{name!r} was found ({origin}) but failed to compile: {type(exc).__name__}: {exc.msg} at line "
            f"{exc.lineno} (a syntax error in the file itself; none of its code ran).",
            short=f"{name!r} has a syntax error at line {exc.lineno}",
            fix=f"correct {os.path.basename(origin)} line {exc.lineno}",
            evidence={"origin": origin, "line": exc.lineno},
        )
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    if missing and missing != name:
        hints = [
            c.short or c.message
            for c in why_not_found(missing, _parent_path_of(missing), look_elsewhere=look_elsewhere)
        ]
        extra = (" " + " ".join(h for h in hints if h)) if hints else ""
        return Cause(
            "missing-dependency",
            f"{name!r} was found ({origin}) but it imports {missing!r}, which cannot be found.{extra}",
            short=f"{name!r} needs {missing!r}, which is missing",
            evidence={"missing": missing, "origin": origin},
        )
    return Cause(
        "exec-error",
        f"{name!r} was found ({origin}) but raised {type(exc).__name__}: {exc} "
        "while executing (the module exists; its code failed).",
        short=f"{name!r} exists but raised {type(exc).__name__}",
        evidence={"origin": origin},
    )


def _parent_path_of(name: str) -> Any:
    parent = name.rpartition(".")[0]
    return getattr(sys.modules.get(parent), "__path__", None) if parent else None


def in_sys_modules(name: str, module: Any) -> Cause:
    origin = getattr(module, "__file__", None) or getattr(getattr(module, "__spec__", None), "origin", None)
    return Cause(
        "in-sys-modules",
        f"{name!r} is in sys.modules already (as {getattr(module, '__name__', name)!r}, "
        f"from {origin}), so import returns it without asking any finder.",
        evidence={"origin": origin},
    )


def _same_file(loaded: Any, origin: str) -> bool:
    """Whether the module of spec *loaded* came from *origin*.

    A store's C extension runs from a copy in the cache: the loaded module's
    origin is the copy, while its loader still names the store entry (the
    origin a fresh search finds).
    """
    real = os.path.realpath(origin)
    entry = getattr(getattr(loaded, "loader", None), "path", None)
    return any(p and os.path.realpath(p) == real for p in (getattr(loaded, "origin", None), entry))


def stale_module(name: str, existing: Any, spec: Any) -> list[Cause]:
    """sys.modules holds a module from another file than a fresh search finds."""
    old = getattr(existing, "origin", None)
    if old is None or spec.origin is None or _same_file(existing, spec.origin):
        return []
    return [
        Cause(
            "already-imported",
            f"{name!r} was already imported from {old}; a fresh interpreter would find {spec.origin} first.",
            evidence={"imported": old, "found": spec.origin},
        )
    ]


def shadowing(name: str, steps: Sequence[Any], module: Any) -> list[Cause]:
    """A local file or folder wins over a stdlib or installed module of the same name."""
    winner = next((s for s in steps if s.verdict == "found" and s.entry is not None), None)
    if winner is None or "." in name or winner.kind in STDLIB_KINDS:
        return []
    later = [s for s in steps if s.verdict == "also here (not reached)"]
    stdlib_copy = next((s for s in later if s.kind in STDLIB_KINDS), None)
    installed_copy = next((s for s in later if s.kind in INSTALLED_KINDS), None)
    if name in getattr(sys, "stdlib_module_names", ()) or stdlib_copy:
        what = "the standard library module"
        real = stdlib_copy
    elif winner.kind not in INSTALLED_KINDS and installed_copy:
        what, real = "the installed module", installed_copy
    else:
        return []
    where = _WHERE_WORDS.get(winner.kind or "", winner.entry)
    entry = winner.entry or f"'' = {os.getcwd()}"
    real_text = f" ({real.origin})" if real and real.origin else ""
    loaded_spec = getattr(module, "__spec__", None)
    loaded = getattr(loaded_spec, "origin", None)
    active = loaded is None or winner.origin is None or _same_file(loaded_spec, winner.origin)
    effect = (
        ""
        if active
        else f" (here {name!r} had already been imported from {loaded}, so the shadow "
        "only bites in a fresh interpreter)"
    )
    shown = os.path.dirname(winner.origin) if os.path.basename(winner.origin or "") == "__init__.py" else winner.origin
    return [
        Cause(
            "shadowing",
            f"{shown} in {where} ({entry}) shadows {what} {name!r}{real_text}{effect}.",
            short=f"{shown} shadows {what} {name!r}",
            fix=f"rename {os.path.basename(shown or name)} (and remove its __pycache__)",
            evidence={"shadow": winner.origin, "shadowed": real.origin if real else None, "entry": winner.entry},
        )
    ]
