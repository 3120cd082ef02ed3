"""``importworks ls`` and ``importworks verify``: look inside a store, and check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from ..errors import StoreError
from ..finders.bytecode import MAGIC_NUMBER
from .base import CAN_CHECK_DIRECTORY, CAN_LIST_CODE, ChecksDirectory, ListsCode, StoreBackend, sha256_hex

__all__ = ["VerifyReport", "verify_rewritten_zip", "verify_signature", "verify_store"]


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


def verify_store(store: StoreBackend) -> VerifyReport:
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
            report.problems.append(
                (
                    entry.path,
                    f"does not compile: {exc.__class__.__name__}: "
                    f"{getattr(exc, 'msg', exc)}" + (f" (line {line})" if line else ""),
                )
            )
            continue
        try:
            if store.read_code(entry.path, MAGIC_NUMBER) is not None:
                report.precompiled += 1
        except StoreError as exc:
            report.problems.append((entry.path, str(exc)))
    if CAN_CHECK_DIRECTORY in store.capabilities:  # zip stores: what other tools read
        report.problems.extend(cast(ChecksDirectory, store).check_directory())
    if CAN_LIST_CODE in store.capabilities:
        for path, _, digest, code in cast(ListsCode, store).code_hashes():
            if sha256_hex(bytes(code)) != digest:
                report.problems.append((path, str(store.tampered(path, "compiled code of"))))
    return report


def verify_rewritten_zip(location: str, problem: StoreError) -> VerifyReport | None:
    """Check a zip whose own index cannot be read through its central directory (None if that fails too).

    A zip store rewritten by another zip tool keeps its index entry and the
    archive comment, but the comment then points at the wrong place.  Read the
    way other tools read it (the central directory), each entry is checked
    against the checksums the index recorded, so the entry that changed is named.
    """
    from .zip import ZipStore

    class DirectoryZipStore(ZipStore):
        def _end_record(self) -> tuple[int, int, int, bytes]:
            count, size, offset, _ = super()._end_record()
            return count, size, offset, b""  # the comment that points at the index is ignored

    try:
        with DirectoryZipStore(location) as store:
            report = verify_store(store)
    except StoreError:
        return None
    report.problems.insert(0, (".", str(problem)))
    return report


def verify_signature(store: StoreBackend, public_key: bytes) -> list[tuple[str, str]]:
    """(entry, problem) for each way *store* is not exactly what *public_key* signed (empty: it is)."""
    from ..errors import StoreTrustError
    from .trust import _verify

    try:
        signed = _verify(store, frozenset([public_key]))
    except StoreTrustError as exc:
        return [(exc.entry or ".", exc.reason)]
    except StoreError as exc:
        return [(".", str(exc))]
    problems = []
    for path in sorted(store.index):
        try:
            signed.check(store, path, store.read_raw(path, store.index[path]), "entry")
        except StoreTrustError as exc:
            problems.append((path, exc.reason))
        except (StoreError, OSError) as exc:
            problems.append((path, str(exc)))
    for path, data in _code_rows(store):
        try:
            signed.check(store, path, data, "code")
        except StoreTrustError as exc:
            problems.append((path, exc.reason))
    return problems


def _code_rows(store: StoreBackend) -> list[tuple[str, bytes]]:
    """(path, data) of each precompiled code row as stored, unchecked (SQLite and PostgreSQL stores)."""
    return cast(ListsCode, store).code_rows() if CAN_LIST_CODE in store.capabilities else []
