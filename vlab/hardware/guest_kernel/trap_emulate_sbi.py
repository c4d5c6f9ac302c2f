"""Trap-and-emulate as a guest kernel's SBI firmware: ``--cpu trap-emulate`` with S entry.

The trap-and-emulate VMM (vlab/hardware/trap_emulate.py) runs a bare-metal guest from
its M-mode; a guest *kernel* instead starts in S-mode and expects firmware below it.
This subclass is that firmware, as the ``hw`` VMM is for VS-mode guests
(vlab/hardware/hw_vmm.py, KVM's SBI): the guest starts in virtual S-mode (real U-mode,
as all trap-and-emulate guests), with its virtual ``medeleg``/``mideleg`` delegating to
its S-mode everything a firmware would (OpenSBI's defaults); an ``ecall`` from virtual
S-mode is an SBI call (vlab/hardware/sbi.py) served here; the CLINT is the firmware's:
SBI ``set_timer`` programs it, and when it fires the guest's virtual STIP is raised (the
VMM then injects the supervisor timer interrupt when the guest can take it).  Everything
else -- every csrr/csrw, sret and sfence.vma of the guest kernel, its page tables
(shadowed) -- is the unchanged trap-and-emulate VMM: the native build of the guest
kernel pays an exit for each, which is what the paravirtual build avoids.
"""
from __future__ import annotations

from vlab.isa.causes import Interrupt
from vlab.isa.csr import HEDELEG_WRITABLE, S_INTERRUPTS
from vlab.isa.privilege import S, U
from vlab.isa.traps import ECALL_CAUSE

from ..sbi import SbiHost, sbi_call
from ..trap_emulate import EXITS, GuestStop, TrapAndEmulate
from ..vcpu import VirtualCpu

STIP = 1 << Interrupt.SUPERVISOR_TIMER
MTIE = 1 << Interrupt.MACHINE_TIMER
NEVER = (1 << 64) - 1
ALL_COUNTERS = 7


class TrapAndEmulateSbi(TrapAndEmulate):
    """Trap-and-emulate with the guest entering in S-mode under this VMM's SBI."""

    def __init__(self, machine, memory):
        super().__init__(machine, memory)
        clint = machine.clint
        self.vcpu = VirtualCpu(machine.hart, mtime=lambda: clint.mtime, hw_mip=lambda: 0)
        self.vcpu.on_priv_change = self.select_address_space
        self.sbi = SbiHost(self._putchar, self._read_guest, self._set_timer)
        # the block device is a DMA master: hidden, as vlab/hardware/guest_memory.py says;
        # the CLINT is the firmware's (as OpenSBI keeps it from S-mode with PMP)
        memory.devices = tuple(d for d in memory.devices if d[2] != 'clint')

    def handle(self, ctx):
        if ctx.interrupt and ctx.cause == Interrupt.MACHINE_TIMER:
            self._count('timer (SBI firmware)')
            clint = self.machine.clint
            clint.mtimecmp[0] = NEVER
            self.vcpu.csr.mip_sw |= STIP
            return self._continue(ctx, ctx.epc)
        if not ctx.interrupt and ctx.cause == ECALL_CAUSE[U] and self.vcpu.priv == S:
            return self._sbi(ctx)
        return super().handle(ctx)

    def _sbi(self, ctx):
        name, result = sbi_call(self.sbi, ctx.regs)
        self._count(f'SBI {name}')
        if result.exit is not None:
            return ctx.exit(result.exit)
        if result.stop is not None:
            return self._stop(ctx, GuestStop(result.stop, pc=ctx.epc))
        ctx.set_reg(10, result.error & 0xFFFFFFFF)
        if result.returns:
            ctx.set_reg(11, result.value & 0xFFFFFFFF)
        return self._continue(ctx, ctx.epc + 4)

    def _set_timer(self, deadline: int) -> None:
        self.vcpu.csr.mip_sw &= ~STIP
        self.machine.clint.mtimecmp[0] = deadline & NEVER

    def _putchar(self, byte: int) -> None:
        self.machine.platform.uart.store(0, 1, byte)

    def _read_guest(self, gpa: int, count: int) -> bytes | None:
        if not self.memory.is_ram(gpa, max(count, 1)):
            return None
        return self.memory.bus.read_bytes(gpa, count)

    def arm_interrupts(self) -> None:
        """The machine timer reaches the VMM while an SBI timer is set."""
        armed = self.machine.clint.mtimecmp[0] != NEVER
        self.machine.hart.csr.mie = MTIE if armed else 0

    def start(self) -> None:
        """The guest's first instruction: real U-mode, virtual S-mode, firmware-style
        delegation (a0 = hart id; the loader sets a1)."""
        super().start()
        v = self.vcpu.csr
        v.medeleg, v.mideleg = HEDELEG_WRITABLE, S_INTERRUPTS
        v.mcounteren = ALL_COUNTERS
        self.machine.clint.mtimecmp[0] = NEVER
        self.vcpu.priv = S
        self.sync()
        self.machine.engine.context_changed()


__all__ = ['EXITS', 'TrapAndEmulateSbi']
