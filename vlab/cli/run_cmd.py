"""``vlab run PROGRAM``: run an RV32 ELF or assembly file on the modeled machine.

The mode comes from the file (vlab/os/boot.py) unless ``--mode`` says otherwise.  The
program's console (HTIF, UART) or stdout/stderr appear on ours; the trace and the
statistics go to stderr.  Exit status: the program's (HTIF: value >> 1; user programs:
their exit code); if the run ends otherwise, a message on stderr and a status like a
shell's for a process killed by a signal (128 + signal; the table of signals is
vlab/os/signal.py, the one Linux uses):

==========================================  ======
how the run ended                           status
==========================================  ======
illegal instruction                         132 (128 + SIGILL)
breakpoint (ebreak)                         133 (128 + SIGTRAP)
misaligned address                          135 (128 + SIGBUS)
access or page fault                        139 (128 + SIGSEGV)
other unhandled trap, halt, idle hart       134 (128 + SIGABRT)
instruction budget exhausted                124 (as ``timeout``)
bad input (file, options)                   2
==========================================  ======
"""

from __future__ import annotations

import argparse
import sys
import time

from vlab.isa.engines import ENGINES
from vlab.isa.trace import Tracer
from vlab.isa.traps import cause_text
from vlab.os.boot import MODES, BootError, boot
from vlab.os.signal import SIGABRT, exit_status, signal_for

DEFAULT_MAX_INSTRUCTIONS = 100_000_000
EXIT_BUDGET, EXIT_USAGE, EXIT_OTHER = 124, 2, exit_status(SIGABRT)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("program", help="an RV32 ELF executable or an assembly (.s) file")
    parser.add_argument("args", nargs="*", help="arguments passed to a user program (put "
                        "them after -- if they start with -)")
    parser.add_argument("--engine", default="interp", help="execution engine: "
                        + ", ".join(sorted(ENGINES)) + " (default interp)")
    parser.add_argument("--mode", choices=MODES, help="force bare-metal (M-mode, HTIF) or "
                        "user (U-mode, proxy kernel); default: decided from the file")
    parser.add_argument("--max-instructions", type=_positive, default=DEFAULT_MAX_INSTRUCTIONS,
                        metavar="N", help="instruction budget (default %(default)s)")
    parser.add_argument("--trace", action="store_true",
                        help="print every instruction executed (to stderr)")
    parser.add_argument("--stats", action="store_true",
                        help="print instructions retired, wall time and MIPS (to stderr)")
    parser.add_argument("--sv32", action="store_true",
                        help="user mode: run with Sv32 paging on even if not needed")
    parser.add_argument("--root", metavar="DIR",
                        help="user mode: host directory the program's openat() can see")


def _positive(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def run(args) -> int:
    sys.stdout.flush()
    try:
        booted = boot(args.program, mode=args.mode, engine=args.engine,
                      paging=True if args.sv32 else None,
                      argv=[args.program, *args.args], root=args.root,
                      stdout=sys.stdout.buffer, stderr=sys.stderr.buffer,
                      stdin=sys.stdin.buffer)
    except (BootError, ValueError) as exc:
        print(f"vlab run: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    machine = booted.machine
    if machine.htif is not None:
        machine.htif.console_listeners.append(_echo_byte)
    started = time.perf_counter()
    try:
        result = _run(machine, args.max_instructions, args.trace)
    except KeyboardInterrupt:
        print("\nvlab run: interrupted", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    sys.stdout.buffer.write(machine.platform.uart.output)
    sys.stdout.flush()
    if args.stats:
        _print_stats(machine, elapsed)
    return _exit_status(booted, result)


def _echo_byte(byte: int) -> None:
    sys.stdout.buffer.write(bytes([byte]))
    if byte == 10:
        sys.stdout.flush()


class StreamingTracer(Tracer):
    """A tracer that prints each record to stderr at once instead of keeping it, so the
    trace interleaves with the program's output and a long trace costs no memory."""

    def add(self, record) -> None:
        print(record, file=sys.stderr, flush=True)


def _run(machine, budget: int, trace: bool):
    """Run to the end (one ``run`` call: chunking would move the HTIF poll points)."""
    if trace:
        machine.tracer = StreamingTracer()
        machine.engine.set_tracer(machine.tracer)
    return machine.run(max_instructions=budget)


def _print_stats(machine, elapsed: float) -> None:
    retired = machine.hart.instret
    mips = retired / elapsed / 1e6 if elapsed > 0 else float("inf")
    print(f"instructions retired: {retired}\nwall time: {elapsed:.3f} s\n"
          f"speed: {mips:.2f} MIPS", file=sys.stderr)
    engine_stats = getattr(machine.engine, "stats", None)   # the DBT's counters (vlab.isa.dbt)
    if engine_stats is not None:
        print(engine_stats.text(), file=sys.stderr)


def _exit_status(booted, result) -> int:
    if result.status == "exit":
        return result.exit_code
    if result.status == "budget":
        print(f"vlab run: stopped: {result.message}", file=sys.stderr)
        return EXIT_BUDGET
    fault = booted.process.fault if booted.process is not None else None
    if fault is not None:
        print(f"vlab run: {fault.name} at pc={booted.describe(fault.epc)} "
              f"(tval={fault.tval:#010x}) in U-mode: the program was killed", file=sys.stderr)
        return exit_status(fault.signal)
    if result.status == "fault" and result.cause is not None:
        print(f"vlab run: {cause_text(result.cause, False)} at pc={booted.describe(result.pc)}"
              f" (tval={result.tval or 0:#010x}): {result.message}", file=sys.stderr)
        return exit_status(signal_for(result.cause))
    print(f"vlab run: {result.status} at pc={booted.describe(result.pc)}: {result.message}",
          file=sys.stderr)
    return EXIT_OTHER
