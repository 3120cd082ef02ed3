"""``importworks pack``, ``ls``, ``verify`` and ``keygen``: building, inspecting and signing stores."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import EXIT_FAILED, EXIT_OK

__all__ = ["register"]


def _progress(done: int, total: int) -> None:
    if total < 200 or not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\rpacking [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def _cmd_pack(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..stores.pack import pack

    if not (args.sources or args.dist or args.site_packages is not None):
        parser.error("give at least one SOURCE, --dist NAME or --site-packages")
    site_packages = None
    if args.site_packages is not None:
        import site

        site_packages = args.site_packages or site.getsitepackages()
    result = pack(
        args.sources,
        args.output,
        dists=args.dist,
        deps=args.deps,
        site_packages=site_packages,
        skip_tests=args.skip_tests,
        stdlib=args.stdlib,
        extract=args.extract,
        progress=_progress,
    )
    if args.sign:
        signer = _sign(result.output, args.sign)
        if signer is None:
            return EXIT_FAILED
    print(
        f"packed {result.files} files ({result.modules} modules, {result.compiled} precompiled, "
        f"{result.bytes / 1e6:.1f} MB) into {result.output} in {result.seconds:.2f} s"
    )
    if result.stdlib:
        print(
            f"with the standard library of Python {sys.version.split()[0]} ({len(result.stdlib)} top-level "
            "modules and packages; other interpreters use their own)"
        )
    if result.shadowed_stdlib:
        print(
            "the application's own modules replace these of the standard library: " + ", ".join(result.shadowed_stdlib)
        )
    if result.extract:
        print("materialised in the extraction cache at run time (code still from the store):")
        for line in _grouped_reasons(result.extract, result.extract_reasons):
            print("  " + line)
    if result.skipped:
        print(f"left out {len(result.skipped)} file(s) that distributions recorded:")
        for entry, why in result.skipped[:20]:
            print(f"  {entry}: {why}")
        if len(result.skipped) > 20:
            print(f"  ... and {len(result.skipped) - 20} more")
    if result.not_compiled:
        print(
            f"{len(result.not_compiled)} modules kept as source only (they do not compile): "
            + ", ".join(result.not_compiled[:5])
            + (" ..." if len(result.not_compiled) > 5 else "")
        )
    if args.sign:
        print(f"signed by {signer} ({args.sign})")
    return EXIT_OK


def _sign(output: str, key: str) -> str | None:
    """Sign the store just packed; the key's fingerprint, or None after saying what failed."""
    from ..errors import StoreError
    from ..stores.signing import NO_CRYPTOGRAPHY, sign_store

    try:
        return sign_store(output, key)
    except ImportError as exc:
        if isinstance(exc, StoreError):
            print(f"importworks pack: {exc}", file=sys.stderr)
        else:
            print(f"importworks pack: {NO_CRYPTOGRAPHY}", file=sys.stderr)
    except (OSError, ValueError) as exc:
        print(f"importworks pack: cannot sign {output} with {key}: {exc}", file=sys.stderr)
    return None


def _cmd_keygen(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..stores.signing import NO_CRYPTOGRAPHY, generate_key

    try:
        print(
            f"{generate_key(args.key)}: private key {args.key} (keep it secret), public key {args.key}.pub "
            "(give it to importworks.install(trusted_keys=...) or IMPORTWORKS_TRUSTED_KEYS)"
        )
    except ImportError:
        print(f"importworks keygen: {NO_CRYPTOGRAPHY}", file=sys.stderr)
        return EXIT_FAILED
    except FileExistsError:
        print(f"importworks keygen: {args.key} exists; not overwriting a key", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _signer_line(store: Any) -> str | None:
    """Who signed *store*, as read (not checked: verify --key checks it)."""
    from ..errors import StoreError
    from ..stores.signing import read_signature

    try:
        signature = read_signature(store)
    except StoreError as exc:
        return f"signature unreadable ({exc})"
    if signature is None:
        return "not signed"
    try:
        when = signature.fields().get("signed_at", "?")
    except StoreError:
        when = "?"
    return f"signed by {signature.fingerprint} at {when} (not checked; importworks verify --key KEY.pub checks it)"


def _grouped_reasons(extract: dict[str, str], reasons: dict[str, str]) -> list[str]:
    """One line per group materialised together: its names, and why."""
    groups: dict[str, list[str]] = {}
    for name, key in sorted(extract.items()):
        groups.setdefault(key, []).append(name)
    return [", ".join(names) + ": " + reasons.get(names[0], "marked for extraction") for names in groups.values()]


def _cmd_ls(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..stores.opening import open_store

    with open_store(args.store) as store:
        entries = list(store.walk())
        if args.long:
            for key, value in sorted(store.metadata.items()):
                print(f"# {key}: {value}")
        print(f"# {_signer_line(store)}", file=sys.stdout if args.long else sys.stderr)
        if store.stdlib_ignored:
            print(f"# standard library not listed: {store.stdlib_ignored}", file=sys.stderr)
        for line in _grouped_reasons(store.extract, store.extract_reasons):
            # with -l among the metadata; otherwise on stderr, so the listing stays one path a line
            print(f"# extracted: {line}", file=sys.stdout if args.long else sys.stderr)
        for entry in entries:
            print(f"{entry.size:>10}  {entry.kind:<9}  {entry.path}" if args.long else entry.path)
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..errors import StoreError
    from ..stores.opening import open_store
    from ..stores.verify import verify_rewritten_zip, verify_signature, verify_store

    public_key = _public_key(args.key) if args.key else None
    if isinstance(public_key, int):
        return public_key
    with open_store(args.store) as store:
        store.trust_hook = None  # verify says what is wrong with every entry itself, trusted keys or not
        try:
            report = verify_store(store)
        except StoreError as exc:
            fallback = verify_rewritten_zip(args.store, exc) if store.kind == "zip" else None
            if fallback is None:
                raise
            report = fallback
        else:
            if public_key is not None:
                try:
                    report.problems.extend(verify_signature(store, public_key))
                except ImportError:
                    from ..stores.signing import NO_CRYPTOGRAPHY

                    report.problems.append((".", NO_CRYPTOGRAPHY))
        signer = _signer_line(store) if public_key is None else None  # read, not checked
    if public_key is not None and report.ok:
        print(f"signed by {_fingerprint(public_key)} ({args.key}): every entry as signed")
    if store.stdlib_ignored:
        print(f"standard library not checked: {store.stdlib_ignored}")
    if signer is not None and signer != "not signed":  # "ok" is about the entries, not who signed them
        print(signer)
    for entry, problem in report.problems:
        # "." is the store as a whole: named as the store, unless the problem names it already
        where = entry if entry != "." else "" if f"store {report.store}" in problem else f"store {report.store}"
        print(f"BAD  {where}: {problem}" if where else f"BAD  {problem}")
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"{report.store}: {report.entries} entries, {report.modules} modules "
        f"({report.precompiled} precompiled for this Python): {verdict}"
    )
    return EXIT_OK if report.ok else EXIT_FAILED


def _public_key(path: str) -> bytes | int:
    from ..stores.signing import load_public_key

    try:
        return load_public_key(path)
    except (OSError, ValueError) as exc:
        print(f"importworks verify: cannot use {path} as a public key: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _fingerprint(public_key: bytes) -> str:
    from ..stores.signing import fingerprint

    return fingerprint(public_key)


def register(commands: Any) -> None:
    """Add pack, ls, verify and keygen to the ``importworks`` subcommands."""
    pack = commands.add_parser(
        "pack",
        help="build a store (SQLite file, zip, or PostgreSQL database) from folders, files, distributions",
        description="Build a store: a SQLite file (OUTPUT.sqlite, the default kind), a zip archive (OUTPUT.zip) "
        "or a store in a PostgreSQL database (postgresql://HOST/DATABASE/STORE), from folders, .py "
        "files, installed distributions (every file of their RECORD; editable installs from their "
        "source tree) and whole site-packages folders.",
    )
    pack.add_argument("sources", nargs="*", metavar="SOURCE", help="a folder (its modules and packages) or a .py file")
    pack.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUTPUT.sqlite, OUTPUT.zip, or postgresql://[USER@]HOST[:PORT]/DATABASE/STORE (password from "
        "PGPASSWORD or ~/.pgpass)",
    )
    pack.add_argument("--dist", action="append", default=[], metavar="NAME", help="an installed distribution")
    pack.add_argument("--deps", action="store_true", help="with --dist: also pack what it requires")
    pack.add_argument(
        "--site-packages",
        nargs="*",
        metavar="DIR",
        default=None,
        help="everything in these site-packages folders (default: this environment's)",
    )
    pack.add_argument("--skip-tests", action="store_true", help="leave out tests/ and test/ folders")
    pack.add_argument(
        "--stdlib",
        action="store_true",
        help="also this Python's pure-Python standard library (used only by this exact version)",
    )
    pack.add_argument(
        "--extract",
        action="append",
        default=[],
        metavar="NAME",
        help="a top-level package to materialise in the extraction cache at run time (its code still "
        "comes from the store); native code and packages reading data beside __file__ are "
        "found without it",
    )
    pack.add_argument("--sign", metavar="KEY", help="sign the store with the private key KEY (importworks keygen)")
    pack.set_defaults(handler=_cmd_pack)

    ls = commands.add_parser("ls", help="list what a store holds")
    ls.add_argument("store")
    ls.add_argument("-l", "--long", action="store_true", help="sizes, kinds and the store's metadata")
    ls.set_defaults(handler=_cmd_ls)

    verify = commands.add_parser("verify", help="check every hash in a store and that every module compiles")
    verify.add_argument("store")
    verify.add_argument(
        "--key",
        metavar="KEY.pub",
        help="also check that the store is signed by this public key, and every entry is as signed",
    )
    verify.set_defaults(handler=_cmd_verify)

    keygen = commands.add_parser(
        "keygen",
        help="make an Ed25519 key pair for signing stores",
        description="Write a private key KEY (mode 0600) and its public key KEY.pub.",
    )
    keygen.add_argument("key", metavar="KEY")
    keygen.set_defaults(handler=_cmd_keygen)
