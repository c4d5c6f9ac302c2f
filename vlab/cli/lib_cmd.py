"""``vlab lib``: library-level virtualization (chapter 8).

    vlab lib trace PROGRAM [--root DIR]            the program's library calls, as ltrace
    vlab lib run --preload HOOK PROGRAM            run with hooks: a dynamically linked
                                                   program takes shared objects (HOOK.so,
                                                   found in --lib-path), a static one
                                                   Python hooks (redirect:OLD=NEW,
                                                   fakeclock:SECONDS)
    vlab lib run-foreign PROGRAM [--log]           a PE/Win32 program through KERNEL32, or
                                                   an ELF for the vlab-BSD system-call ABI
    vlab lib accel-run PROGRAM [--accel MODE]      a CUDA-API program, /dev/accel0 over
                                                   native, vm (vCUDA), virtio or network
                                                   (rCUDA)
    vlab lib accel-demo [--kernel K] [--size N]    the same workload over the three paths,
                                                   cycles side by side

Exit status: the program's, 124 when the instruction budget runs out, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys

from vlab.cli.arguments import positive_int

EXIT_USAGE, EXIT_BUDGET = 2, 124
DEFAULT_BUDGET = 20_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.split("\n\n")[1] if __doc__ else None
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    trace = verbs.add_parser("trace", help="print a program's library calls (ltrace)")
    _program_options(trace)
    run = verbs.add_parser("run", help="run a program with preloaded hooks")
    run.add_argument("--preload", action="append", default=[], metavar="HOOK",
                     help="a shared object (HOOK.so) for a dynamically linked program; "
                          "NAME:ARG (redirect:OLD=NEW, fakeclock:SECONDS) for a static one "
                          "(repeatable)")
    run.add_argument("--trace", action="store_true", help="also print the traced calls")
    _program_options(run)
    foreign = verbs.add_parser("run-foreign", help="run a PE32 RISC-V Win32 program, or an "
                               "ELF program for the vlab-BSD system-call ABI")
    foreign.add_argument("--log", action="store_true",
                         help="print each Win32 call beside the POSIX calls it became")
    _program_options(foreign)
    accel = verbs.add_parser("accel-run", help="run a CUDA-API program with /dev/accel0")
    accel.add_argument("--accel", choices=("native", "vm", "virtio", "network"),
                       default="native",
                       help="path to the device: native driver, VM channel (vCUDA's "
                            "measured price), a virtio queue in a VM, or network (rCUDA)")
    _program_options(accel)
    demo = verbs.add_parser("accel-demo", help="one workload over the three paths")
    demo.add_argument("--kernel", choices=("saxpy", "reduce", "matmul", "stencil"),
                      default="saxpy")
    demo.add_argument("--size", type=positive_int, default=4096,
                      help="elements (saxpy, reduce) or matrix side (matmul, stencil)")
    demo.add_argument("--launches", type=positive_int, default=1)


def _program_options(parser) -> None:
    parser.add_argument("program", help="the program file")
    parser.add_argument("--lib-path", action="append", default=[], metavar="DIR",
                        help="dynamically linked programs: where shared objects are "
                             "searched (default: the program's directory and its lib/)")
    parser.add_argument("--bind-now", action="store_true",
                        help="dynamically linked programs: resolve every PLT slot at load "
                             "time (LD_BIND_NOW) instead of lazily")
    parser.add_argument("--root", metavar="DIR", help="host directory the program sees as /")
    parser.add_argument("--max-instructions", type=positive_int, default=DEFAULT_BUDGET,
                        metavar="N", help="instruction budget (default %(default)s)")


def run(args) -> int:
    from vlab.library.accel.errors import CudaError
    from vlab.library.dynload.dynobject import DynLoadError
    from vlab.library.foreign.pe_loader import ForeignLoadError
    from vlab.library.foreign.run import UnimplementedApi
    from vlab.library.interpose.hooks import HookSpecError
    from vlab.library.interpose.symbols import SymbolError
    from vlab.os.boot import BootError

    try:
        return VERBS[args.verb](args)
    except (BootError, SymbolError, HookSpecError, ForeignLoadError, UnimplementedApi,
            CudaError, DynLoadError, ValueError, OSError) as exc:
        print(f"vlab lib {args.verb}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _finish(stdout: bytes, stderr: bytes, result) -> int:
    sys.stdout.buffer.write(stdout)
    sys.stdout.flush()
    sys.stderr.buffer.write(stderr)
    if result.status == "exit":
        return result.exit_code
    print(f"vlab lib: {result.message}", file=sys.stderr)
    return EXIT_BUDGET if result.status == "budget" else EXIT_USAGE


def _finish_run(done, command: str) -> int:
    """Print a loaded program's output; its exit code, or 124 (budget) / 2 with the reason."""
    sys.stdout.buffer.write(done.stdout)
    sys.stdout.flush()
    if done.exit_code is None:
        print(f"{command}: {done.message}", file=sys.stderr)
        return EXIT_BUDGET if "budget" in done.message else EXIT_USAGE
    return done.exit_code


def _dynamic(args) -> bool:
    """Whether the program is dynamically linked (it names libraries in DT_NEEDED)."""
    from vlab.library.dynload.dynobject import DynLoadError, read_object

    try:
        return bool(read_object(args.program).needed)
    except DynLoadError:
        return False


def _run_dynamic(args, preload=(), trace=False) -> int:
    from pathlib import Path

    from vlab.library.dynload.run import run_dynamic

    here = Path(args.program).resolve().parent
    dirs = args.lib_path or [here, here / "lib"]
    done = run_dynamic(args.program, dirs, preload, lazy=not args.bind_now, root=args.root,
                       max_instructions=args.max_instructions, trace=trace)
    if trace or getattr(args, "trace", False):         # as LD_DEBUG=bindings would
        for caller, symbol, library in (done.calls if trace else done.bindings):
            verb = "called" if trace else "bound"
            print(f"{caller}: {symbol} {verb} in {library}", file=sys.stderr)
    return _finish_run(done, "vlab lib")


def _trace(args) -> int:
    from vlab.library.interpose.tracer import format_trace, trace

    if _dynamic(args):
        return _run_dynamic(args, trace=True)
    session = trace(args.program, root=args.root, max_instructions=args.max_instructions)
    print(format_trace(session), file=sys.stderr)
    return _finish(session.stdout, session.stderr, session.result)


def _run_preloaded(args) -> int:
    from vlab.library.interpose.hooks import parse_preload
    from vlab.library.interpose.session import Session
    from vlab.library.interpose.tracer import format_trace

    if _dynamic(args):
        return _run_dynamic(args, preload=args.preload)
    hooks = [parse_preload(spec) for spec in args.preload]
    session = Session(args.program, hooks=hooks, trace=args.trace, root=args.root,
                      max_instructions=args.max_instructions).run()
    if args.trace:
        print(format_trace(session), file=sys.stderr)
    return _finish(session.stdout, session.stderr, session.result)


def _run_foreign(args) -> int:
    from vlab.library.foreign.run import run_foreign

    with open(args.program, "rb") as f:
        if f.read(4) == b"\x7fELF":
            return _run_bsd(args)            # an ELF: the vlab-BSD layer, if it is branded
    done = run_foreign(args.program, root=args.root, max_instructions=args.max_instructions)
    if args.log:
        print(done.side_by_side(), file=sys.stderr)
    return _finish_run(done, "vlab lib run-foreign")


def _run_bsd(args) -> int:
    from vlab.library.lxrun.run import run_bsd

    done = run_bsd(args.program, root=args.root, max_instructions=args.max_instructions)
    if args.log:
        for call, result, linux in done.log:
            print(f"{call + ' = ' + result:<40} {'; '.join(linux)}", file=sys.stderr)
    return _finish_run(done, "vlab lib run-foreign")


def _accel_run(args) -> int:
    from vlab.library.accel.guest import run_accel_program

    done = run_accel_program(args.program, args.accel, root=args.root,
                             max_instructions=args.max_instructions)
    status = _finish(done.stdout, done.stderr, done.result)
    print(f"{done.channel.calls} API calls, {done.channel.bytes} bytes over the "
          f"{args.accel} path; {done.ledger.total_cycles:,.0f} modeled cycles", file=sys.stderr)
    return status


def _accel_demo(args) -> int:
    from vlab.library.accel.workload import run_workload

    runs = {t: run_workload(args.kernel, args.size, t, args.launches)
            for t in ("native", "vm", "network")}
    base = runs["native"].cycles
    print(f"{args.kernel} n={args.size}, {args.launches} launch(es): "
          f"{runs['native'].calls} calls, {runs['native'].bytes_moved} bytes marshaled")
    print(f"{'path':<10}{'cycles':>16}{'vs native':>12}  same result")
    for name, run in runs.items():
        same = (run.output == runs["native"].output).all()
        print(f"{name:<10}{run.cycles:>16,.0f}{run.cycles / base:>11.2f}x  {same}")
    return 0


VERBS = {"trace": _trace, "run": _run_preloaded, "run-foreign": _run_foreign,
         "accel-run": _accel_run, "accel-demo": _accel_demo}
