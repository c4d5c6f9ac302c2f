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

M, S, U = 3, 1, 0
PRIV_NAMES = {M: 'M', S: 'S', U: 'U'}

EXCEPTIONS = {
    0: 'instruction address misaligned', 1: 'instruction access fault',
    2: 'illegal instruction', 3: 'breakpoint', 4: 'load address misaligned',
    5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
    8: 'environment call from U-mode', 9: 'environment call from S-mode',
    11: 'environment call from M-mode', 12: 'instruction page fault',
    13: 'load page fault', 15: 'store/AMO page fault',
}
INTERRUPTS = {
    1: 'supervisor software interrupt', 3: 'machine software interrupt',
    5: 'supervisor timer interrupt', 7: 'machine timer interrupt',
    9: 'supervisor external interrupt', 11: 'machine external interrupt',
}
# decreasing priority (privileged spec sec. 3.1.9)
INTERRUPT_PRIORITY = (11, 3, 7, 9, 1, 5)
ECALL_CAUSE = {U: 8, S: 9, M: 11}
INTERRUPT_BIT = 1 << 31

# mstatus bits used here (full layout in csr.py)
SIE, MIE, SPIE, MPIE, SPP = 1 << 1, 1 << 3, 1 << 5, 1 << 7, 1 << 8
MPP_SHIFT, MPP_MASK, MPRV = 11, 3 << 11, 1 << 17


class Trap(Exception):  # noqa: N818 - it is the architectural name
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
    """The privilege level that will handle this trap, after delegation."""
    if hart.priv == M:
        return M
    deleg = hart.csr.mideleg if interrupt else hart.csr.medeleg
    return S if deleg >> cause & 1 else M


def enter_trap(hart, cause: int, tval: int, interrupt: bool, epc: int) -> int:
    """Take the trap into its target level: update CSRs and privilege, return the new pc."""
    csr = hart.csr
    target = trap_target(hart, cause, interrupt)
    code = cause | (INTERRUPT_BIT if interrupt else 0)
    status = csr.mstatus
    if target == M:
        csr.mepc, csr.mcause, csr.mtval = epc & ~3, code, tval & 0xFFFFFFFF
        status = (status & ~(MPIE | MIE | MPP_MASK)) | (MPIE if status & MIE else 0) \
            | (hart.priv << MPP_SHIFT)
        tvec = csr.mtvec
    else:
        csr.sepc, csr.scause, csr.stval = epc & ~3, code, tval & 0xFFFFFFFF
        status = (status & ~(SPIE | SIE | SPP)) | (SPIE if status & SIE else 0) \
            | (SPP if hart.priv == S else 0)
        tvec = csr.stvec
    csr.mstatus = status
    hart.set_priv(target)
    hart.reservation = None
    base = tvec & ~3
    if interrupt and tvec & 3 == 1:
        return base + 4 * cause
    return base


def mret(hart) -> int:
    """MRET: return from an M-mode trap handler (privileged spec sec. 3.3.2)."""
    if hart.priv != M:
        raise Trap(2, hart.current_word)
    csr = hart.csr
    status = csr.mstatus
    new_priv = (status & MPP_MASK) >> MPP_SHIFT
    status = (status & ~(MIE | MPP_MASK)) | (MIE if status & MPIE else 0) | MPIE
    if new_priv != M:
        status &= ~MPRV
    csr.mstatus = status
    hart.set_priv(new_priv)
    return csr.mepc


def sret(hart) -> int:
    """SRET: return from an S-mode trap handler; illegal in U, and in S when TSR=1."""
    csr = hart.csr
    if hart.priv == U or (hart.priv == S and csr.mstatus & (1 << 22)):
        raise Trap(2, hart.current_word)
    status = csr.mstatus
    new_priv = S if status & SPP else U
    status = (status & ~(SIE | SPP | MPRV)) | (SIE if status & SPIE else 0) | SPIE
    csr.mstatus = status
    hart.set_priv(new_priv)
    return csr.sepc


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
