"""``vlab run PROGRAM``: run an RV32 ELF or assembly file on the modeled machine.

The mode comes from the file (the rule is in vlab/os/boot.py and in ``vlab run --help``)
unless ``--mode`` says otherwise; when a run fails, the message says which mode was chosen,
why, and how to change it.  The program's console (HTIF, UART) or stdout/stderr appear on
ours, at most ``--output-cap`` bytes of each (default 16 MiB, ``vlab.os.quota.CappedStream``):
past it one line on stderr says so, a user program's further writes fail with EFBIG and a
bare-metal program's further console bytes are dropped.  The trace and the statistics go
to stderr.  Exit status: the program's (HTIF: value >> 1; user programs:
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
import functools
import sys
import textwrap
import time

from vlab.cli.arguments import add_output_cap_option, byte_count, positive_int
from vlab.isa.engines import ENGINES
from vlab.isa.trace import Tracer
from vlab.isa.traps import cause_text
from vlab.os.boot import MODES, USER_TEXT_BASE, BootError, boot
from vlab.os.quota import DEFAULT_WRITE_QUOTA, CappedStream
from vlab.os.signal import SIGABRT, exit_status, signal_for

from .wording import count

DEFAULT_MAX_INSTRUCTIONS = 100_000_000
EXIT_BUDGET, EXIT_USAGE, EXIT_OTHER = 124, 2, exit_status(SIGABRT)

# What each engine of the registry (vlab/isa/engines.py) is, for --help.
ENGINE_DESCRIPTIONS = {
    "interp": "the predecoding interpreter (chapter 2): decodes each instruction once, "
              "then runs its handler",
    "decode-dispatch": "the textbook decode-and-dispatch loop (chapter 2): decodes every "
                       "instruction every time; slow, for comparison",
    "dbt": "the dynamic binary translator (chapter 3): interprets a block until it is hot, "
           "then translates it into host code",
    "dbt-eager": "the same translator, translating every block the first time it runs",
}

DESCRIPTION = f"""Run an RV32 program (an ELF executable or an assembly source) on vlab's
modeled machine.

How the mode is chosen (unless --mode is given):
  bare  the program defines a 'tohost' symbol or is linked at the RAM base 0x80000000:
        it starts in M-mode at its entry; HTIF (tohost) and the UART are its console,
        and writing an exit code to tohost ends the run.
  user  any other program: it runs in U-mode as a process of vlab's proxy kernel, which
        serves Linux system calls made with ecall (write = 64, exit = 93, ...).
An assembly source without 'tohost' is therefore linked at {USER_TEXT_BASE:#x} and run as a
user program; one that defines 'tohost' is linked at 0x80000000 and runs bare-metal.

Engines (--engine):
""" + "\n".join(textwrap.fill(ENGINE_DESCRIPTIONS.get(name, "registered in vlab/isa/engines.py"),
                               width=88, initial_indent=f"  {name:<16} ",
                               subsequent_indent=" " * 19) for name in ENGINES) + """

Exit status: the program's exit code; 128 + signal when it is killed by a fault
(132 illegal instruction, 139 access or page fault, ...); 124 when the instruction
budget runs out; 2 for bad input."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("program", help="an RV32 ELF executable or an assembly (.s) file")
    parser.add_argument("args", nargs="*", help="arguments passed to a user program (put "
                        "them after -- if they start with -)")
    parser.add_argument("--engine", default="interp", help="execution engine: "
                        + ", ".join(ENGINES) + " (default interp; see above)")
    parser.add_argument("--mode", choices=MODES, help="force bare-metal (M-mode, HTIF) or "
                        "user (U-mode, proxy kernel); default: decided from the file "
                        "(see above)")
    parser.add_argument("--max-instructions", type=positive_int, default=DEFAULT_MAX_INSTRUCTIONS,
                        metavar="N", help="instruction budget (default %(default)s)")
    parser.add_argument("--trace", action="store_true",
                        help="print every instruction executed (to stderr)")
    parser.add_argument("--stats", action="store_true",
                        help="print instructions retired, wall time and speed (to stderr)")
    parser.add_argument("--sv32", action="store_true",
                        help="user mode: run with Sv32 paging on even if not needed")
    parser.add_argument("--root", metavar="DIR",
                        help="user mode: host directory the program's openat() can see")
    parser.add_argument("--write-quota", type=byte_count, default=DEFAULT_WRITE_QUOTA,
                        metavar="BYTES", help="user mode: bytes the program may write into "
                        "files under --root; beyond, write() fails with EDQUOT (default "
                        f"{DEFAULT_WRITE_QUOTA >> 20} MiB)")
    add_output_cap_option(parser)




def run(args) -> int:
    sys.stdout.flush()
    out = CappedStream(sys.stdout.buffer, args.output_cap, _notice, "standard output")
    err = CappedStream(sys.stderr.buffer, args.output_cap, _notice, "standard error")
    try:
        booted = boot(args.program, mode=args.mode, engine=args.engine,
                      paging=True if args.sv32 else None,
                      argv=[args.program, *args.args], root=args.root,
                      write_quota=args.write_quota,
                      stdout=out, stderr=err,
                      stdin=sys.stdin.buffer)
    except (BootError, ValueError) as exc:
        print(f"vlab run: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    machine = booted.machine
    echo = functools.partial(_echo_byte, out)      # both consoles, byte by byte as sent
    if machine.htif is not None:
        machine.htif.console_listeners.append(echo)
    machine.platform.uart.transmit_listeners.append(echo)
    started = time.perf_counter()
    try:
        result = _run(machine, args.max_instructions, args.trace)
    except KeyboardInterrupt:
        print("\nvlab run: interrupted", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    out.flush()
    if args.stats:
        _print_stats(machine, elapsed)
    return _exit_status(booted, result, args.mode)


def _notice(text: str) -> None:
    print(f"vlab run: {text}", file=sys.stderr, flush=True)


def _forward(out: CappedStream, data: bytes) -> None:
    """A bare-metal program's console bytes (HTIF or UART, as they are sent, so a flood
    is cut at once), up to the cap; past it they are dropped: the console has no error to
    give the program."""
    try:
        out.write(data)
    except OSError:
        pass


def _echo_byte(out: CappedStream, byte: int) -> None:
    _forward(out, bytes([byte]))
    if byte == 10:
        out.flush()


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
    print(f"instructions retired: {retired:,}\nwall time: {_duration(elapsed)}\n"
          f"speed: {_speed(retired, elapsed)}", file=sys.stderr)
    engine_stats = getattr(machine.engine, "stats", None)   # the DBT's counters (vlab.isa.dbt)
    if engine_stats is not None:
        print(engine_stats.text(), file=sys.stderr)


def _duration(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds >= 1 else f"{seconds * 1e3:.3g} ms"


def _speed(retired: int, elapsed: float) -> str:
    """Instructions per second in the unit that keeps three significant digits (a tiny
    program runs in microseconds: '0.00 MIPS' would say nothing)."""
    if elapsed <= 0 or retired == 0:
        return "not measurable (no time elapsed or no instruction retired)"
    rate = retired / elapsed
    for unit, scale in (("MIPS", 1e6), ("thousand instructions/s", 1e3)):
        if rate >= scale:
            return f"{rate / scale:.3g} {unit}"
    return f"{rate:.3g} instructions/s"


def _exit_status(booted, result, forced_mode: str | None) -> int:
    if result.status == "exit":
        return result.exit_code
    if result.status == "budget":
        print(f"vlab run: stopped: the instruction budget of "
              f"{count(result.instructions, 'instruction')} ran out; the program may be in "
              "an endless loop (--max-instructions N lets it run longer)", file=sys.stderr)
        return EXIT_BUDGET
    status = _report_end(booted, result)
    print(f"vlab run: {_mode_explanation(booted, forced_mode)}", file=sys.stderr)
    hint = _hint(booted, result)
    if hint:
        print(f"vlab run: hint: {hint}", file=sys.stderr)
    return status


def _report_end(booted, result) -> int:
    """Say how the run ended (the cause once) and return the exit status."""
    fault = booted.process.fault if booted.process is not None else None
    if fault is not None:
        print(f"vlab run: {fault.name} at pc={booted.describe(fault.epc)} "
              f"(tval={fault.tval:#010x}) in U-mode: the program was killed", file=sys.stderr)
        return exit_status(fault.signal)
    if result.status == "fault" and result.cause is not None:
        why = result.message
        if why.startswith("unhandled ") and ": " in why:   # the machine's message repeats
            why = "unhandled: " + why.split(": ", 1)[1]     # the cause, pc and tval
        print(f"vlab run: {cause_text(result.cause, False)} at pc={booted.describe(result.pc)}"
              f" (tval={result.tval or 0:#010x}) in M-mode, {why}", file=sys.stderr)
        return exit_status(signal_for(result.cause))
    print(f"vlab run: {result.status} at pc={booted.describe(result.pc)}: {result.message}",
          file=sys.stderr)
    return EXIT_OTHER


def _mode_explanation(booted, forced_mode: str | None) -> str:
    """Which mode the program ran in, by which rule, and the flag that changes it."""
    image = booted.image
    if forced_mode is not None:
        why = f"--mode {forced_mode} was given"
    elif booted.mode == "bare":
        why = ("it defines 'tohost'" if image.tohost is not None
               else "it is linked at the RAM base 0x80000000")
    else:
        why = "it defines no 'tohost' and is not linked at 0x80000000"
    ran = ("bare-metal (M-mode, no kernel)" if booted.mode == "bare"
           else "as a user program (U-mode, under the proxy kernel)")
    other = "user" if booted.mode == "bare" else "bare"
    return f"the program ran {ran} because {why}; --mode {other} runs it the other way"


def _hint(booted, result) -> str | None:
    """Advice for the mistakes beginners make most (see the tests for each)."""
    symbols = booted.image.symbols
    fault = booted.process.fault if booted.process is not None else None
    pc = fault.epc if fault is not None else result.pc
    if "main" in symbols and "_start" not in symbols and pc == 0:
        return ("the program starts at 'main' (there is no '_start') and its 'ret' jumped "
                "to address 0, because nothing called it: end it with the exit system call "
                "instead (li a0, 0; li a7, 93; ecall), or link it with a C runtime")
    if booted.mode == "bare" and result.cause in (8, 9, 11):   # ecall from U/S/M
        return ("an ecall in a bare-metal program has no kernel to serve it: run it as a "
                "user program (--mode user, or remove 'tohost') or install a trap handler "
                "(mtvec)")
    return None
