"""A KVM-style VMM on the RISC-V hypervisor extension: the ``hw`` CPU-virtualization method.

Source: RISC-V Privileged Architecture (20211203) ch. 8 "Hypervisor Extension"; the design
is KVM's on RISC-V (Kivity et al., "kvm: the Linux Virtual Machine Monitor", OLS 2007:
the guest runs in a hardware guest mode, the VMM handles only the exits).  Adams & Agesen
(ASPLOS 2006) call this *hardware-assisted* virtualization.

The guest's supervisor code runs **natively in VS-mode** (its user code in VU-mode) with
two-stage translation: the guest's own ``vsatp`` tables over the VMM's G-stage table
(vlab/hardware/g_stage.py, ``hgatp`` with a VMID).  The guest's S-level CSRs are the
hardware's vs* registers, its traps are delegated on to its own ``stvec`` by ``hedeleg``/
``hideleg``, its ``sret``, ``sfence.vma`` and page-table walks need no VMM at all.  Only
what reaches HS-mode exits into this VMM (Python on the trap router, charged as
``vm_exit``), ``EXITS``:

==============================  ========================================================
ecall from VS (cause 10)        an SBI call (vlab/hardware/sbi.py) when the VMM is the
                                guest's firmware; else reflected to the guest's virtual
                                M-mode as the S-mode ecall it is
guest-page fault (20, 21, 23)   an MMIO exit: a load/store to a device is emulated
                                (vlab/hardware/mmio.py); any other address outside
                                guest RAM becomes the access fault of the bare machine
virtual instruction (22)        the guest did something its virtual state must decide
                                (WFI with ``hstatus.VTW``; satp/SFENCE.VMA with VTVM, SRET
                                with VTSR; a counter closed by ``hcounteren``): emulated
                                on the virtual CSRs (vlab/hardware/privileged.py)
illegal instruction, others     what the guest's delegation (its ``medeleg``) sends to
                                its M-mode: injected there
machine timer/software intr.    the guest's timer: injected into its virtual M-mode, or
                                (SBI guests) raised as ``hvip.VSTIP``, which the hardware
                                delivers to the guest's handler without an exit
==============================  ========================================================

**Guest M-mode.**  A bare-metal guest (the riscv-tests ``p`` and ``v`` environments)
starts in M-mode, which the H extension does not virtualize.  The VMM emulates it with
the trap-and-emulate machinery (vlab/hardware/trap_emulate.py, which this class
extends): while the guest is in *virtual* M-mode it runs in **VU-mode** with its own
translation off (``vsatp`` = Bare, only the G-stage), so every privileged instruction it
executes -- M-level CSRs (illegal instruction) and S-level ones, SRET, WFI, SFENCE.VMA
(virtual instruction) -- exits and is emulated by privileged.py's emulators on the
virtual CSRs of vlab/hardware/vcpu.py.  (VU rather than VS: in VS-mode the S-level CSR
accesses of M-mode code would reach the real vs* registers without an exit and the two
copies of the guest's state would have to be merged on every exit; in VU one copy, the
virtual CSRs, is authoritative while the guest is in M.)  MRET into S or U hands the
guest to the hardware: the VMM copies the virtual S-level state into the vs* registers
(``select_address_space``: sstatus fields, stvec, sscratch, sepc, scause, stval, satp,
the S interrupt bits into ``hvip``/``hie``), sets ``hedeleg``/``hideleg`` from the guest's
``medeleg``/``mideleg``, ``hstatus.VTVM``/``VTSR`` from its TVM/TSR (VTW always: a WFI
exits so the VMM can skip time to the guest's timer), ``hcounteren`` from its mcounteren,
and resumes it in VS or VU.  A trap back into virtual M copies the vs* registers back
(``pull``) first.  mstatus.MPRV in virtual M-mode: an execute-only G-stage makes every
load/store exit, and the VMM translates it in software (vlab/hardware/mprv.py).

**SBI guests** (``entry='S'``): the guest is a kernel entered in S-mode at its ELF entry
(a0 = hart id 0, a1 = 0: no device tree); the VMM is its SBI firmware (Base, TIME,
legacy console and shutdown, DBCN, SRST), delegates to it every exception the H extension
can delegate and the VS-level interrupts, and gives it its timer through ``hvip.VSTIP``;
the CLINT is the firmware's, not the guest's (an access to it is an access fault).

What is counted (``exits`` by reason, as the trap-and-emulate VMM): every exit once.  An
emulated instruction (a privileged one, an MMIO load/store) retires, so ``instret`` and
time agree with the bare machine; an SBI call does not (it is the firmware's work).
"""
from __future__ import annotations

from collections import Counter

from vlab.isa.causes import Cause, Interrupt
from vlab.isa.csr import (
    HEDELEG_WRITABLE,
    MEDELEG_WRITABLE,
    S_INTERRUPTS,
    SSTATUS_VIEW,
    SWAPPED,
    VS_INTERRUPTS,
)
from vlab.isa.pagetable import ACCESS_FAULT, FETCH, LOAD, STORE
from vlab.isa.privilege import PRIV_NAMES, M, S, U
from vlab.isa.spec.sensitivity import TSR, TVM, VTW
from vlab.isa.traps import ECALL_CAUSE, Trap, cause_text, delegated_level

from .g_stage import DEFAULT_VMID, GUEST_X, build_g_stage
from .mmio import decode_access, emulate_access
from .mprv import mprv_priv, translate_data
from .sbi import SbiHost, sbi_call
from .trap_emulate import ExitRecord, GuestStop, TrapAndEmulate
from .vcpu import VirtualCpu

VMM_NAME = 'hardware-assisted VMM'
GUEST_PAGE_FAULT_ACCESS = {Cause.INSTRUCTION_GUEST_PAGE_FAULT: FETCH,
                           Cause.LOAD_GUEST_PAGE_FAULT: LOAD,
                           Cause.STORE_GUEST_PAGE_FAULT: STORE}
STIP, STIE, MTIE = 1 << Interrupt.SUPERVISOR_TIMER, 1 << 5, 1 << 7
NEVER = (1 << 64) - 1
ALL_COUNTERS = 7                      # cycle, time, instret open to HS (mcounteren)
ENTRIES = ('M', 'S')
UART_THR = 0                          # 16550 transmit holding register offset


class GuestTlbFence:
    """What privileged.py calls dropping "the shadows" (at SFENCE.VMA and satp writes
    emulated for the guest's M-mode): with two-stage translation there are no shadow
    tables, only the TLB entries of the guest's VMID, which are fenced (HFENCE.VVMA)."""

    fills = 0                         # no shadow page tables are ever filled

    def __init__(self, machine, vmid: int):
        self.machine, self.vmid, self.drops = machine, vmid, 0

    def drop_all(self) -> None:
        self.drops += 1
        self.machine.hfence_gvma(self.vmid)


class HardwareAssisted(TrapAndEmulate):
    """The VMM of one VM using the H extension (see the module docstring)."""

    def __init__(self, machine, memory, entry: str = 'M', vmid: int = DEFAULT_VMID):
        if entry not in ENTRIES:
            raise ValueError(f'a guest enters in M-mode (bare-metal) or S-mode (a kernel '
                             f'under SBI), not {entry!r}')
        self.machine, self.memory, self.entry = machine, memory, entry
        clint = machine.clint
        self.vcpu = VirtualCpu(machine.hart, mtime=lambda: clint.mtime,
                               hw_mip=self._clint_lines if entry == 'M' else lambda: 0)
        self.vcpu.on_priv_change = self.select_address_space
        self.g_stage, self.hgatp = build_g_stage(memory, vmid)
        self.x_stage, self.hgatp_mprv = build_g_stage(          # vlab/hardware/mprv.py
            memory, (vmid + 1) % 128, GUEST_X, start=self.g_stage.alloc.next)
        self.shadow = GuestTlbFence(machine, vmid)
        self.exits: Counter = Counter()
        self.emulated: Counter = Counter()
        self.stop: GuestStop | None = None
        self.last_injected: GuestStop | None = None
        self.word = 0
        self.log: list[ExitRecord] | None = None
        self._reason = ''
        self.sbi = SbiHost(self._putchar, self._read_guest, self._set_timer)
        # devices the guest may not touch, an access fault as on unmapped memory: the
        # block device always (its DMA engine takes host-physical addresses and there is
        # no IOMMU, so a guest could aim it at the VMM's memory -- as trap-emulate hides
        # it, vlab/hardware/guest_memory.py); and an SBI guest's timer, which is the
        # firmware's (as OpenSBI protects the CLINT from S-mode with PMP)
        self.hidden = ('block', 'clint') if entry == 'S' else ('block',)
        self.registrations = [
            machine.traps.register(level, self.handle, causes='all', charge_as='vm_exit',
                                   name=f'{VMM_NAME} ({name})')
            for level, name in (('M', 'M'), ('S', 'HS'))]

    # ------------------------------------------------------------ exits
    def handle(self, ctx):
        """Every exit enters here (HS-mode, or M-mode for the machine timer)."""
        self.pull()
        before = self.vcpu.priv
        if ctx.interrupt:
            self._count(cause_text(ctx.cause, True))
            action = self._timer(ctx) if self.entry == 'S' else self._interrupt(ctx)
        else:
            action = EXITS.get(ctx.cause, HardwareAssisted._reflect_exit)(self, ctx)
        if self.log is not None:
            after = self.vcpu.priv
            if action.kind == 'inject':
                after = delegated_level(after, self.vcpu.csr, action.cause, action.interrupt)
            self.log.append(ExitRecord(ctx.epc, ctx.tval, self._reason, PRIV_NAMES[before],
                                       PRIV_NAMES[after], action.kind))
        return action

    def _instruction_exit(self, ctx):
        """Illegal or virtual instruction: emulate it on the virtual CSRs, or reflect it."""
        if ctx.cause == Cause.VIRTUAL_INSTRUCTION and self.entry == 'S':
            if ctx.tval == WFI_WORD:
                return self._sbi_wfi(ctx)
            # an SBI guest's hart has no hypervisor extension of its own (KVM does this)
            self._count('virtual instruction (reflected as illegal)')
            return self._reflect(ctx, Cause.ILLEGAL_INSTRUCTION, ctx.tval)
        return self._privileged(ctx)

    def _ecall_from_vs(self, ctx):
        if self.entry == 'M':               # the guest's own M-mode serves it
            self._count('ecall')
            return self._reflect(ctx, ECALL_CAUSE[S], 0)
        name, result = sbi_call(self.sbi, ctx.regs)
        self._count(f'SBI {name}')
        if result.exit is not None:
            return ctx.exit(result.exit)
        if result.stop is not None:
            return self._stop(ctx, GuestStop(result.stop, pc=ctx.epc))
        ctx.set_reg(10, result.error)
        if result.returns:
            ctx.set_reg(11, result.value)
        return self._continue(ctx, ctx.epc + 4)

    def _guest_page_fault(self, ctx):
        """A guest-physical address the G-stage does not map: a device (MMIO exit) or
        nothing (the access fault the bare machine raises there)."""
        kind = GUEST_PAGE_FAULT_ACCESS[ctx.cause]
        if kind != FETCH and mprv_priv(self.vcpu.priv, self.vcpu.csr) is not None:
            return self._mprv_access(ctx, kind)
        gpa = ctx.guest_physical_address
        bus = self.memory.bus
        region = None if gpa is None else bus.region_of(gpa)
        if kind != FETCH and region is not None and region.name not in self.hidden \
                and not bus.is_ram(gpa):            # a device; never the VMM's RAM
            access = decode_access(ctx.instruction())
            if access is not None and access.store == (kind == STORE) and \
                    emulate_access(self.memory.bus, ctx, access, gpa):
                self._count(f'MMIO {"store" if access.store else "load"}')
                self.emulated[access.name] += 1
                self.machine.hart.instret += 1
                self.machine.engine.on_retire(1)
                return self._continue(ctx, ctx.epc + 4)
        self._count('guest-physical access outside guest memory')
        return self._reflect(ctx, ACCESS_FAULT[kind], ctx.tval)

    def _mprv_access(self, ctx, kind):
        """A load/store of virtual M-mode with MPRV on (vlab/hardware/mprv.py): translate
        it through the guest's tables in software and perform it."""
        csr = self.vcpu.csr
        access = decode_access(ctx.instruction())
        if access is None or access.store != (kind == STORE):
            self._count('MPRV access not emulated (an AMO: access fault reflected)')
            return self._reflect(ctx, ACCESS_FAULT[kind], ctx.tval)
        try:
            gpa = translate_data(self.memory, csr, ctx.tval, kind, mprv_priv(M, csr))
        except Trap as fault:
            self._count('MPRV page fault (reflected)')
            return self._reflect(ctx, fault.cause, fault.tval)
        if not emulate_access(self.memory.bus, ctx, access, gpa):
            self._count('guest-physical access outside guest memory')
            return self._reflect(ctx, ACCESS_FAULT[kind], ctx.tval)
        self._count(f'MPRV {"store" if access.store else "load"}')
        self.emulated[access.name] += 1
        self.machine.hart.instret += 1
        self.machine.engine.on_retire(1)
        return self._continue(ctx, ctx.epc + 4)

    # ------------------------------------------------------------ SBI guests' timer
    def _set_timer(self, deadline: int) -> None:
        self.vcpu.csr.mip_sw &= ~STIP
        self.machine.clint.mtimecmp[0] = deadline & NEVER

    def _timer(self, ctx):
        """The machine timer of an SBI guest fired: its S timer is pending (hvip.VSTIP)."""
        clint = self.machine.clint
        if clint.timer_pending():
            clint.mtimecmp[0] = NEVER
            self.vcpu.csr.mip_sw |= STIP
        return self._continue(ctx, ctx.epc)

    def _sbi_wfi(self, ctx):
        csr = self.vcpu.csr
        self._count('wfi')
        self.machine.hart.instret += 1
        self.machine.engine.on_retire(1)
        clint = self.machine.clint
        if not csr.mip & csr.mie and csr.mie & STIE and clint.mtimecmp[0] != NEVER:
            clint.advance(max(clint.ticks_until_timer(), 1))
        elif not csr.mip & csr.mie:
            return self._stop(ctx, GuestStop('WFI with no interrupt that can wake the guest '
                                             '(no timer set through SBI, or sie.STIE clear)',
                                             pc=ctx.epc + 4))
        return self._continue(ctx, ctx.epc + 4)

    def _putchar(self, byte: int) -> None:
        self.machine.platform.uart.store(UART_THR, 1, byte)

    def _read_guest(self, gpa: int, count: int) -> bytes | None:
        if not self.memory.is_ram(gpa, max(count, 1)):
            return None
        return self.memory.bus.read_bytes(gpa, count)

    # ------------------------------------------------------------ decisions
    def _inject(self, ctx, cause, tval, interrupt, epc):
        """Enter the trap into the virtual CSRs; the guest's handler then runs in VU
        (virtual M) or VS (virtual S)."""
        target = delegated_level(self.vcpu.priv, self.vcpu.csr, cause, interrupt)
        action = super()._inject(ctx, cause, tval, interrupt, epc)
        if action.kind == 'inject':
            action.priv = U if target == M else S
        return action

    def _continue(self, ctx, pc: int):
        """Resume the guest at ``pc``; an interrupt for its virtual M-mode is injected
        now, one for its S-mode is left to the hardware (hvip, hideleg)."""
        self.select_address_space()
        pending = self.vcpu.pending()
        if pending is not None and (self.vcpu.priv == M
                                    or not self.vcpu.csr.mideleg >> pending & 1):
            return self._inject(ctx, pending, 0, True, pc)
        self.arm_interrupts()
        return ctx.resume(pc)

    # ------------------------------------------------------------ virtual <-> hardware
    def pull(self) -> None:
        """After an exit from VS/VU with the guest in virtual S/U: the vs* registers are
        the guest's S-level state; copy them into the virtual CSRs."""
        vcpu, hart = self.vcpu, self.machine.hart
        if vcpu.priv == M or not hart.virt:
            return
        vcpu.priv = hart.priv
        real, v = hart.csr, vcpu.csr
        v.mstatus = v.mstatus & ~SSTATUS_VIEW | real['vsstatus'] & SSTATUS_VIEW
        for name in SWAPPED:
            setattr(v, name, real['v' + name])
        delegated = v.mideleg & S_INTERRUPTS
        v.mip_sw = v.mip_sw & ~delegated | (real.mip_sw >> 1) & delegated
        v.mie = v.mie & ~delegated | (real.mie >> 1) & delegated

    def select_address_space(self) -> None:
        """Make the hardware run the guest at its virtual level: VU with only the G-stage
        for virtual M; VS/VU with the guest's vs* state for virtual S/U."""
        vcpu, hart = self.vcpu, self.machine.hart
        real, v = hart.csr, vcpu.csr
        real.cycle_offset, real.instret_offset = v.cycle_offset, v.instret_offset
        if vcpu.priv == M:
            real.hgatp = self.hgatp if mprv_priv(M, v) is None else self.hgatp_mprv
            real['vsatp'] = 0
            real.hedeleg = real.hideleg = 0
            real.mip_sw &= ~VS_INTERRUPTS
            real.mie &= ~VS_INTERRUPTS
            hart.priv = U
            return
        real.hgatp = self.hgatp
        real['vsstatus'] = v.mstatus & SSTATUS_VIEW
        for name in SWAPPED:
            real['v' + name] = getattr(v, name)
        delegated = v.mideleg & S_INTERRUPTS
        real.hedeleg = v.medeleg & HEDELEG_WRITABLE
        real.hideleg = delegated << 1
        real.mip_sw = real.mip_sw & ~VS_INTERRUPTS | (v.mip_sw & delegated) << 1
        real.mie = real.mie & ~VS_INTERRUPTS | (v.mie & delegated) << 1
        # hstatus.VTVM/VTSR sit at the bit positions of mstatus.TVM/TSR (sec. 8.2.1)
        real.hstatus = real.hstatus & ~(TVM | VTW | TSR) | v.mstatus & (TVM | TSR) | VTW
        real.hcounteren, real.scounteren = v.mcounteren, v.scounteren
        hart.priv = vcpu.priv

    def arm_interrupts(self) -> None:
        """The machine timer/software lines reach the VMM when the guest can use them:
        its virtual M-mode enabled them (bare-metal guests), or an SBI timer is set."""
        real = self.machine.hart.csr
        if self.entry == 'S':
            enabled = MTIE if self.machine.clint.mtimecmp[0] != NEVER else 0
        else:
            enabled = self.vcpu.csr.mie & (MTIE | 1 << Interrupt.MACHINE_SOFTWARE)
            if self.vcpu.pending() is None:
                enabled &= ~self._clint_lines()
        real.mie = real.mie & VS_INTERRUPTS | enabled

    def start(self) -> None:
        """Enter the guest: V=1, the G-stage on; virtual M-mode (in VU) at the ELF entry,
        or virtual S-mode (in VS) for an SBI guest."""
        hart = self.machine.hart
        real = hart.csr
        real.medeleg = MEDELEG_WRITABLE            # guest traps go to HS (or on to VS)
        real.mideleg = VS_INTERRUPTS
        real.mcounteren, real.mstatus, real.hstatus = ALL_COUNTERS, 0, 0
        real.hgatp = self.hgatp
        if self.entry == 'S':
            v = self.vcpu.csr
            v.medeleg, v.mideleg = HEDELEG_WRITABLE, S_INTERRUPTS
            v.mcounteren = ALL_COUNTERS
            self.vcpu.priv = S
            hart.x[10] = hart.x[11] = 0                 # a0 = hart id, a1 = no DTB
        hart.set_virt(1)
        self.sync()
        self.machine.engine.context_changed()


WFI_WORD = 0x10500073
EXITS = {
    Cause.ILLEGAL_INSTRUCTION: HardwareAssisted._instruction_exit,
    Cause.VIRTUAL_INSTRUCTION: HardwareAssisted._instruction_exit,
    Cause.USER_ECALL: HardwareAssisted._ecall,
    Cause.VIRTUAL_SUPERVISOR_ECALL: HardwareAssisted._ecall_from_vs,
    **{cause: HardwareAssisted._guest_page_fault for cause in GUEST_PAGE_FAULT_ACCESS},
}

__all__ = ['EXITS', 'GuestTlbFence', 'HardwareAssisted', 'VMM_NAME']
