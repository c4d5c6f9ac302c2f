"""``vlab hll``: run, compile and disassemble programs for the HLL VM.

Exit status of ``vlab hll run``: 0 normal end, 1 uncaught guest exception (guest stack
trace on stderr), 2 compile error or rejected class (reason on stderr), 3 instruction
budget exhausted.  Never a Python traceback.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from vlab.application.hll.heap import MIN_LIMIT

MAX_INPUT = 16 * 2**20  # the largest source or class file the commands read

RUN_DESCRIPTION = """\
Run a program on vlab's high-level-language VM (chapter 9), a JVM-like virtual machine:
the source, written in a subset of Python (book page "The HLL VM's language"), is compiled
to class files, which a class loader loads and a verifier checks before the interpreter
runs them; hot methods are compiled by a JIT, and a garbage collector manages the heap.
PROGRAM is a .py source file or a directory of class files from `vlab hll compile`.

The program reaches files only through the sandbox policy: nothing unless --allow-read
or --allow-write names a directory.

Exit status: 0 normal end, 1 uncaught guest exception (guest stack trace on stderr),
2 compile error or rejected class (every error listed), 3 instruction budget exhausted."""


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="hll_command", metavar="ACTION", required=True)
    run = sub.add_parser(
        "run", help="run SRC.py or a directory of class files",
        formatter_class=argparse.RawDescriptionHelpFormatter, description=RUN_DESCRIPTION)
    run.add_argument("program", help="a source file (.py) or a directory of .vlc class files")
    run.add_argument("--main", help="module class to run (for a class directory)")
    run.add_argument("--no-jit", action="store_true", help="interpret only")
    run.add_argument("--heap", type=at_least(MIN_LIMIT), default=16 * 2**20, metavar="BYTES",
                     help=f"heap limit in bytes, strings included (default 16 MiB, at least "
                     f"{MIN_LIMIT})")
    run.add_argument("--max-instructions", type=at_least(1), default=10**8, metavar="N",
                     help="instruction budget; work that grows with its operands (comparing, "
                     "copying, searching strings and lists) is charged by its size "
                     "(default 100000000)")
    run.add_argument("--stats", action="store_true", help="print VM statistics to stderr")
    run.add_argument("--collector", choices=["mark-sweep", "generational"],
                     default="mark-sweep", help="garbage collector (default mark-sweep)")
    run.add_argument("--allow-read", action="append", default=[], metavar="PATH",
                     help="let the program read files under PATH (repeatable)")
    run.add_argument("--allow-write", action="append", default=[], metavar="PATH",
                     help="let the program write files under PATH (repeatable)")
    comp = sub.add_parser("compile", help="compile SRC.py into class files",
                          description="Compile a program in the VM's Python subset into class "
                          "files (one .vlc per class plus the module's), as javac does; "
                          "every compile error is listed, in line order.")
    comp.add_argument("source")
    comp.add_argument("-o", "--output", required=True, metavar="DIR")
    javap = sub.add_parser("javap", help="disassemble a class file",
                           description="Disassemble a .vlc class file: constant pool, "
                           "methods, bytecode with line numbers and exception tables.")
    javap.add_argument("file")


def at_least(minimum: int):
    """An argparse type: an integer no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small: give at least {minimum}")
        return value

    return parse


def read_input(path: str | Path) -> bytes:
    """The bytes of a regular input file of at most :data:`MAX_INPUT` bytes.

    A FIFO, device or socket (``/dev/zero`` never ends, a FIFO blocks) is refused before
    anything is read; an ``OSError`` carries the reason.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file (a directory, FIFO, device or "
                          "socket); give a source or class file")
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read(MAX_INPUT + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_INPUT:
        raise OSError(f"{path} is larger than {MAX_INPUT} bytes; an input file must be smaller")
    return data


def run(args) -> int:
    try:
        return {"run": _run, "compile": _compile, "javap": _javap}[args.hll_command](args)
    except Exception as exc:  # the CLI reports, it never shows a traceback
        print(f"vlab hll: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 4


def _run(args) -> int:
    from vlab.application.hll.errors import ClassFormatError, CompileError
    from vlab.application.hll.host import DirectoryHost
    from vlab.application.hll.policy import Policy
    from vlab.application.hll.vm import VM

    program = Path(args.program)
    host = DirectoryHost(Path.cwd(), echo=_echo, record=False)
    policy = Policy(True, True, tuple(args.allow_read), tuple(args.allow_write))
    options = dict(heap_limit=args.heap, jit=not args.no_jit, policy=policy, host=host,
                   max_instructions=args.max_instructions, collector=args.collector)
    if program.is_dir():
        try:
            main = args.main or _find_module(program)
        except ClassFormatError as exc:  # as the loader rejects it when --main names it
            print(f"rejected: {exc}", file=sys.stderr)
            return 2
        if main is None:
            print(f"vlab hll: no single module class in {program}; use --main", file=sys.stderr)
            return 2
        vm = VM(program, **options)
    elif program.exists():
        try:
            vm = VM.from_source(read_input(program).decode("utf-8"), program.name, **options)
        except CompileError as exc:
            return _compile_failed(exc)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"compile error: cannot read {program}: {exc}", file=sys.stderr)
            return 2
        main = vm.main_class
    else:
        print(f"vlab hll: {program}: no such file or directory", file=sys.stderr)
        return 2
    result = vm.run(main)
    sys.stdout.flush()
    if result.status == "exception":
        sys.stderr.write(result.traceback)
    elif result.status != "ok":
        print(f"{result.status}: {result.message}", file=sys.stderr)
    if args.stats:
        for key, value in result.stats.items():
            print(f"{key:>22}: {value}", file=sys.stderr)
    return result.exit_code


def _compile_failed(error) -> int:
    """Every problem of a CompileError, one per line in line order, then how many."""
    for problem in error.problems:
        print(f"compile error: {problem}", file=sys.stderr)
    if len(error.problems) > 1:
        print(f"{len(error.problems)} compile errors", file=sys.stderr)
    return 2


def _echo(text: str) -> None:
    sys.stdout.write(text)


def _find_module(directory: Path) -> str | None:
    """The one module class among the class files of ``directory`` (``None`` if there
    are none or several).  A class file the VM would reject (an old version, a bad
    format) raises its ``ClassFormatError``, named after the file: the program cannot run,
    and the message says why (an old file says to compile the source again)."""
    from vlab.application.hll.classfile import read
    from vlab.application.hll.errors import ClassFormatError

    modules = []
    for file in sorted(directory.glob("*.vlc")):
        try:
            data = read_input(file)
        except OSError:  # not a regular file: not a class file the loader would open
            continue
        try:
            if read(data).is_module:
                modules.append(file.stem)
        except ClassFormatError as exc:
            raise ClassFormatError(f"{file.name}: {exc}") from None
    return modules[0] if len(modules) == 1 else None


def _compile(args) -> int:
    from vlab.application.hll.classfile import write
    from vlab.application.hll.compiler import compile_source
    from vlab.application.hll.errors import CompileError
    from vlab.application.hll.loader import EXTENSION

    try:
        classes = compile_source(read_input(args.source).decode("utf-8"),
                                 Path(args.source).name)
    except CompileError as exc:
        return _compile_failed(exc)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"compile error: cannot read {args.source}: {exc}", file=sys.stderr)
        return 2
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for cf in classes:
        path = out / (cf.name + EXTENSION)
        path.write_bytes(write(cf))
        print(path)
    return 0


def _javap(args) -> int:
    from vlab.application.hll.errors import ClassFormatError
    from vlab.application.hll.javap import disassemble

    try:
        print(disassemble(read_input(args.file)), end="")
    except (ClassFormatError, OSError) as exc:
        print(f"vlab hll javap: {args.file}: {exc}", file=sys.stderr)
        return 2
    return 0
