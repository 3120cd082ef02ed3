"""Text for people from the data of ``why``, ``where`` and ``path``.

Each function takes the plain data (dicts, as ``--json`` prints and as a child
interpreter sends back with ``--python``), so a report made in another
interpreter renders the same way as one made here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

__all__ = ["format_environment", "format_path", "format_where", "format_why"]

_WIDTH = 100


def format_environment(env: dict[str, Any]) -> str:
    """One or two lines: the interpreter, its prefixes, venv or not."""
    line = f"python {env['executable']} ({env['version']})"
    if env.get("virtual_env"):
        system = env.get("system_site_packages")
        seen = "" if system is None else ("; sees" if system else "; does not see") + " the base's site-packages"
        return f"{line}\n  virtual environment: sys.prefix {env['prefix']}, sys.base_prefix {env['base_prefix']}{seen}"
    return f"{line}\n  not a virtual environment: sys.prefix = sys.base_prefix = {env['prefix']}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        _WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def _steps(steps: Sequence[dict[str, Any]]) -> list[str]:
    lines, current = [], None
    for step in steps:
        if step["entry"] is None:
            detail = f"  {step['origin'] or step['detail']}" if (step["origin"] or step["detail"]) else ""
            lines.append(f"  {step['finder']:<34} {step['verdict']}{detail}")
            current = None
            continue
        if step["finder"] != current:
            lines.append(f"  {step['finder']}, one path entry at a time:")
            current = step["finder"]
        where = step["origin"] or step["detail"]
        kind = f" [{step['kind']}]" if step.get("kind") and step["kind"] != "other" else ""
        lines.append(f"    {step['verdict']:<24} {step['entry'] or repr('')}{kind}")
        if step["verdict"] != "not here" and where:
            lines.append(f"    {'':<24}   -> {where}")
    return lines


def format_why(data: dict[str, Any]) -> str:
    """The report of :func:`.why.diagnose` (as a dict) for a terminal."""
    lines = [f"why {data['name']}: {data['outcome']}", format_environment(data["environment"])]
    if data.get("parent"):
        lines += ["", f"The parent package {data['parent']['name']!r} fails first:"]
        lines += ["  " + line for line in format_why(data["parent"]).splitlines()]
    if data["steps"]:
        lines += ["", "Steps (sys.meta_path in order):", *_steps(data["steps"])]
    spec = data.get("spec")
    if spec:
        lines += [
            "",
            f"Spec: name={spec['name']!r} origin={spec['origin']!r}",
            f"      loader={spec['loader']}" + (f" cached={spec['cached']!r}" if spec.get("cached") else ""),
        ]
    error = data.get("error")
    if error:
        where = f"  at {error['file']}:{error['line']}" if error.get("file") else ""
        lines += ["", f"Raised: {error['traceback']}{where}"]
        if error.get("code"):
            lines.append(f"    {error['code']}")
    if data["causes"]:
        lines += ["", "Why:"]
        for cause in data["causes"]:
            lines += _wrap(f"- {cause['message']}", "  ")
            if cause.get("fix"):
                lines.append(f"    fix: {cause['fix']}")
    return "\n".join(lines)


def format_where(data: dict[str, Any]) -> str:
    """The report of :func:`.where.locate` for a terminal."""
    if not data["ok"]:
        return format_why(data["diagnosis"])
    dist = data.get("distribution")
    dist_text = f"{dist['name']} {dist['version']}" if dist else "none found (not installed by pip?)"
    rows = [
        ("module", data["name"] + (" (package)" if data["is_package"] else "")),
        ("origin", data["origin"]),
        ("loader", data["loader"]),
        ("spec", data["spec"]),
        ("cached", data["cached"]),
        ("search locations", ", ".join(data["search_locations"]) if data["search_locations"] else None),
        ("sys.path entry", f"{data['sys_path_entry']} [{data['entry_kind']}]" if data["sys_path_entry"] else None),
        ("distribution", dist_text),
    ]
    lines = [f"{label + ':':<18}{value}" for label, value in rows if value is not None]
    copies = data["other_copies"]
    lines.append(f"{'other copies:':<18}" + ("none further down the path" if not copies else ""))
    lines += [f"  {c['origin']}  [{c['kind'] or 'entry ' + c['entry']}] (not reached)" for c in copies]
    for note in data["notes"]:
        lines += _wrap(f"note: {note}", "")
    return "\n".join(lines)


def format_path(
    entries: Sequence[dict[str, Any]], env: dict[str, Any], startup: Sequence[dict[str, Any]] | None = None
) -> str:
    """sys.path in order, each entry with its reasons, existence and finder."""
    lines = ["sys.path, searched in this order:"]
    for e in entries:
        exists = "" if e["exists"] else "  (does not exist)"
        lines.append(f"{e['index']:>3}  {e['entry'] or repr('')}{exists}")
        for reason in e["reasons"]:
            lines.append(f"       why: {reason}")
        lines.append(f"       finder: {e['finder']}")
    return "\n".join(lines + _startup_lines(startup or []) + ["", format_environment(env)])


def _startup_lines(startup: Sequence[dict[str, Any]]) -> list[str]:
    """The code site runs at start-up (.pth import lines, .start entry points), where it is written."""
    if not startup:
        return []
    lines = ["", "Run at every start by site (.pth import lines, .start entry points):"]
    for item in startup:
        state = "runs" if item["runs"] else f"not run: {item['why_not']}"
        lines.append(f"  {item['file']}:{item['line']}  {item['code']}  ({state})")
    return lines
