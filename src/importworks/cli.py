"""The ``importworks`` command line."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import types
from typing import Sequence

from .activation import activate
from .diagnostics.commands import register as register_diagnostics
from .diagnostics.hints import add_hints
from .errors import StoreError

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


# ---------------------------------------------------------------- running programs
class Target:
    """What to run: a module (-m), a script on disk, or a script inside a store."""

    def __init__(self, stores: list[str], module: str | None, argv: list[str]) -> None:
        self.stores = stores
        self.module = module
        self.argv = argv  # argv[0] is the script (or the module name)


def parse_target(tokens: list[str], parser: argparse.ArgumentParser) -> Target:
    """``[STORE...] (-m MODULE | SCRIPT) [ARGS...]``, stores told apart by their content."""
    from .stores.finder import _looks_like_store
    from .stores.sniff import is_store_url

    tokens = list(tokens)
    if tokens and tokens[0] == "--":
        tokens.pop(0)
    stores = []
    while tokens and tokens[0] != "-m" and len(tokens) > 1:
        if is_store_url(tokens[0]):
            stores.append(tokens.pop(0))
        elif os.path.isfile(tokens[0]) and _looks_like_store(tokens[0]):
            stores.append(os.path.abspath(tokens.pop(0)))
        else:
            break
    if tokens and tokens[0] == "-m":
        if len(tokens) < 2:
            parser.error("-m needs a MODULE")
        return Target(stores, tokens[1], [tokens[1], *tokens[2:]])
    if not tokens:
        parser.error("give a SCRIPT or -m MODULE to run")
    return Target(stores, None, tokens)


def _exit_status(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_FAILED


def _run_store_script(store_path: str, entry: str) -> None:
    from .stores.finder import cached_store
    from .stores.loader import StoreLoader

    loader = StoreLoader(cached_store(store_path), "__main__", entry)
    module = types.ModuleType("__main__")
    module.__file__ = loader.path
    module.__loader__ = loader
    module.__builtins__ = __builtins__
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        exec(loader.get_code("__main__"), module.__dict__)
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


def run_target(target: Target) -> int:
    """Run *target* as __main__ (like ``python -m`` / ``python SCRIPT``); return its status."""
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = list(target.argv)
    script = target.argv[0]
    in_store = (target.module is None and target.stores
                and not os.path.exists(script) and _store_has(target.stores[0], script))
    if target.module is not None or in_store:
        first = [os.getcwd()] if target.module is not None and not target.stores else []
    else:
        first = [os.path.dirname(os.path.abspath(script))]
    sys.path[:0] = target.stores + first
    try:
        if target.module is not None:
            runpy.run_module(target.module, run_name="__main__", alter_sys=True)
        elif in_store:
            _run_store_script(target.stores[0], script)
        else:
            runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        return _exit_status(exc)
    except ModuleNotFoundError as exc:
        add_hints(exc)  # while the program's sys.path is still in place
        raise
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
    return EXIT_OK


def _store_has(store_path: str, entry: str) -> bool:
    from .stores.finder import cached_store

    return cached_store(store_path).is_file(entry.replace(os.sep, "/"))


# ---------------------------------------------------------------- commands
def _cmd_trace(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .diagnostics.exports import to_chrome_trace, to_speedscope
    from .diagnostics.report import format_importtime, format_tree, to_json
    from .diagnostics.trace import trace_imports

    target = parse_target(args.program, parser)
    if args.unused:
        from .lazy import format_unused, probe_usage, unused_imports

        with activate(lazy=None), trace_imports() as tracer, probe_usage(tracer):
            status = run_target(target)
        text = format_unused(unused_imports(tracer), top=args.top)
        _emit(text, args.output)
        return status
    with activate(), trace_imports() as tracer:
        status = run_target(target)
    if args.format == "tree":
        text = format_tree(tracer, top=args.top)
    elif args.format == "importtime":
        text = format_importtime(tracer)
    elif args.format == "speedscope":
        text = to_speedscope(tracer)
    elif args.format == "chrome":
        text = to_chrome_trace(tracer)
    else:
        text = to_json(tracer)
    _emit(text, args.output)
    return status


def _emit(text: str, output: str | None) -> None:
    """A report goes to *output*, or to stderr after the program's own output."""
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        sys.stdout.flush()
        print("\n" + text, file=sys.stderr)


def _cmd_run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    target = parse_target(args.program, parser)
    with activate():
        return run_target(target)


def _progress(done: int, total: int) -> None:
    if total < 200 or not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\rpacking [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end,
          file=sys.stderr, flush=True)


def _cmd_pack(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .stores.pack import pack

    if not (args.sources or args.dist or args.site_packages is not None):
        parser.error("give at least one SOURCE, --dist NAME or --site-packages")
    site_packages = None
    if args.site_packages is not None:
        import site

        site_packages = args.site_packages or site.getsitepackages()
    result = pack(args.sources, args.output, dists=args.dist, deps=args.deps,
                  site_packages=site_packages, skip_tests=args.skip_tests, stdlib=args.stdlib,
                  extract=args.extract, progress=_progress)
    print(f"packed {result.files} files ({result.modules} modules, {result.compiled} precompiled, "
          f"{result.bytes / 1e6:.1f} MB) into {result.output} in {result.seconds:.2f} s")
    if result.stdlib:
        print(f"with the standard library of Python {sys.version.split()[0]} ({len(result.stdlib)} top-level "
              "modules and packages; other interpreters use their own)")
    if result.shadowed_stdlib:
        print("the application's own modules replace these of the standard library: "
              + ", ".join(result.shadowed_stdlib))
    if result.extract:
        print("extracted at run time (they read files beside __file__): " + ", ".join(result.extract))
    if result.not_compiled:
        print(f"{len(result.not_compiled)} modules kept as source only (they do not compile): "
              + ", ".join(result.not_compiled[:5]) + (" ..." if len(result.not_compiled) > 5 else ""))
    return EXIT_OK


def _cmd_ls(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .stores.finder import open_store

    with open_store(args.store) as store:
        entries = list(store.walk())
        if args.long:
            for key, value in sorted(store.metadata.items()):
                print(f"# {key}: {value}")
        if store.stdlib_ignored:
            print(f"# standard library not listed: {store.stdlib_ignored}", file=sys.stderr)
        for entry in entries:
            print(f"{entry.size:>10}  {entry.kind:<9}  {entry.path}" if args.long else entry.path)
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .stores.finder import open_store
    from .stores.verify import verify_store

    with open_store(args.store) as store:
        report = verify_store(store)
    if store.stdlib_ignored:
        print(f"standard library not checked: {store.stdlib_ignored}")
    for entry, problem in report.problems:
        print(f"BAD  {entry}: {problem}")
    verdict = "ok" if report.ok else f"{len(report.problems)} problem(s)"
    print(f"{report.store}: {report.entries} entries, {report.modules} modules "
          f"({report.precompiled} precompiled for this Python): {verdict}")
    return EXIT_OK if report.ok else EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="importworks",
                                     description="Python's import system, in Python, that you can see into.")
    commands = parser.add_subparsers(dest="command", required=True)
    program_help = "[STORE...] (SCRIPT | -m MODULE) [ARGS...]"

    trace = commands.add_parser("trace", help="run a program and show every import it made",
                                usage=f"importworks trace [options] {program_help}")
    trace.add_argument("--format", choices=("tree", "importtime", "json", "speedscope", "chrome"),
                       default="tree")
    trace.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of stderr")
    trace.add_argument("--top", type=int, default=None, metavar="N",
                       help="show only the N slowest top-level imports")
    trace.add_argument("--unused", action="store_true",
                       help="list modules imported but never used after import, with their cost "
                            "(candidates for __lazy_modules__)")
    trace.add_argument("program", nargs=argparse.REMAINDER, help=program_help)
    trace.set_defaults(handler=_cmd_trace)

    run = commands.add_parser("run", help="run a program (from stores first on sys.path) through importworks",
                              usage=f"importworks run {program_help}")
    run.add_argument("program", nargs=argparse.REMAINDER, help=program_help)
    run.set_defaults(handler=_cmd_run)

    from .reload.dev import register as register_dev

    register_dev(commands)  # dev: run a program and apply edits as they are saved

    pack = commands.add_parser("pack", help="build a store (.sqlite or .zip) from folders, files, distributions")
    pack.add_argument("sources", nargs="*", metavar="SOURCE", help="a folder (its modules and packages) or a .py file")
    pack.add_argument("-o", "--output", required=True, help="OUTPUT.sqlite or OUTPUT.zip")
    pack.add_argument("--dist", action="append", default=[], metavar="NAME", help="an installed distribution")
    pack.add_argument("--deps", action="store_true", help="with --dist: also pack what it requires")
    pack.add_argument("--site-packages", nargs="*", metavar="DIR", default=None,
                      help="everything in these site-packages folders (default: this environment's)")
    pack.add_argument("--skip-tests", action="store_true", help="leave out tests/ and test/ folders")
    pack.add_argument("--stdlib", action="store_true",
                      help="also this Python's pure-Python standard library (used only by this exact version)")
    pack.add_argument("--extract", action="append", default=[], metavar="NAME",
                      help="a package to import from a real folder at run time (not zip-safe)")
    pack.set_defaults(handler=_cmd_pack)

    ls = commands.add_parser("ls", help="list what a store holds")
    ls.add_argument("store")
    ls.add_argument("-l", "--long", action="store_true", help="sizes, kinds and the store's metadata")
    ls.set_defaults(handler=_cmd_ls)

    verify = commands.add_parser("verify", help="check every hash in a store and that every module compiles")
    verify.add_argument("store")
    verify.set_defaults(handler=_cmd_verify)

    register_diagnostics(commands)  # why, where, path, doctor
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``importworks`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args, parser)
    except StoreError as exc:
        print(f"importworks {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # `importworks ls big.sqlite | head`
        sys.stderr.close()
        return EXIT_OK
