"""Signals: their numbers, their default actions, and which signal a trap raises.

Numbers are Linux's (include/uapi/asm-generic/signal.h); the default action of each is
signal(7)'s table: *term* ends the process, *core* ends it "with a core dump" (here: the
wait status has the core bit 0x80; no file is written), *ign* discards the signal, *stop*
stops the process (state 'T'), *cont* continues a stopped one.  SIGKILL and SIGSTOP cannot
be caught, blocked or ignored.

When a user program takes an exception the kernel cannot resolve, Linux sends it a signal
(arch/riscv/kernel/traps.c: ``do_trap_insn_illegal`` -> SIGILL, ``do_trap_break`` ->
SIGTRAP, the misaligned handlers -> SIGBUS, access faults -> SIGSEGV; page faults that
find no mapping, arch/riscv/mm/fault.c -> SIGSEGV).  A shell reports a process killed by
signal ``n`` with exit status ``128 + n``, and so does ``vlab run``.
"""

from __future__ import annotations

from vlab.isa.causes import Cause

SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE = 1, 2, 3, 4, 5, 6, 7, 8
SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM = 9, 10, 11, 12, 13, 14, 15
SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU = 16, 17, 18, 19, 20, 21, 22
SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS = (
    23, 24, 25, 26, 27, 28, 29, 30, 31)
NSIG = 64                       # signals 1..64 (32..64: real-time signals)

TERM, CORE, IGN, STOP, CONT = "term", "core", "ign", "stop", "cont"
DEFAULT_ACTION = {
    SIGHUP: TERM, SIGINT: TERM, SIGQUIT: CORE, SIGILL: CORE, SIGTRAP: CORE, SIGABRT: CORE,
    SIGBUS: CORE, SIGFPE: CORE, SIGKILL: TERM, SIGUSR1: TERM, SIGSEGV: CORE, SIGUSR2: TERM,
    SIGPIPE: TERM, SIGALRM: TERM, SIGTERM: TERM, SIGSTKFLT: TERM, SIGCHLD: IGN,
    SIGCONT: CONT, SIGSTOP: STOP, SIGTSTP: STOP, SIGTTIN: STOP, SIGTTOU: STOP, SIGURG: IGN,
    SIGXCPU: CORE, SIGXFSZ: CORE, SIGVTALRM: TERM, SIGPROF: TERM, SIGWINCH: IGN,
    SIGIO: TERM, SIGPWR: TERM, SIGSYS: CORE,
}
UNCATCHABLE = frozenset({SIGKILL, SIGSTOP})
STOP_SIGNALS = frozenset({SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU})
SIGNAL_NAMES = {number: name for name, number in globals().items()
                if name.startswith("SIG") and isinstance(number, int) and name != "SIGNAL"}

SIGNAL_BY_CAUSE = {
    Cause.INSTRUCTION_ADDRESS_MISALIGNED: SIGBUS,
    Cause.INSTRUCTION_ACCESS_FAULT: SIGSEGV,
    Cause.ILLEGAL_INSTRUCTION: SIGILL,
    Cause.BREAKPOINT: SIGTRAP,
    Cause.LOAD_ADDRESS_MISALIGNED: SIGBUS,
    Cause.LOAD_ACCESS_FAULT: SIGSEGV,
    Cause.STORE_ADDRESS_MISALIGNED: SIGBUS,
    Cause.STORE_ACCESS_FAULT: SIGSEGV,
    Cause.INSTRUCTION_PAGE_FAULT: SIGSEGV,
    Cause.LOAD_PAGE_FAULT: SIGSEGV,
    Cause.STORE_PAGE_FAULT: SIGSEGV,
}


def default_action(signal: int) -> str:
    """signal(7)'s default action; real-time signals (32..64) terminate."""
    return DEFAULT_ACTION.get(signal, TERM)


def signal_name(signal: int) -> str:
    return SIGNAL_NAMES.get(signal, f"SIGRT{signal - 32}" if signal >= 32 else f"signal {signal}")


def bit(signal: int) -> int:
    """The bit of ``signal`` in a sigset (bit n-1, as the kernel's sigset_t)."""
    return 1 << (signal - 1)


def signal_for(cause: int) -> int:
    """The signal for an exception cause; SIGABRT for one Linux would not turn into a
    signal (an ecall the kernel does not serve, a trap storm...)."""
    return SIGNAL_BY_CAUSE.get(cause, SIGABRT)


def exit_status(signal: int) -> int:
    """A shell's exit status for a process killed by ``signal``."""
    return 128 + signal
