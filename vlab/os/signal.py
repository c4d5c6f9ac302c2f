"""Which signal kills a process for which trap: the table RISC-V Linux uses.

When a user program takes an exception the kernel cannot resolve, Linux sends it a signal
(arch/riscv/kernel/traps.c: ``do_trap_insn_illegal`` -> SIGILL, ``do_trap_break`` ->
SIGTRAP, the misaligned handlers -> SIGBUS, access faults -> SIGSEGV; page faults that
find no mapping, arch/riscv/mm/fault.c -> SIGSEGV).  Numbers are Linux's
(include/uapi/asm-generic/signal.h).  A shell reports a process killed by signal ``n``
with exit status ``128 + n``, and so does ``vlab run``.
"""

from __future__ import annotations

from vlab.isa.causes import Cause

SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGSEGV = 4, 5, 6, 7, 11
SIGNAL_NAMES = {SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
                SIGSEGV: "SIGSEGV"}

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


def signal_for(cause: int) -> int:
    """The signal for an exception cause; SIGABRT for one Linux would not turn into a
    signal (an ecall the kernel does not serve, a trap storm...)."""
    return SIGNAL_BY_CAUSE.get(cause, SIGABRT)


def exit_status(signal: int) -> int:
    """A shell's exit status for a process killed by ``signal``."""
    return 128 + signal
