"""``importworks ls`` and ``importworks verify``: look inside a store, and check it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bytecode import MAGIC_NUMBER
from ..errors import StoreError
from .base import Store, sha256_hex

__all__ = ["VerifyReport", "verify_store"]


@dataclass
class VerifyReport:
    """Entries checked, and every problem found (entry, what is wrong)."""

    store: str
    entries: int = 0
    modules: int = 0
    precompiled: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(store: Store) -> VerifyReport:
    """Read every entry (checking its CRC-32 and sha256) and compile every module's source."""
    report = VerifyReport(store=store.location)
    for entry in store.walk():
        report.entries += 1
        try:
            data = store.read_verified(entry.path)
        except (StoreError, OSError) as exc:
            report.problems.append((entry.path, str(exc)))
            continue
        if not entry.path.endswith(".py"):
            continue
        report.modules += 1
        try:
            compile(data, entry.path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            report.problems.append((entry.path, f"does not compile: {exc.__class__.__name__}: "
                                                f"{getattr(exc, 'msg', exc)}" + (f" (line {line})" if line else "")))
            continue
        try:
            if store.read_code(entry.path, MAGIC_NUMBER) is not None:
                report.precompiled += 1
        except StoreError as exc:
            report.problems.append((entry.path, str(exc)))
    check_directory = getattr(store, "check_directory", None)  # zip stores: what other tools read
    if check_directory is not None:
        report.problems.extend(check_directory())
    for path, magic, digest, code in getattr(store, "code_hashes", list)():
        if sha256_hex(bytes(code)) != digest:
            report.problems.append((path, str(store.tampered(path, "compiled code of"))))
    return report
