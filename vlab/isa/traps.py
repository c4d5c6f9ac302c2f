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

The hypervisor extension (ch. 8, sec. 8.6 "Traps") adds a third level and the V bit
(vlab/isa/hart.py): a trap from V=1 delegated by ``medeleg`` goes on to VS-mode when
``hedeleg`` (interrupts: ``hideleg``) delegates it again, else to HS-mode (S with V=0).

* Into VS: the ordinary S-level rule on the VS registers (while V=1 they are the plain
  names, csr.py ``swap_virtual``); V stays 1.  A VS-level interrupt (2, 6, 10) is
  reported as the S-level one below it (1, 5, 9), as the guest expects.
* Into HS: V becomes 0 first; then ``hstatus.SPV`` = old V, ``hstatus.SPVP`` = the old
  level if V was 1, ``hstatus.GVA`` = stval holds a guest virtual address, ``htval`` = the
  guest-physical address >> 2 of a guest-page fault (else 0), ``htinst`` = 0 (no
  transformed instruction, sec. 8.6.3) or the pseudoinstruction of a fault on a VS-stage
  PTE read (vlab/isa/two_stage.py).
* Into M: ``mstatush.MPV`` = old V, ``mstatush.GVA``, ``mtval2`` and ``mtinst`` likewise.
* MRET: V = MPV when MPP is not M (then MPV = 0); SRET from HS: V = hstatus.SPV (then
  SPV = 0); SRET from VS stays in V=1.  Refused xRETs are illegal or virtual instructions
  (the sensitivity table, ``virtual_trap``).
* Interrupts: VS-level interrupts (bits 2, 6, 10 of mip, ``hvip``) delegated by
  ``hideleg`` are taken only with V=1, in VU, or in VS with vsstatus.SIE; HS-level ones are
  always enabled while V=1.  Priority (sec. 8.4.3): MEI, MSI, MTI, SEI, SSI, STI, SGEI,
  VSEI, VSSI, VSTI.
"""
from __future__ import annotations

from vlab.isa.causes import EXCEPTION_TEXT, INTERRUPT_BIT, INTERRUPT_TEXT, Cause, Interrupt
from vlab.isa.privilege import PRIV_NAMES as PRIV_NAMES  # re-exported
from vlab.isa.privilege import VS, M, S, U
from vlab.isa.spec.sensitivity import INSTRUCTION_SENSITIVITY, traps_at, virtual_trap

EXCEPTIONS = EXCEPTION_TEXT         # cause code -> the manual's name
INTERRUPTS = INTERRUPT_TEXT
# decreasing priority (privileged spec sec. 3.1.9)
INTERRUPT_PRIORITY = (Interrupt.MACHINE_EXTERNAL, Interrupt.MACHINE_SOFTWARE,
                      Interrupt.MACHINE_TIMER, Interrupt.SUPERVISOR_EXTERNAL,
                      Interrupt.SUPERVISOR_SOFTWARE, Interrupt.SUPERVISOR_TIMER)
ECALL_CAUSE = {U: Cause.USER_ECALL, S: Cause.SUPERVISOR_ECALL, M: Cause.MACHINE_ECALL}
VIRTUAL_ECALL_CAUSE = {**ECALL_CAUSE, S: Cause.VIRTUAL_SUPERVISOR_ECALL}    # with V=1
# with the H extension (sec. 8.4.3): after the S-level ones
H_INTERRUPT_PRIORITY = (*INTERRUPT_PRIORITY, Interrupt.SUPERVISOR_GUEST_EXTERNAL,
                        Interrupt.VIRTUAL_SUPERVISOR_EXTERNAL,
                        Interrupt.VIRTUAL_SUPERVISOR_SOFTWARE,
                        Interrupt.VIRTUAL_SUPERVISOR_TIMER)
VS_INTERRUPT_BITS = 0x444
# causes whose xtval is an address (or the pc of EBREAK): guest virtual when from V=1
ADDRESS_CAUSES = frozenset({0, 1, 3, 4, 5, 6, 7, 12, 13, 15, 20, 21, 23})

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
    """The privilege level that will handle this trap, after delegation: M, S (HS) or VS
    (vlab/isa/privilege.py; the machine asks it for every trap)."""
    if hart.priv == M:
        return M
    csr = hart.csr
    deleg = csr.mideleg if interrupt else csr.medeleg
    if not deleg >> cause & 1:
        return M
    if hart.virt and (csr.hideleg if interrupt else csr.hedeleg) >> cause & 1:
        return VS
    return S


def trap_vector(hart, level: int) -> int:
    """The xtvec a trap into ``level`` (M, S = HS, or VS) vectors through: for HS while
    V=1 it is HS's stvec, kept aside (vlab/isa/csr.py ``swap_virtual``)."""
    csr = hart.csr
    if level == M:
        return csr.mtvec
    if level == S and hart.virt:
        return csr.swapped['stvec']
    return csr.stvec


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
    return _enter_level(csrs, delegated_level(priv, csrs, cause, interrupt), priv, cause,
                        tval, interrupt, epc)


def enter_trap(hart, cause: int, tval: int, interrupt: bool, epc: int) -> int:
    """Take the trap into its target level: update CSRs, privilege and V (module
    docstring), return the new pc."""
    csr, priv, virt = hart.csr, hart.priv, hart.virt
    target = trap_target(hart, cause, interrupt)
    fault = hart.guest_fault                      # a guest-memory access's, if it is this
    hart.guest_fault = None
    if interrupt or fault is None or fault[:2] != (cause, tval & 0xFFFFFFFF):
        fault = None
    if target == VS:                              # the guest's own handler, V stays 1
        if interrupt and cause in (2, 6, 10):
            cause -= 1                            # VSSI/VSTI/VSEI appear as SSI/STI/SEI
        _, pc = _enter_level(csr, S, priv, cause, tval, interrupt, epc)
        hart.set_priv(S)
        hart.reservation = None
        return pc
    gva = not interrupt and cause in ADDRESS_CAUSES and bool(virt or fault)
    gpa, tinst = (fault[2] >> 2, fault[3]) if fault and fault[2] is not None else (0, 0)
    hart.set_virt(0)                              # the HS/M registers are the plain names
    _, pc = _enter_level(csr, target, priv, cause, tval, interrupt, epc)
    if target == M:
        csr.mstatush = (virt << 7) | (gva << 6)   # MPV, GVA
        csr.mtval2, csr.mtinst = gpa, tinst
    else:
        spvp = (priv << 8) if virt else csr.hstatus & (1 << 8)
        csr.hstatus = csr.hstatus & ~0x1C0 | spvp | (virt << 7) | (gva << 6)
        csr.htval, csr.htinst = gpa, tinst
    hart.set_priv(target)
    hart.reservation = None
    return pc


def _enter_level(csrs, target, priv, cause, tval, interrupt, epc):
    """Steps 2-4 of the module docstring into ``target`` (M or S), delegation decided."""
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


def refuse(hart, row) -> None:
    """Raise the exception executing privileged ``row`` here raises, if any: with V=0 the
    sensitivity table's ``traps_at`` (illegal), with V=1 its ``virtual_trap``."""
    if hart.virt:
        cause = virtual_trap(row, hart.priv, hart.csr.mstatus, hart.csr.hstatus)
        if cause is not None:
            raise Trap(cause, hart.current_word)
    elif traps_at(row, hart.priv, hart.csr.mstatus):
        raise Trap(Cause.ILLEGAL_INSTRUCTION, hart.current_word)


def mret(hart) -> int:
    """MRET: return from an M-mode trap handler; illegal below M (the sensitivity table).
    Returns to V = mstatush.MPV when MPP is not M."""
    refuse(hart, MRET)
    csr = hart.csr
    new_priv, pc = return_from_m(csr)
    virt = csr.mstatush >> 7 & 1 if new_priv != M else 0
    csr.mstatush &= ~(1 << 7)                      # MPV = 0
    hart.set_virt(virt)
    hart.set_priv(new_priv)
    return pc


def sret(hart) -> int:
    """SRET: return from an S-mode trap handler; illegal in U, and in S when TSR=1; in VS a
    virtual instruction when hstatus.VTSR=1.  From HS it returns to V = hstatus.SPV."""
    refuse(hart, SRET)
    csr = hart.csr
    new_priv, pc = return_from_s(csr)
    if not hart.virt:
        virt = csr.hstatus >> 7 & 1
        csr.hstatus &= ~(1 << 7)                   # SPV = 0
        hart.set_virt(virt)
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
    if to_s & VS_INTERRUPT_BITS or hart.virt:
        return _pending_with_h(hart, to_s)
    if to_s and (priv < S or (priv == S and status & SIE)):
        for cause in INTERRUPT_PRIORITY:
            if to_s >> cause & 1:
                return cause
    return None


def _pending_with_h(hart, to_s: int) -> int | None:
    """The S-level part of ``pending_interrupt`` when V=1 or a VS-level interrupt is
    pending and enabled (module docstring): HS-level first, then VS-level."""
    csr, priv, virt = hart.csr, hart.priv, hart.virt
    to_vs = to_s & csr.hideleg
    to_hs = to_s & ~to_vs
    if to_hs and (virt or priv < S or (priv == S and csr.mstatus & SIE)):
        for cause in H_INTERRUPT_PRIORITY:
            if to_hs >> cause & 1:
                return cause
    if to_vs and virt and (priv < S or csr.mstatus & SIE):   # vsstatus.SIE while V=1
        for cause in H_INTERRUPT_PRIORITY:
            if to_vs >> cause & 1:
                return cause
    return None
