"""Trap-and-emulate: a type-1 VMM in Python, registered on the bare machine's trap router.

Popek & Goldberg (CACM 17(7), 1974): run the guest *deprivileged*; every sensitive
instruction is privileged, so it traps to the monitor, which emulates it on the guest's
virtual state and resumes the guest.  Everything else runs directly on the hardware at
full speed.  Hwang et al. 2011, sec. 3.2.1 call this the native (type 1) VMM; Adams &
Agesen (ASPLOS 2006) measure what each trap costs.

Here the guest -- its M-, S- and U-mode code alike -- always runs in real U-mode, with
``medeleg = mideleg = 0``, so every trap enters real M-mode, where this VMM is the
trap-router handler for all causes (vlab/isa/trap_router.py, charged as ``vm_exit``).
What it does, by cause (``EXITS``):

===========================  ===========================================================
illegal instruction          decode it: a privileged instruction is emulated
                             (vlab/hardware/privileged.py) and counted as retired; a
                             really illegal one, or one the *virtual* privilege may not
                             execute, is reflected into the guest
ecall                        reflected with the guest's cause: 8, 9 or 11 by its
                             virtual privilege
page fault                   a hidden fault (the shadow tables are filled,
                             vlab/hardware/shadow.py) or a true guest fault (reflected);
                             outside guest-physical memory it becomes the access fault
                             the bare machine would raise
timer / software interrupt   the CLINT is the guest's: its line is the guest's virtual
                             MTIP/MSIP; injected when the guest's virtual mie/mstatus let
                             it in, else the real line is masked until they do
anything else                reflected as is (breakpoint, misaligned, access faults)
===========================  ===========================================================

*Reflecting* (``Inject``, vlab/isa/trap_actions.py) applies the architectural trap-entry
rule to the virtual CSRs (virtual medeleg/mideleg decide M or S; xepc/xcause/xtval/
xstatus updated) and resumes the guest at its own handler.  A trap the guest has no
handler for (its xtvec is 0) stops the VM with the reason, as the bare machine stops.

After each emulated instruction the VMM re-synchronizes the hardware with the virtual
state (``sync``): the real ``satp`` (the guest-physical map, or the shadow for the
virtual level/satp/SUM/MXR), the real interrupt enables, and a virtual interrupt that
became deliverable is injected at once.
"""
from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from vlab.isa.causes import Cause, Interrupt
from vlab.isa.decoder import decode
from vlab.isa.pagetable import ACCESS_FAULT, FETCH, LOAD, STORE
from vlab.isa.privilege import PRIV_NAMES, M, U
from vlab.isa.traps import (
    ECALL_CAUSE,
    MPP_SHIFT,
    MPRV,
    Trap,
    cause_text,
    delegated_level,
)

from .privileged import EMULATORS
from .shadow import ShadowPager
from .vcpu import VirtualCpu

PAGE_FAULT_ACCESS = {Cause.INSTRUCTION_PAGE_FAULT: FETCH, Cause.LOAD_PAGE_FAULT: LOAD,
                     Cause.STORE_PAGE_FAULT: STORE}
CLINT_LINES = (1 << Interrupt.MACHINE_TIMER) | (1 << Interrupt.MACHINE_SOFTWARE)
VMM_NAME = 'trap-and-emulate VMM'


class ExitRecord(NamedTuple):
    """One VM exit, for explaining a run step by step (``TrapAndEmulate.log``): where the
    guest was, what trapped (tval: the instruction's bits for an illegal instruction, the
    address for a fault), why the VMM says it exited, the guest's virtual level before
    and after, and the VMM's decision (vlab/isa/trap_actions.py kind)."""

    pc: int
    tval: int
    reason: str
    level_before: str
    level_after: str
    decision: str


class GuestStop:
    """Why the VMM stopped its guest (a guest trap with no guest handler, an idle guest)."""

    def __init__(self, message: str, cause: int | None = None, tval: int = 0, pc: int = 0):
        self.message, self.cause, self.tval, self.pc = message, cause, tval, pc


class TrapAndEmulate:
    """The VMM of one VM on ``machine`` with guest-physical memory ``memory``."""

    def __init__(self, machine, memory):
        self.machine, self.memory = machine, memory
        clint = machine.clint
        self.vcpu = VirtualCpu(machine.hart, mtime=lambda: clint.mtime,
                               hw_mip=self._clint_lines)
        self.vcpu.on_priv_change = self.select_address_space
        self.shadow = ShadowPager(memory, machine.ledger, on_drop=machine.sfence_vma)
        self.exits: Counter = Counter()            # reason -> count
        self.emulated: Counter = Counter()         # instruction -> count
        self.stop: GuestStop | None = None
        self.last_injected: GuestStop | None = None   # the last trap entered into the guest
        self.word = 0                              # the instruction being emulated
        self.log: list[ExitRecord] | None = None   # every exit, when a list (explain)
        self._reason = ''
        self.registration = machine.traps.register('M', self.handle, causes='all',
                                                   charge_as='vm_exit', name=VMM_NAME)

    def _clint_lines(self) -> int:
        clint = self.machine.clint
        return ((1 << Interrupt.MACHINE_TIMER if clint.timer_pending() else 0)
                | (1 << Interrupt.MACHINE_SOFTWARE if clint.software_pending() else 0))

    # ------------------------------------------------------------ the exit handler
    def handle(self, ctx):
        """Every trap of the guest enters here (real M-mode)."""
        before = self.vcpu.priv
        if ctx.interrupt:
            self._count(cause_text(ctx.cause, True))
            action = self._interrupt(ctx)
        else:
            action = EXITS.get(ctx.cause, TrapAndEmulate._reflect_exit)(self, ctx)
        if self.log is not None:
            after = self.vcpu.priv
            if action.kind == 'inject':          # the machine enters it after we return
                after = delegated_level(after, self.vcpu.csr, action.cause, action.interrupt)
            self.log.append(ExitRecord(ctx.epc, ctx.tval, self._reason, PRIV_NAMES[before],
                                       PRIV_NAMES[after], action.kind))
        return action

    def _count(self, reason: str) -> None:
        self.exits[reason] += 1
        self._reason = reason

    def _privileged(self, ctx):
        self.word = ctx.tval
        decoded = decode(ctx.tval)
        emulate = EMULATORS.get(decoded.spec.name) if decoded is not None else None
        if emulate is None:
            self._count('illegal instruction (reflected)')
            return self._reflect(ctx, Cause.ILLEGAL_INSTRUCTION, ctx.tval)
        name = decoded.spec.name
        try:
            outcome = emulate(self, ctx, name, decoded.fields)
        except Trap as fault:                   # not allowed at the guest's virtual level
            self._count(f'{name} (reflected: illegal for the guest)')
            return self._reflect(ctx, fault.cause, fault.tval)
        self._count(name)
        self.machine.hart.instret += 1          # the emulated instruction retires,
        self.machine.engine.on_retire(1)        # and time moves as on the bare machine
        if isinstance(outcome, str):            # (an idle WFI retires, then waits)
            return self._stop(ctx, GuestStop(outcome, pc=ctx.epc + 4))
        self.emulated[name] += 1
        return self._continue(ctx, outcome)

    def _ecall(self, ctx):
        self._count('ecall')
        return self._reflect(ctx, ECALL_CAUSE[self.vcpu.priv], 0)

    def _page_fault(self, ctx):
        access, va = PAGE_FAULT_ACCESS[ctx.cause], ctx.tval
        csr = self.vcpu.csr
        view = self.translation()
        if view is None:                                  # the guest's translation is off
            self._count('guest-physical access outside guest memory')
            return self._reflect(ctx, ACCESS_FAULT[access], va)
        found = self.shadow.resolve(va, access, view[0], csr.satp, csr.mstatus, view[1])
        if found.kind == 'filled':
            self._count('hidden page fault (shadow fill)')
            self.select_address_space()
            self.machine.mmu.flush_tlb()
            return ctx.resume(ctx.epc)
        self._count('guest page fault (reflected)')
        cause = found.cause if found.kind == 'guest-fault' else ACCESS_FAULT[access]
        return self._reflect(ctx, cause, va)

    def _reflect_exit(self, ctx):
        self._count(f'{cause_text(ctx.cause, False)} (reflected)')
        return self._reflect(ctx, ctx.cause, ctx.tval)

    def _interrupt(self, ctx):
        pending = self.vcpu.pending()
        if pending is not None:
            return self._inject(ctx, pending, 0, True, ctx.epc)
        self.sync()                      # not deliverable now: mask the line until it is
        return ctx.resume(ctx.epc)

    # ------------------------------------------------------------ decisions
    def _reflect(self, ctx, cause: int, tval: int):
        return self._inject(ctx, cause, tval, False, ctx.epc)

    def _inject(self, ctx, cause, tval, interrupt, epc):
        vcpu = self.vcpu
        if vcpu.handler_base(cause, interrupt) == 0:
            level = delegated_level(vcpu.priv, vcpu.csr, cause, interrupt)
            vector = 'mtvec' if level == M else 'stvec'
            return self._stop(ctx, GuestStop(
                f'guest {cause_text(cause, interrupt)} at pc={epc:#010x} (tval={tval:#010x}) '
                f'in virtual {PRIV_NAMES[vcpu.priv]}-mode, and the guest has no handler: '
                f'its {vector} is 0', None if interrupt else cause, tval, epc))
        self.machine.hart.reservation = None
        self.last_injected = GuestStop(
            f'guest {cause_text(cause, interrupt)} at pc={epc:#010x} (tval={tval:#010x}) in '
            f'virtual {PRIV_NAMES[vcpu.priv]}-mode', None if interrupt else cause, tval, epc)
        action = ctx.inject(vcpu, cause, tval, interrupt, epc=epc)
        self.arm_interrupts()
        return action

    def _continue(self, ctx, pc: int):
        """Resume the guest at ``pc``, or at its handler if an interrupt became due."""
        self.select_address_space()
        pending = self.vcpu.pending()
        if pending is not None:
            return self._inject(ctx, pending, 0, True, pc)
        self.arm_interrupts()
        return ctx.resume(pc)

    def _stop(self, ctx, stop: GuestStop):
        self.stop = stop
        return ctx.halt(stop.message)

    # ------------------------------------------------------------ hardware <- virtual state
    def sync(self) -> None:
        """Make the hardware match the virtual state: address space, interrupt enables."""
        self.select_address_space()
        self.arm_interrupts()

    def select_address_space(self) -> None:
        """Real satp: the guest-physical map, or the shadow of the guest's current view."""
        view = self.translation()
        if view is None:
            satp = self.memory.physical_table.atp
        else:
            csr = self.vcpu.csr
            satp = self.shadow.satp_for(csr.satp, view[0], csr.mstatus, view[1])
        self.machine.hart.csr.satp = satp

    def translation(self) -> tuple[int, bool] | None:
        """How the guest's accesses are translated now: None (untranslated: virtual
        M-mode or satp Bare), else (the privilege its loads and stores are checked as,
        whether fetches are untranslated -- MPRV in virtual M-mode)."""
        vcpu = self.vcpu
        csr = vcpu.csr
        if not csr.satp >> 31:
            return None
        if vcpu.priv != M:
            return vcpu.priv, False
        mpp = csr.mstatus >> MPP_SHIFT & 3
        if csr.mstatus & MPRV and mpp != M:
            return mpp, True
        return None

    def arm_interrupts(self) -> None:
        """The real CLINT lines reach the VMM when the guest enabled them, unless they are
        pending already and the guest cannot take them now (no interrupt storm)."""
        csr = self.vcpu.csr
        enabled = csr.mie & CLINT_LINES
        if self.vcpu.pending() is None:
            enabled &= ~self._clint_lines()
        self.machine.hart.csr.mie = enabled

    def start(self) -> None:
        """The guest's first instruction: real U-mode, virtual M-mode."""
        hart = self.machine.hart
        csr = hart.csr
        csr.medeleg = csr.mideleg = csr.mcounteren = csr.scounteren = 0
        csr.mstatus = 0
        hart.set_priv(U)
        self.sync()
        self.machine.engine.context_changed()


EXITS = {
    Cause.ILLEGAL_INSTRUCTION: TrapAndEmulate._privileged,
    Cause.USER_ECALL: TrapAndEmulate._ecall,
    **{cause: TrapAndEmulate._page_fault for cause in PAGE_FAULT_ACCESS},
}

__all__ = ['EXITS', 'ExitRecord', 'GuestStop', 'TrapAndEmulate', 'VMM_NAME']
