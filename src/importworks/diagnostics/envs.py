"""Other Python environments on this machine, inspected without running them.

``why`` asks "is this name installed somewhere else?".  Starting one interpreter
per candidate costs 20-50 ms each, so instead this module finds interpreters
(on ``PATH``, under pyenv, in a ``.venv``/``venv`` of the working directory),
works out each one's prefix and site-packages folders from the file system
(a ``pyvenv.cfg`` beside ``bin/`` marks a virtual environment) and looks the
name up in those folders' listings and ``*.dist-info`` metadata.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = [
    "Environment",
    "SEARCHED",
    "SiteDir",
    "clear_caches",
    "module_name",
    "Sighting",
    "current_prefixes",
    "discover_environments",
    "find_elsewhere",
    "normalize_dist_name",
]

_EXTENSION_SUFFIXES = (".so", ".pyd")
# where :func:`discover_environments` looks, in words (what a "not found anywhere" rests on)
SEARCHED = (
    "python interpreters on PATH, pyenv's versions, .venv*/venv*/env/.env in the working directory and $VIRTUAL_ENV"
)
_PYTHON_NAME = re.compile(r"^python(\d(\.\d+)?)?$")


def normalize_dist_name(name: str) -> str:
    """PEP 503 normalisation: ``PyYAML`` equals ``pyyaml``, ``zope.interface`` ``zope-interface``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


class SiteDir:
    """One site-packages folder: its listing and which distribution ships what."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries = set(_listdir(path))
        self._dist_infos = sorted(e for e in self.entries if e.endswith((".dist-info", ".egg-info")))

    def locate(self, fullname: str) -> str | None:
        """The file or folder that would serve *fullname* here, if any."""
        folder, entries = self.path, self.entries
        parts = fullname.split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            found = _module_in_listing(folder, entries, part, want_package=not last)
            if found is None:
                return None
            if last:
                return found
            folder = found
            entries = set(_listdir(folder))
        return None

    def top_level_names(self) -> set[str]:
        """Importable top-level names in this folder (modules, packages, extensions)."""
        return {n for n in map(module_name, self.entries) if n}

    def distributions(self) -> Iterator[tuple[str, str, str]]:
        """(name, version, dist-info folder) of each distribution installed here."""
        for folder in self._dist_infos:
            stem = folder.rsplit(".", 1)[0]
            name, _, version = stem.partition("-")
            yield name, version.split("-")[0], os.path.join(self.path, folder)

    def distribution_for(self, top_name: str) -> tuple[str, str] | None:
        """(distribution, version) whose files include the top-level *top_name*."""
        for name, version, folder in self.distributions():
            if top_name in import_names(folder):
                return _display_name(folder, name), version
        return None

    def distribution_named(self, dist_name: str) -> tuple[str, str, list[str]] | None:
        """(distribution, version, import names) for a distribution name, if installed here."""
        wanted = normalize_dist_name(dist_name)
        for name, version, folder in self.distributions():
            if normalize_dist_name(name) == wanted:
                names = sorted(import_names(folder), key=lambda n: (n.startswith("_"), n))
                return _display_name(folder, name), version, names
        return None


def module_name(entry: str) -> str | None:
    if entry.endswith(".py"):
        name = entry[:-3]
    elif entry.endswith(_EXTENSION_SUFFIXES):
        name = entry.split(".", 1)[0]
    elif "." not in entry:
        name = entry
    else:
        return None
    return name if name.isidentifier() else None


def _module_in_listing(folder: str, entries: set[str], name: str, *, want_package: bool) -> str | None:
    if name in entries and os.path.isdir(os.path.join(folder, name)):
        return os.path.join(folder, name)
    if want_package:
        return None
    if name + ".py" in entries:
        return os.path.join(folder, name + ".py")
    for entry in entries:
        if entry.startswith(name + ".") and entry.endswith(_EXTENSION_SUFFIXES):
            return os.path.join(folder, entry)
    return None


@cache
def import_names(dist_info: str) -> frozenset[str]:
    """Top-level import names a distribution ships: top_level.txt, else its RECORD."""
    try:
        with open(os.path.join(dist_info, "top_level.txt"), encoding="utf-8") as f:
            return frozenset(line.strip() for line in f if line.strip())
    except OSError:
        pass
    names = set()
    for record in ("RECORD", "installed-files.txt", "SOURCES.txt"):
        try:
            with open(os.path.join(dist_info, record), encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            first = line.split(",", 1)[0].replace("\\", "/").lstrip("./").split("/", 1)[0]
            name = module_name(first)
            if name and not first.endswith((".dist-info", ".egg-info")) and name != "__pycache__":
                names.add(name)
        break
    return frozenset(names)


def _display_name(dist_info: str, fallback: str) -> str:
    """The distribution's own spelling (``PyYAML``) from its METADATA's Name field."""
    for meta in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(dist_info, meta), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return fallback


@dataclass(frozen=True)
class Environment:
    """An interpreter found on this machine and the site folders it imports from."""

    python: str
    prefix: str
    version: str
    is_venv: bool
    site_dirs: tuple[str, ...]

    def sites(self) -> list[SiteDir]:
        return [_site_dir(path) for path in self.site_dirs]


@cache
def _site_dir(path: str) -> SiteDir:
    return SiteDir(path)


@dataclass(frozen=True)
class Sighting:
    """*name* found in another environment: where, and which distribution ships it."""

    environment: Environment
    location: str
    distribution: str | None
    version: str | None


def _site_dirs_of(prefix: str) -> tuple[str, ...]:
    patterns = (
        "lib/python*/site-packages",
        "lib/python3/dist-packages",
        "local/lib/python*/dist-packages",
        "Lib/site-packages",
    )
    seen: dict[str, str] = {}
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(prefix, pattern))):
            seen.setdefault(os.path.realpath(path), path)
    return tuple(seen.values())


def _is_script(path: str) -> bool:
    """pyenv shims and other wrappers are shell scripts, not interpreters."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return True


def _environment(python: str) -> Environment | None:
    python = os.path.abspath(python)
    if not os.path.isfile(python) or not os.access(python, os.X_OK) or _is_script(python):
        return None
    bindir = os.path.dirname(python)
    prefix = os.path.dirname(bindir)
    is_venv = os.path.isfile(os.path.join(prefix, "pyvenv.cfg"))
    if not is_venv:
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(python)))
    sites = _site_dirs_of(prefix)
    version = ""
    for site in sites:
        match = re.search(r"python(\d+\.\d+)", site)
        if match:
            version = match.group(1)
            break
    else:
        match = re.search(r"python(\d+\.\d+)", os.path.basename(os.path.realpath(python)))
        version = match.group(1) if match else ""
    return Environment(python, prefix, version, is_venv, sites)


def _candidates(cwd: str) -> Iterator[str]:
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        for entry in sorted(_listdir(folder)):
            if _PYTHON_NAME.match(entry):
                yield os.path.join(folder, entry)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    yield from sorted(glob.glob(os.path.join(pyenv_root, "versions", "*", "bin", "python")))
    for pattern in (".venv*", "venv*", "env", ".env"):
        yield from sorted(glob.glob(os.path.join(cwd, pattern, "bin", "python")))
        yield from sorted(glob.glob(os.path.join(cwd, pattern, "Scripts", "python.exe")))
    if os.environ.get("VIRTUAL_ENV"):
        yield os.path.join(os.environ["VIRTUAL_ENV"], "bin", "python")


def current_prefixes() -> set[str]:
    """Real paths of this interpreter's prefix: its environment is not 'another' one."""
    return {os.path.realpath(sys.prefix)}


def discover_environments(cwd: str | None = None, extra: Iterable[str] = ()) -> list[Environment]:
    """Every other interpreter found, one per prefix, with at least one site folder."""
    return list(_discover(os.path.abspath(cwd or os.getcwd()), tuple(extra)))


@lru_cache(maxsize=8)
def _discover(cwd: str, extra: tuple[str, ...]) -> tuple[Environment, ...]:
    found: dict[str, Environment] = {}
    mine = current_prefixes()
    for python in (*extra, *_candidates(cwd)):
        env = _environment(python)
        if env is None or not env.site_dirs:
            continue
        key = os.path.realpath(env.prefix)
        if key in mine or key in found:
            continue
        found[key] = env
    return tuple(found.values())


def clear_caches() -> None:
    """Forget discovered environments and folder listings (they are cached per process)."""
    _discover.cache_clear()
    _site_dir.cache_clear()
    import_names.cache_clear()


def find_elsewhere(fullname: str, cwd: str | None = None) -> list[Sighting]:
    """Where *fullname* is installed in other environments, with its distribution."""
    sightings = []
    top = fullname.partition(".")[0]
    for env in discover_environments(cwd):
        for site in env.sites():
            location = site.locate(fullname)
            if location is None:
                continue
            dist = site.distribution_for(top)
            sightings.append(Sighting(env, location, *(dist or (None, None))))
            break
    return sightings
