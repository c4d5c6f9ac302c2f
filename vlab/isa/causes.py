"""Trap cause codes, by name: the ``mcause``/``scause`` values of RV32.

Source: RISC-V Privileged Architecture (20211203) sec. 3.1.15, Table 3.6 ("Machine cause
register (mcause) values after trap").  An *exception* (synchronous, raised by an
instruction) and an *interrupt* (asynchronous) share the code space; bit 31 of xcause
tells them apart (``INTERRUPT_BIT``).  So ``Cause.BREAKPOINT`` and
``Interrupt.MACHINE_SOFTWARE`` are both 3: keep them in their own enums and never compare
a code without knowing which kind it is.

The members are ``IntEnum``s, so they *are* the numbers: ``Cause.ILLEGAL_INSTRUCTION == 2``
and a handler may compare ``ctx.cause == Cause.USER_ECALL``.  ``text`` is the manual's
name of each code.
"""
from __future__ import annotations

from enum import IntEnum

INTERRUPT_BIT = 1 << 31


class Cause(IntEnum):
    """Exception codes (Table 3.6, Interrupt = 0)."""

    INSTRUCTION_ADDRESS_MISALIGNED = 0
    INSTRUCTION_ACCESS_FAULT = 1
    ILLEGAL_INSTRUCTION = 2
    BREAKPOINT = 3
    LOAD_ADDRESS_MISALIGNED = 4
    LOAD_ACCESS_FAULT = 5
    STORE_ADDRESS_MISALIGNED = 6
    STORE_ACCESS_FAULT = 7
    USER_ECALL = 8
    SUPERVISOR_ECALL = 9
    VIRTUAL_SUPERVISOR_ECALL = 10
    MACHINE_ECALL = 11
    INSTRUCTION_PAGE_FAULT = 12
    LOAD_PAGE_FAULT = 13
    STORE_PAGE_FAULT = 15
    INSTRUCTION_GUEST_PAGE_FAULT = 20
    LOAD_GUEST_PAGE_FAULT = 21
    VIRTUAL_INSTRUCTION = 22
    STORE_GUEST_PAGE_FAULT = 23

    @property
    def text(self) -> str:
        return EXCEPTION_TEXT[self]


class Interrupt(IntEnum):
    """Interrupt codes (Table 3.6, Interrupt = 1); also the bit numbers in mip/mie."""

    SUPERVISOR_SOFTWARE = 1
    VIRTUAL_SUPERVISOR_SOFTWARE = 2
    MACHINE_SOFTWARE = 3
    SUPERVISOR_TIMER = 5
    VIRTUAL_SUPERVISOR_TIMER = 6
    MACHINE_TIMER = 7
    SUPERVISOR_EXTERNAL = 9
    VIRTUAL_SUPERVISOR_EXTERNAL = 10
    MACHINE_EXTERNAL = 11
    SUPERVISOR_GUEST_EXTERNAL = 12

    @property
    def text(self) -> str:
        return INTERRUPT_TEXT[self]


EXCEPTION_TEXT = {
    Cause.INSTRUCTION_ADDRESS_MISALIGNED: 'instruction address misaligned',
    Cause.INSTRUCTION_ACCESS_FAULT: 'instruction access fault',
    Cause.ILLEGAL_INSTRUCTION: 'illegal instruction',
    Cause.BREAKPOINT: 'breakpoint',
    Cause.LOAD_ADDRESS_MISALIGNED: 'load address misaligned',
    Cause.LOAD_ACCESS_FAULT: 'load access fault',
    Cause.STORE_ADDRESS_MISALIGNED: 'store/AMO address misaligned',
    Cause.STORE_ACCESS_FAULT: 'store/AMO access fault',
    Cause.USER_ECALL: 'environment call from U-mode',
    Cause.SUPERVISOR_ECALL: 'environment call from S-mode',
    Cause.VIRTUAL_SUPERVISOR_ECALL: 'environment call from VS-mode',
    Cause.MACHINE_ECALL: 'environment call from M-mode',
    Cause.INSTRUCTION_PAGE_FAULT: 'instruction page fault',
    Cause.LOAD_PAGE_FAULT: 'load page fault',
    Cause.STORE_PAGE_FAULT: 'store/AMO page fault',
    Cause.INSTRUCTION_GUEST_PAGE_FAULT: 'instruction guest-page fault',
    Cause.LOAD_GUEST_PAGE_FAULT: 'load guest-page fault',
    Cause.VIRTUAL_INSTRUCTION: 'virtual instruction',
    Cause.STORE_GUEST_PAGE_FAULT: 'store/AMO guest-page fault',
}
INTERRUPT_TEXT = {
    Interrupt.SUPERVISOR_SOFTWARE: 'supervisor software interrupt',
    Interrupt.VIRTUAL_SUPERVISOR_SOFTWARE: 'virtual supervisor software interrupt',
    Interrupt.MACHINE_SOFTWARE: 'machine software interrupt',
    Interrupt.SUPERVISOR_TIMER: 'supervisor timer interrupt',
    Interrupt.VIRTUAL_SUPERVISOR_TIMER: 'virtual supervisor timer interrupt',
    Interrupt.MACHINE_TIMER: 'machine timer interrupt',
    Interrupt.SUPERVISOR_EXTERNAL: 'supervisor external interrupt',
    Interrupt.VIRTUAL_SUPERVISOR_EXTERNAL: 'virtual supervisor external interrupt',
    Interrupt.MACHINE_EXTERNAL: 'machine external interrupt',
    Interrupt.SUPERVISOR_GUEST_EXTERNAL: 'supervisor guest external interrupt',
}

# Cause classes a trap handler may register for (vlab/isa/trap_router.py)
ECALLS = frozenset({Cause.USER_ECALL, Cause.SUPERVISOR_ECALL, Cause.VIRTUAL_SUPERVISOR_ECALL,
                    Cause.MACHINE_ECALL})
PAGE_FAULTS = frozenset({Cause.INSTRUCTION_PAGE_FAULT, Cause.LOAD_PAGE_FAULT,
                         Cause.STORE_PAGE_FAULT})
ACCESS_FAULTS = frozenset({Cause.INSTRUCTION_ACCESS_FAULT, Cause.LOAD_ACCESS_FAULT,
                           Cause.STORE_ACCESS_FAULT})
GUEST_PAGE_FAULTS = frozenset({Cause.INSTRUCTION_GUEST_PAGE_FAULT, Cause.LOAD_GUEST_PAGE_FAULT,
                               Cause.STORE_GUEST_PAGE_FAULT})
MISALIGNED = frozenset({Cause.INSTRUCTION_ADDRESS_MISALIGNED, Cause.LOAD_ADDRESS_MISALIGNED,
                        Cause.STORE_ADDRESS_MISALIGNED})

__all__ = ['ACCESS_FAULTS', 'Cause', 'ECALLS', 'EXCEPTION_TEXT', 'GUEST_PAGE_FAULTS',
           'INTERRUPT_BIT', 'INTERRUPT_TEXT', 'Interrupt', 'MISALIGNED', 'PAGE_FAULTS']
