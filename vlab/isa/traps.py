"""Traps: exception and interrupt causes, delegation, priorities, trap entry and return.

Source: RISC-V Privileged Architecture (20211203), ch. 3 "Machine-Level ISA":
sec. 3.1.8 (medeleg/mideleg), 3.1.9 (mip/mie and the interrupt priority order), 3.1.15
(mcause, Table 3.6 of cause codes), 3.1.16 (mtval), 3.3.2 (MRET/SRET); ch. 4 sec. 4.1.1
(sstatus SPP/SPIE/SIE).

A trap is taken like this (``enter_trap``):

1. *Which level handles it.*  Traps never go down: from M they stay in M.  From S or U
   an exception whose bit is set in ``medeleg`` (an interrupt: ``mideleg``) goes to S,
   otherwise to M.
2. *Save where we were.*  ``xepc`` = pc of the instruction that trapped (for an interrupt,
   of the one that had not run yet); ``xcause`` = code, bit 31 set for interrupts;
   ``xtval`` = faulting address, the illegal instruction's bits, or 0.
3. *Disable interrupts, remember the old state.*  ``xPIE = xIE; xIE = 0; xPP = priv``.
4. *Jump.*  ``pc = xtvec.BASE``, plus ``4 * cause`` for an interrupt in vectored mode.

Interrupts (``pending_interrupt``): bit *i* is a candidate when ``mip[i] & mie[i]``.  One
destined for M (``mideleg[i] = 0``) is taken when ``priv < M`` or ``mstatus.MIE``; one
destined for S when ``priv < S``, or ``priv == S`` and ``sstatus.SIE``, never in M.
Among candidates, M-destined before S-destined, then MEI, MSI, MTI, SEI, SSI, STI.
"""
from __future__ import annotations

from vlab.isa.causes import EXCEPTION_TEXT, INTERRUPT_BIT, INTERRUPT_TEXT, Cause, Interrupt
from vlab.isa.privilege import PRIV_NAMES as PRIV_NAMES  # re-exported
from vlab.isa.privilege import M, S, U
from vlab.isa.spec.sensitivity import INSTRUCTION_SENSITIVITY, traps_at

EXCEPTIONS = EXCEPTION_TEXT         # cause code -> the manual's name
INTERRUPTS = INTERRUPT_TEXT
# decreasing priority (privileged spec sec. 3.1.9)
INTERRUPT_PRIORITY = (Interrupt.MACHINE_EXTERNAL, Interrupt.MACHINE_SOFTWARE,
                      Interrupt.MACHINE_TIMER, Interrupt.SUPERVISOR_EXTERNAL,
                      Interrupt.SUPERVISOR_SOFTWARE, Interrupt.SUPERVISOR_TIMER)
ECALL_CAUSE = {U: Cause.USER_ECALL, S: Cause.SUPERVISOR_ECALL, M: Cause.MACHINE_ECALL}

# mstatus bits used here (full layout in csr.py)
SIE, MIE, SPIE, MPIE, SPP = 1 << 1, 1 << 3, 1 << 5, 1 << 7, 1 << 8
MPP_SHIFT, MPP_MASK, MPRV = 11, 3 << 11, 1 << 17
MRET, SRET = INSTRUCTION_SENSITIVITY['mret'], INSTRUCTION_SENSITIVITY['sret']


class Trap(Exception):
    """A synchronous exception raised while executing an instruction.

    ``cause`` is the exception code (Table 3.6), ``tval`` the value for xtval.
    """

    def __init__(self, cause: int, tval: int = 0):
        super().__init__(cause, tval)
        self.cause = cause
        self.tval = tval & 0xFFFFFFFF

    def __str__(self) -> str:
        return f'{cause_text(self.cause, False)} (tval={self.tval:#010x})'


def cause_text(cause: int, interrupt: bool) -> str:
    """The manual's name of a cause code."""
    table = INTERRUPTS if interrupt else EXCEPTIONS
    return table.get(cause, f'reserved cause {cause}')


def trap_target(hart, cause: int, interrupt: bool) -> int:
    """The privilege level that will handle this trap, after delegation (as
    ``delegated_level``, written out: the machine asks it for every trap)."""
    if hart.priv == M:
        return M
    deleg = hart.csr.mideleg if interrupt else hart.csr.medeleg
    return S if deleg >> cause & 1 else M


def delegated_level(priv: int, csrs, cause: int, interrupt: bool) -> int:
    """Step 1 of the module docstring, on any register set with medeleg/mideleg."""
    if priv == M:
        return M
    deleg = csrs.mideleg if interrupt else csrs.medeleg
    return S if deleg >> cause & 1 else M


def take_trap(csrs, priv: int, cause: int, tval: int, interrupt: bool,
              epc: int) -> tuple[int, int]:
    """Steps 1-4 of the module docstring on ``csrs`` -- the hart's CSRFile, or a guest's
    virtual CSRs (vlab/isa/vcpu.py) -- trapping from ``priv``: returns (target level, pc
    of the handler)."""
    target = delegated_level(priv, csrs, cause, interrupt)
    code = cause | (INTERRUPT_BIT if interrupt else 0)
    status = csrs.mstatus
    if target == M:
        csrs.mepc, csrs.mcause, csrs.mtval = epc & ~3, code, tval & 0xFFFFFFFF
        status = (status & ~(MPIE | MIE | MPP_MASK)) | (MPIE if status & MIE else 0) \
            | (priv << MPP_SHIFT)
        tvec = csrs.mtvec
    else:
        csrs.sepc, csrs.scause, csrs.stval = epc & ~3, code, tval & 0xFFFFFFFF
        status = (status & ~(SPIE | SIE | SPP)) | (SPIE if status & SIE else 0) \
            | (SPP if priv == S else 0)
        tvec = csrs.stvec
    csrs.mstatus = status
    base = tvec & ~3
    if interrupt and tvec & 3 == 1:
        return target, base + 4 * cause
    return target, base


def enter_trap(hart, cause: int, tval: int, interrupt: bool, epc: int) -> int:
    """Take the trap into its target level: update CSRs and privilege, return the new pc."""
    target, pc = take_trap(hart.csr, hart.priv, cause, tval, interrupt, epc)
    hart.set_priv(target)
    hart.reservation = None
    return pc


def return_from_m(csrs) -> tuple[int, int]:
    """The MRET rule (privileged spec sec. 3.3.2) on ``csrs``: (new level, new pc)."""
    status = csrs.mstatus
    new_priv = (status & MPP_MASK) >> MPP_SHIFT
    status = (status & ~(MIE | MPP_MASK)) | (MIE if status & MPIE else 0) | MPIE
    if new_priv != M:
        status &= ~MPRV
    csrs.mstatus = status
    return new_priv, csrs.mepc


def return_from_s(csrs) -> tuple[int, int]:
    """The SRET rule (sec. 3.3.2, 4.1.1) on ``csrs``: (new level, new pc)."""
    status = csrs.mstatus
    new_priv = S if status & SPP else U
    status = (status & ~(SIE | SPP | MPRV)) | (SIE if status & SPIE else 0) | SPIE
    csrs.mstatus = status
    return new_priv, csrs.sepc


def mret(hart) -> int:
    """MRET: return from an M-mode trap handler; illegal below M (the sensitivity table)."""
    if traps_at(MRET, hart.priv, hart.csr.mstatus):
        raise Trap(Cause.ILLEGAL_INSTRUCTION, hart.current_word)
    new_priv, pc = return_from_m(hart.csr)
    hart.set_priv(new_priv)
    return pc


def sret(hart) -> int:
    """SRET: return from an S-mode trap handler; illegal in U, and in S when TSR=1."""
    if traps_at(SRET, hart.priv, hart.csr.mstatus):
        raise Trap(Cause.ILLEGAL_INSTRUCTION, hart.current_word)
    new_priv, pc = return_from_s(hart.csr)
    hart.set_priv(new_priv)
    return pc


def pending_interrupt(hart, mip: int) -> int | None:
    """The interrupt cause to take now, or None (see module docstring for the rules)."""
    csr = hart.csr
    candidates = mip & csr.mie
    if not candidates:
        return None
    priv, status = hart.priv, csr.mstatus
    to_m = candidates & ~csr.mideleg
    if to_m and (priv < M or status & MIE):
        for cause in INTERRUPT_PRIORITY:
            if to_m >> cause & 1:
                return cause
    to_s = candidates & csr.mideleg
    if to_s and (priv < S or (priv == S and status & SIE)):
        for cause in INTERRUPT_PRIORITY:
            if to_s >> cause & 1:
                return cause
    return None
