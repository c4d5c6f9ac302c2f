"""The "classically non-virtualizable" switch: sensitive CSR accesses that stop trapping.

RISC-V meets Popek & Goldberg's condition: every sensitive instruction traps in U-mode
(vlab/isa/spec/sensitivity.py ``virtualization_holes`` is empty for a U-mode guest).
x86 before VT-x did not: Robin & Irvine (USENIX Security 2000) list 17 instructions that
are sensitive but run in user mode without trapping.  This switch makes our machine
behave like that, for a few CSRs, so a student can watch trap-and-emulate break:

=========  =========================================  ================================
CSR        in U-mode with the switch on               x86 counterpart (Robin & Irvine)
=========  =========================================  ================================
mstatus    reads the real value; writes are ignored   PUSHF / POPF (IF silently kept),
                                                      SMSW (reads CR0)
sstatus    reads the real value; writes are ignored   PUSHF / POPF
satp       reads the real value (the VMM's table);    SGDT / SLDT (reveal the real
           writes are ignored                         descriptor tables)
mtvec      reads the real value; writes are ignored   SIDT (reveals the real IDT)
stvec      reads the real value; writes are ignored   SIDT
=========  =========================================  ================================

A deprivileged guest kernel executing these no longer traps to its monitor: it sees the
*real* machine state instead of its virtual state, and its writes are lost without a
sound.  Nothing else changes (the other CSRs, xRET, WFI, SFENCE.VMA still trap).

The switch is a machine option: ``set_non_virtualizable(csr_file, True)`` (the hart's
CSRFile; vlab/isa/csr.py ``check_access`` asks ``leaky_access``).  ``LEAKY_CSRS`` are
rows of the sensitivity table, so ``leaky_rows()`` shows which are affected, and
``holes_with_switch`` is Popek & Goldberg's test with the switch on: not empty any more.
"""
from __future__ import annotations

from vlab.isa.privilege import U
from vlab.isa.spec.sensitivity import Sensitivity, csr_sensitivity, virtualization_holes

LEAKY_CSRS = {
    0x300: ('mstatus', 'PUSHF/POPF, SMSW'),
    0x100: ('sstatus', 'PUSHF/POPF'),
    0x180: ('satp', 'SGDT/SLDT'),
    0x305: ('mtvec', 'SIDT'),
    0x105: ('stvec', 'SIDT'),
}


def leaky_rows() -> list[tuple[Sensitivity, str]]:
    """The sensitivity-table rows the switch affects, with their x86 counterparts."""
    return [(csr_sensitivity(number, name), x86) for number, (name, x86)
            in sorted(LEAKY_CSRS.items())]


def holes_with_switch(guest_level: int, csr_numbers) -> list[Sensitivity]:
    """Popek & Goldberg's condition with the switch on: the rows sensitive for a monitor
    above a guest at ``guest_level`` that the guest can execute without trapping.  Off,
    a U-mode guest has none (``virtualization_holes``); on, the leaky CSRs it can name."""
    return virtualization_holes(guest_level, csr_numbers) + [
        csr_sensitivity(number, name) for number, (name, _) in sorted(LEAKY_CSRS.items())
        if number in csr_numbers and guest_level == U
        and csr_sensitivity(number).sensitive_for(guest_level)]


def set_non_virtualizable(csr_file, on: bool = True) -> None:
    """Turn the switch on or off on one hart's CSRFile."""
    csr_file.leaky = frozenset(LEAKY_CSRS) if on else frozenset()


def leaky_access(csr_file, number: int, priv: int, entry):
    """The (read, write) pair of a U-mode access that does not trap with the switch on
    (reads the real value, writes are ignored); None when this access traps as usual."""
    if priv != U or number not in getattr(csr_file, 'leaky', ()):
        return None
    return entry[0], lambda value: None


__all__ = ['LEAKY_CSRS', 'holes_with_switch', 'leaky_access', 'leaky_rows',
           'set_non_virtualizable']
